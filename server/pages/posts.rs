//! Post pages: a post with its comments, the edit form, a tag's posts.

use askama::Template;

use super::PageCtx;
use crate::error::FieldErrors;
use crate::posts::{PostCard, PostPage};

/// `/posts/<id>`.
#[derive(Template)]
#[template(path = "posts/show.html")]
pub struct PostView {
    pub ctx: PageCtx,
    pub page: PostPage,
    pub draft: String,
    pub errors: FieldErrors,
    /// The activity id live updates start after.
    pub live_since: i64,
}

/// `/posts/<id>/edit`.
#[derive(Template)]
#[template(path = "posts/edit.html")]
pub struct EditPostPage {
    pub ctx: PageCtx,
    pub id: i64,
    pub needs_title: bool,
    pub title: String,
    pub body: String,
    pub errors: FieldErrors,
}

/// One post card, as pushed to live pages.
#[derive(Template)]
#[template(path = "posts/card.html")]
pub struct CardFragment {
    pub ctx: PageCtx,
    pub card: PostCard,
}

/// `/tags/<tag>`.
#[derive(Template)]
#[template(path = "posts/tag.html")]
pub struct TagPage {
    pub ctx: PageCtx,
    pub tag: String,
    pub cards: Vec<PostCard>,
    pub next: Option<String>,
    /// Whether the viewer follows the tag.
    pub following: bool,
}
