//! Profile pages: view, follow, endorse a skill.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::Toggle;
use crate::accounts::ProfileInput;
use crate::auth::csrf::CsrfForm;
use crate::db::models::users::User;
use crate::domain::markdown;
use crate::error::{AppError, FieldErrors};
use crate::pages::people::{DirectoryPage, EditProfilePage, ImportPage, OrgPage, ProfilePage};
use crate::pages::{PageError, SignedIn, admin_only, flash, render, see_other};
use crate::people::DirectoryParams;
use crate::state::AppState;

/// GET /people (the directory) or /people?view=org[&root=handle] (the org chart)
pub async fn directory(
    state: web::Data<AppState>,
    SignedIn(_, ctx): SignedIn,
    params: web::Query<DirectoryParams>,
) -> Result<HttpResponse, PageError> {
    let params = params.into_inner();
    if params.view.as_deref() == Some("org") {
        let chart = crate::people::org_chart(&state.db, params.root).await?;
        return render(StatusCode::OK, &OrgPage { ctx, chart });
    }
    let directory = crate::people::directory(&state.db, params.clone()).await?;
    render(StatusCode::OK, &DirectoryPage { ctx, params, directory })
}

/// GET /people/{handle}
pub async fn show(
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    handle: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let profile = crate::people::profile(&state.db, &user, &handle).await?;
    let bio_html = markdown::render(&profile.person.bio);
    let standing = crate::gamification::standing(&state.db, profile.person.id).await?;
    render(StatusCode::OK, &ProfilePage { ctx, profile, bio_html, standing })
}

/// POST /people/{handle}/follow: their posts and ideas join the follower's home feed.
pub async fn follow(
    req: HttpRequest,
    state: web::Data<AppState>,
    SignedIn(user, _): SignedIn,
    handle: web::Path<String>,
    CsrfForm(form): CsrfForm<Toggle>,
) -> Result<HttpResponse, PageError> {
    crate::feeds::follow_user(&state.db, &user, &handle, form.on()).await?;
    flash(&req, if form.on() { "Following: their posts appear in your home feed." } else { "Unfollowed." });
    Ok(see_other(&format!("/people/{}", handle.to_lowercase())))
}

/// POST /people/{handle}/skills/{skill}/endorse
pub async fn endorse(
    state: web::Data<AppState>,
    SignedIn(user, _): SignedIn,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<Toggle>,
) -> Result<HttpResponse, PageError> {
    let (handle, skill) = path.into_inner();
    crate::people::endorse(&state.db, &user, &handle, &skill, form.on()).await?;
    Ok(see_other(&format!("/people/{}#skills-h", handle.to_lowercase())))
}

/// The person an admin edits; 404 for everyone else (people edit themselves on /settings).
async fn editable(state: &AppState, admin: &User, handle: &str) -> Result<User, PageError> {
    admin_only(admin)?;
    let handle = handle.trim_start_matches('@').to_lowercase();
    Ok(state
        .db
        .read(move |c| crate::db::models::users::by_handle(c, &handle)?.ok_or(AppError::NotFound))
        .await?)
}

/// GET /people/{handle}/edit (admins)
pub async fn edit_form(
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    handle: web::Path<String>,
) -> Result<HttpResponse, PageError> {
    let person = editable(&state, &user, &handle).await?;
    let profile = crate::people::profile_input(&state.db, &person).await?;
    render(StatusCode::OK, &EditProfilePage { ctx, person, profile, errors: FieldErrors::new() })
}

/// POST /people/{handle}/edit (admins): saved with the same checks as one's own, audited.
pub async fn edit(
    req: HttpRequest,
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    handle: web::Path<String>,
    CsrfForm(profile): CsrfForm<ProfileInput>,
) -> Result<HttpResponse, PageError> {
    let person = editable(&state, &user, &handle).await?;
    match crate::accounts::update_profile(&state.db, user.id, person.id, profile.clone()).await {
        Ok(()) => {
            flash(&req, "Profile saved.");
            Ok(see_other(&format!("/people/{}", person.handle)))
        }
        Err(error @ AppError::Invalid { .. }) => {
            let errors = error.messages_for("name");
            crate::pages::render_rejected(&error, &EditProfilePage { ctx, person, profile, errors })
        }
        Err(other) => Err(other.into()),
    }
}

/// GET /admin/people/import
pub async fn import_form(SignedIn(user, ctx): SignedIn) -> Result<HttpResponse, PageError> {
    admin_only(&user)?;
    render(StatusCode::OK, &ImportPage { ctx, dry_run: true, report: None })
}

/// POST /admin/people/import (multipart): checks the file and, unless it is a dry run
/// or anything is wrong, imports it.
pub async fn import(
    state: web::Data<AppState>,
    session: actix_session::Session,
    SignedIn(user, ctx): SignedIn,
    mut form: actix_multipart::Multipart,
) -> Result<HttpResponse, PageError> {
    use futures_util::StreamExt;
    admin_only(&user)?;
    let (mut csrf, mut dry_run, mut file) = (String::new(), false, Vec::new());
    while let Some(field) = form.next().await {
        let mut field =
            field.map_err(|e| AppError::BadRequest(format!("the upload is not a valid form: {e}")))?;
        let name = field.name().unwrap_or_default().to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| AppError::BadRequest(format!("the upload broke off: {e}")))?;
            if bytes.len() + chunk.len() > crate::routes::api::MAX_IMPORT_BYTES {
                return Err(AppError::PayloadTooLarge.into());
            }
            bytes.extend_from_slice(&chunk);
        }
        match name.as_str() {
            "csrf_token" => csrf = String::from_utf8_lossy(&bytes).into_owned(),
            "dry_run" => dry_run = true,
            "file" => file = bytes,
            _ => {}
        }
    }
    crate::auth::csrf::verify(&session, &csrf)?;
    let report = crate::import::run(&state.db, file, dry_run).await?;
    let status = if report.problems.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    render(status, &ImportPage { ctx, dry_run, report: Some(report) })
}
