//! Wire types shared by the REST API, the server functions and the browser UI.
//!
//! This crate compiles to WebAssembly: serde types only, no secrets, no I/O.

mod databases;
mod health;
mod schema;
mod users;

pub use databases::{
    ConnectView, ConnectedView, ConnectionTestView, DbConnectionAdded, DbConnectionPatch, DbConnectionView,
    DisconnectView, MessageView, NewDbConnection, QueryResultView, RunSql, SessionInfoView, SessionOverview,
    SessionStatusView,
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

/// `1234567` → `1,234,567`: counts as people read them, in the UI and in
/// messages alike.
pub fn group_digits(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn group_digits_puts_a_comma_every_three_digits() {
        for (n, s) in [
            (0, "0"),
            (999, "999"),
            (1_000, "1,000"),
            (1_234_567, "1,234,567"),
            (u64::MAX, "18,446,744,073,709,551,615"),
        ] {
            assert_eq!(super::group_digits(n), s);
        }
    }
}
