//! The mail outbox: every mail is a row written in the same transaction as what caused it,
//! and the sender task delivers it (claiming it first, so two nodes never send it at once).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::{notifications, outbox, outbox_notifications};

/// A mail to queue.
#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = outbox)]
pub struct NewMail {
    pub user_id: Option<i64>,
    pub recipient: String,
    pub kind: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub unsubscribe_url: Option<String>,
    pub message_id: String,
    pub items: i32,
    pub created_at: NaiveDateTime,
    pub next_attempt_at: NaiveDateTime,
}

/// A queued mail as the sender reads it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct Mail {
    pub id: i64,
    pub user_id: Option<i64>,
    pub recipient: String,
    pub kind: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub unsubscribe_url: Option<String>,
    pub message_id: String,
    pub items: i32,
    pub created_at: NaiveDateTime,
    pub attempts: i32,
    pub sent_at: Option<NaiveDateTime>,
    pub failed_at: Option<NaiveDateTime>,
    pub last_error: Option<String>,
}

/// Queues a mail telling of `notifications`; returns its id.
pub fn insert(conn: &mut DbConn, mail: &NewMail, notifications: &[i64]) -> QueryResult<i64> {
    let id = crate::on_backend!(conn, |c| diesel::insert_into(outbox::table)
        .values(mail)
        .returning(outbox::id)
        .get_result(c))?;
    // One row at a time: MultiConnection has no batch insert.
    for n in notifications {
        diesel::insert_into(outbox_notifications::table)
            .values((outbox_notifications::outbox_id.eq(id), outbox_notifications::notification_id.eq(n)))
            .execute(conn)?;
    }
    // Wakes the sender once the transaction commits.
    crate::db::appended();
    Ok(id)
}

/// Up to `limit` mails due at `now` that no sender holds, oldest first.
pub fn due(conn: &mut DbConn, now: NaiveDateTime, limit: i64) -> QueryResult<Vec<i64>> {
    outbox::table
        .filter(outbox::sent_at.is_null())
        .filter(outbox::failed_at.is_null())
        .filter(outbox::next_attempt_at.le(now))
        .filter(outbox::claimed_until.is_null().or(outbox::claimed_until.lt(now)))
        .order(outbox::id.asc())
        .limit(limit)
        .select(outbox::id)
        .load(conn)
}

/// Claims the given due mails, holding them until `hold_until`. The due-check is made
/// again in the update, so a mail another sender (another node) claimed meanwhile is left
/// out.
pub fn claim(
    conn: &mut DbConn,
    ids: &[i64],
    now: NaiveDateTime,
    hold_until: NaiveDateTime,
) -> QueryResult<Vec<Mail>> {
    let claimed: Vec<i64> = crate::on_backend!(conn, |c| diesel::update(
        outbox::table
            .filter(outbox::id.eq_any(ids))
            .filter(outbox::sent_at.is_null())
            .filter(outbox::failed_at.is_null())
            .filter(outbox::claimed_until.is_null().or(outbox::claimed_until.lt(now)))
    )
    .set(outbox::claimed_until.eq(hold_until))
    .returning(outbox::id)
    .get_results(c))?;
    outbox::table
        .filter(outbox::id.eq_any(claimed))
        .order(outbox::id.asc())
        .select(Mail::as_select())
        .load(conn)
}

/// Records a delivery.
pub fn mark_sent(conn: &mut DbConn, id: i64, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(outbox::table.find(id))
        .set((outbox::sent_at.eq(at), outbox::claimed_until.eq(None::<NaiveDateTime>)))
        .execute(conn)
        .map(drop)
}

/// Records a failed attempt and when to try again.
pub fn retry_later(conn: &mut DbConn, id: i64, error: &str, next: NaiveDateTime) -> QueryResult<()> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::attempts.eq(outbox::attempts + 1),
            outbox::next_attempt_at.eq(next),
            outbox::claimed_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(error),
        ))
        .execute(conn)
        .map(drop)
}

/// Gives a mail up for good: undeliverable, or withdrawn because it may no longer be sent.
pub fn give_up(conn: &mut DbConn, id: i64, reason: &str, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::failed_at.eq(at),
            outbox::claimed_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(reason),
        ))
        .execute(conn)
        .map(drop)
}

/// The notifications a mail still tells of, as (notification, activity).
pub fn linked(conn: &mut DbConn, id: i64) -> QueryResult<Vec<(i64, i64)>> {
    outbox_notifications::table
        .inner_join(notifications::table)
        .filter(outbox_notifications::outbox_id.eq(id))
        .select((notifications::id, notifications::activity_id))
        .load(conn)
}

/// A person's mails, newest first (for tests and the admin's view of delivery).
pub fn of_user(conn: &mut DbConn, user_id: i64) -> QueryResult<Vec<Mail>> {
    outbox::table
        .filter(outbox::user_id.eq(user_id))
        .order(outbox::id.desc())
        .select(Mail::as_select())
        .load(conn)
}

/// Every mail, oldest first.
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<Mail>> {
    outbox::table.order(outbox::id.asc()).select(Mail::as_select()).load(conn)
}

/// When a person was last sent a digest.
pub fn last_digest(conn: &mut DbConn, user_id: i64) -> QueryResult<Option<NaiveDateTime>> {
    outbox::table
        .filter(outbox::user_id.eq(user_id))
        .filter(outbox::kind.eq("digest"))
        .select(diesel::dsl::max(outbox::created_at))
        .first(conn)
}
