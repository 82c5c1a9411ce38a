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
    let (view, created) = quarters::close(&state.db, &state.settings, Some(&admin), &quarter, early).await?;
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
