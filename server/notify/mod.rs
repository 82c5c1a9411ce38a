//! In-app notifications (SPEC §7): who hears of what in the activity log. The notifier
//! ([`notifier`]) applies these rules to every committed activity; the bell and
//! `/notifications` read what it stored. Email (the outbox) builds on the same rows.

pub mod notifier;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::NaiveDateTime;
use serde_json::Value;

use crate::db::Db;
use crate::db::DbConn;
use crate::db::models::activities::Activity;
use crate::db::models::notifications::{self, NewNotification, Row};
use crate::db::models::users::{self, User};
use crate::db::models::{communities, ideas, now, posts};
use crate::domain::community::Membership;
use crate::domain::idea::IdeaState;
use crate::domain::policy::{self, Place};
use crate::error::AppResult;

/// Why someone is told. Earlier variants win when one activity gives a person several
/// reasons (a mention in a reply to your post is a mention).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Mention,
    Decision,
    Reply,
    IdeaState,
    JoinRequest,
    Membership,
    Report,
    Moderation,
    Badge,
}

impl Kind {
    /// Every kind, in the order settings list them.
    pub const ALL: [Kind; 9] = [
        Self::Mention,
        Self::Reply,
        Self::Decision,
        Self::IdeaState,
        Self::JoinRequest,
        Self::Membership,
        Self::Report,
        Self::Moderation,
        Self::Badge,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mention => "mention",
            Self::Decision => "decision",
            Self::Reply => "reply",
            Self::IdeaState => "idea_state",
            Self::JoinRequest => "join_request",
            Self::Membership => "membership",
            Self::Report => "report",
            Self::Moderation => "moderation",
            Self::Badge => "badge",
        }
    }

    /// The kind of a stored name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// What the kind covers, as settings name it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Mention => "Someone mentions you",
            Self::Reply => "Replies to your posts, comments and ideas, and comments on ideas you follow",
            Self::Decision => "Review board decisions on ideas you wrote, voted for or follow",
            Self::IdeaState => "Ideas you wrote or follow change state",
            Self::JoinRequest => "Requests to join communities you moderate",
            Self::Membership => "Your join requests are approved, or you are invited to a community",
            Self::Report => "Someone reports content in a community you moderate",
            Self::Moderation => "Moderators hide something you wrote, or ban you from a community",
            Self::Badge => "You earn a badge",
        }
    }

    /// Why a mail of this kind came, for its footer.
    pub fn reason(self) -> &'static str {
        match self {
            Self::Mention => "you were mentioned",
            Self::Reply => "it answers something you wrote or follow",
            Self::Decision => "you wrote, voted for or follow this idea",
            Self::IdeaState => "you wrote or follow this idea",
            Self::JoinRequest => "you moderate this community",
            Self::Membership => "this is about your membership",
            Self::Report => "you moderate where it was reported",
            Self::Moderation => "moderators acted on your content or membership",
            Self::Badge => "you earned a badge",
        }
    }
}

/// One line of what an activity tells whom.
struct Tell {
    kind: Kind,
    /// The object the bell groups by, e.g. `idea:12`.
    object: String,
    /// What happened, after the actor's name: `commented on “Steam traps”`.
    title: String,
    url: String,
}

fn quoted(data: &Value, key: &str) -> String {
    format!("“{}”", data.get(key).and_then(Value::as_str).unwrap_or("untitled"))
}

fn ids_of_handles(c: &mut DbConn, data: &Value) -> AppResult<Vec<i64>> {
    let mut ids = Vec::new();
    for handle in
        data.get("mentions").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str)
    {
        if let Some(user) = users::by_handle(c, &handle.to_lowercase())? {
            ids.push(user.id);
        }
    }
    Ok(ids)
}

