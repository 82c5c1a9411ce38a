//! The activity log (SPEC §4): appended in the same transaction as the change it records.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::models::now;
use crate::db::schema::activities;
use crate::domain::activity::NewActivity;

/// A row of the log.
#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = activities)]
pub struct Activity {
    pub id: i64,
    pub actor_id: Option<i64>,
    pub verb: String,
    pub object_type: String,
    pub object_id: i64,
    pub community_id: Option<i64>,
    pub visibility: String,
    pub data: String,
    pub created_at: chrono::NaiveDateTime,
    /// Set while what the entry tells of is hidden or deleted: readers skip it.
    pub withdrawn_at: Option<chrono::NaiveDateTime>,
}

/// Up to `limit` entries after `id`, oldest first.
pub fn after(conn: &mut DbConn, id: i64, limit: i64) -> QueryResult<Vec<Activity>> {
    activities::table
        .filter(activities::id.gt(id))
        .order(activities::id.asc())
        .limit(limit)
        .select(Activity::as_select())
        .load(conn)
}

/// One entry.
pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Activity>> {
    activities::table.find(id).select(Activity::as_select()).first(conn).optional()
}

/// The newest id in the log (0 when empty): where a fresh follower starts.
pub fn latest_id(conn: &mut DbConn) -> QueryResult<i64> {
    activities::table
        .select(diesel::dsl::max(activities::id))
        .first::<Option<i64>>(conn)
        .map(Option::unwrap_or_default)
}

/// The channel PostgreSQL nodes NOTIFY on when they append to the log.
pub const NOTIFY_CHANNEL: &str = "agora_activity";

/// Any constant works; it only has to be the same for every writer of the log.
const ACTIVITY_LOCK_KEY: i64 = 0x4147_4f52_4100_0001;

/// Appends one entry and returns its id. Call inside the transaction that makes the change.
pub fn record(conn: &mut DbConn, activity: &NewActivity) -> QueryResult<i64> {
    let data = activity.data.to_string();
    let values = (
        activities::actor_id.eq(activity.actor_id),
        activities::verb.eq(activity.verb),
        activities::object_type.eq(activity.object_type),
        activities::object_id.eq(activity.object_id),
        activities::community_id.eq(activity.community_id),
        activities::visibility.eq(activity.visibility.as_str()),
        activities::data.eq(&data),
        activities::created_at.eq(now()),
    );
    crate::db::appended();
    match conn {
        DbConn::Pg(c) => {
            // Sequence values are handed out before commit, so without this lock a reader
            // could see id 11 committed before id 10 and skip 10 for ever. Holding a
            // transaction-scoped lock from insert to commit makes ids commit in order.
            diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
                .bind::<diesel::sql_types::BigInt, _>(ACTIVITY_LOCK_KEY)
                .execute(c)?;
            // Delivered at commit: wakes the followers on every node.
            diesel::sql_query(format!("NOTIFY {NOTIFY_CHANNEL}")).execute(c)?;
            diesel::insert_into(activities::table).values(values).returning(activities::id).get_result(c)
        }
        DbConn::Sqlite(c) => {
            diesel::insert_into(activities::table).values(values).returning(activities::id).get_result(c)
        }
    }
}

/// Verbs of activities about one object, oldest first (used by tests and timelines).
pub fn verbs_for(conn: &mut DbConn, object_type: &str, object_id: i64) -> QueryResult<Vec<String>> {
    activities::table
        .filter(activities::object_type.eq(object_type))
        .filter(activities::object_id.eq(object_id))
        .order(activities::id.asc())
        .select(activities::verb)
        .load(conn)
}

/// The data of the entries with these verbs about these objects, as (entry id, data).
pub fn data_of(
    conn: &mut DbConn,
    object_type: &str,
    ids: &[i64],
    verbs: &[&str],
) -> QueryResult<Vec<(i64, String)>> {
    activities::table
        .filter(activities::object_type.eq(object_type))
        .filter(activities::object_id.eq_any(ids))
        .filter(activities::verb.eq_any(verbs))
        .select((activities::id, activities::data))
        .load(conn)
}

/// Replaces one entry's data.
pub fn set_data(conn: &mut DbConn, id: i64, data: &str) -> QueryResult<()> {
    diesel::update(activities::table.find(id)).set(activities::data.eq(data)).execute(conn).map(drop)
}
