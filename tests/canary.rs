//! The canary crawl: unique strings are planted where an outsider may never look (a private
//! community, a draft, a moderator's report) and in content that was readable once and then
//! hidden, deleted or edited away. Then the outsider crawls everything the server offers:
//! every page and API read in the route registry with every parameter the world has, every
//! link those pages hold, search, expert search and suggestions for each canary, Atom and
//! ActivityStreams output, websocket events (live and replayed), notifications and mail.
//! No canary may appear anywhere. The crawl is repeated as a member removed from the
//! private community.

use std::collections::{BTreeSet, HashSet, VecDeque};
use std::time::Duration;

use agora::domain::account::Role;
use agora::mail::digest;
use agora::routes::{PAGES, Route, api};
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, Ws};

/// A fresh canary: one lowercase word, so search treats it as a single term.
fn canary() -> String {
    let letters: String = (0..12).map(|_| char::from(b'a' + rand::random::<u8>() % 26)).collect();
    format!("cnry{letters}")
}

/// The canaries, by what the crawler may never have seen (`secret`) and what it could read
/// once before a moderator or author took it away (`gone`).
#[derive(Default)]
struct Canaries {
    secret: Vec<String>,
    gone: Vec<String>,
}

impl Canaries {
    fn secret(&mut self) -> String {
        let c = canary();
        self.secret.push(c.clone());
        c
    }

    fn gone(&mut self) -> String {
        let c = canary();
        self.gone.push(c.clone());
        c
    }

    fn all(&self) -> Vec<String> {
        self.secret.iter().chain(&self.gone).cloned().collect()
    }
}

/// The canaries found in `text`.
fn found<'a>(text: &str, canaries: &'a [String]) -> Vec<&'a str> {
    let text = text.to_lowercase();
    canaries.iter().filter(|c| text.contains(c.as_str())).map(String::as_str).collect()
}

async fn send(app: &TestApp, method: Method, path: &str, token: &str, body: Value) -> Value {
    let response = app.api(method.clone(), path, token).json(&body).send().await.unwrap();
    let status = response.status();
    assert!(status.is_success(), "{method} {path}: {status} {}", response.text().await.unwrap());
    response.json().await.unwrap_or(Value::Null)
}

async fn moderate(app: &TestApp, token: &str, target: &str, id: i64, action: &str) {
    let body = json!({"target_type": target, "target_id": id, "action": action, "reason": "Off-topic"});
    send(app, Method::POST, "/moderation/actions", token, body).await;
}

/// Opens a socket subscribed to every topic the world has; topics the viewer may not see
/// answer errors, which are collected like any other message.
async fn socket(app: &TestApp, token: &str, posts: &[i64], ideas: &[i64], since: Option<i64>) -> Ws {
    let mut topics = vec!["home".to_owned(), "notifications".into(), "community:plaza".into()];
    topics.push("community:vault".into());
    topics.extend(posts.iter().map(|id| format!("post:{id}")));
    topics.extend(ideas.iter().map(|id| format!("idea:{id}")));
    let topics: Vec<&str> = topics.iter().map(String::as_str).collect();
    let mut ws = app.ws(token).await;
    ws.subscribe(&topics, since).await;
    ws
}

/// Everything a socket received until it fell silent.
async fn drain(ws: &mut Ws) -> Vec<Value> {
    let mut messages = Vec::new();
    while let Ok(Some(message)) = ws.next_within(Duration::from_millis(700)).await {
        messages.push(message);
    }
    messages
}

/// The world's parameter values for the registry's paths.
struct Values {
    ids: Vec<i64>,
    slugs: Vec<String>,
    handles: Vec<String>,
    tags: Vec<String>,
    files: Vec<(i64, String)>,
    quarter: String,
}

