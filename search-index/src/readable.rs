//! Running a query over what one viewer may read: every document outside the private
//! communities hidden from them. Two ways, for the two things a results page needs:
//!
//! - [`Readable::top`], the best documents by score. It drives tantivy's
//!   `for_each_pruning`, so a one-word search (a plain union of term queries) runs
//!   block-max WAND and skips the blocks of postings that cannot reach the page: a word
//!   in a million documents no longer scores all of them. Hidden documents are passed
//!   over inside the callback, which keeps the pruning (a filter clause in the query, or a
//!   filtering collector, would turn it off).
//! - [`Readable::tally`], the counts per type, community, tag, author and department:
//!   exact up to a given number of matches, estimated from a sample past it. The matches
//!   are gathered first and counted after, five column reads each, a chunk at a time; a
//!   search past the limit only counts its sample.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashSet;
use tantivy::columnar::Column;
use tantivy::fastfield::AliveBitSet;
use tantivy::query::{EnableScoring, Query, Weight};
use tantivy::{COLLECT_BLOCK_BUFFER_LEN, DocAddress, DocId, DocSet, Score, Searcher, SegmentReader};

use crate::Result;
use crate::columns::{ColumnCache, Columns};
use crate::schema::Kind;
use crate::tally::{Tallies, Tally};

/// What one viewer may read (and, for expert finding, of which kinds).
pub(crate) struct Readable<'a> {
    /// Looked up once per matching document: FxHash, as SipHash showed in profiles.
    hidden: FxHashSet<i64>,
    left_out: Option<Kind>,
    columns: &'a ColumnCache,
}

/// Documents per stretch of a segment that a sampled count spreads over: short stretches,
/// because documents of one kind are indexed together and a long stretch's first matches
/// say little of the rest of it.
const STRETCH: DocId = 4096;
/// The sample is this fraction of the exact count's limit: proportions from 2,000
/// documents are within a few points, and tallying was most of a common word's search.
const SAMPLE_SHARE: usize = 5;

/// Counts of the matches, and whether they are exact (else estimated from a sample).
pub(crate) struct Counted {
    pub tallies: Tallies,
    pub complete: bool,
}

impl<'a> Readable<'a> {
    /// Everything but the given (private, unreadable) communities.
    pub(crate) fn except(columns: &'a ColumnCache, hidden: &[i64]) -> Self {
        Self { hidden: hidden.iter().copied().collect(), left_out: None, columns }
    }

    /// Leaves out documents of one kind too: a check in the callback, where a clause in
    /// the query would turn pruning off.
    pub(crate) fn without(self, kind: Kind) -> Self {
        Self { left_out: Some(kind), ..self }
    }

