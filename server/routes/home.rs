//! The home page.

use actix_web::HttpResponse;
use actix_web::http::StatusCode;
use actix_web::web;

use crate::pages::home::HomePage;
use crate::pages::{Page, PageError, render};
use crate::state::AppState;

/// Feed lines per page.
const FEED_PAGE: i64 = 30;

/// `?before=` on the home feed.
#[derive(serde::Deserialize)]
pub struct Before {
    before: Option<i64>,
}

/// GET /
pub async fn show(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    Page(ctx): Page,
    query: web::Query<Before>,
) -> Result<HttpResponse, PageError> {
    let Some(user) = ctx.user.clone() else {
        let page = HomePage {
            ctx,
            newest: vec![],
            people: 0,
            cards: vec![],
            communities: vec![],
            items: vec![],
            next: None,
            live_since: 0,
        };
        return render(StatusCode::OK, &page);
    };
    let crate::feeds::HomeReads { live_since, rows, cards, communities } =
        crate::feeds::home_page(&state.db, &user, query.before, FEED_PAGE).await?;
    let next = (rows.len() as i64 == FEED_PAGE)
        .then(|| rows.last().map(|(a, ..)| format!("/?before={}", a.id)))
        .flatten();
    if crate::activitystreams::wanted(&req) {
        let base = state.settings.base_url();
        let next = next.map(|n| format!("{base}{n}"));
        return Ok(crate::activitystreams::page_response(&base, format!("{base}/"), next, &rows));
    }
    let items = crate::feeds::group(rows);
    let (newest, people) = state.newcomers.get(&state.db).await?;
    render(StatusCode::OK, &HomePage { ctx, newest, people, cards, communities, items, next, live_since })
}
