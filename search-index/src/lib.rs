//! Agora's search component over tantivy: documents for posts, comments, ideas, communities
//! and people; one writer thread fed by a channel; one reader for the life of the process,
//! reloaded after every commit (near-real-time); ACL filtering by the viewer's hidden
//! communities; expert finding over the same documents.
//!
//! The index knows nothing of the database. The server turns its rows into [`Doc`]s, tells
//! the writer which activity-log position each commit covers, and asks the index where it
//! stopped ([`SearchIndex::position`]) to catch up after a restart.

mod columns;
mod experts;
mod pairs;
mod query;
mod readable;
mod schema;
mod similar;
mod tally;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use tantivy::schema::Schema;
use tantivy::{Index, IndexReader, ReloadPolicy, TantivyDocument};

pub use experts::{Evidence, ExpertHit, ExpertQuery, Experts};
pub use query::{COUNT_UP_TO, Facets, Hit, MAX_OFFSET, Results, SearchQuery, Snippet, Terms};
pub use schema::Kind;
pub use writer::{Writer, WriterHandle};

use schema::Fields;

/// One searchable thing, as the server describes it.
#[derive(Debug, Clone)]
pub struct Doc {
    pub kind: Kind,
    /// Unique across documents (`post:12`, `idea-comment:7`).
    pub key: String,
    /// The document this one belongs to, if any (a comment's post key).
    pub parent: Option<String>,
    pub id: i64,
    /// Searched with the highest boost (may be empty: comments have none).
    pub title: String,
    /// Shown as the hit's title.
    pub label: String,
    /// Plain text (not Markdown or HTML): snippets are cut from it.
    pub body: String,
    pub tags: Vec<String>,
    pub url: String,
    /// The community whose readers may see it; `None` for site-wide documents.
    pub community: Option<i64>,
    pub author: Option<i64>,
    pub department: String,
    /// Seconds since the epoch.
    pub created: i64,
    pub accepted: bool,
}

/// Errors of the search component.
pub type Result<T> = tantivy::Result<T>;
/// Why the index could not be read or written.
pub type Error = tantivy::TantivyError;

/// How the index was found on open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opened {
    /// An index of this version: catch up from its position.
    Existing,
    /// Missing, unreadable or of another version: a fresh empty index was made, and the
    /// caller must fill it from the database.
    Fresh,
}

/// The index of one process: its reader, and the position its last commit covered.
#[derive(Clone)]
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    position: Arc<AtomicI64>,
    dir: PathBuf,
    similar: Arc<similar::SimilarCache>,
    columns: Arc<columns::ColumnCache>,
}

impl SearchIndex {
    /// Opens the index in `dir`, or makes a fresh one there when it is missing, corrupt or
    /// written by another [`schema::VERSION`].
    pub fn open(dir: &Path) -> Result<(SearchIndex, Opened)> {
        match Self::open_existing(dir) {
            Ok(Some(found)) => Ok((found, Opened::Existing)),
            Ok(None) => Ok((Self::create(dir)?, Opened::Fresh)),
            Err(e) => {
                tracing::warn!(error = %e, dir = %dir.display(), "search index unreadable; rebuilding it");
                Ok((Self::create(dir)?, Opened::Fresh))
            }
        }
    }

    fn open_existing(dir: &Path) -> Result<Option<SearchIndex>> {
        if !dir.join("meta.json").exists() {
            return Ok(None);
        }
        let index = Index::open_in_dir(dir)?;
        let (expected, fields) = schema::build();
        let Some(position) = writer::read_position(&index)? else {
            return Ok(None);
        };
        if index.schema() != expected {
            return Ok(None);
        }
        Self::from_index(index, fields, position, dir).map(Some)
    }

    fn create(dir: &Path) -> Result<SearchIndex> {
        if dir.exists() {
            std::fs::remove_dir_all(dir)?;
        }
        std::fs::create_dir_all(dir)?;
        let (schema, fields): (Schema, Fields) = schema::build();
        let index = Index::create_in_dir(dir, schema)?;
        Self::from_index(index, fields, -1, dir)
    }

    fn from_index(index: Index, fields: Fields, position: i64, dir: &Path) -> Result<SearchIndex> {
        schema::register_analyzer(&index);
        // The writer reloads the reader itself after each commit, so a search right after
        // the commit sees it (no polling delay).
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
        let position = Arc::new(AtomicI64::new(position));
        Ok(SearchIndex {
            index,
            reader,
            fields,
            position,
            dir: dir.to_path_buf(),
            similar: Arc::new(similar::SimilarCache::new()),
            columns: Arc::default(),
        })
    }

    /// The last activity-log id the index covers; `-1` when it has never been filled.
    pub fn position(&self) -> i64 {
        self.position.load(Ordering::Acquire)
    }

    /// The number of documents searchable now.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Where the index lives.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn stored(&self, doc: &TantivyDocument) -> query::Stored {
        query::Stored::read(&self.fields, doc)
    }
}