    /// Which of a segment's documents are live, outside the hidden communities and not of
    /// the kind left out.
    fn visible<'s>(&'s self, segment: &'s SegmentReader, columns: &'s Columns) -> Visible<'s> {
        Visible {
            hidden: &self.hidden,
            alive: segment.alive_bitset(),
            community: (!self.hidden.is_empty()).then_some(&columns.community),
            left_out: self.left_out.map(|kind| (kind, columns)),
        }
    }

    /// The `k` best readable documents, best first (ties in index order, so pages that
    /// follow one another agree).
    pub(crate) fn top(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        k: usize,
    ) -> Result<Vec<(Score, DocAddress)>> {
        let weight = query.weight(EnableScoring::enabled_from_searcher(searcher))?;
        let columns = self.columns.of(searcher)?;
        let found = each_segment(searcher, &columns, |ord, segment, columns| {
            self.top_of_segment(&*weight, segment, columns, ord, k)
        })?;
        let mut best: Vec<Ranked> = found.into_iter().flatten().collect();
        best.sort_by(|a, b| b.cmp(a));
        best.truncate(k);
        Ok(best.into_iter().map(|r| (r.score, r.address)).collect())
    }

    /// The `k` best readable documents of one segment, in no order.
    fn top_of_segment(
        &self,
        weight: &dyn Weight,
        segment: &SegmentReader,
        columns: &Columns,
        ord: u32,
        k: usize,
    ) -> Result<Vec<Ranked>> {
        let visible = self.visible(segment, columns);
        let mut heap: BinaryHeap<Reverse<Ranked>> = BinaryHeap::with_capacity(k + 1);
        weight.for_each_pruning(Score::MIN, segment, &mut |doc, score| {
            if visible.allows(doc) {
                heap.push(Reverse(Ranked { score, address: DocAddress::new(ord, doc) }));
                if heap.len() > k {
                    heap.pop();
                }
            }
            // Below the k-th score nothing more is wanted from this segment.
            match heap.peek() {
                Some(Reverse(lowest)) if heap.len() == k => lowest.score,
                _ => Score::MIN,
            }
        })?;
        Ok(heap.into_iter().map(|Reverse(r)| r).collect())
    }

    /// Counts what `tally` counts: exactly when at most `most` readable documents match,
    /// else estimated from a sample of a fifth as many spread over the whole index (the
    /// first `most` in index order would all be the oldest documents: on the large
    /// synthetic organisation, posts only). Each segment's share of the sample is taken
    /// in stretches of [`STRETCH`] documents, each counting its first matches and scaled
    /// by how far it had to read for them.
    pub(crate) fn tally(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        tally: Tally,
        most: usize,
    ) -> Result<Counted> {
        let weight = query.weight(EnableScoring::disabled_from_searcher(searcher))?;
        // The readable matches are gathered before any is counted: past `most` they give
        // way to a sample, and counting them would have been wasted.
        let mut found = Vec::new();
        let mut gathered = 0;
        let mut block = [0; COLLECT_BLOCK_BUFFER_LEN];
        let opened = self.columns.of(searcher)?;
        for (segment, columns) in searcher.segment_readers().iter().zip(&opened) {
            let visible = self.visible(segment, columns);
            let mut matches = weight.scorer(segment, 1.0)?;
            let mut docs = Vec::new();
            loop {
                let filled = matches.fill_buffer(&mut block);
                if filled == 0 {
                    break;
                }
                visible.extend(&mut docs, &block[..filled]);
                if gathered + docs.len() > most {
                    return self.sample(searcher, &opened, &*weight, tally, most / SAMPLE_SHARE);
                }
            }
            gathered += docs.len();
            found.push(docs);
        }
        let mut counts = Tallies::default();
        for (docs, columns) in found.iter().zip(&opened) {
            let mut counting = tally.for_segment(columns, &mut counts);
            counting.add(docs, 1.0);
            counting.finish();
        }
        Ok(Counted { tallies: counts, complete: true })
    }

    fn sample(
        &self,
        searcher: &Searcher,
        columns: &[Arc<Columns>],
        weight: &dyn Weight,
        tally: Tally,
        most: usize,
    ) -> Result<Counted> {
        let every_doc: u64 = searcher.segment_readers().iter().map(|s| u64::from(s.max_doc())).sum();
        // Each segment counts its share of the sample on its own; the counts add up after.
        let sampled = each_segment(searcher, columns, |_, segment, columns| {
            let share = (most as u64 * u64::from(segment.max_doc())).div_ceil(every_doc.max(1));
            self.sample_segment(segment, columns, weight, tally, share)
        })?;
        let mut counts = Tallies::default();
        for segment in sampled {
            counts.add(segment);
        }
        Ok(Counted { tallies: counts, complete: false })
    }

    /// Counts about `share` of a segment's readable matches, spread over its stretches.
    fn sample_segment(
        &self,
        segment: &SegmentReader,
        columns: &Columns,
        weight: &dyn Weight,
        tally: Tally,
        share: u64,
    ) -> Result<Tallies> {
        let mut counts = Tallies::default();
        let visible = self.visible(segment, columns);
        let mut counting = tally.for_segment(columns, &mut counts);
        let max_doc = segment.max_doc();
        let stretches = max_doc.div_ceil(STRETCH).max(1);
        let per_stretch = share.div_ceil(u64::from(stretches)).max(1) as usize;
        let mut matches = weight.scorer(segment, 1.0)?;
        let mut taken = Vec::new();
        for stretch in 0..stretches {
            let (start, end) = (stretch * STRETCH, ((stretch + 1) * STRETCH).min(max_doc));
            let mut doc = if matches.doc() >= start { matches.doc() } else { matches.seek(start) };
            taken.clear();
            while doc < end {
                if visible.allows(doc) {
                    if taken.len() == per_stretch {
                        break;
                    }
                    taken.push(doc);
                }
                doc = matches.advance();
            }
            // Stopped early: each document taken stands for as many as the stretch holds
            // for the part of it that was read.
            let stands_for =
                if doc < end { f64::from(end - start) / f64::from((doc - start).max(1)) } else { 1.0 };
            counting.add(&taken, stands_for);
        }
        counting.finish();
        Ok(counts)
    }
}

/// `work` on every segment (with its ordinal and columns), the segments side by side on
/// rayon's threads: a search waits for its largest segment rather than for all of them in
/// turn. Answers in segment order.
fn each_segment<T: Send>(
    searcher: &Searcher,
    columns: &[Arc<Columns>],
    work: impl Fn(u32, &SegmentReader, &Columns) -> Result<T> + Sync,
) -> Result<Vec<T>> {
    searcher
        .segment_readers()
        .par_iter()
        .zip(columns.par_iter())
        .enumerate()
        .map(|(ord, (segment, columns))| work(ord as u32, segment, columns))
        .collect()
}

