//! Idea pages: list, submit, read, vote, follow, comment, move, merge.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::{CommentForm, Toggle};
use crate::auth::csrf::CsrfForm;
use crate::db::models::ideas::Idea;
use crate::db::models::users::User;
use crate::error::AppError;
use crate::ideas::{self, IdeaInput, ListFilter};
use crate::pages::ideas::{ChallengePage, IdeaView, IdeasPage, LeaderboardPage, NewIdeaPage};
use crate::pages::{PageCtx, PageError, SignedIn, flash, render, render_outcome, render_rejected, see_other};
use crate::state::AppState;

type PageResult = Result<HttpResponse, PageError>;

/// GET /ideas
pub async fn list(
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    filter: web::Query<ListFilter>,
) -> PageResult {
    let filter = filter.into_inner();
    let sort = match filter.sort.as_deref() {
        Some("new") => "new",
        Some("trending") => "trending",
        _ => "top",
    };
    let (ideas, cursor) =
        ideas::list(&state.db, &user, ListFilter { sort: Some(sort.into()), ..filter.clone() }).await?;
    let next = cursor.map(|c| {
        let rest = serde_urlencoded::to_string(ListFilter {
            cursor: Some(c),
            sort: Some(sort.into()),
            ..filter.clone()
        });
        format!("/ideas?{}", rest.unwrap_or_default())
    });
    let challenges = ideas::challenges(&state.db).await?;
    let may_pose =
        matches!(user.role(), crate::domain::account::Role::Executive | crate::domain::account::Role::Admin);
    render(
        StatusCode::OK,
        &IdeasPage {
            ctx,
            filter,
            sort,
            ideas,
            next,
            challenges,
            may_pose,
            challenge: Default::default(),
            errors: Default::default(),
        },
    )
}

/// POST /challenges
pub async fn create_challenge(
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    CsrfForm(form): CsrfForm<ideas::ChallengeInput>,
) -> PageResult {
    match ideas::create_challenge(&state.db, &user, form.clone()).await {
        Ok(id) => Ok(see_other(&format!("/challenges/{id}"))),
        Err(error @ AppError::Invalid { .. }) => {
            let errors = error.messages_for("title");
            let (ideas, _) = ideas::list(&state.db, &user, ListFilter::default()).await?;
            let challenges = ideas::challenges(&state.db).await?;
            let filter = ListFilter::default();
            render_rejected(
                &error,
                &IdeasPage {
                    ctx,
                    filter,
                    sort: "top",
                    ideas,
                    next: None,
                    challenges,
                    may_pose: true,
                    challenge: form,
                    errors,
                },
            )
        }
        Err(other) => Err(other.into()),
    }
}

/// GET /challenges/{id}
pub async fn challenge(
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    id: web::Path<i64>,
) -> PageResult {
    let (challenge, ideas) = ideas::challenge(&state.db, &user, *id).await?;
    let open = challenge.deadline > crate::db::models::now();
    render(StatusCode::OK, &ChallengePage { ctx, challenge, ideas, open })
}

/// `?quarter=` on the leaderboard.
#[derive(Deserialize)]
pub struct QuarterQuery {
    quarter: Option<String>,
}

/// GET /leaderboard
pub async fn leaderboard(
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    query: web::Query<QuarterQuery>,
) -> PageResult {
    let quarter = query
        .quarter
        .clone()
        .filter(|q| !q.is_empty())
        .unwrap_or_else(|| crate::domain::idea::quarter_of(crate::db::models::now()));
    let points = match crate::domain::quarter::Quarter::parse(&quarter) {
        Ok(q) => crate::gamification::leaders(&state.db, &q, 10).await?,
        Err(_) => Vec::new(),
    };
    let board = ideas::leaderboard(&state.db, &user, quarter).await?;
    render(StatusCode::OK, &LeaderboardPage { ctx, board, points })
}

async fn new_page(
    state: &AppState,
    user: &User,
    ctx: PageCtx,
    form: IdeaInput,
    rejected: Option<AppError>,
) -> PageResult {
    let user_id = user.id;
    let communities =
        state.db.read(move |c| Ok(crate::db::models::communities::joined_by(c, user_id)?)).await?;
    let errors = rejected.as_ref().map(|e| e.messages_for("title")).unwrap_or_default();
    render_outcome(rejected, &NewIdeaPage { ctx, form, communities, errors, editing: None })
}

/// `?challenge=` on the submission form.
#[derive(Deserialize)]
pub struct ChallengeQuery {
    challenge: Option<i64>,
}

