//! Background work that runs beside the HTTP server.

use std::time::Duration;

use crate::db::Db;
use crate::db::models::{now, sessions};

/// Deletes expired sessions every hour (expired ones are already refused on load; this
/// only keeps the table small).
pub fn spawn_session_sweeper(db: Db) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(Duration::from_secs(3600));
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