/// One segment's test of what a viewer may read.
struct Visible<'a> {
    hidden: &'a FxHashSet<i64>,
    alive: Option<&'a AliveBitSet>,
    /// Read only when some community is hidden.
    community: Option<&'a Column<i64>>,
    left_out: Option<(Kind, &'a Columns)>,
}

impl Visible<'_> {
    fn allows(&self, doc: DocId) -> bool {
        self.live_outside_hidden(doc, self.community.and_then(|c| c.first(doc)))
            && self.left_out.is_none_or(|(kind, columns)| columns.kind(doc) != Some(kind))
    }

    /// Whether a document, in the given community (read only when some are hidden), is
    /// live and outside the hidden communities.
    fn live_outside_hidden(&self, doc: DocId, community: Option<i64>) -> bool {
        self.alive.is_none_or(|a| a.is_alive(doc)) && community.is_none_or(|id| !self.hidden.contains(&id))
    }

    /// Adds the allowed of `docs` (in increasing order) to `into`, reading their
    /// communities with one call.
    fn extend(&self, into: &mut Vec<DocId>, docs: &[DocId]) {
        let (Some(community), None) = (self.community, self.left_out) else {
            into.extend(docs.iter().copied().filter(|&doc| self.allows(doc)));
            return;
        };
        let mut communities = [None; COLLECT_BLOCK_BUFFER_LEN];
        let communities = &mut communities[..docs.len()];
        community.first_vals(docs, communities);
        let allowed =
            docs.iter().zip(communities.iter()).filter(|(doc, id)| self.live_outside_hidden(**doc, **id));
        into.extend(allowed.map(|(doc, _)| *doc));
    }
}

/// A scored document, ordered by score and then earlier in the index first.
#[derive(Clone, Copy)]
struct Ranked {
    score: Score,
    address: DocAddress,
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score.total_cmp(&other.score).then_with(|| other.address.cmp(&self.address))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Ranked {}

#[cfg(test)]
mod tests {
    use tantivy::collector::TopDocs;

    use super::*;
    use crate::tally::rounded;
    use crate::{Doc, SearchIndex, SearchQuery, writer::Writer};

    /// An index of `n` posts in communities 1–10 whose bodies draw on a few words, so
    /// that scores vary and tie.
    fn corpus(n: i64) -> (tempfile::TempDir, SearchIndex) {
        let dir = tempfile::tempdir().expect("temp dir");
        let (index, _) = SearchIndex::open(&dir.path().join("index")).expect("index");
        let mut writer = Writer::open(&index, 15_000_000).expect("writer");
        let words = ["valve", "steam", "pump", "leak", "gasket", "flange", "boiler"];
        for id in 1..=n {
            let body: Vec<&str> = (0..1 + id % 9).map(|i| words[((id * 7 + i * i) % 7) as usize]).collect();
            writer
                .put(&Doc {
                    kind: Kind::Post,
                    key: format!("post:{id}"),
                    parent: None,
                    id,
                    title: words[(id % 5) as usize].into(),
                    label: format!("Post {id}"),
                    body: body.join(" "),
                    tags: Vec::new(),
                    url: format!("/posts/{id}"),
                    community: Some(1 + id % 10),
                    author: Some(1 + id % 13),
                    department: String::new(),
                    created: id,
                    accepted: false,
                })
                .expect("put");
            if id % 400 == 0 {
                writer.commit(id).expect("commit"); // several segments
            }
        }
        writer.commit(n).expect("commit");
        (dir, index)
    }

    #[test]
    fn the_pruned_top_is_the_exhaustive_top_without_hidden_communities() {
        let (_dir, index) = corpus(2_000);
        let searcher = index.reader.searcher();
        let hidden = [3, 7];
        let readable = Readable::except(&index.columns, &hidden);
        for text in ["valve", "pump", "steam leak", "\"steam pump\"", "boiler -gasket"] {
            let query = index.text_query(&index.terms(text), false, false);
            let everything =
                searcher.search(&*query, &TopDocs::with_limit(10_000).order_by_score()).expect("all");
            let community = |at: DocAddress| {
                let doc: tantivy::TantivyDocument = searcher.doc(at).expect("doc");
                index.stored(&doc).community
            };
            let expected: Vec<Score> = everything
                .iter()
                .filter(|(_, at)| !hidden.contains(&community(*at)))
                .map(|(s, _)| *s)
                .collect();
            for k in [1, 20, 300] {
                let top = readable.top(&searcher, &*query, k).expect("top");
                assert!(top.iter().all(|(_, at)| !hidden.contains(&community(*at))), "{text}: hidden hit");
                let scores: Vec<Score> = top.iter().map(|(s, _)| *s).collect();
                assert_eq!(scores, expected[..k.min(expected.len())], "{text}, k = {k}");
            }
        }
    }

