//! Notifications as stored: one row per person and activity, grouped for display.

use chrono::NaiveDateTime;
use diesel::prelude::AggregateExpressionMethods;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{notifications, users};

/// A notification to store.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = notifications)]
pub struct NewNotification {
    pub user_id: i64,
    pub kind: &'static str,
    pub group_key: String,
    pub activity_id: i64,
    pub actor_id: Option<i64>,
    pub title: String,
    pub url: String,
    pub created_at: NaiveDateTime,
}

/// Stores notifications; one per person and activity, so replaying an activity (a restart,
/// a second node) adds nothing. Returns how many were new.
pub fn insert_all(conn: &mut DbConn, rows: &[NewNotification]) -> QueryResult<usize> {
    let mut added = 0;
    for row in rows {
        added += crate::on_backend!(conn, |c| diesel::insert_into(notifications::table)
            .values(row)
            .on_conflict((notifications::user_id, notifications::activity_id))
            .do_nothing()
            .execute(c))?;
    }
    if added > 0 {
        crate::db::appended();
    }
    Ok(added)
}

/// A stored notification with the name of who caused it.
#[derive(Debug, Clone, Queryable)]
pub struct Row {
    pub id: i64,
    pub kind: String,
    pub group_key: String,
    pub title: String,
    pub url: String,
    pub created_at: NaiveDateTime,
    pub read_at: Option<NaiveDateTime>,
    pub actor: Option<String>,
}

/// A person's most recent notifications, newest first.
pub fn recent(conn: &mut DbConn, user_id: i64, limit: i64) -> QueryResult<Vec<Row>> {
    notifications::table
        .left_join(users::table.on(notifications::actor_id.eq(users::id.nullable())))
        .filter(notifications::user_id.eq(user_id))
        .order(notifications::id.desc())
        .limit(limit)
        .select((
            notifications::id,
            notifications::kind,
            notifications::group_key,
            notifications::title,
            notifications::url,
            notifications::created_at,
            notifications::read_at,
            users::name.nullable(),
        ))
        .load(conn)
}

/// How many groups (lines in the bell) hold unread notifications.
pub fn unread(conn: &mut DbConn, user_id: i64) -> QueryResult<i64> {
    Ok(unread_of(conn, &[user_id])?.first().map_or(0, |(_, n)| *n))
}

/// The unread line counts of several people at once, as (user, count); people with
/// nothing unread are left out.
pub fn unread_of(conn: &mut DbConn, user_ids: &[i64]) -> QueryResult<Vec<(i64, i64)>> {
    notifications::table
        .filter(notifications::user_id.eq_any(user_ids))
        .filter(notifications::read_at.is_null())
        .group_by(notifications::user_id)
        .select((notifications::user_id, diesel::dsl::count(notifications::group_key).aggregate_distinct()))
        .load(conn)
}

/// Marks a person's notifications read: one group, or all of them.
pub fn mark_read(
    conn: &mut DbConn,
    user_id: i64,
    group: Option<&str>,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    let mine = notifications::table
        .filter(notifications::user_id.eq(user_id))
        .filter(notifications::read_at.is_null())
        .into_boxed();
    let target = match group {
        Some(key) => mine.filter(notifications::group_key.eq(key.to_owned())),
        None => mine,
    };
    let ids: Vec<i64> = target.select(notifications::id).load(conn)?;
    diesel::update(notifications::table.filter(notifications::id.eq_any(ids)))
        .set(notifications::read_at.eq(at))
        .execute(conn)
}

/// Notifications stored after `id` (for live delivery): (id, user).
pub fn after(conn: &mut DbConn, id: i64, limit: i64) -> QueryResult<Vec<(i64, i64)>> {
    notifications::table
        .filter(notifications::id.gt(id))
        .order(notifications::id.asc())
        .limit(limit)
        .select((notifications::id, notifications::user_id))
        .load(conn)
}

/// The newest notification id (live delivery starts after it).
pub fn latest_id(conn: &mut DbConn) -> QueryResult<i64> {
    notifications::table
        .select(diesel::dsl::max(notifications::id))
        .first::<Option<i64>>(conn)
        .map(Option::unwrap_or_default)
}
