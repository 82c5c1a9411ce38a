//! Closing a quarter: the immutable docket of the ideas that go to the review board.

use serde_json::json;

use crate::config::Settings;
use crate::db::Db;
use crate::db::models::dockets::{self, Docket, DocketEntry};
use crate::db::models::ideas::{self, Idea, NewEvent};
use crate::db::models::posts::Author;
use crate::db::models::users::User;
use crate::db::models::{activities, now};
use crate::domain::account::Role;
use crate::domain::activity::{NewActivity, Visibility};
use crate::domain::idea::IdeaState;
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
                let visibility = if idea.community_id.is_some() { Visibility::Community } else { Visibility::Public };
                let data = json!({ "title": idea.title, "from": "submitted", "to": "in_review", "note": note, "quarter": name });
                activities::record(c, &NewActivity { actor_id: closer, verb: "idea.transitioned", object_type: "idea", object_id: idea.id, community_id: idea.community_id, visibility, data })?;
            }
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
    if !matches!(user.role(), Role::Executive | Role::Admin) {
        return Err(AppError::NotFound);
    }
    load(db, parse(quarter)?).await
}
