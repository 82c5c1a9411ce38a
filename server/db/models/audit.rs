//! The audit log: every moderation and admin action, who did it and why.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::models::now;
use crate::db::schema::audit_log;

/// Appends one audit entry. Call inside the transaction that makes the change.
pub fn record(
    conn: &mut DbConn,
    actor_id: Option<i64>,
    action: &str,
    target_type: &str,
    target_id: Option<i64>,
    details: &serde_json::Value,
) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values((
            audit_log::actor_id.eq(actor_id),
            audit_log::action.eq(action),
            audit_log::target_type.eq(target_type),
            audit_log::target_id.eq(target_id),
            audit_log::details.eq(details.to_string()),
            audit_log::created_at.eq(now()),
        ))
        .execute(conn)
        .map(drop)
}

/// Actions recorded against one target, oldest first.
pub fn actions_for(conn: &mut DbConn, target_type: &str, target_id: i64) -> QueryResult<Vec<String>> {
    audit_log::table
        .filter(audit_log::target_type.eq(target_type))
        .filter(audit_log::target_id.eq(target_id))
        .order(audit_log::id.asc())
        .select(audit_log::action)
        .load(conn)
}
