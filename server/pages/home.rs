//! The home page (the activity feed arrives with the feeds work; until then it greets the
//! viewer and shows who joined recently).

use askama::Template;

use super::PageCtx;
use crate::db::models::users::User;

/// `/`.
#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub ctx: PageCtx,
    pub newest: Vec<User>,
    pub people: i64,
}
