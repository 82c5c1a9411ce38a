//! Background work that runs beside the HTTP server.

use std::sync::Arc;
use std::time::Duration;

use crate::config::Settings;
use crate::db::Db;
use crate::db::models::{now, sessions};
use crate::domain::idea::quarter_of;
use crate::domain::quarter::Quarter;

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
pub fn spawn_quarter_closer(db: Db, settings: Arc<Settings>) {
    tokio::spawn(async move {
        loop {
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
