//! Site settings admins change at runtime (SPEC §8): the site's name, the email domains
//! that may register, the review board's size, sign-in limits, the report threshold, the
//! digest hour and the upload limits. Stored in the database (so every node shares them)
//! over the file and environment settings, and cached: each node rereads them every few
//! seconds, and at once after an admin saves.

use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::config::Settings;
use crate::db::models::{audit, now, site_settings};
use crate::db::{Db, DbConn};
use crate::error::{AppError, AppResult, FieldErrors};

/// How often each node rereads the stored settings.
const REFRESH: Duration = Duration::from_secs(5);

/// The settings in effect: the file's, with the admins' changes applied.
#[derive(Clone)]
pub struct Site {
    base: Arc<Settings>,
    current: Arc<RwLock<Arc<Settings>>>,
}

/// The settings admins may change, as stored and as the form and API show them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Editable {
    pub site_name: String,
    pub allowed_email_domains: Vec<String>,
    pub docket_size: u32,
    pub login_failures_per_account: u32,
    pub login_failures_per_address: u32,
    pub login_window_secs: i64,
    pub auto_hide_reports: i64,
    pub digest_hour: u32,
    pub upload_max_mib: u32,
    pub upload_files_per_item: u32,
    pub upload_daily_mib: u32,
}

impl Editable {
    fn of(s: &Settings) -> Self {
        Self {
            site_name: s.site_name.clone(),
            allowed_email_domains: s.allowed_email_domains.clone(),
            docket_size: s.docket_size,
            login_failures_per_account: s.login_failures_per_account,
            login_failures_per_address: s.login_failures_per_address,
            login_window_secs: s.login_window_secs,
            auto_hide_reports: s.auto_hide_reports,
            digest_hour: s.digest_hour,
            upload_max_mib: s.upload_max_mib,
            upload_files_per_item: s.upload_files_per_item,
            upload_daily_mib: s.upload_daily_mib,
        }
    }

    fn apply(self, base: &Settings) -> Settings {
        Settings {
            site_name: self.site_name,
            allowed_email_domains: self.allowed_email_domains,
            docket_size: self.docket_size,
            login_failures_per_account: self.login_failures_per_account,
            login_failures_per_address: self.login_failures_per_address,
            login_window_secs: self.login_window_secs,
            auto_hide_reports: self.auto_hide_reports,
            digest_hour: self.digest_hour,
            upload_max_mib: self.upload_max_mib,
            upload_files_per_item: self.upload_files_per_item,
            upload_daily_mib: self.upload_daily_mib,
            ..base.clone()
        }
    }

    /// Checks every field, reporting each bad one; domains are normalised.
    pub fn validated(mut self) -> AppResult<Self> {
        let mut errors = FieldErrors::new();
        let mut fail = |field: &str, message: &str| {
            errors.insert(field.to_owned(), message.to_owned());
        };
        self.site_name = self.site_name.trim().to_owned();
        if self.site_name.is_empty() || self.site_name.chars().count() > 60 {
            fail("site_name", "name the site in 1–60 characters");
        }
        let domains: Vec<String> = self
            .allowed_email_domains
            .iter()
            .map(|d| d.trim().trim_start_matches('@').to_lowercase())
            .filter(|d| !d.is_empty())
            .collect();
        if let Some(bad) = domains.iter().find(|d| !valid_domain(d)) {
            fail("allowed_email_domains", &format!("“{bad}” is not a domain like example.com"));
        }
        self.allowed_email_domains = domains;
        let ranges = [
            ("docket_size", i64::from(self.docket_size), 1, 100),
            ("login_failures_per_account", i64::from(self.login_failures_per_account), 1, 100),
            ("login_failures_per_address", i64::from(self.login_failures_per_address), 1, 100_000),
            ("login_window_secs", self.login_window_secs, 60, 86_400),
            ("auto_hide_reports", self.auto_hide_reports, 0, 100),
            ("digest_hour", i64::from(self.digest_hour), 0, 23),
            ("upload_max_mib", i64::from(self.upload_max_mib), 1, 1024),
            ("upload_files_per_item", i64::from(self.upload_files_per_item), 0, 50),
            ("upload_daily_mib", i64::from(self.upload_daily_mib), 1, 100_000),
        ];
        for (field, value, low, high) in ranges {
            if !(low..=high).contains(&value) {
                fail(field, &format!("use a whole number from {low} to {high}"));
            }
        }
        if errors.is_empty() { Ok(self) } else { Err(AppError::invalid(errors)) }
    }
}

fn valid_domain(domain: &str) -> bool {
    domain.len() <= 253
        && domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

impl Site {
    /// The file's settings, until [`Site::load`] reads the stored ones.
    pub fn new(base: Arc<Settings>) -> Self {
        Self { current: Arc::new(RwLock::new(base.clone())), base }
    }

    /// The settings in effect now.
    pub fn current(&self) -> Arc<Settings> {
        self.current.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// What admins may change, as in effect.
    pub fn editable(&self) -> Editable {
        Editable::of(&self.current())
    }

    /// Reads the stored settings and puts them in effect.
    pub fn load(&self, c: &mut DbConn) -> AppResult<()> {
        let mut merged =
            serde_json::to_value(Editable::of(&self.base)).map_err(|e| AppError::Internal(e.into()))?;
        for (name, value) in site_settings::all(c)? {
            if let (Some(fields), Ok(value)) = (merged.as_object_mut(), serde_json::from_str(&value))
                && fields.contains_key(&name)
            {
                fields.insert(name, value);
            }
        }
        // A stored value of the wrong shape (an older version's) leaves the file's.
        let editable: Editable = serde_json::from_value(merged).unwrap_or_else(|_| Editable::of(&self.base));
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(editable.apply(&self.base));
        Ok(())
    }

    /// Rereads the stored settings every few seconds (other nodes' changes).
    pub fn spawn_refresher(&self, db: Db) {
        let site = self.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(REFRESH).await;
                let reader = site.clone();
                if let Err(e) = db.read(move |c| reader.load(c)).await {
                    e.log();
                }
            }
        });
    }

    /// Saves an admin's changes (the audit log names each one) and puts them in effect.
    pub async fn save(&self, db: &Db, admin: i64, changes: Editable) -> AppResult<()> {
        let changes = changes.validated()?;
        let before = serde_json::to_value(self.editable()).map_err(|e| AppError::Internal(e.into()))?;
        let after = serde_json::to_value(&changes).map_err(|e| AppError::Internal(e.into()))?;
        let site = self.clone();
        db.write(move |c| {
            let mut changed = Vec::new();
            for (name, value) in after.as_object().into_iter().flatten() {
                if before.get(name) != Some(value) {
                    site_settings::set(c, name, &value.to_string(), admin, now())?;
                    changed.push(json!({ "name": name, "from": before.get(name), "to": value }));
                }
            }
            if !changed.is_empty() {
                audit::record(
                    c,
                    Some(admin),
                    "site.settings_changed",
                    "site",
                    None,
                    &json!({ "changes": changed }),
                )?;
            }
            site.load(c)
        })
        .await
    }
}
