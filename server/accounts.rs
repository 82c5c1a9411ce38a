//! Account actions: register, sign in, change password, edit profile, tokens, invitations
//! and admin changes. The same calls serve the HTML forms, the JSON API and the CLI; each
//! writes in one transaction, with its activity-log or audit-log row.

use chrono::Duration;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde_json::json;

use crate::auth::throttle::{self, LoginBuckets};
use crate::auth::{password, secrets};
use crate::config::Settings;
use crate::db::models::users::{NewUser, ProfileChanges, User};
use crate::db::models::{activities, audit, invitations, now, outbox, sessions, tokens, users};
use crate::db::{Db, DbConn};
use crate::domain::account::{DisplayName, Email, Handle, Password, Role};
use crate::domain::activity::{NewActivity, Visibility};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::mail::Composer;

/// Prefix of personal access tokens.
pub const TOKEN_PREFIX: &str = "agora_pat_";
/// Days an invitation stays valid.
const INVITATION_DAYS: i64 = 14;

/// A validated new account.
#[derive(Debug)]
pub struct NewAccount {
    pub email: Email,
    pub handle: Handle,
    pub name: DisplayName,
    pub role: Role,
}

/// Raw registration input, as typed into the form.
#[derive(Debug, Default)]
pub struct RegistrationInput<'a> {
    pub email: &'a str,
    pub handle: &'a str,
    pub name: &'a str,
    pub password: &'a str,
    pub invitation: Option<&'a str>,
    /// The client's address: registrations are limited per address.
    pub address: &'a str,
}

/// Parses account input and (when given) a password, reporting every bad field at once.
pub fn parse_account(
    email: &str,
    handle: &str,
    name: &str,
    password: Option<&str>,
    role: Role,
) -> AppResult<(NewAccount, Option<Password>)> {
    let mut errors = FieldErrors::new();
    let mut fail = |field: &str, message: String| {
        errors.insert(field.to_owned(), message);
    };
    let email = Email::parse(email).map_err(|e| fail("email", e)).ok();
    let handle = Handle::parse(handle).map_err(|e| fail("handle", e)).ok();
    let name = DisplayName::parse(name).map_err(|e| fail("name", e)).ok();
    let password = password.map(Password::parse).transpose().map_err(|e| fail("password", e)).ok();
    match (email, handle, name, password) {
        (Some(email), Some(handle), Some(name), Some(password)) => {
            Ok((NewAccount { email, handle, name, role }, password))
        }
        _ => Err(AppError::invalid(errors)),
    }
}

/// Hashes a password (see [`password::on_hashing_threads`]).
pub async fn hash_password(password: Password) -> AppResult<String> {
    password::on_hashing_threads(move || password::hash(password.expose())).await?.map_err(AppError::Internal)
}

async fn verify_password(stored: Option<String>, candidate: String) -> AppResult<bool> {
    password::on_hashing_threads(move || password::verify(stored.as_deref(), &candidate)).await
}

/// Registers through the public form: the email's domain must be allowed, or the input
/// must carry a valid invitation for that email (which then also decides the role).
pub async fn register(db: &Db, settings: &Settings, input: RegistrationInput<'_>) -> AppResult<User> {
    let (per_hour, address) = (settings.rate_limits.registrations_per_hour, input.address.to_owned());
    db.write(move |c| throttle::count_registration(c, per_hour, &address, now())).await?;
    let (mut account, password) =
        parse_account(input.email, input.handle, input.name, Some(input.password), Role::Employee)?;
    let password = password.ok_or_else(|| AppError::field("password", "enter a password"))?;
    let invitation_hash = input.invitation.filter(|t| !t.is_empty()).map(secrets::sha256_hex);
    if invitation_hash.is_none() && !settings.domain_allowed(account.email.domain()) {
        return Err(AppError::field(
            "email",
            format!(
                "accounts for @{} need an invitation; ask an admin to invite you",
                account.email.domain()
            ),
        ));
    }
    let hash = hash_password(password).await?;
    db.write(move |c| {
        if let Some(token_hash) = invitation_hash {
            account.role = accept_invitation(c, &token_hash, &account.email)?;
        }
        insert_account(c, &account, Some(&hash), None)
    })
    .await
}

/// Uses up the invitation for `email` and returns the role it grants.
fn accept_invitation(c: &mut DbConn, token_hash: &str, email: &Email) -> AppResult<Role> {
    let invitation = invitations::open_by_token(c, token_hash, now())?
        .filter(|i| i.email == email.as_str())
        .ok_or_else(|| {
            AppError::field("email", "this invitation is for another email address, was used, or has expired")
        })?;
    if !invitations::accept(c, invitation.id, now())? {
        return Err(AppError::field("email", "this invitation was just used"));
    }
    Ok(Role::parse(&invitation.role).unwrap_or(Role::Employee))
}

