//! Invitations: a hashed one-time token that lets one email address register.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::invitations;

/// An open invitation.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = invitations)]
pub struct Invitation {
    pub id: i64,
    pub email: String,
    pub role: String,
}

/// Stores an invitation; returns its id.
pub fn insert(
    conn: &mut DbConn,
    email: &str,
    token_hash: &str,
    role: &str,
    invited_by: i64,
    now: NaiveDateTime,
    expires_at: NaiveDateTime,
) -> QueryResult<i64> {
    crate::on_backend!(conn, |c| diesel::insert_into(invitations::table)
        .values((
            invitations::email.eq(email),
            invitations::token_hash.eq(token_hash),
            invitations::role.eq(role),
            invitations::invited_by.eq(invited_by),
            invitations::created_at.eq(now),
            invitations::expires_at.eq(expires_at),
        ))
        .returning(invitations::id)
        .get_result(c))
}

/// The unexpired, unused invitation with this token hash.
pub fn open_by_token(
    conn: &mut DbConn,
    token_hash: &str,
    now: NaiveDateTime,
) -> QueryResult<Option<Invitation>> {
    invitations::table
        .filter(invitations::token_hash.eq(token_hash))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::expires_at.gt(now))
        .select(Invitation::as_select())
        .first(conn)
        .optional()
}

/// Marks an invitation used, once: returns false if it was used concurrently.
pub fn accept(conn: &mut DbConn, id: i64, now: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(invitations::table.find(id).filter(invitations::accepted_at.is_null()))
        .set(invitations::accepted_at.eq(now))
        .execute(conn)
        .map(|n| n == 1)
}
