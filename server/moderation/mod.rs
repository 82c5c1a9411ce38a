//! Moderation (SPEC §8): members report posts, comments and ideas; the moderators of the
//! item's community (and admins, everywhere) work the queue and act. Every action is
//! written to the audit log in the transaction that makes it.

pub mod actions;
pub mod queue;

use serde_json::json;

use crate::communities::{Located, locate, locate_id};
use crate::config::Settings;
use crate::db::models::reports::{self, NewReport};
use crate::db::models::users::User;
use crate::db::models::{activities, audit, communities, ideas, now, posts};
use crate::db::{Db, DbConn};
use crate::domain::activity::{NewActivity, Visibility};
use crate::domain::community::{MemberRole, MemberState};
use crate::domain::moderation::{ReportReason, TargetType};
use crate::domain::policy::{Action, Actor};
use crate::error::{AppError, AppResult};

/// Longest note on a report or reason for an action.
const MAX_NOTE: usize = 1000;

/// A reported or moderated item, wherever it lives.
#[derive(Debug, Clone)]
pub struct Item {
    pub target: TargetType,
    pub id: i64,
    /// The community it lives in (none for an idea outside communities).
    pub community_id: Option<i64>,
    pub author_id: Option<i64>,
    /// The post (for a post or a comment): locking acts on it.
    pub post_id: Option<i64>,
    /// "Steam traps", or for a comment the title of its post.
    pub title: String,
    pub body: String,
    pub url: String,
    /// Why it is hidden, if it is.
    pub hidden_reason: Option<String>,
}

impl Item {
    /// Whether a moderator hid it (or the report threshold did).
    pub fn hidden(&self) -> bool {
        self.hidden_reason.is_some()
    }

    /// "post", "comment" or "idea", as sentences name it.
    pub fn noun(&self) -> &'static str {
        self.target.as_str()
    }
}

fn titled(title: String) -> String {
    if title.is_empty() { "a post".into() } else { title }
}

/// Why a row is hidden: `None` when it is not.
fn hidden(at: Option<chrono::NaiveDateTime>, reason: Option<String>) -> Option<String> {
    at.map(|_| reason.unwrap_or_default())
}

/// Loads an item as stored (hidden or not); `None` when it does not exist or was deleted.
pub fn load(c: &mut DbConn, target: TargetType, id: i64) -> AppResult<Option<Item>> {
    Ok(match target {
        TargetType::Post => posts::find(c, id)?.map(|(post, _)| Item {
            target,
            id,
            community_id: Some(post.community_id),
            author_id: post.author_id,
            post_id: Some(post.id),
            title: titled(post.title),
            body: post.body,
            url: format!("/posts/{id}"),
            hidden_reason: hidden(post.hidden_at, post.hidden_reason),
        }),
        TargetType::Comment => match posts::find_comment(c, id)? {
            Some(comment) => posts::find(c, comment.post_id)?.map(|(post, _)| Item {
                target,
                id,
                community_id: Some(post.community_id),
                author_id: comment.author_id,
                post_id: Some(post.id),
                title: titled(post.title),
                body: comment.body,
                url: format!("/posts/{}#comment-{id}", comment.post_id),
                hidden_reason: hidden(comment.hidden_at, comment.hidden_reason),
            }),
            None => None,
        },
        TargetType::Idea => ideas::find(c, id)?.map(|(idea, _)| Item {
            target,
            id,
            community_id: idea.community_id,
            author_id: idea.author_id,
            post_id: None,
            title: idea.title,
            body: idea.problem,
            url: format!("/ideas/{id}"),
            hidden_reason: hidden(idea.hidden_at, idea.hidden_reason),
        }),
    })
}

/// Whether the actor moderates a community: admins everywhere, its active moderators and
/// owners there. Items outside communities are the admins'.
pub fn moderates(c: &mut DbConn, actor: Actor, community_id: Option<i64>) -> AppResult<bool> {
    if actor.admin {
        return Ok(true);
    }
    let Some(community) = community_id else { return Ok(false) };
    Ok(communities::membership(c, community, actor.user_id)?
        .is_some_and(|m| m.state == MemberState::Active && m.role >= MemberRole::Moderator))
}

