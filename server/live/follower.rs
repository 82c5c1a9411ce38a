//! Follows the activity log after commit and hands new entries, in order, to the hub. Wakes
//! on this process's commits and (with PostgreSQL) on other nodes' NOTIFY; polls twice a
//! second as a fallback, so a lost wake-up delays an event but never loses it.

use std::time::Duration;

use super::fragments;
use super::hub::Hub;
use crate::db::Db;
use crate::db::models::{activities, notifications};

/// Entries read per round trip.
const BATCH: i64 = 200;

/// Runs for the life of the process, starting after activity `last`.
pub async fn run(db: Db, hub: Hub, mut last: i64) {
    let mut changes = db.changes();
    loop {
        tokio::select! {
            _ = changes.changed() => {}
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

/// Follows the notifications table and tells the hub whose bell changed, from this node's
/// notifier or another's (woken by the same changes, with the same polling fallback).
pub async fn run_bells(db: Db, hub: Hub, mut last: i64) {
    let mut changes = db.changes();
    loop {
        tokio::select! {
            _ = changes.changed() => {}
            () = tokio::time::sleep(Duration::from_millis(500)) => {}
        }
        let after = last;
        match db.read(move |c| Ok(notifications::after(c, after, 1000)?)).await {
            Ok(rows) if rows.is_empty() => {}
            Ok(rows) => {
                last = rows.last().map_or(last, |(id, _)| *id);
                hub.ring(rows.into_iter().map(|(_, user)| user).collect());
            }
            Err(e) => e.log(),
        }
    }
}
