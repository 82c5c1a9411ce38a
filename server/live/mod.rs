//! Live updates (SPEC §4): the follower reads the activity log after commit, the hub fans
//! each entry out to the websocket connections whose topics it matches and whose viewer may
//! see it.

pub mod follower;
pub mod fragments;
pub mod hub;
pub mod protocol;
pub mod socket;
pub mod sockets;
pub mod upgrade;

pub use hub::{Hub, HubTask};

/// The newest activity id, for a page's `data-live-since`. Read it *before* the page's
/// content: anything committed after it is replayed to the page's socket, so nothing falls
/// between the page and its live updates.
pub async fn since(db: &crate::db::Db) -> crate::error::AppResult<i64> {
    db.read(|c| Ok(crate::db::models::activities::latest_id(c)?)).await
}
