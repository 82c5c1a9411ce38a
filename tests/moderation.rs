//! Moderation: reports reach only the item's moderators; the moderator scope matrix; hiding
//! takes content out of pages, feeds, search, live pages and notifications and restoring
//! brings it back; the report threshold; locks, bans and suspensions; the audit log.

use std::time::Duration;

use agora::domain::account::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;

/// A community `plant` owned by ada with `mod` as moderator and grace and carl as members.
struct Plant {
    ada: String,
    moderator: String,
    grace: String,
    carl: String,
}

async fn plant(app: &TestApp) -> Plant {
    let [ada, moderator, grace, carl] = ["ada", "mod", "grace", "carl"].map(|h| app.given_api_user(h).1);
    app.given_community(&ada, "plant", "open").await;
    for token in [&moderator, &grace, &carl] {
        app.api(Method::POST, "/communities/plant/join", token).send().await.unwrap();
    }
    let made = app
        .api(Method::PUT, "/communities/plant/members/mod/role", &ada)
        .json(&json!({"role": "moderator"}))
        .send()
        .await
        .unwrap();
    assert!(made.status().is_success());
    Plant { ada, moderator, grace, carl }
}

async fn report(
    app: &TestApp,
    token: &str,
    target: &str,
    id: i64,
    reason: &str,
    note: &str,
) -> reqwest::Response {
    let body = json!({"target_type": target, "target_id": id, "reason": reason, "note": note});
    app.api(Method::POST, "/reports", token).json(&body).send().await.unwrap()
}

async fn act(
    app: &TestApp,
    token: &str,
    target: &str,
    id: i64,
    action: &str,
    extra: Value,
) -> reqwest::Response {
    let mut body =
        json!({"target_type": target, "target_id": id, "action": action, "reason": "Breaks the rules"});
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    app.api(Method::POST, "/moderation/actions", token).json(&body).send().await.unwrap()
}

async fn queue(app: &TestApp, token: &str) -> Vec<Value> {
    app.get_json("/moderation/queue", token).await.as_array().unwrap().clone()
}

