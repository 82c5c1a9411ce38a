//! Turning what a person typed into a query, and running it for one viewer.
//!
//! User input is parsed by our own small grammar rather than tantivy's query language:
//! words, `"quoted phrases"` and `-excluded` words are all it knows. Tantivy's syntax would
//! let `community:12` or `author:3` reach internal fields and makes `title:` or an
//! unbalanced quote mean something surprising; here every character is just text.

use std::ops::Range;

use tantivy::query::{
    BooleanQuery, BoostQuery, EmptyQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption, Term, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, Score, Searcher, TantivyDocument};

use crate::pairs::pair;
use crate::readable::Readable;
use crate::schema::{Fields, Kind};
use crate::similar::{self, KEPT};
use crate::tally::{Tally, rounded, top};
use crate::{Result, SearchIndex};

/// Longer input is cut here: nobody types more, and it bounds the work of one query.
const MAX_QUERY_CHARS: usize = 500;
/// At most this many words and phrases are used.
const MAX_TERMS: usize = 16;
/// Queries of at most this many words also match one or two typos per word.
const FUZZY_UP_TO: usize = 3;
/// Most words of a text that a similarity search looks for.
const MAX_SIMILAR_WORDS: usize = 25;
/// How much further down a page can go (relevance past this is noise).
pub const MAX_OFFSET: usize = 1000;
/// Matches counted exactly for the total and the facets; past this many, they are
/// estimated from a sample of about this size ("about 1,200,000 results").
pub const COUNT_UP_TO: usize = 10_000;

/// What a person typed, split into words, phrases and exclusions, each already run through
/// the analyzer (so stop words are gone and stems are what is searched).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Terms {
    /// Single-token words.
    pub words: Vec<String>,
    /// Multi-token phrases: quoted text and words like `e-mail` that split in two.
    pub phrases: Vec<Vec<String>>,
    /// Words or phrases that must not appear.
    pub excluded: Vec<Vec<String>>,
}

impl Terms {
    /// Whether nothing searchable was typed (empty, or stop words only).
    pub fn is_empty(&self) -> bool {
        self.words.is_empty() && self.phrases.is_empty()
    }

    fn required(&self) -> usize {
        self.words.len() + self.phrases.len()
    }
}

/// Splits raw input into (text, quoted, excluded) pieces. Any character is allowed; an
/// unbalanced quote quotes the rest.
fn pieces(text: &str) -> Vec<(String, bool, bool)> {
    let mut text: String = text.chars().take(MAX_QUERY_CHARS + 1).collect();
    if text.chars().count() > MAX_QUERY_CHARS {
        // Cut at a word boundary: half a word would be searched as a word.
        let cut = text.char_indices().nth(MAX_QUERY_CHARS).map_or(text.len(), |(at, _)| at);
        text.truncate(text[..cut].rfind(char::is_whitespace).unwrap_or(cut));
    }
    // `title:valve` is read as a field hint and searched as `valve`: fields are not ours to
    // expose, but the word after the colon is what the person wants.
    let text: String = text
        .split_whitespace()
        .map(|piece| match piece.split_once(':') {
            Some((field, rest)) if !rest.is_empty() && field.chars().all(char::is_alphabetic) => rest,
            _ => piece,
        })
        .collect::<Vec<_>>()
        .join(" ")
        .replace(':', " ");
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let excluded = c == '-';
        if excluded {
            chars.next();
        }
        let quoted = chars.peek() == Some(&'"');
        let mut piece = String::new();
        if quoted {
            chars.next();
            piece.extend(chars.by_ref().take_while(|&c| c != '"'));
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() {
                    break;
                }
                piece.push(c);
                chars.next();
            }
        }
        out.push((piece, quoted, excluded));
    }
    out
}

fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

