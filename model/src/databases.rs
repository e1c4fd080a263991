//! Database connections and the sessions that use them.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Body of `POST /databases/add_db_connection` and `POST /databases/test_connection`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewDbConnection {
    /// `postgresql`, `mysql`, `mariadb` or `sqlite`.
    #[cfg_attr(feature = "openapi", schema(example = "postgresql"))]
    pub db_type: String,
    /// Host name or IP; ignored for `sqlite`.
    #[serde(default)]
    pub host: String,
    /// Ignored for `sqlite`; defaults to the engine's standard port.
    #[serde(default)]
    pub port: Option<u16>,
    /// Database name; for `sqlite`, a file name in the SQLite folder.
    pub database_name: String,
    #[serde(default)]
    pub username: String,
    /// Write-only: never returned.
    #[serde(default)]
    pub db_password: String,
    /// Optional; must be the caller's id when given.
    #[serde(default)]
    pub owner_id: Option<i64>,
    /// `disable`, `prefer` (default), `require`, `verify-ca`, `verify-full`.
    #[serde(default)]
    pub ssl_mode: Option<String>,
    /// Accept a login with rights beyond reading data (superuser, server files,
    /// other sessions). With `SQLAGENT_ENV=production` such logins are refused
    /// unless this is true; elsewhere they only bring a warning.
    #[serde(default)]
    pub allow_privileged_login: bool,
}

/// Body of `PUT /databases/{id}`: only the fields given change. Changing
/// `db_type`, `host`, `port`, `username` or `ssl_mode` requires `db_password`
/// again, so a stored password never follows the connection somewhere else.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DbConnectionPatch {
    pub db_type: Option<String>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub database_name: Option<String>,
    pub username: Option<String>,
    pub db_password: Option<String>,
    pub ssl_mode: Option<String>,
    pub allow_privileged_login: Option<bool>,
}

/// A stored connection as clients see it (never the password).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DbConnectionView {
    pub id: i64,
    pub db_type: String,
    pub host: String,
    pub port: u16,
    pub database_name: String,
    pub username: String,
    pub owner_id: i64,
    pub ssl_mode: String,
    pub allow_privileged_login: bool,
    pub created_at: String,
}

/// Response of `POST /databases/add_db_connection`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DbConnectionAdded {
    pub message: String,
    pub db_connection: DbConnectionView,
}

/// Response of `POST /databases/test_connection`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectionTestView {
    pub success: bool,
    pub message: String,
    /// The server's version string, when it reports one.
    pub server_version: Option<String>,
    /// E.g. the user can write: read-only users are recommended.
    pub warnings: Vec<String>,
}

/// Response of `POST /databases/connect_db/{db_id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConnectView {
    pub message: String,
    pub session_id: String,
    pub thread_id: String,
    pub db_id: i64,
    pub database_name: String,
    pub user_id: i64,
    pub warnings: Vec<String>,
}

/// Response of `GET /databases/session-status`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionStatusView {
    pub user_id: i64,
    pub session_id: String,
    pub thread_id: String,
    pub database_connected: bool,
}

/// Response of `GET /databases/session-info/{session_id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfoView {
    pub session_id: String,
    pub thread_id: String,
    pub user_id: i64,
    pub database_connected: bool,
    /// The session hash, with the connection string masked.
    pub redis_data: BTreeMap<String, String>,
    pub db_session_created_at: Option<String>,
}

/// The session as the web UI's inspector shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionOverview {
    pub user_id: i64,
    pub user_name: String,
    pub user_email: String,
    pub session_id: String,
    pub thread_id: String,
    pub database_connected: bool,
    pub db_id: Option<i64>,
    pub db_type: Option<String>,
    pub database_name: Option<String>,
    /// The connection string with its password masked.
    pub connection: Option<String>,
    pub connected_at: Option<String>,
    /// Seconds left before the session expires; every call renews it.
    pub ttl_seconds: u64,
    /// Size of the schema text cached in the session, and its tables.
    pub schema_bytes: usize,
    pub schema_tables: usize,
    /// `healthy`, `unhealthy` or `disabled` (in-memory sessions).
    pub redis: String,
    /// `healthy` or `unhealthy`.
    pub store: String,
    /// The model answering questions (`sqlagent-offline` without an API key).
    pub model: String,
}

/// A database attached to the session, with what was learnt of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectedView {
    pub connect: ConnectView,
    pub tables: usize,
}

/// Response of `POST /databases/disconnect-session`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DisconnectView {
    pub message: String,
    pub session_id: String,
    pub thread_id: String,
    pub user_id: i64,
    pub redis_cleanup: bool,
}

/// A plain `{"message": "..."}` reply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MessageView {
    pub message: String,
}

/// Body of `POST /databases/run_sql`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RunSql {
    pub sql: String,
}

/// One executed query and its rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueryResultView {
    /// The statement as executed (normalised by the guard).
    pub sql: String,
    pub columns: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Vec<Object>>))]
    pub rows: Vec<Vec<serde_json::Value>>,
    pub row_count: usize,
    /// True when the row or byte cap cut the result short.
    pub truncated: bool,
    pub elapsed_ms: u64,
}

impl QueryResultView {
    /// A whole (not truncated) result of `sql`; `row_count` follows the rows.
    pub fn new(sql: impl Into<String>, columns: Vec<String>, rows: Vec<Vec<serde_json::Value>>) -> Self {
        QueryResultView { sql: sql.into(), columns, row_count: rows.len(), rows, truncated: false, elapsed_ms: 0 }
    }
}
