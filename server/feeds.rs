//! Feeds and following: the home feed (your communities, the people and #tags you follow),
//! a community's activity, and the ActivityStreams collection, all read from the activity
//! log through the same visibility rule.

use chrono::NaiveDateTime;
use serde_json::json;

use crate::communities::{Located, locate};
use crate::db::Db;
use crate::db::models::feed::{self, FEED_VERBS, FeedQuery, FeedRow};
use crate::db::models::users::User;
use crate::db::models::{activities, follows, now, users};
use crate::domain::activity::{NewActivity, Visibility};
use crate::domain::content;
use crate::domain::policy::Action;
use crate::error::{AppError, AppResult};

/// Follows (`on`) or unfollows a person; repeating either changes nothing.
pub async fn follow_user(db: &Db, user: &User, handle: &str, on: bool) -> AppResult<()> {
    let (follower, handle) = (user.id, handle.trim_start_matches('@').to_lowercase());
    db.write(move |c| {
        let target = users::by_handle(c, &handle)?.filter(|u| u.is_active).ok_or(AppError::NotFound)?;
        if target.id == follower {
            return Err(AppError::Conflict("you cannot follow yourself".into()));
        }
        let changed = if on {
            follows::follow_user(c, follower, target.id, now())?
        } else {
            follows::unfollow_user(c, follower, target.id)?
        };
        if changed {
            let verb = if on { "user.followed" } else { "user.unfollowed" };
            let data = json!({ "handle": target.handle, "name": target.name });
            activities::record(c, &entry(follower, verb, "user", target.id, Visibility::Public, data))?;
        }
        Ok(())
    })
    .await
}

/// Follows (`on`) or unfollows a #tag; repeating either changes nothing.
pub async fn follow_tag(db: &Db, user: &User, tag: &str, on: bool) -> AppResult<()> {
    let tag = valid_tag(tag)?;
    let user_id = user.id;
    db.write(move |c| {
        let changed = if on {
            follows::follow_tag(c, user_id, &tag, now())?
        } else {
            follows::unfollow_tag(c, user_id, &tag)?
        };
        if changed {
            // Only the follower's own live connections care; nobody else sees this entry.
            let verb = if on { "tag.followed" } else { "tag.unfollowed" };
            activities::record(
                c,
                &entry(user_id, verb, "user", user_id, Visibility::Admins, json!({ "tag": tag })),
            )?;
        }
        Ok(())
    })
    .await
}

/// Whether the user follows a tag.
pub async fn follows_tag(db: &Db, user: &User, tag: &str) -> AppResult<bool> {
    let (user_id, tag) = (user.id, tag.to_lowercase());
    db.read(move |c| Ok(follows::followed_tags(c, user_id)?.contains(&tag))).await
}

fn valid_tag(raw: &str) -> AppResult<String> {
    let tag = raw.trim().trim_start_matches('#').to_lowercase();
    match content::tags(&format!("#{tag}")).as_slice() {
        [parsed] if *parsed == tag => Ok(tag),
        _ => Err(AppError::NotFound),
    }
}

fn entry(
    actor: i64,
    verb: &'static str,
    object_type: &'static str,
    object_id: i64,
    visibility: Visibility,
    data: serde_json::Value,
) -> NewActivity {
    NewActivity { actor_id: Some(actor), verb, object_type, object_id, community_id: None, visibility, data }
}

fn query(user: &User) -> FeedQuery {
    let actor = user.actor();
    FeedQuery {
        viewer_id: actor.user_id,
        admin: actor.admin,
        before: None,
        after: None,
        community_id: None,
        actor_id: None,
        verbs: None,
        limit: 20,
    }
}

/// A page of the home feed, newest first.
pub async fn home(db: &Db, user: &User, before: Option<i64>, limit: i64) -> AppResult<Vec<FeedRow>> {
    let viewer = feed::Viewer { id: user.id, admin: user.actor().admin };
    db.read(move |c| Ok(feed::home(c, &viewer, before, limit)?)).await
}

/// The signed-in home page's reads, in one trip to the database pool (each trip is a hand-off
/// to a blocking thread): where the live updates start, a page of the feed, and the
/// announcements and communities beside it.
pub struct HomeReads {
    pub live_since: i64,
    pub rows: Vec<FeedRow>,
    pub cards: Vec<crate::posts::PostCard>,
    pub communities: Vec<crate::db::models::communities::CommunityLink>,
}

