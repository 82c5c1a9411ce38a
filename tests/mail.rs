//! Email: instant mail through a real SMTP listener, retries through an outage and a relay
//! that refuses or hangs, the preference matrix, the digest, mail withdrawn when access is
//! revoked, unsubscribe links, invitations and password resets.

use std::collections::HashSet;
use std::time::Duration;

use agora::db::models::now;
use agora::db::models::outbox::Mail;
use agora::domain::account::Role;
use agora::mail::digest;
use agora::mail::transport::{SmtpSecurity, TransportKind};
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::smtp::SmtpSink;
use crate::helpers::{TestApp, location};

/// An app that mails through the listener, retrying after a second (then 2 s, 4 s …).
async fn with_relay(sink: &SmtpSink) -> TestApp {
    let port = sink.port;
    TestApp::spawn_with(move |s| {
        s.mail_transport = TransportKind::Smtp;
        s.smtp_host = Some("127.0.0.1".into());
        s.smtp_port = Some(port);
        s.smtp_security = SmtpSecurity::None;
        s.smtp_timeout_secs = 1;
        s.mail_retry_secs = 1;
        s.mail_from = "Agora <agora@example.com>".into();
    })
    .await
}

/// The outbox once `ready` holds for it (up to 30 s).
async fn outbox_until(app: &TestApp, ready: impl Fn(&[Mail]) -> bool) -> Vec<Mail> {
    for _ in 0..300 {
        let mails = app.outbox();
        if ready(&mails) {
            return mails;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the outbox never got there: {:#?}", app.outbox());
}

fn to<'a>(mails: &'a [Mail], email: &str) -> Vec<&'a Mail> {
    mails.iter().filter(|m| m.recipient == email).collect()
}

async fn join(app: &TestApp, token: &str, slug: &str) {
    let joined = app.api(Method::POST, &format!("/communities/{slug}/join"), token).send().await.unwrap();
    assert!(joined.status().is_success(), "joining {slug}: {}", joined.status());
}

async fn set_modes(app: &TestApp, token: &str, modes: serde_json::Value) -> reqwest::Response {
    app.api(Method::PUT, "/me/notification-settings", token)
        .json(&json!({ "email": modes }))
        .send()
        .await
        .unwrap()
}

/// The path of a link in a text: `http://host/unsubscribe/x` → `/unsubscribe/x`.
fn path_of(text: &str, prefix: &str) -> String {
    let at = text.find(prefix).unwrap_or_else(|| panic!("no {prefix} link in {text}"));
    text[at..].split(|c: char| c.is_whitespace() || c == '>' || c == '"').next().unwrap().to_owned()
}

#[tokio::test]
async fn a_reply_is_mailed_at_once_as_mime_with_a_working_unsubscribe_link() {
    let sink = SmtpSink::start("ok");
    let app = with_relay(&sink).await;
    let (_, ada) = app.given_api_user("ada");
    let (_, grace) = app.given_api_user("grace");
    app.given_community(&ada, "plant", "open").await;
    join(&app, &grace, "plant").await;
    let post = app.given_post(&ada, "plant", "Steam traps", "Which vendor?").await;
    let comment = app.given_comment(&grace, post, "Try Spirax — ünïcode <script>alert(1)</script>").await;

    let got = sink.wait_for(1).await;
    assert_eq!(got[0].to, ["ada@example.com"]);
    let mail = got[0].parsed();
    assert_eq!(mail.subject(), Some("grace commented on “Steam traps”"));
    assert_eq!(mail.from().and_then(|a| a.first()).and_then(|a| a.address()), Some("agora@example.com"));
    let text = mail.body_text(0).unwrap();
    assert!(text.contains("Try Spirax — ünïcode"), "{text}");
    assert!(text.contains(&format!("/posts/{post}#comment-{comment}")), "{text}");
    let html = mail.body_html(0).unwrap();
    assert!(html.contains("ünïcode &#60;script&#62;") && !html.contains("<script>"), "escaped: {html}");
    assert_eq!(mail.header_raw("List-Unsubscribe-Post").map(str::trim), Some("List-Unsubscribe=One-Click"));
    let unsubscribe = path_of(mail.header_raw("List-Unsubscribe").unwrap(), "/unsubscribe/");
    assert!(text.contains(&unsubscribe), "the link is in the text too");

    // Opening the link changes nothing (mail scanners open links); a mail client's
    // one-click POST, with no session or CSRF token, turns replies off; again is harmless.
    let page = app.get(&unsubscribe).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(app.get_json("/me/notification-settings", &ada).await["email"]["reply"], "instant");
    let one_click = || {
        reqwest::Client::new()
            .post(format!("{}{unsubscribe}", app.url))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("List-Unsubscribe=One-Click")
    };
    assert_eq!(one_click().send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(one_click().send().await.unwrap().status(), StatusCode::OK, "a replayed link is harmless");
    let settings = app.get_json("/me/notification-settings", &ada).await;
    assert_eq!(settings["email"]["reply"], "off");
    assert_eq!(settings["email"]["mention"], "instant", "only the kind the link named");
    let forged = unsubscribe.replace("reply", "mention");
    let refused = reqwest::Client::new().post(format!("{}{forged}", app.url)).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);

    app.given_comment(&grace, post, "Another thought").await;
    app.notified().await;
    assert_eq!(to(&app.outbox(), "ada@example.com").len(), 1, "replies are off now");
}

#[tokio::test]
async fn a_relay_outage_delays_mail_but_loses_and_doubles_none() {
    let mut sink = SmtpSink::start("ok");
    let app = with_relay(&sink).await;
    sink.stop();
    let (_, ada) = app.given_api_user("ada");
    let (_, grace) = app.given_api_user("grace");
    app.given_community(&ada, "plant", "open").await;
    join(&app, &grace, "plant").await;
    for title in ["Boilers", "Pumps", "Valves"] {
        let post = app.given_post(&ada, "plant", title, "Ideas welcome").await;
        app.given_comment(&grace, post, "Here is one").await;
    }
    let failed = outbox_until(&app, |m| m.len() == 3 && m.iter().all(|m| m.attempts >= 1)).await;
    assert!(failed.iter().all(|m| m.sent_at.is_none() && m.last_error.is_some()), "{failed:#?}");

    sink.restart("ok");
    outbox_until(&app, |m| m.iter().all(|m| m.sent_at.is_some())).await;
    let got = sink.received();
    assert_eq!(got.len(), 3, "each mail exactly once");
    let ids: HashSet<String> = got.iter().map(|r| r.parsed().message_id().unwrap().to_owned()).collect();
    assert_eq!(ids.len(), 3);
    let subjects: HashSet<String> = got.iter().map(|r| r.parsed().subject().unwrap().to_owned()).collect();
    assert!(subjects.contains("grace commented on “Pumps”"), "{subjects:?}");
}

#[tokio::test]
async fn a_relay_that_refuses_or_hangs_is_retried_until_it_accepts() {
    let mut sink = SmtpSink::start("refuse");
    let app = with_relay(&sink).await;
    let (_, ada) = app.given_api_user("ada");
    let (_, grace) = app.given_api_user("grace");
    let idea = app.submit_idea(&ada, "Solar carports").await;
    let commented = app
        .api(Method::POST, &format!("/ideas/{idea}/comments"), &grace)
        .json(&json!({"body": "Yes!"}))
        .send();
    assert_eq!(commented.await.unwrap().status(), StatusCode::CREATED);

    let refused = outbox_until(&app, |m| m.len() == 1 && m[0].attempts >= 1).await;
    assert!(refused[0].last_error.as_deref().unwrap().contains("451"), "{refused:#?}");
    sink.restart("hang");
    let hung = outbox_until(&app, |m| m[0].attempts >= 2).await;
    assert!(!hung[0].last_error.as_deref().unwrap().contains("451"), "timed out instead: {hung:#?}");
    assert!(hung[0].sent_at.is_none() && hung[0].failed_at.is_none(), "still queued");
    sink.restart("ok");
    let got = sink.wait_for(1).await;
    assert_eq!(got[0].parsed().subject(), Some("grace commented on “Solar carports”"));
    outbox_until(&app, |m| m[0].sent_at.is_some()).await;
}

#[tokio::test]
async fn each_kind_is_mailed_at_once_in_the_digest_or_not_at_all_as_chosen() {
    let app = TestApp::spawn().await;
    let (_, ada) = app.given_api_user("ada");
    let (_, grace) = app.given_api_user("grace");
    let (_, carl) = app.given_api_user("carl");
    let (_, marie) = app.given_api_user("marie");
    assert_eq!(set_modes(&app, &grace, json!({"reply": "digest"})).await.status(), StatusCode::OK);
    assert_eq!(set_modes(&app, &carl, json!({"reply": "off"})).await.status(), StatusCode::OK);
    set_modes(&app, &ada, json!({"badge": "off"})).await;
    let idea = app.submit_idea(&ada, "Shared bikes").await;
    // Followers are read when the notifier handles an activity: let it handle the
    // submission first, or grace would hear of it as well.
    app.notified().await;
    for follower in [&grace, &carl] {
        app.api(Method::PUT, &format!("/ideas/{idea}/follow"), follower).send().await.unwrap();
    }
    let body = json!({"body": "Count me in"});
    app.api(Method::POST, &format!("/ideas/{idea}/comments"), &marie).json(&body).send().await.unwrap();
    app.notified().await;

    let mails = app.outbox();
    assert_eq!(to(&mails, "ada@example.com").len(), 1, "replies are instant by default");
    assert_eq!(to(&mails, "ada@example.com")[0].kind, "reply");
    assert!(to(&mails, "grace@example.com").is_empty() && to(&mails, "carl@example.com").is_empty());

    digest::send_due(&app.db, &app.mail, 0, now()).await.unwrap();
    let mails = app.outbox();
    let grace_mail = to(&mails, "grace@example.com");
    assert_eq!(grace_mail.len(), 1);
    assert_eq!(grace_mail[0].kind, "digest");
    assert_eq!(grace_mail[0].subject, "Your Agora digest: 1 new update", "{}", grace_mail[0].body_text);
    assert!(
        grace_mail[0].body_text.contains("marie commented on “Shared bikes”"),
        "{}",
        grace_mail[0].body_text
    );
    assert!(grace_mail[0].body_text.contains(&format!("/ideas/{idea}#comments")));
    assert!(to(&mails, "carl@example.com").is_empty(), "off is off");
    let body = json!({"body": "Me too"});
    app.api(Method::POST, &format!("/ideas/{idea}/comments"), &marie).json(&body).send().await.unwrap();
    app.notified().await;
    digest::send_due(&app.db, &app.mail, 0, now()).await.unwrap();
    let mails = app.outbox();
    assert_eq!(to(&mails, "grace@example.com").len(), 1, "one digest a day");
    // A second reply within the hour makes no second mail: it waits for the digest.
    let ada_mails = to(&mails, "ada@example.com");
    assert_eq!(ada_mails.iter().map(|m| m.kind.as_str()).collect::<Vec<_>>(), ["reply", "digest"]);
    assert!(ada_mails[1].body_text.contains("marie commented on “Shared bikes”"));

    // Bad settings are refused whole: nothing is saved.
    for bad in [json!({"reply": "digest", "nonsense": "instant"}), json!({"reply": "sometimes"})] {
        let refused = set_modes(&app, &ada, bad).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    assert_eq!(app.get_json("/me/notification-settings", &ada).await["email"]["reply"], "instant");
}

#[tokio::test]
async fn the_digest_groups_by_community_and_object_and_leaves_out_what_was_read() {
    let app = TestApp::spawn().await;
    let (_, ada) = app.given_api_user("ada");
    let (_, grace) = app.given_api_user("grace");
    // Badges (first post, first idea) would be in the digest too.
    set_modes(&app, &ada, json!({"reply": "digest", "badge": "off"})).await;
    app.given_community(&ada, "plant", "open").await;
    join(&app, &grace, "plant").await;
    let boilers = app.given_post(&ada, "plant", "Boilers", "Ideas?").await;
    let pumps = app.given_post(&ada, "plant", "Pumps", "Ideas?").await;
    for body in ["One", "Two", "Three"] {
        app.given_comment(&grace, boilers, body).await;
    }
    app.given_comment(&grace, pumps, "Read this one").await;
    let idea = app.submit_idea(&ada, "Shared bikes").await;
    let body = json!({"body": "Count me in"});
    app.api(Method::POST, &format!("/ideas/{idea}/comments"), &grace).json(&body).send().await.unwrap();
    app.notified().await;
    let read = json!({"group": format!("reply:post:{pumps}")});
    let marked = app.api(Method::POST, "/notifications/read", &ada).json(&read).send().await.unwrap();
    assert_eq!(marked.json::<serde_json::Value>().await.unwrap()["marked"], 1);

    let sent = digest::send_due(&app.db, &app.mail, 0, now()).await.unwrap();
    let mails = app.outbox();
    let digests: Vec<(&str, &str)> = mails
        .iter()
        .filter(|m| m.kind == "digest")
        .map(|m| (m.recipient.as_str(), m.body_text.as_str()))
        .collect();
    assert_eq!(sent, 1, "one digest, to ada; sent: {digests:?}");
    let text = &to(&mails, "ada@example.com")[0].body_text;
    assert!(text.contains("grace commented on “Boilers” (and 2 more)"), "{text}");
    assert!(!text.contains("Pumps"), "read already: {text}");
    let (plant, ideas) =
        (text.find("== In plant ==").unwrap(), text.find("== Ideas and across Agora ==").unwrap());
    assert!(plant < ideas, "communities first: {text}");
    assert!(text.contains("grace commented on “Shared bikes”"));
    assert_eq!(to(&mails, "ada@example.com")[0].subject, "Your Agora digest: 4 new updates");
}

#[tokio::test]
async fn leaving_a_private_community_withdraws_notifications_and_mail_not_yet_sent() {
    let mut sink = SmtpSink::start("ok");
    let app = with_relay(&sink).await;
    sink.stop();
    let (_, ada) = app.given_api_user("ada");
    let (_, carl) = app.given_api_user("carl");
    set_modes(&app, &carl, json!({"mention": "digest"})).await;
    app.given_community(&ada, "secret", "private").await;
    app.api(Method::POST, "/communities/secret/members/carl/invite", &ada).send().await.unwrap();
    join(&app, &carl, "secret").await;
    let post = app.given_post(&carl, "secret", "Merger plans", "Confidential").await;
    app.given_comment(&ada, post, "Noted").await;
    app.given_post(&ada, "secret", "Layoffs", "Tell @carl first").await;
    outbox_until(&app, |m| to(m, "carl@example.com").first().is_some_and(|m| m.attempts >= 1)).await;

    let left = app.api(Method::POST, "/communities/secret/leave", &carl).send().await.unwrap();
    assert!(left.status().is_success());
    sink.restart("ok");
    let mails = outbox_until(&app, |m| to(m, "carl@example.com")[0].failed_at.is_some()).await;
    assert!(to(&mails, "carl@example.com")[0].last_error.as_deref().unwrap().starts_with("withdrawn"));
    digest::send_due(&app.db, &app.mail, 0, now()).await.unwrap();
    for mail in to(&app.outbox(), "carl@example.com").into_iter().filter(|m| m.failed_at.is_none()) {
        assert_eq!(mail.kind, "digest", "only a digest of what carl may still see: {mail:#?}");
        assert!(
            !mail.body_text.contains("Layoffs") && !mail.body_text.contains("secret"),
            "{}",
            mail.body_text
        );
    }
    let bell = app.get_json("/notifications", &carl).await;
    let about_it = bell["items"].as_array().unwrap().iter().filter(|n| n["kind"] != "badge").count();
    assert_eq!(about_it, 0, "nothing about the community is left: {bell}");
    // The sender has moved past the withdrawn mail, and it never reached the relay.
    assert!(sink.received().iter().all(|r| r.to != ["carl@example.com"]));
}

#[tokio::test]
async fn an_admin_invitation_arrives_with_its_registration_link() {
    let app = TestApp::spawn().await;
    let admin = app.token_for(&app.given_user("root", Role::Admin));
    let invited = app
        .api(Method::POST, "/admin/users", &admin)
        .json(&json!({"email": "Newbie@Example.com", "role": "executive"}))
        .send()
        .await
        .unwrap();
    assert_eq!(invited.status(), StatusCode::CREATED);
    let link =
        invited.json::<serde_json::Value>().await.unwrap()["invitation_url"].as_str().unwrap().to_owned();
    let mails = outbox_until(&app, |m| m.len() == 1 && m[0].sent_at.is_some()).await;
    assert_eq!((mails[0].recipient.as_str(), mails[0].kind.as_str()), ("newbie@example.com", "invitation"));
    assert_eq!(mails[0].subject, "root Tester invited you to Agora");
    assert!(mails[0].body_text.contains(&link) && mails[0].body_html.contains(&link));
    // The default transport leaves the mail as a file in the data folder.
    let folder = app.data_dir.path().join("outbox");
    let files: Vec<_> = std::fs::read_dir(&folder).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(files.len(), 1);
    let eml = std::fs::read(&files[0]).unwrap();
    let parsed = mail_parser::MessageParser::default().parse(&eml).unwrap();
    assert_eq!(parsed.to().and_then(|a| a.first()).and_then(|a| a.address()), Some("newbie@example.com"));
}

#[tokio::test]
async fn a_password_reset_works_once_and_tells_nobody_which_addresses_exist() {
    let app = TestApp::spawn().await;
    app.given_user("ada", Role::Employee);
    let old_session = app.signed_in("ada@example.com").await;
    let visitor = app.browser();
    let ask = |email: &'static str| {
        let (app, visitor) = (&app, &visitor);
        async move {
            let response = app.submit(visitor, "/reset", "/reset", &[("email", email)]).await;
            assert_eq!(response.status(), StatusCode::OK);
            response.text().await.unwrap().replace(email, "EMAIL")
        }
    };
    let known = ask("ada@example.com").await;
    let unknown = ask("nobody@example.com").await;
    assert!(known.contains("If an account uses"), "{known}");
    assert_eq!(known, unknown, "the same answer either way");
    let mails = app.outbox();
    assert_eq!(mails.len(), 1, "a mail for the account only");
    assert_eq!((mails[0].recipient.as_str(), mails[0].kind.as_str()), ("ada@example.com", "password_reset"));
    let link = path_of(&mails[0].body_text, "/reset/");

    let form = app.get_as(&visitor, &link).await;
    assert_eq!(form.status(), StatusCode::OK);
    assert!(form.text().await.unwrap().contains("name=\"new_password\""));
    let short = app.submit(&visitor, &link, &link, &[("new_password", "short")]).await;
    assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY, "the token survives a rejected form");
    let fresh = "a much longer passphrase";
    let done = app.submit(&visitor, &link, &link, &[("new_password", fresh)]).await;
    assert_eq!(done.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&done), "/login");

    let replayed = app.submit(&visitor, "/reset", &link, &[("new_password", "yet another passphrase")]).await;
    assert_eq!(replayed.status(), StatusCode::CONFLICT);
    assert!(replayed.text().await.unwrap().contains("cannot be used"));
    assert_eq!(app.get_as(&visitor, "/reset/not-a-token").await.status(), StatusCode::CONFLICT);
    let settings = app.get_as(&old_session, "/settings").await;
    assert_eq!(settings.status(), StatusCode::SEE_OTHER, "every old session ended");
    assert_eq!(app.login(&app.browser(), "ada@example.com", fresh).await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn five_hundred_mentions_are_refused_with_a_clear_message_and_unknown_handles_ignored() {
    let app = TestApp::spawn().await;
    let (_, ada) = app.given_api_user("ada");
    app.given_community(&ada, "plant", "open").await;
    let many: String = (0..500).map(|i| format!("@person{i} ")).collect();
    let post = json!({"kind": "discussion", "title": "Hello all", "body": many});
    let refused = app.api(Method::POST, "/communities/plant/posts", &ada).json(&post).send().await.unwrap();
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let error: serde_json::Value = refused.json().await.unwrap();
    let message = error["error"]["fields"]["body"].as_str().unwrap();
    assert!(message.contains("mentions 500 people") && message.contains("at most 10"), "{message}");
    app.given_post(&ada, "plant", "Hello", "Thanks @nobody-here and @ada").await;
    app.notified().await;
    assert!(app.outbox().is_empty(), "no one to tell: the handle does not exist, and ada wrote it");
}

#[tokio::test]
async fn a_deactivated_account_gets_none_of_its_pending_mail() {
    let mut sink = SmtpSink::start("ok");
    let app = with_relay(&sink).await;
    sink.stop();
    let admin = app.token_for(&app.given_user("root", Role::Admin));
    let (_, ada) = app.given_api_user("ada");
    let (_, grace) = app.given_api_user("grace");
    let idea = app.submit_idea(&ada, "Solar carports").await;
    let body = json!({"body": "Yes!"});
    app.api(Method::POST, &format!("/ideas/{idea}/comments"), &grace).json(&body).send().await.unwrap();
    outbox_until(&app, |m| m.len() == 1 && m[0].attempts >= 1).await;

    let off = app
        .api(Method::PATCH, "/admin/users/ada", &admin)
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(off.status(), StatusCode::OK);
    sink.restart("ok");
    let mails = outbox_until(&app, |m| m[0].failed_at.is_some()).await;
    assert_eq!(mails[0].last_error.as_deref(), Some("withdrawn: the account is deactivated"));
    assert!(sink.received().is_empty());
}
