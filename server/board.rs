//! The review board page: one brief per docket idea, as one board member may see it, and
//! the archive of closed quarters.

use crate::db::models::dockets::{self, Docket, DocketEntry};
use crate::db::models::ideas::{self, Idea, IdeaComment};
use crate::db::models::posts::{Author, reaction_summary};
use crate::db::models::reviews::{self, DecisionView};
use crate::db::models::users::{self, User};
use crate::db::models::{communities, now};
use crate::db::{Db, DbConn};
use crate::domain::account::Role;
use crate::domain::idea::{IdeaState, quarter_of};
use crate::domain::quarter::Quarter;
use crate::error::{AppError, AppResult};
use crate::quarters::{ScoreView, conflict_of_interest, score_view};

/// How many comments a brief highlights.
const HIGHLIGHTS: usize = 3;

/// Who submitted an idea, as the board sees them.
#[derive(Debug, Clone)]
pub struct Submitter {
    pub handle: String,
    pub name: String,
    pub title: String,
    pub department: String,
}

/// A score's comment, shown to executives who have scored (and to admins).
#[derive(Debug, Clone)]
pub struct ScoreNote {
    pub reviewer: String,
    pub comment: String,
}

/// One docket idea as a brief.
pub struct Brief {
    pub entry: DocketEntry,
    pub idea: Idea,
    pub submitter: Option<Submitter>,
    /// The community the idea was posted in (slug, name).
    pub community: Option<(String, String)>,
    /// Supporters per department, largest first.
    pub departments: Vec<(String, i64)>,
    /// The most-reacted comments, with their reaction counts.
    pub highlights: Vec<(IdeaComment, Option<Author>, i64)>,
    pub similar: Vec<Idea>,
    pub scores: ScoreView,
    /// How many executives scored.
    pub scored_by: usize,
    /// Score comments the viewer may read (once they have scored).
    pub notes: Vec<ScoreNote>,
    /// Why the viewer may not score this idea, if they may not.
    pub conflict: Option<&'static str>,
    pub decision: Option<DecisionView>,
}

impl Brief {
    /// Still waiting for the board's decision.
    pub fn open(&self) -> bool {
        self.idea.state() == IdeaState::InReview
    }

    /// The decision may still change: the idea sits where the decision put it.
    pub fn revisable(&self) -> bool {
        self.decision.as_ref().is_some_and(|d| d.decision.decision == self.idea.state)
    }
}

/// A closed quarter's board.
pub struct Board {
    pub docket: Docket,
    pub quarter: Quarter,
    pub closed_by: Option<Author>,
    pub briefs: Vec<Brief>,
    /// Active executives (how many could score).
    pub executives: i64,
    /// Whether the viewer scores (executives; admins run the board).
    pub scorer: bool,
}

impl Board {
    /// How many briefs have a decision.
    pub fn decided(&self) -> usize {
        self.briefs.iter().filter(|b| b.decision.is_some()).count()
    }
}

/// Loads a closed quarter's board for an executive or admin; 404 for everyone else and
/// for quarters not closed.
pub async fn load(db: &Db, search: &crate::search::Search, user: &User, quarter: &str) -> AppResult<Board> {
    if !user.actor().board {
        return Err(AppError::NotFound);
    }
    let quarter = Quarter::parse(quarter).map_err(|_| AppError::NotFound)?;
    let viewer = user.clone();
    let mut board = db
        .read(move |c| {
            let name = quarter.to_string();
            let docket = dockets::find(c, &name)?.ok_or(AppError::NotFound)?;
            let closed_by = match docket.closed_by {
                Some(id) => users::find(c, id)?.map(|u| Author { handle: u.handle, name: u.name }),
                None => None,
            };
            let mut briefs = Vec::new();
            for (entry, idea, _) in dockets::entries(c, &name)? {
                briefs.push(brief(c, &viewer, entry, idea)?);
            }
            Ok(Board {
                docket,
                quarter,
                closed_by,
                briefs,
                executives: users::count_with_role(c, Role::Executive.as_str())?,
                scorer: viewer.role() == Role::Executive,
            })
        })
        .await?;
    // Similar ideas come from the search index, as the viewer may see them.
    for brief in &mut board.briefs {
        let text = (brief.idea.title.as_str(), brief.idea.problem.as_str());
        brief.similar = crate::ideas::similar(db, search, user, text, Some(brief.idea.id)).await?;
        brief.similar.truncate(3);
    }
    Ok(board)
}

