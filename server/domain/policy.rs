//! THE authorization policy for communities and everything in them. Every route, list
//! query, feed and (later) search hit and websocket topic asks here. What a viewer may not
//! see does not exist for them: [`Denied::Hidden`] becomes 404, never 403.

use crate::domain::community::{MemberRole, MemberState, Membership, Visibility};
use crate::error::AppError;

/// The signed-in person asking.
#[derive(Debug, Clone, Copy)]
pub struct Actor {
    pub user_id: i64,
    /// Site admins read and moderate everywhere.
    pub admin: bool,
    /// Sits on the quarterly review board (executives and admins): reads every idea on a
    /// closed quarter's docket, wherever it was posted, to judge it.
    pub board: bool,
}

/// What the policy needs to know about a community and the actor's place in it.
#[derive(Debug, Clone, Copy)]
pub struct Place {
    pub visibility: Visibility,
    pub archived: bool,
    pub membership: Option<Membership>,
}

/// Something an actor wants to do in a community.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See the community and read its posts, comments, members.
    Read,
    /// Write a post (not an announcement), comment, or react.
    Write,
    /// Post an announcement (pinned, reaches every member).
    Announce,
    /// Join, ask to join, or accept an invitation.
    Join,
    /// Approve requests, invite, pin, delete others' content, change roles below owner.
    Moderate,
    /// Change owners, settings, archive.
    Own,
}

/// Why an action is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// The actor may not know this exists: answer 404.
    Hidden,
    /// The community is archived (read-only): answer 409.
    Archived,
    /// Visible, but not the actor's to do: answer 403 with the reason.
    NotAllowed(&'static str),
}

impl From<Denied> for AppError {
    fn from(denied: Denied) -> Self {
        match denied {
            Denied::Hidden => AppError::NotFound,
            Denied::Archived => AppError::Conflict("this community is archived and read-only".into()),
            Denied::NotAllowed(reason) => AppError::Forbidden(reason),
        }
    }
}

impl Place {
    fn active_role(&self) -> Option<MemberRole> {
        self.membership.filter(|m| m.state == MemberState::Active).map(|m| m.role)
    }

    fn invited(&self) -> bool {
        self.membership.is_some_and(|m| m.state == MemberState::Invited)
    }
}

/// Whether the actor may read the community's content.
pub fn can_read(actor: Actor, place: &Place) -> bool {
    actor.admin || place.visibility != Visibility::Private || place.active_role().is_some()
}

/// Whether the actor may know the community exists (content readers, and people invited
/// to a private community, who need its page to accept).
pub fn can_discover(actor: Actor, place: &Place) -> bool {
    can_read(actor, place) || place.invited()
}

/// Decides one action.
pub fn check(actor: Actor, place: &Place, action: Action) -> Result<(), Denied> {
    if !can_discover(actor, place) || (action != Action::Join && !can_read(actor, place)) {
        return Err(Denied::Hidden);
    }
    let role = place.active_role();
    let moderator = actor.admin || role.is_some_and(|r| r >= MemberRole::Moderator);
    match action {
        Action::Read => Ok(()),
        _ if place.archived => Err(Denied::Archived),
        Action::Write if actor.admin || role.is_some() => Ok(()),
        Action::Write => Err(Denied::NotAllowed("join the community to post, comment or react")),
        Action::Announce if moderator => Ok(()),
        Action::Announce => Err(Denied::NotAllowed("only moderators post announcements")),
        Action::Join => Ok(()),
        Action::Moderate if moderator => Ok(()),
        Action::Moderate => Err(Denied::NotAllowed("only moderators can do this")),
        Action::Own if actor.admin || role == Some(MemberRole::Owner) => Ok(()),
        Action::Own => Err(Denied::NotAllowed("only owners can do this")),
    }
}

/// Whether the actor may edit or delete a piece of content: its author while the
/// community is writable, or a moderator.
pub fn can_change_content(actor: Actor, place: &Place, author_id: Option<i64>) -> Result<(), Denied> {
    check(actor, place, Action::Read)?;
    if place.archived {
        return Err(Denied::Archived);
    }
    if author_id == Some(actor.user_id) || check(actor, place, Action::Moderate).is_ok() {
        Ok(())
    } else {
        Err(Denied::NotAllowed("only the author or a moderator can change this"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(visibility: Visibility, membership: Option<(MemberRole, MemberState)>) -> Place {
        Place {
            visibility,
            archived: false,
            membership: membership.map(|(role, state)| Membership { role, state }),
        }
    }

    const ME: Actor = Actor { user_id: 1, admin: false, board: false };

    #[test]
    fn private_communities_are_hidden_from_outsiders_and_requesters() {
        let outsider = place(Visibility::Private, None);
        assert_eq!(check(ME, &outsider, Action::Read), Err(Denied::Hidden));
        assert_eq!(check(ME, &outsider, Action::Join), Err(Denied::Hidden));
        let pending = place(Visibility::Private, Some((MemberRole::Member, MemberState::Pending)));
        assert_eq!(check(ME, &pending, Action::Read), Err(Denied::Hidden));
        let invited = place(Visibility::Private, Some((MemberRole::Member, MemberState::Invited)));
        assert_eq!(check(ME, &invited, Action::Read), Err(Denied::Hidden));
        assert_eq!(check(ME, &invited, Action::Join), Ok(()));
        assert!(can_discover(ME, &invited));
    }

    #[test]
    fn archived_communities_are_read_only_even_for_admins() {
        let mut archived = place(Visibility::Open, Some((MemberRole::Owner, MemberState::Active)));
        archived.archived = true;
        let admin = Actor { user_id: 2, admin: true, board: true };
        assert_eq!(check(admin, &archived, Action::Read), Ok(()));
        assert_eq!(check(admin, &archived, Action::Write), Err(Denied::Archived));
        assert_eq!(can_change_content(ME, &archived, Some(1)), Err(Denied::Archived));
    }
}
