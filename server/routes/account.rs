//! Sign in, sign out, register.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::accounts::{self, RegistrationInput};
use crate::auth::csrf::CsrfForm;
use crate::auth::session_store::{SIGN_IN_KEY, USER_ID_KEY};
use crate::db::models::users::User;
use crate::error::{AppError, FieldErrors};
use crate::pages::account::{LoginPage, RegisterPage, RegisterValues, ResetPage, ResetStage};
use crate::pages::{Page, PageError, flash, local_path, render, render_rejected, see_other};
use crate::password_reset;
use crate::state::AppState;

type PageResult = Result<HttpResponse, PageError>;

/// `?next=` on the sign-in page.
#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// The sign-in form.
#[derive(Deserialize)]
pub struct LoginForm {
    email: String,
    password: String,
    next: Option<String>,
}

/// GET /login
pub async fn login_form(Page(ctx): Page, query: web::Query<NextQuery>) -> PageResult {
    let next = local_path(query.next.as_deref());
    if ctx.user.is_some() {
        return Ok(see_other(&next));
    }
    render(StatusCode::OK, &LoginPage { ctx, email: String::new(), next, errors: FieldErrors::new() })
}

/// POST /login
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    Page(ctx): Page,
    CsrfForm(form): CsrfForm<LoginForm>,
) -> PageResult {
    let address = crate::auth::identity::client_address(&req);
    let next = local_path(form.next.as_deref());
    match accounts::login(&state.db, &state.site.current(), &form.email, &form.password, &address).await {
        Ok(user) => {
            sign_in(&session, &user)?;
            Ok(see_other(&next))
        }
        Err(error @ (AppError::Invalid { .. } | AppError::RateLimited { .. })) => {
            let errors = error.messages_for("email");
            render_rejected(&error, &LoginPage { ctx, email: form.email, next, errors })
        }
        Err(other) => Err(other.into()),
    }
}

/// Starts a signed-in session under a new key (no session fixation) with a new CSRF token.
pub fn sign_in(session: &Session, user: &User) -> Result<(), PageError> {
    session.renew();
    session.remove("csrf");
    let sign_in = hex::encode(crate::auth::secrets::random_bytes::<16>());
    session
        .insert(USER_ID_KEY, user.id)
        .and_then(|()| session.insert(SIGN_IN_KEY, sign_in))
        .map_err(|e| AppError::Internal(anyhow::anyhow!("session insert: {e}")))?;
    Ok(())
}

/// POST /logout: deletes the session row, so the old cookie is worthless at once, and
/// closes the websockets opened with it (on every node).
pub async fn logout(
    state: web::Data<AppState>,
    session: Session,
    CsrfForm(_): CsrfForm<IgnoredAny>,
) -> PageResult {
    let user = session.get::<i64>(USER_ID_KEY).ok().flatten();
    let sign_in = crate::auth::session_store::sign_in_of(&session);
    session.purge();
    if let (Some(user), Some(sign_in)) = (user, sign_in) {
        accounts::signed_out(&state.db, user, sign_in).await?;
    }
    Ok(see_other("/"))
}

/// `?invite=` on the registration page.
#[derive(Deserialize)]
pub struct InviteQuery {
    invite: Option<String>,
}

/// GET /register
pub async fn register_form(
    state: web::Data<AppState>,
    Page(ctx): Page,
    query: web::Query<InviteQuery>,
) -> PageResult {
    if ctx.user.is_some() {
        return Ok(see_other("/"));
    }
    let form =
        RegisterValues { invite: query.into_inner().invite.unwrap_or_default(), ..RegisterValues::default() };
    let open_domains = state.site.current().allowed_email_domains.clone();
    render(StatusCode::OK, &RegisterPage { ctx, form, errors: FieldErrors::new(), open_domains })
}

/// The registration form.
#[derive(Deserialize)]
pub struct RegisterForm {
    email: String,
    handle: String,
    name: String,
    password: String,
    #[serde(default)]
    invite: String,
}

