//! Votes (scenario 5): many clients vote at once on fresh ideas, so every vote is new and the
//! final counts are known exactly; then rounds in which the server is killed with `kill -9`
//! mid-run, after which every acknowledged vote must still be there.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use futures_util::{StreamExt, TryStreamExt};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::json;

use crate::Bench;
use crate::client::Api;
use crate::report::Bound::AtLeast;
use crate::server::Server;

/// Per idea: votes acknowledged (200) and votes sent (acknowledged or not).
struct Tally {
    acknowledged: Vec<AtomicU64>,
    sent: Vec<AtomicU64>,
}

pub async fn run(bench: &mut Bench) -> anyhow::Result<()> {
    let plan = bench.plan;
    // Voters from the end of the organisation, one token each (made a few at a time).
    let voters: Vec<Api> = futures_util::stream::iter(0..plan.voters as i64)
        .map(|k| Api::for_user(&bench.spec, plan.users - k))
        .buffered(4)
        .try_collect()
        .await?;
    let ideas = fresh_ideas(bench, plan.vote_ideas, "count").await?;
    let (tally, elapsed) = vote(&voters, &ideas).await;
    let acknowledged: u64 = tally.acknowledged.iter().map(|a| a.load(Ordering::Relaxed)).sum();
    let mut wrong = 0;
    for (i, id) in ideas.iter().enumerate() {
        let count = votes_on(bench, *id).await?;
        if count != tally.acknowledged[i].load(Ordering::Relaxed) {
            wrong += 1;
        }
    }
    bench.report.add(
        "votes per second",
        acknowledged as f64 / elapsed.as_secs_f64(),
        "votes/s",
        Some((AtLeast, 10_000.0)),
        format!(
            "{} clients, {acknowledged} votes acknowledged in {:.1} s; ideas whose count is not exact: {wrong} of {}",
            voters.len(),
            elapsed.as_secs_f64(),
            ideas.len()
        ),
    );
    anyhow::ensure!(wrong == 0, "{wrong} ideas' vote counts differ from the votes acknowledged");

    // Killed mid-run: the expected duration from the rate just measured, killed at a
    // random moment between a fifth and four fifths of it.
    let per_round = (plan.vote_ideas / 5).max(5);
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let (mut lost, mut checked, mut in_doubt) = (0, 0, 0);
    for round in 0..plan.kill_rounds {
        let ideas = fresh_ideas(bench, per_round, &format!("kill round {round}")).await?;
        let expected = elapsed.as_secs_f64() * per_round as f64 / plan.vote_ideas as f64;
        let after = Duration::from_secs_f64(expected * rng.random_range(0.2..0.8));
        let voting = {
            let (voters, ideas) = (voters.clone(), ideas.clone());
            tokio::spawn(async move { vote(&voters, &ideas).await })
        };
        tokio::time::sleep(after).await;
        bench.server.take().context("no server")?.kill9().await?;
        let (tally, _) = voting.await?;
        let (server, _) = Server::start(&bench.spec, "/healthz", None).await?;
        bench.server = Some(server);
        for (i, id) in ideas.iter().enumerate() {
            let count = votes_on(bench, *id).await?;
            let acked = tally.acknowledged[i].load(Ordering::Relaxed);
            let sent = tally.sent[i].load(Ordering::Relaxed);
            lost += acked.saturating_sub(count);
            in_doubt += sent - acked;
            checked += acked;
            anyhow::ensure!(count <= sent, "idea {id} counts {count} votes but only {sent} were sent");
        }
    }
    bench.report.add(
        "votes lost after `kill -9` mid-run",
        lost as f64,
        "votes",
        Some((crate::report::Bound::AtMost, 0.0)),
        format!(
            "{} rounds; {checked} acknowledged votes checked after restart; {in_doubt} sent but unanswered when the server died (may count or not)",
            plan.kill_rounds
        ),
    );
    anyhow::ensure!(lost == 0, "{lost} acknowledged votes were lost");
    Ok(())
}

/// An idea's vote count as the API reports it.
async fn votes_on(bench: &Bench, idea: i64) -> anyhow::Result<u64> {
    bench.persona.api.get(&format!("/ideas/{idea}")).await?["votes"].as_u64().context("votes")
}

/// Ideas no one has voted on, submitted by the persona.
async fn fresh_ideas(bench: &Bench, count: usize, label: &str) -> anyhow::Result<Vec<i64>> {
    let mut ideas = Vec::with_capacity(count);
    for n in 0..count {
        let idea = bench
            .persona
            .api
            .post(
                "/ideas",
                json!({"title": format!("Bench vote target {label} {n} {}", bench.report.started),
                       "problem": "Counting votes exactly.", "proposal": "Vote on it."}),
            )
            .await?;
        ideas.push(idea["id"].as_i64().context("idea id")?);
    }
    Ok(ideas)
}

/// Every voter votes once for every idea, in its own random order, all at once. Stops a
/// voter at its first failure (the server died).
async fn vote(voters: &[Api], ideas: &[i64]) -> (Arc<Tally>, Duration) {
    let tally = Arc::new(Tally {
        acknowledged: ideas.iter().map(|_| AtomicU64::new(0)).collect(),
        sent: ideas.iter().map(|_| AtomicU64::new(0)).collect(),
    });
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (k, voter) in voters.iter().enumerate() {
        let (voter, tally, ideas) = (voter.clone(), tally.clone(), ideas.to_vec());
        tasks.push(tokio::spawn(async move {
            let mut order: Vec<usize> = (0..ideas.len()).collect();
            order.shuffle(&mut rand::rngs::StdRng::seed_from_u64(k as u64));
            for i in order {
                tally.sent[i].fetch_add(1, Ordering::Relaxed);
                let answer =
                    voter.send(reqwest::Method::PUT, &format!("/ideas/{}/vote", ideas[i]), None).await;
                match answer {
                    Ok(body) if body["voted"] == true => {
                        tally.acknowledged[i].fetch_add(1, Ordering::Relaxed)
                    }
                    _ => break,
                };
            }
        }));
    }
    for task in tasks {
        let _ = task.await;
    }
    (tally, started.elapsed())
}