async fn kinds_of(app: &TestApp, token: &str) -> Vec<String> {
    let found = app.get_json("/notifications", token).await;
    found["items"].as_array().unwrap().iter().map(|l| l["kind"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn reports_reach_only_the_moderators_and_bad_reports_are_refused() {
    let app = TestApp::spawn().await;
    let p = plant(&app).await;
    let post = app.given_post(&p.grace, "plant", "Cheap watches", "Buy now").await;

    let first = report(&app, &p.carl, "post", post, "spam", "An advert").await;
    assert_eq!(first.status(), StatusCode::CREATED);
    let again = report(&app, &p.carl, "post", post, "harassment", "").await;
    assert_eq!(again.status(), StatusCode::OK, "one report per member and item");
    assert_eq!(again.json::<Value>().await.unwrap()["created"], false);
    assert_eq!(
        report(&app, &p.grace, "post", post, "spam", "").await.status(),
        StatusCode::CONFLICT,
        "own post"
    );
    assert_eq!(
        report(&app, &p.carl, "post", post, "other", " ").await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        report(&app, &p.carl, "post", post, "boring", "").await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(report(&app, &p.carl, "post", 999_999, "spam", "").await.status(), StatusCode::NOT_FOUND);
    let (_, outsider) = app.given_api_user("outsider");
    app.given_community(&p.ada, "vault", "private").await;
    let secret = app.given_post(&p.ada, "vault", "Secret", "Plans").await;
    assert_eq!(report(&app, &outsider, "post", secret, "spam", "").await.status(), StatusCode::NOT_FOUND);

    app.notified().await;
    for moderator in [&p.ada, &p.moderator] {
        assert!(kinds_of(&app, moderator).await.contains(&"report".to_owned()), "moderators hear of it");
    }
    assert!(
        !kinds_of(&app, &p.grace).await.contains(&"report".to_owned()),
        "the author is not told who reported"
    );

    let items = queue(&app, &p.moderator).await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["reports"], 1);
    assert_eq!(items[0]["reasons"][0]["reason"], "spam");
    assert_eq!(items[0]["notes"][0], "An advert");
    assert_eq!(items[0]["reporters"][0]["name"], "carl");
    assert_eq!(items[0]["reporters"][0]["decided"], 0, "carl's first report");
    assert!(queue(&app, &p.carl).await.is_empty(), "members see no queue");
    let page = app.get_as(&app.signed_in_as("carl").await, "/admin/moderation").await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn moderators_act_only_in_their_communities_and_only_admins_suspend() {
    let app = TestApp::spawn().await;
    let p = plant(&app).await;
    let admin = app.token_for(&app.given_user("root", Role::Admin));
    app.given_community(&p.grace, "lab", "open").await;
    app.api(Method::POST, "/communities/lab/join", &p.carl).send().await.unwrap();
    let here = app.given_post(&p.carl, "plant", "Here", "Text").await;
    let there = app.given_post(&p.carl, "lab", "There", "Text").await;
    report(&app, &p.grace, "post", here, "spam", "").await;
    report(&app, &p.ada, "post", there, "spam", "").await;

    let titles =
        |items: Vec<Value>| items.iter().map(|i| i["title"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    assert_eq!(titles(queue(&app, &p.moderator).await), ["Here"], "plant's moderator sees plant only");
    assert_eq!(titles(queue(&app, &admin).await).len(), 2, "admins see everything");

    assert_eq!(
        act(&app, &p.moderator, "post", there, "hide", json!({})).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(act(&app, &p.carl, "post", here, "hide", json!({})).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        act(&app, &p.moderator, "post", here, "suspend", json!({})).await.status(),
        StatusCode::FORBIDDEN
    );
    let blank = act(&app, &p.moderator, "post", here, "hide", json!({"reason": "  "})).await;
    assert_eq!(blank.status(), StatusCode::UNPROCESSABLE_ENTITY, "a reason is required");
    let hidden = act(&app, &p.moderator, "post", here, "hide", json!({})).await;
    assert_eq!(hidden.status(), StatusCode::OK);
    assert_eq!(hidden.json::<Value>().await.unwrap()["reports_resolved"], 1);
    assert_eq!(act(&app, &p.moderator, "post", here, "hide", json!({})).await.status(), StatusCode::CONFLICT);
    assert_eq!(
        act(&app, &p.moderator, "post", here, "dismiss", json!({})).await.status(),
        StatusCode::CONFLICT
    );
    assert_eq!(act(&app, &admin, "post", there, "dismiss", json!({})).await.status(), StatusCode::OK);
    assert!(queue(&app, &admin).await.is_empty(), "both settled");
    // Grace's report was upheld, ada's dismissed: the queue shows each reporter's record.
    let next = app.given_post(&p.carl, "plant", "Again", "Text").await;
    report(&app, &p.grace, "post", next, "spam", "").await;
    let items = queue(&app, &p.moderator).await;
    assert_eq!(
        (items[0]["reporters"][0]["upheld"].as_i64(), items[0]["reporters"][0]["decided"].as_i64()),
        (Some(1), Some(1))
    );
}

#[tokio::test]
async fn hiding_takes_content_out_of_every_view_and_restoring_brings_it_back() {
    let app = TestApp::spawn().await;
    let p = plant(&app).await;
    let post = app.given_post(&p.grace, "plant", "Zebra canary", "Quagga canary text").await;
    app.given_comment(&p.carl, post, "Okapi canary comment").await;
    app.indexed().await;
    app.notified().await;
    assert!(kinds_of(&app, &p.grace).await.contains(&"reply".to_owned()), "grace heard of carl's comment");
    let found = |q: &'static str| {
        let (app, carl) = (&app, &p.carl);
        async move { app.get_json(&format!("/search?q={q}"), carl).await["total"].as_i64().unwrap() }
    };
    assert_eq!(found("quagga").await, 1);
    let feed_has = |token: &str| {
        let token = token.to_owned();
        let app = &app;
        async move { app.get_json("/feed", &token).await.to_string().contains("Zebra canary") }
    };
    assert!(feed_has(&p.carl).await);
    let mut ws = app.ws(&p.carl).await;
    ws.subscribe(&["community:plant"], Some(app.latest())).await;

    assert_eq!(
        act(&app, &p.moderator, "post", post, "hide", json!({"reason": "Off-topic sales"})).await.status(),
        StatusCode::OK
    );
    let event = ws.next().await;
    assert_eq!(event["verb"], "post.hidden", "open community pages drop it at once: {event}");
    app.indexed().await;
    assert_eq!(found("quagga").await, 0, "the post left search");
    assert_eq!(found("okapi").await, 0, "and its comments with it");
    assert!(!feed_has(&p.carl).await, "the feed no longer shows it");
    let listed = app.get_json("/communities/plant/posts", &p.carl).await;
    assert!(!listed.to_string().contains("Zebra canary"), "{listed}");
    let browser = app.signed_in_as("carl").await;
    let page = app.get_as(&browser, &format!("/posts/{post}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("hidden by the moderators: Off-topic sales"), "a notice instead");
    assert!(!html.contains("canary"), "no trace of the words: {html}");
    let moderator_view = app.get_as(&app.signed_in_as("mod").await, &format!("/posts/{post}")).await;
    assert!(moderator_view.text().await.unwrap().contains("Quagga canary text"), "moderators still see it");
    let comment = app
        .api(Method::POST, &format!("/posts/{post}/comments"), &p.carl)
        .json(&json!({"body": "hi"}))
        .send();
    assert_eq!(comment.await.unwrap().status(), StatusCode::NOT_FOUND);
    app.notified().await;
    let told = app.get_json("/notifications", &p.grace).await;
    assert!(told.to_string().contains("hid your post on “Zebra canary”: Off-topic sales"), "{told}");
    assert!(
        !kinds_of(&app, &p.grace).await.contains(&"reply".to_owned()),
        "the unread reply about it went: {told}"
    );

    // Members read the community's log, reporters unnamed; the audit log has the reason.
    let log = app.get_as(&browser, "/c/plant/moderation").await.text().await.unwrap();
    assert!(log.contains("post.hidden") && log.contains("Off-topic sales"));
    let admin = app.token_for(&app.given_user("root", Role::Admin));
    let audit = app.get_json("/admin/audit?action=post.", &admin).await;
    assert_eq!(audit["items"][0]["action"], "post.hidden");
    assert_eq!(audit["items"][0]["details"]["reason"], "Off-topic sales");
    assert_eq!(audit["items"][0]["actor"], "mod");
    assert_eq!(app.get_as(&browser, "/admin/audit").await.status(), StatusCode::NOT_FOUND);

    assert_eq!(act(&app, &p.moderator, "post", post, "restore", json!({})).await.status(), StatusCode::OK);
    app.indexed().await;
    assert_eq!(found("quagga").await, 1);
    assert_eq!(found("okapi").await, 1);
    assert!(feed_has(&p.carl).await, "back in the feed");
    assert_eq!(
        act(&app, &p.moderator, "post", post, "restore", json!({})).await.status(),
        StatusCode::CONFLICT
    );
}

#[tokio::test]
async fn enough_reports_hide_an_item_until_a_moderator_dismisses_them() {
    let app = TestApp::spawn_with(|s| s.auto_hide_reports = 2).await;
    let p = plant(&app).await;
    let post = app.given_post(&p.grace, "plant", "Rant", "Angry words").await;
    report(&app, &p.carl, "post", post, "harassment", "").await;
    let page = app.get_as(&app.signed_in_as("carl").await, &format!("/posts/{post}")).await;
    assert!(page.text().await.unwrap().contains("Angry words"), "one report hides nothing");
    report(&app, &p.ada, "post", post, "harassment", "").await;
    let page = app.get_as(&app.signed_in_as("carl").await, &format!("/posts/{post}")).await;
    let html = page.text().await.unwrap();
    assert!(!html.contains("Angry words") && html.contains("Hidden automatically"), "{html}");
    let items = queue(&app, &p.moderator).await;
    assert_eq!((items[0]["hidden"].as_bool(), items[0]["reports"].as_i64()), (Some(true), Some(2)));

    assert_eq!(act(&app, &p.moderator, "post", post, "dismiss", json!({})).await.status(), StatusCode::OK);
    let page = app.get_as(&app.signed_in_as("carl").await, &format!("/posts/{post}")).await;
    assert!(page.text().await.unwrap().contains("Angry words"), "dismissal restores it");
    let admin = app.token_for(&app.given_user("root", Role::Admin));
    let audit = app.get_json("/admin/audit?action=post.", &admin).await;
    let actions: Vec<&str> =
        audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["post.reports_dismissed", "post.auto_hidden"]);
    assert_eq!(audit["items"][1]["actor"], Value::Null, "the system hid it");
}

#[tokio::test]
async fn locks_bans_and_suspensions_hold() {
    let app = TestApp::spawn().await;
    let p = plant(&app).await;
    let root = app.given_user("root", Role::Admin);
    let admin = app.token_for(&root);
    let post = app.given_post(&p.carl, "plant", "Flame war", "Text").await;

    assert_eq!(act(&app, &p.moderator, "post", post, "lock", json!({})).await.status(), StatusCode::OK);
    assert_eq!(act(&app, &p.moderator, "post", post, "lock", json!({})).await.status(), StatusCode::CONFLICT);
    let comment = |token: &str| {
        app.api(Method::POST, &format!("/posts/{post}/comments"), token)
            .json(&json!({"body": "One more"}))
            .send()
    };
    assert_eq!(comment(&p.grace).await.unwrap().status(), StatusCode::CONFLICT, "locked");
    assert_eq!(
        comment(&p.moderator).await.unwrap().status(),
        StatusCode::CREATED,
        "moderators may still answer"
    );

    let past = act(&app, &p.moderator, "post", post, "ban", json!({"until": "2001-01-01T00:00:00"})).await;
    assert_eq!(past.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let banned = act(&app, &p.moderator, "post", post, "ban", json!({"until": "2099-01-01T00:00:00"})).await;
    assert_eq!(banned.status(), StatusCode::OK);
    let rejoin = app.api(Method::POST, "/communities/plant/join", &p.carl).send().await.unwrap();
    assert_eq!(rejoin.status(), StatusCode::CONFLICT);
    assert!(rejoin.text().await.unwrap().contains("banned from this community until 2099-01-01"));
    let posting = app
        .api(Method::POST, "/communities/plant/posts", &p.carl)
        .json(&json!({"kind": "discussion", "title": "Back", "body": "Hi"}))
        .send()
        .await
        .unwrap();
    assert_eq!(posting.status(), StatusCode::FORBIDDEN, "no longer a member");
    app.notified().await;
    assert!(
        app.get_json("/notifications", &p.carl)
            .await
            .to_string()
            .contains("banned you from “plant” until 2099-01-01")
    );
    let audit = app.get_json("/admin/audit", &admin).await;
    let actions: Vec<&str> =
        audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["member.banned", "post.locked"], "each action is audited");
    assert_eq!(audit["items"][0]["details"]["until"], "2099-01-01T00:00:00");
    // An admin's post: no ban; one's own: neither ban nor suspension.
    app.api(Method::POST, "/communities/plant/join", &admin).send().await.unwrap();
    let admins = app.given_post(&admin, "plant", "Admin notes", "Text").await;
    assert_eq!(
        act(&app, &p.moderator, "post", admins, "ban", json!({})).await.status(),
        StatusCode::CONFLICT
    );
    assert_eq!(act(&app, &admin, "post", admins, "suspend", json!({})).await.status(), StatusCode::CONFLICT);

    let grace_post = app.given_post(&p.grace, "plant", "Spam", "Buy").await;
    let grace_browser = app.signed_in_as("grace").await;
    let mut ws = app.ws(&p.grace).await;
    ws.subscribe(&["home"], Some(app.latest())).await;
    assert_eq!(act(&app, &admin, "post", grace_post, "suspend", json!({})).await.status(), StatusCode::OK);
    loop {
        match ws.next_within(Duration::from_secs(10)).await {
            Ok(Some(_)) => continue,
            Ok(None) => panic!("the suspended account's socket stayed open"),
            Err(_) => break,
        }
    }
    assert_eq!(
        app.get_as(&grace_browser, "/settings").await.status(),
        StatusCode::SEE_OTHER,
        "signed out at once"
    );
    let me = app.api(Method::GET, "/me", &p.grace).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED);
    let audit = app.get_json("/admin/audit?action=user.suspended", &admin).await;
    assert_eq!(audit["items"][0]["target_id"], app.user("grace").unwrap().id);
}
