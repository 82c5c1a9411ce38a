//! Rules without actix or diesel: input newtypes that can only hold valid data, roles,
//! the authorization policy, content rules, Markdown rendering, and the shape of
//! activity-log entries.

pub mod account;
pub mod activity;
pub mod community;
pub mod content;
pub mod idea;
pub mod markdown;
pub mod moderation;
pub mod policy;
pub mod quarter;