/// Creates an account from the CLI or the seeder (no domain rule: an operator is acting).
pub fn create_account_sync(
    db: &Db,
    account: &NewAccount,
    password_hash: Option<&str>,
    actor: Option<i64>,
) -> AppResult<User> {
    db.write_sync(|c| insert_account(c, account, password_hash, actor))
}

/// Hashes a password synchronously (CLI and seeding run outside the HTTP workers).
pub fn hash_password_sync(password: &Password) -> AppResult<String> {
    password::hash(password.expose()).map_err(AppError::Internal)
}

/// Creates an account inside the caller's transaction (registration, the CLI, imports).
pub(crate) fn insert_account(
    c: &mut DbConn,
    account: &NewAccount,
    password_hash: Option<&str>,
    actor: Option<i64>,
) -> AppResult<User> {
    let (email_taken, handle_taken) = users::taken(c, account.email.as_str(), account.handle.as_str())?;
    let mut errors = FieldErrors::new();
    if email_taken {
        errors.insert("email".into(), "an account with this email already exists; sign in instead".into());
    }
    if handle_taken {
        errors
            .insert("handle".into(), format!("@{} is taken; choose another handle", account.handle.as_str()));
    }
    if !errors.is_empty() {
        return Err(AppError::invalid(errors));
    }
    let new = NewUser {
        handle: account.handle.as_str(),
        email: account.email.as_str(),
        name: account.name.as_str(),
        password_hash,
        role: account.role.as_str(),
        title: "",
        department: "",
        location: "",
        manager_id: None,
        created_at: now(),
    };
    // The check above gives friendly messages; the unique indexes decide under races.
    let id = users::insert(c, &new).map_err(|e| match e {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            AppError::field("handle", "this email or handle was just taken; try another")
        }
        other => other.into(),
    })?;
    activities::record(
        c,
        &NewActivity {
            actor_id: actor.or(Some(id)),
            verb: "user.joined",
            object_type: "user",
            object_id: id,
            community_id: None,
            visibility: Visibility::Public,
            data: json!({ "handle": account.handle.as_str(), "name": account.name.as_str() }),
        },
    )?;
    users::find(c, id)?.ok_or(AppError::NotFound)
}

/// Signs in with email and password. Throttled per account and per client address before
/// any hashing; unknown emails, wrong passwords and deactivated accounts all answer the
/// same message in the same time.
pub async fn login(
    db: &Db,
    settings: &Settings,
    email: &str,
    candidate: &str,
    address: &str,
) -> AppResult<User> {
    let buckets = LoginBuckets::new(email, address);
    let settings = settings.clone();
    let email = email.trim().to_lowercase();
    let (user, buckets, settings) = db
        .read(move |c| {
            throttle::check(c, &settings, &buckets, now())?;
            Ok((users::by_email(c, &email)?, buckets, settings))
        })
        .await?;
    let stored = user.as_ref().and_then(|u| u.password_hash.clone());
    let verified = verify_password(stored, candidate.to_owned()).await?;
    match user.filter(|u| verified && u.is_active) {
        Some(user) => {
            db.write(move |c| throttle::record_success(c, &buckets)).await?;
            Ok(user)
        }
        None => {
            db.write(move |c| throttle::record_failure(c, &settings, &buckets, now())).await?;
            Err(AppError::field("password", "that email and password do not match an active account"))
        }
    }
}

/// Changes a password after checking the current one, and ends every session of the user
/// (the caller starts a fresh one for the browser that made the change).
/// Changes a password after checking the current one. Every session of the person ends,
/// with the websockets opened in them, but the sign-in `keep` (the browser making the
/// change, which carries on under a new session key).
pub async fn change_password(
    db: &Db,
    settings: &Settings,
    user: &User,
    (current, new): (&str, &str),
    address: &str,
    keep: Option<String>,
) -> AppResult<()> {
    let new = Password::parse(new).map_err(|e| AppError::field("new_password", e))?;
    login(db, settings, &user.email, current, address).await.map_err(|e| match e {
        AppError::Invalid { .. } => AppError::field("current_password", "the current password is not right"),
        other => other,
    })?;
    let hash = hash_password(new).await?;
    let id = user.id;
    db.write(move |c| {
        users::set_password_hash(c, id, &hash)?;
        sessions::delete_for_user(c, id)?;
        record_ended(c, id, &EndedSessions::AllBut(keep))?;
        Ok(())
    })
    .await
}

