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
use tantivy::columnar::{Cardinality, Column, StrColumn};
use tantivy::{DocId, SegmentReader};

/// Counts per value of each dimension.
#[derive(Debug, Clone, Default)]
pub struct Tallies {
    pub kinds: FxHashMap<String, u64>,
    pub communities: FxHashMap<i64, u64>,
    pub authors: FxHashMap<i64, u64>,
    pub tags: FxHashMap<String, u64>,
    pub departments: FxHashMap<String, u64>,
}

/// The top `n` values of a count, largest first (ties by value, for stable pages).
pub fn top<K: Ord + Clone>(counts: &FxHashMap<K, u64>, n: usize) -> Vec<(K, u64)> {
    let mut all: Vec<(K, u64)> = counts.iter().map(|(k, v)| (k.clone(), *v)).collect();
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

/// What the segments counted so far add up to, as weights: a sampled document stands for
/// several (see `readable`), and rounding once at the end keeps the estimate's sum whole.
#[derive(Default)]
pub(crate) struct Weights {
    kinds: FxHashMap<String, f64>,
    communities: FxHashMap<i64, f64>,
    authors: FxHashMap<i64, f64>,
    tags: FxHashMap<String, f64>,
    departments: FxHashMap<String, f64>,
}

impl Weights {
    /// The counts, rounded to whole documents.
    pub(crate) fn rounded(self) -> Tallies {
        fn round<K: std::hash::Hash + Eq>(counts: FxHashMap<K, f64>) -> FxHashMap<K, u64> {
            counts.into_iter().map(|(k, n)| (k, n.round() as u64)).filter(|(_, n)| *n > 0).collect()
        }
        Tallies {
            kinds: round(self.kinds),
            communities: round(self.communities),
            authors: round(self.authors),
            tags: round(self.tags),
            departments: round(self.departments),
        }
    }
}

impl Tally {
    /// Starts counting one segment's documents into `into`.
    pub(crate) fn for_segment<'a>(
        &self,
        reader: &SegmentReader,
        into: &'a mut Weights,
    ) -> tantivy::Result<SegmentTally<'a>> {
        let fast = reader.fast_fields();
        let strings = |name: &str| -> tantivy::Result<Option<Ords>> {
            Ok(fast.str(name)?.map(|column| {
                let counts = vec![0.0; column.num_terms()];
                Ords { column, counts }
            }))
        };
        let all = !self.kinds_only;
        Ok(SegmentTally {
            kinds: strings("kind")?,
            communities: if all { Some(fast.i64("community")?) } else { None },
            authors: if all { Some(fast.i64("author")?) } else { None },
            tags: if all { strings("tag")? } else { None },
            departments: if all { strings("department")? } else { None },
            into,
        })
    }
}

/// A string column's counts by term ordinal, for one segment.
struct Ords {
    column: StrColumn,
    counts: Vec<f64>,
}

impl Ords {
    fn add(&mut self, docs: &[DocId], weight: f64, scratch: &mut Vec<Option<u64>>) {
        let ords = self.column.ords();
        if ords.get_cardinality() == Cardinality::Multivalued {
            for &doc in docs {
                for ord in self.column.term_ords(doc) {
                    if let Some(n) = self.counts.get_mut(ord as usize) {
                        *n += weight;
                    }
                }
            }
            return;
        }
        read(ords, docs, scratch);
        for ord in scratch.iter().flatten() {
            if let Some(n) = self.counts.get_mut(*ord as usize) {
                *n += weight;
            }
        }
    }

    /// Adds the counted ordinals' text to `into`. The ordinals are looked up in one ordered
    /// pass through the column's dictionary: one lookup each (a block search and a partial
    /// block decode per ordinal) made searches on the large synthetic organisation take
    /// 27 ms instead of 16 for a rare word, 280 instead of 140 for a common one.
    fn name_into(self, into: &mut FxHashMap<String, f64>) {
        let (ords, mut weights): (Vec<u64>, Vec<f64>) =
            self.counts.into_iter().enumerate().filter(|(_, n)| *n > 0.0).map(|(o, n)| (o as u64, n)).unzip();
        weights.reverse();
        // An unreadable dictionary leaves the facet short rather than failing the search.
        let _ = self.column.dictionary().sorted_ords_to_term_cb(&ords, |term| {
            if let Some(n) = weights.pop() {
                *into.entry(String::from_utf8_lossy(term).into_owned()).or_default() += n;
            }
        });
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
    kinds: Option<Ords>,
    communities: Option<Column<i64>>,
    authors: Option<Column<i64>>,
    tags: Option<Ords>,
    departments: Option<Ords>,
    into: &'a mut Weights,
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
            for (column, counts) in
                [(&self.communities, &mut self.into.communities), (&self.authors, &mut self.into.authors)]
            {
                let Some(column) = column else { continue };
                read(column, chunk, &mut ids);
                for &id in ids.iter().flatten().filter(|&&id| id != 0) {
                    *counts.entry(id).or_default() += weight;
                }
            }
        }
    }

    /// Adds the segment's string counts, named, to the total.
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
