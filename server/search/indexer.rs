//! The indexer: follows the activity log after commit and applies each change to the
//! search index. Every activity names the rows it touched; the indexer re-reads those rows
//! and replaces their documents (or removes them when the row is gone), so an event
//! applied twice changes nothing and the index always converges on the database.
//!
//! Its position is the index's own (saved in each commit), so after a crash it resumes
//! from the last activity whose documents were committed; nothing in between is lost.

use std::collections::BTreeSet;

use search_index::WriterHandle;

use super::documents::{self, key};
use crate::db::Db;
use crate::db::models::activities::{self, Activity};
use crate::db::models::search::{self as rows, Table};
use crate::error::{AppError, AppResult};

const BATCH: i64 = 500;
/// Rows per read during a rebuild.
const REBUILD_BATCH: i64 = 1000;

/// What an activity asks the indexer to re-read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Touched {
    /// One row.
    Row(Table, i64),
    /// The comments of a post (they show its title and whether one is the accepted answer).
    CommentsOfPost(i64),
    /// The comments of an idea.
    CommentsOfIdea(i64),
    /// Everything a person wrote (filed under their department, which changed).
    WrittenBy(i64),
}

/// What an activity touched.
fn touched(activity: &Activity, out: &mut BTreeSet<Touched>, parents: &mut BTreeSet<String>) {
    use Touched::{CommentsOfIdea, CommentsOfPost, Row, WrittenBy};
    let id = activity.object_id;
    let data: serde_json::Value = serde_json::from_str(&activity.data).unwrap_or_default();
    let number = |key: &str| data.get(key).and_then(serde_json::Value::as_i64);
    match activity.verb.as_str() {
        "post.created" => {
            out.insert(Row(Table::Posts, id));
        }
        // Comments show their post's title, so they follow an edit.
        "post.edited" => {
            out.insert(Row(Table::Posts, id));
            out.insert(CommentsOfPost(id));
        }
        // A hidden post takes its comments out of search with it; restoring brings both back.
        "post.deleted" | "post.hidden" => {
            out.insert(Row(Table::Posts, id));
            parents.insert(key(Table::Posts, id));
        }
        "post.restored" => {
            out.insert(Row(Table::Posts, id));
            out.insert(CommentsOfPost(id));
        }
        "comment.created" | "comment.deleted" | "comment.hidden" | "comment.restored" => {
            out.insert(Row(Table::Comments, id));
        }
        // The previously accepted answer loses its mark: re-read the post's comments.
        "answer.accepted" => {
            if let Some(post) = number("post") {
                out.insert(CommentsOfPost(post));
            }
        }
        "idea.comment_deleted" => {
            if let Some(comment) = number("comment") {
                out.insert(Row(Table::IdeaComments, comment));
            }
        }
        verb if verb.starts_with("idea.")
            && !matches!(verb, "idea.voted" | "idea.unvoted" | "idea.scored") =>
        {
            out.insert(Row(Table::Ideas, id));
            out.insert(CommentsOfIdea(id));
        }
        "community.created" | "community.archived" | "community.updated" => {
            out.insert(Row(Table::Communities, id));
        }
        verb if (verb.starts_with("user.") || verb.starts_with("skill."))
            && activity.object_type == "user" =>
        {
            out.insert(Row(Table::People, id));
            if data.pointer("/more/department_changed").and_then(serde_json::Value::as_bool) == Some(true) {
                out.insert(WrittenBy(id));
            }
        }
        _ => {}
    }
}

fn merge(wanted: &mut Vec<(Table, Vec<i64>)>, table: Table, ids: Vec<i64>) {
    match wanted.iter_mut().find(|(t, _)| *t == table) {
        Some((_, list)) => list.extend(ids),
        None => wanted.push((table, ids)),
    }
}

