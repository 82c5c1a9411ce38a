//! Who is asking: the signed-in user from the session cookie, or the owner of a personal
//! access token. Resolved once per request and cached in the request's extensions.

use std::future::Future;
use std::pin::Pin;

use actix_session::SessionExt;
use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use chrono::Duration;
use diesel::QueryResult;

use crate::accounts::SignIn;
use crate::auth::session_store::USER_ID_KEY;
use crate::auth::{csrf, secrets};
use crate::db::DbConn;
use crate::db::models::users::User;
use crate::db::models::{now, tokens, users};
use crate::error::{ApiError, AppError, AppResult};
use crate::state::AppState;

/// Token use is recorded at most this often, so API reads do not each cost a write.
const TOKEN_USE_RESOLUTION_MINUTES: i64 = 5;

#[derive(Clone)]
struct Resolved(Option<User>);

/// The user signed in through the session cookie, if any. A session whose user has been
/// deactivated resolves to nobody.
pub async fn session_user(req: &HttpRequest) -> AppResult<Option<User>> {
    if let Some(Resolved(user)) = req.extensions().get::<Resolved>() {
        return Ok(user.clone());
    }
    Ok(session_user_and(req, |_, _| Ok(())).await?.map(|(user, ())| user))
}

/// The session's user as [`session_user`] finds them, with `also` read for them in the same
/// trip to the database pool (each trip is a hand-off to a blocking thread): every page
/// reads its viewer's unread count so.
pub async fn session_user_and<T: Send + 'static>(
    req: &HttpRequest,
    also: fn(&mut DbConn, i64) -> QueryResult<T>,
) -> AppResult<Option<(User, T)>> {
    let state = AppState::of(req)?;
    let cached = req.extensions().get::<Resolved>().map(|Resolved(user)| user.clone());
    if let Some(user) = cached {
        let Some(user) = user else { return Ok(None) };
        let id = user.id;
        return Ok(Some((user, state.db.read(move |c| Ok(also(c, id)?)).await?)));
    }
    let session = req.get_session();
    let found = match session.get::<i64>(USER_ID_KEY).ok().flatten() {
        Some(id) => {
            let found = state
                .db
                .read(move |c| match users::find_active(c, id)? {
                    Some(user) => Ok(Some((user, also(c, id)?))),
                    None => Ok(None),
                })
                .await?;
            if found.is_none() {
                session.remove(USER_ID_KEY);
            }
            found
        }
        None => None,
    };
    req.extensions_mut().insert(Resolved(found.as_ref().map(|(user, _)| user.clone())));
    Ok(found)
}

/// The id of the token a request was authenticated with.
#[derive(Clone, Copy)]
struct TokenId(i64);

/// What an authenticated request was signed in with: its bearer token, or its session.
pub fn sign_in(req: &HttpRequest) -> SignIn {
    if req.headers().contains_key(header::AUTHORIZATION) {
        return req.extensions().get::<TokenId>().map_or(SignIn::Unknown, |t| SignIn::Token(t.0));
    }
    crate::auth::session_store::sign_in_of(&req.get_session()).map_or(SignIn::Unknown, SignIn::Session)
}

/// The owner of the request's bearer token. A malformed header or an unknown, revoked or
/// deactivated token is 401: a client that sent a token never silently falls back to
/// the cookie.
async fn bearer_user(req: &HttpRequest) -> AppResult<User> {
    let value = req.headers().get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or_default();
    let token = value
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(AppError::Unauthenticated)?;
    token_user(req, token).await
}

/// The client's address for throttling. Forwarded headers are not trusted: anyone can set
/// them, which would let one client spread its guesses over invented addresses.
pub fn client_address(req: &HttpRequest) -> String {
    req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_else(|| "unknown".into())
}

/// Who downloads a file: the owner of the bearer token when one is sent (API clients
/// fetching attachments), else the session's user.
pub async fn downloader(req: &HttpRequest) -> AppResult<Option<User>> {
    if req.headers().contains_key(header::AUTHORIZATION) {
        return bearer_user(req).await.map(Some);
    }
    session_user(req).await
}

/// A feed reader: the session's user, or the owner of `?token=` (feed readers cannot keep
/// a session, so Atom URLs for private content carry a personal access token).
pub async fn feed_reader(req: &HttpRequest, token: Option<&str>) -> AppResult<User> {
    match token.map(str::trim).filter(|t| !t.is_empty()) {
        Some(token) => token_user(req, token).await,
        None => session_user(req).await?.ok_or(AppError::Unauthenticated),
    }
}

/// The active owner of a personal access token.
async fn token_user(req: &HttpRequest, token: &str) -> AppResult<User> {
    let hash = secrets::sha256_hex(token);
    let state = AppState::of(req)?;
    let (user, token_id, last_used) =
        state.db.read(move |c| Ok(tokens::resolve(c, &hash)?)).await?.ok_or(AppError::Unauthenticated)?;
    let at = now();
    if last_used.is_none_or(|t| at - t > Duration::minutes(TOKEN_USE_RESOLUTION_MINUTES)) {
        state.db.write(move |c| Ok(tokens::mark_used(c, token_id, at)?)).await?;
    }
    req.extensions_mut().insert(TokenId(token_id));
    Ok(user)
}

/// The caller of an `/api/v1` route: a bearer token, or the session cookie plus the
/// `X-CSRF-Token` header on state-changing methods.
pub struct ApiUser(pub User);

impl FromRequest for ApiUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        // Checked before anything is awaited, so a request without a session or with a
        // forged write is refused before any other extractor (a JSON body) can answer first.
        let early =
            if req.headers().contains_key(header::AUTHORIZATION) { Ok(()) } else { session_refusal(&req) };
        Box::pin(async move {
            early?;
            let user = if req.headers().contains_key(header::AUTHORIZATION) {
                bearer_user(&req).await?
            } else {
                session_user(&req).await?.ok_or(AppError::Unauthenticated)?
            };
            AppState::of(&req)?.limits.check_user(&req, user.id)?;
            Ok(ApiUser(user))
        })
    }
}

/// Why a cookie-authenticated API call is refused without looking anything up: no signed-in
/// session (401), or a state-changing method without the session's `X-CSRF-Token` (403).
fn session_refusal(req: &HttpRequest) -> Result<(), AppError> {
    let session = req.get_session();
    if session.get::<i64>(USER_ID_KEY).ok().flatten().is_none() {
        return Err(AppError::Unauthenticated);
    }
    if csrf::is_unsafe(req.method()) {
        let submitted = req.headers().get(csrf::HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default();
        csrf::verify(&session, submitted)?;
    }
    Ok(())
}

/// An API caller who must be an admin; anyone else gets 404, as if the route did not exist.
pub struct ApiAdmin(pub User);

impl FromRequest for ApiAdmin {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let user = ApiUser::from_request(req, payload);
        Box::pin(async move {
            let ApiUser(user) = user.await?;
            if user.role() == crate::domain::account::Role::Admin {
                Ok(ApiAdmin(user))
            } else {
                Err(AppError::NotFound.into())
            }
        })
    }
}
