//! What the search indexer reads: the searchable rows of each kind, by id (after
//! activities about them, or a window of a full rebuild).
//! A row missing from an answer is gone, deleted or a draft: the indexer removes it.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::id_list::any_of;
use crate::db::models::communities::Community;
use crate::db::models::users::User;
use crate::db::schema::{comments, communities, idea_comments, ideas, post_tags, posts, users};

/// A table whose rows become search documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Table {
    Posts,
    Comments,
    Ideas,
    IdeaComments,
    Communities,
    People,
}

impl Table {
    /// Every table, in rebuild order.
    pub const ALL: [Table; 6] =
        [Table::Communities, Table::People, Table::Posts, Table::Comments, Table::Ideas, Table::IdeaComments];
}

macro_rules! select {
    ($query:expr, $id:expr, $ids:expr) => {
        $query.filter(any_of($id, $ids)).order($id.asc())
    };
}

/// The next `limit` ids of a table after `after`, whatever their state (a rebuild walks
/// the tables in such windows).
pub fn ids_after(conn: &mut DbConn, table: Table, after: i64, limit: i64) -> QueryResult<Vec<i64>> {
    macro_rules! window {
        ($t:ident) => {
            $t::table.filter($t::id.gt(after)).order($t::id.asc()).limit(limit).select($t::id).load(conn)
        };
    }
    match table {
        Table::Posts => window!(posts),
        Table::Comments => window!(comments),
        Table::Ideas => window!(ideas),
        Table::IdeaComments => window!(idea_comments),
        Table::Communities => window!(communities),
        Table::People => window!(users),
    }
}

/// How many rows the tables hold (the length of a rebuild's progress bar).
pub fn total(conn: &mut DbConn) -> QueryResult<i64> {
    let counts: [i64; 6] = [
        posts::table.count().get_result(conn)?,
        comments::table.count().get_result(conn)?,
        ideas::table.count().get_result(conn)?,
        idea_comments::table.count().get_result(conn)?,
        communities::table.count().get_result(conn)?,
        users::table.count().get_result(conn)?,
    ];
    Ok(counts.iter().sum())
}

/// A post as indexed.
#[derive(Debug, Clone, Queryable)]
pub struct PostRow {
    pub id: i64,
    pub community_id: i64,
    pub author_id: Option<i64>,
    pub title: String,
    pub body: String,
    pub created_at: NaiveDateTime,
    pub department: Option<String>,
}

/// Live posts and their tags.
pub fn posts(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<(PostRow, Vec<String>)>> {
    let rows: Vec<PostRow> = select!(
        posts::table
            .left_join(users::table)
            .filter(posts::deleted_at.is_null())
            .filter(posts::hidden_at.is_null()),
        posts::id,
        ids
    )
    .select((
        posts::id,
        posts::community_id,
        posts::author_id,
        posts::title,
        posts::body,
        posts::created_at,
        users::department.nullable(),
    ))
    .load(conn)?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let tags: Vec<(i64, String)> = post_tags::table
        .filter(post_tags::post_id.eq_any(&ids))
        .select((post_tags::post_id, post_tags::tag))
        .load(conn)?;
    let mut by_post: HashMap<i64, Vec<String>> = HashMap::new();
    for (post, tag) in tags {
        by_post.entry(post).or_default().push(tag);
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let t = by_post.remove(&r.id).unwrap_or_default();
            (r, t)
        })
        .collect())
}

/// A comment on a post, as indexed.
#[derive(Debug, Clone, Queryable)]
pub struct CommentRow {
    pub id: i64,
    pub post_id: i64,
    pub author_id: Option<i64>,
    pub body: String,
    pub created_at: NaiveDateTime,
    pub post_title: String,
    pub community_id: i64,
    pub accepted_comment_id: Option<i64>,
    pub department: Option<String>,
}

