//! The route registry: every route the server answers is listed with who may call it
//! (`agora::routes::PAGES` and `agora::routes::api::ROUTES`, the same lines that register
//! them), and every one is held to it here. The checks cover the people who must be kept
//! out, forged writes with nothing saved, GET never writing, and the security headers of
//! every page type.

use agora::domain::account::Role;
use agora::routes::{Access, PAGES, Route, api};
use diesel::QueryableByName;
use reqwest::{Client, Method, StatusCode};
use serde_json::json;

use crate::helpers::{TestApp, extract_csrf};

/// A route's URL with its parameters filled in with things the world below has.
fn concrete(route: &Route, api: bool) -> String {
    let path = route
        .path
        .replace("{slug}", "plant")
        .replace("{id}", "1")
        .replace("{comment_id}", "1")
        .replace("{handle}", "ada")
        .replace("{kind}", "like")
        .replace("{token}", "not-a-real-token")
        .replace("{quarter}", "2026-Q4")
        .replace("{tag}", "safety")
        .replace("{decision}", "approve")
        .replace("{skill}", "python")
        .replace("{alias}", "k8s")
        .replace("{name}", "notes.txt")
        .replace("{path:.*}", "css/agora.css");
    assert!(!path.contains('{'), "fill in the parameter of {}", route.path);
    if api { format!("/api/v1{path}") } else { path }
}

fn every_route() -> Vec<(Route, bool)> {
    PAGES.iter().map(|r| (*r, false)).chain(api::ROUTES.iter().map(|r| (*r, true))).collect()
}

