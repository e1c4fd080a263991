//! `GET /health`, `GET /health/session`.
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use sqlagent_core::{health, time, AppState};
use sqlagent_model::{ErrorBody, HealthView, SessionHealthView};

use super::Caller;
use crate::ServerState;

pub fn routes() -> Router<ServerState> {
    Router::new().route("/health", get(service)).route("/health/session", get(session))
}

/// Service health; `degraded` when Redis is configured but unreachable.
#[utoipa::path(get, path = "/health", tag = "health", responses(
    (status = 200, description = "Health report", body = HealthView),
))]
pub async fn service(State(app): State<AppState>) -> Json<HealthView> {
    Json(health::check(&app).await)
}

/// Health as seen by the caller's session.
#[utoipa::path(get, path = "/health/session", tag = "health", security(("bearer" = [])), responses(
    (status = 200, description = "Session health", body = SessionHealthView),
    (status = 401, description = "Not authenticated", body = ErrorBody),
))]
pub async fn session(Caller(p): Caller) -> Json<SessionHealthView> {
    Json(SessionHealthView {
        status: "healthy".into(),
        message: "Service is up and running".into(),
        user_id: p.user_id,
        thread_id: p.session_id.clone(),
        session_id: p.session_id,
        database_connected: p.database_connected,
        timestamp: time::rfc3339_millis_now(),
    })
}
