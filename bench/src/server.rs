//! The server under test: the release `agora` binary on the benchmark's data folder, started,
//! killed and restarted by the harness, and observed through /proc (memory, CPU).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::process::{Child, Command};

/// How to start the server: which binary, settings file and data folder, and where it listens.
#[derive(Clone)]
pub struct Spec {
    pub agora: PathBuf,
    pub config: PathBuf,
    pub data_dir: PathBuf,
    pub port: u16,
    pub log: PathBuf,
}

impl Spec {
    pub fn base(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Runs an `agora` command (not `serve`) against the same data and returns its output.
    pub async fn cli(&self, args: &[&str]) -> anyhow::Result<String> {
        let output = Command::new(&self.agora)
            .arg("--config")
            .arg(&self.config)
            .arg("--data-dir")
            .arg(&self.data_dir)
            .args(args)
            .output()
            .await
            .with_context(|| format!("running agora {args:?}"))?;
        if !output.status.success() {
            bail!("agora {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
        }
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
    }
}

/// A running server process.
pub struct Server {
    child: Child,
    pub pid: u32,
}

impl Server {
    /// Starts the server and waits until `ready` (a path, with an optional cookie) answers
    /// 200; returns the server and the time from spawning the process to that answer.
    pub async fn start(spec: &Spec, ready: &str, cookie: Option<&str>) -> anyhow::Result<(Self, Duration)> {
        let log = std::fs::OpenOptions::new().create(true).append(true).open(&spec.log)?;
        let started = Instant::now();
        let child = Command::new(&spec.agora)
            .arg("--config")
            .arg(&spec.config)
            .arg("--data-dir")
            .arg(&spec.data_dir)
            .args(["serve", "--bind", &format!("127.0.0.1:{}", spec.port)])
            .stdout(Stdio::from(log.try_clone()?))
            .stderr(Stdio::from(log))
            .kill_on_drop(true)
            .spawn()
            .context("starting agora serve")?;
        let pid = child.id().context("the server exited at once")?;
        let mut server = Self { child, pid };
        let client = crate::client::browser()?;
        let url = format!("{}{ready}", spec.base());
        loop {
            let mut request = client.get(&url);
            if let Some(cookie) = cookie {
                request = request.header("cookie", cookie);
            }
            if let Ok(response) = request.send().await
                && response.status().is_success()
            {
                let _ = response.bytes().await;
                return Ok((server, started.elapsed()));
            }
            if let Some(status) = server.child.try_wait()? {
                bail!("the server exited with {status}; see {}", spec.log.display());
            }
            if started.elapsed() > Duration::from_secs(600) {
                bail!("the server did not answer {ready} within 10 minutes");
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    /// `kill -9`: no chance to flush or finish anything.
    pub async fn kill9(mut self) -> anyhow::Result<()> {
        self.child.start_kill()?;
        self.child.wait().await?;
        Ok(())
    }

    /// An orderly stop (SIGTERM), waiting for the process to exit.
    pub async fn stop(mut self) -> anyhow::Result<()> {
        Command::new("kill").arg(self.pid.to_string()).status().await?;
        if tokio::time::timeout(Duration::from_secs(60), self.child.wait()).await.is_err() {
            self.child.start_kill()?;
            self.child.wait().await?;
        }
        Ok(())
    }

    /// Waits until the server is quiet (under a tenth of a core over a second; at most
    /// 30 s), so that a step measures its own load and not what the step before left
    /// behind: in a full run, the first home pages right after the fan-out took up to
    /// 432 ms inside the server. Answers how long it waited.
    pub async fn settle(&self) -> Duration {
        let started = Instant::now();
        let mut used = self.cpu();
        while started.elapsed() < Duration::from_secs(30) {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let now = self.cpu();
            if now.saturating_sub(used) < Duration::from_millis(100) {
                break;
            }
            used = now;
        }
        started.elapsed()
    }

    /// Resident memory in KiB.
    pub fn rss_kib(&self) -> u64 {
        proc_field(&format!("/proc/{}/status", self.pid), "VmRSS:").unwrap_or(0)
    }

    /// CPU time used so far (user + system).
    pub fn cpu(&self) -> Duration {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid)).unwrap_or_default();
        // Fields after the command name (which may hold spaces) start at ") ".
        let fields: Vec<&str> =
            stat.rsplit_once(") ").map(|(_, rest)| rest.split(' ').collect()).unwrap_or_default();
        let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
        // utime and stime are fields 14 and 15 of the line, 11 and 12 after the name.
        Duration::from_millis((ticks(11) + ticks(12)) * 1000 / clock_ticks())
    }
}

fn proc_field(path: &str, name: &str) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().find(|l| l.starts_with(name))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Kernel clock ticks per second (`getconf CLK_TCK`; 100 on Linux almost everywhere).
fn clock_ticks() -> u64 {
    std::process::Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8_lossy(&o.stdout).trim().parse().ok())
        .unwrap_or(100)
}

/// A free local port.
pub fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// Writes the settings file the benchmark runs with: the per-person rate limits and the
/// limit on one person's open websockets are lifted, since a few benchmark accounts stand
/// in for thousands of people.
pub fn write_config(path: &Path) -> anyhow::Result<()> {
    let lifted = 100_000_000;
    let text = [
        "posts_per_minute",
        "comments_per_minute",
        "votes_per_minute",
        "searches_per_minute",
        "connects_per_minute",
        "uploads_per_minute",
    ]
    .iter()
    .map(|key| format!("{key} = {lifted}\n"))
    .collect::<String>();
    std::fs::write(
        path,
        format!("# Written by bench/run.\nws_per_person = {lifted}\n[rate_limits]\n{text}"),
    )?;
    Ok(())
}
