//! The database layer: one connection type over SQLite and Postgres, a pool,
//! migrations, and [`Db::run`], the only way handlers reach the database.

pub mod schema;

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Any advisory-lock key works as long as every instance uses the same one.
const MIGRATION_LOCK_KEY: i64 = 0x5155_494c_4c42_4f4f; // "QUILLBOO"

/// One connection type for both backends. Queries written against it run on either;
/// backend-specific work matches on the variant.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

/// Which backend a database URL names. Picked from the scheme, never by trial:
/// SQLite would accept any string as a file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbTarget {
    Sqlite { path: String },
    Postgres { url: String },
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://…")]
    BadUrl(String),
    #[error("cannot connect to the database: {0}")]
    Connect(String),
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    #[error("database query failed: {0}")]
    Query(#[from] diesel::result::Error),
    #[error("migrations failed: {0}")]
    Migration(String),
}

impl DbTarget {
    pub fn parse(url: &str) -> Result<Self, DbError> {
        if let Some(rest) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            if rest.is_empty() {
                return Err(DbError::BadUrl(url.to_owned()));
            }
            Ok(DbTarget::Sqlite {
                path: rest.to_owned(),
            })
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DbTarget::Postgres {
                url: url.to_owned(),
            })
        } else {
            Err(DbError::BadUrl(url.to_owned()))
        }
    }

    pub fn is_sqlite(&self) -> bool {
        matches!(self, DbTarget::Sqlite { .. })
    }
}

/// Opens connections of the right variant and prepares every new SQLite connection.
pub struct ConnectionManager {
    target: DbTarget,
}

impl ConnectionManager {
    pub fn new(target: DbTarget) -> Self {
        Self { target }
    }

    fn open(&self) -> Result<DbConn, r2d2::Error> {
        match &self.target {
            DbTarget::Postgres { url } => PgConnection::establish(url)
                .map(DbConn::Postgres)
                .map_err(r2d2::Error::ConnectionError),
            DbTarget::Sqlite { path } => {
                let mut conn =
                    SqliteConnection::establish(path).map_err(r2d2::Error::ConnectionError)?;
                // synchronous=FULL rather than NORMAL: an acknowledged write must survive
                // a power loss too (NOTES.md, security decisions). busy_timeout lets writers
                // queue instead of failing with SQLITE_BUSY.
                conn.batch_execute(
                    "PRAGMA journal_mode = WAL;
                     PRAGMA synchronous = FULL;
                     PRAGMA foreign_keys = ON;
                     PRAGMA busy_timeout = 5000;",
                )
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        self.open()
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        conn.is_broken()
    }
}

pub type Pool = r2d2::Pool<ConnectionManager>;

/// The shared database handle kept in the app state.
#[derive(Clone)]
pub struct Db {
    pool: Pool,
    target: DbTarget,
}

impl Db {
    /// Connects (creating the SQLite file's folder when needed), checks the connection
    /// once so a bad URL fails at start, and runs pending migrations.
    pub fn connect(url: &str, pool_size: u32) -> Result<Self, DbError> {
        let target = DbTarget::parse(url)?;
        if let DbTarget::Sqlite { path } = &target {
            if let Some(dir) = std::path::Path::new(path).parent() {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir).map_err(|e| {
                        DbError::Connect(format!("cannot create {}: {e}", dir.display()))
                    })?;
                }
            }
        }
        let pool = r2d2::Pool::builder()
            .max_size(pool_size)
            .min_idle(Some(1))
            .connection_timeout(Duration::from_secs(5))
            // A Postgres connection can die with its server (restart, pg_terminate_backend):
            // check it on checkout so the app recovers by itself. A SQLite connection
            // is a file handle: the check would only add a query to every request.
            .test_on_check_out(!target.is_sqlite())
            .build(ConnectionManager::new(target.clone()))
            .map_err(|e| DbError::Connect(e.to_string()))?;
        let db = Self { pool, target };
        db.migrate()?;
        Ok(db)
    }

    pub fn target(&self) -> &DbTarget {
        &self.target
    }

    /// Applies pending migrations. On Postgres an advisory lock makes instances that
    /// start at the same moment take turns.
    pub fn migrate(&self) -> Result<(), DbError> {
        let mut conn = self.get()?;
        match &mut *conn {
            DbConn::Sqlite(c) => c
                .run_pending_migrations(SQLITE_MIGRATIONS)
                .map(|_| ())
                .map_err(|e| DbError::Migration(e.to_string())),
            DbConn::Postgres(c) => {
                c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))?;
                let result = c
                    .run_pending_migrations(POSTGRES_MIGRATIONS)
                    .map(|_| ())
                    .map_err(|e| DbError::Migration(e.to_string()));
                c.batch_execute(&format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))?;
                result
            }
        }
    }

    /// A pooled connection for blocking contexts (CLI, background tasks, tests).
    pub fn get(&self) -> Result<r2d2::PooledConnection<ConnectionManager>, DbError> {
        self.pool
            .get()
            .map_err(|e| DbError::Unavailable(e.to_string()))
    }

    /// Runs `f` on a pooled connection on actix's blocking thread pool.
    pub async fn run<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&mut DbConn) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<DbError> + Send + 'static,
    {
        let pool = self.pool.clone();
        actix_web::web::block(move || {
            let mut conn = pool
                .get()
                .map_err(|e| E::from(DbError::Unavailable(e.to_string())))?;
            f(&mut conn)
        })
        .await
        .map_err(|e| E::from(DbError::Unavailable(e.to_string())))?
    }

    /// Answers whether the database responds (for /healthz).
    pub async fn ping(&self) -> Result<(), DbError> {
        self.run(|conn| conn.ping().map_err(DbError::from)).await
    }

    /// Copies a consistent snapshot of a SQLite database to `dest` with `VACUUM INTO`.
    pub fn backup_sqlite(&self, dest: &std::path::Path) -> Result<(), DbError> {
        let mut conn = self.get()?;
        match &mut *conn {
            DbConn::Sqlite(c) => {
                let dest = dest.to_string_lossy().replace('\'', "''");
                c.batch_execute(&format!("VACUUM INTO '{dest}'"))?;
                Ok(())
            }
            DbConn::Postgres(_) => Err(DbError::BadUrl(
                "backup works on SQLite; for Postgres use pg_dump".into(),
            )),
        }
    }
}

/// The current instant in UTC, truncated to microseconds so it round-trips
/// through Postgres unchanged.
pub fn now() -> chrono::NaiveDateTime {
    use chrono::{DurationRound, TimeDelta};
    let now = chrono::Utc::now().naive_utc();
    now.duration_trunc(TimeDelta::microseconds(1))
        .unwrap_or(now)
}
