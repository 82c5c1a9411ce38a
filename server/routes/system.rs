//! Operational routes: health, metrics, static files, and the fallback 404.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::error::{ApiError, AppError};
use crate::pages::PageError;
use crate::state::AppState;

/// GET /healthz: 200 when the database answers, 503 otherwise.
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    // How far the search index has got in the activity log (-1 while it is first filled).
    let indexed_through = state.search.as_ref().map(|s| s.index.position());
    match state.db.read(|c| Ok(crate::db::ping(c)?)).await {
        Ok(()) => HttpResponse::Ok().json(json!({
            "status": "ok",
            "database": "ok",
            "search_indexed_through": indexed_through,
        })),
        Err(e) => {
            e.log();
            HttpResponse::ServiceUnavailable()
                .json(json!({ "status": "unavailable", "database": "unreachable" }))
        }
    }
}

/// GET /metrics: Prometheus text format.
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(state.metrics.render())
}

/// `?v=` on asset URLs.
#[derive(serde::Deserialize)]
pub struct Version {
    v: Option<String>,
}

/// GET /static/{path}: immutable caching when the URL carries the current content hash.
pub async fn static_file(
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<Version>,
) -> HttpResponse {
    let Some(asset) = crate::assets::get(&path) else {
        return HttpResponse::NotFound().content_type("text/plain").body("not found");
    };
    let etag = format!("\"{}\"", asset.version);
    if req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        return HttpResponse::NotModified().finish();
    }
    let cache = match &query.v {
        Some(v) if *v == asset.version => "public, max-age=31536000, immutable",
        _ => "no-cache",
    };
    HttpResponse::Ok()
        .content_type(asset.mime)
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::ETAG, etag))
        .body(asset.bytes.into_owned())
}

/// Anything unrouted: JSON under `/api/`, an HTML page elsewhere.
pub async fn not_found(req: HttpRequest) -> Result<HttpResponse, actix_web::Error> {
    if req.path().starts_with("/api/") {
        Err(ApiError(AppError::NotFound).into())
    } else {
        Err(PageError::App(AppError::NotFound).into())
    }
}
