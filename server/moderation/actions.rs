//! What moderators do about an item: dismiss its reports, hide or restore it, lock its
//! thread, ban its author from the community, or (admins) suspend its author. Each action
//! settles the item's open reports and is written to the audit log, in one transaction.

use chrono::NaiveDateTime;
use serde_json::json;

use super::{Item, load, moderates};
use crate::db::models::users::User;
use crate::db::models::{
    activities, audit, communities, moderation, notifications, now, reports, sessions, users,
};
use crate::db::{Db, DbConn};
use crate::domain::activity::{NewActivity, Visibility};
use crate::domain::community::MemberState;
use crate::domain::moderation::{ModAction, TargetType};
use crate::domain::policy::Actor;
use crate::error::{AppError, AppResult};

/// What an item hidden by the report threshold says until a moderator looks.
pub const AUTO_HIDDEN: &str = "Hidden automatically after several reports, until a moderator reviews it";

/// A moderation action as submitted.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct ActionInput {
    /// `post`, `comment` or `idea`.
    pub target_type: String,
    pub target_id: i64,
    /// `dismiss`, `hide`, `restore`, `lock`, `ban` or `suspend`.
    pub action: String,
    /// Why (required): the author and the community's moderation log read it.
    pub reason: String,
    /// For `ban`: until when (UTC); none bans until lifted.
    pub until: Option<NaiveDateTime>,
}

/// What an action did.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Outcome {
    pub action: ModAction,
    /// Open reports the action settled.
    pub reports_resolved: usize,
}

/// Takes a moderation action. Items outside the actor's communities are 404; an action
/// that cannot apply to the item as it stands (hiding what is hidden, dismissing with no
/// open reports) is 409.
pub async fn act(db: &Db, user: &User, input: ActionInput) -> AppResult<Outcome> {
    let target = TargetType::parse(&input.target_type)
        .ok_or_else(|| AppError::field("target_type", "act on a post, a comment or an idea"))?;
    let action = ModAction::parse(&input.action)
        .ok_or_else(|| AppError::field("action", "choose dismiss, hide, restore, lock, ban or suspend"))?;
    let reason = input.reason.trim().to_owned();
    if reason.is_empty() || reason.chars().count() > super::MAX_NOTE {
        return Err(AppError::field(
            "reason",
            "say why in 1–1,000 characters: the author and the log read it",
        ));
    }
    if input.until.is_some_and(|until| until <= now()) {
        return Err(AppError::field("until", "a ban ends in the future"));
    }
    let (actor, id, until) = (user.actor(), input.target_id, input.until);
    db.write(move |c| {
        let item = load(c, target, id)?.ok_or(AppError::NotFound)?;
        if !moderates(c, actor, item.community_id)? {
            return Err(AppError::NotFound);
        }
        let reason = reason.as_str();
        match action {
            ModAction::Dismiss => dismiss(c, actor, &item, reason)?,
            ModAction::Hide => hide(c, Some(actor.user_id), &item, reason)?,
            ModAction::Restore => restore(c, actor.user_id, &item, reason)?,
            ModAction::Lock => lock(c, actor.user_id, &item, reason)?,
            ModAction::Ban => ban(c, actor, &item, reason, until)?,
            ModAction::Suspend => suspend(c, actor, &item, reason)?,
        }
        let outcome = if action.upholds_reports() { "actioned" } else { "dismissed" };
        let resolved = reports::resolve(c, target.as_str(), id, outcome, actor.user_id, now())?;
        if action != ModAction::Suspend {
            let details = json!({ "reason": reason, "until": until, "reports": resolved });
            let name = verb(item.target, action);
            audit::record_in(
                c,
                item.community_id,
                Some(actor.user_id),
                name,
                target.as_str(),
                Some(id),
                &details,
            )?;
        }
        Ok(Outcome { action, reports_resolved: resolved })
    })
    .await
}

/// The log and audit name of an action on an item: `post.hidden`, `comment.restored` …
fn verb(target: TargetType, action: ModAction) -> &'static str {
    use ModAction::*;
    use TargetType::*;
    match (target, action) {
        (Post, Hide) => "post.hidden",
        (Comment, Hide) => "comment.hidden",
        (Idea, Hide) => "idea.hidden",
        (Post, Restore) => "post.restored",
        (Comment, Restore) => "comment.restored",
        (Idea, Restore) => "idea.restored",
        (Post, Dismiss) => "post.reports_dismissed",
        (Comment, Dismiss) => "comment.reports_dismissed",
        (Idea, Dismiss) => "idea.reports_dismissed",
        (_, Lock) => "post.locked",
        (_, Ban) => "member.banned",
        (_, Suspend) => "user.suspended",
    }
}

fn activity(item: &Item, actor: Option<i64>, verb: &'static str, data: serde_json::Value) -> NewActivity {
    NewActivity {
        actor_id: actor,
        verb,
        object_type: item.target.as_str(),
        object_id: item.id,
        community_id: item.community_id,
        visibility: if item.community_id.is_some() { Visibility::Community } else { Visibility::Public },
        data,
    }
}

/// The log entries an item's visibility rides on: its own, and for a post its comments'.
fn withdraw(c: &mut DbConn, item: &Item, at: Option<NaiveDateTime>) -> AppResult<Vec<i64>> {
    let mut changed = moderation::withdraw(c, item.target.as_str(), &[item.id], at)?;
    if item.target == TargetType::Post {
        let comments = moderation::visible_comment_ids(c, item.id)?;
        changed.extend(moderation::withdraw(c, "comment", &comments, at)?);
    }
    Ok(changed)
}

