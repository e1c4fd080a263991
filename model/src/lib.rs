//! Wire types shared by the REST API, the server functions and the browser UI.
//!
//! This crate compiles to WebAssembly: serde types only, no secrets, no I/O.

mod databases;
mod health;
mod schema;
mod users;

pub use databases::{
    ConnectView, ConnectionTestView, DbConnectionAdded, DbConnectionPatch, DbConnectionView, DisconnectView,
    MessageView, NewDbConnection, QueryResultView, RunSql, SessionInfoView, SessionStatusView,
};
pub use health::{HealthView, SessionHealthView};
pub use schema::{Column, ForeignKey, Schema, Table};
pub use users::{LoginForm, NewUser, TokenView, UserView};

use serde::{Deserialize, Serialize};

/// The error body of every failed request: `{"detail": "..."}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub detail: String,
}

mod ask;
pub use ask::{AskDetailedView, AskRequest, ThreadMessageView, ThreadView, UsageView};
