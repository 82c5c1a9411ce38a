//! Builds the running application from settings. The same functions serve `agora serve`
//! and the integration tests, so the tests exercise exactly what ships.

use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::Duration;

use actix_http::HttpService;
use actix_service::{IntoServiceFactory, ServiceFactoryExt, map_config};
use actix_session::SessionMiddleware;
use actix_session::config::PersistentSession;
use actix_web::body::EitherBody;
use actix_web::cookie::{Key, SameSite, time};
use actix_web::dev::{AppConfig, Server, ServiceRequest, ServiceResponse};
use actix_web::middleware::{self, Next};
use actix_web::{App, ResponseError, web};

use crate::auth::csrf;
use crate::auth::session_store::DbSessionStore;
use crate::config::Settings;
use crate::db::Db;
use crate::db::models::{activities, notifications};
use crate::error::{ApiError, AppError};
use crate::live::{Hub, HubTask};
use crate::pages::PageError;
use crate::state::AppState;

/// Tasks that run beside the HTTP server once it starts.
pub struct Background {
    hub: HubTask,
    start_after: i64,
    /// The newest notification at start: live bells ring for later ones.
    bells_after: i64,
}

/// Opens the database, applies migrations and assembles the state.
pub fn prepare(settings: Settings) -> anyhow::Result<(AppState, Key, Background)> {
    std::fs::create_dir_all(&settings.data_dir)
        .map_err(|e| anyhow::anyhow!("cannot create data dir {}: {e}", settings.data_dir.display()))?;
    let db = Db::connect(&settings.database()?, settings.database_pool_size)?;
    db.migrate()?;
    let key = crate::auth::secrets::cookie_key(settings.secret_key.as_deref(), &settings.data_dir)?;
    let start_after = db.read_sync(|c| Ok(activities::latest_id(c)?)).map_err(|e| anyhow::anyhow!("{e}"))?;
    let (hub, hub_task) = Hub::new(db.clone(), start_after);
    let settings = Arc::new(settings);
    let site = crate::site::Site::new(settings.clone());
    db.read_sync(|c| site.load(c)).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mail = crate::mail::Composer::new(
        &settings.base_url(),
        crate::mail::unsubscribe::Signer::new(&key),
        site.clone(),
    );
    let files = crate::files::Files::from_settings(&settings)
        .map_err(|e| anyhow::anyhow!("cannot use the files directory: {e}"))?;
    let limits = crate::auth::rate_limit::Limiter::new(&settings.rate_limits);
    let state = AppState {
        db,
        site,
        settings,
        metrics: crate::observability::metrics_handle(),
        hub,
        search: None,
        mail,
        files,
        limits,
        newcomers: crate::people::Newcomers::default(),
    };
    let bells_after =
        state.db.read_sync(|c| Ok(notifications::latest_id(c)?)).map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok((state, key, Background { hub: hub_task, start_after, bells_after }))
}

/// A server bound to its address, not yet awaited.
pub struct Running {
    /// Await this to serve until shutdown.
    pub server: Server,
    /// The bound address (useful with port 0).
    pub addr: SocketAddr,
    /// The state the server uses.
    pub state: AppState,
}

/// Prepares the state and binds the HTTP server.
pub fn build(settings: Settings) -> anyhow::Result<Running> {
    let listener = TcpListener::bind(&settings.bind)
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.bind))?;
    let addr = listener.local_addr()?;
    let (mut state, key, background) = prepare(settings)?;
    let search = crate::search::Search::open(&state.settings.search_index_dir())?;
    state.search = Some(search.clone());
    // Live updates: the hub, the log follower, and (PostgreSQL) the LISTEN for other nodes.
    tokio::spawn(background.hub.run());
    tokio::spawn(crate::live::follower::run(state.db.clone(), state.hub.clone(), background.start_after));
    tokio::spawn(crate::live::follower::run_bells(
        state.db.clone(),
        state.hub.clone(),
        background.bells_after,
    ));
    tokio::spawn(crate::notify::notifier::run(state.db.clone(), state.mail.clone()));
    let transport = crate::mail::transport::Transport::from_settings(&state.settings)?;
    tokio::spawn(crate::mail::sender::run(state.db.clone(), transport, state.settings.clone()));
    tokio::spawn(crate::mail::digest::run(state.db.clone(), state.mail.clone(), state.site.clone()));
    state.site.spawn_refresher(state.db.clone());
    tokio::spawn(crate::search::indexer::run(state.db.clone(), search));
    tokio::spawn(crate::gamification::run(state.db.clone()));
    tokio::spawn(crate::analytics::run(state.db.clone()));
    state.db.listen_for_other_nodes()?;
    crate::jobs::spawn_session_sweeper(state.db.clone());
    crate::files::spawn_sweeper(state.db.clone(), state.files.clone());
    state.limits.spawn_cleaner();
    if state.settings.close_quarters_on_schedule {
        crate::jobs::spawn_quarter_closer(state.db.clone(), state.site.clone());
    }
    let server = serve(state.clone(), key, listener)?;
    Ok(Running { server, addr, state })
}

