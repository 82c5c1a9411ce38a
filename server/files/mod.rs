//! Files attached to posts, comments, ideas and idea comments: received and checked
//! (type read from the content, pictures cleaned and previewed), stored once per content,
//! attached to the item written with them, shown on its pages, served only to those who
//! may read the item, and swept when never attached.

mod images;
pub mod kind;
pub mod store;

use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDateTime;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::config::Settings;
use crate::db::models::uploads::{self, NewUpload, Upload};
use crate::db::models::{ideas, now};
use crate::db::{Db, DbConn};
use crate::domain::moderation::TargetType;
use crate::domain::policy::Actor;
use crate::error::{AppError, AppResult};
use store::{BlobStore, LocalDir, key};

/// Characters of a text file's content that search reads.
const MAX_INDEXED_TEXT: usize = 64 * 1024;
/// How long an upload may wait to be attached before it is deleted.
const UNATTACHED_DAYS: i64 = 1;

/// The file store of this node.
#[derive(Clone)]
pub struct Files {
    store: Arc<dyn BlobStore>,
}

impl Files {
    /// The store the settings name: `files_dir`, or `files` in the data dir.
    pub fn from_settings(settings: &Settings) -> std::io::Result<Self> {
        let root = settings.files_dir.clone().unwrap_or_else(|| settings.data_dir.join("files"));
        store::check_dir(&root)?;
        Ok(Self { store: Arc::new(LocalDir::new(root)) })
    }
}

/// The upload limits in effect (SPEC: site settings).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Largest file, in bytes.
    pub max_bytes: usize,
    /// Most files on one post, comment or idea.
    pub per_item: usize,
    /// Most bytes one person may upload in a day.
    pub daily_bytes: i64,
}

impl Limits {
    /// The limits of the settings in effect.
    pub fn of(settings: &Settings) -> Self {
        let mib = |n: u32| usize::try_from(n).unwrap_or(usize::MAX).saturating_mul(1024 * 1024);
        Self {
            max_bytes: mib(settings.upload_max_mib),
            per_item: usize::try_from(settings.upload_files_per_item).unwrap_or(usize::MAX),
            daily_bytes: i64::try_from(mib(settings.upload_daily_mib)).unwrap_or(i64::MAX),
        }
    }

    /// The largest request body an upload of one item's worth of files can need.
    pub fn max_request_bytes(&self) -> usize {
        self.max_bytes.saturating_mul(self.per_item).saturating_add(64 * 1024)
    }

    /// The message for a file over the limit.
    pub fn too_large(&self) -> AppError {
        AppError::TooLarge(format!("files may be at most {}", size_label(self.max_bytes as i64)))
    }
}

/// What a file is attached to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Post(i64),
    Comment(i64),
    Idea(i64),
    IdeaComment(i64),
}

impl Target {
    /// The stored name of the kind of item.
    pub fn kind(self) -> &'static str {
        match self {
            Self::Post(_) => "post",
            Self::Comment(_) => "comment",
            Self::Idea(_) => "idea",
            Self::IdeaComment(_) => "idea_comment",
        }
    }

    fn id(self) -> i64 {
        match self {
            Self::Post(id) | Self::Comment(id) | Self::Idea(id) | Self::IdeaComment(id) => id,
        }
    }

    fn of(upload: &Upload) -> Option<Self> {
        let id = upload.target_id?;
        Some(match upload.target_type.as_deref()? {
            "post" => Self::Post(id),
            "comment" => Self::Comment(id),
            "idea" => Self::Idea(id),
            _ => Self::IdeaComment(id),
        })
    }
}

/// A file as pages and the API show it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FileView {
    pub id: i64,
    pub name: String,
    /// The type read from its content.
    pub mime: String,
    /// Bytes.
    pub size: i64,
    /// Pixels, for pictures.
    pub width: Option<i32>,
    pub height: Option<i32>,
    /// Downloads (or, for pictures, shows) the file.
    pub url: String,
    /// A picture's thumbnail (at most 400 pixels a side) and preview (1600).
    pub thumbnail_url: Option<String>,
    pub preview_url: Option<String>,
}

impl FileView {
    fn of(upload: Upload) -> Self {
        let url = format!("/files/{}/{}", upload.id, utf8_percent_encode(&upload.name, NON_ALPHANUMERIC));
        let (thumbnail_url, preview_url) = match upload.preview {
            Some(_) => (Some(format!("{url}?v=thumb")), Some(format!("{url}?v=preview"))),
            None => (None, None),
        };
        Self {
            id: upload.id,
            name: upload.name,
            mime: upload.mime,
            size: upload.size,
            width: upload.width,
            height: upload.height,
            url,
            thumbnail_url,
            preview_url,
        }
    }

