//! The idea pipeline's rules: states, the one table of allowed transitions and who may make
//! them, quarters, and the hash chain of the decision trail.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Where an idea stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum IdeaState {
    Draft,
    Submitted,
    InReview,
    Funded,
    Declined,
    NeedsWork,
    InDevelopment,
    Launched,
    Stopped,
    Withdrawn,
    Merged,
}

impl IdeaState {
    /// Every state, in pipeline order.
    pub const ALL: [Self; 11] = [
        Self::Draft,
        Self::Submitted,
        Self::InReview,
        Self::Funded,
        Self::Declined,
        Self::NeedsWork,
        Self::InDevelopment,
        Self::Launched,
        Self::Stopped,
        Self::Withdrawn,
        Self::Merged,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "submitted",
            Self::InReview => "in_review",
            Self::Funded => "funded",
            Self::Declined => "declined",
            Self::NeedsWork => "needs_work",
            Self::InDevelopment => "in_development",
            Self::Launched => "launched",
            Self::Stopped => "stopped",
            Self::Withdrawn => "withdrawn",
            Self::Merged => "merged",
        }
    }

    /// Parses a stored or submitted name.
    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.trim())
            .ok_or_else(|| format!("unknown state '{raw}'"))
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::Submitted => "Open for votes",
            Self::InReview => "In review",
            Self::Funded => "Funded",
            Self::Declined => "Declined",
            Self::NeedsWork => "Needs work",
            Self::InDevelopment => "In development",
            Self::Launched => "Launched",
            Self::Stopped => "Stopped",
            Self::Withdrawn => "Withdrawn",
            Self::Merged => "Merged",
        }
    }

    /// The button that moves an idea into this state.
    pub fn action(self) -> &'static str {
        match self {
            Self::Draft => "Back to draft",
            Self::Submitted => "Submit",
            Self::InReview => "Send to review",
            Self::Funded => "Fund",
            Self::Declined => "Decline",
            Self::NeedsWork => "Needs work",
            Self::InDevelopment => "Start development",
            Self::Launched => "Mark launched",
            Self::Stopped => "Stop",
            Self::Withdrawn => "Withdraw",
            Self::Merged => "Merge",
        }
    }

    /// States from which an idea can still be merged into another.
    pub fn mergeable(self) -> bool {
        matches!(self, Self::Submitted | Self::NeedsWork | Self::InReview)
    }
}

/// Who may make a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mover {
    /// The idea's author.
    Author,
    /// A member of the review board.
    Executive,
    /// A site admin.
    Admin,
    /// The sponsor named when the idea was funded.
    Sponsor,
    /// Only the quarter close (never a request).
    QuarterClose,
    /// Only a review-board decision, which records budget, sponsor and rationale.
    Decision,
}

/// The asker's standing towards one idea.
#[derive(Debug, Clone, Copy, Default)]
pub struct Standing {
    pub author: bool,
    pub executive: bool,
    pub admin: bool,
    /// Sponsors the funded idea.
    pub sponsor: bool,
}

impl Standing {
    fn is(self, mover: Mover) -> bool {
        match mover {
            Mover::Author => self.author,
            Mover::Executive => self.executive,
            Mover::Admin => self.admin,
            Mover::Sponsor => self.sponsor,
            Mover::QuarterClose | Mover::Decision => false,
        }
    }
}

/// One allowed transition.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub from: IdeaState,
    pub to: IdeaState,
    pub movers: &'static [Mover],
    /// A note (rationale) must be given.
    pub note_required: bool,
}

const fn rule(from: IdeaState, to: IdeaState, movers: &'static [Mover], note_required: bool) -> Rule {
    Rule { from, to, movers, note_required }
}

use IdeaState::*;
use Mover::{Admin, Author, Decision, Executive, QuarterClose, Sponsor};

/// THE table of allowed transitions (merging has its own action, see [`IdeaState::mergeable`]).
pub const TRANSITIONS: &[Rule] = &[
    rule(Draft, Submitted, &[Author], false),
    rule(Submitted, Withdrawn, &[Author], false),
    rule(Submitted, InReview, &[QuarterClose], false),
    rule(InReview, Funded, &[Decision], false),
    rule(InReview, Declined, &[Decision], true),
    rule(InReview, NeedsWork, &[Decision], true),
    rule(NeedsWork, Submitted, &[Author], false),
    rule(Funded, InDevelopment, &[Admin, Sponsor], false),
    rule(InDevelopment, Launched, &[Admin, Sponsor], false),
    rule(InDevelopment, Stopped, &[Admin, Sponsor], true),
];

/// Checks a requested transition; the error is the reason shown with the 409.
pub fn check(from: IdeaState, to: IdeaState, standing: Standing, note: &str) -> Result<Rule, String> {
    let Some(rule) = TRANSITIONS.iter().find(|r| r.from == from && r.to == to) else {
        return Err(match to {
            Merged => "merging is its own action: POST /ideas/<id>/merge".into(),
            _ => format!(
                "an idea that is {} cannot become {}",
                from.label().to_lowercase(),
                to.label().to_lowercase()
            ),
        });
    };
    if rule.movers == [QuarterClose] {
        return Err("ideas enter review when the quarter closes".into());
    }
    if rule.movers == [Decision] {
        return Err("the review board decides ideas in review: POST /ideas/<id>/decision".into());
    }
    if !rule.movers.iter().any(|m| standing.is(*m)) {
        let who = rule
            .movers
            .iter()
            .map(|m| match m {
                Author => "the author",
                Executive => "an executive",
                Admin => "an admin",
                Sponsor => "the sponsor",
                QuarterClose => "the quarter close",
                Decision => "the review board",
            })
            .collect::<Vec<_>>()
            .join(" or ");
        return Err(format!("only {who} can move an idea from {} to {}", from.as_str(), to.as_str()));
    }
    if rule.note_required && note.trim().is_empty() {
        return Err(format!("moving an idea to {} needs a note explaining why", to.as_str()));
    }
    Ok(*rule)
}

