//! Expert finding, document-centric (Balog et al.'s "model 2"): a person's evidence on a
//! query is the sum, over the documents that match it, of the document's relevance times
//! how strongly the person is tied to it, decayed by age. The server adds declared skills
//! and endorsements (they live in the database) — see docs/SEARCH.md for the whole formula.

use std::collections::HashMap;

use tantivy::{DocAddress, DocId, Searcher};

use crate::columns::Columns;
use crate::query::Hit;
use crate::readable::Readable;
use crate::schema::Kind;
use crate::{Result, SearchIndex};

/// How many matching documents are weighed: enough that a prolific expert's long tail
/// counts, bounded so one query stays cheap.
const DOCUMENTS: usize = 2000;
/// Evidence loses half its weight per this many days.
pub const HALF_LIFE_DAYS: f64 = 365.0;
/// Pieces of evidence shown per person.
const SHOWN: usize = 3;

/// How strongly writing a document ties its author to its subject.
pub fn association(kind: Kind, accepted: bool) -> f32 {
    match kind {
        Kind::Comment if accepted => 1.5,
        Kind::Comment => 0.5,
        Kind::Post | Kind::Idea => 1.0,
        // One's own profile (title, bio) says something, less than work does.
        Kind::Person => 0.8,
        Kind::Community => 0.0,
    }
}

/// The factor by which evidence `age_secs` old counts.
pub fn decay(age_secs: i64) -> f32 {
    let days = age_secs.max(0) as f64 / 86_400.0;
    0.5f64.powf(days / HALF_LIFE_DAYS) as f32
}

/// One expert search, for one viewer.
#[derive(Debug, Clone, Default)]
pub struct ExpertQuery<'a> {
    pub text: &'a str,
    /// Communities the viewer may not read: their documents are no evidence for this
    /// viewer, neither shown nor counted.
    pub hidden: &'a [i64],
    /// Seconds since the epoch (evidence ages from here).
    pub now: i64,
}

/// A person with their evidence score and the best pieces of it.
#[derive(Debug, Clone)]
pub struct ExpertHit {
    pub person: i64,
    pub score: f32,
    /// How many matching documents they wrote.
    pub documents: usize,
    /// Their strongest documents (never the profile itself), best first: read those of
    /// the people shown with [`SearchIndex::evidence`].
    pub evidence: Vec<Evidence>,
}

/// A document that is evidence, as found in one [`Experts`]' snapshot of the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Evidence(DocAddress);

/// Everyone with evidence on a query, with the snapshot of the index they were found in:
/// their evidence is read from that snapshot, only for the people a page shows (looking up
/// each document's key for everyone was 40% of an expert search on the large synthetic
/// organisation).
pub struct Experts {
    pub people: Vec<ExpertHit>,
    snapshot: Searcher,
}

struct Tally {
    score: f32,
    documents: usize,
    best: Vec<(f32, DocAddress)>,
}

/// What a matching document tells of its author.
struct Authored {
    kind: Kind,
    author: i64,
    created: i64,
    accepted: bool,
}

/// The document's evidence, when it has an author.
fn authored(columns: &Columns, doc: DocId) -> Option<Authored> {
    Some(Authored {
        author: columns.author.first(doc).filter(|&a| a != 0)?,
        kind: columns.kind(doc)?,
        created: columns.created.first(doc).unwrap_or_default(),
        accepted: columns.accepted.first(doc).unwrap_or(false),
    })
}

impl SearchIndex {
    /// Everyone with evidence on the query, best first.
    pub fn experts(&self, q: &ExpertQuery<'_>) -> Result<Experts> {
        let terms = self.terms(q.text);
        let searcher = self.reader.searcher();
        if terms.is_empty() {
            return Ok(Experts { people: Vec::new(), snapshot: searcher });
        }
        let text = self.text_query(&terms, false, false);
        // Everything but communities is evidence; they are left out in the pruning callback
        // so that a one-word query keeps block-max WAND.
        let readable = Readable::except(&self.columns, q.hidden).without(Kind::Community);
        let top = readable.top(&searcher, &*text, DOCUMENTS)?;
        // Weighed from the columns, not the stored documents: reading 2,000 stored documents
        // (a block decompressed for each) was most of an expert search.
        let columns = self.columns.of(&searcher)?;
        let mut people: HashMap<i64, Tally> = HashMap::new();
        for (relevance, address) in top {
            let Some(doc) =
                columns.get(address.segment_ord as usize).and_then(|c| authored(c, address.doc_id))
            else {
                continue;
            };
            let weight = relevance * association(doc.kind, doc.accepted) * decay(q.now - doc.created);
            let tally =
                people.entry(doc.author).or_insert(Tally { score: 0.0, documents: 0, best: Vec::new() });
            tally.score += weight;
            if doc.kind != Kind::Person {
                tally.documents += 1;
                tally.best.push((weight, address));
            }
        }
        let mut ranked: Vec<ExpertHit> = people
            .into_iter()
            .map(|(person, mut tally)| {
                tally.best.sort_by(|a, b| b.0.total_cmp(&a.0));
                tally.best.truncate(SHOWN);
                let evidence = tally.best.into_iter().map(|(_, at)| Evidence(at)).collect();
                ExpertHit { person, score: tally.score, documents: tally.documents, evidence }
            })
            .collect();
        ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.person.cmp(&b.person)));
        Ok(Experts { people: ranked, snapshot: searcher })
    }

    /// These pieces of evidence, with snippets for `text`, in this order (for the experts
    /// a page lists).
    pub fn evidence(
        &self,
        text: &str,
        experts: &Experts,
        documents: &[Evidence],
    ) -> Result<Vec<(Evidence, Hit)>> {
        let terms = self.terms(text);
        let query = self.text_query(&terms, false, false);
        let found: Vec<(f32, DocAddress)> = documents.iter().map(|e| (1.0, e.0)).collect();
        let hits = self.hits(&experts.snapshot, &*self.highlighted(&*query, &terms), &found)?;
        Ok(documents.iter().copied().zip(hits).collect())
    }
}
