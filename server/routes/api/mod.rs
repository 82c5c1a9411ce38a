//! `/api/v1`: the JSON API (SPEC §10). Errors use SPEC's `{"error":{…}}` shape, including
//! bodies that are not JSON (400), have the wrong fields (422) or are too large (413).

mod admin;
pub use admin::MAX_IMPORT_BYTES;
mod communities;
mod feeds;
mod ideas;
mod me;
mod moderation;
mod notifications;
mod posts;
pub(crate) mod quarters;
mod search;
mod uploads;

use actix_web::error::JsonPayloadError;
use actix_web::{HttpRequest, HttpResponse, Scope, web};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::{ApiError, AppError, ErrorBody, FieldErrors};

/// The `/api/v1` scope.
pub fn scope() -> Scope {
    web::scope("/api/v1")
        .route("/me", web::get().to(me::show))
        .route("/me/profile", web::patch().to(me::update_profile))
        .route("/users/{handle}", web::get().to(me::user))
        .route("/users/{handle}/skills/{skill}/endorsement", web::put().to(me::endorse))
        .route("/users/{handle}/skills/{skill}/endorsement", web::delete().to(me::endorse))
        .route("/notifications", web::get().to(notifications::list))
        .route("/notifications/read", web::post().to(notifications::read))
        .route("/reports", web::post().to(moderation::report))
        .route("/moderation/queue", web::get().to(moderation::queue))
        .route("/moderation/actions", web::post().to(moderation::act))
        .route("/admin/audit", web::get().to(moderation::audit))
        .route("/me/notification-settings", web::get().to(notifications::settings))
        .route("/me/notification-settings", web::put().to(notifications::save_settings))
        .route("/admin/settings", web::get().to(admin::settings))
        .route("/admin/settings", web::put().to(admin::save_settings))
        .route("/admin/users", web::get().to(admin::list))
        .route("/admin/users", web::post().to(admin::invite))
        .route("/admin/users/{handle}", web::patch().to(admin::update))
        .route("/admin/users/{handle}/profile", web::patch().to(admin::update_profile))
        .service(
            web::resource("/admin/people/import")
                .app_data(web::PayloadConfig::default().limit(admin::MAX_IMPORT_BYTES))
                .route(web::post().to(admin::import_people)),
        )
        .route("/admin/skill-aliases", web::get().to(admin::aliases))
        .route("/admin/skill-aliases/{alias}", web::put().to(admin::set_alias))
        .route("/admin/skill-aliases/{alias}", web::delete().to(admin::remove_alias))
        .route("/communities", web::get().to(communities::list))
        .route("/communities", web::post().to(communities::create))
        .route("/communities/{slug}", web::get().to(communities::show))
        .route("/communities/{slug}/join", web::post().to(communities::join))
        .route("/communities/{slug}/leave", web::post().to(communities::leave))
        .route("/communities/{slug}/archive", web::post().to(communities::archive))
        .route("/communities/{slug}/members", web::get().to(communities::members))
        .route("/communities/{slug}/members/{handle}/approve", web::post().to(communities::approve))
        .route("/communities/{slug}/members/{handle}/deny", web::post().to(communities::deny))
        .route("/communities/{slug}/members/{handle}/invite", web::post().to(communities::invite))
        .route("/communities/{slug}/transfer", web::post().to(communities::transfer))
        .route("/communities/{slug}/visibility", web::put().to(communities::set_visibility))
        .route("/communities/{slug}/members/{handle}/role", web::put().to(communities::set_role))
        .route("/communities/{slug}/posts", web::get().to(posts::list))
        .route("/communities/{slug}/posts", web::post().to(posts::create))
        .route("/posts/{id}", web::get().to(posts::show))
        .route("/posts/{id}", web::patch().to(posts::edit))
        .route("/posts/{id}", web::delete().to(posts::delete))
        .route("/posts/{id}/comments", web::get().to(posts::comments))
        .route("/posts/{id}/comments", web::post().to(posts::comment))
        .route("/posts/{id}/reactions/{kind}", web::put().to(posts::react))
        .route("/posts/{id}/reactions/{kind}", web::delete().to(posts::unreact))
        .route("/posts/{id}/accept/{comment_id}", web::post().to(posts::accept))
        .route("/comments/{id}", web::delete().to(posts::delete_comment))
        .route("/comments/{id}/reactions/{kind}", web::put().to(posts::react_comment))
        .route("/comments/{id}/reactions/{kind}", web::delete().to(posts::react_comment))
        .route("/feed", web::get().to(feeds::home))
        .route("/activity", web::get().to(feeds::activity))
        .route("/users/{handle}/activity", web::get().to(feeds::person))
        .route("/users/{handle}/follow", web::put().to(feeds::follow_user))
        .route("/users/{handle}/follow", web::delete().to(feeds::follow_user))
        .route("/tags/{tag}/follow", web::put().to(feeds::follow_tag))
        .route("/tags/{tag}/follow", web::delete().to(feeds::follow_tag))
        .route("/ideas", web::get().to(ideas::list))
        .route("/ideas", web::post().to(ideas::create))
        .route("/ideas/similar", web::post().to(ideas::similar))
        .route("/ideas/{id}", web::get().to(ideas::show))
        .route("/ideas/{id}", web::patch().to(ideas::edit))
        .route("/ideas/{id}/vote", web::put().to(ideas::vote))
        .route("/ideas/{id}/vote", web::delete().to(ideas::vote))
        .route("/ideas/{id}/follow", web::put().to(ideas::follow))
        .route("/ideas/{id}/follow", web::delete().to(ideas::follow))
        .route("/ideas/{id}/comments", web::get().to(ideas::comments))
        .route("/ideas/{id}/comments", web::post().to(ideas::comment))
        .route("/ideas/{id}/transition", web::post().to(ideas::transition))
        .route("/ideas/{id}/merge", web::post().to(ideas::merge))
        .route("/idea-comments/{id}", web::delete().to(ideas::delete_comment))
        .route("/idea-comments/{id}/reactions/{kind}", web::put().to(ideas::react_comment))
        .route("/idea-comments/{id}/reactions/{kind}", web::delete().to(ideas::react_comment))
        .route("/ideas/{id}/reviews", web::post().to(quarters::score))
        .route("/ideas/{id}/reviews", web::get().to(quarters::scores))
        .route("/ideas/{id}/decision", web::post().to(quarters::decide))
        .route("/quarters/{quarter}/close", web::post().to(quarters::close))
        .route("/quarters/{quarter}/board", web::get().to(quarters::board))
        .route("/quarters/{quarter}/results.csv", web::get().to(quarters::results))
        .route("/challenges", web::get().to(ideas::challenges))
        .route("/challenges", web::post().to(ideas::create_challenge))
        .route("/search", web::get().to(search::search))
        .route("/search/suggest", web::get().to(search::suggest))
        .route("/experts", web::get().to(search::experts))
        .route("/uploads", web::post().to(uploads::create))
        .route("/uploads/{id}", web::delete().to(uploads::discard))
        .route("/openapi.json", web::get().to(openapi))
}

