//! Posts, comments and reactions: an XSS corpus rendered harmless on every page that shows
//! user content, and the ugly inputs of the communities issue.

use agora::domain::account::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;

/// Attempts to run script or smuggle markup, each placed in every field people can fill.
pub const XSS: &[&str] = &[
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x]( javascript:alert(1) )",
    "![x](javascript:alert(1))",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<body onload=alert(1)>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "\"><script>alert(1)</script>",
    "'><img src=x onerror=alert(1)>",
    "<scr<script>ipt>alert(1)</script>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<form action=\"javascript:alert(1)\"><button>x</button></form>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<style>@import 'javascript:alert(1)';</style>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "[x](&#106;avascript:alert(1))",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "`<script>alert(1)</script>`",
    "<unclosed <b>bold <i>italic",
    "<img src=\"x\" onerror=\"alert(1)\"",
    "[x](vbscript:msgbox(1))",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<<script>script>alert(1)<</script>/script>",
    "#<script>alert(1)</script>",
    "@<img src=x onerror=alert(1)>",
    "https://example.com/\"><script>alert(1)</script>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<table><td background=\"javascript:alert(1)\">x</td></table>",
    "![x onerror=alert(1)](https://example.com/a.png)",
];

/// Tags that must never come from user content (the layout's own `<meta>`, `<link>` and
/// `/static/` scripts are checked separately).
const FORBIDDEN_TAGS: &[&str] = &[
    "iframe", "object", "embed", "svg", "math", "style", "base", "noscript", "animate", "frame", "frameset",
    "applet",
];

/// Attributes whose value is a URL, and the only ways such a value may begin.
const URL_ATTRIBUTES: &[&str] = &["href", "src", "action", "formaction", "xlink:href", "background", "data"];
const SAFE_URL_STARTS: &[&str] = &["/", "#", "http://", "https://", "mailto:", "?"];

/// Parses the tags of an HTML fragment: (name, [(attribute, value)]).
fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        rest = &rest[start + 1..];
        let name: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == ':').collect();
        if name.is_empty() {
            continue;
        }
        let mut attributes = Vec::new();
        let mut chars = rest[name.len()..].chars().peekable();
        loop {
            while chars.peek().is_some_and(|c| c.is_whitespace() || *c == '/') {
                chars.next();
            }
            match chars.peek() {
                None | Some('>') => break,
                _ => {}
            }
            let attribute: String =
                std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace() && *c != '=' && *c != '>'))
                    .collect();
            let mut value = String::new();
            if chars.next_if_eq(&'=').is_some() {
                match chars.next_if(|c| *c == '"' || *c == '\'') {
                    Some(quote) => value = std::iter::from_fn(|| chars.next_if(|c| *c != quote)).collect(),
                    None => {
                        value = std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace() && *c != '>'))
                            .collect()
                    }
                }
                chars.next_if(|c| *c == '"' || *c == '\'');
            }
            if attribute.is_empty() {
                chars.next();
            } else {
                attributes.push((attribute.to_lowercase(), value));
            }
        }
        found.push((name.to_lowercase(), attributes));
    }
    found
}

/// Fails when the page contains anything that could run script.
pub fn assert_harmless(html: &str, context: &str) {
    let body_tags = html.matches("<body").count();
    assert!(body_tags <= 1, "{context}: a second <body> reached the page");
    for (name, attributes) in tags(html) {
        assert!(!FORBIDDEN_TAGS.contains(&name.as_str()), "{context}: <{name}> reached the page");
        let attribute = |wanted: &str| attributes.iter().find(|(a, _)| a == wanted).map(|(_, v)| v.as_str());
        if name == "script" {
            assert!(
                attribute("src").is_some_and(|s| s.starts_with("/static/")),
                "{context}: an inline <script> reached the page"
            );
        }
        if name == "meta" {
            assert!(attribute("http-equiv").is_none(), "{context}: <meta http-equiv> reached the page");
        }
        if name == "link" {
            assert!(
                attribute("href").is_some_and(|h| h.starts_with("/static/")),
                "{context}: a <link> reached the page"
            );
        }
        for (attribute, value) in attributes {
            assert!(!attribute.starts_with("on"), "{context}: <{name} {attribute}=…> reached the page");
            assert_ne!(attribute, "style", "{context}: a style attribute reached the page");
            if URL_ATTRIBUTES.contains(&attribute.as_str()) {
                let value = value.trim().to_lowercase();
                assert!(
                    value.is_empty() || SAFE_URL_STARTS.iter().any(|s| value.starts_with(s)),
                    "{context}: <{name} {attribute}=\"{value}\"> reached the page"
                );
            }
        }
    }
}

