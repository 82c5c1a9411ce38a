//! Weekly counters for the admin's analytics (kept by [`crate::analytics`]), and the few
//! aggregates read straight from small tables (ideas per state, decision times).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{idea_decisions, ideas, weekly_actives, weekly_counts};

/// Adds `n` to a weekly counter.
pub fn bump(conn: &mut DbConn, week: &str, metric: &str, subject: i64, n: i64) -> QueryResult<()> {
    let row = (
        weekly_counts::week.eq(week),
        weekly_counts::metric.eq(metric),
        weekly_counts::subject.eq(subject),
        weekly_counts::count.eq(n),
    );
    crate::on_backend!(conn, |c| diesel::insert_into(weekly_counts::table)
        .values(row)
        .on_conflict((weekly_counts::week, weekly_counts::metric, weekly_counts::subject))
        .do_update()
        .set(weekly_counts::count.eq(weekly_counts::count + n))
        .execute(c))
    .map(drop)
}

/// Records that someone was active in a week.
pub fn active(conn: &mut DbConn, week: &str, user_id: i64) -> QueryResult<()> {
    let row = (weekly_actives::week.eq(week), weekly_actives::user_id.eq(user_id));
    crate::on_backend!(conn, |c| diesel::insert_into(weekly_actives::table)
        .values(row)
        .on_conflict_do_nothing()
        .execute(c))
    .map(drop)
}

/// A site-wide metric per week from `since` (a week string) on, oldest first.
pub fn series(conn: &mut DbConn, metric: &str, since: &str) -> QueryResult<Vec<(String, i64)>> {
    weekly_counts::table
        .filter(weekly_counts::metric.eq(metric))
        .filter(weekly_counts::subject.eq(0))
        .filter(weekly_counts::week.ge(since))
        .order(weekly_counts::week.asc())
        .select((weekly_counts::week, weekly_counts::count))
        .load(conn)
}

/// Active people per week from `since` on, oldest first.
pub fn actives(conn: &mut DbConn, since: &str) -> QueryResult<Vec<(String, i64)>> {
    weekly_actives::table
        .filter(weekly_actives::week.ge(since))
        .group_by(weekly_actives::week)
        .order(weekly_actives::week.asc())
        .select((weekly_actives::week, diesel::dsl::count(weekly_actives::user_id)))
        .load(conn)
}

/// The subjects (communities, people) with the most of a metric since `since`.
pub fn top(conn: &mut DbConn, metric: &str, since: &str, limit: i64) -> QueryResult<Vec<(i64, i64)>> {
    // SUM of a BIGINT is NUMERIC on PostgreSQL: cast it back, the same on both backends.
    let total = diesel::dsl::sql::<diesel::sql_types::BigInt>("CAST(SUM(weekly_counts.count) AS BIGINT)");
    weekly_counts::table
        .filter(weekly_counts::metric.eq(metric))
        .filter(weekly_counts::week.ge(since))
        .group_by(weekly_counts::subject)
        .select((weekly_counts::subject, total.clone()))
        .order((total.desc(), weekly_counts::subject.asc()))
        .limit(limit)
        .load(conn)
}

/// Ideas per quarter and state (drafts left out), as (quarter, state, count).
pub fn funnel(conn: &mut DbConn) -> QueryResult<Vec<(String, String, i64)>> {
    ideas::table
        .filter(ideas::state.ne("draft"))
        .group_by((ideas::quarter, ideas::state))
        .order(ideas::quarter.asc())
        .select((ideas::quarter, ideas::state, diesel::dsl::count(ideas::id)))
        .load(conn)
}

/// Each decided idea's quarter, submission time and first decision time.
pub fn decisions(conn: &mut DbConn) -> QueryResult<Vec<(String, NaiveDateTime, NaiveDateTime)>> {
    let rows: Vec<(String, Option<NaiveDateTime>, Option<NaiveDateTime>)> = ideas::table
        .inner_join(idea_decisions::table.on(idea_decisions::idea_id.eq(ideas::id)))
        .group_by((ideas::id, ideas::quarter, ideas::submitted_at))
        .select((ideas::quarter, ideas::submitted_at, diesel::dsl::min(idea_decisions::created_at)))
        .load(conn)?;
    Ok(rows.into_iter().filter_map(|(q, from, to)| Some((q, from?, to?))).collect())
}
