//! The profile page.

use askama::Template;

use super::PageCtx;
use crate::people::{Directory, DirectoryParams, OrgChart, Profile};

/// `/people/<handle>`.
#[derive(Template)]
#[template(path = "people/profile.html")]
pub struct ProfilePage {
    pub ctx: PageCtx,
    pub profile: Profile,
    /// The bio rendered from Markdown and sanitized.
    pub bio_html: String,
    pub standing: crate::gamification::Standing,
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

/// `/people`: the directory.
#[derive(Template)]
#[template(path = "people/directory.html")]
pub struct DirectoryPage {
    pub ctx: PageCtx,
    pub params: DirectoryParams,
    pub directory: Directory,
}

impl DirectoryPage {
    /// Whether `value` is the chosen option of a filter.
    pub fn chosen(&self, filter: &Option<String>, value: &str) -> bool {
        filter.as_deref() == Some(value)
    }

    /// The next page's link, with the same filters.
    pub fn next_url(&self) -> Option<String> {
        let cursor = self.directory.next_cursor.as_deref()?;
        let p = &self.params;
        let pairs = [
            ("q", Some(p.q.as_str())),
            ("department", p.department.as_deref()),
            ("location", p.location.as_deref()),
            ("skill", p.skill.as_deref()),
            ("cursor", Some(cursor)),
        ];
        let pairs: Vec<(&str, &str)> =
            pairs.into_iter().filter_map(|(k, v)| Some((k, v.filter(|v| !v.is_empty())?))).collect();
        Some(format!("/people?{}", serde_urlencoded::to_string(pairs).unwrap_or_default()))
    }
}

/// `/people?view=org`: the organisation chart.
#[derive(Template)]
#[template(path = "people/org.html")]
pub struct OrgPage {
    pub ctx: PageCtx,
    pub chart: OrgChart,
}

/// `/people/<handle>/edit`: an admin edits someone's profile.
#[derive(Template)]
#[template(path = "people/edit.html")]
pub struct EditProfilePage {
    pub ctx: PageCtx,
    pub person: crate::db::models::users::User,
    pub profile: crate::accounts::ProfileInput,
    pub errors: crate::error::FieldErrors,
}

/// `/people/import`: an admin uploads a CSV of people.
#[derive(Template)]
#[template(path = "people/import.html")]
pub struct ImportPage {
    pub ctx: PageCtx,
    pub dry_run: bool,
    /// The outcome of the upload just made.
    pub report: Option<crate::import::Report>,
}
