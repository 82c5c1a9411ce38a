//! Notifications as stored: one row per person and activity, grouped for display.

use chrono::NaiveDateTime;
use diesel::prelude::AggregateExpressionMethods;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::id_list::any_of;
use crate::db::schema::{activities, communities, notifications, users};

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

/// Stores a notification; one per person and activity, so replaying an activity (a
/// restart, a second node) adds nothing. Returns the new row's id, or `None` if it existed.
pub fn insert(conn: &mut DbConn, row: &NewNotification) -> QueryResult<Option<i64>> {
    let id = crate::on_backend!(conn, |c| diesel::insert_into(notifications::table)
        .values(row)
        .on_conflict((notifications::user_id, notifications::activity_id))
        .do_nothing()
        .returning(notifications::id)
        .get_result(c)
        .optional())?;
    if id.is_some() {
        crate::db::appended();
    }
    Ok(id)
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
/// nothing unread are left out. Every signed-in page asks for its viewer, and the live hub
/// for everyone an event reaches: [`any_of`] keeps the statement prepared.
pub fn unread_of(conn: &mut DbConn, user_ids: &[i64]) -> QueryResult<Vec<(i64, i64)>> {
    notifications::table
        .filter(any_of(notifications::user_id, user_ids))
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

/// A notification waiting for the digest, with what the digest groups it by.
#[derive(Debug, Clone, Queryable)]
pub struct Pending {
    pub id: i64,
    pub kind: String,
    pub group_key: String,
    pub title: String,
    pub url: String,
    pub created_at: NaiveDateTime,
    pub actor: Option<String>,
    pub activity_id: i64,
    pub community: Option<String>,
}

/// A person's notifications of `kinds` neither read nor mailed yet, oldest first.
pub fn unmailed(conn: &mut DbConn, user_id: i64, kinds: &[&str]) -> QueryResult<Vec<Pending>> {
    notifications::table
        .inner_join(activities::table.on(activities::id.eq(notifications::activity_id)))
        .left_join(communities::table.on(activities::community_id.eq(communities::id.nullable())))
        .left_join(users::table.on(notifications::actor_id.eq(users::id.nullable())))
        .filter(notifications::user_id.eq(user_id))
        .filter(notifications::read_at.is_null())
        .filter(notifications::mailed_at.is_null())
        .filter(notifications::kind.eq_any(kinds))
        .order(notifications::id.asc())
        .select((
            notifications::id,
            notifications::kind,
            notifications::group_key,
            notifications::title,
            notifications::url,
            notifications::created_at,
            users::name.nullable(),
            notifications::activity_id,
            communities::name.nullable(),
        ))
        .load(conn)
}

/// Who has notifications neither read nor mailed that were made after `since`, and no
/// digest since `digested_since`.
pub fn people_with_unmailed(
    conn: &mut DbConn,
    since: NaiveDateTime,
    digested_since: NaiveDateTime,
) -> QueryResult<Vec<i64>> {
    use crate::db::schema::outbox;
    // Those who had their digest already wait for the next one: the job, which checks every
    // minute, would otherwise open a transaction for each of them only to find that out.
    let digested = outbox::table
        .filter(outbox::kind.eq("digest"))
        .filter(outbox::created_at.ge(digested_since))
        .select(outbox::user_id.assume_not_null());
    notifications::table
        .filter(notifications::read_at.is_null())
        .filter(notifications::mailed_at.is_null())
        .filter(notifications::created_at.gt(since))
        .filter(notifications::user_id.ne_all(digested))
        .select(notifications::user_id)
        .distinct()
        .load(conn)
}

/// Marks notifications mailed; returns the ones this call marked (another node may have
/// mailed some of them a moment earlier).
pub fn mark_mailed(conn: &mut DbConn, ids: &[i64], at: NaiveDateTime) -> QueryResult<Vec<i64>> {
    crate::on_backend!(conn, |c| diesel::update(
        notifications::table.filter(notifications::id.eq_any(ids)).filter(notifications::mailed_at.is_null())
    )
    .set(notifications::mailed_at.eq(at))
    .returning(notifications::id)
    .get_results(c))
}

/// Puts notifications back in line for the next digest (their mail was withdrawn).
pub fn unmark_mailed(conn: &mut DbConn, ids: &[i64]) -> QueryResult<usize> {
    diesel::update(notifications::table.filter(notifications::id.eq_any(ids)))
        .set(notifications::mailed_at.eq(None::<NaiveDateTime>))
        .execute(conn)
}

/// Whether the group already has an unread notification mailed since `since` (a second
/// reply within the hour waits for the digest instead of making another mail).
pub fn group_mailed_since(
    conn: &mut DbConn,
    user_id: i64,
    group_key: &str,
    since: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        notifications::table
            .filter(notifications::user_id.eq(user_id))
            .filter(notifications::group_key.eq(group_key))
            .filter(notifications::read_at.is_null())
            .filter(notifications::mailed_at.gt(since)),
    ))
    .get_result(conn)
}

/// Deletes a person's notifications about a community they may no longer read (the mails
/// that would tell of them are withdrawn with them).
pub fn delete_in_community(conn: &mut DbConn, user_id: i64, community_id: i64) -> QueryResult<usize> {
    let ids: Vec<i64> = notifications::table
        .inner_join(activities::table.on(activities::id.eq(notifications::activity_id)))
        .filter(notifications::user_id.eq(user_id))
        .filter(activities::community_id.eq(community_id))
        .select(notifications::id)
        .load(conn)?;
    delete(conn, &ids)
}

/// Deletes the notifications about a community held by anyone who is neither its active
/// member nor an admin (it became private).
pub fn delete_for_outsiders(conn: &mut DbConn, community_id: i64) -> QueryResult<usize> {
    use crate::db::schema::memberships;
    let insiders = memberships::table
        .filter(memberships::community_id.eq(community_id))
        .filter(memberships::state.eq(crate::domain::community::MemberState::Active.as_str()))
        .select(memberships::user_id);
    let admins =
        users::table.filter(users::role.eq(crate::domain::account::Role::Admin.as_str())).select(users::id);
    let ids: Vec<i64> = notifications::table
        .inner_join(activities::table.on(activities::id.eq(notifications::activity_id)))
        .filter(activities::community_id.eq(community_id))
        .filter(notifications::user_id.ne_all(insiders))
        .filter(notifications::user_id.ne_all(admins))
        .select(notifications::id)
        .load(conn)?;
    delete(conn, &ids)
}

/// Deletes notifications by id.
pub fn delete(conn: &mut DbConn, ids: &[i64]) -> QueryResult<usize> {
    diesel::delete(notifications::table.filter(notifications::id.eq_any(ids))).execute(conn)
}

/// Deletes the notifications about these log entries, read or not: their content was
/// hidden or deleted, and their titles quote it. The mails that would tell of them are
/// withdrawn with them.
pub fn delete_for(conn: &mut DbConn, activity_ids: &[i64]) -> QueryResult<usize> {
    diesel::delete(notifications::table.filter(notifications::activity_id.eq_any(activity_ids))).execute(conn)
}
