//! Conversations, the connected database's schema, and edited SQL. Questions
//! themselves stream from `POST /ask/stream`, read by the browser directly.
use leptos::prelude::*;
use sqlagent_model::{QueryResultView, Schema, ThreadMessageView, ThreadView};

#[cfg(feature = "ssr")]
use super::context::{caller, state};
use crate::error::UiError;

#[server(endpoint = "threads")]
pub async fn list_threads() -> Result<Vec<ThreadView>, UiError> {
    let state = state()?;
    Ok(sqlagent_core::agent::threads(&state, caller(&state).await?.user_id).await?)
}

/// The messages of a conversation; one not started yet has none.
#[server(endpoint = "thread_messages")]
pub async fn thread_messages(thread_id: String) -> Result<Vec<ThreadMessageView>, UiError> {
    let state = state()?;
    match sqlagent_core::agent::messages(&state, caller(&state).await?.user_id, &thread_id).await {
        Err(sqlagent_core::Error::NotFound(_)) => Ok(Vec::new()),
        other => Ok(other?),
    }
}

/// Run SQL edited by the user through the read-only guard.
#[server(endpoint = "run_sql")]
pub async fn run_sql(sql: String) -> Result<QueryResultView, UiError> {
    let state = state()?;
    let p = caller(&state).await?;
    Ok(sqlagent_core::queries::run_sql(&state, &p, &sql, sqlagent_core::queries::Source::User).await?)
}

#[server(endpoint = "schema")]
pub async fn database_schema() -> Result<Schema, UiError> {
    let state = state()?;
    Ok(sqlagent_core::attachments::schema(&state, &caller(&state).await?).await?.as_ref().clone())
}
