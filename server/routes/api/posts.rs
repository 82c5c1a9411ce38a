//! `/api/v1` posts, comments, reactions and accepted answers.

use std::collections::BTreeMap;

use actix_web::{HttpResponse, web};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ListQuery, Listing};
use crate::auth::identity::ApiUser;
use crate::domain::content::{PostKind, ReactionKind};
use crate::error::{ApiResult, AppError};
use crate::files::FileView;
use crate::posts::{self, CommentView, PostCard, PostInput, Reaction, Target};
use crate::state::AppState;

/// A post as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostJson {
    pub id: i64,
    /// The community's slug.
    pub community: String,
    /// The author's handle (null if the account was removed).
    pub author: Option<String>,
    pub kind: PostKind,
    pub title: String,
    /// The Markdown source.
    pub body: String,
    /// The rendered, sanitized HTML.
    pub html: String,
    pub pinned: bool,
    pub created_at: NaiveDateTime,
    pub edited_at: Option<NaiveDateTime>,
    /// Count per reaction kind.
    pub reactions: BTreeMap<String, i64>,
    /// The caller's own reactions.
    pub my_reactions: Vec<ReactionKind>,
    pub comment_count: i32,
    pub accepted_comment: Option<i64>,
    /// Attached files, in the author's order.
    pub files: Vec<FileView>,
}

fn counts(reactions: &[Reaction]) -> (BTreeMap<String, i64>, Vec<ReactionKind>) {
    let counts = reactions.iter().map(|r| (r.kind.as_str().to_owned(), r.count)).collect();
    (counts, reactions.iter().filter(|r| r.mine).map(|r| r.kind).collect())
}

impl From<PostCard> for PostJson {
    fn from(card: PostCard) -> Self {
        let kind = card.kind();
        let (reactions, my_reactions) = counts(&card.reactions);
        let post = card.post;
        Self {
            id: post.id,
            community: card.community_slug,
            author: card.author.map(|a| a.handle),
            kind,
            title: post.title,
            body: post.body,
            html: post.html,
            pinned: post.pinned,
            created_at: post.created_at,
            edited_at: post.edited_at,
            reactions,
            my_reactions,
            comment_count: post.comment_count,
            accepted_comment: post.accepted_comment_id,
            files: card.files,
        }
    }
}

/// A comment as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct CommentJson {
    pub id: i64,
    pub post: i64,
    pub author: Option<String>,
    pub body: String,
    pub html: String,
    pub reply_to: Option<i64>,
    pub created_at: NaiveDateTime,
    pub reactions: BTreeMap<String, i64>,
    pub my_reactions: Vec<ReactionKind>,
    pub files: Vec<FileView>,
}

fn flatten(views: Vec<CommentView>, out: &mut Vec<CommentJson>) {
    for view in views {
        let (reactions, my_reactions) = counts(&view.reactions);
        let c = view.comment;
        out.push(CommentJson {
            id: c.id,
            post: c.post_id,
            author: view.author.map(|a| a.handle),
            body: c.body,
            html: c.html,
            reply_to: c.reply_to,
            created_at: c.created_at,
            reactions,
            my_reactions,
            files: view.files,
        });
        flatten(view.replies, out);
    }
}

fn before(cursor: Option<&str>) -> Result<Option<i64>, AppError> {
    cursor.map(|c| c.parse().map_err(|_| AppError::BadRequest("invalid cursor".into()))).transpose()
}

fn listing(cards: Vec<PostCard>, limit: i64) -> Listing<PostJson> {
    let next_cursor =
        (cards.len() as i64 == limit).then(|| cards.last().map(|c| c.post.id.to_string())).flatten();
    Listing { items: cards.into_iter().map(PostJson::from).collect(), next_cursor }
}

/// A community's posts, newest first (pinned first on the first page).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/posts", tag = "posts", params(("slug" = String, Path), ListQuery),
    responses((status = 200, body = Listing<PostJson>), (status = 404, body = crate::error::ErrorBody)))]
pub async fn list(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    slug: web::Path<String>,
    query: web::Query<ListQuery>,
) -> ApiResult<web::Json<Listing<PostJson>>> {
    let limit = query.limit();
    let (located, cards) =
        posts::list(&state.db, &user, &slug, before(query.cursor.as_deref())?, limit).await?;
    located.allow(crate::domain::policy::Action::Read)?;
    Ok(web::Json(listing(cards, limit)))
}

/// Writes a post.
#[utoipa::path(post, path = "/api/v1/communities/{slug}/posts", tag = "posts", params(("slug" = String, Path)), request_body = PostInput,
    responses((status = 201, body = PostJson), (status = 403, body = crate::error::ErrorBody), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    slug: web::Path<String>,
    body: web::Json<PostInput>,
) -> ApiResult<HttpResponse> {
    let files = state.attach(&body.uploads)?;
    let id = posts::create(&state.db, &user, &slug, body.into_inner(), files).await?;
    let page = posts::view(&state.db, &user, id).await?;
    Ok(HttpResponse::Created().json(PostJson::from(page.card)))
}

/// One post.
#[utoipa::path(get, path = "/api/v1/posts/{id}", tag = "posts", params(("id" = i64, Path)),
    responses((status = 200, body = PostJson), (status = 404, body = crate::error::ErrorBody)))]
pub async fn show(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    id: web::Path<i64>,
) -> ApiResult<web::Json<PostJson>> {
    Ok(web::Json(PostJson::from(posts::view(&state.db, &user, *id).await?.card)))
}

