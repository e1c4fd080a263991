//! The caller's saved databases: list, add, change, delete, test, connect.
use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use sqlagent_model::{
    ConnectedView, ConnectionTestView, DbConnectionAdded, DbConnectionPatch, DbConnectionView, MessageView,
    NewDbConnection,
};

#[cfg(feature = "ssr")]
use super::context::{caller, state};
use crate::error::UiError;
#[cfg(feature = "ssr")]
use sqlagent_core::{attachments, connections, ids::ConnectionId};

#[server(endpoint = "databases")]
pub async fn list_databases() -> Result<Vec<DbConnectionView>, UiError> {
    let state = state()?;
    Ok(connections::list(&state, &caller(&state).await?).await?)
}

#[server(endpoint = "add_database", input = Json)]
pub async fn add_database(new: NewDbConnection) -> Result<DbConnectionAdded, UiError> {
    let state = state()?;
    Ok(connections::add(&state, &caller(&state).await?, new).await?)
}

#[server(endpoint = "add_sample_database")]
pub async fn add_sample_database() -> Result<DbConnectionAdded, UiError> {
    let state = state()?;
    Ok(connections::add_sample(&state, &caller(&state).await?).await?)
}

#[server(endpoint = "update_database", input = Json)]
pub async fn update_database(id: i64, patch: DbConnectionPatch) -> Result<DbConnectionView, UiError> {
    let state = state()?;
    Ok(connections::update(&state, &caller(&state).await?, ConnectionId(id), patch).await?)
}

#[server(endpoint = "delete_database")]
pub async fn delete_database(id: i64) -> Result<MessageView, UiError> {
    let state = state()?;
    Ok(connections::delete(&state, &caller(&state).await?, ConnectionId(id)).await?)
}

#[server(endpoint = "test_database", input = Json)]
pub async fn test_database(new: NewDbConnection) -> Result<ConnectionTestView, UiError> {
    let state = state()?;
    Ok(connections::test(&state, &caller(&state).await?, new).await?)
}

#[server(endpoint = "test_saved_database")]
pub async fn test_saved_database(id: i64) -> Result<ConnectionTestView, UiError> {
    let state = state()?;
    Ok(connections::test_saved(&state, &caller(&state).await?, ConnectionId(id)).await?)
}

#[server(endpoint = "connect_database")]
pub async fn connect_database(id: i64) -> Result<ConnectedView, UiError> {
    let state = state()?;
    Ok(attachments::connect_and_count(&state, &caller(&state).await?, ConnectionId(id)).await?)
}
