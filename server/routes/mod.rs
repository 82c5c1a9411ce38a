//! THE route table: every URL the server answers, in one place, each with who may call it.

mod account;
mod admin;
pub mod api;
mod atom;
mod communities;
mod files;
mod home;
mod ideas;
mod moderation;
mod notifications;
mod people;
mod posts;
mod review;
mod search;
mod settings;
mod system;

use actix_web::web;
use serde::Deserialize;

/// An on/off button's form: `on` = 1 adds (a vote, a follow, a reaction), 0 takes it back.
#[derive(Deserialize)]
pub struct Toggle {
    on: u8,
}

impl Toggle {
    /// Whether the button adds.
    pub fn on(&self) -> bool {
        self.on == 1
    }
}

/// A comment, or a reply to one, as typed (posts and ideas alike).
#[derive(Deserialize)]
pub struct CommentForm {
    pub body: String,
    pub reply_to: Option<i64>,
    /// Uploads to attach, comma-separated.
    #[serde(default, deserialize_with = "crate::files::ids")]
    pub uploads: Vec<i64>,
}

/// Who may call a route. The handlers enforce it (their extractors and the policy); the
/// table below states it, so `tests/registry.rs` can hold every route to it and a route
/// cannot be added without saying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Feed readers: a session, or a personal access token in `?token=`.
    Reader,
    /// Someone signed in (API routes: a bearer token, or the session with the CSRF header).
    SignedIn,
    /// The review board (executives and admins); others get 404.
    Board,
    /// Moderators of some community, and admins; others get 404.
    Moderator,
    /// Site admins; others get 404.
    Admin,
}

/// One route as the registry lists it.
#[derive(Debug, Clone, Copy)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub access: Access,
}

/// Declares a route table: the listing (`$table`) and the function registering it
/// (`$register`) come from the same lines, so neither can drift from the other.
macro_rules! route_table {
    ($table:ident, $register:ident; $( $method:ident $path:literal $access:ident => $handler:path, )*) => {
        /// Every route of this table, with who may call it.
        pub const $table: &[crate::routes::Route] = &[
            $( crate::routes::Route { method: stringify!($method), path: $path, access: crate::routes::Access::$access }, )*
        ];

        fn $register(cfg: &mut actix_web::web::ServiceConfig) {
            $( cfg.route($path, crate::routes::methods::$method().to($handler)); )*
        }
    };
}
pub(crate) use route_table;

/// The route builders of the tables: actix-web's, except that a `get` route answers HEAD
/// too, as HTTP requires of every server. Uptime monitors, link checkers and `curl -I`
/// ask with HEAD, and were told 404. actix-http sends a HEAD's response without its body.
pub(crate) mod methods {
    use actix_web::{Route, guard, web};

    pub use actix_web::web::{delete, patch, post, put};

    pub fn get() -> Route {
        web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
    }
}

