//! The notifier: follows the activity log after commit and stores the notifications each
//! activity creates. Its position is kept in `log_cursors` in the same transaction as the
//! rows it writes, so a restart resumes where it stopped; a notification exists once per
//! person and activity, so several nodes running it at once create nothing twice.

use crate::db::models::activities::Activity;
use crate::db::models::{activities, log_cursors, notifications};
use crate::db::{Db, DbConn};
use crate::error::AppResult;
use crate::mail::Composer;

const CURSOR: &str = "notifier";

/// Where to start: the saved position, or (first start) the log's end, so switching the
/// notifier on does not announce history.
async fn start(db: &Db) -> AppResult<i64> {
    db.write(|c| match log_cursors::get(c, CURSOR)? {
        Some(last) => Ok(last),
        None => {
            let last = activities::latest_id(c)?;
            log_cursors::advance(c, CURSOR, last)?;
            Ok(last)
        }
    })
    .await
}

/// Stores an activity's notifications, queues the instant mails among them, and (when
/// someone lost access to a community) withdraws what they may no longer see.
fn notify(c: &mut DbConn, composer: &Composer, activity: &Activity) -> AppResult<()> {
    revoke(c, activity)?;
    for row in super::plan(c, activity)? {
        if let Some(id) = notifications::insert(c, &row)? {
            crate::mail::instant(c, composer, activity, id, &row)?;
        }
    }
    Ok(())
}

/// Someone who leaves a community, or is removed or banned from it, loses its
/// notifications, read or not (their titles quote what they may no longer read), and with
/// them the mails not yet sent about it (the sender checks access again before each mail,
/// too). In an open community they could still read, nothing is lost by this either way.
fn revoke(c: &mut DbConn, activity: &Activity) -> AppResult<()> {
    if matches!(activity.verb.as_str(), "member.left" | "member.banned" | "member.removed")
        && let Some(community) = activity.community_id
    {
        notifications::delete_in_community(c, activity.object_id, community)?;
    }
    // A community made private takes its notifications from everyone outside it.
    if activity.verb == "community.visibility_changed"
        && serde_json::from_str::<serde_json::Value>(&activity.data).is_ok_and(|d| d["to"] == "private")
    {
        notifications::delete_for_outsiders(c, activity.object_id)?;
    }
    Ok(())
}

/// Runs for the life of the process.
pub async fn run(db: Db, composer: Composer) {
    match start(&db).await {
        Ok(last) => {
            crate::jobs::consume_log(db, CURSOR, last, move |c, a| notify(c, &composer, a)).await;
        }
        Err(e) => e.log(),
    }
}
