//! Search and expert search over a fixed query mix, and how soon a new post is found
//! (scenarios 3 and 4). Queries run one at a time as the persona, so each latency is one
//! request's, measured by the client (HTTP on the loopback included).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::Context;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::json;

use crate::Bench;
use crate::report::Bound::AtMost;
use crate::report::percentile_ms;

/// The four kinds of query in the mix, reported apart so the slow kind shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Common,
    Rare,
    Phrase,
    Words,
}

impl Class {
    const ALL: [Class; 4] = [Class::Common, Class::Rare, Class::Phrase, Class::Words];

    fn name(self) -> &'static str {
        match self {
            Class::Common => "common words",
            Class::Rare => "rare words",
            Class::Phrase => "phrases",
            Class::Words => "three words",
        }
    }
}

/// The query mix: words and phrases taken from posts the persona can read, so common words
/// match many documents and rare ones few, as people's searches do.
async fn query_mix(bench: &Bench, count: usize) -> anyhow::Result<Vec<(Class, String)>> {
    let mut texts = Vec::new();
    for slug in bench.persona.communities.iter().take(6) {
        let page = bench.persona.api.get(&format!("/communities/{slug}/posts?limit=100")).await?;
        for post in page["items"].as_array().into_iter().flatten() {
            texts.push(format!(
                "{} {}",
                post["title"].as_str().unwrap_or(""),
                post["body"].as_str().unwrap_or("")
            ));
        }
    }
    let mut frequency: HashMap<String, usize> = HashMap::new();
    let mut phrases = Vec::new();
    for text in &texts {
        let words: Vec<String> = text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.len() >= 4)
            .map(str::to_lowercase)
            .collect();
        for word in &words {
            *frequency.entry(word.clone()).or_default() += 1;
        }
        phrases.extend(words.windows(2).map(|pair| format!("\"{} {}\"", pair[0], pair[1])));
        phrases.extend(words.windows(3).map(|three| three.join(" ")));
    }
    let mut ranked: Vec<(String, usize)> = frequency.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    anyhow::ensure!(ranked.len() >= 40, "too little text to build a query mix from");
    let common: Vec<&str> = ranked.iter().take(20).map(|(w, _)| w.as_str()).collect();
    let rare: Vec<&str> = ranked.iter().rev().take(200).map(|(w, _)| w.as_str()).collect();
    phrases.sort();
    phrases.dedup();
    let mut rng = rand::rngs::StdRng::seed_from_u64(11);
    let mut mix: Vec<(Class, String)> = (0..count)
        .map(|n| match n % 10 {
            // 30% common words, 40% rare words, 30% phrases and several words.
            0..=2 => (Class::Common, common[rng.random_range(0..common.len())].to_owned()),
            3..=6 => (Class::Rare, rare[rng.random_range(0..rare.len())].to_owned()),
            _ => {
                let phrase = phrases[rng.random_range(0..phrases.len())].clone();
                (if phrase.starts_with('"') { Class::Phrase } else { Class::Words }, phrase)
            }
        })
        .collect();
    mix.shuffle(&mut rng);
    Ok(mix)
}

/// Each query's time, in the order given.
async fn timed(bench: &Bench, route: &str, queries: &[String]) -> anyhow::Result<Vec<Duration>> {
    let client = crate::client::http()?;
    let token = bench.persona.api.token();
    let mut times = Vec::with_capacity(queries.len());
    for query in queries {
        let started = Instant::now();
        let response =
            client.get(bench.persona.api.url(route)).query(&[("q", query)]).bearer_auth(token).send().await?;
        anyhow::ensure!(response.status().is_success(), "{route}?q={query}: {}", response.status());
        response.bytes().await?;
        times.push(started.elapsed());
    }
    Ok(times)
}

fn sorted(mut times: Vec<Duration>) -> Vec<Duration> {
    times.sort();
    times
}

pub async fn queries(bench: &mut Bench) -> anyhow::Result<()> {
    let (classes, mix): (Vec<Class>, Vec<String>) =
        query_mix(bench, bench.plan.queries).await?.into_iter().unzip();
    // One pass to warm the index's pages into memory, as a running site has them.
    timed(bench, "/search", &mix[..mix.len().min(100)]).await?;
    let each = timed(bench, "/search", &mix).await?;
    // p50 / p99 of each kind of query, to say which kind makes the tail.
    let by_class: Vec<String> = Class::ALL
        .iter()
        .map(|&class| {
            let times =
                sorted(classes.iter().zip(&each).filter(|(c, _)| **c == class).map(|(_, t)| *t).collect());
            let (p50, p99) = (percentile_ms(&times, 0.50), percentile_ms(&times, 0.99));
            format!("{} {p50:.1} / {p99:.1}", class.name())
        })
        .collect();
    let times = sorted(each);
    let note = format!("{} queries, p50 / p99 ms: {}; `/api/v1/search`", mix.len(), by_class.join(", "));
    bench.report.add("search p50", percentile_ms(&times, 0.50), "ms", Some((AtMost, 1.0)), note.clone());
    bench.report.add("search p99", percentile_ms(&times, 0.99), "ms", Some((AtMost, 8.0)), note);
    let experts: Vec<String> =
        mix.into_iter().filter(|q| !q.contains(' ')).take(bench.plan.expert_queries).collect();
    let times = sorted(timed(bench, "/experts", &experts).await?);
    bench.report.add(
        "expert search p99",
        percentile_ms(&times, 0.99),
        "ms",
        Some((AtMost, 25.0)),
        format!(
            "{} single-word queries, p50 {:.2} ms; `/api/v1/experts`",
            experts.len(),
            percentile_ms(&times, 0.5)
        ),
    );
    Ok(())
}

/// Writes posts through the API and searches for each one's unique word until it is found:
/// the time from sending the post to the first search that finds it.
pub async fn searchable(bench: &mut Bench) -> anyhow::Result<()> {
    let api = bench.persona.api.clone();
    let slug = bench.persona.home_community().to_owned();
    let run: u32 = rand::rng().random();
    let mut times = Vec::new();
    for n in 0..bench.plan.searchable_posts {
        let word = format!("benchmark{run:x}probe{n}");
        let started = Instant::now();
        api.post(
            &format!("/communities/{slug}/posts"),
            json!({"kind": "update", "body": format!("Line check {word}: pressure nominal.")}),
        )
        .await?;
        loop {
            let found = api.get(&format!("/search?q={word}")).await?;
            if found["total"].as_u64().context("total")? > 0 {
                break;
            }
            anyhow::ensure!(started.elapsed() < Duration::from_secs(30), "{word} was not found within 30 s");
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        times.push(started.elapsed());
    }
    let times = sorted(times);
    bench.report.add(
        "new post → searchable p99",
        percentile_ms(&times, 0.99),
        "ms",
        Some((AtMost, 150.0)),
        format!(
            "{} posts, p50 {:.1} ms, from sending the post to the search that finds it",
            times.len(),
            percentile_ms(&times, 0.5)
        ),
    );
    Ok(())
}
