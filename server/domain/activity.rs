//! The shape of an activity-log entry (SPEC §4): who did what to which object, in which
//! community, and who may see it.

use serde::{Deserialize, Serialize};

/// Who may see an activity. Consumers (feeds, websocket hub, indexer, notifier) filter on
/// this together with `community_id`, so an entry never leaks beyond its audience.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// Every signed-in employee.
    Public,
    /// Whoever may read the activity's community.
    Community,
    /// Admins only (account administration).
    Admins,
}

impl Visibility {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Community => "community",
            Self::Admins => "admins",
        }
    }
}

/// One entry to append to the log.
#[derive(Debug, Clone)]
pub struct NewActivity {
    /// The user who acted, if any (system jobs have none).
    pub actor_id: Option<i64>,
    /// Dotted verb such as `user.joined` or `post.created`.
    pub verb: &'static str,
    /// The kind of object acted on (`user`, `post`, `idea`, …).
    pub object_type: &'static str,
    /// The object's id.
    pub object_id: i64,
    /// The community the object lives in, if any.
    pub community_id: Option<i64>,
    /// Who may see the entry.
    pub visibility: Visibility,
    /// Extra JSON for consumers (titles, previous state, …).
    pub data: serde_json::Value,
}
