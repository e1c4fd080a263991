//! Attachments: a login session's link to one of its user's connections. This
//! module owns the session's `db_*` fields and the `db_sessions` table (which
//! sessions have which connection, so that changing or deleting a connection
//! detaches it everywhere), and hands out the session's pool.
use std::collections::BTreeMap;
use std::sync::Arc;

use sqlagent_model::{
    ConnectView, ConnectedView, DisconnectView, MessageView, Schema, SessionHealthView, SessionInfoView,
    SessionOverview, SessionStatusView,
};

use crate::auth::{self, Principal};
use crate::connections;
use crate::ids::ConnectionId;
use crate::linker::{self, Catalog};
use crate::pools::SessionPool;
use crate::sessions::{fields, CONNECTED};
use crate::texts::{FOREIGN_SESSION, NO_DATABASE, SESSION_GONE};
use crate::{schema as introspection, time, AppState, Error};

/// Fields that describe the attached database; removed on detach.
const DB_FIELDS: [&str; 4] = [fields::DB_ID, fields::CONNECTION_STRING, fields::STATUS, fields::DB_SCHEMA];

/// Attach one of the caller's connections to the session.
#[tracing::instrument(skip_all, fields(user.id = %p.user_id, db.id = %id))]
pub async fn connect(state: &AppState, p: &Principal, id: ConnectionId) -> crate::Result<ConnectView> {
    let saved = connections::saved(state, p.user_id, id).await?;
    let (pool, warnings) = connections::open(state, p.user_id, &saved).await?;
    let spec = &saved.spec;
    let live = Arc::new(SessionPool::new(id, spec.kind, spec.database_name.clone(), pool));
    let catalog = match learn(&live).await {
        Ok(c) => c,
        Err(e) => {
            live.pool.close().await;
            return Err(e);
        }
    };
    let ddl = introspection::to_ddl(&catalog.schema);
    let now = time::unix_now();
    let session_fields = [
        (fields::DB_ID, id.to_string()),
        (fields::CONNECTION_STRING, spec.masked_url()),
        (fields::STATUS, CONNECTED.into()),
        (fields::CREATED_AT, now.to_string()),
        (fields::DB_SCHEMA, ddl),
    ];
    if !state.sessions.set(&p.session_id, &session_fields).await? {
        live.pool.close().await;
        return Err(Error::Unauthenticated(SESSION_GONE.into()));
    }
    record(state, p, id, now).await?;
    state.pools.insert(&p.session_id, live).await;
    Ok(ConnectView {
        message: "Database connection successful and tools updated".into(),
        session_id: p.session_id.clone(),
        thread_id: p.session_id.clone(),
        db_id: id.0,
        database_name: spec.database_name.clone(),
        user_id: p.user_id.0,
        warnings,
    })
}

