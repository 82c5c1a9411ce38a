//! Registration, sign-in and profile through the forms, as a person uses them.

use agora::db::models::activities;
use agora::domain::account::Role;
use reqwest::{Method, StatusCode};

use crate::helpers::{PASSWORD, TestApp, location};

#[tokio::test]
async fn registering_with_an_allowed_domain_signs_in_and_logs_the_join() {
    let app = TestApp::spawn().await;
    let response = app.register(&app.client, "Ada@Example.com", "ada", "Ada Lovelace", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/");

    let home = app.get("/").await.text().await.unwrap();
    assert!(home.contains("Welcome to Agora, Ada Lovelace!"), "flash notice shown once");
    assert!(home.contains("Welcome, Ada Lovelace"));
    assert!(!app.get("/").await.text().await.unwrap().contains("Welcome to Agora, Ada Lovelace!"));

    let user = app.user("ada").expect("stored");
    assert_eq!(user.email, "ada@example.com", "email stored lower-cased");
    assert_eq!(user.role(), Role::Employee);
    assert!(user.password_hash.as_deref().unwrap().starts_with("$argon2id$"));
    let verbs = app.db.read_sync(move |c| Ok(activities::verbs_for(c, "user", user.id)?)).unwrap();
    assert_eq!(verbs, ["user.joined"]);
}

#[tokio::test]
async fn bad_registrations_show_every_field_error_and_create_nothing() {
    let app = TestApp::spawn().await;
    let response = app.register(&app.client, "not-an-email", "-x", "", "short").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(page.contains("enter an email address like name@example.com"));
    assert!(page.contains("use 2–32 letters"));
    assert!(page.contains("enter a name"));
    assert!(page.contains("use at least 10 characters"));
    assert!(page.contains("value=\"not-an-email\""), "typed values are kept");
    assert!(!page.contains("value=\"short\""), "the password is never echoed");
    assert_eq!(app.user_count(), 0);
}

#[tokio::test]
async fn markup_in_input_is_escaped_when_the_form_comes_back() {
    let app = TestApp::spawn().await;
    let response =
        app.register(&app.client, "<script>alert(1)</script>", "ok_handle", "<b>x</b>", "short").await;
    let page = response.text().await.unwrap();
    assert!(!page.contains("<script>alert(1)</script>"));
    assert!(page.contains("&#60;script&#62;") || page.contains("&lt;script&gt;"));
}

#[tokio::test]
async fn duplicate_email_or_handle_is_refused() {
    let app = TestApp::spawn().await;
    app.given_user("ada", Role::Employee);
    let response = app.register(&app.browser(), "ADA@example.com", "Ada", "Another Ada", PASSWORD).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(page.contains("an account with this email already exists"));
    assert!(page.contains("@ada is taken"));
    assert_eq!(app.user_count(), 1);
}

#[tokio::test]
async fn other_domains_need_an_invitation_which_sets_the_role_and_works_once() {
    let app = TestApp::spawn().await;
    let refused = app.register(&app.browser(), "eve@partner.example", "eve", "Eve", PASSWORD).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.text().await.unwrap().contains("accounts for @partner.example need an invitation"));

    let admin = app.given_user("root", Role::Admin);
    let token = app.token_for(&admin);
    let invitation: serde_json::Value = app
        .api(Method::POST, "/admin/users", &token)
        .json(&serde_json::json!({"email": "Eve@Partner.example", "role": "executive"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let link = invitation["invitation_url"].as_str().unwrap();
    let invite = link.split("invite=").nth(1).unwrap();

    let browser = app.browser();
    let page = app.get_as(&browser, &format!("/register?invite={invite}")).await.text().await.unwrap();
    assert!(page.contains("You were invited"));
    let token = crate::helpers::extract_csrf(&page).unwrap();
    let form = [
        ("email", "eve@partner.example"),
        ("handle", "eve"),
        ("name", "Eve Invited"),
        ("password", PASSWORD),
        ("invite", invite),
        ("csrf_token", &token),
    ];
    let response = browser.post(format!("{}/register", app.url)).form(&form).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.user("eve").unwrap().role(), Role::Executive);

    let again = app.browser();
    let token = app.csrf_token(&again, "/register").await;
    let form = [
        ("email", "eve@partner.example"),
        ("handle", "eve2"),
        ("name", "Eve Again"),
        ("password", PASSWORD),
        ("invite", invite),
        ("csrf_token", &token),
    ];
    let reused = again.post(format!("{}/register", app.url)).form(&form).send().await.unwrap();
    assert_eq!(reused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(app.user("eve2").is_none());
}

#[tokio::test]
async fn wrong_password_unknown_email_and_deactivated_accounts_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let user = app.given_user("ada", Role::Employee);
    app.db.write_sync(|c| Ok(agora::db::models::users::set_active(c, user.id, false)?)).unwrap();
    app.given_user("bob", Role::Employee);
    let expected = "that email and password do not match an active account";
    for (email, password) in [
        ("bob@example.com", "wrong password!"),
        ("nobody@example.com", PASSWORD),
        ("ada@example.com", PASSWORD),
    ] {
        let response = app.login(&app.browser(), email, password).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{email}");
        assert!(response.text().await.unwrap().contains(expected), "{email}");
    }
}

#[tokio::test]
async fn signing_in_returns_to_the_page_asked_for_but_never_off_site() {
    let app = TestApp::spawn().await;
    app.given_user("ada", Role::Employee);
    let bounced = app.get("/settings").await;
    assert_eq!(location(&bounced), "/login?next=%2Fsettings");
    for (next, expected) in
        [("/settings", "/settings"), ("//evil.example/x", "/"), ("https://evil.example", "/")]
    {
        let browser = app.browser();
        let response = app
            .submit(
                &browser,
                "/login",
                "/login",
                &[("email", "ada@example.com"), ("password", PASSWORD), ("next", next)],
            )
            .await;
        assert_eq!(location(&response), expected, "next={next}");
    }
}

#[tokio::test]
async fn profile_edits_are_saved_and_validated() {
    let app = TestApp::spawn().await;
    app.given_user("ada", Role::Employee);
    let browser = app.signed_in("ada@example.com").await;
    let fields = [
        ("name", "Ada King"),
        ("title", "Analyst 🧮"),
        ("department", "R&D"),
        ("location", "London"),
        ("bio", "Poetical science"),
    ];
    let response = app.submit(&browser, "/settings", "/settings/profile", &fields).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = app.get_as(&browser, "/settings").await.text().await.unwrap();
    assert!(page.contains("Profile saved."));
    let user = app.user("ada").unwrap();
    assert_eq!(
        (user.name.as_str(), user.title.as_str(), user.department.as_str()),
        ("Ada King", "Analyst 🧮", "R&D")
    );

    let long = "x".repeat(101);
    let bad = [("name", "  "), ("title", long.as_str()), ("department", ""), ("location", ""), ("bio", "")];
    let response = app.submit(&browser, "/settings", "/settings/profile", &bad).await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(page.contains("enter a name") && page.contains("use at most 100 characters"));
    assert_eq!(app.user("ada").unwrap().name, "Ada King", "nothing half-written");
}

#[tokio::test]
async fn racing_registrations_for_one_handle_let_exactly_one_win() {
    let app = TestApp::spawn().await;
    let attempts = (0..8).map(|i| {
        let app = &app;
        async move {
            let email = format!("racer{i}@example.com");
            app.register(&app.browser(), &email, "winner", "Racer", PASSWORD).await.status()
        }
    });
    let statuses = futures_util::future::join_all(attempts).await;
    let wins = statuses.iter().filter(|s| **s == StatusCode::SEE_OTHER).count();
    let refusals = statuses.iter().filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY).count();
    assert_eq!((wins, refusals), (1, 7), "{statuses:?}");
    assert_eq!(app.user_count(), 1);
}

#[tokio::test]
async fn sql_in_input_is_just_text() {
    let app = TestApp::spawn().await;
    app.given_user("ada", Role::Employee);
    let response = app.login(&app.browser(), "' OR '1'='1' --@example.com", "' OR '1'='1").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let browser = app.signed_in("ada@example.com").await;
    let sql = "Robert'); DROP TABLE users;--";
    let fields = [("name", sql), ("title", ""), ("department", ""), ("location", ""), ("bio", "")];
    assert_eq!(
        app.submit(&browser, "/settings", "/settings/profile", &fields).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(app.user("ada").unwrap().name, sql);
}
