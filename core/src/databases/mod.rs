//! Users' database connections: stored encrypted, attached to login sessions,
//! served through the connector cache.
mod connections;
mod run;
mod sessions;

pub use connections::{add, delete, get, list, test, update};
pub use run::{run_sql, Source};
pub use sessions::{connect, connector, disconnect, refresh_schema, schema, session_info, session_status, NO_DATABASE};
