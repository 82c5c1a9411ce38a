//! The `agora` binary, run as an operator would.

use std::process::{Command, Output};

use reqwest::StatusCode;

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
    app.agora(&args.split_whitespace().collect::<Vec<_>>())
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

    let me: serde_json::Value = app.get_json("/me", &token).await;
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

#[tokio::test]
async fn importing_people_reports_every_bad_row_and_imports_all_or_nothing() {
    let app = TestApp::spawn().await;
    app.given_api_user("taken");
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.display().to_string()
    };
    let before = app.user_count();

    let no_handle = file("no-handle.csv", b"email,name\nann@example.com,Ann\n");
    let out = agora(&app, &format!("import people {no_handle} --dry-run"));
    assert!(!out.status.success());
    assert!(stderr(&out).contains("line 1: missing column(s): handle"), "{}", stderr(&out));

    let mut bad = b"Email,Handle,Name,Manager,Skills\n".to_vec();
    bad.extend_from_slice(b"ann@example.com,ann,Ann,,kubernetes;K8s\n");
    bad.extend_from_slice(b"not-an-email,bob,Bob,,\n");
    bad.extend_from_slice(b"cat@example.com,cat,Ca\xfft,,\n");
    bad.extend_from_slice(b"ANN@example.com,ann2,Ann Again,,\n");
    bad.extend_from_slice(b"dan@example.com,dan,Dan,ghost,\n");
    bad.extend_from_slice(b"eve@example.com,eve,Eve,fay,\n");
    bad.extend_from_slice(b"fay@example.com,fay,Fay,eve,\n");
    bad.extend_from_slice(b"gus@example.com,taken,Gus,,\n");
    let bad = file("bad.csv", &bad);
    for args in [format!("import people {bad} --dry-run"), format!("import people {bad}")] {
        let out = agora(&app, &args);
        assert!(!out.status.success());
        let said = stderr(&out);
        for expected in [
            "line 3: email:",
            "line 4: name is not UTF-8",
            "line 5: ann@example.com is also on line 2",
            "line 6: manager @ghost is neither in the file nor here",
            "line 7: @eve would report to themself through others",
            "line 8: @fay would report to themself through others",
            "line 9: @taken belongs to someone else",
            "nothing was imported",
        ] {
            assert!(said.contains(expected), "{expected:?} missing from:\n{said}");
        }
        assert!(!said.contains("line 2:"), "ann's row is fine:\n{said}");
        assert_eq!(app.user_count(), before, "nothing is written while any row is bad");
    }

    let good = file(
        "good.csv",
        "\u{feff}email,handle,name,title,department,location,manager,skills\n\
         boss@example.com,boss,Bea Boss,Director,Plant,Zürich,,\n\
         ann@example.com,@ann,Ann Åberg,Engineer,Plant,Zürich,boss,kubernetes; Steam Systems\n\
         taken@example.com,taken,Taken Updated,Analyst,Plant,Basel,ann,\n"
            .as_bytes(),
    );
    let dry = agora(&app, &format!("import people {good} --dry-run"));
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(stdout(&dry).contains("no problems found; nothing was imported"));
    assert_eq!(app.user_count(), before);
    let done = agora(&app, &format!("import people {good}"));
    assert!(done.status.success(), "{}", stderr(&done));
    assert!(stdout(&done).contains("imported: 2 created, 1 updated"), "{}", stdout(&done));
    let ann = app.user("ann").unwrap();
    assert_eq!((ann.name.as_str(), ann.location.as_str()), ("Ann Åberg", "Zürich"));
    assert_eq!(ann.manager_id, app.user("boss").map(|b| b.id));
    assert_eq!(app.user("taken").unwrap().manager_id, Some(ann.id), "a manager may come earlier in the file");
    let token = app.token_for(&ann);
    let me: serde_json::Value = app.get_json("/me", &token).await;
    assert_eq!(me["skills"].as_array().unwrap().len(), 2);
}

