//! The `agora` command line (SPEC §11).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::accounts::{self, hash_password_sync};
use crate::config::{Overrides, Settings};
use crate::db::Db;
use crate::db::models::users;
use crate::domain::account::{Password, Role};
use crate::error::AppError;

/// Agora: enterprise social network and idea pipeline.
#[derive(Debug, Parser)]
#[command(name = "agora", version, about)]
pub struct Cli {
    /// Settings file (optional).
    #[arg(long, global = true, env = "AGORA_CONFIG", default_value = "agora.toml")]
    config: PathBuf,
    /// Data folder (SQLite file, search index, outbox, secret key) [env: AGORA_DATA_DIR]
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// postgres://…, sqlite://PATH or a file path [env: AGORA_DATABASE_URL]
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web server (applies pending migrations first).
    Serve {
        /// Address to listen on [env: AGORA_BIND] [default: 127.0.0.1:8080]
        #[arg(long)]
        bind: Option<String>,
        /// Load the demo organisation if the database is empty, and let its domain register.
        #[arg(long)]
        demo: bool,
    },
    /// Apply pending database migrations.
    Migrate,
    /// Write the whole site (database snapshot, uploaded files, secret key) to one archive;
    /// safe while the server runs.
    Backup {
        /// The archive to write (a tar file).
        file: std::path::PathBuf,
    },
    /// Restore an archive from `agora backup` into an empty data folder and database (of
    /// the same backend). Start the server afterwards: it rebuilds the search index.
    Restore {
        /// The archive to read.
        file: std::path::PathBuf,
    },
    /// Manage accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage personal access tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Quarters of the idea pipeline.
    #[command(subcommand)]
    Quarter(QuarterCommand),
    /// Import data from files.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Check every idea's decision trail: each event must carry the hash of the one before.
    VerifyTrail,
    /// Rebuild this node's search index from the database (stop the server first: the
    /// index has one writer). A missing or corrupt index is also rebuilt on start.
    Reindex,
    /// Load data.
    #[command(group(clap::ArgGroup::new("kind").required(true).args(["demo", "synthetic"])))]
    Seed {
        /// The demo organisation: people in departments with managers, demo logins printed.
        #[arg(long)]
        demo: bool,
        /// A generated organisation for benchmarks, into an empty database (deterministic).
        #[arg(long)]
        synthetic: bool,
        /// `small` or `large` (with --synthetic).
        #[arg(long, default_value = "small")]
        preset: String,
        #[arg(long)]
        users: Option<usize>,
        #[arg(long)]
        communities: Option<usize>,
        #[arg(long)]
        posts: Option<usize>,
        #[arg(long)]
        ideas: Option<usize>,
        /// The random seed: the same seed makes the same organisation.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create an account (prints a generated password when none is given).
    Create(CreateUser),
}

#[derive(Debug, Args)]
struct CreateUser {
    #[arg(long)]
    email: String,
    #[arg(long)]
    handle: String,
    #[arg(long)]
    name: String,
    /// employee, executive or admin.
    #[arg(long, default_value = "employee")]
    role: String,
    /// At least 10 characters.
    #[arg(long)]
    password: Option<String>,
}

#[derive(Debug, Subcommand)]
enum ImportCommand {
    /// People from a CSV file (columns email, handle, name; optional title, department,
    /// location, manager, skills separated by `;`). Imports all rows or none.
    People {
        file: std::path::PathBuf,
        /// Check every row and report problems without importing anything.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
enum QuarterCommand {
    /// Close a quarter: its top submitted ideas enter review (closing again changes nothing).
    Close {
        /// The quarter, e.g. 2026-Q4.
        quarter: String,
        /// Close before the quarter has ended.
        #[arg(long)]
        early: bool,
    },
}

#[derive(Debug, Subcommand)]
enum TokenCommand {
    /// Create a personal access token and print it.
    Create {
        #[arg(long)]
        email: String,
        /// What the token is for.
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let bind = match &cli.command {
        Command::Serve { bind, .. } => bind.clone(),
        _ => None,
    };
    let overrides = Overrides { bind, data_dir: cli.data_dir, database_url: cli.database_url };
    let settings = Settings::load(&cli.config, &overrides)?;
    match cli.command {
        Command::Serve { demo, .. } => serve(settings, demo),
        Command::Migrate => {
            let db = Db::connect(&settings.database()?, 1)?;
            let applied = db.migrate()?;
            println!("{applied} migration(s) applied to {}", settings.database()?);
            Ok(())
        }
        Command::Backup { file } => {
            let held = crate::backup::backup(&settings, &file)?;
            println!("Backup written to {}: {held}", file.display());
            Ok(())
        }
        Command::Restore { file } => {
            let held = crate::backup::restore(&settings, &file)?;
            println!(
                "Restored {held} into {}; start the server to rebuild the search index",
                settings.data_dir.display()
            );
            Ok(())
        }
        Command::User(UserCommand::Create(args)) => create_user(&settings, args),
        Command::Token(TokenCommand::Create { email, name }) => create_token(&settings, &email, &name),
        Command::VerifyTrail => verify_trail(&settings),
        Command::Reindex => reindex(settings),
        Command::Import(ImportCommand::People { file, dry_run }) => import_people(settings, &file, dry_run),
        Command::Quarter(QuarterCommand::Close { quarter, early }) => {
            close_quarter(settings, &quarter, early)
        }
        Command::Seed { synthetic: true, preset, users, communities, posts, ideas, seed, .. } => {
            let mut sizes = crate::synthetic::Sizes::preset(&preset)
                .ok_or_else(|| anyhow::anyhow!("--preset is small or large, not {preset}"))?;
            if let Some(posts) = posts {
                sizes.comments = sizes.comments * posts / sizes.posts.max(1);
                sizes.posts = posts;
            }
            sizes.users = users.unwrap_or(sizes.users).max(20);
            sizes.communities = communities.unwrap_or(sizes.communities).max(1);
            sizes.ideas = ideas.unwrap_or(sizes.ideas).max(1);
            synthetic(settings, sizes, seed)
        }
        Command::Seed { .. } => {
            let (state, ..) = crate::startup::prepare(settings)?;
            let outcome =
                actix_web::rt::System::new().block_on(crate::seed::demo(&state.db, &state.settings))?;
            crate::seed::print(&outcome);
            Ok(())
        }
    }
}

fn serve(mut settings: Settings, demo: bool) -> anyhow::Result<()> {
    if demo {
        settings.allowed_email_domains.push(crate::seed::DEMO_DOMAIN.into());
    }
    actix_web::rt::System::new().block_on(async move {
        let running = crate::startup::build(settings)?;
        if demo {
            let outcome = crate::seed::demo(&running.state.db, &running.state.settings).await?;
            crate::seed::print(&outcome);
        }
        let url = format!("http://{}", running.addr);
        tracing::info!(%url, database = %running.state.settings.database()?, "Agora is listening");
        println!("Agora is running at {url}");
        running.server.await?;
        Ok(())
    })
}

fn import_people(settings: Settings, file: &std::path::Path, dry_run: bool) -> anyhow::Result<()> {
    let bytes = std::fs::read(file).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    let (state, ..) = crate::startup::prepare(settings)?;
    let report = actix_web::rt::System::new()
        .block_on(crate::import::run(&state.db, bytes, dry_run))
        .map_err(describe)?;
    for problem in &report.problems {
        eprintln!("line {}: {}", problem.line, problem.message);
    }
    if !report.problems.is_empty() {
        anyhow::bail!("{} problem(s); nothing was imported", report.problems.len());
    }
    if dry_run {
        println!("no problems found; nothing was imported (dry run)");
    } else {
        println!("imported: {} created, {} updated", report.created, report.updated);
    }
    Ok(())
}

fn synthetic(settings: Settings, sizes: crate::synthetic::Sizes, seed: u64) -> anyhow::Result<()> {
    let (state, ..) = crate::startup::prepare(settings.clone())?;
    let summary = crate::synthetic::generate(&state.db, sizes, seed).map_err(describe)?;
    println!(
        "generated {} rows in {:.1} s ({:.0} rows/s): {} people, {} communities, {} posts, {} comments, {} ideas",
        summary.rows,
        summary.seconds,
        summary.rows as f64 / summary.seconds.max(0.001),
        sizes.users,
        sizes.communities,
        sizes.posts,
        sizes.comments,
        sizes.ideas
    );
    println!("every account signs in with the password {}", crate::synthetic::PASSWORD);
    drop(state);
    reindex(settings)
}

fn reindex(settings: Settings) -> anyhow::Result<()> {
    let (state, ..) = crate::startup::prepare(settings)?;
    let dir = state.settings.search_index_dir();
    actix_web::rt::System::new().block_on(async move {
        let search = crate::search::Search::open(&dir)?;
        let total = state.db.read(|c| Ok(crate::db::models::search::total(c)?)).await.map_err(describe)?;
        let bar = indicatif::ProgressBar::new(total.max(0) as u64).with_style(
            indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} rows · {per_sec} · {eta} left")?,
        );
        let started = std::time::Instant::now();
        let position = crate::search::indexer::rebuild(&state.db, &search.writer, |n| bar.inc(n))
            .await
            .map_err(describe)?;
        bar.finish_and_clear();
        println!(
            "indexed {} documents in {:.1} s; the index covers the activity log up to #{position}",
            search.index.len(),
            started.elapsed().as_secs_f64()
        );
        Ok(())
    })
}

fn create_user(settings: &Settings, args: CreateUser) -> anyhow::Result<()> {
    let role = Role::parse(&args.role).map_err(|e| anyhow::anyhow!(e))?;
    let generated = args.password.is_none();
    let password = args.password.unwrap_or_else(|| crate::auth::secrets::new_token("")[..20].to_owned());
    let (state, ..) = crate::startup::prepare(settings.clone())?;
    let (account, password) =
        accounts::parse_account(&args.email, &args.handle, &args.name, Some(&password), role)
            .map_err(describe)?;
    let password: Password = password.ok_or_else(|| anyhow::anyhow!("a password is required"))?;
    let hash = hash_password_sync(&password).map_err(describe)?;
    let user = accounts::create_account_sync(&state.db, &account, Some(&hash), None).map_err(describe)?;
    println!("created @{} <{}> as {}", user.handle, user.email, user.role);
    if generated {
        println!("password: {}", password.expose());
    }
    Ok(())
}

fn create_token(settings: &Settings, email: &str, name: &str) -> anyhow::Result<()> {
    let (state, ..) = crate::startup::prepare(settings.clone())?;
    let email = email.trim().to_lowercase();
    let name = name.to_owned();
    let token = state
        .db
        .write_sync(move |c| {
            let user = users::by_email(c, &email)?.filter(|u| u.is_active).ok_or_else(|| {
                AppError::field("email", format!("no active account has the email {email}"))
            })?;
            accounts::create_token_in(c, user.id, &name)
        })
        .map_err(describe)?;
    println!("{}", token.1);
    Ok(())
}

fn close_quarter(settings: Settings, quarter: &str, early: bool) -> anyhow::Result<()> {
    let (state, ..) = crate::startup::prepare(settings)?;
    let closed = actix_web::rt::System::new()
        .block_on(crate::quarters::close(&state.db, &state.site.current(), None, quarter, early))
        .map_err(describe)?;
    let (view, created) = closed;
    let verb = if created { "closed" } else { "was already closed" };
    println!("{} {verb}: {} idea(s) in review", view.docket.quarter, view.entries.len());
    for (entry, idea, _) in &view.entries {
        println!("  {:>2}. #{} {} ({} votes)", entry.rank, idea.id, idea.title, entry.votes_at_close);
    }
    Ok(())
}

fn verify_trail(settings: &Settings) -> anyhow::Result<()> {
    let db = Db::connect(&settings.database()?, 1)?;
    db.migrate()?;
    let broken = db.read_sync(|c| Ok(crate::db::models::ideas::broken_links(c)?)).map_err(describe)?;
    if broken.is_empty() {
        println!("trail intact: every idea event is chained to the one before it");
        Ok(())
    } else {
        let ids: Vec<String> = broken.iter().map(i64::to_string).collect();
        anyhow::bail!(
            "trail broken at idea event(s) {}: history was changed after it was written",
            ids.join(", ")
        )
    }
}

/// One line for the terminal: the field messages of a validation error, or the error.
fn describe(e: AppError) -> anyhow::Error {
    match e {
        AppError::Invalid { fields, .. } => {
            let parts: Vec<String> =
                fields.iter().map(|(field, message)| format!("{field}: {message}")).collect();
            anyhow::anyhow!(parts.join("; "))
        }
        AppError::Internal(inner) => inner,
        other => anyhow::anyhow!(other.to_string()),
    }
}
