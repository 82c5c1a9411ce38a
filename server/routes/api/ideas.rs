//! `/api/v1/ideas`: the idea pipeline.

use actix_web::{HttpResponse, web};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::models::reviews::DecisionView;

use super::Listing;
use crate::auth::identity::ApiUser;
use crate::db::models::ideas::Idea;
use crate::db::models::posts::Author;
use crate::domain::idea::IdeaState;
use crate::error::{ApiResult, AppError};
use crate::ideas::{self, IdeaInput, ListFilter};
use crate::state::AppState;

/// An idea as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct IdeaJson {
    pub id: i64,
    pub title: String,
    pub problem: String,
    pub proposal: String,
    pub benefit: String,
    pub tags: Vec<String>,
    pub state: IdeaState,
    /// Calendar quarter of submission (empty for drafts).
    pub quarter: String,
    pub author: Option<String>,
    pub community: Option<i64>,
    pub votes: i32,
    /// Whether the caller voted (only on single-idea answers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voted: Option<bool>,
    pub merged_into: Option<i64>,
    pub created_at: NaiveDateTime,
    pub submitted_at: Option<NaiveDateTime>,
    /// The review board's decision (only on single-idea answers, once decided).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<IdeaDecisionJson>,
    /// Attached files (only on single-idea answers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub files: Option<Vec<crate::files::FileView>>,
}

/// The review board's decision on an idea, as everyone may read it.
#[derive(Debug, Serialize, ToSchema)]
pub struct IdeaDecisionJson {
    pub id: i64,
    /// `funded`, `declined` or `needs_work`.
    pub decision: String,
    pub rationale: String,
    pub budget: Option<i64>,
    pub sponsor: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: NaiveDateTime,
}

impl From<DecisionView> for IdeaDecisionJson {
    fn from(view: DecisionView) -> Self {
        let d = view.decision;
        Self {
            id: d.id,
            decision: d.decision,
            rationale: d.rationale,
            budget: d.budget,
            sponsor: view.sponsor.map(|a| a.handle),
            decided_by: view.decided_by.map(|a| a.handle),
            decided_at: d.created_at,
        }
    }
}

impl IdeaJson {
    fn new(idea: Idea, author: Option<Author>, voted: Option<bool>) -> Self {
        let state = idea.state();
        let tags = idea.tag_list().into_iter().map(str::to_owned).collect();
        Self {
            id: idea.id,
            title: idea.title,
            problem: idea.problem,
            proposal: idea.proposal,
            benefit: idea.benefit,
            tags,
            state,
            quarter: idea.quarter,
            author: author.map(|a| a.handle),
            community: idea.community_id,
            votes: idea.vote_count,
            voted,
            merged_into: idea.merged_into,
            created_at: idea.created_at,
            submitted_at: idea.submitted_at,
            decision: None,
            files: None,
        }
    }
}

async fn one(state: &AppState, user: &crate::db::models::users::User, id: i64) -> ApiResult<IdeaJson> {
    let page = ideas::view(&state.db, user, id).await?;
    let decision = page.decision.map(IdeaDecisionJson::from);
    Ok(IdeaJson {
        decision,
        files: Some(page.files),
        ..IdeaJson::new(page.idea, page.author, Some(page.voted))
    })
}

/// Ideas you may see, filtered and sorted (`top`: distinct supporters, ties by earliest
/// submission; `new`; `trending`: votes decayed with a 72-hour time constant).
#[utoipa::path(get, path = "/api/v1/ideas", tag = "ideas", params(ListFilter), responses((status = 200, body = Listing<IdeaJson>)))]
pub async fn list(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    filter: web::Query<ListFilter>,
) -> ApiResult<web::Json<Listing<IdeaJson>>> {
    let (rows, next_cursor) = ideas::list(&state.db, &user, filter.into_inner()).await?;
    let items = rows.into_iter().map(|(idea, author)| IdeaJson::new(idea, author, None)).collect();
    Ok(web::Json(Listing { items, next_cursor }))
}

/// Submits an idea (or saves a draft with `"submit": false`).
#[utoipa::path(post, path = "/api/v1/ideas", tag = "ideas", request_body = IdeaInput,
    responses((status = 201, body = IdeaJson), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    body: web::Json<IdeaInput>,
) -> ApiResult<HttpResponse> {
    let files = state.attach(&body.uploads)?;
    let id = ideas::create(&state.db, &user, body.into_inner(), files).await?;
    Ok(HttpResponse::Created().json(one(&state, &user, id).await?))
}

/// One idea.
#[utoipa::path(get, path = "/api/v1/ideas/{id}", tag = "ideas", params(("id" = i64, Path)),
    responses((status = 200, body = IdeaJson), (status = 404, body = crate::error::ErrorBody)))]
pub async fn show(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    id: web::Path<i64>,
) -> ApiResult<web::Json<IdeaJson>> {
    Ok(web::Json(one(&state, &user, *id).await?))
}