/// Hides an item (a moderator's `actor`, or none for the report threshold): a notice
/// replaces it, feeds and search drop it, notifications about it go, and its
/// author is told why.
pub fn hide(c: &mut DbConn, actor: Option<i64>, item: &Item, reason: &str) -> AppResult<()> {
    if !moderation::set_hidden(c, item.target.as_str(), item.id, Some((reason, now())))? {
        return Err(AppError::Conflict(format!("this {} is hidden already", item.noun())));
    }
    let withdrawn = withdraw(c, item, Some(now()))?;
    notifications::delete_for(c, &withdrawn)?;
    let data = json!({ "reason": reason, "post": item.post_id, "author": item.author_id });
    activities::record(c, &activity(item, actor, verb(item.target, ModAction::Hide), data))?;
    Ok(())
}

/// Hides an item reported by `reporters` different members, pending review.
pub fn auto_hide(c: &mut DbConn, item: &Item, reporters: i64) -> AppResult<()> {
    hide(c, None, item, AUTO_HIDDEN)?;
    let details = json!({ "reports": reporters });
    let name = match item.target {
        TargetType::Post => "post.auto_hidden",
        TargetType::Comment => "comment.auto_hidden",
        TargetType::Idea => "idea.auto_hidden",
    };
    audit::record_in(c, item.community_id, None, name, item.target.as_str(), Some(item.id), &details)?;
    Ok(())
}

fn restore(c: &mut DbConn, actor: i64, item: &Item, reason: &str) -> AppResult<()> {
    if !moderation::set_hidden(c, item.target.as_str(), item.id, None)? {
        return Err(AppError::Conflict(format!("this {} is not hidden", item.noun())));
    }
    withdraw(c, item, None)?;
    let data = json!({ "reason": reason, "post": item.post_id });
    activities::record(c, &activity(item, Some(actor), verb(item.target, ModAction::Restore), data))?;
    Ok(())
}

/// Closes an item's reports as unfounded; an item the threshold hid comes back.
fn dismiss(c: &mut DbConn, actor: Actor, item: &Item, reason: &str) -> AppResult<()> {
    if reports::open_reporters(c, item.target.as_str(), item.id)? == 0 {
        return Err(AppError::Conflict(format!("there are no open reports on this {}", item.noun())));
    }
    if item.hidden_reason.as_deref() == Some(AUTO_HIDDEN) {
        restore(c, actor.user_id, item, reason)?;
    }
    Ok(())
}

fn lock(c: &mut DbConn, actor: i64, item: &Item, reason: &str) -> AppResult<()> {
    let post = item.post_id.ok_or_else(|| {
        AppError::field("action", "only a post's thread can be locked; hide the idea instead")
    })?;
    if !moderation::lock(c, post, now())? {
        return Err(AppError::Conflict("this thread is locked already".into()));
    }
    let locked = Item { target: TargetType::Post, id: post, ..item.clone() };
    activities::record(c, &activity(&locked, Some(actor), "post.locked", json!({ "reason": reason })))?;
    Ok(())
}

/// The author of an item, who a ban or suspension is about.
fn author(c: &mut DbConn, actor: Actor, item: &Item, what: &str) -> AppResult<User> {
    let author = item.author_id.and_then(|id| users::find(c, id).ok().flatten());
    let author = author.ok_or_else(|| AppError::Conflict("the author's account no longer exists".into()))?;
    if author.id == actor.user_id {
        return Err(AppError::Conflict(format!("you cannot {what} yourself")));
    }
    Ok(author)
}

fn ban(
    c: &mut DbConn,
    actor: Actor,
    item: &Item,
    reason: &str,
    until: Option<NaiveDateTime>,
) -> AppResult<()> {
    let community = item.community_id.ok_or_else(|| {
        AppError::field(
            "action",
            "this idea is in no community to ban from; an admin can suspend the account",
        )
    })?;
    let author = author(c, actor, item, "ban")?;
    if author.role() == crate::domain::account::Role::Admin {
        return Err(AppError::Conflict("admins cannot be banned from communities".into()));
    }
    moderation::ban(c, community, author.id, until, reason, actor.user_id, now())?;
    if communities::membership(c, community, author.id)?.is_some_and(|m| m.state == MemberState::Active) {
        communities::adjust_member_count(c, community, -1)?;
    }
    communities::remove_member(c, community, author.id)?;
    let banned = NewActivity {
        actor_id: Some(actor.user_id),
        verb: "member.banned",
        object_type: "user",
        object_id: author.id,
        community_id: Some(community),
        visibility: Visibility::Community,
        data: json!({ "until": until, "reason": reason, "handle": author.handle }),
    };
    activities::record(c, &banned)?;
    Ok(())
}

/// Suspends the author's account (admins only): sessions end at once, and the websocket
/// hub, which follows the log, closes their connections.
fn suspend(c: &mut DbConn, actor: Actor, item: &Item, reason: &str) -> AppResult<()> {
    if !actor.admin {
        return Err(AppError::Forbidden("only admins suspend accounts"));
    }
    let author = author(c, actor, item, "suspend")?;
    if !author.is_active {
        return Err(AppError::Conflict("this account is suspended already".into()));
    }
    users::set_active(c, author.id, false)?;
    sessions::delete_for_user(c, author.id)?;
    let details = json!({ "reason": reason, "item": { "type": item.target.as_str(), "id": item.id } });
    audit::record(c, Some(actor.user_id), "user.suspended", "user", Some(author.id), &details)?;
    let ended = NewActivity {
        actor_id: Some(actor.user_id),
        verb: "user.deactivated",
        object_type: "user",
        object_id: author.id,
        community_id: None,
        visibility: Visibility::Admins,
        data: json!({}),
    };
    activities::record(c, &ended)?;
    Ok(())
}
