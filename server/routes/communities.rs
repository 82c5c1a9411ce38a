//! Community pages: directory, create, community, join/leave, members and moderation.

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde::de::IgnoredAny;

use crate::auth::csrf::CsrfForm;
use crate::communities::{self, CommunityInput};
use crate::domain::community::{MemberRole, MemberState, Visibility};
use crate::error::{AppError, FieldErrors};
use crate::pages::communities::{CommunityPage, DirectoryList, DirectoryPage, MembersPage, NewCommunityPage};
use crate::pages::{PageCtx, PageError, SignedIn, flash, render, render_outcome, render_rejected, see_other};
use crate::posts::{self, PostInput};
use crate::state::AppState;

type PageResult = Result<HttpResponse, PageError>;

/// Communities per directory page.
const DIRECTORY_PAGE: i64 = 30;
/// Posts per community page.
const FEED_PAGE: i64 = 20;

/// `?q=&after=&partial=` on the directory.
#[derive(Deserialize)]
pub struct DirectoryQuery {
    #[serde(default)]
    q: String,
    after: Option<String>,
    partial: Option<u8>,
}

/// GET /c
pub async fn directory(
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    query: web::Query<DirectoryQuery>,
) -> PageResult {
    let after = query.after.as_deref().and_then(|a| {
        let (count, id) = a.split_once('.')?;
        Some((count.parse().ok()?, id.parse().ok()?))
    });
    let rows = communities::directory(&state.db, &user, Some(query.q.clone()), after, DIRECTORY_PAGE).await?;
    let next = (rows.len() as i64 == DIRECTORY_PAGE)
        .then(|| {
            rows.last()
                .map(|(c, _)| format!("/c?q={}&after={}.{}", urlencode(&query.q), c.member_count, c.id))
        })
        .flatten();
    if query.partial.is_some() {
        return render(StatusCode::OK, &DirectoryList { rows, next });
    }
    render(StatusCode::OK, &DirectoryPage { ctx, search: query.q.clone(), rows, next })
}

