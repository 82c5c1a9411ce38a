//! Posts, comments and reactions: kinds, limits, and the #tags and @mentions in text.

use serde::{Deserialize, Serialize};

/// Longest post or idea title, in characters.
pub const MAX_TITLE: usize = 200;
/// Longest post body, in characters.
pub const MAX_POST_BODY: usize = 20_000;
/// Longest comment, in characters.
pub const MAX_COMMENT: usize = 10_000;
/// Longest tag, in characters.
const MAX_TAG: usize = 50;

/// What kind of post it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PostKind {
    /// A short status; no title needed.
    Update,
    /// A conversation starter.
    Discussion,
    /// A question; one answer can be accepted.
    Question,
    /// From moderators: pinned, reaches every member.
    Announcement,
}

impl PostKind {
    /// Parses a stored or submitted name.
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw.trim() {
            "update" => Ok(Self::Update),
            "discussion" => Ok(Self::Discussion),
            "question" => Ok(Self::Question),
            "announcement" => Ok(Self::Announcement),
            other => Err(format!("unknown kind '{other}': use update, discussion, question or announcement")),
        }
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Update => "update",
            Self::Discussion => "discussion",
            Self::Question => "question",
            Self::Announcement => "announcement",
        }
    }

    /// Whether posts of this kind need a title.
    pub fn needs_title(self) -> bool {
        self != Self::Update
    }
}

/// A reaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReactionKind {
    Like,
    Celebrate,
    Insightful,
}

impl ReactionKind {
    /// Every kind, in display order.
    pub const ALL: [Self; 3] = [Self::Like, Self::Celebrate, Self::Insightful];

    /// Parses a stored or submitted name.
    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == raw.trim())
            .ok_or_else(|| format!("unknown reaction '{raw}': use like, celebrate or insightful"))
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Like => "like",
            Self::Celebrate => "celebrate",
            Self::Insightful => "insightful",
        }
    }

    /// The symbol shown on buttons.
    pub fn emoji(self) -> &'static str {
        match self {
            Self::Like => "👍",
            Self::Celebrate => "🎉",
            Self::Insightful => "💡",
        }
    }
}

/// The most people one text may mention (Discourse's default, too): a mention notifies and
/// may mail, so a text naming hundreds would be a way to spam the whole company.
pub const MAX_MENTIONS: usize = 10;

/// Checks a text: not blank, at most `max` characters, at most [`MAX_MENTIONS`] mentions.
pub fn check_text(text: &str, max: usize, what: &str) -> Result<(), String> {
    match text.chars().count() {
        _ if text.trim().is_empty() => Err(format!("write a {what}")),
        n if n > max => Err(format!("the {what} has {n} characters; the limit is {max}")),
        _ => match mentions(text).len() {
            n if n > MAX_MENTIONS => Err(format!(
                "the {what} mentions {n} people; mention at most {MAX_MENTIONS} (to reach more, post in a community they belong to)"
            )),
            _ => Ok(()),
        },
    }
}

