//! Post actions: write, read, edit, delete, comment, react, accept an answer, list by tag.
//! Reads and writes both go through [`crate::communities::locate`] and the policy, so a post
//! in a community the viewer may not read does not exist for them.

use std::collections::HashMap;

use serde_json::json;

use crate::communities::{Located, activity, locate, locate_id};
use crate::db::models::posts::{self, Author, Comment, NewPost, Post, ReactionSummary};
use crate::db::models::users::User;
use crate::db::models::{activities, moderation, notifications, now};
use crate::db::{Db, DbConn};
use crate::domain::content::{self, MAX_COMMENT, MAX_POST_BODY, MAX_TITLE, PostKind, ReactionKind};
use crate::domain::markdown;
use crate::domain::policy::{self, Action, Actor};
use crate::error::{AppError, AppResult, FieldErrors};
use crate::files::{Attach, FileView, Target as FileTarget};

/// Most comments shown under a post.
const MAX_COMMENTS_SHOWN: i64 = 500;

/// A post as lists and pages show it.
#[derive(Debug, Clone)]
pub struct PostCard {
    pub post: Post,
    pub author: Option<Author>,
    pub community_slug: String,
    /// Per reaction kind: count and whether the viewer gave it.
    pub reactions: Vec<Reaction>,
    /// Whether the viewer may react and comment here.
    pub can_react: bool,
    /// Attached files, in the author's order.
    pub files: Vec<FileView>,
}

/// One reaction kind's count on an item.
#[derive(Debug, Clone)]
pub struct Reaction {
    pub kind: ReactionKind,
    pub count: i64,
    pub mine: bool,
}

impl PostCard {
    /// The post's kind.
    pub fn kind(&self) -> PostKind {
        PostKind::parse(&self.post.kind).unwrap_or(PostKind::Discussion)
    }
}

/// Per reaction kind, the count and whether the viewer gave it, for item `id`.
pub fn reactions_for(summary: &ReactionSummary, id: i64) -> Vec<Reaction> {
    ReactionKind::ALL
        .into_iter()
        .map(|kind| {
            let key = (id, kind.as_str().to_owned());
            Reaction {
                kind,
                count: summary.counts.get(&key).copied().unwrap_or(0),
                mine: summary.mine.contains(&key),
            }
        })
        .collect()
}

fn cards(
    c: &mut DbConn,
    actor: Actor,
    rows: Vec<(Post, Option<Author>, String)>,
    can_react: bool,
) -> AppResult<Vec<PostCard>> {
    let ids: Vec<i64> = rows.iter().map(|(p, ..)| p.id).collect();
    let summary = posts::reaction_summary(c, "post", &ids, actor.user_id)?;
    let mut files = crate::files::views_of(c, "post", &ids)?;
    Ok(rows
        .into_iter()
        .map(|(post, author, community_slug)| {
            let reactions = reactions_for(&summary, post.id);
            let files = files.remove(&post.id).unwrap_or_default();
            PostCard { post, author, community_slug, reactions, can_react, files }
        })
        .collect())
}

/// A post as typed.
#[derive(Debug, Default, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct PostInput {
    /// `update`, `discussion`, `question` or `announcement`.
    pub kind: String,
    #[serde(default)]
    pub title: String,
    pub body: String,
    /// Uploads to attach (`POST /api/v1/uploads` gives their ids); a comma-separated string
    /// in HTML forms.
    #[serde(default, deserialize_with = "crate::files::ids")]
    pub uploads: Vec<i64>,
}

fn parse_post(input: &PostInput) -> AppResult<PostKind> {
    let mut errors = FieldErrors::new();
    let kind = PostKind::parse(&input.kind).map_err(|e| errors.insert("kind".into(), e)).ok();
    let title = input.title.trim();
    if title.chars().count() > MAX_TITLE {
        errors.insert("title".into(), format!("use at most {MAX_TITLE} characters"));
    } else if title.is_empty() && kind.is_some_and(PostKind::needs_title) {
        errors.insert("title".into(), "give it a title".into());
    }
    if let Err(e) = content::check_text(&input.body, MAX_POST_BODY, "post") {
        errors.insert("body".into(), e);
    }
    match kind {
        Some(kind) if errors.is_empty() => Ok(kind),
        _ => Err(AppError::invalid(errors)),
    }
}

