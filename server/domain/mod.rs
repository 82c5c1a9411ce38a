//! Rules without actix or diesel: input newtypes that can only hold valid data, roles, and
//! the shape of activity-log entries.

pub mod account;
pub mod activity;
