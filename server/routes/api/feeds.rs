//! `/api/v1` feeds and following: the home feed, the ActivityStreams collection, follows.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{ListQuery, Listing};
use crate::activitystreams::{self, As2Activity, As2Page};
use crate::auth::identity::ApiUser;
use crate::error::ApiResult;
use crate::feeds;
use crate::state::AppState;

/// The home feed: your communities, the people and #tags you follow; newest first.
#[utoipa::path(get, path = "/api/v1/feed", tag = "feeds", params(ListQuery),
    responses((status = 200, body = Listing<As2Activity>)))]
pub async fn home(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    query: web::Query<ListQuery>,
) -> ApiResult<web::Json<Listing<As2Activity>>> {
    let limit = query.limit();
    let before = query.id_cursor()?;
    let rows = feeds::home(&state.db, &user, before, limit).await?;
    let next_cursor =
        (rows.len() as i64 == limit).then(|| rows.last().map(|(a, ..)| a.id.to_string())).flatten();
    let base = state.settings.base_url();
    let items = rows.iter().map(|row| activitystreams::activity(&base, row)).collect();
    Ok(web::Json(Listing { items, next_cursor }))
}

/// `?since=&limit=` on the activity collection.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SinceQuery {
    /// Activities after this id (0 for the beginning).
    since: Option<i64>,
    /// 1–100, default 50.
    limit: Option<i64>,
}

/// Everything you may see after `since`, oldest first, as an ActivityStreams 2.0
/// `OrderedCollectionPage`; follow `next` to keep up.
#[utoipa::path(get, path = "/api/v1/activity", tag = "feeds", params(SinceQuery),
    responses((status = 200, body = As2Page, content_type = "application/activity+json")))]
pub async fn activity(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    query: web::Query<SinceQuery>,
) -> ApiResult<HttpResponse> {
    let since = query.since.unwrap_or(0).max(0);
    let limit = query.limit.unwrap_or(50).clamp(1, 100);
    let rows = feeds::since(&state.db, &user, since, limit).await?;
    let base = state.settings.base_url();
    let last = rows.last().map_or(since, |(a, ..)| a.id);
    let id = format!("{base}/api/v1/activity?since={since}&limit={limit}");
    let next =
        (rows.len() as i64 == limit).then(|| format!("{base}/api/v1/activity?since={last}&limit={limit}"));
    Ok(activitystreams::page_response(&base, id, next, &rows))
}

/// One person's activity that you may see, newest first, as ActivityStreams.
#[utoipa::path(get, path = "/api/v1/users/{handle}/activity", tag = "feeds", params(("handle" = String, Path), ListQuery),
    responses((status = 200, body = As2Page, content_type = "application/activity+json"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn person(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    handle: web::Path<String>,
    query: web::Query<ListQuery>,
) -> ApiResult<HttpResponse> {
    let limit = query.limit();
    let before = query.id_cursor()?;
    let (person, rows) = feeds::person(&state.db, &user, &handle, before, limit).await?;
    let base = state.settings.base_url();
    let id = format!("{base}/api/v1/users/{}/activity", person.handle);
    let next = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|(a, ..)| format!("{id}?cursor={}", a.id)))
        .flatten();
    Ok(activitystreams::page_response(&base, id, next, &rows))
}

/// Follows (PUT) or unfollows (DELETE) a person; idempotent.
#[utoipa::path(method(put, delete), path = "/api/v1/users/{handle}/follow", tag = "feeds", params(("handle" = String, Path)),
    responses((status = 204), (status = 404, body = crate::error::ErrorBody)))]
pub async fn follow_user(
    req: HttpRequest,
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    handle: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let on = req.method() == actix_web::http::Method::PUT;
    feeds::follow_user(&state.db, &user, &handle, on).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Follows (PUT) or unfollows (DELETE) a #tag; idempotent.
#[utoipa::path(method(put, delete), path = "/api/v1/tags/{tag}/follow", tag = "feeds", params(("tag" = String, Path)),
    responses((status = 204), (status = 404, body = crate::error::ErrorBody)))]
pub async fn follow_tag(
    req: HttpRequest,
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    tag: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let on = req.method() == actix_web::http::Method::PUT;
    feeds::follow_tag(&state.db, &user, &tag, on).await?;
    Ok(HttpResponse::NoContent().finish())
}