/// The titles of the first posts, to compare two generated databases.
fn first_titles(app: &TestApp) -> Vec<String> {
    use agora::db::schema::posts;
    use diesel::prelude::*;
    app.db
        .read_sync(|c| {
            Ok(posts::table.order(posts::id.asc()).limit(20).select(posts::title).load::<String>(c)?)
        })
        .unwrap()
}

/// Every index of the database with its definition (SQLite; none listed on PostgreSQL).
fn indexes(app: &TestApp) -> Option<String> {
    use diesel::RunQueryDsl;
    app.db
        .read_sync(|c| match c {
            agora::db::DbConn::Sqlite(c) => {
                Ok(diesel::select(diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::Text>>(
                    "(SELECT group_concat(name || ' ' || coalesce(sql, ''), char(10)) FROM \
                 (SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name))",
                ))
                .get_result(c)?)
            }
            agora::db::DbConn::Pg(_) => Ok(None),
        })
        .unwrap()
}

#[tokio::test]
async fn a_synthetic_organisation_is_generated_the_same_for_the_same_seed_and_works() {
    let args =
        ["seed", "--synthetic", "--users", "60", "--communities", "4", "--posts", "300", "--ideas", "12"];
    let app = TestApp::spawn().await;
    let elsewhere = tempfile::tempdir().unwrap();
    let out = app.agora_in(elsewhere.path(), &args);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let printed = String::from_utf8_lossy(&out.stdout);
    assert!(printed.contains("60 people, 4 communities, 300 posts, 900 comments, 12 ideas"), "{printed}");
    assert_eq!(app.user_count(), 60);

    // The same seed, another database: the same organisation.
    let twin = TestApp::spawn().await;
    let migrated = indexes(&twin);
    let twin_dir = tempfile::tempdir().unwrap();
    assert!(twin.agora_in(twin_dir.path(), &args).status.success());
    assert_eq!(first_titles(&app), first_titles(&twin));
    // The indexes the generator drops while it writes (SQLite) are all made again.
    assert_eq!(indexes(&app), migrated);
    assert!(!app.agora_in(elsewhere.path(), &args).status.success(), "refuses a database with data");

    // The server works on it: feeds, posting (ids continue after the generated ones), analytics.
    let member = app.user("user2").unwrap();
    let token = app.token_for(&member);
    let feed = app.get_json("/feed", &token).await;
    assert!(!feed["items"].as_array().unwrap().is_empty(), "{feed}");
    let joined = app.get_json("/communities", &token).await;
    let slug = joined["items"][0]["slug"].as_str().unwrap().to_owned();
    app.api(reqwest::Method::POST, &format!("/communities/{slug}/join"), &token).send().await.unwrap();
    let post = app.given_post(&token, &slug, "After the seed", "New").await;
    assert!(post > 300);
    let admin = app.signed_in_as("user1").await;
    let csv = app.get_as(&admin, "/admin/analytics.csv?table=weekly").await.text().await.unwrap();
    let posts: i64 = csv.lines().skip(1).map(|l| l.split(',').nth(2).unwrap().parse::<i64>().unwrap()).sum();
    assert!(posts > 0 && posts <= 300, "the last 26 weeks hold some of the two years' posts: {posts}");
}

