//! Attaching a database to a login session, and what the session reports.
use std::collections::BTreeMap;
use std::sync::Arc;

use sqlagent_model::{ConnectView, DisconnectView, Schema, SessionInfoView, SessionStatusView};

use super::connections::{login_warnings, row, spec_of_row};
use crate::auth::Principal;
use crate::connectors::{self, Connector};
use crate::sessions::fields;
use crate::sqlguard::MYSQL_SYSTEM_SCHEMAS;
use crate::targets::DbKind;
use crate::{schema as introspection, time, AppState, Error};

/// The guide's text when a session has no database attached.
pub const NO_DATABASE: &str = "No database connected for this session. Please connect a database first.";

/// The guide's text for a session that is missing or someone else's.
const FOREIGN_SESSION: &str = "Session ID does not belong to the authenticated user or session not found";

/// Fields that describe the attached database; removed on detach.
const DB_FIELDS: [&str; 4] = [fields::DB_ID, fields::CONNECTION_STRING, fields::STATUS, fields::DB_SCHEMA];

/// Connect the caller's session to one of their databases.
#[tracing::instrument(skip_all, fields(user.id = p.user_id, db.id = db_id))]
pub async fn connect(state: &AppState, p: &Principal, db_id: i64) -> crate::Result<ConnectView> {
    let row = row(state, p.user_id, db_id).await?;
    let spec = spec_of_row(state, &row)?;
    if spec.kind == DbKind::MySql && MYSQL_SYSTEM_SCHEMAS.contains(&spec.database_name.to_ascii_lowercase().as_str()) {
        return Err(Error::BadRequest(format!(
            "{} is a MySQL system schema; connect to a database that holds your data",
            spec.database_name
        )));
    }
    let pool = connectors::open(&spec, &state.settings.net_policy, &state.settings.data_dir, p.user_id).await?;
    let warnings = match login_warnings(state, &pool, row.allow_privileged != 0).await {
        Ok(w) => w,
        Err(e) => {
            pool.close().await;
            return Err(e);
        }
    };
    let schema = match introspection::introspect(&pool).await {
        Ok(s) => s,
        Err(e) => {
            pool.close().await;
            return Err(e);
        }
    };
    let ddl = introspection::to_ddl(&schema);
    let connector = Arc::new(Connector::new(db_id, spec.kind, spec.database_name.clone(), pool));
    *connector.schema.write().await = Some(Arc::new(schema));
    let now = time::unix_now();
    let attached = state
        .sessions
        .set(
            &p.session_id,
            &[
                (fields::DB_ID, db_id.to_string()),
                (fields::CONNECTION_STRING, spec.masked_url()),
                (fields::STATUS, "connected".into()),
                (fields::CREATED_AT, now.to_string()),
                (fields::DB_SCHEMA, ddl),
            ],
        )
        .await?;
    if !attached {
        connector.pool.close().await;
        return Err(Error::Unauthenticated("Session expired or revoked".into()));
    }
    record_attachment(state, p, db_id, now).await?;
    state.connectors.insert(&p.session_id, connector).await;
    Ok(ConnectView {
        message: "Database connection successful and tools updated".into(),
        session_id: p.session_id.clone(),
        thread_id: p.session_id.clone(),
        db_id,
        database_name: row.database_name,
        user_id: p.user_id,
        warnings,
    })
}

async fn record_attachment(state: &AppState, p: &Principal, db_id: i64, now: i64) -> crate::Result<()> {
    let pool = state.store.pool();
    sqlx::query("DELETE FROM db_sessions WHERE session_id = $1").bind(&p.session_id).execute(pool).await?;
    sqlx::query("INSERT INTO db_sessions (session_id, db_id, user_id, created_at) VALUES ($1, $2, $3, $4)")
        .bind(&p.session_id)
        .bind(db_id)
        .bind(p.user_id)
        .bind(now)
        .execute(pool)
        .await?;
    Ok(())
}

/// Detach a connection from every session using it (on delete or change).
/// Other instances notice on their next request: the session no longer names it.
pub(super) async fn detach_all(state: &AppState, db_id: i64) -> crate::Result<()> {
    let sessions: Vec<(String,)> = sqlx::query_as("SELECT session_id FROM db_sessions WHERE db_id = $1")
        .bind(db_id)
        .fetch_all(state.store.pool())
        .await?;
    for (sid,) in sessions {
        state.sessions.remove_fields(&sid, &DB_FIELDS).await?;
        state.connectors.remove(&sid).await;
    }
    sqlx::query("DELETE FROM db_sessions WHERE db_id = $1").bind(db_id).execute(state.store.pool()).await?;
    Ok(())
}

