//! SQLite's writer, with group commit.
//!
//! SQLite lets one transaction write at a time, and each commit appends every page it
//! changed to the WAL. One thread owns the writing connection. It takes every write that
//! is waiting, runs each in its own savepoint of one transaction (a write that fails undoes
//! only itself), commits once, and only then answers each caller. Under load, many votes
//! share one commit, and the pages they all change (the idea's row, the activity log's
//! indexes) are written once per commit instead of once per vote. A caller is answered
//! only after its commit, so an acknowledged write survives `kill -9` as before.
//!
//! Copying the WAL back into the database file (a checkpoint) happens on a thread of its
//! own. SQLite's default runs it inside the commit that crosses 1,000 pages, so every
//! write queued behind that commit waited for the copy and its `fsync`: under the
//! benchmark's votes that was a tenth of the writer's CPU and most of its disk waits.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::mpsc::{Receiver, Sender, SyncSender, channel, sync_channel};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use diesel::Connection;
use diesel::connection::SimpleConnection;
use diesel::connection::{AnsiTransactionManager, TransactionManager};

use super::{APPENDED, DatabaseUrl, DbConn, bump, pool};
use crate::error::{AppError, AppResult};

/// Most writes one commit takes: bounds how long the first caller of a batch waits.
const MOST_PER_COMMIT: usize = 256;

/// The least time between checkpoints: under a stream of commits each checkpoint copies
/// what several commits appended (a page changed by each is copied once), and the WAL
/// stays a few thousand pages long.
const CHECKPOINT_PAUSE: Duration = Duration::from_millis(100);

/// A write as the writer thread runs it: it runs the caller's function in a savepoint and
/// returns how to answer the caller once the commit's fate is known.
type Job = Box<dyn FnOnce(&mut DbConn) -> Answer + Send>;
/// Answers a caller: `None` when its batch committed, else why the commit failed.
type Answer = Box<dyn FnOnce(Option<&str>) + Send>;

/// The handle callers send writes through; the thread stops when the last handle goes.
pub(super) struct Writer {
    jobs: Sender<Job>,
}

impl Writer {
    /// Starts the writer thread on its own connection. `lock` is the process's SQLite write
    /// lock, which [`super::Db::write_sync`] also takes.
    pub(super) fn start(
        url: DatabaseUrl,
        lock: Arc<Mutex<()>>,
        changes: Arc<tokio::sync::watch::Sender<u64>>,
    ) -> anyhow::Result<Self> {
        let conn = connect(&url)?;
        let (checkpoints, due) = sync_channel(1);
        let checkpoint_conn = pool::connect(&url)?;
        let checkpoint_url = url.clone();
        std::thread::Builder::new()
            .name("agora-checkpoint".into())
            .spawn(move || checkpoint(&checkpoint_url, checkpoint_conn, &due))?;
        let (jobs, queue) = channel();
        std::thread::Builder::new()
            .name("agora-writer".into())
            .spawn(move || run(&url, conn, &queue, &lock, &changes, &checkpoints))?;
        Ok(Self { jobs })
    }

    /// Runs `f` in the next commit and returns its result once that commit is done.
    pub(super) async fn write<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
    {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let result = in_savepoint(conn, f);
            Box::new(move |failed| {
                let _ = answer.send(settle(result, failed));
            })
        });
        let unavailable = || AppError::Unavailable("the database cannot take writes now".into());
        self.jobs.send(job).map_err(|_| unavailable())?;
        answered.await.map_err(|_| unavailable())?
    }
}

/// A write's result once its commit's fate is known.
fn settle<T>(result: AppResult<T>, failed: Option<&str>) -> AppResult<T> {
    match (result, failed) {
        (Ok(_), Some(why)) => Err(AppError::Internal(anyhow::anyhow!("the commit failed: {why}"))),
        (result, _) => result,
    }
}

/// Runs `f` in a savepoint of the open transaction: on error (or panic) only its own
/// changes are undone.
fn in_savepoint<T>(conn: &mut DbConn, f: impl FnOnce(&mut DbConn) -> AppResult<T>) -> AppResult<T> {
    let depth = depth(conn);
    match catch_unwind(AssertUnwindSafe(|| conn.transaction(f))) {
        Ok(result) => result,
        Err(_) => {
            // diesel does not unwind its savepoints; undo the ones the panic left open.
            let DbConn::Sqlite(sqlite) = conn else { unreachable!("the writer is SQLite's") };
            while self::depth_of(sqlite) > depth {
                if AnsiTransactionManager::rollback_transaction(sqlite).is_err() {
                    break;
                }
            }
            Err(AppError::Internal(anyhow::anyhow!("a database write panicked")))
        }
    }
}

fn depth(conn: &mut DbConn) -> u32 {
    match conn {
        DbConn::Sqlite(sqlite) => depth_of(sqlite),
        DbConn::Pg(_) => unreachable!("the writer is SQLite's"),
    }
}

