//! The database layer: one connection type over SQLite and PostgreSQL, a pool, embedded
//! migrations, and the only place in the server that speaks diesel.

pub mod fixed;
pub mod id_list;
pub mod models;
mod pool;
pub mod schema;
mod url;
mod writer;

use std::cell::Cell;
use std::sync::{Arc, Mutex, PoisonError};

use diesel::prelude::*;
use diesel::{PgConnection, SqliteConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::{AppError, AppResult};
pub use pool::PooledConn;
pub use url::DatabaseUrl;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// A connection to either backend. Queries written against it compile for both; the few
/// statements whose SQL differs use [`on_backend!`](crate::on_backend).
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    /// PostgreSQL (production, several nodes).
    Pg(PgConnection),
    /// SQLite (the embedded default).
    Sqlite(SqliteConnection),
}

/// Runs the same diesel expression on the concrete connection inside a [`DbConn`], for
/// statements that MultiConnection cannot express (upserts, RETURNING, raw SQL that differs).
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Pg($c) => $body,
            $crate::db::DbConn::Sqlite($c) => $body,
        }
    };
}

/// The database handle shared by the whole process: a pool plus the rules for using it
/// from async code.
#[derive(Clone)]
pub struct Db {
    pool: pool::Pool,
    /// SQLite allows one writer at a time and a deferred transaction that reads before it
    /// writes fails at once (no busy wait) when another writer got in first. Taking this
    /// lock around every write transaction makes in-process writers queue instead.
    sqlite_writer: Option<Arc<Mutex<()>>>,
    /// SQLite's group-committing writer thread (see [`writer`]); PostgreSQL takes writes
    /// on pooled connections side by side.
    writer: Option<Arc<writer::Writer>>,
    /// Bumped after each commit that appended to a log (activities, notifications), so each
    /// follower of the log wakes at once, and only then.
    changes: Arc<tokio::sync::watch::Sender<u64>>,
    url: DatabaseUrl,
}

impl Db {
    /// Opens the pool (creating the SQLite file and its folder when needed) and checks that
    /// one connection can be made.
    pub fn connect(url: &DatabaseUrl, max_connections: u32) -> anyhow::Result<Self> {
        let sqlite_writer = matches!(url, DatabaseUrl::Sqlite(_)).then(|| Arc::new(Mutex::new(())));
        let pool = pool::build(url, max_connections)?;
        let changes = Arc::new(tokio::sync::watch::Sender::new(0));
        let writer = match &sqlite_writer {
            Some(lock) => Some(Arc::new(writer::Writer::start(url.clone(), lock.clone(), changes.clone())?)),
            None => None,
        };
        Ok(Self { pool, sqlite_writer, writer, changes, url: url.clone() })
    }

    /// Applies every pending migration of the connection's backend.
    pub fn migrate(&self) -> anyhow::Result<usize> {
        let mut conn = self.pool.get()?;
        let applied = match &mut *conn {
            DbConn::Pg(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|v| v.len()),
            DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
        };
        applied.map_err(|e| anyhow::anyhow!("migration failed: {e}"))
    }

    /// A pooled connection, for synchronous callers (CLI commands, blocking tasks).
    pub fn conn(&self) -> AppResult<PooledConn> {
        self.pool.get().map_err(|e| AppError::Unavailable(e.to_string()))
    }

    /// Runs `f` on a pooled connection in a blocking thread, off the async workers, as one
    /// read (see [`snapshot`]).
    pub async fn read<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
    {
        let db = self.clone();
        blocking(move || db.read_sync(f)).await
    }

    /// The synchronous form of [`Db::read`], for CLI commands and blocking tasks.
    pub fn read_sync<T>(&self, f: impl FnOnce(&mut DbConn) -> AppResult<T>) -> AppResult<T> {
        snapshot(&mut *self.conn()?, f)
    }

