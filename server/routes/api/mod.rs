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
    web::scope("/api/v1").configure(register)
}

crate::routes::route_table! { ROUTES, register;
    get "/me" SignedIn => me::show,
    patch "/me/profile" SignedIn => me::update_profile,
    get "/users/{handle}" SignedIn => me::user,
    put "/users/{handle}/skills/{skill}/endorsement" SignedIn => me::endorse,
    delete "/users/{handle}/skills/{skill}/endorsement" SignedIn => me::endorse,
    get "/notifications" SignedIn => notifications::list,
    post "/notifications/read" SignedIn => notifications::read,
    post "/reports" SignedIn => moderation::report,
    get "/moderation/queue" SignedIn => moderation::queue,
    post "/moderation/actions" SignedIn => moderation::act,
    get "/admin/audit" Admin => moderation::audit,
    get "/me/notification-settings" SignedIn => notifications::settings,
    put "/me/notification-settings" SignedIn => notifications::save_settings,
    get "/admin/settings" Admin => admin::settings,
    put "/admin/settings" Admin => admin::save_settings,
    get "/admin/users" Admin => admin::list,
    post "/admin/users" Admin => admin::invite,
    patch "/admin/users/{handle}" Admin => admin::update,
    patch "/admin/users/{handle}/profile" Admin => admin::update_profile,
    post "/admin/people/import" Admin => admin::import_people,
    get "/admin/skill-aliases" Admin => admin::aliases,
    put "/admin/skill-aliases/{alias}" Admin => admin::set_alias,
    delete "/admin/skill-aliases/{alias}" Admin => admin::remove_alias,
    get "/communities" SignedIn => communities::list,
    post "/communities" SignedIn => communities::create,
    get "/communities/{slug}" SignedIn => communities::show,
    post "/communities/{slug}/join" SignedIn => communities::join,
    post "/communities/{slug}/leave" SignedIn => communities::leave,
    post "/communities/{slug}/archive" SignedIn => communities::archive,
    get "/communities/{slug}/members" SignedIn => communities::members,
    post "/communities/{slug}/members/{handle}/approve" SignedIn => communities::approve,
    post "/communities/{slug}/members/{handle}/deny" SignedIn => communities::deny,
    post "/communities/{slug}/members/{handle}/invite" SignedIn => communities::invite,
    delete "/communities/{slug}/members/{handle}" SignedIn => communities::remove,
    post "/communities/{slug}/transfer" SignedIn => communities::transfer,
    put "/communities/{slug}/visibility" SignedIn => communities::set_visibility,
    put "/communities/{slug}/members/{handle}/role" SignedIn => communities::set_role,
    get "/communities/{slug}/posts" SignedIn => posts::list,
    post "/communities/{slug}/posts" SignedIn => posts::create,
    get "/posts/{id}" SignedIn => posts::show,
    patch "/posts/{id}" SignedIn => posts::edit,
    delete "/posts/{id}" SignedIn => posts::delete,
    get "/posts/{id}/comments" SignedIn => posts::comments,
    post "/posts/{id}/comments" SignedIn => posts::comment,
    put "/posts/{id}/reactions/{kind}" SignedIn => posts::react,
    delete "/posts/{id}/reactions/{kind}" SignedIn => posts::unreact,
    post "/posts/{id}/accept/{comment_id}" SignedIn => posts::accept,
    delete "/comments/{id}" SignedIn => posts::delete_comment,
    put "/comments/{id}/reactions/{kind}" SignedIn => posts::react_comment,
    delete "/comments/{id}/reactions/{kind}" SignedIn => posts::react_comment,
    get "/feed" SignedIn => feeds::home,
    get "/activity" SignedIn => feeds::activity,
    get "/users/{handle}/activity" SignedIn => feeds::person,
    put "/users/{handle}/follow" SignedIn => feeds::follow_user,
    delete "/users/{handle}/follow" SignedIn => feeds::follow_user,
    put "/tags/{tag}/follow" SignedIn => feeds::follow_tag,
    delete "/tags/{tag}/follow" SignedIn => feeds::follow_tag,
    get "/ideas" SignedIn => ideas::list,
    post "/ideas" SignedIn => ideas::create,
    post "/ideas/similar" SignedIn => ideas::similar,
    get "/ideas/{id}" SignedIn => ideas::show,
    patch "/ideas/{id}" SignedIn => ideas::edit,
    put "/ideas/{id}/vote" SignedIn => ideas::vote,
    delete "/ideas/{id}/vote" SignedIn => ideas::vote,
    put "/ideas/{id}/follow" SignedIn => ideas::follow,
    delete "/ideas/{id}/follow" SignedIn => ideas::follow,
    get "/ideas/{id}/comments" SignedIn => ideas::comments,
    post "/ideas/{id}/comments" SignedIn => ideas::comment,
    post "/ideas/{id}/transition" SignedIn => ideas::transition,
    post "/ideas/{id}/merge" SignedIn => ideas::merge,
    delete "/idea-comments/{id}" SignedIn => ideas::delete_comment,
    put "/idea-comments/{id}/reactions/{kind}" SignedIn => ideas::react_comment,
    delete "/idea-comments/{id}/reactions/{kind}" SignedIn => ideas::react_comment,
    post "/ideas/{id}/reviews" SignedIn => quarters::score,
    get "/ideas/{id}/reviews" SignedIn => quarters::scores,
    post "/ideas/{id}/decision" SignedIn => quarters::decide,
    post "/quarters/{quarter}/close" SignedIn => quarters::close,
    get "/quarters/{quarter}/board" SignedIn => quarters::board,
    get "/quarters/{quarter}/results.csv" SignedIn => quarters::results,
    get "/challenges" SignedIn => ideas::challenges,
    post "/challenges" SignedIn => ideas::create_challenge,
    get "/search" SignedIn => search::search,
    get "/search/suggest" SignedIn => search::suggest,
    get "/experts" SignedIn => search::experts,
    post "/uploads" SignedIn => uploads::create,
    delete "/uploads/{id}" SignedIn => uploads::discard,
    get "/openapi.json" Public => openapi,
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
        communities::members, communities::approve, communities::deny, communities::remove, communities::invite, communities::set_role,
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
