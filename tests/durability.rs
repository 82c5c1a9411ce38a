//! Durability: load clients write posts and votes and keep every write the server
//! acknowledged; the server process is killed with `kill -9` at a random moment, ten
//! rounds, on the backend `AGORA_TEST_BACKEND` names. On PostgreSQL, when `scripts/test`
//! says how (`AGORA_TEST_PG_CRASH`, `AGORA_TEST_PG_START`), three of the rounds crash the
//! database server instead (`pg_ctl stop -m immediate`) while Agora keeps running. After
//! each round every acknowledged write is there exactly once, every vote counts once, and
//! the search index catches up with no document twice.
//!
//! A test binary of its own: crashing the shared PostgreSQL server must not happen beside
//! the other tests.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a failing test should stop loudly")]

#[path = "helpers/mod.rs"]
mod helpers;

use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use tokio::sync::Mutex;

use helpers::Backend;

const ROUNDS: usize = 10;
const CLIENTS: usize = 8;
/// Fresh ideas per round: each client votes for each once, in its own order.
const IDEAS_PER_ROUND: usize = 25;
const PASSWORD: &str = "durable-horse-battery";

/// The `agora` binary against this test's data folder and database.
struct Site {
    dir: tempfile::TempDir,
    database_url: String,
    port: u16,
    url: String,
    http: Client,
}

impl Site {
    /// A fresh data folder and database, with `config` as its settings file.
    fn fresh(config: &str) -> Site {
        let dir = tempfile::tempdir().unwrap();
        let database_url = helpers::fresh_database(dir.path());
        std::fs::write(dir.path().join("agora.toml"), config).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let http = Client::builder().timeout(Duration::from_secs(20)).build().unwrap();
        Site { dir, database_url, port, url: format!("http://127.0.0.1:{port}"), http }
    }