/// POST /register
pub async fn register(
    req: HttpRequest,
    state: web::Data<AppState>,
    session: Session,
    Page(ctx): Page,
    CsrfForm(form): CsrfForm<RegisterForm>,
) -> PageResult {
    let input = RegistrationInput {
        email: &form.email,
        handle: &form.handle,
        name: &form.name,
        password: &form.password,
        invitation: Some(form.invite.as_str()),
        address: &crate::auth::identity::client_address(&req),
    };
    match accounts::register(&state.db, &state.site.current(), input).await {
        Ok(user) => {
            sign_in(&session, &user)?;
            flash(&req, &format!("Welcome to Agora, {}!", user.name));
            Ok(see_other("/"))
        }
        Err(AppError::Invalid { fields, .. }) => {
            let values = RegisterValues {
                email: form.email,
                handle: form.handle,
                name: form.name,
                invite: form.invite,
            };
            let open_domains = state.site.current().allowed_email_domains.clone();
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &RegisterPage { ctx, form: values, errors: fields, open_domains },
            )
        }
        Err(other) => Err(other.into()),
    }
}

fn reset_page(
    ctx: crate::pages::PageCtx,
    stage: ResetStage,
    email: String,
    errors: FieldErrors,
) -> ResetPage {
    ResetPage { ctx, stage, email, errors, minutes: password_reset::RESET_MINUTES }
}

/// GET /reset
pub async fn reset_form(Page(ctx): Page) -> PageResult {
    render(StatusCode::OK, &reset_page(ctx, ResetStage::Ask, String::new(), FieldErrors::new()))
}

/// The reset request form.
#[derive(Deserialize)]
pub struct ResetRequestForm {
    email: String,
}

/// POST /reset: the same answer whether or not the address has an account.
pub async fn request_reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    Page(ctx): Page,
    CsrfForm(form): CsrfForm<ResetRequestForm>,
) -> PageResult {
    let client = crate::auth::identity::client_address(&req);
    let email = form.email.trim().to_owned();
    if email.is_empty() {
        let error = AppError::field("email", "enter the email address of your account");
        return render_rejected(
            &error,
            &reset_page(ctx, ResetStage::Ask, email, error.messages_for("email")),
        );
    }
    match password_reset::request(&state.db, &state.site.current(), &state.mail, &email, &client).await {
        Ok(()) => render(StatusCode::OK, &reset_page(ctx, ResetStage::Sent, email, FieldErrors::new())),
        Err(error @ AppError::RateLimited { .. }) => {
            let errors = error.messages_for("email");
            render_rejected(&error, &reset_page(ctx, ResetStage::Ask, email, errors))
        }
        Err(other) => Err(other.into()),
    }
}

/// GET /reset/<token>
pub async fn reset_with_token(
    state: web::Data<AppState>,
    Page(ctx): Page,
    token: web::Path<String>,
) -> PageResult {
    let token = token.into_inner();
    match password_reset::check(&state.db, &token).await {
        Ok(()) => render(
            StatusCode::OK,
            &reset_page(ctx, ResetStage::Choose { token }, String::new(), FieldErrors::new()),
        ),
        Err(error @ AppError::Conflict(_)) => {
            render_rejected(&error, &reset_page(ctx, ResetStage::Unusable, String::new(), FieldErrors::new()))
        }
        Err(other) => Err(other.into()),
    }
}

/// The new password form.
#[derive(Deserialize)]
pub struct NewPasswordForm {
    new_password: String,
}

/// POST /reset/<token>: sets the password, ends every session, and sends to sign in.
pub async fn complete_reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    Page(ctx): Page,
    token: web::Path<String>,
    CsrfForm(form): CsrfForm<NewPasswordForm>,
) -> PageResult {
    let token = token.into_inner();
    match password_reset::complete(&state.db, &token, &form.new_password).await {
        Ok(()) => {
            flash(&req, "Your password is changed. Sign in with it.");
            Ok(see_other("/login"))
        }
        Err(error @ AppError::Invalid { .. }) => {
            let errors = error.messages_for("new_password");
            render_rejected(&error, &reset_page(ctx, ResetStage::Choose { token }, String::new(), errors))
        }
        Err(error @ AppError::Conflict(_)) => {
            render_rejected(&error, &reset_page(ctx, ResetStage::Unusable, String::new(), FieldErrors::new()))
        }
        Err(other) => Err(other.into()),
    }
}
