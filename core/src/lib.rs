//! SQLAgent's domain core: every decision lives here, behind no web framework.
//!
//! The REST adapters (`src/http`) and the Leptos server functions (`app/`) are thin
//! front doors that authenticate, call into this crate, and map [`Error`].
#![forbid(unsafe_code)]

pub mod agent;
pub mod auth;
pub mod config;
pub mod connectors;
pub mod databases;
pub mod demo;
mod error;
pub mod health;
pub mod llm;
pub mod schema;
pub mod secrets;
pub mod sessions;
pub mod sqlguard;
mod state;
pub mod store;
pub mod targets;
pub mod time;
pub mod users;

pub use error::{Error, Result};
pub use state::AppState;

/// The product version reported by `/health`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
