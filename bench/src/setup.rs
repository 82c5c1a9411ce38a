//! What the scenarios need before they measure: the dataset, and the persona, a typical
//! employee in 30 communities, signed in through the form.

use std::path::Path;

use anyhow::Context;
use reqwest::Method;
use serde_json::{Value, json};

use crate::client::{Api, browser, sign_in};
use crate::server::Spec;

/// How big a run is.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub preset: &'static str,
    /// People in the preset (`agora seed --synthetic`).
    pub users: i64,
    pub load_seconds: f64,
    pub queries: usize,
    pub expert_queries: usize,
    pub searchable_posts: usize,
    pub voters: usize,
    pub vote_ideas: usize,
    pub sockets: usize,
    pub events: usize,
    pub storm_clients: usize,
    pub kill_rounds: usize,
}

impl Plan {
    pub fn preset(name: &str) -> Option<Self> {
        match name {
            // A smoke test for CI: every scenario, small and short, no thresholds.
            "small" => Some(Self {
                preset: "small",
                users: 2_000,
                load_seconds: 1.5,
                queries: 200,
                expert_queries: 50,
                searchable_posts: 20,
                voters: 40,
                vote_ideas: 25,
                sockets: 500,
                events: 10,
                storm_clients: 10,
                kill_rounds: 1,
            }),
            "large" => Some(Self {
                preset: "large",
                users: 50_000,
                load_seconds: 10.0,
                queries: 1_000,
                expert_queries: 200,
                searchable_posts: 200,
                voters: 200,
                vote_ideas: 500,
                sockets: 10_000,
                events: 100,
                storm_clients: 50,
                kill_rounds: 3,
            }),
            _ => None,
        }
    }
}

/// Seeds the preset into `data_dir` unless an earlier run did; returns a description.
pub async fn dataset(spec: &Spec, plan: &Plan) -> anyhow::Result<String> {
    let marker = spec.data_dir.join("bench-preset");
    if std::fs::read_to_string(&marker).ok().as_deref() == Some(plan.preset) {
        return Ok(format!("`{}` dataset reused from {}", plan.preset, spec.data_dir.display()));
    }
    anyhow::ensure!(
        !spec.data_dir.exists() || is_empty(&spec.data_dir)?,
        "{} holds data that is not a bench dataset; give an empty or new folder",
        spec.data_dir.display()
    );
    println!("seeding the {} organisation into {} …", plan.preset, spec.data_dir.display());
    let started = std::time::Instant::now();
    let output = spec.cli(&["seed", "--synthetic", "--preset", plan.preset]).await?;
    println!("{output}");
    std::fs::write(&marker, plan.preset)?;
    Ok(format!("`{}` dataset seeded in {:.0} s", plan.preset, started.elapsed().as_secs_f64()))
}

fn is_empty(dir: &Path) -> anyhow::Result<bool> {
    Ok(std::fs::read_dir(dir)?.next().is_none())
}

/// The signed-in employee whose pages are measured.
pub struct Persona {
    pub user: i64,
    pub api: Api,
    /// The session cookie (`agora_session=…`).
    pub cookie: String,
    /// Communities the persona is an active member of, largest first.
    pub communities: Vec<String>,
}

/// Communities the persona should belong to (issue #11: "a user in 30 communities").
const COMMUNITIES: usize = 30;
/// People the persona follows (the next accounts after its own).
const FOLLOWED_PEOPLE: usize = 10;
/// Tags the persona follows: the most common synthetic word, and two of the domain's.
const FOLLOWED_TAGS: [&str; 3] = ["plant", "pump", "compliance"];

impl Persona {
    /// Signs in `user`, makes them a member of 30 communities (joining open ones, largest
    /// first, if the seed gave them fewer), has them follow colleagues and tags, and makes
    /// a token for the API.
    pub async fn prepare(spec: &Spec, user: i64) -> anyhow::Result<Self> {
        let api = Api::for_user(spec, user).await?;
        let directory = directory(&api).await?;
        let mut communities: Vec<String> = directory
            .iter()
            .filter(|c| c["membership"] == "active")
            .filter_map(|c| c["slug"].as_str().map(str::to_owned))
            .collect();
        for community in &directory {
            if communities.len() >= COMMUNITIES {
                break;
            }
            if community["visibility"] == "open" && community["membership"].is_null() {
                let slug = community["slug"].as_str().context("slug")?;
                api.post(&format!("/communities/{slug}/join"), json!({})).await?;
                communities.push(slug.to_owned());
            }
        }
        let order: Vec<&str> = directory.iter().filter_map(|c| c["slug"].as_str()).collect();
        communities.sort_by_key(|slug| order.iter().position(|s| s == slug));
        // The home feed's other sources, as a typical employee has them: a few colleagues
        // and tags followed (the synthetic organisation follows nobody; a tag-following
        // home page once took 0.8 s and the benchmark did not see it).
        for colleague in (user + 1..).take(FOLLOWED_PEOPLE) {
            api.send(Method::PUT, &format!("/users/user{colleague}/follow"), None).await?;
        }
        for tag in FOLLOWED_TAGS {
            api.send(Method::PUT, &format!("/tags/{tag}/follow"), None).await?;
        }
        let cookie = sign_in(&browser()?, &spec.base(), user).await?;
        Ok(Self { user, api, cookie, communities })
    }

    /// The largest community the persona belongs to (where it posts and listens).
    pub fn home_community(&self) -> &str {
        self.communities.first().map_or("c1", String::as_str)
    }
}

/// Every community the caller may discover, most members first.
async fn directory(api: &Api) -> anyhow::Result<Vec<Value>> {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/communities?limit=100&cursor={c}"),
            None => "/communities?limit=100".to_owned(),
        };
        let page = api.get(&path).await?;
        all.extend(page["items"].as_array().cloned().unwrap_or_default());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return Ok(all),
        }
    }
}