    /// Whether pages show it as a picture.
    pub fn is_picture(&self) -> bool {
        self.thumbnail_url.is_some()
    }

    /// Its size for people: `512 B`, `1.4 MB`.
    pub fn size_label(&self) -> String {
        size_label(self.size)
    }

    /// What kind of file it is, in a word or two.
    pub fn kind_label(&self) -> &'static str {
        let mime = self.mime.as_str();
        match mime {
            "application/pdf" => "PDF",
            "text/csv" => "CSV",
            "text/markdown" => "Markdown",
            "text/plain" => "Text",
            "application/zip" => "Zip archive",
            _ if mime.contains("spreadsheet") || mime.contains("excel") => "Spreadsheet",
            _ if mime.contains("presentation") || mime.contains("powerpoint") => "Slides",
            _ if mime.contains("word") || mime.contains("opendocument.text") || mime.contains("rtf") => {
                "Document"
            }
            _ if mime.starts_with("image/") => "Picture",
            _ if mime.starts_with("video/") => "Video",
            _ if mime.starts_with("audio/") => "Audio",
            _ => "File",
        }
    }
}

impl FileView {
    /// The thumbnail's size in pixels (at most 400 a side), so pages keep its place while it
    /// loads.
    pub fn thumb_size(&self) -> (i32, i32) {
        let (width, height) = (self.width.unwrap_or(400).max(1), self.height.unwrap_or(400).max(1));
        let scale = (400.0 / f64::from(width.max(height))).min(1.0);
        let side = |n: i32| ((f64::from(n) * scale).round() as i32).max(1);
        (side(width), side(height))
    }

    /// What the list says beside the name: the kind (when the badge does not say it
    /// already) and the size.
    pub fn detail(&self) -> String {
        let kind = self.kind_label();
        if kind.eq_ignore_ascii_case(self.kind_code()) {
            self.size_label()
        } else {
            format!("{kind} · {}", self.size_label())
        }
    }

    /// A short badge for the file's kind.
    pub fn kind_code(&self) -> &'static str {
        match self.kind_label() {
            "PDF" => "PDF",
            "CSV" => "CSV",
            "Markdown" => "MD",
            "Text" => "TXT",
            "Zip archive" => "ZIP",
            "Spreadsheet" => "XLS",
            "Slides" => "PPT",
            "Document" => "DOC",
            "Video" => "VID",
            "Audio" => "AUD",
            "Picture" => "IMG",
            _ => "FILE",
        }
    }
}

/// The pictures among files (shown as thumbnails).
pub fn pictures(files: &[FileView]) -> Vec<&FileView> {
    files.iter().filter(|f| f.is_picture()).collect()
}

/// The files that are not pictures (listed by name).
pub fn documents(files: &[FileView]) -> Vec<&FileView> {
    files.iter().filter(|f| !f.is_picture()).collect()
}

fn size_label(bytes: i64) -> String {
    match bytes {
        n if n < 1024 => format!("{n} B"),
        n if n < 1024 * 1024 => format!("{:.0} KB", n as f64 / 1024.0),
        n if n < 1024 * 1024 * 1024 => format!("{:.1} MB", n as f64 / (1024.0 * 1024.0)),
        n => format!("{:.1} GB", n as f64 / (1024.0 * 1024.0 * 1024.0)),
    }
}

/// Upload ids to attach to an item being written, within the per-item limit.
#[derive(Debug, Clone, Default)]
pub struct Attach(Vec<i64>);

impl Attach {
    /// Checks the ids (a repeated id counts once).
    pub fn new(ids: &[i64], limits: Limits) -> AppResult<Self> {
        let mut unique = Vec::with_capacity(ids.len());
        for id in ids {
            if !unique.contains(id) {
                unique.push(*id);
            }
        }
        if unique.len() > limits.per_item {
            return Err(AppError::field("uploads", format!("attach at most {} files", limits.per_item)));
        }
        Ok(Self(unique))
    }

    /// Attaches the files to the item just written, in the writer's transaction. Each must
    /// be the writer's own upload and not attached to anything yet.
    pub(crate) fn apply(&self, c: &mut DbConn, owner_id: i64, target: Target) -> AppResult<()> {
        if self.0.is_empty() {
            return Ok(());
        }
        let attached = uploads::attach(c, owner_id, &self.0, target.kind(), target.id(), now())?;
        if attached != self.0.len() {
            return Err(AppError::field(
                "uploads",
                "a file to attach is not one you uploaded, or is attached elsewhere already; upload it again",
            ));
        }
        Ok(())
    }
}

/// Accepts ids as a JSON list or, from HTML forms, as one comma-separated string.
pub fn ids<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<i64>, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum ListOrCommas {
        List(Vec<i64>),
        Commas(String),
    }
    match <ListOrCommas as serde::Deserialize>::deserialize(deserializer)? {
        ListOrCommas::List(ids) => Ok(ids),
        ListOrCommas::Commas(text) => text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().map_err(|_| serde::de::Error::custom(format!("“{s}” is not an upload id"))))
            .collect(),
    }
}

