//! Live pools to target databases, and the per-instance cache of them by session.
//!
//! A pool is small (≤ 3 connections) and built only from a validated
//! [`TargetSpec`] whose host passed the [`NetPolicy`]; the cache is bounded and
//! evicts idle entries, closing their pools.
mod cache;
mod open;
mod probe;

pub use cache::ConnectorCache;
pub use open::{open, CONNECT_TIMEOUT};
pub use probe::{server_version, write_warnings};

use std::sync::Arc;

use sqlagent_model::Schema;
use sqlx::{MySqlPool, PgPool, SqlitePool};
use tokio::sync::RwLock;

use crate::targets::DbKind;

/// A pool of one engine.
#[derive(Clone, Debug)]
pub enum Pool {
    Postgres(PgPool),
    MySql(MySqlPool),
    Sqlite(SqlitePool),
}

impl Pool {
    pub async fn close(&self) {
        match self {
            Pool::Postgres(p) => p.close().await,
            Pool::MySql(p) => p.close().await,
            Pool::Sqlite(p) => p.close().await,
        }
    }
}

/// A connection to one stored database, with its introspected schema.
#[derive(Debug)]
pub struct Connector {
    pub db_id: i64,
    pub kind: DbKind,
    pub pool: Pool,
    /// The last introspection; refreshed on demand.
    pub schema: RwLock<Option<Arc<Schema>>>,
}

impl Connector {
    pub fn new(db_id: i64, kind: DbKind, pool: Pool) -> Self {
        Connector { db_id, kind, pool, schema: RwLock::new(None) }
    }
}
