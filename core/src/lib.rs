//! SQLAgent's domain core: every decision lives here, behind no web framework.
//!
//! The REST adapters (`src/http`) and the Leptos server functions (`app/`) are thin
//! front doors that authenticate, call one function here, and map [`Error`]
//! through its one status table ([`Error::status`]).
//!
//! # Vocabulary
//!
//! | word | module | means |
//! |---|---|---|
//! | user | [`users`] | an account: name, email, password hash |
//! | login session | [`sessions`], [`auth`] | a signed-in client (`session:{id}` in Redis or memory, sliding TTL); its id is also the default conversation thread |
//! | connection | [`connections`] | a user's saved record of where a database is: engine, host, port, database, login, sealed password |
//! | target | [`targets`] | the validated place a connection points at, and the policy on whether we may go there (SSRF rules, the SQLite sandbox) |
//! | pool | [`pools`] | a live pool of database connections to a target, cached per login session on each instance |
//! | attachment | [`attachments`] | a login session's link to one connection (the session's `db_*` fields and the `db_sessions` table) |
//! | query | [`queries`] | one statement run on the attached connection: guard, read-only execution, query log |
//! | guard | [`sqlguard`] | the read-only SQL check and execution layers |
//! | thread | [`agent`] | a conversation: a user's questions and the agent's answers |
//! | catalog | [`linker`] | what is known about a connection's database: schema, name words, sampled values |
//!
//! Ids are typed ([`ids::UserId`], [`ids::ConnectionId`]) where mixing them up would
//! be easy.

pub mod agent;
pub mod attachments;
pub mod auth;
pub mod config;
pub mod connections;
pub mod demo;
mod error;
pub mod eval;
pub mod health;
pub mod ids;
pub mod linker;
pub mod llm;
pub mod offline;
pub mod passwords;
pub mod pools;
pub mod queries;
pub mod schema;
pub mod secrets;
pub mod sessions;
pub mod slots;
pub mod sqlguard;
mod state;
pub mod store;
pub mod targets;
pub mod time;
pub mod users;

pub use error::{texts, Error, Result};
pub use state::AppState;

/// The product version reported by `/health`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