/// Writes a post in a community, with its files; returns its id.
pub async fn create(db: &Db, user: &User, slug: &str, input: PostInput, files: Attach) -> AppResult<i64> {
    let kind = parse_post(&input)?;
    let html = markdown::render(&input.body);
    let (actor, slug) = (user.actor(), slug.to_owned());
    db.write(move |c| {
        let located = locate(c, actor, &slug)?;
        located.allow(if kind == PostKind::Announcement { Action::Announce } else { Action::Write })?;
        let tags = content::tags(&input.body);
        let new = NewPost {
            community_id: located.community.id,
            author_id: actor.user_id,
            kind: kind.as_str(),
            title: input.title.trim(),
            body: &input.body,
            html: &html,
            pinned: kind == PostKind::Announcement,
            created_at: now(),
        };
        let id = posts::insert(c, &new, &tags)?;
        files.apply(c, actor.user_id, FileTarget::Post(id))?;
        let excerpt = markdown::excerpt(&markdown::plain_text(&input.body), 160);
        let data = json!({ "kind": kind.as_str(), "title": new.title, "excerpt": excerpt, "tags": tags,
            "mentions": content::mentions(&input.body) });
        activities::record(c, &activity(&located, "post.created", "post", id, data))?;
        Ok(id)
    })
    .await
}

/// How feeds name a post: its title, or the start of an untitled update.
pub(crate) fn title_of(post: &Post) -> String {
    if post.title.is_empty() {
        markdown::plain_text(&post.body).chars().take(80).collect()
    } else {
        post.title.clone()
    }
}

/// Finds a post the actor may read, with its community.
pub(crate) fn locate_post(
    c: &mut DbConn,
    actor: Actor,
    id: i64,
) -> AppResult<(Post, Option<Author>, Located)> {
    let (post, author) = posts::find(c, id)?.ok_or(AppError::NotFound)?;
    let located = locate_id(c, actor, post.community_id)?;
    located.allow(Action::Read)?;
    Ok((post, author, located))
}

/// The community of a post the actor may read (websocket topics ask this).
pub fn community_of_post(c: &mut DbConn, actor: Actor, post_id: i64) -> AppResult<Located> {
    locate_post(c, actor, post_id).map(|(_, _, located)| located)
}

/// A post as its card shows it to someone who has not reacted yet (pushed to live pages).
pub fn fresh_card(c: &mut DbConn, post_id: i64, can_react: bool) -> AppResult<Option<PostCard>> {
    let Some((post, author)) = posts::find(c, post_id)? else {
        return Ok(None);
    };
    let Some(community) = crate::db::models::communities::find(c, post.community_id)? else {
        return Ok(None);
    };
    let summary = posts::reaction_summary(c, "post", &[post_id], 0)?;
    let reactions = reactions_for(&summary, post_id);
    let files = crate::files::views_of(c, "post", &[post_id])?.remove(&post_id).unwrap_or_default();
    Ok(Some(PostCard { post, author, community_slug: community.slug, reactions, can_react, files }))
}

/// A comment with its reactions.
#[derive(Debug, Clone)]
pub struct CommentView {
    pub comment: Comment,
    pub author: Option<Author>,
    pub reactions: Vec<Reaction>,
    pub replies: Vec<CommentView>,
    pub files: Vec<FileView>,
}

