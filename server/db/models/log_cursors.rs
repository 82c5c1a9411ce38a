//! How far each consumer of the activity log has got (the notifier, the badge job), so it
//! resumes after a restart. Saved in the same transaction as what the consumer writes.

use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::log_cursors;

/// Where a consumer of the activity log stopped.
pub fn get(conn: &mut DbConn, name: &str) -> QueryResult<Option<i64>> {
    log_cursors::table.find(name).select(log_cursors::last_id).first(conn).optional()
}

/// Records a consumer's progress (never backwards).
pub fn advance(conn: &mut DbConn, name: &str, last_id: i64) -> QueryResult<()> {
    let moved = diesel::update(log_cursors::table.find(name).filter(log_cursors::last_id.lt(last_id)))
        .set(log_cursors::last_id.eq(last_id))
        .execute(conn)?;
    if moved == 0 {
        let row = (log_cursors::name.eq(name), log_cursors::last_id.eq(last_id));
        crate::on_backend!(conn, |c| diesel::insert_into(log_cursors::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c))?;
    }
    Ok(())
}
