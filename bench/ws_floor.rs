//! The memory floor of an idle websocket on actix-web and actix-ws, with none of Agora:
//! `cargo run --release --example ws_floor -- 10000` (after `ulimit -n` is raised).
//!
//! It starts a bare server in a child process (the upgrade and a task that reads frames,
//! nothing else), opens N sockets to it, and reports the child's RSS growth per socket, to
//! set beside `bench/run`'s "idle websocket memory" for the real hub.

use std::time::Duration;

use anyhow::Context;
use tokio_tungstenite::connect_async;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [serve, port] = args.as_slice()
        && serve == "serve"
    {
        return Ok(serve_bare(port.parse()?)?);
    }
    let sockets: usize = args.first().map_or(Ok(10_000), |n| n.parse())?;
    tokio::runtime::Runtime::new()?.block_on(measure(sockets))
}

/// The bare server: each socket is held by a task that reads until the peer closes.
fn serve_bare(port: u16) -> std::io::Result<()> {
    use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
    async fn upgrade(req: HttpRequest, body: web::Payload) -> actix_web::Result<HttpResponse> {
        let (response, session, mut stream) = actix_ws::handle(&req, body)?;
        actix_web::rt::spawn(async move {
            let _session = session;
            while let Some(Ok(_)) = stream.recv().await {}
        });
        Ok(response)
    }
    actix_web::rt::System::new().block_on(
        HttpServer::new(|| App::new().route("/ws", web::get().to(upgrade)))
            .workers(2)
            .bind(("127.0.0.1", port))?
            .run(),
    )
}

async fn measure(sockets: usize) -> anyhow::Result<()> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let child =
        std::process::Command::new(std::env::current_exe()?).args(["serve", &port.to_string()]).spawn()?;
    let server = Server(child);
    let pid = server.0.id();
    let url = format!("ws://127.0.0.1:{port}/ws");
    let mut warm = loop {
        match connect_async(&url).await {
            Ok((socket, _)) => break socket,
            Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    };
    tokio::time::sleep(Duration::from_secs(1)).await;
    let before = rss_kib(pid)?;
    let mut open = Vec::with_capacity(sockets);
    for _ in 0..sockets {
        open.push(connect_async(&url).await?.0);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = rss_kib(pid)?;
    println!(
        "bare actix-ws server: RSS {before} → {after} KiB with {sockets} idle sockets: {:.1} KiB per socket",
        after.saturating_sub(before) as f64 / sockets as f64
    );
    warm.close(None).await?;
    drop(open);
    drop(server);
    Ok(())
}

/// Stops the bare server however the measurement ends.
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn rss_kib(pid: u32) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).context("no VmRSS")?;
    Ok(line.split_whitespace().nth(1).context("no VmRSS value")?.parse()?)
}
