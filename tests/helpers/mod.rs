//! The test harness: spawns the real application (the same `startup::build` as `agora
//! serve`) on port 0 and acts on it as a person or script would.

#![allow(dead_code, reason = "each test module uses a different subset of the helpers")]

pub mod smtp;

use std::time::Duration;

use agora::accounts::{self, NewAccount};
use agora::config::Settings;
use agora::db::Db;
use agora::db::models::users::User;
use agora::domain::account::{DisplayName, Email, Handle, Password, Role};
use diesel::{Connection, PgConnection, RunQueryDsl};
use reqwest::header::HeaderMap;
use reqwest::{Client, Response, StatusCode};

/// The password fixtures use.
pub const PASSWORD: &str = "correct horse battery";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend `scripts/test` selected for this run.
    pub fn from_env() -> Self {
        match std::env::var("AGORA_TEST_BACKEND").as_deref() {
            Ok("postgres") => Self::Postgres,
            _ => Self::Sqlite,
        }
    }
}

/// A running Agora with its own database and data folder.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// A browser: keeps cookies, does not follow redirects (tests assert them).
    pub client: Client,
    /// The database the app uses.
    pub database_url: String,
    /// The data folder (deleted with the app).
    pub data_dir: tempfile::TempDir,
    /// The same database, for assertions about what was stored.
    pub db: Db,
    pub settings: Settings,
    /// The server's search index (tests wait on its position, never on a clock).
    pub search: agora::search::Search,
    /// The server's mail composer (tests run the digest with it at a chosen time).
    pub mail: agora::mail::Composer,
}

/// Rate limits no test of other things reaches.
pub fn unlimited() -> agora::auth::rate_limit::RateLimits {
    let n = 1_000_000;
    agora::auth::rate_limit::RateLimits {
        posts_per_minute: n,
        comments_per_minute: n,
        votes_per_minute: n,
        reports_per_hour: n,
        searches_per_minute: n,
        uploads_per_minute: n,
        connects_per_minute: n,
        registrations_per_hour: n,
    }
}

