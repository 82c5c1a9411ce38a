//! `/settings`: profile basics, password, personal access tokens.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::accounts::{self, ProfileInput};
use crate::auth::csrf::CsrfForm;
use crate::db::models::tokens;
use crate::db::models::users::User;
use crate::error::{AppError, FieldErrors};
use crate::mail::preferences;
use crate::pages::account::{EmailRow, SettingsPage};
use crate::pages::{PageCtx, PageError, SignedIn, flash, render, render_rejected, see_other};
use crate::state::AppState;

type PageResult = Result<HttpResponse, PageError>;

/// How the settings page is being shown.
enum Outcome {
    /// Plainly.
    Shown,
    /// With a token just created: shown once, never stored in clear.
    NewToken(String),
    /// After a form was rejected; messages that belong to no field go beside the given one.
    Rejected(AppError, &'static str),
    /// After a token's name was refused, keeping the name as typed.
    RejectedToken(AppError, String),
}

/// Renders the settings page with its token list.
async fn page(
    state: &AppState,
    ctx: PageCtx,
    user: &User,
    profile: ProfileInput,
    outcome: Outcome,
) -> PageResult {
    let user_id = user.id;
    let tokens = state.db.read(move |c| Ok(tokens::list(c, user_id)?)).await?;
    let email = EmailRow::all(&preferences::modes(&state.db, user_id).await?);
    let digest_hour = state.site.current().digest_hour;
    let page = |new_token, errors, token_name| SettingsPage {
        ctx,
        profile,
        tokens,
        new_token,
        token_name,
        errors,
        email,
        digest_hour,
    };
    match outcome {
        Outcome::Shown => render(StatusCode::OK, &page(None, FieldErrors::new(), String::new())),
        Outcome::NewToken(token) => {
            render(StatusCode::OK, &page(Some(token), FieldErrors::new(), String::new()))
        }
        Outcome::Rejected(error, field) => {
            render_rejected(&error, &page(None, error.messages_for(field), String::new()))
        }
        Outcome::RejectedToken(error, typed) => {
            render_rejected(&error, &page(None, error.messages_for("token_name"), typed))
        }
    }
}

/// GET /settings
pub async fn show(state: web::Data<AppState>, SignedIn(user, ctx): SignedIn) -> PageResult {
    let profile = crate::people::profile_input(&state.db, &user).await?;
    page(&state, ctx, &user, profile, Outcome::Shown).await
}

/// POST /settings/profile
pub async fn save_profile(
    req: HttpRequest,
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    CsrfForm(profile): CsrfForm<ProfileInput>,
) -> PageResult {
    let submitted = profile.clone();
    match accounts::update_profile(&state.db, user.id, user.id, profile).await {
        Ok(()) => {
            flash(&req, "Profile saved.");
            Ok(see_other("/settings"))
        }
        Err(error @ AppError::Invalid { .. }) => {
            page(&state, ctx, &user, submitted, Outcome::Rejected(error, "name")).await
        }
        Err(other) => Err(other.into()),
    }
}

/// The password form.
#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
}

/// POST /settings/password: every other session of the user ends.
pub async fn change_password(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    SignedIn(user, ctx): SignedIn,
    CsrfForm(form): CsrfForm<PasswordForm>,
) -> PageResult {
    let address = crate::auth::identity::client_address(&req);
    let this_sign_in = crate::auth::session_store::sign_in_of(&session);
    let result = accounts::change_password(
        &state.db,
        &state.settings,
        &user,
        (&form.current_password, &form.new_password),
        &address,
        this_sign_in,
    )
    .await;
    match result {
        Ok(()) => {
            // The user's session rows are gone; this browser continues under a new key.
            session.renew();
            flash(&req, "Password changed. Other devices have been signed out.");
            Ok(see_other("/settings"))
        }
        Err(error @ (AppError::Invalid { .. } | AppError::RateLimited { .. })) => {
            page(
                &state,
                ctx,
                &user,
                crate::people::profile_input(&state.db, &user).await?,
                Outcome::Rejected(error, "current_password"),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

/// The new-token form.
#[derive(Deserialize)]
pub struct TokenForm {
    token_name: String,
}

/// POST /settings/tokens: answers with the page showing the token once (no redirect, so
/// the secret never has to be kept anywhere to survive one).
pub async fn create_token(
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    CsrfForm(form): CsrfForm<TokenForm>,
) -> PageResult {
    match accounts::create_token(&state.db, user.id, form.token_name.clone()).await {
        Ok((_, secret)) => {
            page(
                &state,
                ctx,
                &user,
                crate::people::profile_input(&state.db, &user).await?,
                Outcome::NewToken(secret),
            )
            .await
        }
        Err(AppError::Invalid { message, .. }) => {
            let error = AppError::field("token_name", message);
            page(
                &state,
                ctx,
                &user,
                crate::people::profile_input(&state.db, &user).await?,
                Outcome::RejectedToken(error, form.token_name),
            )
            .await
        }
        Err(other) => Err(other.into()),
    }
}

/// POST /settings/tokens/{id}/revoke
pub async fn revoke_token(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    SignedIn(user, _): SignedIn,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> PageResult {
    accounts::revoke_token(&state.db, user.id, path.into_inner()).await?;
    flash(&req, "Token revoked. Scripts using it can no longer sign in.");
    Ok(see_other("/settings"))
}

/// POST /settings/email: each kind's mode, as radio buttons named after the kind.
pub async fn save_email(
    req: HttpRequest,
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    CsrfForm(form): CsrfForm<std::collections::BTreeMap<String, String>>,
) -> PageResult {
    let submitted = form.iter().filter(|(k, _)| k.as_str() != crate::auth::csrf::FORM_FIELD);
    let saved = match preferences::parse_changes(submitted.map(|(k, v)| (k.as_str(), v.as_str()))) {
        Ok(changes) => preferences::save(&state.db, user.id, changes).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(()) => {
            flash(&req, "Email settings saved.");
            Ok(see_other("/settings#email"))
        }
        Err(error @ AppError::Invalid { .. }) => {
            let profile = crate::people::profile_input(&state.db, &user).await?;
            page(&state, ctx, &user, profile, Outcome::Rejected(error, "email")).await
        }
        Err(other) => Err(other.into()),
    }
}
