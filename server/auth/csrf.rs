//! Cross-site request forgery defence, in two layers:
//! 1. [`origin_guard`]: a state-changing request whose `Sec-Fetch-Site` says `cross-site`,
//!    or whose `Origin` names another host, is refused before any handler runs.
//! 2. A per-session token in every form ([`CsrfForm`]) and in the `X-CSRF-Token` header of
//!    cookie-authenticated API calls, compared in constant time.
//!
//! Requests authenticated with a bearer token carry no ambient credentials and skip both.

use std::future::Future;
use std::pin::Pin;

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::http::{Method, header};
use actix_web::{FromRequest, HttpRequest, web};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::auth::secrets;
use crate::error::AppError;

/// The session-state key holding the CSRF token.
const CSRF_KEY: &str = "csrf";
/// The form field every state-changing form carries.
pub const FORM_FIELD: &str = "csrf_token";
/// The header cookie-authenticated API calls carry.
pub const HEADER: &str = "x-csrf-token";

/// The session's CSRF token, created on first use.
pub fn token(session: &Session) -> Result<String, AppError> {
    if let Ok(Some(existing)) = session.get::<String>(CSRF_KEY) {
        return Ok(existing);
    }
    let fresh = secrets::new_token("");
    session
        .insert(CSRF_KEY, &fresh)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("session insert: {e}")))?;
    Ok(fresh)
}

/// Checks a submitted token against the session's.
pub fn verify(session: &Session, submitted: &str) -> Result<(), AppError> {
    match session.get::<String>(CSRF_KEY) {
        Ok(Some(expected)) if secrets::constant_time_eq(expected.as_bytes(), submitted.as_bytes()) => Ok(()),
        _ => Err(AppError::Forbidden(
            "the form expired or did not come from this site; reload the page and try again",
        )),
    }
}

/// Whether a method changes state (and so needs CSRF protection).
pub fn is_unsafe(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether the request is authenticated with `Authorization: Bearer`.
pub fn has_bearer(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("Bearer "))
}

/// The first layer: refuses cross-site state-changing requests by their headers.
pub fn origin_guard(req: &HttpRequest) -> Result<(), AppError> {
    if !is_unsafe(req.method()) || has_bearer(req) {
        return Ok(());
    }
    if foreign_origin(req) {
        return Err(AppError::Forbidden("cross-site requests are not allowed"));
    }
    Ok(())
}

/// Whether the browser says the request comes from another site (`Sec-Fetch-Site:
/// cross-site`, or an `Origin` naming another host). Requests without these headers (not
/// from a browser) are not foreign.
pub fn foreign_origin(req: &HttpRequest) -> bool {
    let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
    if header("sec-fetch-site").is_some_and(|site| site == "cross-site") {
        return true;
    }
    header("origin").is_some_and(|origin| {
        let host = req.connection_info().host().to_owned();
        origin.split_once("://").map(|(_, rest)| rest.trim_end_matches('/')) != Some(host.as_str())
    })
}

#[derive(Deserialize)]
struct TokenField {
    #[serde(default)]
    csrf_token: String,
}

/// A URL-encoded form whose CSRF token (`csrf_token`) has been verified against the session
/// before the form itself is parsed. Every state-changing HTML form is extracted through
/// this, so none can forget the check, and form types need no token field of their own.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for CsrfForm<T> {
    type Error = crate::pages::PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = web::Bytes::from_request(req, payload);
        let session = req.get_session();
        Box::pin(async move {
            let body = body.await.map_err(crate::pages::form_error)?;
            let TokenField { csrf_token } =
                serde_urlencoded::from_bytes(&body).unwrap_or(TokenField { csrf_token: String::new() });
            verify(&session, &csrf_token)?;
            let form = serde_urlencoded::from_bytes(&body).map_err(|_| {
                AppError::BadRequest("the form could not be read; reload the page and try again".into())
            })?;
            Ok(CsrfForm(form))
        })
    }
}
