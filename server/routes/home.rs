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
    let Some(user) = ctx.user.clone() else {
        return render(
            StatusCode::OK,
            &HomePage { ctx, newest: vec![], people: 0, cards: vec![], communities: vec![] },
        );
    };
    let (newest, people) = state.db.read(|c| Ok((users::newest(c, 8)?, users::count(c)?))).await?;
    let (cards, communities) = crate::posts::home(&state.db, &user).await?;
    render(StatusCode::OK, &HomePage { ctx, newest, people, cards, communities })
}