/// A post page: the post, its community, who reacted, and its comments threaded one level
/// deep.
pub struct PostPage {
    pub card: PostCard,
    pub located: Located,
    /// Per reaction kind that anyone gave: the names of those who gave it.
    pub reactors: Vec<(ReactionKind, Vec<String>)>,
    pub comments: Vec<CommentView>,
    /// Whether the viewer moderates here (sees hidden content, comments in locked threads).
    pub moderates: bool,
}

impl PostPage {
    /// Whether the viewer may comment: may write here, and the thread is open (or they
    /// moderate it).
    pub fn can_comment(&self) -> bool {
        self.card.can_react && (self.card.post.locked_at.is_none() || self.moderates)
    }

    /// Whether the viewer may report an item by `author_id` (not their own).
    pub fn can_report(&self, author_id: &Option<i64>) -> bool {
        *author_id != Some(self.located.actor.user_id)
    }

    /// Whether the viewer may edit or delete the post.
    pub fn can_change(&self) -> bool {
        policy::can_change_content(self.located.actor, &self.located.place, self.card.post.author_id).is_ok()
    }

    /// Whether the viewer may delete a comment by `author_id`.
    pub fn can_delete_comment(&self, author_id: &Option<i64>) -> bool {
        policy::can_change_content(self.located.actor, &self.located.place, *author_id).is_ok()
    }

    /// Whether a comment is the accepted answer.
    pub fn accepted(&self, comment_id: &i64) -> bool {
        self.card.post.accepted_comment_id == Some(*comment_id)
    }

    /// Whether the viewer may accept an answer here.
    pub fn can_accept(&self) -> bool {
        self.card.kind() == PostKind::Question && self.can_change()
    }
}

/// Loads a post page.
pub async fn view(db: &Db, user: &User, id: i64) -> AppResult<PostPage> {
    let actor = user.actor();
    db.read(move |c| {
        let (post, author, located) = locate_post(c, actor, id)?;
        let moderates = located.may(Action::Moderate);
        if post.hidden_at.is_some() && !moderates {
            return Ok(hidden_page(post, located));
        }
        let row = vec![(post, author, located.community.slug.clone())];
        let card = cards(c, actor, row, located.may(Action::Write))?.remove(0);
        let mut rows = posts::comments_of(c, id, MAX_COMMENTS_SHOWN)?;
        if !moderates {
            // A hidden comment keeps its place in the thread; its words do not reach the page.
            for (comment, _) in rows.iter_mut().filter(|(comment, _)| comment.hidden_at.is_some()) {
                comment.body.clear();
                comment.html.clear();
            }
        }
        let ids: Vec<i64> = rows.iter().map(|(comment, _)| comment.id).collect();
        let summary = posts::reaction_summary(c, "comment", &ids, actor.user_id)?;
        // A hidden comment's files stay hidden with its words.
        let shown: Vec<i64> = rows
            .iter()
            .filter(|(comment, _)| moderates || comment.hidden_at.is_none())
            .map(|(comment, _)| comment.id)
            .collect();
        let files = crate::files::views_of(c, "comment", &shown)?;
        let given = posts::reactors(c, "post", id)?;
        let reactors = ReactionKind::ALL
            .into_iter()
            .map(|kind| {
                (
                    kind,
                    given.iter().filter(|(k, _)| k == kind.as_str()).map(|(_, a)| a.name.clone()).collect(),
                )
            })
            .filter(|(_, names): &(ReactionKind, Vec<String>)| !names.is_empty())
            .collect();
        Ok(PostPage { card, located, reactors, comments: thread(rows, &summary, files), moderates })
    })
    .await
}

/// What a hidden post's page shows someone who does not moderate it: the notice alone.
fn hidden_page(mut post: Post, located: Located) -> PostPage {
    post.title.clear();
    post.body.clear();
    post.html.clear();
    post.comment_count = 0;
    let card = PostCard {
        post,
        author: None,
        community_slug: located.community.slug.clone(),
        reactions: Vec::new(),
        can_react: false,
        files: Vec::new(),
    };
    PostPage { card, located, reactors: Vec::new(), comments: Vec::new(), moderates: false }
}

