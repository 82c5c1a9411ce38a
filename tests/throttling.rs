//! Login throttling per account and per address, held in the database for every node; and
//! the per-person rate limits on writing, voting, reporting, searching, uploading,
//! websocket connects and registrations.

use agora::domain::account::Role;
use reqwest::StatusCode;

use crate::helpers::{PASSWORD, TestApp};

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_for_a_while() {
    let app = TestApp::spawn().await;
    app.given_user("ada", Role::Employee);
    app.given_user("bob", Role::Employee);
    for _ in 0..5 {
        let response = app.login(&app.browser(), "ada@example.com", "not the password").await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let locked = app.login(&app.browser(), "ada@example.com", PASSWORD).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    let retry_after: u64 = locked.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry_after));
    assert!(locked.text().await.unwrap().contains("too many attempts"));

    let other = app.login(&app.browser(), "bob@example.com", PASSWORD).await;
    assert_eq!(other.status(), StatusCode::SEE_OTHER, "other accounts are unaffected");
}

#[tokio::test]
async fn the_lock_holds_on_every_node() {
    let first = TestApp::spawn().await;
    first.given_user("ada", Role::Employee);
    let second = TestApp::spawn_sharing(&first).await;
    for _ in 0..5 {
        first.login(&first.browser(), "ada@example.com", "not the password").await;
    }
    let response = second.login(&second.browser(), "ada@example.com", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn one_address_guessing_many_accounts_is_throttled() {
    let app = TestApp::spawn_with(|s| s.login_failures_per_address = 3).await;
    app.given_user("ada", Role::Employee);
    for victim in ["a@example.com", "b@example.com", "c@example.com"] {
        app.login(&app.browser(), victim, "guess guess guess").await;
    }
    let response = app.login(&app.browser(), "ada@example.com", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn a_successful_login_resets_the_account_counter() {
    let app = TestApp::spawn().await;
    app.given_user("ada", Role::Employee);
    // Eight failures in all, but never five in a row: no lock.
    for round in 0..2 {
        for _ in 0..4 {
            app.login(&app.browser(), "ada@example.com", "not the password").await;
        }
        let response = app.login(&app.browser(), "ada@example.com", PASSWORD).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER, "round {round}");
    }
}

#[tokio::test]
async fn guessing_the_current_password_on_settings_is_throttled_too() {
    let app = TestApp::spawn().await;
    app.given_user("ada", Role::Employee);
    let browser = app.signed_in("ada@example.com").await;
    let guess = [("current_password", "a guess of mine"), ("new_password", "a brand new password")];
    for _ in 0..5 {
        let response = app.submit(&browser, "/settings", "/settings/password", &guess).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let response = app.submit(&browser, "/settings", "/settings/password", &guess).await;
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(response.headers().contains_key("retry-after"));
    assert!(response.text().await.unwrap().contains("too many attempts"));
}

/// Sends `request` and returns its status and `Retry-After`.
async fn answer(request: reqwest::RequestBuilder) -> (StatusCode, Option<u64>) {
    let response = request.send().await.unwrap();
    let retry =
        response.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    (response.status(), retry)
}

#[tokio::test]
async fn floods_are_answered_429_with_retry_after_per_person_and_action() {
    use reqwest::Method;
    use serde_json::json;
    let two = 2;
    let app = TestApp::spawn_with(|s| {
        s.rate_limits = agora::auth::rate_limit::RateLimits {
            posts_per_minute: two,
            comments_per_minute: two,
            votes_per_minute: two,
            reports_per_hour: two,
            searches_per_minute: two,
            uploads_per_minute: two,
            connects_per_minute: two,
            registrations_per_hour: two,
        };
    })
    .await;
    let [ada, bob, carl] = ["ada", "bob", "carl"].map(|h| app.given_api_user(h).1);
    app.given_community(&ada, "plant", "open").await;
    for token in [&bob, &carl] {
        app.api(Method::POST, "/communities/plant/join", token).send().await.unwrap();
    }
    let post = |token: &str, n: u32| {
        app.api(Method::POST, "/communities/plant/posts", token)
            .json(&json!({"kind": "update", "body": format!("Update {n}")}))
    };

    // Posting: the page and the API count against one limit.
    assert_eq!(answer(post(&ada, 1)).await.0, StatusCode::CREATED);
    let browser = app.signed_in_as("ada").await;
    let page = app
        .submit(
            &browser,
            "/c/plant",
            "/c/plant/posts",
            &[("kind", "update"), ("title", ""), ("body", "From the page")],
        )
        .await;
    assert_eq!(page.status(), StatusCode::SEE_OTHER);
    let (status, retry) = answer(post(&ada, 3)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(retry.is_some_and(|s| (1..=60).contains(&s)), "Retry-After {retry:?}");
    let refused = app
        .submit(
            &browser,
            "/c/plant",
            "/c/plant/posts",
            &[("kind", "update"), ("title", ""), ("body", "Again")],
        )
        .await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS, "the page says so too");
    assert!(refused.headers().contains_key("retry-after"));
    // Another person is not held back by ada's flood.
    assert_eq!(answer(post(&bob, 1)).await.0, StatusCode::CREATED);
    let posts = app.get_json("/communities/plant/posts", &bob).await;
    assert_eq!(posts["items"].as_array().unwrap().len(), 3, "refused posts were not written");

    // Comments, votes (and reactions), reports, searches, uploads.
    let target = posts["items"][0]["id"].as_i64().unwrap();
    let comment =
        || app.api(Method::POST, &format!("/posts/{target}/comments"), &carl).json(&json!({"body": "+1"}));
    let react = |kind: &str| app.api(Method::PUT, &format!("/posts/{target}/reactions/{kind}"), &carl);
    let report = |id: i64| {
        app.api(Method::POST, "/reports", &carl)
            .json(&json!({"target_type": "post", "target_id": id, "reason": "spam"}))
    };
    let search = || app.api(Method::GET, "/search?q=update", &carl);
    let upload = |n: u8| {
        let part = reqwest::multipart::Part::bytes(vec![b'a' + n]).file_name("note.txt");
        app.api(Method::POST, "/uploads", &carl).multipart(reqwest::multipart::Form::new().part("file", part))
    };
    let ids: Vec<i64> =
        posts["items"].as_array().unwrap().iter().map(|p| p["id"].as_i64().unwrap()).collect();
    let floods: Vec<(&str, Vec<reqwest::RequestBuilder>)> = vec![
        ("comments", vec![comment(), comment(), comment()]),
        ("reactions", vec![react("like"), react("celebrate"), react("insightful")]),
        ("reports", vec![report(ids[0]), report(ids[1]), report(ids[2])]),
        ("searches", vec![search(), search(), search()]),
        ("uploads", vec![upload(1), upload(2), upload(3)]),
    ];
    for (what, requests) in floods {
        let mut statuses = Vec::new();
        for request in requests {
            statuses.push(answer(request).await.0);
        }
        assert!(statuses[..2].iter().all(|s| s.is_success()), "{what}: {statuses:?}");
        assert_eq!(statuses[2], StatusCode::TOO_MANY_REQUESTS, "{what}: {statuses:?}");
    }

    // Websocket connects.
    let bearer = format!("Bearer {carl}");
    let headers = [("Authorization", bearer.as_str())];
    let first = app.ws_with(&headers).await;
    let second = app.ws_with(&headers).await;
    assert!(first.is_ok() && second.is_ok());
    assert_eq!(app.ws_with(&headers).await.err(), Some(429));

    // Registrations, per client address, counted across nodes.
    let other_node = TestApp::spawn_sharing(&app).await;
    for attempt in 0..3 {
        let node = if attempt == 1 { &other_node } else { &app };
        let stranger = node.browser();
        let token = node.csrf_token(&stranger, "/register").await;
        let email = format!("new{attempt}@example.com");
        let handle = format!("new{attempt}");
        let form = [
            ("csrf_token", token.as_str()),
            ("email", email.as_str()),
            ("name", "New Person"),
            ("handle", handle.as_str()),
            ("password", PASSWORD),
        ];
        let status =
            stranger.post(format!("{}/register", node.url)).form(&form).send().await.unwrap().status();
        let expected = if attempt < 2 { StatusCode::SEE_OTHER } else { StatusCode::TOO_MANY_REQUESTS };
        assert_eq!(status, expected, "registration {attempt}");
    }
    assert!(app.user("new2").is_none(), "the refused registration created nothing");
}
