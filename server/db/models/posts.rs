//! Posts, comments, reactions and tags.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::fixed::fixed;
use crate::db::id_list::any_of;
use crate::db::schema::{comments, communities, memberships, post_tags, posts, reactions, users};
use crate::domain::community::{MemberState, Visibility};

/// A post with its author's handle and name.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = posts)]
pub struct Post {
    pub id: i64,
    pub community_id: i64,
    pub author_id: Option<i64>,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub html: String,
    pub pinned: bool,
    pub accepted_comment_id: Option<i64>,
    pub comment_count: i32,
    pub created_at: NaiveDateTime,
    pub edited_at: Option<NaiveDateTime>,
    pub deleted_at: Option<NaiveDateTime>,
    /// Hidden by a moderator: a notice replaces it for everyone but moderators.
    pub hidden_at: Option<NaiveDateTime>,
    pub hidden_reason: Option<String>,
    /// Locked: the thread takes no more comments.
    pub locked_at: Option<NaiveDateTime>,
}

/// Who wrote something, as pages show it.
#[derive(Debug, Clone, Queryable)]
pub struct Author {
    pub handle: String,
    pub name: String,
}

/// A new post.
#[derive(Debug, Insertable)]
#[diesel(table_name = posts)]
pub struct NewPost<'a> {
    pub community_id: i64,
    pub author_id: i64,
    pub kind: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub html: &'a str,
    pub pinned: bool,
    pub created_at: NaiveDateTime,
}

/// Inserts a post and its tags; returns its id.
pub fn insert(conn: &mut DbConn, new: &NewPost<'_>, tags: &[String]) -> QueryResult<i64> {
    let id = crate::on_backend!(conn, |c| diesel::insert_into(posts::table)
        .values(new)
        .returning(posts::id)
        .get_result(c))?;
    set_tags(conn, id, tags)?;
    Ok(id)
}

/// Replaces a post's tags.
pub fn set_tags(conn: &mut DbConn, post_id: i64, tags: &[String]) -> QueryResult<()> {
    diesel::delete(post_tags::table.filter(post_tags::post_id.eq(post_id))).execute(conn)?;
    let rows: Vec<_> = tags.iter().map(|t| (post_tags::post_id.eq(post_id), post_tags::tag.eq(t))).collect();
    crate::on_backend!(conn, |c| diesel::insert_into(post_tags::table).values(&rows).execute(c)).map(drop)
}

/// A post that is not deleted, with its author.
pub fn find(conn: &mut DbConn, id: i64) -> QueryResult<Option<(Post, Option<Author>)>> {
    posts::table
        .left_join(users::table)
        .filter(posts::id.eq(id))
        .filter(posts::deleted_at.is_null())
        .select((Post::as_select(), (users::handle, users::name).nullable()))
        .first(conn)
        .optional()
}

