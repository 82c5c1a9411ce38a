//! Server-rendered pages: the context every page shares, the extractors that build it, one
//! helper that turns a template into a response, and the HTML rendering of errors.

pub mod account;
pub mod admin;
pub mod communities;
pub mod home;
pub mod ideas;
pub mod moderation;
pub mod notifications;
pub mod people;
pub mod posts;
pub mod review;
pub mod search;

use std::future::Future;
use std::pin::Pin;

use actix_session::{Session, SessionExt};
use actix_web::dev::Payload;
use actix_web::http::{StatusCode, header};
use actix_web::{FromRequest, HttpRequest, HttpResponse, ResponseError};
use askama::Template;

use crate::auth::{csrf, identity};
use crate::db::models::users::User;
use crate::error::AppError;

/// What the base layout needs on every page.
pub struct PageCtx {
    /// The signed-in user, if any.
    pub user: Option<User>,
    /// The visitor's session (none on error pages).
    session: Option<Session>,
    /// A one-time notice carried over a redirect ("Password changed").
    pub notice: Option<String>,
    /// Unread lines in the viewer's notification bell.
    pub unread: i64,
    /// What the site is called (an admin setting).
    pub site_name: std::sync::Arc<str>,
}

impl PageCtx {
    /// The context of a fragment pushed over the websocket: no viewer, no session. Forms in
    /// it carry an empty CSRF token, which the page's script fills from its own.
    pub fn fragment() -> Self {
        Self { user: None, session: None, notice: None, unread: 0, site_name: std::sync::Arc::from("Agora") }
    }

    /// The CSRF token for the page's forms. Created only when a page renders a form, so an
    /// anonymous visitor reading pages costs no session row.
    pub fn csrf(&self) -> String {
        self.session.as_ref().and_then(|s| csrf::token(s).ok()).unwrap_or_default()
    }

    /// Whether the viewer is a site admin (admin links show only to them).
    pub fn admin(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.actor().admin)
    }

    /// The signed-in viewer's id (0 for nobody, which no account has).
    pub fn viewer_id(&self) -> i64 {
        self.user.as_ref().map_or(0, |u| u.id)
    }

    /// The cache-busting URL of a static file.
    pub fn asset(&self, path: &str) -> String {
        crate::assets::url(path)
    }
}

const NOTICE_KEY: &str = "notice";

/// Stores a notice to show on the next page the browser loads.
pub fn flash(req: &HttpRequest, notice: &str) {
    let _ = req.get_session().insert(NOTICE_KEY, notice);
}

/// Any page: the optional viewer and the page context.
pub struct Page(pub PageCtx);

impl FromRequest for Page {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let found = identity::session_user_and(&req, crate::db::models::notifications::unread).await?;
            let (user, unread) = found.map_or((None, 0), |(user, unread)| (Some(user), unread));
            let session = req.get_session();
            // Only a page that shows a notice changes the session: actix-session marks it
            // changed on any `remove`, and a changed session is a database write.
            let notice = session
                .contains_key(NOTICE_KEY)
                .then(|| session.remove_as::<String>(NOTICE_KEY).and_then(Result::ok))
                .flatten();
            let state = crate::state::AppState::of(&req)?;
            let site_name = std::sync::Arc::from(state.site.current().site_name.as_str());
            Ok(Page(PageCtx { user, session: Some(session), notice, unread, site_name }))
        })
    }
}

/// Admin pages do not exist for anyone else (404, as for anything one may not see).
pub fn admin_only(user: &User) -> Result<(), PageError> {
    if user.actor().admin { Ok(()) } else { Err(AppError::NotFound.into()) }
}

/// A page that needs a signed-in user; others are sent to `/login` and brought back.
pub struct SignedIn(pub User, pub PageCtx);

impl FromRequest for SignedIn {
    type Error = PageError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let page = Page::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let Page(ctx) = page.await?;
            match ctx.user.clone() {
                Some(user) => {
                    crate::state::AppState::of(&req)?.limits.check_user(&req, user.id)?;
                    Ok(SignedIn(user, ctx))
                }
                None => Err(PageError::LoginRequired { next: req.uri().path().to_owned() }),
            }
        })
    }
}

