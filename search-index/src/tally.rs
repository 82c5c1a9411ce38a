//! Counting matches per type, community, author, tag and department from columnar fast
//! fields. tantivy's `FacetCollector` resolves every matching document's facet paths
//! against the facet dictionary; on a common word over 1.5 million documents that took
//! seconds. Here a segment counts into arrays indexed by term ordinal (strings) or a map
//! (ids), and only the values counted are turned back into text once per segment.
//!
//! Documents are counted a chunk at a time, each column read with one call per chunk. The
//! columns of four million documents do not fit in the processor's caches, so nearly every
//! read waits for memory; read in a tight loop, several of those waits overlap.

use rustc_hash::FxHashMap;
use tantivy::DocId;
use tantivy::columnar::{Cardinality, Column};

use crate::columns::{Columns, Strings};

/// Counts per value of each dimension, as weights: a sampled document stands for several
/// (see `readable`), so counts are rounded only when they are shown.
#[derive(Debug, Clone, Default)]
pub struct Tallies {
    pub kinds: FxHashMap<String, f64>,
    pub communities: FxHashMap<i64, f64>,
    pub authors: FxHashMap<i64, f64>,
    pub tags: FxHashMap<String, f64>,
    pub departments: FxHashMap<String, f64>,
}

impl Tallies {
    /// Adds another's counts to these.
    pub(crate) fn add(&mut self, other: Tallies) {
        fn into<K: std::hash::Hash + Eq>(to: &mut FxHashMap<K, f64>, from: FxHashMap<K, f64>) {
            for (key, n) in from {
                *to.entry(key).or_default() += n;
            }
        }
        into(&mut self.kinds, other.kinds);
        into(&mut self.communities, other.communities);
        into(&mut self.authors, other.authors);
        into(&mut self.tags, other.tags);
        into(&mut self.departments, other.departments);
    }
}

/// A weight as a number of documents.
pub fn rounded(weight: f64) -> u64 {
    weight.round() as u64
}

/// The top `n` values of a count, largest first (ties by value, for stable pages).
pub fn top<K: Ord + Clone>(counts: &FxHashMap<K, f64>, n: usize) -> Vec<(K, u64)> {
    let mut all: Vec<(K, u64)> =
        counts.iter().map(|(k, v)| (k.clone(), rounded(*v))).filter(|(_, v)| *v > 0).collect();
    let order = |a: &(K, u64), b: &(K, u64)| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0));
    // A common word has thousands of authors; only the first `n` need sorting.
    if all.len() > n && n > 0 {
        all.select_nth_unstable_by(n - 1, order);
        all.truncate(n);
    }
    all.sort_by(order);
    all.truncate(n);
    all
}

/// Which dimensions to count.
#[derive(Debug, Clone, Copy)]
pub struct Tally {
    /// Only the type (the tabs of a search narrowed to one type).
    pub kinds_only: bool,
}

impl Tally {
    /// Starts counting one segment's documents into `into`.
    pub(crate) fn for_segment<'a>(&self, columns: &'a Columns, into: &'a mut Tallies) -> SegmentTally<'a> {
        let all = !self.kinds_only;
        let strings = |strings: &'a Option<Strings>, wanted: bool| {
            strings
                .as_ref()
                .filter(|_| wanted)
                .map(|strings| Ords { counts: vec![0.0; strings.terms.len()], strings })
        };
        SegmentTally {
            kinds: strings(&columns.kind, true),
            tags: strings(&columns.tag, all),
            departments: strings(&columns.department, all),
            ids: all.then_some((&columns.community, &columns.author)),
            into,
        }
    }
}

/// A string column's counts by term ordinal, for one segment.
struct Ords<'a> {
    strings: &'a Strings,
    counts: Vec<f64>,
}

impl Ords<'_> {
    fn add(&mut self, docs: &[DocId], weight: f64, scratch: &mut Vec<Option<u64>>) {
        let column = &self.strings.column;
        if column.ords().get_cardinality() == Cardinality::Multivalued {
            for &doc in docs {
                for ord in column.term_ords(doc) {
                    if let Some(n) = self.counts.get_mut(ord as usize) {
                        *n += weight;
                    }
                }
            }
            return;
        }
        read(column.ords(), docs, scratch);
        for ord in scratch.iter().flatten() {
            if let Some(n) = self.counts.get_mut(*ord as usize) {
                *n += weight;
            }
        }
    }

    /// Adds the counts to `into` by term.
    fn name_into(self, into: &mut FxHashMap<String, f64>) {
        for (term, n) in self.strings.terms.iter().zip(self.counts).filter(|(_, n)| *n > 0.0) {
            match into.get_mut(term) {
                Some(total) => *total += n,
                None => {
                    into.insert(term.clone(), n);
                }
            }
        }
    }
}

/// Reads a single-valued column's value for each document into `out`.
fn read<T: PartialOrd + Copy + std::fmt::Debug + Send + Sync + 'static>(
    column: &Column<T>,
    docs: &[DocId],
    out: &mut Vec<Option<T>>,
) {
    out.clear();
    out.resize(docs.len(), None);
    column.first_vals(docs, out);
}

/// Documents counted per call to a column.
const CHUNK: usize = 256;

/// One segment's counting.
pub(crate) struct SegmentTally<'a> {
    kinds: Option<Ords<'a>>,
    tags: Option<Ords<'a>>,
    departments: Option<Ords<'a>>,
    /// The community and author columns, when they are counted.
    ids: Option<(&'a Column<i64>, &'a Column<i64>)>,
    into: &'a mut Tallies,
}

impl SegmentTally<'_> {
    /// Counts each of `docs` (in increasing order) as `weight` documents (1 unless they
    /// stand for a sample's share).
    pub(crate) fn add(&mut self, docs: &[DocId], weight: f64) {
        let (mut ords, mut ids) = (Vec::with_capacity(CHUNK), Vec::with_capacity(CHUNK));
        for chunk in docs.chunks(CHUNK) {
            for strings in [&mut self.kinds, &mut self.tags, &mut self.departments].into_iter().flatten() {
                strings.add(chunk, weight, &mut ords);
            }
            let Some((community, author)) = self.ids else { continue };
            for (column, counts) in
                [(community, &mut self.into.communities), (author, &mut self.into.authors)]
            {
                read(column, chunk, &mut ids);
                for &id in ids.iter().flatten().filter(|&&id| id != 0) {
                    *counts.entry(id).or_default() += weight;
                }
            }
        }
    }

    /// Adds the segment's string counts, by term, to the total.
    pub(crate) fn finish(self) {
        let into = self.into;
        for (strings, named) in [
            (self.kinds, &mut into.kinds),
            (self.tags, &mut into.tags),
            (self.departments, &mut into.departments),
        ] {
            if let Some(strings) = strings {
                strings.name_into(named);
            }
        }
    }
}