#[test]
fn the_checker_itself_catches_script() {
    for bad in [
        "<script>x</script>",
        "<img src=x onerror=alert(1)>",
        "<a href=\"javascript:x\">",
        "<a href=' jAvAscript:x'>",
    ] {
        assert!(std::panic::catch_unwind(|| assert_harmless(bad, "self-test")).is_err(), "{bad}");
    }
    assert_harmless(
        "<p>fine <a href=\"/tags/x\">#x</a> <img src=\"https://a.example/p.png\" alt=\"x onerror=1\"></p>",
        "ok",
    );
}

#[tokio::test]
async fn every_payload_is_harmless_on_every_page_that_shows_it() {
    let app = TestApp::spawn().await;
    let ada = app.given_user("ada", Role::Employee);
    let token = app.token_for(&ada);
    let browser = app.signed_in("ada@example.com").await;
    let payloads = XSS.join("\n\n");
    let community = json!({"slug": "xss", "name": "<script>alert(1)</script> club", "visibility": "open", "description": payloads});
    assert_eq!(
        app.api(Method::POST, "/communities", &token).json(&community).send().await.unwrap().status(),
        StatusCode::CREATED
    );
    app.db
        .write_sync(|c| {
            let profile = agora::db::models::users::ProfileChanges {
                name: "<img src=x onerror=alert(1)>",
                title: "<script>alert(1)</script>",
                department: "\"><svg onload=alert(1)>",
                location: "",
                bio: "",
            };
            Ok(agora::db::models::users::update_profile(c, ada.id, &profile)?)
        })
        .unwrap();
    let mut post_ids = Vec::new();
    for payload in XSS {
        let title: String = payload.chars().take(200).collect();
        let post = json!({"kind": "discussion", "title": title, "body": format!("{payload} #xss")});
        let response =
            app.api(Method::POST, "/communities/xss/posts", &token).json(&post).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::CREATED, "{payload}");
        let id = response.json::<serde_json::Value>().await.unwrap()["id"].as_i64().unwrap();
        let comment = app
            .api(Method::POST, &format!("/posts/{id}/comments"), &token)
            .json(&json!({"body": payload}))
            .send()
            .await
            .unwrap();
        assert_eq!(comment.status(), StatusCode::CREATED);
        post_ids.push(id);
    }
    let mut pages = vec![
        "/c/xss".to_owned(),
        "/c/xss/members".to_owned(),
        "/c?q=club".to_owned(),
        "/tags/xss".to_owned(),
        "/".to_owned(),
    ];
    pages.extend(post_ids.iter().map(|id| format!("/posts/{id}")));
    pages.extend(post_ids.iter().map(|id| format!("/posts/{id}/edit")));
    for page in pages {
        let response = app.get_as(&browser, &page).await;
        assert_eq!(response.status(), StatusCode::OK, "{page}");
        assert_harmless(&response.text().await.unwrap(), &page);
    }
}

async fn setup() -> (TestApp, String, String) {
    let app = TestApp::spawn().await;
    let ada = app.given_user("ada", Role::Employee);
    let bob = app.given_user("bob", Role::Employee);
    let (ada_token, bob_token) = (app.token_for(&ada), app.token_for(&bob));
    let body = json!({"slug": "team", "name": "Team", "visibility": "open"});
    app.api(Method::POST, "/communities", &ada_token).json(&body).send().await.unwrap();
    app.api(Method::POST, "/communities/team/join", &bob_token).send().await.unwrap();
    (app, ada_token, bob_token)
}

