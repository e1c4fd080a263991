//! `/databases/…` for saved connections: add, test, list, read, change, delete,
//! and SQLite uploads.
use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::routing::get;
use sqlagent_core::ids::ConnectionId;
use sqlagent_core::targets::MAX_UPLOAD_BYTES;
use sqlagent_core::{connections, AppState, Error};
use sqlagent_model::{
    ConnectionTestView, DbConnectionAdded, DbConnectionPatch, DbConnectionView, ErrorBody, MessageView, NewDbConnection,
};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiError, ApiResult, Caller, Json, Path};
use crate::ServerState;

pub fn routes() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new()
        .routes(routes!(add))
        .routes(routes!(test))
        .routes(routes!(list))
        // The same list without the trailing slash (not documented twice).
        .route("/databases", get(list))
        .routes(routes!(one, update, remove))
        .routes(uploads())
}

/// The upload route, the one that takes large bodies.
fn uploads() -> utoipa_axum::router::UtoipaMethodRouter<ServerState> {
    let (schemas, paths, method) = routes!(upload);
    (schemas, paths, method.layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES + 64 * 1024)))
}

/// Store a connection (the password is encrypted; never returned).
#[utoipa::path(post, path = "/databases/add_db_connection", tag = "databases", security(("bearer" = [])),
    request_body = NewDbConnection, responses(
        (status = 200, body = DbConnectionAdded), (status = 403, description = "owner_id is not the caller", body = ErrorBody),
        (status = 422, description = "Invalid fields", body = ErrorBody)))]
pub async fn add(
    State(app): State<AppState>,
    Caller(p): Caller,
    Json(new): Json<NewDbConnection>,
) -> ApiResult<DbConnectionAdded> {
    Ok(Json(connections::add(&app, &p, new).await?))
}

/// Try a connection without storing it.
#[utoipa::path(post, path = "/databases/test_connection", tag = "databases", security(("bearer" = [])),
    request_body = NewDbConnection, responses((status = 200, body = ConnectionTestView), (status = 400, body = ErrorBody)))]
pub async fn test(
    State(app): State<AppState>,
    Caller(p): Caller,
    Json(new): Json<NewDbConnection>,
) -> ApiResult<ConnectionTestView> {
    Ok(Json(connections::test(&app, &p, new).await?))
}

/// The caller's connections.
#[utoipa::path(get, path = "/databases/", tag = "databases", security(("bearer" = [])),
    responses((status = 200, body = Vec<DbConnectionView>)))]
pub async fn list(State(app): State<AppState>, Caller(p): Caller) -> ApiResult<Vec<DbConnectionView>> {
    Ok(Json(connections::list(&app, &p).await?))
}

/// One of the caller's connections.
#[utoipa::path(get, path = "/databases/{id}", tag = "databases", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = DbConnectionView), (status = 404, body = ErrorBody)))]
pub async fn one(State(app): State<AppState>, Caller(p): Caller, Path(id): Path<i64>) -> ApiResult<DbConnectionView> {
    Ok(Json(connections::get(&app, &p, ConnectionId(id)).await?))
}

/// Change a connection; sessions using it are detached. Changing the host, port,
/// engine, login or TLS mode needs `db_password` again.
#[utoipa::path(put, path = "/databases/{id}", tag = "databases", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = DbConnectionPatch,
    responses((status = 200, body = DbConnectionView), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(app): State<AppState>,
    Caller(p): Caller,
    Path(id): Path<i64>,
    Json(patch): Json<DbConnectionPatch>,
) -> ApiResult<DbConnectionView> {
    Ok(Json(connections::update(&app, &p, ConnectionId(id), patch).await?))
}

/// Delete a connection; sessions using it are detached.
#[utoipa::path(delete, path = "/databases/{id}", tag = "databases", security(("bearer" = [])),
    params(("id" = i64, Path)), responses((status = 200, body = MessageView), (status = 404, body = ErrorBody)))]
pub async fn remove(State(app): State<AppState>, Caller(p): Caller, Path(id): Path<i64>) -> ApiResult<MessageView> {
    Ok(Json(connections::delete(&app, &p, ConnectionId(id)).await?))
}

/// Upload a SQLite file (multipart field `file`; optional field `name`) into the
/// caller's own SQLite folder. Add it afterwards with `db_type` `sqlite`.
#[utoipa::path(post, path = "/databases/upload_sqlite", tag = "databases", security(("bearer" = [])),
    request_body(content_type = "multipart/form-data", description = "`file`: the SQLite database; `name`: optional file name"),
    responses((status = 200, body = MessageView), (status = 422, body = ErrorBody)))]
pub async fn upload(State(app): State<AppState>, Caller(p): Caller, mut form: Multipart) -> ApiResult<MessageView> {
    // Reading the multipart body is HTTP work; what to do with it is the core's.
    let bad = |m: String| ApiError(Error::Invalid(m));
    let (mut name, mut bytes) = (None, None);
    while let Some(field) = form.next_field().await.map_err(|e| bad(format!("multipart: {}", e.body_text())))? {
        match field.name() {
            Some("file") => {
                name = name.or(field.file_name().map(str::to_owned));
                bytes = Some(field.bytes().await.map_err(|e| bad(format!("file: {}", e.body_text())))?.to_vec());
            }
            Some("name") => name = Some(field.text().await.map_err(|_| bad("name: not text".into()))?),
            _ => {}
        }
    }
    Ok(Json(connections::upload_sqlite(&app, &p, name, bytes).await?))
}
