//! Profile pages: the organisation, skills with who endorsed them, and a person's posts and
//! ideas trimmed to what the viewer may see.

use agora::domain::account::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;

#[tokio::test]
async fn a_profile_shows_the_org_skills_and_only_what_the_viewer_may_see() {
    let app = TestApp::spawn().await;
    let boss = app.given_user("boss", Role::Employee);
    let worker = app.token_for(&app.given_user("worker", Role::Employee));
    app.given_user("outsider", Role::Employee);
    let (_, fan) = app.given_api_user("fan");
    let (boss_id, worker_id) = (boss.id, app.user("worker").unwrap().id);
    app.db
        .write_sync(move |c| Ok(agora::db::models::users::set_manager(c, worker_id, Some(boss_id))?))
        .unwrap();
    let profile = json!({"title": "Process Engineer", "department": "Manufacturing",
        "bio": "Ask me about **steam**. <script>alert(1)</script>", "skills": ["Steam Systems"]});
    let response = app.api(Method::PATCH, "/me/profile", &worker).json(&profile).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let endorsed =
        app.api(Method::PUT, "/users/worker/skills/steam%20systems/endorsement", &fan).send().await.unwrap();
    assert_eq!(endorsed.status(), StatusCode::NO_CONTENT);
    app.given_community(&worker, "lab", "private").await;
    app.given_community(&worker, "plant", "open").await;
    app.given_post(&worker, "lab", "Secret lab notes", "Only for the lab.").await;
    app.given_post(&worker, "plant", "Open plant notes", "For everyone.").await;
    app.submit_idea(&worker, "Cheaper steam").await;
    let draft = json!({"title": "Unfinished thought", "problem": "Later", "submit": false});
    app.api(Method::POST, "/ideas", &worker).json(&draft).send().await.unwrap();

    let outsider = app.signed_in("outsider@example.com").await;
    let page = app.get_as(&outsider, "/people/worker").await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("Process Engineer · Manufacturing"));
    assert!(page.contains("Reports to <a href=\"/people/boss\">boss Tester</a>"));
    assert!(page.contains("steam systems") && page.contains("1 endorsement: fan"));
    assert!(
        page.contains("<strong>steam</strong>") && !page.contains("<script>alert(1)"),
        "the bio is sanitized Markdown"
    );
    assert!(page.contains("Open plant notes") && page.contains("Cheaper steam"));
    assert!(!page.contains("Secret lab notes"), "a private community's post stays hidden");
    assert!(!page.contains("Unfinished thought"), "drafts stay with their author");
    let boss_page = app.get_as(&outsider, "/people/boss").await.text().await.unwrap();
    assert!(
        boss_page.contains("Direct reports")
            && boss_page.contains("<a href=\"/people/worker\">worker Tester</a>")
    );

    let endorse = app
        .submit(&outsider, "/people/worker", "/people/worker/skills/steam%20systems/endorse", &[("on", "1")])
        .await;
    assert_eq!(endorse.status(), StatusCode::SEE_OTHER);
    let follow = app.submit(&outsider, "/people/worker", "/people/worker/follow", &[("on", "1")]).await;
    assert_eq!(follow.status(), StatusCode::SEE_OTHER);
    let page = app.get_as(&outsider, "/people/worker").await.text().await.unwrap();
    assert!(page.contains("2 endorsements: fan, outsider Tester") && page.contains("Withdraw endorsement"));
    assert!(page.contains("Following ✓"));

    let own = app
        .submit(
            &app.signed_in("worker@example.com").await,
            "/people/worker",
            "/people/worker/skills/steam%20systems/endorse",
            &[("on", "1")],
        )
        .await;
    assert_eq!(own.status(), StatusCode::CONFLICT, "nobody endorses themself");

    let json: Value = app.get_json("/users/worker", &fan).await;
    assert_eq!(json["skills"], json!([{"name": "steam systems", "endorsements": 2}]));
    assert!(json.get("email").is_none(), "colleagues do not see the email address");
    assert_eq!(app.get_as(&outsider, "/people/nobody").await.status(), StatusCode::NOT_FOUND);
    app.db.write_sync(move |c| Ok(agora::db::models::users::set_active(c, boss_id, false)?)).unwrap();
    assert_eq!(app.get_as(&outsider, "/people/boss").await.status(), StatusCode::NOT_FOUND);
    let api = app.api(Method::GET, "/users/boss", &fan).send().await.unwrap();
    assert_eq!(api.status(), StatusCode::NOT_FOUND, "deactivated people are gone from profiles");
}

