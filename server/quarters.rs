//! Closing a quarter: the immutable docket of the ideas that go to the review board.

use serde_json::json;

use crate::config::Settings;
use crate::db::models::dockets::{self, Docket, DocketEntry};
use crate::db::models::ideas::{self, Idea, NewEvent};
use crate::db::models::posts::Author;
use crate::db::models::reviews;
use crate::db::models::users::User;
use crate::db::models::{activities, now};
use crate::db::{Db, DbConn};
use crate::domain::account::Role;
use crate::domain::activity::{NewActivity, Visibility};
use crate::domain::idea::IdeaState;
use crate::domain::policy::Actor;
use crate::domain::quarter::{FORMULA, Quarter};
use crate::error::{AppError, AppResult};

/// A docket with its ideas.
pub struct DocketView {
    pub docket: Docket,
    pub entries: Vec<(DocketEntry, Idea, Option<Author>)>,
}

fn parse(quarter: &str) -> AppResult<Quarter> {
    Quarter::parse(quarter).map_err(|e| AppError::field("quarter", e))
}

/// Closes a quarter: the top ideas by the published formula enter review, the rest stay
/// submitted. Before the quarter has ended this needs `early`. Closing again changes
/// nothing and answers the existing docket (`false`). `closer` is the admin, or none for
/// the command line.
pub async fn close(
    db: &Db,
    settings: &Settings,
    closer: Option<&User>,
    quarter: &str,
    early: bool,
) -> AppResult<(DocketView, bool)> {
    let quarter = parse(quarter)?;
    if now() < quarter.end() && !early {
        return Err(AppError::Conflict(format!(
            "{quarter} runs until {}; close it early only on purpose (early: true, or --early)",
            quarter.end().format("%Y-%m-%d")
        )));
    }
    let (closer, size) = (closer.map(|u| u.id), i32::try_from(settings.docket_size.max(1)).unwrap_or(10));
    let name = quarter.to_string();
    let created = db
        .write(move |c| {
            let at = now();
            if !dockets::create(c, &name, size, FORMULA, closer, at)? {
                return Ok(false);
            }
            for (rank, idea) in dockets::candidates(c, &name, i64::from(size))?.into_iter().enumerate() {
                let rank = i32::try_from(rank).unwrap_or(i32::MAX) + 1;
                dockets::add_entry(c, &name, idea.id, rank, idea.vote_count)?;
                ideas::set_state(c, idea.id, IdeaState::InReview, at)?;
                let note = format!("{name} closed: rank {rank} of {size}, {} votes", idea.vote_count);
                let event = NewEvent { idea_id: idea.id, actor_id: closer, kind: "transition", from: "submitted", to: "in_review", note: &note };
                ideas::append_event(c, &event, at)?;
                let visibility = crate::ideas::audience(&idea);
                let data = json!({ "title": idea.title, "from": "submitted", "to": "in_review", "note": note, "quarter": name });
                activities::record(c, &NewActivity { actor_id: closer, verb: "idea.transitioned", object_type: "idea", object_id: idea.id, community_id: idea.community_id, visibility, data })?;
            }
            // The quarter itself ends here for everyone downstream (the top voter's badge).
            let closed = NewActivity {
                actor_id: closer,
                verb: "quarter.closed",
                object_type: "quarter",
                object_id: i64::from(quarter.year) * 10 + i64::from(quarter.number),
                community_id: None,
                visibility: crate::domain::activity::Visibility::Public,
                data: json!({ "quarter": name }),
            };
            activities::record(c, &closed)?;
            Ok(true)
        })
        .await?;
    Ok((load(db, quarter).await?, created))
}

async fn load(db: &Db, quarter: Quarter) -> AppResult<DocketView> {
    let name = quarter.to_string();
    db.read(move |c| {
        let docket = dockets::find(c, &name)?.ok_or(AppError::NotFound)?;
        Ok(DocketView { entries: dockets::entries(c, &name)?, docket })
    })
    .await
}

/// A closed quarter's docket, for executives and admins (404 for everyone else, and for
/// quarters not closed yet).
pub async fn board(db: &Db, user: &User, quarter: &str) -> AppResult<DocketView> {
    if !user.actor().board {
        return Err(AppError::NotFound);
    }
    load(db, parse(quarter)?).await
}

