//! Badges people have been awarded.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::badges;

/// Awards a badge; returns whether it is new (the primary key decides, so concurrent
/// awards of the same badge make one row).
pub fn award(
    conn: &mut DbConn,
    user_id: i64,
    kind: &str,
    activity_id: i64,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let row = (
        badges::user_id.eq(user_id),
        badges::kind.eq(kind),
        badges::activity_id.eq(activity_id),
        badges::awarded_at.eq(at),
    );
    crate::on_backend!(conn, |c| diesel::insert_into(badges::table)
        .values(row)
        .on_conflict_do_nothing()
        .execute(c))
    .map(|n| n == 1)
}

/// A person's badges, oldest first: `(kind, awarded_at)`.
pub fn of_user(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<(String, NaiveDateTime)>> {
    badges::table
        .filter(badges::user_id.eq(user_id))
        .order(badges::awarded_at.asc())
        .select((badges::kind, badges::awarded_at))
        .load(conn)
}

/// Who holds a badge.
pub fn holders(conn: &mut DbConn, kind: &str) -> QueryResult<Vec<i64>> {
    badges::table.filter(badges::kind.eq(kind)).select(badges::user_id).load(conn)
}
