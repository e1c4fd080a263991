//! Opening a pool: policy check, options from validated fields, `SELECT 1`.
use std::path::Path;
use std::time::Duration;

use sqlx::mysql::{MySqlConnectOptions, MySqlPoolOptions, MySqlSslMode};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgSslMode};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};

use super::Pool;
use crate::targets::{sqlite_path, DbKind, NetPolicy, SslMode, TargetSpec};
use crate::Error;

/// Connect timeout, including the TLS and authentication handshakes.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const MAX_CONNECTIONS: u32 = 3;
const IDLE_TIMEOUT: Duration = Duration::from_secs(300);

/// Open a small pool to `spec` and prove it with `SELECT 1`.
#[tracing::instrument(skip_all, fields(db.kind = ?spec.kind))]
pub async fn open(spec: &TargetSpec, policy: &NetPolicy, data_dir: &Path, owner_id: i64) -> crate::Result<Pool> {
    let pool = match spec.kind {
        DbKind::Sqlite => {
            let path = sqlite_path(data_dir, owner_id, &spec.database_name)?;
            // Read-only open plus query_only: this connection cannot write, whatever runs on it.
            let opts = SqliteConnectOptions::new()
                .filename(path)
                .read_only(true)
                .create_if_missing(false)
                .pragma("query_only", "ON")
                .busy_timeout(Duration::from_secs(2));
            let pool = SqlitePoolOptions::new()
                .max_connections(MAX_CONNECTIONS)
                .idle_timeout(IDLE_TIMEOUT)
                .acquire_timeout(CONNECT_TIMEOUT)
                .connect_lazy_with(opts);
            Pool::Sqlite(pool)
        }
        DbKind::Postgres => {
            let target = policy.resolve(&spec.host, spec.port).await?;
            let opts = PgConnectOptions::new()
                .host(&connect_host(spec, &target.addr.ip().to_string()))
                .port(target.addr.port())
                .username(&spec.username)
                .password(&spec.password)
                .database(&spec.database_name)
                .application_name("sqlagent")
                .ssl_mode(match spec.ssl_mode {
                    SslMode::Disable => PgSslMode::Disable,
                    SslMode::Prefer => PgSslMode::Prefer,
                    SslMode::Require => PgSslMode::Require,
                    SslMode::VerifyCa => PgSslMode::VerifyCa,
                    SslMode::VerifyFull => PgSslMode::VerifyFull,
                })
                // Defence in depth: sessions default to read-only transactions.
                .options([("default_transaction_read_only", "on"), ("statement_timeout", "30000")]);
            let pool = PgPoolOptions::new()
                .max_connections(MAX_CONNECTIONS)
                .idle_timeout(IDLE_TIMEOUT)
                .acquire_timeout(CONNECT_TIMEOUT)
                .connect_lazy_with(opts);
            Pool::Postgres(pool)
        }
        DbKind::MySql => {
            let target = policy.resolve(&spec.host, spec.port).await?;
            let mut opts = MySqlConnectOptions::new()
                .host(&connect_host(spec, &target.addr.ip().to_string()))
                .port(target.addr.port())
                .username(&spec.username)
                .database(&spec.database_name)
                .ssl_mode(match spec.ssl_mode {
                    SslMode::Disable => MySqlSslMode::Disabled,
                    SslMode::Prefer => MySqlSslMode::Preferred,
                    SslMode::Require => MySqlSslMode::Required,
                    SslMode::VerifyCa => MySqlSslMode::VerifyCa,
                    SslMode::VerifyFull => MySqlSslMode::VerifyIdentity,
                });
            // An empty password means "none": sending an empty one fails some auth plugins.
            if !spec.password.is_empty() {
                opts = opts.password(&spec.password);
            }
            let pool = MySqlPoolOptions::new()
                .max_connections(MAX_CONNECTIONS)
                .idle_timeout(IDLE_TIMEOUT)
                .acquire_timeout(CONNECT_TIMEOUT)
                .connect_lazy_with(opts);
            Pool::MySql(pool)
        }
    };
    match tokio::time::timeout(CONNECT_TIMEOUT, ping(&pool)).await {
        Ok(Ok(())) => Ok(pool),
        Ok(Err(e)) => {
            pool.close().await;
            Err(connect_error(&e))
        }
        Err(_) => {
            pool.close().await;
            Err(Error::BadRequest(
                "Could not connect to the database server (unreachable, refused or timed out)".into(),
            ))
        }
    }
}

/// Certificate checks need the name; every other mode connects to the vetted address.
fn connect_host(spec: &TargetSpec, vetted_ip: &str) -> String {
    match spec.ssl_mode {
        SslMode::VerifyFull | SslMode::VerifyCa => spec.host.clone(),
        _ => vetted_ip.to_owned(),
    }
}

async fn ping(pool: &Pool) -> sqlx::Result<()> {
    match pool {
        Pool::Postgres(p) => sqlx::query("SELECT 1").execute(p).await.map(drop),
        Pool::MySql(p) => sqlx::query("SELECT 1").execute(p).await.map(drop),
        Pool::Sqlite(p) => sqlx::query("SELECT 1 FROM sqlite_schema LIMIT 1").execute(p).await.map(drop),
    }
}

/// A user-facing reason that names no password and little about the network.
fn connect_error(e: &sqlx::Error) -> Error {
    tracing::info!(error = %e, "target connection failed");
    let msg = match e {
        sqlx::Error::Database(db) => match db.code().as_deref() {
            // PostgreSQL: invalid_password / invalid_authorization_specification; MySQL: access denied.
            Some("28P01") | Some("28000") | Some("1045") | Some("1698") => "Authentication failed for this user",
            Some("3D000") | Some("1049") => "The database does not exist on this server",
            _ => "The database server refused the connection",
        },
        sqlx::Error::Tls(_) => "TLS negotiation with the database server failed (check ssl_mode)",
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut => {
            "Could not connect to the database server (unreachable, refused or timed out)"
        }
        _ => "Could not open the database",
    };
    Error::BadRequest(msg.into())
}