/// The connector of the caller's session: this instance's cached one, or one
/// rebuilt from the store and the session hash (any instance can serve).
pub async fn connector(state: &AppState, p: &Principal) -> crate::Result<Arc<Connector>> {
    let db_id = match (p.database_connected, p.db_id) {
        (true, Some(id)) => id,
        _ => {
            state.connectors.remove(&p.session_id).await;
            return Err(Error::BadRequest(NO_DATABASE.into()));
        }
    };
    if let Some(c) = state.connectors.get(&p.session_id).await {
        if c.db_id == db_id {
            return Ok(c);
        }
    }
    let row = row(state, p.user_id, db_id).await.map_err(|_| Error::BadRequest(NO_DATABASE.into()))?;
    let spec = spec_of_row(state, &row)?;
    let pool = connectors::open(&spec, &state.settings.net_policy, &state.settings.data_dir, p.user_id).await?;
    // A login's rights may have grown since the session connected.
    if let Err(e) = login_warnings(state, &pool, row.allow_privileged != 0).await {
        pool.close().await;
        return Err(e);
    }
    let connector = Arc::new(Connector::new(db_id, spec.kind, spec.database_name.clone(), pool));
    state.connectors.insert(&p.session_id, connector.clone()).await;
    tracing::info!(db.id = db_id, "connector rebuilt for session");
    Ok(connector)
}

/// `GET /databases/session-status`.
pub fn session_status(p: &Principal) -> SessionStatusView {
    SessionStatusView {
        user_id: p.user_id,
        session_id: p.session_id.clone(),
        thread_id: p.session_id.clone(),
        database_connected: p.database_connected,
    }
}

/// `GET /databases/session-info/{id}`: one of the caller's own sessions.
pub async fn session_info(state: &AppState, p: &Principal, session_id: &str) -> crate::Result<SessionInfoView> {
    let foreign = || Error::NotFound(FOREIGN_SESSION.into());
    if uuid::Uuid::parse_str(session_id).is_err() {
        return Err(foreign());
    }
    let data = state.sessions.get_all(session_id).await?.ok_or_else(foreign)?;
    if data.get(fields::USER_ID).and_then(|u| u.parse::<i64>().ok()) != Some(p.user_id) {
        return Err(foreign());
    }
    let connected = data.get(fields::STATUS).map(String::as_str) == Some("connected");
    let created = data.get(fields::CREATED_AT).and_then(|c| c.parse::<i64>().ok());
    // Redis holds no password; the connection string there is already masked.
    let redis_data: BTreeMap<String, String> = data.into_iter().filter(|(k, _)| k != fields::USER_ID).collect();
    Ok(SessionInfoView {
        session_id: session_id.to_owned(),
        thread_id: session_id.to_owned(),
        user_id: p.user_id,
        database_connected: connected,
        redis_data,
        db_session_created_at: created.filter(|_| connected).map(time::naive_iso),
    })
}

/// `POST /databases/disconnect-session`: end the session and drop its connector.
pub async fn disconnect(state: &AppState, p: &Principal) -> crate::Result<DisconnectView> {
    let removed = state.sessions.delete(&p.session_id).await?;
    state.connectors.remove(&p.session_id).await;
    sqlx::query("DELETE FROM db_sessions WHERE session_id = $1")
        .bind(&p.session_id)
        .execute(state.store.pool())
        .await?;
    Ok(DisconnectView {
        message: "Session disconnected successfully".into(),
        session_id: p.session_id.clone(),
        thread_id: p.session_id.clone(),
        user_id: p.user_id,
        redis_cleanup: removed,
    })
}

/// The structured schema of the session's database (cached per connector).
pub async fn schema(state: &AppState, p: &Principal) -> crate::Result<Arc<Schema>> {
    let c = connector(state, p).await?;
    if let Some(s) = c.schema.read().await.clone() {
        return Ok(s);
    }
    reintrospect(state, p, &c).await
}

/// Re-read the schema and store the new DDL in the session.
pub async fn refresh_schema(state: &AppState, p: &Principal) -> crate::Result<Arc<Schema>> {
    let c = connector(state, p).await?;
    reintrospect(state, p, &c).await
}

async fn reintrospect(state: &AppState, p: &Principal, c: &Connector) -> crate::Result<Arc<Schema>> {
    let schema = Arc::new(introspection::introspect(&c.pool).await?);
    state.sessions.set(&p.session_id, &[(fields::DB_SCHEMA, introspection::to_ddl(&schema))]).await?;
    *c.schema.write().await = Some(schema.clone());
    Ok(schema)
}
