//! The review board in the browser: the front page and archive, closing a quarter, a
//! quarter's board with scoring and decision forms, and the results download.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, web};

use crate::auth::csrf::CsrfForm;
use crate::db::models::users::User;
use crate::domain::account::Role;
use crate::error::AppError;
use crate::pages::review::{BoardPage, Refused, ReviewIndexPage};
use crate::pages::{PageCtx, PageError, SignedIn, flash, render_outcome, see_other};
use crate::quarters::{self, DecisionInput, ScoreInput};
use crate::state::AppState;

type PageResult = Result<HttpResponse, PageError>;
type Fields = HashMap<String, String>;

async fn index_page(state: &AppState, user: &User, ctx: PageCtx, refused: Option<AppError>) -> PageResult {
    let overview = crate::board::overview(&state.db, user).await?;
    let errors = refused.as_ref().map(|e| e.messages_for("quarter")).unwrap_or_default();
    render_outcome(refused, &ReviewIndexPage { ctx, overview, admin: user.role() == Role::Admin, errors })
}

/// GET /review
pub async fn index(state: web::Data<AppState>, SignedIn(user, ctx): SignedIn) -> PageResult {
    index_page(&state, &user, ctx, None).await
}

/// POST /review/{quarter}/close: an admin closes a quarter; before it has ended only with
/// the `early` box ticked.
pub async fn close(
    req: HttpRequest,
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    quarter: web::Path<String>,
    CsrfForm(form): CsrfForm<Fields>,
) -> PageResult {
    if user.role() != Role::Admin {
        return Err(AppError::NotFound.into());
    }
    let early = form.get("early").is_some_and(|v| !v.is_empty());
    match quarters::close(&state.db, &state.site.current(), Some(&user), &quarter, early).await {
        Ok((view, created)) => {
            let notice = if created {
                format!("{} closed: {} ideas entered review.", view.docket.quarter, view.entries.len())
            } else {
                format!("{} was already closed; nothing changed.", view.docket.quarter)
            };
            flash(&req, &notice);
            Ok(see_other(&format!("/review/{}", view.docket.quarter)))
        }
        Err(error @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            index_page(&state, &user, ctx, Some(error)).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn board_page(
    state: &AppState,
    user: &User,
    ctx: PageCtx,
    quarter: &str,
    refused: Option<(AppError, Refused)>,
) -> PageResult {
    let board = crate::board::load(&state.db, state.search()?, user, quarter).await?;
    let live_since = crate::live::since(&state.db).await?;
    let (error, refused) = refused.unzip();
    render_outcome(error, &BoardPage { ctx, board, live_since, refused })
}

/// GET /review/{quarter}
pub async fn board(
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    quarter: web::Path<String>,
) -> PageResult {
    board_page(&state, &user, ctx, &quarter, None).await
}

/// GET /review/{quarter}/results.csv
pub async fn results(
    state: web::Data<AppState>,
    SignedIn(user, _): SignedIn,
    quarter: web::Path<String>,
) -> PageResult {
    let csv = quarters::results_csv(&state.db, &user, &quarter).await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"agora-{quarter}-results.csv\""),
        ))
        .body(csv))
}

/// A 1–5 rating from a form; anything else becomes 0, which the rules refuse by name.
fn rating(form: &Fields, name: &str) -> i32 {
    form.get(name).and_then(|v| v.trim().parse().ok()).unwrap_or(0)
}

/// After a board form: back to the brief, or the board again with the refusal beside it.
async fn answer(
    state: &AppState,
    user: &User,
    ctx: PageCtx,
    id: i64,
    form: Fields,
    outcome: Result<String, AppError>,
) -> PageResult {
    match outcome {
        Ok(quarter) => Ok(see_other(&format!("/review/{quarter}#brief-{id}"))),
        Err(error @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            let quarter = quarters::quarter_of_idea(&state.db, id).await?;
            let refused = Refused { idea: id, errors: error.messages_for("form"), typed: form };
            board_page(state, user, ctx, &quarter, Some((error, refused))).await
        }
        Err(other) => Err(other.into()),
    }
}

/// POST /ideas/{id}/reviews: an executive's rubric score.
pub async fn score(
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<Fields>,
) -> PageResult {
    let input = ScoreInput {
        impact: rating(&form, "impact"),
        feasibility: rating(&form, "feasibility"),
        fit: rating(&form, "fit"),
        comment: form.get("comment").cloned().unwrap_or_default(),
    };
    let outcome = quarters::score(&state.db, &user, *id, input).await;
    answer(&state, &user, ctx, *id, form, outcome).await
}

/// Reads a budget as people type it: `50000`, `50,000`, `50 000`.
fn budget(form: &Fields) -> Result<Option<i64>, AppError> {
    let raw: String = form
        .get("budget")
        .map(|b| b.chars().filter(|c| !matches!(c, ',' | ' ' | '_')).collect())
        .unwrap_or_default();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse()
        .map(Some)
        .map_err(|_| AppError::field("budget", "write the budget as a whole number, e.g. 50000"))
}

/// POST /ideas/{id}/decision: the board's decision, or a change to it.
pub async fn decide(
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<Fields>,
) -> PageResult {
    let text = |name: &str| form.get(name).cloned().unwrap_or_default();
    let outcome = match budget(&form) {
        Ok(budget) => {
            let input = DecisionInput {
                decision: text("decision"),
                rationale: text("rationale"),
                budget,
                sponsor: Some(text("sponsor")),
                revises: form.get("revises").and_then(|r| r.parse().ok()),
            };
            quarters::decide(&state.db, &user, *id, input).await.map(|d| d.quarter)
        }
        Err(error) => Err(error),
    };
    answer(&state, &user, ctx, *id, form, outcome).await
}