/// Every URL of `route` with its parameters filled in from `values`.
fn urls(route: &Route, api: bool, values: &Values) -> Vec<String> {
    if route.path.contains("{id}/{name}") {
        return values.files.iter().map(|(id, name)| format!("/files/{id}/{name}")).collect();
    }
    let prefix = if api { "/api/v1" } else { "" };
    let mut out = vec![format!("{prefix}{}", route.path)];
    let expand = |out: Vec<String>, key: &str, with: Vec<String>| -> Vec<String> {
        out.into_iter()
            .flat_map(|url| {
                if url.contains(key) {
                    with.iter().map(|v| url.replace(key, v)).collect::<Vec<_>>()
                } else {
                    vec![url]
                }
            })
            .collect()
    };
    out = expand(out, "{id}", values.ids.iter().map(i64::to_string).collect());
    out = expand(out, "{slug}", values.slugs.clone());
    out = expand(out, "{handle}", values.handles.clone());
    out = expand(out, "{tag}", values.tags.clone());
    out = expand(out, "{quarter}", vec![values.quarter.clone()]);
    out = expand(out, "{token}", vec!["not-a-real-token".into()]);
    out
}

/// What a crawl saw that it must not have.
#[derive(Default)]
struct Crawl {
    seen: HashSet<String>,
    leaks: Vec<String>,
}

impl Crawl {
    /// Records a leak if `text` shows a canary, other than one the request itself named
    /// (a search box or a tag page shows what was asked).
    fn check(&mut self, what: &str, status: StatusCode, text: &str, canaries: &[String]) {
        let mut hits = found(text, canaries);
        hits.retain(|c| !what.contains(c));
        if !hits.is_empty() {
            self.leaks.push(format!("{what} ({status}) shows {hits:?}"));
        }
        if status.is_server_error() {
            self.leaks.push(format!("{what} answered {status}"));
        }
    }

    /// GETs `url` (same-origin path) and returns the body.
    async fn get(&mut self, app: &TestApp, client: &Client, url: &str, canaries: &[String]) -> String {
        let response = client.get(format!("{}{url}", app.url)).send().await.unwrap();
        let status = response.status();
        let location = crate::helpers::location(&response).to_owned();
        let text = response.text().await.unwrap_or_default();
        self.check(&format!("GET {url}"), status, &format!("{location}\n{text}"), canaries);
        text
    }
}

/// Same-origin links and sources of a page, as paths.
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attribute in ["href=\"", "src=\""] {
        let mut rest = html;
        while let Some(start) = rest.find(attribute) {
            rest = &rest[start + attribute.len()..];
            let Some(end) = rest.find('"') else { break };
            let link = rest[..end].replace("&amp;", "&");
            let link = link.split('#').next().unwrap_or_default().to_owned();
            if link.starts_with('/') && !link.starts_with("//") && !link.starts_with("/static/") {
                out.push(link);
            }
        }
    }
    out
}

