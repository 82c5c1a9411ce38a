//! Communities: slugs, visibility, member roles and states.

use serde::{Deserialize, Serialize};

/// Slugs that would clash with pages under `/c/`.
const RESERVED: &[&str] = &["new"];

/// A community's URL name: 2–64 of `[a-z0-9-]`, not starting or ending with `-`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    /// Lower-cases and checks a slug.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let slug = raw.trim().to_lowercase();
        let chars_ok = slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if RESERVED.contains(&slug.as_str()) {
            Err(format!("'{slug}' is reserved; choose another address"))
        } else if (2..=64).contains(&slug.len()) && chars_ok && !slug.starts_with('-') && !slug.ends_with('-')
        {
            Ok(Self(slug))
        } else {
            Err("use 2–64 lower-case letters, digits or '-', not starting or ending with '-'".into())
        }
    }

    /// The slug as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who can read and join a community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Anyone reads, anyone joins.
    Open,
    /// Anyone reads; joining needs a moderator's approval; only members write.
    Restricted,
    /// Only members see that it exists; join by invitation.
    Private,
}

impl Visibility {
    /// Parses a stored or submitted name.
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw.trim() {
            "open" => Ok(Self::Open),
            "restricted" => Ok(Self::Restricted),
            "private" => Ok(Self::Private),
            other => Err(format!("unknown visibility '{other}': use open, restricted or private")),
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Restricted => "restricted",
            Self::Private => "private",
        }
    }
}

/// A member's role in one community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MemberRole {
    /// Writes and reacts.
    Member,
    /// Also moderates: approves requests, invites, pins, hides.
    Moderator,
    /// Also manages roles, settings and archiving.
    Owner,
}

impl MemberRole {
    /// Parses a stored or submitted name.
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw.trim() {
            "member" => Ok(Self::Member),
            "moderator" => Ok(Self::Moderator),
            "owner" => Ok(Self::Owner),
            other => Err(format!("unknown role '{other}': use member, moderator or owner")),
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Member => "member",
            Self::Moderator => "moderator",
            Self::Owner => "owner",
        }
    }
}

/// Where a membership stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MemberState {
    /// A member.
    Active,
    /// Asked to join; waits for a moderator.
    Pending,
    /// Invited by a moderator; becomes active on joining.
    Invited,
}

impl MemberState {
    /// Parses a stored name.
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "active" => Ok(Self::Active),
            "pending" => Ok(Self::Pending),
            "invited" => Ok(Self::Invited),
            other => Err(format!("unknown membership state '{other}'")),
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Pending => "pending",
            Self::Invited => "invited",
        }
    }
}

/// A viewer's membership in one community.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Membership {
    pub role: MemberRole,
    pub state: MemberState,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_checked() {
        assert_eq!(Slug::parse(" Plant-Safety ").unwrap().as_str(), "plant-safety");
        for bad in ["a", "-ab", "ab-", "a b", "ümlaut", "a_b", &"x".repeat(65)] {
            assert!(Slug::parse(bad).is_err(), "{bad:?}");
        }
    }

    proptest::proptest! {
        /// An accepted slug is 2–64 of `a-z 0-9 -`, never starts or ends with `-`, is never a
        /// reserved address, and reads back as itself.
        #[test]
        fn accepted_slugs_keep_their_shape(raw in "[A-Za-z0-9_\\-/. ]{0,70}|\\PC{0,70}") {
            if let Ok(slug) = Slug::parse(&raw) {
                let s = slug.as_str();
                proptest::prop_assert!((2..=64).contains(&s.len()));
                proptest::prop_assert!(s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'));
                proptest::prop_assert!(!s.starts_with('-') && !s.ends_with('-'));
                proptest::prop_assert!(!RESERVED.contains(&s));
                proptest::prop_assert_eq!(Slug::parse(s).map(|again| again.as_str().to_owned()), Ok(s.to_owned()));
            }
        }
    }
}