/// A piece of plain text split into words, tags, mentions and links, for rendering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token<'a> {
    /// Plain text.
    Text(&'a str),
    /// `#tag`, lower-cased.
    Tag(String),
    /// `@handle`, lower-cased.
    Mention(String),
    /// A bare `http(s)://` URL.
    Link(&'a str),
}

fn word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Splits text into tokens. A `#tag` or `@handle` starts a word (so `ada@example.com` and
/// `page#anchor` are not mentions or tags) and may not end with `-` or `_`.
pub fn tokenize(text: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    let mut plain_start = 0;
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < text.len() {
        let at_word_start =
            i == 0 || !text[..i].chars().next_back().is_some_and(|c| c.is_alphanumeric() || c == '_');
        let rest = &text[i..];
        let found = if !at_word_start {
            None
        } else if rest.starts_with("https://") || rest.starts_with("http://") {
            let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
            let url = rest[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'', '"']);
            (url.len() > "https://".len()).then_some((Token::Link(url), url.len()))
        } else if bytes[i] == b'#' || bytes[i] == b'@' {
            let word: &str = &rest[1..rest[1..].find(|c: char| !word_char(c)).map_or(rest.len(), |e| e + 1)];
            let word = word.trim_end_matches(['-', '_']);
            let valid = !word.is_empty()
                && word.len() <= MAX_TAG
                && word.starts_with(|c: char| c.is_ascii_alphanumeric());
            match (bytes[i], valid) {
                (b'#', true) => Some((Token::Tag(word.to_lowercase()), word.len() + 1)),
                (b'@', true) if word.len() >= 2 => {
                    Some((Token::Mention(word.to_lowercase()), word.len() + 1))
                }
                _ => None,
            }
        } else {
            None
        };
        match found {
            Some((token, len)) => {
                if plain_start < i {
                    tokens.push(Token::Text(&text[plain_start..i]));
                }
                tokens.push(token);
                i += len;
                plain_start = i;
            }
            None => i += rest.chars().next().map_or(1, char::len_utf8),
        }
    }
    if plain_start < text.len() {
        tokens.push(Token::Text(&text[plain_start..]));
    }
    tokens
}

/// The distinct tags in a text, in order of appearance.
pub fn tags(text: &str) -> Vec<String> {
    distinct(
        tokenize(text).into_iter().filter_map(|t| if let Token::Tag(tag) = t { Some(tag) } else { None }),
    )
}

/// The distinct mentioned handles in a text, in order of appearance.
pub fn mentions(text: &str) -> Vec<String> {
    distinct(
        tokenize(text).into_iter().filter_map(|t| if let Token::Mention(h) = t { Some(h) } else { None }),
    )
}

fn distinct(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = Vec::new();
    for item in items {
        if !seen.contains(&item) {
            seen.push(item);
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_may_mention_at_most_ten_people() {
        let ten: String = (0..10).map(|i| format!("@user{i} ")).collect();
        assert_eq!(check_text(&ten, 1000, "post"), Ok(()));
        let again = format!("{ten} {ten}");
        assert_eq!(check_text(&again, 1000, "post"), Ok(()), "repeats count once");
        let many: String = (0..500).map(|i| format!("@user{i} ")).collect();
        let error = check_text(&many, 100_000, "post").unwrap_err();
        assert!(error.contains("mentions 500 people") && error.contains("at most 10"), "{error}");
    }

    #[test]
    fn tags_mentions_and_links_are_found_at_word_starts_only() {
        let text = "Hi @Ada, see #Safety-First and #safety-first; mail ada@example.com or page#x https://x.example/a).";
        assert_eq!(tags(text), ["safety-first"]);
        assert_eq!(mentions(text), ["ada"]);
        assert!(tokenize(text).contains(&Token::Link("https://x.example/a")));
        assert_eq!(tags("#- #_ # #"), Vec::<String>::new());
        assert_eq!(mentions("@a @bob_"), ["bob"]);
    }

    #[test]
    fn unicode_text_survives_tokenizing() {
        let text = "שלום #קוד 🎉 #rust ünïcode";
        let joined: String = tokenize(text)
            .iter()
            .map(|t| match t {
                Token::Text(s) | Token::Link(s) => (*s).to_owned(),
                Token::Tag(t) => format!("#{t}"),
                Token::Mention(m) => format!("@{m}"),
            })
            .collect();
        assert_eq!(joined, text);
        assert_eq!(tags(text), ["rust"]);
    }

    #[test]
    fn limits_count_characters() {
        assert!(check_text("  ", 10, "comment").is_err());
        assert!(check_text(&"é".repeat(10), 10, "comment").is_ok());
        assert!(check_text(&"é".repeat(11), 10, "comment").unwrap_err().contains("11 characters"));
    }
}
