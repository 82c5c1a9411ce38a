//! Community pages: directory, new, community, members.

use askama::Template;

use super::PageCtx;
use crate::communities::{CommunityInput, Located};
use crate::db::models::communities::Community;
use crate::db::models::users::User;
use crate::domain::community::{MemberRole, MemberState, Membership};
use crate::domain::policy::Action;
use crate::error::FieldErrors;
use crate::posts::{PostCard, PostInput};

/// `/c`.
#[derive(Template)]
#[template(path = "communities/directory.html")]
pub struct DirectoryPage {
    pub ctx: PageCtx,
    pub search: String,
    pub rows: Vec<(Community, Option<Membership>)>,
    /// Link to the next page, if any.
    pub next: Option<String>,
}

/// The directory's list alone, for search-as-you-type.
#[derive(Template)]
#[template(path = "communities/_list.html")]
pub struct DirectoryList {
    pub rows: Vec<(Community, Option<Membership>)>,
    pub next: Option<String>,
}

/// `/c/new`.
#[derive(Template)]
#[template(path = "communities/new.html")]
pub struct NewCommunityPage {
    pub ctx: PageCtx,
    pub form: CommunityInput,
    pub errors: FieldErrors,
}

/// `/c/<slug>`.
#[derive(Template)]
#[template(path = "communities/show.html")]
pub struct CommunityPage {
    pub ctx: PageCtx,
    pub located: Located,
    pub cards: Vec<PostCard>,
    pub next: Option<String>,
    pub draft: PostInput,
    pub errors: FieldErrors,
    /// The activity id live updates start after.
    pub live_since: i64,
}

/// `/c/<slug>/members`.
#[derive(Template)]
#[template(path = "communities/members.html")]
pub struct MembersPage {
    pub ctx: PageCtx,
    pub located: Located,
    pub members: Vec<(User, MemberRole)>,
    pub pending: Vec<(User, MemberRole)>,
    pub invited: Vec<(User, MemberRole)>,
    pub errors: FieldErrors,
}

impl MembersPage {
    /// Whether the viewer may remove this member: moderators remove members and
    /// moderators, owners remove owners while another owner remains, and nobody removes
    /// themself (they leave).
    pub fn removable(&self, person: &User, role: &MemberRole) -> bool {
        let owners = self.members.iter().filter(|(_, r)| *r == MemberRole::Owner).count();
        person.id != self.ctx.viewer_id()
            && match role {
                MemberRole::Owner => self.may("own") && owners > 1,
                _ => true,
            }
    }
}

/// Helpers the community templates call.
pub trait LocatedView {
    /// The located community.
    fn located(&self) -> &Located;

    /// Whether the viewer may do `action` (decides which buttons show).
    fn may(&self, action: &str) -> bool {
        let action = match action {
            "read" => Action::Read,
            "write" => Action::Write,
            "announce" => Action::Announce,
            "join" => Action::Join,
            "moderate" => Action::Moderate,
            _ => Action::Own,
        };
        self.located().may(action)
    }

    /// The viewer's membership state: `active`, `pending`, `invited` or empty.
    fn membership(&self) -> &'static str {
        self.located().place.membership.map_or("", |m| m.state.as_str())
    }
}

impl LocatedView for CommunityPage {
    fn located(&self) -> &Located {
        &self.located
    }
}

impl LocatedView for MembersPage {
    fn located(&self) -> &Located {
        &self.located
    }
}

/// The badge text for a directory row.
pub fn badge(membership: &Option<Membership>) -> &'static str {
    match membership.map(|m| (m.state, m.role)) {
        Some((MemberState::Active, MemberRole::Owner)) => "Owner",
        Some((MemberState::Active, MemberRole::Moderator)) => "Moderator",
        Some((MemberState::Active, MemberRole::Member)) => "Joined",
        Some((MemberState::Pending, _)) => "Requested",
        Some((MemberState::Invited, _)) => "Invited",
        None => "",
    }
}