/// A page of a list: SPEC §10's `{"items":[…],"next_cursor":…}`.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Listing<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` for the next page; null on the last page.
    pub next_cursor: Option<String>,
}

/// `cursor`, `limit` (1–100, default 20) and `q` on list routes.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    pub cursor: Option<String>,
    pub limit: Option<i64>,
    /// Search words (the community directory).
    pub q: Option<String>,
}

impl ListQuery {
    /// The page size, clamped to 1–100.
    pub fn limit(&self) -> i64 {
        self.limit.unwrap_or(20).clamp(1, 100)
    }

    /// The cursor of a list paged by id, newest first.
    pub fn id_cursor(&self) -> Result<Option<i64>, AppError> {
        id_cursor(self.cursor.as_deref())
    }
}

/// Parses the cursor of a list paged by id.
pub fn id_cursor(cursor: Option<&str>) -> Result<Option<i64>, AppError> {
    cursor.map(|c| c.parse().map_err(|_| AppError::BadRequest("invalid cursor".into()))).transpose()
}

impl<T> Listing<T> {
    /// A page of a list paged by id: a full page points on past its last row.
    pub fn by_id(items: Vec<T>, limit: i64, id: impl Fn(&T) -> i64) -> Self {
        let full = i64::try_from(items.len()).is_ok_and(|n| n == limit);
        let next_cursor = full.then(|| items.last().map(|item| id(item).to_string())).flatten();
        Self { items, next_cursor }
    }
}

/// Turns JSON body failures into API errors.
pub fn json_error(err: JsonPayloadError, _req: &HttpRequest) -> actix_web::Error {
    let app = match &err {
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            AppError::PayloadTooLarge
        }
        JsonPayloadError::ContentType => {
            AppError::BadRequest("send the body as JSON with Content-Type: application/json".into())
        }
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            AppError::Invalid { message: e.to_string(), fields: FieldErrors::new() }
        }
        other => AppError::BadRequest(format!("the body is not valid JSON: {other}")),
    };
    ApiError(app).into()
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Agora API", description = "Agora's JSON API. Authenticate with `Authorization: Bearer <personal access token>`."),
    paths(
        me::show, me::update_profile, me::endorse, me::user, notifications::list, notifications::read, notifications::settings, notifications::save_settings, moderation::report, moderation::queue, moderation::act, moderation::audit, admin::invite, admin::list, admin::settings, admin::save_settings, admin::update, admin::update_profile, admin::import_people, admin::aliases, admin::set_alias, admin::remove_alias,
        communities::list, communities::create, communities::show, communities::join, communities::leave,
        communities::members, communities::approve, communities::deny, communities::invite, communities::set_role,
        communities::archive, communities::transfer, communities::set_visibility,
        posts::list, posts::create, posts::show, posts::edit, posts::delete, posts::comments, posts::comment,
        posts::react, posts::unreact, posts::react_comment, posts::delete_comment, posts::accept,
        feeds::home, feeds::activity, feeds::person, feeds::follow_user, feeds::follow_tag,
        ideas::list, ideas::create, ideas::show, ideas::edit, ideas::vote, ideas::follow, ideas::comments,
        ideas::comment, ideas::transition, ideas::merge, ideas::similar, ideas::challenges, ideas::create_challenge,
        ideas::react_comment, ideas::delete_comment, quarters::close, quarters::board,
        quarters::score, quarters::scores, quarters::decide, quarters::results,
        search::search, search::suggest, search::experts, uploads::create, uploads::discard,
    ),
    components(schemas(ErrorBody)),
    modifiers(&BearerAuth),
    security(("bearer" = []))
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("agora_pat_…").build(),
            ),
        );
    }
}

/// GET /api/v1/openapi.json
async fn openapi() -> HttpResponse {
    HttpResponse::Ok().json(ApiDoc::openapi())
}
