//! Page throughput against the static-asset baseline (scenarios 1, 2 and 7) and cold start
//! (scenario 8).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use anyhow::Context;
use serde_json::json;

use crate::Bench;
use crate::client::{browser, sign_in};
use crate::load::{self, Load};
use crate::report::Bound::{AtLeast, AtMost};
use crate::server::Server;

/// What the baseline and the home feed measured, for the later scenarios.
pub struct Baseline {
    pub rps: f64,
    pub home: Load,
    pub half_rate: f64,
}

/// The cheapest route (a small static asset, as the pages link it), then the home feed at
/// its maximum rate and at half of it.
pub async fn home_feed(bench: &mut Bench) -> anyhow::Result<Baseline> {
    let base = bench.spec.base();
    let cookie = bench.persona.cookie.clone();
    let asset = static_asset(&base, &cookie).await?;
    let baseline = bench.oha.max(&format!("{base}{asset}"), None).await?;
    let report = &mut bench.report;
    report.add("baseline: `GET` a static asset", baseline.rps, "req/s", None, asset.clone());
    let home = bench.oha.max(&format!("{base}/"), Some(&cookie)).await?;
    report.add(
        "home feed (signed in, 30 lines; 30 communities, 10 people, 3 tags followed): max rate",
        home.rps / baseline.rps,
        "×",
        Some((AtLeast, 0.20)),
        format!("{:.0} req/s", home.rps),
    );
    let half_rate = home.rps / 2.0;
    let steady = bench.oha.at_rate(&format!("{base}/"), Some(&cookie), half_rate).await?;
    report.add(
        "home feed p99 at half the max rate",
        steady.p99_ms,
        "ms",
        Some((AtMost, 10.0)),
        format!("{half_rate:.0} req/s fixed; p50 {:.2} ms", steady.p50_ms),
    );
    Ok(Baseline { rps: baseline.rps, home: steady, half_rate })
}

/// The stylesheet the home page links (fingerprinted or not).
async fn static_asset(base: &str, cookie: &str) -> anyhow::Result<String> {
    let page = browser()?.get(format!("{base}/")).header("cookie", cookie).send().await?.text().await?;
    let start = page.find("href=\"/static/").context("the home page links no stylesheet")? + 6;
    let end = start + page[start..].find('"').context("unterminated href")?;
    Ok(page[start..end].to_owned())
}

/// The idea page with 100 comments, the largest community's page and trending ideas.
pub async fn other_pages(bench: &mut Bench, baseline: &Baseline) -> anyhow::Result<()> {
    let api = &bench.persona.api;
    let idea = api
        .post(
            "/ideas",
            json!({"title": format!("Bench idea with a long discussion {}", bench.report.started),
                   "problem": "Measuring the idea page with a hundred comments.",
                   "proposal": "Comment on it a hundred times."}),
        )
        .await?;
    let id = idea["id"].as_i64().context("idea id")?;
    for n in 0..100 {
        let body = format!("Comment {n}: we measured the line at **{n}** units, see the attached notes.");
        api.post(&format!("/ideas/{id}/comments"), json!({ "body": body })).await?;
    }
    let base = bench.spec.base();
    let cookie = bench.persona.cookie.clone();
    let largest = bench.persona.home_community().to_owned();
    for (path, url, target) in [
        ("idea page (100 comments)", format!("/ideas/{id}"), Some((AtLeast, 0.10))),
        ("community page (largest community)", format!("/c/{largest}"), None),
        ("ideas, trending", "/ideas?sort=trending".to_owned(), None),
    ] {
        let load = bench.oha.max(&format!("{base}{url}"), Some(&cookie)).await?;
        bench.report.add(
            path,
            load.rps / baseline.rps,
            "×",
            target,
            format!("{:.0} req/s; `{url}`", load.rps),
        );
    }
    Ok(())
}

/// The home feed at the same fixed rate while clients sign in continuously (argon2 must not
/// starve page rendering), against the same load just before: by now the earlier steps
/// have written posts into the feed and restarted the server, so the first step's p99 is
/// of another page on another process. A short run first warms the server up: right after
/// the fan-out, the first second of home pages took up to 82 ms each inside the server.
pub async fn login_storm(bench: &mut Bench, baseline: &Baseline) -> anyhow::Result<()> {
    let base = bench.spec.base();
    let home = format!("{base}/");
    let warm_up = load::Oha { duration: bench.oha.duration / 5, ..bench.oha.clone() };
    warm_up.at_rate(&home, Some(&bench.persona.cookie), baseline.half_rate).await?;
    let calm = bench.oha.at_rate(&home, Some(&bench.persona.cookie), baseline.half_rate).await?;
    let stop = Arc::new(AtomicBool::new(false));
    let logins = Arc::new(AtomicU64::new(0));
    let failures = Arc::new(AtomicU64::new(0));
    let mut clients = Vec::new();
    for k in 0..bench.plan.storm_clients {
        let (stop, logins, failures, base) = (stop.clone(), logins.clone(), failures.clone(), base.clone());
        // Accounts from the middle of the organisation, one per client.
        let user = bench.plan.users / 2 + k as i64;
        clients.push(tokio::spawn(async move {
            let Ok(http) = browser() else { return };
            while !stop.load(Ordering::Relaxed) {
                match sign_in(&http, &base, user).await {
                    Ok(_) => logins.fetch_add(1, Ordering::Relaxed),
                    Err(_) => failures.fetch_add(1, Ordering::Relaxed),
                };
            }
        }));
    }
    let started = Instant::now();
    let storm = bench.oha.at_rate(&home, Some(&bench.persona.cookie), baseline.half_rate).await;
    stop.store(true, Ordering::Relaxed);
    let elapsed = started.elapsed().as_secs_f64();
    for client in clients {
        client.await?;
    }
    let storm = storm?;
    let logins = logins.load(Ordering::Relaxed);
    bench.report.add(
        "home feed p99 during a login storm, ÷ its p99 just before",
        storm.p99_ms / calm.p99_ms,
        "×",
        Some((AtMost, 2.0)),
        format!(
            "{} clients signing in: {:.0} sign-ins/s ({} failed); p99 {:.2} ms vs {:.2} ms just before \
             ({:.2} ms in step 1), {:.0} req/s fixed",
            bench.plan.storm_clients,
            logins as f64 / elapsed,
            failures.load(Ordering::Relaxed),
            storm.p99_ms,
            calm.p99_ms,
            baseline.home.p99_ms,
            baseline.half_rate
        ),
    );
    Ok(())
}

/// Stops the server and measures the start to the first signed-in home page.
pub async fn cold_start(bench: &mut Bench) -> anyhow::Result<()> {
    if let Some(server) = bench.server.take() {
        server.stop().await?;
    }
    let (server, took) = Server::start(&bench.spec, "/", Some(&bench.persona.cookie)).await?;
    bench.server = Some(server);
    bench.report.add(
        "cold start to the first served page",
        took.as_secs_f64(),
        "s",
        Some((AtMost, 1.0)),
        "process start to the signed-in home feed answering 200 (the OS file cache is warm)",
    );
    Ok(())
}
