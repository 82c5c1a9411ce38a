//! The home page. Until the activity feed arrives it shows the announcements of the
//! viewer's communities, those communities, and who joined recently.

use askama::Template;

use super::PageCtx;
use crate::db::models::communities::Community;
use crate::db::models::users::User;
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
    pub communities: Vec<Community>,
}
