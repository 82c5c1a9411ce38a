//! The review board in the browser and over the websocket: who may open it, scoring and
//! deciding through its forms, refusals that keep what was typed, live scores and
//! decisions, ideas from private communities, changed decisions, sponsors, scheduled close.

use std::time::Duration;

use agora::db::models::ideas as idea_rows;
use agora::domain::account::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{TestApp, location};

#[tokio::test]
async fn executives_score_and_decide_on_the_board_page_and_refusals_keep_what_was_typed() {
    let app = TestApp::spawn().await;
    let admin = app.token_for(&app.given_user("root", Role::Admin));
    app.given_user("grace", Role::Executive);
    let author = app.token_for(&app.given_user("author", Role::Employee));
    let id = app.submit_idea(&author, "Solar roofs on the warehouses").await;
    let quarter = app.close_quarter_of(&admin, id).await;
    let board = format!("/review/{quarter}");
    // Submitted after the close: stays open, and is what the brief finds as similar.
    app.submit_idea(&author, "Solar roofs on the car parks").await;
    app.indexed().await;

    let employee = app.signed_in("author@example.com").await;
    for path in ["/review", board.as_str(), &format!("{board}/results.csv")] {
        assert_eq!(app.get_as(&employee, path).await.status(), StatusCode::NOT_FOUND, "{path}");
    }
    let grace = app.signed_in("grace@example.com").await;
    assert_eq!(app.get_as(&grace, "/review/2001-Q1").await.status(), StatusCode::NOT_FOUND, "not closed");
    let page = app.get_as(&grace, &board).await.text().await.unwrap();
    assert!(page.contains("Solar roofs on the warehouses") && page.contains("0 of 1 executives scored"));
    let similar = page.split("<h3>Similar ideas</h3>").nth(1).expect("a similar ideas list");
    assert!(similar.contains("Solar roofs on the car parks"), "similar ideas come from the index");
    let index = app.get_as(&grace, "/review").await.text().await.unwrap();
    assert!(index.contains(&format!("/review/{quarter}")), "the archive lists the closed quarter");

    let out_of_range = app
        .submit(
            &grace,
            &board,
            &format!("/ideas/{id}/reviews"),
            &[("impact", "9"), ("feasibility", "3"), ("comment", "Keep this")],
        )
        .await;
    assert_eq!(out_of_range.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = out_of_range.text().await.unwrap();
    assert!(
        html.contains("score from 1 to 5") && html.contains("Keep this"),
        "error beside the form, comment kept"
    );
    let scored = app
        .submit(
            &grace,
            &board,
            &format!("/ideas/{id}/reviews"),
            &[("impact", "4"), ("feasibility", "3"), ("fit", "5")],
        )
        .await;
    assert_eq!(scored.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&scored), format!("{board}#brief-{id}"));
    let page = app.get_as(&grace, &board).await.text().await.unwrap();
    assert!(page.contains("1 of 1 executives scored") && page.contains("Update my score"));

    let sponsor_typo = app
        .submit(
            &grace,
            &board,
            &format!("/ideas/{id}/decision"),
            &[("decision", "funded"), ("budget", "50,000"), ("sponsor", "nobody-here")],
        )
        .await;
    assert_eq!(sponsor_typo.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = sponsor_typo.text().await.unwrap();
    assert!(
        html.contains("nobody active has the handle") && html.contains("value=\"50,000\""),
        "budget kept"
    );
    assert_eq!(app.idea_state(id), "in_review", "nothing decided");
    let funded = app
        .submit(
            &grace,
            &board,
            &format!("/ideas/{id}/decision"),
            &[("decision", "funded"), ("budget", "50,000"), ("sponsor", "@grace"), ("rationale", "")],
        )
        .await;
    assert_eq!(funded.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.idea_state(id), "funded");
    let page = app.get_as(&grace, &board).await.text().await.unwrap();
    assert!(
        page.contains("1 of 1</strong> ideas decided")
            && page.contains("budget 50,000")
            && page.contains("Change the decision")
    );
    let again = app
        .submit(
            &grace,
            &board,
            &format!("/ideas/{id}/decision"),
            &[("decision", "declined"), ("rationale", "Second thoughts")],
        )
        .await;
    assert_eq!(again.status(), StatusCode::CONFLICT, "a second decision must name the one it changes");
    assert!(again.text().await.unwrap().contains("already decided"));

    let csv = app.get_as(&grace, &format!("{board}/results.csv")).await;
    assert_eq!(csv.status(), StatusCode::OK);
    assert!(csv.text().await.unwrap().contains(",funded,,50000,grace"));

    let public = app.get_as(&employee, &format!("/ideas/{id}")).await.text().await.unwrap();
    assert!(
        public.contains("Review board: funded") && public.contains("Budget 50,000"),
        "everyone reads the decision"
    );
}

#[tokio::test]
async fn admins_close_quarters_from_the_review_page_only_on_purpose() {
    let app = TestApp::spawn().await;
    app.given_user("root", Role::Admin);
    app.given_user("grace", Role::Executive);
    let (_, author) = app.given_api_user("author");
    let id = app.submit_idea(&author, "Close me").await;
    let quarter = app.idea_quarter(id);
    let close = format!("/review/{quarter}/close");

    let grace = app.signed_in("grace@example.com").await;
    let refused = app.submit(&grace, "/review", &close, &[("early", "1")]).await;
    assert_eq!(refused.status(), StatusCode::NOT_FOUND, "executives do not close quarters");
    let admin = app.signed_in("root@example.com").await;
    let unconfirmed = app.submit(&admin, "/review", &close, &[]).await;
    assert_eq!(unconfirmed.status(), StatusCode::CONFLICT);
    assert!(unconfirmed.text().await.unwrap().contains("close it early only on purpose"));
    assert_eq!(app.idea_state(id), "submitted");
    let closed = app.submit(&admin, "/review", &close, &[("early", "1")]).await;
    assert_eq!(closed.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&closed), format!("/review/{quarter}"));
    assert_eq!(app.idea_state(id), "in_review");
    let board = app.get_as(&admin, &format!("/review/{quarter}")).await.text().await.unwrap();
    assert!(board.contains("closed: 1 ideas entered review") && board.contains("Close me"));
}