/// Remember that this session has this connection (one row per session).
async fn record(state: &AppState, p: &Principal, id: ConnectionId, now: i64) -> crate::Result<()> {
    let mut tx = state.store.pool().begin().await?;
    sqlx::query("DELETE FROM db_sessions WHERE session_id = $1").bind(&p.session_id).execute(&mut *tx).await?;
    sqlx::query("INSERT INTO db_sessions (session_id, db_id, user_id, created_at) VALUES ($1, $2, $3, $4)")
        .bind(&p.session_id)
        .bind(id.0)
        .bind(p.user_id.0)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Detach a connection from every session using it (on delete or change).
/// Other instances notice on their next request: the session no longer names it.
pub(crate) async fn detach_all(state: &AppState, id: ConnectionId) -> crate::Result<()> {
    let sessions: Vec<(String,)> = sqlx::query_as("SELECT session_id FROM db_sessions WHERE db_id = $1")
        .bind(id.0)
        .fetch_all(state.store.pool())
        .await?;
    for (sid,) in sessions {
        state.sessions.remove_fields(&sid, &DB_FIELDS).await?;
        state.pools.remove(&sid).await;
    }
    sqlx::query("DELETE FROM db_sessions WHERE db_id = $1").bind(id.0).execute(state.store.pool()).await?;
    Ok(())
}

/// Forget an ended session's attachment record.
pub(crate) async fn forget_session(state: &AppState, session_id: &str) -> crate::Result<()> {
    sqlx::query("DELETE FROM db_sessions WHERE session_id = $1").bind(session_id).execute(state.store.pool()).await?;
    Ok(())
}

/// The pool of the caller's session: this instance's cached one, or one
/// rebuilt from the store and the session hash (any instance can serve).
pub async fn pool(state: &AppState, p: &Principal) -> crate::Result<Arc<SessionPool>> {
    let Some(id) = p.attached else {
        state.pools.remove(&p.session_id).await;
        return Err(Error::BadRequest(NO_DATABASE.into()));
    };
    if let Some(live) = state.pools.get(&p.session_id).await {
        if live.connection == id {
            return Ok(live);
        }
    }
    let saved = connections::saved(state, p.user_id, id).await.map_err(|_| Error::BadRequest(NO_DATABASE.into()))?;
    // A login's rights may have grown since the session connected: judged again.
    let (pool, _) = connections::open(state, p.user_id, &saved).await?;
    let live = Arc::new(SessionPool::new(id, saved.spec.kind, saved.spec.database_name.clone(), pool));
    state.pools.insert(&p.session_id, live.clone()).await;
    tracing::info!(db.id = %id, "pool rebuilt for session");
    Ok(live)
}

/// Detach the session's database, keeping the login: the session forgets
/// it and its pool is closed (the web UI's "Disconnect").
#[tracing::instrument(skip_all, fields(user.id = %p.user_id))]
pub async fn detach(state: &AppState, p: &Principal) -> crate::Result<MessageView> {
    state.sessions.remove_fields(&p.session_id, &DB_FIELDS).await?;
    state.pools.remove(&p.session_id).await;
    forget_session(state, &p.session_id).await?;
    Ok(MessageView { message: "Database disconnected".into() })
}

/// Connect, and say how many tables were found.
pub async fn connect_and_count(state: &AppState, p: &Principal, id: ConnectionId) -> crate::Result<ConnectedView> {
    let connect = connect(state, p, id).await?;
    let attached = Principal { attached: Some(id), ..p.clone() };
    let tables = schema(state, &attached).await?.tables.len();
    Ok(ConnectedView { connect, tables })
}

/// The session as the web UI's inspector shows it: its database, age,
/// time to live, cached schema, and the health of what it depends on.
pub async fn overview(state: &AppState, p: &Principal) -> crate::Result<SessionOverview> {
    let data = state.sessions.get_all(&p.session_id).await?.unwrap_or_default();
    let connected = p.database_connected();
    let saved = match p.attached {
        Some(id) => connections::get(state, p, id).await.ok(),
        None => None,
    };
    let schema = data.get(fields::DB_SCHEMA).map(String::as_str).unwrap_or_default();
    let created = data.get(fields::CREATED_AT).and_then(|c| c.parse::<i64>().ok());
    let (redis, store) = tokio::join!(state.sessions.probe(), state.store.ping());
    let user = crate::users::get(state, p.user_id).await?;
    Ok(SessionOverview {
        user_id: p.user_id.0,
        user_name: user.name,
        user_email: user.email,
        session_id: p.session_id.clone(),
        thread_id: p.session_id.clone(),
        database_connected: connected,
        db_id: p.attached.map(|id| id.0),
        db_type: saved.as_ref().map(|s| s.db_type.clone()),
        database_name: saved.as_ref().map(|s| s.database_name.clone()),
        connection: data.get(fields::CONNECTION_STRING).cloned().filter(|_| connected),
        connected_at: created.filter(|_| connected).map(time::naive_iso),
        ttl_seconds: state.settings.session_ttl_seconds,
        schema_bytes: schema.len(),
        schema_tables: schema.matches("CREATE TABLE").count() + schema.matches("CREATE VIEW").count(),
        redis: redis.as_str().into(),
        store: if store { "healthy" } else { "unhealthy" }.into(),
        model: state.llm.name().to_owned(),
    })
}

/// `GET /databases/session-status`.
pub fn session_status(p: &Principal) -> SessionStatusView {
    SessionStatusView {
        user_id: p.user_id.0,
        session_id: p.session_id.clone(),
        thread_id: p.session_id.clone(),
        database_connected: p.database_connected(),
    }
}

/// `GET /health/session`: the service as the caller's session sees it.
pub fn session_health(p: &Principal) -> SessionHealthView {
    SessionHealthView {
        status: "healthy".into(),
        message: "Service is up and running".into(),
        user_id: p.user_id.0,
        thread_id: p.session_id.clone(),
        session_id: p.session_id.clone(),
        database_connected: p.database_connected(),
        timestamp: time::rfc3339_millis_now(),
    }
}

/// `GET /databases/session-info/{id}`: one of the caller's own sessions.
pub async fn session_info(state: &AppState, p: &Principal, session_id: &str) -> crate::Result<SessionInfoView> {
    let foreign = || Error::NotFound(FOREIGN_SESSION.into());
    if uuid::Uuid::parse_str(session_id).is_err() {
        return Err(foreign());
    }
    let data = state.sessions.get_all(session_id).await?.ok_or_else(foreign)?;
    if data.get(fields::USER_ID).and_then(|u| u.parse::<i64>().ok()) != Some(p.user_id.0) {
        return Err(foreign());
    }
    let connected = data.get(fields::STATUS).map(String::as_str) == Some(CONNECTED);
    let created = data.get(fields::CREATED_AT).and_then(|c| c.parse::<i64>().ok());
    // Redis holds no password; the connection string there is already masked.
    let redis_data: BTreeMap<String, String> = data.into_iter().filter(|(k, _)| k != fields::USER_ID).collect();
    Ok(SessionInfoView {
        session_id: session_id.to_owned(),
        thread_id: session_id.to_owned(),
        user_id: p.user_id.0,
        database_connected: connected,
        redis_data,
        db_session_created_at: created.filter(|_| connected).map(time::naive_iso),
    })
}

/// `POST /databases/disconnect-session`: end the login session.
pub async fn disconnect(state: &AppState, p: &Principal) -> crate::Result<DisconnectView> {
    let removed = auth::end_session(state, p).await?;
    Ok(DisconnectView {
        message: "Session disconnected successfully".into(),
        session_id: p.session_id.clone(),
        thread_id: p.session_id.clone(),
        user_id: p.user_id.0,
        redis_cleanup: removed,
    })
}

/// Introspect the database and sample its values (bounded), and keep both
/// with the pool: once per connection, not per question.
async fn learn(live: &SessionPool) -> crate::Result<Arc<Catalog>> {
    let schema = Arc::new(introspection::introspect(&live.pool).await?);
    let values = linker::build_values(&live.pool, &schema, &live.scope()).await;
    let catalog = Arc::new(Catalog::new(schema, values));
    *live.catalog.write().await = Some(catalog.clone());
    Ok(catalog)
}

/// What is known of the session's database: schema and sampled values,
/// cached with its pool (learnt on first use on another instance).
pub async fn catalog(state: &AppState, p: &Principal) -> crate::Result<(Arc<SessionPool>, Arc<Catalog>)> {
    let live = pool(state, p).await?;
    let cached = live.catalog.read().await.clone();
    if let Some(c) = cached {
        return Ok((live, c));
    }
    let c = learn(&live).await?;
    Ok((live, c))
}

/// The structured schema of the session's database (cached with its pool).
pub async fn schema(state: &AppState, p: &Principal) -> crate::Result<Arc<Schema>> {
    Ok(catalog(state, p).await?.1.schema.clone())
}

/// Re-read the schema and the values, and store the new DDL in the session.
pub async fn refresh_schema(state: &AppState, p: &Principal) -> crate::Result<Arc<Schema>> {
    let live = pool(state, p).await?;
    let catalog = learn(&live).await?;
    state.sessions.set(&p.session_id, &[(fields::DB_SCHEMA, introspection::to_ddl(&catalog.schema))]).await?;
    Ok(catalog.schema.clone())
}
