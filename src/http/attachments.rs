//! `/databases/…` for the login session: attach a connection, inspect the
//! session, read the schema, run SQL, end the session.
use axum::extract::State;
use sqlagent_core::ids::ConnectionId;
use sqlagent_core::queries::{self, Source};
use sqlagent_core::{attachments, AppState};
use sqlagent_model::{
    ConnectView, DisconnectView, ErrorBody, QueryResultView, RunSql, Schema, SessionInfoView, SessionStatusView,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, Caller, Json, Path};
use crate::ServerState;

pub fn routes() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new()
        .routes(routes!(connect))
        .routes(routes!(status))
        .routes(routes!(info))
        .routes(routes!(disconnect))
        .routes(routes!(schema))
        .routes(routes!(refresh))
        .routes(routes!(run_sql))
}

/// Attach one of the caller's databases to the session.
#[utoipa::path(post, path = "/databases/connect_db/{db_id}", tag = "sessions", security(("bearer" = [])),
    params(("db_id" = i64, Path)), responses((status = 200, body = ConnectView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn connect(State(app): State<AppState>, Caller(p): Caller, Path(db_id): Path<i64>) -> ApiResult<ConnectView> {
    Ok(Json(attachments::connect(&app, &p, ConnectionId(db_id)).await?))
}

/// Whether the session has a database.
#[utoipa::path(get, path = "/databases/session-status", tag = "sessions", security(("bearer" = [])),
    responses((status = 200, body = SessionStatusView)))]
pub async fn status(Caller(p): Caller) -> Json<SessionStatusView> {
    Json(attachments::session_status(&p))
}

/// One of the caller's sessions, connection string masked.
#[utoipa::path(get, path = "/databases/session-info/{session_id}", tag = "sessions", security(("bearer" = [])),
    params(("session_id" = String, Path)), responses((status = 200, body = SessionInfoView), (status = 404, body = ErrorBody)))]
pub async fn info(
    State(app): State<AppState>,
    Caller(p): Caller,
    Path(sid): Path<String>,
) -> ApiResult<SessionInfoView> {
    Ok(Json(attachments::session_info(&app, &p, &sid).await?))
}

/// End the session: its key is deleted and its token stops working.
#[utoipa::path(post, path = "/databases/disconnect-session", tag = "sessions", security(("bearer" = [])),
    responses((status = 200, body = DisconnectView)))]
pub async fn disconnect(State(app): State<AppState>, Caller(p): Caller) -> ApiResult<DisconnectView> {
    Ok(Json(attachments::disconnect(&app, &p).await?))
}

/// The structured schema of the session's database.
#[utoipa::path(get, path = "/databases/schema", tag = "sessions", security(("bearer" = [])),
    responses((status = 200, body = Schema), (status = 400, body = ErrorBody)))]
pub async fn schema(State(app): State<AppState>, Caller(p): Caller) -> ApiResult<Schema> {
    Ok(Json(attachments::schema(&app, &p).await?.as_ref().clone()))
}

/// Re-read the schema of the session's database.
#[utoipa::path(post, path = "/databases/refresh_schema", tag = "sessions", security(("bearer" = [])),
    responses((status = 200, body = Schema), (status = 400, body = ErrorBody)))]
pub async fn refresh(State(app): State<AppState>, Caller(p): Caller) -> ApiResult<Schema> {
    Ok(Json(attachments::refresh_schema(&app, &p).await?.as_ref().clone()))
}

/// Run one read-only statement (e.g. SQL edited in the UI) through the guard.
#[utoipa::path(post, path = "/databases/run_sql", tag = "sessions", security(("bearer" = [])),
    request_body = RunSql, responses(
        (status = 200, body = QueryResultView),
        (status = 400, description = "Rejected by the read-only guard, or by the database", body = ErrorBody)))]
pub async fn run_sql(
    State(app): State<AppState>,
    Caller(p): Caller,
    Json(body): Json<RunSql>,
) -> ApiResult<QueryResultView> {
    Ok(Json(queries::run_sql(&app, &p, &body.sql, Source::User).await?))
}
