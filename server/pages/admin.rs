//! Admin pages: the overview and user administration.

use askama::Template;

use super::PageCtx;
use crate::db::models::users::User;
use crate::domain::account::Role;

/// `/admin`.
#[derive(Template)]
#[template(path = "admin/home.html")]
pub struct AdminHome {
    pub ctx: PageCtx,
    /// Items waiting in the moderation queue.
    pub waiting: usize,
}

/// `/admin/users`.
#[derive(Template)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    pub ctx: PageCtx,
    pub q: String,
    pub users: Vec<User>,
    pub next: Option<i64>,
}

impl UsersPage {
    /// Every role, for the role selects.
    pub fn roles(&self) -> [Role; 3] {
        [Role::Employee, Role::Executive, Role::Admin]
    }
}

/// A bar of a chart, in SVG units.
pub struct Bar {
    pub x: i64,
    pub y: i64,
    pub w: i64,
    pub h: i64,
    /// The week (its Monday) and the value, for the bar's tooltip and the axis.
    pub week: String,
    pub value: i64,
}

/// A weekly bar chart drawn on the server as SVG.
pub struct Chart {
    pub id: &'static str,
    pub title: &'static str,
    pub bars: Vec<Bar>,
    pub max: i64,
    /// The sum over the weeks, where a sum means something (not for weekly active people).
    pub total: Option<i64>,
}

/// Drawing area of a chart.
pub const CHART_W: i64 = 560;
pub const CHART_H: i64 = 140;

impl Chart {
    /// A chart of one weekly number.
    pub fn weekly(
        id: &'static str,
        title: &'static str,
        weeks: &[crate::analytics::Week],
        pick: fn(&crate::analytics::Week) -> i64,
    ) -> Self {
        let max = weeks.iter().map(pick).max().unwrap_or(0).max(1);
        let slot = CHART_W / i64::try_from(weeks.len().max(1)).unwrap_or(1);
        let bars = weeks
            .iter()
            .enumerate()
            .map(|(i, w)| {
                let value = pick(w);
                let h = value * (CHART_H - 20) / max;
                Bar {
                    x: i64::try_from(i).unwrap_or(0) * slot + 1,
                    y: CHART_H - 20 - h,
                    w: slot - 2,
                    h,
                    week: w.week.clone(),
                    value,
                }
            })
            .collect();
        let total = (id != "active").then(|| weeks.iter().map(pick).sum());
        Chart { id, title, bars, max, total }
    }

    /// Whether a bar gets an axis label (every fourth week).
    pub fn labelled(&self, index: &usize) -> bool {
        index.is_multiple_of(4)
    }
}

/// `/admin/analytics`.
#[derive(Template)]
#[template(path = "admin/analytics.html")]
pub struct AnalyticsPage {
    pub ctx: PageCtx,
    pub charts: Vec<Chart>,
    pub report: crate::analytics::Report,
}

impl AnalyticsPage {
    /// A quarter's states with ideas in them, as (state, label, count, x, width) on a bar
    /// 100 units wide.
    pub fn segments(
        &self,
        quarter: &crate::analytics::Quarter,
    ) -> Vec<(String, &'static str, i64, f64, f64)> {
        let total = quarter.total.max(1) as f64;
        let mut x = 0.0;
        quarter
            .states
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(state, n)| {
                let width = *n as f64 * 100.0 / total;
                let segment = (state.clone(), state_label(state), *n, x, width);
                x += width;
                segment
            })
            .collect()
    }

    /// "In review 1 · Funded 1": the states with ideas in them.
    pub fn summary(&self, quarter: &crate::analytics::Quarter) -> String {
        let parts: Vec<String> =
            self.segments(quarter).into_iter().map(|(_, label, n, ..)| format!("{label} {n}")).collect();
        parts.join(" · ")
    }
}

fn state_label(state: &str) -> &'static str {
    crate::domain::idea::IdeaState::parse(state).map_or("Other", |s| s.label())
}

/// `/admin/settings`.
#[derive(Template)]
#[template(path = "admin/settings.html")]
pub struct SettingsPage {
    pub ctx: PageCtx,
    /// The values shown: in effect, or as submitted when refused.
    pub form: SiteForm,
    pub errors: crate::error::FieldErrors,
}

/// The site settings form, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct SiteForm {
    pub site_name: String,
    /// Comma- or line-separated.
    pub allowed_email_domains: String,
    pub docket_size: String,
    pub login_failures_per_account: String,
    pub login_failures_per_address: String,
    pub login_window_secs: String,
    pub auto_hide_reports: String,
    pub digest_hour: String,
    pub upload_max_mib: String,
    pub upload_files_per_item: String,
    pub upload_daily_mib: String,
}

impl SiteForm {
    /// The form showing settings in effect.
    pub fn of(e: &crate::site::Editable) -> Self {
        Self {
            site_name: e.site_name.clone(),
            allowed_email_domains: e.allowed_email_domains.join(", "),
            docket_size: e.docket_size.to_string(),
            login_failures_per_account: e.login_failures_per_account.to_string(),
            login_failures_per_address: e.login_failures_per_address.to_string(),
            login_window_secs: e.login_window_secs.to_string(),
            auto_hide_reports: e.auto_hide_reports.to_string(),
            digest_hour: e.digest_hour.to_string(),
            upload_max_mib: e.upload_max_mib.to_string(),
            upload_files_per_item: e.upload_files_per_item.to_string(),
            upload_daily_mib: e.upload_daily_mib.to_string(),
        }
    }

    /// The settings typed, or every field that is not a number.
    pub fn parse(&self) -> Result<crate::site::Editable, crate::error::AppError> {
        let mut errors = crate::error::FieldErrors::new();
        let mut number = |field: &str, raw: &str| -> i64 {
            raw.trim().parse().unwrap_or_else(|_| {
                errors.insert(field.to_owned(), "use a whole number".into());
                -1
            })
        };
        let docket_size = number("docket_size", &self.docket_size);
        let per_account = number("login_failures_per_account", &self.login_failures_per_account);
        let per_address = number("login_failures_per_address", &self.login_failures_per_address);
        let window = number("login_window_secs", &self.login_window_secs);
        let auto_hide = number("auto_hide_reports", &self.auto_hide_reports);
        let digest_hour = number("digest_hour", &self.digest_hour);
        let upload_max = number("upload_max_mib", &self.upload_max_mib);
        let per_item = number("upload_files_per_item", &self.upload_files_per_item);
        let daily = number("upload_daily_mib", &self.upload_daily_mib);
        if !errors.is_empty() {
            return Err(crate::error::AppError::invalid(errors));
        }
        // Out-of-range numbers become 0 here and are reported by `Editable::validated`.
        let small = |n: i64| u32::try_from(n).unwrap_or(0);
        Ok(crate::site::Editable {
            site_name: self.site_name.clone(),
            allowed_email_domains: self
                .allowed_email_domains
                .split([',', '\n', ' '])
                .map(str::to_owned)
                .filter(|d| !d.trim().is_empty())
                .collect(),
            docket_size: small(docket_size),
            login_failures_per_account: small(per_account),
            login_failures_per_address: small(per_address),
            login_window_secs: window,
            auto_hide_reports: auto_hide,
            digest_hour: u32::try_from(digest_hour).unwrap_or(u32::MAX),
            upload_max_mib: small(upload_max),
            upload_files_per_item: u32::try_from(per_item).unwrap_or(u32::MAX),
            upload_daily_mib: small(daily),
        })
    }
}
