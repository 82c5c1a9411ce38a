//! Admin pages: only admins reach them; users are found, invited, changed and sent resets
//! from the browser, and each change lands in the audit log.

use agora::domain::account::Role;
use reqwest::StatusCode;

use crate::helpers::{TestApp, location};

#[tokio::test]
async fn admins_manage_accounts_from_the_browser_and_nobody_else_can() {
    let app = TestApp::spawn().await;
    let root = app.given_user("root", Role::Admin);
    app.given_user("carl", Role::Employee);
    let employee = app.signed_in("carl@example.com").await;
    for page in ["/admin", "/admin/users", "/admin/audit"] {
        assert_eq!(app.get_as(&employee, page).await.status(), StatusCode::NOT_FOUND, "{page}");
    }
    let admin = app.signed_in("root@example.com").await;
    let home = app.get_as(&admin, "/admin").await.text().await.unwrap();
    assert!(home.contains("Nothing waits."));
    let list = app.get_as(&admin, "/admin/users?q=carl").await.text().await.unwrap();
    assert!(list.contains("carl@example.com") && !list.contains("root@example.com"), "searched");

    let invited = app
        .submit(
            &admin,
            "/admin/users",
            "/admin/invitations",
            &[("email", "new@example.com"), ("role", "executive")],
        )
        .await;
    assert_eq!(location(&invited), "/admin/users");
    let promoted = app
        .submit(&admin, "/admin/users", "/admin/users/carl", &[("role", "executive"), ("active", "true")])
        .await;
    assert_eq!(promoted.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.user("carl").unwrap().role, "executive");
    let reset = app.submit(&admin, "/admin/users", "/admin/users/carl/reset", &[]).await;
    assert_eq!(reset.status(), StatusCode::SEE_OTHER);
    let off = app
        .submit(&admin, "/admin/users", "/admin/users/carl", &[("role", "executive"), ("active", "false")])
        .await;
    assert_eq!(off.status(), StatusCode::SEE_OTHER);
    assert!(!app.user("carl").unwrap().is_active);
    assert_eq!(
        app.get_as(&employee, "/settings").await.status(),
        StatusCode::SEE_OTHER,
        "carl's session ended"
    );
    // An admin cannot lock themself out.
    let own = app
        .submit(&admin, "/admin/users", "/admin/users/root", &[("role", "employee"), ("active", "true")])
        .await;
    assert_eq!(own.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.user("root").unwrap().role, "admin");

    let kinds: Vec<(String, String)> = app.outbox().into_iter().map(|m| (m.recipient, m.kind)).collect();
    assert!(kinds.contains(&("new@example.com".into(), "invitation".into())));
    assert!(kinds.contains(&("carl@example.com".into(), "password_reset".into())));
    let token = app.token_for(&root);
    let audit = app.get_json("/admin/audit?action=user.", &token).await;
    let actions: Vec<&str> =
        audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        ["user.deactivated", "user.password_reset_sent", "user.role_changed", "user.invited"]
    );
    let listed = app.get_json("/admin/users?q=carl", &token).await;
    assert_eq!(listed["items"][0]["active"], false);
}

#[tokio::test]
async fn analytics_count_a_known_fixture_exactly() {
    let app = TestApp::spawn().await;
    app.given_user("root", Role::Admin);
    let [ada, grace, carl] = ["ada", "grace", "carl"].map(|h| app.given_api_user(h).1);
    app.given_community(&ada, "plant", "open").await;
    app.api(reqwest::Method::POST, "/communities/plant/join", &grace).send().await.unwrap();
    let first = app.given_post(&ada, "plant", "One", "Text").await;
    app.given_post(&ada, "plant", "Two", "Text").await;
    for body in ["a", "b", "c"] {
        app.given_comment(&grace, first, body).await;
    }
    let idea = app.submit_idea(&ada, "Bikes").await;
    for voter in [&grace, &carl] {
        app.api(reqwest::Method::PUT, &format!("/ideas/{idea}/vote"), voter).send().await.unwrap();
    }
    app.caught_up("analytics").await;

    let admin = app.signed_in("root@example.com").await;
    let csv = app.get_as(&admin, "/admin/analytics.csv?table=weekly").await;
    assert_eq!(csv.headers()["content-type"], "text/csv; charset=utf-8");
    let csv = csv.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines[0], "week,active_people,posts,comments,votes,ideas_submitted");
    assert_eq!(lines.len(), 27, "a header and 26 weeks");
    let this_week = agora::analytics::week_of(agora::db::models::now()).format("%Y-%m-%d").to_string();
    // Four joined this week (root too), and ada, grace and carl acted.
    assert_eq!(lines[26], format!("{this_week},4,2,3,2,1"));
    assert!(lines[1..26].iter().all(|l| l.ends_with(",0,0,0,0,0")), "earlier weeks are empty");
    let funnel = app.get_as(&admin, "/admin/analytics.csv?table=funnel").await.text().await.unwrap();
    assert!(funnel.contains(&format!("{},submitted,1", app.idea_quarter(idea))), "{funnel}");

    let page = app.get_as(&admin, "/admin/analytics").await.text().await.unwrap();
    assert!(page.contains("<svg") && page.contains(&format!("Week of {this_week}: 4")), "charts drawn");
    assert!(page.contains(">plant</a> <span class=\"muted\">5 posts and comments"), "top community");
    assert!(page.contains(">ada</a> <span class=\"muted\">3 contributions"), "top contributor");
    assert!(page.contains("aria-label=\"Open for votes 1\""), "the funnel");
}

