//! Recent answers of [`SearchIndex::similar`](crate::SearchIndex::similar): every view of an
//! idea page asks which ideas look like it, and the answer changes only when the index
//! does. One answer holds the best [`KEPT`] documents for everyone; each viewer's ideas are
//! the first of them outside the communities hidden from that viewer.

use std::num::NonZeroUsize;
use std::sync::Mutex;

use lru::LruCache;

use crate::query::Hit;
use crate::schema::Kind;

/// How many documents an answer keeps (the most a caller may ask for).
pub(crate) const KEPT: usize = 20;

/// How many texts are remembered: each answer is about 20 short hits (some 10 KiB).
const TEXTS: usize = 256;

/// The words a text was reduced to, and the kind of document asked for.
type Key = (Kind, Vec<String>);

/// The answers computed on one searcher generation; a new generation forgets them all.
pub(crate) struct SimilarCache {
    answers: Mutex<(u64, LruCache<Key, Vec<Hit>>)>,
}

impl SimilarCache {
    pub(crate) fn new() -> Self {
        SimilarCache {
            answers: Mutex::new((0, LruCache::new(NonZeroUsize::new(TEXTS).unwrap_or(NonZeroUsize::MIN)))),
        }
    }

    /// The viewer's share of a remembered answer, if there is one for this generation.
    pub(crate) fn get(&self, generation: u64, key: &Key, hidden: &[i64], limit: usize) -> Option<Vec<Hit>> {
        let mut guard = self.answers.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (at, answers) = &mut *guard;
        if *at != generation {
            return None;
        }
        share(answers.get(key)?, hidden, limit)
    }

    /// Remembers the best [`KEPT`] hits for everyone. An answer from a generation older
    /// than the remembered ones (a search that began before a commit) is not kept.
    pub(crate) fn put(&self, generation: u64, key: Key, hits: Vec<Hit>) {
        let mut guard = self.answers.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let (at, answers) = &mut *guard;
        if generation < *at {
            return;
        }
        if *at != generation {
            answers.clear();
            *at = generation;
        }
        answers.put(key, hits);
    }
}

/// The viewer's first `limit` hits of an answer for everyone, if it holds enough readable
/// ones to be sure of them: fewer than asked from a full answer means more readable ones
/// may lie past what was kept.
pub(crate) fn share(all: &[Hit], hidden: &[i64], limit: usize) -> Option<Vec<Hit>> {
    let readable: Vec<Hit> = all
        .iter()
        .filter(|h| h.community.is_none_or(|c| !hidden.contains(&c)))
        .take(limit)
        .cloned()
        .collect();
    (readable.len() == limit || all.len() < KEPT).then_some(readable)
}
