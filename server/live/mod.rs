//! Live updates (SPEC §4): the follower reads the activity log after commit, the hub fans
//! each entry out to the websocket connections whose topics it matches and whose viewer may
//! see it.

pub mod follower;
pub mod fragments;
pub mod hub;
pub mod protocol;
pub mod socket;

pub use hub::{Hub, HubTask};