impl SearchIndex {
    /// Parses input into terms with this index's analyzer.
    pub fn terms(&self, text: &str) -> Terms {
        let mut analyzer = self.analyzer();
        let mut terms = Terms::default();
        for (piece, _quoted, excluded) in pieces(text) {
            let tokens = tokens(&mut analyzer, &piece);
            match (excluded, tokens.len()) {
                (_, 0) => {}
                (true, _) => terms.excluded.push(tokens),
                (false, 1) => terms.words.extend(tokens),
                (false, _) => terms.phrases.push(tokens),
            }
        }
        let mut seen = std::collections::HashSet::new();
        terms.words.retain(|w| seen.insert(w.clone()));
        terms.words.truncate(MAX_TERMS);
        terms.phrases.truncate(MAX_TERMS.saturating_sub(terms.words.len()));
        terms.excluded.truncate(MAX_TERMS);
        terms
    }

    fn analyzer(&self) -> TextAnalyzer {
        self.index
            .tokenizer_for_field(self.fields.body)
            .unwrap_or_else(|_| TextAnalyzer::from(tantivy::tokenizer::SimpleTokenizer::default()))
    }
}

/// One search, as one viewer asks it.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery<'a> {
    pub text: &'a str,
    pub kind: Option<Kind>,
    pub community: Option<i64>,
    pub tag: Option<&'a str>,
    pub author: Option<i64>,
    pub department: Option<&'a str>,
    /// Communities whose content the viewer may not read: nothing from them is counted,
    /// faceted, snippeted or returned.
    pub hidden: &'a [i64],
    /// Treat the last word as the start of a word (search as you type).
    pub prefix: bool,
    pub offset: usize,
    pub limit: usize,
}

/// A piece of a document's text around what matched.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snippet {
    pub text: String,
    /// Byte ranges of `text` that matched.
    pub highlights: Vec<Range<usize>>,
}

impl Snippet {
    /// The text in order, each part marked whether it matched (templates escape each part).
    pub fn parts(&self) -> Vec<(&str, bool)> {
        let mut parts = Vec::new();
        let mut at = 0;
        for range in &self.highlights {
            if range.start < at || range.end > self.text.len() {
                continue;
            }
            parts.push((&self.text[at..range.start], false));
            parts.push((&self.text[range.clone()], true));
            at = range.end;
        }
        parts.push((&self.text[at..], false));
        parts.retain(|(text, _)| !text.is_empty());
        parts
    }
}

/// One result.
#[derive(Debug, Clone)]
pub struct Hit {
    pub kind: Kind,
    pub id: i64,
    pub key: String,
    pub label: String,
    pub url: String,
    pub snippet: Snippet,
    pub community: Option<i64>,
    pub author: Option<i64>,
    pub created: i64,
    pub score: f32,
}

/// Counts of the top values of each facet, over what the viewer may see.
#[derive(Debug, Clone, Default)]
pub struct Facets {
    pub kinds: Vec<(Kind, u64)>,
    /// Whether the counts per type are exact (with a type chosen they come from the search
    /// without it, which may be estimated when the search itself is not).
    pub kinds_all_counted: bool,
    pub communities: Vec<(i64, u64)>,
    pub tags: Vec<(String, u64)>,
    pub authors: Vec<(i64, u64)>,
    pub departments: Vec<(String, u64)>,
}

/// A page of results.
#[derive(Debug, Clone, Default)]
pub struct Results {
    /// How many documents match (that the viewer may see).
    pub total: usize,
    /// Whether `total` and the facets are exact; when not, more than about
    /// [`COUNT_UP_TO`] match and they are estimates from a sample.
    pub all_counted: bool,
    pub hits: Vec<Hit>,
    pub facets: Facets,
    /// What was searched, after stop words and stemming; empty when nothing searchable was
    /// typed.
    pub terms: Terms,
    /// Whether these results allow typos (the words as typed found nothing).
    pub fuzzy: bool,
}

/// A document's stored fields.
pub(crate) struct Stored {
    pub kind: Kind,
    pub id: i64,
    pub key: String,
    pub label: String,
    pub body: String,
    pub url: String,
    pub community: i64,
    pub author: i64,
    pub created: i64,
}

