//! Follows the activity log after commit and hands new entries, in order, to the hub. Wakes
//! on this process's commits and (with PostgreSQL) on other nodes' NOTIFY; polls twice a
//! second as a fallback, so a lost wake-up delays an event but never loses it.

use std::time::Duration;

use super::fragments;
use super::hub::Hub;
use crate::db::Db;
use crate::db::models::activities;

/// Entries read per round trip.
const BATCH: i64 = 200;

/// Runs for the life of the process, starting after activity `last`.
pub async fn run(db: Db, hub: Hub, mut last: i64) {
    let changes = db.changes();
    loop {
        tokio::select! {
            () = changes.notified() => {}
            () = tokio::time::sleep(Duration::from_millis(500)) => {}
        }
        loop {
            let after = last;
            let batch = db
                .read(move |c| {
                    let rows = activities::after(c, after, BATCH)?;
                    Ok(rows.into_iter().map(|a| fragments::publishable(c, a)).collect::<Vec<_>>())
                })
                .await;
            match batch {
                Ok(batch) if batch.is_empty() => break,
                Ok(batch) => {
                    last = batch.last().map_or(last, |p| p.activity.id);
                    hub.publish(batch);
                }
                Err(e) => {
                    e.log();
                    break;
                }
            }
        }
    }
}
