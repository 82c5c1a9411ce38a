//! Admin user management: invitations, roles, deactivation. Non-admins get 404.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::me::UserJson;
use crate::accounts::{self, AdminUserChange};
use crate::auth::identity::ApiAdmin;
use crate::domain::account::Role;
use crate::error::{ApiResult, AppError};
use crate::state::AppState;

/// Invite someone.
#[derive(Debug, Deserialize, ToSchema)]
pub struct InviteRequest {
    email: String,
    /// Defaults to `employee`.
    role: Option<Role>,
}

/// The invitation made.
#[derive(Debug, Serialize, ToSchema)]
pub struct InviteResponse {
    email: String,
    role: Role,
    /// The one-time registration link to send to the invitee.
    invitation_url: String,
}

/// Invites a person by email; answers the registration link.
#[utoipa::path(post, path = "/api/v1/admin/users", tag = "admin", request_body = InviteRequest,
    responses((status = 201, body = InviteResponse), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn invite(
    state: web::Data<AppState>,
    ApiAdmin(admin): ApiAdmin,
    body: web::Json<InviteRequest>,
) -> ApiResult<HttpResponse> {
    let InviteRequest { email, role } = body.into_inner();
    let role = role.unwrap_or(Role::Employee);
    let invitation_url = accounts::invite(&state.db, &state.mail, &admin, &email, role).await?;
    let email = email.trim().to_lowercase();
    Ok(HttpResponse::Created().json(InviteResponse { email, role, invitation_url }))
}

/// Changes a user's role or deactivates them (their sessions end at once).
#[utoipa::path(patch, path = "/api/v1/admin/users/{handle}", tag = "admin", request_body = AdminUserChange,
    params(("handle" = String, Path)),
    responses((status = 200, body = UserJson), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn update(
    state: web::Data<AppState>,
    ApiAdmin(admin): ApiAdmin,
    handle: web::Path<String>,
    body: web::Json<AdminUserChange>,
) -> ApiResult<web::Json<UserJson>> {
    let user = accounts::admin_update(&state.db, &admin, &handle, body.into_inner()).await?;
    Ok(web::Json(UserJson::load(&state, user, true).await?))
}

/// A skill alias.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AliasJson {
    /// What people may type, e.g. `k8s`.
    pub alias: String,
    /// The skill it stands for, e.g. `kubernetes`.
    pub skill: String,
}

/// Lists skill aliases.
#[utoipa::path(get, path = "/api/v1/admin/skill-aliases", tag = "admin", responses((status = 200, body = Vec<AliasJson>)))]
pub async fn aliases(
    state: web::Data<AppState>,
    ApiAdmin(_): ApiAdmin,
) -> ApiResult<web::Json<Vec<AliasJson>>> {
    let all = crate::people::aliases(&state.db).await?;
    Ok(web::Json(all.into_iter().map(|(alias, skill)| AliasJson { alias, skill }).collect()))
}

/// The skill an alias stands for.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AliasTarget {
    pub skill: String,
}

/// Makes an alias stand for a skill; everyone who declared the alias now holds the skill.
#[utoipa::path(put, path = "/api/v1/admin/skill-aliases/{alias}", tag = "admin", request_body = AliasTarget,
    params(("alias" = String, Path)),
    responses((status = 200, body = AliasJson), (status = 422, body = crate::error::ErrorBody)))]
pub async fn set_alias(
    state: web::Data<AppState>,
    ApiAdmin(admin): ApiAdmin,
    alias: web::Path<String>,
    body: web::Json<AliasTarget>,
) -> ApiResult<web::Json<AliasJson>> {
    let (alias, skill) = crate::people::set_alias(&state.db, &admin, &alias, &body.skill).await?;
    Ok(web::Json(AliasJson { alias, skill }))
}

/// Removes an alias.
#[utoipa::path(delete, path = "/api/v1/admin/skill-aliases/{alias}", tag = "admin", params(("alias" = String, Path)),
    responses((status = 204), (status = 404, body = crate::error::ErrorBody)))]