fn method(route: &Route) -> Method {
    route.method.to_uppercase().parse().unwrap()
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// What a write would change: rows of every content table, unread notifications, and the
/// activity and audit logs. (Sessions and token bookkeeping are left out: reading pages
/// touches them by design.)
fn fingerprint(app: &TestApp) -> Vec<(String, i64)> {
    let queries = [
        "posts",
        "comments",
        "reactions",
        "ideas",
        "idea_votes",
        "idea_comments",
        "idea_follows",
        "communities",
        "memberships",
        "reports",
        "notifications",
        "audit_log",
        "activities",
        "users",
        "invitations",
        "password_resets",
        "outbox",
        "uploads",
        "user_follows",
        "tag_follows",
        "mail_preferences",
        "site_settings",
        "dockets",
        "idea_reviews",
        "idea_decisions",
        "user_skills",
        "skill_endorsements",
        "skill_aliases",
        "community_bans",
        "api_tokens",
        "challenges",
    ]
    .map(|t| (t.to_owned(), format!("SELECT COUNT(*) AS n FROM {t}")))
    .into_iter()
    .chain([
        ("unread".to_owned(), "SELECT COUNT(*) AS n FROM notifications WHERE read_at IS NULL".to_owned()),
        ("active".to_owned(), "SELECT COUNT(*) AS n FROM users WHERE is_active".to_owned()),
        ("hidden".to_owned(), "SELECT COUNT(*) AS n FROM posts WHERE hidden_at IS NOT NULL".to_owned()),
    ]);
    let queries: Vec<(String, String)> = queries.collect();
    app.db
        .read_sync(move |c| {
            use diesel::RunQueryDsl;
            let mut out = Vec::new();
            for (name, sql) in &queries {
                out.push((name.clone(), diesel::sql_query(sql).get_result::<Count>(c)?.n));
            }
            Ok(out)
        })
        .unwrap()
}

/// An admin, an employee, and one of each thing the routes' parameters name.
/// Returns the admin's and an employee's (bob, who moderates nothing) browsers and tokens.
async fn world(app: &TestApp) -> (Client, Client, String, String) {
    let root = app.given_user("root", Role::Admin);
    let ada = app.given_user("ada", Role::Employee);
    let bob = app.given_user("bob", Role::Employee);
    let (root_token, ada_token, bob_token) = (app.token_for(&root), app.token_for(&ada), app.token_for(&bob));
    app.given_community(&ada_token, "plant", "open").await;
    let post = app.given_post(&ada_token, "plant", "Safety week", "Plans for #safety week").await;
    app.given_comment(&ada_token, post, "First!").await;
    app.submit_idea(&ada_token, "Solar carports").await;
    app.given_upload(&ada_token, "notes.txt", b"notes").await;

    (app.signed_in("root@example.com").await, app.signed_in("bob@example.com").await, root_token, bob_token)
}

#[tokio::test]
async fn the_registry_lists_every_route_once_with_its_access() {
    let routes = every_route();
    let mut seen = std::collections::HashSet::new();
    for (route, api) in &routes {
        assert!(
            seen.insert((route.method, route.path, *api)),
            "{} {} is listed twice",
            route.method,
            route.path
        );
    }
    // Admin pages and admin API routes are admins' only; feeds are for readers.
    for (route, _) in &routes {
        if route.path.starts_with("/admin") {
            assert!(
                matches!(route.access, Access::Admin | Access::Moderator),
                "{} {}",
                route.method,
                route.path
            );
        }
        if route.path.ends_with(".atom") {
            assert_eq!(route.access, Access::Reader, "{}", route.path);
        }
    }
    assert!(routes.len() > 150, "{} routes", routes.len());
}

#[tokio::test]
async fn nobody_gets_past_a_route_they_may_not_call() {
    let app = TestApp::spawn().await;
    let (_, employee, _, bob_token) = world(&app).await;
    let anonymous = app.browser();
    let employees_token = app.csrf_token(&employee, "/settings").await;
    // The world's own notifications are written by the notifier in the background: one
    // landing during the calls below would read as a refused call's write.
    app.notified().await;
    let before = fingerprint(&app);
    let mut wrong = Vec::new();
    for (route, api) in every_route() {
        let url = format!("{}{}", app.url, concrete(&route, api));
        let response = anonymous.request(method(&route), &url).send().await.unwrap();
        let status = response.status();
        let to_login =
            status == StatusCode::SEE_OTHER && crate::helpers::location(&response).starts_with("/login");
        let refused = match (route.access, api) {
            (Access::Public, _) => !to_login && status != StatusCode::UNAUTHORIZED,
            (_, true) => status == StatusCode::UNAUTHORIZED,
            // Pages send strangers to sign in; a forged form is refused before that.
            (Access::Reader, false) => to_login || status == StatusCode::UNAUTHORIZED,
            (_, false) => {
                to_login
                    || status == StatusCode::FORBIDDEN
                    || (route.path == "/ws" && status.is_client_error())
            }
        };
        if !refused {
            wrong.push(format!("anonymous {} {url}: {status}", route.method));
        }
        // Admin, board and moderator routes do not exist for an employee who is none of
        // those. A write's malformed body may be refused first (400/422): either way the
        // handler never runs, which the database check below confirms.
        if matches!(route.access, Access::Admin | Access::Board | Access::Moderator) {
            let request = if api {
                app.client.request(method(&route), &url).bearer_auth(&bob_token).json(&json!({}))
            } else {
                employee.request(method(&route), &url).form(&[("csrf_token", employees_token.as_str())])
            };
            let status = request.send().await.unwrap().status();
            let refused = status == StatusCode::NOT_FOUND
                || (route.method != "get" && matches!(status.as_u16(), 400 | 422));
            if !refused {
                wrong.push(format!("employee {} {url}: {status}", route.method));
            }
        }
    }
    assert!(wrong.is_empty(), "routes not holding to their access:\n{}", wrong.join("\n"));
    assert_eq!(fingerprint(&app), before, "refused callers changed the database");
}

#[tokio::test]
async fn forged_writes_are_refused_with_nothing_saved_and_reads_never_write() {
    let app = TestApp::spawn().await;
    let (admin, _, _, _) = world(&app).await;
    let stranger = app.browser();
    let strangers_token = app.csrf_token(&stranger, "/login").await;
    let admins_token = app.csrf_token(&admin, "/settings").await;
    let before = fingerprint(&app);
    let mut wrong = Vec::new();
    for (route, api) in every_route() {
        let url = format!("{}{}", app.url, concrete(&route, api));
        if route.method == "get" {
            let response = admin.get(&url).send().await.unwrap();
            if response.status().is_server_error() {
                wrong.push(format!("GET {url}: {}", response.status()));
            }
            continue;
        }
        // One-click unsubscribe (RFC 8058) is posted by mail clients without a session:
        // its signed token is the proof, and a bogus one changes nothing (checked below).
        let attempts: Vec<(&str, reqwest::RequestBuilder)> = if api {
            vec![("a session without the CSRF header", admin.request(method(&route), &url).json(&json!({})))]
        } else if route.path == "/admin/people/import" {
            let form = || reqwest::multipart::Form::new().text("x", "1");
            let with_token =
                |token: &str| reqwest::multipart::Form::new().text("csrf_token", token.to_owned());
            vec![
                ("no token", admin.post(&url).multipart(form())),
                ("another session's token", admin.post(&url).multipart(with_token(&strangers_token))),
                (
                    "a cross-site origin",
                    admin
                        .post(&url)
                        .header("Origin", "https://evil.example")
                        .multipart(with_token(&admins_token)),
                ),
            ]
        } else if route.path == "/unsubscribe/{token}" {
            vec![("a bogus unsubscribe token", admin.post(&url).form(&[("kind", "mention")]))]
        } else {
            vec![
                ("no token", admin.request(method(&route), &url).form(&[("x", "1")])),
                (
                    "another session's token",
                    admin.request(method(&route), &url).form(&[("csrf_token", strangers_token.as_str())]),
                ),
                (
                    "a cross-site origin",
                    admin
                        .request(method(&route), &url)
                        .header("Origin", "https://evil.example")
                        .form(&[("csrf_token", admins_token.as_str())]),
                ),
            ]
        };
        for (how, request) in attempts {
            let status = request.send().await.unwrap().status();
            let expected = if route.path == "/unsubscribe/{token}" {
                status.is_client_error()
            } else {
                status == StatusCode::FORBIDDEN
            };
            if !expected {
                wrong.push(format!("{} {url} with {how}: {status}", route.method));
            }
        }
    }
    assert!(wrong.is_empty(), "forged writes or failing reads:\n{}", wrong.join("\n"));
    let after = fingerprint(&app);
    let changed: Vec<String> = before
        .iter()
        .zip(&after)
        .filter(|(b, a)| b.1 != a.1)
        .map(|(b, a)| format!("{}: {} → {}", b.0, b.1, a.1))
        .collect();
    assert!(changed.is_empty(), "refused writes and reads changed the database: {changed:?}");
    // The admin's session is still the admin's: nothing above signed them out.
    assert!(extract_csrf(&app.get_as(&admin, "/settings").await.text().await.unwrap()).is_some());
}

#[tokio::test]
async fn every_page_type_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    let (admin, _, _, _) = world(&app).await;
    let anonymous = app.browser();
    let mut wrong = Vec::new();
    for (route, api) in every_route().into_iter().filter(|(r, _)| r.method == "get") {
        let url = format!("{}{}", app.url, concrete(&route, api));
        for (who, client) in [("admin", &admin), ("anonymous", &anonymous)] {
            let response = client.get(&url).send().await.unwrap();
            let header = |name: &str| {
                response.headers().get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
            };
            let policy = header("content-security-policy");
            let script = policy.split(';').find(|d| d.trim().starts_with("script-src")).unwrap_or_default();
            let problems = [
                (header("x-content-type-options") != "nosniff", "nosniff"),
                (header("referrer-policy").is_empty(), "Referrer-Policy"),
                (!policy.contains("frame-ancestors 'none'"), "frame-ancestors 'none'"),
                (
                    script.contains("unsafe-inline") || policy.contains("'unsafe-eval'"),
                    "no inline or eval scripts",
                ),
                (!policy.contains("default-src"), "a default-src"),
            ];
            for (failed, what) in problems {
                if failed {
                    wrong.push(format!("{who} GET {url}: {what} ({policy})"));
                }
            }
            // The session cookie is never readable by scripts, whatever sets it.
            for cookie in response.headers().get_all("set-cookie") {
                let cookie = cookie.to_str().unwrap_or_default();
                if !cookie.contains("HttpOnly") || !cookie.contains("SameSite=Lax") {
                    wrong.push(format!("{who} GET {url}: cookie {cookie}"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "missing security headers:\n{}", wrong.join("\n"));
}

#[tokio::test]
async fn https_sites_send_strict_transport_security() {
    let app = TestApp::spawn_with(|s| s.public_url = Some("https://agora.example.com".into())).await;
    let response = app.browser().get(format!("{}/login", app.url)).send().await.unwrap();
    let hsts = response.headers().get("strict-transport-security").and_then(|v| v.to_str().ok());
    assert_eq!(hsts, Some("max-age=31536000; includeSubDomains"));
    let plain = TestApp::spawn().await;
    let response = plain.browser().get(format!("{}/login", plain.url)).send().await.unwrap();
    assert!(response.headers().get("strict-transport-security").is_none(), "not over plain HTTP");
}
