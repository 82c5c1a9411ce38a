//! Server-side session rows, keyed by a hash of the cookie's session key.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::sessions;

/// A session row to write.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = sessions)]
pub struct SessionRow<'a> {
    pub key_hash: &'a str,
    pub user_id: Option<i64>,
    pub state: &'a str,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

/// The state of an unexpired session.
pub fn load(
    conn: &mut DbConn,
    key_hash: &str,
    now: NaiveDateTime,
    born_after: NaiveDateTime,
) -> QueryResult<Option<(String, NaiveDateTime)>> {
    sessions::table
        .find(key_hash)
        .filter(sessions::expires_at.gt(now))
        .filter(sessions::created_at.gt(born_after))
        .select((sessions::state, sessions::expires_at))
        .first(conn)
        .optional()
}

/// Inserts a new session.
pub fn insert(conn: &mut DbConn, row: &SessionRow<'_>) -> QueryResult<()> {
    diesel::insert_into(sessions::table).values(row).execute(conn).map(drop)
}

/// Replaces a session's state and expiry; returns how many rows changed (0 if it is gone).
pub fn update(
    conn: &mut DbConn,
    key_hash: &str,
    user_id: Option<i64>,
    state: &str,
    expires_at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(sessions::table.find(key_hash))
        .set((sessions::user_id.eq(user_id), sessions::state.eq(state), sessions::expires_at.eq(expires_at)))
        .execute(conn)
}

/// Extends a session's expiry.
pub fn touch(conn: &mut DbConn, key_hash: &str, expires_at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(sessions::table.find(key_hash))
        .set(sessions::expires_at.eq(expires_at))
        .execute(conn)
        .map(drop)
}

/// Deletes one session.
pub fn delete(conn: &mut DbConn, key_hash: &str) -> QueryResult<()> {
    diesel::delete(sessions::table.find(key_hash)).execute(conn).map(drop)
}

/// Ends every session of a user (deactivation, password change).
pub fn delete_for_user(conn: &mut DbConn, user_id: i64) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::user_id.eq(user_id))).execute(conn)
}

/// Removes expired sessions.
pub fn delete_expired(conn: &mut DbConn, now: NaiveDateTime) -> QueryResult<usize> {
    diesel::delete(sessions::table.filter(sessions::expires_at.le(now))).execute(conn)
}