/// Who an activity tells, and what: the rules of SPEC §7.
fn tells(c: &mut DbConn, activity: &Activity, data: &Value) -> AppResult<Vec<(i64, Tell)>> {
    let id = activity.object_id;
    let mut out = Vec::new();
    let mut tell = |users: Vec<i64>, kind: Kind, object: String, title: String, url: String| {
        for user in users {
            out.push((user, Tell { kind, object: object.clone(), title: title.clone(), url: url.clone() }));
        }
    };
    match activity.verb.as_str() {
        "post.created" => {
            let title = format!("mentioned you in {}", quoted(data, "title"));
            tell(
                ids_of_handles(c, data)?,
                Kind::Mention,
                format!("post:{id}"),
                title,
                format!("/posts/{id}"),
            );
        }
        "comment.created" => {
            let post = data.get("post").and_then(Value::as_i64).unwrap_or_default();
            let url = format!("/posts/{post}#comment-{id}");
            let on = quoted(data, "post_title");
            let mentioned = ids_of_handles(c, data)?;
            tell(
                mentioned,
                Kind::Mention,
                format!("post:{post}"),
                format!("mentioned you on {on}"),
                url.clone(),
            );
            if let Some((found, _)) = posts::find(c, post)? {
                let author = found.author_id.into_iter().collect();
                tell(author, Kind::Reply, format!("post:{post}"), format!("commented on {on}"), url.clone());
            }
            if let Some(parent) = data.get("reply_to").and_then(Value::as_i64) {
                let author = posts::find_comment(c, parent)?.and_then(|p| p.author_id).into_iter().collect();
                tell(
                    author,
                    Kind::Reply,
                    format!("post:{post}"),
                    format!("replied to your comment on {on}"),
                    url,
                );
            }
        }
        "idea.commented" => {
            let Some((idea, _)) = ideas::find(c, id)? else { return Ok(out) };
            let on = format!("“{}”", idea.title);
            let url = format!("/ideas/{id}#comments");
            tell(
                ids_of_handles(c, data)?,
                Kind::Mention,
                format!("idea:{id}"),
                format!("mentioned you on {on}"),
                url.clone(),
            );
            let mut stakeholders = ideas::follower_ids_by(c, id, activity.created_at)?;
            stakeholders.extend(idea.author_id);
            tell(stakeholders, Kind::Reply, format!("idea:{id}"), format!("commented on {on}"), url);
        }
        "idea.transitioned" => {
            let Some((idea, _)) = ideas::find(c, id)? else { return Ok(out) };
            let to = data.get("to").and_then(Value::as_str).and_then(|s| IdeaState::parse(s).ok());
            let label = to.map_or("a new state", |s| s.label()).to_lowercase();
            let mut stakeholders = ideas::follower_ids_by(c, id, activity.created_at)?;
            stakeholders.extend(idea.author_id);
            let title = format!("moved “{}” to {label}", idea.title);
            tell(stakeholders, Kind::IdeaState, format!("idea:{id}"), title, format!("/ideas/{id}"));
        }
        "idea.decided" => {
            let Some((idea, _)) = ideas::find(c, id)? else { return Ok(out) };
            let decision =
                data.get("decision").and_then(Value::as_str).and_then(|s| IdeaState::parse(s).ok());
            let label = decision.map_or("decided", |s| s.label()).to_lowercase();
            let changed = data.get("changed").and_then(Value::as_bool).unwrap_or(false);
            let verb =
                if changed { "changed the board's decision on" } else { "recorded the board's decision on" };
            let mut stakeholders = ideas::follower_ids_by(c, id, activity.created_at)?;
            stakeholders.extend(ideas::voter_ids(c, id)?);
            stakeholders.extend(idea.author_id);
            let title = format!("{verb} “{}”: {label}", idea.title);
            tell(stakeholders, Kind::Decision, format!("idea:{id}"), title, format!("/ideas/{id}"));
        }
        "member.requested" => {
            let Some(community) =
                activity.community_id.map(|id| communities::find(c, id)).transpose()?.flatten()
            else {
                return Ok(out);
            };
            tell(
                communities::moderator_ids(c, community.id)?,
                Kind::JoinRequest,
                format!("community:{}", community.id),
                format!("asked to join “{}”", community.name),
                format!("/c/{}/members", community.slug),
            );
        }
        "member.approved" | "member.invited" => {
            let Some(community) =
                activity.community_id.and_then(|id| communities::find(c, id).ok().flatten())
            else {
                return Ok(out);
            };
            let title = if activity.verb == "member.approved" {
                format!("approved your request to join “{}”", community.name)
            } else {
                format!("invited you to join “{}”", community.name)
            };
            let (object, url) = (format!("community:{}", community.id), format!("/c/{}", community.slug));
            tell(vec![id], Kind::Membership, object, title, url);
        }
        "report.created" => {
            let moderators = match activity.community_id {
                Some(community) => communities::moderator_ids(c, community)?,
                None => users::admin_ids(c)?,
            };
            let title = format!("reported {}", quoted(data, "title"));
            tell(moderators, Kind::Report, "queue:reports".into(), title, "/admin/moderation".into());
        }
        "post.hidden" | "comment.hidden" | "idea.hidden" => {
            let author = data.get("author").and_then(Value::as_i64).into_iter().collect();
            let noun = activity.object_type.as_str();
            let reason = data.get("reason").and_then(Value::as_str).unwrap_or_default();
            // The entry carries no title (everyone in the community reads it); the author
            // is told which of theirs it was from the item itself.
            let Some(item) = crate::domain::moderation::TargetType::parse(noun)
                .map(|target| crate::moderation::load(c, target, id))
                .transpose()?
                .flatten()
            else {
                return Ok(out);
            };
            let title = format!("hid your {noun} on “{}”: {reason}", item.title);
            let url = match data.get("post").and_then(Value::as_i64) {
                Some(post) => format!("/posts/{post}"),
                None => format!("/ideas/{id}"),
            };
            tell(author, Kind::Moderation, format!("{noun}:{id}"), title, url);
        }
        "member.banned" => {
            let Some(community) =
                activity.community_id.map(|id| communities::find(c, id)).transpose()?.flatten()
            else {
                return Ok(out);
            };
            let until = data.get("until").and_then(Value::as_str).map(|u| u.replace('T', " "));
            let until = until.map_or_else(
                || "until further notice".to_owned(),
                |u| format!("until {} UTC", &u[..u.len().min(16)]),
            );
            let reason = data.get("reason").and_then(Value::as_str).unwrap_or_default();
            let title = format!("banned you from “{}” {until}: {reason}", community.name);
            tell(
                vec![id],
                Kind::Moderation,
                format!("ban:{}", community.id),
                title,
                format!("/c/{}", community.slug),
            );
        }
        "member.removed" => {
            let Some(community) =
                activity.community_id.map(|id| communities::find(c, id)).transpose()?.flatten()
            else {
                return Ok(out);
            };
            let title = format!("removed you from “{}”", community.name);
            tell(vec![id], Kind::Moderation, format!("removed:{}", community.id), title, "/c".to_owned());
        }
        "badge.awarded" => {
            let handle = data.get("handle").and_then(Value::as_str).unwrap_or_default();
            let badge = data.get("badge").and_then(Value::as_str).unwrap_or_default();
            let title = format!("awarded you the {} badge", quoted(data, "label"));
            tell(
                vec![id],
                Kind::Badge,
                format!("badge:{badge}"),
                title,
                format!("/people/{handle}#badges-h"),
            );
        }
        _ => {}
    }
    Ok(out)
}

