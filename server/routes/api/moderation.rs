//! `/api/v1/reports`, `/api/v1/moderation/*` and `/api/v1/admin/audit`.

use actix_web::{HttpResponse, web};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::identity::{ApiAdmin, ApiUser};
use crate::db::models::audit::{self, AuditQuery};
use crate::db::models::users;
use crate::error::{ApiResult, AppError};
use crate::moderation::actions::{self, ActionInput, Outcome};
use crate::moderation::{self as moderation, ReportInput, queue};
use crate::state::AppState;

/// Whether the report was filed now (`false`: the caller had reported this already).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportJson {
    pub created: bool,
}

/// Reports a post, comment or idea to its moderators.
#[utoipa::path(post, path = "/api/v1/reports", tag = "moderation", request_body = ReportInput,
    responses((status = 201, body = ReportJson), (status = 200, body = ReportJson, description = "reported already"),
        (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn report(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    body: web::Json<ReportInput>,
) -> ApiResult<HttpResponse> {
    let created = moderation::report(&state.db, &state.site.current(), &user, body.into_inner()).await?;
    let mut response = if created { HttpResponse::Created() } else { HttpResponse::Ok() };
    Ok(response.json(ReportJson { created }))
}

/// How many reports gave a reason.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReasonCount {
    pub reason: crate::domain::moderation::ReportReason,
    pub count: usize,
}

/// An item in the moderation queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueItemJson {
    pub target_type: crate::domain::moderation::TargetType,
    pub target_id: i64,
    /// The post's title (for a comment, its post's), or the idea's.
    pub title: String,
    pub body: String,
    pub url: String,
    /// The community's slug (none for ideas outside communities).
    pub community: Option<String>,
    /// The author's handle.
    pub author: Option<String>,
    pub hidden: bool,
    pub reports: usize,
    pub reasons: Vec<ReasonCount>,
    pub notes: Vec<String>,
    pub reporters: Vec<queue::Reporter>,
    pub first_reported_at: NaiveDateTime,
    pub last_reported_at: NaiveDateTime,
}

/// Items with open reports where the caller moderates, most reported first.
#[utoipa::path(get, path = "/api/v1/moderation/queue", tag = "moderation", responses((status = 200, body = Vec<QueueItemJson>)))]
pub async fn queue(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
) -> ApiResult<web::Json<Vec<QueueItemJson>>> {
    let entries = queue::open(&state.db, &user).await?;
    Ok(web::Json(
        entries
            .into_iter()
            .map(|e| QueueItemJson {
                target_type: e.item.target,
                target_id: e.item.id,
                hidden: e.item.hidden(),
                title: e.item.title,
                body: e.item.body,
                url: e.item.url,
                community: e.community.map(|(slug, _)| slug),
                author: e.author.map(|(handle, _)| handle),
                reports: e.reports,
                reasons: e.reasons.into_iter().map(|(reason, count)| ReasonCount { reason, count }).collect(),
                notes: e.notes,
                reporters: e.reporters,
                first_reported_at: e.first_at,
                last_reported_at: e.last_at,
            })
            .collect(),
    ))
}

/// Takes a moderation action on an item; its open reports are settled and the action
/// is written to the audit log.
#[utoipa::path(post, path = "/api/v1/moderation/actions", tag = "moderation", request_body = ActionInput,
    responses((status = 200, body = Outcome), (status = 403, body = crate::error::ErrorBody), (status = 404, body = crate::error::ErrorBody),
        (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn act(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    body: web::Json<ActionInput>,
) -> ApiResult<web::Json<Outcome>> {
    Ok(web::Json(actions::act(&state.db, &user, body.into_inner()).await?))
}

/// Filters of the audit log.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AuditParams {
    /// Who acted (handle).
    actor: Option<String>,
    /// An action (`post.hidden`) or a family ending in `.` (`user.`).
    action: Option<String>,
    target_type: Option<String>,
    /// A community's slug.
    community: Option<String>,
    /// `next_cursor` of the previous page.
    cursor: Option<String>,
    /// At most 100 (default 50).
    limit: Option<i64>,
}

/// An audit entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditJson {
    pub id: i64,
    /// Who acted (handle); none for the system (automatic hiding).
    pub actor: Option<String>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<i64>,
    pub community: Option<String>,
    /// The reason and other details, as recorded.
    pub details: serde_json::Value,
    pub at: NaiveDateTime,
}

/// The audit log (admins), newest first.
#[utoipa::path(get, path = "/api/v1/admin/audit", tag = "admin", params(AuditParams), responses((status = 200, body = super::Listing<AuditJson>)))]
pub async fn audit(
    state: web::Data<AppState>,
    ApiAdmin(_): ApiAdmin,
    params: web::Query<AuditParams>,
) -> ApiResult<web::Json<super::Listing<AuditJson>>> {
    let params = params.into_inner();
    let limit = params.limit.unwrap_or(50).clamp(1, 100);
    let query = resolve_filters(&state, params, limit).await?;
    let entries = state.db.read(move |c| Ok(audit::list(c, &query)?)).await?;
    let page = super::Listing::by_id(entries, limit, |e| e.id);
    let items = page
        .items
        .into_iter()
        .map(|e| AuditJson {
            id: e.id,
            actor: e.actor.map(|(handle, _)| handle),
            action: e.action,
            target_type: e.target_type,
            target_id: e.target_id,
            community: e.community.map(|(slug, _)| slug),
            details: serde_json::from_str(&e.details).unwrap_or_default(),
            at: e.created_at,
        })
        .collect();
    Ok(web::Json(super::Listing { items, next_cursor: page.next_cursor }))
}

/// Turns handles and slugs into ids; an unknown one is a 422, not an empty page.
async fn resolve_filters(state: &AppState, params: AuditParams, limit: i64) -> Result<AuditQuery, AppError> {
    state
        .db
        .read(move |c| {
            let actor_id = match params.actor.as_deref() {
                Some(handle) => Some(
                    users::by_handle(c, &handle.to_lowercase())?
                        .ok_or_else(|| AppError::field("actor", "no one has this handle"))?
                        .id,
                ),
                None => None,
            };
            let community_id = match params.community.as_deref() {
                Some(slug) => Some(
                    crate::db::models::communities::by_slug(c, &slug.to_lowercase())?
                        .ok_or_else(|| AppError::field("community", "no community has this address"))?
                        .id,
                ),
                None => None,
            };
            Ok(AuditQuery {
                actor_id,
                action: params.action,
                target_type: params.target_type,
                community_id,
                before: super::id_cursor(params.cursor.as_deref())?,
                limit,
            })
        })
        .await
}
