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
    /// The new-token form's name as typed (kept when it was refused).
    pub token_name: String,
    pub errors: FieldErrors,
    /// How each kind of notification is mailed.
    pub email: Vec<EmailRow>,
    /// The hour (UTC) the digest goes out.
    pub digest_hour: u32,
}

/// One kind of notification on the email settings form.
pub struct EmailRow {
    pub kind: &'static str,
    pub label: &'static str,
    /// (value, label, chosen) for each mode.
    pub options: Vec<(&'static str, &'static str, bool)>,
}

impl EmailRow {
    /// The rows for a person's modes.
    pub fn all(modes: &[(crate::notify::Kind, crate::mail::preferences::Mode)]) -> Vec<Self> {
        modes
            .iter()
            .map(|(kind, mode)| EmailRow {
                kind: kind.as_str(),
                label: kind.label(),
                options: crate::mail::preferences::Mode::ALL
                    .into_iter()
                    .map(|m| (m.as_str(), m.label(), m == *mode))
                    .collect(),
            })
            .collect()
    }
}

/// Where the password reset flow is.
pub enum ResetStage {
    /// Asking for the address.
    Ask,
    /// The link was sent (if the address has an account).
    Sent,
    /// Choosing the new password with a valid link.
    Choose { token: String },
    /// The link cannot be used.
    Unusable,
}

/// `/reset` and `/reset/<token>`.
#[derive(Template)]
#[template(path = "account/reset.html")]
pub struct ResetPage {
    pub ctx: PageCtx,
    pub stage: ResetStage,
    pub email: String,
    pub errors: FieldErrors,
    pub minutes: i64,
}
