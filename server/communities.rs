//! Community actions: create, directory, join, leave, requests, invitations, roles, archive.
//! Every decision goes through [`policy`]; every change writes its activity row in the same
//! transaction.

use serde_json::json;

use crate::config::Settings;
use crate::db::models::communities::{self, Community, DirectoryQuery, DirectoryRow, NewCommunity};
use crate::db::models::users::User;
use crate::db::models::{activities, audit, moderation, now, users};
use crate::db::{Db, DbConn};
use crate::domain::activity::{NewActivity, Visibility as Audience};
use crate::domain::community::{MemberRole, MemberState, Membership, Slug, Visibility};
use crate::domain::markdown;
use crate::domain::policy::{self, Action, Actor, Place};
use crate::error::{AppError, AppResult, FieldErrors};

/// Longest community description, in characters.
const MAX_DESCRIPTION: usize = 5_000;

/// A community and the actor's place in it, after the policy let the actor discover it.
#[derive(Debug, Clone)]
pub struct Located {
    pub community: Community,
    pub place: Place,
    pub actor: Actor,
}

impl Located {
    /// Checks an action, turning a refusal into 404/409/403.
    pub fn allow(&self, action: Action) -> AppResult<()> {
        Ok(policy::check(self.actor, &self.place, action)?)
    }

    /// Whether the action would be allowed (for showing buttons).
    pub fn may(&self, action: Action) -> bool {
        policy::check(self.actor, &self.place, action).is_ok()
    }
}

/// Finds a community by slug as `actor` may see it: 404 when it does not exist for them.
pub fn locate(c: &mut DbConn, actor: Actor, slug: &str) -> AppResult<Located> {
    let community = communities::by_slug(c, &slug.to_lowercase())?.ok_or(AppError::NotFound)?;
    place_of(c, actor, community)
}

/// Finds a community by id as `actor` may see it.
pub fn locate_id(c: &mut DbConn, actor: Actor, id: i64) -> AppResult<Located> {
    let community = communities::find(c, id)?.ok_or(AppError::NotFound)?;
    place_of(c, actor, community)
}

fn place_of(c: &mut DbConn, actor: Actor, community: Community) -> AppResult<Located> {
    let membership = communities::membership(c, community.id, actor.user_id)?;
    let place = Place { visibility: community.visibility(), archived: community.archived(), membership };
    if !policy::can_discover(actor, &place) {
        return Err(AppError::NotFound);
    }
    Ok(Located { community, place, actor })
}

/// An activity in a community, by the located actor, visible to whoever may read it.
pub fn activity(
    located: &Located,
    verb: &'static str,
    object_type: &'static str,
    object_id: i64,
    data: serde_json::Value,
) -> NewActivity {
    NewActivity {
        actor_id: Some(located.actor.user_id),
        verb,
        object_type,
        object_id,
        community_id: Some(located.community.id),
        visibility: Audience::Community,
        data,
    }
}

/// What a new community is made from, as typed.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct CommunityInput {
    pub slug: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// `open`, `restricted` or `private`.
    pub visibility: String,
}

