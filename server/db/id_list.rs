//! `column IN (ids…)` whose statement diesel keeps prepared.
//!
//! diesel's `eq_any(list)` writes one placeholder per id and so never caches the
//! statement: every idea page parsed its comments' reactions and files queries anew
//! (about a tenth of the page's CPU). Here the list is padded to a few fixed lengths by
//! repeating its last id, which changes nothing for `IN`, so each length's text is
//! prepared once per connection.

use diesel::QueryResult;
use diesel::backend::Backend;
use diesel::expression::{AppearsOnTable, Expression, SelectableExpression, ValidGrouping};
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, Bool, HasSqlType};

/// `column IN (ids…)`; an empty list matches nothing.
#[derive(Debug, Clone)]
pub struct AnyOf<C> {
    column: C,
    ids: Vec<i64>,
}

/// `column IN (ids…)`, prepared once per list length class.
pub fn any_of<C>(column: C, ids: &[i64]) -> AnyOf<C> {
    AnyOf { column, ids: ids.to_vec() }
}

/// How many placeholders a list of `n` ids gets: 8, 16, 32 … 1,024, then multiples of
/// 1,024 (SQLite allows 32,766 in one statement).
fn padded(n: usize) -> usize {
    match n {
        0..=8 => 8,
        9..=1024 => n.next_power_of_two(),
        _ => n.div_ceil(1024) * 1024,
    }
}

impl<C> Expression for AnyOf<C> {
    type SqlType = Bool;
}

impl<C: AppearsOnTable<QS>, QS> AppearsOnTable<QS> for AnyOf<C> {}

impl<C: SelectableExpression<QS>, QS> SelectableExpression<QS> for AnyOf<C> {}

impl<C: ValidGrouping<GB>, GB> ValidGrouping<GB> for AnyOf<C> {
    type IsAggregate = C::IsAggregate;
}

impl<C> QueryId for AnyOf<C> {
    type QueryId = ();
    // Not static: diesel then caches the statement by its text.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<C, DB> QueryFragment<DB> for AnyOf<C>
where
    C: QueryFragment<DB>,
    DB: Backend + HasSqlType<BigInt>,
    i64: ToSql<BigInt, DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        let Some(last) = self.ids.last() else {
            out.push_sql("1 = 0");
            return Ok(());
        };
        self.column.walk_ast(out.reborrow())?;
        out.push_sql(" IN (");
        for i in 0..padded(self.ids.len()) {
            if i > 0 {
                out.push_sql(", ");
            }
            out.push_bind_param::<BigInt, _>(self.ids.get(i).unwrap_or(last))?;
        }
        out.push_sql(")");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn lists_are_padded_to_few_lengths() {
        let lengths: Vec<usize> = [1, 8, 9, 16, 17, 100, 1024, 1025, 5000].map(super::padded).to_vec();
        assert_eq!(lengths, [8, 8, 16, 16, 32, 128, 1024, 2048, 5120]);
    }
}