/// What a websocket was opened with: a browser's sign-in (its id), or a personal access
/// token (its id). The socket ends when that ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    Session(String),
    Token(i64),
    /// A session from before sign-ins carried ids: it ends only with its user.
    Unknown,
}

/// Which of a person's sign-ins ended: one (signing out), all but one (a password change,
/// which leaves tokens alone: scripts use them), or a token (revoked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndedSessions {
    Only(String),
    AllBut(Option<String>),
    Token(i64),
}

impl EndedSessions {
    /// What a `sessions.ended` log entry says ended.
    pub fn of(activity: &crate::db::models::activities::Activity) -> Self {
        let data: serde_json::Value = serde_json::from_str(&activity.data).unwrap_or_default();
        let sid = |key: &str| data.get(key).and_then(serde_json::Value::as_str).map(str::to_owned);
        if let Some(token) = data.get("token").and_then(serde_json::Value::as_i64) {
            return Self::Token(token);
        }
        match sid("only") {
            Some(only) => Self::Only(only),
            None => Self::AllBut(sid("except")),
        }
    }

    /// Whether `sign_in` is among those that ended.
    pub fn covers(&self, sign_in: &SignIn) -> bool {
        match (self, sign_in) {
            (Self::Only(only), SignIn::Session(sid)) => only == sid,
            (Self::AllBut(keep), SignIn::Session(sid)) => keep.as_deref() != Some(sid.as_str()),
            (Self::Token(ended), SignIn::Token(token)) => ended == token,
            _ => false,
        }
    }
}

/// Logs that sign-ins ended, so the websockets opened with them close on every node (the
/// hub follows the log). Only admins read such entries.
fn record_ended(c: &mut DbConn, user_id: i64, ended: &EndedSessions) -> AppResult<()> {
    let data = match ended {
        EndedSessions::Only(sid) => json!({ "only": sid }),
        EndedSessions::AllBut(keep) => json!({ "except": keep }),
        EndedSessions::Token(token) => json!({ "token": token }),
    };
    let entry = NewActivity {
        actor_id: Some(user_id),
        verb: "sessions.ended",
        object_type: "user",
        object_id: user_id,
        community_id: None,
        visibility: Visibility::Admins,
        data,
    };
    activities::record(c, &entry)?;
    Ok(())
}

/// A person signed out of one sign-in: its websockets close too.
pub async fn signed_out(db: &Db, user_id: i64, sid: String) -> AppResult<()> {
    db.write(move |c| record_ended(c, user_id, &EndedSessions::Only(sid))).await
}

/// Profile fields as typed (and as the settings form shows them).
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct ProfileInput {
    pub name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub department: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub bio: String,
    /// Comma-separated.
    #[serde(default)]
    pub skills: String,
    /// The manager's handle; empty for none.
    #[serde(default)]
    pub manager: String,
}

/// Saves profile basics after checking lengths. `editor` is who saves: the person, or an
/// admin (whose edit of someone else's profile goes to the audit log).
pub async fn update_profile(db: &Db, editor: i64, user_id: i64, input: ProfileInput) -> AppResult<()> {
    let mut errors = FieldErrors::new();
    let name = DisplayName::parse(&input.name).map_err(|e| errors.insert("name".into(), e)).ok();
    for (field, value, max) in [
        ("title", &input.title, 100),
        ("department", &input.department, 100),
        ("location", &input.location, 100),
        ("bio", &input.bio, 5000),
    ] {
        if value.chars().count() > max {
            errors.insert(field.into(), format!("use at most {max} characters"));
        }
    }
    let skills = crate::people::parse_skills([input.skills.as_str()])
        .map_err(|e| errors.insert("skills".into(), e))
        .unwrap_or_default();
    let Some(name) = name.filter(|_| errors.is_empty()) else {
        return Err(AppError::invalid(errors));
    };
    db.write(move |c| {
        let changes = ProfileChanges {
            name: name.as_str(),
            title: input.title.trim(),
            department: input.department.trim(),
            location: input.location.trim(),
            bio: input.bio.trim(),
        };
        let manager = crate::people::resolve_manager(c, user_id, &input.manager)?;
        let before = users::find(c, user_id)?.map(|u| u.department).unwrap_or_default();
        users::update_profile(c, user_id, &changes)?;
        users::set_manager(c, user_id, manager)?;
        crate::people::set_skills(c, user_id, &skills)?;
        let person = users::find(c, user_id)?.ok_or(AppError::NotFound)?;
        // Search files each piece under its author's department: a move re-files them.
        let data = json!({ "department_changed": before != person.department });
        activities::record(c, &crate::people::profile_activity(editor, "user.updated", &person, data))?;
        if editor != user_id {
            audit::record(c, Some(editor), "user.profile_edited", "user", Some(user_id), &json!({}))?;
        }
        Ok(())
    })
    .await
}