/// Creates a community with the creator as its owner.
pub async fn create(
    db: &Db,
    settings: &Settings,
    user: &User,
    input: CommunityInput,
) -> AppResult<Community> {
    let actor = user.actor();
    if settings.communities_by_admins_only && !actor.admin {
        return Err(AppError::Forbidden("only admins can create communities on this site"));
    }
    let mut errors = FieldErrors::new();
    let slug = Slug::parse(&input.slug).map_err(|e| errors.insert("slug".into(), e)).ok();
    let name = input.name.trim().to_owned();
    if !(2..=100).contains(&name.chars().count()) {
        errors.insert("name".into(), "use 2–100 characters".into());
    }
    if input.description.chars().count() > MAX_DESCRIPTION {
        errors.insert("description".into(), format!("use at most {MAX_DESCRIPTION} characters"));
    }
    let visibility =
        Visibility::parse(&input.visibility).map_err(|e| errors.insert("visibility".into(), e)).ok();
    let (Some(slug), Some(visibility), true) = (slug, visibility, errors.is_empty()) else {
        return Err(AppError::invalid(errors));
    };
    let description_html = markdown::render(&input.description);
    db.write(move |c| {
        if communities::by_slug(c, slug.as_str())?.is_some() {
            return Err(AppError::field(
                "slug",
                format!("/c/{} is taken; choose another address", slug.as_str()),
            ));
        }
        let at = now();
        let new = NewCommunity {
            slug: slug.as_str(),
            name: &name,
            description: input.description.trim(),
            description_html: &description_html,
            visibility: visibility.as_str(),
            created_by: Some(actor.user_id),
            created_at: at,
        };
        let id = communities::insert(c, &new)?;
        communities::add_member(
            c,
            id,
            actor.user_id,
            Membership { role: MemberRole::Owner, state: MemberState::Active },
            at,
        )?;
        communities::adjust_member_count(c, id, 1)?;
        let located = locate_id(c, actor, id)?;
        activities::record(
            c,
            &activity(
                &located,
                "community.created",
                "community",
                id,
                json!({ "slug": slug.as_str(), "name": name }),
            ),
        )?;
        Ok(located.community)
    })
    .await
}

/// A directory page.
pub async fn directory(
    db: &Db,
    user: &User,
    search: Option<String>,
    after: Option<(i32, i64)>,
    limit: i64,
) -> AppResult<Vec<DirectoryRow>> {
    let actor = user.actor();
    db.read(move |c| {
        let query = DirectoryQuery {
            viewer_id: actor.user_id,
            admin: actor.admin,
            search: search.as_deref(),
            after,
            limit,
        };
        Ok(communities::directory(c, &query)?)
    })
    .await
}

/// A community as the user may see it.
pub async fn view(db: &Db, user: &User, slug: &str) -> AppResult<Located> {
    let (actor, slug) = (user.actor(), slug.to_owned());
    db.read(move |c| locate(c, actor, &slug)).await
}

/// Joins an open community, asks to join a restricted one, or accepts an invitation to a
/// private one. Returns where the membership now stands.
pub async fn join(db: &Db, user: &User, slug: &str) -> AppResult<MemberState> {
    let (actor, slug) = (user.actor(), slug.to_owned());
    db.write(move |c| {
        let located = locate(c, actor, &slug)?;
        located.allow(Action::Join)?;
        let community_id = located.community.id;
        if let Some(until) = moderation::banned_until(c, community_id, actor.user_id, now())? {
            let until = until.map_or_else(
                || "until a moderator lifts it".to_owned(),
                |u| format!("until {} UTC", u.format("%Y-%m-%d %H:%M")),
            );
            return Err(AppError::Conflict(format!("you are banned from this community {until}")));
        }
        let current = located.place.membership.map(|m| m.state);
        let state = match (located.place.visibility, current) {
            // Joining twice changes nothing.
            (_, Some(MemberState::Active)) => return Ok(MemberState::Active),
            (_, Some(MemberState::Pending)) => {
                return Err(AppError::Conflict("your request to join is waiting for a moderator".into()));
            }
            (_, Some(MemberState::Invited)) | (Visibility::Open, None) => MemberState::Active,
            (Visibility::Restricted, None) => MemberState::Pending,
            // Admins moderate everywhere and may step into a private community.
            (Visibility::Private, None) if actor.admin => MemberState::Active,
            (Visibility::Private, None) => return Err(AppError::NotFound),
        };
        match current {
            Some(_) => communities::set_state(c, community_id, actor.user_id, state)?,
            None => communities::add_member(
                c,
                community_id,
                actor.user_id,
                Membership { role: MemberRole::Member, state },
                now(),
            )?,
        }
        let verb = if state == MemberState::Active {
            communities::adjust_member_count(c, community_id, 1)?;
            "member.joined"
        } else {
            "member.requested"
        };
        activities::record(
            c,
            &activity(&located, verb, "user", actor.user_id, json!({ "slug": located.community.slug })),
        )?;
        Ok(state)
    })
    .await
}

