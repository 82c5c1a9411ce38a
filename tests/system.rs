//! Health, metrics, static assets, error pages, headers, and the migration sets.

use agora::db::DbConn;
use agora::db::models::users;
use agora::domain::account::Role;
use reqwest::StatusCode;

use crate::helpers::{Backend, TestApp};

#[tokio::test]
async fn healthz_checks_the_database_and_metrics_count_requests() {
    let app = TestApp::spawn().await;
    app.indexed().await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), StatusCode::OK);
    let health = health.json::<serde_json::Value>().await.unwrap();
    assert_eq!(health["database"], "ok");
    assert_eq!(health["search_indexed_through"], app.latest(), "operators see how far search has got");

    app.get("/login").await;
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("http_requests_total{method=\"GET\",route=\"/login\",status=\"200\"}"),
        "{metrics}"
    );
    assert!(metrics.contains("http_request_duration_seconds_bucket"));
}

#[tokio::test]
async fn unknown_pages_are_friendly_404s_with_security_headers() {
    let app = TestApp::spawn().await;
    let response = app.get("/no/such/page").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let headers = response.headers().clone();
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"));
    let page = response.text().await.unwrap();
    assert!(page.contains("Page not found") && page.contains("<html"));
}

/// The stylesheet's hashed URL, as the sign-in page links it.
async fn stylesheet(app: &TestApp) -> String {
    let page = app.get("/login").await.text().await.unwrap();
    let start = page.find("/static/css/agora.css?v=").expect("hashed stylesheet link");
    page[start..].chars().take_while(|c| *c != '"').collect()
}

#[tokio::test]
async fn assets_are_served_with_immutable_hashed_urls() {
    let app = TestApp::spawn().await;
    let css = app.get(&stylesheet(&app).await).await;
    assert_eq!(css.status(), StatusCode::OK);
    assert!(css.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
    assert!(css.headers()["cache-control"].to_str().unwrap().contains("immutable"));
    let stale = app.get("/static/css/agora.css?v=old").await;
    assert_eq!(stale.headers()["cache-control"], "no-cache");
    assert_eq!(app.get("/static/nope.js").await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn head_answers_what_get_answers_without_the_body() {
    let app = TestApp::spawn().await;
    let css = stylesheet(&app).await;
    let client = app.browser();
    for path in ["/", "/login", "/healthz", css.as_str(), "/api/v1/openapi.json", "/no/such/page"] {
        let url = format!("{}{path}", app.url);
        let get = client.get(&url).send().await.unwrap();
        let head = client.head(&url).send().await.unwrap();
        assert_eq!(head.status(), get.status(), "HEAD {path}");
        assert_eq!(head.headers().get("content-type"), get.headers().get("content-type"), "HEAD {path}");
        assert!(head.text().await.unwrap().is_empty(), "HEAD {path} has no body");
    }
    // A route that only takes a form does not answer HEAD as if it were a page.
    let head = client.head(format!("{}/logout", app.url)).send().await.unwrap();
    assert_eq!(head.status(), StatusCode::NOT_FOUND);
}

#[test]
fn both_backends_have_the_same_migrations() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let names = |backend: &str| {
        let mut names: Vec<String> = std::fs::read_dir(root.join(backend))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    assert!(!names("sqlite").is_empty());
    assert_eq!(names("sqlite"), names("postgres"));
}

/// On SQLite a read is one transaction: what commits while it runs is not half in its
/// page. PostgreSQL runs each statement of a read alone (BEGIN would be a round trip).
#[tokio::test]
async fn a_read_sees_one_state_of_the_database_and_a_read_that_panics_leaves_none_open() {
    let app = TestApp::spawn().await;
    app.given_user("ada", Role::Employee);
    let count = |c: &mut DbConn| Ok(users::count(c)?);
    let (before, after) = app
        .db
        .read_sync(|c| {
            let before = count(c)?;
            // Another connection commits a new account between the read's two statements.
            std::thread::scope(|s| s.spawn(|| app.given_user("bob", Role::Employee)).join().unwrap());
            Ok((before, count(c)?))
        })
        .unwrap();
    let sqlite = Backend::from_env() == Backend::Sqlite;
    assert_eq!(after, if sqlite { before } else { before + 1 });
    assert_eq!(app.db.read_sync(count).unwrap(), before + 1, "the next read sees it");

    // The pool hands out the connection given back last: a read that panicked inside its
    // transaction must not pass that transaction on to the next borrower.
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        app.db.read_sync(|c| -> agora::error::AppResult<()> {
            count(c)?;
            panic!("a read fails halfway");
        })
    }));
    assert!(panicked.is_err());
    app.given_user("cy", Role::Employee);
    assert_eq!(app.db.read_sync(count).unwrap(), before + 2, "a fresh read, not the panicked one's");
}
