//! Closing a quarter: the docket, its formula and tie-breaks, idempotency, who may close.

use agora::db::models::ideas as idea_rows;
use agora::domain::account::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::TestApp;

#[tokio::test]
async fn closing_a_quarter_sends_the_top_ideas_to_review_once() {
    let app = TestApp::spawn_with(|s| s.docket_size = 2).await;
    let admin = app.token_for(&app.given_user("root", Role::Admin));
    let exec = app.token_for(&app.given_user("grace", Role::Executive));
    let (_, author) = app.given_api_user("author");
    let early_bird = app.submit_idea(&author, "A: early, 3 votes").await;
    let near_miss = app.submit_idea(&author, "B: 1 vote").await;
    let late_tie = app.submit_idea(&author, "C: later, 3 votes").await;
    let unloved = app.submit_idea(&author, "D: no votes").await;
    for (id, votes) in [(early_bird, 3), (near_miss, 1), (late_tie, 3)] {
        for n in 0..votes {
            let (_, voter) = app.given_api_user(&format!("v{id}n{n}"));
            app.api(Method::PUT, &format!("/ideas/{id}/vote"), &voter).send().await.unwrap();
        }
    }
    let quarter = app.idea_quarter(early_bird);
    let close = |token: &str, body: Value| {
        app.api(Method::POST, &format!("/quarters/{quarter}/close"), token).json(&body).send()
    };

    let not_ended = close(&admin, json!({})).await.unwrap();
    assert_eq!(not_ended.status(), StatusCode::CONFLICT, "the current quarter has not ended");
    assert!(not_ended.json::<Value>().await.unwrap()["error"]["message"].as_str().unwrap().contains("early"));
    assert_eq!(
        close(&exec, json!({"early": true})).await.unwrap().status(),
        StatusCode::NOT_FOUND,
        "admins close"
    );

    let both = futures_util::future::join_all([
        close(&admin, json!({"early": true})),
        close(&admin, json!({"early": true})),
    ])
    .await;
    let mut answers = Vec::new();
    for response in both {
        let response = response.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        answers.push(response.json::<Value>().await.unwrap());
    }
    let created: Vec<bool> = answers.iter().map(|a| a["newly_closed"].as_bool().unwrap()).collect();
    assert!(
        created.contains(&true) && created.contains(&false),
        "one close wins, the other changes nothing: {created:?}"
    );
    let docket = &answers[0];
    let ranked: Vec<(i64, i64)> = docket["ideas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["id"].as_i64().unwrap(), i["votes_at_close"].as_i64().unwrap()))
        .collect();
    assert_eq!(ranked, [(early_bird, 3), (late_tie, 3)], "most supporters; ties to the earliest submission");
    assert!(docket["formula"].as_str().unwrap().contains("distinct supporters"));
    for (id, state) in
        [(early_bird, "in_review"), (late_tie, "in_review"), (near_miss, "submitted"), (unloved, "submitted")]
    {
        assert_eq!(app.idea_state(id), state);
    }

    let again: Value = close(&admin, json!({"early": true})).await.unwrap().json().await.unwrap();
    assert_eq!(again["newly_closed"], false);
    assert_eq!(again["ideas"], docket["ideas"]);

    let board = app.api(Method::GET, &format!("/quarters/{quarter}/board"), &exec).send().await.unwrap();
    assert_eq!(board.status(), StatusCode::OK);
    assert_eq!(board.json::<Value>().await.unwrap()["ideas"].as_array().unwrap().len(), 2);
    assert_eq!(
        app.api(Method::GET, &format!("/quarters/{quarter}/board"), &author).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.api(Method::GET, "/quarters/2001-Q1/board", &exec).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.api(Method::POST, "/quarters/2026-Q9/close", &admin).send().await.unwrap().status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let vote = app.api(Method::PUT, &format!("/ideas/{early_bird}/vote"), &author).send().await.unwrap();
    assert_eq!(vote.status(), StatusCode::CONFLICT, "voting closes with review");
}

#[tokio::test]
async fn the_command_line_closes_past_quarters_and_says_when_nothing_changed() {
    let app = TestApp::spawn().await;
    let run = || app.agora(&["quarter", "close", "2025-Q1"]);
    let first = run();
    assert!(first.status.success(), "{}", String::from_utf8_lossy(&first.stderr));
    assert!(String::from_utf8_lossy(&first.stdout).contains("2025-Q1 closed: 0 idea(s) in review"));
    let second = run();
    assert!(String::from_utf8_lossy(&second.stdout).contains("2025-Q1 was already closed"));
}

#[tokio::test]
async fn executives_score_without_conflicts_of_interest_and_without_anchoring() {
    let app = TestApp::spawn().await;
    let grace = app.given_user("grace", Role::Executive);
    let kath = app.given_user("kath", Role::Executive);
    let report = app.given_user("report", Role::Employee);
    let (grace_t, kath_t, report_t) = (app.token_for(&grace), app.token_for(&kath), app.token_for(&report));
    let grace_id = grace.id;
    app.db
        .write_sync(move |c| Ok(agora::db::models::users::set_manager(c, report.id, Some(grace_id))?))
        .unwrap();
    let by_report = app.submit_idea(&report_t, "From grace's team").await;
    let own = app.submit_idea(&grace_t, "Grace's own").await;
    for id in [by_report, own] {
        app.force_idea_state(id, "in_review");
    }
    let score = |token: &str, id: i64, body: Value| {
        app.api(Method::POST, &format!("/ideas/{id}/reviews"), token).json(&body).send()
    };
    let fair = json!({"impact": 4, "feasibility": 3, "fit": 5, "comment": "Strong"});

    let response = score(&grace_t, by_report, fair.clone()).await.unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert!(
        response.json::<Value>().await.unwrap()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("reports to you")
    );
    assert_eq!(score(&grace_t, own, fair.clone()).await.unwrap().status(), StatusCode::CONFLICT, "own idea");
    assert_eq!(
        score(&report_t, own, fair.clone()).await.unwrap().status(),
        StatusCode::NOT_FOUND,
        "employees do not score"
    );
    let out_of_range = score(&kath_t, own, json!({"impact": 6, "feasibility": 0, "fit": 3})).await.unwrap();
    assert_eq!(out_of_range.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let fields = out_of_range.json::<Value>().await.unwrap()["error"]["fields"].clone();
    assert!(fields["impact"].is_string() && fields["feasibility"].is_string() && fields["fit"].is_null());

    let kath_scored: Value = score(&kath_t, by_report, fair.clone()).await.unwrap().json().await.unwrap();
    assert_eq!(kath_scored["mine"], json!([4, 3, 5]));
    assert_eq!(kath_scored["count"], 1);
    let (_, third) = app.given_api_user("third");
    let ceo = app.token_for(&app.given_user("ceo", Role::Executive));
    let before: Value = app.get_json(&format!("/ideas/{by_report}/reviews"), &ceo).await;
    assert!(
        before["means"].is_null() && before["count"].is_null(),
        "others' scores stay hidden until you score"
    );
    let after: Value = score(&ceo, by_report, json!({"impact": 2, "feasibility": 5, "fit": 3}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(after["means"], json!([3.0, 4.0, 4.0]));
    assert_eq!(after["count"], 2);
    assert_eq!(
        app.api(Method::GET, &format!("/ideas/{by_report}/reviews"), &third).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_board_decides_once_in_the_open() {
    let app = TestApp::spawn().await;
    let grace = app.token_for(&app.given_user("grace", Role::Executive));
    let kath = app.token_for(&app.given_user("kath", Role::Executive));
    let (_, author) = app.given_api_user("author");
    let id = app.submit_idea(&author, "Decide me").await;
    let decide = |token: &str, body: Value| {
        app.api(Method::POST, &format!("/ideas/{id}/decision"), token).json(&body).send()
    };
    assert_eq!(
        decide(&grace, json!({"decision": "funded"})).await.unwrap().status(),
        StatusCode::CONFLICT,
        "not in review yet"
    );
    app.force_idea_state(id, "in_review");
    assert_eq!(decide(&author, json!({"decision": "funded"})).await.unwrap().status(), StatusCode::NOT_FOUND);
    let no_reason = decide(&grace, json!({"decision": "declined"})).await.unwrap();
    assert_eq!(no_reason.status(), StatusCode::UNPROCESSABLE_ENTITY, "declining needs a rationale");

    let both = futures_util::future::join_all([
        decide(&grace, json!({"decision": "funded", "budget": 50000, "sponsor": "grace"})),
        decide(&kath, json!({"decision": "declined", "rationale": "Out of scope this year"})),
    ])
    .await;
    let statuses: Vec<StatusCode> = both.iter().map(|r| r.as_ref().unwrap().status()).collect();
    assert!(statuses.contains(&StatusCode::OK) && statuses.contains(&StatusCode::CONFLICT), "{statuses:?}");
    let final_state = app.idea_state(id);
    assert!(final_state == "funded" || final_state == "declined");
    let decisions = app
        .db
        .read_sync(move |c| {
            Ok(idea_rows::events(c, id)?.into_iter().filter(|(e, _)| e.kind == "decision").count())
        })
        .unwrap();
    assert_eq!(decisions, 1, "one decision recorded");

    let public: Value = app.get_json(&format!("/ideas/{id}"), &author).await;
    assert_eq!(public["state"], final_state.as_str(), "everyone sees the decision");
}

#[tokio::test]
async fn quarter_results_export_as_csv_for_the_board() {
    let app = TestApp::spawn().await;
    let admin = app.token_for(&app.given_user("root", Role::Admin));
    let grace = app.token_for(&app.given_user("grace", Role::Executive));
    let (_, author) = app.given_api_user("author");
    let (_, fan) = app.given_api_user("fan");
    let id = app.submit_idea(&author, "Cheaper, \"greener\" steam").await;
    app.api(Method::PUT, &format!("/ideas/{id}/vote"), &fan).send().await.unwrap();
    let quarter = app.close_quarter_of(&admin, id).await;
    app.api(Method::POST, &format!("/ideas/{id}/reviews"), &grace)
        .json(&json!({"impact": 4, "feasibility": 5, "fit": 3}))
        .send()
        .await
        .unwrap();
    let decided = app
        .api(Method::POST, &format!("/ideas/{id}/decision"), &grace)
        .json(&json!({"decision": "funded", "budget": 1000, "sponsor": "@grace"}))
        .send()
        .await
        .unwrap();
    assert_eq!(decided.status(), StatusCode::OK);

    let response =
        app.api(Method::GET, &format!("/quarters/{quarter}/results.csv"), &grace).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(response.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let csv = response.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "rank,idea,title,author,state,votes_at_close,votes_now,impact,feasibility,fit,scores,decision,rationale,budget,sponsor"
    );
    assert_eq!(
        lines[1],
        format!(
            "1,{id},\"Cheaper, \"\"greener\"\" steam\",author,funded,1,1,4.00,5.00,3.00,1,funded,,1000,grace"
        )
    );
    assert_eq!(lines.len(), 2);
    assert_eq!(
        app.api(Method::GET, &format!("/quarters/{quarter}/results.csv"), &fan)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
}
