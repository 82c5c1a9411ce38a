//! The one application state, built by [`crate::startup`] for `main` and the tests alike.

use std::sync::Arc;

use actix_web::HttpRequest;
use actix_web::web::Data;
use metrics_exporter_prometheus::PrometheusHandle;

use crate::config::Settings;
use crate::db::Db;
use crate::error::AppError;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub db: Db,
    /// Settings, loaded once.
    pub settings: Arc<Settings>,
    /// Renders `/metrics`.
    pub metrics: PrometheusHandle,
    /// The websocket hub.
    pub hub: crate::live::Hub,
    /// The search index; only the server opens it (commands like `agora seed` leave it to
    /// the server's indexer, which reads what they wrote from the activity log).
    pub search: Option<crate::search::Search>,
    /// Renders mails into the outbox (links, unsubscribe signatures).
    pub mail: crate::mail::Composer,
    /// The settings in effect, with the admins' runtime changes (`/admin/settings`).
    pub site: crate::site::Site,
    /// Where uploaded files are kept.
    pub files: crate::files::Files,
    /// This node's per-person rate limits.
    pub limits: crate::auth::rate_limit::Limiter,
    /// The home page's newest colleagues and head count, as this node last read them.
    pub newcomers: crate::people::Newcomers,
}

impl AppState {
    /// The search index of a running server.
    pub fn search(&self) -> Result<&crate::search::Search, AppError> {
        self.search.as_ref().ok_or_else(|| AppError::Unavailable("search is not running".into()))
    }

    /// Upload ids to attach to an item being written, checked against the site's limits.
    pub fn attach(&self, ids: &[i64]) -> Result<crate::files::Attach, AppError> {
        crate::files::Attach::new(ids, self.upload_limits())
    }

    /// The upload limits in effect.
    pub fn upload_limits(&self) -> crate::files::Limits {
        crate::files::Limits::of(&self.site.current())
    }

    /// The state registered on the app, for extractors and middleware.
    pub fn of(req: &HttpRequest) -> Result<Data<AppState>, AppError> {
        req.app_data::<Data<AppState>>()
            .cloned()
            .ok_or_else(|| AppError::Internal(anyhow::anyhow!("AppState is not registered")))
    }
}