/// Leaves a community (or withdraws a request, or declines an invitation). The last owner
/// cannot leave: someone must own the community.
pub async fn leave(db: &Db, user: &User, slug: &str) -> AppResult<()> {
    let (actor, slug) = (user.actor(), slug.to_owned());
    db.write(move |c| {
        let located = locate(c, actor, &slug)?;
        let community_id = located.community.id;
        let Some(membership) = located.place.membership else {
            return Err(AppError::Conflict("you are not a member of this community".into()));
        };
        if membership.role == MemberRole::Owner && communities::owner_count(c, community_id)? <= 1 {
            return Err(AppError::Conflict(
                "you are the last owner; make another member an owner before leaving".into(),
            ));
        }
        communities::remove_member(c, community_id, actor.user_id)?;
        if membership.state == MemberState::Active {
            communities::adjust_member_count(c, community_id, -1)?;
            activities::record(c, &activity(&located, "member.left", "user", actor.user_id, json!({})))?;
        }
        Ok(())
    })
    .await
}

/// The community and the person a moderator acts on.
fn moderate(c: &mut DbConn, actor: Actor, slug: &str, handle: &str) -> AppResult<(Located, User)> {
    let located = locate(c, actor, slug)?;
    located.allow(Action::Moderate)?;
    Ok((located, target_user(c, handle)?))
}

fn target_user(c: &mut DbConn, handle: &str) -> AppResult<User> {
    users::by_handle(c, &handle.trim().trim_start_matches('@').to_lowercase())?
        .filter(|u| u.is_active)
        .ok_or_else(|| {
            AppError::field("handle", format!("nobody has the handle @{}", handle.trim_start_matches('@')))
        })
}

/// A moderator approves or denies a request to join.
pub async fn decide_request(db: &Db, user: &User, slug: &str, handle: &str, approve: bool) -> AppResult<()> {
    let (actor, slug, handle) = (user.actor(), slug.to_owned(), handle.to_owned());
    db.write(move |c| {
        let (located, target) = moderate(c, actor, &slug, &handle)?;
        let community_id = located.community.id;
        if communities::membership(c, community_id, target.id)?.map(|m| m.state) != Some(MemberState::Pending)
        {
            return Err(AppError::Conflict(format!("@{} has no pending request", target.handle)));
        }
        if approve {
            communities::set_state(c, community_id, target.id, MemberState::Active)?;
            communities::adjust_member_count(c, community_id, 1)?;
            activities::record(
                c,
                &activity(&located, "member.approved", "user", target.id, json!({ "handle": target.handle })),
            )?;
        } else {
            communities::remove_member(c, community_id, target.id)?;
            activities::record(
                c,
                &activity(&located, "member.denied", "user", target.id, json!({ "handle": target.handle })),
            )?;
        }
        Ok(())
    })
    .await
}

/// A moderator removes a member, or withdraws an invitation. Only owners remove owners, the
/// last owner stays, and nobody removes themself (they leave). The person loses the
/// community at once: its notifications and live topics go with the membership.
pub async fn remove(db: &Db, user: &User, slug: &str, handle: &str) -> AppResult<()> {
    let (actor, slug, handle) = (user.actor(), slug.to_owned(), handle.to_owned());
    db.write(move |c| {
        let (located, target) = moderate(c, actor, &slug, &handle)?;
        let community_id = located.community.id;
        if target.id == actor.user_id {
            return Err(AppError::Conflict("to leave a community yourself, use Leave".into()));
        }
        let membership = communities::membership(c, community_id, target.id)?
            .filter(|m| matches!(m.state, MemberState::Active | MemberState::Invited))
            .ok_or_else(|| AppError::Conflict(format!("@{} is not a member", target.handle)))?;
        if membership.role == MemberRole::Owner {
            located.allow(Action::Own)?;
            if communities::owner_count(c, community_id)? <= 1 {
                return Err(AppError::Conflict(
                    "a community needs an owner; make someone else owner first".into(),
                ));
            }
        }
        communities::remove_member(c, community_id, target.id)?;
        // Someone only invited is not told anything: the invitation just goes.
        let verb = if membership.state == MemberState::Active {
            communities::adjust_member_count(c, community_id, -1)?;
            "member.removed"
        } else {
            "invitation.withdrawn"
        };
        let id = Some(community_id);
        let details = json!({ "handle": target.handle });
        audit::record_in(c, id, Some(actor.user_id), verb, "user", Some(target.id), &details)?;
        activities::record(c, &activity(&located, verb, "user", target.id, details))?;
        Ok(())
    })
    .await
}