route_table! { PAGES, register_pages;
    get "/" Public => home::show,
    get "/login" Public => account::login_form,
    post "/login" Public => account::login,
    post "/logout" Public => account::logout,
    get "/register" Public => account::register_form,
    post "/register" Public => account::register,
    get "/reset" Public => account::reset_form,
    post "/reset" Public => account::request_reset,
    get "/reset/{token}" Public => account::reset_with_token,
    post "/reset/{token}" Public => account::complete_reset,
    get "/unsubscribe/{token}" Public => notifications::unsubscribe_form,
    post "/unsubscribe/{token}" Public => notifications::unsubscribe,
    post "/settings/email" SignedIn => settings::save_email,
    get "/settings" SignedIn => settings::show,
    post "/settings/profile" SignedIn => settings::save_profile,
    post "/settings/password" SignedIn => settings::change_password,
    post "/settings/tokens" SignedIn => settings::create_token,
    post "/settings/tokens/{id}/revoke" SignedIn => settings::revoke_token,
    get "/c" SignedIn => communities::directory,
    post "/c" SignedIn => communities::create,
    get "/c/new" SignedIn => communities::new_form,
    get "/c/{slug}" SignedIn => communities::show,
    post "/c/{slug}/posts" SignedIn => communities::create_post,
    get "/c/{slug}/feed.atom" Reader => atom::community,
    post "/c/{slug}/join" SignedIn => communities::join,
    post "/c/{slug}/leave" SignedIn => communities::leave,
    get "/c/{slug}/members" SignedIn => communities::members,
    post "/c/{slug}/invite" SignedIn => communities::invite,
    post "/c/{slug}/archive" SignedIn => communities::archive,
    post "/c/{slug}/transfer" SignedIn => communities::transfer,
    post "/c/{slug}/visibility" SignedIn => communities::set_visibility,
    post "/c/{slug}/members/{handle}/role" SignedIn => communities::set_role,
    post "/c/{slug}/members/{handle}/{decision}" SignedIn => communities::decide,
    get "/posts/{id}" SignedIn => posts::show,
    post "/posts/{id}/comments" SignedIn => posts::comment,
    post "/posts/{id}/react/{kind}" SignedIn => posts::react,
    post "/comments/{id}/react/{kind}" SignedIn => posts::react,
    post "/comments/{id}/delete" SignedIn => posts::delete_comment,
    post "/posts/{id}/accept/{comment_id}" SignedIn => posts::accept,
    get "/posts/{id}/edit" SignedIn => posts::edit_form,
    post "/posts/{id}/edit" SignedIn => posts::edit,
    post "/posts/{id}/delete" SignedIn => posts::delete,
    get "/tags/{tag}" SignedIn => posts::tag,
    post "/tags/{tag}/follow" SignedIn => posts::follow_tag,
    get "/tags/{tag}/feed.atom" Reader => atom::tag,
    get "/people" SignedIn => people::directory,
    get "/admin/people/import" Admin => people::import_form,
    post "/admin/people/import" Admin => people::import,
    get "/people/{handle}" SignedIn => people::show,
    get "/people/{handle}/edit" SignedIn => people::edit_form,
    post "/people/{handle}/edit" SignedIn => people::edit,
    post "/people/{handle}/follow" SignedIn => people::follow,
    post "/people/{handle}/skills/{skill}/endorse" SignedIn => people::endorse,
    get "/people/{handle}/feed.atom" Reader => atom::person,
    get "/ideas" SignedIn => ideas::list,
    post "/ideas" SignedIn => ideas::create,
    get "/ideas/new" SignedIn => ideas::new_form,
    get "/ideas/{id}" SignedIn => ideas::show,
    post "/ideas/{id}/vote" SignedIn => ideas::vote,
    post "/ideas/{id}/follow" SignedIn => ideas::follow,
    post "/ideas/{id}/comments" SignedIn => ideas::comment,
    post "/ideas/{id}/transition" SignedIn => ideas::transition,
    post "/ideas/{id}/merge" SignedIn => ideas::merge,
    post "/idea-comments/{id}/react/{kind}" SignedIn => ideas::react_comment,
    post "/idea-comments/{id}/delete" SignedIn => ideas::delete_comment,
    get "/ideas/{id}/edit" SignedIn => ideas::edit_form,
    post "/ideas/{id}/edit" SignedIn => ideas::edit,
    post "/challenges" SignedIn => ideas::create_challenge,
    get "/challenges/{id}" SignedIn => ideas::challenge,
    post "/ideas/{id}/reviews" SignedIn => review::score,
    post "/ideas/{id}/decision" SignedIn => review::decide,
    get "/leaderboard" SignedIn => ideas::leaderboard,
    post "/report" SignedIn => moderation::report,
    get "/admin" Admin => admin::home,
    get "/admin/users" Admin => admin::users,
    get "/admin/analytics" Admin => admin::analytics,
    get "/admin/settings" Admin => admin::settings,
    post "/admin/settings" Admin => admin::save_settings,
    get "/admin/analytics.csv" Admin => admin::analytics_csv,
    post "/admin/invitations" Admin => admin::invite,
    post "/admin/users/{handle}" Admin => admin::change,
    post "/admin/users/{handle}/reset" Admin => admin::send_reset,
    get "/admin/moderation" Moderator => moderation::queue,
    post "/admin/moderation/act" Moderator => moderation::act,
    get "/admin/audit" Admin => moderation::audit,
    get "/c/{slug}/moderation" SignedIn => moderation::community_log,
    get "/notifications" SignedIn => notifications::list,
    post "/notifications/open" SignedIn => notifications::open,
    post "/notifications/read" SignedIn => notifications::read_all,
    get "/review" Board => review::index,
    get "/review/{quarter}" Board => review::board,
    post "/review/{quarter}/close" Board => review::close,
    get "/review/{quarter}/results.csv" Board => review::results,
    get "/search" SignedIn => search::show,
    get "/experts" SignedIn => search::experts,
    get "/files/{id}/{name}" SignedIn => files::download,
    get "/ws" SignedIn => crate::live::socket::connect,
    get "/healthz" Public => system::healthz,
    get "/metrics" Public => system::metrics,
    get "/static/{path:.*}" Public => system::static_file,
}

/// Registers every route: the API scope, the pages, and the friendly 404.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(api::scope()).configure(register_pages).default_service(web::to(system::not_found));
}
