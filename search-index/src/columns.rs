//! Each segment's fast-field columns, opened once and kept while the segment is searched.
//!
//! Opening a column reads its header, and the blockwise-linear codec of the id columns
//! decodes a line for each of its blocks into a vector; naming the ordinals a search
//! counted decompressed dictionary blocks. Every search did both for every segment (five
//! columns each, eighteen segments on the large synthetic organisation): 14% of a rare
//! word's search. A written segment never changes (deletions live in its alive bitset), so
//! what one search opened serves every later one until a merge retires the segment.

use std::sync::{Arc, Mutex, PoisonError};

use rustc_hash::FxHashMap;
use tantivy::columnar::{Column, StrColumn};
use tantivy::index::SegmentId;
use tantivy::{DocId, Searcher, SegmentReader};

use crate::Result;
use crate::schema::Kind;

/// A string column and its terms by ordinal, read from the dictionary once.
pub(crate) struct Strings {
    pub column: StrColumn,
    pub terms: Vec<String>,
}

impl Strings {
    fn open(column: StrColumn) -> Result<Strings> {
        let mut terms = Vec::with_capacity(column.num_terms());
        let ords: Vec<u64> = (0..column.num_terms() as u64).collect();
        column
            .dictionary()
            .sorted_ords_to_term_cb(&ords, |term| terms.push(String::from_utf8_lossy(term).into_owned()))?;
        Ok(Strings { column, terms })
    }
}

/// One segment's columns. A string column is `None` in a segment where no document has
/// a value for it.
pub(crate) struct Columns {
    pub kind: Option<Strings>,
    /// The kind of each of the kind column's ordinals.
    pub kinds: Vec<Option<Kind>>,
    pub community: Column<i64>,
    pub author: Column<i64>,
    pub created: Column<i64>,
    pub accepted: Column<bool>,
    pub tag: Option<Strings>,
    pub department: Option<Strings>,
}

impl Columns {
    fn open(segment: &SegmentReader) -> Result<Columns> {
        let fast = segment.fast_fields();
        let strings = |name: &str| fast.str(name)?.map(Strings::open).transpose();
        let kind = strings("kind")?;
        let kinds = kind.iter().flat_map(|k| &k.terms).map(|term| Kind::parse(term)).collect();
        Ok(Columns {
            kind,
            kinds,
            community: fast.i64("community")?,
            author: fast.i64("author")?,
            created: fast.i64("created")?,
            accepted: fast.bool("accepted")?,
            tag: strings("tag")?,
            department: strings("department")?,
        })
    }

    /// The document's kind.
    pub(crate) fn kind(&self, doc: DocId) -> Option<Kind> {
        let ord = self.kind.as_ref()?.column.term_ords(doc).next()?;
        *self.kinds.get(ord as usize)?
    }
}

/// The columns of the segments searched lately, by segment.
#[derive(Default)]
pub(crate) struct ColumnCache {
    open: Mutex<FxHashMap<SegmentId, Arc<Columns>>>,
}

impl ColumnCache {
    /// The columns of each of the searcher's segments, in the searcher's segment order.
    pub(crate) fn of(&self, searcher: &Searcher) -> Result<Vec<Arc<Columns>>> {
        let segments = searcher.segment_readers();
        let mut open = self.open.lock().unwrap_or_else(PoisonError::into_inner);
        // Segments a merge retired are dropped whenever more are kept than this searcher
        // has, so at most twice a searcher's segments are kept. A searcher older than the
        // last one still reads its own retired segments: they are opened again for it.
        if open.len() > segments.len() {
            open.retain(|id, _| segments.iter().any(|s| s.segment_id() == *id));
        }
        segments
            .iter()
            .map(|segment| match open.get(&segment.segment_id()) {
                Some(columns) => Ok(Arc::clone(columns)),
                None => {
                    let columns = Arc::new(Columns::open(segment)?);
                    open.insert(segment.segment_id(), Arc::clone(&columns));
                    Ok(columns)
                }
            })
            .collect()
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.open.lock().unwrap_or_else(PoisonError::into_inner).len()
    }
}
