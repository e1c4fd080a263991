//! Login sessions: one hash per session (`session:{uuid}`), sliding TTL.
//!
//! Two stores share the same semantics behind [`SessionStore`]: Redis for any number
//! of instances, and an in-memory map for the single-instance embedded default.
use std::collections::HashMap;

use async_trait::async_trait;

use crate::ids::{ConnectionId, UserId};

mod memory;
mod redis_store;

pub use memory::MemorySessions;
pub use redis_store::RedisSessions;

/// Field names of the session hash.
pub mod fields {
    pub const USER_ID: &str = "user_id";
    pub const CREATED_AT: &str = "created_at";
    pub const STATUS: &str = "status";
    pub const DB_ID: &str = "db_id";
    pub const CONNECTION_STRING: &str = "connection_string";
    pub const DB_SCHEMA: &str = "db_schema";
}

/// The value of the `status` field while a database is attached.
pub const CONNECTED: &str = "connected";

/// The small part of a session that every authenticated request needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionMeta {
    pub user_id: UserId,
    /// The attached connection: only when the session says `connected` and
    /// names one, so "connected without a database" cannot be represented.
    pub attached: Option<ConnectionId>,
}

impl SessionMeta {
    /// The fields `touch` reads, in this order.
    const FIELDS: [&'static str; 3] = [fields::USER_ID, fields::STATUS, fields::DB_ID];

    fn from_values(values: [Option<String>; 3]) -> Option<Self> {
        let [user_id, status, db_id] = values;
        let attached = match status.as_deref() {
            Some(CONNECTED) => db_id.and_then(|d| d.parse().ok()).map(ConnectionId),
            _ => None,
        };
        Some(SessionMeta { user_id: UserId(user_id?.parse().ok()?), attached })
    }
}

/// How a dependency is doing, as `/health` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    Healthy,
    Unhealthy,
    /// Not configured (in-memory sessions).
    Disabled,
}

impl Probe {
    pub fn as_str(self) -> &'static str {
        match self {
            Probe::Healthy => "healthy",
            Probe::Unhealthy => "unhealthy",
            Probe::Disabled => "disabled",
        }
    }
}

/// Storage of session hashes with a sliding time-to-live.
#[async_trait]
pub trait SessionStore: Send + Sync + 'static {
    /// Create the hash `session:{id}` with `fields` and the TTL.
    async fn create(&self, id: &str, fields: &[(&str, String)]) -> crate::Result<()>;
    /// Renew the TTL and read the auth fields; `None` when the session is gone.
    async fn touch(&self, id: &str) -> crate::Result<Option<SessionMeta>>;
    /// Every field of the session; `None` when it is gone.
    async fn get_all(&self, id: &str) -> crate::Result<Option<HashMap<String, String>>>;
    /// Set fields on an existing session (renewing its TTL); false when it is gone.
    async fn set(&self, id: &str, fields: &[(&str, String)]) -> crate::Result<bool>;
    /// Remove fields from an existing session.
    async fn remove_fields(&self, id: &str, names: &[&str]) -> crate::Result<()>;
    /// Delete the session; true when it existed.
    async fn delete(&self, id: &str) -> crate::Result<bool>;
    /// Health of the backing service.
    async fn probe(&self) -> Probe;
}

/// The Redis key of a session.
pub fn key(id: &str) -> String {
    format!("session:{id}")
}

#[cfg(test)]
mod contract_tests;
