//! `POST /ask`, `POST /ask/detailed`, and conversation history.
use std::convert::Infallible;

use axum::extract::State;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::Stream;
use serde_json::json;
use sqlagent_core::agent::{self, Event};
use sqlagent_core::AppState;
use sqlagent_model::{AskDetailedView, AskRequest, ErrorBody, ThreadMessageView, ThreadView};
use tokio::sync::mpsc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiError, ApiResult, Caller, Json, Path};
use crate::ServerState;

pub fn routes() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new()
        .routes(routes!(ask))
        .routes(routes!(detailed))
        .routes(routes!(stream))
        .routes(routes!(threads))
        .routes(routes!(messages))
}

/// Ask a question; the answer comes back as a JSON string.
#[utoipa::path(post, path = "/ask", tag = "ask", security(("bearer" = [])), request_body = AskRequest, responses(
    (status = 200, description = "The answer in prose", body = String),
    (status = 400, description = "No database connected for this session", body = ErrorBody),
    (status = 403, description = "Session ID does not belong to the authenticated user", body = ErrorBody),
    (status = 429, description = "Too many of the caller's questions running at once (Retry-After)", body = ErrorBody),
    (status = 503, description = "No language model configured or reachable", body = ErrorBody)))]
pub async fn ask(State(app): State<AppState>, Caller(p): Caller, Json(req): Json<AskRequest>) -> ApiResult<String> {
    Ok(Json(agent::ask(&app, &p, &req).await?.answer))
}

/// Ask a question; the answer with the queries, rows, steps and usage behind it.
#[utoipa::path(post, path = "/ask/detailed", tag = "ask", security(("bearer" = [])), request_body = AskRequest, responses(
    (status = 200, body = AskDetailedView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
    (status = 429, body = ErrorBody)))]
pub async fn detailed(
    State(app): State<AppState>,
    Caller(p): Caller,
    Json(req): Json<AskRequest>,
) -> ApiResult<AskDetailedView> {
    Ok(Json(agent::ask(&app, &p, &req).await?))
}

/// Ask a question and watch the agent work, as Server-Sent Events.
///
/// Events, each with a JSON `data` line: `step` `{"step"}` when a model round trip
/// begins; `sql` `{"step", "sql"}` before a query runs; `rows` (the query object, as in
/// `/ask/detailed`) after it ran; `token` `{"text"}` as the model writes; `answer`
/// `{"answer"}`; then `done` with the `/ask/detailed` object, or `error` `{"status",
/// "detail"}` if the run failed. A request refused before the run starts (foreign
/// session, no database, no model) gets a plain JSON error instead of a stream.
#[utoipa::path(post, path = "/ask/stream", tag = "ask", security(("bearer" = [])), request_body = AskRequest, responses(
    (status = 200, description = "text/event-stream: step, sql, rows, token, answer, then done or error", content_type = "text/event-stream", body = String),
    (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 429, body = ErrorBody),
    (status = 503, body = ErrorBody)))]
pub async fn stream(
    State(app): State<AppState>,
    Caller(p): Caller,
    Json(req): Json<AskRequest>,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    let prepared = agent::prepare(&app, &p, &req).await?;
    let (tx, rx) = mpsc::unbounded_channel::<SseEvent>();
    tokio::spawn(async move {
        let emit = |e: Event| {
            let _ = tx.send(sse(e));
        };
        let outcome = tokio::select! {
            // The client went away: stop asking the model on its behalf.
            _ = tx.closed() => return,
            outcome = agent::run(&app, &p, prepared, Some(&emit)) => outcome,
        };
        let last = match outcome {
            Ok(view) => SseEvent::default().event("done").json_data(&view),
            Err(e) => {
                SseEvent::default().event("error").json_data(json!({"status": e.status(), "detail": e.public_detail()}))
            }
        };
        let _ = tx.send(last.unwrap_or_else(|_| SseEvent::default().event("error")));
    });
    let events = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|e| (Ok(e), rx)) });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

/// One agent event on the wire.
fn sse(e: Event) -> SseEvent {
    let (name, data) = match e {
        Event::Step(step) => ("step", json!({"step": step})),
        Event::Sql { step, sql } => ("sql", json!({"step": step, "sql": sql})),
        Event::Rows(query) => ("rows", serde_json::to_value(query).unwrap_or_default()),
        Event::Token(text) => ("token", json!({"text": text})),
        Event::Answer(answer) => ("answer", json!({"answer": answer})),
    };
    SseEvent::default().event(name).data(data.to_string())
}

/// The caller's conversations.
#[utoipa::path(get, path = "/threads", tag = "ask", security(("bearer" = [])), responses((status = 200, body = Vec<ThreadView>)))]
pub async fn threads(State(app): State<AppState>, Caller(p): Caller) -> ApiResult<Vec<ThreadView>> {
    Ok(Json(agent::threads(&app, p.user_id).await?))
}

/// The messages of one of the caller's conversations.
#[utoipa::path(get, path = "/threads/{id}/messages", tag = "ask", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 200, body = Vec<ThreadMessageView>), (status = 404, body = ErrorBody)))]
pub async fn messages(
    State(app): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<String>,
) -> ApiResult<Vec<ThreadMessageView>> {
    Ok(Json(agent::messages(&app, p.user_id, &id).await?))
}
