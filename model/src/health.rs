//! Health checks.
use serde::{Deserialize, Serialize};

/// Response of `GET /health`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HealthView {
    /// `healthy` or `degraded`.
    pub status: String,
    pub message: String,
    /// UTC, RFC 3339 with milliseconds.
    pub timestamp: String,
    pub version: String,
    /// `healthy`, `unhealthy`, or `disabled` (in-memory sessions).
    pub redis: String,
}

/// Response of `GET /health/session`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionHealthView {
    pub status: String,
    pub message: String,
    pub user_id: i64,
    pub session_id: String,
    pub thread_id: String,
    pub database_connected: bool,
    pub timestamp: String,
}