    #[test]
    fn past_the_cap_counts_are_estimated_from_a_sample_of_the_whole_index() {
        let (_dir, index) = corpus(1_200);
        let searcher = index.reader.searcher();
        // "valve" is in most posts; community 3 (a tenth of them) is hidden.
        let query = index.text_query(&index.terms("valve"), false, false);
        let count = |most: usize| {
            Readable::except(&index.columns, &[3])
                .tally(&searcher, &*query, Tally { kinds_only: false }, most)
                .expect("tally")
        };
        let exact = count(100_000);
        let total = rounded(exact.tallies.kinds.values().sum());
        assert!(exact.complete && total > 500 && total <= 1_080, "{total}");
        let found =
            index.search(&SearchQuery { text: "valve", hidden: &[3], limit: 10, ..SearchQuery::default() });
        assert_eq!(found.expect("search").total as u64, total, "a search under the cap counts exactly");

        let sampled = count(50);
        assert!(!sampled.complete);
        let estimate = rounded(sampled.tallies.kinds.values().sum());
        assert!(estimate.abs_diff(total) * 5 < total, "estimate {estimate}, exactly {total}");
        assert_eq!(sampled.tallies.communities.get(&3), None, "a hidden community is never counted");
    }

    #[test]
    fn counts_follow_new_segments_and_forget_retired_ones() {
        let (_dir, index) = corpus(1_200);
        let count = |text: &str| {
            let found = index.search(&SearchQuery { text, limit: 10, ..SearchQuery::default() });
            found.expect("search").total
        };
        let before = count("valve");
        let segments = || index.reader.searcher().segment_readers().len();
        let mut writer = Writer::open(&index, 15_000_000).expect("writer");
        for round in 0..3 {
            for id in 0..10 {
                let id = 10_000 + round * 100 + id;
                let doc = Doc {
                    kind: Kind::Idea,
                    key: format!("idea:{id}"),
                    parent: None,
                    id,
                    title: "valve".into(),
                    label: format!("Idea {id}"),
                    body: "a better valve".into(),
                    tags: vec!["newtag".into()],
                    url: format!("/ideas/{id}"),
                    community: Some(1),
                    author: Some(99),
                    department: "Research".into(),
                    created: id,
                    accepted: false,
                };
                writer.put(&doc).expect("put");
            }
            writer.commit(2_000 + round).expect("commit");
            // Each commit adds a segment whose columns the cache has not seen.
            assert_eq!(count("valve"), before + 10 * (round as usize + 1), "round {round}");
            let newtag = index.search(&SearchQuery { text: "newtag", limit: 1, ..SearchQuery::default() });
            assert_eq!(
                newtag.expect("search").facets.tags,
                vec![("newtag".to_owned(), 10 * (round as u64 + 1))]
            );
        }
        drop(writer);
        let mut merging: tantivy::IndexWriter = index.index.writer(15_000_000).expect("writer");
        let ids = index.index.searchable_segment_ids().expect("segments");
        merging.merge(&ids).wait().expect("merge");
        merging.commit().expect("commit");
        index.reader.reload().expect("reload");
        assert_eq!(segments(), 1, "merged");
        assert_eq!(count("valve"), before + 30, "the merged segment counts the same");
        assert!(index.columns.len() <= 2, "retired segments are forgotten: {} kept", index.columns.len());
    }

    #[test]
    fn a_kind_left_out_is_never_in_the_top() {
        let (_dir, index) = corpus(50);
        let mut writer = Writer::open(&index, 15_000_000).expect("writer");
        let community = Doc {
            kind: Kind::Community,
            key: "community:1".into(),
            parent: None,
            id: 1,
            title: "valve valve valve".into(),
            label: "Valves".into(),
            body: "valve".into(),
            tags: Vec::new(),
            url: "/c/valves".into(),
            community: Some(1),
            author: None,
            department: String::new(),
            created: 0,
            accepted: false,
        };
        writer.put(&community).expect("put");
        writer.commit(51).expect("commit");
        let searcher = index.reader.searcher();
        let query = index.text_query(&index.terms("valve"), false, false);
        let kind = |at: DocAddress| {
            let doc: tantivy::TantivyDocument = searcher.doc(at).expect("doc");
            index.stored(&doc).kind
        };
        let everything = Readable::except(&index.columns, &[]).top(&searcher, &*query, 1).expect("top");
        assert_eq!(kind(everything[0].1), Kind::Community, "the community's title matches best");
        let evidence = Readable::except(&index.columns, &[])
            .without(Kind::Community)
            .top(&searcher, &*query, 100)
            .expect("top");
        assert!(!evidence.is_empty() && evidence.iter().all(|(_, at)| kind(*at) == Kind::Post));
    }
}
