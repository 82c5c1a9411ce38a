//! THE route table: every URL the server answers, in one place.

mod account;
pub mod api;
mod home;
mod settings;
mod system;

use actix_web::web;

/// Registers every route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(api::scope())
        .route("/", web::get().to(home::show))
        .route("/login", web::get().to(account::login_form))
        .route("/login", web::post().to(account::login))
        .route("/logout", web::post().to(account::logout))
        .route("/register", web::get().to(account::register_form))
        .route("/register", web::post().to(account::register))
        .route("/settings", web::get().to(settings::show))
        .route("/settings/profile", web::post().to(settings::save_profile))
        .route("/settings/password", web::post().to(settings::change_password))
        .route("/settings/tokens", web::post().to(settings::create_token))
        .route("/settings/tokens/{id}/revoke", web::post().to(settings::revoke_token))
        .route("/healthz", web::get().to(system::healthz))
        .route("/metrics", web::get().to(system::metrics))
        .route("/static/{path:.*}", web::get().to(system::static_file))
        .default_service(web::to(system::not_found));
}
