//! The notifier: follows the activity log after commit and stores the notifications each
//! activity creates. Its position is kept in `log_cursors` in the same transaction as the
//! rows it writes, so a restart resumes where it stopped; a notification exists once per
//! person and activity, so several nodes running it at once create nothing twice.

use crate::db::models::activities::Activity;
use crate::db::models::{activities, log_cursors, notifications};
use crate::db::{Db, DbConn};
use crate::error::AppResult;

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

fn notify(c: &mut DbConn, activity: &Activity) -> AppResult<()> {
    let rows = super::plan(c, activity)?;
    notifications::insert_all(c, &rows)?;
    Ok(())
}

/// Runs for the life of the process.
pub async fn run(db: Db) {
    match start(&db).await {
        Ok(last) => crate::jobs::consume_log(db, CURSOR, last, notify).await,
        Err(e) => e.log(),
    }
}
