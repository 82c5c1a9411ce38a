//! `/api/v1/communities`: directory, create, join/leave, members, requests, roles, archive.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ListQuery, Listing};
use crate::auth::identity::ApiUser;
use crate::communities::{self, CommunityInput, Located};
use crate::db::models::communities::Community;
use crate::domain::community::{MemberRole, MemberState, Membership, Visibility};
use crate::error::{ApiResult, AppError};
use crate::state::AppState;

/// A community as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommunityJson {
    pub slug: String,
    pub name: String,
    pub description: String,
    /// The description rendered and sanitized.
    pub description_html: String,
    pub visibility: Visibility,
    pub member_count: i32,
    /// The viewer's role, if a member.
    pub role: Option<MemberRole>,
    /// The viewer's membership: `active`, `pending` (asked to join), `invited`, or null.
    pub membership: Option<String>,
    pub archived: bool,
}

impl CommunityJson {
    /// Builds the view from a community and the viewer's membership.
    pub fn new(community: Community, membership: Option<Membership>) -> Self {
        let visibility = community.visibility();
        let archived = community.archived();
        Self {
            slug: community.slug,
            name: community.name,
            description: community.description,
            description_html: community.description_html,
            visibility,
            member_count: community.member_count,
            role: membership.filter(|m| m.state == MemberState::Active).map(|m| m.role),
            membership: membership.map(|m| m.state.as_str().to_owned()),
            archived,
        }
    }

    fn located(located: Located) -> Self {
        Self::new(located.community, located.place.membership)
    }
}

fn directory_cursor(raw: Option<&str>) -> Result<Option<(i32, i64)>, AppError> {
    raw.map(|c| {
        c.split_once('.')
            .and_then(|(count, id)| Some((count.parse().ok()?, id.parse().ok()?)))
            .ok_or_else(|| AppError::BadRequest("invalid cursor".into()))
    })
    .transpose()
}

/// The directory: communities the caller may discover, most members first.
#[utoipa::path(get, path = "/api/v1/communities", tag = "communities", params(ListQuery),
    responses((status = 200, body = Listing<CommunityJson>)))]
pub async fn list(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    query: web::Query<ListQuery>,
) -> ApiResult<web::Json<Listing<CommunityJson>>> {
    let limit = query.limit();
    let after = directory_cursor(query.cursor.as_deref())?;
    let rows = communities::directory(&state.db, &user, query.q.clone(), after, limit).await?;
    let next = (rows.len() as i64 == limit)
        .then(|| rows.last().map(|(c, _)| format!("{}.{}", c.member_count, c.id)))
        .flatten();
    let items = rows.into_iter().map(|(c, m)| CommunityJson::new(c, m)).collect();
    Ok(web::Json(Listing { items, next_cursor: next }))
}

/// Creates a community; the caller becomes its owner.
#[utoipa::path(post, path = "/api/v1/communities", tag = "communities", request_body = CommunityInput,
    responses((status = 201, body = CommunityJson), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    body: web::Json<CommunityInput>,
) -> ApiResult<HttpResponse> {
    let community = communities::create(&state.db, &state.settings, &user, body.into_inner()).await?;
    let membership = Some(Membership { role: MemberRole::Owner, state: MemberState::Active });
    Ok(HttpResponse::Created().json(CommunityJson::new(community, membership)))
}

/// One community.
#[utoipa::path(get, path = "/api/v1/communities/{slug}", tag = "communities", params(("slug" = String, Path)),
    responses((status = 200, body = CommunityJson), (status = 404, body = crate::error::ErrorBody)))]
pub async fn show(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    slug: web::Path<String>,
) -> ApiResult<web::Json<CommunityJson>> {
    Ok(web::Json(CommunityJson::located(communities::view(&state.db, &user, &slug).await?)))
}

/// Where the caller's membership stands after joining.
#[derive(Debug, Serialize, ToSchema)]
pub struct JoinJson {
    /// `active` (joined) or `pending` (waiting for a moderator).
    pub membership: String,
}

/// Joins an open community, asks to join a restricted one, or accepts an invitation.
#[utoipa::path(post, path = "/api/v1/communities/{slug}/join", tag = "communities", params(("slug" = String, Path)),
    responses((status = 200, body = JoinJson), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn join(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    slug: web::Path<String>,
) -> ApiResult<web::Json<JoinJson>> {
    let membership = communities::join(&state.db, &user, &slug).await?;
    Ok(web::Json(JoinJson { membership: membership.as_str().to_owned() }))
}

/// Leaves (or withdraws a request, or declines an invitation). The last owner cannot leave.
#[utoipa::path(post, path = "/api/v1/communities/{slug}/leave", tag = "communities", params(("slug" = String, Path)),
    responses((status = 204), (status = 409, body = crate::error::ErrorBody)))]
pub async fn leave(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    slug: web::Path<String>,
) -> ApiResult<HttpResponse> {
    communities::leave(&state.db, &user, &slug).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `?state=` on the members list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct MembersQuery {
    /// `active` (default), or for moderators `pending` (requests) and `invited`.
    state: Option<String>,
}

/// A member as the API lists them.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberJson {
    pub handle: String,
    pub name: String,
    pub title: String,
    pub role: MemberRole,
}

