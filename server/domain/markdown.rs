//! Markdown to safe HTML: CommonMark with tables and strikethrough, bare URLs, `#tags` and
//! `@mentions` linked; raw HTML in the input is shown as text, never interpreted; and the
//! result passes an allowlist sanitizer (ammonia) as a second line of defence.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd, html};

use crate::domain::content::{Token, tokenize};

/// Renders user Markdown to HTML that is safe to embed in a page.
pub fn render(markdown: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut events = Vec::new();
    // Inside links and code, text is left alone (no nested links, no tags in code).
    let mut verbatim_depth = 0usize;
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Html(raw) | Event::InlineHtml(raw) => events.push(Event::Text(raw)),
            Event::Start(Tag::Link { .. } | Tag::CodeBlock(_)) => {
                verbatim_depth += 1;
                events.push(event);
            }
            Event::End(TagEnd::Link | TagEnd::CodeBlock) => {
                verbatim_depth = verbatim_depth.saturating_sub(1);
                events.push(event);
            }
            Event::Text(text) if verbatim_depth == 0 => link_tokens(&text, &mut events),
            other => events.push(other),
        }
    }
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, events.into_iter());
    sanitizer().clean(&unsafe_html).to_string()
}

/// The start of a text, at most `limit` characters, cut at a word and marked with "…" when
/// there is more.
pub fn excerpt(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_owned();
    }
    let cut: String = text.chars().take(limit).collect();
    let whole_word = text.chars().nth(limit).is_some_and(char::is_whitespace);
    let at_word = match cut.rfind(char::is_whitespace) {
        Some(i) if !whole_word && i > cut.len() / 2 => i,
        _ => cut.len(),
    };
    format!("{}…", cut[..at_word].trim_end())
}

/// The text of a Markdown document without its markup, for snippets and previews.
pub fn plain_text(markdown: &str) -> String {
    let mut text = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => text.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::Paragraph | TagEnd::Item) => {
                text.push(' ')
            }
            _ => {}
        }
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn link<'a>(events: &mut Vec<Event<'a>>, url: String, text: String) {
    events.push(Event::Start(Tag::Link {
        link_type: LinkType::Autolink,
        dest_url: CowStr::from(url),
        title: CowStr::from(""),
        id: CowStr::from(""),
    }));
    events.push(Event::Text(CowStr::from(text)));
    events.push(Event::End(TagEnd::Link));
}

fn link_tokens<'a>(text: &str, events: &mut Vec<Event<'a>>) {
    for token in tokenize(text) {
        match token {
            Token::Text(plain) => events.push(Event::Text(CowStr::from(plain.to_owned()))),
            Token::Link(url) => link(events, url.to_owned(), url.to_owned()),
            Token::Tag(tag) => link(events, format!("/tags/{tag}"), format!("#{tag}")),
            // Handles are [a-z0-9_-] only (see `tokenize`), so this markup is safe as built.
            Token::Mention(handle) => events
                .push(Event::InlineHtml(CowStr::from(format!("<span class=\"mention\">@{handle}</span>")))),
        }
    }
}

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static SANITIZER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    SANITIZER.get_or_init(|| {
        let mut builder = ammonia::Builder::default();
        builder
            .url_schemes(HashSet::from(["http", "https", "mailto"]))
            .link_rel(Some("noopener noreferrer nofollow ugc"))
            .allowed_classes(HashMap::from([("span", HashSet::from(["mention"]))]));
        builder
    })
}

/// What would make rendered HTML active, if anything: the first script, frame, plugin,
/// style, form or document-level tag, event handler, inline style, or link or source that
/// runs code. The renderer promises there is none; the property test below and the fuzz
/// target in `fuzz/` hold it to that.
pub fn active_content(html: &str) -> Option<String> {
    const TAGS: [&str; 13] = [
        "script", "iframe", "object", "embed", "style", "svg", "math", "form", "button", "input", "base",
        "meta", "link",
    ];
    for (name, attributes) in tags(html) {
        if TAGS.contains(&name.as_str()) {
            return Some(format!("<{name}>"));
        }
        for (attribute, value) in attributes {
            if attribute.starts_with("on") || attribute == "style" || attribute == "srcdoc" {
                return Some(format!("{attribute}="));
            }
            let value = value.trim();
            if (attribute == "href" || attribute == "src")
                && ["javascript:", "vbscript:", "data:"].iter().any(|scheme| value.starts_with(scheme))
            {
                return Some(format!("{attribute}={value}"));
            }
        }
    }
    None
}

