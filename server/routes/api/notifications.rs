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

/// How the caller's notifications are mailed: each kind's mode.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct NotificationSettingsJson {
    /// Kind (`mention`, `reply`, `decision`, `idea_state`, `join_request`, `membership`,
    /// `badge`) → `instant`, `digest` or `off`. A PUT may name only the kinds it changes.
    pub email: std::collections::BTreeMap<String, String>,
    /// The hour (UTC) the daily digest goes out (read only).
    #[serde(default)]
    pub digest_hour: u32,
}

async fn notification_settings_of(state: &AppState, user_id: i64) -> ApiResult<NotificationSettingsJson> {
    let modes = crate::mail::preferences::modes(&state.db, user_id).await?;
    Ok(NotificationSettingsJson {
        email: modes.into_iter().map(|(k, m)| (k.as_str().to_owned(), m.as_str().to_owned())).collect(),
        digest_hour: state.site.current().digest_hour,
    })
}

/// The caller's email settings.
#[utoipa::path(get, path = "/api/v1/me/notification-settings", tag = "notifications", responses((status = 200, body = NotificationSettingsJson)))]
pub async fn settings(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
) -> ApiResult<web::Json<NotificationSettingsJson>> {
    Ok(web::Json(notification_settings_of(&state, user.id).await?))
}

/// Changes the caller's email settings; unknown kinds and modes are refused, nothing saved.
#[utoipa::path(put, path = "/api/v1/me/notification-settings", tag = "notifications", request_body = NotificationSettingsJson,
    responses((status = 200, body = NotificationSettingsJson), (status = 422, body = crate::error::ErrorBody)))]
pub async fn save_settings(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    body: web::Json<NotificationSettingsJson>,
) -> ApiResult<web::Json<NotificationSettingsJson>> {
    let changes =
        crate::mail::preferences::parse_changes(body.email.iter().map(|(k, v)| (k.as_str(), v.as_str())))?;
    crate::mail::preferences::save(&state.db, user.id, changes).await?;
    Ok(web::Json(notification_settings_of(&state, user.id).await?))
}
