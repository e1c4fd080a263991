//! Queries: a statement from any source, through the guard, read-only, on the
//! session's attached connection; every attempt is logged.
use std::time::Instant;

use sqlagent_model::QueryResultView;

use crate::auth::Principal;
use crate::ids::ConnectionId;
use crate::sqlguard::{self, Limits};
use crate::{attachments, time, AppState, Error};

/// Where a statement came from, for the query log.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    /// Typed or edited by the user.
    User,
    /// Written by the agent's model.
    Agent,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Source::User => "user",
            Source::Agent => "agent",
        }
    }
}

/// Check and execute `sql` on the session's database, within the server's
/// limits; every attempt is logged.
#[tracing::instrument(skip_all, fields(user.id = %p.user_id))]
pub async fn run_sql(state: &AppState, p: &Principal, sql: &str, source: Source) -> crate::Result<QueryResultView> {
    let limits = Limits {
        timeout: std::time::Duration::from_secs(state.settings.query_timeout_seconds),
        ceiling: Some(state.settings.query_ceiling),
        ..Limits::default()
    };
    let live = attachments::pool(state, p).await?;
    let started = Instant::now();
    let outcome = match sqlguard::check_bounded(sql, &live.scope()).await {
        Ok(checked) => sqlguard::execute(&live.pool, &checked, limits).await,
        Err(e) => Err(e),
    };
    log(state, p, live.connection, sql, source, &outcome, started.elapsed().as_millis() as i64).await;
    outcome
}

async fn log(
    state: &AppState,
    p: &Principal,
    connection: ConnectionId,
    sql: &str,
    source: Source,
    outcome: &crate::Result<QueryResultView>,
    elapsed_ms: i64,
) {
    let (status, error, rows) = match outcome {
        Ok(r) => ("ok", None, Some(r.row_count as i64)),
        Err(e @ Error::UnsafeSql(_)) => ("rejected", Some(e.to_string()), None),
        Err(e) => ("error", Some(e.to_string()), None),
    };
    // Statements are bounded by the guard's size limit; keep the log bounded too.
    let sql: String = sql.chars().take(8192).collect();
    let written = sqlx::query(
        "INSERT INTO query_log (user_id, db_id, session_id, source, sql_text, status, error, row_count, elapsed_ms, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(p.user_id.0)
    .bind(connection.0)
    .bind(&p.session_id)
    .bind(source.as_str())
    .bind(sql)
    .bind(status)
    .bind(error)
    .bind(rows)
    .bind(elapsed_ms)
    .bind(time::unix_now())
    .execute(state.store.pool())
    .await;
    if let Err(e) = written {
        tracing::error!(error = %e, "could not write the query log");
    }
}
