//! `/api/v1/quarters`: closing a quarter and reading its docket.

use actix_web::web;
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::identity::{ApiAdmin, ApiUser};
use crate::domain::idea::IdeaState;
use crate::error::ApiResult;
use crate::quarters::{self, DocketView};
use crate::state::AppState;

/// An idea on the docket.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocketIdeaJson {
    pub id: i64,
    pub title: String,
    pub author: Option<String>,
    pub rank: i32,
    pub votes_at_close: i32,
    pub votes_now: i32,
    pub state: IdeaState,
}

/// A quarter's docket.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocketJson {
    pub quarter: String,
    pub size: i32,
    /// How the ideas were chosen.
    pub formula: String,
    pub closed_at: NaiveDateTime,
    /// False when the quarter had been closed before (nothing changed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub newly_closed: Option<bool>,
    pub ideas: Vec<DocketIdeaJson>,
}

impl DocketJson {
    fn new(view: DocketView, newly_closed: Option<bool>) -> Self {
        let ideas = view
            .entries
            .into_iter()
            .map(|(entry, idea, author)| DocketIdeaJson {
                state: idea.state(),
                id: idea.id,
                title: idea.title,
                author: author.map(|a| a.handle),
                rank: entry.rank,
                votes_at_close: entry.votes_at_close,
                votes_now: idea.vote_count,
            })
            .collect();
        let d = view.docket;
        Self {
            quarter: d.quarter,
            size: d.size,
            formula: d.formula,
            closed_at: d.closed_at,
            newly_closed,
            ideas,
        }
    }
}

/// Confirms closing before the quarter has ended.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct CloseBody {
    #[serde(default)]
    pub early: bool,
}

/// Closes a quarter (admins): the docket enters review. Idempotent.
#[utoipa::path(post, path = "/api/v1/quarters/{quarter}/close", tag = "review", params(("quarter" = String, Path)), request_body = CloseBody,
    responses((status = 200, body = DocketJson), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn close(
    state: web::Data<AppState>,
    ApiAdmin(admin): ApiAdmin,
    quarter: web::Path<String>,
    body: Option<web::Json<CloseBody>>,
) -> ApiResult<web::Json<DocketJson>> {
    let early = body.is_some_and(|b| b.early);
    let (view, created) =
        quarters::close(&state.db, &state.site.current(), Some(&admin), &quarter, early).await?;
    Ok(web::Json(DocketJson::new(view, Some(created))))
}

/// A closed quarter's docket (executives and admins).
#[utoipa::path(get, path = "/api/v1/quarters/{quarter}/board", tag = "review", params(("quarter" = String, Path)),
    responses((status = 200, body = DocketJson), (status = 404, body = crate::error::ErrorBody)))]
pub async fn board(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    quarter: web::Path<String>,
) -> ApiResult<web::Json<DocketJson>> {
    Ok(web::Json(DocketJson::new(quarters::board(&state.db, &user, &quarter).await?, None)))
}

/// The scores an executive may see.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScoresJson {
    /// Your own score, if you scored.
    pub mine: Option<[i32; 3]>,
    /// Mean impact, feasibility and fit across executives: shown only after you scored.
    pub means: Option<[f64; 3]>,
    /// How many executives scored (shown only after you scored).
    pub count: Option<usize>,
}

async fn scores_json(
    state: &AppState,
    user: &crate::db::models::users::User,
    id: i64,
) -> ApiResult<ScoresJson> {
    let view = quarters::scores(&state.db, user, id).await?;
    Ok(ScoresJson {
        mine: view.mine.map(|r| [r.impact, r.feasibility, r.fit]),
        means: view.aggregate.map(|(i, f, s, _)| [i, f, s]),
        count: view.aggregate.map(|(.., n)| n),
    })
}

/// Scores an idea in review (executives): impact, feasibility, strategic fit, 1-5 each.
#[utoipa::path(post, path = "/api/v1/ideas/{id}/reviews", tag = "review", params(("id" = i64, Path)), request_body = quarters::ScoreInput,
    responses((status = 201, body = ScoresJson), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn score(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    id: web::Path<i64>,
    body: web::Json<quarters::ScoreInput>,
) -> ApiResult<actix_web::HttpResponse> {
    quarters::score(&state.db, &user, *id, body.into_inner()).await?;
    Ok(actix_web::HttpResponse::Created().json(scores_json(&state, &user, *id).await?))
}

/// The scores of an idea as you may see them (executives and admins).
#[utoipa::path(get, path = "/api/v1/ideas/{id}/reviews", tag = "review", params(("id" = i64, Path)),
    responses((status = 200, body = ScoresJson), (status = 404, body = crate::error::ErrorBody)))]
pub async fn scores(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    id: web::Path<i64>,
) -> ApiResult<web::Json<ScoresJson>> {
    if !matches!(user.role(), crate::domain::account::Role::Executive | crate::domain::account::Role::Admin) {
        return Err(crate::error::AppError::NotFound.into());
    }
    Ok(web::Json(scores_json(&state, &user, *id).await?))
}

/// The board's decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionJson {
    /// The decision's id: name it as `revises` to change the decision later.
    pub id: i64,
    pub state: IdeaState,
}

/// Records the board's decision on an idea in review, or changes it with `revises` and a
/// reason while the idea has not moved on (executives and admins).
#[utoipa::path(post, path = "/api/v1/ideas/{id}/decision", tag = "review", params(("id" = i64, Path)), request_body = quarters::DecisionInput,
    responses((status = 200, body = DecisionJson), (status = 409, body = crate::error::ErrorBody), (status = 422, body = crate::error::ErrorBody)))]
pub async fn decide(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    id: web::Path<i64>,
    body: web::Json<quarters::DecisionInput>,
) -> ApiResult<web::Json<DecisionJson>> {
    let decided = quarters::decide(&state.db, &user, *id, body.into_inner()).await?;
    Ok(web::Json(DecisionJson { id: decided.id, state: decided.state }))
}

/// A closed quarter's results as CSV (executives and admins).
#[utoipa::path(get, path = "/api/v1/quarters/{quarter}/results.csv", tag = "review", params(("quarter" = String, Path)),
    responses((status = 200, content_type = "text/csv"), (status = 404, body = crate::error::ErrorBody)))]
pub async fn results(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    quarter: web::Path<String>,
) -> ApiResult<actix_web::HttpResponse> {
    Ok(csv_download(&quarter, quarters::results_csv(&state.db, &user, &quarter).await?))
}

/// A quarter's results as a CSV download (the API and the board's link answer the same).
pub(crate) fn csv_download(quarter: &str, csv: String) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"agora-{quarter}-results.csv\""),
        ))
        .body(csv)
}
