//! The profile page.

use askama::Template;

use super::PageCtx;
use crate::people::Profile;

/// `/people/<handle>`.
#[derive(Template)]
#[template(path = "people/profile.html")]
pub struct ProfilePage {
    pub ctx: PageCtx,
    pub profile: Profile,
    /// The bio rendered from Markdown and sanitized.
    pub bio_html: String,
}

impl ProfilePage {
    /// "Process Engineer · Manufacturing · Ludwigshafen", leaving out what is empty.
    pub fn role_line(&self) -> String {
        let p = &self.profile.person;
        [p.title.as_str(), &p.department, &p.location]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" · ")
    }

    /// The names of a skill's endorsers, for the hover text and screen readers.
    pub fn endorser_names(&self, skill: &crate::people::SkillView) -> String {
        skill.endorsers.iter().map(|(_, name)| name.as_str()).collect::<Vec<_>>().join(", ")
    }
}
