//! The notifications page: read the list, open one (marking its line read), mark all read.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;

use crate::auth::csrf::CsrfForm;
use crate::notify;
use crate::pages::notifications::NotificationsPage;
use crate::pages::{PageError, SignedIn, local_path, render, see_other};
use crate::state::AppState;

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
