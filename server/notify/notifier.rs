//! The notifier: follows the activity log after commit and stores the notifications each
//! activity creates. Its position is kept in `log_cursors` in the same transaction as the
//! rows it writes, so a restart resumes where it stopped; a notification exists once per
//! person and activity, so several nodes running it at once create nothing twice.

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
    let last = match start(&db).await {
        Ok(last) => last,
        Err(e) => return e.log(),
    };
    crate::jobs::follow_log(&db, last, BATCH, |batch| {
        let db = db.clone();
        async move {
            db.write(move |c| {
                for activity in &batch {
                    let rows = super::plan(c, activity)?;
                    notifications::insert_all(c, &rows)?;
                }
                if let Some(newest) = batch.last() {
                    notifications::advance(c, CURSOR, newest.id)?;
                }
                Ok(())
            })
            .await
        }
    })
    .await;
}
