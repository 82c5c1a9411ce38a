//! The notifications page.

use askama::Template;

use super::PageCtx;
use crate::notify::Line;

/// `/notifications`.
#[derive(Template)]
#[template(path = "notifications/list.html")]
pub struct NotificationsPage {
    pub ctx: PageCtx,
    pub lines: Vec<Line>,
}

/// `/unsubscribe/<token>`: confirm, then done; a link that is not genuine says so.
#[derive(Template)]
#[template(path = "notifications/unsubscribe.html")]
pub struct UnsubscribePage {
    pub ctx: PageCtx,
    pub token: String,
    /// What the link turns off ("mails about replies"), when it is genuine.
    pub what: Option<String>,
    pub done: bool,
}
