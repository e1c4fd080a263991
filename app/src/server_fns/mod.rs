//! Server functions: each a one-line adapter over a core function, with the
//! caller taken from the request's session cookie.
mod auth;
mod chat;
mod databases;
mod session;

pub use auth::*;
pub use chat::*;
pub use databases::*;
pub use session::*;

#[cfg(feature = "ssr")]
pub(crate) mod context {
    use leptos::prelude::*;
    use sqlagent_core::auth::{self, Principal};
    use sqlagent_core::AppState;

    use crate::error::UiError;

    pub fn state() -> Result<AppState, UiError> {
        use_context::<AppState>().ok_or(UiError::Server)
    }

    /// The caller behind this request's session cookie, if any.
    pub async fn principal(state: &AppState) -> Result<Option<Principal>, UiError> {
        let parts = use_context::<http::request::Parts>().ok_or(UiError::Server)?;
        let cookie = parts.headers.get(http::header::COOKIE).and_then(|v| v.to_str().ok());
        let Some(token) = auth::token_from_headers(None, cookie) else {
            return Ok(None);
        };
        match auth::authenticate(state, token).await {
            Ok(p) => Ok(Some(p)),
            Err(sqlagent_core::Error::Unauthenticated(_)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The caller, who must be signed in.
    pub async fn caller(state: &AppState) -> Result<Principal, UiError> {
        principal(state).await?.ok_or_else(|| UiError::Unauthenticated("Please log in again.".into()))
    }

    /// Set (or, with `None`, clear) the session cookie on the response.
    pub fn set_cookie(state: &AppState, token: Option<&str>) {
        if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
            let value = auth::session_cookie(&state.settings, token);
            if let Ok(v) = http::HeaderValue::from_str(&value) {
                opts.append_header(http::header::SET_COOKIE, v);
            }
        }
    }
}
