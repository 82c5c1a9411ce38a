//! `GET /api/v1/me`.

use actix_web::web;
use serde::Serialize;
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
        }
    }

    /// Loads the manager's handle and builds the view.
    pub async fn load(state: &AppState, user: User, show_email: bool) -> ApiResult<Self> {
        let manager_id = user.manager_id;
        let manager = match manager_id {
            Some(id) => state.db.read(move |c| Ok(users::find(c, id)?.map(|m| m.handle))).await?,
            None => None,
        };
        Ok(Self::new(user, manager, show_email))
    }
}

/// The caller's own account.
#[utoipa::path(get, path = "/api/v1/me", tag = "people",
    responses((status = 200, body = UserJson), (status = 401, body = crate::error::ErrorBody)))]
pub async fn show(state: web::Data<AppState>, ApiUser(user): ApiUser) -> ApiResult<web::Json<UserJson>> {
    Ok(web::Json(UserJson::load(&state, user, true).await?))
}