/// The ideas on a closed quarter's docket, for a board member (the websocket board topic
/// asks here); 404 for everyone else and for quarters not closed.
pub fn docket_ideas(c: &mut DbConn, actor: Actor, quarter: Quarter) -> AppResult<Vec<i64>> {
    let name = quarter.to_string();
    if !actor.board || dockets::find(c, &name)?.is_none() {
        return Err(AppError::NotFound);
    }
    Ok(dockets::entries(c, &name)?.into_iter().map(|(entry, ..)| entry.idea_id).collect())
}

/// The quarter an idea belongs to (whose board shows it).
pub async fn quarter_of_idea(db: &Db, idea_id: i64) -> AppResult<String> {
    db.read(move |c| Ok(ideas::find(c, idea_id)?.ok_or(AppError::NotFound)?.0.quarter)).await
}

/// A rubric score as typed.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct ScoreInput {
    pub impact: i32,
    pub feasibility: i32,
    pub fit: i32,
    #[serde(default)]
    pub comment: String,
}

/// An executive scores an idea in review. Nobody scores their own idea or one written by
/// someone who reports to them. Answers the idea's quarter (whose board shows it).
pub async fn score(db: &Db, user: &User, idea_id: i64, input: ScoreInput) -> AppResult<String> {
    match user.role() {
        Role::Executive => {}
        Role::Admin => return Err(AppError::Forbidden("executives score ideas; admins run the board")),
        Role::Employee => return Err(AppError::NotFound),
    }
    let mut errors = crate::error::FieldErrors::new();
    for (field, value) in [("impact", input.impact), ("feasibility", input.feasibility), ("fit", input.fit)] {
        if !(1..=5).contains(&value) {
            errors.insert(field.into(), "score from 1 to 5".into());
        }
    }
    if input.comment.chars().count() > 5_000 {
        errors.insert("comment".into(), "use at most 5,000 characters".into());
    }
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let reviewer = user.id;
    db.write(move |c| {
        let (idea, _) = ideas::find(c, idea_id)?.ok_or(AppError::NotFound)?;
        if idea.state() != IdeaState::InReview {
            return Err(AppError::Conflict(format!(
                "only ideas in review are scored; this one is {}",
                idea.state().as_str()
            )));
        }
        if let Some(reason) = conflict_of_interest(c, reviewer, &idea)? {
            return Err(AppError::Conflict(reason.into()));
        }
        let review = reviews::Review {
            idea_id,
            reviewer_id: reviewer,
            impact: input.impact,
            feasibility: input.feasibility,
            fit: input.fit,
            comment: input.comment.trim().to_owned(),
            created_at: now(),
        };
        reviews::upsert(c, &review)?;
        // Admins-only entry: scores stay off feeds and idea pages; open boards of the
        // quarter learn of them live (the hub lets board members see their board topic).
        let scored = crate::ideas::activity(reviewer, "idea.scored", &idea, json!({}));
        activities::record(c, &NewActivity { visibility: Visibility::Admins, ..scored })?;
        Ok(idea.quarter)
    })
    .await
}

/// Why an executive may not score an idea: they wrote it, or its author reports to them.
pub fn conflict_of_interest(c: &mut DbConn, reviewer: i64, idea: &Idea) -> AppResult<Option<&'static str>> {
    if idea.author_id == Some(reviewer) {
        return Ok(Some("you cannot score your own idea"));
    }
    let author = match idea.author_id {
        Some(id) => crate::db::models::users::find(c, id)?,
        None => None,
    };
    Ok(author
        .filter(|a| a.manager_id == Some(reviewer))
        .map(|_| "you cannot score an idea by someone who reports to you"))
}

/// A decision as typed.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct DecisionInput {
    /// `funded`, `declined` or `needs_work`.
    pub decision: String,
    /// Why: required to decline, to ask for more work and to change a decision; everyone
    /// who can see the idea reads it.
    #[serde(default)]
    pub rationale: String,
    /// The budget granted (funded ideas).
    pub budget: Option<i64>,
    /// The sponsor's handle (funded ideas): they move the idea on from there.
    pub sponsor: Option<String>,
    /// Changing a decision: the id of the decision being replaced. Naming it means two
    /// executives who change the same decision at once cannot both win.
    pub revises: Option<i64>,
}

