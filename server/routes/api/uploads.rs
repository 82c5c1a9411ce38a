//! `/api/v1/uploads`: files sent ahead of the post, comment or idea that attaches them.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::identity::ApiUser;
use crate::error::{ApiResult, AppError};
use crate::files::{self, FileView};
use crate::state::AppState;

/// What an upload answers: the stored files, in the order sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct Uploaded {
    pub items: Vec<FileView>,
}

/// Uploads files: `multipart/form-data` with one or more `file` parts. Attach them by id
/// (`uploads`) when writing a post, comment or idea; files never attached are deleted after
/// a day. The type is read from the content: pictures, PDF, office documents, text, zip,
/// audio and video are accepted; HTML, SVG and programs are not.
#[utoipa::path(post, path = "/api/v1/uploads", tag = "files",
    request_body(content_type = "multipart/form-data", description = "one or more `file` parts"),
    responses((status = 201, body = Uploaded), (status = 413, body = crate::error::ErrorBody),
        (status = 422, body = crate::error::ErrorBody), (status = 429, body = crate::error::ErrorBody)))]
pub async fn create(
    req: HttpRequest,
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    mut form: Multipart,
) -> ApiResult<HttpResponse> {
    let limits = state.upload_limits();
    if limits.per_item == 0 {
        return Err(AppError::field("file", "this site does not take attachments").into());
    }
    // What cannot fit is refused before a byte of it is read.
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    if declared > limits.max_request_bytes() as u64 {
        return Err(limits.too_large().into());
    }
    let mut items = Vec::new();
    while let Some(field) = form.next().await {
        let mut field =
            field.map_err(|e| AppError::BadRequest(format!("the upload is not a valid form: {e}")))?;
        if field.name() != Some("file") {
            continue;
        }
        if items.len() == limits.per_item {
            let message = format!("send at most {} files at once", limits.per_item);
            return Err(AppError::field("file", message).into());
        }
        let name = field.content_disposition().and_then(|d| d.get_filename()).unwrap_or_default().to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| AppError::BadRequest(format!("the upload broke off: {e}")))?;
            if bytes.len() + chunk.len() > limits.max_bytes {
                return Err(limits.too_large().into());
            }
            bytes.extend_from_slice(&chunk);
        }
        items.push(files::receive(&state.db, &state.files, user.id, limits, &name, bytes).await?);
    }
    if items.is_empty() {
        return Err(AppError::field("file", "choose a file to upload").into());
    }
    Ok(HttpResponse::Created().json(Uploaded { items }))
}

/// Deletes one of your uploads that is not attached yet (a file taken off a form).
#[utoipa::path(delete, path = "/api/v1/uploads/{id}", tag = "files", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = crate::error::ErrorBody)))]
pub async fn discard(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    id: web::Path<i64>,
) -> ApiResult<HttpResponse> {
    files::discard(&state.db, user.id, *id).await?;
    Ok(HttpResponse::NoContent().finish())
}
