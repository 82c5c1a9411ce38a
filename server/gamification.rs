//! Points and badges (SPEC §8). Points are counted from the content as it stands, so they
//! cannot be farmed: deleting content takes its points away, and acting on one's own
//! content (commenting in one's own thread, accepting one's own answer, endorsing oneself)
//! earns nothing. Badges are awarded from the activity log by a job that, like the
//! notifier, saves its position with what it writes; a badge is one row per person and
//! kind, so it is awarded exactly once however many nodes run the job.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::db::models::activities::{self, Activity};
use crate::db::models::points::{self, Contributions};
use crate::db::models::users::User;
use crate::db::models::{badges, communities, ideas, log_cursors, now, users};
use crate::db::{Db, DbConn};
use crate::domain::activity::{NewActivity, Visibility};
use crate::domain::quarter::Quarter;
use crate::error::AppResult;

/// What each contribution is worth (documented on the leaderboard page).
pub const POINTS: [(&str, i64); 7] = [
    ("a post", 2),
    ("a comment on someone else's post or idea", 1),
    ("an accepted answer to someone else's question", 10),
    ("an idea submitted", 5),
    ("an idea that reaches the review board", 10),
    ("an idea the board funds", 25),
    ("an endorsement of one of your skills", 3),
];

/// Totals per person from their contributions, weighted by [`POINTS`].
pub fn totals(c: &Contributions) -> HashMap<i64, i64> {
    let kinds = [
        &c.posts,
        &c.comments,
        &c.accepted_answers,
        &c.ideas_submitted,
        &c.ideas_reviewed,
        &c.ideas_funded,
        &c.endorsements,
    ];
    let mut out: HashMap<i64, i64> = HashMap::new();
    for (counts, (_, worth)) in kinds.into_iter().zip(POINTS) {
        for (who, n) in counts {
            *out.entry(*who).or_default() += n * worth;
        }
    }
    out
}

/// A badge kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Badge {
    FirstPost,
    FirstIdea,
    AcceptedAnswer,
    IdeaFunded,
    CommunityBuilder,
    TopVoter,
}

/// Members a community needs before its creator is a community builder.
pub const BUILDER_MEMBERS: i32 = 10;

impl Badge {
    const ALL: [Badge; 5] = [
        Badge::FirstPost,
        Badge::FirstIdea,
        Badge::AcceptedAnswer,
        Badge::IdeaFunded,
        Badge::CommunityBuilder,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::FirstPost => "first_post",
            Self::FirstIdea => "first_idea",
            Self::AcceptedAnswer => "accepted_answer",
            Self::IdeaFunded => "idea_funded",
            Self::CommunityBuilder => "community_builder",
            Self::TopVoter => "top_voter",
        }
    }

    /// The name people read.
    pub fn label(self) -> &'static str {
        match self {
            Self::FirstPost => "First post",
            Self::FirstIdea => "First idea",
            Self::AcceptedAnswer => "Accepted answer",
            Self::IdeaFunded => "Idea funded",
            Self::CommunityBuilder => "Community builder",
            Self::TopVoter => "Top voter",
        }
    }

    /// What earns it.
    pub fn description(self) -> &'static str {
        match self {
            Self::FirstPost => "wrote a first post",
            Self::FirstIdea => "submitted a first idea",
            Self::AcceptedAnswer => "answered someone's question and the answer was accepted",
            Self::IdeaFunded => "had an idea funded by the review board",
            Self::CommunityBuilder => "started a community that grew to ten members",
            Self::TopVoter => "voted for more of a quarter's ideas than anyone else",
        }
    }

    /// The badge of a stored name.
    pub fn parse(name: &str) -> Option<Badge> {
        Self::ALL.into_iter().find(|b| b.as_str() == name)
    }
}

/// Who an activity earns which badge.
fn earned(c: &mut DbConn, activity: &Activity) -> AppResult<Vec<(i64, Badge)>> {
    let data: Value = serde_json::from_str(&activity.data).unwrap_or(Value::Null);
    let idea_author = |c: &mut DbConn| -> AppResult<Option<i64>> {
        Ok(ideas::find(c, activity.object_id)?.and_then(|(idea, _)| idea.author_id))
    };
    Ok(match activity.verb.as_str() {
        "post.created" => activity.actor_id.map(|a| (a, Badge::FirstPost)).into_iter().collect(),
        "idea.transitioned" if data.get("to").and_then(Value::as_str) == Some("submitted") => {
            idea_author(c)?.map(|a| (a, Badge::FirstIdea)).into_iter().collect()
        }
        "idea.decided" if data.get("decision").and_then(Value::as_str) == Some("funded") => {
            idea_author(c)?.map(|a| (a, Badge::IdeaFunded)).into_iter().collect()
        }
        // Accepting one's own answer earns nothing.
        "answer.accepted" => data
            .get("answer_author")
            .and_then(Value::as_i64)
            .filter(|&author| Some(author) != activity.actor_id)
            .map(|a| (a, Badge::AcceptedAnswer))
            .into_iter()
            .collect(),
        // Everyone tied for the most votes on the quarter's ideas.
        "quarter.closed" => match data.get("quarter").and_then(Value::as_str) {
            Some(quarter) => {
                ideas::top_voters(c, quarter)?.into_iter().map(|(who, _)| (who, Badge::TopVoter)).collect()
            }
            None => Vec::new(),
        },
        "member.joined" | "member.approved" => match activity.community_id {
            Some(id) => communities::find(c, id)?
                .filter(|m| m.member_count >= BUILDER_MEMBERS)
                .and_then(|m| m.created_by)
                .map(|creator| (creator, Badge::CommunityBuilder))
                .into_iter()
                .collect(),
            None => Vec::new(),
        },
        _ => Vec::new(),
    })
}