/// The author edits an idea (while draft, submitted or needs work).
#[utoipa::path(patch, path = "/api/v1/ideas/{id}", tag = "ideas", params(("id" = i64, Path)), request_body = IdeaInput,
    responses((status = 200, body = IdeaJson), (status = 409, body = crate::error::ErrorBody)))]
pub async fn edit(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    id: web::Path<i64>,
    body: web::Json<IdeaInput>,
) -> ApiResult<web::Json<IdeaJson>> {
    ideas::edit(&state.db, &user, *id, body.into_inner()).await?;
    Ok(web::Json(one(&state, &user, *id).await?))
}

/// The vote count after a vote.
#[derive(Debug, Serialize, ToSchema)]
pub struct VoteJson {
    pub votes: i32,
    pub voted: bool,
}

/// Votes (PUT) or takes the vote back (DELETE); idempotent; only while submitted, never on
/// your own idea.
#[utoipa::path(method(put, delete), path = "/api/v1/ideas/{id}/vote", tag = "ideas", params(("id" = i64, Path)),
    responses((status = 200, body = VoteJson), (status = 409, body = crate::error::ErrorBody)))]
pub async fn vote(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    id: web::Path<i64>,
) -> ApiResult<web::Json<VoteJson>> {
    let on = req.method() == actix_web::http::Method::PUT;
    let (votes, voted) = ideas::vote(&state.db, &user, *id, on).await?;
    Ok(web::Json(VoteJson { votes, voted }))
}

/// Follows (PUT) or unfollows (DELETE) an idea; idempotent.
#[utoipa::path(method(put, delete), path = "/api/v1/ideas/{id}/follow", tag = "ideas", params(("id" = i64, Path)), responses((status = 204)))]
pub async fn follow(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    let on = req.method() == actix_web::http::Method::PUT;
    ideas::follow(&state.db, &user, *id, on).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A comment on an idea.
#[derive(Debug, Serialize, ToSchema)]
pub struct IdeaCommentJson {
    pub id: i64,
    pub idea: i64,
    pub author: Option<String>,
    pub body: String,
    pub html: String,
    pub reply_to: Option<i64>,
    pub created_at: NaiveDateTime,
    /// Count per reaction kind.
    pub reactions: std::collections::BTreeMap<String, i64>,
    pub files: Vec<crate::files::FileView>,
}

fn flatten(views: Vec<ideas::IdeaCommentView>, out: &mut Vec<IdeaCommentJson>) {
    for view in views {
        let c = view.comment;
        out.push(IdeaCommentJson {
            id: c.id,
            idea: c.idea_id,
            author: view.author.map(|a| a.handle),
            body: c.body,
            html: c.html,
            reply_to: c.reply_to,
            created_at: c.created_at,
            reactions: view.reactions.iter().map(|r| (r.kind.as_str().to_owned(), r.count)).collect(),
            files: view.files,
        });
        flatten(view.replies, out);
    }
}

async fn comment_list(
    state: &AppState,
    user: &crate::db::models::users::User,
    id: i64,
) -> ApiResult<Vec<IdeaCommentJson>> {
    let page = ideas::view(&state.db, user, id).await?;
    let mut items = Vec::new();
    flatten(page.comments, &mut items);
    Ok(items)
}

/// An idea's comments, oldest first, replies after their parent.
#[utoipa::path(get, path = "/api/v1/ideas/{id}/comments", tag = "ideas", params(("id" = i64, Path)),
    responses((status = 200, body = Listing<IdeaCommentJson>)))]
pub async fn comments(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    id: web::Path<i64>,
) -> ApiResult<web::Json<Listing<IdeaCommentJson>>> {
    Ok(web::Json(Listing { items: comment_list(&state, &user, *id).await?, next_cursor: None }))
}

/// A new comment.
#[derive(Debug, Deserialize, ToSchema)]
pub struct CommentBody {
    pub body: String,
    /// Reply to this comment.
    #[serde(default)]
    pub reply_to: Option<i64>,
    /// Uploads to attach.
    #[serde(default)]
    pub uploads: Vec<i64>,
}

/// Comments on an idea.
#[utoipa::path(post, path = "/api/v1/ideas/{id}/comments", tag = "ideas", params(("id" = i64, Path)), request_body = CommentBody,
    responses((status = 201, body = IdeaCommentJson)))]
pub async fn comment(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    id: web::Path<i64>,
    body: web::Json<CommentBody>,
) -> ApiResult<HttpResponse> {
    let CommentBody { body, reply_to, uploads } = body.into_inner();
    let files = state.attach(&uploads)?;
    let comment_id = ideas::comment(&state.db, &user, *id, body, reply_to, files).await?;
    let created = comment_list(&state, &user, *id)
        .await?
        .into_iter()
        .find(|c| c.id == comment_id)
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Created().json(created))
}