/// Upload ids as forms carry them: `12,13`.
pub fn joined(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// Checks and stores one uploaded file for `owner`; the error says why it is refused.
pub async fn receive(
    db: &Db,
    files: &Files,
    owner_id: i64,
    limits: Limits,
    raw_name: &str,
    bytes: Vec<u8>,
) -> AppResult<FileView> {
    if bytes.len() > limits.max_bytes {
        return Err(limits.too_large());
    }
    let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
    let since = now() - chrono::Duration::days(1);
    let used = db.read(move |c| Ok(uploads::bytes_since(c, owner_id, since)?)).await?;
    if used.saturating_add(size) > limits.daily_bytes {
        return Err(AppError::QuotaExceeded {
            message: format!(
                "you have uploaded {} today; the daily limit is {}",
                size_label(used),
                size_label(limits.daily_bytes)
            ),
            retry_after: 3600,
        });
    }
    let name = kind::clean_name(raw_name);
    let store = files.store.clone();
    let stored = actix_web::web::block(move || prepare_and_store(store.as_ref(), &name, bytes)).await??;
    let at = now();
    let upload = db
        .write(move |c| {
            let new = NewUpload {
                owner_id,
                sha256: &stored.sha256,
                name: &stored.name,
                mime: stored.mime,
                size: stored.size,
                width: stored.width,
                height: stored.height,
                preview: stored.preview,
                text: &stored.text,
                created_at: at,
            };
            Ok(uploads::insert(c, &new)?)
        })
        .await?;
    Ok(FileView::of(upload))
}

/// A file checked, cleaned and in the store, waiting for its row.
struct Stored {
    sha256: String,
    name: String,
    mime: &'static str,
    size: i64,
    width: Option<i32>,
    height: Option<i32>,
    preview: Option<&'static str>,
    text: String,
}

/// The CPU and disk half of an upload (run off the async workers).
fn prepare_and_store(store: &dyn BlobStore, name: &str, bytes: Vec<u8>) -> AppResult<Stored> {
    let sniffed = kind::sniff(&bytes, name).map_err(|e| AppError::field("file", e))?;
    let text = if sniffed.text { indexed_text(&bytes) } else { String::new() };
    let (bytes, picture) = if sniffed.image {
        let mut picture = images::process(bytes).map_err(|e| AppError::field("file", e))?;
        (std::mem::take(&mut picture.original), Some(picture))
    } else {
        (bytes, None)
    };
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let failed = |e: std::io::Error| AppError::Internal(anyhow::Error::new(e).context("storing a file"));
    if let Some(picture) = &picture {
        store.put(&key(&sha256, Some(("thumb", picture.format))), &picture.thumb).map_err(failed)?;
        store.put(&key(&sha256, Some(("preview", picture.format))), &picture.preview).map_err(failed)?;
    }
    store.put(&key(&sha256, None), &bytes).map_err(failed)?;
    let pixels = |n: u32| i32::try_from(n).ok();
    Ok(Stored {
        sha256,
        name: name.to_owned(),
        mime: sniffed.mime,
        size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        width: picture.as_ref().and_then(|p| pixels(p.width)),
        height: picture.as_ref().and_then(|p| pixels(p.height)),
        preview: picture.as_ref().map(|p| p.format),
        text,
    })
}

fn indexed_text(bytes: &[u8]) -> String {
    let text = String::from_utf8_lossy(bytes);
    let mut end = text.len().min(MAX_INDEXED_TEXT);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// Deletes one of the person's uploads that is not attached yet (a file removed from a
/// form before sending it).
pub async fn discard(db: &Db, owner_id: i64, id: i64) -> AppResult<()> {
    let found = db.write(move |c| Ok(uploads::discard(c, owner_id, id)?)).await?;
    if found { Ok(()) } else { Err(AppError::NotFound) }
}

/// The files of the given items, by item id.
pub fn views_of(c: &mut DbConn, kind: &str, ids: &[i64]) -> AppResult<HashMap<i64, Vec<FileView>>> {
    let mut by_item: HashMap<i64, Vec<FileView>> = HashMap::new();
    for upload in uploads::of_targets(c, kind, ids)? {
        if let Some(item) = upload.target_id {
            by_item.entry(item).or_default().push(FileView::of(upload));
        }
    }
    Ok(by_item)
}

/// The names and text of the given items' files, by item id (what search finds them by).
pub fn words_of(c: &mut DbConn, kind: &str, ids: &[i64]) -> diesel::QueryResult<HashMap<i64, String>> {
    let mut by_item: HashMap<i64, String> = HashMap::new();
    for (item, name, text) in uploads::text_of_targets(c, kind, ids)? {
        let words = by_item.entry(item).or_default();
        for part in [name.as_str(), text.as_str()] {
            if !part.is_empty() {
                words.push(' ');
                words.push_str(part);
            }
        }
    }
    Ok(by_item)
}

/// Which form of a file to serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    Original,
    Thumb,
    Preview,
}

/// A file to send.
pub struct Served {
    pub path: PathBuf,
    pub mime: String,
    pub name: String,
    /// Shown in the browser (pictures) rather than downloaded.
    pub inline: bool,
}

/// Finds a file the actor may read: one attached to an item they may see (hidden and
/// deleted items' files go with them), or their own upload not attached yet. Anything
/// else is 404, as if the file did not exist.
pub async fn open(db: &Db, files: &Files, actor: Actor, id: i64, variant: Variant) -> AppResult<Served> {
    let upload = db
        .read(move |c| {
            let upload = uploads::find(c, id)?.ok_or(AppError::NotFound)?;
            readable(c, actor, &upload)?;
            Ok(upload)
        })
        .await?;
    let picture = upload.preview.as_deref();
    let (key, mime) = match (variant, picture) {
        (Variant::Original, _) => (key(&upload.sha256, None), upload.mime),
        (Variant::Thumb | Variant::Preview, Some(format)) => {
            let name = if variant == Variant::Thumb { "thumb" } else { "preview" };
            let mime = if format == "png" { "image/png" } else { "image/jpeg" };
            (key(&upload.sha256, Some((name, format))), mime.to_owned())
        }
        (_, None) => return Err(AppError::NotFound),
    };
    let inline = picture.is_some();
    Ok(Served { path: files.store.path(&key), mime, name: upload.name, inline })
}

fn readable(c: &mut DbConn, actor: Actor, upload: &Upload) -> AppResult<()> {
    use crate::moderation::visible_item;
    match Target::of(upload) {
        None if upload.owner_id == actor.user_id => Ok(()),
        None => Err(AppError::NotFound),
        Some(Target::Post(id)) => visible_item(c, actor, TargetType::Post, id).map(drop),
        Some(Target::Comment(id)) => {
            let comment = visible_item(c, actor, TargetType::Comment, id)?;
            // A comment's files go with its post when the post is hidden.
            let post = comment.post_id.ok_or(AppError::NotFound)?;
            visible_item(c, actor, TargetType::Post, post).map(drop)
        }
        Some(Target::Idea(id)) => visible_item(c, actor, TargetType::Idea, id).map(drop),
        Some(Target::IdeaComment(id)) => {
            let comment = ideas::find_comment(c, id)?.ok_or(AppError::NotFound)?;
            crate::ideas::locate_idea(c, actor, comment.idea_id).map(drop)
        }
    }
}

/// Deletes uploads made before `cutoff` and never attached, and the bytes no other upload
/// shares; returns how many uploads went.
pub async fn sweep(db: &Db, files: &Files, cutoff: NaiveDateTime) -> AppResult<usize> {
    let (removed, unused) = db
        .write(move |c| {
            let hashes = uploads::delete_unattached_before(c, cutoff)?;
            let removed = hashes.len();
            let unique: Vec<String> = hashes.into_iter().collect::<BTreeSet<_>>().into_iter().collect();
            let in_use = uploads::hashes_in_use(c, &unique)?;
            Ok((removed, unique.into_iter().filter(|h| !in_use.contains(h)).collect::<Vec<_>>()))
        })
        .await?;
    let store = files.store.clone();
    actix_web::web::block(move || {
        for sha256 in &unused {
            let mut keys = vec![key(sha256, None)];
            for variant in ["thumb", "preview"] {
                for format in ["jpg", "png"] {
                    keys.push(key(sha256, Some((variant, format))));
                }
            }
            for key in keys {
                store.remove(&key)?;
            }
        }
        Ok::<_, std::io::Error>(())
    })
    .await?
    .map_err(|e| AppError::Internal(anyhow::Error::new(e).context("removing unused files")))?;
    Ok(removed)
}

/// Sweeps unattached uploads older than a day, every hour.
pub fn spawn_sweeper(db: Db, files: Files) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(3600));
        loop {
            tick.tick().await;
            match sweep(&db, &files, now() - chrono::Duration::days(UNATTACHED_DAYS)).await {
                Ok(n) if n > 0 => tracing::info!(removed = n, "unattached uploads removed"),
                Ok(_) => {}
                Err(e) => e.log(),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_a_file_manager() {
        assert_eq!(size_label(512), "512 B");
        assert_eq!(size_label(1536), "2 KB");
        assert_eq!(size_label(25 * 1024 * 1024), "25.0 MB");
    }
}
