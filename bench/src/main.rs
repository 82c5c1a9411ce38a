//! Agora's load benchmarks (issue #11), run by `bench/run`: starts the release server on a
//! synthetic organisation and measures the paths people wait on, each against the same
//! server's cheapest route measured in the same run, so the numbers hold on a noisy machine.
//! Writes `<out>/<preset>.json` and `<out>/<preset>.md`.

mod client;
mod fanout;
mod load;
mod pages;
mod report;
mod search;
mod server;
mod setup;
mod votes;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Parser;

use report::Report;
use server::{Server, Spec};
use setup::{Persona, Plan};

#[derive(Debug, Parser)]
#[command(about = "Agora's load benchmarks (run through bench/run)")]
struct Args {
    /// `small` (a smoke test) or `large` (the benchmark organisation).
    #[arg(long, default_value = "small")]
    preset: String,
    /// The release `agora` binary.
    #[arg(long)]
    agora: PathBuf,
    /// The oha binary.
    #[arg(long, default_value = "oha")]
    oha: PathBuf,
    /// Where the dataset lives (seeded on first use, reused after).
    #[arg(long)]
    data_dir: PathBuf,
    /// Where the results go.
    #[arg(long)]
    out: PathBuf,
    /// The build measured, `release` or `debug` (for the report).
    #[arg(long, default_value = "release")]
    build: String,
    /// The commit measured (for the report).
    #[arg(long, default_value = "")]
    commit: String,
    /// Only these scenarios (numbers 2–8, comma-separated), for working on one path; the
    /// first (the baseline and the home feed) always runs, as the others compare with it.
    #[arg(long, value_delimiter = ',')]
    only: Vec<u8>,
}

/// What every scenario works with.
pub struct Bench {
    pub spec: Spec,
    pub plan: Plan,
    pub oha: load::Oha,
    pub report: Report,
    pub server: Option<Server>,
    pub persona: Persona,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let plan = Plan::preset(&args.preset)
        .with_context(|| format!("--preset is small or large, not {}", args.preset))?;
    std::fs::create_dir_all(&args.out)?;
    let config = args.out.join("bench.toml");
    server::write_config(&config)?;
    let spec = Spec {
        agora: std::fs::canonicalize(&args.agora).context("--agora")?,
        config,
        data_dir: args.data_dir.clone(),
        port: server::free_port()?,
        log: args.out.join(format!("{}-server.log", plan.preset)),
    };
    let dataset = setup::dataset(&spec, &plan).await?;
    let setup = Instant::now();
    let (server, first_start) = Server::start(&spec, "/healthz", None).await?;
    println!("server up in {:.2} s on {}", first_start.as_secs_f64(), spec.base());
    let persona = Persona::prepare(&spec, plan.users / 20).await?;
    println!("persona ready after {:.1} s", first_start.as_secs_f64() + setup.elapsed().as_secs_f64());
    let report = Report {
        preset: plan.preset.to_owned(),
        commit: args.commit,
        machine: format!("{} build; {}", args.build, machine()),
        started: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
        dataset: format!(
            "{dataset}; persona user{} in {} communities, following 10 people and 3 tags",
            persona.user,
            persona.communities.len()
        ),
        measures: Vec::new(),
    };
    let oha = load::Oha { binary: args.oha, duration: Duration::from_secs_f64(plan.load_seconds) };
    let mut bench = Bench { spec, plan, oha, report, server: Some(server), persona };

    let mut clock = Instant::now();
    let only = args.only.clone();
    let mut step = async |bench: &Bench, number: u8, name: &str| {
        let run = number == 1 || only.is_empty() || only.contains(&number);
        if run {
            let quiet = match &bench.server {
                Some(server) if number > 1 => {
                    format!("; quiet after {:.1} s", server.settle().await.as_secs_f64())
                }
                _ => String::new(),
            };
            println!("{number}. {name} (previous step {:.1} s{quiet})", clock.elapsed().as_secs_f64());
            clock = Instant::now();
        }
        run
    };
    step(&bench, 1, "home feed against the static-asset baseline").await;
    let baseline = pages::home_feed(&mut bench).await?;
    if step(&bench, 2, "idea, community and trending pages").await {
        pages::other_pages(&mut bench, &baseline).await?;
    }
    if step(&bench, 3, "search and expert search").await {
        search::queries(&mut bench).await?;
    }
    if step(&bench, 4, "new post → searchable").await {
        search::searchable(&mut bench).await?;
    }
    if step(&bench, 5, "votes, and kill -9 mid-run").await {
        votes::run(&mut bench).await?;
    }
    if step(&bench, 6, "websocket fan-out").await {
        fanout::run(&mut bench).await?;
    }
    if step(&bench, 7, "login storm").await {
        pages::login_storm(&mut bench, &baseline).await?;
    }
    if step(&bench, 8, "cold start").await {
        pages::cold_start(&mut bench).await?;
    }
    println!("done (last step {:.1} s)", clock.elapsed().as_secs_f64());

    if let Some(server) = bench.server.take() {
        server.stop().await?;
    }
    bench.report.write(&args.out)?;
    println!("\n{}", bench.report.markdown());
    println!("written: {}", args.out.join(format!("{}.{{json,md}}", bench.plan.preset)).display());
    Ok(())
}

/// Cores, memory and CPU model, from /proc.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name").and_then(|r| r.split_once(':')).map(|(_, m)| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines().next().and_then(|l| l.split_whitespace().nth(1)).and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0);
    format!("{cores} cores ({model}), {memory:.0} GiB, SQLite; load tools on the same cores")
}
