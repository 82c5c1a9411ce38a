//! The authorization matrix: role × visibility × action, expected results written out by
//! hand. One community of each kind, one user of each role, every action through the same
//! routes people and scripts use (pages with a browser session, the API with a token).

use agora::domain::account::Role;
use reqwest::{Client, Method, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;

/// Actions, in the order of the expectation rows below.
const ACTIONS: [&str; 10] =
    ["page", "post page", "api read", "directory", "post list", "file", "post", "comment", "react", "join"];

/// (community, role, expected per action). `listed`/`absent` for the directory.
#[rustfmt::skip]
const MATRIX: &[(&str, &str, [&str; 10])] = &[
    //                          page   post page api read directory  post list file   post   comment react  join
    ("open",       "outsider",  ["200", "200", "200", "listed", "200", "200", "403", "403", "403", "200"]),
    ("open",       "member",    ["200", "200", "200", "listed", "200", "200", "201", "201", "200", "200"]),
    ("open",       "moderator", ["200", "200", "200", "listed", "200", "200", "201", "201", "200", "200"]),
    ("open",       "owner",     ["200", "200", "200", "listed", "200", "200", "201", "201", "200", "200"]),
    ("open",       "admin",     ["200", "200", "200", "listed", "200", "200", "201", "201", "200", "200"]),
    ("open",       "deactivated", ["303", "303", "401", "401", "401", "303", "401", "401", "401", "401"]),
    ("restricted", "outsider",  ["200", "200", "200", "listed", "200", "200", "403", "403", "403", "200"]),
    ("restricted", "member",    ["200", "200", "200", "listed", "200", "200", "201", "201", "200", "200"]),
    ("restricted", "moderator", ["200", "200", "200", "listed", "200", "200", "201", "201", "200", "200"]),
    ("restricted", "owner",     ["200", "200", "200", "listed", "200", "200", "201", "201", "200", "200"]),
    ("restricted", "admin",     ["200", "200", "200", "listed", "200", "200", "201", "201", "200", "200"]),
    ("restricted", "deactivated", ["303", "303", "401", "401", "401", "303", "401", "401", "401", "401"]),
    ("private",    "outsider",  ["404", "404", "404", "absent", "404", "404", "404", "404", "404", "404"]),
    ("private",    "member",    ["200", "200", "200", "listed", "200", "200", "201", "201", "200", "200"]),
    ("private",    "moderator", ["200", "200", "200", "listed", "200", "200", "201", "201", "200", "200"]),
    ("private",    "owner",     ["200", "200", "200", "listed", "200", "200", "201", "201", "200", "200"]),
    ("private",    "admin",     ["200", "200", "200", "listed", "200", "200", "201", "201", "200", "200"]),
    ("private",    "deactivated", ["303", "303", "401", "401", "401", "303", "401", "401", "401", "401"]),
    ("archived",   "outsider",  ["200", "200", "200", "listed", "200", "200", "409", "409", "409", "409"]),
    ("archived",   "member",    ["200", "200", "200", "listed", "200", "200", "409", "409", "409", "409"]),
    ("archived",   "moderator", ["200", "200", "200", "listed", "200", "200", "409", "409", "409", "409"]),
    ("archived",   "owner",     ["200", "200", "200", "listed", "200", "200", "409", "409", "409", "409"]),
    ("archived",   "admin",     ["200", "200", "200", "listed", "200", "200", "409", "409", "409", "409"]),
    ("archived",   "deactivated", ["303", "303", "401", "401", "401", "303", "401", "401", "401", "401"]),
];

const ROLES: [&str; 6] = ["outsider", "member", "moderator", "owner", "admin", "deactivated"];
const KINDS: [&str; 4] = ["open", "restricted", "private", "archived"];

struct Person {
    token: String,
    browser: Client,
}

async fn call(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<serde_json::Value>,
) -> (StatusCode, serde_json::Value) {
    let mut request = app.api(method, path, token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(serde_json::Value::Null))
}

/// Sets up one community of each kind with a post carrying a file, and one user of each
/// role; returns the people and each community's post and file ids.
async fn world(app: &TestApp) -> (Vec<Person>, Vec<(i64, i64)>) {
    let mut people = Vec::new();
    for role in ROLES {
        let user = app.given_user(role, if role == "admin" { Role::Admin } else { Role::Employee });
        let token = app.token_for(&user);
        let browser = app.signed_in(&format!("{role}@example.com")).await;
        people.push(Person { token, browser });
    }
    let owner = &people[3].token;
    let mut post_ids = Vec::new();
    for kind in KINDS {
        let visibility = if kind == "archived" { "open" } else { kind };
        let body = json!({"slug": kind, "name": format!("The {kind} one"), "visibility": visibility});
        assert_eq!(call(app, Method::POST, "/communities", owner, Some(body)).await.0, StatusCode::CREATED);
        for (index, role) in [(1, "member"), (2, "moderator"), (5, "deactivated")] {
            let invite =
                call(app, Method::POST, &format!("/communities/{kind}/members/{role}/invite"), owner, None)
                    .await;
            assert_eq!(invite.0, StatusCode::NO_CONTENT, "invite {role} to {kind}");
            let joined =
                call(app, Method::POST, &format!("/communities/{kind}/join"), &people[index].token, None)
                    .await;
            assert_eq!(joined.1["membership"], "active", "{role} joins {kind}");
        }
        let promote = call(
            app,
            Method::PUT,
            &format!("/communities/{kind}/members/moderator/role"),
            owner,
            Some(json!({"role": "moderator"})),
        )
        .await;
        assert_eq!(promote.0, StatusCode::NO_CONTENT);
        let file_id = app.given_upload(owner, "agenda.txt", b"agenda").await["id"].as_i64().unwrap();
        let post = json!({"kind": "discussion", "title": format!("Hello {kind}"), "body": "First!", "uploads": [file_id]});
        let (status, created) =
            call(app, Method::POST, &format!("/communities/{kind}/posts"), owner, Some(post)).await;
        assert_eq!(status, StatusCode::CREATED);
        post_ids.push((created["id"].as_i64().unwrap(), file_id));
    }
    assert_eq!(
        call(app, Method::POST, "/communities/archived/archive", owner, None).await.0,
        StatusCode::NO_CONTENT
    );
    let admin = &people[4].token;
    let off =
        call(app, Method::PATCH, "/admin/users/deactivated", admin, Some(json!({"active": false}))).await;
    assert_eq!(off.0, StatusCode::OK);
    (people, post_ids)
}

async fn act(
    app: &TestApp,
    person: &Person,
    kind: &str,
    (post_id, file_id): (i64, i64),
    action: &str,
) -> String {
    let token = &person.token;
    let code = |s: StatusCode| s.as_u16().to_string();
    match action {
        "page" => code(app.get_as(&person.browser, &format!("/c/{kind}")).await.status()),
        "post page" => code(app.get_as(&person.browser, &format!("/posts/{post_id}")).await.status()),
        "api read" => code(call(app, Method::GET, &format!("/communities/{kind}"), token, None).await.0),
        "directory" => {
            let (status, body) = call(app, Method::GET, "/communities?limit=100", token, None).await;
            if status != StatusCode::OK {
                return code(status);
            }
            let listed = body["items"].as_array().unwrap().iter().any(|c| c["slug"] == kind);
            (if listed { "listed" } else { "absent" }).to_owned()
        }
        "post list" => {
            code(call(app, Method::GET, &format!("/communities/{kind}/posts"), token, None).await.0)
        }
        "file" => code(app.get_as(&person.browser, &format!("/files/{file_id}/agenda.txt")).await.status()),
        "post" => {
            let body = json!({"kind": "update", "body": "Checking in"});
            code(call(app, Method::POST, &format!("/communities/{kind}/posts"), token, Some(body)).await.0)
        }
        "comment" => code(
            call(
                app,
                Method::POST,
                &format!("/posts/{post_id}/comments"),
                token,
                Some(json!({"body": "+1"})),
            )
            .await
            .0,
        ),
        "react" => {
            code(call(app, Method::PUT, &format!("/posts/{post_id}/reactions/like"), token, None).await.0)
        }
        "join" => code(call(app, Method::POST, &format!("/communities/{kind}/join"), token, None).await.0),
        other => panic!("unknown action {other}"),
    }
}

#[tokio::test]
async fn every_role_gets_exactly_what_the_policy_allows() {
    let app = TestApp::spawn().await;
    let (people, post_ids) = world(&app).await;
    let mut mismatches = Vec::new();
    for (kind, role, expected) in MATRIX {
        let k = KINDS.iter().position(|k| k == kind).unwrap();
        let person = &people[ROLES.iter().position(|r| r == role).unwrap()];
        for (action, want) in ACTIONS.iter().zip(expected) {
            let got = act(&app, person, kind, post_ids[k], action).await;
            if got != *want {
                mismatches.push(format!("{kind:<10} {role:<11} {action:<10} expected {want}, got {got}"));
            }
        }
    }
    assert!(mismatches.is_empty(), "policy mismatches:\n{}", mismatches.join("\n"));
}

#[tokio::test]
async fn private_content_never_leaks_through_tags_or_posts() {
    let app = TestApp::spawn().await;
    let owner = app.given_user("owner", Role::Employee);
    let outsider = app.given_user("outsider", Role::Employee);
    let (owner_token, outsider_token) = (app.token_for(&owner), app.token_for(&outsider));
    for (slug, visibility) in [("secret", "private"), ("public", "open")] {
        let body = json!({"slug": slug, "name": slug, "visibility": visibility});
        call(&app, Method::POST, "/communities", &owner_token, Some(body)).await;
        let post = json!({"kind": "update", "body": format!("Merger plans {slug} #projectx")});
        call(&app, Method::POST, &format!("/communities/{slug}/posts"), &owner_token, Some(post)).await;
    }
    let browser = app.signed_in("outsider@example.com").await;
    let tag = app.get_as(&browser, "/tags/projectx").await.text().await.unwrap();
    assert!(tag.contains("Merger plans public") && !tag.contains("Merger plans secret"));
    let owner_browser = app.signed_in("owner@example.com").await;
    let tag = app.get_as(&owner_browser, "/tags/projectx").await.text().await.unwrap();
    assert!(tag.contains("Merger plans public") && tag.contains("Merger plans secret"));

    let (_, posts) = call(&app, Method::GET, "/communities/secret/posts", &owner_token, None).await;
    let secret_id = posts["items"][0]["id"].as_i64().unwrap();
    for path in [format!("/posts/{secret_id}"), format!("/posts/{secret_id}/comments")] {
        assert_eq!(
            call(&app, Method::GET, &path, &outsider_token, None).await.0,
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let page = app.get_as(&browser, &format!("/posts/{secret_id}")).await;
    assert_eq!(page.status(), StatusCode::NOT_FOUND);
    assert!(!page.text().await.unwrap().contains("Merger"), "the 404 page says nothing about the post");
    let directory = app.get_as(&browser, "/c?q=secret").await.text().await.unwrap();
    assert!(!directory.contains("/c/secret"));
}