fn brief(c: &mut DbConn, viewer: &User, entry: DocketEntry, idea: Idea) -> AppResult<Brief> {
    let submitter = match idea.author_id {
        Some(id) => users::find(c, id)?.map(|u| Submitter {
            handle: u.handle,
            name: u.name,
            title: u.title,
            department: u.department,
        }),
        None => None,
    };
    let community = match idea.community_id {
        Some(id) => communities::find(c, id)?.map(|k| (k.slug, k.name)),
        None => None,
    };
    let all = reviews::of_idea(c, idea.id)?;
    let scores = score_view(viewer, &all);
    let mut notes = Vec::new();
    if scores.aggregate.is_some() {
        for review in all.iter().filter(|r| !r.comment.is_empty()) {
            let reviewer = users::find(c, review.reviewer_id)?.map(|u| u.name).unwrap_or_default();
            notes.push(ScoreNote { reviewer, comment: review.comment.clone() });
        }
    }
    let conflict = match viewer.role() {
        Role::Executive => conflict_of_interest(c, viewer.id, &idea)?,
        _ => None,
    };
    Ok(Brief {
        departments: ideas::supporters_by_department(c, idea.id)?,
        highlights: highlights(c, idea.id, viewer.id)?,
        similar: Vec::new(),
        scored_by: all.len(),
        decision: reviews::latest_view(c, idea.id)?,
        scores,
        notes,
        conflict,
        submitter,
        community,
        entry,
        idea,
    })
}

/// The discussion's highlights: the comments with the most reactions, ties to the earliest.
fn highlights(
    c: &mut DbConn,
    idea_id: i64,
    viewer: i64,
) -> AppResult<Vec<(IdeaComment, Option<Author>, i64)>> {
    let rows = ideas::comments(c, idea_id)?;
    let ids: Vec<i64> = rows.iter().map(|(comment, _)| comment.id).collect();
    let summary = reaction_summary(c, "idea_comment", &ids, viewer)?;
    let mut scored: Vec<_> = rows
        .into_iter()
        .map(|(comment, author)| {
            let reactions: i64 =
                summary.counts.iter().filter(|((id, _), _)| *id == comment.id).map(|(_, n)| *n).sum();
            (comment, author, reactions)
        })
        .collect();
    scored.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.id.cmp(&b.0.id)));
    scored.truncate(HIGHLIGHTS);
    Ok(scored)
}

/// A closed quarter in the archive.
pub struct Closed {
    pub docket: Docket,
    /// (ideas on the docket, decided, funded).
    pub counts: (usize, usize, usize),
}

/// The review board's front page: the quarter now open and every closed quarter.
pub struct Overview {
    /// The current quarter, and how many ideas are open for votes in it.
    pub current: (String, i64),
    /// The most recent quarter that has ended, if it has not been closed yet.
    pub due: Option<String>,
    pub closed: Vec<Closed>,
}

/// Loads the review board's front page (executives and admins).
pub async fn overview(db: &Db, user: &User) -> AppResult<Overview> {
    if !user.actor().board {
        return Err(AppError::NotFound);
    }
    db.read(|c| {
        let current = quarter_of(now());
        let open = ideas::count_in_quarter(c, &current, IdeaState::Submitted.as_str())?;
        let mut closed = Vec::new();
        for docket in dockets::all(c)? {
            let states = dockets::entry_states(c, &docket.quarter)?;
            let decided = states.iter().filter(|s| **s != IdeaState::InReview).count();
            let funded = states
                .iter()
                .filter(|s| {
                    matches!(
                        s,
                        IdeaState::Funded
                            | IdeaState::InDevelopment
                            | IdeaState::Launched
                            | IdeaState::Stopped
                    )
                })
                .count();
            closed.push(Closed { counts: (states.len(), decided, funded), docket });
        }
        let previous = Quarter::parse(&current).map(|q| q.previous().to_string()).ok();
        let due = previous.filter(|q| !closed.iter().any(|k| &k.docket.quarter == q));
        Ok(Overview { current: (current, open), due, closed })
    })
    .await
}
