//! `/databases/*`: stored connections, connecting a session, session inspection.
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::routing::{get, post};
use axum::{Json as Reply, Router};
use sqlagent_core::targets::{store_upload, MAX_UPLOAD_BYTES};
use sqlagent_core::{databases, AppState, Error};
use sqlagent_model::{
    ConnectView, ConnectionTestView, DbConnectionAdded, DbConnectionPatch, DbConnectionView, DisconnectView, ErrorBody,
    MessageView, NewDbConnection, QueryResultView, RunSql, Schema, SessionInfoView, SessionStatusView,
};

use super::{ApiError, Caller, Json, Path};
use crate::ServerState;

pub fn routes() -> Router<ServerState> {
    Router::new()
        .route("/databases/add_db_connection", post(add))
        .route("/databases/test_connection", post(test))
        .route("/databases/", get(list))
        .route("/databases", get(list))
        .route("/databases/{id}", get(one).put(update).delete(remove))
        .route("/databases/upload_sqlite", post(upload).layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES + 64 * 1024)))
        .route("/databases/connect_db/{db_id}", post(connect))
        .route("/databases/session-status", get(status))
        .route("/databases/session-info/{session_id}", get(info))
        .route("/databases/disconnect-session", post(disconnect))
        .route("/databases/schema", get(schema))
        .route("/databases/refresh_schema", post(refresh))
        .route("/databases/run_sql", post(run_sql))
}

type Res<T> = Result<Reply<T>, ApiError>;

/// Store a connection (the password is encrypted; never returned).
#[utoipa::path(post, path = "/databases/add_db_connection", tag = "databases", security(("bearer" = [])),
    request_body = NewDbConnection, responses(
        (status = 200, body = DbConnectionAdded), (status = 403, description = "owner_id is not the caller", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody)))]
pub async fn add(
    State(app): State<AppState>,
    Caller(p): Caller,
    Json(new): Json<NewDbConnection>,
) -> Res<DbConnectionAdded> {
    let db_connection = databases::add(&app, &p, new).await?;
    Ok(Reply(DbConnectionAdded { message: "Database added successfully".into(), db_connection }))
}

/// Try a connection without storing it.
#[utoipa::path(post, path = "/databases/test_connection", tag = "databases", security(("bearer" = [])),
    request_body = NewDbConnection, responses((status = 200, body = ConnectionTestView), (status = 400, body = ErrorBody)))]
pub async fn test(
    State(app): State<AppState>,
    Caller(p): Caller,
    Json(new): Json<NewDbConnection>,
) -> Res<ConnectionTestView> {
    Ok(Reply(databases::test(&app, &p, new).await?))
}

/// The caller's connections.
#[utoipa::path(get, path = "/databases/", tag = "databases", security(("bearer" = [])),
    responses((status = 200, body = Vec<DbConnectionView>)))]
pub async fn list(State(app): State<AppState>, Caller(p): Caller) -> Res<Vec<DbConnectionView>> {
    Ok(Reply(databases::list(&app, &p).await?))
}

/// One of the caller's connections.
#[utoipa::path(get, path = "/databases/{id}", tag = "databases", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = DbConnectionView), (status = 404, body = ErrorBody)))]
pub async fn one(State(app): State<AppState>, Caller(p): Caller, Path(id): Path<i64>) -> Res<DbConnectionView> {
    Ok(Reply(databases::get(&app, &p, id).await?))
}

/// Change a connection; sessions using it are detached.
#[utoipa::path(put, path = "/databases/{id}", tag = "databases", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = DbConnectionPatch,
    responses((status = 200, body = DbConnectionView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(app): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<i64>,
    Json(patch): Json<DbConnectionPatch>,
) -> Res<DbConnectionView> {
    Ok(Reply(databases::update(&app, &p, id, patch).await?))
}

/// Delete a connection; sessions using it are detached.
#[utoipa::path(delete, path = "/databases/{id}", tag = "databases", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = MessageView), (status = 404, body = ErrorBody)))]
pub async fn remove(State(app): State<AppState>, Caller(p): Caller, Path(id): Path<i64>) -> Res<MessageView> {
    databases::delete(&app, &p, id).await?;
    Ok(Reply(MessageView { message: "Database connection deleted".into() }))
}

/// Upload a SQLite file (multipart field `file`; optional field `name`) into the
/// caller's own SQLite folder. Add it afterwards with `db_type` `sqlite`.
#[utoipa::path(post, path = "/databases/upload_sqlite", tag = "databases", security(("bearer" = [])),
    request_body(content_type = "multipart/form-data", description = "`file`: the SQLite database; `name`: optional file name"),
    responses((status = 200, body = MessageView), (status = 422, body = ErrorBody)))]