/// Who of `people` may see an activity: its audience, checked by the policy now (someone
/// who left a private community hears nothing more from it). A few queries for any number
/// of people, so a decision with a thousand voters stays cheap.
fn readers(c: &mut DbConn, activity: &Activity, people: &[User]) -> AppResult<HashSet<i64>> {
    let everyone = || people.iter().map(|u| u.id).collect();
    match (activity.visibility.as_str(), activity.community_id) {
        // Someone banned or removed is told so, though they can no longer read the community.
        _ if matches!(activity.verb.as_str(), "member.banned" | "member.removed") => Ok(everyone()),
        ("public", _) | ("community", None) => Ok(everyone()),
        // Moderation's own entries (reports): admins, and the community's moderators.
        ("admins", community) => {
            let moderators: HashSet<i64> = match community {
                Some(id) => communities::moderator_ids(c, id)?.into_iter().collect(),
                None => HashSet::new(),
            };
            Ok(people
                .iter()
                .filter(|u| u.actor().admin || moderators.contains(&u.id))
                .map(|u| u.id)
                .collect())
        }
        ("community", Some(community)) => {
            let Some(community) = communities::find(c, community)? else { return Ok(HashSet::new()) };
            let ids: Vec<i64> = people.iter().map(|u| u.id).collect();
            let memberships: HashMap<i64, Membership> =
                communities::memberships_of(c, community.id, &ids)?.into_iter().collect();
            // An invitation to a private community is for someone who cannot read it yet.
            let allowed =
                if activity.verb == "member.invited" { policy::can_discover } else { policy::can_read };
            Ok(people
                .iter()
                .filter(|u| {
                    let place = Place {
                        visibility: community.visibility(),
                        archived: community.archived(),
                        membership: memberships.get(&u.id).copied(),
                    };
                    allowed(u.actor(), &place)
                })
                .map(|u| u.id)
                .collect())
        }
        _ => Ok(HashSet::new()),
    }
}

/// Whether a person may still see what an activity told them of: they are active, may read
/// where it happened, and the post or comment still exists. Checked again before any mail
/// about it leaves, so a mail never tells of what its reader can no longer see.
pub fn may_see(c: &mut DbConn, user_id: i64, activity: &Activity) -> AppResult<bool> {
    if activity.withdrawn_at.is_some() {
        return Ok(false);
    }
    let people = users::find_active_many(c, &[user_id])?;
    if !readers(c, activity, &people)?.contains(&user_id) {
        return Ok(false);
    }
    Ok(match activity.object_type.as_str() {
        "post" => posts::find(c, activity.object_id)?.is_some(),
        "comment" => posts::find_comment(c, activity.object_id)?.is_some(),
        _ => true,
    })
}

