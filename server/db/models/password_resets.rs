//! Password reset tokens: stored as SHA-256, single use, short-lived.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::password_resets;

/// Stores a reset token's hash for a person.
pub fn insert(
    conn: &mut DbConn,
    user_id: i64,
    token_hash: &str,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::insert_into(password_resets::table)
        .values((
            password_resets::user_id.eq(user_id),
            password_resets::token_hash.eq(token_hash),
            password_resets::created_at.eq(now),
            password_resets::expires_at.eq(expires_at),
        ))
        .execute(conn)
        .map(drop)
}

/// The person an unused, unexpired token belongs to.
pub fn open_by_token(conn: &mut DbConn, token_hash: &str, now: NaiveDateTime) -> QueryResult<Option<i64>> {
    password_resets::table
        .filter(password_resets::token_hash.eq(token_hash))
        .filter(password_resets::used_at.is_null())
        .filter(password_resets::expires_at.gt(now))
        .select(password_resets::user_id)
        .first(conn)
        .optional()
}

/// Uses up every open token of a person (the one used, and any older ones still in mail
/// boxes); returns whether `token_hash` was among them, so a token works once even when
/// two requests race.
pub fn use_all(conn: &mut DbConn, user_id: i64, token_hash: &str, now: NaiveDateTime) -> QueryResult<bool> {
    let used = diesel::update(
        password_resets::table
            .filter(password_resets::token_hash.eq(token_hash))
            .filter(password_resets::used_at.is_null()),
    )
    .set(password_resets::used_at.eq(now))
    .execute(conn)?;
    diesel::update(password_resets::table.filter(password_resets::user_id.eq(user_id)))
        .filter(password_resets::used_at.is_null())
        .set(password_resets::used_at.eq(now))
        .execute(conn)?;
    Ok(used == 1)
}