/// Adds (PUT) or removes (DELETE) a reaction on an idea comment; idempotent.
#[utoipa::path(method(put, delete), path = "/api/v1/idea-comments/{id}/reactions/{kind}", tag = "ideas",
    params(("id" = i64, Path), ("kind" = String, Path)), responses((status = 204)))]
pub async fn react_comment(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    path: web::Path<(i64, String)>,
) -> ApiResult<HttpResponse> {
    let (id, kind) = path.into_inner();
    let kind = crate::domain::content::ReactionKind::parse(&kind).map_err(|e| AppError::field("kind", e))?;
    let on = req.method() == actix_web::http::Method::PUT;
    ideas::react_comment(&state.db, &user, id, kind, on).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Deletes an idea comment (its author or a moderator).
#[utoipa::path(delete, path = "/api/v1/idea-comments/{id}", tag = "ideas", params(("id" = i64, Path)), responses((status = 204)))]
pub async fn delete_comment(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    ideas::delete_comment(&state.db, &user, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A transition request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct TransitionBody {
    /// The target state.
    pub to: String,
    /// Why (required for declined, needs_work and stopped).
    #[serde(default)]
    pub note: String,
}

/// Moves an idea along the pipeline; 409 with the reason when not allowed.
#[utoipa::path(post, path = "/api/v1/ideas/{id}/transition", tag = "ideas", params(("id" = i64, Path)), request_body = TransitionBody,
    responses((status = 200, body = IdeaJson), (status = 409, body = crate::error::ErrorBody)))]
pub async fn transition(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    id: web::Path<i64>,
    body: web::Json<TransitionBody>,
) -> ApiResult<web::Json<IdeaJson>> {
    let TransitionBody { to, note } = body.into_inner();
    ideas::transition(&state.db, &user, *id, &to, note).await?;
    Ok(web::Json(one(&state, &user, *id).await?))
}

/// A merge request.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MergeBody {
    /// The idea to merge into.
    pub into: i64,
}

/// Merges an idea into another (moderators and admins).
#[utoipa::path(post, path = "/api/v1/ideas/{id}/merge", tag = "ideas", params(("id" = i64, Path)), request_body = MergeBody,
    responses((status = 200, body = IdeaJson), (status = 409, body = crate::error::ErrorBody)))]
pub async fn merge(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    id: web::Path<i64>,
    body: web::Json<MergeBody>,
) -> ApiResult<web::Json<IdeaJson>> {
    ideas::merge(&state.db, &user, *id, body.into).await?;
    Ok(web::Json(one(&state, &user, body.into).await?))
}

/// Text being typed.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SimilarBody {
    pub title: String,
    #[serde(default)]
    pub problem: String,
}

/// Existing ideas that look like the one being typed.
#[utoipa::path(post, path = "/api/v1/ideas/similar", tag = "ideas", request_body = SimilarBody,
    responses((status = 200, body = Listing<IdeaJson>)))]
pub async fn similar(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    body: web::Json<SimilarBody>,
) -> ApiResult<web::Json<Listing<IdeaJson>>> {
    let found = ideas::similar(&state.db, state.search()?, &user, (&body.title, &body.problem), None).await?;
    let items = found.into_iter().map(|idea| IdeaJson::new(idea, None, None)).collect();
    Ok(web::Json(Listing { items, next_cursor: None }))
}

/// A challenge as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChallengeJson {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub deadline: NaiveDateTime,
    pub open: bool,
}

impl From<crate::db::models::challenges::Challenge> for ChallengeJson {
    fn from(c: crate::db::models::challenges::Challenge) -> Self {
        let open = c.deadline > crate::db::models::now();
        Self { id: c.id, title: c.title, description: c.description, deadline: c.deadline, open }
    }
}

/// All challenges, latest deadline first.
#[utoipa::path(get, path = "/api/v1/challenges", tag = "ideas", responses((status = 200, body = Listing<ChallengeJson>)))]
pub async fn challenges(
    state: web::Data<AppState>,
    ApiUser(_): ApiUser,
) -> ApiResult<web::Json<Listing<ChallengeJson>>> {
    let items = ideas::challenges(&state.db).await?.into_iter().map(ChallengeJson::from).collect();
    Ok(web::Json(Listing { items, next_cursor: None }))
}

/// Poses a challenge (executives and admins).
#[utoipa::path(post, path = "/api/v1/challenges", tag = "ideas", request_body = ideas::ChallengeInput,
    responses((status = 201, body = ChallengeJson), (status = 403, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn create_challenge(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    body: web::Json<ideas::ChallengeInput>,
) -> ApiResult<HttpResponse> {
    let id = ideas::create_challenge(&state.db, &user, body.into_inner()).await?;
    let (challenge, _) = ideas::challenge(&state.db, &user, id).await?;
    Ok(HttpResponse::Created().json(ChallengeJson::from(challenge)))
}
