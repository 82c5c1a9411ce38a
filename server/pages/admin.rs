//! Admin pages: the overview and user administration.

use askama::Template;

use super::PageCtx;
use crate::db::models::users::User;
use crate::domain::account::Role;

/// `/admin`.
#[derive(Template)]
#[template(path = "admin/home.html")]
pub struct AdminHome {
    pub ctx: PageCtx,
    /// Items waiting in the moderation queue.
    pub waiting: usize,
}

/// `/admin/users`.
#[derive(Template)]
#[template(path = "admin/users.html")]
pub struct UsersPage {
    pub ctx: PageCtx,
    pub q: String,
    pub users: Vec<User>,
    pub next: Option<i64>,
}

impl UsersPage {
    /// Every role, for the role selects.
    pub fn roles(&self) -> [Role; 3] {
        [Role::Employee, Role::Executive, Role::Admin]
    }
}