/// Awards what an activity earns; each new badge is itself an activity (the notifier
/// tells its holder).
fn award(c: &mut DbConn, activity: &Activity) -> AppResult<()> {
    for (user_id, badge) in earned(c, activity)? {
        let Some(person) = users::find_active(c, user_id)? else { continue };
        if badges::award(c, user_id, badge.as_str(), activity.id, now())? {
            let entry = NewActivity {
                actor_id: None,
                verb: "badge.awarded",
                object_type: "user",
                object_id: user_id,
                community_id: None,
                visibility: Visibility::Public,
                data: json!({ "badge": badge.as_str(), "label": badge.label(), "handle": person.handle }),
            };
            activities::record(c, &entry)?;
        }
    }
    Ok(())
}

const CURSOR: &str = "badges";

/// Runs for the life of the process: from the start of the log the first time (existing
/// contributions earn their badges too), then from its saved position.
pub async fn run(db: Db) {
    match db.read(|c| Ok(log_cursors::get(c, CURSOR)?)).await {
        Ok(saved) => crate::jobs::consume_log(db, CURSOR, saved.unwrap_or(0), award).await,
        Err(e) => e.log(),
    }
}

/// "Ever", as bounds both backends can store (PostgreSQL's timestamps stop at 294276 AD).
fn all_time() -> (chrono::NaiveDateTime, chrono::NaiveDateTime) {
    (Quarter { year: 2000, number: 1 }.start(), Quarter { year: 2999, number: 4 }.end())
}

/// A person's points: all time and this quarter, with their badges.
#[derive(Debug, Clone, Default)]
pub struct Standing {
    pub total: i64,
    pub this_quarter: i64,
    pub badges: Vec<Badge>,
}

fn quarter_window(quarter: &Quarter) -> (chrono::NaiveDateTime, chrono::NaiveDateTime) {
    (quarter.start(), quarter.end())
}

/// One person's standing.
pub async fn standing(db: &Db, user_id: i64) -> AppResult<Standing> {
    db.read(move |c| {
        let ever = {
            let (from, to) = all_time();
            points::contributions(c, from, to, Some(user_id))?
        };
        let quarter = Quarter::of(now());
        let (from, to) = quarter_window(&quarter);
        let recent = points::contributions(c, from, to, Some(user_id))?;
        let badges =
            badges::of_user(c, user_id)?.into_iter().filter_map(|(kind, _)| Badge::parse(&kind)).collect();
        Ok(Standing {
            total: totals(&ever).get(&user_id).copied().unwrap_or(0),
            this_quarter: totals(&recent).get(&user_id).copied().unwrap_or(0),
            badges,
        })
    })
    .await
}

/// The quarter's top contributors by points: `(person, points)`, best first.
pub async fn leaders(db: &Db, quarter: &Quarter, limit: usize) -> AppResult<Vec<(User, i64)>> {
    let (from, to) = quarter_window(quarter);
    db.read(move |c| {
        let mut ranked: Vec<(i64, i64)> =
            totals(&points::contributions(c, from, to, None)?).into_iter().collect();
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        let ids: Vec<i64> = ranked.iter().map(|(id, _)| *id).collect();
        let people: HashMap<i64, User> =
            users::find_active_many(c, &ids)?.into_iter().map(|u| (u.id, u)).collect();
        Ok(ranked.into_iter().filter_map(|(id, n)| Some((people.get(&id)?.clone(), n))).take(limit).collect())
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_weigh_each_contribution_and_badges_round_trip() {
        let mut c = Contributions::default();
        c.posts.insert(1, 3);
        c.accepted_answers.insert(1, 1);
        c.endorsements.insert(2, 2);
        let t = totals(&c);
        assert_eq!((t[&1], t[&2]), (3 * 2 + 10, 2 * 3));
        for badge in Badge::ALL {
            assert_eq!(Badge::parse(badge.as_str()), Some(badge));
        }
        let q = Quarter::of(
            chrono::NaiveDate::from_ymd_opt(2026, 11, 22)
                .and_then(|d| d.and_hms_opt(9, 0, 0))
                .unwrap_or_default(),
        );
        assert_eq!(q.to_string(), "2026-Q4");
        assert_eq!(q.start().to_string(), "2026-10-01 00:00:00");
    }
}