fn thread(
    rows: Vec<(Comment, Option<Author>)>,
    summary: &ReactionSummary,
    mut files: HashMap<i64, Vec<FileView>>,
) -> Vec<CommentView> {
    let mut top: Vec<CommentView> = Vec::new();
    for (comment, author) in rows {
        let reactions = reactions_for(summary, comment.id);
        let files = files.remove(&comment.id).unwrap_or_default();
        let view = CommentView { comment, author, reactions, replies: Vec::new(), files };
        match view.comment.reply_to.and_then(|parent| top.iter_mut().find(|t| t.comment.id == parent)) {
            Some(parent) => parent.replies.push(view),
            None => top.push(view),
        }
    }
    top
}

/// A page of a community's posts.
pub async fn list(
    db: &Db,
    user: &User,
    slug: &str,
    before: Option<i64>,
    limit: i64,
) -> AppResult<(Located, Vec<PostCard>)> {
    let (actor, slug) = (user.actor(), slug.to_owned());
    db.read(move |c| {
        let located = locate(c, actor, &slug)?;
        let rows = match located.allow(Action::Read) {
            Ok(()) => posts::for_community(c, located.community.id, before, limit)?,
            // Invited to a private community: the page shows the invitation, not the posts.
            Err(_) => Vec::new(),
        };
        let rows = rows.into_iter().map(|(p, a)| (p, a, located.community.slug.clone())).collect();
        let cards = cards(c, actor, rows, located.may(Action::Write))?;
        Ok((located, cards))
    })
    .await
}

/// What the home page shows beside the activity feed: the newest announcements of the
/// user's communities, and those communities.
pub(crate) fn home_in(
    c: &mut DbConn,
    actor: Actor,
) -> AppResult<(Vec<PostCard>, Vec<crate::db::models::communities::CommunityLink>)> {
    let rows = posts::announcements_for(c, actor.user_id, 5)?;
    let cards = cards(c, actor, rows, false)?;
    Ok((cards, crate::db::models::communities::joined_by(c, actor.user_id)?))
}

/// A person's posts that the viewer may read.
pub async fn by_author(db: &Db, user: &User, handle: &str, limit: i64) -> AppResult<(User, Vec<PostCard>)> {
    let (actor, handle) = (user.actor(), handle.trim_start_matches('@').to_lowercase());
    db.read(move |c| {
        let author = crate::db::models::users::by_handle(c, &handle)?
            .filter(|u| u.is_active)
            .ok_or(AppError::NotFound)?;
        let rows = posts::by_author(c, author.id, actor.user_id, actor.admin, limit)?;
        Ok((author, cards(c, actor, rows, false)?))
    })
    .await
}

/// Posts tagged `tag` that the viewer may read.
pub async fn tagged(
    db: &Db,
    user: &User,
    tag: &str,
    before: Option<i64>,
    limit: i64,
) -> AppResult<Vec<PostCard>> {
    let (actor, tag) = (user.actor(), tag.to_lowercase());
    db.read(move |c| {
        let rows = posts::with_tag(c, &tag, actor.user_id, actor.admin, before, limit)?;
        // Posts from many communities: reacting happens on the post's own page.
        cards(c, actor, rows, false)
    })
    .await
}

/// Edits a post (author or moderator); the page marks it "edited".
pub async fn edit(db: &Db, user: &User, id: i64, title: String, body: String) -> AppResult<()> {
    let actor = user.actor();
    db.write(move |c| {
        let (post, _, located) = locate_post(c, actor, id)?;
        policy::can_change_content(actor, &located.place, post.author_id)?;
        let input = PostInput { kind: post.kind.clone(), title, body, uploads: Vec::new() };
        parse_post(&input)?;
        posts::update(c, id, input.title.trim(), &input.body, &markdown::render(&input.body), now())?;
        posts::set_tags(c, id, &content::tags(&input.body))?;
        let edited = Post { title: input.title.trim().to_owned(), body: input.body.clone(), ..post };
        requote(c, &edited)?;
        activities::record(
            c,
            &activity(&located, "post.edited", "post", id, json!({ "title": input.title.trim() })),
        )?;
        Ok(())
    })
    .await
}

