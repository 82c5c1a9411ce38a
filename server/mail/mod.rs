//! Email (SPEC §7). Mails are rows in the outbox, written in the same transaction as the
//! notification (or invitation, or reset) they tell of; [`sender`] delivers them with
//! retries, [`digest`] gathers the day's notifications, [`preferences`] says which go where.

pub mod compose;
pub mod digest;
pub mod preferences;
pub mod sender;
pub mod transport;
pub mod unsubscribe;

use chrono::Duration;

pub use compose::Composer;

use crate::db::DbConn;
use crate::db::models::activities::Activity;
use crate::db::models::notifications::{self, NewNotification};
use crate::db::models::{outbox, users};
use crate::error::AppResult;
use crate::notify::Kind;
use preferences::Mode;

/// A second notification about the same object within this time waits for the digest
/// rather than making another mail (ten replies in a lively thread are one mail, not ten).
const QUIET_MINUTES: i64 = 60;

/// Queues the instant mail for a notification just stored, if its reader wants one.
/// Called in the notifier's transaction, so the mail exists exactly when the notification
/// does.
pub fn instant(
    c: &mut DbConn,
    composer: &Composer,
    activity: &Activity,
    id: i64,
    row: &NewNotification,
) -> AppResult<()> {
    let Some(kind) = Kind::parse(row.kind) else { return Ok(()) };
    if preferences::mode_in(c, row.user_id, kind)? != Mode::Instant {
        return Ok(());
    }
    let quiet_since = row.created_at - Duration::minutes(QUIET_MINUTES);
    if notifications::group_mailed_since(c, row.user_id, &row.group_key, quiet_since)? {
        return Ok(());
    }
    let Some(to) = users::find_active(c, row.user_id)? else { return Ok(()) };
    let actor = match activity.actor_id {
        Some(actor) => users::find(c, actor)?.map_or_else(|| "Someone".to_owned(), |u| u.name),
        None => "Agora".to_owned(),
    };
    let sentence = format!("{actor} {}", row.title);
    let excerpt = crate::notify::excerpt(c, activity)?;
    let mut mail = composer.notification(&to, kind, &sentence, excerpt.as_deref(), &row.url)?;
    mail.items = 1;
    outbox::insert(c, &mail, &[id])?;
    notifications::mark_mailed(c, &[id], crate::db::models::now())?;
    Ok(())
}
