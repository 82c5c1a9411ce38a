//! Failed-login counters per bucket (`account:<email>`, `address:<ip>`), in fixed windows.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::Integer;
use diesel::upsert::excluded;

use crate::db::DbConn;
use crate::db::schema::login_attempts;

/// The failures counted in a bucket's current window, with the window's start.
pub fn get(conn: &mut DbConn, bucket: &str) -> QueryResult<Option<(i32, NaiveDateTime)>> {
    login_attempts::table
        .find(bucket)
        .select((login_attempts::failures, login_attempts::window_start))
        .first(conn)
        .optional()
}

/// Counts one failure: starts a new window when the old one began before `window_floor`.
pub fn record_failure(
    conn: &mut DbConn,
    bucket: &str,
    now: NaiveDateTime,
    window_floor: NaiveDateTime,
) -> QueryResult<()> {
    // One statement, so concurrent failures are all counted.
    let stale = login_attempts::window_start.lt(window_floor);
    crate::on_backend!(conn, |c| diesel::insert_into(login_attempts::table)
        .values((
            login_attempts::bucket.eq(bucket),
            login_attempts::failures.eq(1),
            login_attempts::window_start.eq(now),
        ))
        .on_conflict(login_attempts::bucket)
        .do_update()
        .set((
            login_attempts::failures.eq(diesel::dsl::case_when(stale, 1.into_sql::<Integer>())
                .otherwise(login_attempts::failures + 1)),
            login_attempts::window_start.eq(diesel::dsl::case_when(
                stale,
                excluded(login_attempts::window_start)
            )
            .otherwise(login_attempts::window_start),),
        ))
        .execute(c))
    .map(drop)
}

/// Forgets a bucket (after a successful login).
pub fn clear(conn: &mut DbConn, bucket: &str) -> QueryResult<()> {
    diesel::delete(login_attempts::table.find(bucket)).execute(conn).map(drop)
}