fn serve(state: AppState, key: Key, listener: TcpListener) -> anyhow::Result<Server> {
    let settings = state.settings.clone();
    let store = DbSessionStore::new(
        state.db.clone(),
        state.settings.session_idle_minutes,
        state.settings.session_max_days,
    );
    let hub = state.hub.clone();
    let data = web::Data::new(state);
    let body_limit = settings.max_body_bytes;
    let workers = settings.workers;
    let app = move || {
        let sessions = SessionMiddleware::builder(store.clone(), key.clone())
            .cookie_name("agora_session".into())
            .cookie_secure(settings.secure_cookies())
            .cookie_http_only(true)
            .cookie_same_site(SameSite::Lax)
            .session_lifecycle(
                PersistentSession::default().session_ttl(time::Duration::days(settings.session_max_days)),
            )
            .build();
        App::new()
            .app_data(data.clone())
            .app_data(
                web::JsonConfig::default().limit(body_limit).error_handler(crate::routes::api::json_error),
            )
            .app_data(web::FormConfig::default().limit(body_limit))
            .app_data(web::PayloadConfig::default().limit(body_limit))
            .wrap(middleware::from_fn(origin_guard))
            .wrap(sessions)
            .wrap(security_headers(settings.secure_cookies()))
            .wrap(middleware::Compress::default())
            .wrap(middleware::from_fn(crate::observability::track_requests))
            .configure(crate::routes::configure)
    };
    // actix-web's `HttpServer` has no upgrade hook (websockets leave actix-http through it,
    // see `live::upgrade`), so the HTTP service is assembled here with its settings:
    // keep-alive and request timeouts stay actix's defaults, and the app's config is plain
    // HTTP (its host, "localhost:8080", only stands in for a missing Host header).
    let mut builder = Server::build();
    if let Some(workers) = workers {
        builder = builder.workers(workers);
    }
    builder = builder.shutdown_signal(stop_requested(hub));
    let shutdown = builder.graceful_shutdown_signal();
    let server = builder.listen("agora", listener, move || {
        let shutdown = shutdown.clone();
        let http = app().into_factory().map_err(|e: actix_web::Error| e.error_response());
        HttpService::build()
            .graceful_shutdown_signal(move || {
                let shutdown = shutdown.clone();
                async move { shutdown.notified().await }
            })
            .client_disconnect_timeout(Duration::from_secs(1))
            // Sends each response as soon as it is written. Without it a compressed response,
            // which goes out as headers and then body chunks, waits on Nagle's algorithm for
            // the client's delayed ACK: 40 ms per response on Linux (measured with oha: 550
            // req/s instead of 33,000 for the stylesheet).
            .tcp_nodelay(true)
            .upgrade(crate::live::upgrade::hook(app.clone()))
            .finish(map_config(http, |_| AppConfig::default()))
            .tcp()
    })?;
    Ok(server.run())
}

/// Resolves when the process is asked to stop (SIGTERM or SIGINT), once the websockets
/// have been closed with 1001: they are not connections actix-server waits for, so a
/// plain graceful stop would drop them without a word. Then the server stops accepting
/// and finishes the requests in flight.
async fn stop_requested(hub: crate::live::Hub) {
    use actix_web::rt::signal::unix::{SignalKind, signal};
    let (mut term, mut int) = match (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) {
        (Ok(term), Ok(int)) => (term, int),
        (Err(e), _) | (_, Err(e)) => {
            tracing::error!(error = %e, "cannot listen for stop signals; stop the server with SIGKILL");
            return std::future::pending().await;
        }
    };
    tokio::select! {
        _ = term.recv() => tracing::info!("SIGTERM received; stopping"),
        _ = int.recv() => tracing::info!("SIGINT received; stopping"),
    }
    hub.close_all(Duration::from_secs(2)).await;
}

/// An error as the API (JSON) or the pages (HTML) show it, by the request's path.
fn error_response(path: &str, e: AppError) -> actix_web::HttpResponse {
    if path.starts_with("/api/") { ApiError(e).error_response() } else { PageError::App(e).error_response() }
}

/// Refuses cross-site state-changing requests before they reach a handler.
async fn origin_guard(
    req: ServiceRequest,
    next: Next<impl actix_web::body::MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl actix_web::body::MessageBody>>, actix_web::Error> {
    if let Err(e) = csrf::origin_guard(req.request()) {
        let response = error_response(req.path(), e);
        return Ok(req.into_response(response).map_into_right_body());
    }
    Ok(next.call(req).await?.map_into_left_body())
}

/// Headers every response carries unless it sets its own (files set a stricter CSP). HSTS
/// only when the site is served over HTTPS: on plain HTTP it would be ignored, or worse,
/// pin a test host.
fn security_headers(https: bool) -> middleware::DefaultHeaders {
    let headers = if https {
        middleware::DefaultHeaders::new()
            .add(("Strict-Transport-Security", "max-age=31536000; includeSubDomains"))
    } else {
        middleware::DefaultHeaders::new()
    };
    headers
        .add(("X-Content-Type-Options", "nosniff"))
        .add(("X-Frame-Options", "DENY"))
        .add(("Referrer-Policy", "same-origin"))
        .add((
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
             connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ))
}
