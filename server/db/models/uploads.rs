//! Uploaded files: one row per upload, attached to at most one post, comment, idea or idea
//! comment. The bytes are in the file store under `sha256`, shared by identical uploads.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::id_list::any_of;
use crate::db::schema::uploads;

/// A stored upload.
#[derive(Debug, Clone, Queryable, Selectable, PartialEq, Eq)]
#[diesel(table_name = uploads)]
pub struct Upload {
    pub id: i64,
    pub owner_id: i64,
    pub sha256: String,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub preview: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<i64>,
    pub created_at: NaiveDateTime,
}

/// An upload to store.
#[derive(Debug, Insertable)]
#[diesel(table_name = uploads)]
pub struct NewUpload<'a> {
    pub owner_id: i64,
    pub sha256: &'a str,
    pub name: &'a str,
    pub mime: &'a str,
    pub size: i64,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub preview: Option<&'a str>,
    pub text: &'a str,
    pub created_at: NaiveDateTime,
}

/// Stores an upload; returns it as stored.
pub fn insert(conn: &mut DbConn, new: &NewUpload<'_>) -> QueryResult<Upload> {
    crate::on_backend!(conn, |c| diesel::insert_into(uploads::table)
        .values(new)
        .returning(Upload::as_returning())
        .get_result(c))
}

/// An upload by id.
pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<Upload>> {
    uploads::table.find(id).select(Upload::as_select()).first(conn).optional()
}

/// Bytes a person uploaded since `since` (the daily quota: a day's uploads are few, and
/// adding them here keeps SUM's backend-specific numeric type out).
pub fn bytes_since(conn: &mut DbConn, owner_id: i64, since: NaiveDateTime) -> QueryResult<i64> {
    let sizes: Vec<i64> = uploads::table
        .filter(uploads::owner_id.eq(owner_id))
        .filter(uploads::created_at.ge(since))
        .select(uploads::size)
        .load(conn)?;
    Ok(sizes.iter().sum())
}

/// Attaches the owner's unattached uploads to an item, in the order given; returns how
/// many it attached (fewer than asked when some are not the owner's or are attached
/// already).
pub fn attach(
    conn: &mut DbConn,
    owner_id: i64,
    ids: &[i64],
    target_type: &str,
    target_id: i64,
    at: NaiveDateTime,
) -> QueryResult<usize> {
    let mut attached = 0;
    for (position, id) in ids.iter().enumerate() {
        attached += diesel::update(
            uploads::table
                .find(id)
                .filter(uploads::owner_id.eq(owner_id))
                .filter(uploads::target_id.is_null()),
        )
        .set((
            uploads::target_type.eq(target_type),
            uploads::target_id.eq(target_id),
            uploads::position.eq(i32::try_from(position).unwrap_or(i32::MAX)),
            uploads::attached_at.eq(at),
        ))
        .execute(conn)?;
    }
    Ok(attached)
}

/// The files attached to the given items, in each item's order.
pub fn of_targets(conn: &mut DbConn, target_type: &str, ids: &[i64]) -> QueryResult<Vec<Upload>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    uploads::table
        .filter(uploads::target_type.eq(target_type))
        .filter(any_of(uploads::target_id, ids))
        .order((uploads::target_id, uploads::position))
        .select(Upload::as_select())
        .load(conn)
}

/// Per item, the names and text of its files (what search finds it by).
pub fn text_of_targets(
    conn: &mut DbConn,
    target_type: &str,
    ids: &[i64],
) -> QueryResult<Vec<(i64, String, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    uploads::table
        .filter(uploads::target_type.eq(target_type))
        .filter(uploads::target_id.eq_any(ids))
        .order((uploads::target_id, uploads::position))
        .select((uploads::target_id.assume_not_null(), uploads::name, uploads::text))
        .load(conn)
}

/// Deletes one of the owner's unattached uploads; returns whether there was one.
pub fn discard(conn: &mut DbConn, owner_id: i64, id: i64) -> QueryResult<bool> {
    diesel::delete(
        uploads::table.find(id).filter(uploads::owner_id.eq(owner_id)).filter(uploads::target_id.is_null()),
    )
    .execute(conn)
    .map(|n| n == 1)
}

/// Deletes uploads never attached that were made before `cutoff`; returns their hashes.
pub fn delete_unattached_before(conn: &mut DbConn, cutoff: NaiveDateTime) -> QueryResult<Vec<String>> {
    let stale = uploads::table.filter(uploads::target_id.is_null()).filter(uploads::created_at.lt(cutoff));
    let hashes = stale.select(uploads::sha256).load::<String>(conn)?;
    diesel::delete(stale).execute(conn)?;
    Ok(hashes)
}

/// Which of these hashes some upload still uses.
pub fn hashes_in_use(conn: &mut DbConn, hashes: &[String]) -> QueryResult<Vec<String>> {
    uploads::table.filter(uploads::sha256.eq_any(hashes)).select(uploads::sha256).distinct().load(conn)
}
