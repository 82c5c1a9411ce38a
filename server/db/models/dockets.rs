//! Quarterly dockets: which ideas entered review, in what order, with what votes.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::models::ideas::Idea;
use crate::db::models::posts::Author;
use crate::db::schema::{docket_entries, dockets, ideas, users};
use crate::domain::idea::IdeaState;

/// A closed quarter's docket.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = dockets)]
pub struct Docket {
    pub quarter: String,
    pub size: i32,
    pub formula: String,
    pub closed_by: Option<i64>,
    pub closed_at: NaiveDateTime,
}

/// One idea on a docket.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = docket_entries)]
pub struct DocketEntry {
    pub quarter: String,
    pub idea_id: i64,
    pub rank: i32,
    pub votes_at_close: i32,
}

/// Creates the docket; false when the quarter was already closed (the key decides).
pub fn create(
    conn: &mut DbConn,
    quarter: &str,
    size: i32,
    formula: &str,
    closed_by: Option<i64>,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let row = (
        dockets::quarter.eq(quarter),
        dockets::size.eq(size),
        dockets::formula.eq(formula),
        dockets::closed_by.eq(closed_by),
        dockets::closed_at.eq(at),
    );
    crate::on_backend!(conn, |c| diesel::insert_into(dockets::table)
        .values(row)
        .on_conflict_do_nothing()
        .execute(c))
    .map(|n| n == 1)
}

/// Adds an idea to a docket.
pub fn add_entry(conn: &mut DbConn, quarter: &str, idea_id: i64, rank: i32, votes: i32) -> QueryResult<()> {
    diesel::insert_into(docket_entries::table)
        .values((
            docket_entries::quarter.eq(quarter),
            docket_entries::idea_id.eq(idea_id),
            docket_entries::rank.eq(rank),
            docket_entries::votes_at_close.eq(votes),
        ))
        .execute(conn)
        .map(drop)
}

/// A quarter's docket, if closed.
pub fn find(conn: &mut DbConn, quarter: &str) -> QueryResult<Option<Docket>> {
    dockets::table.find(quarter).select(Docket::as_select()).first(conn).optional()
}

/// Every closed quarter's docket, newest first.
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<Docket>> {
    dockets::table.order(dockets::quarter.desc()).select(Docket::as_select()).load(conn)
}

/// Where a docket's ideas stand now.
pub fn entry_states(conn: &mut DbConn, quarter: &str) -> QueryResult<Vec<IdeaState>> {
    let states: Vec<String> = docket_entries::table
        .inner_join(ideas::table)
        .filter(docket_entries::quarter.eq(quarter))
        .select(ideas::state)
        .load(conn)?;
    Ok(states.iter().filter_map(|s| IdeaState::parse(s).ok()).collect())
}

/// A docket's ideas in rank order, with their authors.
pub fn entries(conn: &mut DbConn, quarter: &str) -> QueryResult<Vec<(DocketEntry, Idea, Option<Author>)>> {
    docket_entries::table
        .inner_join(ideas::table.left_join(users::table.on(users::id.nullable().eq(ideas::author_id))))
        .filter(docket_entries::quarter.eq(quarter))
        .order(docket_entries::rank.asc())
        .select((DocketEntry::as_select(), Idea::as_select(), (users::handle, users::name).nullable()))
        .load(conn)
}

/// The quarter's submitted ideas by the published formula: most distinct supporters, ties
/// to the earliest submission.
pub fn candidates(conn: &mut DbConn, quarter: &str, limit: i64) -> QueryResult<Vec<Idea>> {
    ideas::table
        .filter(ideas::quarter.eq(quarter))
        .filter(ideas::state.eq(IdeaState::Submitted.as_str()))
        .order((ideas::vote_count.desc(), ideas::submitted_at.asc(), ideas::id.asc()))
        .limit(limit)
        .select(Idea::as_select())
        .load(conn)
}
