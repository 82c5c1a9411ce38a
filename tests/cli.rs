//! The `agora` binary, run as an operator would.

use std::process::{Command, Output};

use reqwest::{Method, StatusCode};

use crate::helpers::TestApp;

fn agora(app: &TestApp, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_agora"))
        .args(args)
        .args([
            "--data-dir",
            app.data_dir.path().to_str().unwrap(),
            "--database-url",
            &app.database_url,
        ])
        .env("RUST_LOG", "warn")
        .output()
        .expect("run agora")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test]
async fn user_create_then_token_create_gives_a_token_the_api_accepts() {
    let app = TestApp::spawn().await;
    let created = agora(
        &app,
        &[
            "user",
            "create",
            "--email",
            "Ops@Example.com",
            "--handle",
            "ops",
            "--name",
            "Ops Bot",
            "--role",
            "admin",
        ],
    );
    assert!(created.status.success(), "{}", stderr(&created));
    assert!(stdout(&created).contains("created @ops <ops@example.com> as admin"));
    assert!(
        stdout(&created).contains("password: "),
        "a generated password is printed"
    );

    let token = agora(&app, &["token", "create", "--email", "ops@example.com"]);
    assert!(token.status.success(), "{}", stderr(&token));
    let token = stdout(&token).trim().to_owned();
    assert!(
        token.starts_with("agora_pat_"),
        "only the token on stdout: {token}"
    );

    let me: serde_json::Value = app
        .api(Method::GET, "/me", &token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["handle"], "ops");
    assert_eq!(me["role"], "admin");
}

#[tokio::test]
async fn bad_cli_input_exits_non_zero_with_one_line() {
    let app = TestApp::spawn().await;
    let cases: [(&[&str], &str); 5] = [
        (
            &[
                "user",
                "create",
                "--email",
                "x@example.com",
                "--handle",
                "x1",
                "--name",
                "X",
                "--role",
                "root",
            ],
            "unknown role 'root'",
        ),
        (
            &[
                "user",
                "create",
                "--email",
                "x@example.com",
                "--handle",
                "x1",
                "--name",
                "X",
                "--password",
                "short",
            ],
            "password: use at least 10 characters",
        ),
        (
            &[
                "user", "create", "--email", "nope", "--handle", "x1", "--name", "X",
            ],
            "email: enter an email address",
        ),
        (
            &["token", "create", "--email", "ghost@example.com"],
            "no active account has the email ghost@example.com",
        ),
        (
            &["migrate", "--database-url", "mysql://root@localhost/agora"],
            "unsupported database URL scheme 'mysql'",
        ),
    ];
    for (args, expected) in cases {
        let output = Command::new(env!("CARGO_BIN_EXE_agora"))
            .args(args)
            .args(["--data-dir", app.data_dir.path().to_str().unwrap()])
            .args(if args.contains(&"--database-url") {
                vec![]
            } else {
                vec!["--database-url", &app.database_url]
            })
            .env("RUST_LOG", "off")
            .output()
            .unwrap();
        assert!(!output.status.success(), "{args:?} should fail");
        let err = stderr(&output);
        assert!(err.contains(expected), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: one line, got {err}");
    }
}

#[tokio::test]
async fn an_unreachable_database_is_a_one_line_error() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_agora"))
        .args([
            "migrate",
            "--data-dir",
            dir.path().to_str().unwrap(),
            "--database-url",
            "postgres://agora:secret@127.0.0.1:1/agora",
        ])
        .env("RUST_LOG", "off")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let err = stderr(&output);
    assert!(
        err.starts_with("agora: cannot connect to postgres://agora:***@127.0.0.1:1/agora"),
        "{err}"
    );
    assert!(!err.contains("secret"), "the password is never printed");
}

#[tokio::test]
async fn seeding_the_demo_twice_changes_nothing_and_its_logins_work() {
    let app = TestApp::spawn().await;
    let first = agora(&app, &["seed", "--demo"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("ada@northwind.example"));
    let people = app.user_count();
    let second = agora(&app, &["seed", "--demo"]);
    assert!(stdout(&second).contains("already present"));
    assert_eq!(app.user_count(), people);

    let browser = app.browser();
    let response = app
        .login(&browser, "marie@northwind.example", agora::seed::DEMO_PASSWORD)
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let home = app.get_as(&browser, "/").await.text().await.unwrap();
    assert!(home.contains("Welcome, Marie Curie") && home.contains("Principal Scientist, Catalysis"));
    assert_eq!(
        app.user("marie").unwrap().manager_id,
        app.user("katherine").map(|k| k.id)
    );
}