/// A moderator invites someone by handle; they join when they accept.
pub async fn invite(db: &Db, user: &User, slug: &str, handle: &str) -> AppResult<()> {
    let (actor, slug, handle) = (user.actor(), slug.to_owned(), handle.to_owned());
    db.write(move |c| {
        let (located, target) = moderate(c, actor, &slug, &handle)?;
        let community_id = located.community.id;
        match communities::membership(c, community_id, target.id)?.map(|m| m.state) {
            Some(MemberState::Active) => {
                return Err(AppError::Conflict(format!("@{} is already a member", target.handle)));
            }
            Some(MemberState::Invited) => {
                return Err(AppError::Conflict(format!("@{} is already invited", target.handle)));
            }
            // A pending request plus an invitation means yes: let them in.
            Some(MemberState::Pending) => {
                communities::set_state(c, community_id, target.id, MemberState::Active)?;
                communities::adjust_member_count(c, community_id, 1)?;
            }
            None => {
                let invited = Membership { role: MemberRole::Member, state: MemberState::Invited };
                communities::add_member(c, community_id, target.id, invited, now())?;
            }
        }
        activities::record(
            c,
            &activity(&located, "member.invited", "user", target.id, json!({ "handle": target.handle })),
        )?;
        Ok(())
    })
    .await
}

/// Changes a member's role. Moderators manage members and moderators; only owners make or
/// unmake owners; the last owner keeps the role.
pub async fn set_role(db: &Db, user: &User, slug: &str, handle: &str, role: MemberRole) -> AppResult<()> {
    let (actor, slug, handle) = (user.actor(), slug.to_owned(), handle.to_owned());
    db.write(move |c| {
        let (located, target) = moderate(c, actor, &slug, &handle)?;
        let community_id = located.community.id;
        let current = communities::membership(c, community_id, target.id)?
            .filter(|m| m.state == MemberState::Active)
            .ok_or_else(|| AppError::Conflict(format!("@{} is not a member", target.handle)))?;
        if role == MemberRole::Owner || current.role == MemberRole::Owner {
            located.allow(Action::Own)?;
        }
        if current.role == MemberRole::Owner
            && role != MemberRole::Owner
            && communities::owner_count(c, community_id)? <= 1
        {
            return Err(AppError::Conflict(
                "a community needs an owner; make someone else owner first".into(),
            ));
        }
        communities::set_role(c, community_id, target.id, role)?;
        activities::record(
            c,
            &activity(
                &located,
                "member.role_changed",
                "user",
                target.id,
                json!({ "handle": target.handle, "role": role.as_str() }),
            ),
        )?;
        Ok(())
    })
    .await
}

/// An owner or admin archives a community: it stays readable and becomes read-only.
pub async fn archive(db: &Db, user: &User, slug: &str) -> AppResult<()> {
    let (actor, slug) = (user.actor(), slug.to_owned());
    db.write(move |c| {
        let located = locate(c, actor, &slug)?;
        located.allow(Action::Own)?;
        communities::archive(c, located.community.id, now())?;
        let id = Some(located.community.id);
        audit::record_in(c, id, Some(actor.user_id), "community.archived", "community", id, &json!({}))?;
        activities::record(
            c,
            &activity(&located, "community.archived", "community", located.community.id, json!({})),
        )?;
        Ok(())
    })
    .await
}

