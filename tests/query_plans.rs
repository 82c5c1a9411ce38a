//! The hot reads use the indexes made for them, as diesel actually sends them. A partial
//! index serves a statement only when the statement's text implies the index's condition:
//! a value bound in its place (diesel's `.eq(…)`) silently made SQLite read each row from
//! the table instead. So these tests record the statements a function runs and ask
//! SQLite's planner about each. (PostgreSQL's planner prefers a sequential scan on a
//! test's few rows, so its plan proves nothing.)

use std::sync::{Arc, Mutex};

use agora::db::DbConn;
use agora::db::models::{communities, posts};
use diesel::RunQueryDsl;
use diesel::connection::{Connection, Instrumentation, InstrumentationEvent};

use crate::helpers::{Backend, TestApp};

/// SQLite's plan of every statement `run` sends, one line per step.
fn plans(app: &TestApp, run: impl FnOnce(&mut DbConn) + Send + 'static) -> Vec<String> {
    #[derive(diesel::QueryableByName)]
    struct Step {
        #[diesel(sql_type = diesel::sql_types::Text)]
        detail: String,
    }
    let sent = Arc::new(Mutex::new(Vec::<String>::new()));
    let record = sent.clone();
    app.db
        .read_sync(move |c| {
            c.set_instrumentation(move |event: InstrumentationEvent<'_>| {
                if let InstrumentationEvent::StartQuery { query, .. } = event {
                    record.lock().unwrap().push(query.to_string());
                }
            });
            run(c);
            c.set_instrumentation(None::<Box<dyn Instrumentation>>);
            let mut steps = Vec::new();
            for statement in sent.lock().unwrap().iter() {
                // The text diesel logs ends with the bound values; the plan needs none.
                let sql = statement.split(" -- binds:").next().unwrap_or_default();
                let plan = diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}")).load::<Step>(c)?;
                steps.extend(plan.into_iter().map(|s| format!("{sql}\n    {}", s.detail)));
            }
            Ok(steps)
        })
        .unwrap()
}

fn uses(plan: &[String], index: &str) -> bool {
    plan.iter().any(|step| step.ends_with(index) || step.contains(&format!("{index} ")))
}

#[tokio::test]
async fn hidden_communities_and_announcements_are_read_from_their_partial_indexes() {
    if Backend::from_env() == Backend::Postgres {
        return;
    }
    let app = TestApp::spawn().await;
    let plan = plans(&app, |c| {
        communities::private_with_membership(c, 1).unwrap();
    });
    assert!(uses(&plan, "COVERING INDEX communities_private_idx"), "{plan:#?}");
    let plan = plans(&app, |c| {
        posts::announcements_for(c, 1, 5).unwrap();
    });
    assert!(uses(&plan, "posts_announcements_idx"), "{plan:#?}");
}