#[tokio::test]
async fn open_boards_hear_scores_and_decisions_live_even_for_ideas_in_private_communities() {
    let app = TestApp::spawn().await;
    let admin = app.token_for(&app.given_user("root", Role::Admin));
    let grace = app.token_for(&app.given_user("grace", Role::Executive));
    let kath = app.token_for(&app.given_user("kath", Role::Executive));
    let (_, insider) = app.given_api_user("insider");
    let (_, outsider) = app.given_api_user("outsider");
    app.api(Method::POST, "/communities", &insider)
        .json(&json!({"slug": "lab", "name": "Lab", "visibility": "private"}))
        .send()
        .await
        .unwrap();
    let created = app
        .api(Method::POST, "/ideas", &insider)
        .json(&json!({"title": "Confidential catalyst", "problem": "p", "proposal": "q", "community": "lab"}))
        .send()
        .await
        .unwrap();
    let id = created.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let quarter = app.close_quarter_of(&admin, id).await;
    let topic = format!("board:{quarter}");

    let mut outsider_ws = app.ws(&outsider).await;
    let (subscribed, errors) = outsider_ws.subscribe(&[&topic, &format!("idea:{id}")], None).await;
    assert_eq!(subscribed["topics"], json!([]));
    assert_eq!(errors.len(), 2, "no board, and no private idea, for an employee outside: {errors:?}");
    let mut board_ws = app.ws(&kath).await;
    let (subscribed, _) = board_ws.subscribe(&[&topic], None).await;
    assert_eq!(subscribed["topics"], json!([topic]));
    let page = app.signed_in("kath@example.com").await;
    let html = app.get_as(&page, &format!("/review/{quarter}")).await.text().await.unwrap();
    assert!(html.contains("Confidential catalyst"), "the board reads every docket idea");

    app.api(Method::POST, &format!("/ideas/{id}/reviews"), &grace)
        .json(&json!({"impact": 5, "feasibility": 4, "fit": 4}))
        .send()
        .await
        .unwrap();
    let scored = board_ws.next().await;
    assert_eq!(
        (scored["verb"].as_str(), scored["data"]["object_id"].as_i64()),
        (Some("idea.scored"), Some(id))
    );
    let decided = app
        .api(Method::POST, &format!("/ideas/{id}/decision"), &grace)
        .json(&json!({"decision": "declined", "rationale": "Not this year"}))
        .send()
        .await
        .unwrap();
    assert_eq!(decided.status(), StatusCode::OK);
    let event = board_ws.next().await;
    assert_eq!(event["verb"], "idea.decided");
    assert_eq!(event["data"]["rationale"], "Not this year");
    outsider_ws.expect_silence(Duration::from_millis(300)).await;
}