fn urlencode(text: &str) -> String {
    serde_urlencoded::to_string([("", text)])
        .map(|s| s.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

/// GET /c/new
pub async fn new_form(SignedIn(_, ctx): SignedIn) -> PageResult {
    render(
        StatusCode::OK,
        &NewCommunityPage { ctx, form: CommunityInput::default(), errors: FieldErrors::new() },
    )
}

/// POST /c
pub async fn create(
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    CsrfForm(form): CsrfForm<CommunityInput>,
) -> PageResult {
    match communities::create(&state.db, &state.settings, &user, form.clone()).await {
        Ok(community) => Ok(see_other(&format!("/c/{}", community.slug))),
        Err(error @ AppError::Invalid { .. }) => {
            let errors = error.messages_for("name");
            render_rejected(&error, &NewCommunityPage { ctx, form, errors })
        }
        Err(other) => Err(other.into()),
    }
}

/// `?before=` on feeds.
#[derive(Deserialize)]
pub struct Before {
    before: Option<i64>,
}

async fn community_page(
    state: &AppState,
    user: &crate::db::models::users::User,
    ctx: PageCtx,
    slug: &str,
    before: Option<i64>,
    draft: PostInput,
    rejected: Option<AppError>,
) -> PageResult {
    let live_since = crate::live::since(&state.db).await?;
    let (located, cards) = posts::list(&state.db, user, slug, before, FEED_PAGE).await?;
    let next = (cards.len() as i64 == FEED_PAGE)
        .then(|| cards.last().map(|c| format!("/c/{}?before={}", located.community.slug, c.post.id)))
        .flatten();
    let errors = rejected.as_ref().map(|e| e.messages_for("body")).unwrap_or_default();
    let page = CommunityPage { ctx, located, cards, next, draft, errors, live_since };
    render_outcome(rejected, &page)
}

/// GET /c/{slug}: the page, or with `Accept: application/activity+json` the community's
/// activity as ActivityStreams.
pub async fn show(
    req: actix_web::HttpRequest,
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    slug: web::Path<String>,
    query: web::Query<Before>,
) -> PageResult {
    if crate::activitystreams::wanted(&req) {
        let (located, rows) =
            crate::feeds::community(&state.db, &user, &slug, query.before, FEED_PAGE).await?;
        let base = state.settings.base_url();
        let id = format!("{base}/c/{}", located.community.slug);
        let next = (rows.len() as i64 == FEED_PAGE)
            .then(|| rows.last().map(|(a, ..)| format!("{id}?before={}", a.id)))
            .flatten();
        return Ok(crate::activitystreams::page_response(&base, id, next, &rows));
    }
    let draft = PostInput { kind: "discussion".into(), ..PostInput::default() };
    community_page(&state, &user, ctx, &slug, query.before, draft, None).await
}

/// POST /c/{slug}/posts
pub async fn create_post(
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    slug: web::Path<String>,
    CsrfForm(form): CsrfForm<PostInput>,
) -> PageResult {
    let created =
        async { posts::create(&state.db, &user, &slug, form.clone(), state.attach(&form.uploads)?).await }
            .await;
    match created {
        Ok(id) => Ok(see_other(&format!("/c/{slug}#post-{id}"))),
        Err(error @ (AppError::Invalid { .. } | AppError::Forbidden(_) | AppError::Conflict(_))) => {
            community_page(&state, &user, ctx, &slug, None, form, Some(error)).await
        }
        Err(other) => Err(other.into()),
    }
}

/// POST /c/{slug}/join
pub async fn join(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    SignedIn(user, _): SignedIn,
    slug: web::Path<String>,
    _csrf: CsrfForm<IgnoredAny>,
) -> PageResult {
    let notice = match communities::join(&state.db, &user, &slug).await? {
        MemberState::Pending => "Request sent. A moderator will review it.",
        _ => "Welcome! You are now a member.",
    };
    flash(&req, notice);
    Ok(see_other(&format!("/c/{slug}")))
}

/// POST /c/{slug}/leave
pub async fn leave(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    SignedIn(user, _): SignedIn,
    slug: web::Path<String>,
    _csrf: CsrfForm<IgnoredAny>,
) -> PageResult {
    communities::leave(&state.db, &user, &slug).await?;
    flash(&req, "You left the community.");
    Ok(see_other(&format!("/c/{slug}")))
}

async fn members_page(
    state: &AppState,
    user: &crate::db::models::users::User,
    ctx: PageCtx,
    slug: &str,
    rejected: Option<AppError>,
) -> PageResult {
    let (located, members) = communities::members(&state.db, user, slug, MemberState::Active).await?;
    let (pending, invited) = if located.may(crate::domain::policy::Action::Moderate) {
        let (_, pending) = communities::members(&state.db, user, slug, MemberState::Pending).await?;
        let (_, invited) = communities::members(&state.db, user, slug, MemberState::Invited).await?;
        (pending, invited)
    } else {
        (Vec::new(), Vec::new())
    };
    let errors = rejected.as_ref().map(|e| e.messages_for("handle")).unwrap_or_default();
    let page = MembersPage { ctx, located, members, pending, invited, errors };
    render_outcome(rejected, &page)
}

/// GET /c/{slug}/members
pub async fn members(
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    slug: web::Path<String>,
) -> PageResult {
    members_page(&state, &user, ctx, &slug, None).await
}

/// The invite form.
#[derive(Deserialize)]
pub struct InviteForm {
    handle: String,
}

/// POST /c/{slug}/invite
pub async fn invite(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    SignedIn(user, ctx): SignedIn,
    slug: web::Path<String>,
    CsrfForm(form): CsrfForm<InviteForm>,
) -> PageResult {
    match communities::invite(&state.db, &user, &slug, &form.handle).await {
        Ok(()) => {
            flash(&req, &format!("Invited @{}.", form.handle.trim().trim_start_matches('@')));
            Ok(see_other(&format!("/c/{slug}/members")))
        }
        Err(error @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            members_page(&state, &user, ctx, &slug, Some(error)).await
        }
        Err(other) => Err(other.into()),
    }
}

/// POST /c/{slug}/members/{handle}/{decision} (approve | deny | remove). A refusal (the
/// last owner, someone no longer a member) shows on the members page.
pub async fn decide(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    SignedIn(user, ctx): SignedIn,
    path: web::Path<(String, String, String)>,
    _csrf: CsrfForm<IgnoredAny>,
) -> PageResult {
    let (slug, handle, decision) = path.into_inner();
    let done = match decision.as_str() {
        "approve" => communities::decide_request(&state.db, &user, &slug, &handle, true)
            .await
            .map(|()| "Request approved.".to_owned()),
        "deny" => communities::decide_request(&state.db, &user, &slug, &handle, false)
            .await
            .map(|()| "Request denied.".to_owned()),
        "remove" => communities::remove(&state.db, &user, &slug, &handle)
            .await
            .map(|()| format!("@{handle} is no longer a member.")),
        _ => return Err(AppError::NotFound.into()),
    };
    match done {
        Ok(done) => {
            flash(&req, &done);
            Ok(see_other(&format!("/c/{slug}/members")))
        }
        Err(error @ AppError::Conflict(_)) => members_page(&state, &user, ctx, &slug, Some(error)).await,
        Err(other) => Err(other.into()),
    }
}

/// The role form.
#[derive(Deserialize)]
pub struct RoleForm {
    role: String,
}

/// POST /c/{slug}/members/{handle}/role
pub async fn set_role(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    SignedIn(user, ctx): SignedIn,
    path: web::Path<(String, String)>,
    CsrfForm(form): CsrfForm<RoleForm>,
) -> PageResult {
    let (slug, handle) = path.into_inner();
    let role = MemberRole::parse(&form.role).map_err(|e| AppError::field("role", e))?;
    match communities::set_role(&state.db, &user, &slug, &handle, role).await {
        Ok(()) => {
            flash(&req, &format!("@{handle} is now {}.", role.as_str()));
            Ok(see_other(&format!("/c/{slug}/members")))
        }
        Err(error @ AppError::Conflict(_)) => members_page(&state, &user, ctx, &slug, Some(error)).await,
        Err(other) => Err(other.into()),
    }
}

/// POST /c/{slug}/archive
pub async fn archive(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    SignedIn(user, _): SignedIn,
    slug: web::Path<String>,
    _csrf: CsrfForm<IgnoredAny>,
) -> PageResult {
    communities::archive(&state.db, &user, &slug).await?;
    flash(&req, "The community is archived: everything stays readable; nothing new can be written.");
    Ok(see_other(&format!("/c/{slug}")))
}

/// The ownership form.
#[derive(Deserialize)]
pub struct TransferForm {
    handle: String,
}

/// POST /c/<slug>/transfer
pub async fn transfer(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    SignedIn(user, _): SignedIn,
    slug: web::Path<String>,
    CsrfForm(form): CsrfForm<TransferForm>,
) -> PageResult {
    let notice = match communities::transfer(&state.db, &user, &slug, &form.handle).await {
        Ok(()) => format!("@{} owns the community now.", form.handle.trim().trim_start_matches('@')),
        Err(error @ AppError::Conflict(_)) => format!("Nothing changed: {error}"),
        Err(other) => return Err(other.into()),
    };
    flash(&req, &notice);
    Ok(see_other(&format!("/c/{slug}/members")))
}

/// The visibility form.
#[derive(Deserialize)]
pub struct VisibilityForm {
    visibility: String,
    /// The "yes, show everything" checkbox for opening a private community.
    #[serde(default)]
    confirm: Option<String>,
}

/// POST /c/<slug>/visibility
pub async fn set_visibility(
    state: web::Data<AppState>,
    req: actix_web::HttpRequest,
    SignedIn(user, _): SignedIn,
    slug: web::Path<String>,
    CsrfForm(form): CsrfForm<VisibilityForm>,
) -> PageResult {
    let visibility = Visibility::parse(&form.visibility).map_err(|e| AppError::field("visibility", e))?;
    let notice = match communities::set_visibility(
        &state.db,
        &user,
        &slug,
        visibility,
        form.confirm.is_some(),
    )
    .await
    {
        Ok(()) => format!("The community is {} now.", visibility.as_str()),
        Err(error @ (AppError::Conflict(_) | AppError::Invalid { .. })) => {
            format!("Nothing changed: {error}")
        }
        Err(other) => return Err(other.into()),
    };
    flash(&req, &notice);
    Ok(see_other(&format!("/c/{slug}/members")))
}
