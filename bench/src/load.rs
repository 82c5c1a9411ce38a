//! HTTP load with oha (crates.io): its closed-loop mode finds a route's maximum rate, and its
//! fixed-rate mode (`-q` with `--latency-correction`) measures latency at a given rate
//! without hiding the tail behind a slow server (coordinated omission).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use serde_json::Value;

/// Connections a load run keeps open: enough to keep 2 cores busy.
pub const CONNECTIONS: u32 = 16;

/// What one oha run measured.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Load {
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub requests: u64,
    /// Answers other than 200, and connection errors.
    pub failures: u64,
}

/// The oha binary and how long each run lasts.
#[derive(Clone)]
pub struct Oha {
    pub binary: PathBuf,
    pub duration: Duration,
}

impl Oha {
    /// Closed loop: as fast as the server answers.
    pub async fn max(&self, url: &str, cookie: Option<&str>) -> anyhow::Result<Load> {
        self.run(url, cookie, None).await
    }

    /// Open loop at `rate` requests per second, latency measured from each request's
    /// scheduled start.
    pub async fn at_rate(&self, url: &str, cookie: Option<&str>, rate: f64) -> anyhow::Result<Load> {
        self.run(url, cookie, Some(rate)).await
    }

    async fn run(&self, url: &str, cookie: Option<&str>, rate: Option<f64>) -> anyhow::Result<Load> {
        let mut command = tokio::process::Command::new(&self.binary);
        command
            .args(["--no-tui", "--output-format", "json", "--redirect", "0"])
            .args(["-c", &CONNECTIONS.to_string()])
            .args(["-z", &format!("{}ms", self.duration.as_millis())]);
        if let Some(cookie) = cookie {
            command.args(["-H", &format!("Cookie: {cookie}")]);
        }
        if let Some(rate) = rate {
            command.args(["-q", &format!("{:.0}", rate.max(1.0)), "--latency-correction"]);
        }
        let output = command.arg(url).output().await.context("running oha (bench/run installs it)")?;
        if !output.status.success() {
            bail!("oha {url}: {}", String::from_utf8_lossy(&output.stderr));
        }
        let report: Value = serde_json::from_slice(&output.stdout).context("oha's JSON")?;
        let ok = report["statusCodeDistribution"]["200"].as_u64().unwrap_or(0);
        let answered: u64 = report["statusCodeDistribution"]
            .as_object()
            .map(|codes| codes.values().filter_map(Value::as_u64).sum())
            .unwrap_or(0);
        let errors: u64 = report["errorDistribution"]
            .as_object()
            // Requests still in flight when the time is up are not failures.
            .map(|errors| {
                errors.iter().filter(|(k, _)| !k.contains("deadline")).filter_map(|(_, v)| v.as_u64()).sum()
            })
            .unwrap_or(0);
        let seconds = |p: &str| report["latencyPercentiles"][p].as_f64().unwrap_or(f64::NAN) * 1000.0;
        let load = Load {
            rps: report["summary"]["requestsPerSec"].as_f64().unwrap_or(0.0),
            p50_ms: seconds("p50"),
            p99_ms: seconds("p99"),
            requests: answered,
            failures: answered - ok + errors,
        };
        if ok == 0 {
            bail!("oha {url}: no request answered 200 ({load:?})");
        }
        Ok(load)
    }
}
