//! Idea pages: the list, the submission form, an idea.

use askama::Template;

use super::PageCtx;
use crate::db::models::challenges::Challenge;
use crate::db::models::communities::CommunityLink;
use crate::db::models::ideas::Idea;
use crate::db::models::posts::Author;
use crate::error::FieldErrors;
use crate::ideas::{IdeaInput, IdeaPage, Leaderboard, ListFilter};

/// `/ideas`.
#[derive(Template)]
#[template(path = "ideas/list.html")]
pub struct IdeasPage {
    pub ctx: PageCtx,
    pub filter: ListFilter,
    pub sort: &'static str,
    pub ideas: Vec<(Idea, Option<Author>)>,
    /// Link to the next page, if any.
    pub next: Option<String>,
    pub challenges: Vec<Challenge>,
    /// Whether the viewer may pose challenges (executives and admins).
    pub may_pose: bool,
    /// The challenge form as typed (kept when it was refused).
    pub challenge: crate::ideas::ChallengeInput,
    pub errors: FieldErrors,
}

/// `/challenges/<id>`.
#[derive(Template)]
#[template(path = "ideas/challenge.html")]
pub struct ChallengePage {
    pub ctx: PageCtx,
    pub challenge: Challenge,
    pub ideas: Vec<(Idea, Option<Author>)>,
    pub open: bool,
}

/// `/leaderboard`.
#[derive(Template)]
#[template(path = "ideas/leaderboard.html")]
pub struct LeaderboardPage {
    pub ctx: PageCtx,
    pub board: Leaderboard,
    /// The quarter's people by points: `(person, points)`.
    pub points: Vec<(crate::db::models::users::User, i64)>,
}

impl LeaderboardPage {
    /// What each contribution is worth, for the table under the ranking.
    pub fn point_table(&self) -> &'static [(&'static str, i64)] {
        &crate::gamification::POINTS
    }
}

/// `/ideas/new` and `/ideas/<id>/edit`.
#[derive(Template)]
#[template(path = "ideas/new.html")]
pub struct NewIdeaPage {
    pub ctx: PageCtx,
    pub form: IdeaInput,
    pub communities: Vec<CommunityLink>,
    pub errors: FieldErrors,
    /// The idea being edited (none when submitting a new one).
    pub editing: Option<i64>,
}

/// `/ideas/<id>`.
#[derive(Template)]
#[template(path = "ideas/show.html")]
pub struct IdeaView {
    pub ctx: PageCtx,
    pub page: IdeaPage,
    /// Ideas like this one that the viewer may see (from the search index).
    pub similar: Vec<Idea>,
    pub draft: String,
    pub errors: FieldErrors,
    pub live_since: i64,
}
