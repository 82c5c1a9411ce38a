//! In-app notifications: who hears of a decision, replies grouped per object, mentions only
//! where the person may read, exactly once across nodes, the live bell, marking read.

use std::time::Duration;

use agora::domain::account::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;

async fn notifications(app: &TestApp, token: &str) -> Value {
    let response = app.api(Method::GET, "/notifications", token).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// The caller's notifications once `ready` holds (the notifier runs after commit), or
/// whatever there is after five seconds.
async fn until(app: &TestApp, token: &str, ready: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..100 {
        let found = notifications(app, token).await;
        if ready(&found) {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    notifications(app, token).await
}

fn lines_of_kind<'a>(found: &'a Value, kind: &str) -> Vec<&'a Value> {
    found["items"].as_array().unwrap().iter().filter(|l| l["kind"] == kind).collect()
}

/// The notifier may run behind the log: an idea's followers are those of the moment it
/// changed, not of the moment the notifier gets to it. (Votes close before any decision.)
#[tokio::test]
async fn who_hears_of_an_idea_change_is_decided_as_of_the_change() {
    let app = TestApp::spawn().await;
    let admin = app.token_for(&app.given_user("root", Role::Admin));
    let (_, author) = app.given_api_user("author");
    let (early, early_token) = app.given_api_user("early");
    let (late, late_token) = app.given_api_user("late");
    let id = app.submit_idea(&author, "Cheaper steam").await;
    app.api(Method::PUT, &format!("/ideas/{id}/follow"), &early_token).send().await.unwrap();
    app.api(Method::PUT, &format!("/ideas/{id}/vote"), &early_token).send().await.unwrap();
    app.close_quarter_of(&admin, id).await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    app.api(Method::PUT, &format!("/ideas/{id}/follow"), &late_token).send().await.unwrap();

    let told = |verb: &'static str| {
        app.db
            .read_sync(move |c| {
                let log = agora::db::models::activities::after(c, 0, 1000)?;
                let mut change = log
                    .into_iter()
                    .rfind(|a| a.verb == "idea.transitioned" && a.object_id == id)
                    .expect("the move into review");
                // A decision at the same moment reaches voters as well.
                change.verb = verb.into();
                Ok(agora::notify::plan(c, &change)?.into_iter().map(|n| n.user_id).collect::<Vec<_>>())
            })
            .unwrap()
    };
    for verb in ["idea.transitioned", "idea.decided"] {
        let told = told(verb);
        assert!(told.contains(&early.id), "{verb}: {told:?}");
        assert!(!told.contains(&late.id), "{verb}: followed after the change: {told:?}");
    }
}

#[tokio::test]
async fn a_decision_reaches_the_author_voters_and_followers_once_each_across_nodes() {
    let app = TestApp::spawn().await;
    let admin = app.token_for(&app.given_user("root", Role::Admin));
    let grace = app.token_for(&app.given_user("grace", Role::Executive));
    let [author, voter, follower, bystander] =
        ["author", "voter", "follower", "bystander"].map(|h| app.given_api_user(h).1);
    let id = app.submit_idea(&author, "Cheaper steam").await;
    app.api(Method::PUT, &format!("/ideas/{id}/vote"), &voter).send().await.unwrap();
    app.api(Method::PUT, &format!("/ideas/{id}/follow"), &follower).send().await.unwrap();
    app.api(Method::PUT, &format!("/ideas/{id}/follow"), &grace).send().await.unwrap();
    app.close_quarter_of(&admin, id).await;
    let second_node = TestApp::spawn_sharing(&app).await;
    let decided = app
        .api(Method::POST, &format!("/ideas/{id}/decision"), &grace)
        .json(&json!({"decision": "funded", "budget": 1000}))
        .send()
        .await
        .unwrap();
    assert_eq!(decided.status(), StatusCode::OK);

    for token in [&author, &voter, &follower] {
        let found = until(&app, token, |f| !lines_of_kind(f, "decision").is_empty()).await;
        let decision = lines_of_kind(&found, "decision");
        assert_eq!(decision.len(), 1, "{found}");
        assert_eq!(decision[0]["count"], 1, "once, though two nodes run the notifier");
        assert_eq!(decision[0]["url"], format!("/ideas/{id}"));
        let text = decision[0]["text"].as_str().unwrap();
        assert!(
            text.starts_with("grace Tester recorded the board's decision on “Cheaper steam”: funded"),
            "{text}"
        );
    }
    let moved = lines_of_kind(&notifications(&app, &author).await, "idea_state").len();
    assert_eq!(moved, 1, "the author also heard the idea enter review");
    for token in [&bystander, &grace] {
        assert!(
            lines_of_kind(&notifications(&app, token).await, "decision").is_empty(),
            "not the decider nor a bystander"
        );
    }
    drop(second_node);
}