/// A community's posts, newest first with pinned ones on top of the first page.
pub fn for_community(
    conn: &mut DbConn,
    community_id: i64,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<(Post, Option<Author>)>> {
    let mut query = posts::table
        .left_join(users::table)
        .filter(posts::community_id.eq(community_id))
        .filter(posts::deleted_at.is_null())
        .filter(posts::hidden_at.is_null())
        .select((Post::as_select(), (users::handle, users::name).nullable()))
        .limit(limit)
        .into_boxed();
    query = match before {
        // Later pages: strictly by id, so pinned posts appear once, on the first page.
        Some(id) => query.filter(posts::id.lt(id)).filter(posts::pinned.eq(false)).order(posts::id.desc()),
        None => query.order((posts::pinned.desc(), posts::id.desc())),
    };
    query.load(conn)
}

/// Posts with a tag in communities the viewer may read, newest first.
pub fn with_tag(
    conn: &mut DbConn,
    tag: &str,
    viewer_id: i64,
    admin: bool,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<(Post, Option<Author>, String)>> {
    let mut query =
        post_tags::table
            .inner_join(posts::table.inner_join(communities::table).left_join(users::table))
            .left_join(memberships::table.on(
                memberships::community_id.eq(posts::community_id).and(memberships::user_id.eq(viewer_id)),
            ))
            .filter(post_tags::tag.eq(tag))
            .filter(posts::deleted_at.is_null())
            .filter(posts::hidden_at.is_null())
            .select((Post::as_select(), (users::handle, users::name).nullable(), communities::slug))
            .order(posts::id.desc())
            .limit(limit)
            .into_boxed();
    if !admin {
        query = query.filter(
            communities::visibility
                .ne(Visibility::Private.as_str())
                .or(memberships::state.eq(MemberState::Active.as_str())),
        );
    }
    if let Some(id) = before {
        query = query.filter(posts::id.lt(id));
    }
    query.load(conn)
}

/// The newest announcements in communities where the user is an active member.
pub fn announcements_for(
    conn: &mut DbConn,
    user_id: i64,
    limit: i64,
) -> QueryResult<Vec<(Post, Option<Author>, String)>> {
    posts::table
        .inner_join(communities::table)
        .left_join(users::table)
        .inner_join(
            memberships::table.on(memberships::community_id
                .eq(posts::community_id)
                .and(memberships::user_id.eq(user_id))
                .and(memberships::state.eq(MemberState::Active.as_str()))),
        )
        // Written into the statement, so that SQLite reads `posts_announcements_idx`.
        .filter(fixed("posts.kind = 'announcement'"))
        .filter(posts::deleted_at.is_null())
        .filter(posts::hidden_at.is_null())
        .order(posts::id.desc())
        .limit(limit)
        .select((Post::as_select(), (users::handle, users::name).nullable(), communities::slug))
        .load(conn)
}

/// A person's posts in communities the viewer may read, newest first.
pub fn by_author(
    conn: &mut DbConn,
    author_id: i64,
    viewer_id: i64,
    admin: bool,
    limit: i64,
) -> QueryResult<Vec<(Post, Option<Author>, String)>> {
    let mut query =
        posts::table
            .inner_join(communities::table)
            .left_join(users::table)
            .left_join(memberships::table.on(
                memberships::community_id.eq(posts::community_id).and(memberships::user_id.eq(viewer_id)),
            ))
            .filter(posts::author_id.eq(author_id))
            .filter(posts::deleted_at.is_null())
            .filter(posts::hidden_at.is_null())
            .select((Post::as_select(), (users::handle, users::name).nullable(), communities::slug))
            .order(posts::id.desc())
            .limit(limit)
            .into_boxed();
    if !admin {
        query = query.filter(
            communities::visibility
                .ne(Visibility::Private.as_str())
                .or(memberships::state.eq(MemberState::Active.as_str())),
        );
    }
    query.load(conn)
}

/// Saves an edit.
pub fn update(
    conn: &mut DbConn,
    id: i64,
    title: &str,
    body: &str,
    html: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    diesel::update(posts::table.find(id))
        .set((posts::title.eq(title), posts::body.eq(body), posts::html.eq(html), posts::edited_at.eq(at)))
        .execute(conn)
        .map(drop)
}

/// Soft-deletes a post (the row stays for the moderation trail).
pub fn soft_delete(conn: &mut DbConn, id: i64, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(posts::table.find(id)).set(posts::deleted_at.eq(at)).execute(conn).map(drop)
}

/// Marks a comment as the accepted answer.
pub fn set_accepted(conn: &mut DbConn, id: i64, comment_id: i64) -> QueryResult<()> {
    diesel::update(posts::table.find(id))
        .set(posts::accepted_comment_id.eq(comment_id))
        .execute(conn)
        .map(drop)
}

/// Changes the cached comment count by `delta`.
pub fn adjust_comment_count(conn: &mut DbConn, id: i64, delta: i32) -> QueryResult<()> {
    diesel::update(posts::table.find(id))
        .set(posts::comment_count.eq(posts::comment_count + delta))
        .execute(conn)
        .map(drop)
}

/// A row of `comments`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = comments)]
pub struct Comment {
    pub id: i64,
    pub post_id: i64,
    pub author_id: Option<i64>,
    pub reply_to: Option<i64>,
    pub body: String,
    pub html: String,
    pub created_at: NaiveDateTime,
    pub edited_at: Option<NaiveDateTime>,
    pub deleted_at: Option<NaiveDateTime>,
    pub hidden_at: Option<NaiveDateTime>,
    pub hidden_reason: Option<String>,
}

/// Inserts a comment; returns its id.
pub fn insert_comment(
    conn: &mut DbConn,
    post_id: i64,
    author_id: i64,
    reply_to: Option<i64>,
    body: &str,
    html: &str,
    at: NaiveDateTime,
) -> QueryResult<i64> {
    crate::on_backend!(conn, |c| diesel::insert_into(comments::table)
        .values((
            comments::post_id.eq(post_id),
            comments::author_id.eq(author_id),
            comments::reply_to.eq(reply_to),
            comments::body.eq(body),
            comments::html.eq(html),
            comments::created_at.eq(at),
        ))
        .returning(comments::id)
        .get_result(c))
}

/// A comment that is not deleted.
pub fn find_comment(conn: &mut DbConn, id: i64) -> QueryResult<Option<Comment>> {
    comments::table
        .find(id)
        .filter(comments::deleted_at.is_null())
        .select(Comment::as_select())
        .first(conn)
        .optional()
}

/// The ids of every comment on a post, deleted and hidden ones too.
pub fn comment_ids(conn: &mut DbConn, post_id: i64) -> QueryResult<Vec<i64>> {
    comments::table.filter(comments::post_id.eq(post_id)).select(comments::id).load(conn)
}

/// A post's comments with authors, oldest first.
pub fn comments_of(
    conn: &mut DbConn,
    post_id: i64,
    limit: i64,
) -> QueryResult<Vec<(Comment, Option<Author>)>> {
    comments::table
        .left_join(users::table)
        .filter(comments::post_id.eq(post_id))
        .filter(comments::deleted_at.is_null())
        .order(comments::id.asc())
        .limit(limit)
        .select((Comment::as_select(), (users::handle, users::name).nullable()))
        .load(conn)
}

/// Soft-deletes a comment.
pub fn soft_delete_comment(conn: &mut DbConn, id: i64, at: NaiveDateTime) -> QueryResult<()> {
    diesel::update(comments::table.find(id)).set(comments::deleted_at.eq(at)).execute(conn).map(drop)
}

/// What a reaction can be on, as stored.
#[derive(Debug, Clone, Copy)]
pub enum ReactionTarget {
    Post,
    Comment,
    IdeaComment,
}

impl ReactionTarget {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Post => "post",
            Self::Comment => "comment",
            Self::IdeaComment => "idea_comment",
        }
    }
}

