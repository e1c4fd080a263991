//! `GET /health`, `GET /health/session`.
use axum::extract::State;
use sqlagent_core::{attachments, health, AppState};
use sqlagent_model::{ErrorBody, HealthView, SessionHealthView};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{Caller, Json};
use crate::ServerState;

pub fn routes() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new().routes(routes!(service)).routes(routes!(session))
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
    Json(attachments::session_health(&p))
}
