//! Profile pages: view, follow, endorse a skill.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};

use super::Toggle;
use crate::auth::csrf::CsrfForm;
use crate::domain::markdown;
use crate::pages::people::{DirectoryPage, OrgPage, ProfilePage};
use crate::pages::{PageError, SignedIn, flash, render, see_other};
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
