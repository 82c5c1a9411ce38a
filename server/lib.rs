//! Agora: an enterprise social network and idea-pipeline server.
//!
//! See `SPEC.md` for the product contract and `DESIGN.md` for the architecture: thin
//! handlers in [`routes`] over the account and domain layers, [`db`] as the only place that
//! speaks diesel, and the activity log as the spine that feeds everything downstream.

pub mod accounts;
pub mod activitystreams;
pub mod analytics;
pub mod assets;
pub mod auth;
pub mod backup;
pub mod board;
pub mod cli;
pub mod communities;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod export;
pub mod feeds;
pub mod files;
pub mod gamification;
pub mod ideas;
pub mod import;
pub mod jobs;
pub mod live;
pub mod mail;
pub mod moderation;
pub mod notify;
pub mod observability;
pub mod pages;
pub mod password_reset;
pub mod people;
pub mod posts;
pub mod quarters;
pub mod routes;
pub mod search;
pub mod seed;
pub mod site;
pub mod startup;
pub mod state;
pub mod synthetic;
