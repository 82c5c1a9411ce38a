//! Typed settings, loaded once and passed in: defaults, then `agora.toml`, then `AGORA_*`
//! environment variables, then command-line flags (each overriding the one before).

use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

use crate::db::DatabaseUrl;
use crate::mail::transport::{SmtpSecurity, TransportKind};

/// Every setting of the server and the CLI.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Address `agora serve` listens on.
    pub bind: String,
    /// The name pages and mails call the site.
    pub site_name: String,
    /// Folder for the SQLite file, search index, outbox and secret key.
    pub data_dir: PathBuf,
    /// `postgres://…`, `sqlite://PATH` or a path; default `<data_dir>/agora.db`.
    pub database_url: Option<String>,
    /// The URL people reach the server at; `https://…` makes cookies `Secure`.
    pub public_url: Option<String>,
    /// Base64 of at least 64 random bytes signing cookies; default: generated once into
    /// `<data_dir>/secret.key`. Set it explicitly when several nodes share a database.
    pub secret_key: Option<String>,
    /// Email domains whose owners may register without an invitation (a list, or one
    /// comma-separated string as environment variables give it).
    #[serde(deserialize_with = "list_or_commas")]
    pub allowed_email_domains: Vec<String>,
    /// Only admins may create communities (default: every employee may).
    pub communities_by_admins_only: bool,
    /// Largest number of pooled database connections.
    pub database_pool_size: u32,
    /// HTTP worker threads (default: one per core).
    pub workers: Option<usize>,
    /// Minutes a session lives without a request (then its owner signs in again).
    pub session_idle_minutes: i64,
    /// Days a session lives at most, however active (then its owner signs in again).
    pub session_max_days: i64,
    /// Failed logins allowed per account within the window.
    pub login_failures_per_account: u32,
    /// Failed logins allowed per client address within the window.
    pub login_failures_per_address: u32,
    /// The throttling window, in seconds.
    pub login_window_secs: i64,
    /// Largest JSON or form body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Events a websocket client may fall behind by before it is dropped.
    pub ws_queue: usize,
    /// Websockets one person may hold open at once on a node (a browser tab holds one).
    pub ws_per_person: usize,
    /// Ideas that enter review when a quarter closes.
    pub docket_size: u32,
    /// Close each quarter automatically when it ends (otherwise an admin closes it).
    pub close_quarters_on_schedule: bool,
    /// How mail leaves: `file` (`.eml` files in `<data_dir>/outbox`), `smtp` or `stub`.
    pub mail_transport: TransportKind,
    /// The sender of every mail, e.g. `Agora <agora@example.com>`.
    pub mail_from: String,
    /// The SMTP relay (with `mail_transport = "smtp"`).
    pub smtp_host: Option<String>,
    /// Its port (default: 587 for STARTTLS, 465 for TLS, 25 without).
    pub smtp_port: Option<u16>,
    /// `starttls` (default), `tls`, or `none` (a relay on this host only).
    pub smtp_security: SmtpSecurity,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<String>,
    /// Seconds to wait for the relay before the attempt counts as failed.
    pub smtp_timeout_secs: u64,
    /// Seconds before the first retry of a failed mail; each later wait doubles (to an hour).
    pub mail_retry_secs: u64,
    /// Attempts before a mail is given up.
    pub mail_max_attempts: i32,
    /// The hour (UTC, 0–23) from which each day's digest goes out.
    pub digest_hour: u32,
    /// Reports from this many different members hide an item until a moderator reviews it
    /// (0: never automatically).
    pub auto_hide_reports: i64,
    /// Where uploaded files are kept (default `<data_dir>/files`); several nodes on one
    /// host may share one directory.
    pub files_dir: Option<PathBuf>,
    /// Largest uploaded file, in MiB.
    pub upload_max_mib: u32,
    /// Most files on one post, comment or idea.
    pub upload_files_per_item: u32,
    /// Most MiB one person may upload in a day.
    pub upload_daily_mib: u32,
    /// Per-person limits on posting, commenting, voting, reporting, searching, uploading,
    /// websocket connects and registrations (a `[rate_limits]` table).
    pub rate_limits: crate::auth::rate_limit::RateLimits,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            site_name: "Agora".into(),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            public_url: None,
            secret_key: None,
            allowed_email_domains: Vec::new(),
            communities_by_admins_only: false,
            database_pool_size: 8,
            workers: None,
            session_idle_minutes: 7 * 24 * 60,
            session_max_days: 90,
            login_failures_per_account: 5,
            login_failures_per_address: 50,
            login_window_secs: 15 * 60,
            max_body_bytes: 256 * 1024,
            ws_queue: 256,
            ws_per_person: 32,
            docket_size: 10,
            close_quarters_on_schedule: false,
            mail_transport: TransportKind::File,
            mail_from: "Agora <agora@localhost>".into(),
            smtp_host: None,
            smtp_port: None,
            smtp_security: SmtpSecurity::Starttls,
            smtp_username: None,
            smtp_password: None,
            smtp_timeout_secs: 20,
            mail_retry_secs: 30,
            mail_max_attempts: 12,
            digest_hour: 7,
            auto_hide_reports: 3,
            files_dir: None,
            upload_max_mib: 25,
            upload_files_per_item: 10,
            upload_daily_mib: 500,
            rate_limits: crate::auth::rate_limit::RateLimits::default(),
        }
    }
}

