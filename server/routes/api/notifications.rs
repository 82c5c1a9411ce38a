//! `/api/v1/notifications`: the caller's notifications, grouped as the bell shows them.

use actix_web::web;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::identity::ApiUser;
use crate::error::ApiResult;
use crate::notify;
use crate::state::AppState;

/// One line of the bell: the latest notification of a group.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationJson {
    /// Mark this group read with it.
    pub group: String,
    /// `mention`, `reply`, `idea_state` or `decision`.
    pub kind: String,
    /// "Grace Hopper commented on “Steam traps” and 2 more".
    pub text: String,
    pub url: String,
    pub at: NaiveDateTime,
    /// How many notifications the line stands for.
    pub count: usize,
    pub unread: bool,
}

/// The caller's notifications.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationsJson {
    /// Unread lines.
    pub unread: i64,
    pub items: Vec<NotificationJson>,
}

/// Lists the caller's notifications, unread first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", responses((status = 200, body = NotificationsJson)))]
pub async fn list(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
) -> ApiResult<web::Json<NotificationsJson>> {
    let lines = notify::lines(&state.db, &user).await?;
    let unread = notify::unread(&state.db, user.id).await?;
    let items = lines
        .into_iter()
        .map(|line| NotificationJson {
            text: line.sentence(),
            group: line.group,
            kind: line.kind,
            url: line.url,
            at: line.at,
            count: line.count,
            unread: line.unread,
        })
        .collect();
    Ok(web::Json(NotificationsJson { unread, items }))
}

/// Which notifications to mark read.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct ReadBody {
    /// One group; all when absent.
    pub group: Option<String>,
}

/// How many were marked read.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReadJson {
    pub marked: usize,
}

/// Marks one group, or all, of the caller's notifications read.
#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "notifications", request_body = ReadBody,
    responses((status = 200, body = ReadJson)))]
pub async fn read(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    body: Option<web::Json<ReadBody>>,
) -> ApiResult<web::Json<ReadJson>> {
    let group = body.and_then(|b| b.into_inner().group);
    let marked = notify::mark_read(&state.db, &user, group).await?;
    Ok(web::Json(ReadJson { marked }))
}
