//! `GET /api/v1/me`, `PATCH /api/v1/me/profile` and skill endorsements.

use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::identity::ApiUser;
use crate::db::models::users::{self, User};
use crate::domain::account::Role;
use crate::error::ApiResult;
use crate::state::AppState;

/// A user as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserJson {
    pub handle: String,
    pub name: String,
    pub title: String,
    pub department: String,
    pub location: String,
    /// The manager's handle.
    pub manager: Option<String>,
    pub bio: String,
    pub role: Role,
    /// Only shown to the user themself and to admins.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub active: bool,
    /// Declared skills, most endorsed first.
    pub skills: Vec<super::search::SkillJson>,
}

impl UserJson {
    /// The public view of `user`, with the manager's handle resolved by the caller.
    pub fn new(user: User, manager: Option<String>, show_email: bool) -> Self {
        let role = user.role();
        Self {
            email: show_email.then_some(user.email),
            handle: user.handle,
            name: user.name,
            title: user.title,
            department: user.department,
            location: user.location,
            manager,
            bio: user.bio,
            role,
            active: user.is_active,
            skills: Vec::new(),
        }
    }

    /// Loads the manager's handle and builds the view.
    pub async fn load(state: &AppState, user: User, show_email: bool) -> ApiResult<Self> {
        let manager_id = user.manager_id;
        let manager = match manager_id {
            Some(id) => state.db.read(move |c| Ok(users::find(c, id)?.map(|m| m.handle))).await?,
            None => None,
        };
        let skills = crate::people::skills_of(&state.db, user.id).await?;
        let mut json = Self::new(user, manager, show_email);
        json.skills = skills
            .into_iter()
            .map(|(name, endorsements)| super::search::SkillJson { name, endorsements })
            .collect();
        Ok(json)
    }
}

/// The caller's own account.
#[utoipa::path(get, path = "/api/v1/me", tag = "people",
    responses((status = 200, body = UserJson), (status = 401, body = crate::error::ErrorBody)))]
pub async fn show(state: web::Data<AppState>, ApiUser(user): ApiUser) -> ApiResult<web::Json<UserJson>> {
    Ok(web::Json(UserJson::load(&state, user, true).await?))
}

/// Profile fields to change; those left out keep their value.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ProfilePatch {
    pub name: Option<String>,
    pub title: Option<String>,
    pub department: Option<String>,
    pub location: Option<String>,
    pub bio: Option<String>,
    /// Replaces the list (at most 50, each under 50 characters).
    pub skills: Option<Vec<String>>,
    /// The manager's handle; `""` for none.
    pub manager: Option<String>,
}

/// Changes the caller's profile.
#[utoipa::path(patch, path = "/api/v1/me/profile", tag = "people", request_body = ProfilePatch,
    responses((status = 200, body = UserJson), (status = 422, body = crate::error::ErrorBody)))]
pub async fn update_profile(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    patch: web::Json<ProfilePatch>,
) -> ApiResult<web::Json<UserJson>> {
    let editor = user.id;
    Ok(web::Json(patch_profile(&state, editor, user, patch.into_inner()).await?))
}

/// Applies a patch to a person's profile (fields left out keep their value).
pub async fn patch_profile(
    state: &AppState,
    editor: i64,
    person: User,
    patch: ProfilePatch,
) -> ApiResult<UserJson> {
    let current = crate::people::profile_input(&state.db, &person).await?;
    let input = crate::accounts::ProfileInput {
        name: patch.name.unwrap_or(current.name),
        title: patch.title.unwrap_or(current.title),
        department: patch.department.unwrap_or(current.department),
        location: patch.location.unwrap_or(current.location),
        bio: patch.bio.unwrap_or(current.bio),
        skills: patch.skills.map_or(current.skills, |list| list.join(",")),
        manager: patch.manager.unwrap_or(current.manager),
    };
    crate::accounts::update_profile(&state.db, editor, person.id, input).await?;
    let id = person.id;
    let fresh = state.db.read(move |c| users::find(c, id)?.ok_or(crate::error::AppError::NotFound)).await?;
    UserJson::load(state, fresh, true).await
}

/// Endorses (PUT) or withdraws an endorsement of (DELETE) a colleague's declared skill.
#[utoipa::path(method(put, delete), path = "/api/v1/users/{handle}/skills/{skill}/endorsement", tag = "people",
    params(("handle" = String, Path), ("skill" = String, Path)),
    responses((status = 204), (status = 404, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody)))]
pub async fn endorse(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (handle, skill) = path.into_inner();
    let on = req.method() == actix_web::http::Method::PUT;
    crate::people::endorse(&state.db, &user, &handle, &skill, on).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A colleague's profile (active people only).
#[utoipa::path(get, path = "/api/v1/users/{handle}", tag = "people", params(("handle" = String, Path)),
    responses((status = 200, body = UserJson), (status = 404, body = crate::error::ErrorBody)))]
pub async fn user(
    state: web::Data<AppState>,
    ApiUser(viewer): ApiUser,
    handle: web::Path<String>,
) -> ApiResult<web::Json<UserJson>> {
    let handle = handle.trim_start_matches('@').to_lowercase();
    let person = state
        .db
        .read(move |c| {
            users::by_handle(c, &handle)?.filter(|u| u.is_active).ok_or(crate::error::AppError::NotFound)
        })
        .await?;
    let show_email = viewer.actor().admin || viewer.id == person.id;
    Ok(web::Json(UserJson::load(&state, person, show_email).await?))
}
