//! The search and expert pages.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};

use crate::error::AppError;
use crate::pages::search::{ExpertsPage, SearchPage};
use crate::pages::{PageError, SignedIn, render};
use crate::search::experts::{self, ExpertParams};
use crate::search::{self, Found, SearchParams};
use crate::state::AppState;

/// GET /search?q=&type=&community=&tag=&author=&department=&cursor=
pub async fn show(
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    params: web::Query<SearchParams>,
) -> Result<HttpResponse, PageError> {
    let params = params.into_inner();
    let (found, problem) =
        match search::search(&state.db, state.search()?, user.actor(), params.clone()).await {
            Ok(found) => (found, None),
            // A bad filter (an unknown type) is said on the page, not an error page.
            Err(AppError::Invalid { message, .. }) => (Found::default(), Some(message)),
            Err(other) => return Err(other.into()),
        };
    render(StatusCode::OK, &SearchPage { ctx, params, found, problem })
}

/// GET /experts?q=&department=&location=
pub async fn experts(
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    params: web::Query<ExpertParams>,
) -> Result<HttpResponse, PageError> {
    let params = params.into_inner();
    let experts = experts::find(&state.db, state.search()?, user.actor(), params.clone()).await?;
    render(StatusCode::OK, &ExpertsPage { ctx, params, experts })
}
