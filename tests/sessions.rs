//! Server-side sessions: cookies, logout, password change and deactivation end them at once.

use agora::domain::account::Role;
use reqwest::header::COOKIE;
use reqwest::{Method, StatusCode};

use crate::helpers::{PASSWORD, TestApp, location, set_cookies};

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_lax() {
    let app = TestApp::spawn().await;
    app.given_user("ada", Role::Employee);
    let response = app.login(&app.browser(), "ada@example.com", PASSWORD).await;
    let cookies = set_cookies(response.headers());
    assert!(cookies.contains("agora_session="));
    assert!(cookies.contains("HttpOnly") && cookies.contains("SameSite=Lax"));
    assert!(!cookies.contains("Secure"), "plain-HTTP deployments need a non-Secure cookie");

    let tls = TestApp::spawn_with(|s| s.public_url = Some("https://agora.example.com".into())).await;
    tls.given_user("ada", Role::Employee);
    let response = tls.login(&tls.browser(), "ada@example.com", PASSWORD).await;
    assert!(set_cookies(response.headers()).contains("Secure"));
}

/// The raw `agora_session` cookie a browser holds after signing in.
async fn signed_in_cookie(app: &TestApp) -> (reqwest::Client, String) {
    let browser = app.browser();
    let response = app.login(&browser, "ada@example.com", PASSWORD).await;
    let cookie = set_cookies(response.headers())
        .lines()
        .find_map(|c| c.strip_prefix("agora_session=").map(|v| v.split(';').next().unwrap().to_owned()))
        .expect("session cookie");
    (browser, format!("agora_session={cookie}"))
}