pub async fn upload(State(app): State<AppState>, Caller(p): Caller, mut form: Multipart) -> Res<MessageView> {
    let bad = |m: &str| ApiError(Error::Invalid(m.into()));
    let (mut name, mut bytes) = (None, None);
    while let Some(field) = form.next_field().await.map_err(|e| bad(&format!("multipart: {}", e.body_text())))? {
        match field.name() {
            Some("file") => {
                name = name.or(field.file_name().map(str::to_owned));
                bytes = Some(field.bytes().await.map_err(|e| bad(&format!("file: {}", e.body_text())))?);
            }
            Some("name") => name = Some(field.text().await.map_err(|_| bad("name: not text"))?),
            _ => {}
        }
    }
    let bytes = bytes.ok_or_else(|| bad("file: missing"))?;
    let name = name.ok_or_else(|| bad("name: missing"))?;
    let data_dir = app.settings.data_dir.clone();
    let stored = name.clone();
    tokio::task::spawn_blocking(move || store_upload(&data_dir, p.user_id, &stored, &bytes))
        .await
        .map_err(|e| ApiError(Error::Internal(e.into())))??;
    Ok(Reply(MessageView { message: format!("Uploaded {name}") }))
}

/// Attach one of the caller's databases to the session.
#[utoipa::path(post, path = "/databases/connect_db/{db_id}", tag = "sessions", security(("bearer" = [])),
    params(("db_id" = i64, Path)), responses((status = 200, body = ConnectView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn connect(State(app): State<AppState>, Caller(p): Caller, Path(db_id): Path<i64>) -> Res<ConnectView> {
    Ok(Reply(databases::connect(&app, &p, db_id).await?))
}

/// Whether the session has a database.
#[utoipa::path(get, path = "/databases/session-status", tag = "sessions", security(("bearer" = [])),
    responses((status = 200, body = SessionStatusView)))]
pub async fn status(Caller(p): Caller) -> Reply<SessionStatusView> {
    Reply(databases::session_status(&p))
}

/// One of the caller's sessions, connection string masked.
#[utoipa::path(get, path = "/databases/session-info/{session_id}", tag = "sessions", security(("bearer" = [])),
    params(("session_id" = String, Path)), responses((status = 200, body = SessionInfoView), (status = 404, body = ErrorBody)))]
pub async fn info(State(app): State<AppState>, Caller(p): Caller, Path(sid): Path<String>) -> Res<SessionInfoView> {
    Ok(Reply(databases::session_info(&app, &p, &sid).await?))
}

/// End the session: its key is deleted and its token stops working.
#[utoipa::path(post, path = "/databases/disconnect-session", tag = "sessions", security(("bearer" = [])),
    responses((status = 200, body = DisconnectView)))]
pub async fn disconnect(State(app): State<AppState>, Caller(p): Caller) -> Res<DisconnectView> {
    Ok(Reply(databases::disconnect(&app, &p).await?))
}

/// The structured schema of the session's database.
#[utoipa::path(get, path = "/databases/schema", tag = "sessions", security(("bearer" = [])),
    responses((status = 200, body = Schema), (status = 400, body = ErrorBody)))]
pub async fn schema(State(app): State<AppState>, Caller(p): Caller) -> Res<Schema> {
    Ok(Reply(databases::schema(&app, &p).await?.as_ref().clone()))
}

/// Re-read the schema of the session's database.
#[utoipa::path(post, path = "/databases/refresh_schema", tag = "sessions", security(("bearer" = [])),
    responses((status = 200, body = Schema), (status = 400, body = ErrorBody)))]
pub async fn refresh(State(app): State<AppState>, Caller(p): Caller) -> Res<Schema> {
    Ok(Reply(databases::refresh_schema(&app, &p).await?.as_ref().clone()))
}

/// Run one read-only statement (e.g. SQL edited in the UI) through the guard.
#[utoipa::path(post, path = "/databases/run_sql", tag = "sessions", security(("bearer" = [])),
    request_body = RunSql, responses(
        (status = 200, body = QueryResultView),
        (status = 400, description = "Rejected by the read-only guard, or by the database", body = ErrorBody)))]
pub async fn run_sql(State(app): State<AppState>, Caller(p): Caller, Json(body): Json<RunSql>) -> Res<QueryResultView> {
    Ok(Reply(databases::run_sql(&app, &p, &body.sql, databases::Source::User).await?))
}