#[tokio::test]
async fn a_decision_changes_only_as_a_new_reasoned_event_and_the_sponsor_moves_the_idea_on() {
    let app = TestApp::spawn().await;
    let admin = app.token_for(&app.given_user("root", Role::Admin));
    let grace = app.token_for(&app.given_user("grace", Role::Executive));
    let kath = app.token_for(&app.given_user("kath", Role::Executive));
    let (_, sponsor) = app.given_api_user("sponsor");
    let (_, author) = app.given_api_user("author");
    let id = app.submit_idea(&author, "Heat pumps").await;
    app.close_quarter_of(&admin, id).await;
    let decide = |token: &str, body: Value| {
        app.api(Method::POST, &format!("/ideas/{id}/decision"), token).json(&body).send()
    };
    let first: Value = decide(&grace, json!({"decision": "declined", "rationale": "Too expensive"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let first_id = first["id"].as_i64().unwrap();
    let unnamed =
        decide(&kath, json!({"decision": "funded", "budget": 9000, "sponsor": "sponsor"})).await.unwrap();
    assert_eq!(unnamed.status(), StatusCode::CONFLICT);
    let no_reason = decide(&kath, json!({"decision": "funded", "sponsor": "sponsor", "revises": first_id}))
        .await
        .unwrap();
    assert_eq!(no_reason.status(), StatusCode::UNPROCESSABLE_ENTITY, "a change says why");

    let change = json!({"decision": "funded", "budget": 9000, "sponsor": "sponsor", "revises": first_id,
        "rationale": "The energy grant covers half"});
    let both = futures_util::future::join_all([decide(&kath, change.clone()), decide(&grace, change)]).await;
    let statuses: Vec<StatusCode> = both.iter().map(|r| r.as_ref().unwrap().status()).collect();
    assert!(statuses.contains(&StatusCode::OK) && statuses.contains(&StatusCode::CONFLICT), "{statuses:?}");
    assert_eq!(app.idea_state(id), "funded");
    let idea: Value = app.get_json(&format!("/ideas/{id}"), &author).await;
    assert_eq!(idea["decision"]["decision"], "funded");
    assert_eq!(idea["decision"]["rationale"], "The energy grant covers half");
    assert_eq!(idea["decision"]["sponsor"], "sponsor");
    let trail = app
        .db
        .read_sync(move |c| {
            Ok(idea_rows::events(c, id)?
                .into_iter()
                .map(|(e, _)| (e.kind, e.to_state, e.note))
                .collect::<Vec<_>>())
        })
        .unwrap();
    let decisions: Vec<_> = trail.iter().filter(|(kind, ..)| kind.starts_with("decision")).collect();
    assert_eq!(
        decisions,
        [
            &("decision".to_owned(), "declined".to_owned(), "Too expensive".to_owned()),
            &("decision_changed".to_owned(), "funded".to_owned(), "The energy grant covers half".to_owned())
        ],
        "the first decision stays in the trail; the change is its own event"
    );

    let move_on = |token: &str, to: &str| {
        app.api(Method::POST, &format!("/ideas/{id}/transition"), token).json(&json!({"to": to})).send()
    };
    assert_eq!(move_on(&author, "in_development").await.unwrap().status(), StatusCode::CONFLICT);
    assert_eq!(move_on(&sponsor, "in_development").await.unwrap().status(), StatusCode::OK);
    assert_eq!(move_on(&sponsor, "launched").await.unwrap().status(), StatusCode::OK);
    let latest = idea["decision"]["id"].as_i64().unwrap();
    let too_late =
        decide(&grace, json!({"decision": "declined", "rationale": "x", "revises": latest})).await.unwrap();
    assert_eq!(too_late.status(), StatusCode::CONFLICT, "launched ideas keep their decision");
}

#[tokio::test]
async fn the_scheduled_close_takes_the_docket_of_the_quarter_that_ended() {
    let app = TestApp::spawn().await;
    let (_, author) = app.given_api_user("author");
    let (_, fan) = app.given_api_user("fan");
    let id = app.submit_idea(&author, "Carried over").await;
    app.api(Method::PUT, &format!("/ideas/{id}/vote"), &fan).send().await.unwrap();
    let current =
        agora::domain::quarter::Quarter::parse(&agora::domain::idea::quarter_of(agora::db::models::now()))
            .unwrap();
    let last = current.previous();
    let name = last.to_string();
    app.db
        .write_sync(move |c| {
            Ok(idea_rows::move_to_quarter(c, id, &name, last.end() - chrono::Duration::days(3))?)
        })
        .unwrap();

    let scheduled = TestApp::spawn_sharing_with(&app, |s| s.close_quarters_on_schedule = true).await;
    let name = last.to_string();
    let mut closed = false;
    for _ in 0..100 {
        let quarter = name.clone();
        if scheduled
            .db
            .read_sync(move |c| Ok(agora::db::models::dockets::find(c, &quarter)?.is_some()))
            .unwrap()
        {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(closed, "the ended quarter closes on start");
    assert_eq!(app.idea_state(id), "in_review");
}