/// Makes a fresh, empty database for one test and returns its URL.
pub fn fresh_database(data_dir: &std::path::Path) -> String {
    match Backend::from_env() {
        Backend::Sqlite => format!("sqlite://{}", data_dir.join("agora.db").display()),
        Backend::Postgres => {
            let admin_url = std::env::var("AGORA_TEST_POSTGRES_URL").unwrap_or_else(|_| {
                panic!("AGORA_TEST_POSTGRES_URL must be set when AGORA_TEST_BACKEND=postgres")
            });
            let name = format!("agora_test_{}", hex::encode(rand::random::<[u8; 8]>()));
            let mut admin =
                PgConnection::establish(&admin_url).expect("connect to the test PostgreSQL server");
            diesel::sql_query(format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .expect("create test database");
            let base = admin_url.rsplit_once('/').expect("database URL has a path").0;
            format!("{base}/{name}")
        }
    }
}

impl TestApp {
    /// An app with default settings (plus `example.com` open for registration).
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// An app whose settings `adjust` changes first.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Settings)) -> Self {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let database_url = fresh_database(data_dir.path());
        Self::start(data_dir, database_url, adjust).await
    }

    /// An app on an existing data folder and database (a restored backup).
    pub async fn spawn_on(data_dir: tempfile::TempDir, database_url: String) -> Self {
        Self::start(data_dir, database_url, |_| {}).await
    }

    /// A second node on the same database (as with several `agora serve` processes).
    pub async fn spawn_sharing(other: &TestApp) -> Self {
        Self::spawn_sharing_with(other, |_| {}).await
    }

    /// A second node on the same database with its own settings adjusted.
    pub async fn spawn_sharing_with(other: &TestApp, adjust: impl FnOnce(&mut Settings)) -> Self {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let key = std::fs::read_to_string(other.data_dir.path().join("secret.key")).ok();
        let settings = other.settings.clone();
        Self::start(data_dir, other.database_url.clone(), move |s| {
            *s = Settings { data_dir: s.data_dir.clone(), bind: s.bind.clone(), secret_key: key, ..settings };
            adjust(s);
        })
        .await
    }

    async fn start(
        data_dir: tempfile::TempDir,
        database_url: String,
        adjust: impl FnOnce(&mut Settings),
    ) -> Self {
        let mut settings = Settings {
            bind: "127.0.0.1:0".into(),
            data_dir: data_dir.path().to_path_buf(),
            database_url: Some(database_url.clone()),
            allowed_email_domains: vec!["example.com".into()],
            database_pool_size: 4,
            workers: Some(2),
            // Tests write and search at machine speed; the tests of the limits lower them.
            rate_limits: unlimited(),
            ..Settings::default()
        };
        adjust(&mut settings);
        let running = agora::startup::build(settings.clone()).expect("app starts");
        let url = format!("http://{}", running.addr);
        // The server's own handle: the test's direct writes queue behind the server's on
        // SQLite's one writer, as another request's would, instead of failing as "locked".
        let db = running.state.db.clone();
        let search = running.state.search.clone().expect("the server opens its search index");
        let mail = running.state.mail.clone();
        tokio::spawn(running.server);
        Self { url, client: browser(), database_url, data_dir, db, settings, search, mail }
    }

    /// Another browser (its own cookie jar).
    pub fn browser(&self) -> Client {
        browser()
    }

    /// GET with the app's default browser.
    pub async fn get(&self, path: &str) -> Response {
        get(&self.client, &format!("{}{path}", self.url)).await
    }

    /// GET with a given browser.
    pub async fn get_as(&self, client: &Client, path: &str) -> Response {
        get(client, &format!("{}{path}", self.url)).await
    }

    /// Opens `page` in `client` and reads the CSRF token from its form.
    pub async fn csrf_token(&self, client: &Client, page: &str) -> String {
        let html = self.get_as(client, page).await.text().await.expect("page body");
        extract_csrf(&html).unwrap_or_else(|| panic!("no CSRF token on {page}"))
    }

    /// Submits a form the way a browser does: opens `page`, then posts to `action` with
    /// the page's CSRF token added to `fields`.
    pub async fn submit(
        &self,
        client: &Client,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        let token = self.csrf_token(client, page).await;
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        form.push(("csrf_token", &token));
        client.post(format!("{}{action}", self.url)).form(&form).send().await.expect("request")
    }

    /// Registers through the form.
    pub async fn register(
        &self,
        client: &Client,
        email: &str,
        handle: &str,
        name: &str,
        password: &str,
    ) -> Response {
        let fields = [("email", email), ("handle", handle), ("name", name), ("password", password)];
        self.submit(client, "/register", "/register", &fields).await
    }

    /// Signs in through the form.
    pub async fn login(&self, client: &Client, email: &str, password: &str) -> Response {
        self.submit(client, "/login", "/login", &[("email", email), ("password", password)]).await
    }

    /// Signs a new browser in as `email` and returns it.
    pub async fn signed_in(&self, email: &str) -> Client {
        let client = self.browser();
        let response = self.login(&client, email, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "login of {email} failed");
        client
    }

    /// A browser signed in as an existing account (an API-only one gets [`PASSWORD`] first).
    pub async fn signed_in_as(&self, handle: &str) -> Client {
        let user = self.user(handle).expect("the user exists");
        let (id, email) = (user.id, user.email);
        let hash = accounts::hash_password_sync(&Password::parse(PASSWORD).expect("password")).expect("hash");
        self.db
            .write_sync(move |c| Ok(agora::db::models::users::set_password_hash(c, id, &hash)?))
            .expect("set password");
        self.signed_in(&email).await
    }

    /// An existing account (as an admin or the CLI would create it), password [`PASSWORD`].
    pub fn given_user(&self, handle: &str, role: Role) -> User {
        let account = NewAccount {
            email: Email::parse(&format!("{handle}@example.com")).expect("email"),
            handle: Handle::parse(handle).expect("handle"),
            name: DisplayName::parse(&format!("{handle} Tester")).expect("name"),
            role,
        };
        let hash = accounts::hash_password_sync(&Password::parse(PASSWORD).expect("password")).expect("hash");
        accounts::create_account_sync(&self.db, &account, Some(&hash), None).expect("create user")
    }

    /// An API-only account (no password, so no hashing cost) and its token: for tests that
    /// need many users.
    pub fn given_api_user(&self, handle: &str) -> (User, String) {
        let account = NewAccount {
            email: Email::parse(&format!("{handle}@example.com")).expect("email"),
            handle: Handle::parse(handle).expect("handle"),
            name: DisplayName::parse(handle).expect("name"),
            role: Role::Employee,
        };
        let user = accounts::create_account_sync(&self.db, &account, None, None).expect("create user");
        let token = self.token_for(&user);
        (user, token)
    }

    /// A personal access token for a user.
    pub fn token_for(&self, user: &User) -> String {
        self.token_with_id(user).1
    }

    /// A personal access token for the user, with its id (to revoke it by).
    pub fn token_with_id(&self, user: &User) -> (i64, String) {
        let id = user.id;
        self.db.write_sync(move |c| accounts::create_token_in(c, id, "test")).expect("token")
    }

    /// An API request with a bearer token.
    pub fn api(&self, method: reqwest::Method, path: &str, token: &str) -> reqwest::RequestBuilder {
        self.client.request(method, format!("{}/api/v1{path}", self.url)).bearer_auth(token)
    }

    /// Reads one user back from the database.
    pub fn user(&self, handle: &str) -> Option<User> {
        let handle = handle.to_owned();
        self.db.read_sync(move |c| Ok(agora::db::models::users::by_handle(c, &handle)?)).expect("query")
    }

    /// The newest activity id: subscribing with it as `since` starts a socket at "now",
    /// whatever the hub has dispatched so far.
    pub fn latest(&self) -> i64 {
        self.db.read_sync(|c| Ok(agora::db::models::activities::latest_id(c)?)).expect("query")
    }

    /// GETs an API path as the token's owner and returns the JSON answer.
    pub async fn get_json(&self, path: &str, token: &str) -> serde_json::Value {
        let response = self.api(reqwest::Method::GET, path, token).send().await.expect("request");
        response.json().await.expect("JSON")
    }

    /// Runs the `agora` binary against this app's database and data folder.
    pub fn agora(&self, args: &[&str]) -> std::process::Output {
        self.agora_in(self.data_dir.path(), args)
    }

    /// Runs the `agora` binary against this app's database with another data folder (as
    /// another node would).
    pub fn agora_in(&self, data_dir: &std::path::Path, args: &[&str]) -> std::process::Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_agora"))
            .args(args)
            .args([
                "--data-dir",
                data_dir.to_str().expect("UTF-8 path"),
                "--database-url",
                &self.database_url,
            ])
            .env("RUST_LOG", "off")
            .output()
            .expect("run agora")
    }

    /// Waits until the notifier (and the instant mails it queues) has handled every
    /// activity so far.
    pub async fn notified(&self) {
        self.caught_up("notifier").await;
    }

    /// Waits until the consumer of the activity log saved as `cursor` has handled every
    /// activity so far.
    pub async fn caught_up(&self, cursor: &'static str) {
        let latest = self.latest();
        for _ in 0..200 {
            let done = self
                .db
                .read_sync(move |c| Ok(agora::db::models::log_cursors::get(c, cursor)?))
                .expect("query")
                .is_some_and(|at| at >= latest);
            if done {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("{cursor} did not catch up with activity {latest}");
    }

    /// Every mail in the outbox, oldest first.
    pub fn outbox(&self) -> Vec<agora::db::models::outbox::Mail> {
        self.db.read_sync(|c| Ok(agora::db::models::outbox::all(c)?)).expect("query")
    }

    /// Waits until the search index covers every activity so far.
    pub async fn indexed(&self) {
        let latest = self.latest();
        for _ in 0..200 {
            if self.search.index.position() >= latest {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        panic!("the search index did not catch up with activity {latest}");
    }

    /// Makes a community through the API as the token's owner.
    pub async fn given_community(&self, token: &str, slug: &str, visibility: &str) {
        let body = serde_json::json!({"slug": slug, "name": slug, "visibility": visibility});
        let response =
            self.api(reqwest::Method::POST, "/communities", token).json(&body).send().await.expect("request");
        assert_eq!(response.status(), StatusCode::CREATED, "creating {slug}");
    }

    /// Posts a discussion through the API; returns its id.
    pub async fn given_post(&self, token: &str, community: &str, title: &str, body: &str) -> i64 {
        let post = serde_json::json!({"kind": "discussion", "title": title, "body": body});
        let response = self
            .api(reqwest::Method::POST, &format!("/communities/{community}/posts"), token)
            .json(&post)
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::CREATED, "posting {title}");
        response.json::<serde_json::Value>().await.expect("JSON")["id"].as_i64().expect("id")
    }

    /// Uploads one file through the API; returns the stored file as the API shows it.
    pub async fn given_upload(&self, token: &str, name: &str, bytes: &[u8]) -> serde_json::Value {
        let part = reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(name.to_owned());
        let response = self
            .api(reqwest::Method::POST, "/uploads", token)
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::CREATED, "uploading {name}");
        response.json::<serde_json::Value>().await.expect("JSON")["items"][0].clone()
    }

    /// Comments on a post through the API; returns the comment's id.
    pub async fn given_comment(&self, token: &str, post: i64, body: &str) -> i64 {
        let response = self
            .api(reqwest::Method::POST, &format!("/posts/{post}/comments"), token)
            .json(&serde_json::json!({ "body": body }))
            .send()
            .await
            .expect("request");
        assert_eq!(response.status(), StatusCode::CREATED, "commenting on {post}");
        response.json::<serde_json::Value>().await.expect("JSON")["id"].as_i64().expect("id")
    }

    /// Submits an idea through the API as the token's owner; returns its id.
    pub async fn submit_idea(&self, token: &str, title: &str) -> i64 {
        let body = serde_json::json!({"title": title, "problem": "Slow approvals", "proposal": "One form"});
        let response =
            self.api(reqwest::Method::POST, "/ideas", token).json(&body).send().await.expect("request");
        assert_eq!(response.status(), StatusCode::CREATED, "submitting {title}");
        response.json::<serde_json::Value>().await.expect("JSON")["id"].as_i64().expect("id")
    }

    /// The quarter an idea was submitted in.
    pub fn idea_quarter(&self, id: i64) -> String {
        self.db
            .read_sync(move |c| Ok(agora::db::models::ideas::find(c, id)?.expect("idea").0.quarter))
            .expect("query")
    }

    /// An admin closes an idea's quarter early, so its top ideas enter review; returns the
    /// quarter.
    pub async fn close_quarter_of(&self, admin_token: &str, idea: i64) -> String {
        let quarter = self.idea_quarter(idea);
        let closed = self
            .api(reqwest::Method::POST, &format!("/quarters/{quarter}/close"), admin_token)
            .json(&serde_json::json!({"early": true}))
            .send()
            .await
            .expect("request");
        assert_eq!(closed.status(), StatusCode::OK, "closing {quarter}");
        quarter
    }

    /// An idea's stored state.
    pub fn idea_state(&self, id: i64) -> String {
        self.db
            .read_sync(move |c| Ok(agora::db::models::ideas::find(c, id)?.expect("idea").0.state))
            .expect("query")
    }

    /// Puts an idea into a state directly in the database (to set up a test's starting point).
    pub fn force_idea_state(&self, id: i64, state: &str) {
        let state = agora::domain::idea::IdeaState::parse(state).expect("state");
        let at = agora::db::models::now();
        self.db
            .write_sync(move |c| Ok(agora::db::models::ideas::set_state(c, id, state, at)?))
            .expect("update");
    }

    /// How many accounts exist.
    pub fn user_count(&self) -> i64 {
        self.db.read_sync(|c| Ok(agora::db::models::users::count(c)?)).expect("query")
    }
}

/// A browser-like client: cookies kept, redirects shown. Idle pooled connections are dropped
/// after one second, well before the server closes them (actix's keep-alive is 5 s): a
/// request sent on a connection idle for about 5 s races the server's close and fails with
/// "connection closed before message completed" (it broke a PostgreSQL CI run).
fn browser() -> Client {
    Client::builder()
        .pool_idle_timeout(Duration::from_secs(1))
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

async fn get(client: &Client, url: &str) -> Response {
    client.get(url).send().await.expect("request")
}

/// The CSRF token in a page's first form.
pub fn extract_csrf(html: &str) -> Option<String> {
    let start = html.find("name=\"csrf_token\" value=\"")? + "name=\"csrf_token\" value=\"".len();
    let end = html[start..].find('"')?;
    Some(html[start..start + end].to_owned())
}

/// The `Location` header of a redirect.
pub fn location(response: &Response) -> &str {
    response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default()
}

/// The `Set-Cookie` headers, joined.
pub fn set_cookies(headers: &HeaderMap) -> String {
    headers.get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>().join("\n")
}

/// Parses a JSON error body and returns its `error.code`.
pub async fn error_code(response: Response) -> String {
    let body: serde_json::Value = response.json().await.expect("JSON error body");
    body["error"]["code"].as_str().expect("error.code").to_owned()
}

/// A websocket client speaking SPEC §4's protocol.
pub struct Ws {
    stream: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
}

/// How a websocket ended, as the client saw it.
#[derive(Debug, PartialEq, Eq)]
pub enum Ended {
    /// A close frame with this code.
    Closed(u16),
    /// The connection dropped without a close frame.
    Dropped,
}

impl TestApp {
    /// Opens `/ws` with a bearer token.
    pub async fn ws(&self, token: &str) -> Ws {
        self.ws_with(&[("authorization", &format!("Bearer {token}"))]).await.expect("websocket handshake")
    }

    /// Opens `/ws` with extra headers; the error is the handshake's HTTP status.
    pub async fn ws_with(&self, headers: &[(&str, &str)]) -> Result<Ws, u16> {
        use tokio_tungstenite::tungstenite::client::IntoClientRequest;
        let url = format!("{}/ws", self.url.replacen("http://", "ws://", 1));
        let mut request = url.into_client_request().expect("request");
        for (name, value) in headers {
            request.headers_mut().insert(
                reqwest::header::HeaderName::from_bytes(name.as_bytes()).expect("header name"),
                value.parse().expect("header value"),
            );
        }
        match tokio_tungstenite::connect_async(request).await {
            Ok((stream, _)) => Ok(Ws { stream }),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
            Err(e) => panic!("websocket connect failed: {e}"),
        }
    }
}

impl Ws {
    /// Sends a JSON message.
    pub async fn send(&mut self, message: serde_json::Value) {
        use futures_util::SinkExt;
        self.send_raw(tokio_tungstenite::tungstenite::Message::text(message.to_string())).await;
        let _ = self.stream.flush().await;
    }

    /// Sends any frame.
    pub async fn send_raw(&mut self, message: tokio_tungstenite::tungstenite::Message) {
        assert!(self.try_send_raw(message).await, "websocket send failed");
    }

    /// Sends any frame; false when the connection is gone.
    pub async fn try_send_raw(&mut self, message: tokio_tungstenite::tungstenite::Message) -> bool {
        use futures_util::SinkExt;
        self.stream.send(message).await.is_ok()
    }

    /// The next JSON message within `wait`; `Err` when the socket ends, `Ok(None)` on timeout.
    pub async fn next_within(&mut self, wait: Duration) -> Result<Option<serde_json::Value>, Ended> {
        use futures_util::StreamExt;
        use tokio_tungstenite::tungstenite::Message;
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Err(_) => return Ok(None),
                Ok(Some(Ok(Message::Text(text)))) => {
                    return Ok(Some(serde_json::from_str(&text).expect("JSON message")));
                }
                Ok(Some(Ok(Message::Close(frame)))) => {
                    return Err(Ended::Closed(frame.map_or(1005, |f| u16::from(f.code))));
                }
                Ok(Some(Ok(_))) => continue,
                Ok(Some(Err(_)) | None) => return Err(Ended::Dropped),
            }
        }
    }

    /// The next JSON message (fails after 10 s of silence).
    pub async fn next(&mut self) -> serde_json::Value {
        self.next_within(Duration::from_secs(10)).await.expect("socket open").expect("a message within 10 s")
    }

    /// Asserts nothing arrives for a while.
    pub async fn expect_silence(&mut self, wait: Duration) {
        if let Ok(Some(message)) = self.next_within(wait).await {
            panic!("expected nothing, got {message}");
        }
    }

    /// Subscribes and returns the `subscribed` reply (after any per-topic errors).
    pub async fn subscribe(
        &mut self,
        topics: &[&str],
        since: Option<i64>,
    ) -> (serde_json::Value, Vec<serde_json::Value>) {
        self.send(serde_json::json!({"op": "subscribe", "topics": topics, "since": since})).await;
        let mut errors = Vec::new();
        loop {
            let message = self.next().await;
            if message["op"] == "subscribed" {
                return (message, errors);
            }
            errors.push(message);
        }
    }
}
