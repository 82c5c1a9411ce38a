//! `/api/v1/search`, `/api/v1/search/suggest` and `/api/v1/experts`.

use actix_web::web;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::auth::identity::ApiUser;
use crate::error::ApiResult;
use crate::search::experts::{self, Expert, ExpertParams};
use crate::search::{self, SearchParams};
use crate::state::AppState;

/// Part of a snippet; `match` parts are what the query found.
#[derive(Debug, Serialize, ToSchema)]
pub struct SnippetPart {
    pub text: String,
    #[serde(rename = "match")]
    pub matched: bool,
}

/// One search result (SPEC §10 `search hit`).
#[derive(Debug, Serialize, ToSchema)]
pub struct HitJson {
    /// post | comment | idea | community | person
    #[serde(rename = "type")]
    pub kind: String,
    pub id: i64,
    pub title: String,
    /// Plain text around what matched.
    pub snippet: String,
    /// The same text split into matched and unmatched parts, for highlighting.
    pub highlighted: Vec<SnippetPart>,
    pub url: String,
}

impl From<search_index::Hit> for HitJson {
    fn from(hit: search_index::Hit) -> Self {
        let highlighted = hit
            .snippet
            .parts()
            .into_iter()
            .map(|(text, matched)| SnippetPart { text: text.into(), matched })
            .collect();
        HitJson {
            kind: hit.kind.as_str().into(),
            id: hit.id,
            title: hit.label,
            snippet: hit.snippet.text,
            highlighted,
            url: hit.url,
        }
    }
}

/// A count per value of a facet.
#[derive(Debug, Serialize, ToSchema)]
pub struct FacetValue {
    pub value: String,
    pub count: u64,
}

/// Counts over everything that matched (that the caller may see).
#[derive(Debug, Serialize, ToSchema)]
pub struct FacetsJson {
    #[serde(rename = "type")]
    pub kind: Vec<FacetValue>,
    /// Community slugs.
    pub community: Vec<FacetValue>,
    pub tag: Vec<FacetValue>,
    /// Author handles.
    pub author: Vec<FacetValue>,
    pub department: Vec<FacetValue>,
}

/// A page of search results.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchJson {
    pub items: Vec<HitJson>,
    pub next_cursor: Option<String>,
    /// Matches the caller may see: exact up to about 10,000, estimated past that.
    pub total: usize,
    /// Whether `total` and the facet counts are estimates from a sample of the matches.
    pub total_is_estimate: bool,
    pub facets: FacetsJson,
}

fn values<T>(list: &[(T, u64)], name: impl Fn(&T) -> Option<String>) -> Vec<FacetValue> {
    list.iter().filter_map(|(v, count)| Some(FacetValue { value: name(v)?, count: *count })).collect()
}

/// Searches posts, comments, ideas, communities and people the caller may see.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchParams),
    responses((status = 200, body = SearchJson), (status = 422, description = "unknown type")))]
pub async fn search(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    params: web::Query<SearchParams>,
) -> ApiResult<web::Json<SearchJson>> {
    let found = search::search(&state.db, state.search()?, user.actor(), params.into_inner()).await?;
    let f = &found.results.facets;
    let facets = FacetsJson {
        kind: values(&f.kinds, |k| Some(k.as_str().to_owned())),
        community: values(&f.communities, |id| found.communities.get(id).map(|(slug, _)| slug.clone())),
        tag: values(&f.tags, |t| Some(t.clone())),
        author: values(&f.authors, |id| found.people.get(id).map(|(handle, _)| handle.clone())),
        department: values(&f.departments, |d| Some(d.clone())),
    };
    let (total, total_is_estimate) = (found.results.total, !found.results.all_counted);
    let items = found.results.hits.into_iter().map(HitJson::from).collect();
    Ok(web::Json(SearchJson { items, next_cursor: found.next_cursor, total, total_is_estimate, facets }))
}

/// What is being typed.
#[derive(Debug, Deserialize, IntoParams)]
pub struct SuggestParams {
    #[serde(default)]
    pub q: String,
}

/// Up to six titles for what is being typed (the last word may be unfinished).
#[utoipa::path(get, path = "/api/v1/search/suggest", tag = "search", params(SuggestParams),
    responses((status = 200, body = Vec<HitJson>)))]
pub async fn suggest(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    params: web::Query<SuggestParams>,
) -> ApiResult<web::Json<Vec<HitJson>>> {
    let hits = search::suggest(&state.db, state.search()?, user.actor(), params.into_inner().q).await?;
    Ok(web::Json(hits.into_iter().map(HitJson::from).collect()))
}

/// A declared skill with its endorsements.
#[derive(Debug, Serialize, ToSchema)]
pub struct SkillJson {
    pub name: String,
    pub endorsements: i64,
}

/// A person with evidence of expertise (SPEC §10 `expert`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ExpertJson {
    pub handle: String,
    pub name: String,
    pub title: String,
    pub department: String,
    pub location: String,
    pub score: f32,
    /// Their skills the query names.
    pub skills: Vec<SkillJson>,
    /// How many matching things they wrote that the caller may see.
    pub documents: usize,
    /// The strongest of those.
    pub evidence: Vec<HitJson>,
}

impl From<Expert> for ExpertJson {
    fn from(e: Expert) -> Self {
        ExpertJson {
            handle: e.person.handle,
            name: e.person.name,
            title: e.person.title,
            department: e.person.department,
            location: e.person.location,
            score: e.score,
            skills: e
                .matched_skills
                .into_iter()
                .map(|(name, endorsements)| SkillJson { name, endorsements })
                .collect(),
            documents: e.documents,
            evidence: e.evidence.into_iter().map(HitJson::from).collect(),
        }
    }
}

/// People ranked by evidence of expertise on the query.
#[utoipa::path(get, path = "/api/v1/experts", tag = "search", params(ExpertParams),
    responses((status = 200, body = super::Listing<ExpertJson>)))]
pub async fn experts(
    state: web::Data<AppState>,
    ApiUser(user): ApiUser,
    params: web::Query<ExpertParams>,
) -> ApiResult<web::Json<super::Listing<ExpertJson>>> {
    let found = experts::find(&state.db, state.search()?, user.actor(), params.into_inner()).await?;
    Ok(web::Json(super::Listing {
        items: found.into_iter().map(ExpertJson::from).collect(),
        next_cursor: None,
    }))
}