/// Members, requests or invitations.
#[utoipa::path(get, path = "/api/v1/communities/{slug}/members", tag = "communities", params(("slug" = String, Path), MembersQuery),
    responses((status = 200, body = Listing<MemberJson>)))]
pub async fn members(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    slug: web::Path<String>,
    query: web::Query<MembersQuery>,
) -> ApiResult<web::Json<Listing<MemberJson>>> {
    let wanted = MemberState::parse(query.state.as_deref().unwrap_or("active"))
        .map_err(|e| AppError::field("state", e))?;
    let (_, members) = communities::members(&state.db, &user, &slug, wanted).await?;
    let items = members
        .into_iter()
        .map(|(u, role)| MemberJson { handle: u.handle, name: u.name, title: u.title, role })
        .collect();
    Ok(web::Json(Listing { items, next_cursor: None }))
}

/// Approves a request to join (moderators).
#[utoipa::path(post, path = "/api/v1/communities/{slug}/members/{handle}/approve", tag = "communities",
    params(("slug" = String, Path), ("handle" = String, Path)), responses((status = 204), (status = 409, body = crate::error::ErrorBody)))]
pub async fn approve(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (slug, handle) = path.into_inner();
    communities::decide_request(&state.db, &user, &slug, &handle, true).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Denies a request to join (moderators).
#[utoipa::path(post, path = "/api/v1/communities/{slug}/members/{handle}/deny", tag = "communities",
    params(("slug" = String, Path), ("handle" = String, Path)), responses((status = 204), (status = 409, body = crate::error::ErrorBody)))]
pub async fn deny(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (slug, handle) = path.into_inner();
    communities::decide_request(&state.db, &user, &slug, &handle, false).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Removes a member or withdraws an invitation (moderators; owners for owners).
#[utoipa::path(delete, path = "/api/v1/communities/{slug}/members/{handle}", tag = "communities",
    params(("slug" = String, Path), ("handle" = String, Path)), responses((status = 204), (status = 409, body = crate::error::ErrorBody)))]
pub async fn remove(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (slug, handle) = path.into_inner();
    communities::remove(&state.db, &user, &slug, &handle).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Invites someone (moderators); they become a member when they join.
#[utoipa::path(post, path = "/api/v1/communities/{slug}/members/{handle}/invite", tag = "communities",
    params(("slug" = String, Path), ("handle" = String, Path)), responses((status = 204), (status = 409, body = crate::error::ErrorBody)))]
pub async fn invite(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (slug, handle) = path.into_inner();
    communities::invite(&state.db, &user, &slug, &handle).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A new role.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RoleJson {
    pub role: MemberRole,
}

/// Changes a member's role (moderators; owners for the owner role).
#[utoipa::path(put, path = "/api/v1/communities/{slug}/members/{handle}/role", tag = "communities", request_body = RoleJson,
    params(("slug" = String, Path), ("handle" = String, Path)), responses((status = 204), (status = 409, body = crate::error::ErrorBody)))]
pub async fn set_role(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    path: web::Path<(String, String)>,
    body: web::Json<RoleJson>,
) -> ApiResult<HttpResponse> {
    let (slug, handle) = path.into_inner();
    communities::set_role(&state.db, &user, &slug, &handle, body.role).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Archives a community (owners and admins): read-only from then on.
#[utoipa::path(post, path = "/api/v1/communities/{slug}/archive", tag = "communities", params(("slug" = String, Path)),
    responses((status = 204), (status = 403, body = crate::error::ErrorBody)))]
pub async fn archive(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    slug: web::Path<String>,
) -> ApiResult<HttpResponse> {
    communities::archive(&state.db, &user, &slug).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Who receives a community.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TransferJson {
    /// A member's handle.
    pub handle: String,
}

/// Hands a community to a member (owners and admins); an owner who hands it over stays on
/// as a moderator.
#[utoipa::path(post, path = "/api/v1/communities/{slug}/transfer", tag = "communities", params(("slug" = String, Path)),
    request_body = TransferJson, responses((status = 204), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn transfer(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    slug: web::Path<String>,
    body: web::Json<TransferJson>,
) -> ApiResult<HttpResponse> {
    communities::transfer(&state.db, &user, &slug, &body.handle).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A change of who may see a community.
#[derive(Debug, Deserialize, ToSchema)]
pub struct VisibilityJson {
    pub visibility: Visibility,
    /// Required to open a private community (everything in it becomes visible).
    #[serde(default)]
    pub confirm: bool,
}

/// Changes a community's visibility (owners and admins).
#[utoipa::path(put, path = "/api/v1/communities/{slug}/visibility", tag = "communities", params(("slug" = String, Path)),
    request_body = VisibilityJson, responses((status = 204), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn set_visibility(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    slug: web::Path<String>,
    body: web::Json<VisibilityJson>,
) -> ApiResult<HttpResponse> {
    communities::set_visibility(&state.db, &user, &slug, body.visibility, body.confirm).await?;
    Ok(HttpResponse::NoContent().finish())
}
