//! The index layout: one tantivy document per post, comment, idea, community and person.

use tantivy::Index;

use crate::pairs::Pairs;
use tantivy::schema::{
    FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter,
    TextAnalyzer,
};

/// Bumped whenever the layout or the analyzer changes: an index written by another version
/// is rebuilt on start rather than read wrongly.
pub const VERSION: u32 = 4;

/// The analyzer of every searchable text field: split on anything not a letter or digit,
/// lowercase, fold accents (so "Zürich" finds "zurich"), drop English stop words, stem
/// English. Splitting on punctuation is what lets `e-mail` and `co-op` work: they become
/// two-word phrases on both sides.
pub const ANALYZER: &str = "agora";
/// [`ANALYZER`]'s words as pairs of neighbours ([`crate::pairs`]), for quoted phrases.
pub const PAIRS: &str = "agora-pairs";

/// What kind of thing a document is; the name is the `type` of a search hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Post,
    Comment,
    Idea,
    Community,
    Person,
}

impl Kind {
    /// Every kind, in the order the search page shows its tabs.
    pub const ALL: [Kind; 5] = [Kind::Post, Kind::Comment, Kind::Idea, Kind::Community, Kind::Person];

    /// The stored (and API) name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Post => "post",
            Self::Comment => "comment",
            Self::Idea => "idea",
            Self::Community => "community",
            Self::Person => "person",
        }
    }

    /// The kind of a stored name.
    pub fn parse(name: &str) -> Option<Kind> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Whether a person's authorship of this kind counts as evidence of expertise.
    pub fn is_evidence(self) -> bool {
        matches!(self, Self::Post | Self::Comment | Self::Idea)
    }
}

/// The fields, resolved once.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// Unique per document (`post:12`, `idea-comment:7`): what edits and deletes replace.
    pub key: Field,
    /// The key of the document this one belongs to (a comment's post), so deleting a post
    /// deletes its comments with one term.
    pub parent: Field,
    /// `post`, `comment`, … (filtered on, and counted for the tabs).
    pub kind: Field,
    pub id: Field,
    /// Searched with the highest boost: post and idea titles, community and person names.
    pub title: Field,
    /// What a hit is called on the results page (a comment shows its post's title).
    pub label: Field,
    pub body: Field,
    pub tags: Field,
    /// Title, body and tags again as pairs of neighbouring words: what phrases search.
    pub title_pairs: Field,
    pub body_pairs: Field,
    pub tags_pairs: Field,
    pub url: Field,
    /// The community whose readers may see the document; 0 for site-wide documents.
    pub community: Field,
    /// The user who wrote it (or, for a person, the person); 0 for none.
    pub author: Field,
    /// Seconds since the epoch.
    pub created: Field,
    /// An accepted answer (comments only): weighs more as evidence of expertise.
    pub accepted: Field,
    /// Each #tag, whole (filtered on and counted; `tags` is the searched text).
    pub tag: Field,
    /// The author's department (filtered on and counted).
    pub department: Field,
}

/// Builds the schema and its fields.
pub fn build() -> (Schema, Fields) {
    let mut s = Schema::builder();
    let text = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    // Positions, so that a phrase of three words is a phrase of two pairs.
    let pairs = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(PAIRS)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let fields = Fields {
        key: s.add_text_field("key", STRING | STORED),
        parent: s.add_text_field("parent", STRING),
        kind: s.add_text_field("kind", STRING | STORED | FAST),
        id: s.add_i64_field("id", STORED),
        title: s.add_text_field("title", text.clone()),
        label: s.add_text_field("label", STORED),
        body: s.add_text_field("body", text.clone()),
        tags: s.add_text_field("tags", text),
        title_pairs: s.add_text_field("title_pairs", pairs.clone()),
        body_pairs: s.add_text_field("body_pairs", pairs.clone()),
        tags_pairs: s.add_text_field("tags_pairs", pairs),
        url: s.add_text_field("url", STORED),
        community: s.add_i64_field("community", INDEXED | STORED | FAST),
        author: s.add_i64_field("author", INDEXED | STORED | FAST),
        created: s.add_i64_field("created", STORED | FAST),
        accepted: s.add_bool_field("accepted", STORED | FAST),
        tag: s.add_text_field("tag", STRING | FAST),
        department: s.add_text_field("department", STRING | FAST),
    };
    (s.build(), fields)
}

/// Registers [`ANALYZER`] and [`PAIRS`] on an index.
pub fn register_analyzer(index: &Index) {
    let words = || {
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter)
            .filter(
                StopWordFilter::new(Language::English).unwrap_or_else(|| StopWordFilter::remove(Vec::new())),
            )
            .filter(Stemmer::new(Language::English))
    };
    index.tokenizers().register(ANALYZER, words().build());
    index.tokenizers().register(PAIRS, words().filter(Pairs).build());
}