#[tokio::test]
async fn logout_ends_the_session_even_for_a_copied_cookie() {
    let app = TestApp::spawn().await;
    app.given_user("ada", Role::Employee);
    let (browser, cookie) = signed_in_cookie(&app).await;
    let replay =
        |c: &str| app.client.get(format!("{}/settings", app.url)).header(COOKIE, c.to_owned()).send();
    assert_eq!(replay(&cookie).await.unwrap().status(), StatusCode::OK);

    let response = app.submit(&browser, "/settings", "/logout", &[]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let after = replay(&cookie).await.unwrap();
    assert_eq!(after.status(), StatusCode::SEE_OTHER, "the stolen cookie no longer works");
    assert!(location(&after).starts_with("/login"));
}

#[tokio::test]
async fn changing_the_password_signs_out_other_devices_but_not_this_one() {
    let app = TestApp::spawn().await;
    app.given_user("ada", Role::Employee);
    let laptop = app.signed_in("ada@example.com").await;
    let phone = app.signed_in("ada@example.com").await;

    let wrong = app
        .submit(
            &laptop,
            "/settings",
            "/settings/password",
            &[("current_password", "not my password"), ("new_password", "a brand new password")],
        )
        .await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.text().await.unwrap().contains("the current password is not right"));

    let fields = [("current_password", PASSWORD), ("new_password", "a brand new password")];
    let response = app.submit(&laptop, "/settings", "/settings/password", &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.get_as(&laptop, "/settings").await.status(), StatusCode::OK);
    assert_eq!(app.get_as(&phone, "/settings").await.status(), StatusCode::SEE_OTHER);

    assert_eq!(
        app.login(&app.browser(), "ada@example.com", PASSWORD).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.login(&app.browser(), "ada@example.com", "a brand new password").await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn deactivation_ends_sessions_and_tokens_at_once_and_is_audited() {
    let app = TestApp::spawn().await;
    let admin = app.given_user("root", Role::Admin);
    let ada = app.given_user("ada", Role::Employee);
    let admin_token = app.token_for(&admin);
    let ada_token = app.token_for(&ada);
    let browser = app.signed_in("ada@example.com").await;
    assert_eq!(app.get_as(&browser, "/settings").await.status(), StatusCode::OK);

    let response = app
        .api(Method::PATCH, "/admin/users/ada", &admin_token)
        .json(&serde_json::json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<serde_json::Value>().await.unwrap()["active"], false);

    assert_eq!(app.get_as(&browser, "/settings").await.status(), StatusCode::SEE_OTHER);
    let api = app.api(Method::GET, "/me", &ada_token).send().await.unwrap();
    assert_eq!(api.status(), StatusCode::UNAUTHORIZED);
    let actions =
        app.db.read_sync(move |c| Ok(agora::db::models::audit::actions_for(c, "user", ada.id)?)).unwrap();
    assert_eq!(actions, ["user.deactivated"]);
}

#[tokio::test]
async fn a_session_from_one_node_works_on_another() {
    let first = TestApp::spawn().await;
    first.given_user("ada", Role::Employee);
    let second = TestApp::spawn_sharing(&first).await;
    let (_, cookie) = signed_in_cookie(&first).await;
    let response =
        second.client.get(format!("{}/settings", second.url)).header(COOKIE, cookie).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn reading_pages_anonymously_creates_no_session() {
    let app = TestApp::spawn().await;
    for path in ["/", "/no/such/page"] {
        let response = app.get(path).await;
        assert!(set_cookies(response.headers()).is_empty(), "{path} set a cookie");
    }
    let login = app.get("/login").await;
    assert!(
        set_cookies(login.headers()).contains("agora_session="),
        "a form page needs a session for its token"
    );
}

#[tokio::test]
async fn no_sign_in_outlives_the_absolute_limit_however_active() {
    use agora::db::schema::sessions;
    use diesel::prelude::*;
    let app = TestApp::spawn_with(|s| s.session_max_days = 7).await;
    app.given_user("ada", Role::Employee);
    let browser = app.signed_in("ada@example.com").await;
    assert_eq!(app.get_as(&browser, "/settings").await.status(), StatusCode::OK);
    // Six days in, still signed in; past seven, signed out however recently it was used.
    for (days, signed_in) in [(6, true), (8, false)] {
        let born = agora::db::models::now() - chrono::Duration::days(days);
        app.db
            .write_sync(move |c| {
                Ok(diesel::update(sessions::table).set(sessions::created_at.eq(born)).execute(c)?)
            })
            .unwrap();
        let response = app.get_as(&browser, "/settings").await;
        if signed_in {
            assert_eq!(response.status(), StatusCode::OK, "{days} days");
        } else {
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{days} days");
            assert!(location(&response).starts_with("/login"));
        }
    }
}

/// Reading pages signed in leaves the session row alone: a write per page view would queue
/// every reader behind SQLite's single writer. Only a page that shows a one-time notice
/// changes it.
#[tokio::test]
async fn reading_pages_signed_in_writes_nothing_to_the_session() {
    use agora::db::schema::sessions;
    use diesel::prelude::*;
    let app = TestApp::spawn().await;
    app.given_user("ada", Role::Employee);
    let browser = app.signed_in("ada@example.com").await;
    let row = || {
        app.db
            .read_sync(|c| {
                Ok(sessions::table
                    .select((sessions::state, sessions::expires_at))
                    .load::<(String, chrono::NaiveDateTime)>(c)?)
            })
            .unwrap()
    };
    // The first page with a form stores the session's CSRF token: one write, once.
    assert_eq!(app.get_as(&browser, "/").await.status(), StatusCode::OK);
    let before = row();
    // A write would move the expiry.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    for path in ["/", "/c", "/ideas", "/settings", "/people"] {
        assert_eq!(app.get_as(&browser, path).await.status(), StatusCode::OK, "{path}");
    }
    assert_eq!(row(), before);
}

/// A sign-in ends after `session_idle_minutes` without a request. Any request counts as
/// use, reads included, but a read moves the expiry only once it has fallen behind by a
/// fiftieth of the idle time, so reading costs a write at most that often. The browser
/// keeps the cookie as long as the longest sign-in: the server decides when it is over.
#[tokio::test]
async fn an_idle_sign_in_ends_and_a_used_one_lives_on() {
    use agora::db::schema::sessions;
    use diesel::prelude::*;
    let app = TestApp::spawn_with(|s| s.session_idle_minutes = 60).await;
    app.given_user("ada", Role::Employee);
    let browser = app.browser();
    let login = app.login(&browser, "ada@example.com", PASSWORD).await;
    assert!(set_cookies(login.headers()).contains(&format!("Max-Age={}", 90 * 24 * 3600)));
    let expiry = || {
        app.db
            .read_sync(|c| {
                Ok(sessions::table.select(sessions::expires_at).first::<chrono::NaiveDateTime>(c)?)
            })
            .unwrap()
    };
    let set_expiry = |minutes: i64| {
        let at = agora::db::models::now() + chrono::Duration::minutes(minutes);
        app.db
            .write_sync(move |c| {
                Ok(diesel::update(sessions::table).set(sessions::expires_at.eq(at)).execute(c)?)
            })
            .unwrap();
    };
    let minutes_left = || (expiry() - agora::db::models::now()).num_minutes();
    assert_eq!(app.get_as(&browser, "/settings").await.status(), StatusCode::OK);
    assert!(minutes_left() >= 59, "an hour from the last request");

    // Fifty minutes idle: still signed in, and this read gives it a full hour again.
    set_expiry(10);
    assert_eq!(app.get_as(&browser, "/settings").await.status(), StatusCode::OK);
    assert!(minutes_left() >= 59, "{} minutes left", minutes_left());
    // Another read straight after writes nothing.
    let before = expiry();
    assert_eq!(app.get_as(&browser, "/").await.status(), StatusCode::OK);
    assert_eq!(expiry(), before);

    // An hour and a minute idle: signed out, however fresh the cookie.
    set_expiry(-1);
    let response = app.get_as(&browser, "/settings").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(location(&response).starts_with("/login"));
}
