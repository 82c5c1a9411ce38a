//! Challenges: campaign questions with a deadline that ideas answer.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{challenges, ideas};

/// A row of `challenges`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = challenges)]
pub struct Challenge {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub description_html: String,
    pub created_by: Option<i64>,
    pub deadline: NaiveDateTime,
    pub created_at: NaiveDateTime,
}

/// Inserts a challenge; returns its id.
pub fn insert(
    conn: &mut DbConn,
    title: &str,
    description: &str,
    html: &str,
    by: i64,
    deadline: NaiveDateTime,
    at: NaiveDateTime,
) -> QueryResult<i64> {
    crate::on_backend!(conn, |c| diesel::insert_into(challenges::table)
        .values((
            challenges::title.eq(title),
            challenges::description.eq(description),
            challenges::description_html.eq(html),
            challenges::created_by.eq(by),
            challenges::deadline.eq(deadline),
            challenges::created_at.eq(at),
        ))
        .returning(challenges::id)
        .get_result(c))
}

/// Finds a challenge.
pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Challenge>> {
    challenges::table.find(id).select(Challenge::as_select()).first(conn).optional()
}

/// Challenges, open ones (latest deadline) first.
pub fn list(conn: &mut DbConn, limit: i64) -> QueryResult<Vec<Challenge>> {
    challenges::table
        .order(challenges::deadline.desc())
        .limit(limit)
        .select(Challenge::as_select())
        .load(conn)
}

/// Attaches an idea to a challenge.
pub fn attach(conn: &mut DbConn, idea_id: i64, challenge_id: i64) -> QueryResult<()> {
    diesel::update(ideas::table.find(idea_id))
        .set(ideas::challenge_id.eq(challenge_id))
        .execute(conn)
        .map(drop)
}
