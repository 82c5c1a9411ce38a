//! `agora backup FILE` and `agora restore FILE`: the whole site in one tar archive, taken
//! while the server runs.
//!
//! The archive holds:
//! - a consistent snapshot of the database: SQLite's `VACUUM INTO`, or PostgreSQL's
//!   `pg_dump`, which reads one snapshot;
//! - the uploaded files, which are content-addressed and never change, so copying them
//!   after the snapshot gives every file the snapshot names;
//! - the secret key, so sessions, tokens and unsubscribe links keep working;
//! - a manifest.
//!
//! The search index is left out: a node rebuilds it from the database when it is missing.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};
use diesel::{Connection, RunQueryDsl};
use serde::{Deserialize, Serialize};

use crate::config::Settings;
use crate::db::DatabaseUrl;

const MANIFEST: &str = "manifest.json";
const SQLITE_SNAPSHOT: &str = "agora.db";
const POSTGRES_DUMP: &str = "agora.pgdump";
const FILES: &str = "files";
const SECRET_KEY: &str = "secret.key";

/// What an archive holds.
#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    /// `sqlite` or `postgres`.
    backend: String,
    created_at: chrono::NaiveDateTime,
    agora_version: String,
}

fn backend_name(url: &DatabaseUrl) -> &'static str {
    match url {
        DatabaseUrl::Sqlite(_) => "sqlite",
        DatabaseUrl::Postgres(_) => "postgres",
    }
}

fn files_dir(settings: &Settings) -> PathBuf {
    settings.files_dir.clone().unwrap_or_else(|| settings.data_dir.join("files"))
}

/// A PostgreSQL client program: the newest installed server's own (matching the server
/// best), else the one on the `PATH`.
fn pg_tool(name: &str) -> PathBuf {
    let mut installed: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|version| version.path().join("bin").join(name))
        .filter(|tool| tool.exists())
        .collect();
    installed.sort();
    installed.pop().unwrap_or_else(|| PathBuf::from(name))
}

fn run(mut command: Command, what: &str) -> anyhow::Result<()> {
    let output = command.output().with_context(|| format!("cannot run {what}"))?;
    if !output.status.success() {
        bail!("{what} failed: {}", String::from_utf8_lossy(&output.stderr).trim());
    }
    Ok(())
}

/// Writes a backup of the site to `archive`; returns what it holds, for the log.
pub fn backup(settings: &Settings, archive: &Path) -> anyhow::Result<String> {
    let url = settings.database()?;
    let work = tempfile::tempdir()?;
    let snapshot = match &url {
        DatabaseUrl::Sqlite(path) => {
            let target = work.path().join(SQLITE_SNAPSHOT);
            let mut conn = diesel::SqliteConnection::establish(&path.to_string_lossy())
                .with_context(|| format!("cannot open {}", path.display()))?;
            // A consistent copy while the server keeps writing (readers never block it).
            diesel::sql_query("VACUUM INTO ?")
                .bind::<diesel::sql_types::Text, _>(target.to_string_lossy().into_owned())
                .execute(&mut conn)
                .context("VACUUM INTO")?;
            target
        }
        DatabaseUrl::Postgres(connection) => {
            let target = work.path().join(POSTGRES_DUMP);
            let mut dump = Command::new(pg_tool("pg_dump"));
            dump.args(["--format=custom", "--no-owner", "--no-acl", "--file"]).arg(&target).arg(connection);
            run(dump, "pg_dump")?;
            target
        }
    };
    let manifest = Manifest {
        backend: backend_name(&url).into(),
        created_at: crate::db::models::now(),
        agora_version: env!("CARGO_PKG_VERSION").into(),
    };
    let partial = archive.with_extension("partial");
    let mut tar = tar::Builder::new(
        File::create(&partial).with_context(|| format!("cannot write {}", partial.display()))?,
    );
    let manifest_path = work.path().join(MANIFEST);
    std::fs::write(&manifest_path, serde_json::to_vec_pretty(&manifest)?)?;
    tar.append_path_with_name(&manifest_path, MANIFEST)?;
    let snapshot_name = snapshot.file_name().map(PathBuf::from).unwrap_or_default();
    tar.append_path_with_name(&snapshot, snapshot_name)?;
    let key = settings.data_dir.join(SECRET_KEY);
    if key.exists() {
        tar.append_path_with_name(&key, SECRET_KEY)?;
    }
    let files = files_dir(settings);
    let mut count = 0;
    if files.exists() {
        for entry in walk(&files)? {
            let name = Path::new(FILES).join(entry.strip_prefix(&files)?);
            tar.append_path_with_name(&entry, name)?;
            count += 1;
        }
    }
    tar.into_inner()?.sync_all()?;
    // Renamed into place last, so a failed backup never leaves a file that looks whole.
    std::fs::rename(&partial, archive)?;
    Ok(format!("{} database and {count} stored files", manifest.backend))
}

/// Every file under `dir`, skipping unfinished temporary files.
fn walk(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            out.extend(walk(&path)?);
        } else if !path.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(".tmp")) {
            out.push(path);
        }
    }
    Ok(out)
}

/// Restores a backup into this (empty) data folder and database.
pub fn restore(settings: &Settings, archive: &Path) -> anyhow::Result<String> {
    let url = settings.database()?;
    let work = tempfile::tempdir()?;
    tar::Archive::new(File::open(archive).with_context(|| format!("cannot read {}", archive.display()))?)
        .unpack(work.path())
        .context("the archive is damaged")?;
    let manifest: Manifest = serde_json::from_slice(
        &std::fs::read(work.path().join(MANIFEST)).context("no manifest: not an Agora backup")?,
    )?;
    if manifest.backend != backend_name(&url) {
        bail!(
            "this backup is of a {} database; restore it onto {} (database_url)",
            manifest.backend,
            manifest.backend
        );
    }
    std::fs::create_dir_all(&settings.data_dir)?;
    match &url {
        DatabaseUrl::Sqlite(path) => {
            if path.exists() {
                bail!("{} exists: restore into an empty data folder", path.display());
            }
            std::fs::copy(work.path().join(SQLITE_SNAPSHOT), path)?;
        }
        DatabaseUrl::Postgres(connection) => {
            let mut conn =
                diesel::PgConnection::establish(connection).context("cannot reach the database")?;
            let tables: Vec<Tables> = diesel::sql_query(
                "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public'",
            )
            .load(&mut conn)?;
            if tables.first().is_some_and(|t| t.n > 0) {
                bail!("the database is not empty: restore into an empty one");
            }
            let mut load = Command::new(pg_tool("pg_restore"));
            load.args(["--no-owner", "--no-acl", "--exit-on-error", "--dbname"])
                .arg(connection)
                .arg(work.path().join(POSTGRES_DUMP));
            run(load, "pg_restore")?;
        }
    }
    let key = work.path().join(SECRET_KEY);
    let target_key = settings.data_dir.join(SECRET_KEY);
    if key.exists() && !target_key.exists() {
        std::fs::copy(&key, &target_key)?;
    }
    let files = work.path().join(FILES);
    let mut count = 0;
    if files.exists() {
        let target = files_dir(settings);
        for entry in walk(&files)? {
            let to = target.join(entry.strip_prefix(&files)?);
            if let Some(parent) = to.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::copy(&entry, &to)?;
            count += 1;
        }
    }
    let taken = manifest.created_at.format("%Y-%m-%d %H:%M UTC");
    Ok(format!("{} database taken {taken} and {count} stored files", manifest.backend))
}

#[derive(diesel::QueryableByName)]
struct Tables {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}