/// The message for one form field, for templates.
pub fn field_error<'a>(errors: &'a crate::error::FieldErrors, name: &str) -> Option<&'a String> {
    errors.get(name)
}

/// A whole number with thousands separators: `180000` → `180,000`.
pub fn thousands(n: &i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    if *n < 0 { format!("-{out}") } else { out }
}

/// Renders a template with a status.
pub fn render(status: StatusCode, template: &impl Template) -> Result<HttpResponse, PageError> {
    let html = template.render().map_err(|e| AppError::Internal(anyhow::anyhow!("template: {e}")))?;
    Ok(HttpResponse::build(status).content_type("text/html; charset=utf-8").body(html))
}

/// Re-renders a form page after `error` rejected it, with the error's status and headers
/// (`Retry-After` on 429).
pub fn render_rejected(error: &AppError, template: &impl Template) -> Result<HttpResponse, PageError> {
    let html = template.render().map_err(|e| AppError::Internal(anyhow::anyhow!("template: {e}")))?;
    let mut response = HttpResponse::build(error.status());
    error.decorate(&mut response);
    Ok(response.content_type("text/html; charset=utf-8").body(html))
}

/// Renders a page plainly, or with the rejection's status when a form was refused.
pub fn render_outcome(
    rejected: Option<AppError>,
    template: &impl Template,
) -> Result<HttpResponse, PageError> {
    match rejected {
        Some(error) => render_rejected(&error, template),
        None => render(StatusCode::OK, template),
    }
}

/// A 303 redirect (after a successful form post).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, location)).finish()
}

/// Keeps `next` redirects on this site (no `//evil.example` or absolute URLs).
pub fn local_path(next: Option<&str>) -> String {
    match next {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p.to_owned(),
        _ => "/".to_owned(),
    }
}

/// An error as an HTML page.
#[derive(Debug, thiserror::Error)]
pub enum PageError {
    /// Show the error page.
    #[error(transparent)]
    App(#[from] AppError),
    /// Send the browser to sign in, then back to `next`.
    #[error("sign in required")]
    LoginRequired { next: String },
}

impl From<diesel::result::Error> for PageError {
    fn from(e: diesel::result::Error) -> Self {
        Self::App(e.into())
    }
}

/// Maps a failure to read a form body (too large, broken upload) to an error page.
pub fn form_error(e: actix_web::Error) -> PageError {
    let too_large = e
        .as_error::<actix_web::error::PayloadError>()
        .is_some_and(|e| matches!(e, actix_web::error::PayloadError::Overflow));
    if too_large {
        AppError::PayloadTooLarge.into()
    } else {
        AppError::BadRequest("the form could not be read; reload the page and try again".into()).into()
    }
}

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorTemplate {
    ctx: PageCtx,
    status: u16,
    title: &'static str,
    message: String,
}

impl ResponseError for PageError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::App(e) => e.status(),
            Self::LoginRequired { .. } => StatusCode::SEE_OTHER,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let error = match self {
            Self::LoginRequired { next } => {
                let query = serde_urlencoded::to_string([("next", next)]).unwrap_or_default();
                return see_other(&format!("/login?{query}"));
            }
            Self::App(e) => e,
        };
        error.log();
        let (title, message) = match error {
            AppError::NotFound => {
                ("Page not found", "There is nothing here, or you do not have access to it.".to_owned())
            }
            AppError::Internal(_) => (
                "Something went wrong",
                "The error has been logged. Please try again in a moment.".to_owned(),
            ),
            AppError::Unavailable(_) => (
                "Temporarily unavailable",
                "Agora cannot reach its database right now. Please try again in a moment.".to_owned(),
            ),
            other => ("That did not work", other.to_string()),
        };
        let page =
            ErrorTemplate { ctx: PageCtx::fragment(), status: error.status().as_u16(), title, message };
        let mut response = HttpResponse::build(error.status());
        error.decorate(&mut response);
        match page.render() {
            Ok(html) => response.content_type("text/html; charset=utf-8").body(html),
            Err(_) => response.content_type("text/plain; charset=utf-8").body(title),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_separated() {
        let cases =
            [(0, "0"), (999, "999"), (1000, "1,000"), (180_000, "180,000"), (-1_234_567, "-1,234,567")];
        for (n, text) in cases {
            assert_eq!(super::thousands(&n), text);
        }
    }
}
