//! The notifications page: read the list, open one (marking its line read), mark all read.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::auth::csrf::CsrfForm;
use crate::mail::unsubscribe::Scope;
use crate::notify;
use crate::pages::notifications::{NotificationsPage, UnsubscribePage};
use crate::pages::{Page, PageError, SignedIn, local_path, render, see_other};
use crate::state::AppState;

type PageResult = Result<HttpResponse, PageError>;

/// GET /notifications
pub async fn list(
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
) -> Result<HttpResponse, PageError> {
    let lines = notify::lines(&state.db, &user).await?;
    render(StatusCode::OK, &NotificationsPage { ctx, lines })
}

/// The line a person opens.
#[derive(Deserialize)]
pub struct OpenForm {
    group: String,
    url: String,
}

/// POST /notifications/open: marks the line read and goes where it points (on this site).
pub async fn open(
    state: web::Data<AppState>,
    SignedIn(user, _): SignedIn,
    CsrfForm(form): CsrfForm<OpenForm>,
) -> Result<HttpResponse, PageError> {
    notify::mark_read(&state.db, &user, Some(form.group)).await?;
    Ok(see_other(&local_path(Some(&form.url))))
}

/// POST /notifications/read: marks everything read.
pub async fn read_all(
    state: web::Data<AppState>,
    SignedIn(user, _): SignedIn,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> Result<HttpResponse, PageError> {
    notify::mark_read(&state.db, &user, None).await?;
    Ok(see_other("/notifications"))
}

/// What an unsubscribe link turns off, in words; `None` if it is not genuine.
fn unsubscribe_scope(state: &AppState, token: &str) -> Option<(i64, Scope, String)> {
    let (user_id, scope) = state.mail.signer().verify(token)?;
    let what = match scope {
        Scope::All => "any notification mail (mentions, replies, decisions, the daily digest)".to_owned(),
        Scope::Kind(kind) => format!("mails for “{}”", kind.label().to_lowercase()),
    };
    Some((user_id, scope, what))
}

/// GET /unsubscribe/<token>: asks to confirm (a GET never changes anything: mail scanners
/// open links).
pub async fn unsubscribe_form(
    Page(ctx): Page,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> PageResult {
    let token = token.into_inner();
    let what = unsubscribe_scope(&state, &token).map(|(_, _, what)| what);
    let status = if what.is_some() { StatusCode::OK } else { StatusCode::NOT_FOUND };
    render(status, &UnsubscribePage { ctx, token, what, done: false })
}

/// POST /unsubscribe/<token>: turns the mails off. No session or CSRF token: the signed
/// link is the credential, and mail clients post here directly (RFC 8058 one-click).
/// Using a link again changes nothing more.
pub async fn unsubscribe(
    Page(ctx): Page,
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> PageResult {
    let token = token.into_inner();
    let Some((user_id, scope, what)) = unsubscribe_scope(&state, &token) else {
        return render(StatusCode::NOT_FOUND, &UnsubscribePage { ctx, token, what: None, done: false });
    };
    crate::mail::preferences::unsubscribe(&state.db, user_id, scope).await?;
    render(StatusCode::OK, &UnsubscribePage { ctx, token, what: Some(what), done: true })
}
