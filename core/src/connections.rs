//! Connections: a user's saved records of where a database is, with the
//! password sealed. Another user's connection is always "not found".
use sqlagent_model::{
    ConnectionTestView, DbConnectionAdded, DbConnectionPatch, DbConnectionView, MessageView, NewDbConnection,
};

use crate::auth::Principal;
use crate::config::Environment;
use crate::ids::{ConnectionId, UserId};
use crate::pools::{self, Pool};
use crate::sqlguard::MYSQL_SYSTEM_SCHEMAS;
use crate::targets::{sqlite_path, store_upload, DbKind, SslMode, TargetSpec};
use crate::{attachments, time, AppState, Error};

#[derive(sqlx::FromRow)]
struct ConnectionRow {
    pub id: i64,
    pub owner_id: i64,
    pub db_type: String,
    pub host: String,
    pub port: i64,
    pub database_name: String,
    pub username: String,
    pub password_enc: String,
    pub ssl_mode: String,
    pub allow_privileged: i64,
    pub created_at: i64,
}

impl From<&ConnectionRow> for DbConnectionView {
    fn from(r: &ConnectionRow) -> Self {
        DbConnectionView {
            id: r.id,
            db_type: r.db_type.clone(),
            host: r.host.clone(),
            port: r.port as u16,
            database_name: r.database_name.clone(),
            username: r.username.clone(),
            owner_id: r.owner_id,
            ssl_mode: r.ssl_mode.clone(),
            allow_privileged_login: r.allow_privileged != 0,
            created_at: time::naive_iso(r.created_at),
        }
    }
}

const COLUMNS: &str =
    "id, owner_id, db_type, host, port, database_name, username, password_enc, ssl_mode, allow_privileged, created_at";

fn not_found() -> Error {
    Error::NotFound("Database connection not found".into())
}

fn spec_of(new: &NewDbConnection) -> crate::Result<TargetSpec> {
    TargetSpec::new(
        &new.db_type,
        &new.host,
        new.port,
        &new.database_name,
        &new.username,
        &new.db_password,
        new.ssl_mode.as_deref(),
    )
}

/// The target is acceptable without connecting: the host passes the outbound
/// policy, or the SQLite file exists in the caller's reach.
async fn vet(state: &AppState, spec: &TargetSpec, owner: UserId) -> crate::Result<()> {
    match spec.kind {
        DbKind::Sqlite => sqlite_path(&state.settings.data_dir, owner.0, &spec.database_name).map(drop),
        _ => state.settings.net_policy.resolve(&spec.host, spec.port).await.map(drop),
    }
}

fn check_owner(p: &Principal, owner_id: Option<i64>) -> crate::Result<()> {
    if owner_id.is_some_and(|o| o != p.user_id.0) {
        return Err(Error::Forbidden("owner_id must be the authenticated user".into()));
    }
    Ok(())
}

