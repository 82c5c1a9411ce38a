//! The one writer: a [`Writer`] used directly by a rebuild, or owned by a thread and fed
//! through a channel ([`WriterHandle`]) while the server runs. Each commit records the
//! activity-log position it covers in the commit's payload, so the documents and the
//! position are saved together: a crash never leaves one ahead of the other.

use std::sync::atomic::Ordering;

use tantivy::schema::Term;
use tantivy::{Index, IndexWriter, TantivyDocument};
use tokio::sync::{mpsc, oneshot};

use crate::schema::{self, Fields, Kind};
use crate::{Doc, Result, SearchIndex};

/// The position saved in an index's last commit; `None` for an index of another version or
/// one never committed by us.
pub(crate) fn read_position(index: &Index) -> Result<Option<i64>> {
    let payload = index.load_metas()?.payload.unwrap_or_default();
    let Some((version, position)) = payload.split_once(':') else {
        return Ok(None);
    };
    if version != schema::VERSION.to_string() {
        return Ok(None);
    }
    Ok(position.parse().ok())
}

/// Adds, replaces and deletes documents; nothing is searchable until [`Writer::commit`].
pub struct Writer {
    writer: IndexWriter,
    index: SearchIndex,
}

impl Writer {
    /// Takes the index's writer lock (one per index directory, so a second process fails
    /// here with a clear error rather than corrupting anything).
    pub fn open(index: &SearchIndex, heap_bytes: usize) -> Result<Writer> {
        let writer = index.index.writer(heap_bytes)?;
        Ok(Writer { writer, index: index.clone() })
    }

    fn fields(&self) -> &Fields {
        &self.index.fields
    }

    /// Adds a document, replacing any with the same key.
    pub fn put(&self, doc: &Doc) -> Result<()> {
        let f = self.fields();
        self.writer.delete_term(Term::from_field_text(f.key, &doc.key));
        self.writer.add_document(to_tantivy(f, doc))?;
        Ok(())
    }

    /// Removes the document with this key (nothing if there is none).
    pub fn delete(&self, key: &str) {
        self.writer.delete_term(Term::from_field_text(self.fields().key, key));
    }

    /// Removes every document whose parent is this key (a deleted post's comments).
    pub fn delete_children(&self, parent: &str) {
        self.writer.delete_term(Term::from_field_text(self.fields().parent, parent));
    }

    /// Removes everything (a rebuild starts here; readers keep the old documents until the
    /// rebuild commits).
    pub fn clear(&self) -> Result<()> {
        self.writer.delete_all_documents()?;
        Ok(())
    }

    /// Makes everything since the last commit durable and searchable, recording that the
    /// index now covers the activity log up to `position`.
    pub fn commit(&mut self, position: i64) -> Result<()> {
        let mut prepared = self.writer.prepare_commit()?;
        prepared.set_payload(&format!("{}:{position}", schema::VERSION));
        prepared.commit()?;
        self.index.reader.reload()?;
        self.index.position.store(position, Ordering::Release);
        Ok(())
    }
}

fn to_tantivy(f: &Fields, doc: &Doc) -> TantivyDocument {
    let mut d = TantivyDocument::default();
    d.add_text(f.key, &doc.key);
    if let Some(parent) = &doc.parent {
        d.add_text(f.parent, parent);
    }
    d.add_text(f.kind, doc.kind.as_str());
    d.add_i64(f.id, doc.id);
    let tags = doc.tags.join(" ");
    for (words, pairs, text) in [
        (f.title, f.title_pairs, &doc.title),
        (f.body, f.body_pairs, &doc.body),
        (f.tags, f.tags_pairs, &tags),
    ] {
        d.add_text(words, text);
        d.add_text(pairs, text);
    }
    d.add_text(f.label, if doc.label.is_empty() { &doc.title } else { &doc.label });
    d.add_text(f.url, &doc.url);
    d.add_i64(f.community, doc.community.unwrap_or(0));
    d.add_i64(f.author, doc.author.unwrap_or(0));
    d.add_i64(f.created, doc.created);
    d.add_bool(f.accepted, doc.accepted);
    // A person's tags are their skills: searchable, but not the #tags counted and filtered.
    for tag in doc.tags.iter().filter(|_| doc.kind != Kind::Person) {
        d.add_text(f.tag, tag);
    }
    if !doc.department.is_empty() {
        d.add_text(f.department, &doc.department);
    }
    d
}

enum Op {
    Put(Box<Doc>),
    Delete(String),
    DeleteChildren(String),
    Clear,
    Commit(i64, oneshot::Sender<Result<()>>),
}

/// The running server's way to the writer thread. Cheap to clone.
#[derive(Clone)]
pub struct WriterHandle {
    ops: mpsc::Sender<Op>,
}

/// The writer thread has stopped (it only stops when the index failed badly).
#[derive(Debug, thiserror::Error)]
#[error("the search index writer has stopped")]
pub struct Stopped;

impl WriterHandle {
    /// Moves the writer onto its own thread: tantivy's writer blocks, and one owner means
    /// no lock to take twice.
    pub fn spawn(mut writer: Writer) -> std::io::Result<WriterHandle> {
        let (ops, mut rx) = mpsc::channel::<Op>(4096);
        std::thread::Builder::new().name("search-writer".into()).spawn(move || {
            while let Some(op) = rx.blocking_recv() {
                match op {
                    Op::Put(doc) => {
                        if let Err(e) = writer.put(&doc) {
                            tracing::error!(error = %e, key = %doc.key, "search index: document not added");
                        }
                    }
                    Op::Delete(key) => writer.delete(&key),
                    Op::DeleteChildren(parent) => writer.delete_children(&parent),
                    Op::Clear => {
                        if let Err(e) = writer.clear() {
                            tracing::error!(error = %e, "search index: not cleared");
                        }
                    }
                    Op::Commit(position, done) => {
                        let _ = done.send(writer.commit(position));
                    }
                }
            }
        })?;
        Ok(WriterHandle { ops })
    }

    /// Queues a document (replacing any with its key).
    pub async fn put(&self, doc: Doc) -> std::result::Result<(), Stopped> {
        self.ops.send(Op::Put(Box::new(doc))).await.map_err(|_| Stopped)
    }

    /// Queues the removal of a document.
    pub async fn delete(&self, key: String) -> std::result::Result<(), Stopped> {
        self.ops.send(Op::Delete(key)).await.map_err(|_| Stopped)
    }

    /// Queues the removal of a document's children.
    pub async fn delete_children(&self, parent: String) -> std::result::Result<(), Stopped> {
        self.ops.send(Op::DeleteChildren(parent)).await.map_err(|_| Stopped)
    }

    /// Queues the removal of everything (a rebuild's first step).
    pub async fn clear(&self) -> std::result::Result<(), Stopped> {
        self.ops.send(Op::Clear).await.map_err(|_| Stopped)
    }

    /// Commits everything queued before it; returns once it is searchable.
    pub async fn commit(&self, position: i64) -> std::result::Result<Result<()>, Stopped> {
        let (done, wait) = oneshot::channel();
        self.ops.send(Op::Commit(position, done)).await.map_err(|_| Stopped)?;
        wait.await.map_err(|_| Stopped)
    }
}
