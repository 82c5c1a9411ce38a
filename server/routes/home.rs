//! The home page.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::web;

use crate::db::models::users;
use crate::pages::home::HomePage;
use crate::pages::{Page, PageError, render};
use crate::state::AppState;

/// GET /
pub async fn show(state: web::Data<AppState>, Page(ctx): Page) -> Result<HttpResponse, PageError> {
    let (newest, people) = match ctx.user {
        Some(_) => state.db.read(|c| Ok((users::newest(c, 8)?, users::count(c)?))).await?,
        None => (Vec::new(), 0),
    };
    render(StatusCode::OK, &HomePage { ctx, newest, people })
}