async fn status(request: reqwest::RequestBuilder) -> (StatusCode, serde_json::Value) {
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(serde_json::Value::Null))
}

#[tokio::test]
async fn empty_oversized_and_malformed_posts_are_refused_with_field_errors() {
    let (app, ada, _) = setup().await;
    let cases = [
        (json!({"kind": "discussion", "title": "Hi", "body": "   "}), "body", "write a post"),
        (json!({"kind": "discussion", "title": "", "body": "text"}), "title", "give it a title"),
        (json!({"kind": "discussion", "title": "t".repeat(201), "body": "text"}), "title", "at most 200"),
        (json!({"kind": "update", "body": "é".repeat(20_001)}), "body", "the limit is 20000"),
        (json!({"kind": "poll", "body": "text"}), "kind", "unknown kind"),
    ];
    for (body, field, message) in cases {
        let (code, error) = status(app.api(Method::POST, "/communities/team/posts", &ada).json(&body)).await;
        assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        assert!(error["error"]["fields"][field].as_str().unwrap().contains(message), "{error}");
    }
    let (_, list) = status(app.api(Method::GET, "/communities/team/posts", &ada)).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0, "nothing was written");

    let exact = json!({"kind": "update", "body": "é".repeat(20_000)});
    assert_eq!(
        status(app.api(Method::POST, "/communities/team/posts", &ada).json(&exact)).await.0,
        StatusCode::CREATED
    );
    let long_word = json!({"kind": "update", "body": format!("שלום 👋🏽 {}", "x".repeat(5000))});
    let (code, post) = status(app.api(Method::POST, "/communities/team/posts", &ada).json(&long_word)).await;
    assert_eq!(code, StatusCode::CREATED);
    assert!(post["html"].as_str().unwrap().contains("שלום 👋🏽"));
}

