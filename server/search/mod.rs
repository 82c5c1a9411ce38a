//! Search, expert finding and duplicate detection for one viewer, over the
//! `search-index` crate. The index holds what exists; what the viewer may see is decided
//! here, by the policy, before the index is asked: the private communities the viewer may
//! not read are excluded inside the query, so hits, counts, facets and snippets all leave
//! them out alike.

pub mod documents;
pub mod experts;
pub mod indexer;

use std::collections::HashMap;
use std::path::Path;

use search_index::{Kind, Opened, Results, SearchIndex, SearchQuery, Writer, WriterHandle};

use crate::db::models::{communities, search as rows, users};
use crate::db::{Db, DbConn};
use crate::domain::community::Visibility;
use crate::domain::policy::{self, Actor, Place};
use crate::error::{AppError, AppResult};

/// Heap for the writer (tantivy flushes a segment when it fills).
const WRITER_HEAP: usize = 64 * 1024 * 1024;

/// The index and its writer, for the life of the process.
#[derive(Clone)]
pub struct Search {
    pub index: SearchIndex,
    pub writer: WriterHandle,
}

impl Search {
    /// Opens (or, when missing or corrupt, recreates empty) the index in `dir` and starts
    /// its writer. A fresh index has position -1; the indexer then fills it.
    pub fn open(dir: &Path) -> anyhow::Result<Search> {
        let (index, opened) = SearchIndex::open(dir)?;
        if opened == Opened::Fresh {
            tracing::info!(dir = %dir.display(), "new search index; it will be filled from the database");
        }
        let writer = Writer::open(&index, WRITER_HEAP).map_err(|e| {
            anyhow::anyhow!(
                "cannot write the search index in {} (is another agora using it?): {e}",
                dir.display()
            )
        })?;
        Ok(Search { index, writer: WriterHandle::spawn(writer)? })
    }
}

/// Private communities the actor may not read: the policy decides each one.
pub fn hidden_communities(c: &mut DbConn, actor: Actor) -> AppResult<Vec<i64>> {
    if actor.admin {
        return Ok(Vec::new());
    }
    Ok(communities::private_with_membership(c, actor.user_id)?
        .into_iter()
        .filter(|&(_, archived, membership)| {
            !policy::can_read(actor, &Place { visibility: Visibility::Private, archived, membership })
        })
        .map(|(id, ..)| id)
        .collect())
}

/// Runs index work, with the database reads around it, off the async workers: one task per
/// search, since each hand-over between threads waits for a thread to wake.
pub async fn blocking<T: Send + 'static>(f: impl FnOnce() -> AppResult<T> + Send + 'static) -> AppResult<T> {
    tokio::task::spawn_blocking(f).await.map_err(|e| AppError::Internal(e.into()))?
}

/// An index that could not be read, as the error the caller sees.
pub fn failed(e: search_index::Error) -> AppError {
    AppError::Internal(anyhow::anyhow!("search failed: {e}"))
}

/// What was asked, as typed (the page and the API share it).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct SearchParams {
    /// The query: words, "quoted phrases", -excluded words.
    #[serde(default)]
    pub q: String,
    /// post | comment | idea | community | person
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    /// A community's slug.
    pub community: Option<String>,
    pub tag: Option<String>,
    /// An author's handle.
    pub author: Option<String>,
    pub department: Option<String>,
    /// From the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// 1–100, default 20.
    pub limit: Option<usize>,
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// A page of results with the names its facets and hits refer to.
#[derive(Debug, Clone, Default)]
pub struct Found {
    pub results: Results,
    pub offset: usize,
    pub next_cursor: Option<String>,
    /// id → (slug, name) of the communities shown.
    pub communities: HashMap<i64, (String, String)>,
    /// id → (handle, name) of the people shown.
    pub people: HashMap<i64, (String, String)>,
}

