//! Idea pages: the list, the submission form, an idea.

use askama::Template;

use super::PageCtx;
use crate::db::models::communities::Community;
use crate::db::models::ideas::Idea;
use crate::db::models::posts::Author;
use crate::error::FieldErrors;
use crate::ideas::{IdeaInput, IdeaPage, ListFilter};

/// `/ideas`.
#[derive(Template)]
#[template(path = "ideas/list.html")]
pub struct IdeasPage {
    pub ctx: PageCtx,
    pub filter: ListFilter,
    pub sort: &'static str,
    pub ideas: Vec<(Idea, Option<Author>)>,
}

/// `/ideas/new`.
#[derive(Template)]
#[template(path = "ideas/new.html")]
pub struct NewIdeaPage {
    pub ctx: PageCtx,
    pub form: IdeaInput,
    pub communities: Vec<Community>,
    pub errors: FieldErrors,
}

/// `/ideas/<id>`.
#[derive(Template)]
#[template(path = "ideas/show.html")]
pub struct IdeaView {
    pub ctx: PageCtx,
    pub page: IdeaPage,
    pub draft: String,
    pub errors: FieldErrors,
    pub live_since: i64,
}
