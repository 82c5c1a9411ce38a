//! The `agora` binary, run as an operator would.

use std::process::{Command, Output};

use reqwest::{Method, StatusCode};

use crate::helpers::TestApp;

/// Runs `agora` with `args` (a command line, split on spaces).
fn run(args: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_agora"))
        .args(args.split_whitespace())
        .env("RUST_LOG", "off")
        .output()
        .expect("run agora")
}

/// Runs `agora` against the test app's data folder and database.
fn agora(app: &TestApp, args: &str) -> Output {
    run(&format!("{args} --data-dir {} --database-url {}", app.data_dir.path().display(), app.database_url))
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
    let created = agora(&app, "user create --email Ops@Example.com --handle ops --name Ops --role admin");
    assert!(created.status.success(), "{}", stderr(&created));
    assert!(stdout(&created).contains("created @ops <ops@example.com> as admin"));
    assert!(stdout(&created).contains("password: "), "a generated password is printed");

    let token = agora(&app, "token create --email ops@example.com");
    assert!(token.status.success(), "{}", stderr(&token));
    let token = stdout(&token).trim().to_owned();
    assert!(token.starts_with("agora_pat_"), "only the token on stdout: {token}");

    let me: serde_json::Value =
        app.api(Method::GET, "/me", &token).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["handle"], "ops");
    assert_eq!(me["role"], "admin");
}

#[tokio::test]
async fn bad_cli_input_exits_non_zero_with_one_line() {
    let app = TestApp::spawn().await;
    let cases = [
        ("user create --email x@example.com --handle x1 --name X --role root", "unknown role 'root'"),
        (
            "user create --email x@example.com --handle x1 --name X --password short",
            "password: use at least 10 characters",
        ),
        ("user create --email nope --handle x1 --name X", "email: enter an email address"),
        ("token create --email ghost@example.com", "no active account has the email ghost@example.com"),
    ];
    for (args, expected) in cases {
        assert_fails_with_one_line(&agora(&app, args), expected);
    }
    assert_eq!(app.user_count(), 0, "nothing was created");
    let dir = app.data_dir.path().display();
    let wrong_scheme = run(&format!("migrate --data-dir {dir} --database-url mysql://root@localhost/agora"));
    assert_fails_with_one_line(&wrong_scheme, "unsupported database URL scheme 'mysql'");
}

fn assert_fails_with_one_line(output: &Output, expected: &str) {
    let err = stderr(output);
    assert!(!output.status.success(), "should fail: {expected}");
    assert!(err.contains(expected), "expected {expected:?}, got {err}");
    assert_eq!(err.trim().lines().count(), 1, "one line, got {err}");
}

#[tokio::test]
async fn an_unreachable_database_is_a_one_line_error_without_the_password() {
    let dir = tempfile::tempdir().unwrap();
    let output = run(&format!(
        "migrate --data-dir {} --database-url postgres://agora:secret@127.0.0.1:1/agora",
        dir.path().display()
    ));
    assert_fails_with_one_line(&output, "agora: cannot connect to postgres://agora:***@127.0.0.1:1/agora");
    assert!(!stderr(&output).contains("secret"));
}

#[tokio::test]
async fn seeding_the_demo_twice_changes_nothing_and_its_logins_work() {
    let app = TestApp::spawn().await;
    let first = agora(&app, "seed --demo");
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("ada@northwind.example"));
    let people = app.user_count();
    let second = agora(&app, "seed --demo");
    assert!(stdout(&second).contains("already present"));
    assert_eq!(app.user_count(), people);

    let browser = app.browser();
    let response = app.login(&browser, "marie@northwind.example", agora::seed::DEMO_PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let home = app.get_as(&browser, "/").await.text().await.unwrap();
    assert!(home.contains("Welcome, Marie Curie") && home.contains("Principal Scientist, Catalysis"));
    assert_eq!(app.user("marie").unwrap().manager_id, app.user("katherine").map(|k| k.id));
}

#[tokio::test]
async fn settings_come_from_toml_then_environment_then_flags() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).display().to_string();
    let config = path("agora.toml");
    std::fs::write(&config, format!("database_url = \"{}\"\n", path("from-toml.db"))).unwrap();
    let migrate = |env: Option<String>, flag: Option<String>| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_agora"));
        command.args(["migrate", "--config", &config, "--data-dir", &path("data")]).env("RUST_LOG", "off");
        if let Some(url) = env {
            command.env("AGORA_DATABASE_URL", url);
        }
        if let Some(url) = flag {
            command.args(["--database-url", &url]);
        }
        stdout(&command.output().unwrap())
    };
    assert!(migrate(None, None).contains("from-toml.db"));
    assert!(migrate(Some(path("from-env.db")), None).contains("from-env.db"));
    assert!(migrate(Some(path("from-env.db")), Some(path("from-flag.db"))).contains("from-flag.db"));
}