/// Members of a community (anyone who may read it), or pending requests and open
/// invitations (moderators only).
pub async fn members(
    db: &Db,
    user: &User,
    slug: &str,
    state: MemberState,
) -> AppResult<(Located, Vec<(User, MemberRole)>)> {
    let (actor, slug) = (user.actor(), slug.to_owned());
    db.read(move |c| {
        let located = locate(c, actor, &slug)?;
        located.allow(if state == MemberState::Active { Action::Read } else { Action::Moderate })?;
        let members = communities::members(c, located.community.id, state, 500)?;
        Ok((located, members))
    })
    .await
}

/// An owner (or admin) hands the community to a member: they become its owner, and an
/// owner who hands it over stays on as a moderator.
pub async fn transfer(db: &Db, user: &User, slug: &str, handle: &str) -> AppResult<()> {
    let (actor, slug, handle) = (user.actor(), slug.to_owned(), handle.to_lowercase());
    db.write(move |c| {
        let located = locate(c, actor, &slug)?;
        located.allow(Action::Own)?;
        let community_id = located.community.id;
        let target = target_user(c, &handle)?;
        if target.id == actor.user_id {
            return Err(AppError::Conflict("you own this community already".into()));
        }
        communities::membership(c, community_id, target.id)?
            .filter(|m| m.state == MemberState::Active)
            .ok_or_else(|| {
                AppError::Conflict(format!("@{} must be a member to own the community", target.handle))
            })?;
        communities::set_role(c, community_id, target.id, MemberRole::Owner)?;
        let data = json!({ "handle": target.handle, "role": MemberRole::Owner.as_str() });
        activities::record(c, &activity(&located, "member.role_changed", "user", target.id, data))?;
        if located.place.membership.is_some_and(|m| m.role == MemberRole::Owner) {
            communities::set_role(c, community_id, actor.user_id, MemberRole::Moderator)?;
            let me = users::find(c, actor.user_id)?.ok_or(AppError::NotFound)?;
            let data = json!({ "handle": me.handle, "role": MemberRole::Moderator.as_str() });
            activities::record(c, &activity(&located, "member.role_changed", "user", me.id, data))?;
        }
        let details = json!({ "to": target.handle });
        audit::record_in(
            c,
            Some(community_id),
            Some(actor.user_id),
            "community.ownership_transferred",
            "community",
            Some(community_id),
            &details,
        )?;
        Ok(())
    })
    .await
}

/// An owner (or admin) changes who may see the community. Opening a private community
/// shows everything ever written in it to everyone, so it must be confirmed; closing one
/// ends outsiders' live views of it at once.
pub async fn set_visibility(
    db: &Db,
    user: &User,
    slug: &str,
    visibility: Visibility,
    confirmed: bool,
) -> AppResult<()> {
    let (actor, slug) = (user.actor(), slug.to_owned());
    db.write(move |c| {
        let located = locate(c, actor, &slug)?;
        located.allow(Action::Own)?;
        let from = located.community.visibility();
        if from == visibility {
            return Err(AppError::Conflict(format!("the community is {} already", visibility.as_str())));
        }
        if from == Visibility::Private && !confirmed {
            return Err(AppError::field(
                "confirm",
                "everything ever posted here becomes visible to everyone: confirm to go ahead",
            ));
        }
        let community_id = located.community.id;
        communities::set_visibility(c, community_id, visibility)?;
        let data = json!({ "from": from.as_str(), "to": visibility.as_str() });
        audit::record_in(
            c,
            Some(community_id),
            Some(actor.user_id),
            "community.visibility_changed",
            "community",
            Some(community_id),
            &data,
        )?;
        activities::record(
            c,
            &activity(&located, "community.visibility_changed", "community", community_id, data),
        )?;
        Ok(())
    })
    .await
}
