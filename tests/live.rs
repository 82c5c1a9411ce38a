//! The websocket hub with real clients (tokio-tungstenite): delivery, ACL on subscribe and
//! on revocation, replay after reconnect, slow-consumer eviction, several nodes, bad input.

use std::time::Duration;

use agora::domain::account::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::{Ended, TestApp};

const QUIET: Duration = Duration::from_millis(800);

/// An open community `team` (owner ada, member bob) and a private `secret` (owner ada, member
/// bob); carol belongs to neither.
async fn world(app: &TestApp) -> (String, String, String) {
    let [ada, bob, carol] =
        ["ada", "bob", "carol"].map(|h| app.token_for(&app.given_user(h, Role::Employee)));
    for (slug, visibility) in [("team", "open"), ("secret", "private")] {
        let body = json!({"slug": slug, "name": slug, "visibility": visibility});
        assert_eq!(
            app.api(Method::POST, "/communities", &ada).json(&body).send().await.unwrap().status(),
            StatusCode::CREATED
        );
        app.api(Method::POST, &format!("/communities/{slug}/members/bob/invite"), &ada).send().await.unwrap();
        app.api(Method::POST, &format!("/communities/{slug}/join"), &bob).send().await.unwrap();
    }
    (ada, bob, carol)
}

async fn post(app: &TestApp, token: &str, slug: &str, body: &str) -> i64 {
    let response = app
        .api(Method::POST, &format!("/communities/{slug}/posts"), token)
        .json(&json!({"kind": "update", "body": body}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
}

/// The next event, skipping nothing: the protocol must not send surprises.
async fn event(ws: &mut crate::helpers::Ws) -> Value {
    let message = ws.next().await;
    assert_eq!(message["op"], "event", "{message}");
    message
}

#[tokio::test]
async fn a_new_post_reaches_subscribers_with_data_and_the_page_fragment() {
    let app = TestApp::spawn().await;
    let (ada, bob, _) = world(&app).await;
    let mut ws = app.ws(&bob).await;
    let (subscribed, errors) = ws.subscribe(&["community:team", "home"], Some(app.latest())).await;
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(subscribed["topics"], json!(["community:team", "home"]));

    let id = post(&app, &ada, "team", "Lunch at **noon** #food").await;
    let mut topics = Vec::new();
    for _ in 0..2 {
        let message = event(&mut ws).await;
        assert_eq!(message["verb"], "post.created");
        assert_eq!(message["data"]["object_id"], id);
        assert_eq!(message["data"]["tags"], json!(["food"]));
        let html = message["html"].as_str().unwrap();
        assert!(html.contains(&format!("id=\"post-{id}\"")) && html.contains("<strong>noon</strong>"));
        assert!(html.contains("/react/like"), "bob is a member: the fragment has reaction buttons");
        assert!(message["id"].as_i64().unwrap() > 0);
        topics.push(message["topic"].as_str().unwrap().to_owned());
    }
    topics.sort();
    assert_eq!(topics, ["community:team", "home"]);
    ws.expect_silence(QUIET).await;
}

#[tokio::test]
async fn private_and_missing_topics_answer_the_same_not_found() {
    let app = TestApp::spawn().await;
    let (ada, _, carol) = world(&app).await;
    let secret_post = post(&app, &ada, "secret", "Merger").await;
    let mut ws = app.ws(&carol).await;
    let wanted = [
        "community:secret",
        "community:nope",
        &format!("post:{secret_post}"),
        "post:999999",
        "idea:1",
        "bogus",
    ];
    let (subscribed, errors) = ws.subscribe(&wanted, None).await;
    assert_eq!(subscribed["topics"], json!([]));
    assert_eq!(errors.len(), wanted.len());
    for (error, topic) in errors.iter().zip(wanted) {
        assert_eq!(error, &json!({"op": "error", "code": "not_found", "topic": topic}));
    }
    let (subscribed, _) = ws.subscribe(&["community:team"], Some(app.latest())).await;
    assert_eq!(subscribed["topics"], json!(["community:team"]));
    post(&app, &ada, "secret", "More merger").await;
    ws.expect_silence(QUIET).await;
}

#[tokio::test]
async fn leaving_a_private_community_stops_its_events_at_once() {
    let app = TestApp::spawn().await;
    let (ada, bob, _) = world(&app).await;
    let mut ws = app.ws(&bob).await;
    ws.subscribe(&["community:secret", "home"], Some(app.latest())).await;
    let id = post(&app, &ada, "secret", "Before").await;
    for _ in 0..2 {
        assert_eq!(event(&mut ws).await["data"]["object_id"], id);
    }
    ws.subscribe(&[&format!("post:{id}")], Some(app.latest())).await;
    assert_eq!(
        app.api(Method::POST, "/communities/secret/leave", &bob).send().await.unwrap().status(),
        StatusCode::NO_CONTENT
    );
    let mut revoked = Vec::new();
    for _ in 0..2 {
        let message = ws.next().await;
        assert_eq!(message["code"], "not_found", "{message}");
        revoked.push(message["topic"].as_str().unwrap().to_owned());
    }
    revoked.sort();
    assert_eq!(revoked, ["community:secret".to_owned(), format!("post:{id}")]);
    post(&app, &ada, "secret", "After").await;
    app.api(Method::POST, &format!("/posts/{id}/comments"), &ada)
        .json(&json!({"body": "secret reply"}))
        .send()
        .await
        .unwrap();
    ws.expect_silence(QUIET).await;
}

#[tokio::test]
async fn reconnecting_with_since_replays_the_gap_without_duplicates() {
    let app = TestApp::spawn().await;
    let (ada, bob, _) = world(&app).await;
    let mut ws = app.ws(&bob).await;
    ws.subscribe(&["community:team"], Some(app.latest())).await;
    post(&app, &ada, "team", "one").await;
    let last_seen = event(&mut ws).await["id"].as_i64().unwrap();
    drop(ws);

    let mut missed = Vec::new();
    for text in ["two", "three", "four"] {
        missed.push(post(&app, &ada, "team", text).await);
    }
    post(&app, &ada, "secret", "not on this topic").await;
    let mut ws = app.ws(&bob).await;
    ws.subscribe(&["community:team"], Some(last_seen)).await;
    let mut replayed = Vec::new();
    for _ in 0..3 {
        let message = event(&mut ws).await;
        replayed.push(message["data"]["object_id"].as_i64().unwrap());
    }
    assert_eq!(replayed, missed, "in order, nothing missing");
    let live = post(&app, &ada, "team", "five").await;
    assert_eq!(event(&mut ws).await["data"]["object_id"], live);
    ws.expect_silence(QUIET).await;
}

#[tokio::test]
async fn a_client_that_never_reads_is_dropped_and_others_keep_up() {
    let app = TestApp::spawn_with(|s| s.ws_queue = 4).await;
    let (ada, bob, carol) = world(&app).await;
    let mut slow = app.ws(&carol).await;
    slow.subscribe(&["community:team"], Some(app.latest())).await;
    let mut fast = app.ws(&bob).await;
    fast.subscribe(&["community:team"], Some(app.latest())).await;
    // ~7.6 MB of large posts: more than loopback's socket buffers (4 MB send, 128 kB
    // receive for a client that never reads) can absorb, so the writes stall and the small
    // queue overflows.
    const POSTS: usize = 400;
    let body = format!("{} #bulk", "lorem ipsum ".repeat(1_600));
    // The fast client takes each post before the next is written: it never falls behind,
    // however busy the machine is (the indexer and other log followers run on the same
    // test runtime), while the slow one never reads at all.
    for _ in 0..POSTS {
        post(&app, &ada, "team", &body).await;
        assert_eq!(event(&mut fast).await["verb"], "post.created");
    }
    let ended = loop {
        match slow.next_within(Duration::from_secs(10)).await {
            Ok(Some(_)) => continue,
            Ok(None) => panic!("the slow client was never dropped"),
            Err(ended) => break ended,
        }
    };
    assert!(matches!(ended, Ended::Closed(1013) | Ended::Dropped), "{ended:?}");
}

#[tokio::test]
async fn an_event_written_on_one_node_reaches_clients_of_another() {
    let first = TestApp::spawn().await;
    let (ada, bob, _) = world(&first).await;
    let second = TestApp::spawn_sharing(&first).await;
    let mut ws = second.ws(&bob).await;
    ws.subscribe(&["community:team"], Some(second.latest())).await;
    let id = post(&first, &ada, "team", "from node one").await;
    let message = event(&mut ws).await;
    assert_eq!(message["data"]["object_id"], id);
}

#[tokio::test]
async fn deactivation_closes_the_users_sockets() {
    let app = TestApp::spawn().await;
    let (_, bob, _) = world(&app).await;
    let admin = app.token_for(&app.given_user("root", Role::Admin));
    let mut ws = app.ws(&bob).await;
    ws.subscribe(&["home"], Some(app.latest())).await;
    let off = app
        .api(Method::PATCH, "/admin/users/bob", &admin)
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(off.status(), StatusCode::OK);
    assert_eq!(ended(&mut ws, "deactivated").await, SIGNED_OUT);
    assert_eq!(app.ws_with(&[("authorization", &format!("Bearer {bob}"))]).await.err(), Some(401));
}

#[tokio::test]
async fn handshakes_need_a_user_and_this_site() {
    let app = TestApp::spawn().await;
    let (_, bob, _) = world(&app).await;
    assert_eq!(app.ws_with(&[]).await.err(), Some(401));
    assert_eq!(app.ws_with(&[("authorization", "Bearer agora_pat_wrong")]).await.err(), Some(401));
    let bearer = format!("Bearer {bob}");
    let foreign = app.ws_with(&[("authorization", &bearer), ("origin", "https://evil.example")]).await;
    assert_eq!(foreign.err(), Some(403));
    let own_origin = app.url.clone();
    assert!(app.ws_with(&[("authorization", &bearer), ("origin", &own_origin)]).await.is_ok());
}

#[tokio::test]
async fn garbage_floods_and_huge_requests_get_clear_answers() {
    let app = TestApp::spawn().await;
    let (_, bob, _) = world(&app).await;
    let mut ws = app.ws(&bob).await;
    ws.send_raw(Message::text("this is not json")).await;
    assert_eq!(ws.next().await["code"], "bad_request");
    ws.send(json!({"op": "dance"})).await;
    assert_eq!(ws.next().await["code"], "bad_request");
    ws.send_raw(Message::binary(vec![0u8, 159, 146, 150])).await;
    assert_eq!(ws.next().await["code"], "bad_request");
    let many: Vec<String> = (0..10_000).map(|i| format!("post:{i}")).collect();
    ws.send(json!({"op": "subscribe", "topics": many})).await;
    let reply = ws.next().await;
    assert!(reply["code"] == "too_many_topics", "{reply}");
    let (subscribed, _) = ws.subscribe(&["community:team"], Some(app.latest())).await;
    assert_eq!(subscribed["topics"], json!(["community:team"]), "still usable after bad input");

    ws.send_raw(Message::text("x".repeat(300 * 1024))).await;
    assert!(ws.next_within(Duration::from_secs(5)).await.is_err(), "oversized frames end the connection");

    let mut flood = app.ws(&bob).await;
    let ended = async {
        for _ in 0..200 {
            let message = json!({"op": "unsubscribe", "topics": ["home"]}).to_string();
            if !flood.try_send_raw(Message::text(message)).await {
                break;
            }
        }
        loop {
            match flood.next_within(Duration::from_secs(5)).await {
                Ok(Some(_)) => continue,
                Ok(None) => return None,
                Err(ended) => return Some(ended),
            }
        }
    }
    .await;
    assert_eq!(ended, Some(Ended::Closed(1008)), "a flood is cut off");

    let mut healthy = app.ws(&bob).await;
    let (subscribed, _) = healthy.subscribe(&["home"], Some(app.latest())).await;
    assert_eq!(subscribed["topics"], json!(["home"]), "the server keeps serving everyone else");
}

#[tokio::test]
async fn a_page_and_its_socket_leave_no_gap_between_them() {
    let app = TestApp::spawn().await;
    let (ada, bob, _) = world(&app).await;
    let browser = app.signed_in("bob@example.com").await;
    let page = app.get_as(&browser, "/c/team").await.text().await.unwrap();
    assert!(page.contains("data-live-topics=\"community:team\"") && page.contains("/static/js/live.js"));
    let since: i64 =
        page.split("data-live-since=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
    // Written after the page rendered, before its script connected.
    let id = post(&app, &ada, "team", "between render and connect").await;
    let mut ws = app.ws(&bob).await;
    ws.subscribe(&["community:team"], Some(since)).await;
    let message = event(&mut ws).await;
    assert_eq!(message["data"]["object_id"], id);
    ws.expect_silence(QUIET).await;
}

/// Waits for the server to end a socket; how it ended.
async fn ended(ws: &mut crate::helpers::Ws, what: &str) -> Ended {
    loop {
        match ws.next_within(Duration::from_secs(10)).await {
            Ok(Some(_)) => continue,
            Ok(None) => panic!("{what}: the socket stayed open"),
            Err(ended) => return ended,
        }
    }
}

/// The close code that tells a page its sign-in ended (and not to reconnect).
const SIGNED_OUT: Ended = Ended::Closed(4401);

#[tokio::test]
async fn signing_out_or_changing_the_password_closes_the_sockets_of_those_sign_ins() {
    let app = TestApp::spawn().await;
    let ada = app.given_user("ada", Role::Employee);
    let token = app.token_for(&ada);
    // A laptop, a phone and a tablet, each signed in with a socket open; and a token's socket.
    let mut devices = Vec::new();
    for _ in 0..3 {
        let browser = app.browser();
        let login = app.login(&browser, "ada@example.com", crate::helpers::PASSWORD).await;
        let cookie = crate::helpers::set_cookies(login.headers()).split(';').next().unwrap().to_owned();
        let mut ws = app.ws_with(&[("cookie", &cookie), ("origin", &app.url)]).await.unwrap();
        ws.subscribe(&["home"], None).await;
        devices.push((browser, ws));
    }
    let mut script = app.ws(&token).await;
    script.subscribe(&["home"], None).await;
    let [(laptop, mut laptop_ws), (phone, mut phone_ws), (_, mut tablet_ws)] =
        <[_; 3]>::try_from(devices).ok().unwrap();

    // Signing out on the laptop ends the laptop's socket only.
    assert_eq!(app.submit(&laptop, "/settings", "/logout", &[]).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(ended(&mut laptop_ws, "signed out").await, SIGNED_OUT);
    for ws in [&mut phone_ws, &mut tablet_ws, &mut script] {
        ws.subscribe(&["notifications"], None).await;
    }

    // A password change on the phone ends the tablet's socket; the phone and the token's
    // socket stay.
    let change = [("current_password", crate::helpers::PASSWORD), ("new_password", "a brand new passphrase")];
    let changed = app.submit(&phone, "/settings", "/settings/password", &change).await;
    assert_eq!(changed.status(), StatusCode::SEE_OTHER);
    assert_eq!(ended(&mut tablet_ws, "another device after a password change").await, SIGNED_OUT);
    for ws in [&mut phone_ws, &mut script] {
        ws.expect_silence(Duration::from_millis(300)).await;
        ws.subscribe(&["notifications"], Some(app.latest())).await;
    }
    assert_eq!(app.get_as(&phone, "/settings").await.status(), StatusCode::OK, "the phone stays signed in");
}

#[tokio::test]
async fn revoking_a_token_closes_its_sockets_and_no_others() {
    let app = TestApp::spawn().await;
    let ada = app.given_user("ada", Role::Employee);
    let [(revoked_id, revoked), (_, kept)] = [(); 2].map(|()| app.token_with_id(&ada));
    let mut revoked_ws = app.ws(&revoked).await;
    revoked_ws.subscribe(&["home"], None).await;
    let mut kept_ws = app.ws(&kept).await;
    kept_ws.subscribe(&["home"], None).await;

    let browser = app.browser();
    app.login(&browser, "ada@example.com", crate::helpers::PASSWORD).await;
    let revoke = format!("/settings/tokens/{revoked_id}/revoke");
    assert_eq!(app.submit(&browser, "/settings", &revoke, &[]).await.status(), StatusCode::SEE_OTHER);
    // A stolen token, once revoked, hears nothing more, however long its socket was open.
    assert_eq!(ended(&mut revoked_ws, "a revoked token").await, SIGNED_OUT);
    kept_ws.subscribe(&["notifications"], None).await;
    let bearer = format!("Bearer {revoked}");
    assert_eq!(app.ws_with(&[("authorization", &bearer)]).await.err(), Some(401));
}

/// Writes `request` on a fresh connection and reads until the server closes it.
async fn raw_exchange(app: &TestApp, request: &[u8], read_until_close: bool) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let address = app.url.trim_start_matches("http://");
    let mut tcp = tokio::net::TcpStream::connect(address).await.unwrap();
    tcp.write_all(request).await.unwrap();
    let mut seen = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let read = tokio::time::timeout(Duration::from_secs(5), tcp.read(&mut chunk)).await;
        match read {
            Ok(Ok(0)) => break,
            Ok(Ok(n)) => seen.extend_from_slice(&chunk[..n]),
            Ok(Err(e)) => panic!("reading the answer: {e}"),
            Err(_) if read_until_close => panic!("the server kept the connection open"),
            Err(_) => break,
        }
    }
    String::from_utf8_lossy(&seen).into_owned()
}

fn handshake(path: &str, token: &str) -> String {
    format!(
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
         Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
         Authorization: Bearer {token}\r\n\r\n"
    )
}

#[tokio::test]
async fn an_upgrade_request_the_socket_does_not_take_gets_a_whole_answer() {
    let app = TestApp::spawn().await;
    let (_, bob, _) = world(&app).await;
    // Any path may carry websocket headers; only /ws becomes a socket.
    let answer = raw_exchange(&app, handshake("/healthz", &bob).as_bytes(), true).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.to_ascii_lowercase().contains("connection: close"), "{answer}");
    assert!(answer.ends_with('}') && answer.contains("\"status\":\"ok\""), "the body is whole: {answer}");
    // A refused handshake answers with its reason, like any API error.
    let refused = raw_exchange(&app, handshake("/ws", "agora_pat_wrong").as_bytes(), true).await;
    assert!(refused.starts_with("HTTP/1.1 401"), "{refused}");
    // /ws without the upgrade headers is not a handshake.
    let plain = reqwest::Client::new().get(format!("{}/ws", app.url)).bearer_auth(&bob).send().await.unwrap();
    assert_eq!(plain.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_message_sent_with_the_handshake_is_not_lost() {
    let app = TestApp::spawn().await;
    let (_, bob, _) = world(&app).await;
    // The subscribe goes out in the same write as the handshake, before the 101 arrives.
    let text = br#"{"op":"subscribe","topics":["community:team"]}"#;
    let mask = [7u8, 1, 2, 3];
    let mut request = handshake("/ws", &bob).into_bytes();
    request.extend_from_slice(&[0x81, 0x80 | text.len() as u8]);
    request.extend_from_slice(&mask);
    request.extend(text.iter().enumerate().map(|(i, b)| b ^ mask[i % 4]));
    let answer = raw_exchange(&app, &request, false).await;
    assert!(answer.starts_with("HTTP/1.1 101"), "{answer}");
    assert!(answer.contains(r#""op":"subscribed""#), "{answer}");
}

#[tokio::test]
async fn one_person_holds_only_so_many_sockets_and_a_closed_one_frees_its_place() {
    let app = TestApp::spawn_with(|s| s.ws_per_person = 2).await;
    let (ada, bob, _) = world(&app).await;
    let mut first = app.ws(&bob).await;
    let mut second = app.ws(&bob).await;
    // A third tab is refused with a reason and a time to come back, not let in to push
    // another tab's socket out.
    let refused = raw_exchange(&app, handshake("/ws", &bob).as_bytes(), true).await;
    assert!(refused.starts_with("HTTP/1.1 429"), "{refused}");
    assert!(refused.to_ascii_lowercase().contains("retry-after: 30"), "{refused}");
    assert!(
        refused.contains(r#""code":"quota_exceeded""#) && refused.contains("(2 open at once)"),
        "{refused}"
    );
    // Other people have places of their own, and the open sockets keep working.
    let _ada_socket = app.ws(&ada).await;
    second.subscribe(&["community:team"], None).await;
    let id = post(&app, &ada, "team", "still live").await;
    assert_eq!(event(&mut second).await["data"]["object_id"], id);
    // Closing a tab gives its place back.
    first.send_raw(Message::Close(None)).await;
    drop(first);
    let bearer = format!("Bearer {bob}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match app.ws_with(&[("authorization", &bearer)]).await {
            Ok(_) => break,
            Err(429) if tokio::time::Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(status) => panic!("the closed socket's place was not given back: {status}"),
        }
    }
}
