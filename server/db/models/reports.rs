//! Reports of posts, comments and ideas: one per member and item, resolved together when a
//! moderator acts on the item.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{reports, users};

/// A report to store.
#[derive(Debug, Insertable)]
#[diesel(table_name = reports)]
pub struct NewReport<'a> {
    pub target_type: &'a str,
    pub target_id: i64,
    pub community_id: Option<i64>,
    pub reporter_id: i64,
    pub reason: &'a str,
    pub note: &'a str,
    pub created_at: NaiveDateTime,
}

/// Stores a report unless the member reported the item already; returns whether it is new.
pub fn insert(conn: &mut DbConn, report: &NewReport<'_>) -> QueryResult<bool> {
    crate::on_backend!(conn, |c| diesel::insert_into(reports::table)
        .values(report)
        .on_conflict((reports::target_type, reports::target_id, reports::reporter_id))
        .do_nothing()
        .execute(c))
    .map(|n| n == 1)
}

/// How many different members have open reports on an item.
pub fn open_reporters(conn: &mut DbConn, target_type: &str, target_id: i64) -> QueryResult<i64> {
    reports::table
        .filter(reports::target_type.eq(target_type))
        .filter(reports::target_id.eq(target_id))
        .filter(reports::resolved_at.is_null())
        .count()
        .get_result(conn)
}

/// Resolves an item's open reports with an outcome; returns how many.
pub fn resolve(
    conn: &mut DbConn,
    target_type: &str,
    target_id: i64,
    outcome: &str,
    by: i64,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    diesel::update(
        reports::table
            .filter(reports::target_type.eq(target_type))
            .filter(reports::target_id.eq(target_id))
            .filter(reports::resolved_at.is_null()),
    )
    .set((reports::resolved_at.eq(at), reports::resolved_by.eq(by), reports::outcome.eq(outcome)))
    .execute(conn)
}

/// An open report as the queue shows it.
#[derive(Debug, Clone, Queryable)]
pub struct OpenReport {
    pub id: i64,
    pub target_type: String,
    pub target_id: i64,
    pub community_id: Option<i64>,
    pub reporter_id: i64,
    pub reporter: String,
    pub reason: String,
    pub note: String,
    pub created_at: NaiveDateTime,
}

/// Open reports, oldest first: of the given communities, or (`None`, for admins) of every
/// place, including items outside any community.
pub fn open(conn: &mut DbConn, communities: Option<&[i64]>, limit: i64) -> QueryResult<Vec<OpenReport>> {
    let mut query = reports::table
        .inner_join(users::table.on(users::id.eq(reports::reporter_id)))
        .filter(reports::resolved_at.is_null())
        .order(reports::id.asc())
        .limit(limit)
        .select((
            reports::id,
            reports::target_type,
            reports::target_id,
            reports::community_id,
            reports::reporter_id,
            users::name,
            reports::reason,
            reports::note,
            reports::created_at,
        ))
        .into_boxed();
    if let Some(ids) = communities {
        query = query.filter(reports::community_id.eq_any(ids.to_vec()));
    }
    query.load(conn)
}

/// How many items have open reports: in the given communities, or (`None`) anywhere.
pub fn open_items(conn: &mut DbConn, communities: Option<&[i64]>) -> QueryResult<usize> {
    let mut query = reports::table
        .filter(reports::resolved_at.is_null())
        .select((reports::target_type, reports::target_id))
        .distinct()
        .into_boxed();
    if let Some(ids) = communities {
        query = query.filter(reports::community_id.eq_any(ids.to_vec()));
    }
    Ok(query.load::<(String, i64)>(conn)?.len())
}

/// The outcomes of the given reporters' resolved reports, as (reporter, outcome).
pub fn accuracy(conn: &mut DbConn, reporter_ids: &[i64]) -> QueryResult<Vec<(i64, String)>> {
    reports::table
        .filter(reports::reporter_id.eq_any(reporter_ids))
        .filter(reports::outcome.is_not_null())
        .select((reports::reporter_id, reports::outcome.assume_not_null()))
        .load(conn)
}
