//! The notifier: follows the activity log after commit and stores the notifications each
//! activity creates. Its position is kept in `log_cursors` in the same transaction as the
//! rows it writes, so a restart resumes where it stopped; a notification exists once per
//! person and activity, so several nodes running it at once create nothing twice.

use std::time::Duration;

use crate::db::Db;
use crate::db::models::{activities, notifications};
use crate::error::AppResult;

const CURSOR: &str = "notifier";
const BATCH: i64 = 200;

/// Where to start: the saved position, or (first start) the log's end, so switching the
/// notifier on does not announce history.
async fn start(db: &Db) -> AppResult<i64> {
    db.write(|c| match notifications::cursor(c, CURSOR)? {
        Some(last) => Ok(last),
        None => {
            let last = activities::latest_id(c)?;
            notifications::advance(c, CURSOR, last)?;
            Ok(last)
        }
    })
    .await
}

/// Runs for the life of the process.
pub async fn run(db: Db) {
    let mut changes = db.changes();
    let mut last = match start(&db).await {
        Ok(last) => last,
        Err(e) => return e.log(),
    };
    loop {
        loop {
            let after = last;
            // Read first: an empty write would still commit and wake every follower.
            let batch = match db.read(move |c| Ok(activities::after(c, after, BATCH)?)).await {
                Ok(batch) if batch.is_empty() => break,
                Ok(batch) => batch,
                Err(e) => {
                    e.log();
                    break;
                }
            };
            let step = db
                .write(move |c| {
                    for activity in &batch {
                        let rows = super::plan(c, activity)?;
                        notifications::insert_all(c, &rows)?;
                    }
                    let newest = batch.last().map_or(after, |a| a.id);
                    notifications::advance(c, CURSOR, newest)?;
                    Ok(newest)
                })
                .await;
            match step {
                Ok(newest) => last = newest,
                Err(e) => {
                    e.log();
                    break;
                }
            }
        }
        tokio::select! {
            _ = changes.changed() => {}
            () = tokio::time::sleep(Duration::from_millis(500)) => {}
        }
    }
}
