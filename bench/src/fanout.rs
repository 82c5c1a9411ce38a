//! Websocket fan-out (scenario 6): many sockets subscribed to one community, posts written
//! through the API one after another; delivery latency on every socket, the server's CPU
//! time per delivery, and its memory per idle connection.

use std::time::{Duration, Instant};

use anyhow::Context;
use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::Bench;
use crate::report::Bound::AtMost;
use crate::report::percentile_ms;

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn open(base: &str, token: &str, topic: &str) -> anyhow::Result<Socket> {
    let mut request = format!("{}/ws", base.replacen("http", "ws", 1)).into_client_request()?;
    request.headers_mut().insert("authorization", format!("Bearer {token}").parse()?);
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
    let subscribe = json!({"op": "subscribe", "topics": [topic]}).to_string();
    socket.send(Message::text(subscribe)).await?;
    while let Some(message) = socket.next().await {
        if let Message::Text(text) = message?
            && text.contains("\"subscribed\"")
        {
            return Ok(socket);
        }
    }
    anyhow::bail!("the socket closed before confirming the subscription")
}

pub async fn run(bench: &mut Bench) -> anyhow::Result<()> {
    let (sockets_wanted, events) = (bench.plan.sockets, bench.plan.events);
    let base = bench.spec.base();
    let api = bench.persona.api.clone();
    let slug = bench.persona.home_community().to_owned();
    let topic = format!("community:{slug}");
    let server = bench.server.as_ref().context("no server")?;
    let rss_before = server.rss_kib();
    let started = Instant::now();
    let mut sockets = Vec::with_capacity(sockets_wanted);
    for _ in 0..sockets_wanted {
        sockets.push(open(&base, api.token(), &topic).await?);
    }
    let connect_time = started.elapsed();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let rss_idle = server.rss_kib();
    let per_connection = (rss_idle.saturating_sub(rss_before)) as f64 / sockets_wanted as f64;

    // Each socket reports the arrival of every post event.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Instant>();
    let mut readers = Vec::with_capacity(sockets_wanted);
    for mut socket in sockets {
        let tx = tx.clone();
        readers.push(tokio::spawn(async move {
            while let Some(Ok(message)) = socket.next().await {
                if matches!(&message, Message::Text(t) if t.contains("\"post.created\"")) {
                    let _ = tx.send(Instant::now());
                }
            }
        }));
    }
    let cpu_before = server.cpu();
    let mut delays = Vec::with_capacity(sockets_wanted * events);
    for n in 0..events {
        api.post(
            &format!("/communities/{slug}/posts"),
            json!({"kind": "update", "body": format!("fan-out probe {n}")}),
        )
        .await?;
        let committed = Instant::now();
        for _ in 0..sockets_wanted {
            let arrived = tokio::time::timeout(Duration::from_secs(60), rx.recv())
                .await
                .context("an event did not arrive within 60 s")?
                .context("sockets closed")?;
            delays.push(arrived.saturating_duration_since(committed));
        }
    }
    let cpu = server.cpu().saturating_sub(cpu_before);
    // Dropping the readers closes their sockets.
    readers.iter().for_each(|reader| reader.abort());
    delays.sort();
    let ms = |p: f64| percentile_ms(&delays, p);
    bench.report.add(
        &format!("websocket fan-out to {sockets_wanted} subscribers, p99"),
        ms(0.99),
        "ms",
        Some((AtMost, 150.0)),
        format!(
            "{events} posts, {} deliveries; p50 {:.1} ms; from each post's API answer to its arrival; server CPU {:.1} µs per delivery (posting included)",
            delays.len(),
            ms(0.5),
            cpu.as_secs_f64() * 1e6 / delays.len() as f64
        ),
    );
    bench.report.add(
        "idle websocket memory per connection",
        per_connection,
        "KiB",
        Some((AtMost, 8.0)),
        format!(
            "server RSS {rss_before} → {rss_idle} KiB with {sockets_wanted} subscribed sockets (connected in {:.1} s)",
            connect_time.as_secs_f64()
        ),
    );
    Ok(())
}