/// The calendar quarter of a moment, e.g. `2026-Q4`.
pub fn quarter_of(at: chrono::NaiveDateTime) -> String {
    use chrono::Datelike;
    format!("{}-Q{}", at.year(), (at.month() - 1) / 3 + 1)
}

/// The fields of a trail event that its hash covers.
#[derive(Debug, Clone, Copy)]
pub struct TrailEntry<'a> {
    pub idea_id: i64,
    pub kind: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    pub actor: Option<i64>,
    pub note: &'a str,
    /// The event's time, as stored.
    pub at: &'a str,
}

/// The hash of a trail event, chained to the hash of the one before it.
pub fn event_hash(prev: &str, e: &TrailEntry<'_>) -> String {
    let actor = e.actor.map_or(String::new(), |a| a.to_string());
    let text =
        format!("{prev}\n{}\n{}\n{}\n{}\n{actor}\n{}\n{}", e.idea_id, e.kind, e.from, e.to, e.note, e.at);
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Trending: each vote adds 1 to a value that decays with time constant `TREND_TAU_HOURS`.
/// Stored as `key = ln(value) + t / tau`, which sorts ideas by their value *now* without
/// recomputing anything when time passes.
pub const TREND_TAU_HOURS: f64 = 72.0;

/// The new decayed value and sort key after a vote (+1) or unvote (-1) at `now_hours`.
pub fn trend_after(value: f64, at_hours: Option<f64>, now_hours: f64, delta: f64) -> (f64, f64) {
    let decayed = at_hours.map_or(0.0, |t| value * (-(now_hours - t) / TREND_TAU_HOURS).exp());
    let value = (decayed + delta).max(0.0);
    let key = if value > 0.0 { value.ln() + now_hours / TREND_TAU_HOURS } else { f64::MIN };
    (value, key)
}

#[cfg(test)]
mod tests {
    use super::*;

    const AUTHOR: Standing = Standing { author: true, executive: false, admin: false, sponsor: false };
    const EXEC: Standing = Standing { author: false, executive: true, admin: false, sponsor: false };
    const SPONSOR: Standing = Standing { sponsor: true, ..EXEC };

    #[test]
    fn the_table_decides_and_explains() {
        assert!(check(Draft, Submitted, AUTHOR, "").is_ok());
        assert!(check(Draft, Submitted, EXEC, "").unwrap_err().contains("only the author"));
        assert!(
            check(Submitted, InReview, Standing { admin: true, ..AUTHOR }, "")
                .unwrap_err()
                .contains("quarter closes")
        );
        assert!(
            check(InReview, Declined, EXEC, "Out of scope").unwrap_err().contains("review board decides")
        );
        assert!(check(Funded, InDevelopment, EXEC, "").unwrap_err().contains("an admin or the sponsor"));
        assert!(check(Funded, InDevelopment, SPONSOR, "").is_ok());
        assert!(check(InDevelopment, Stopped, SPONSOR, " ").unwrap_err().contains("needs a note"));
        assert!(check(InDevelopment, Stopped, SPONSOR, "Vendor pulled out").is_ok());
        assert!(check(InReview, Withdrawn, AUTHOR, "").unwrap_err().contains("cannot become withdrawn"));
        assert!(check(Submitted, Merged, AUTHOR, "").unwrap_err().contains("merge"));
    }

    #[test]
    fn quarters_follow_the_calendar() {
        let at =
            |m: u32| chrono::NaiveDate::from_ymd_opt(2026, m, 15).unwrap().and_hms_opt(12, 0, 0).unwrap();
        assert_eq!(
            [quarter_of(at(1)), quarter_of(at(3)), quarter_of(at(4)), quarter_of(at(12))],
            ["2026-Q1", "2026-Q1", "2026-Q2", "2026-Q4"]
        );
    }

    #[test]
    fn recent_votes_trend_above_old_ones() {
        let (old, old_key) = (0..10).fold((0.0, 0.0), |(v, _), _| trend_after(v, Some(0.0), 0.0, 1.0));
        assert!((old - 10.0).abs() < 1e-9);
        let (_, new_key) = (0..3).fold((0.0, 0.0), |(v, _), _| trend_after(v, Some(240.0), 240.0, 1.0));
        assert!(new_key > old_key, "3 votes today beat 10 votes ten days ago");
        let (value, _) = trend_after(1.0, Some(0.0), 0.0, -1.0);
        assert_eq!(value, 0.0);
    }

    #[test]
    fn the_trail_hash_covers_every_field() {
        let entry = TrailEntry {
            idea_id: 1,
            kind: "transition",
            from: "draft",
            to: "submitted",
            actor: Some(2),
            note: "",
            at: "t",
        };
        let base = event_hash("", &entry);
        assert_ne!(base, event_hash("", &TrailEntry { note: "x", ..entry }));
        assert_ne!(base, event_hash("", &TrailEntry { actor: None, ..entry }));
        assert_ne!(base, event_hash("p", &entry));
        assert_eq!(base.len(), 64);
    }
}
