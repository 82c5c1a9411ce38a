//! Sign-in, registration and settings pages.

use askama::Template;

use super::PageCtx;
use crate::accounts::ProfileInput;
use crate::db::models::tokens::ApiToken;
use crate::error::FieldErrors;

/// `/login`.
#[derive(Template)]
#[template(path = "account/login.html")]
pub struct LoginPage {
    pub ctx: PageCtx,
    pub email: String,
    pub next: String,
    pub errors: FieldErrors,
}

/// What the registration form re-renders with (never the password).
#[derive(Debug, Default, Clone)]
pub struct RegisterValues {
    pub email: String,
    pub handle: String,
    pub name: String,
    pub invite: String,
}

/// `/register`.
#[derive(Template)]
#[template(path = "account/register.html")]
pub struct RegisterPage {
    pub ctx: PageCtx,
    pub form: RegisterValues,
    pub errors: FieldErrors,
    /// Domains anyone may register with (shown as a hint).
    pub open_domains: Vec<String>,
}

/// `/settings`.
#[derive(Template)]
#[template(path = "account/settings.html")]
pub struct SettingsPage {
    pub ctx: PageCtx,
    pub profile: ProfileInput,
    pub tokens: Vec<ApiToken>,
    /// A token just created: shown once, never stored in clear.
    pub new_token: Option<String>,
    pub errors: FieldErrors,
}