pub async fn remove_alias(
    state: web::Data<AppState>,
    ApiAdmin(_): ApiAdmin,
    alias: web::Path<String>,
) -> ApiResult<HttpResponse> {
    crate::people::remove_alias(&state.db, &alias).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Changes anyone's profile (admins); recorded in the audit log.
#[utoipa::path(patch, path = "/api/v1/admin/users/{handle}/profile", tag = "admin", request_body = super::me::ProfilePatch,
    params(("handle" = String, Path)),
    responses((status = 200, body = UserJson), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn update_profile(
    state: web::Data<AppState>,
    ApiAdmin(admin): ApiAdmin,
    handle: web::Path<String>,
    patch: web::Json<super::me::ProfilePatch>,
) -> ApiResult<web::Json<UserJson>> {
    let handle = handle.trim_start_matches('@').to_lowercase();
    let person = state
        .db
        .read(move |c| {
            crate::db::models::users::by_handle(c, &handle)?.ok_or(crate::error::AppError::NotFound)
        })
        .await?;
    Ok(web::Json(super::me::patch_profile(&state, admin.id, person, patch.into_inner()).await?))
}

/// One problem of an import.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportProblem {
    pub line: u64,
    pub message: String,
}

/// What an import did, or why it did nothing.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReport {
    pub created: usize,
    pub updated: usize,
    pub dry_run: bool,
    /// Nothing was imported when this is not empty.
    pub problems: Vec<ImportProblem>,
}

/// `?dry_run=true` checks without importing.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ImportParams {
    #[serde(default)]
    pub dry_run: bool,
}

/// The largest CSV an import takes (50,000 people fit in a few megabytes).
pub const MAX_IMPORT_BYTES: usize = 20 * 1024 * 1024;

/// Imports people from a CSV body (the columns of `agora import people`): every problem
/// is reported with its line, and only a clean file is imported, all rows or none.
#[utoipa::path(post, path = "/api/v1/admin/people/import", tag = "admin", params(ImportParams),
    request_body(content = String, content_type = "text/csv"),
    responses((status = 200, body = ImportReport), (status = 413, body = crate::error::ErrorBody), (status = 422, body = ImportReport)))]
pub async fn import_people(
    state: web::Data<AppState>,
    ApiAdmin(_): ApiAdmin,
    params: web::Query<ImportParams>,
    body: web::Payload,
) -> ApiResult<HttpResponse> {
    // A directory export is larger than other bodies: this route has its own limit.
    let body = body
        .to_bytes_limited(MAX_IMPORT_BYTES)
        .await
        .map_err(|_| AppError::PayloadTooLarge)?
        .map_err(|e| AppError::BadRequest(format!("the upload broke off: {e}")))?;
    let dry_run = params.dry_run;
    let report = crate::import::run(&state.db, body.to_vec(), dry_run).await?;
    let problems: Vec<ImportProblem> =
        report.problems.into_iter().map(|p| ImportProblem { line: p.line, message: p.message }).collect();
    let status = if problems.is_empty() {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok(HttpResponse::build(status).json(ImportReport {
        created: report.created,
        updated: report.updated,
        dry_run,
        problems,
    }))
}

/// Lists accounts, deactivated ones too, newest first (`q`: part of a name, handle or
/// email).
#[utoipa::path(get, path = "/api/v1/admin/users", tag = "admin", params(super::ListQuery),
    responses((status = 200, body = super::Listing<UserJson>)))]
pub async fn list(
    state: web::Data<AppState>,
    ApiAdmin(_): ApiAdmin,
    query: web::Query<super::ListQuery>,
) -> ApiResult<web::Json<super::Listing<UserJson>>> {
    let (limit, before, search) = (query.limit(), query.id_cursor()?, query.q.clone().unwrap_or_default());
    let found =
        state.db.read(move |c| Ok(crate::db::models::users::admin_list(c, &search, before, limit)?)).await?;
    let page = super::Listing::by_id(found, limit, |u| u.id);
    let items = page.items.into_iter().map(|u| UserJson::new(u, None, true)).collect();
    Ok(web::Json(super::Listing { items, next_cursor: page.next_cursor }))
}

/// The site settings in effect.
#[utoipa::path(get, path = "/api/v1/admin/settings", tag = "admin", responses((status = 200, body = crate::site::Editable)))]
pub async fn settings(
    state: web::Data<AppState>,
    ApiAdmin(_): ApiAdmin,
) -> ApiResult<web::Json<crate::site::Editable>> {
    Ok(web::Json(state.site.editable()))
}

/// Changes the site settings (all fields; every bad one is reported, nothing is saved).
#[utoipa::path(put, path = "/api/v1/admin/settings", tag = "admin", request_body = crate::site::Editable,
    responses((status = 200, body = crate::site::Editable), (status = 422, body = crate::error::ErrorBody)))]
pub async fn save_settings(
    state: web::Data<AppState>,
    ApiAdmin(admin): ApiAdmin,
    body: web::Json<crate::site::Editable>,
) -> ApiResult<web::Json<crate::site::Editable>> {
    state.site.save(&state.db, admin.id, body.into_inner()).await?;
    Ok(web::Json(state.site.editable()))
}
