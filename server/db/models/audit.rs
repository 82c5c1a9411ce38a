//! The audit log: every moderation and admin action, who did it and why.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::models::now;
use crate::db::schema::audit_log;

/// Appends one site-wide audit entry. Call inside the transaction that makes the change.
pub fn record(
    conn: &mut DbConn,
    actor_id: Option<i64>,
    action: &str,
    target_type: &str,
    target_id: Option<i64>,
    details: &serde_json::Value,
) -> QueryResult<()> {
    record_in(conn, None, actor_id, action, target_type, target_id, details)
}

/// Appends one audit entry about something in a community (whose members can read it).
pub fn record_in(
    conn: &mut DbConn,
    community_id: Option<i64>,
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
            audit_log::community_id.eq(community_id),
            audit_log::details.eq(details.to_string()),
            audit_log::created_at.eq(now()),
        ))
        .execute(conn)
        .map(drop)
}

/// An audit entry with who did it.
#[derive(Debug, Clone, Queryable)]
pub struct Entry {
    pub id: i64,
    pub actor: Option<(String, String)>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<i64>,
    pub community: Option<(String, String)>,
    pub details: String,
    pub created_at: chrono::NaiveDateTime,
}

/// Which entries to read, newest first.
#[derive(Debug, Default, Clone)]
pub struct AuditQuery {
    pub actor_id: Option<i64>,
    /// An action (`post.hidden`) or a family (`post.`, `user.`).
    pub action: Option<String>,
    pub target_type: Option<String>,
    pub community_id: Option<i64>,
    /// Entries older than this id (the next page).
    pub before: Option<i64>,
    pub limit: i64,
}

/// Reads a page of the log.
pub fn list(conn: &mut DbConn, q: &AuditQuery) -> QueryResult<Vec<Entry>> {
    use crate::db::schema::{communities, users};
    let mut query = audit_log::table
        .left_join(users::table.on(users::id.nullable().eq(audit_log::actor_id)))
        .left_join(communities::table.on(communities::id.nullable().eq(audit_log::community_id)))
        .order(audit_log::id.desc())
        .limit(q.limit)
        .select((
            audit_log::id,
            (users::handle, users::name).nullable(),
            audit_log::action,
            audit_log::target_type,
            audit_log::target_id,
            (communities::slug, communities::name).nullable(),
            audit_log::details,
            audit_log::created_at,
        ))
        .into_boxed();
    if let Some(actor) = q.actor_id {
        query = query.filter(audit_log::actor_id.eq(actor));
    }
    if let Some(action) = &q.action {
        query = if action.ends_with('.') {
            let pattern = format!("{}%", super::escape_like(action));
            query.filter(audit_log::action.like(pattern).escape('\\'))
        } else {
            query.filter(audit_log::action.eq(action.clone()))
        };
    }
    if let Some(target_type) = &q.target_type {
        query = query.filter(audit_log::target_type.eq(target_type.clone()));
    }
    if let Some(community) = q.community_id {
        query = query.filter(audit_log::community_id.eq(community));
    }
    if let Some(before) = q.before {
        query = query.filter(audit_log::id.lt(before));
    }
    query.load(conn)
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