/// The words a mail quotes: the post or comment itself, cut to a paragraph.
pub fn excerpt(c: &mut DbConn, activity: &Activity) -> AppResult<Option<String>> {
    let body = match activity.object_type.as_str() {
        "post" => posts::find(c, activity.object_id)?.map(|(p, _)| p.body),
        "comment" => posts::find_comment(c, activity.object_id)?.map(|c| c.body),
        _ => None,
    };
    Ok(body.map(|body| crate::domain::markdown::excerpt(&crate::domain::markdown::plain_text(&body), 600)))
}

/// The notifications an activity creates: one per person it tells (never its actor,
/// never someone inactive or who may not see it), the strongest reason winning.
pub fn plan(c: &mut DbConn, activity: &Activity) -> AppResult<Vec<NewNotification>> {
    let data: Value = serde_json::from_str(&activity.data).unwrap_or(Value::Null);
    let mut best: BTreeMap<i64, Tell> = BTreeMap::new();
    for (user, tell) in tells(c, activity, &data)? {
        if Some(user) == activity.actor_id {
            continue;
        }
        match best.get(&user) {
            Some(held) if held.kind <= tell.kind => {}
            _ => {
                best.insert(user, tell);
            }
        }
    }
    if best.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = best.keys().copied().collect();
    let people = users::find_active_many(c, &ids)?;
    let readers = readers(c, activity, &people)?;
    Ok(best
        .into_iter()
        .filter(|(user_id, _)| readers.contains(user_id))
        .map(|(user_id, tell)| NewNotification {
            user_id,
            kind: tell.kind.as_str(),
            group_key: format!("{}:{}", tell.kind.as_str(), tell.object),
            activity_id: activity.id,
            actor_id: activity.actor_id,
            title: tell.title,
            url: tell.url,
            created_at: activity.created_at,
        })
        .collect())
}

/// One line in the bell: the latest notification of a group and how many it stands for.
#[derive(Debug, Clone)]
pub struct Line {
    pub group: String,
    pub kind: String,
    /// Who acted last (none for the system, e.g. the quarter close).
    pub actor: Option<String>,
    pub title: String,
    pub url: String,
    pub at: NaiveDateTime,
    /// How many notifications the line stands for.
    pub count: usize,
    pub unread: bool,
}

impl Line {
    /// The line as a sentence: "Grace Hopper commented on “X” (and 2 more)".
    pub fn sentence(&self) -> String {
        let who = self.actor.as_deref().unwrap_or("Agora");
        match self.count {
            1 => format!("{who} {}", self.title),
            n => format!("{who} {} and {} more", self.title, n - 1),
        }
    }
}

/// How many notifications the bell and list read at most.
const RECENT: i64 = 300;

/// A person's notifications grouped per object: unread lines first, newest first.
pub async fn lines(db: &Db, user: &User) -> AppResult<Vec<Line>> {
    let user_id = user.id;
    let rows = db.read(move |c| Ok(notifications::recent(c, user_id, RECENT)?)).await?;
    Ok(group(rows))
}

fn group(rows: Vec<Row>) -> Vec<Line> {
    // Rows come newest first, so the first row seen of a group is its latest.
    let mut lines: Vec<Line> = Vec::new();
    for row in rows {
        let unread = row.read_at.is_none();
        match lines.iter_mut().find(|l| l.group == row.group_key && l.unread == unread) {
            Some(line) => line.count += 1,
            None => lines.push(Line {
                group: row.group_key,
                kind: row.kind,
                actor: row.actor,
                title: row.title,
                url: row.url,
                at: row.created_at,
                count: 1,
                unread,
            }),
        }
    }
    lines.sort_by_key(|l| !l.unread);
    lines
}

/// How many lines of the bell are unread.
pub async fn unread(db: &Db, user_id: i64) -> AppResult<i64> {
    db.read(move |c| Ok(notifications::unread(c, user_id)?)).await
}

/// Marks one line (by its group) or everything read.
pub async fn mark_read(db: &Db, user: &User, group: Option<String>) -> AppResult<usize> {
    let user_id = user.id;
    db.write(move |c| Ok(notifications::mark_read(c, user_id, group.as_deref(), now())?)).await
}