/// Feed lines quote a post as it was written: the post's title and opening, and on each
/// comment line the post's title. An edit rewrites those quotes, so what the author took
/// out does not live on in feeds, Atom or ActivityStreams.
fn requote(c: &mut DbConn, post: &Post) -> AppResult<()> {
    let set = |data: &str, fields: &[(&str, serde_json::Value)]| {
        let mut data: serde_json::Value = serde_json::from_str(data).unwrap_or_else(|_| json!({}));
        if let Some(object) = data.as_object_mut() {
            for (key, value) in fields {
                object.insert((*key).to_owned(), value.clone());
            }
        }
        data.to_string()
    };
    let excerpt = markdown::excerpt(&markdown::plain_text(&post.body), 160);
    let created = [
        ("title", json!(post.title)),
        ("excerpt", json!(excerpt)),
        ("tags", json!(content::tags(&post.body))),
    ];
    for (id, data) in activities::data_of(c, "post", &[post.id], &["post.created"])? {
        activities::set_data(c, id, &set(&data, &created))?;
    }
    let comments = posts::comment_ids(c, post.id)?;
    let title = [("post_title", json!(title_of(post)))];
    for (id, data) in activities::data_of(c, "comment", &comments, &["comment.created", "answer.accepted"])? {
        activities::set_data(c, id, &set(&data, &title))?;
    }
    Ok(())
}

/// Deletes a post (author or moderator): gone from pages, kept for the moderation trail.
pub async fn delete(db: &Db, user: &User, id: i64) -> AppResult<String> {
    let actor = user.actor();
    db.write(move |c| {
        let (post, _, located) = locate_post(c, actor, id)?;
        policy::can_change_content(actor, &located.place, post.author_id)?;
        posts::soft_delete(c, id, now())?;
        withdraw(c, "post", &[id])?;
        let comments = moderation::visible_comment_ids(c, id)?;
        withdraw(c, "comment", &comments)?;
        activities::record(c, &activity(&located, "post.deleted", "post", id, json!({})))?;
        Ok(located.community.slug)
    })
    .await
}

/// Takes deleted content's entries out of feeds, with the notifications about it.
fn withdraw(c: &mut DbConn, object_type: &str, ids: &[i64]) -> AppResult<()> {
    let withdrawn = moderation::withdraw(c, object_type, ids, Some(now()))?;
    notifications::delete_for(c, &withdrawn)?;
    Ok(())
}

/// Refuses changes under a hidden post (it is not there for them: 404) and comments in a
/// locked thread (409); moderators are not held back by either.
fn open_for(post: &Post, located: &Located, commenting: bool) -> AppResult<()> {
    let moderator = located.allow(Action::Moderate).is_ok();
    if post.hidden_at.is_some() && !moderator {
        return Err(AppError::NotFound);
    }
    if commenting && post.locked_at.is_some() && !moderator {
        return Err(AppError::Conflict("this thread is locked: it takes no more comments".into()));
    }
    Ok(())
}

