//! The hot reads, as diesel actually sends them: they use the indexes made for them, and
//! they are prepared once per connection rather than parsed on every page.
//!
//! A partial index serves a statement only when the statement's text implies the index's
//! condition: a value bound in its place (diesel's `.eq(…)`) silently made SQLite read
//! each row from the table instead. So these tests record the statements a function runs
//! and ask SQLite's planner about each. (PostgreSQL's planner prefers a sequential scan on
//! a test's few rows, so its plan proves nothing.)

use std::sync::{Arc, Mutex};

use agora::db::DbConn;
use agora::db::models::feed::{Viewer, home};
use agora::db::models::{communities, posts, uploads};
use agora::domain::account::Role;
use diesel::RunQueryDsl;
use diesel::connection::{Connection, Instrumentation, InstrumentationEvent};
use reqwest::Method;
use serde_json::json;

use crate::helpers::{Backend, TestApp};

/// What a connection reported while `run` ran: each statement sent, and each one newly
/// kept in its prepared-statement cache.
#[derive(Default)]
struct Sent {
    statements: Vec<String>,
    cached: Vec<String>,
}

/// Runs `run` on a pooled connection, recording what it sends; `then` reads the record on
/// the same connection.
fn record<T: Send + 'static>(
    app: &TestApp,
    run: impl FnOnce(&mut DbConn) + Send + 'static,
    then: impl FnOnce(&mut DbConn, &Sent) -> T + Send + 'static,
) -> T {
    let sent = Arc::new(Mutex::new(Sent::default()));
    let log = sent.clone();
    app.db
        .read_sync(move |c| {
            c.set_instrumentation(move |event: InstrumentationEvent<'_>| {
                let mut log = log.lock().unwrap();
                match event {
                    // The text diesel logs ends with the bound values.
                    InstrumentationEvent::StartQuery { query, .. } => {
                        let text = query.to_string();
                        log.statements.push(text.split(" -- binds:").next().unwrap_or_default().to_owned());
                    }
                    InstrumentationEvent::CacheQuery { sql, .. } => log.cached.push(sql.to_owned()),
                    _ => {}
                }
            });
            run(c);
            c.set_instrumentation(None::<Box<dyn Instrumentation>>);
            let sent = sent.lock().unwrap();
            Ok(then(c, &sent))
        })
        .unwrap()
}

/// SQLite's plan of every statement `run` sends, one line per step.
fn plans(app: &TestApp, run: impl FnOnce(&mut DbConn) + Send + 'static) -> Vec<String> {
    #[derive(diesel::QueryableByName)]
    struct Step {
        #[diesel(sql_type = diesel::sql_types::Text)]
        detail: String,
    }
    record(app, run, |c, sent| {
        let mut steps = Vec::new();
        for sql in &sent.statements {
            let plan = diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}")).load::<Step>(c).unwrap();
            steps.extend(plan.into_iter().map(|s| format!("{sql}\n    {}", s.detail)));
        }
        steps
    })
}

/// A test app, when the suite runs on SQLite.
async fn on_sqlite() -> Option<TestApp> {
    if Backend::from_env() == Backend::Postgres {
        return None;
    }
    Some(TestApp::spawn().await)
}

fn uses(plan: &[String], index: &str) -> bool {
    plan.iter().any(|step| step.ends_with(index) || step.contains(&format!("{index} ")))
}

#[tokio::test]
async fn hidden_communities_and_announcements_are_read_from_their_partial_indexes() {
    let Some(app) = on_sqlite().await else { return };
    let plan = plans(&app, |c| {
        communities::private_with_membership(c, 1).unwrap();
    });
    assert!(uses(&plan, "COVERING INDEX communities_private_idx"), "{plan:#?}");
    let plan = plans(&app, |c| {
        posts::announcements_for(c, 1, 5).unwrap();
    });
    assert!(uses(&plan, "posts_announcements_idx"), "{plan:#?}");
}

/// The home feed reads each community and each followed person from the feed's partial
/// indexes, which serve only statements whose conditions match their own, verb list and all
/// (a change to the feed's verbs that forgot the indexes would make every home page read
/// whole communities again).
/// And followed tags are read from the tag's own index: SQLite's planner, left to itself,
/// walked every post's log entry looking for the tag (0.8 s per home page on the large
/// organisation).
#[tokio::test]
async fn the_home_feed_reads_each_source_from_its_own_index() {
    let Some(app) = on_sqlite().await else { return };
    // A reader with one lane of each kind: a community, a followed person, a followed tag.
    let ada = app.given_user("ada", Role::Employee);
    let token = app.token_for(&ada);
    let body = json!({"slug": "team", "name": "The team", "visibility": "open"});
    app.api(Method::POST, "/communities", &token).json(&body).send().await.unwrap();
    app.given_user("bob", Role::Employee);
    for path in ["/users/bob/follow", "/tags/rust/follow"] {
        assert!(app.api(Method::PUT, path, &token).send().await.unwrap().status().is_success());
    }
    let plan = plans(&app, move |c| {
        home(c, &Viewer { id: ada.id, admin: false }, None, 30).unwrap();
    });
    // Each community and person lane from its index alone, without a row read per entry.
    assert!(uses(&plan, "COVERING INDEX activities_feed_idx"), "{plan:#?}");
    assert!(uses(&plan, "COVERING INDEX activities_actor_feed_idx"), "{plan:#?}");
    assert!(uses(&plan, "post_tags_tag_idx"), "{plan:#?}");
    assert!(!plan.iter().any(|step| step.contains("activities_object_idx (object_type=?)")), "{plan:#?}");
}

/// The reactions and files of a page's comments are read by a list of their ids: each
/// list length class is prepared once (diesel's `eq_any` parsed them on every page).
#[tokio::test]
async fn lists_of_ids_are_prepared_once_per_length_class() {
    let app = TestApp::spawn().await;
    // Lengths no other code sends, so the statements are new to the connection's cache.
    let (statements, cached) = record(
        &app,
        |c| {
            for ids in [(1..=600).collect::<Vec<i64>>(), (1000..1700).collect()] {
                posts::reaction_summary(c, "idea_comment", &ids, 1).unwrap();
                uploads::of_targets(c, "idea_comment", &ids).unwrap();
            }
        },
        |_, sent| (sent.statements.clone(), sent.cached.len()),
    );
    assert_eq!(statements.len(), 6);
    assert_eq!(statements[..3], statements[3..], "both lists send the same three statements");
    assert_eq!(cached, 3, "kept prepared once, then reused");
}