/// Live comments of live posts.
pub fn comments(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<CommentRow>> {
    select!(
        comments::table
            .inner_join(posts::table)
            .left_join(users::table.on(users::id.nullable().eq(comments::author_id)))
            .filter(comments::deleted_at.is_null())
            .filter(comments::hidden_at.is_null())
            .filter(posts::deleted_at.is_null())
            .filter(posts::hidden_at.is_null()),
        comments::id,
        ids
    )
    .select((
        comments::id,
        comments::post_id,
        comments::author_id,
        comments::body,
        comments::created_at,
        posts::title,
        posts::community_id,
        posts::accepted_comment_id,
        users::department.nullable(),
    ))
    .load(conn)
}

/// The live comments of one post (re-indexed when the post's title or accepted answer
/// changes).
pub fn comment_ids_of_post(conn: &mut DbConn, post_id: i64) -> QueryResult<Vec<i64>> {
    comments::table
        .filter(comments::post_id.eq(post_id))
        .filter(comments::deleted_at.is_null())
        .filter(comments::hidden_at.is_null())
        .select(comments::id)
        .load(conn)
}

/// An idea as indexed.
#[derive(Debug, Clone, Queryable)]
pub struct IdeaRow {
    pub id: i64,
    pub author_id: Option<i64>,
    pub community_id: Option<i64>,
    pub title: String,
    pub problem: String,
    pub proposal: String,
    pub benefit: String,
    pub tags: String,
    pub created_at: NaiveDateTime,
    pub department: Option<String>,
}

/// Ideas that are neither drafts nor hidden.
pub fn ideas(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<IdeaRow>> {
    select!(
        ideas::table
            .left_join(users::table.on(users::id.nullable().eq(ideas::author_id)))
            .filter(ideas::state.ne("draft"))
            .filter(ideas::hidden_at.is_null()),
        ideas::id,
        ids
    )
    .select((
        ideas::id,
        ideas::author_id,
        ideas::community_id,
        ideas::title,
        ideas::problem,
        ideas::proposal,
        ideas::benefit,
        ideas::tags,
        ideas::created_at,
        users::department.nullable(),
    ))
    .load(conn)
}

/// A comment on an idea, as indexed.
#[derive(Debug, Clone, Queryable)]
pub struct IdeaCommentRow {
    pub id: i64,
    pub idea_id: i64,
    pub author_id: Option<i64>,
    pub body: String,
    pub created_at: NaiveDateTime,
    pub idea_title: String,
    pub community_id: Option<i64>,
    pub department: Option<String>,
}

/// Live comments on ideas that are neither drafts nor hidden.
pub fn idea_comments(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<IdeaCommentRow>> {
    select!(
        idea_comments::table
            .inner_join(ideas::table.on(ideas::id.eq(idea_comments::idea_id)))
            .left_join(users::table.on(users::id.nullable().eq(idea_comments::author_id)))
            .filter(idea_comments::deleted_at.is_null())
            .filter(ideas::state.ne("draft"))
            .filter(ideas::hidden_at.is_null()),
        idea_comments::id,
        ids
    )
    .select((
        idea_comments::id,
        idea_comments::idea_id,
        idea_comments::author_id,
        idea_comments::body,
        idea_comments::created_at,
        ideas::title,
        ideas::community_id,
        users::department.nullable(),
    ))
    .load(conn)
}

/// The live comments of one idea.
pub fn comment_ids_of_idea(conn: &mut DbConn, idea_id: i64) -> QueryResult<Vec<i64>> {
    idea_comments::table
        .filter(idea_comments::idea_id.eq(idea_id))
        .filter(idea_comments::deleted_at.is_null())
        .select(idea_comments::id)
        .load(conn)
}

/// Communities (archived ones stay findable: they are read-only, not gone).
pub fn communities(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<Community>> {
    select!(communities::table, communities::id, ids).select(Community::as_select()).load(conn)
}

/// (id, slug, name) of these communities: what a results page names them by.
pub fn community_names(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<(i64, String, String)>> {
    select!(communities::table, communities::id, ids)
        .select((communities::id, communities::slug, communities::name))
        .load(conn)
}

/// (id, handle, name) of these people, the active ones.
pub fn people_names(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<(i64, String, String)>> {
    select!(users::table.filter(users::is_active.eq(true)), users::id, ids)
        .select((users::id, users::handle, users::name))
        .load(conn)
}

/// Active people.
pub fn people(conn: &mut DbConn, ids: &[i64]) -> QueryResult<Vec<User>> {
    select!(users::table.filter(users::is_active.eq(true)), users::id, ids)
        .select(User::as_select())
        .load(conn)
}

/// Everything a person wrote that search holds, as (table, ids): re-indexed when their
/// department changes.
pub fn written_by(conn: &mut DbConn, author: i64) -> QueryResult<Vec<(Table, Vec<i64>)>> {
    Ok(vec![
        (Table::Posts, posts::table.filter(posts::author_id.eq(author)).select(posts::id).load(conn)?),
        (
            Table::Comments,
            comments::table.filter(comments::author_id.eq(author)).select(comments::id).load(conn)?,
        ),
        (Table::Ideas, ideas::table.filter(ideas::author_id.eq(author)).select(ideas::id).load(conn)?),
        (
            Table::IdeaComments,
            idea_comments::table
                .filter(idea_comments::author_id.eq(author))
                .select(idea_comments::id)
                .load(conn)?,
        ),
    ])
}
