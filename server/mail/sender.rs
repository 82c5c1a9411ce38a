//! The sender: delivers the outbox. Each mail is claimed before it is sent (so two nodes
//! never send one mail), checked once more against what its reader may see, and marked
//! sent after the transport accepted it. A failure is retried with doubling waits; a
//! permanent refusal or too many attempts gives the mail up, with the reason kept.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use chrono::TimeDelta;
use lettre::Message;
use lettre::message::header::{Header, HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};

use super::transport::{SendError, Transport};
use crate::config::Settings;
use crate::db::models::outbox::{self, Mail};
use crate::db::models::{activities, notifications, now, users};
use crate::db::{Db, DbConn};
use crate::error::AppResult;

/// Mails claimed per round.
const BATCH: i64 = 20;
/// The longest wait between two attempts.
const MAX_BACKOFF_SECS: u64 = 3600;

/// Runs for the life of the process: wakes when a transaction queued mail, and every
/// second for retries that fall due (and other nodes' mail).
pub async fn run(db: Db, transport: Transport, settings: Arc<Settings>) {
    let mut changes = db.changes();
    loop {
        match deliver_due(&db, &transport, &settings).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(e) => e.log(),
        }
        tokio::select! {
            _ = changes.changed() => {}
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }
}

/// Delivers the mails due now; returns how many were handled.
pub async fn deliver_due(db: &Db, transport: &Transport, settings: &Settings) -> AppResult<usize> {
    // Held long enough for a slow relay to time out; a crashed sender's mail frees after.
    let hold = TimeDelta::seconds(i64::try_from(settings.smtp_timeout_secs).unwrap_or(60) * 3 + 30);
    // Look first: claiming is a write, and most rounds find nothing.
    let due = db.read(|c| Ok(outbox::due(c, now(), BATCH)?)).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let batch = db.write(move |c| Ok(outbox::claim(c, &due, now(), now() + hold)?)).await?;
    for mail in &batch {
        deliver(db, transport, settings, mail.clone()).await?;
    }
    Ok(batch.len())
}

async fn deliver(db: &Db, transport: &Transport, settings: &Settings, mail: Mail) -> AppResult<()> {
    let checked = mail.clone();
    if !db.write(move |c| still_wanted(c, &checked)).await? {
        return Ok(());
    }
    // lettre's timeout covers each read and write, but a relay that stops answering after
    // the message body held the sender for good: the whole exchange gets a deadline too.
    let deadline = Duration::from_secs(settings.smtp_timeout_secs.saturating_mul(2).max(1));
    let result = match message(settings, &mail) {
        Ok(message) => {
            let name = format!("{:010}-{}", mail.id, mail.kind);
            match tokio::time::timeout(deadline, transport.send(&name, message)).await {
                Ok(sent) => sent,
                Err(_) => Err(SendError {
                    permanent: false,
                    message: "the mail server did not answer in time".into(),
                }),
            }
        }
        Err(message) => Err(SendError { permanent: true, message }),
    };
    let (id, attempts) = (mail.id, mail.attempts + 1);
    let (max_attempts, base) = (settings.mail_max_attempts, settings.mail_retry_secs);
    db.write(move |c| {
        match result {
            Ok(()) => outbox::mark_sent(c, id, now())?,
            Err(e) if e.permanent || attempts >= max_attempts => {
                tracing::warn!(mail = id, attempts, error = %e.message, "mail given up");
                outbox::give_up(c, id, &e.message, now())?;
            }
            Err(e) => {
                let wait = base.saturating_mul(1 << attempts.clamp(0, 20)).min(MAX_BACKOFF_SECS);
                tracing::info!(mail = id, attempts, wait, error = %e.message, "mail will be retried");
                let next = now() + TimeDelta::seconds(i64::try_from(wait).unwrap_or(3600));
                outbox::retry_later(c, id, &e.message, next)?;
            }
        }
        Ok(())
    })
    .await
}

/// Whether a mail may still go: its reader is active and may still see everything it
/// tells of. Otherwise it is withdrawn, the notifications its reader can no longer see
/// are deleted, and the rest wait for the next digest.
fn still_wanted(c: &mut DbConn, mail: &Mail) -> AppResult<bool> {
    let Some(user_id) = mail.user_id else { return Ok(true) };
    if users::find_active(c, user_id)?.is_none() {
        outbox::give_up(c, mail.id, "withdrawn: the account is deactivated", now())?;
        return Ok(false);
    }
    let linked = outbox::linked(c, mail.id)?;
    let mut lost = linked.len() < usize::try_from(mail.items).unwrap_or_default();
    let (mut keep, mut gone) = (Vec::new(), Vec::new());
    for (notification, activity) in linked {
        match activities::find(c, activity)? {
            Some(a) if crate::notify::may_see(c, user_id, &a)? => keep.push(notification),
            _ => gone.push(notification),
        }
    }
    lost |= !gone.is_empty();
    if lost {
        notifications::delete(c, &gone)?;
        notifications::unmark_mailed(c, &keep)?;
        outbox::give_up(c, mail.id, "withdrawn: its reader can no longer see what it tells of", now())?;
    }
    Ok(!lost)
}

/// `List-Unsubscribe: <url>` (RFC 2369).
#[derive(Clone)]
struct ListUnsubscribe(String);

impl Header for ListUnsubscribe {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe")
    }

    fn parse(s: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self(s.trim_matches(['<', '>']).to_owned()))
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), format!("<{}>", self.0))
    }
}

/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click` (RFC 8058): mail clients may
/// unsubscribe with one POST to the link, without a page in between.
#[derive(Clone)]
struct OneClick;

impl Header for OneClick {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("List-Unsubscribe-Post")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "List-Unsubscribe=One-Click".to_owned())
    }
}

/// `Auto-Submitted: auto-generated` (RFC 3834): vacation responders stay quiet.
#[derive(Clone)]
struct AutoSubmitted;

impl Header for AutoSubmitted {
    fn name() -> HeaderName {
        HeaderName::new_from_ascii_str("Auto-Submitted")
    }

    fn parse(_: &str) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Self)
    }

    fn display(&self) -> HeaderValue {
        HeaderValue::new(Self::name(), "auto-generated".to_owned())
    }
}

/// The MIME message of an outbox row; an error is permanent (a bad address stays bad).
fn message(settings: &Settings, mail: &Mail) -> Result<Message, String> {
    let from: Mailbox =
        settings.mail_from.parse().map_err(|e| format!("mail_from is not an address: {e}"))?;
    let to: Mailbox = mail.recipient.parse().map_err(|e| format!("recipient is not an address: {e}"))?;
    let written = SystemTime::UNIX_EPOCH
        + Duration::from_secs(u64::try_from(mail.created_at.and_utc().timestamp()).unwrap_or_default());
    let mut builder = Message::builder()
        .from(from)
        .to(to)
        .subject(&mail.subject)
        .message_id(Some(mail.message_id.clone()))
        .date(written)
        .header(AutoSubmitted);
    if let Some(url) = &mail.unsubscribe_url {
        builder = builder.header(ListUnsubscribe(url.clone())).header(OneClick);
    }
    builder
        .multipart(MultiPart::alternative_plain_html(mail.body_text.clone(), mail.body_html.clone()))
        .map_err(|e| format!("the mail could not be built: {e}"))
}