#[tokio::test]
async fn site_settings_are_validated_take_effect_on_every_node_and_are_audited() {
    let app = TestApp::spawn().await;
    let root = app.given_user("root", Role::Admin);
    let token = app.token_for(&root);
    let mut settings = app.get_json("/admin/settings", &token).await;
    assert_eq!(settings["site_name"], "Agora");
    let second_node = TestApp::spawn_sharing(&app).await;

    let bad = serde_json::json!({"site_name": " ", "allowed_email_domains": ["not a domain"], "docket_size": 0,
        "login_failures_per_account": 5, "login_failures_per_address": 50, "login_window_secs": 900,
        "auto_hide_reports": 3, "digest_hour": 24, "upload_max_mib": 25, "upload_files_per_item": 10,
        "upload_daily_mib": 500});
    let refused = app.api(reqwest::Method::PUT, "/admin/settings", &token).json(&bad).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let fields = refused.json::<serde_json::Value>().await.unwrap()["error"]["fields"].clone();
    for field in ["site_name", "allowed_email_domains", "docket_size", "digest_hour"] {
        assert!(fields.get(field).is_some(), "{field} is reported: {fields}");
    }
    assert_eq!(app.get_json("/admin/settings", &token).await["site_name"], "Agora", "nothing saved");

    settings["site_name"] = "Northwind Connect".into();
    settings["allowed_email_domains"] = serde_json::json!(["Northwind.example"]);
    let saved =
        app.api(reqwest::Method::PUT, "/admin/settings", &token).json(&settings).send().await.unwrap();
    assert_eq!(saved.status(), StatusCode::OK);
    assert_eq!(
        saved.json::<serde_json::Value>().await.unwrap()["allowed_email_domains"][0],
        "northwind.example"
    );
    assert!(app.get("/login").await.text().await.unwrap().contains("Northwind Connect"), "this node at once");
    let mut seen = false;
    for _ in 0..100 {
        if second_node.get("/login").await.text().await.unwrap().contains("Northwind Connect") {
            seen = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(seen, "the other node within seconds");
    let invited = app
        .api(reqwest::Method::POST, "/admin/users", &token)
        .json(&serde_json::json!({"email": "guest@northwind.example"}))
        .send()
        .await
        .unwrap();
    assert_eq!(invited.status(), StatusCode::CREATED);
    let mail = app.outbox().pop().unwrap();
    assert_eq!(mail.subject, "root Tester invited you to Northwind Connect", "mails use the name too");
    let registered = app
        .register(&app.browser(), "new@northwind.example", "newbie", "New Person", "a long enough password")
        .await;
    assert_eq!(registered.status(), StatusCode::SEE_OTHER, "the new domain may register");
    let refused = app
        .register(&app.browser(), "someone@example.com", "someone", "Some One", "a long enough password")
        .await;
    assert_ne!(refused.status(), StatusCode::SEE_OTHER, "the old one no longer may");

    let audit = app.get_json("/admin/audit?action=site.settings_changed", &token).await;
    let changes = audit["items"][0]["details"]["changes"].as_array().unwrap().clone();
    let names: Vec<&str> = changes.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["allowed_email_domains", "site_name"]);

    // The browser form shows field errors and keeps what was typed.
    let admin = app.signed_in("root@example.com").await;
    let form = [
        ("site_name", "Northwind"),
        ("allowed_email_domains", "northwind.example"),
        ("docket_size", "ten"),
        ("login_failures_per_account", "5"),
        ("login_failures_per_address", "50"),
        ("login_window_secs", "900"),
        ("auto_hide_reports", "3"),
        ("digest_hour", "7"),
        ("upload_max_mib", "25"),
        ("upload_files_per_item", "10"),
        ("upload_daily_mib", "500"),
    ];
    let rejected = app.submit(&admin, "/admin/settings", "/admin/settings", &form).await;
    assert_eq!(rejected.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(rejected.text().await.unwrap().contains("use a whole number"));
}

#[tokio::test]
async fn owners_hand_over_communities_and_change_who_sees_them() {
    let app = TestApp::spawn().await;
    let [ada, grace, outsider] = ["ada", "grace", "outsider"].map(|h| app.given_api_user(h).1);
    app.given_community(&ada, "vault", "private").await;
    app.api(reqwest::Method::POST, "/communities/vault/members/grace/invite", &ada).send().await.unwrap();
    app.api(reqwest::Method::POST, "/communities/vault/join", &grace).send().await.unwrap();
    let post = app.given_post(&ada, "vault", "Plans", "Secret plans").await;
    let transfer = |token: &str, handle: &str| {
        app.api(reqwest::Method::POST, "/communities/vault/transfer", token)
            .json(&serde_json::json!({"handle": handle}))
            .send()
    };
    assert_eq!(transfer(&grace, "grace").await.unwrap().status(), StatusCode::FORBIDDEN, "members cannot");
    assert_eq!(transfer(&ada, "outsider").await.unwrap().status(), StatusCode::CONFLICT, "not a member");
    assert_eq!(transfer(&ada, "grace").await.unwrap().status(), StatusCode::NO_CONTENT);
    let members = app.get_json("/communities/vault/members", &grace).await.to_string();
    assert!(members.contains("\"handle\":\"grace\"") && members.contains("\"role\":\"owner\""), "{members}");
    assert_eq!(app.get_json("/communities/vault", &ada).await["role"], "moderator", "the old owner stays on");

    let visibility = |token: &str, body: serde_json::Value| {
        app.api(reqwest::Method::PUT, "/communities/vault/visibility", token).json(&body).send()
    };
    assert_eq!(
        visibility(&ada, serde_json::json!({"visibility": "open"})).await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    let unconfirmed = visibility(&grace, serde_json::json!({"visibility": "open"})).await.unwrap();
    assert_eq!(unconfirmed.status(), StatusCode::UNPROCESSABLE_ENTITY, "opening needs a confirmation");
    assert_eq!(
        app.api(reqwest::Method::GET, &format!("/posts/{post}"), &outsider).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let opened =
        visibility(&grace, serde_json::json!({"visibility": "open", "confirm": true})).await.unwrap();
    assert_eq!(opened.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.api(reqwest::Method::GET, &format!("/posts/{post}"), &outsider).send().await.unwrap().status(),
        StatusCode::OK
    );

    // Closing it again ends an outsider's live view of it at once.
    let mut ws = app.ws(&outsider).await;
    let (_, errors) = ws.subscribe(&["community:vault"], None).await;
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(
        visibility(&grace, serde_json::json!({"visibility": "private"})).await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    let dropped = loop {
        let message = ws.next().await;
        if message["op"] == "error" {
            break message;
        }
    };
    assert_eq!(dropped["code"], "not_found", "{dropped}");
    assert_eq!(
        app.api(reqwest::Method::GET, &format!("/posts/{post}"), &outsider).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );

    let admin = app.token_for(&app.given_user("root", Role::Admin));
    let audit = app.get_json("/admin/audit?action=community.", &admin).await;
    let actions: Vec<&str> =
        audit["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        ["community.visibility_changed", "community.visibility_changed", "community.ownership_transferred"]
    );
}

#[tokio::test]
async fn moderators_remove_members_who_then_lose_the_private_community() {
    use reqwest::Method;
    let app = TestApp::spawn().await;
    let [ada, grace, carl, erin] = ["ada", "grace", "carl", "erin"].map(|h| app.given_api_user(h).1);
    let dan = app.given_user("dan", Role::Employee);
    let dan = app.token_for(&dan);
    app.given_community(&ada, "vault", "private").await;
    for (handle, token) in [("grace", &grace), ("carl", &carl), ("dan", &dan)] {
        app.api(Method::POST, &format!("/communities/vault/members/{handle}/invite"), &ada)
            .send()
            .await
            .unwrap();
        app.api(Method::POST, "/communities/vault/join", token).send().await.unwrap();
    }
    app.api(Method::POST, "/communities/vault/members/erin/invite", &ada).send().await.unwrap();
    let promote = app
        .api(Method::PUT, "/communities/vault/members/grace/role", &ada)
        .json(&serde_json::json!({"role": "moderator"}))
        .send()
        .await
        .unwrap();
    assert_eq!(promote.status(), StatusCode::NO_CONTENT);
    let remove = |token: &str, handle: &str| {
        app.api(Method::DELETE, &format!("/communities/vault/members/{handle}"), token).send()
    };
    assert_eq!(remove(&carl, "dan").await.unwrap().status(), StatusCode::FORBIDDEN, "members cannot");
    assert_eq!(
        remove(&grace, "ada").await.unwrap().status(),
        StatusCode::FORBIDDEN,
        "only owners remove owners"
    );
    assert_eq!(remove(&grace, "grace").await.unwrap().status(), StatusCode::CONFLICT, "leave instead");
    assert_eq!(remove(&ada, "nobody").await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(remove(&erin, "dan").await.unwrap().status(), StatusCode::NOT_FOUND, "outsiders see nothing");
    assert_eq!(app.get_json("/communities/vault", &ada).await["member_count"], 4);

    // A moderator removes Dan from the members page; he loses the community at once.
    let moderator = app.signed_in_as("grace").await;
    let removed = app.submit(&moderator, "/c/vault/members", "/c/vault/members/dan/remove", &[]).await;
    assert_eq!(removed.status(), StatusCode::SEE_OTHER);
    let page = app.get_as(&moderator, "/c/vault/members").await.text().await.unwrap();
    assert!(page.contains("@dan is no longer a member."), "{page}");
    assert!(!page.contains("/c/vault/members/dan/remove"), "Dan is off the list");
    assert!(!page.contains("/c/vault/members/grace/remove"), "nobody removes themself");
    assert!(!page.contains("/c/vault/members/ada/remove"), "the owner is the owner's to remove");
    assert_eq!(app.get_json("/communities/vault", &ada).await["member_count"], 3);
    assert_eq!(
        app.api(Method::GET, "/communities/vault", &dan).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(remove(&grace, "dan").await.unwrap().status(), StatusCode::CONFLICT, "not a member any more");
    // An invitation is withdrawn the same way.
    assert_eq!(remove(&grace, "erin").await.unwrap().status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.api(Method::POST, "/communities/vault/join", &erin).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    app.notified().await;
    let told = app.get_json("/notifications", &dan).await.to_string();
    assert!(told.contains("removed you from “vault”"), "{told}");

    // Even an admin is not offered to remove the last owner; asked anyway, the members
    // page says why.
    app.given_user("root", Role::Admin);
    let root = app.signed_in("root@example.com").await;
    let page = app.get_as(&root, "/c/vault/members").await.text().await.unwrap();
    assert!(page.contains("/c/vault/members/carl/remove") && !page.contains("/c/vault/members/ada/remove"));
    let refused = app.submit(&root, "/c/vault/members", "/c/vault/members/ada/remove", &[]).await;
    assert_eq!(refused.status(), StatusCode::CONFLICT);
    let page = refused.text().await.unwrap();
    assert!(page.contains("a community needs an owner") && page.contains("members-h"), "{page}");

    let admin = app.token_for(&app.user("root").unwrap());
    let audit = app.get_json("/admin/audit", &admin).await;
    let removed: Vec<(&str, &str)> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| ["member.removed", "invitation.withdrawn"].contains(&e["action"].as_str().unwrap()))
        .map(|e| (e["action"].as_str().unwrap(), e["details"]["handle"].as_str().unwrap()))
        .collect();
    assert_eq!(removed, [("invitation.withdrawn", "erin"), ("member.removed", "dan")]);
    let erin_told = app.get_json("/notifications", &erin).await.to_string();
    assert!(!erin_told.contains("removed you"), "an invitation withdrawn tells nothing: {erin_told}");
}