/// Crawls everything `viewer` can reach (browser session and token) and returns what leaked.
async fn crawl(app: &TestApp, browser: &Client, token: &str, values: &Values, canaries: &[String]) -> Crawl {
    let mut crawl = Crawl::default();
    let mut queue: VecDeque<String> = VecDeque::new();
    let routes = PAGES.iter().map(|r| (r, false)).chain(api::ROUTES.iter().map(|r| (r, true)));
    let mut api_urls = Vec::new();
    for (route, api) in routes.filter(|(r, _)| r.method == "get") {
        if route.path.starts_with("/static") || route.path == "/ws" {
            continue;
        }
        for url in urls(route, api, values) {
            if api { api_urls.push(url) } else { queue.push_back(url) }
        }
    }
    for canary in canaries {
        for path in ["/search?q=", "/experts?q=", "/c?q=", "/people?q=", "/ideas?q="] {
            queue.push_back(format!("{path}{canary}"));
        }
        for path in ["/search?q=", "/search/suggest?q=", "/experts?q=", "/ideas?q="] {
            api_urls.push(format!("/api/v1{path}{canary}"));
        }
    }
    // Pages first, following their links.
    while let Some(url) = queue.pop_front() {
        if !crawl.seen.insert(url.clone()) || crawl.seen.len() > 4_000 {
            continue;
        }
        let html = crawl.get(app, browser, &url, canaries).await;
        for link in links(&html) {
            if !crawl.seen.contains(&link) {
                queue.push_back(link);
            }
        }
    }
    // The API as the viewer's token.
    for url in api_urls {
        let response = app.client.get(format!("{}{url}", app.url)).bearer_auth(token).send().await.unwrap();
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        crawl.check(&format!("API GET {url}"), status, &text, canaries);
    }
    // ActivityStreams, from the pages that offer it (in the browser) and the API's
    // collections (with the token).
    let pages =
        ["/", "/c/plaza", "/c/vault"].map(|url| (url.to_owned(), browser.get(format!("{}{url}", app.url))));
    let collections = ["/api/v1/activity".to_owned()]
        .into_iter()
        .chain(values.handles.iter().map(|h| format!("/api/v1/users/{h}/activity")))
        .map(|url| (url.clone(), app.client.get(format!("{}{url}", app.url)).bearer_auth(token)));
    for (url, request) in pages.into_iter().chain(collections) {
        let response = request.header("accept", "application/activity+json").send().await.unwrap();
        let (status, kind) = (response.status(), response.headers().get("content-type").cloned());
        let text = response.text().await.unwrap_or_default();
        crawl.check(&format!("AS2 {url}"), status, &text, canaries);
        let as2 = kind.as_ref().is_some_and(|k| k.to_str().unwrap_or_default().contains("activity+json"));
        if status.is_success() && !as2 {
            crawl.leaks.push(format!("AS2 {url} answered {kind:?}, not ActivityStreams"));
        }
    }
    // Atom, as a feed reader holding the viewer's token.
    let reader = app.browser();
    let feeds = values
        .slugs
        .iter()
        .map(|s| format!("/c/{s}/feed.atom"))
        .chain(values.tags.iter().map(|t| format!("/tags/{t}/feed.atom")))
        .chain(values.handles.iter().map(|h| format!("/people/{h}/feed.atom")));
    for feed in feeds.collect::<Vec<_>>() {
        crawl.get(app, &reader, &format!("{feed}?token={token}"), canaries).await;
    }
    crawl
}

/// Planted content's ids, for the crawler's parameters and the sockets' topics.
#[derive(Default)]
struct Planted {
    posts: Vec<i64>,
    ideas: Vec<i64>,
    files: Vec<(i64, String)>,
    tags: Vec<String>,
}