/// Comments on a post, with files; a reply to a reply joins its parent's thread (one level
/// deep).
pub async fn comment(
    db: &Db,
    user: &User,
    post_id: i64,
    body: String,
    reply_to: Option<i64>,
    files: Attach,
) -> AppResult<i64> {
    content::check_text(&body, MAX_COMMENT, "comment").map_err(|e| AppError::field("body", e))?;
    let html = markdown::render(&body);
    let actor = user.actor();
    db.write(move |c| {
        let (post, _, located) = locate_post(c, actor, post_id)?;
        located.allow(Action::Write)?;
        open_for(&post, &located, true)?;
        let parent = match reply_to {
            Some(id) => {
                let parent =
                    posts::find_comment(c, id)?.filter(|p| p.post_id == post_id).ok_or(AppError::NotFound)?;
                Some(parent.reply_to.unwrap_or(parent.id))
            }
            None => None,
        };
        let id = posts::insert_comment(c, post_id, actor.user_id, parent, &body, &html, now())?;
        files.apply(c, actor.user_id, FileTarget::Comment(id))?;
        posts::adjust_comment_count(c, post_id, 1)?;
        let data = json!({ "post": post_id, "post_title": title_of(&post), "reply_to": parent,
            "mentions": content::mentions(&body) });
        activities::record(c, &activity(&located, "comment.created", "comment", id, data))?;
        Ok(id)
    })
    .await
}

/// Deletes a comment (author or moderator): gone from pages, kept for the moderation trail.
/// Returns the post's id.
pub async fn delete_comment(db: &Db, user: &User, comment_id: i64) -> AppResult<i64> {
    let actor = user.actor();
    db.write(move |c| {
        let comment = posts::find_comment(c, comment_id)?.ok_or(AppError::NotFound)?;
        let (_, _, located) = locate_post(c, actor, comment.post_id)?;
        policy::can_change_content(actor, &located.place, comment.author_id)?;
        posts::soft_delete_comment(c, comment_id, now())?;
        withdraw(c, "comment", &[comment_id])?;
        posts::adjust_comment_count(c, comment.post_id, -1)?;
        activities::record(
            c,
            &activity(&located, "comment.deleted", "comment", comment_id, json!({ "post": comment.post_id })),
        )?;
        Ok(comment.post_id)
    })
    .await
}

/// What a reaction is on.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    Post(i64),
    Comment(i64),
}

/// Adds (`on`) or removes a reaction; repeating either changes nothing.
pub async fn react(db: &Db, user: &User, target: Target, kind: ReactionKind, on: bool) -> AppResult<i64> {
    let actor = user.actor();
    db.write(move |c| {
        let (post_id, target_type, target_id) = match target {
            Target::Post(id) => (id, "post", id),
            Target::Comment(id) => {
                (posts::find_comment(c, id)?.ok_or(AppError::NotFound)?.post_id, "comment", id)
            }
        };
        let (post, _, located) = locate_post(c, actor, post_id)?;
        located.allow(Action::Write)?;
        open_for(&post, &located, false)?;
        let changed = if on {
            posts::add_reaction(c, target_type, target_id, actor.user_id, kind.as_str(), now())?
        } else {
            posts::remove_reaction(c, target_type, target_id, actor.user_id, kind.as_str())?
        };
        if changed {
            let verb = if on { "reaction.added" } else { "reaction.removed" };
            let data = json!({ "post": post_id, "target_type": target_type, "kind": kind.as_str() });
            activities::record(c, &activity(&located, verb, target_type, target_id, data))?;
        }
        Ok(post_id)
    })
    .await
}

/// The question's author (or a moderator) accepts one answer.
pub async fn accept(db: &Db, user: &User, post_id: i64, comment_id: i64) -> AppResult<()> {
    let actor = user.actor();
    db.write(move |c| {
        let (post, _, located) = locate_post(c, actor, post_id)?;
        if PostKind::parse(&post.kind) != Ok(PostKind::Question) {
            return Err(AppError::Conflict("only questions have accepted answers".into()));
        }
        policy::can_change_content(actor, &located.place, post.author_id)?;
        let answer =
            posts::find_comment(c, comment_id)?.filter(|a| a.post_id == post_id).ok_or(AppError::NotFound)?;
        posts::set_accepted(c, post_id, answer.id)?;
        let data =
            json!({ "post": post_id, "post_title": title_of(&post), "answer_author": answer.author_id });
        activities::record(c, &activity(&located, "answer.accepted", "comment", answer.id, data))?;
        Ok(())
    })
    .await
}
