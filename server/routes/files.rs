//! `/files/{id}/{name}`: an attached file, to those who may read the item it is attached to.

use actix_files::NamedFile;
use actix_web::http::header::{
    self, ContentDisposition, ContentEncoding, DispositionParam, DispositionType, ExtendedValue,
};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use crate::error::AppError;
use crate::files::{self, Variant};
use crate::pages::PageError;
use crate::state::AppState;

/// Nothing in a file response may run or load anything, should a browser ever render one
/// as a page; pictures may still be shown when opened on their own.
const FILE_POLICY: &str =
    "default-src 'none'; img-src 'self'; media-src 'self'; frame-ancestors 'none'; sandbox";

/// `?v=thumb` or `?v=preview` for a picture's smaller forms.
#[derive(Deserialize)]
pub struct Form {
    v: Option<String>,
}

/// GET /files/{id}/{name}: the name is for people and saved files; the id decides. Files of
/// items the viewer may not read are 404, like the items.
pub async fn download(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(i64, String)>,
    form: web::Query<Form>,
) -> Result<HttpResponse, PageError> {
    let Some(user) = crate::auth::identity::downloader(&req).await? else {
        return Err(PageError::LoginRequired { next: req.uri().to_string() });
    };
    let variant = match form.v.as_deref() {
        None => Variant::Original,
        Some("thumb") => Variant::Thumb,
        Some("preview") => Variant::Preview,
        Some(_) => return Err(AppError::NotFound.into()),
    };
    let served = files::open(&state.db, &state.files, user.actor(), path.0, variant).await?;
    let path = served.path.clone();
    let file = web::block(move || NamedFile::open(path)).await.map_err(AppError::from)?.map_err(|e| {
        // A row whose bytes are gone (a store restored without its files) is logged, and
        // the viewer sees what a missing file is: 404.
        tracing::error!(path = %served.path.display(), error = %e, "a stored file cannot be opened");
        AppError::NotFound
    })?;
    let mime: actix_web::mime::Mime =
        served.mime.parse().unwrap_or(actix_web::mime::APPLICATION_OCTET_STREAM);
    let disposition = ContentDisposition {
        disposition: if served.inline { DispositionType::Inline } else { DispositionType::Attachment },
        parameters: vec![DispositionParam::FilenameExt(ExtendedValue {
            charset: header::Charset::Ext("UTF-8".into()),
            language_tag: None,
            value: served.name.into_bytes(),
        })],
    };
    let mut response = file
        .set_content_type(mime)
        .set_content_disposition(disposition)
        // Stored files are pictures and documents that are compressed already.
        .set_content_encoding(ContentEncoding::Identity)
        .use_etag(true)
        .use_last_modified(true)
        .into_response(&req);
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, header::HeaderValue::from_static(FILE_POLICY));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, header::HeaderValue::from_static("nosniff"));
    // Private, and checked again on every use: access can end (a post hidden, a member
    // removed); the ETag keeps the check cheap.
    headers.insert(header::CACHE_CONTROL, header::HeaderValue::from_static("private, no-cache"));
    Ok(response)
}