/// Store a new connection for the caller.
#[tracing::instrument(skip_all, fields(user.id = %p.user_id))]
pub async fn add(state: &AppState, p: &Principal, new: NewDbConnection) -> crate::Result<DbConnectionAdded> {
    check_owner(p, new.owner_id)?;
    let spec = spec_of(&new)?;
    vet(state, &spec, p.user_id).await?;
    let now = time::unix_now();
    // Insert, then seal with the new id as associated data, in one transaction.
    let mut tx = state.store.pool().begin().await?;
    let sql = format!(
        "INSERT INTO db_connections (owner_id, db_type, host, port, database_name, username, password_enc, ssl_mode, allow_privileged, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, '', $7, $8, $9, $9) RETURNING {COLUMNS}"
    );
    let mut row: ConnectionRow = sqlx::query_as(&sql)
        .bind(p.user_id.0)
        .bind(&spec.db_type)
        .bind(&spec.host)
        .bind(spec.port as i64)
        .bind(&spec.database_name)
        .bind(&spec.username)
        .bind(spec.ssl_mode.as_str())
        .bind(i64::from(new.allow_privileged_login))
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
    row.password_enc = state.vault.seal(&spec.password, p.user_id.0, row.id)?;
    sqlx::query("UPDATE db_connections SET password_enc = $1 WHERE id = $2")
        .bind(&row.password_enc)
        .bind(row.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    tracing::info!(db.id = row.id, "database connection added");
    Ok(DbConnectionAdded { message: "Database added successfully".into(), db_connection: (&row).into() })
}

/// The generated demo shop as one of the caller's databases (the one already
/// there, if the caller has it).
pub async fn add_sample(state: &AppState, p: &Principal) -> crate::Result<DbConnectionAdded> {
    let existing =
        list(state, p).await?.into_iter().find(|c| c.db_type == "sqlite" && c.database_name == crate::demo::DEMO_FILE);
    if let Some(db_connection) = existing {
        return Ok(DbConnectionAdded { message: "The sample database is already there".into(), db_connection });
    }
    let sample = NewDbConnection {
        db_type: "sqlite".into(),
        host: String::new(),
        port: None,
        database_name: crate::demo::DEMO_FILE.into(),
        username: String::new(),
        db_password: String::new(),
        owner_id: None,
        ssl_mode: None,
        allow_privileged_login: false,
    };
    add(state, p, sample).await
}

/// The caller's connections, oldest first.
pub async fn list(state: &AppState, p: &Principal) -> crate::Result<Vec<DbConnectionView>> {
    let sql = format!("SELECT {COLUMNS} FROM db_connections WHERE owner_id = $1 ORDER BY id");
    let rows: Vec<ConnectionRow> = sqlx::query_as(&sql).bind(p.user_id.0).fetch_all(state.store.pool()).await?;
    Ok(rows.iter().map(Into::into).collect())
}

/// One of the caller's connections.
pub async fn get(state: &AppState, p: &Principal, id: ConnectionId) -> crate::Result<DbConnectionView> {
    Ok((&row(state, p.user_id, id).await?).into())
}

async fn row(state: &AppState, owner: UserId, id: ConnectionId) -> crate::Result<ConnectionRow> {
    let sql = format!("SELECT {COLUMNS} FROM db_connections WHERE id = $1 AND owner_id = $2");
    sqlx::query_as(&sql).bind(id.0).bind(owner.0).fetch_optional(state.store.pool()).await?.ok_or_else(not_found)
}

/// A saved connection, ready to open: its spec with the password decrypted.
pub(crate) struct Saved {
    pub spec: TargetSpec,
    pub allow_privileged: bool,
}

/// One of `owner`'s connections, decrypted.
pub(crate) async fn saved(state: &AppState, owner: UserId, id: ConnectionId) -> crate::Result<Saved> {
    let row = row(state, owner, id).await?;
    Ok(Saved { spec: spec_of_row(state, &row)?, allow_privileged: row.allow_privileged != 0 })
}

/// Open a pool to a saved connection, under the server's rules for where it may
/// point and which logins it may use; returns the warnings about the login.
pub(crate) async fn open(state: &AppState, owner: UserId, saved: &Saved) -> crate::Result<(Pool, Vec<String>)> {
    let spec = &saved.spec;
    if spec.kind == DbKind::MySql && MYSQL_SYSTEM_SCHEMAS.contains(&spec.database_name.to_ascii_lowercase().as_str()) {
        return Err(Error::BadRequest(format!(
            "{} is a MySQL system schema; connect to a database that holds your data",
            spec.database_name
        )));
    }
    let pool = pools::open(spec, &state.settings.net_policy, &state.settings.data_dir, owner.0).await?;
    match login_warnings(state, &pool, saved.allow_privileged).await {
        Ok(warnings) => Ok((pool, warnings)),
        Err(e) => {
            pool.close().await;
            Err(e)
        }
    }
}

/// The full spec of a stored connection, password decrypted.
fn spec_of_row(state: &AppState, row: &ConnectionRow) -> crate::Result<TargetSpec> {
    let password = state.vault.open(&row.password_enc, row.owner_id, row.id)?;
    TargetSpec::new(
        &row.db_type,
        &row.host,
        Some(row.port as u16),
        &row.database_name,
        &row.username,
        &password,
        Some(&row.ssl_mode),
    )
}

/// Change some fields; sessions using the connection are detached so no pool
/// keeps the old credentials.
#[tracing::instrument(skip_all, fields(user.id = %p.user_id, db.id = %id))]
pub async fn update(
    state: &AppState,
    p: &Principal,
    id: ConnectionId,
    patch: DbConnectionPatch,
) -> crate::Result<DbConnectionView> {
    let current = row(state, p.user_id, id).await?;
    let old = spec_of_row(state, &current)?;
    // The stored password was given for one place; it does not follow the
    // connection to another server, login or weaker TLS.
    let moves = [
        patch
            .db_type
            .as_ref()
            .is_some_and(|t| DbKind::parse(t).ok() != Some(old.kind) || !t.eq_ignore_ascii_case(&old.db_type)),
        patch.host.as_ref().is_some_and(|h| h.trim().trim_start_matches('[').trim_end_matches(']') != old.host),
        patch.port.is_some_and(|port| port != old.port),
        patch.username.as_ref().is_some_and(|u| u.trim() != old.username),
        patch.ssl_mode.as_ref().is_some_and(|m| SslMode::parse(Some(m)).ok() != Some(old.ssl_mode)),
    ];
    if moves.iter().any(|m| *m) && patch.db_password.is_none() && old.kind != DbKind::Sqlite {
        return Err(Error::Invalid(
            "db_password: required when changing db_type, host, port, username or ssl_mode".into(),
        ));
    }
    let allow_privileged = patch.allow_privileged_login.unwrap_or(current.allow_privileged != 0);
    let merged = NewDbConnection {
        db_type: patch.db_type.unwrap_or(old.db_type),
        host: patch.host.unwrap_or(old.host),
        port: patch.port.or(Some(old.port)).filter(|p| *p != 0),
        database_name: patch.database_name.unwrap_or(old.database_name),
        username: patch.username.unwrap_or(old.username),
        db_password: patch.db_password.unwrap_or(old.password),
        owner_id: None,
        ssl_mode: patch.ssl_mode.or(Some(old.ssl_mode.as_str().into())),
        allow_privileged_login: allow_privileged,
    };
    let spec = spec_of(&merged)?;
    vet(state, &spec, p.user_id).await?;
    let sealed = state.vault.seal(&spec.password, p.user_id.0, id.0)?;
    sqlx::query(
        "UPDATE db_connections SET db_type = $1, host = $2, port = $3, database_name = $4, username = $5, \
         password_enc = $6, ssl_mode = $7, allow_privileged = $8, updated_at = $9 WHERE id = $10 AND owner_id = $11",
    )
    .bind(&spec.db_type)
    .bind(&spec.host)
    .bind(spec.port as i64)
    .bind(&spec.database_name)
    .bind(&spec.username)
    .bind(sealed)
    .bind(spec.ssl_mode.as_str())
    .bind(i64::from(allow_privileged))
    .bind(time::unix_now())
    .bind(id.0)
    .bind(p.user_id.0)
    .execute(state.store.pool())
    .await?;
    attachments::detach_all(state, id).await?;
    get(state, p, id).await
}

/// Delete a connection and detach it from every session using it.
#[tracing::instrument(skip_all, fields(user.id = %p.user_id, db.id = %id))]
pub async fn delete(state: &AppState, p: &Principal, id: ConnectionId) -> crate::Result<MessageView> {
    row(state, p.user_id, id).await?;
    attachments::detach_all(state, id).await?;
    sqlx::query("DELETE FROM db_connections WHERE id = $1 AND owner_id = $2")
        .bind(id.0)
        .bind(p.user_id.0)
        .execute(state.store.pool())
        .await?;
    Ok(MessageView { message: "Database connection deleted".into() })
}

/// Store an uploaded SQLite file in the caller's own folder. `name` is the
/// form's `name` field, else the file part's own name.
#[tracing::instrument(skip_all, fields(user.id = %p.user_id))]
pub async fn upload_sqlite(
    state: &AppState,
    p: &Principal,
    name: Option<String>,
    bytes: Option<Vec<u8>>,
) -> crate::Result<MessageView> {
    let bytes = bytes.ok_or_else(|| Error::Invalid("file: missing".into()))?;
    let name = name.ok_or_else(|| Error::Invalid("name: missing".into()))?;
    let (data_dir, owner, stored) = (state.settings.data_dir.clone(), p.user_id.0, name.clone());
    tokio::task::spawn_blocking(move || store_upload(&data_dir, owner, &stored, &bytes))
        .await
        .map_err(|e| Error::Internal(e.into()))??;
    Ok(MessageView { message: format!("Uploaded {name}") })
}

/// Try a connection without storing anything.
#[tracing::instrument(skip_all, fields(user.id = %p.user_id))]
pub async fn test(state: &AppState, p: &Principal, new: NewDbConnection) -> crate::Result<ConnectionTestView> {
    check_owner(p, new.owner_id)?;
    let spec = spec_of(&new)?;
    let pool = pools::open(&spec, &state.settings.net_policy, &state.settings.data_dir, p.user_id.0).await?;
    let version = pools::server_version(&pool).await;
    let warnings = login_warnings(state, &pool, new.allow_privileged_login).await;
    pool.close().await;
    Ok(ConnectionTestView {
        success: true,
        message: "Connection successful".into(),
        server_version: version,
        warnings: warnings?,
    })
}

/// Try one of the caller's saved connections (its stored password), storing nothing.
#[tracing::instrument(skip_all, fields(user.id = %p.user_id, db.id = %id))]
pub async fn test_saved(state: &AppState, p: &Principal, id: ConnectionId) -> crate::Result<ConnectionTestView> {
    let saved = saved(state, p.user_id, id).await?;
    let (pool, warnings) = open(state, p.user_id, &saved).await?;
    let version = pools::server_version(&pool).await;
    pool.close().await;
    Ok(ConnectionTestView { success: true, message: "Connection successful".into(), server_version: version, warnings })
}

/// What the login may do beyond reading, as warnings; with
/// `SQLAGENT_ENV=production`, rights beyond data (superuser, server files,
/// other sessions) refuse the connection unless the owner allowed them.
async fn login_warnings(state: &AppState, pool: &Pool, allow_privileged: bool) -> crate::Result<Vec<String>> {
    let rights = pools::privilege_warnings(pool).await;
    let mut warnings = pools::write_warnings(pool).await;
    if rights.is_empty() {
        return Ok(warnings);
    }
    let listed = rights.join(", ");
    if state.settings.env == Environment::Production && !allow_privileged {
        return Err(Error::Forbidden(format!(
            "This database login has rights beyond reading data ({listed}); production refuses such logins. \
             Use a read-only login (see SECURITY.md), or set allow_privileged_login on this connection to accept the risk."
        )));
    }
    warnings.push(format!(
        "This database login has rights beyond reading data ({listed}). Queries stay read-only, \
         but a login without them is strongly recommended."
    ));
    Ok(warnings)
}
