//! Word pairs: each two neighbouring words of a text indexed as one term (`steam leak`),
//! as Elasticsearch's `index_phrases` does. A quoted phrase then needs no positions of its
//! words: two words are one term, found like a word (block-max WAND prunes it), and a
//! longer phrase is a phrase of a few rare pairs instead of common words. Matching
//! `"plant safety"` by its words' positions read every document holding both words: 370
//! ms on the large synthetic organisation.

use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// The term of two neighbouring words, as [`Pairs`] writes it. Words never hold a space
/// (the analyzer splits on anything not a letter or digit), so a pair is never mistaken
/// for a word or another pair.
pub(crate) fn pair(first: &str, second: &str) -> String {
    format!("{first} {second}")
}

/// Turns a stream of words into a stream of the pairs of words next to each other. Words a
/// removed stop word parted are not paired, as a phrase query by positions would not match
/// them either.
#[derive(Clone, Copy)]
pub(crate) struct Pairs;

impl TokenFilter for Pairs {
    type Tokenizer<T: Tokenizer> = PairsTokenizer<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> PairsTokenizer<T> {
        PairsTokenizer(tokenizer)
    }
}

#[derive(Clone)]
pub(crate) struct PairsTokenizer<T>(T);

impl<T: Tokenizer> Tokenizer for PairsTokenizer<T> {
    type TokenStream<'a> = PairsStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        PairsStream { words: self.0.token_stream(text), previous: None, pair: Token::default() }
    }
}

pub(crate) struct PairsStream<S> {
    words: S,
    /// The last word seen, reused for each (indexing runs this over every text).
    previous: Option<Token>,
    pair: Token,
}

impl<S: TokenStream> TokenStream for PairsStream<S> {
    fn advance(&mut self) -> bool {
        while self.words.advance() {
            let word = self.words.token();
            let Some(first) = &mut self.previous else {
                self.previous = Some(word.clone());
                continue;
            };
            let neighbours = first.position + 1 == word.position;
            if neighbours {
                self.pair.offset_from = first.offset_from;
                self.pair.offset_to = word.offset_to;
                self.pair.position = first.position;
                self.pair.text.clear();
                self.pair.text.push_str(&first.text);
                self.pair.text.push(' ');
                self.pair.text.push_str(&word.text);
            }
            first.clone_from(word);
            if neighbours {
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        &self.pair
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.pair
    }
}

#[cfg(test)]
mod tests {
    use tantivy::tokenizer::{SimpleTokenizer, StopWordFilter, TextAnalyzer};

    use super::*;

    fn pairs(text: &str) -> Vec<(String, usize)> {
        let mut analyzer = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(StopWordFilter::remove(vec!["the".to_owned()]))
            .filter(Pairs)
            .build();
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            out.push((stream.token().text.clone(), stream.token().position));
        }
        out
    }

    #[test]
    fn neighbours_pair_and_a_removed_word_parts_them() {
        assert_eq!(pairs("steam leak fixed"), [("steam leak".into(), 0), ("leak fixed".into(), 1)]);
        assert_eq!(pairs("steam leak")[0].0, pair("steam", "leak"), "queries ask for the pairs indexed");
        assert_eq!(pairs("open the valve now"), [("valve now".to_owned(), 2)]);
        assert_eq!(pairs("valve"), []);
        assert_eq!(pairs(""), []);
    }
}