#[tokio::test]
async fn duplicate_slugs_and_bad_slugs_are_refused() {
    let (app, ada, bob) = setup().await;
    let again = json!({"slug": "Team", "name": "Team two", "visibility": "open"});
    let (code, error) = status(app.api(Method::POST, "/communities", &bob).json(&again)).await;
    assert_eq!(code, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(error["error"]["fields"]["slug"].as_str().unwrap().contains("taken"));
    for slug in ["a", "new", "x_y", "-x", "ümlaut"] {
        let body = json!({"slug": slug, "name": "Name", "visibility": "open"});
        assert_eq!(
            status(app.api(Method::POST, "/communities", &ada).json(&body)).await.0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{slug}"
        );
    }
    let bad_visibility = json!({"slug": "ok-slug", "name": "Name", "visibility": "secret"});
    assert_eq!(
        status(app.api(Method::POST, "/communities", &ada).json(&bad_visibility)).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn joining_twice_changes_nothing_and_the_last_owner_cannot_leave() {
    let (app, ada, bob) = setup().await;
    let (_, before) = status(app.api(Method::GET, "/communities/team", &bob)).await;
    let (code, joined) = status(app.api(Method::POST, "/communities/team/join", &bob)).await;
    assert_eq!((code, joined["membership"].as_str()), (StatusCode::OK, Some("active")));
    let (_, after) = status(app.api(Method::GET, "/communities/team", &bob)).await;
    assert_eq!(before["member_count"], after["member_count"], "no double count");
    assert_eq!(after["member_count"], 2);

    let (code, error) = status(app.api(Method::POST, "/communities/team/leave", &ada)).await;
    assert_eq!(code, StatusCode::CONFLICT);
    assert!(error["error"]["message"].as_str().unwrap().contains("last owner"));
    let promote =
        app.api(Method::PUT, "/communities/team/members/bob/role", &ada).json(&json!({"role": "owner"}));
    assert_eq!(status(promote).await.0, StatusCode::NO_CONTENT);
    assert_eq!(
        status(app.api(Method::POST, "/communities/team/leave", &ada)).await.0,
        StatusCode::NO_CONTENT
    );
    let (_, team) = status(app.api(Method::GET, "/communities/team", &bob)).await;
    assert_eq!(team["member_count"], 1);
}

#[tokio::test]
async fn reacting_twice_is_idempotent_and_counts_stay_exact() {
    let (app, ada, bob) = setup().await;
    let (_, post) = status(
        app.api(Method::POST, "/communities/team/posts", &ada).json(&json!({"kind": "update", "body": "Hi"})),
    )
    .await;
    let id = post["id"].as_i64().unwrap();
    let likes = futures_util::future::join_all(
        (0..6).map(|_| app.api(Method::PUT, &format!("/posts/{id}/reactions/like"), &bob).send()),
    )
    .await;
    assert!(likes.iter().all(|r| r.as_ref().unwrap().status() == StatusCode::OK));
    app.api(Method::PUT, &format!("/posts/{id}/reactions/celebrate"), &ada).send().await.unwrap();
    let (_, post) = status(app.api(Method::GET, &format!("/posts/{id}"), &bob)).await;
    assert_eq!(post["reactions"], json!({"like": 1, "celebrate": 1, "insightful": 0}));
    assert_eq!(post["my_reactions"], json!(["like"]));
    for _ in 0..2 {
        assert_eq!(
            status(app.api(Method::DELETE, &format!("/posts/{id}/reactions/like"), &bob)).await.0,
            StatusCode::OK
        );
    }
    let (_, post) = status(app.api(Method::GET, &format!("/posts/{id}"), &bob)).await;
    assert_eq!(post["reactions"]["like"], 0);
    assert_eq!(
        status(app.api(Method::PUT, &format!("/posts/{id}/reactions/love"), &bob)).await.0,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn deleted_posts_are_gone_and_archived_communities_refuse_writes() {
    let (app, ada, bob) = setup().await;
    let (_, post) = status(
        app.api(Method::POST, "/communities/team/posts", &bob)
            .json(&json!({"kind": "update", "body": "Oops"})),
    )
    .await;
    let id = post["id"].as_i64().unwrap();
    assert_eq!(
        status(app.api(Method::DELETE, &format!("/posts/{id}"), &ada)).await.0,
        StatusCode::NO_CONTENT,
        "moderators delete"
    );
    assert_eq!(status(app.api(Method::GET, &format!("/posts/{id}"), &bob)).await.0, StatusCode::NOT_FOUND);
    let comment =
        app.api(Method::POST, &format!("/posts/{id}/comments"), &bob).json(&json!({"body": "late"}));
    assert_eq!(status(comment).await.0, StatusCode::NOT_FOUND);
    let verbs =
        app.db.read_sync(move |c| Ok(agora::db::models::activities::verbs_for(c, "post", id)?)).unwrap();
    assert_eq!(verbs, ["post.created", "post.deleted"], "the trail is kept");

    assert_eq!(
        status(app.api(Method::POST, "/communities/team/archive", &bob)).await.0,
        StatusCode::FORBIDDEN,
        "members cannot archive"
    );
    assert_eq!(
        status(app.api(Method::POST, "/communities/team/archive", &ada)).await.0,
        StatusCode::NO_CONTENT
    );
    let (code, error) = status(
        app.api(Method::POST, "/communities/team/posts", &ada).json(&json!({"kind": "update", "body": "x"})),
    )
    .await;
    assert_eq!(code, StatusCode::CONFLICT);
    assert!(error["error"]["message"].as_str().unwrap().contains("archived"));
}

#[tokio::test]
async fn questions_take_one_accepted_answer_from_the_author_or_a_moderator() {
    let (app, ada, bob) = setup().await;
    let question = json!({"kind": "question", "title": "Which glove?", "body": "Butyl or Viton?"});
    let (_, post) = status(app.api(Method::POST, "/communities/team/posts", &bob).json(&question)).await;
    let id = post["id"].as_i64().unwrap();
    let (_, answer) =
        status(app.api(Method::POST, &format!("/posts/{id}/comments"), &ada).json(&json!({"body": "Butyl"})))
            .await;
    let answer_id = answer["id"].as_i64().unwrap();
    let (_, reply) = status(
        app.api(Method::POST, &format!("/posts/{id}/comments"), &bob)
            .json(&json!({"body": "Thanks", "reply_to": answer_id})),
    )
    .await;
    let (_, reply_to_reply) = status(
        app.api(Method::POST, &format!("/posts/{id}/comments"), &ada)
            .json(&json!({"body": "np", "reply_to": reply["id"]})),
    )
    .await;
    assert_eq!(reply_to_reply["reply_to"], answer_id, "replies stay one level deep");

    let (code, accepted) =
        status(app.api(Method::POST, &format!("/posts/{id}/accept/{answer_id}"), &bob)).await;
    assert_eq!(code, StatusCode::OK);
    assert_eq!(accepted["accepted_comment"], answer_id);
    let (_, update) = status(
        app.api(Method::POST, "/communities/team/posts", &bob).json(&json!({"kind": "update", "body": "x"})),
    )
    .await;
    let update_id = update["id"].as_i64().unwrap();
    assert_eq!(
        status(app.api(Method::POST, &format!("/posts/{update_id}/accept/{answer_id}"), &bob)).await.0,
        StatusCode::CONFLICT
    );
}

#[tokio::test]
async fn posting_through_the_page_shows_errors_and_keeps_the_draft() {
    let (app, _, _) = setup().await;
    let browser = app.signed_in("bob@example.com").await;
    let response = app
        .submit(
            &browser,
            "/c/team",
            "/c/team/posts",
            &[("kind", "discussion"), ("title", ""), ("body", "My draft text")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = response.text().await.unwrap();
    assert!(page.contains("Give it a title") || page.contains("give it a title"));
    assert!(page.contains("My draft text"), "the draft survives");
    let response = app
        .submit(
            &browser,
            "/c/team",
            "/c/team/posts",
            &[("kind", "update"), ("title", ""), ("body", "Hello **team** #launch @ada")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let page = app.get_as(&browser, "/c/team").await.text().await.unwrap();
    assert!(page.contains("Hello <strong>team</strong>"));
    assert!(page.contains("href=\"/tags/launch\"") && page.contains("class=\"mention\">@ada"));
}

#[tokio::test]
async fn the_post_page_shows_who_reacted_and_comments_can_be_deleted() {
    let (app, ada, bob) = setup().await;
    let (_, post) = status(
        app.api(Method::POST, "/communities/team/posts", &ada).json(&json!({"kind": "update", "body": "Hi"})),
    )
    .await;
    let id = post["id"].as_i64().unwrap();
    app.api(Method::PUT, &format!("/posts/{id}/reactions/insightful"), &bob).send().await.unwrap();
    let (_, comment) =
        status(app.api(Method::POST, &format!("/posts/{id}/comments"), &bob).json(&json!({"body": "Mine"})))
            .await;
    let comment_id = comment["id"].as_i64().unwrap();

    let browser = app.signed_in("ada@example.com").await;
    let page = app.get_as(&browser, &format!("/posts/{id}")).await.text().await.unwrap();
    assert!(page.contains("💡 bob Tester"), "who reacted is shown");
    assert_eq!(
        status(app.api(Method::DELETE, &format!("/comments/{comment_id}"), &ada)).await.0,
        StatusCode::NO_CONTENT
    );
    let (_, post) = status(app.api(Method::GET, &format!("/posts/{id}"), &bob)).await;
    assert_eq!(post["comment_count"], 0);
    let page = app.get_as(&browser, &format!("/posts/{id}")).await.text().await.unwrap();
    assert!(!page.contains("Mine"));
    assert_eq!(
        status(app.api(Method::DELETE, &format!("/comments/{comment_id}"), &ada)).await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn announcements_come_from_moderators_and_reach_members_homes_only() {
    let (app, ada, bob) = setup().await;
    app.given_user("carol", Role::Employee);
    let quiet = app.get_as(&app.signed_in("bob@example.com").await, "/").await.text().await.unwrap();
    assert!(quiet.contains("No announcements in your communities yet."));
    assert!(!quiet.contains("Find communities to join"), "bob is in a community already");
    let announcement =
        json!({"kind": "announcement", "title": "Town hall Friday", "body": "Bring questions."});
    let (code, _) = status(app.api(Method::POST, "/communities/team/posts", &bob).json(&announcement)).await;
    assert_eq!(code, StatusCode::FORBIDDEN, "members cannot announce");
    let (code, post) =
        status(app.api(Method::POST, "/communities/team/posts", &ada).json(&announcement)).await;
    assert_eq!(code, StatusCode::CREATED);
    assert_eq!(post["pinned"], true);
    let (_, later) = status(
        app.api(Method::POST, "/communities/team/posts", &bob)
            .json(&json!({"kind": "update", "body": "later"})),
    )
    .await;
    let (_, list) = status(app.api(Method::GET, "/communities/team/posts", &bob)).await;
    assert_eq!(list["items"][0]["id"], post["id"], "pinned above newer posts");
    assert_eq!(list["items"][1]["id"], later["id"]);

    let member_home = app.get_as(&app.signed_in("bob@example.com").await, "/").await.text().await.unwrap();
    assert!(member_home.contains("Town hall Friday"));
    let outsider_home =
        app.get_as(&app.signed_in("carol@example.com").await, "/").await.text().await.unwrap();
    assert!(!outsider_home.contains("Town hall Friday"));
    assert!(outsider_home.contains("Find communities to join"), "carol is in no community");
}

#[tokio::test]
async fn restricted_requests_wait_for_a_moderator_who_approves_or_denies() {
    let app = TestApp::spawn().await;
    let [owner, ann, ben] =
        ["owner", "ann", "ben"].map(|h| app.token_for(&app.given_user(h, Role::Employee)));
    let body = json!({"slug": "lab", "name": "Lab", "visibility": "restricted"});
    app.api(Method::POST, "/communities", &owner).json(&body).send().await.unwrap();
    for token in [&ann, &ben] {
        let (_, joined) = status(app.api(Method::POST, "/communities/lab/join", token)).await;
        assert_eq!(joined["membership"], "pending");
    }
    let (code, error) = status(app.api(Method::POST, "/communities/lab/join", &ann)).await;
    assert_eq!(code, StatusCode::CONFLICT, "asking twice: {error}");
    let (code, _) = status(app.api(Method::GET, "/communities/lab/members?state=pending", &ann)).await;
    assert_eq!(code, StatusCode::FORBIDDEN, "only moderators see requests");
    let (_, pending) = status(app.api(Method::GET, "/communities/lab/members?state=pending", &owner)).await;
    assert_eq!(pending["items"].as_array().unwrap().len(), 2);

    assert_eq!(
        status(app.api(Method::POST, "/communities/lab/members/ann/approve", &owner)).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        status(app.api(Method::POST, "/communities/lab/members/ben/deny", &owner)).await.0,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        status(app.api(Method::POST, "/communities/lab/members/ben/approve", &owner)).await.0,
        StatusCode::CONFLICT
    );
    let (_, lab) = status(app.api(Method::GET, "/communities/lab", &ann)).await;
    assert_eq!((lab["membership"].as_str(), lab["member_count"].as_i64()), (Some("active"), Some(2)));
    let (_, lab) = status(app.api(Method::GET, "/communities/lab", &ben)).await;
    assert!(lab["membership"].is_null(), "denied requests leave no membership");
    let post = json!({"kind": "update", "body": "hello"});
    assert_eq!(
        status(app.api(Method::POST, "/communities/lab/posts", &ann).json(&post)).await.0,
        StatusCode::CREATED
    );
    assert_eq!(
        status(app.api(Method::POST, "/communities/lab/posts", &ben).json(&post)).await.0,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn private_communities_are_joined_by_invitation_through_the_pages() {
    let app = TestApp::spawn().await;
    app.given_user("owner", Role::Employee);
    app.given_user("guest", Role::Employee);
    let owner = app.signed_in("owner@example.com").await;
    let fields =
        [("name", "Board"), ("slug", "board"), ("description", "Pre-reads"), ("visibility", "private")];
    let created = app.submit(&owner, "/c/new", "/c", &fields).await;
    assert_eq!(crate::helpers::location(&created), "/c/board");

    let guest = app.signed_in("guest@example.com").await;
    assert_eq!(app.get_as(&guest, "/c/board").await.status(), StatusCode::NOT_FOUND);
    let unknown = app.submit(&owner, "/c/board/members", "/c/board/invite", &[("handle", "@nobody")]).await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.text().await.unwrap().contains("nobody has the handle @nobody"));
    let invited = app.submit(&owner, "/c/board/members", "/c/board/invite", &[("handle", "@guest")]).await;
    assert_eq!(invited.status(), StatusCode::SEE_OTHER);

    let page = app.get_as(&guest, "/c/board").await.text().await.unwrap();
    assert!(page.contains("Accept invitation") && page.contains("You have been invited"));
    let accepted = app.submit(&guest, "/c/board", "/c/board/join", &[]).await;
    assert_eq!(accepted.status(), StatusCode::SEE_OTHER);
    let page = app.get_as(&guest, "/c/board").await.text().await.unwrap();
    assert!(page.contains("Welcome! You are now a member.") && page.contains("Joined"));
}

#[tokio::test]
async fn sites_can_keep_community_creation_to_admins() {
    let app = TestApp::spawn_with(|s| s.communities_by_admins_only = true).await;
    let employee = app.token_for(&app.given_user("ann", Role::Employee));
    let admin = app.token_for(&app.given_user("root", Role::Admin));
    let body = json!({"slug": "new-team", "name": "New team", "visibility": "open"});
    assert_eq!(
        status(app.api(Method::POST, "/communities", &employee).json(&body)).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        status(app.api(Method::POST, "/communities", &admin).json(&body)).await.0,
        StatusCode::CREATED
    );
}

#[tokio::test]
async fn authors_and_moderators_edit_posts_and_the_page_marks_them_edited() {
    let (app, ada, bob) = setup().await;
    app.given_user("cy", Role::Employee);
    let cy = app.token_for(&app.user("cy").unwrap());
    app.api(Method::POST, "/communities/team/join", &cy).send().await.unwrap();
    let (_, post) = status(
        app.api(Method::POST, "/communities/team/posts", &bob)
            .json(&json!({"kind": "discussion", "title": "Plan", "body": "v1 #draft"})),
    )
    .await;
    let id = post["id"].as_i64().unwrap();
    let edit = |token: &str, body: &str| {
        app.api(Method::PATCH, &format!("/posts/{id}"), token).json(&json!({"title": "Plan", "body": body}))
    };
    assert_eq!(status(edit(&cy, "hijacked")).await.0, StatusCode::FORBIDDEN, "other members cannot edit");
    let (code, edited) = status(edit(&bob, "v2 #final")).await;
    assert_eq!(code, StatusCode::OK);
    assert!(edited["edited_at"].is_string() && edited["html"].as_str().unwrap().contains("v2"));
    assert_eq!(status(edit(&ada, "v3 by the owner")).await.0, StatusCode::OK, "moderators can edit");

    let browser = app.signed_in("bob@example.com").await;
    let page = app.get_as(&browser, &format!("/posts/{id}")).await.text().await.unwrap();
    assert!(page.contains(" · edited") && page.contains("v3 by the owner"));
    let tag_page = app.get_as(&browser, "/tags/draft").await.text().await.unwrap();
    assert!(!tag_page.contains("Plan"), "tags follow the edit");
    let form = app.get_as(&app.signed_in("cy@example.com").await, &format!("/posts/{id}/edit")).await;
    assert_eq!(form.status(), StatusCode::FORBIDDEN);
}
