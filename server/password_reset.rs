//! Password reset by mail: a token that works once, for an hour. Asking answers the same
//! whether or not an account uses the address, so the form cannot tell who works here.

use chrono::Duration;
use serde_json::json;

use crate::accounts::hash_password;
use crate::auth::secrets;
use crate::auth::throttle::{self, LoginBuckets};
use crate::config::Settings;
use crate::db::models::users::User;
use crate::db::models::{audit, now, outbox, password_resets, sessions, users};
use crate::db::{Db, DbConn};
use crate::domain::account::Password;
use crate::error::{AppError, AppResult};
use crate::mail::Composer;

/// Minutes a reset link stays valid.
pub const RESET_MINUTES: i64 = 60;

/// What an unusable link answers.
fn unusable() -> AppError {
    AppError::Conflict("this reset link is not valid: it was used, it expired, or it was mistyped".into())
}

/// Mails a reset link if an active account uses `email`; answers the same either way.
/// Throttled per address and per client (every request counts).
pub async fn request(
    db: &Db,
    settings: &Settings,
    composer: &Composer,
    email: &str,
    client: &str,
) -> AppResult<()> {
    let buckets = LoginBuckets::reset(email, client);
    let (settings, composer) = (settings.clone(), composer.clone());
    let email = email.trim().to_lowercase();
    db.write(move |c| {
        let at = now();
        throttle::check(c, &settings, &buckets, at)?;
        throttle::record_failure(c, &settings, &buckets, at)?;
        let Some(user) = users::by_email(c, &email)?.filter(|u| u.is_active) else { return Ok(()) };
        send(c, &composer, &user)
    })
    .await
}

/// Queues a reset link for an account (the request form, or an admin on `/admin/users`).
pub fn send(c: &mut DbConn, composer: &Composer, user: &User) -> AppResult<()> {
    let token = secrets::new_token("");
    let at = now();
    let expires = at + Duration::minutes(RESET_MINUTES);
    password_resets::insert(c, user.id, &secrets::sha256_hex(&token), at, expires)?;
    let mail = composer.password_reset(user, &format!("/reset/{token}"), RESET_MINUTES)?;
    outbox::insert(c, &mail, &[])?;
    Ok(())
}

/// An admin sends someone a reset link (written to the audit log).
pub async fn send_by_admin(db: &Db, composer: &Composer, admin: &User, handle: &str) -> AppResult<()> {
    let (composer, admin_id, handle) = (composer.clone(), admin.id, handle.to_lowercase());
    db.write(move |c| {
        let user = users::by_handle(c, &handle)?.ok_or(AppError::NotFound)?;
        if !user.is_active {
            return Err(AppError::Conflict("the account is deactivated: reactivate it first".into()));
        }
        send(c, &composer, &user)?;
        audit::record(c, Some(admin_id), "user.password_reset_sent", "user", Some(user.id), &json!({}))?;
        Ok(())
    })
    .await
}

/// Whether a reset token can still be used (the form is shown only then).
pub async fn check(db: &Db, token: &str) -> AppResult<()> {
    let hash = secrets::sha256_hex(token);
    match db.read(move |c| Ok(password_resets::open_by_token(c, &hash, now())?)).await? {
        Some(_) => Ok(()),
        None => Err(unusable()),
    }
}

/// Sets a new password with a token: the token (and any other open one of the account) is
/// used up and every session of the account ends.
pub async fn complete(db: &Db, token: &str, new_password: &str) -> AppResult<()> {
    check(db, token).await?;
    let new = Password::parse(new_password).map_err(|e| AppError::field("new_password", e))?;
    let hash = hash_password(new).await?;
    let token_hash = secrets::sha256_hex(token);
    db.write(move |c| {
        let at = now();
        let user_id = password_resets::open_by_token(c, &token_hash, at)?.ok_or_else(unusable)?;
        // Two requests racing with one token: only one uses it.
        if !password_resets::use_all(c, user_id, &token_hash, at)? {
            return Err(unusable());
        }
        users::set_password_hash(c, user_id, &hash)?;
        sessions::delete_for_user(c, user_id)?;
        audit::record(c, Some(user_id), "user.password_reset", "user", Some(user_id), &json!({}))?;
        Ok(())
    })
    .await
}
