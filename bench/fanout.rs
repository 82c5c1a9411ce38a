//! Websocket fan-out benchmark client (run by `bench/fanout.sh`).
//!
//! `fanout latency URL TOKEN SLUG CONNECTIONS POSTS`: opens CONNECTIONS sockets subscribed to
//! `community:SLUG`, writes POSTS posts one after another through the API, and reports the
//! delay from each post's API response to its arrival on every socket (p50, p99, max).
//!
//! `fanout churn URL TOKEN CYCLES PID`: connects, subscribes and disconnects CYCLES times and
//! reports the server's resident memory (from /proc/PID/status) before and after.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a benchmark tool: a failure should stop it loudly"
)]

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open(url: &str, token: &str, topic: &str) -> Socket {
    let mut request = format!("{}/ws", url.replacen("http", "ws", 1)).into_client_request().expect("request");
    request.headers_mut().insert("authorization", format!("Bearer {token}").parse().expect("header"));
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.expect("connect");
    let subscribe = format!(r#"{{"op":"subscribe","topics":["{topic}"]}}"#);
    socket.send(Message::text(subscribe)).await.expect("subscribe");
    while let Some(Ok(message)) = socket.next().await {
        if let Message::Text(text) = message
            && text.contains("\"subscribed\"")
        {
            break;
        }
    }
    socket
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn latency(url: String, token: String, slug: String, connections: usize, posts: usize) {
    let topic = format!("community:{slug}");
    let mut sockets = Vec::with_capacity(connections);
    let started = Instant::now();
    for _ in 0..connections {
        sockets.push(open(&url, &token, &topic).await);
    }
    println!("{connections} sockets subscribed in {:.1?}", started.elapsed());
    // Each socket reports (post number, arrival instant) for every event it receives.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Instant>();
    for mut socket in sockets {
        let tx = tx.clone();
        tokio::spawn(async move {
            while let Some(Ok(message)) = socket.next().await {
                if matches!(&message, Message::Text(t) if t.contains("\"post.created\"")) {
                    let _ = tx.send(Instant::now());
                }
            }
        });
    }
    let client = reqwest::Client::new();
    let mut delays = Vec::with_capacity(connections * posts);
    for n in 0..posts {
        let body = serde_json::json!({"kind": "update", "body": format!("fan-out probe {n}")});
        let response = client
            .post(format!("{url}/api/v1/communities/{slug}/posts"))
            .bearer_auth(&token)
            .json(&body)
            .send()
            .await
            .expect("post");
        assert!(response.status().is_success(), "post failed: {}", response.status());
        let committed = Instant::now();
        for _ in 0..connections {
            let arrived = tokio::time::timeout(Duration::from_secs(30), rx.recv())
                .await
                .expect("delivery")
                .expect("open");
            delays.push(arrived.saturating_duration_since(committed));
        }
    }
    delays.sort();
    println!(
        "{} deliveries ({connections} sockets x {posts} posts): p50 {:.1?}, p99 {:.1?}, max {:.1?}",
        delays.len(),
        percentile(&delays, 0.50),
        percentile(&delays, 0.99),
        delays[delays.len() - 1]
    );
}

fn rss_kib(pid: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| s.lines().find(|l| l.starts_with("VmRSS:")).map(str::to_owned))
        .and_then(|l| l.split_whitespace().nth(1).and_then(|n| n.parse().ok()))
        .unwrap_or(0)
}

async fn churn(url: String, token: String, cycles: usize, pid: String) {
    // Warm up allocator pools before the first reading.
    for _ in 0..200 {
        drop(open(&url, &token, "home").await);
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = rss_kib(&pid);
    let started = Instant::now();
    for _ in 0..cycles {
        let mut socket = open(&url, &token, "home").await;
        let _ = socket.close(None).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = rss_kib(&pid);
    println!(
        "{cycles} connect/subscribe/disconnect cycles in {:.1?}: server RSS {before} KiB before, {after} KiB after ({:+} KiB)",
        started.elapsed(),
        after as i64 - before as i64
    );
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["latency", url, token, slug, connections, posts] => {
            latency(
                url.to_string(),
                token.to_string(),
                slug.to_string(),
                connections.parse().expect("n"),
                posts.parse().expect("n"),
            )
            .await
        }
        ["churn", url, token, cycles, pid] => {
            churn(url.to_string(), token.to_string(), cycles.parse().expect("n"), pid.to_string()).await
        }
        _ => eprintln!(
            "usage: fanout latency URL TOKEN SLUG CONNECTIONS POSTS | fanout churn URL TOKEN CYCLES PID"
        ),
    }
}
