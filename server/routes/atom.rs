//! Atom feeds of communities and tags, for feed readers. Filtered by what the reader may
//! see; private content needs `?token=<personal access token>`.

use actix_web::{HttpRequest, HttpResponse, web};
use atom_syndication::{Content, Entry, Feed, Link, Person, Text};
use serde::Deserialize;

use crate::auth::identity::feed_reader;
use crate::domain::policy::Action;
use crate::error::ApiError;
use crate::posts::{self, PostCard};
use crate::state::AppState;

/// Entries per feed.
const ENTRIES: i64 = 50;

/// `?token=` on feeds.
#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

/// GET /c/{slug}/feed.atom
pub async fn community(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, ApiError> {
    let user = feed_reader(&req, query.token.as_deref()).await?;
    let (located, cards) = posts::list(&state.db, &user, &slug, None, ENTRIES).await?;
    located.allow(Action::Read)?;
    let base = state.settings.base_url();
    let page = format!("{base}/c/{}", located.community.slug);
    Ok(atom(&base, &located.community.name, &page, cards))
}

/// GET /tags/{tag}/feed.atom
pub async fn tag(
    req: HttpRequest,
    state: web::Data<AppState>,
    tag: web::Path<String>,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, ApiError> {
    let user = feed_reader(&req, query.token.as_deref()).await?;
    let tag = tag.to_lowercase();
    let cards = posts::tagged(&state.db, &user, &tag, None, ENTRIES).await?;
    let base = state.settings.base_url();
    Ok(atom(&base, &format!("#{tag}"), &format!("{base}/tags/{tag}"), cards))
}

/// GET /people/{handle}/feed.atom
pub async fn person(
    req: HttpRequest,
    state: web::Data<AppState>,
    handle: web::Path<String>,
    query: web::Query<TokenQuery>,
) -> Result<HttpResponse, ApiError> {
    let user = feed_reader(&req, query.token.as_deref()).await?;
    let (author, cards) = posts::by_author(&state.db, &user, &handle, ENTRIES).await?;
    let base = state.settings.base_url();
    Ok(atom(&base, &author.name, &format!("{base}/people/{}", author.handle), cards))
}

fn link(href: String, rel: &str) -> Link {
    let mut link = Link::default();
    link.set_href(href);
    link.set_rel(rel);
    link
}

fn atom(base: &str, title: &str, page: &str, cards: Vec<PostCard>) -> HttpResponse {
    let entries: Vec<Entry> = cards
        .into_iter()
        .map(|card| {
            let post = card.post;
            let url = format!("{base}/posts/{}", post.id);
            let mut entry = Entry::default();
            let name = if post.title.is_empty() {
                crate::domain::markdown::plain_text(&post.body)
            } else {
                post.title
            };
            entry.set_title(Text::plain(name.chars().take(120).collect::<String>()));
            entry.set_id(url.clone());
            entry.set_links(vec![link(url, "alternate")]);
            entry.set_updated(post.edited_at.unwrap_or(post.created_at).and_utc().fixed_offset());
            entry.set_published(Some(post.created_at.and_utc().fixed_offset()));
            if let Some(author) = card.author {
                let mut person = Person::default();
                person.set_name(author.name);
                person.set_uri(Some(format!("{base}/people/{}", author.handle)));
                entry.set_authors(vec![person]);
            }
            let mut content = Content::default();
            content.set_content_type(Some("html".to_owned()));
            content.set_value(Some(post.html));
            entry.set_content(Some(content));
            entry
        })
        .collect();
    let mut feed = Feed::default();
    feed.set_title(Text::plain(format!("{title} · Agora")));
    feed.set_id(page.to_owned());
    feed.set_links(vec![link(page.to_owned(), "alternate")]);
    let updated =
        entries.iter().map(|e| *e.updated()).max().unwrap_or_else(|| chrono::Utc::now().fixed_offset());
    feed.set_updated(updated);
    feed.set_entries(entries);
    HttpResponse::Ok().content_type("application/atom+xml; charset=utf-8").body(feed.to_string())
}