#[tokio::test]
async fn a_backup_taken_while_serving_restores_to_the_same_site() {
    use reqwest::Method;
    use serde_json::{Value, json};
    let app = TestApp::spawn().await;
    let (_, token) = app.given_api_user("ada");
    app.given_community(&token, "plant", "private").await;
    let uploaded = app.given_upload(&token, "torque.txt", b"valve torque table").await;
    let file_url = uploaded["url"].as_str().unwrap().to_owned();
    let post = json!({"kind": "discussion", "title": "Flange torque", "body": "Torque the flanges crosswise #safety",
        "uploads": [uploaded["id"]]});
    app.api(Method::POST, "/communities/plant/posts", &token).json(&post).send().await.unwrap();
    app.submit_idea(&token, "Torque wrenches with data logging").await;
    app.indexed().await;

    // Taken while the server runs and keeps writing.
    let archive_dir = tempfile::tempdir().unwrap();
    let archive = archive_dir.path().join("site.tar");
    let writes = async {
        for n in 0..5 {
            app.given_post(&token, "plant", &format!("During the backup {n}"), "still writing").await;
        }
    };
    let archive_arg = archive.to_str().unwrap().to_owned();
    let (backup, ()) = tokio::join!(
        tokio::task::spawn_blocking({
            let app_dir = app.data_dir.path().to_owned();
            let url = app.database_url.clone();
            move || {
                Command::new(env!("CARGO_BIN_EXE_agora"))
                    .args([
                        "backup",
                        &archive_arg,
                        "--data-dir",
                        app_dir.to_str().unwrap(),
                        "--database-url",
                        &url,
                    ])
                    .env("RUST_LOG", "off")
                    .output()
                    .unwrap()
            }
        }),
        writes
    );
    let backup = backup.unwrap();
    assert!(backup.status.success(), "{}", String::from_utf8_lossy(&backup.stderr));
    let taken: Value = app.get_json("/communities/plant/posts?limit=100", &token).await;

    // Restored into an empty data folder and database.
    let restored_dir = tempfile::tempdir().unwrap();
    let restored_url = crate::helpers::fresh_database(restored_dir.path());
    let restore = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_agora"))
            .args(args)
            .args(["--data-dir", restored_dir.path().to_str().unwrap(), "--database-url", &restored_url])
            .env("RUST_LOG", "off")
            .output()
            .unwrap()
    };
    let restored = restore(&["restore", archive.to_str().unwrap()]);
    assert!(restored.status.success(), "{}", String::from_utf8_lossy(&restored.stderr));
    let again = restore(&["restore", archive.to_str().unwrap()]);
    assert!(!again.status.success(), "a second restore onto the restored site is refused");
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("empty"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );

    let copy = TestApp::spawn_on(restored_dir, restored_url).await;
    copy.indexed().await;
    // The same token works: accounts, tokens and the secret key came along.
    let posts: Value = copy.get_json("/communities/plant/posts?limit=100", &token).await;
    let titles = |v: &Value| -> Vec<String> {
        v["items"].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap().to_owned()).collect()
    };
    // The snapshot holds what was written before it, and maybe some of what came during.
    let restored_titles = titles(&posts);
    assert!(restored_titles.contains(&"Flange torque".to_owned()), "{restored_titles:?}");
    assert!(
        restored_titles.iter().all(|t| titles(&taken).contains(t)),
        "nothing invented: {restored_titles:?}"
    );
    let original_file =
        app.client.get(format!("{}{file_url}", app.url)).bearer_auth(&token).send().await.unwrap();
    let restored_file =
        copy.client.get(format!("{}{file_url}", copy.url)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(restored_file.status(), StatusCode::OK);
    assert_eq!(restored_file.bytes().await.unwrap(), original_file.bytes().await.unwrap());
    for query in ["torque", "flanges", "logging"] {
        let original = app.get_json(&format!("/search?q={query}"), &token).await;
        let restored = copy.get_json(&format!("/search?q={query}"), &token).await;
        let ids = |v: &Value| -> Vec<String> {
            let mut urls: Vec<String> = v["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["url"].as_str().unwrap().to_owned())
                .collect();
            urls.sort();
            urls
        };
        assert!(!ids(&restored).is_empty(), "{query} finds something");
        assert_eq!(ids(&restored), ids(&original), "{query}");
    }
    let idea = copy.get_json("/ideas?limit=10", &token).await;
    assert_eq!(idea["items"][0]["title"], "Torque wrenches with data logging");
}
