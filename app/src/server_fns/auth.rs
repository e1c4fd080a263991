//! Accounts and login sessions.
use leptos::prelude::*;
use sqlagent_model::UserView;

#[cfg(feature = "ssr")]
use super::context::{principal, set_cookie, state};
use crate::error::UiError;

/// The signed-in user, or `None`.
#[server(endpoint = "current_user")]
pub async fn current_user() -> Result<Option<UserView>, UiError> {
    let state = state()?;
    match principal(&state).await? {
        Some(p) => Ok(Some(sqlagent_core::users::get(&state, p.user_id).await?)),
        None => Ok(None),
    }
}

/// Create an account.
#[server(endpoint = "register")]
pub async fn register(name: String, email: String, password: String) -> Result<UserView, UiError> {
    let state = state()?;
    Ok(sqlagent_core::users::register(&state, sqlagent_model::NewUser { name, email, password }).await?)
}

/// Log in: opens a session and sets the HttpOnly session cookie.
#[server(endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<(), UiError> {
    let state = state()?;
    let token = sqlagent_core::auth::login(&state, &email, &password).await?;
    set_cookie(&state, Some(&token.access_token));
    Ok(())
}

/// Log out: ends the session the way every front door does, and clears the cookie.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), UiError> {
    let state = state()?;
    if let Some(p) = principal(&state).await? {
        sqlagent_core::auth::end_session(&state, &p).await?;
    }
    set_cookie(&state, None);
    Ok(())
}
