//! Following people and tags.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{tag_follows, user_follows};

/// Follows a person; returns false when already following.
pub fn follow_user(conn: &mut DbConn, follower: i64, followee: i64, at: NaiveDateTime) -> QueryResult<bool> {
    let row = (
        user_follows::follower_id.eq(follower),
        user_follows::followee_id.eq(followee),
        user_follows::created_at.eq(at),
    );
    crate::on_backend!(conn, |c| diesel::insert_into(user_follows::table)
        .values(row)
        .on_conflict_do_nothing()
        .execute(c))
    .map(|n| n == 1)
}

/// Stops following a person; returns whether they were followed.
pub fn unfollow_user(conn: &mut DbConn, follower: i64, followee: i64) -> QueryResult<bool> {
    diesel::delete(user_follows::table.find((follower, followee))).execute(conn).map(|n| n == 1)
}

/// The people a user follows.
pub fn followed_users(conn: &mut DbConn, follower: i64) -> QueryResult<Vec<i64>> {
    user_follows::table
        .filter(user_follows::follower_id.eq(follower))
        .select(user_follows::followee_id)
        .load(conn)
}

/// Follows a tag; returns false when already following.
pub fn follow_tag(conn: &mut DbConn, user_id: i64, tag: &str, at: NaiveDateTime) -> QueryResult<bool> {
    let row = (tag_follows::user_id.eq(user_id), tag_follows::tag.eq(tag), tag_follows::created_at.eq(at));
    crate::on_backend!(conn, |c| diesel::insert_into(tag_follows::table)
        .values(row)
        .on_conflict_do_nothing()
        .execute(c))
    .map(|n| n == 1)
}

/// Stops following a tag; returns whether it was followed.
pub fn unfollow_tag(conn: &mut DbConn, user_id: i64, tag: &str) -> QueryResult<bool> {
    diesel::delete(tag_follows::table.find((user_id, tag))).execute(conn).map(|n| n == 1)
}

/// The tags a user follows.
pub fn followed_tags(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<String>> {
    tag_follows::table.filter(tag_follows::user_id.eq(user_id)).select(tag_follows::tag).load(conn)
}

/// Whether `follower` follows `followee`.
pub fn follows_user(conn: &mut DbConn, follower: i64, followee: i64) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(user_follows::table.find((follower, followee)))).get_result(conn)
}