/// GET /ideas/new
pub async fn new_form(
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    query: web::Query<ChallengeQuery>,
) -> PageResult {
    let form = IdeaInput { submit: true, challenge: query.challenge, ..IdeaInput::default() };
    new_page(&state, &user, ctx, form, None).await
}

/// The submission form (its two buttons say whether to submit or keep a draft).
#[derive(Deserialize)]
pub struct IdeaForm {
    title: String,
    #[serde(default)]
    problem: String,
    #[serde(default)]
    proposal: String,
    #[serde(default)]
    benefit: String,
    #[serde(default)]
    tags: String,
    #[serde(default)]
    community: String,
    #[serde(default)]
    challenge: String,
    #[serde(default)]
    action: String,
    #[serde(default, deserialize_with = "crate::files::ids")]
    uploads: Vec<i64>,
}

/// POST /ideas
pub async fn create(
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    CsrfForm(form): CsrfForm<IdeaForm>,
) -> PageResult {
    let input = IdeaInput {
        title: form.title,
        problem: form.problem,
        proposal: form.proposal,
        benefit: form.benefit,
        tags: form.tags,
        community: Some(form.community).filter(|c| !c.is_empty()),
        challenge: form.challenge.trim().parse().ok(),
        submit: form.action != "draft",
        uploads: form.uploads,
    };
    let created =
        async { ideas::create(&state.db, &user, input.clone(), state.attach(&input.uploads)?).await }.await;
    match created {
        Ok(id) => Ok(see_other(&format!("/ideas/{id}"))),
        Err(error @ (AppError::Invalid { .. } | AppError::Forbidden(_))) => {
            new_page(&state, &user, ctx, input, Some(error)).await
        }
        Err(other) => Err(other.into()),
    }
}

/// Other ideas like this one, for the page's "Similar ideas" box.
async fn similar_to(state: &AppState, user: &User, page: &ideas::IdeaPage) -> Result<Vec<Idea>, AppError> {
    let text = (page.idea.title.as_str(), page.idea.problem.as_str());
    ideas::similar(&state.db, state.search()?, user, text, Some(page.idea.id)).await
}

async fn idea_page(
    state: &AppState,
    user: &User,
    ctx: PageCtx,
    id: i64,
    draft: String,
    rejected: Option<AppError>,
) -> PageResult {
    let live_since = crate::live::since(&state.db).await?;
    let page = ideas::view(&state.db, user, id).await?;
    let similar = similar_to(state, user, &page).await?;
    let errors = rejected.as_ref().map(|e| e.messages_for("note")).unwrap_or_default();
    render_outcome(rejected, &IdeaView { ctx, page, similar, draft, errors, live_since })
}

/// GET /ideas/{id}
pub async fn show(
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    id: web::Path<i64>,
) -> PageResult {
    idea_page(&state, &user, ctx, *id, String::new(), None).await
}

/// GET /ideas/{id}/edit
pub async fn edit_form(
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    id: web::Path<i64>,
) -> PageResult {
    let page = ideas::view(&state.db, &user, *id).await?;
    if page.idea.author_id != Some(user.id) {
        return Err(AppError::Forbidden("only the author edits an idea").into());
    }
    let idea = page.idea;
    let form = IdeaInput {
        tags: idea.tag_list().join(" "),
        title: idea.title,
        problem: idea.problem,
        proposal: idea.proposal,
        benefit: idea.benefit,
        community: None,
        challenge: None,
        submit: false,
        uploads: Vec::new(),
    };
    let page =
        NewIdeaPage { ctx, form, communities: Vec::new(), errors: Default::default(), editing: Some(*id) };
    render(StatusCode::OK, &page)
}

/// POST /ideas/{id}/edit
pub async fn edit(
    state: web::Data<AppState>,
    req: HttpRequest,
    SignedIn(user, ctx): SignedIn,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<IdeaForm>,
) -> PageResult {
    let input = IdeaInput {
        title: form.title,
        problem: form.problem,
        proposal: form.proposal,
        benefit: form.benefit,
        tags: form.tags,
        community: None,
        challenge: None,
        submit: false,
        uploads: Vec::new(),
    };
    match ideas::edit(&state.db, &user, *id, input.clone()).await {
        Ok(()) => {
            flash(&req, "Saved.");
            Ok(see_other(&format!("/ideas/{id}")))
        }
        Err(error @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            let errors = error.messages_for("title");
            render_rejected(
                &error,
                &NewIdeaPage { ctx, form: input, communities: Vec::new(), errors, editing: Some(*id) },
            )
        }
        Err(other) => Err(other.into()),
    }
}

