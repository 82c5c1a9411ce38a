//! What moderation changes in stored content: hidden and locked items, withdrawn log
//! entries, community bans.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{activities, comments, community_bans, ideas, posts};

/// Hides (`Some(reason)`) or restores (`None`) an item; returns whether it changed.
pub fn set_hidden(
    conn: &mut DbConn,
    target_type: &str,
    id: i64,
    hidden: Option<(&str, NaiveDateTime)>,
) -> QueryResult<bool> {
    let (reason, at) = (hidden.map(|(r, _)| r), hidden.map(|(_, at)| at));
    let changed = match target_type {
        "post" => {
            diesel::update(posts::table.find(id).filter(posts::hidden_at.is_null().eq(hidden.is_some())))
                .set((posts::hidden_at.eq(at), posts::hidden_reason.eq(reason)))
                .execute(conn)?
        }
        "comment" => diesel::update(
            comments::table.find(id).filter(comments::hidden_at.is_null().eq(hidden.is_some())),
        )
        .set((comments::hidden_at.eq(at), comments::hidden_reason.eq(reason)))
        .execute(conn)?,
        "idea" => {
            diesel::update(ideas::table.find(id).filter(ideas::hidden_at.is_null().eq(hidden.is_some())))
                .set((ideas::hidden_at.eq(at), ideas::hidden_reason.eq(reason)))
                .execute(conn)?
        }
        _ => 0,
    };
    Ok(changed == 1)
}

/// Locks a post's thread; returns whether it was open.
pub fn lock(conn: &mut DbConn, post_id: i64, at: NaiveDateTime) -> QueryResult<bool> {
    diesel::update(posts::table.find(post_id).filter(posts::locked_at.is_null()))
        .set(posts::locked_at.eq(at))
        .execute(conn)
        .map(|n| n == 1)
}

/// The post's comments that are neither deleted nor hidden themselves: hiding the post
/// withdraws what was said under it too, and restoring it brings back only these.
pub fn visible_comment_ids(conn: &mut DbConn, post_id: i64) -> QueryResult<Vec<i64>> {
    comments::table
        .filter(comments::post_id.eq(post_id))
        .filter(comments::deleted_at.is_null())
        .filter(comments::hidden_at.is_null())
        .select(comments::id)
        .load(conn)
}

/// Marks (or, with `None`, unmarks) the log entries about these objects withdrawn, so
/// feeds stop showing them; returns the entries changed.
pub fn withdraw(
    conn: &mut DbConn,
    object_type: &str,
    ids: &[i64],
    at: Option<NaiveDateTime>,
) -> QueryResult<Vec<i64>> {
    let marked: Vec<i64> = activities::table
        .filter(activities::object_type.eq(object_type))
        .filter(activities::object_id.eq_any(ids))
        .filter(activities::withdrawn_at.is_null().eq(at.is_some()))
        .select(activities::id)
        .load(conn)?;
    diesel::update(activities::table.filter(activities::id.eq_any(&marked)))
        .set(activities::withdrawn_at.eq(at))
        .execute(conn)?;
    Ok(marked)
}

/// Bans someone from a community (replacing an earlier ban).
pub fn ban(
    conn: &mut DbConn,
    community_id: i64,
    user_id: i64,
    until: Option<NaiveDateTime>,
    reason: &str,
    by: i64,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::delete(
        community_bans::table
            .filter(community_bans::community_id.eq(community_id))
            .filter(community_bans::user_id.eq(user_id)),
    )
    .execute(conn)?;
    diesel::insert_into(community_bans::table)
        .values((
            community_bans::community_id.eq(community_id),
            community_bans::user_id.eq(user_id),
            community_bans::until.eq(until),
            community_bans::reason.eq(reason),
            community_bans::banned_by.eq(by),
            community_bans::created_at.eq(at),
        ))
        .execute(conn)
        .map(drop)
}

/// Until when someone is banned from a community, if they are now: `Some(None)` for a ban
/// without end.
pub fn banned_until(
    conn: &mut DbConn,
    community_id: i64,
    user_id: i64,
    now: NaiveDateTime,
) -> QueryResult<Option<Option<NaiveDateTime>>> {
    community_bans::table
        .filter(community_bans::community_id.eq(community_id))
        .filter(community_bans::user_id.eq(user_id))
        .filter(community_bans::until.is_null().or(community_bans::until.gt(now)))
        .select(community_bans::until)
        .first(conn)
        .optional()
}