/// What a recorded decision answers.
#[derive(Debug, Clone)]
pub struct Decided {
    pub id: i64,
    pub state: IdeaState,
    /// The idea's quarter (whose board shows it).
    pub quarter: String,
}

fn decision_state(raw: &str) -> AppResult<IdeaState> {
    match raw {
        "funded" => Ok(IdeaState::Funded),
        "declined" => Ok(IdeaState::Declined),
        "needs_work" => Ok(IdeaState::NeedsWork),
        other => Err(AppError::field(
            "decision",
            format!("unknown decision '{other}': use funded, declined or needs_work"),
        )),
    }
}

/// An executive or admin records the board's decision on an idea in review, or changes
/// one (a new, visible event with a reason) while the idea has not moved on. Exactly one
/// of two simultaneous decisions wins; the other answers 409.
pub async fn decide(db: &Db, user: &User, idea_id: i64, input: DecisionInput) -> AppResult<Decided> {
    if !user.actor().board {
        return Err(AppError::NotFound);
    }
    let to = decision_state(input.decision.trim())?;
    let rationale = input.rationale.trim().to_owned();
    if rationale.is_empty() && (to != IdeaState::Funded || input.revises.is_some()) {
        let why = if input.revises.is_some() {
            "say why the decision changes"
        } else {
            "explain the decision: everyone can read it"
        };
        return Err(AppError::field("rationale", why));
    }
    if rationale.chars().count() > 5_000 {
        return Err(AppError::field("rationale", "use at most 5,000 characters"));
    }
    if input.budget.is_some_and(|b| b < 0) {
        return Err(AppError::field("budget", "a budget cannot be negative"));
    }
    if to != IdeaState::Funded
        && (input.budget.is_some() || input.sponsor.as_deref().is_some_and(|s| !s.trim().is_empty()))
    {
        return Err(AppError::field("budget", "only funded ideas get a budget and a sponsor"));
    }
    let decider = user.id;
    db.write(move |c| {
        let (idea, _) = ideas::find(c, idea_id)?.ok_or(AppError::NotFound)?;
        let sponsor = match input.sponsor.as_deref().map(|h| h.trim().trim_start_matches('@')).filter(|h| !h.is_empty()) {
            Some(handle) => Some(
                crate::db::models::users::by_handle(c, &handle.to_lowercase())?
                    .filter(|u| u.is_active)
                    .ok_or_else(|| AppError::field("sponsor", format!("nobody active has the handle @{handle}")))?
                    .id,
            ),
            None => None,
        };
        let from = match input.revises {
            None => IdeaState::InReview,
            Some(revised) => {
                let current = reviews::latest_decision(c, idea_id)?;
                if current.as_ref().map(|d| d.id) != Some(revised) {
                    return Err(AppError::Conflict("the decision has changed since you loaded it; reload and try again".into()));
                }
                let decided = current.map(|d| d.decision).unwrap_or_default();
                if idea.state().as_str() != decided {
                    return Err(AppError::Conflict(format!(
                        "the decision can no longer change: the idea has moved on to {}",
                        idea.state().label().to_lowercase()
                    )));
                }
                idea.state()
            }
        };
        let at = now();
        if !reviews::move_if(c, idea_id, from.as_str(), to.as_str(), at)? {
            let message = match idea.state() {
                IdeaState::Funded | IdeaState::Declined | IdeaState::NeedsWork if input.revises.is_none() => {
                    "the board has already decided this idea; to change the decision, name it (revises) and say why".to_owned()
                }
                state => format!("only ideas in review can be decided; this one is {}", state.label().to_lowercase()),
            };
            return Err(AppError::Conflict(message));
        }
        let decision = reviews::NewDecision { idea_id, decided_by: decider, decision: to.as_str(), rationale: &rationale, budget: input.budget, sponsor_id: sponsor };
        let id = reviews::add_decision(c, &decision, at)?;
        let kind = if input.revises.is_some() { "decision_changed" } else { "decision" };
        let event = NewEvent { idea_id, actor_id: Some(decider), kind, from: from.as_str(), to: to.as_str(), note: &rationale };
        ideas::append_event(c, &event, at)?;
        let data = json!({ "title": idea.title, "decision": to.as_str(), "rationale": rationale, "budget": input.budget, "changed": input.revises.is_some(), "from": from.as_str() });
        activities::record(c, &crate::ideas::activity(decider, "idea.decided", &idea, data))?;
        Ok(Decided { id, state: to, quarter: idea.quarter })
    })
    .await
}