/// Searches for a viewer. Filters naming a community the viewer may not see (or a person
/// who does not exist) find nothing, exactly as a filter that matches nothing.
pub async fn search(db: &Db, search: &Search, actor: Actor, params: SearchParams) -> AppResult<Found> {
    let kind = match non_empty(&params.kind) {
        Some(name) => Some(
            Kind::parse(name)
                .ok_or_else(|| AppError::field("type", "use post, comment, idea, community or person"))?,
        ),
        None => None,
    };
    let offset: usize = params.cursor.as_deref().and_then(|c| c.parse().ok()).unwrap_or(0);
    let limit = params.limit.unwrap_or(20).clamp(1, 100);
    let (db, index) = (db.clone(), search.index.clone());
    blocking(move || {
        let (hidden, community, author) = db.read_sync(|c| {
            let community = match non_empty(&params.community) {
                Some(slug) => Some(communities::by_slug(c, slug)?.map_or(-1, |m| m.id)),
                None => None,
            };
            let author = match non_empty(&params.author) {
                Some(handle) => Some(users::by_handle(c, &handle.to_lowercase())?.map_or(-1, |u| u.id)),
                None => None,
            };
            Ok((hidden_communities(c, actor)?, community, author))
        })?;
        let results = index
            .search(&SearchQuery {
                text: &params.q,
                kind,
                community,
                tag: non_empty(&params.tag),
                author,
                department: non_empty(&params.department),
                hidden: &hidden,
                prefix: false,
                offset,
                limit,
            })
            .map_err(failed)?;
        let shown = offset + results.hits.len();
        let next_cursor =
            (shown < results.total && shown < search_index::MAX_OFFSET).then(|| shown.to_string());
        let (communities, people) = db.read_sync(|c| names(c, &results))?;
        Ok(Found { results, offset, next_cursor, communities, people })
    })
    .await
}

/// Suggestions while typing in the top bar: the best few titles, the last word taken as
/// the start of a word.
pub async fn suggest(db: &Db, search: &Search, actor: Actor, q: String) -> AppResult<Vec<search_index::Hit>> {
    let (db, index) = (db.clone(), search.index.clone());
    blocking(move || {
        let hidden = db.read_sync(|c| hidden_communities(c, actor))?;
        let query =
            SearchQuery { text: &q, hidden: &hidden, prefix: true, limit: 6, ..SearchQuery::default() };
        Ok(index.search(&query).map_err(failed)?.hits)
    })
    .await
}

/// Ideas the viewer may see that look like the text (duplicate detection).
pub async fn similar_ideas(
    db: &Db,
    search: &Search,
    actor: Actor,
    title: String,
    body: String,
    except: Option<i64>,
) -> AppResult<Vec<i64>> {
    if title.trim().is_empty() && body.trim().is_empty() {
        return Ok(Vec::new());
    }
    let (db, index) = (db.clone(), search.index.clone());
    let hits = blocking(move || {
        let hidden = db.read_sync(|c| hidden_communities(c, actor))?;
        index.similar(&title, &body, Kind::Idea, &hidden, 6).map_err(failed)
    })
    .await?;
    Ok(hits.into_iter().map(|h| h.id).filter(|&id| Some(id) != except).take(5).collect())
}

type Names = (HashMap<i64, (String, String)>, HashMap<i64, (String, String)>);

/// The names of the communities and people the results mention.
fn names(c: &mut DbConn, results: &Results) -> AppResult<Names> {
    let mut community_ids: Vec<i64> = results.facets.communities.iter().map(|(id, _)| *id).collect();
    community_ids.extend(results.hits.iter().filter_map(|h| h.community));
    let mut people_ids: Vec<i64> = results.facets.authors.iter().map(|(id, _)| *id).collect();
    people_ids.extend(results.hits.iter().filter_map(|h| h.author));
    let named = |rows: Vec<(i64, String, String)>| {
        rows.into_iter().map(|(id, key, name)| (id, (key, name))).collect()
    };
    Ok((named(rows::community_names(c, &community_ids)?), named(rows::people_names(c, &people_ids)?)))
}