/// Re-reads the touched rows and sends their documents (or removals) to the writer.
async fn apply(
    db: &Db,
    writer: &WriterHandle,
    touched: BTreeSet<Touched>,
    parents: BTreeSet<String>,
) -> AppResult<()> {
    let (docs, gone) = db
        .read(move |c| {
            let mut wanted: Vec<(Table, Vec<i64>)> = Vec::new();
            for touch in touched {
                match touch {
                    Touched::Row(table, id) => merge(&mut wanted, table, vec![id]),
                    Touched::CommentsOfPost(post) => {
                        merge(&mut wanted, Table::Comments, rows::comment_ids_of_post(c, post)?);
                    }
                    Touched::CommentsOfIdea(idea) => {
                        merge(&mut wanted, Table::IdeaComments, rows::comment_ids_of_idea(c, idea)?);
                    }
                    Touched::WrittenBy(person) => {
                        for (table, ids) in rows::written_by(c, person)? {
                            merge(&mut wanted, table, ids);
                        }
                    }
                }
            }
            let (mut docs, mut gone) = (Vec::new(), Vec::new());
            for (table, ids) in wanted {
                let found = documents::load(c, table, &ids)?;
                gone.extend(
                    ids.iter().map(|&id| key(table, id)).filter(|k| !found.iter().any(|d| &d.key == k)),
                );
                docs.extend(found);
            }
            Ok((docs, gone))
        })
        .await?;
    let stopped = |_| AppError::Internal(anyhow::anyhow!("the search index writer has stopped"));
    for parent in parents {
        writer.delete_children(parent).await.map_err(stopped)?;
    }
    for key in gone {
        writer.delete(key).await.map_err(stopped)?;
    }
    for doc in docs {
        writer.put(doc).await.map_err(stopped)?;
    }
    Ok(())
}

async fn commit(writer: &WriterHandle, position: i64) -> AppResult<()> {
    writer
        .commit(position)
        .await
        .map_err(|e| AppError::Internal(e.into()))?
        .map_err(|e| AppError::Internal(anyhow::anyhow!("search index commit failed: {e}")))
}

/// Fills the index from the database, replacing whatever it held, and commits it as
/// covering the log up to the activity that was newest when the rebuild began (later
/// activities are then applied by the follower; applying one twice is harmless).
pub async fn rebuild(db: &Db, writer: &WriterHandle, progress: impl Fn(u64)) -> AppResult<i64> {
    let position = db.read(|c| Ok(activities::latest_id(c)?)).await?;
    writer.clear().await.map_err(|e| AppError::Internal(e.into()))?;
    for table in Table::ALL {
        let mut after = 0;
        loop {
            let (docs, window) = db
                .read(move |c| {
                    let window = rows::ids_after(c, table, after, REBUILD_BATCH)?;
                    Ok((documents::load(c, table, &window)?, window))
                })
                .await?;
            let Some(&last) = window.last() else { break };
            progress(window.len() as u64);
            for doc in docs {
                writer.put(doc).await.map_err(|e| AppError::Internal(e.into()))?;
            }
            after = last;
        }
    }
    commit(writer, position).await?;
    Ok(position)
}

/// Runs for the life of the process, from the index's position.
pub async fn run(db: Db, search: super::Search) {
    let writer = search.writer.clone();
    if search.index.position() < 0 {
        let started = std::time::Instant::now();
        match rebuild(&db, &writer, |_| {}).await {
            Ok(_) => tracing::info!(
                documents = search.index.len(),
                took_ms = started.elapsed().as_millis() as u64,
                "search index rebuilt"
            ),
            Err(e) => return e.log(),
        }
    }
    let start = search.index.position();
    crate::jobs::follow_log(&db, start, BATCH, |batch| {
        let (db, writer) = (db.clone(), writer.clone());
        async move {
            let newest = batch.last().map_or(start, |a| a.id);
            let (mut touched_rows, mut parents) = (BTreeSet::new(), BTreeSet::new());
            for activity in &batch {
                touched(activity, &mut touched_rows, &mut parents);
            }
            apply(&db, &writer, touched_rows, parents).await?;
            commit(&writer, newest).await
        }
    })
    .await;
}
