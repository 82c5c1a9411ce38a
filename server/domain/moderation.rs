//! Moderation's vocabulary: what can be reported and why, and what moderators can do.

use serde::{Deserialize, Serialize};

/// What a report or a moderation action is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TargetType {
    Post,
    Comment,
    Idea,
}

impl TargetType {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Post => "post",
            Self::Comment => "comment",
            Self::Idea => "idea",
        }
    }

    /// The type of a stored name.
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Post, Self::Comment, Self::Idea].into_iter().find(|t| t.as_str() == name)
    }
}

/// Why something is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportReason {
    Spam,
    Harassment,
    OffTopic,
    Confidential,
    Other,
}

impl ReportReason {
    /// Every reason, in the order the report form lists them.
    pub const ALL: [Self; 5] =
        [Self::Spam, Self::Harassment, Self::OffTopic, Self::Confidential, Self::Other];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Spam => "spam",
            Self::Harassment => "harassment",
            Self::OffTopic => "off_topic",
            Self::Confidential => "confidential",
            Self::Other => "other",
        }
    }

    /// The reason of a stored or submitted name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == name)
    }

    /// How people read it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Spam => "Spam or advertising",
            Self::Harassment => "Harassment or abuse",
            Self::OffTopic => "Off-topic",
            Self::Confidential => "Confidential information",
            Self::Other => "Something else",
        }
    }
}

/// What a moderator does about an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ModAction {
    /// Close the reports: nothing is wrong (an automatically hidden item comes back).
    Dismiss,
    /// Replace the item by a notice for everyone but moderators; its author is told why.
    Hide,
    /// Undo a hide.
    Restore,
    /// A post's thread takes no more comments.
    Lock,
    /// The item's author may not take part in its community, for a time or until lifted.
    Ban,
    /// The item's author's account is suspended (admins only); their sessions end at once.
    Suspend,
}

impl ModAction {
    /// Every action, in the order the queue offers them.
    pub const ALL: [Self; 6] =
        [Self::Dismiss, Self::Hide, Self::Restore, Self::Lock, Self::Ban, Self::Suspend];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dismiss => "dismiss",
            Self::Hide => "hide",
            Self::Restore => "restore",
            Self::Lock => "lock",
            Self::Ban => "ban",
            Self::Suspend => "suspend",
        }
    }

    /// The action of a submitted name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == name)
    }

    /// Whether taking it settles the item's open reports as acted on (otherwise dismissed).
    pub fn upholds_reports(self) -> bool {
        !matches!(self, Self::Dismiss | Self::Restore)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for reason in ReportReason::ALL {
            assert_eq!(ReportReason::parse(reason.as_str()), Some(reason));
        }
        for action in ModAction::ALL {
            assert_eq!(ModAction::parse(action.as_str()), Some(action));
        }
        assert_eq!(TargetType::parse("idea"), Some(TargetType::Idea));
        assert_eq!(TargetType::parse("user"), None);
    }
}