impl Stored {
    pub(crate) fn read(f: &Fields, doc: &TantivyDocument) -> Stored {
        let text =
            |field: Field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_owned();
        let int = |field: Field| doc.get_first(field).and_then(|v| v.as_i64()).unwrap_or_default();
        Stored {
            kind: Kind::parse(&text(f.kind)).unwrap_or(Kind::Post),
            id: int(f.id),
            key: text(f.key),
            label: text(f.label),
            body: text(f.body),
            url: text(f.url),
            community: int(f.community),
            author: int(f.author),
            created: int(f.created),
        }
    }
}

fn boxed(q: impl Query) -> Box<dyn Query> {
    Box::new(q)
}

impl SearchIndex {
    /// The searched text fields and their boosts: a title match counts most.
    fn weighted_fields(&self) -> [(Field, Score); 3] {
        [(self.fields.title, 3.0), (self.fields.tags, 2.0), (self.fields.body, 1.0)]
    }

    fn word_query(&self, word: &str, fuzzy: bool, prefix: bool) -> Box<dyn Query> {
        let mut clauses = Vec::new();
        for (field, boost) in self.weighted_fields() {
            let term = Term::from_field_text(field, word);
            if prefix {
                clauses.push(boxed(BoostQuery::new(boxed(FuzzyTermQuery::new_prefix(term, 0, true)), boost)));
                continue;
            }
            clauses.push(boxed(BoostQuery::new(
                boxed(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
                boost,
            )));
            let chars = word.chars().count();
            if fuzzy && chars >= 4 {
                let distance = if chars >= 8 { 2 } else { 1 };
                // A typo match scores a little, never as much as the word itself.
                clauses.push(boxed(BoostQuery::new(
                    boxed(FuzzyTermQuery::new(term, distance, true)),
                    0.3 * boost,
                )));
            }
        }
        boxed(BooleanQuery::union(clauses))
    }

    /// A phrase: its neighbouring words as pairs ([`crate::pairs`]), one term for two
    /// words and a phrase of pairs for more, in each searched field's pairs.
    fn phrase_query(&self, tokens: &[String]) -> Box<dyn Query> {
        if let [word] = tokens {
            return self.word_query(word, false, false);
        }
        let pairs: Vec<String> = tokens.windows(2).map(|two| pair(&two[0], &two[1])).collect();
        let f = &self.fields;
        let clauses = [(f.title_pairs, 3.0), (f.tags_pairs, 2.0), (f.body_pairs, 1.0)]
            .into_iter()
            .map(|(field, boost)| {
                let mut terms: Vec<Term> = pairs.iter().map(|p| Term::from_field_text(field, p)).collect();
                let query = match terms.len() {
                    1 => boxed(TermQuery::new(terms.remove(0), IndexRecordOption::WithFreqs)),
                    _ => boxed(PhraseQuery::new(terms)),
                };
                boxed(BoostQuery::new(query, boost))
            })
            .collect();
        boxed(BooleanQuery::union(clauses))
    }

    /// The text part of a query: phrases must all match; of the words, all when there are
    /// one or two, three in four when there are more (so one stray word does not empty
    /// the page).
    pub(crate) fn text_query(&self, terms: &Terms, prefix: bool, fuzzy: bool) -> Box<dyn Query> {
        let words: Vec<Box<dyn Query>> = terms
            .words
            .iter()
            .enumerate()
            .map(|(i, w)| self.word_query(w, fuzzy, prefix && i + 1 == terms.words.len()))
            .collect();
        let required = if words.len() <= 2 { words.len() } else { words.len().div_ceil(4) * 3 };
        let required = required.min(words.len());
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if required == words.len() {
            // Each word a clause of its own: an intersection, which leaps through the longer
            // postings from the shorter. A union asked for all its clauses scores the same
            // but walks every posting of every word (bench/search.rs, three words, p99:
            // 48 → 35 ms over 1.5 million documents).
            clauses.extend(words.into_iter().map(|w| (Occur::Must, w)));
        } else {
            let some = BooleanQuery::union_with_minimum_required_clauses(words, required);
            clauses.push((Occur::Must, boxed(some)));
        }
        clauses.extend(terms.phrases.iter().map(|p| (Occur::Must, self.phrase_query(p))));
        clauses.extend(terms.excluded.iter().map(|p| (Occur::MustNot, self.phrase_query(p))));
        match clauses.pop() {
            // One word alone stays a plain union of term queries, which block-max WAND
            // can prune (wrapped in another boolean query it could not).
            Some((Occur::Must, only)) if clauses.is_empty() => only,
            Some(last) => {
                clauses.push(last);
                boxed(BooleanQuery::new(clauses))
            }
            None => boxed(EmptyQuery),
        }
    }

    /// The filters chosen, as clauses to add to a query. What the viewer may not see is
    /// left out by the collector instead ([`readable`]).
    pub(crate) fn filters(&self, q: &SearchQuery<'_>, with_kind: bool) -> Vec<(Occur, Box<dyn Query>)> {
        let f = &self.fields;
        let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut must =
            |term: Term| out.push((Occur::Must, boxed(TermQuery::new(term, IndexRecordOption::Basic))));
        if let Some(kind) = q.kind.filter(|_| with_kind) {
            must(Term::from_field_text(f.kind, kind.as_str()));
        }
        if let Some(community) = q.community {
            must(Term::from_field_i64(f.community, community));
        }
        if let Some(tag) = q.tag {
            must(Term::from_field_text(f.tag, tag));
        }
        if let Some(author) = q.author {
            must(Term::from_field_i64(f.author, author));
        }
        if let Some(department) = q.department {
            must(Term::from_field_text(f.department, department));
        }
        out
    }

    /// Runs a search for one viewer. A short query that finds nothing is tried again with
    /// one or two typos allowed per word (never before: "steam" must not find "team" when
    /// "steam" itself is there).
    pub fn search(&self, q: &SearchQuery<'_>) -> Result<Results> {
        let terms = self.terms(q.text);
        if terms.is_empty() {
            return Ok(Results { terms, ..Results::default() });
        }
        let exact = self.run(q, terms, false)?;
        if exact.total > 0 || q.prefix || exact.terms.required() > FUZZY_UP_TO {
            return Ok(exact);
        }
        self.run(q, exact.terms, true)
    }

    fn run(&self, q: &SearchQuery<'_>, terms: Terms, fuzzy: bool) -> Result<Results> {
        let searcher = self.reader.searcher();
        let text = self.text_query(&terms, q.prefix, fuzzy);
        let query = |with_kind: bool| self.filtered(&text, q, with_kind);
        let full = query(true);
        let readable = Readable::except(&self.columns, q.hidden);
        let offset = q.offset.min(MAX_OFFSET);
        let top_docs = readable.top(&searcher, &*full, offset + q.limit.clamp(1, 100))?;
        let counted = readable.tally(&searcher, &*full, Tally { kinds_only: false }, COUNT_UP_TO)?;
        let counts = counted.tallies;
        // The tabs count every type, so with one type chosen they need the query without it.
        let (kinds, kinds_all_counted) = match q.kind {
            Some(_) => {
                let every_kind =
                    readable.tally(&searcher, &*query(false), Tally { kinds_only: true }, COUNT_UP_TO)?;
                (every_kind.tallies.kinds, every_kind.complete)
            }
            None => (counts.kinds.clone(), counted.complete),
        };
        // The sum of the tabs, each rounded as it is shown, so "All" and the total agree.
        let total = counts.kinds.values().map(|n| rounded(*n)).sum::<u64>() as usize;
        let highlighted = self.highlighted(&*text, &terms);
        let hits = self.hits(&searcher, &*highlighted, top_docs.get(offset..).unwrap_or_default())?;
        let facets = Facets {
            kinds: Kind::ALL
                .into_iter()
                .map(|k| (k, kinds.get(k.as_str()).map_or(0, |n| rounded(*n))))
                .collect(),
            kinds_all_counted,
            communities: top(&counts.communities, 10),
            tags: top(&counts.tags, 10),
            authors: top(&counts.authors, 10),
            departments: top(&counts.departments, 10),
        };
        Ok(Results { total, all_counted: counted.complete, hits, facets, terms, fuzzy })
    }

    /// The text query narrowed by the chosen filters (itself when there are none, so a
    /// one-word search stays prunable).
    pub(crate) fn filtered(&self, text: &dyn Query, q: &SearchQuery<'_>, with_kind: bool) -> Box<dyn Query> {
        let filters = self.filters(q, with_kind);
        if filters.is_empty() {
            return text.box_clone();
        }
        let mut clauses = vec![(Occur::Must, text.box_clone())];
        clauses.extend(filters);
        boxed(BooleanQuery::new(clauses))
    }

    /// What snippets highlight: the query's words, and the words of its phrases (which the
    /// query asks for as pairs, a field snippets are not cut from).
    pub(crate) fn highlighted(&self, text: &dyn Query, terms: &Terms) -> Box<dyn Query> {
        let words = terms.phrases.iter().flatten().map(|word| {
            boxed(TermQuery::new(Term::from_field_text(self.fields.body, word), IndexRecordOption::Basic))
        });
        boxed(BooleanQuery::union(std::iter::once(text.box_clone()).chain(words).collect()))
    }

    /// Turns scored addresses into hits with snippets.
    pub(crate) fn hits(
        &self,
        searcher: &Searcher,
        query: &dyn Query,
        top: &[(Score, DocAddress)],
    ) -> Result<Vec<Hit>> {
        let mut snippets = SnippetGenerator::create(searcher, query, self.fields.body)?;
        snippets.set_max_num_chars(200);
        top.iter()
            .map(|&(score, address)| {
                let doc: TantivyDocument = searcher.doc(address)?;
                let snippet = snippets.snippet_from_doc(&doc);
                let stored = self.stored(&doc);
                Ok(hit(stored, score, &snippet))
            })
            .collect()
    }

    /// Documents of `kind` most like the given text (duplicate detection), for a viewer.
    pub fn similar(
        &self,
        title: &str,
        body: &str,
        kind: Kind,
        hidden: &[i64],
        limit: usize,
    ) -> Result<Vec<Hit>> {
        let searcher = self.reader.searcher();
        // Any of the text's words (title first, at most 25 of three letters or more), each
        // scored by BM25 as a search would: rare shared words count most. (tantivy's
        // MoreLikeThisQuery computes idf from live documents but document frequencies that
        // still count deleted ones, and panics once updates have deleted enough.)
        let mut words: Vec<String> = Vec::new();
        for text in [title, body] {
            let terms = self.terms(text);
            let found =
                terms.words.into_iter().chain(terms.phrases.into_iter().chain(terms.excluded).flatten());
            for word in found {
                if words.len() < MAX_SIMILAR_WORDS && word.chars().count() >= 3 && !words.contains(&word) {
                    words.push(word);
                }
            }
        }
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let limit = limit.clamp(1, KEPT);
        let generation = searcher.generation().generation_id();
        let key = (kind, words);
        if let Some(hits) = self.similar.get(generation, &key, hidden, limit) {
            return Ok(hits);
        }
        let like = BooleanQuery::union(key.1.iter().map(|w| self.word_query(w, false, false)).collect());
        let find = |hidden: &[i64], limit: usize| {
            let q = SearchQuery { kind: Some(kind), hidden, ..SearchQuery::default() };
            let query = self.filtered(&like, &q, true);
            let top = Readable::except(&self.columns, hidden).top(&searcher, &*query, limit)?;
            self.hits(&searcher, &EmptyQuery, &top)
        };
        // The best for everyone, remembered; this viewer gets their share of it, or, when
        // hidden communities took too many of them, their own search.
        let all = find(&[], KEPT)?;
        let mine = similar::share(&all, hidden, limit);
        self.similar.put(generation, key, all);
        match mine {
            Some(hits) => Ok(hits),
            None => find(hidden, limit),
        }
    }
}

pub(crate) fn hit(stored: Stored, score: Score, snippet: &tantivy::snippet::Snippet) -> Hit {
    let snippet = if snippet.fragment().is_empty() {
        Snippet { text: opening(&stored.body, 200), highlights: Vec::new() }
    } else {
        Snippet { text: snippet.fragment().to_owned(), highlights: snippet.highlighted().to_vec() }
    };
    Hit {
        kind: stored.kind,
        id: stored.id,
        key: stored.key,
        label: stored.label,
        url: stored.url,
        snippet,
        community: (stored.community != 0).then_some(stored.community),
        author: (stored.author != 0).then_some(stored.author),
        created: stored.created,
        score,
    }
}

/// The first `max` characters of a text, cut at a word.
fn opening(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    match cut.rfind(char::is_whitespace) {
        Some(at) => format!("{}…", &cut[..at]),
        None => format!("{cut}…"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> (tempfile::TempDir, SearchIndex) {
        let dir = tempfile::tempdir().expect("temp dir");
        let (index, _) = SearchIndex::open(&dir.path().join("index")).expect("index");
        (dir, index)
    }

    /// An idea with only a title.
    fn idea(id: i64, title: &str) -> crate::Doc {
        crate::Doc {
            kind: Kind::Idea,
            key: format!("idea:{id}"),
            parent: None,
            id,
            title: title.into(),
            label: title.into(),
            body: String::new(),
            tags: Vec::new(),
            url: format!("/ideas/{id}"),
            community: None,
            author: None,
            department: String::new(),
            created: 0,
            accepted: false,
        }
    }

    #[test]
    fn the_grammar_knows_words_phrases_and_exclusions_and_nothing_else() {
        let (_dir, index) = index();
        let terms = index.terms("Meetings \"steam trap\" -leak e-mail title:valve ((( the");
        assert_eq!(terms.words, ["meet", "valv"]);
        assert_eq!(terms.phrases, [vec!["steam", "trap"], vec!["e", "mail"]]);
        assert_eq!(terms.excluded, [vec!["leak"]]);
        assert!(index.terms("the of and").is_empty(), "stop words alone search nothing");
        assert_eq!(index.terms("\"unbalanced").words, ["unbalanc"], "an open quote quotes the rest");
        assert_eq!(index.terms("Zürich").words, ["zurich"]);
    }

    #[test]
    fn a_query_is_cut_at_a_word_never_inside_one() {
        let long = "valve ".repeat(200);
        let pieces = pieces(&long);
        assert!(pieces.iter().all(|(p, ..)| p == "valve"));
    }

    #[test]
    fn snippet_parts_keep_the_text_in_order_and_mark_matches() {
        let snippet =
            Snippet { text: "a steam leak".into(), highlights: Vec::from([Range { start: 2, end: 7 }]) };
        assert_eq!(snippet.parts(), [("a ", false), ("steam", true), (" leak", false)]);
        let broken = Snippet { text: "short".into(), highlights: Vec::from([Range { start: 3, end: 40 }]) };
        assert_eq!(broken.parts(), [("short", false)], "a range past the end is ignored");
    }

    #[test]
    fn a_phrase_finds_its_words_side_by_side_and_highlights_them() {
        let (_dir, index) = index();
        let mut writer = crate::writer::Writer::open(&index, 15_000_000).expect("writer");
        let texts = [
            (1, "Steam leak at header three"),
            (2, "A leak of steam at the header"),
            (3, "The steam and the leak"),
            (4, "Header three steam leak at night"),
        ];
        for (id, body) in texts {
            writer.put(&crate::Doc { body: body.into(), ..idea(id, "Report") }).expect("put");
        }
        writer.commit(1).expect("commit");
        let found = |text: &str| {
            let q = SearchQuery { text, limit: 10, ..SearchQuery::default() };
            let results = index.search(&q).expect("search");
            let mut ids: Vec<i64> = results.hits.iter().map(|h| h.id).collect();
            ids.sort_unstable();
            (ids, results)
        };
        assert_eq!(found("\"steam leak\"").0, [1, 4], "two words, next to each other, in order");
        assert_eq!(found("\"leak steam\"").0, Vec::<i64>::new());
        assert_eq!(found("\"steam leak at\"").0, [1, 4], "a stop word inside is skipped, as typed");
        assert_eq!(found("\"header three steam\"").0, [4], "three words are two pairs in a row");
        assert_eq!(found("steam -\"steam leak\"").0, [2, 3], "a phrase excluded");
        let (_, results) = found("\"steam leak\"");
        let marked: Vec<&str> =
            results.hits[0].snippet.parts().into_iter().filter(|(_, hit)| *hit).map(|(t, _)| t).collect();
        assert_eq!(marked, ["Steam", "leak"], "the phrase's words are highlighted");
    }

    #[test]
    fn similar_search_survives_deleted_documents() {
        // Deleted documents stay in their segment until it is merged; a similarity search
        // must still answer while they outnumber the live ones (tantivy's MoreLikeThisQuery
        // panicked here: its idf took live documents against frequencies counting deleted).
        let (_dir, index) = index();
        let mut writer = crate::writer::Writer::open(&index, 15_000_000).expect("writer");
        let idea =
            |id: i64, title: &str| crate::Doc { body: "insulate the steam valves".into(), ..idea(id, title) };
        for id in 0..50 {
            writer.put(&idea(id, "Thermal jackets for steam valves")).expect("put");
        }
        writer.commit(1).expect("commit");
        for id in 5..50 {
            writer.delete(&format!("idea:{id}"));
        }
        writer.commit(2).expect("commit");
        let found = index.similar("Jackets for hot steam valves", "", Kind::Idea, &[], 5).expect("similar");
        assert_eq!(found.len(), 5);
    }

    #[test]
    fn remembered_similar_ideas_are_each_viewers_own_and_end_with_the_index_generation() {
        let (_dir, index) = index();
        let mut writer = crate::writer::Writer::open(&index, 15_000_000).expect("writer");
        let idea = |id: i64, title: &str, community: i64| crate::Doc {
            community: Some(community),
            ..idea(id, title)
        };
        // More close matches in community 1 than an answer keeps, a few weaker ones in 2.
        for id in 0..30 {
            writer.put(&idea(id, "thermal jackets for steam valves", 1)).expect("put");
        }
        for id in 30..33 {
            writer.put(&idea(id, "thermal jackets for pumps and other equipment", 2)).expect("put");
        }
        writer.commit(1).expect("commit");
        let ids = |hidden: &[i64]| -> Vec<i64> {
            let hits = index.similar("steam valve jackets", "", Kind::Idea, hidden, 5).expect("similar");
            hits.into_iter().map(|h| h.id).collect()
        };
        let everyone = ids(&[]);
        assert_eq!(everyone.len(), 5);
        assert!(everyone.iter().all(|id| *id < 30), "{everyone:?}");
        assert_eq!(ids(&[]), everyone, "the remembered answer is the answer");
        let mut outsider = ids(&[1]);
        outsider.sort_unstable();
        assert_eq!(
            outsider,
            [30, 31, 32],
            "community 1 filled the remembered answer; the outsider's is searched"
        );

        writer.put(&idea(40, "steam valve jackets", 2)).expect("put");
        writer.commit(2).expect("commit");
        assert_eq!(ids(&[]).first(), Some(&40), "a commit forgets the remembered answers");
        assert_eq!(ids(&[1]).first(), Some(&40));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// Whatever is typed (quotes, dashes, colons, any script, control characters) parses
        /// into clean terms and searches without an error.
        #[test]
        fn any_input_parses_and_searches(text in "(\\PC|[\"\\-:() ]){0,80}", prefix in proptest::bool::ANY) {
            let (_dir, index) = index();
            let terms = index.terms(&text);
            for word in &terms.words {
                proptest::prop_assert!(!word.is_empty() && !word.contains(char::is_whitespace), "{word:?}");
            }
            for phrase in terms.phrases.iter().chain(&terms.excluded) {
                proptest::prop_assert!(phrase.iter().all(|w| !w.is_empty()), "{phrase:?}");
            }
            let query = SearchQuery { text: &text, prefix, limit: 10, ..SearchQuery::default() };
            proptest::prop_assert!(index.search(&query).is_ok());
        }
    }
}