#[tokio::test]
async fn managers_are_set_by_handle_and_cycles_are_refused() {
    let app = TestApp::spawn().await;
    let [a, b, c] = ["ann", "ben", "cat"].map(|h| app.given_api_user(h).1);
    let set = |token: &str, manager: &str| {
        app.api(Method::PATCH, "/me/profile", token).json(&json!({ "manager": manager })).send()
    };
    assert_eq!(set(&b, "@ann").await.unwrap().status(), StatusCode::OK);
    assert_eq!(set(&c, "ben").await.unwrap().status(), StatusCode::OK);
    for (token, manager, why) in [
        (&a, "cat", "already reports to you"),
        (&a, "ben", "already reports to you"),
        (&a, "ann", "your own manager"),
        (&a, "nobody", "nobody here has the handle @nobody"),
    ] {
        let refused = set(token, manager).await.unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "{manager}");
        let body: Value = refused.json().await.unwrap();
        assert!(body["error"]["fields"]["manager"].as_str().unwrap().contains(why), "{body}");
    }
    let me: Value = app.get_json("/me", &c).await;
    assert_eq!(me["manager"], "ben");
    // Saving other fields keeps the manager; an empty handle clears it.
    let title =
        app.api(Method::PATCH, "/me/profile", &c).json(&json!({"title": "Analyst"})).send().await.unwrap();
    assert_eq!(title.status(), StatusCode::OK);
    assert_eq!(title.json::<Value>().await.unwrap()["manager"], "ben");
    assert_eq!(set(&c, "").await.unwrap().json::<Value>().await.unwrap()["manager"], Value::Null);
}

