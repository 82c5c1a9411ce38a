//! Counting contributions for points (see `server/gamification.rs` for what each is
//! worth). Counted from the content as it is now, so deleting something takes its points
//! with it, and never for acting on one's own content.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::Bool;

use crate::db::DbConn;
use crate::db::schema::{comments, idea_comments, ideas, posts, skill_endorsements};

/// Contributions of one kind per person.
pub type Counts = HashMap<i64, i64>;

/// Contributions per kind, each counted per person, within `[from, to)`.
#[derive(Debug, Default)]
pub struct Contributions {
    pub posts: Counts,
    pub comments: Counts,
    pub accepted_answers: Counts,
    pub ideas_submitted: Counts,
    pub ideas_reviewed: Counts,
    pub ideas_funded: Counts,
    pub endorsements: Counts,
}

fn counts(rows: Vec<(Option<i64>, i64)>) -> Counts {
    let mut out = Counts::new();
    for (who, n) in rows {
        if let Some(who) = who {
            *out.entry(who).or_default() += n;
        }
    }
    out
}

/// `column = only`, or true when counting everyone (one query shape for both, so no
/// boxing, which diesel does not allow with GROUP BY).
macro_rules! who {
    ($column:expr, $only:expr) => {
        $column.eq($only.unwrap_or(-1)).or($only.is_none().into_sql::<Bool>())
    };
}

/// Ideas that reached the review board (whatever it then decided).
const REVIEWED: [&str; 7] =
    ["in_review", "funded", "declined", "needs_work", "in_development", "launched", "stopped"];
/// Ideas the board funded (and what came after funding).
const FUNDED: [&str; 4] = ["funded", "in_development", "launched", "stopped"];

/// Contributions in the window: everyone's, or one person's (`only`).
pub fn contributions(
    conn: &mut DbConn,
    from: NaiveDateTime,
    to: NaiveDateTime,
    only: Option<i64>,
) -> QueryResult<Contributions> {
    use diesel::dsl::count_star;
    let posts_rows: Vec<(Option<i64>, i64)> = posts::table
        .filter(posts::deleted_at.is_null())
        .filter(posts::created_at.ge(from).and(posts::created_at.lt(to)))
        .filter(who!(posts::author_id, only))
        .group_by(posts::author_id)
        .select((posts::author_id, count_star()))
        .load(conn)?;
    // Comments on someone else's post (one's own thread earns nothing).
    let mut comment_rows: Vec<(Option<i64>, i64)> = comments::table
        .inner_join(posts::table)
        .filter(comments::deleted_at.is_null().and(posts::deleted_at.is_null()))
        .filter(comments::author_id.nullable().ne(posts::author_id.nullable()))
        .filter(comments::created_at.ge(from).and(comments::created_at.lt(to)))
        .filter(who!(comments::author_id, only))
        .group_by(comments::author_id)
        .select((comments::author_id, count_star()))
        .load(conn)?;
    comment_rows.extend(
        idea_comments::table
            .inner_join(ideas::table.on(ideas::id.eq(idea_comments::idea_id)))
            .filter(idea_comments::deleted_at.is_null())
            .filter(idea_comments::author_id.nullable().ne(ideas::author_id.nullable()))
            .filter(idea_comments::created_at.ge(from).and(idea_comments::created_at.lt(to)))
            .filter(who!(idea_comments::author_id, only))
            .group_by(idea_comments::author_id)
            .select((idea_comments::author_id, count_star()))
            .load::<(Option<i64>, i64)>(conn)?,
    );
    let answers: Vec<(Option<i64>, i64)> = comments::table
        .inner_join(posts::table.on(posts::accepted_comment_id.eq(comments::id.nullable())))
        .filter(comments::deleted_at.is_null().and(posts::deleted_at.is_null()))
        .filter(comments::author_id.nullable().ne(posts::author_id.nullable()))
        .filter(comments::created_at.ge(from).and(comments::created_at.lt(to)))
        .filter(who!(comments::author_id, only))
        .group_by(comments::author_id)
        .select((comments::author_id, count_star()))
        .load(conn)?;
    let mut ideas_in = |states: &[&str]| -> QueryResult<Counts> {
        let rows = ideas::table
            .filter(ideas::state.eq_any(states))
            .filter(ideas::submitted_at.ge(from).and(ideas::submitted_at.lt(to)))
            .filter(who!(ideas::author_id, only))
            .group_by(ideas::author_id)
            .select((ideas::author_id, count_star()))
            .load(conn)?;
        Ok(counts(rows))
    };
    let submitted = ideas_in(&["submitted", "merged"].into_iter().chain(REVIEWED).collect::<Vec<_>>())?;
    let reviewed = ideas_in(&REVIEWED)?;
    let funded = ideas_in(&FUNDED)?;
    let endorsements: Vec<(i64, i64)> = skill_endorsements::table
        .filter(skill_endorsements::created_at.ge(from).and(skill_endorsements::created_at.lt(to)))
        .filter(who!(skill_endorsements::user_id, only))
        .group_by(skill_endorsements::user_id)
        .select((skill_endorsements::user_id, count_star()))
        .load(conn)?;
    Ok(Contributions {
        posts: counts(posts_rows),
        comments: counts(comment_rows),
        accepted_answers: counts(answers),
        ideas_submitted: submitted,
        ideas_reviewed: reviewed,
        ideas_funded: funded,
        endorsements: endorsements.into_iter().collect(),
    })
}