/// An item the actor may see: readable where it lives and, when hidden, only by those who
/// moderate it. Anything else is 404.
pub fn visible_item(c: &mut DbConn, actor: Actor, target: TargetType, id: i64) -> AppResult<Item> {
    let item = load(c, target, id)?.ok_or(AppError::NotFound)?;
    match (target, item.community_id) {
        (TargetType::Idea, _) => {
            crate::ideas::locate_idea_shown(c, actor, id)?;
        }
        (_, Some(community)) => locate_id(c, actor, community)?.allow(Action::Read)?,
        (_, None) => {}
    }
    if item.hidden() && !moderates(c, actor, item.community_id)? {
        return Err(AppError::NotFound);
    }
    Ok(item)
}

/// A report as submitted.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct ReportInput {
    /// `post`, `comment` or `idea`.
    pub target_type: String,
    pub target_id: i64,
    /// `spam`, `harassment`, `off_topic`, `confidential` or `other` (which needs a note).
    pub reason: String,
    /// What the moderators should know (up to 1,000 characters).
    #[serde(default)]
    pub note: String,
}

/// Files a report; answers whether it is new (a second report of the same item by the
/// same member keeps the first). One's own items cannot be reported; items one may not see
/// do not exist. Reports from enough different members hide the item until a moderator
/// looks.
pub async fn report(db: &Db, settings: &Settings, user: &User, input: ReportInput) -> AppResult<bool> {
    let target = TargetType::parse(&input.target_type)
        .ok_or_else(|| AppError::field("target_type", "report a post, a comment or an idea"))?;
    let reason = ReportReason::parse(&input.reason)
        .ok_or_else(|| AppError::field("reason", "choose why you report it"))?;
    let note = input.note.trim().to_owned();
    if note.chars().count() > MAX_NOTE {
        return Err(AppError::field("note", format!("use at most {MAX_NOTE} characters")));
    }
    if reason == ReportReason::Other && note.is_empty() {
        return Err(AppError::field("note", "say what is wrong"));
    }
    let (actor, threshold, id) = (user.actor(), settings.auto_hide_reports, input.target_id);
    db.write(move |c| {
        let item = visible_item(c, actor, target, id)?;
        if item.author_id == Some(actor.user_id) {
            return Err(AppError::Conflict(format!("you cannot report your own {}", item.noun())));
        }
        let report = NewReport {
            target_type: target.as_str(),
            target_id: id,
            community_id: item.community_id,
            reporter_id: actor.user_id,
            reason: reason.as_str(),
            note: &note,
            created_at: now(),
        };
        let created = reports::insert(c, &report)?;
        if created {
            activities::record(c, &report_activity(&item, actor.user_id, reason))?;
            let reporters = reports::open_reporters(c, target.as_str(), id)?;
            if threshold > 0 && reporters >= threshold && !item.hidden() {
                actions::auto_hide(c, &item, reporters)?;
            }
        }
        Ok(created)
    })
    .await
}

/// The log entry that tells the item's moderators of a report. Its audience is admins and
/// (in the notifier) the community's moderators: the reporter's name goes no further.
fn report_activity(item: &Item, reporter: i64, reason: ReportReason) -> NewActivity {
    NewActivity {
        actor_id: Some(reporter),
        verb: "report.created",
        object_type: item.target.as_str(),
        object_id: item.id,
        community_id: item.community_id,
        visibility: Visibility::Admins,
        data: json!({ "title": item.title, "reason": reason.as_str(), "url": item.url }),
    }
}

/// A community's moderation log, for its members: what was done, when and why. Reporters
/// are not named (reports are not in the audit log at all).
pub async fn community_log(db: &Db, user: &User, slug: &str) -> AppResult<(Located, Vec<audit::Entry>)> {
    let (actor, slug) = (user.actor(), slug.to_owned());
    db.read(move |c| {
        let located = locate(c, actor, &slug)?;
        let member = located.place.membership.is_some_and(|m| m.state == MemberState::Active);
        if !member && !actor.admin {
            return Err(AppError::NotFound);
        }
        let query =
            audit::AuditQuery { community_id: Some(located.community.id), limit: 100, ..Default::default() };
        Ok((located, audit::list(c, &query)?))
    })
    .await
}