/// Accepts `["a.com", "b.com"]` or `"a.com, b.com"`.
fn list_or_commas<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum ListOrCommas {
        List(Vec<String>),
        Commas(String),
    }
    let items = match ListOrCommas::deserialize(deserializer)? {
        ListOrCommas::List(items) => items,
        ListOrCommas::Commas(text) => text.split(',').map(str::to_owned).collect(),
    };
    Ok(items.into_iter().map(|d| d.trim().to_lowercase()).filter(|d| !d.is_empty()).collect())
}

/// Values given as command-line flags; `None` leaves the lower layers' value.
#[derive(Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
}

impl Settings {
    /// Loads the layers. `config_file` is read only if it exists.
    pub fn load(config_file: &Path, overrides: &Overrides) -> anyhow::Result<Self> {
        Figment::from(Serialized::defaults(Settings::default()))
            .merge(Toml::file(config_file))
            .merge(Env::prefixed("AGORA_").ignore(&["config"]))
            .merge(Serialized::defaults(overrides))
            .extract::<Settings>()
            .map_err(|e| anyhow::anyhow!("invalid settings: {e}"))
            .and_then(Settings::checked)
    }

    /// Refuses lifetimes that would sign everyone out at once.
    fn checked(self) -> anyhow::Result<Self> {
        anyhow::ensure!(
            self.session_idle_minutes >= 1,
            "invalid settings: session_idle_minutes must be at least 1"
        );
        anyhow::ensure!(self.session_max_days >= 1, "invalid settings: session_max_days must be at least 1");
        Ok(self)
    }

    /// Where this node keeps its search index (each node has its own; it is rebuilt from
    /// the database whenever it is missing).
    pub fn search_index_dir(&self) -> std::path::PathBuf {
        self.data_dir.join("index")
    }

    /// The database to use: `database_url`, or the SQLite file in the data folder.
    pub fn database(&self) -> anyhow::Result<DatabaseUrl> {
        match &self.database_url {
            Some(url) => DatabaseUrl::parse(url).map_err(|e| anyhow::anyhow!(e)),
            None => Ok(DatabaseUrl::Sqlite(self.data_dir.join("agora.db"))),
        }
    }

    /// Whether cookies must carry `Secure` (the public URL is HTTPS).
    pub fn secure_cookies(&self) -> bool {
        self.public_url.as_deref().is_some_and(|u| u.starts_with("https://"))
    }

    /// The base URL for links in emails and printed messages.
    pub fn base_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.bind),
        }
    }

    /// Whether an email domain may register without an invitation.
    pub fn domain_allowed(&self, domain: &str) -> bool {
        self.allowed_email_domains.iter().any(|d| d.trim().eq_ignore_ascii_case(domain))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn domains_accept_a_list_or_a_comma_separated_string() {
        for raw in [
            r#"allowed_email_domains = ["Example.com", " b.example "]"#,
            r#"allowed_email_domains = "example.com, b.example""#,
        ] {
            let settings: Settings = Figment::from(Toml::string(raw)).extract().unwrap();
            assert_eq!(settings.allowed_email_domains, ["example.com", "b.example"]);
        }
        assert!(Settings::default().database().unwrap() == DatabaseUrl::Sqlite("./data/agora.db".into()));
    }

    #[test]
    fn session_lifetimes_below_a_minute_or_a_day_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("agora.toml");
        for (raw, named) in [
            ("session_idle_minutes = 0", "session_idle_minutes"),
            ("session_max_days = -1", "session_max_days"),
        ] {
            std::fs::write(&file, raw).unwrap();
            let refused = Settings::load(&file, &Overrides::default()).unwrap_err().to_string();
            assert!(refused.contains(named), "{refused}");
        }
        std::fs::write(&file, "session_idle_minutes = 30").unwrap();
        assert_eq!(Settings::load(&file, &Overrides::default()).unwrap().session_idle_minutes, 30);
    }
}