/// Reads the signed-in home page (see [`HomeReads`]).
pub async fn home_page(db: &Db, user: &User, before: Option<i64>, limit: i64) -> AppResult<HomeReads> {
    let actor = user.actor();
    let viewer = feed::Viewer { id: user.id, admin: actor.admin };
    db.read(move |c| {
        // Read first: the live updates replay whatever the page's later reads missed.
        let live_since = activities::latest_id(c)?;
        let rows = feed::home(c, &viewer, before, limit)?;
        let (cards, communities) = crate::posts::home_in(c, actor)?;
        Ok(HomeReads { live_since, rows, cards, communities })
    })
    .await
}

/// Every activity the user may see after `since`, oldest first (the AS2 collection).
pub async fn since(db: &Db, user: &User, since: i64, limit: i64) -> AppResult<Vec<FeedRow>> {
    let q = FeedQuery { after: Some(since), limit, ..query(user) };
    db.read(move |c| Ok(feed::read(c, &q)?)).await
}

/// A page of one community's activity, newest first.
pub async fn community(
    db: &Db,
    user: &User,
    slug: &str,
    before: Option<i64>,
    limit: i64,
) -> AppResult<(Located, Vec<FeedRow>)> {
    let (base, slug) = (query(user), slug.to_owned());
    let actor = user.actor();
    db.read(move |c| {
        let located = locate(c, actor, &slug)?;
        located.allow(Action::Read)?;
        let q = FeedQuery { community_id: Some(located.community.id), before, limit, ..base };
        Ok((located, feed::read(c, &q)?))
    })
    .await
}

/// A page of one person's activity that the viewer may see, newest first.
pub async fn person(
    db: &Db,
    user: &User,
    handle: &str,
    before: Option<i64>,
    limit: i64,
) -> AppResult<(User, Vec<FeedRow>)> {
    let (base, handle) = (query(user), handle.trim_start_matches('@').to_lowercase());
    db.read(move |c| {
        let person = users::by_handle(c, &handle)?.filter(|u| u.is_active).ok_or(AppError::NotFound)?;
        let q = FeedQuery { actor_id: Some(person.id), verbs: Some(FEED_VERBS), before, limit, ..base };
        let rows = feed::read(c, &q)?;
        Ok((person, rows))
    })
    .await
}

/// A home-feed line, with the other people who did the same to the same thing.
#[derive(Debug, Clone)]
pub struct FeedItem {
    pub id: i64,
    pub verb: String,
    pub actor: Option<(String, String)>,
    pub community: Option<(String, String)>,
    pub post_id: Option<i64>,
    pub title: String,
    pub excerpt: String,
    pub others: Vec<String>,
    pub at: NaiveDateTime,
}

impl FeedItem {
    /// What happened, after the actor's name ("commented on").
    pub fn action(&self) -> &'static str {
        match self.verb.as_str() {
            "post.created" => "posted",
            "comment.created" => "commented on",
            "answer.accepted" => "accepted an answer on",
            "community.created" => "created the community",
            _ => "acted on",
        }
    }
}

/// Turns rows into feed lines, folding runs of comments on one post into one line.
pub fn group(rows: Vec<FeedRow>) -> Vec<FeedItem> {
    let mut items: Vec<FeedItem> = Vec::new();
    for (entry, actor, community) in rows {
        let data: serde_json::Value = serde_json::from_str(&entry.data).unwrap_or_else(|_| json!({}));
        let text =
            |key: &str| data.get(key).and_then(serde_json::Value::as_str).unwrap_or_default().to_owned();
        let post_id = match entry.object_type.as_str() {
            "post" => Some(entry.object_id),
            _ => data.get("post").and_then(serde_json::Value::as_i64),
        };
        let title = match entry.verb.as_str() {
            "post.created" if text("title").is_empty() => text("excerpt"),
            "post.created" => text("title"),
            "community.created" => text("name"),
            _ => text("post_title"),
        };
        if let Some(last) = items.last_mut()
            && last.verb == entry.verb
            && entry.verb == "comment.created"
            && last.post_id == post_id
        {
            let name = actor.map(|(_, name)| name).unwrap_or_default();
            if last.actor.as_ref().is_none_or(|(_, n)| *n != name) && !last.others.contains(&name) {
                last.others.push(name);
            }
            continue;
        }
        let excerpt = if entry.verb == "post.created" && !text("title").is_empty() {
            text("excerpt")
        } else {
            String::new()
        };
        items.push(FeedItem {
            id: entry.id,
            verb: entry.verb,
            actor,
            community,
            post_id,
            title,
            excerpt,
            others: Vec::new(),
            at: entry.created_at,
        });
    }
    items
}
