//! Sign in, sign out, register.

use actix_session::Session;
use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::accounts::{self, RegistrationInput};
use crate::auth::csrf::CsrfForm;
use crate::auth::session_store::USER_ID_KEY;
use crate::db::models::users::User;
use crate::error::{AppError, FieldErrors};
use crate::pages::account::{LoginPage, RegisterPage, RegisterValues};
use crate::pages::{Page, PageError, flash, local_path, render, render_rejected, see_other};
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
    let address = client_address(&req);
    let next = local_path(form.next.as_deref());
    match accounts::login(&state.db, &state.settings, &form.email, &form.password, &address).await {
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
    session
        .insert(USER_ID_KEY, user.id)
        .map_err(|e| AppError::Internal(anyhow::anyhow!("session insert: {e}")))?;
    Ok(())
}

/// The client's address for throttling. Forwarded headers are not trusted: anyone can set
/// them, which would let one client spread its guesses over invented addresses.
pub fn client_address(req: &HttpRequest) -> String {
    req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_else(|| "unknown".into())
}

/// POST /logout: deletes the session row, so the old cookie is worthless at once.
pub async fn logout(session: Session, CsrfForm(_): CsrfForm<IgnoredAny>) -> HttpResponse {
    session.purge();
    see_other("/")
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
    let open_domains = state.settings.allowed_email_domains.clone();
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
    };
    match accounts::register(&state.db, &state.settings, input).await {
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
            let open_domains = state.settings.allowed_email_domains.clone();
            render(
                StatusCode::UNPROCESSABLE_ENTITY,
                &RegisterPage { ctx, form: values, errors: fields, open_domains },
            )
        }
        Err(other) => Err(other.into()),
    }
}