#[tokio::test]
async fn replies_group_mentions_respect_private_communities_and_the_bell_rings_live() {
    let app = TestApp::spawn().await;
    let [ada, bob] = ["ada", "bob"].map(|h| app.given_api_user(h).1);
    let carol = app.token_for(&app.given_user("carol", Role::Employee));
    for (slug, visibility) in [("team", "open"), ("secret", "private")] {
        let body = json!({"slug": slug, "name": slug, "visibility": visibility});
        app.api(Method::POST, "/communities", &ada).json(&body).send().await.unwrap();
    }
    app.api(Method::POST, "/communities/team/join", &bob).send().await.unwrap();
    let post = |slug: &str, body: &str| {
        app.api(Method::POST, &format!("/communities/{slug}/posts"), &ada)
            .json(&json!({"kind": "discussion", "title": "Steam traps", "body": body}))
            .send()
    };
    let post_id = post("team", "Who knows steam traps?").await.unwrap().json::<Value>().await.unwrap()["id"]
        .as_i64()
        .unwrap();
    // Her first post earns ada a badge, and the bell says so; read it before the replies.
    let badge = until(&app, &ada, |f| !lines_of_kind(f, "badge").is_empty()).await;
    assert_eq!(lines_of_kind(&badge, "badge").len(), 1);
    app.api(Method::POST, "/notifications/read", &ada).json(&json!({})).send().await.unwrap();
    let mut bell = app.ws(&ada).await;
    bell.subscribe(&["notifications"], None).await;

    for n in 0..3 {
        let comment = json!({"body": format!("Reply {n} — cc @carol")});
        let response = app
            .api(Method::POST, &format!("/posts/{post_id}/comments"), &bob)
            .json(&comment)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    let rung = bell.next().await;
    assert_eq!((rung["topic"].as_str(), rung["data"]["unread"].as_i64()), (Some("notifications"), Some(1)));
    let found = until(&app, &ada, |f| f["items"][0]["count"] == 3).await;
    assert_eq!(found["unread"], 1, "three replies are one line: {found}");
    assert_eq!(found["items"][0]["text"], "bob commented on “Steam traps” and 2 more");
    let carols = until(&app, &carol, |f| !lines_of_kind(f, "mention").is_empty()).await;
    assert_eq!(lines_of_kind(&carols, "mention")[0]["count"], 3);

    post("secret", "Private plans, @bob").await.unwrap();
    app.notified().await;
    let bob_sees = notifications(&app, &bob).await;
    assert!(lines_of_kind(&bob_sees, "mention").is_empty(), "not a member of secret: {bob_sees}");

    let marked: Value = app
        .api(Method::POST, "/notifications/read", &ada)
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(marked["marked"], 3);
    assert_eq!(notifications(&app, &ada).await["unread"], 0);
    let browser = app.signed_in("carol@example.com").await;
    let page = app.get_as(&browser, "/notifications").await.text().await.unwrap();
    assert!(page.contains("mentioned you on “Steam traps” and 2 more") && page.contains("id=\"bell-count\""));
}

#[tokio::test]
async fn a_join_request_reaches_the_moderators_and_its_approval_the_requester() {
    let app = TestApp::spawn().await;
    let (_, owner) = app.given_api_user("owner");
    let (_, member) = app.given_api_user("member");
    let (_, asker) = app.given_api_user("asker");
    app.given_community(&owner, "lab", "restricted").await;
    app.api(Method::POST, "/communities/lab/join", &member).send().await.unwrap();
    app.api(Method::POST, "/communities/lab/members/member/approve", &owner).send().await.unwrap();
    app.given_community(&owner, "vault", "private").await;
    app.api(Method::POST, "/communities/vault/members/asker/invite", &owner).send().await.unwrap();

    let asked = app.api(Method::POST, "/communities/lab/join", &asker).send().await.unwrap();
    assert!(asked.status().is_success());
    let found =
        until(&app, &owner, |f| lines_of_kind(f, "join_request").first().is_some_and(|l| l["count"] == 2))
            .await;
    let requests = lines_of_kind(&found, "join_request");
    assert_eq!(requests.len(), 1, "one line per community: {found}");
    assert_eq!(requests[0]["text"], "asker asked to join “lab” and 1 more");
    assert_eq!(requests[0]["url"], "/c/lab/members");
    app.notified().await;
    let plain_member = notifications(&app, &member).await;
    assert!(lines_of_kind(&plain_member, "join_request").is_empty(), "members are not asked: {plain_member}");

    app.api(Method::POST, "/communities/lab/members/asker/approve", &owner).send().await.unwrap();
    let found = until(&app, &asker, |f| lines_of_kind(f, "membership").len() == 2).await;
    let texts: Vec<&str> =
        lines_of_kind(&found, "membership").iter().map(|l| l["text"].as_str().unwrap()).collect();
    assert!(texts.contains(&"owner approved your request to join “lab”"), "{texts:?}");
    assert!(
        texts.contains(&"owner invited you to join “vault”"),
        "invited to a private community: {texts:?}"
    );
}

/// A community made private takes its notifications from everyone outside it, read or
/// not: their titles quote what those people may no longer read.
#[tokio::test]
async fn a_community_made_private_takes_its_notifications_from_outsiders() {
    let app = TestApp::spawn().await;
    let [ada, bob, cleo] = ["ada", "bob", "cleo"].map(|h| app.given_api_user(h).1);
    app.given_community(&ada, "lab", "open").await;
    app.api(Method::POST, "/communities/lab/join", &cleo).send().await.unwrap();
    app.given_post(&ada, "lab", "Kiln schedule", "Ask @bob and @cleo").await;
    let told = |found: &Value| found.to_string().contains("Kiln schedule");
    assert!(told(&until(&app, &bob, told).await), "an outsider may read an open community");
    app.api(Method::POST, "/notifications/read", &bob).json(&json!({})).send().await.unwrap();

    let private = app
        .api(Method::PUT, "/communities/lab/visibility", &ada)
        .json(&json!({"visibility": "private"}))
        .send()
        .await
        .unwrap();
    assert_eq!(private.status(), StatusCode::NO_CONTENT);
    app.notified().await;
    assert!(!told(&notifications(&app, &bob).await), "bob is outside it now");
    assert!(told(&notifications(&app, &cleo).await), "members keep theirs");
}
