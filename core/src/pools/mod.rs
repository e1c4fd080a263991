//! Pools: live connections to target databases, and the per-instance cache of
//! them by login session.
//!
//! A pool is small (≤ 3 connections) and built only from a validated
//! [`TargetSpec`] whose host passed the [`NetPolicy`]; the cache is bounded and
//! evicts idle entries, closing their pools.
mod cache;
mod open;
mod probe;
mod sqlite;

pub use cache::PoolCache;
pub use open::{open, CONNECT_TIMEOUT};
pub use probe::{privilege_warnings, server_version, write_warnings};
pub use sqlite::SqliteFile;

use std::sync::Arc;

use sqlx::{MySqlPool, PgPool};
use tokio::sync::RwLock;

use crate::ids::ConnectionId;
use crate::linker::Catalog;
use crate::targets::DbKind;

/// A pool of one engine.
#[derive(Clone, Debug)]
pub enum Pool {
    Postgres(PgPool),
    /// MySQL or MariaDB (`mariadb` names their differing session variables).
    MySql {
        pool: MySqlPool,
        mariadb: bool,
    },
    Sqlite(SqliteFile),
}

impl Pool {
    pub async fn close(&self) {
        match self {
            Pool::Postgres(p) => p.close().await,
            Pool::MySql { pool, .. } => pool.close().await,
            Pool::Sqlite(f) => f.close(),
        }
    }
}

/// A login session's pool to its attached connection, with what is known of
/// its database (schema and sampled values).
#[derive(Debug)]
pub struct SessionPool {
    pub connection: ConnectionId,
    pub kind: DbKind,
    /// The database (or SQLite file) name the login connected to.
    pub database: String,
    pub pool: Pool,
    /// The last introspection and value sample; refreshed on demand.
    pub catalog: RwLock<Option<Arc<Catalog>>>,
}

impl SessionPool {
    pub fn new(connection: ConnectionId, kind: DbKind, database: String, pool: Pool) -> Self {
        SessionPool { connection, kind, database, pool, catalog: RwLock::new(None) }
    }

    /// What the SQL guard needs to know about where statements run.
    pub fn scope(&self) -> crate::sqlguard::Scope {
        crate::sqlguard::Scope { kind: self.kind, database: self.database.clone() }
    }
}
