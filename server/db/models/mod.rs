//! Query functions, one module per table family. Each takes `&mut DbConn` and returns
//! `QueryResult`; transactions are the caller's (see [`crate::db::Db::write`]).

pub mod activities;
pub mod analytics;
pub mod audit;
pub mod badges;
pub mod challenges;
pub mod communities;
pub mod dockets;
pub mod feed;
pub mod follows;
pub mod ideas;
pub mod invitations;
pub mod log_cursors;
pub mod login_attempts;
pub mod mail_preferences;
pub mod moderation;
pub mod notifications;
pub mod outbox;
pub mod password_resets;
pub mod points;
pub mod posts;
pub mod reports;
pub mod reviews;
pub mod search;
pub mod sessions;
pub mod site_settings;
pub mod skills;
pub mod tokens;
pub mod uploads;
pub mod users;

/// The current time as stored: UTC without an offset, to the microsecond (PostgreSQL's
/// precision; SQLite would keep nanoseconds), so both backends hold identical values and
/// keyset cursors compare exactly.
pub fn now() -> chrono::NaiveDateTime {
    use chrono::SubsecRound;
    chrono::Utc::now().naive_utc().trunc_subsecs(6)
}

diesel::define_sql_function!(
    /// SQL `lower()`, the same on both backends (case-insensitive search with `LIKE`).
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text
);

/// Escapes `LIKE` wildcards in user input (pair with `.escape('\\')`).
pub fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}
