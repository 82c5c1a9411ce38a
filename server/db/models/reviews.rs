//! Executives' rubric scores and the board's decisions.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::upsert::excluded;

use crate::db::DbConn;
use crate::db::models::posts::Author;
use crate::db::schema::{idea_decisions, idea_reviews, ideas, users};

/// One executive's score of an idea.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = idea_reviews)]
pub struct Review {
    pub idea_id: i64,
    pub reviewer_id: i64,
    pub impact: i32,
    pub feasibility: i32,
    pub fit: i32,
    pub comment: String,
    pub created_at: NaiveDateTime,
}

/// Records (or replaces) a reviewer's score.
pub fn upsert(conn: &mut DbConn, review: &Review) -> QueryResult<()> {
    let row = (
        idea_reviews::idea_id.eq(review.idea_id),
        idea_reviews::reviewer_id.eq(review.reviewer_id),
        idea_reviews::impact.eq(review.impact),
        idea_reviews::feasibility.eq(review.feasibility),
        idea_reviews::fit.eq(review.fit),
        idea_reviews::comment.eq(&review.comment),
        idea_reviews::created_at.eq(review.created_at),
    );
    crate::on_backend!(conn, |c| diesel::insert_into(idea_reviews::table)
        .values(row)
        .on_conflict((idea_reviews::idea_id, idea_reviews::reviewer_id))
        .do_update()
        .set((
            idea_reviews::impact.eq(excluded(idea_reviews::impact)),
            idea_reviews::feasibility.eq(excluded(idea_reviews::feasibility)),
            idea_reviews::fit.eq(excluded(idea_reviews::fit)),
            idea_reviews::comment.eq(excluded(idea_reviews::comment)),
            idea_reviews::created_at.eq(excluded(idea_reviews::created_at)),
        ))
        .execute(c))
    .map(drop)
}

/// All scores of an idea.
pub fn of_idea(conn: &mut DbConn, idea_id: i64) -> QueryResult<Vec<Review>> {
    idea_reviews::table.filter(idea_reviews::idea_id.eq(idea_id)).select(Review::as_select()).load(conn)
}

/// A decision of the board.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = idea_decisions)]
pub struct Decision {
    pub id: i64,
    pub idea_id: i64,
    pub decided_by: Option<i64>,
    pub decision: String,
    pub rationale: String,
    pub budget: Option<i64>,
    pub sponsor_id: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// What a decision records.
pub struct NewDecision<'a> {
    pub idea_id: i64,
    pub decided_by: i64,
    pub decision: &'a str,
    pub rationale: &'a str,
    pub budget: Option<i64>,
    pub sponsor_id: Option<i64>,
}

/// Records a decision; returns its id.
pub fn add_decision(conn: &mut DbConn, d: &NewDecision<'_>, at: NaiveDateTime) -> QueryResult<i64> {
    diesel::insert_into(idea_decisions::table)
        .values((
            idea_decisions::idea_id.eq(d.idea_id),
            idea_decisions::decided_by.eq(d.decided_by),
            idea_decisions::decision.eq(d.decision),
            idea_decisions::rationale.eq(d.rationale),
            idea_decisions::budget.eq(d.budget),
            idea_decisions::sponsor_id.eq(d.sponsor_id),
            idea_decisions::created_at.eq(at),
        ))
        .returning(idea_decisions::id)
        .get_result(conn)
}

/// The latest decision on an idea.
pub fn latest_decision(conn: &mut DbConn, idea_id: i64) -> QueryResult<Option<Decision>> {
    idea_decisions::table
        .filter(idea_decisions::idea_id.eq(idea_id))
        .order(idea_decisions::id.desc())
        .select(Decision::as_select())
        .first(conn)
        .optional()
}

/// A decision with the people it names: who decided and who sponsors.
#[derive(Debug, Clone)]
pub struct DecisionView {
    pub decision: Decision,
    pub decided_by: Option<Author>,
    pub sponsor: Option<Author>,
}

/// The latest decision on an idea, with names.
pub fn latest_view(conn: &mut DbConn, idea_id: i64) -> QueryResult<Option<DecisionView>> {
    let Some(decision) = latest_decision(conn, idea_id)? else {
        return Ok(None);
    };
    let mut name = |id: Option<i64>| -> QueryResult<Option<Author>> {
        match id {
            Some(id) => {
                users::table.find(id).select((users::handle, users::name)).first::<Author>(conn).optional()
            }
            None => Ok(None),
        }
    };
    let (decided_by, sponsor) = (name(decision.decided_by)?, name(decision.sponsor_id)?);
    Ok(Some(DecisionView { decision, decided_by, sponsor }))
}

/// Moves an idea from one state to another only if it is still in `from`; false when
/// someone else moved it first (the update itself decides, so races cannot both win).
pub fn move_if(
    conn: &mut DbConn,
    idea_id: i64,
    from: &str,
    to: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    diesel::update(ideas::table.find(idea_id).filter(ideas::state.eq(from)))
        .set((ideas::state.eq(to), ideas::updated_at.eq(at)))
        .execute(conn)
        .map(|n| n == 1)
}