/// Alice plants every kind of canary; root (an admin) hides and reads reports.
async fn plant(app: &TestApp, [alice, mallory, eve, root]: [&str; 4], c: &mut Canaries) -> Planted {
    let mut planted = Planted::default();
    // A private community and everything in it.
    let (name, description) = (c.secret(), c.secret());
    let vault = json!({"slug": "vault", "name": format!("Vault {name}"), "visibility": "private",
        "description": format!("About {description}")});
    send(app, Method::POST, "/communities", alice, vault).await;
    send(app, Method::POST, "/communities/vault/members/mallory/invite", alice, json!({})).await;
    send(app, Method::POST, "/communities/vault/join", mallory, json!({})).await;
    let file_name = format!("{}.txt", c.secret());
    let upload = app.given_upload(alice, &file_name, c.secret().as_bytes()).await;
    let upload_id = upload["id"].as_i64().unwrap();
    planted.files.push((upload_id, file_name));
    let tag = c.secret();
    planted.tags.push(tag.clone());
    let body = format!("{} for #{tag}, @eve and @mallory", c.secret());
    let post = json!({"kind": "discussion", "title": c.secret(), "body": body, "uploads": [upload_id]});
    let post = send(app, Method::POST, "/communities/vault/posts", alice, post).await["id"].as_i64().unwrap();
    planted.posts.push(post);
    let comment = json!({"body": format!("{} thanks @alice @eve", c.secret())});
    send(app, Method::POST, &format!("/posts/{post}/comments"), mallory, comment).await;
    let idea = json!({"title": c.secret(), "problem": c.secret(), "proposal": c.secret(), "community": "vault",
        "tags": c.secret()});
    let idea = send(app, Method::POST, "/ideas", alice, idea).await["id"].as_i64().unwrap();
    planted.ideas.push(idea);
    send(app, Method::POST, &format!("/ideas/{idea}/comments"), mallory, json!({"body": c.secret()})).await;
    // A draft, anywhere.
    let draft = json!({"title": c.secret(), "problem": c.secret(), "proposal": c.secret(), "submit": false});
    planted.ideas.push(send(app, Method::POST, "/ideas", alice, draft).await["id"].as_i64().unwrap());

    // In the open community: a report only moderators read...
    let open = app.given_post(alice, "plaza", "Lunch menu", "Soup on Friday").await;
    planted.posts.push(open);
    let report = json!({"target_type": "post", "target_id": open, "reason": "spam", "note": c.secret()});
    send(app, Method::POST, "/reports", mallory, report).await;
    // ...and content anyone read until a moderator hid it or its author deleted it.
    let hidden = app.given_post(alice, "plaza", &c.gone(), &format!("{} @eve", c.gone())).await;
    let deleted = app.given_post(alice, "plaza", &c.gone(), &format!("{} @eve", c.gone())).await;
    let hidden_comment = app.given_comment(alice, open, &format!("{} @eve", c.gone())).await;
    let deleted_comment = app.given_comment(alice, open, &c.gone()).await;
    let idea =
        json!({"title": c.gone(), "problem": c.gone(), "proposal": "More shade", "community": "plaza"});
    let hidden_idea = send(app, Method::POST, "/ideas", alice, idea).await["id"].as_i64().unwrap();
    let edited = app.given_post(alice, "plaza", "Parking", &format!("Ask {} about it", c.gone())).await;
    planted.posts.extend([hidden, deleted, edited]);
    planted.ideas.push(hidden_idea);
    // The outsider reads their notifications (mentions) while the content is there, and
    // the member reads hers.
    app.notified().await;
    app.indexed().await;
    for token in [eve, mallory] {
        send(app, Method::POST, "/notifications/read", token, json!({})).await;
    }
    moderate(app, root, "post", hidden, "hide").await;
    moderate(app, root, "comment", hidden_comment, "hide").await;
    moderate(app, root, "idea", hidden_idea, "hide").await;
    send(app, Method::DELETE, &format!("/posts/{deleted}"), alice, json!({})).await;
    send(app, Method::DELETE, &format!("/comments/{deleted_comment}"), alice, json!({})).await;
    let edit = json!({"title": "Parking", "body": "Ask the facilities team about it"});
    send(app, Method::PATCH, &format!("/posts/{edited}"), alice, edit).await;
    app.notified().await;
    app.indexed().await;
    planted
}

fn assert_no_leaks(who: &str, leaks: &[String]) {
    assert!(leaks.is_empty(), "{who} saw canaries:\n{}", leaks.join("\n"));
}

/// What a socket received until it fell silent that shows one of `canaries`.
async fn socket_leaks(ws: &mut Ws, canaries: &[String]) -> Vec<String> {
    let messages = drain(ws).await.iter().map(Value::to_string).collect::<Vec<_>>();
    messages.into_iter().filter(|m| !found(m, canaries).is_empty()).collect()
}

/// Mails to `recipient` after the outbox entry `after` that show one of `canaries`.
fn mail_leaks(app: &TestApp, recipient: &str, after: i64, canaries: &[String]) -> Vec<String> {
    let shows = |m: &&agora::db::models::outbox::Mail| {
        !found(&format!("{}\n{}\n{}", m.subject, m.body_text, m.body_html), canaries).is_empty()
    };
    app.outbox()
        .iter()
        .filter(|m| m.recipient == recipient && m.id > after)
        .filter(shows)
        .map(|m| format!("mail {} “{}”", m.kind, m.subject))
        .collect()
}

/// The newest outbox entry, after the daily digest has run as of `days` from now.
async fn digest_in(app: &TestApp, days: i64) -> i64 {
    let before = app.outbox().iter().map(|m| m.id).max().unwrap_or(0);
    let at = agora::db::models::now() + chrono::Duration::days(days);
    digest::send_due(&app.db, &app.mail, 0, at).await.unwrap();
    before
}

