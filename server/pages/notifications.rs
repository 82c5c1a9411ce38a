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
