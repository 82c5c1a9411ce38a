//! Reporting from pages, the moderation queue, the audit log and communities' moderation
//! logs.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::auth::csrf::CsrfForm;
use crate::db::models::audit::{self, AuditQuery};
use crate::db::models::users;
use crate::error::AppError;
use crate::moderation::actions::{self, ActionInput};
use crate::moderation::{self as moderation, ReportInput, queue};
use crate::pages::moderation::{AuditPage, CommunityLogPage, LogLine, QueuePage};
use crate::pages::{PageError, SignedIn, admin_only, flash, local_path, render, see_other};
use crate::state::AppState;

type PageResult = Result<HttpResponse, PageError>;

/// POST /report: files the report and goes back to the item.
pub async fn report(
    req: HttpRequest,
    state: web::Data<AppState>,
    SignedIn(user, _): SignedIn,
    CsrfForm(form): CsrfForm<ReportInput>,
) -> PageResult {
    let back = match form.target_type.as_str() {
        "idea" => format!("/ideas/{}", form.target_id),
        _ => req
            .headers()
            .get("referer")
            .and_then(|r| r.to_str().ok())
            .and_then(|r| {
                r.split_once("://").and_then(|(_, rest)| rest.find('/').map(|at| rest[at..].to_owned()))
            })
            .unwrap_or_else(|| "/".into()),
    };
    match moderation::report(&state.db, &state.site.current(), &user, form).await {
        Ok(created) => {
            let notice = if created {
                "Thank you: the moderators will look at your report."
            } else {
                "You reported this already; the moderators have it."
            };
            flash(&req, notice);
            Ok(see_other(&local_path(Some(&back))))
        }
        Err(error @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            flash(&req, &format!("The report was not sent: {error}"));
            Ok(see_other(&local_path(Some(&back))))
        }
        Err(other) => Err(other.into()),
    }
}

/// GET /admin/moderation: moderators and admins only (others get 404).
pub async fn queue(state: web::Data<AppState>, SignedIn(user, ctx): SignedIn) -> PageResult {
    if !queue::moderates_somewhere(&state.db, &user).await? {
        return Err(AppError::NotFound.into());
    }
    let entries = queue::open(&state.db, &user).await?;
    render(StatusCode::OK, &QueuePage { ctx, entries })
}

/// The moderation form on the queue page.
#[derive(Deserialize)]
pub struct ActionForm {
    target_type: String,
    target_id: i64,
    action: String,
    #[serde(default)]
    reason: String,
    /// A date (`YYYY-MM-DD`) for a ban; empty for none.
    #[serde(default)]
    until: String,
}

/// POST /admin/moderation/act
pub async fn act(
    req: HttpRequest,
    state: web::Data<AppState>,
    SignedIn(user, _): SignedIn,
    CsrfForm(form): CsrfForm<ActionForm>,
) -> PageResult {
    let until = match form.until.trim() {
        "" => None,
        date => Some(
            chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d")
                .map_err(|_| AppError::field("until", "give the date as YYYY-MM-DD"))?
                .and_time(chrono::NaiveTime::MIN),
        ),
    };
    let input = ActionInput {
        target_type: form.target_type,
        target_id: form.target_id,
        action: form.action,
        reason: form.reason,
        until,
    };
    let notice = match actions::act(&state.db, &user, input).await {
        Ok(done) => format!("Done: {} ({} reports settled).", done.action.as_str(), done.reports_resolved),
        Err(error @ (AppError::Invalid { .. } | AppError::Conflict(_) | AppError::Forbidden(_))) => {
            format!("Nothing was changed: {error}")
        }
        Err(other) => return Err(other.into()),
    };
    flash(&req, &notice);
    Ok(see_other("/admin/moderation"))
}

/// Filters of the audit page.
#[derive(Deserialize)]
pub struct AuditFilters {
    #[serde(default)]
    action: String,
    #[serde(default)]
    actor: String,
    cursor: Option<i64>,
}

/// Entries per page of the audit log.
const AUDIT_PAGE: i64 = 100;

/// GET /admin/audit: admins only.
pub async fn audit(
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    filters: web::Query<AuditFilters>,
) -> PageResult {
    admin_only(&user)?;
    let AuditFilters { action, actor, cursor } = filters.into_inner();
    let (action_filter, handle) = (action.trim().to_owned(), actor.trim().to_lowercase());
    let entries = state
        .db
        .read(move |c| {
            let actor_id = match handle.as_str() {
                "" => None,
                handle => Some(users::by_handle(c, handle)?.map_or(-1, |u| u.id)),
            };
            let query = AuditQuery {
                actor_id,
                action: (!action_filter.is_empty()).then_some(action_filter),
                before: cursor,
                limit: AUDIT_PAGE,
                ..AuditQuery::default()
            };
            Ok(audit::list(c, &query)?)
        })
        .await?;
    let next = (entries.len() == usize::try_from(AUDIT_PAGE).unwrap_or(100))
        .then(|| entries.last().map(|e| e.id))
        .flatten();
    render(StatusCode::OK, &AuditPage { ctx, lines: LogLine::all(entries), action, actor, next })
}

/// GET /c/<slug>/moderation: the community's moderation log, for its members.
pub async fn community_log(
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    slug: web::Path<String>,
) -> PageResult {
    let (located, entries) = moderation::community_log(&state.db, &user, &slug).await?;
    let page = CommunityLogPage {
        ctx,
        slug: located.community.slug,
        name: located.community.name,
        lines: LogLine::all(entries),
    };
    render(StatusCode::OK, &page)
}
