//! Conditions written into a statement's text instead of bound as values.
//!
//! SQLite uses a partial index (`… WHERE visibility = 'private'`) only when the query
//! implies the index's condition. A bound value does not, at prepare time: SQLite then
//! reads each row from the table to test the condition, and re-prepares the statement
//! whenever the value is bound again. `diesel::dsl::sql` would write the text too, but it
//! keeps the statement out of diesel's prepared-statement cache, so every use would be
//! parsed anew.

use diesel::QueryResult;
use diesel::backend::Backend;
use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping, is_aggregate};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::Bool;

/// A condition of fixed SQL text (a constant of the program, never text from a request).
#[derive(Debug, Clone, Copy)]
pub struct Fixed(&'static str);

/// `sql` as a condition, e.g. `fixed("communities.visibility = 'private'")`.
pub const fn fixed(sql: &'static str) -> Fixed {
    Fixed(sql)
}

impl Expression for Fixed {
    type SqlType = Bool;
}

impl<QS> AppearsOnTable<QS> for Fixed {}

impl<QS> SelectableExpression<QS> for Fixed {}

impl<GB> ValidGrouping<GB> for Fixed {
    type IsAggregate = is_aggregate::Never;
}

impl QueryId for Fixed {
    type QueryId = ();
    // Not static: diesel then caches the statement by its text, which holds this one's.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<DB: Backend> QueryFragment<DB> for Fixed {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql(self.0);
        Ok(())
    }
}
