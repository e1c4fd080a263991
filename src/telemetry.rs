//! Logging. `RUST_LOG` filters; `LOG_FORMAT=json` switches to JSON lines.
use tracing_subscriber::{fmt, prelude::*, EnvFilter};

/// Targets that are never logged, whatever `RUST_LOG` says: the SQL parser
/// traces the statements it reads, values included.
const ALWAYS_OFF: &str = "sqlparser=off";

/// The filter for a `RUST_LOG`-style spec (default `info`), with
/// [`ALWAYS_OFF`] applied on top.
pub fn filter(spec: Option<&str>) -> EnvFilter {
    let spec = spec.filter(|s| !s.trim().is_empty()).unwrap_or("info,sqlx=warn,tower_http=info");
    EnvFilter::try_new(format!("{spec},{ALWAYS_OFF}"))
        .unwrap_or_else(|_| EnvFilter::new(format!("info,sqlx=warn,{ALWAYS_OFF}")))
}

/// Where log lines go and what is logged by default.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Output {
    /// The server: stdout, `info` and up.
    Server,
    /// A command whose report is on stdout (`sqlagent eval`): stderr, warnings only.
    Command,
}

/// Install the global subscriber once.
pub fn init(output: Output) {
    let default = match output {
        Output::Server => None,
        Output::Command => Some("warn"),
    };
    let spec = std::env::var("RUST_LOG").ok().or(default.map(str::to_owned));
    let filter = filter(spec.as_deref());
    let json = std::env::var("LOG_FORMAT").is_ok_and(|v| v == "json");
    let registry = tracing_subscriber::registry().with(filter);
    match (json, output) {
        (true, Output::Server) => registry.with(fmt::layer().json()).init(),
        (false, Output::Server) => registry.with(fmt::layer()).init(),
        (true, Output::Command) => registry.with(fmt::layer().json().with_writer(std::io::stderr)).init(),
        (false, Output::Command) => registry.with(fmt::layer().with_writer(std::io::stderr)).init(),
    }
}