/// POST /ideas/{id}/vote
pub async fn vote(
    state: web::Data<AppState>,
    SignedIn(user, _): SignedIn,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<Toggle>,
) -> PageResult {
    ideas::vote(&state.db, &user, *id, form.on()).await?;
    Ok(see_other(&format!("/ideas/{id}")))
}

/// POST /ideas/{id}/follow
pub async fn follow(
    req: HttpRequest,
    state: web::Data<AppState>,
    SignedIn(user, _): SignedIn,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<Toggle>,
) -> PageResult {
    ideas::follow(&state.db, &user, *id, form.on()).await?;
    flash(&req, if form.on() { "Following: you will hear of every change." } else { "Unfollowed." });
    Ok(see_other(&format!("/ideas/{id}")))
}

/// POST /ideas/{id}/comments
pub async fn comment(
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<CommentForm>,
) -> PageResult {
    let created = async {
        ideas::comment(&state.db, &user, *id, form.body.clone(), form.reply_to, state.attach(&form.uploads)?)
            .await
    }
    .await;
    match created {
        Ok(comment) => Ok(see_other(&format!("/ideas/{id}#comment-{comment}"))),
        Err(error @ (AppError::Invalid { .. } | AppError::Forbidden(_))) => {
            let errors = error.messages_for("body");
            let page = ideas::view(&state.db, &user, *id).await?;
            let similar = similar_to(&state, &user, &page).await?;
            render_rejected(&error, &IdeaView { ctx, page, similar, draft: form.body, errors, live_since: 0 })
        }
        Err(other) => Err(other.into()),
    }
}

/// POST /idea-comments/{id}/react/{kind}
pub async fn react_comment(
    state: web::Data<AppState>,
    SignedIn(user, _): SignedIn,
    path: web::Path<(i64, String)>,
    CsrfForm(form): CsrfForm<Toggle>,
) -> PageResult {
    let (id, kind) = path.into_inner();
    let kind = crate::domain::content::ReactionKind::parse(&kind).map_err(|_| AppError::NotFound)?;
    let idea = ideas::react_comment(&state.db, &user, id, kind, form.on()).await?;
    Ok(see_other(&format!("/ideas/{idea}#comment-{id}")))
}

/// POST /idea-comments/{id}/delete
pub async fn delete_comment(
    req: HttpRequest,
    state: web::Data<AppState>,
    SignedIn(user, _): SignedIn,
    id: web::Path<i64>,
    _csrf: CsrfForm<serde::de::IgnoredAny>,
) -> PageResult {
    let idea = ideas::delete_comment(&state.db, &user, *id).await?;
    flash(&req, "Comment deleted.");
    Ok(see_other(&format!("/ideas/{idea}")))
}

/// The transition form.
#[derive(Deserialize)]
pub struct TransitionForm {
    to: String,
    #[serde(default)]
    note: String,
}

/// POST /ideas/{id}/transition
pub async fn transition(
    req: HttpRequest,
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<TransitionForm>,
) -> PageResult {
    match ideas::transition(&state.db, &user, *id, &form.to, form.note).await {
        Ok(to) => {
            flash(&req, &format!("The idea is now: {}.", to.label().to_lowercase()));
            Ok(see_other(&format!("/ideas/{id}")))
        }
        Err(error @ AppError::Conflict(_)) => {
            idea_page(&state, &user, ctx, *id, String::new(), Some(error)).await
        }
        Err(other) => Err(other.into()),
    }
}

/// The merge form.
#[derive(Deserialize)]
pub struct MergeForm {
    into: String,
}

/// POST /ideas/{id}/merge
pub async fn merge(
    req: HttpRequest,
    state: web::Data<AppState>,
    SignedIn(user, ctx): SignedIn,
    id: web::Path<i64>,
    CsrfForm(form): CsrfForm<MergeForm>,
) -> PageResult {
    let Ok(into) = form.into.trim().trim_start_matches('#').parse::<i64>() else {
        let error = AppError::field("note", "enter the number of the idea to merge into, e.g. 42");
        return idea_page(&state, &user, ctx, *id, String::new(), Some(error)).await;
    };
    match ideas::merge(&state.db, &user, *id, into).await {
        Ok(()) => {
            flash(&req, "Merged: votes, followers and comments moved to this idea.");
            Ok(see_other(&format!("/ideas/{into}")))
        }
        Err(error @ (AppError::Conflict(_) | AppError::NotFound)) => {
            let error = match error {
                AppError::NotFound => {
                    AppError::Conflict(format!("there is no idea #{into} you can merge into"))
                }
                other => other,
            };
            idea_page(&state, &user, ctx, *id, String::new(), Some(error)).await
        }
        Err(other) => Err(other.into()),
    }
}
