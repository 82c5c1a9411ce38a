//! Expert search: who knows about the query. Evidence from what people wrote comes from
//! the index (see `search-index/src/experts.rs`); declared skills and their endorsements
//! come from the database and are added here. docs/SEARCH.md gives the formula.

use std::collections::HashMap;

use search_index::{Evidence, ExpertQuery, Hit, SearchIndex};

use super::{Search, blocking, failed, hidden_communities};
use crate::db::Db;
use crate::db::models::users::User;
use crate::db::models::{now, skills, users};
use crate::domain::policy::Actor;
use crate::error::AppResult;

/// What one matching skill is worth: like a strong post, more when colleagues endorse it
/// (diminishing: the tenth endorsement adds less than the first).
pub fn skill_score(endorsements: i64) -> f32 {
    4.0 * (1.0 + (1.0 + endorsements as f32).ln())
}

/// A skill as stored: trimmed, lowercase, single spaces.
pub fn normalize_skill(raw: &str) -> String {
    raw.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Skills a query can name: each run of one to three of its words ("machine learning").
fn skill_candidates(q: &str) -> Vec<String> {
    let words: Vec<String> = q
        .split(|c: char| c.is_whitespace() || c == '"' || c == ',')
        .map(|w| w.trim_start_matches('-'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .take(16)
        .collect();
    let mut out = Vec::new();
    for n in 1..=3 {
        for run in words.windows(n) {
            out.push(run.join(" "));
        }
    }
    out
}

/// The filters of an expert search.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct ExpertParams {
    #[serde(default)]
    pub q: String,
    pub department: Option<String>,
    pub location: Option<String>,
    /// 1–50, default 10.
    pub limit: Option<usize>,
}

/// One person, and why they are listed.
#[derive(Debug, Clone)]
pub struct Expert {
    pub person: User,
    pub score: f32,
    /// Their skills that the query names, with endorsement counts.
    pub matched_skills: Vec<(String, i64)>,
    /// How many matching things they wrote (that the viewer may see).
    pub documents: usize,
    /// The strongest of those, with snippets.
    pub evidence: Vec<Hit>,
}

/// Someone with evidence or a matching skill, before the filters.
#[derive(Default)]
struct Candidate {
    score: f32,
    documents: usize,
    /// Their strongest documents.
    evidence: Vec<Evidence>,
    skills: Vec<(String, i64)>,
}

fn matches(filter: &Option<String>, value: &str) -> bool {
    match filter.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
        Some(f) => value.eq_ignore_ascii_case(f),
        None => true,
    }
}

/// People ranked by evidence on the query, as this viewer may see it.
pub async fn find(db: &Db, search: &Search, actor: Actor, params: ExpertParams) -> AppResult<Vec<Expert>> {
    let q = params.q.trim().chars().take(500).collect::<String>();
    if q.is_empty() {
        return Ok(Vec::new());
    }
    let (db, index) = (db.clone(), search.index.clone());
    blocking(move || rank(&db, &index, actor, &q, &params)).await
}

/// [`find`]'s work, in one blocking task (see [`blocking`]).
fn rank(
    db: &Db,
    index: &SearchIndex,
    actor: Actor,
    q: &str,
    params: &ExpertParams,
) -> AppResult<Vec<Expert>> {
    let limit = params.limit.unwrap_or(10).clamp(1, 50);
    let (hidden, holders) = db.read_sync(|c| {
        // "k8s" in a query finds the people who declared kubernetes.
        let aliases = skills::aliases(c)?;
        let named: Vec<String> =
            skill_candidates(q).into_iter().map(|s| crate::people::canonical(&aliases, s)).collect();
        Ok((hidden_communities(c, actor)?, skills::holders(c, &named)?))
    })?;
    let now = now().and_utc().timestamp();
    let mut experts = index.experts(&ExpertQuery { text: q, hidden: &hidden, now }).map_err(failed)?;

    let mut scores: HashMap<i64, Candidate> = HashMap::new();
    // The people move into the candidates; the snapshot stays to read their evidence from.
    for hit in std::mem::take(&mut experts.people) {
        let candidate = Candidate {
            score: hit.score,
            documents: hit.documents,
            evidence: hit.evidence,
            skills: Vec::new(),
        };
        scores.insert(hit.person, candidate);
    }
    for (person, skill, endorsements) in holders {
        let candidate = scores.entry(person).or_default();
        candidate.score += skill_score(endorsements);
        candidate.skills.push((skill, endorsements));
    }
    let mut ranked: Vec<(i64, f32)> = scores.iter().map(|(&id, c)| (id, c.score)).collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    // Enough candidates that the department and location filters still fill a page.
    ranked.truncate(if params.department.is_some() || params.location.is_some() { 2000 } else { limit * 2 });
    let ids: Vec<i64> = ranked.iter().map(|(id, _)| *id).collect();
    let people: HashMap<i64, User> =
        db.read_sync(|c| Ok(users::find_active_many(c, &ids)?))?.into_iter().map(|u| (u.id, u)).collect();
    let mut shown = Vec::new();
    for (id, score) in ranked {
        let Some(person) = people.get(&id) else { continue };
        if !matches(&params.department, &person.department) || !matches(&params.location, &person.location) {
            continue;
        }
        let Some(candidate) = scores.remove(&id) else { continue };
        shown.push((person.clone(), score, candidate));
        if shown.len() == limit {
            break;
        }
    }
    // Explain with every declared skill the query names, whole ("machine learning") or by
    // one of its words ("steam" names "steam systems", which may rank them through their
    // profile rather than the skill itself).
    let words: Vec<String> = skill_candidates(q).into_iter().filter(|w| !w.contains(' ')).collect();
    let shown_ids: Vec<i64> = shown.iter().map(|(p, ..)| p.id).collect();
    let mut declared = db.read_sync(|c| Ok(skills::of_users(c, &shown_ids)?))?;
    for (person, _, candidate) in &mut shown {
        for (skill, endorsements) in declared.remove(&person.id).unwrap_or_default() {
            let named = skill.split_whitespace().any(|w| words.iter().any(|q| q == w));
            if named && !candidate.skills.iter().any(|(s, _)| *s == skill) {
                candidate.skills.push((skill, endorsements));
            }
        }
    }
    // The evidence of everyone shown, with snippets, in one pass over the index.
    let wanted: Vec<Evidence> = shown.iter().flat_map(|(_, _, c)| c.evidence.iter().copied()).collect();
    let mut found: HashMap<Evidence, Hit> =
        index.evidence(q, &experts, &wanted).map_err(failed)?.into_iter().collect();
    let experts = shown
        .into_iter()
        .map(|(person, score, candidate)| Expert {
            evidence: candidate.evidence.iter().filter_map(|k| found.remove(k)).collect(),
            person,
            score,
            matched_skills: candidate.skills,
            documents: candidate.documents,
        })
        .collect();
    Ok(experts)
}
