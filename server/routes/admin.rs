//! Admin pages: the overview and user administration. Everyone else gets 404.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::accounts::{self, AdminUserChange};
use crate::auth::csrf::CsrfForm;
use crate::db::models::users;
use crate::domain::account::Role;
use crate::error::AppError;
use crate::pages::admin::{AdminHome, AnalyticsPage, Chart, SettingsPage, SiteForm, UsersPage};
use crate::pages::{PageError, SignedIn, admin_only, flash, render, see_other};
use crate::state::AppState;

type PageResult = Result<HttpResponse, PageError>;

/// Accounts per page of the list.
const PAGE: i64 = 50;

/// GET /admin
pub async fn home(state: web::Data<AppState>, SignedIn(user, ctx): SignedIn) -> PageResult {
    admin_only(&user)?;
    let waiting = crate::moderation::queue::waiting(&state.db, &user).await?;
    render(StatusCode::OK, &AdminHome { ctx, waiting })
}

/// `?q=&cursor=` on the users page.
#[derive(Deserialize)]
pub struct UsersQuery {
    #[serde(default)]
    q: String,
    cursor: Option<i64>,
}

/// GET /admin/users
pub async fn users(
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    query: web::Query<UsersQuery>,
) -> PageResult {
    admin_only(&user)?;
    let UsersQuery { q, cursor } = query.into_inner();
    let search = q.clone();
    let found = state.db.read(move |c| Ok(users::admin_list(c, &search, cursor, PAGE)?)).await?;
    let next =
        (found.len() == usize::try_from(PAGE).unwrap_or(50)).then(|| found.last().map(|u| u.id)).flatten();
    render(StatusCode::OK, &UsersPage { ctx, q, users: found, next })
}

/// The invitation form.
#[derive(Deserialize)]
pub struct InviteForm {
    email: String,
    role: String,
}

/// POST /admin/invitations: the invitation goes out by mail.
pub async fn invite(
    req: HttpRequest,
    state: web::Data<AppState>,
    SignedIn(user, _): SignedIn,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> PageResult {
    admin_only(&user)?;
    let role = Role::parse(&form.role).unwrap_or(Role::Employee);
    let notice = match accounts::invite(&state.db, &state.mail, &user, &form.email, role).await {
        Ok(_) => format!("Invitation sent to {}.", form.email.trim()),
        Err(error @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            format!("No invitation sent: {error}")
        }
        Err(other) => return Err(other.into()),
    };
    flash(&req, &notice);
    Ok(see_other("/admin/users"))
}

/// The role and status form of one account.
#[derive(Deserialize)]
pub struct ChangeForm {
    role: String,
    active: bool,
}

/// POST /admin/users/<handle>: role and status; deactivation ends sessions at once.
pub async fn change(
    req: HttpRequest,
    state: web::Data<AppState>,
    SignedIn(user, _): SignedIn,
    handle: web::Path<String>,
    CsrfForm(form): CsrfForm<ChangeForm>,
) -> PageResult {
    admin_only(&user)?;
    let role = Role::parse(&form.role).map_err(|e| AppError::field("role", e))?;
    let change = AdminUserChange { role: Some(role), active: Some(form.active) };
    let notice = match accounts::admin_update(&state.db, &user, &handle, change).await {
        Ok(changed) => format!("Saved {}.", changed.name),
        Err(error @ AppError::Conflict(_)) => format!("Nothing changed: {error}"),
        Err(other) => return Err(other.into()),
    };
    flash(&req, &notice);
    Ok(see_other(&format!("/admin/users?q={}", handle.as_str())))
}

/// POST /admin/users/<handle>/reset: mails the person a reset link.
pub async fn send_reset(
    req: HttpRequest,
    state: web::Data<AppState>,
    SignedIn(user, _): SignedIn,
    handle: web::Path<String>,
    CsrfForm(_): CsrfForm<serde::de::IgnoredAny>,
) -> PageResult {
    admin_only(&user)?;
    let notice = match crate::password_reset::send_by_admin(&state.db, &state.mail, &user, &handle).await {
        Ok(()) => "A password reset link is on its way.".to_owned(),
        Err(error @ AppError::Conflict(_)) => format!("No mail sent: {error}"),
        Err(other) => return Err(other.into()),
    };
    flash(&req, &notice);
    Ok(see_other(&format!("/admin/users?q={}", handle.as_str())))
}

/// GET /admin/analytics
pub async fn analytics(state: web::Data<AppState>, SignedIn(user, ctx): SignedIn) -> PageResult {
    admin_only(&user)?;
    let report = crate::analytics::current(&state.db).await?;
    let weeks = &report.weeks;
    let charts = vec![
        Chart::weekly("active", "Active people", weeks, |w| w.active),
        Chart::weekly("posts", "Posts", weeks, |w| w.posts),
        Chart::weekly("comments", "Comments", weeks, |w| w.comments),
        Chart::weekly("votes", "Votes", weeks, |w| w.votes),
        Chart::weekly("ideas", "Ideas submitted", weeks, |w| w.ideas),
    ];
    render(StatusCode::OK, &AnalyticsPage { ctx, charts, report })
}

/// `?table=weekly|funnel` of the CSV download.
#[derive(Deserialize)]
pub struct CsvQuery {
    #[serde(default)]
    table: String,
}

/// GET /admin/analytics.csv
pub async fn analytics_csv(
    state: web::Data<AppState>,
    SignedIn(user, _): SignedIn,
    query: web::Query<CsvQuery>,
) -> PageResult {
    admin_only(&user)?;
    let report = crate::analytics::current(&state.db).await?;
    let (body, name) = match query.table.as_str() {
        "funnel" => (crate::analytics::funnel_csv(&report)?, "agora-ideas-per-state.csv"),
        "weekly" | "" => (crate::analytics::weekly_csv(&report)?, "agora-weekly.csv"),
        _ => return Err(AppError::field("table", "ask for table=weekly or table=funnel").into()),
    };
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{name}\"")))
        .body(body))
}

/// GET /admin/settings
pub async fn settings(state: web::Data<AppState>, SignedIn(user, ctx): SignedIn) -> PageResult {
    admin_only(&user)?;
    let form = SiteForm::of(&state.site.editable());
    render(StatusCode::OK, &SettingsPage { ctx, form, errors: Default::default() })
}

/// POST /admin/settings: every field is checked; nothing is saved unless all are right.
pub async fn save_settings(
    req: HttpRequest,
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    CsrfForm(form): CsrfForm<SiteForm>,
) -> PageResult {
    admin_only(&user)?;
    let saved = match form.parse() {
        Ok(changes) => state.site.save(&state.db, user.id, changes).await,
        Err(e) => Err(e),
    };
    match saved {
        Ok(()) => {
            flash(&req, "Settings saved.");
            Ok(see_other("/admin/settings"))
        }
        Err(error @ AppError::Invalid { .. }) => {
            let errors = error.messages_for("site_name");
            crate::pages::render_rejected(&error, &SettingsPage { ctx, form, errors })
        }
        Err(other) => Err(other.into()),
    }
}