/// Adds a reaction; returns false when it was already there (reacting twice is a no-op).
pub fn add_reaction(
    conn: &mut DbConn,
    target_type: &str,
    target_id: i64,
    user_id: i64,
    kind: &str,
    at: NaiveDateTime,
) -> QueryResult<bool> {
    let row = (
        reactions::target_type.eq(target_type),
        reactions::target_id.eq(target_id),
        reactions::user_id.eq(user_id),
        reactions::kind.eq(kind),
        reactions::created_at.eq(at),
    );
    crate::on_backend!(conn, |c| diesel::insert_into(reactions::table)
        .values(row)
        .on_conflict_do_nothing()
        .execute(c))
    .map(|n| n == 1)
}

/// Removes a reaction; returns whether it was there.
pub fn remove_reaction(
    conn: &mut DbConn,
    target_type: &str,
    target_id: i64,
    user_id: i64,
    kind: &str,
) -> QueryResult<bool> {
    diesel::delete(reactions::table.find((target_type, target_id, user_id, kind)))
        .execute(conn)
        .map(|n| n == 1)
}

/// Reaction counts and the viewer's own reactions for a set of items.
#[derive(Debug, Default)]
pub struct ReactionSummary {
    /// `(target id, kind)` → count.
    pub counts: HashMap<(i64, String), i64>,
    /// `(target id, kind)` the viewer has given.
    pub mine: Vec<(i64, String)>,
}

/// Summarises reactions on `ids` of one target type in two queries.
pub fn reaction_summary(
    conn: &mut DbConn,
    target_type: &str,
    ids: &[i64],
    viewer_id: i64,
) -> QueryResult<ReactionSummary> {
    if ids.is_empty() {
        return Ok(ReactionSummary::default());
    }
    let counts: Vec<(i64, String, i64)> = reactions::table
        .filter(reactions::target_type.eq(target_type))
        .filter(any_of(reactions::target_id, ids))
        .group_by((reactions::target_id, reactions::kind))
        .select((reactions::target_id, reactions::kind, diesel::dsl::count_star()))
        .load(conn)?;
    let mine = reactions::table
        .filter(reactions::target_type.eq(target_type))
        .filter(any_of(reactions::target_id, ids))
        .filter(reactions::user_id.eq(viewer_id))
        .select((reactions::target_id, reactions::kind))
        .load(conn)?;
    Ok(ReactionSummary { counts: counts.into_iter().map(|(id, kind, n)| ((id, kind), n)).collect(), mine })
}

/// Who gave reactions to one item, by kind.
pub fn reactors(conn: &mut DbConn, target_type: &str, target_id: i64) -> QueryResult<Vec<(String, Author)>> {
    reactions::table
        .inner_join(users::table)
        .filter(reactions::target_type.eq(target_type))
        .filter(reactions::target_id.eq(target_id))
        .order(reactions::created_at.asc())
        .select((reactions::kind, (users::handle, users::name)))
        .load(conn)
}
