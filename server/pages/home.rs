//! The home page: the activity feed, the announcements of the viewer's communities, those
//! communities, and who joined recently.

use askama::Template;

use super::PageCtx;
use crate::db::models::communities::CommunityLink;
use crate::db::models::users::User;
use crate::feeds::FeedItem;
use crate::posts::PostCard;

/// `/`.
#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub ctx: PageCtx,
    pub newest: Vec<User>,
    pub people: i64,
    /// The newest announcements of the viewer's communities.
    pub cards: Vec<PostCard>,
    pub communities: Vec<CommunityLink>,
    /// The home feed: your communities, the people and #tags you follow.
    pub items: Vec<FeedItem>,
    /// Link to older activity, if any.
    pub next: Option<String>,
    /// The activity id live updates start after.
    pub live_since: i64,
}
