//! Opening a pool: policy check, options from validated fields, a first query.
use std::path::Path;
use std::time::{Duration, Instant};

use sqlx::mysql::{MySqlConnectOptions, MySqlPoolOptions, MySqlSslMode};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgSslMode};
use sqlx::ConnectOptions;

use super::{Pool, SqliteFile};
use crate::targets::{sqlite_path, DbKind, NetPolicy, ResolvedHost, SslMode, TargetSpec};
use crate::Error;

/// Connect timeout, including the TLS and authentication handshakes. Every
/// failure to reach a server is answered after exactly this long, so the
/// answer's timing says nothing about which ports are open.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const MAX_CONNECTIONS: u32 = 3;
const IDLE_TIMEOUT: Duration = Duration::from_secs(300);

/// The one text for every way of not reaching a database server.
const UNREACHABLE: &str =
    "Could not connect to the database server (unreachable, refused, timed out, TLS failed, or not a database)";

/// Open a small pool to `spec` and prove it with a first query.
#[tracing::instrument(skip_all, fields(db.kind = ?spec.kind))]
pub async fn open(spec: &TargetSpec, policy: &NetPolicy, data_dir: &Path, owner_id: i64) -> crate::Result<Pool> {
    let started = Instant::now();
    let pool = match spec.kind {
        DbKind::Sqlite => Pool::Sqlite(SqliteFile::new(sqlite_path(data_dir, owner_id, &spec.database_name)?)),
        DbKind::Postgres => Pool::Postgres(
            PgPoolOptions::new()
                .max_connections(MAX_CONNECTIONS)
                .idle_timeout(IDLE_TIMEOUT)
                .acquire_timeout(CONNECT_TIMEOUT)
                .connect_lazy_with(postgres_options(spec, &policy.resolve(&spec.host, spec.port).await?)),
        ),
        DbKind::MySql => Pool::MySql {
            pool: MySqlPoolOptions::new()
                .max_connections(MAX_CONNECTIONS)
                .idle_timeout(IDLE_TIMEOUT)
                .acquire_timeout(CONNECT_TIMEOUT)
                .connect_lazy_with(mysql_options(spec, &policy.resolve(&spec.host, spec.port).await?)),
            mariadb: false,
        },
    };
    let failed = match tokio::time::timeout(CONNECT_TIMEOUT, first_query(pool)).await {
        Ok(Ok(pool)) => return recheck_name(spec, policy, pool).await,
        Ok(Err(e)) => connect_error(&e),
        Err(_) => Error::BadRequest(UNREACHABLE.into()),
    };
    if matches!(&failed, Error::BadRequest(m) if m == UNREACHABLE) {
        tokio::time::sleep_until((started + CONNECT_TIMEOUT).into()).await;
    }
    Err(failed)
}

fn postgres_options(spec: &TargetSpec, target: &ResolvedHost) -> PgConnectOptions {
    PgConnectOptions::new()
        .host(&connect_host(spec, target))
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
        // Defence in depth: sessions default to read-only transactions, and
        // string literals are lexed as the guard lexes them.
        .options([
            ("default_transaction_read_only", "on"),
            ("statement_timeout", "30000"),
            ("standard_conforming_strings", "on"),
        ])
        // The driver would log slow statements with their text (and values).
        .disable_statement_logging()
}

fn mysql_options(spec: &TargetSpec, target: &ResolvedHost) -> MySqlConnectOptions {
    let opts = MySqlConnectOptions::new()
        .host(&connect_host(spec, target))
        .port(target.addr.port())
        .username(&spec.username)
        .database(&spec.database_name)
        .ssl_mode(match spec.ssl_mode {
            SslMode::Disable => MySqlSslMode::Disabled,
            SslMode::Prefer => MySqlSslMode::Preferred,
            SslMode::Require => MySqlSslMode::Required,
            SslMode::VerifyCa => MySqlSslMode::VerifyCa,
            SslMode::VerifyFull => MySqlSslMode::VerifyIdentity,
        })
        .disable_statement_logging();
    // An empty password means "none": sending an empty one fails some auth plugins.
    if spec.password.is_empty() {
        opts
    } else {
        opts.password(&spec.password)
    }
}

/// Only `verify-full` needs the name (to check the certificate against it);
/// every other mode, `verify-ca` included, connects to the vetted address.
fn connect_host(spec: &TargetSpec, target: &ResolvedHost) -> String {
    match spec.ssl_mode {
        SslMode::VerifyFull => spec.host.clone(),
        _ => target.addr.ip().to_string(),
    }
}

/// With `verify-full` the driver resolved the name itself; resolve it again
/// and refuse if it now names a forbidden place. (The certificate check
/// already binds the connection to the name: a server the name was rebound
/// to cannot show a certificate for it, and credentials go only over TLS.)
async fn recheck_name(spec: &TargetSpec, policy: &NetPolicy, pool: Pool) -> crate::Result<Pool> {
    if spec.kind != DbKind::Sqlite && spec.ssl_mode == SslMode::VerifyFull {
        if let Err(e) = policy.resolve(&spec.host, spec.port).await {
            pool.close().await;
            return Err(e);
        }
    }
    Ok(pool)
}

/// Run a first query; for MySQL, learn whether the server is MariaDB.
async fn first_query(pool: Pool) -> Result<Pool, sqlx::Error> {
    let pool = match pool {
        Pool::Postgres(p) => {
            sqlx::query("SELECT 1").execute(&p).await?;
            Pool::Postgres(p)
        }
        Pool::MySql { pool, .. } => {
            let (version,): (String,) = sqlx::query_as("SELECT CAST(VERSION() AS CHAR)").fetch_one(&pool).await?;
            Pool::MySql { pool, mariadb: version.contains("MariaDB") }
        }
        Pool::Sqlite(f) => {
            let probe = f.run(None, |c| c.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))).await;
            match probe {
                Ok(Ok(())) => Pool::Sqlite(f),
                Ok(Err(e)) => return Err(sqlx::Error::Protocol(format!("sqlite: {e}"))),
                Err(e) => return Err(sqlx::Error::Protocol(format!("sqlite: {e}"))),
            }
        }
    };
    Ok(pool)
}

/// A user-facing reason that names no password and says nothing about the
/// network beyond "not reached" (a real database's own answer excepted).
fn connect_error(e: &sqlx::Error) -> Error {
    tracing::info!(error = %e, "target connection failed");
    let msg = match e {
        sqlx::Error::Database(db) => match db.code().as_deref() {
            // PostgreSQL: invalid_password / invalid_authorization_specification; MySQL: access denied.
            Some("28P01") | Some("28000") | Some("1045") | Some("1698") => "Authentication failed for this user",
            Some("3D000") | Some("1049") => "The database does not exist on this server",
            _ => "The database server refused the connection",
        },
        sqlx::Error::Protocol(m) if m.starts_with("sqlite:") => "Could not open the SQLite file as a database",
        _ => UNREACHABLE,
    };
    Error::BadRequest(msg.into())
}
