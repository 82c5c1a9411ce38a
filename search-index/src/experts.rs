//! Expert finding, document-centric (Balog et al.'s "model 2"): a person's evidence on a
//! query is the sum, over the documents that match it, of the document's relevance times
//! how strongly the person is tied to it, decayed by age. The server adds declared skills
//! and endorsements (they live in the database) — see docs/SEARCH.md for the whole formula.

use std::collections::HashMap;

use tantivy::TantivyDocument;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Term};

use crate::query::{Hit, SearchQuery};
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
    /// Keys of the strongest documents (never the profile itself), best first: pass them
    /// to [`SearchIndex::evidence`] for the people shown.
    pub evidence: Vec<String>,
}

struct Tally {
    score: f32,
    documents: usize,
    best: Vec<(f32, String)>,
}

impl SearchIndex {
    /// Everyone with evidence on the query, best first.
    pub fn experts(&self, q: &ExpertQuery<'_>) -> Result<Vec<ExpertHit>> {
        let terms = self.terms(q.text);
        if terms.is_empty() {
            return Ok(Vec::new());
        }
        let f = &self.fields;
        let searcher = self.reader.searcher();
        let text = self.text_query(&terms, false, false);
        let kinds = [Kind::Post, Kind::Comment, Kind::Idea, Kind::Person].map(|k| {
            let term = Term::from_field_text(f.kind, k.as_str());
            (Occur::Should, Box::new(TermQuery::new(term, IndexRecordOption::Basic)) as Box<dyn Query>)
        });
        let mut clauses = vec![
            (Occur::Must, text.box_clone()),
            (Occur::Must, Box::new(BooleanQuery::new(kinds.into())) as Box<dyn Query>),
        ];
        let acl = SearchQuery { hidden: q.hidden, ..SearchQuery::default() };
        clauses.extend(self.filters(&acl, false));
        let top = searcher.search(
            &BooleanQuery::new(clauses),
            &crate::query::readable(q.hidden, TopDocs::with_limit(DOCUMENTS).order_by_score()),
        )?;
        let mut people: HashMap<i64, Tally> = HashMap::new();
        for (relevance, address) in top {
            let doc: TantivyDocument = searcher.doc(address)?;
            let stored = self.stored(&doc);
            if stored.author == 0 {
                continue;
            }
            let weight =
                relevance * association(stored.kind, stored.accepted) * decay(q.now - stored.created);
            let tally =
                people.entry(stored.author).or_insert(Tally { score: 0.0, documents: 0, best: Vec::new() });
            tally.score += weight;
            if stored.kind != Kind::Person {
                tally.documents += 1;
                tally.best.push((weight, stored.key));
            }
        }
        let mut ranked: Vec<ExpertHit> = people
            .into_iter()
            .map(|(person, mut tally)| {
                tally.best.sort_by(|a, b| b.0.total_cmp(&a.0));
                tally.best.truncate(SHOWN);
                let evidence = tally.best.into_iter().map(|(_, key)| key).collect();
                ExpertHit { person, score: tally.score, documents: tally.documents, evidence }
            })
            .collect();
        ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.person.cmp(&b.person)));
        Ok(ranked)
    }

    /// The documents with these keys, in this order, with snippets for `text` (the
    /// evidence shown for the experts a page lists).
    pub fn evidence(&self, text: &str, keys: &[String]) -> Result<Vec<Hit>> {
        let terms = self.terms(text);
        let searcher = self.reader.searcher();
        let query = self.text_query(&terms, false, false);
        let mut found = Vec::new();
        for key in keys {
            let term = Term::from_field_text(self.fields.key, key);
            let one = TermQuery::new(term, IndexRecordOption::Basic);
            if let Some(&(_, address)) =
                searcher.search(&one, &TopDocs::with_limit(1).order_by_score())?.first()
            {
                found.push((1.0, address));
            }
        }
        self.hits(&searcher, &*query, &found)
    }
}
