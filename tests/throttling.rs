//! Login throttling per account and per address, held in the database for every node.

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
