//! Background work that runs beside the HTTP server.

use std::time::Duration;

use crate::db::models::activities::{self, Activity};
use crate::db::models::{log_cursors, now, sessions};
use crate::db::{Db, DbConn};
use crate::domain::idea::quarter_of;
use crate::domain::quarter::Quarter;
use crate::error::AppResult;

/// Follows the activity log after `last` for the life of the process: hands each batch of
/// up to `batch` activities to `apply` and moves past it once `apply` has saved its work.
/// Wakes on every commit that appended to the log (and every half second, for other
/// nodes' commits when NOTIFY is unavailable). A failed batch is retried on the next wake.
pub async fn follow_log<F, Fut>(db: &Db, mut last: i64, batch: i64, mut apply: F)
where
    F: FnMut(Vec<Activity>) -> Fut,
    Fut: std::future::Future<Output = AppResult<()>>,
{
    let mut changes = db.changes();
    loop {
        loop {
            let after = last;
            // Read first: an empty write would still commit and wake every follower.
            let found = match db.read(move |c| Ok(activities::after(c, after, batch)?)).await {
                Ok(found) if found.is_empty() => break,
                Ok(found) => found,
                Err(e) => {
                    e.log();
                    break;
                }
            };
            let newest = found.last().map_or(after, |a| a.id);
            match apply(found).await {
                Ok(()) => last = newest,
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

/// Follows the log like [`follow_log`] for a consumer whose position is saved under `name`
/// in `log_cursors`: each batch is applied with `each` per activity and the position moved
/// in one transaction, so a restart (or another node) never applies a batch half.
pub async fn consume_log<F>(db: Db, name: &'static str, start: i64, each: F)
where
    F: Fn(&mut DbConn, &Activity) -> AppResult<()> + Clone + Send + 'static,
{
    follow_log(&db, start, 200, |batch| {
        let db = db.clone();
        let each = each.clone();
        async move {
            db.write(move |c| {
                for activity in &batch {
                    each(c, activity)?;
                }
                if let Some(newest) = batch.last() {
                    log_cursors::advance(c, name, newest.id)?;
                }
                Ok(())
            })
            .await
        }
    })
    .await;
}

/// Deletes expired sessions every hour (expired ones are already refused on load; this
/// only keeps the table small).
pub fn spawn_session_sweeper(db: Db) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            match db.write(|c| Ok(sessions::delete_expired(c, now())?)).await {
                Ok(n) if n > 0 => tracing::info!(removed = n, "expired sessions removed"),
                Ok(_) => {}
                Err(e) => e.log(),
            }
        }
    });
}

/// Closes each quarter on schedule (setting `close_quarters_on_schedule`): on start it
/// closes the quarter that ended last if nobody has, then wakes when the current quarter
/// ends. Closing is idempotent, so several nodes doing this at once take one docket.
pub fn spawn_quarter_closer(db: Db, site: crate::site::Site) {
    tokio::spawn(async move {
        loop {
            let settings = site.current();
            let Ok(current) = Quarter::parse(&quarter_of(now())) else {
                return;
            };
            let due = current.previous().to_string();
            match crate::quarters::close(&db, &settings, None, &due, false).await {
                Ok((view, true)) => {
                    tracing::info!(quarter = %due, ideas = view.entries.len(), "quarter closed on schedule");
                }
                Ok((_, false)) => {}
                Err(e) => e.log(),
            }
            // Wake a second after the quarter ends (and at least hourly, should the clock jump).
            let left = (current.end() - now()).to_std().unwrap_or_default() + Duration::from_secs(1);
            tokio::time::sleep(left.min(Duration::from_secs(3600))).await;
        }
    });
}