    fn cli(&self, args: &[&str]) -> String {
        let output = Command::new(env!("CARGO_BIN_EXE_agora"))
            .args(args)
            .args(["--data-dir", self.dir.path().to_str().unwrap(), "--database-url", &self.database_url])
            .env("RUST_LOG", "off")
            .output()
            .unwrap();
        assert!(output.status.success(), "agora {args:?}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }

    /// An account and its token, made with the CLI (as an operator would).
    fn account(&self, handle: &str) -> String {
        let email = format!("{handle}@example.com");
        self.cli(&[
            "user",
            "create",
            "--email",
            &email,
            "--handle",
            handle,
            "--name",
            handle,
            "--password",
            PASSWORD,
        ]);
        let printed = self.cli(&["token", "create", "--email", &email]);
        printed.split_whitespace().find(|w| w.starts_with("agora_pat_")).unwrap().to_owned()
    }

    /// Starts `agora serve` and waits until it answers.
    async fn serve(&self) -> Child {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("server.log"))
            .unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_agora"))
            .args(["--config", self.dir.path().join("agora.toml").to_str().unwrap()])
            .args(["--data-dir", self.dir.path().to_str().unwrap(), "--database-url", &self.database_url])
            .args(["serve", "--bind", &format!("127.0.0.1:{}", self.port)])
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap();
        self.ready(&mut child).await;
        child
    }

    /// Waits until the server answers from its database again.
    async fn ready(&self, child: &mut Child) {
        let started = Instant::now();
        loop {
            let answered = self.http.get(format!("{}/healthz", self.url)).send().await;
            if answered.is_ok_and(|r| r.status().is_success()) {
                return;
            }
            assert!(
                child.try_wait().unwrap().is_none(),
                "the server exited; see {}/server.log",
                self.dir.path().display()
            );
            assert!(started.elapsed() < Duration::from_secs(60), "the server did not answer within a minute");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn api(&self, method: Method, path: &str, token: &str) -> reqwest::RequestBuilder {
        self.http.request(method, format!("{}/api/v1{path}", self.url)).bearer_auth(token)
    }

    async fn json(&self, path: &str, token: &str) -> Value {
        let response = self.api(Method::GET, path, token).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "GET {path}");
        response.json().await.unwrap()
    }
}

/// What the clients were told was saved, and what they sent without an answer.
#[derive(Default)]
struct Acknowledged {
    /// Post id → its unique word.
    posts: HashMap<i64, String>,
    /// Words of posts sent whose answer never came (they may or may not exist).
    posts_in_doubt: HashSet<String>,
    /// (client, idea) votes answered 200.
    votes: HashSet<(usize, i64)>,
    /// Votes sent per idea, answered or not.
    sent: HashMap<i64, u64>,
}

/// A word no other post has, letters only (one search term).
fn word() -> String {
    (0..14).map(|_| char::from(b'a' + rand::random::<u8>() % 26)).collect()
}

/// One client: posts and votes alternately until the server stops answering or `stop`.
async fn client(site: Arc<Site>, n: usize, token: String, ideas: Vec<i64>, log: Arc<Mutex<Acknowledged>>) {
    use rand::seq::SliceRandom;
    let mut ideas = ideas;
    ideas.shuffle(&mut rand::rng());
    for idea in ideas {
        let word = word();
        let post = json!({"kind": "discussion", "title": format!("Round post {word}"), "body": format!("About {word}.")});
        let posted = site.api(Method::POST, "/communities/log/posts", &token).json(&post).send().await;
        let answered = match posted {
            Ok(r) if r.status() == StatusCode::CREATED => r.json::<Value>().await.ok(),
            _ => None,
        };
        match answered.and_then(|v| v["id"].as_i64()) {
            Some(id) => drop(log.lock().await.posts.insert(id, word)),
            None => drop(log.lock().await.posts_in_doubt.insert(word)),
        }
        *log.lock().await.sent.entry(idea).or_default() += 1;
        let voted = site.api(Method::PUT, &format!("/ideas/{idea}/vote"), &token).send().await;
        match voted {
            Ok(r) if r.status().is_success() => {
                log.lock().await.votes.insert((n, idea));
            }
            Ok(r) if r.status().is_server_error() || r.status() == StatusCode::SERVICE_UNAVAILABLE => {}
            Ok(r) => panic!("vote {idea} by client {n}: {}", r.status()),
            // The server is gone: this client is done for the round.
            Err(_) => return,
        }
    }
}

/// How the round ends.
#[derive(Debug, Clone, Copy)]
enum Crash {
    /// `kill -9` of the Agora process.
    Server,
    /// `pg_ctl stop -m immediate` under Agora, then the database starts again.
    Database,
}

fn shell(command: &str) {
    let status = Command::new("sh").args(["-c", command]).status().unwrap();
    assert!(status.success(), "{command}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_crashes_and_the_index_catches_up() {
    let lifted =
        "posts_per_minute = 100000000\nvotes_per_minute = 100000000\nsearches_per_minute = 100000000\n";
    let site = Arc::new(Site::fresh(&format!("[rate_limits]\n{lifted}")));
    let backend = Backend::from_env();
    if backend == Backend::Postgres {
        // The shared test server trades durability for speed; this database asks for
        // every commit to be on disk before it is acknowledged, as production does.
        use diesel::{Connection, RunQueryDsl};
        let name = site.database_url.rsplit('/').next().unwrap().to_owned();
        let mut admin = diesel::PgConnection::establish(&site.database_url).unwrap();
        diesel::sql_query(format!("ALTER DATABASE {name} SET synchronous_commit = on"))
            .execute(&mut admin)
            .unwrap();
    }
    let author = site.account("author");
    let clients: Vec<String> = (0..CLIENTS).map(|n| site.account(&format!("client{n}"))).collect();
    let mut server = site.serve().await;
    let community = json!({"slug": "log", "name": "Log", "visibility": "open"});
    assert!(
        site.api(Method::POST, "/communities", &author)
            .json(&community)
            .send()
            .await
            .unwrap()
            .status()
            .is_success()
    );
    for token in &clients {
        site.api(Method::POST, "/communities/log/join", token).send().await.unwrap();
    }

    let crash_database = match (std::env::var("AGORA_TEST_PG_CRASH"), std::env::var("AGORA_TEST_PG_START")) {
        (Ok(crash), Ok(start)) if backend == Backend::Postgres => Some((crash, start)),
        _ => None,
    };
    let log = Arc::new(Mutex::new(Acknowledged::default()));
    let mut all_ideas = Vec::new();
    let mut crashes = Vec::new();
    for round in 0..ROUNDS {
        let mut ideas = Vec::new();
        for i in 0..IDEAS_PER_ROUND {
            let idea = json!({"title": format!("Round {round} idea {i}"), "problem": "p", "proposal": "q"});
            let created = site.api(Method::POST, "/ideas", &author).json(&idea).send().await.unwrap();
            assert_eq!(created.status(), StatusCode::CREATED);
            ideas.push(created.json::<Value>().await.unwrap()["id"].as_i64().unwrap());
        }
        all_ideas.extend(&ideas);
        let crash = if crash_database.is_some() && round % 3 == 1 { Crash::Database } else { Crash::Server };
        crashes.push(crash);
        let load: Vec<_> = clients
            .iter()
            .enumerate()
            .map(|(n, token)| {
                tokio::spawn(client(site.clone(), n, token.clone(), ideas.clone(), log.clone()))
            })
            .collect();
        tokio::time::sleep(Duration::from_millis(150 + u64::from(rand::random::<u16>() % 600))).await;
        match (crash, &crash_database) {
            (Crash::Database, Some((stop, start))) => {
                shell(stop);
                tokio::time::sleep(Duration::from_millis(300)).await;
                shell(start);
                for task in load {
                    task.await.unwrap();
                }
                site.ready(&mut server).await;
            }
            _ => {
                server.kill().unwrap();
                server.wait().unwrap();
                for task in load {
                    task.await.unwrap();
                }
                server = site.serve().await;
            }
        }
        check(&site, &author, &clients, &log, (&all_ideas, &ideas), round).await;
    }
    let log = log.lock().await;
    eprintln!(
        "{ROUNDS} rounds ({crashes:?}): {} posts and {} votes acknowledged, {} posts in doubt",
        log.posts.len(),
        log.votes.len(),
        log.posts_in_doubt.len()
    );
    assert!(log.posts.len() > ROUNDS * CLIENTS, "the load wrote too little to prove anything");
    server.kill().unwrap();
    let _ = server.wait();
}

/// Every acknowledged post is there once; every idea counts each vote once, at least the
/// acknowledged ones and at most those sent; each voter of this round's ideas sees their
/// acknowledged vote; and search finds the newest acknowledged posts once each.
async fn check(
    site: &Site,
    author: &str,
    clients: &[String],
    log: &Mutex<Acknowledged>,
    (ideas, this_round): (&[i64], &[i64]),
    round: usize,
) {
    let log = log.lock().await;
    let mut titles: HashMap<String, usize> = HashMap::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/communities/log/posts?limit=100&cursor={c}"),
            None => "/communities/log/posts?limit=100".to_owned(),
        };
        let page = site.json(&path, author).await;
        for post in page["items"].as_array().unwrap() {
            *titles.entry(post["title"].as_str().unwrap().to_owned()).or_default() += 1;
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let twice: Vec<&String> = titles.iter().filter(|(_, n)| **n > 1).map(|(t, _)| t).collect();
    assert!(twice.is_empty(), "round {round}: posts stored twice: {twice:?}");
    let lost: Vec<&String> =
        log.posts.values().filter(|w| !titles.contains_key(&format!("Round post {w}"))).collect();
    assert!(lost.is_empty(), "round {round}: acknowledged posts lost: {lost:?}");
    let unknown = titles
        .keys()
        .filter_map(|t| t.strip_prefix("Round post "))
        .filter(|w| !log.posts.values().any(|p| p == w) && !log.posts_in_doubt.contains(*w))
        .count();
    assert_eq!(unknown, 0, "round {round}: posts nobody sent");

    for &idea in ideas {
        let voters: Vec<usize> = (0..clients.len()).filter(|n| log.votes.contains(&(*n, idea))).collect();
        let votes = site.json(&format!("/ideas/{idea}"), author).await["votes"].as_u64().unwrap();
        let sent = log.sent.get(&idea).copied().unwrap_or_default();
        assert!(
            votes >= voters.len() as u64 && votes <= sent,
            "round {round}: idea {idea} counts {votes} votes; {} acknowledged, {sent} sent",
            voters.len()
        );
        for n in voters.into_iter().filter(|_| this_round.contains(&idea)) {
            let seen = site.json(&format!("/ideas/{idea}"), &clients[n]).await;
            assert_eq!(
                seen["voted"], true,
                "round {round}: client {n}'s acknowledged vote on {idea} was lost"
            );
        }
    }

    // The index catches up from the log after the crash, and never holds a post twice.
    let mut newest: Vec<(&i64, &String)> = log.posts.iter().collect();
    newest.sort();
    for (id, word) in newest.iter().rev().take(5) {
        let started = Instant::now();
        loop {
            let found = site.json(&format!("/search?q={word}"), author).await;
            let hits: Vec<i64> = found["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|h| h["type"] == "post")
                .filter_map(|h| h["id"].as_i64())
                .collect();
            if !hits.is_empty() {
                assert_eq!(hits, [**id], "round {round}: search holds post {id} more than once");
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "round {round}: post {id} never became searchable"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

/// `SIGTERM` closes every websocket with 1001 ("going away"), so browsers reconnect at once
/// with `since`, and the server exits promptly instead of waiting on its sockets.
#[tokio::test]
async fn a_stopping_server_tells_its_sockets_it_is_going_away() {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    use tokio_tungstenite::tungstenite::client::IntoClientRequest;

    let site = Site::fresh("");
    let token = site.account("reader");
    let mut server = site.serve().await;
    let mut request = format!("ws://127.0.0.1:{}/ws", site.port).into_client_request().unwrap();
    request.headers_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    socket.send(Message::text(r#"{"op":"subscribe","topics":["home"]}"#)).await.unwrap();
    let subscribed = socket.next().await.unwrap().unwrap();
    assert!(subscribed.to_text().unwrap().contains("subscribed"), "{subscribed}");

    shell(&format!("kill -TERM {}", server.id()));
    let stopping = Instant::now();
    let code = loop {
        match tokio::time::timeout(Duration::from_secs(10), socket.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => break frame.map(|f| u16::from(f.code)),
            Ok(Some(Ok(_))) => continue,
            ended => panic!("the socket ended without a close frame: {ended:?}"),
        }
    };
    assert_eq!(code, Some(1001), "going away");
    loop {
        if let Some(status) = server.try_wait().unwrap() {
            assert!(status.success(), "the server stopped with {status}");
            break;
        }
        assert!(stopping.elapsed() < Duration::from_secs(15), "the server did not stop");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
