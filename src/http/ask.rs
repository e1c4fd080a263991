//! `POST /ask`, `POST /ask/detailed`, and conversation history.
use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json as Reply, Router};
use sqlagent_core::{agent, AppState};
use sqlagent_model::{AskDetailedView, AskRequest, ErrorBody, MessageItem, ThreadView};

use super::{ApiError, Caller, Json, Path};
use crate::ServerState;

pub fn routes() -> Router<ServerState> {
    Router::new()
        .route("/ask", post(ask))
        .route("/ask/detailed", post(detailed))
        .route("/threads", get(threads))
        .route("/threads/{id}/messages", get(messages))
}

/// Ask a question; the answer comes back as a JSON string.
#[utoipa::path(post, path = "/ask", tag = "ask", security(("bearer" = [])), request_body = AskRequest, responses(
    (status = 200, description = "The answer in prose", body = String),
    (status = 400, description = "No database connected for this session", body = ErrorBody),
    (status = 403, description = "Session ID does not belong to the authenticated user", body = ErrorBody),
    (status = 503, description = "No language model configured or reachable", body = ErrorBody)))]
pub async fn ask(
    State(app): State<AppState>,
    Caller(p): Caller,
    Json(req): Json<AskRequest>,
) -> Result<Reply<String>, ApiError> {
    Ok(Reply(agent::ask(&app, &p, &req).await?.answer))
}

/// Ask a question; the answer with the queries, rows, steps and usage behind it.
#[utoipa::path(post, path = "/ask/detailed", tag = "ask", security(("bearer" = [])), request_body = AskRequest, responses(
    (status = 200, body = AskDetailedView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub async fn detailed(
    State(app): State<AppState>,
    Caller(p): Caller,
    Json(req): Json<AskRequest>,
) -> Result<Reply<AskDetailedView>, ApiError> {
    Ok(Reply(agent::ask(&app, &p, &req).await?))
}

/// The caller's conversations.
#[utoipa::path(get, path = "/threads", tag = "ask", security(("bearer" = [])), responses((status = 200, body = Vec<ThreadView>)))]
pub async fn threads(State(app): State<AppState>, Caller(p): Caller) -> Result<Reply<Vec<ThreadView>>, ApiError> {
    Ok(Reply(agent::threads(&app, p.user_id).await?))
}

/// The messages of one of the caller's conversations.
#[utoipa::path(get, path = "/threads/{id}/messages", tag = "ask", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Vec<MessageItem>), (status = 404, body = ErrorBody)))]
pub async fn messages(
    State(app): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> Result<Reply<Vec<MessageItem>>, ApiError> {
    Ok(Reply(agent::messages(&app, p.user_id, &id).await?))
}
