//! Forged requests are refused with 403 and change nothing.

use agora::domain::account::Role;
use reqwest::{Method, StatusCode};

use crate::helpers::{TestApp, error_code};

async fn profile_post(
    app: &TestApp,
    browser: &reqwest::Client,
    token: Option<&str>,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = vec![("name", "Mallory Was Here")];
    if let Some(token) = token {
        form.push(("csrf_token", token));
    }
    let mut request = browser.post(format!("{}/settings/profile", app.url)).form(&form);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    request.send().await.unwrap()
}

#[tokio::test]
async fn forms_without_a_valid_token_or_from_another_site_are_refused() {
    let app = TestApp::spawn().await;
    app.given_user("ada", Role::Employee);
    let browser = app.signed_in("ada@example.com").await;
    let token = app.csrf_token(&browser, "/settings").await;
    let own_origin = app.url.clone();

    let no_headers: &[(&str, &str)] = &[];
    let cases = [
        ("missing token", None, no_headers),
        ("forged token", Some("forged-token-value"), no_headers),
        ("foreign Origin", Some(token.as_str()), &[("origin", "https://evil.example")]),
        ("cross-site fetch", Some(token.as_str()), &[("sec-fetch-site", "cross-site")]),
    ];
    for (case, token, headers) in cases {
        let response = profile_post(&app, &browser, token, headers).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{case}");
        assert!(response.text().await.unwrap().contains("<html"), "{case}: an error page, not a blank");
    }
    assert_eq!(app.user("ada").unwrap().name, "ada Tester", "nothing changed");

    let ok = profile_post(
        &app,
        &browser,
        Some(&token),
        &[("origin", own_origin.as_str()), ("sec-fetch-site", "same-origin")],
    )
    .await;
    assert_eq!(ok.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.user("ada").unwrap().name, "Mallory Was Here");
}

#[tokio::test]
async fn another_sessions_token_does_not_work() {
    let app = TestApp::spawn().await;
    app.given_user("ada", Role::Employee);
    let browser = app.signed_in("ada@example.com").await;
    let attacker = app.browser();
    let attackers_token = app.csrf_token(&attacker, "/login").await;
    let response = profile_post(&app, &browser, Some(&attackers_token), &[]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn cookie_authenticated_api_writes_need_the_csrf_header() {
    let app = TestApp::spawn().await;
    app.given_user("root", Role::Admin);
    app.given_user("ada", Role::Employee);
    let browser = app.signed_in("root@example.com").await;
    let url = format!("{}/api/v1/admin/users/ada", app.url);
    let body = serde_json::json!({"role": "executive"});

    let refused = browser.request(Method::PATCH, &url).json(&body).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    assert_eq!(error_code(refused).await, "forbidden");
    assert_eq!(app.user("ada").unwrap().role(), Role::Employee);

    let token = app.csrf_token(&browser, "/settings").await;
    let accepted =
        browser.request(Method::PATCH, &url).header("x-csrf-token", token).json(&body).send().await.unwrap();
    assert_eq!(accepted.status(), StatusCode::OK);
    assert_eq!(app.user("ada").unwrap().role(), Role::Executive);
}
