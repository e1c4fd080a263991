//! Server functions: thin adapters over the core, plus the UI's error type.
use leptos::prelude::*;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};
use sqlagent_model::UserView;

/// Errors the UI can tell apart; mirrors the core's error kinds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum UiError {
    #[error("{0}")]
    Unauthenticated(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unavailable(String),
    #[error("Something went wrong on the server. Please try again.")]
    Server,
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
    /// Map a core error, and give the server-function response the matching
    /// HTTP status (the browser client decodes any 4xx/5xx body as `UiError`).
    fn from(e: sqlagent_core::Error) -> Self {
        use http::StatusCode as S;
        use sqlagent_core::Error as E;
        let (status, ui) = match e {
            E::Unauthenticated(m) => (S::UNAUTHORIZED, UiError::Unauthenticated(m)),
            E::BadCredentials => (S::UNAUTHORIZED, UiError::Unauthenticated(e.to_string())),
            E::Invalid(m) => (S::UNPROCESSABLE_ENTITY, UiError::Invalid(m)),
            E::BadRequest(m) => (S::BAD_REQUEST, UiError::Invalid(m)),
            e @ E::UnsafeSql(_) => (S::BAD_REQUEST, UiError::Invalid(e.to_string())),
            E::NotFound(m) => (S::NOT_FOUND, UiError::Invalid(m)),
            E::Forbidden(m) => (S::FORBIDDEN, UiError::Invalid(m)),
            E::Conflict(m) => (S::CONFLICT, UiError::Conflict(m)),
            E::Unavailable(m) => (S::SERVICE_UNAVAILABLE, UiError::Unavailable(m)),
            E::Upstream(m) => (S::BAD_GATEWAY, UiError::Unavailable(m)),
            e @ (E::Store(_) | E::Internal(_)) => {
                tracing::error!(error = %e, "server function failed");
                (S::INTERNAL_SERVER_ERROR, UiError::Server)
            }
        };
        if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
            opts.set_status(status);
        }
        ui
    }
}

#[cfg(feature = "ssr")]
mod server {
    use leptos::prelude::*;
    use sqlagent_core::auth::{self, Principal};
    use sqlagent_core::AppState;

    use super::UiError;

    pub fn state() -> Result<AppState, UiError> {
        use_context::<AppState>().ok_or(UiError::Server)
    }

    /// The caller behind this request's session cookie, if any.
    pub async fn principal(state: &AppState) -> Result<Option<Principal>, UiError> {
        let parts = use_context::<axum_parts::Parts>().ok_or(UiError::Server)?;
        let cookie = parts.headers.get(axum_parts::COOKIE).and_then(|v| v.to_str().ok());
        let Some(token) = auth::token_from_headers(None, cookie) else {
            return Ok(None);
        };
        match auth::authenticate(state, token).await {
            Ok(p) => Ok(Some(p)),
            Err(sqlagent_core::Error::Unauthenticated(_)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Set (or, with `None`, clear) the session cookie on the response.
    pub fn set_cookie(state: &AppState, token: Option<&str>) {
        if let Some(opts) = use_context::<leptos_axum::ResponseOptions>() {
            let value = auth::session_cookie(&state.settings, token);
            if let Ok(v) = axum_parts::HeaderValue::from_str(&value) {
                opts.append_header(axum_parts::SET_COOKIE, v);
            }
        }
    }

    /// The `http` types leptos_axum puts in context.
    mod axum_parts {
        pub use http::header::{COOKIE, SET_COOKIE};
        pub use http::request::Parts;
        pub use http::HeaderValue;
    }
}

/// The signed-in user, or `None`.
#[server]
pub async fn current_user() -> Result<Option<UserView>, UiError> {
    let state = server::state()?;
    match server::principal(&state).await? {
        Some(p) => Ok(Some(sqlagent_core::users::get(&state, p.user_id).await?)),
        None => Ok(None),
    }
}

/// Create an account.
#[server]
pub async fn register(name: String, email: String, password: String) -> Result<UserView, UiError> {
    let state = server::state()?;
    let new = sqlagent_model::NewUser { name, email, password };
    Ok(sqlagent_core::users::register(&state, new).await?)
}

/// Log in: opens a session and sets the HttpOnly session cookie.
#[server]
pub async fn login(email: String, password: String) -> Result<(), UiError> {
    let state = server::state()?;
    let token = sqlagent_core::auth::login(&state, &email, &password).await?;
    server::set_cookie(&state, Some(&token.access_token));
    Ok(())
}

/// Log out: ends the session and clears the cookie.
#[server]
pub async fn logout() -> Result<(), UiError> {
    let state = server::state()?;
    if let Some(p) = server::principal(&state).await? {
        sqlagent_core::auth::logout(&state, &p).await?;
    }
    server::set_cookie(&state, None);
    Ok(())
}
