//! One error type for the whole server. Domain and db code return [`AppError`]; the API
//! renders it as SPEC §10's JSON error ([`ApiError`]), the pages as an HTML error page
//! ([`crate::pages::PageError`]). Internal details are logged, never shown.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

/// Per-field validation messages, keyed by the form or JSON field name.
pub type FieldErrors = BTreeMap<String, String>;

/// Everything that can go wrong while serving a request.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The object does not exist *for this viewer* (also what hidden objects answer).
    #[error("not found")]
    NotFound,
    /// No valid session or token.
    #[error("sign in required")]
    Unauthenticated,
    /// A request that looks forged (CSRF token or origin check failed).
    #[error("{0}")]
    Forbidden(&'static str),
    /// The action conflicts with the current state (duplicate, invalid transition).
    #[error("{0}")]
    Conflict(String),
    /// Input that parsed but is not acceptable, with a message per field.
    #[error("{message}")]
    Invalid { message: String, fields: FieldErrors },
    /// Input that could not be parsed at all.
    #[error("{0}")]
    BadRequest(String),
    /// The request body is over the limit.
    #[error("the request body is too large")]
    PayloadTooLarge,
    /// One part of the request (a file) is over its limit; the message names the limit.
    #[error("{0}")]
    TooLarge(String),
    /// A person used up a quota (a day's uploads); it frees up after `retry_after` seconds.
    #[error("{message}")]
    QuotaExceeded { message: String, retry_after: u64 },
    /// Too many attempts; try again after `retry_after` seconds.
    #[error("too many attempts; try again in {retry_after} seconds")]
    RateLimited { retry_after: u64 },
    /// A dependency (the database pool) is not answering.
    #[error("the service is temporarily unavailable")]
    Unavailable(String),
    /// A bug or an unexpected failure; the cause is logged.
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

/// Shorthand for results that fail with [`AppError`].
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// A validation error for one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::invalid(FieldErrors::from([(field.to_owned(), message.into())]))
    }

    /// A validation error for several fields.
    pub fn invalid(fields: FieldErrors) -> Self {
        let message = match fields.len() {
            1 => fields.values().next().cloned().unwrap_or_default(),
            _ => "some fields need attention".to_owned(),
        };
        Self::Invalid { message, fields }
    }

    /// Messages to show beside form fields: a validation error's own, or this error's
    /// sentence beside `field`.
    pub fn messages_for(&self, field: &str) -> FieldErrors {
        match self {
            Self::Invalid { fields, .. } => fields.clone(),
            other => FieldErrors::from([(field.to_owned(), other.to_string())]),
        }
    }

    /// The HTTP status this error answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Unauthenticated => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::PayloadTooLarge | Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RateLimited { .. } | Self::QuotaExceeded { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable machine-readable code of SPEC §10's error shape.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::Unauthenticated => "unauthenticated",
            Self::Forbidden(_) => "forbidden",
            Self::Conflict(_) => "conflict",
            Self::Invalid { .. } => "invalid",
            Self::BadRequest(_) => "bad_request",
            Self::PayloadTooLarge | Self::TooLarge(_) => "payload_too_large",
            Self::RateLimited { .. } => "rate_limited",
            Self::QuotaExceeded { .. } => "quota_exceeded",
            Self::Unavailable(_) => "unavailable",
            Self::Internal(_) => "internal",
        }
    }

    /// Logs what the user is not shown; called once per error response.
    pub fn log(&self) {
        match self {
            Self::Internal(e) => tracing::error!(error = format!("{e:#}"), "request failed"),
            Self::Unavailable(cause) => tracing::warn!(%cause, "dependency unavailable"),
            _ => {}
        }
    }

    /// Adds `Retry-After` where the error has one.
    pub fn decorate(&self, response: &mut actix_web::HttpResponseBuilder) {
        if let Self::RateLimited { retry_after } | Self::QuotaExceeded { retry_after, .. } = self {
            response.insert_header(("Retry-After", retry_after.to_string()));
        }
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => Self::NotFound,
            other => Self::Internal(anyhow::Error::new(other).context("database query")),
        }
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        Self::Internal(anyhow::anyhow!("blocking task failed: {e}"))
    }
}

/// [`AppError`] as the JSON API renders it.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct ApiError(#[from] pub AppError);

/// Shorthand for API handler results.
pub type ApiResult<T> = Result<T, ApiError>;

/// SPEC §10's error shape: `{"error":{"code","message","fields"}}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

/// The inside of [`ErrorBody`].
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `not_found`, `invalid`, `rate_limited`.
    pub code: String,
    /// A sentence for people.
    pub message: String,
    /// Per-field messages for `invalid`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: FieldErrors,
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.0.status()
    }

    fn error_response(&self) -> HttpResponse {
        self.0.log();
        let fields = match &self.0 {
            AppError::Invalid { fields, .. } => fields.clone(),
            _ => FieldErrors::new(),
        };
        let mut response = HttpResponse::build(self.0.status());
        self.0.decorate(&mut response);
        response.json(ErrorBody {
            error: ErrorDetail { code: self.0.code().to_owned(), message: self.0.to_string(), fields },
        })
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        Self(e.into())
    }
}
