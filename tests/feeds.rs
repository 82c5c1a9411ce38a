//! Feeds from the activity log: home (your communities, people and #tags you follow),
//! ActivityStreams output, following, and the live `home` topic.

use std::time::Duration;

use agora::domain::account::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;

/// ada owns open `team` and private `secret`; bob is in neither; eve posts in `other`.
async fn world(app: &TestApp) -> [String; 3] {
    let tokens = ["ada", "bob", "eve"].map(|h| app.token_for(&app.given_user(h, Role::Employee)));
    for (owner, slug, visibility) in [(0, "team", "open"), (0, "secret", "private"), (2, "other", "open")] {
        let body = json!({"slug": slug, "name": format!("The {slug}"), "visibility": visibility});
        app.api(Method::POST, "/communities", &tokens[owner]).json(&body).send().await.unwrap();
    }
    tokens
}

async fn post(app: &TestApp, token: &str, slug: &str, title: &str, body: &str) -> i64 {
    let body = json!({"kind": "discussion", "title": title, "body": body});
    let response =
        app.api(Method::POST, &format!("/communities/{slug}/posts"), token).json(&body).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

async fn feed_titles(app: &TestApp, token: &str) -> Vec<String> {
    let feed: Value = app.get_json("/feed?limit=100", token).await;
    let posts = feed["items"].as_array().unwrap().iter().filter(|a| a["verb"] == "post.created");
    posts.filter_map(|a| a["object"]["name"].as_str().map(str::to_owned)).collect()
}

#[tokio::test]
async fn home_holds_your_communities_people_and_tags_and_nothing_you_may_not_see() {
    let app = TestApp::spawn().await;
    let [ada, bob, eve] = world(&app).await;
    app.api(Method::POST, "/communities/other/join", &bob).send().await.unwrap();
    post(&app, &eve, "other", "Joined community post", "in other").await;
    post(&app, &ada, "team", "Followed person post", "open").await;
    post(&app, &ada, "secret", "Private post", "for members").await;
    post(&app, &ada, "team", "Tagged post", "about #rust").await;
    assert_eq!(feed_titles(&app, &bob).await, ["Joined community post"]);

    for path in ["/users/ada/follow", "/users/ada/follow", "/tags/rust/follow"] {
        assert_eq!(
            app.api(Method::PUT, path, &bob).send().await.unwrap().status(),
            StatusCode::NO_CONTENT,
            "{path}"
        );
    }
    let titles = feed_titles(&app, &bob).await;
    assert_eq!(
        titles,
        ["Tagged post", "Followed person post", "Joined community post"],
        "newest first, private left out"
    );

    assert_eq!(
        app.api(Method::DELETE, "/users/ada/follow", &bob).send().await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    app.api(Method::DELETE, "/tags/rust/follow", &bob).send().await.unwrap();
    assert_eq!(feed_titles(&app, &bob).await, ["Joined community post"]);

    assert_eq!(
        app.api(Method::PUT, "/users/bob/follow", &bob).send().await.unwrap().status(),
        StatusCode::CONFLICT
    );
    assert_eq!(
        app.api(Method::PUT, "/users/nobody/follow", &bob).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.api(Method::PUT, "/tags/not%20a%20tag/follow", &bob).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

/// Every page of a home feed through the API, `limit` at a time: the posts' titles.
async fn all_pages(app: &TestApp, token: &str, limit: usize) -> Vec<String> {
    let (mut titles, mut cursor) = (Vec::new(), String::new());
    loop {
        let page: Value = app.get_json(&format!("/feed?limit={limit}{cursor}"), token).await;
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= limit);
        let posts = items.iter().filter(|a| a["verb"] == "post.created");
        titles.extend(posts.filter_map(|a| a["object"]["name"].as_str().map(str::to_owned)));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = format!("&cursor={next}"),
            None => return titles,
        }
    }
}

/// The home feed takes the newest entries of each source (community, person, tag) and
/// merges them: a busy source must not push a quiet one off the pages, a followed
/// person's entries the reader may not see must not use up that person's share, and an
/// entry that several sources hold (a followed person's tagged post in the reader's
/// community) shows once.
#[tokio::test]
async fn the_home_feed_merges_busy_and_quiet_sources_page_by_page() {
    let app = TestApp::spawn().await;
    let [ada, bob, eve] = world(&app).await;
    for path in ["/users/ada/follow", "/users/eve/follow", "/tags/busy/follow"] {
        app.api(Method::PUT, path, &bob).send().await.unwrap();
    }
    app.api(Method::POST, "/communities/other/join", &bob).send().await.unwrap();
    post(&app, &ada, "team", "Ada in the open", "x").await;
    for n in 0..12 {
        post(&app, &ada, "secret", &format!("Ada secret {n}"), "x").await;
    }
    for n in 0..12 {
        post(&app, &eve, "other", &format!("Eve busy {n}"), "#busy").await;
    }
    let mut expected: Vec<String> = (0..12).rev().map(|n| format!("Eve busy {n}")).collect();
    expected.push("Ada in the open".into());
    // Pages of 5: the feed reads 5 per source per page, fewer than ada's hidden posts.
    assert_eq!(all_pages(&app, &bob, 5).await, expected);
    assert_eq!(all_pages(&app, &bob, 100).await, expected);
    // ada sees her own secret posts among them, newest first.
    let own = all_pages(&app, &ada, 4).await;
    assert_eq!(own.len(), 13, "{own:?}");
    assert_eq!(own[0], "Ada secret 11");
}

#[tokio::test]
async fn the_home_page_groups_comments_and_pages_through_older_activity() {
    let app = TestApp::spawn().await;
    let [ada, bob, eve] = world(&app).await;
    for token in [&bob, &eve] {
        app.api(Method::POST, "/communities/team/join", token).send().await.unwrap();
    }
    let id = post(&app, &ada, "team", "Gate 7 near miss", "Mirrors?").await;
    for token in [&bob, &eve, &bob] {
        app.api(Method::POST, &format!("/posts/{id}/comments"), token)
            .json(&json!({"body": "+1"}))
            .send()
            .await
            .unwrap();
    }
    let browser = app.signed_in("ada@example.com").await;
    let page = app.get_as(&browser, "/").await.text().await.unwrap();
    assert!(page.contains("bob Tester</a></strong> and 1 other"), "three comments by two people, one line");
    assert!(page.contains("posted") && page.contains("Gate 7 near miss"));

    for n in 0..32 {
        post(&app, &ada, "team", &format!("Bulk {n}"), "x").await;
    }
    let page = app.get_as(&browser, "/").await.text().await.unwrap();
    let older =
        page.split("href=\"/?before=").nth(1).expect("a link to older activity").split('"').next().unwrap();
    let page = app.get_as(&browser, &format!("/?before={older}")).await.text().await.unwrap();
    assert!(page.contains("Gate 7 near miss") && !page.contains("Bulk 31"));
}

#[tokio::test]
async fn the_activity_collection_is_activitystreams_and_respects_privacy() {
    let app = TestApp::spawn().await;
    let [ada, bob, _] = world(&app).await;
    post(&app, &ada, "team", "Open news", "x").await;
    post(&app, &ada, "secret", "Secret news", "x").await;
    let response = app.api(Method::GET, "/activity?since=0&limit=100", &bob).send().await.unwrap();
    assert_eq!(response.headers()["content-type"], "application/activity+json");
    let page: Value = response.json().await.unwrap();
    assert_eq!(page["@context"], "https://www.w3.org/ns/activitystreams");
    assert_eq!(page["type"], "OrderedCollectionPage");
    let items = page["orderedItems"].as_array().unwrap();
    let created: Vec<&Value> = items.iter().filter(|a| a["verb"] == "post.created").collect();
    assert_eq!(created.len(), 1, "the private post is absent");
    let open = created[0];
    assert_eq!(open["type"], "Create");
    assert_eq!(open["object"]["type"], "Article");
    assert_eq!(open["object"]["name"], "Open news");
    assert_eq!(open["actor"]["preferredUsername"], "ada");
    assert_eq!(open["target"]["type"], "Group");
    assert!(open["published"].as_str().unwrap().ends_with("+00:00"));
    let ids: Vec<i64> = items
        .iter()
        .map(|a| a["id"].as_str().unwrap().rsplit('/').next().unwrap().parse().unwrap())
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "oldest first");

    let first: Value = app.get_json("/activity?since=0&limit=1", &ada).await;
    let next = first["next"].as_str().expect("a next page");
    assert!(next.contains("since=") && next.contains("limit=1"));
}

#[tokio::test]
async fn the_live_home_topic_follows_people_and_tags() {
    let app = TestApp::spawn().await;
    let [ada, bob, eve] = world(&app).await;
    let mut ws = app.ws(&bob).await;
    ws.subscribe(&["home"], Some(app.latest())).await;
    post(&app, &eve, "other", "Not followed yet", "x").await;
    ws.expect_silence(Duration::from_millis(600)).await;

    app.api(Method::PUT, "/users/eve/follow", &bob).send().await.unwrap();
    app.api(Method::PUT, "/tags/launch/follow", &bob).send().await.unwrap();
    let from_eve = post(&app, &eve, "other", "Followed now", "x").await;
    let message = ws.next().await;
    assert_eq!(
        (message["topic"].as_str(), message["data"]["object_id"].as_i64()),
        (Some("home"), Some(from_eve))
    );
    let tagged = post(&app, &ada, "team", "Tagged", "#launch day").await;
    assert_eq!(ws.next().await["data"]["object_id"], tagged);
    post(&app, &ada, "secret", "Private", "#launch secret").await;
    ws.expect_silence(Duration::from_millis(600)).await;
}

#[tokio::test]
async fn atom_feeds_serve_readers_with_a_session_or_a_token_and_hide_private_content() {
    let app = TestApp::spawn().await;
    let [ada, bob, _] = world(&app).await;
    post(&app, &ada, "team", "Open & <loud>", "**bold** #news").await;
    post(&app, &ada, "secret", "Board minutes", "#news for members").await;

    let browser = app.signed_in("bob@example.com").await;
    let feed = app.get_as(&browser, "/c/team/feed.atom").await;
    assert_eq!(feed.status(), StatusCode::OK);
    assert!(feed.headers()["content-type"].to_str().unwrap().starts_with("application/atom+xml"));
    let xml = feed.text().await.unwrap();
    assert!(xml.contains("<feed") && xml.contains("Open &amp; &lt;loud&gt;"), "{xml}");
    assert!(xml.contains("&lt;strong&gt;bold&lt;/strong&gt;"), "HTML content is escaped inside the XML");

    let anonymous = app.browser();
    assert_eq!(app.get_as(&anonymous, "/c/secret/feed.atom").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.get_as(&anonymous, &format!("/c/secret/feed.atom?token={bob}")).await.status(),
        StatusCode::NOT_FOUND
    );
    let member = app.get_as(&anonymous, &format!("/c/secret/feed.atom?token={ada}")).await;
    assert_eq!(member.status(), StatusCode::OK);
    assert!(member.text().await.unwrap().contains("Board minutes"));
    let tag =
        app.get_as(&anonymous, &format!("/tags/news/feed.atom?token={bob}")).await.text().await.unwrap();
    assert!(tag.contains("Open &amp;") && !tag.contains("Board minutes"));
    assert_eq!(
        app.get_as(&anonymous, "/c/team/feed.atom?token=agora_pat_wrong").await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn pages_answer_activitystreams_when_asked() {
    let app = TestApp::spawn().await;
    let [ada, _, _] = world(&app).await;
    post(&app, &ada, "team", "Negotiated", "x").await;
    let browser = app.signed_in("bob@example.com").await;
    let accept = "application/activity+json";
    let response = browser.get(format!("{}/c/team", app.url)).header("accept", accept).send().await.unwrap();
    assert_eq!(response.headers()["content-type"], accept);
    let page: Value = response.json().await.unwrap();
    assert!(page["orderedItems"].as_array().unwrap().iter().any(|a| a["object"]["name"] == "Negotiated"));
    let hidden = browser.get(format!("{}/c/secret", app.url)).header("accept", accept).send().await.unwrap();
    assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
    let home = browser.get(format!("{}/", app.url)).header("accept", accept).send().await.unwrap();
    assert_eq!(home.json::<Value>().await.unwrap()["type"], "OrderedCollectionPage");
}

#[tokio::test]
async fn a_persons_feeds_show_only_what_the_reader_may_see() {
    let app = TestApp::spawn().await;
    let [ada, bob, _] = world(&app).await;
    post(&app, &ada, "team", "Ada in the open", "x").await;
    post(&app, &ada, "secret", "Ada in private", "x").await;
    let page: Value = app.get_json("/users/ada/activity", &bob).await;
    let names: Vec<&str> = page["orderedItems"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["object"]["name"].as_str())
        .collect();
    assert!(names.contains(&"Ada in the open") && !names.contains(&"Ada in private"), "{names:?}");
    let own: Value = app.get_json("/users/ada/activity", &ada).await;
    assert!(own["orderedItems"].as_array().unwrap().iter().any(|a| a["object"]["name"] == "Ada in private"));
    assert_eq!(
        app.api(Method::GET, "/users/nobody/activity", &bob).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );

    let anonymous = app.browser();
    let xml =
        app.get_as(&anonymous, &format!("/people/ada/feed.atom?token={bob}")).await.text().await.unwrap();
    assert!(xml.contains("Ada in the open") && !xml.contains("Ada in private"));
}
