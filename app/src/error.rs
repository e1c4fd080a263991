//! The UI's error: the core's error kinds, as the browser can `match` on them.
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Errors the UI can tell apart; one variant per kind of the core's error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum UiError {
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// Input the server refused (validation, a rejected query, a conflict).
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    /// A dependency is down or busy; worth retrying.
    #[error("{0}")]
    Unavailable(String),
    #[error("Something went wrong on the server. Please try again.")]
    Server,
    /// The request did not reach the server or its answer was unreadable.
    #[error("{0}")]
    Transport(String),
}

impl FromServerFnError for UiError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        UiError::Transport(value.to_string())
    }
}

#[cfg(feature = "ssr")]
impl From<sqlagent_core::Error> for UiError {
    /// Map a core error by the core's own status table, and give the
    /// server-function response that status (the browser client decodes any
    /// 4xx/5xx body as `UiError`).
    fn from(e: sqlagent_core::Error) -> Self {
        let status = e.status();
        let detail = e.public_detail();
        // Only a server-function call answers with the error's status; a page
        // whose data failed still renders (200) and shows the error in place.
        let server_fn_call = leptos::prelude::use_context::<http::request::Parts>()
            .is_some_and(|parts| parts.uri.path().starts_with("/api/"));
        let options = leptos::prelude::use_context::<leptos_axum::ResponseOptions>().filter(|_| server_fn_call);
        if let Some(opts) = options {
            if let Ok(code) = http::StatusCode::from_u16(status) {
                opts.set_status(code);
            }
            if let Some(seconds) = e.retry_after() {
                opts.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
            }
        }
        match status {
            401 => UiError::Unauthenticated(detail),
            403 => UiError::Forbidden(detail),
            404 => UiError::NotFound(detail),
            409 => UiError::Conflict(detail),
            429 | 502 | 503 => UiError::Unavailable(detail),
            s if s >= 500 => UiError::Server,
            _ => UiError::Invalid(detail),
        }
    }
}