/// An edit.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PostEdit {
    #[serde(default)]
    pub title: String,
    pub body: String,
}

/// Edits a post (author or moderator).
#[utoipa::path(patch, path = "/api/v1/posts/{id}", tag = "posts", params(("id" = i64, Path)), request_body = PostEdit,
    responses((status = 200, body = PostJson), (status = 403, body = crate::error::ErrorBody)))]
pub async fn edit(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    id: web::Path<i64>,
    body: web::Json<PostEdit>,
) -> ApiResult<web::Json<PostJson>> {
    let PostEdit { title, body } = body.into_inner();
    posts::edit(&state.db, &user, *id, title, body).await?;
    Ok(web::Json(PostJson::from(posts::view(&state.db, &user, *id).await?.card)))
}

/// Deletes a post (author or moderator).
#[utoipa::path(delete, path = "/api/v1/posts/{id}", tag = "posts", params(("id" = i64, Path)), responses((status = 204)))]
pub async fn delete(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    posts::delete(&state.db, &user, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A post's comments, oldest first, replies after their parent.
#[utoipa::path(get, path = "/api/v1/posts/{id}/comments", tag = "posts", params(("id" = i64, Path)),
    responses((status = 200, body = Listing<CommentJson>)))]
pub async fn comments(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Listing<CommentJson>>> {
    let page = posts::view(&state.db, &user, *id).await?;
    let mut items = Vec::new();
    flatten(page.comments, &mut items);
    Ok(web::Json(Listing { items, next_cursor: None }))
}

/// A new comment.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CommentInput {
    pub body: String,
    /// Reply to this comment.
    pub reply_to: Option<i64>,
    /// Uploads to attach.
    #[serde(default)]
    pub uploads: Vec<i64>,
}

/// Comments on a post.
#[utoipa::path(post, path = "/api/v1/posts/{id}/comments", tag = "posts", params(("id" = i64, Path)), request_body = CommentInput,
    responses((status = 201, body = CommentJson), (status = 404, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn comment(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    id: web::Path<i64>,
    body: web::Json<CommentInput>,
) -> ApiResult<HttpResponse> {
    let CommentInput { body, reply_to, uploads } = body.into_inner();
    let files = state.attach(&uploads)?;
    let comment_id = posts::comment(&state.db, &user, *id, body, reply_to, files).await?;
    let page = posts::view(&state.db, &user, *id).await?;
    let mut items = Vec::new();
    flatten(page.comments, &mut items);
    let created = items.into_iter().find(|c| c.id == comment_id).ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Created().json(created))
}

fn reaction_kind(raw: &str) -> Result<ReactionKind, AppError> {
    ReactionKind::parse(raw).map_err(|e| AppError::field("kind", e))
}

/// Adds (PUT) a reaction to a post; idempotent.
#[utoipa::path(put, path = "/api/v1/posts/{id}/reactions/{kind}", tag = "posts",
    params(("id" = i64, Path), ("kind" = String, Path)), responses((status = 200, body = PostJson)))]
pub async fn react(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    path: web::Path<(i64, String)>,
) -> ApiResult<web::Json<PostJson>> {
    let (id, kind) = path.into_inner();
    posts::react(&state.db, &user, Target::Post(id), reaction_kind(&kind)?, true).await?;
    Ok(web::Json(PostJson::from(posts::view(&state.db, &user, id).await?.card)))
}

/// Removes (DELETE) a reaction from a post; idempotent.
#[utoipa::path(delete, path = "/api/v1/posts/{id}/reactions/{kind}", tag = "posts",
    params(("id" = i64, Path), ("kind" = String, Path)), responses((status = 200, body = PostJson)))]
pub async fn unreact(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    path: web::Path<(i64, String)>,
) -> ApiResult<web::Json<PostJson>> {
    let (id, kind) = path.into_inner();
    posts::react(&state.db, &user, Target::Post(id), reaction_kind(&kind)?, false).await?;
    Ok(web::Json(PostJson::from(posts::view(&state.db, &user, id).await?.card)))
}

/// Adds (PUT) or removes (DELETE) a reaction to a comment; idempotent.
#[utoipa::path(method(put, delete), path = "/api/v1/comments/{id}/reactions/{kind}", tag = "posts",
    params(("id" = i64, Path), ("kind" = String, Path)), responses((status = 204)))]
pub async fn react_comment(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    req: actix_web::HttpRequest,
    path: web::Path<(i64, String)>,
) -> ApiResult<HttpResponse> {
    let (id, kind) = path.into_inner();
    let on = req.method() == actix_web::http::Method::PUT;
    posts::react(&state.db, &user, Target::Comment(id), reaction_kind(&kind)?, on).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Deletes a comment (author or moderator).
#[utoipa::path(delete, path = "/api/v1/comments/{id}", tag = "posts", params(("id" = i64, Path)), responses((status = 204)))]
pub async fn delete_comment(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    posts::delete_comment(&state.db, &user, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Accepts an answer to a question (its author or a moderator).
#[utoipa::path(post, path = "/api/v1/posts/{id}/accept/{comment_id}", tag = "posts",
    params(("id" = i64, Path), ("comment_id" = i64, Path)), responses((status = 200, body = PostJson), (status = 409, body = crate::error::ErrorBody)))]
pub async fn accept(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    path: web::Path<(i64, i64)>,
) -> ApiResult<web::Json<PostJson>> {
    let (id, comment_id) = path.into_inner();
    posts::accept(&state.db, &user, id, comment_id).await?;
    Ok(web::Json(PostJson::from(posts::view(&state.db, &user, id).await?.card)))
}
