//! `/api/v1`: the JSON API (SPEC §10). Errors use SPEC's `{"error":{…}}` shape, including
//! bodies that are not JSON (400), have the wrong fields (422) or are too large (413).

mod admin;
mod me;

use actix_web::error::JsonPayloadError;
use actix_web::{HttpRequest, HttpResponse, Scope, web};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::error::{ApiError, AppError, ErrorBody, FieldErrors};

/// The `/api/v1` scope.
pub fn scope() -> Scope {
    web::scope("/api/v1")
        .route("/me", web::get().to(me::show))
        .route("/admin/users", web::post().to(admin::invite))
        .route("/admin/users/{handle}", web::patch().to(admin::update))
        .route("/openapi.json", web::get().to(openapi))
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
    paths(me::show, admin::invite, admin::update),
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