#[tokio::test]
async fn no_canary_reaches_an_outsider_or_a_removed_member_anywhere() {
    let app = TestApp::spawn().await;
    let root = app.token_for(&app.given_user("root", Role::Admin));
    let [alice, eve, mallory] =
        ["alice", "eve", "mallory"].map(|handle| app.token_for(&app.given_user(handle, Role::Employee)));
    app.given_community(&alice, "plaza", "open").await;
    for token in [&eve, &mallory] {
        send(&app, Method::POST, "/communities/plaza/join", token, json!({})).await;
    }
    // The outsider reads everything that reaches them as it happens.
    send(&app, Method::PUT, "/tags/news/follow", &eve, json!({})).await;
    let mut eve_live = socket(&app, &eve, &[], &[], None).await;

    let mut canaries = Canaries::default();
    let planted = plant(&app, [&alice, &mallory, &eve, &root], &mut canaries).await;
    let mut mallory_live = socket(&app, &mallory, &planted.posts, &planted.ideas, None).await;
    drain(&mut mallory_live).await;
    let all = canaries.all();

    // The live socket saw the gone content while it was there, never a secret.
    assert_no_leaks("eve's live socket", &socket_leaks(&mut eve_live, &canaries.secret).await);
    // Nothing secret was ever mailed to the outsider, and the digest composed now holds
    // nothing taken away.
    let digest = digest_in(&app, 2).await;
    assert_no_leaks("eve's mail", &mail_leaks(&app, "eve@example.com", 0, &canaries.secret));
    assert_no_leaks("eve's digest", &mail_leaks(&app, "eve@example.com", digest, &all));

    // The crawl, and the socket history replayed.
    let values = Values {
        ids: (1..=40).collect(),
        slugs: vec!["plaza".into(), "vault".into()],
        handles: vec!["alice".into(), "eve".into(), "mallory".into(), "root".into()],
        tags: planted.tags.iter().cloned().chain(["news".to_owned()]).collect(),
        files: planted.files.clone(),
        quarter: app.idea_quarter(planted.ideas[0]),
    };
    let browser = app.signed_in("eve@example.com").await;
    let crawled = crawl(&app, &browser, &eve, &values, &all).await;
    assert_no_leaks("eve's crawl", &crawled.leaks);
    assert!(crawled.seen.len() > 300, "the crawl reached only {} pages", crawled.seen.len());
    let mut replay = socket(&app, &eve, &planted.posts, &planted.ideas, Some(0)).await;
    assert_no_leaks("eve's replayed socket", &socket_leaks(&mut replay, &all).await);

    // Mallory is removed from the private community; what she could read there is gone
    // for her at once, her open socket included.
    let removed = app.api(Method::DELETE, "/communities/vault/members/mallory", &alice).send().await.unwrap();
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
    app.notified().await;
    let after = canaries.secret();
    let post = json!({"kind": "discussion", "title": after, "body": format!("{after} @mallory")});
    send(&app, Method::POST, "/communities/vault/posts", &alice, post).await;
    app.notified().await;
    app.indexed().await;
    let leaks = socket_leaks(&mut mallory_live, std::slice::from_ref(&after)).await;
    assert_no_leaks("mallory's open socket after removal", &leaks);
    // She is told which community she was removed from; nothing else of it.
    let name = canaries.secret[0].clone();
    let forbidden: Vec<String> = canaries.all().into_iter().filter(|c| *c != name).collect();
    let digest = digest_in(&app, 4).await;
    assert_no_leaks(
        "mallory's mail after removal",
        &mail_leaks(&app, "mallory@example.com", digest, &forbidden),
    );
    let browser = app.signed_in("mallory@example.com").await;
    let crawled = crawl(&app, &browser, &mallory, &values, &forbidden).await;
    assert_no_leaks("mallory's crawl after removal", &crawled.leaks);
    let mut replay = socket(&app, &mallory, &planted.posts, &planted.ideas, Some(0)).await;
    assert_no_leaks("mallory's replayed socket", &socket_leaks(&mut replay, &forbidden).await);

    // The canaries are real: the owner finds the secret ones where they were planted.
    let owner = app.signed_in("alice@example.com").await;
    let mut shown = BTreeSet::new();
    let (post, idea) = (planted.posts[0], planted.ideas[0]);
    for url in ["/c/vault".to_owned(), format!("/posts/{post}"), format!("/ideas/{idea}")] {
        let html = app.get_as(&owner, &url).await.text().await.unwrap();
        shown.extend(found(&html, &canaries.secret).into_iter().map(str::to_owned));
    }
    assert!(shown.len() >= 8, "the owner sees only {shown:?} of the canaries");
}