/// What the board shows of one idea's scores to one executive.
pub struct ScoreView {
    /// The viewer's own score.
    pub mine: Option<reviews::Review>,
    /// Mean (impact, feasibility, fit) and how many scored: only once the viewer has
    /// scored, so nobody anchors on the others.
    pub aggregate: Option<(f64, f64, f64, usize)>,
}

/// The viewer's view of an idea's scores.
pub async fn scores(db: &Db, user: &User, idea_id: i64) -> AppResult<ScoreView> {
    let all = db.read(move |c| Ok(reviews::of_idea(c, idea_id)?)).await?;
    Ok(score_view(user, &all))
}

/// What one viewer may see of an idea's scores.
pub fn score_view(user: &User, all: &[reviews::Review]) -> ScoreView {
    let viewer = user.id;
    let mine = all.iter().find(|r| r.reviewer_id == viewer).cloned();
    // Admins run the meeting and never score, so they cannot be anchored.
    let shown = mine.is_some() || user.role() == Role::Admin;
    let aggregate =
        means(all).filter(|_| shown).map(|[impact, feasibility, fit]| (impact, feasibility, fit, all.len()));
    ScoreView { mine, aggregate }
}

/// Mean impact, feasibility and fit of some scores (none without scores).
fn means(all: &[reviews::Review]) -> Option<[f64; 3]> {
    if all.is_empty() {
        return None;
    }
    let mean =
        |f: fn(&reviews::Review) -> i32| all.iter().map(|r| f64::from(f(r))).sum::<f64>() / all.len() as f64;
    Some([mean(|r| r.impact), mean(|r| r.feasibility), mean(|r| r.fit)])
}

/// A closed quarter's results as CSV (executives and admins): one row per docket idea with
/// votes, mean scores and the decision.
pub async fn results_csv(db: &Db, user: &User, quarter: &str) -> AppResult<String> {
    let view = board(db, user, quarter).await?;
    let rows = db
        .read(move |c| {
            let mut rows = Vec::new();
            for (entry, idea, author) in view.entries {
                let scores = reviews::of_idea(c, idea.id)?;
                let decision = reviews::latest_decision(c, idea.id)?;
                let sponsor = match decision.as_ref().and_then(|d| d.sponsor_id) {
                    Some(id) => crate::db::models::users::find(c, id)?.map(|u| u.handle),
                    None => None,
                };
                rows.push((entry, idea, author, scores, decision, sponsor));
            }
            Ok(rows)
        })
        .await?;
    let header = [
        "rank",
        "idea",
        "title",
        "author",
        "state",
        "votes_at_close",
        "votes_now",
        "impact",
        "feasibility",
        "fit",
        "scores",
        "decision",
        "rationale",
        "budget",
        "sponsor",
    ];
    let records = rows.into_iter().map(|(entry, idea, author, scores, decision, sponsor)| {
        let [impact, feasibility, fit] =
            means(&scores).map_or_else(Default::default, |m| m.map(|x| format!("{x:.2}")));
        [
            entry.rank.to_string(),
            idea.id.to_string(),
            idea.title.clone(),
            author.map(|a| a.handle).unwrap_or_default(),
            idea.state.clone(),
            entry.votes_at_close.to_string(),
            idea.vote_count.to_string(),
            impact,
            feasibility,
            fit,
            scores.len().to_string(),
            decision.as_ref().map(|d| d.decision.clone()).unwrap_or_default(),
            decision.as_ref().map(|d| d.rationale.clone()).unwrap_or_default(),
            decision.as_ref().and_then(|d| d.budget).map(|b| b.to_string()).unwrap_or_default(),
            sponsor.unwrap_or_default(),
        ]
    });
    crate::export::csv(&header, records)
}
