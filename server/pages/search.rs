//! The search and expert-search pages.

use askama::Template;
use search_index::{Hit, Kind};

use super::{PageCtx, thousands};
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

/// One value of a facet, as a link that narrows the results to it.
pub struct FacetLink {
    pub label: String,
    pub url: String,
    /// "1,204", or "~96,000" when estimated.
    pub count: String,
}

/// A facet with its top values.
pub struct FacetGroup {
    pub heading: &'static str,
    pub values: Vec<FacetLink>,
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
    pub fn tabs(&self) -> Vec<(String, String, String, bool)> {
        let facets = &self.found.results.facets;
        let count = |n: u64| counted(n, facets.kinds_all_counted);
        let all: u64 = facets.kinds.iter().map(|(_, n)| n).sum();
        let current = self.params.kind.as_deref().unwrap_or("");
        let mut tabs =
            vec![("All".to_owned(), self.url_with(|p| p.kind = None), count(all), current.is_empty())];
        for (kind, n) in &facets.kinds {
            let name = kind.as_str().to_owned();
            let label = plural(*kind).to_owned();
            tabs.push((
                label,
                self.url_with(|p| p.kind = Some(name.clone())),
                count(*n),
                current == kind.as_str(),
            ));
        }
        tabs
    }

    /// "12 results", or "About 1,200,000 results" when estimated.
    pub fn total(&self) -> String {
        let results = &self.found.results;
        match (results.all_counted, results.total) {
            (false, n) => format!("About {} results", thousands(&(n as i64))),
            (true, 1) => "1 result".to_owned(),
            (true, n) => format!("{} results", thousands(&(n as i64))),
        }
    }

    /// The facets with values, each value a link.
    pub fn facet_groups(&self) -> Vec<FacetGroup> {
        let facets = &self.found.results.facets;
        let link = |label: String, count: &u64, change: &dyn Fn(&mut SearchParams)| FacetLink {
            label,
            url: self.url_with(change),
            count: counted(*count, self.found.results.all_counted),
        };
        let communities = facets.communities.iter().filter_map(|(id, n)| {
            let (slug, name) = self.found.communities.get(id)?.clone();
            Some(link(name, n, &move |p| p.community = Some(slug.clone())))
        });
        let tags = facets.tags.iter().map(|(t, n)| link(format!("#{t}"), n, &|p| p.tag = Some(t.clone())));
        let authors = facets.authors.iter().filter_map(|(id, n)| {
            let (handle, name) = self.found.people.get(id)?.clone();
            Some(link(name, n, &move |p| p.author = Some(handle.clone())))
        });
        let departments =
            facets.departments.iter().map(|(d, n)| link(d.clone(), n, &|p| p.department = Some(d.clone())));
        [
            FacetGroup { heading: "Community", values: communities.collect() },
            FacetGroup { heading: "Tag", values: tags.collect() },
            FacetGroup { heading: "Author", values: authors.collect() },
            FacetGroup { heading: "Department", values: departments.collect() },
        ]
        .into_iter()
        .filter(|g| !g.values.is_empty())
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
        if let Some((_, name)) = hit.community.and_then(|c| self.found.communities.get(&c))
            && hit.kind != Kind::Community
        {
            parts.push(format!("in {name}"));
        }
        if let Some((_, name)) = hit.author.and_then(|a| self.found.people.get(&a))
            && hit.kind != Kind::Person
        {
            parts.push(format!("by {name}"));
        }
        if let Some(at) = chrono::DateTime::from_timestamp(hit.created, 0)
            && hit.kind != Kind::Person
        {
            parts.push(at.format("%b %-d, %Y").to_string());
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

/// A count as shown: "~1,200" when estimated.
fn counted(n: u64, exact: bool) -> String {
    let n = thousands(&i64::try_from(n).unwrap_or(i64::MAX));
    if exact { n } else { format!("~{n}") }
}

#[cfg(test)]
mod tests {
    use super::counted;

    #[test]
    fn estimated_counts_say_so() {
        assert_eq!(counted(1_204, true), "1,204");
        assert_eq!(counted(96_310, false), "~96,310");
    }
}
