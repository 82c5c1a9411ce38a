//! Per-kind mail preferences (SPEC §7): `off`, `instant` or `digest`. Mentions, replies,
//! decisions, reports to moderators and moderation of one's own content default to
//! `instant` (someone is waiting, or should know now); the rest to the digest.

use serde::{Deserialize, Serialize};

use crate::db::models::mail_preferences;
use crate::db::{Db, DbConn};
use crate::error::AppResult;
use crate::notify::Kind;

/// How a kind of notification reaches someone's mailbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Only in the app.
    Off,
    /// A mail as it happens.
    Instant,
    /// In the daily digest.
    Digest,
}

impl Mode {
    /// Every mode, in the order settings offer them.
    pub const ALL: [Mode; 3] = [Self::Instant, Self::Digest, Self::Off];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::Instant => "instant",
            Self::Digest => "digest",
        }
    }

    /// The mode of a stored or submitted name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == name)
    }

    /// How settings name it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Off => "Off",
            Self::Instant => "Right away",
            Self::Digest => "Daily digest",
        }
    }
}

/// The mode of a kind nobody has chosen one for.
pub fn default_mode(kind: Kind) -> Mode {
    match kind {
        Kind::Mention | Kind::Reply | Kind::Decision | Kind::Report | Kind::Moderation => Mode::Instant,
        _ => Mode::Digest,
    }
}

/// A person's mode for every kind, defaults filled in, in settings order.
pub fn modes_in(c: &mut DbConn, user_id: i64) -> AppResult<Vec<(Kind, Mode)>> {
    let chosen = mail_preferences::of(c, user_id)?;
    Ok(Kind::ALL
        .into_iter()
        .map(|kind| {
            let mode = chosen
                .iter()
                .find(|(k, _)| k == kind.as_str())
                .and_then(|(_, m)| Mode::parse(m))
                .unwrap_or_else(|| default_mode(kind));
            (kind, mode)
        })
        .collect())
}

/// A person's mode for one kind.
pub fn mode_in(c: &mut DbConn, user_id: i64, kind: Kind) -> AppResult<Mode> {
    Ok(modes_in(c, user_id)?.into_iter().find(|(k, _)| *k == kind).map_or(default_mode(kind), |(_, m)| m))
}

/// A person's modes.
pub async fn modes(db: &Db, user_id: i64) -> AppResult<Vec<(Kind, Mode)>> {
    db.read(move |c| modes_in(c, user_id)).await
}

/// Saves the given modes (kinds left out keep theirs).
pub fn save_in(c: &mut DbConn, user_id: i64, changes: &[(Kind, Mode)]) -> AppResult<()> {
    for (kind, mode) in changes {
        mail_preferences::set(c, user_id, kind.as_str(), mode.as_str())?;
    }
    Ok(())
}

/// Saves the given modes in one transaction.
pub async fn save(db: &Db, user_id: i64, changes: Vec<(Kind, Mode)>) -> AppResult<()> {
    db.write(move |c| save_in(c, user_id, &changes)).await
}

/// Reads submitted modes (`kind` → `mode`), reporting unknown kinds and modes as field
/// errors. Other fields (a form's CSRF token) are the caller's to remove.
pub fn parse_changes<'a>(
    submitted: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> AppResult<Vec<(Kind, Mode)>> {
    let mut errors = crate::error::FieldErrors::new();
    let mut changes = Vec::new();
    for (kind, mode) in submitted {
        match (Kind::parse(kind), Mode::parse(mode)) {
            (Some(kind), Some(mode)) => changes.push((kind, mode)),
            (None, _) => {
                errors.insert(kind.to_owned(), "there is no such kind of notification".into());
            }
            (Some(_), None) => {
                errors.insert(kind.to_owned(), "choose instant, digest or off".into());
            }
        }
    }
    if errors.is_empty() { Ok(changes) } else { Err(crate::error::AppError::invalid(errors)) }
}

/// Turns off what an unsubscribe link names: one kind, or every kind.
pub async fn unsubscribe(db: &Db, user_id: i64, scope: super::unsubscribe::Scope) -> AppResult<()> {
    let kinds: Vec<Kind> = match scope {
        super::unsubscribe::Scope::Kind(kind) => vec![kind],
        super::unsubscribe::Scope::All => Kind::ALL.to_vec(),
    };
    save(db, user_id, kinds.into_iter().map(|k| (k, Mode::Off)).collect()).await
}