/// Creates a personal access token; returns it (shown once) with its id.
pub fn create_token_in(c: &mut DbConn, user_id: i64, name: &str) -> AppResult<(i64, String)> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::field(
            "name",
            "name the token (1–100 characters), e.g. the script that uses it",
        ));
    }
    let secret = secrets::new_token(TOKEN_PREFIX);
    let id = tokens::insert(c, user_id, name, &secrets::sha256_hex(&secret), now())?;
    Ok((id, secret))
}

/// Creates a personal access token in its own transaction.
pub async fn create_token(db: &Db, user_id: i64, name: String) -> AppResult<(i64, String)> {
    db.write(move |c| create_token_in(c, user_id, &name)).await
}

/// Revokes one of the user's tokens (its websockets close too); 404 if it is not theirs.
pub async fn revoke_token(db: &Db, user_id: i64, token_id: i64) -> AppResult<()> {
    db.write(move |c| {
        if !tokens::delete(c, user_id, token_id)? {
            return Err(AppError::NotFound);
        }
        record_ended(c, user_id, &EndedSessions::Token(token_id))
    })
    .await
}

/// Invites an email address: the invitation and its mail are written together; returns
/// the registration link (the API shows it to the admin as well).
pub async fn invite(
    db: &Db,
    composer: &Composer,
    admin: &User,
    email: &str,
    role: Role,
) -> AppResult<String> {
    let email = Email::parse(email).map_err(|e| AppError::field("email", e))?;
    let token = secrets::new_token("");
    let token_hash = secrets::sha256_hex(&token);
    let path = format!("/register?invite={token}");
    let (admin_id, inviter) = (admin.id, admin.name.clone());
    let mail = composer.invitation(email.as_str(), &inviter, &path, INVITATION_DAYS)?;
    db.write(move |c| {
        if users::by_email(c, email.as_str())?.is_some() {
            return Err(AppError::Conflict("an account with this email already exists".into()));
        }
        let at = now();
        let id = invitations::insert(
            c,
            email.as_str(),
            &token_hash,
            role.as_str(),
            admin_id,
            at,
            at + Duration::days(INVITATION_DAYS),
        )?;
        outbox::insert(c, &mail, &[])?;
        audit::record(
            c,
            Some(admin_id),
            "user.invited",
            "invitation",
            Some(id),
            &json!({ "role": role.as_str() }),
        )?;
        Ok(())
    })
    .await?;
    Ok(composer.link(&path))
}

/// An admin's change to an account.
#[derive(Debug, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct AdminUserChange {
    /// New site role.
    pub role: Option<Role>,
    /// `false` deactivates the account and ends its sessions at once.
    pub active: Option<bool>,
}

/// Applies an admin's change; every change is written to the audit log.
pub async fn admin_update(db: &Db, admin: &User, handle: &str, change: AdminUserChange) -> AppResult<User> {
    let admin_id = admin.id;
    let handle = handle.to_lowercase();
    db.write(move |c| {
        let target = users::by_handle(c, &handle)?.ok_or(AppError::NotFound)?;
        if target.id == admin_id
            && (change.active == Some(false) || change.role.is_some_and(|r| r != Role::Admin))
        {
            return Err(AppError::Conflict("you cannot deactivate or demote your own account".into()));
        }
        if let Some(role) = change.role.filter(|r| *r != target.role()) {
            users::set_role(c, target.id, role.as_str())?;
            audit::record(
                c,
                Some(admin_id),
                "user.role_changed",
                "user",
                Some(target.id),
                &json!({ "from": target.role, "to": role.as_str() }),
            )?;
        }
        if let Some(active) = change.active.filter(|a| *a != target.is_active) {
            users::set_active(c, target.id, active)?;
            if !active {
                sessions::delete_for_user(c, target.id)?;
            }
            let action = if active { "user.reactivated" } else { "user.deactivated" };
            audit::record(c, Some(admin_id), action, "user", Some(target.id), &json!({}))?;
            // Live connections end at once: the websocket hub follows the log.
            let change = NewActivity {
                actor_id: Some(admin_id),
                verb: action,
                object_type: "user",
                object_id: target.id,
                community_id: None,
                visibility: Visibility::Admins,
                data: json!({}),
            };
            activities::record(c, &change)?;
        }
        users::find(c, target.id)?.ok_or(AppError::NotFound)
    })
    .await
}
