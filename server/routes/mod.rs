//! THE route table: every URL the server answers, in one place.

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

/// Registers every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(api::scope())
        .route("/", web::get().to(home::show))
        .route("/login", web::get().to(account::login_form))
        .route("/login", web::post().to(account::login))
        .route("/logout", web::post().to(account::logout))
        .route("/register", web::get().to(account::register_form))
        .route("/register", web::post().to(account::register))
        .route("/reset", web::get().to(account::reset_form))
        .route("/reset", web::post().to(account::request_reset))
        .route("/reset/{token}", web::get().to(account::reset_with_token))
        .route("/reset/{token}", web::post().to(account::complete_reset))
        .route("/unsubscribe/{token}", web::get().to(notifications::unsubscribe_form))
        .route("/unsubscribe/{token}", web::post().to(notifications::unsubscribe))
        .route("/settings/email", web::post().to(settings::save_email))
        .route("/settings", web::get().to(settings::show))
        .route("/settings/profile", web::post().to(settings::save_profile))
        .route("/settings/password", web::post().to(settings::change_password))
        .route("/settings/tokens", web::post().to(settings::create_token))
        .route("/settings/tokens/{id}/revoke", web::post().to(settings::revoke_token))
        .route("/c", web::get().to(communities::directory))
        .route("/c", web::post().to(communities::create))
        .route("/c/new", web::get().to(communities::new_form))
        .route("/c/{slug}", web::get().to(communities::show))
        .route("/c/{slug}/posts", web::post().to(communities::create_post))
        .route("/c/{slug}/feed.atom", web::get().to(atom::community))
        .route("/c/{slug}/join", web::post().to(communities::join))
        .route("/c/{slug}/leave", web::post().to(communities::leave))
        .route("/c/{slug}/members", web::get().to(communities::members))
        .route("/c/{slug}/invite", web::post().to(communities::invite))
        .route("/c/{slug}/archive", web::post().to(communities::archive))
        .route("/c/{slug}/transfer", web::post().to(communities::transfer))
        .route("/c/{slug}/visibility", web::post().to(communities::set_visibility))
        .route("/c/{slug}/members/{handle}/role", web::post().to(communities::set_role))
        .route("/c/{slug}/members/{handle}/{decision}", web::post().to(communities::decide))
        .route("/posts/{id}", web::get().to(posts::show))
        .route("/posts/{id}/comments", web::post().to(posts::comment))
        .route("/posts/{id}/react/{kind}", web::post().to(posts::react))
        .route("/comments/{id}/react/{kind}", web::post().to(posts::react))
        .route("/comments/{id}/delete", web::post().to(posts::delete_comment))
        .route("/posts/{id}/accept/{comment_id}", web::post().to(posts::accept))
        .route("/posts/{id}/edit", web::get().to(posts::edit_form))
        .route("/posts/{id}/edit", web::post().to(posts::edit))
        .route("/posts/{id}/delete", web::post().to(posts::delete))
        .route("/tags/{tag}", web::get().to(posts::tag))
        .route("/tags/{tag}/follow", web::post().to(posts::follow_tag))
        .route("/tags/{tag}/feed.atom", web::get().to(atom::tag))
        .route("/people", web::get().to(people::directory))
        .route("/admin/people/import", web::get().to(people::import_form))
        .route("/admin/people/import", web::post().to(people::import))
        .route("/people/{handle}", web::get().to(people::show))
        .route("/people/{handle}/edit", web::get().to(people::edit_form))
        .route("/people/{handle}/edit", web::post().to(people::edit))
        .route("/people/{handle}/follow", web::post().to(people::follow))
        .route("/people/{handle}/skills/{skill}/endorse", web::post().to(people::endorse))
        .route("/people/{handle}/feed.atom", web::get().to(atom::person))
        .route("/ideas", web::get().to(ideas::list))
        .route("/ideas", web::post().to(ideas::create))
        .route("/ideas/new", web::get().to(ideas::new_form))
        .route("/ideas/{id}", web::get().to(ideas::show))
        .route("/ideas/{id}/vote", web::post().to(ideas::vote))
        .route("/ideas/{id}/follow", web::post().to(ideas::follow))
        .route("/ideas/{id}/comments", web::post().to(ideas::comment))
        .route("/ideas/{id}/transition", web::post().to(ideas::transition))
        .route("/ideas/{id}/merge", web::post().to(ideas::merge))
        .route("/idea-comments/{id}/react/{kind}", web::post().to(ideas::react_comment))
        .route("/idea-comments/{id}/delete", web::post().to(ideas::delete_comment))
        .route("/ideas/{id}/edit", web::get().to(ideas::edit_form))
        .route("/ideas/{id}/edit", web::post().to(ideas::edit))
        .route("/challenges", web::post().to(ideas::create_challenge))
        .route("/challenges/{id}", web::get().to(ideas::challenge))
        .route("/ideas/{id}/reviews", web::post().to(review::score))
        .route("/ideas/{id}/decision", web::post().to(review::decide))
        .route("/leaderboard", web::get().to(ideas::leaderboard))
        .route("/report", web::post().to(moderation::report))
        .route("/admin", web::get().to(admin::home))
        .route("/admin/users", web::get().to(admin::users))
        .route("/admin/analytics", web::get().to(admin::analytics))
        .route("/admin/settings", web::get().to(admin::settings))
        .route("/admin/settings", web::post().to(admin::save_settings))
        .route("/admin/analytics.csv", web::get().to(admin::analytics_csv))
        .route("/admin/invitations", web::post().to(admin::invite))
        .route("/admin/users/{handle}", web::post().to(admin::change))
        .route("/admin/users/{handle}/reset", web::post().to(admin::send_reset))
        .route("/admin/moderation", web::get().to(moderation::queue))
        .route("/admin/moderation/act", web::post().to(moderation::act))
        .route("/admin/audit", web::get().to(moderation::audit))
        .route("/c/{slug}/moderation", web::get().to(moderation::community_log))
        .route("/notifications", web::get().to(notifications::list))
        .route("/notifications/open", web::post().to(notifications::open))
        .route("/notifications/read", web::post().to(notifications::read_all))
        .route("/review", web::get().to(review::index))
        .route("/review/{quarter}", web::get().to(review::board))
        .route("/review/{quarter}/close", web::post().to(review::close))
        .route("/review/{quarter}/results.csv", web::get().to(review::results))
        .route("/search", web::get().to(search::show))
        .route("/experts", web::get().to(search::experts))
        .route("/files/{id}/{name}", web::get().to(files::download))
        .route("/ws", web::get().to(crate::live::socket::connect))
        .route("/healthz", web::get().to(system::healthz))
        .route("/metrics", web::get().to(system::metrics))
        .route("/static/{path:.*}", web::get().to(system::static_file))
        .default_service(web::to(system::not_found));
}