/// Every tag of sanitized output, as (name, [(attribute, value)]). In sanitized HTML a
/// literal `<` only ever opens a tag (text has `&lt;`).
fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out = Vec::new();
    for chunk in html.split('<').skip(1) {
        let inside = chunk.split('>').next().unwrap_or_default().trim_start_matches('/');
        let (name, mut rest) = inside.split_once(char::is_whitespace).unwrap_or((inside, ""));
        let mut attributes = Vec::new();
        while let Some((attribute, after)) = rest.split_once('=') {
            let attribute = attribute.trim().to_ascii_lowercase();
            let after = after.trim_start();
            let (value, next) = match after.strip_prefix('"') {
                Some(quoted) => quoted.split_once('"').unwrap_or((quoted, "")),
                None => after.split_once(char::is_whitespace).unwrap_or((after, "")),
            };
            attributes.push((attribute, value.to_ascii_lowercase()));
            rest = next;
        }
        out.push((name.to_ascii_lowercase(), attributes));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{active_content, excerpt, render};

    #[test]
    fn excerpts_end_at_a_word_with_an_ellipsis() {
        assert_eq!(excerpt("short", 10), "short");
        assert_eq!(excerpt("Convex mirror at the bay exit", 20), "Convex mirror at the…");
        assert_eq!(excerpt("Überlänge", 4), "Über…");
    }

    #[test]
    fn markdown_renders_with_tables_links_tags_and_mentions() {
        let html =
            render("**Hi** @ada, see #safety and https://x.example.\n\n| a | b |\n|---|---|\n| 1 | 2 |");
        assert!(html.contains("<strong>Hi</strong>"));
        assert!(html.contains("<span class=\"mention\">@ada</span>"));
        assert!(
            html.contains("<a href=\"/tags/safety\" rel=\"noopener noreferrer nofollow ugc\">#safety</a>")
        );
        assert!(html.contains("<a href=\"https://x.example\""));
        assert!(html.contains("<table>"));
    }

    #[test]
    fn plain_text_drops_the_markup() {
        assert_eq!(super::plain_text("Hello **world**.\n\n- one\n- `two`"), "Hello world. one two");
    }

    #[test]
    fn raw_html_is_shown_not_run() {
        let html = render("<script>alert(1)</script> <img src=x onerror=alert(1)>");
        assert!(!html.contains("<script") && !html.contains("<img"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }

    #[test]
    fn code_and_links_are_left_verbatim() {
        let html = render("`#notatag` and [#x](https://a.example)\n\n```\n@nobody #nothing\n```");
        assert!(!html.contains("/tags/notatag") && !html.contains("/tags/nothing"));
        assert!(!html.contains("class=\"mention\""));
    }

    #[test]
    fn the_checker_sees_what_the_property_forbids() {
        assert_eq!(active_content("<p><em>fine</em> <a href=\"/tags/x\">#x</a></p>"), None);
        for (html, found) in [
            ("<p><img src=\"javascript:x\"></p>", "src=javascript:x"),
            ("<p><img src=x onerror=alert(1)></p>", "onerror="),
            ("<p>x</p><script>", "<script>"),
            ("<a href=\" data:text/html,x\">x</a>", "href=data:text/html,x"),
            ("<p style=\"color:red\">x</p>", "style="),
        ] {
            assert_eq!(active_content(html).as_deref(), Some(found), "{html}");
        }
    }

    fn fragment() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let hostile = [
            "<script>alert(1)</script>",
            "<img src=x onerror=alert(1)>",
            "[x](javascript:alert(1))",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<a href=\"&#106;avascript:alert(1)\">x</a>",
            "<iframe src=//evil.example></iframe>",
            "<svg onload=alert(1)>",
            "<style>body{display:none}</style>",
            "<object data=x></object>",
            "![x](data:text/html,alert)",
            "<form action=//evil><button>go</button></form>",
            "<div style=\"background:url(javascript:1)\">x</div>",
            "<details open ontoggle=alert(1)>",
            "```\n<script>x</script>\n```",
            "`<b>`",
            "**bold** _em_",
            "@ada #safety https://x.example",
            "| a | b |\n|---|---|\n| 1 | 2 |",
            "\n\n",
            "<",
            ">",
            "\"",
            "'",
        ];
        prop_oneof![proptest::sample::select(hostile.to_vec()).prop_map(str::to_owned), "\\PC{0,12}",]
    }

    proptest::proptest! {
        /// However Markdown, HTML and text are mixed, what is rendered has no script, frame,
        /// plugin, style or form, no event handler, and no link or source that runs code.
        #[test]
        fn rendered_markdown_never_holds_active_content(pieces in proptest::collection::vec(fragment(), 0..12)) {
            let html = render(&pieces.concat());
            let found = active_content(&html);
            proptest::prop_assert!(found.is_none(), "{found:?} in {html}");
        }
    }
}
