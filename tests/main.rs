//! The integration suite: one binary, every test on its own database. The backend comes
//! from `AGORA_TEST_BACKEND` (`sqlite`, the default, or `postgres` with
//! `AGORA_TEST_POSTGRES_URL`); `scripts/test` runs the whole suite on both.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a failing test should stop loudly")]

mod helpers;

mod accounts;
mod admin;
mod api;
mod board;
mod canary;
mod cli;
mod content;
mod csrf;
mod feeds;
mod files;
mod ideas;
mod live;
mod mail;
mod matrix;
mod moderation;
mod naughty;
mod notifications;
mod people;
mod query_plans;
mod registry;
mod review;
mod search;
mod sessions;
mod system;
mod throttling;
