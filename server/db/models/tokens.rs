//! Personal access tokens for `/api/v1`, stored as SHA-256 hashes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::models::users::User;
use crate::db::schema::{api_tokens, users};

/// A token as listed on `/settings` (never the secret).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
}

/// Stores a new token's hash; returns its id.
pub fn insert(
    conn: &mut DbConn,
    user_id: i64,
    name: &str,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<i64> {
    crate::on_backend!(conn, |c| diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::user_id.eq(user_id),
            api_tokens::name.eq(name),
            api_tokens::token_hash.eq(token_hash),
            api_tokens::created_at.eq(now),
        ))
        .returning(api_tokens::id)
        .get_result(c))
}

/// The active user a token hash belongs to, with the token's id and last use.
pub fn resolve(
    conn: &mut DbConn,
    token_hash: &str,
) -> QueryResult<Option<(User, i64, Option<NaiveDateTime>)>> {
    api_tokens::table
        .inner_join(users::table)
        .filter(api_tokens::token_hash.eq(token_hash))
        .filter(users::is_active.eq(true))
        .select((User::as_select(), api_tokens::id, api_tokens::last_used_at))
        .first(conn)
        .optional()
}

/// Records that a token was used.
pub fn mark_used(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<()> {
    diesel::update(api_tokens::table.find(id)).set(api_tokens::last_used_at.eq(now)).execute(conn).map(drop)
}

/// A user's tokens, newest first.
pub fn list(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<ApiToken>> {
    api_tokens::table
        .filter(api_tokens::user_id.eq(user_id))
        .order(api_tokens::id.desc())
        .select(ApiToken::as_select())
        .load(conn)
}

/// Deletes one of a user's tokens; returns whether it existed.
pub fn delete(conn: &mut DbConn, user_id: i64, id: i64) -> QueryResult<bool> {
    diesel::delete(api_tokens::table.find(id).filter(api_tokens::user_id.eq(user_id)))
        .execute(conn)
        .map(|n| n > 0)
}