fn depth_of(sqlite: &mut diesel::SqliteConnection) -> u32 {
    AnsiTransactionManager::transaction_manager_status_mut(sqlite)
        .transaction_depth()
        .ok()
        .flatten()
        .map_or(0, u32::from)
}

/// The writer's connection: a pool connection that leaves checkpoints to [`checkpoint`],
/// with room for every page a batch changes (64 MiB against SQLite's 2 MiB: a batch of
/// votes changes more, and SQLite then wrote pages to the WAL in the middle of the batch),
/// and each write's savepoint journal in memory (it was a temporary file, written with a
/// system call for every page a write changed first).
fn connect(url: &DatabaseUrl) -> anyhow::Result<DbConn> {
    let mut conn = pool::connect(url)?;
    conn.batch_execute(
        "PRAGMA wal_autocheckpoint = 0; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY",
    )?;
    Ok(conn)
}

/// After a failed begin, commit or checkpoint, diesel may hold the connection as broken
/// and refuse every later statement on it: the next turn gets the `fresh` one.
fn reconnect(conn: &mut DbConn, fresh: anyhow::Result<DbConn>) {
    match fresh {
        Ok(fresh) => *conn = fresh,
        Err(e) => tracing::warn!(error = %e, "could not reconnect to the database"),
    }
}

/// The writer thread: a batch per turn, until every handle is gone.
fn run(
    url: &DatabaseUrl,
    mut conn: DbConn,
    queue: &Receiver<Job>,
    lock: &Mutex<()>,
    changes: &tokio::sync::watch::Sender<u64>,
    checkpoints: &SyncSender<()>,
) {
    while let Ok(first) = queue.recv() {
        let mut batch = vec![first];
        batch.extend(queue.try_iter().take(MOST_PER_COMMIT - 1));
        // A poisoned lock only means another writer panicked; its transaction rolled back.
        let _guard = lock.lock().unwrap_or_else(PoisonError::into_inner);
        APPENDED.set(false);
        let DbConn::Sqlite(sqlite) = &mut conn else { unreachable!("the writer is SQLite's") };
        if let Err(e) = AnsiTransactionManager::begin_transaction_sql(sqlite, "BEGIN IMMEDIATE") {
            // Another process held the lock past busy_timeout, or the file is gone. The
            // jobs are dropped unrun, which tells each caller the database is unavailable.
            tracing::warn!(error = %e, writes = batch.len(), "a database write could not begin");
            reconnect(&mut conn, connect(url));
            continue;
        }
        let answers: Vec<Answer> = batch.into_iter().map(|job| job(&mut conn)).collect();
        let DbConn::Sqlite(sqlite) = &mut conn else { unreachable!("the writer is SQLite's") };
        let failed = match AnsiTransactionManager::commit_transaction(sqlite) {
            Ok(()) => None,
            Err(e) => {
                tracing::warn!(error = %e, writes = answers.len(), "a database commit failed");
                let _ = AnsiTransactionManager::rollback_transaction(sqlite);
                reconnect(&mut conn, connect(url));
                Some(e.to_string())
            }
        };
        if failed.is_none() {
            // Full means a checkpoint is already due, which will copy this commit too.
            let _ = checkpoints.try_send(());
            if APPENDED.replace(false) {
                bump(changes);
            }
        }
        for answer in answers {
            answer(failed.as_deref());
        }
    }
}

/// The checkpoint thread: after commits, copies the WAL into the database file without
/// blocking the writer or readers (PASSIVE), then pauses so that commits gather. SQLite
/// starts the WAL over at the first commit after a checkpoint that copied all of it.
fn checkpoint(url: &DatabaseUrl, mut conn: DbConn, due: &Receiver<()>) {
    while due.recv().is_ok() {
        if let Err(e) = conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE)") {
            tracing::warn!(error = %e, "a WAL checkpoint failed");
            reconnect(&mut conn, pool::connect(url));
        }
        std::thread::sleep(CHECKPOINT_PAUSE);
    }
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use diesel::connection::SimpleConnection;

    use crate::db::{DatabaseUrl, Db};

    /// A commit reaches the database file itself soon after, well short of the 1,000 WAL
    /// pages at which SQLite would copy it back on its own; with no checkpoints at all the
    /// WAL would grow for ever.
    #[tokio::test]
    async fn commits_are_copied_back_into_the_database_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("agora.db");
        let db = Db::connect(&DatabaseUrl::Sqlite(file.clone()), 2).unwrap();
        db.write(|c| Ok(c.batch_execute("CREATE TABLE notes (body TEXT NOT NULL)")?)).await.unwrap();
        let before = std::fs::metadata(&file).unwrap().len();
        for _ in 0..50 {
            // About 100 pages in all, 4 KiB each.
            db.write(|c| Ok(c.batch_execute("INSERT INTO notes VALUES (printf('%.8000c', 'x'))")?))
                .await
                .unwrap();
        }
        let started = Instant::now();
        while std::fs::metadata(&file).unwrap().len() < before + 50 * 8000 {
            assert!(started.elapsed() < Duration::from_secs(10), "the commits stayed in the WAL");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
