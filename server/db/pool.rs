//! An r2d2 pool of [`DbConn`]s, with SQLite's per-connection pragmas applied on connect.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::{Connection, ConnectionError, PgConnection, SqliteConnection};

use super::{DatabaseUrl, DbConn};

/// The pool type.
pub type Pool = r2d2::Pool<Manager>;
/// A connection borrowed from the pool.
pub type PooledConn = r2d2::PooledConnection<Manager>;

/// Settings every SQLite connection needs: WAL lets readers run beside the writer;
/// NORMAL sync is durable in WAL mode except against power loss of the last commit;
/// busy_timeout makes writers from other processes (the CLI) wait instead of failing. It
/// comes first: setting the journal mode needs a lock, and without the timeout a CLI
/// command started while the server wrote failed at once with "database is locked" (the
/// benchmark making vote tokens found it). mmap lets readers take pages straight from the
/// OS's file cache: without it each page a connection's own small cache lacks is a
/// `pread` copy, and a home page following people and tags spent most of its CPU in
/// that copying on the large organisation.
const SQLITE_PRAGMAS: &str = "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = WAL; \
    PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA mmap_size = 4294967296;";

/// Opens connections to one database URL.
#[derive(Debug)]
pub struct Manager {
    url: DatabaseUrl,
}

impl r2d2::ManageConnection for Manager {
    type Connection = DbConn;
    type Error = ConnectionError;

    fn connect(&self) -> Result<DbConn, ConnectionError> {
        match &self.url {
            DatabaseUrl::Postgres(url) => PgConnection::establish(url).map(DbConn::Pg),
            DatabaseUrl::Sqlite(path) => {
                let path = path.to_string_lossy();
                let mut conn = SqliteConnection::establish(&path)?;
                conn.batch_execute(SQLITE_PRAGMAS).map_err(ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), ConnectionError> {
        conn.batch_execute("SELECT 1").map_err(ConnectionError::CouldntSetupConfiguration)
    }

    /// A connection given back by a panicking thread, or still inside a transaction (one
    /// whose commit or rollback failed), would hand its next borrower a transaction it did
    /// not open: it is closed instead, which rolls the transaction back.
    fn has_broken(&self, conn: &mut DbConn) -> bool {
        use diesel::connection::TransactionManager;
        std::thread::panicking()
            || <DbConn as Connection>::TransactionManager::is_broken_transaction_manager(conn)
    }
}

/// One connection outside the pool, set up as the pool's are.
pub fn connect(url: &DatabaseUrl) -> anyhow::Result<DbConn> {
    r2d2::ManageConnection::connect(&Manager { url: url.clone() })
        .map_err(|e| anyhow::anyhow!("cannot connect to {url}: {}", first_line(&e.to_string())))
}

/// Builds the pool and proves one connection works, so a bad URL fails at start-up.
pub fn build(url: &DatabaseUrl, max_size: u32) -> anyhow::Result<Pool> {
    if let DatabaseUrl::Sqlite(path) = url
        && let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).map_err(|e| anyhow::anyhow!("cannot create {}: {e}", dir.display()))?;
    }
    connect(url)?;
    let manager = Manager { url: url.clone() };
    Ok(r2d2::Pool::builder()
        .max_size(max_size.max(1))
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(10))
        // A PostgreSQL connection is tested before each use, so one the server dropped is
        // replaced instead of failing a request. A SQLite connection is an open file that
        // cannot go stale that way; its test, a `SELECT 1` SQLite parsed anew each time,
        // was 5.7% of the home feed's CPU.
        .test_on_check_out(matches!(url, DatabaseUrl::Postgres(_)))
        .build_unchecked(manager))
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or(s).trim()
}
