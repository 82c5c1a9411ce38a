//! How each person wants each kind of notification by mail; no row means the kind's default.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::mail_preferences;

/// A person's chosen modes, as (kind, mode).
pub fn of(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<(String, String)>> {
    mail_preferences::table
        .filter(mail_preferences::user_id.eq(user_id))
        .select((mail_preferences::kind, mail_preferences::mode))
        .load(conn)
}

/// Sets a person's mode for a kind.
pub fn set(conn: &mut DbConn, user_id: i64, kind: &str, mode: &str) -> QueryResult<()> {
    let row = (
        mail_preferences::user_id.eq(user_id),
        mail_preferences::kind.eq(kind),
        mail_preferences::mode.eq(mode),
    );
    crate::on_backend!(conn, |c| diesel::insert_into(mail_preferences::table)
        .values(row)
        .on_conflict((mail_preferences::user_id, mail_preferences::kind))
        .do_update()
        .set(mail_preferences::mode.eq(mode))
        .execute(c))
    .map(drop)
}