#[tokio::test]
async fn the_directory_filters_and_pages_and_the_org_chart_follows_the_reporting_lines() {
    let app = TestApp::spawn().await;
    app.given_user("viewer", Role::Employee);
    let mut tokens = Vec::new();
    for n in 0..55 {
        tokens.push(app.given_api_user(&format!("p{n:02}")).1);
    }
    let profile = |department: &str, skills: &[&str], manager: &str| json!({"department": department, "location": "Ludwigshafen", "skills": skills, "manager": manager});
    for (n, body) in [
        (1, profile("Sales", &["kubernetes"], "")),
        (2, profile("Sales", &[], "p01")),
        (3, profile("Research", &["Kubernetes"], "p02")),
    ] {
        let response = app.api(Method::PATCH, "/me/profile", &tokens[n]).json(&body).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    let browser = app.signed_in("viewer@example.com").await;
    let names = |page: &str| -> Vec<String> {
        page.split("class=\"person\" href=\"/people/")
            .skip(1)
            .map(|s| s.split('"').next().unwrap().to_owned())
            .collect()
    };
    let first = app.get_as(&browser, "/people").await.text().await.unwrap();
    let first_names = names(&first);
    assert_eq!(first_names.len(), 50);
    assert_eq!(first_names[0], "p00");
    let next = first.split("href=\"/people?cursor=").nth(1).unwrap().split('"').next().unwrap().to_owned();
    let rest = names(&app.get_as(&browser, &format!("/people?cursor={next}")).await.text().await.unwrap());
    assert_eq!(
        rest,
        ["p50", "p51", "p52", "p53", "p54", "viewer"],
        "the second page continues where the first ended"
    );

    let sales = names(&app.get_as(&browser, "/people?department=Sales").await.text().await.unwrap());
    assert_eq!(sales, ["p01", "p02"]);
    let kube = names(&app.get_as(&browser, "/people?skill=KUBERNETES").await.text().await.unwrap());
    assert_eq!(kube, ["p01", "p03"], "skills match however they are typed");
    let typed = names(&app.get_as(&browser, "/people?q=p5").await.text().await.unwrap());
    assert_eq!(typed, ["p50", "p51", "p52", "p53", "p54"]);
    let odd = app.get_as(&browser, "/people?q=%25_%5C&cursor=garbage").await;
    assert_eq!(odd.status(), StatusCode::OK, "wildcards are literal and a bad cursor starts over");

    let top = app.get_as(&browser, "/people?view=org").await.text().await.unwrap();
    assert!(
        top.contains("href=\"/people?view=org&amp;root=p02\">1 report"),
        "p01's report p02 has one report"
    );
    let around = app.get_as(&browser, "/people?view=org&root=p03").await.text().await.unwrap();
    assert!(around.contains("<a href=\"/people?view=org\">Top</a> › <a href=\"/people?view=org&amp;root=p01\">p01</a> › <a href=\"/people?view=org&amp;root=p02\">p02</a>"));
    assert_eq!(app.get_as(&browser, "/people?view=org&root=nobody").await.status(), StatusCode::NOT_FOUND);
}

/// The caller's notifications once one of them is a badge (the notifier runs after the
/// badge job), or whatever there is after five seconds.
async fn bell_with_badge(app: &TestApp, token: &str) -> Value {
    let mut bell = Value::Null;
    for _ in 0..200 {
        bell = app.get_json("/notifications", token).await;
        if bell["items"].as_array().is_some_and(|items| items.iter().any(|l| l["kind"] == "badge")) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    bell
}

/// Waits until the badge job has handled every activity (its awards append more).
async fn badges_settled(app: &TestApp) {
    for _ in 0..200 {
        let latest = app.latest();
        let at =
            app.db.read_sync(|c| Ok(agora::db::models::log_cursors::get(c, "badges")?)).unwrap().unwrap_or(0);
        if at >= latest {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    panic!("the badge job did not catch up");
}

#[tokio::test]
async fn badges_come_once_even_from_two_nodes_and_points_cannot_be_farmed() {
    let app = TestApp::spawn().await;
    let _second = TestApp::spawn_sharing(&app).await;
    let (ann_user, ann) = app.given_api_user("ann");
    let (bob_user, bob) = app.given_api_user("bob");
    app.given_community(&ann, "plant", "open").await;
    app.api(Method::POST, "/communities/plant/join", &bob).send().await.unwrap();
    // Ten first posts at once; the badge jobs of both nodes race over them. (They are
    // written through one node: SQLite across two nodes' pools is not a supported setup.)
    let titles: Vec<String> = (0..10).map(|n| format!("Post {n}")).collect();
    let posts = futures_util::future::join_all(
        titles.iter().map(|title| app.given_post(&ann, "plant", title, "Hello")),
    )
    .await;
    app.given_comment(&bob, posts[0], "Welcome!").await;
    app.given_comment(&ann, posts[0], "Thanks, answering myself").await;
    let ask = |title: &str| json!({"kind": "question", "title": title, "body": "?"});
    let own =
        app.api(Method::POST, "/communities/plant/posts", &ann).json(&ask("Mine")).send().await.unwrap();
    let own = own.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let self_answer = app.given_comment(&ann, own, "My own answer").await;
    app.api(Method::POST, &format!("/posts/{own}/accept/{self_answer}"), &ann).send().await.unwrap();
    let other =
        app.api(Method::POST, "/communities/plant/posts", &ann).json(&ask("Yours")).send().await.unwrap();
    let other = other.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let answer = app.given_comment(&bob, other, "Try this").await;
    let accepted =
        app.api(Method::POST, &format!("/posts/{other}/accept/{answer}"), &ann).send().await.unwrap();
    assert!(accepted.status().is_success());
    badges_settled(&app).await;

    let holders = |kind: &'static str| {
        app.db.read_sync(move |c| Ok(agora::db::models::badges::holders(c, kind)?)).unwrap()
    };
    assert_eq!(holders("first_post"), [ann_user.id], "one badge for ten racing first posts");
    assert_eq!(holders("accepted_answer"), [bob_user.id], "accepting your own answer earns nothing");
    let bell = bell_with_badge(&app, &ann).await;
    let badge_lines: Vec<&Value> =
        bell["items"].as_array().unwrap().iter().filter(|l| l["kind"] == "badge").collect();
    assert_eq!(badge_lines.len(), 1, "{bell}");
    assert_eq!(badge_lines[0]["count"], 1);
    assert!(badge_lines[0]["text"].as_str().unwrap().contains("awarded you the “First post” badge"));

    // ann: 12 posts × 2 (10 + two questions); her comments in her own threads earn nothing.
    let points = |id: i64| {
        let db = app.db.clone();
        async move { agora::gamification::standing(&db, id).await.unwrap().total }
    };
    assert_eq!(points(ann_user.id).await, 24);
    assert_eq!(points(bob_user.id).await, 1 + 1 + 10, "two comments on ann's posts and an accepted answer");
    app.api(Method::DELETE, &format!("/posts/{}", posts[1]), &ann).send().await.unwrap();
    assert_eq!(points(ann_user.id).await, 22, "deleting a post takes its points away");
    app.given_user("viewer", Role::Employee);
    let page =
        app.get_as(&app.signed_in("viewer@example.com").await, "/people/ann").await.text().await.unwrap();
    assert!(page.contains("<strong>22</strong> points") && page.contains("First post"));
}

#[tokio::test]
async fn admins_alias_skills_and_everyone_is_gathered_under_one_name() {
    let app = TestApp::spawn().await;
    let admin = app.token_for(&app.given_user("root", Role::Admin));
    let (_, ann) = app.given_api_user("ann");
    let (_, bob) = app.given_api_user("bob");
    let (_, fan) = app.given_api_user("fan");
    let skills = |token: &str, list: &[&str]| {
        app.api(Method::PATCH, "/me/profile", token).json(&json!({ "skills": list })).send()
    };
    skills(&ann, &["K8s", "python"]).await.unwrap();
    skills(&bob, &["kubernetes"]).await.unwrap();
    app.api(Method::PUT, "/users/ann/skills/k8s/endorsement", &fan).send().await.unwrap();
    app.api(Method::PUT, "/users/bob/skills/kubernetes/endorsement", &fan).send().await.unwrap();

    let alias = |token: &str, alias: &str, skill: &str| {
        app.api(Method::PUT, &format!("/admin/skill-aliases/{alias}"), token)
            .json(&json!({ "skill": skill }))
            .send()
    };
    assert_eq!(
        alias(&ann, "k8s", "kubernetes").await.unwrap().status(),
        StatusCode::NOT_FOUND,
        "admins only"
    );
    let set = alias(&admin, "K8S", "Kubernetes").await.unwrap();
    assert_eq!(set.status(), StatusCode::OK);
    assert_eq!(set.json::<Value>().await.unwrap(), json!({"alias": "k8s", "skill": "kubernetes"}));
    for (a, s, why) in [
        ("kube", "k8s", "itself an alias"),
        ("kubernetes", "cloud", "other aliases point to"),
        ("go", "go", "different skill"),
    ] {
        let refused = alias(&admin, a, s).await.unwrap();
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().await.unwrap().contains(why));
    }

    let me: Value = app.get_json("/me", &ann).await;
    assert_eq!(
        me["skills"],
        json!([{"name": "kubernetes", "endorsements": 1}, {"name": "python", "endorsements": 0}])
    );
    skills(&fan, &["k8s"]).await.unwrap();
    let fan_me: Value = app.get_json("/me", &fan).await;
    assert_eq!(fan_me["skills"][0]["name"], "kubernetes", "new declarations use the skill's name");
    let again = app.api(Method::PUT, "/users/ann/skills/k8s/endorsement", &bob).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NO_CONTENT, "endorsing by the alias reaches the skill");
    app.indexed().await;
    let experts: Value = app
        .api(Method::GET, "/experts", &fan)
        .query(&[("q", "k8s")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let found: Vec<&str> =
        experts["items"].as_array().unwrap().iter().map(|e| e["handle"].as_str().unwrap()).collect();
    assert_eq!(found, ["ann", "bob", "fan"], "most endorsed first: {experts}");
    let list: Value = app.get_json("/admin/skill-aliases", &admin).await;
    assert_eq!(list, json!([{"alias": "k8s", "skill": "kubernetes"}]));
    let removed = app.api(Method::DELETE, "/admin/skill-aliases/k8s", &admin).send().await.unwrap();
    assert_eq!(removed.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn admins_edit_anyones_profile_and_the_audit_log_says_so() {
    let app = TestApp::spawn().await;
    let admin = app.token_for(&app.given_user("root", Role::Admin));
    let (ann, ann_token) = app.given_api_user("ann");
    app.given_api_user("boss");
    let patch = json!({"title": "Shift Lead", "manager": "boss", "skills": ["forklifts"]});
    let refused =
        app.api(Method::PATCH, "/admin/users/ann/profile", &ann_token).json(&patch).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::NOT_FOUND, "not for employees, not even their own");
    let edited =
        app.api(Method::PATCH, "/admin/users/ANN/profile", &admin).json(&patch).send().await.unwrap();
    assert_eq!(edited.status(), StatusCode::OK);
    let edited: Value = edited.json().await.unwrap();
    assert_eq!((edited["title"].as_str(), edited["manager"].as_str()), (Some("Shift Lead"), Some("boss")));
    assert_eq!(edited["skills"], json!([{"name": "forklifts", "endorsements": 0}]));
    let cycle = json!({"manager": "ann"});
    let refused =
        app.api(Method::PATCH, "/admin/users/boss/profile", &admin).json(&cycle).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "the org chart rules hold for admins too");
    let id = ann.id;
    let audit = app.db.read_sync(move |c| Ok(agora::db::models::audit::actions_for(c, "user", id)?)).unwrap();
    assert!(audit.contains(&"user.profile_edited".to_owned()), "{audit:?}");
}

#[tokio::test]
async fn closing_a_quarter_makes_its_top_voters_top_voters() {
    let app = TestApp::spawn().await;
    let admin = app.token_for(&app.given_user("root", Role::Admin));
    let [author, keen, keener, idle] = ["author", "keen", "keener", "idle"].map(|h| app.given_api_user(h).1);
    let ideas: Vec<i64> = futures_util::future::join_all(
        ["Solar roofs", "Quiet fans", "Better coffee"].map(|t| app.submit_idea(&author, t)),
    )
    .await;
    for (token, how_many) in [(&keen, 2), (&keener, 3), (&idle, 1)] {
        for idea in &ideas[..how_many] {
            app.api(Method::PUT, &format!("/ideas/{idea}/vote"), token).send().await.unwrap();
        }
    }
    app.close_quarter_of(&admin, ideas[0]).await;
    badges_settled(&app).await;
    let holders = app.db.read_sync(|c| Ok(agora::db::models::badges::holders(c, "top_voter")?)).unwrap();
    assert_eq!(holders, [app.user("keener").unwrap().id]);
    let bell = bell_with_badge(&app, &keener).await;
    assert!(bell.to_string().contains("awarded you the “Top voter” badge"), "{bell}");
}

#[tokio::test]
async fn admins_upload_a_people_csv_through_the_api() {
    let app = TestApp::spawn().await;
    let admin = app.token_for(&app.given_user("root", Role::Admin));
    let (_, ann) = app.given_api_user("ann");
    let upload = |token: &str, dry_run: bool, body: Vec<u8>| {
        app.api(Method::POST, "/admin/people/import", token)
            .query(&[("dry_run", dry_run)])
            .header("Content-Type", "text/csv")
            .body(body)
            .send()
    };
    let good = b"email,handle,name,manager\nlee@example.com,lee,Lee Park,\nkim@example.com,kim,Kim Ito,lee\n"
        .to_vec();
    assert_eq!(upload(&ann, false, good.clone()).await.unwrap().status(), StatusCode::NOT_FOUND);
    let dry: Value = upload(&admin, true, good.clone()).await.unwrap().json().await.unwrap();
    assert_eq!(dry, json!({"created": 0, "updated": 0, "dry_run": true, "problems": []}));
    assert!(app.user("lee").is_none());
    let bad = b"email,handle,name\nlee@example.com,lee,Lee Park\nlee@example.com,lee2,Lee Two\n".to_vec();
    let refused = upload(&admin, false, bad).await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let refused: Value = refused.json().await.unwrap();
    assert_eq!(refused["problems"], json!([{"line": 3, "message": "lee@example.com is also on line 2"}]));
    assert!(app.user("lee").is_none(), "nothing from a file with a problem");
    let done: Value = upload(&admin, false, good).await.unwrap().json().await.unwrap();
    assert_eq!((done["created"].as_u64(), done["updated"].as_u64()), (Some(2), Some(0)));
    assert_eq!(app.user("kim").unwrap().manager_id, app.user("lee").map(|u| u.id));
    let huge = vec![b'a'; 21 * 1024 * 1024];
    assert_eq!(upload(&admin, true, huge).await.unwrap().status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn admins_edit_a_profile_through_the_page_and_others_cannot_reach_it() {
    let app = TestApp::spawn().await;
    app.given_user("root", Role::Admin);
    app.given_user("ann", Role::Employee);
    app.given_user("bob", Role::Employee);
    let bob = app.signed_in("bob@example.com").await;
    assert_eq!(app.get_as(&bob, "/people/ann/edit").await.status(), StatusCode::NOT_FOUND);
    let root = app.signed_in("root@example.com").await;
    let profile = app.get_as(&root, "/people/ann").await.text().await.unwrap();
    assert!(profile.contains("href=\"/people/ann/edit\">Edit profile</a>"));
    let fields = [
        ("name", "Ann Lee"),
        ("title", "Shift Lead"),
        ("department", ""),
        ("location", ""),
        ("manager", "ann"),
        ("bio", ""),
        ("skills", ""),
    ];
    let refused = app.submit(&root, "/people/ann/edit", "/people/ann/edit", &fields).await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await.unwrap();
    assert!(
        page.contains("your own manager") && page.contains("value=\"Shift Lead\""),
        "what was typed stays"
    );
    let fields: Vec<(&str, &str)> =
        fields.iter().map(|&(k, v)| if k == "manager" { (k, "bob") } else { (k, v) }).collect();
    let saved = app.submit(&root, "/people/ann/edit", "/people/ann/edit", &fields).await;
    assert_eq!(saved.status(), StatusCode::SEE_OTHER);
    let ann = app.user("ann").unwrap();
    assert_eq!((ann.title.as_str(), ann.manager_id), ("Shift Lead", app.user("bob").map(|b| b.id)));
    let own = app.signed_in("ann@example.com").await;
    assert!(!app.get_as(&own, "/people/ann").await.text().await.unwrap().contains("/people/ann/edit"));
}

#[tokio::test]
async fn admins_upload_a_people_csv_through_the_page() {
    let app = TestApp::spawn().await;
    app.given_user("root", Role::Admin);
    app.given_user("bob", Role::Employee);
    let bob = app.signed_in("bob@example.com").await;
    assert_eq!(app.get_as(&bob, "/admin/people/import").await.status(), StatusCode::NOT_FOUND);
    let root = app.signed_in("root@example.com").await;
    let upload = |csv: &'static [u8], dry_run: bool, token: String| {
        let mut form = reqwest::multipart::Form::new()
            .text("csrf_token", token)
            .part("file", reqwest::multipart::Part::bytes(csv).file_name("people.csv"));
        if dry_run {
            form = form.text("dry_run", "1");
        }
        root.post(format!("{}/admin/people/import", app.url)).multipart(form).send()
    };
    let token = app.csrf_token(&root, "/admin/people/import").await;
    let bad = upload(b"email,handle,name\nx,lee,Lee\n", false, token.clone()).await.unwrap();
    assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.text().await.unwrap().contains("Line 2: email:"));
    let forged =
        upload(b"email,handle,name\nlee@example.com,lee,Lee\n", false, "forged".into()).await.unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    assert!(app.user("lee").is_none());
    let done = upload(b"email,handle,name\nlee@example.com,lee,Lee\n", false, token).await.unwrap();
    assert_eq!(done.status(), StatusCode::OK);
    assert!(done.text().await.unwrap().contains("Imported: 1 created, 0 updated"));
    assert!(app.user("lee").is_some());
}
