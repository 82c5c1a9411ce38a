//! The search and expert-search pages.

use askama::Template;
use search_index::{Hit, Kind};

use super::PageCtx;
use crate::search::experts::{Expert, ExpertParams};
use crate::search::{Found, SearchParams};

/// `/search`.
#[derive(Template)]
#[template(path = "search/results.html")]
pub struct SearchPage {
    pub ctx: PageCtx,
    pub params: SearchParams,
    pub found: Found,
    /// Why the input was refused (an unknown type), shown instead of results.
    pub problem: Option<String>,
}

/// A filter the page shows as removable.
pub struct Chip {
    pub label: String,
    pub remove_url: String,
}

impl SearchPage {
    fn url_with(&self, change: impl FnOnce(&mut SearchParams)) -> String {
        let mut p = self.params.clone();
        p.cursor = None;
        change(&mut p);
        let pairs: Vec<(&str, &str)> = [
            ("q", Some(p.q.as_str())),
            ("type", p.kind.as_deref()),
            ("community", p.community.as_deref()),
            ("tag", p.tag.as_deref()),
            ("author", p.author.as_deref()),
            ("department", p.department.as_deref()),
            ("cursor", p.cursor.as_deref()),
        ]
        .into_iter()
        .filter_map(|(k, v)| Some((k, v.filter(|v| !v.is_empty())?)))
        .collect();
        format!("/search?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
    }

    /// The tabs: every type with its count, and "All".
    pub fn tabs(&self) -> Vec<(String, String, u64, bool)> {
        let all: u64 = self.found.results.facets.kinds.iter().map(|(_, n)| n).sum();
        let current = self.params.kind.as_deref().unwrap_or("");
        let mut tabs = vec![("All".to_owned(), self.url_with(|p| p.kind = None), all, current.is_empty())];
        for (kind, n) in &self.found.results.facets.kinds {
            let name = kind.as_str().to_owned();
            let label = plural(*kind).to_owned();
            tabs.push((label, self.url_with(|p| p.kind = Some(name.clone())), *n, current == kind.as_str()));
        }
        tabs
    }

    /// Facet groups: (heading, [(label, url, count)]).
    pub fn facet_groups(&self) -> Vec<(&'static str, Vec<(String, String, u64)>)> {
        let facets = &self.found.results.facets;
        let community = |id: &i64| self.found.communities.get(id).cloned();
        let person = |id: &i64| self.found.people.get(id).cloned();
        let groups = vec![
            (
                "Community",
                facets
                    .communities
                    .iter()
                    .filter_map(|(id, n)| {
                        let (slug, name) = community(id)?;
                        Some((name, self.url_with(|p| p.community = Some(slug)), *n))
                    })
                    .collect(),
            ),
            (
                "Tag",
                facets
                    .tags
                    .iter()
                    .map(|(t, n)| (format!("#{t}"), self.url_with(|p| p.tag = Some(t.clone())), *n))
                    .collect(),
            ),
            (
                "Author",
                facets
                    .authors
                    .iter()
                    .filter_map(|(id, n)| {
                        let (handle, name) = person(id)?;
                        Some((name, self.url_with(|p| p.author = Some(handle)), *n))
                    })
                    .collect(),
            ),
            (
                "Department",
                facets
                    .departments
                    .iter()
                    .map(|(d, n)| (d.clone(), self.url_with(|p| p.department = Some(d.clone())), *n))
                    .collect(),
            ),
        ];
        groups
            .into_iter()
            .filter(|(_, values): &(&str, Vec<(String, String, u64)>)| !values.is_empty())
            .collect()
    }

    /// The filters in force, each with a link that removes it.
    pub fn chips(&self) -> Vec<Chip> {
        let p = &self.params;
        let mut chips = Vec::new();
        let mut add = |label: String, change: fn(&mut SearchParams)| {
            chips.push(Chip { label, remove_url: self.url_with(change) });
        };
        if let Some(c) = p.community.as_deref().filter(|c| !c.is_empty()) {
            add(format!("in {c}"), |p| p.community = None);
        }
        if let Some(t) = p.tag.as_deref().filter(|t| !t.is_empty()) {
            add(format!("#{t}"), |p| p.tag = None);
        }
        if let Some(a) = p.author.as_deref().filter(|a| !a.is_empty()) {
            add(format!("by @{a}"), |p| p.author = None);
        }
        if let Some(d) = p.department.as_deref().filter(|d| !d.is_empty()) {
            add(format!("department {d}"), |p| p.department = None);
        }
        chips
    }

    /// Where a hit lives and who wrote it, as a short line.
    pub fn context(&self, hit: &Hit) -> String {
        let mut parts = vec![kind_label(&hit.kind).to_owned()];
        if let Some((_, name)) = hit.community.and_then(|c| self.found.communities.get(&c)) {
            if hit.kind != Kind::Community {
                parts.push(format!("in {name}"));
            }
        }
        if let Some((_, name)) = hit.author.and_then(|a| self.found.people.get(&a)) {
            if hit.kind != Kind::Person {
                parts.push(format!("by {name}"));
            }
        }
        if let Some(at) = chrono::DateTime::from_timestamp(hit.created, 0) {
            if hit.kind != Kind::Person {
                parts.push(at.format("%b %-d, %Y").to_string());
            }
        }
        parts.join(" · ")
    }

    /// The next page's link.
    pub fn next_url(&self) -> Option<String> {
        let cursor = self.found.next_cursor.clone()?;
        Some(self.url_with(|p| p.cursor = Some(cursor)))
    }

    /// Whether the person typed anything searchable.
    pub fn searched(&self) -> bool {
        !self.found.results.terms.is_empty()
    }
}

fn plural(kind: Kind) -> &'static str {
    match kind {
        Kind::Post => "Posts",
        Kind::Comment => "Comments",
        Kind::Idea => "Ideas",
        Kind::Community => "Communities",
        Kind::Person => "People",
    }
}

/// A hit's type as the page names it.
pub fn kind_label(kind: &Kind) -> &'static str {
    match *kind {
        Kind::Post => "Post",
        Kind::Comment => "Comment",
        Kind::Idea => "Idea",
        Kind::Community => "Community",
        Kind::Person => "Person",
    }
}

/// `/experts`.
#[derive(Template)]
#[template(path = "search/experts.html")]
pub struct ExpertsPage {
    pub ctx: PageCtx,
    pub params: ExpertParams,
    pub experts: Vec<Expert>,
}

impl ExpertsPage {
    /// The rounded score shown beside each person.
    pub fn score(&self, expert: &Expert) -> String {
        format!("{:.1}", expert.score)
    }
}
