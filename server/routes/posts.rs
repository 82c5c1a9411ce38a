//! Post pages: read, comment, react, accept, edit, delete, and the tag page.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde::de::IgnoredAny;

use super::{CommentForm, Toggle};
use crate::auth::csrf::CsrfForm;
use crate::db::models::users::User;
use crate::domain::content::{PostKind, ReactionKind};
use crate::error::{AppError, FieldErrors};
use crate::pages::posts::{EditPostPage, PostView, TagPage};
use crate::pages::{
    PageCtx, PageError, SignedIn, local_path, render, render_outcome, render_rejected, see_other,
};
use crate::posts::{self, Target};
use crate::state::AppState;

type PageResult = Result<HttpResponse, PageError>;

/// Posts per tag page.
const TAG_PAGE: i64 = 20;

async fn post_page(
    state: &AppState,
    user: &User,
    ctx: PageCtx,
    id: i64,
    draft: String,
    rejected: Option<AppError>,
) -> PageResult {
    let live_since = crate::live::since(&state.db).await?;
    let page = posts::view(&state.db, user, id).await?;
    let errors = rejected.as_ref().map(|e| e.messages_for("body")).unwrap_or_default();
    let view = PostView { ctx, page, draft, errors, live_since };
    render_outcome(rejected, &view)
}

/// GET /posts/{id}
pub async fn show(
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    id: web::Path<i64>,
) -> PageResult {
    post_page(&state, &user, ctx, *id, String::new(), None).await
}

/// POST /posts/{id}/comments
pub async fn comment(
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<CommentForm>,
) -> PageResult {
    let created = async {
        posts::comment(&state.db, &user, *id, form.body.clone(), form.reply_to, state.attach(&form.uploads)?)
            .await
    }
    .await;
    match created {
        Ok(comment_id) => Ok(see_other(&format!("/posts/{id}#comment-{comment_id}"))),
        Err(error @ (AppError::Invalid { .. } | AppError::Forbidden(_) | AppError::Conflict(_))) => {
            post_page(&state, &user, ctx, *id, form.body, Some(error)).await
        }
        Err(other) => Err(other.into()),
    }
}

/// POST /posts/{id}/react/{kind} and /comments/{id}/react/{kind}
pub async fn react(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(user, _): SignedIn,
    path: web::Path<(i64, String)>,
    CsrfForm(form): CsrfForm<Toggle>,
) -> PageResult {
    let (id, kind) = path.into_inner();
    let kind = ReactionKind::parse(&kind).map_err(|_| AppError::NotFound)?;
    let target = if req.path().starts_with("/comments/") { Target::Comment(id) } else { Target::Post(id) };
    let post_id = posts::react(&state.db, &user, target, kind, form.on()).await?;
    let anchor = match target {
        Target::Post(id) => format!("post-{id}"),
        Target::Comment(id) => format!("comment-{id}"),
    };
    // Back to where the button was (community feed or post page), at the item.
    let referer = req.headers().get("referer").and_then(|v| v.to_str().ok()).and_then(|r| {
        let path = r.split_once("://").map_or(r, |(_, rest)| rest.find('/').map_or("/", |i| &rest[i..]));
        Some(local_path(Some(path.split('#').next()?)))
    });
    Ok(see_other(&format!("{}#{anchor}", referer.unwrap_or_else(|| format!("/posts/{post_id}")))))
}

/// POST /posts/{id}/accept/{comment_id}
pub async fn accept(
    state: web::Data<AppState>,
    SignedIn(user, _): SignedIn,
    path: web::Path<(i64, i64)>,
    _csrf: CsrfForm<IgnoredAny>,
) -> PageResult {
    let (id, comment_id) = path.into_inner();
    posts::accept(&state.db, &user, id, comment_id).await?;
    Ok(see_other(&format!("/posts/{id}#comment-{comment_id}")))
}

/// GET /posts/{id}/edit
pub async fn edit_form(
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    id: web::Path<i64>,
) -> PageResult {
    let page = posts::view(&state.db, &user, *id).await?;
    if !page.can_change() {
        return Err(AppError::Forbidden("only the author or a moderator can edit this post").into());
    }
    let post = page.card.post;
    let needs_title = PostKind::parse(&post.kind).is_ok_and(PostKind::needs_title);
    render(
        StatusCode::OK,
        &EditPostPage {
            ctx,
            id: post.id,
            needs_title,
            title: post.title,
            body: post.body,
            errors: FieldErrors::new(),
        },
    )
}

/// The edit form.
#[derive(Deserialize)]
pub struct EditForm {
    #[serde(default)]
    title: String,
    body: String,
}

/// POST /posts/{id}/edit
pub async fn edit(
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<EditForm>,
) -> PageResult {
    match posts::edit(&state.db, &user, *id, form.title.clone(), form.body.clone()).await {
        Ok(()) => Ok(see_other(&format!("/posts/{id}"))),
        Err(error @ AppError::Invalid { .. }) => {
            let errors = error.messages_for("body");
            let page =
                EditPostPage { ctx, id: *id, needs_title: true, title: form.title, body: form.body, errors };
            render_rejected(&error, &page)
        }
        Err(other) => Err(other.into()),
    }
}

/// POST /posts/{id}/delete
pub async fn delete(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(user, _): SignedIn,
    id: web::Path<i64>,
    _csrf: CsrfForm<IgnoredAny>,
) -> PageResult {
    let slug = posts::delete(&state.db, &user, *id).await?;
    crate::pages::flash(&req, "Post deleted.");
    Ok(see_other(&format!("/c/{slug}")))
}

/// POST /comments/{id}/delete
pub async fn delete_comment(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(user, _): SignedIn,
    id: web::Path<i64>,
    _csrf: CsrfForm<IgnoredAny>,
) -> PageResult {
    let post_id = posts::delete_comment(&state.db, &user, *id).await?;
    crate::pages::flash(&req, "Comment deleted.");
    Ok(see_other(&format!("/posts/{post_id}")))
}

/// `?before=` on the tag page.
#[derive(Deserialize)]
pub struct Before {
    before: Option<i64>,
}

/// GET /tags/{tag}
pub async fn tag(
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    tag: web::Path<String>,
    query: web::Query<Before>,
) -> PageResult {
    let tag = tag.to_lowercase();
    let cards = posts::tagged(&state.db, &user, &tag, query.before, TAG_PAGE).await?;
    let next = (cards.len() as i64 == TAG_PAGE)
        .then(|| cards.last().map(|c| format!("/tags/{tag}?before={}", c.post.id)))
        .flatten();
    let following = crate::feeds::follows_tag(&state.db, &user, &tag).await?;
    render(StatusCode::OK, &TagPage { ctx, tag, cards, next, following })
}

/// POST /tags/{tag}/follow
pub async fn follow_tag(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(user, _): SignedIn,
    tag: web::Path<String>,
    CsrfForm(form): CsrfForm<Toggle>,
) -> PageResult {
    crate::feeds::follow_tag(&state.db, &user, &tag, form.on()).await?;
    let notice = if form.on() {
        "Following: new posts with this tag appear in your home feed."
    } else {
        "Unfollowed."
    };
    crate::pages::flash(&req, notice);
    Ok(see_other(&format!("/tags/{}", tag.to_lowercase())))
}