    /// Runs `f` in one transaction, off the async workers: all of it commits or none of
    /// it, and the result comes back once it has committed. On SQLite the transaction is a
    /// savepoint of a commit shared with the writes waiting beside it (see [`writer`]).
    pub async fn write<T, F>(&self, f: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
    {
        if let Some(writer) = &self.writer {
            return writer.write(f).await;
        }
        let db = self.clone();
        blocking(move || db.write_sync(f)).await
    }

    /// The synchronous form of [`Db::write`], for CLI commands and blocking tasks: its own
    /// transaction on a pooled connection, taking turns with the writer thread.
    pub fn write_sync<T>(&self, f: impl FnOnce(&mut DbConn) -> AppResult<T>) -> AppResult<T> {
        let mut conn = self.conn()?;
        // A poisoned lock only means another writer panicked; its transaction rolled back.
        let _guard =
            self.sqlite_writer.as_ref().map(|lock| lock.lock().unwrap_or_else(PoisonError::into_inner));
        APPENDED.set(false);
        let result = transaction(&mut conn, f);
        // Most writes (a session's expiry moved on every page) append nothing: waking every
        // log follower for them would cost each page a query per follower.
        if APPENDED.replace(false) && result.is_ok() {
            bump(&self.changes);
        }
        result
    }

    /// Changes of the logs: this process's commits that appended (see [`appended`]), and
    /// with PostgreSQL every node's activity (see [`Db::listen_for_other_nodes`]). Each
    /// receiver sees every bump.
    pub fn changes(&self) -> tokio::sync::watch::Receiver<u64> {
        self.changes.subscribe()
    }

    /// With PostgreSQL, starts a thread that LISTENs for other nodes' activity and signals
    /// [`Db::changes`]. SQLite has one writer machine; its followers poll as a fallback.
    pub fn listen_for_other_nodes(&self) -> anyhow::Result<()> {
        let DatabaseUrl::Postgres(url) = &self.url else {
            return Ok(());
        };
        let mut conn = PgConnection::establish(url)?;
        diesel::sql_query(format!("LISTEN {}", models::activities::NOTIFY_CHANNEL)).execute(&mut conn)?;
        let changes = self.changes.clone();
        std::thread::Builder::new().name("agora-listen".into()).spawn(move || {
            loop {
                // Checks the socket without a round trip; notifications arrive between polls.
                let mut woken = false;
                for notification in conn.notifications_iter() {
                    match notification {
                        Ok(_) => woken = true,
                        Err(e) => {
                            tracing::warn!(error = %e, "LISTEN connection lost; falling back to polling");
                            return;
                        }
                    }
                }
                if woken {
                    bump(&changes);
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        })?;
        Ok(())
    }
}

thread_local! {
    /// Set while a write transaction on this thread appends to a log; see [`appended`].
    static APPENDED: Cell<bool> = const { Cell::new(false) };
}

/// Marks the write transaction running on this thread as having appended to a log that
/// followers read (the activity log, notifications): they wake once it commits.
pub fn appended() {
    APPENDED.set(true);
}

fn bump(changes: &tokio::sync::watch::Sender<u64>) {
    changes.send_modify(|n| *n = n.wrapping_add(1));
}

/// Runs `f` in a transaction. On SQLite it begins IMMEDIATE: the write lock is taken at the
/// start, where `busy_timeout` makes a second process (another node, the CLI) wait its
/// turn. A deferred transaction that reads and then writes would instead fail at once with
/// "database is locked" when another process wrote in between.
fn transaction<T>(conn: &mut DbConn, f: impl FnOnce(&mut DbConn) -> AppResult<T>) -> AppResult<T> {
    match conn {
        DbConn::Sqlite(_) => sqlite_transaction(conn, "BEGIN IMMEDIATE", f),
        DbConn::Pg(_) => conn.transaction(f),
    }
}

/// Runs a read. On SQLite its statements share one deferred transaction: they see one
/// snapshot of the database, and take the WAL's read lock once instead of once each,
/// which halved the cost of the home feed's fifty small statements (242 → 122 µs for 30
/// community lanes). On PostgreSQL, where BEGIN and COMMIT are round trips of their own,
/// each statement still runs alone.
fn snapshot<T>(conn: &mut DbConn, f: impl FnOnce(&mut DbConn) -> AppResult<T>) -> AppResult<T> {
    match conn {
        DbConn::Sqlite(_) => sqlite_transaction(conn, "BEGIN", f),
        DbConn::Pg(_) => f(conn),
    }
}

/// Runs `f` in a SQLite transaction opened by `begin`: committed if `f` succeeds, rolled
/// back if it fails.
fn sqlite_transaction<T>(
    conn: &mut DbConn,
    begin: &str,
    f: impl FnOnce(&mut DbConn) -> AppResult<T>,
) -> AppResult<T> {
    use diesel::connection::{AnsiTransactionManager, TransactionManager};
    let DbConn::Sqlite(sqlite) = conn else { unreachable!("called for SQLite connections only") };
    AnsiTransactionManager::begin_transaction_sql(sqlite, begin)?;
    let result = f(conn);
    // The transaction manager lives in the inner connection, so nested transactions in `f`
    // became savepoints of this one; only the outermost level ends here.
    let DbConn::Sqlite(sqlite) = conn else { unreachable!("the backend does not change") };
    match result {
        Ok(value) => {
            AnsiTransactionManager::commit_transaction(sqlite)?;
            Ok(value)
        }
        Err(error) => {
            AnsiTransactionManager::rollback_transaction(sqlite)?;
            Err(error)
        }
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> AppResult<T> + Send + 'static) -> AppResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("database task failed: {e}")))?
}

/// Checks the database answers; used by `/healthz`.
pub fn ping(conn: &mut DbConn) -> QueryResult<()> {
    diesel::sql_query("SELECT 1").execute(conn).map(|_| ())
}
