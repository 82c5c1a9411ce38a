//! Settings admins changed at runtime, as (name, JSON value).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::site_settings;

/// Every stored setting.
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<(String, String)>> {
    site_settings::table.select((site_settings::name, site_settings::value)).load(conn)
}

/// Stores one setting.
pub fn set(conn: &mut DbConn, name: &str, value: &str, by: i64, at: NaiveDateTime) -> QueryResult<()> {
    let row = (
        site_settings::name.eq(name),
        site_settings::value.eq(value),
        site_settings::updated_at.eq(at),
        site_settings::updated_by.eq(by),
    );
    crate::on_backend!(conn, |c| diesel::insert_into(site_settings::table)
        .values(row)
        .on_conflict(site_settings::name)
        .do_update()
        .set((
            site_settings::value.eq(value),
            site_settings::updated_at.eq(at),
            site_settings::updated_by.eq(by)
        ))
        .execute(c))
    .map(drop)
}
