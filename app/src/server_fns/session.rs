//! The session: what it holds, and detaching its database.
use leptos::prelude::*;
use sqlagent_model::{MessageView, SessionOverview};

#[cfg(feature = "ssr")]
use super::context::{caller, principal, state};
use crate::error::UiError;

/// The signed-in caller's session, or `None` when signed out.
#[server(endpoint = "session")]
pub async fn session_details() -> Result<Option<SessionOverview>, UiError> {
    let state = state()?;
    match principal(&state).await? {
        Some(p) => Ok(Some(sqlagent_core::attachments::overview(&state, &p).await?)),
        None => Ok(None),
    }
}

/// Detach the session's database; the login stays.
#[server(endpoint = "detach_database")]
pub async fn detach_database() -> Result<MessageView, UiError> {
    let state = state()?;
    Ok(sqlagent_core::attachments::detach(&state, &caller(&state).await?).await?)
}
