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
    current: Arc<RwLock<InEffect>>,
}

/// The settings in effect and how many saves this node has put in effect: a reread that
/// began before a save may have read the row as it was and must not overwrite the save.
struct InEffect {
    settings: Arc<Settings>,
    saves: u64,
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
        Self { current: Arc::new(RwLock::new(InEffect { settings: base.clone(), saves: 0 })), base }
    }

    /// The settings in effect now.
    pub fn current(&self) -> Arc<Settings> {
        self.current.read().unwrap_or_else(PoisonError::into_inner).settings.clone()
    }

    fn saves(&self) -> u64 {
        self.current.read().unwrap_or_else(PoisonError::into_inner).saves
    }

    /// Puts `settings` in effect, unless a save came after the read that found them.
    fn put(&self, settings: Settings, read_after: u64) {
        let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
        if current.saves == read_after {
            current.settings = Arc::new(settings);
        }
    }

    /// What admins may change, as in effect.
    pub fn editable(&self) -> Editable {
        Editable::of(&self.current())
    }

    /// Reads the stored settings and puts them in effect.
    pub fn load(&self, c: &mut DbConn) -> AppResult<()> {
        let saves = self.saves();
        let stored = self.stored(c)?;
        self.put(stored, saves);
        Ok(())
    }

    /// The stored settings over the file's.
    fn stored(&self, c: &mut DbConn) -> AppResult<Settings> {
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
        Ok(editable.apply(&self.base))
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

    /// Saves an admin's changes (the audit log names each one) and, once they are
    /// committed, puts them in effect.
    pub async fn save(&self, db: &Db, admin: i64, changes: Editable) -> AppResult<()> {
        let changes = changes.validated()?;
        let before = serde_json::to_value(self.editable()).map_err(|e| AppError::Internal(e.into()))?;
        let after = serde_json::to_value(&changes).map_err(|e| AppError::Internal(e.into()))?;
        let site = self.clone();
        let saved = db
            .write(move |c| {
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
                site.stored(c)
            })
            .await?;
        self.saved(saved);
        Ok(())
    }

    /// Puts a committed save in effect over anything read before it.
    fn saved(&self, settings: Settings) {
        let mut current = self.current.write().unwrap_or_else(PoisonError::into_inner);
        current.saves += 1;
        current.settings = Arc::new(settings);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(site_name: &str) -> Settings {
        Settings { site_name: site_name.into(), ..Settings::default() }
    }

    #[test]
    fn a_reread_that_began_before_a_save_does_not_undo_it() {
        let site = Site::new(Arc::new(named("Agora")));
        let began = site.saves();
        // The refresher read the row as it was; the admin's save commits before it is put.
        site.saved(named("Plant Net"));
        site.put(named("Agora"), began);
        assert_eq!(site.current().site_name, "Plant Net");
        // A reread that began after the save is put in effect (another node's change).
        let began = site.saves();
        site.put(named("Elsewhere"), began);
        assert_eq!(site.current().site_name, "Elsewhere");
    }
}
