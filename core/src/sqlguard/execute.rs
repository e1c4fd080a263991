//! Running a checked statement: inside a read-only transaction that is always
//! rolled back, with a statement timeout, a row cap and a byte cap. This is the
//! second, independent line of defence behind the parser check.
use std::time::{Duration, Instant};

use futures_util::TryStreamExt;
use serde_json::Value;
use sqlagent_model::QueryResultView;
use sqlx::{Column, Connection, Executor, Row};

use super::{decode, CheckedSql};
use crate::connectors::Pool;
use crate::Error;

/// Caps on one execution.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_rows: usize,
    pub max_bytes: usize,
    pub timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_rows: 1000, max_bytes: 2 * 1024 * 1024, timeout: Duration::from_secs(15) }
    }
}

/// Execute `checked` read-only on `pool`.
#[tracing::instrument(skip_all)]
pub async fn execute(pool: &Pool, checked: &CheckedSql, limits: Limits) -> crate::Result<QueryResultView> {
    let started = Instant::now();
    // The server-side timeout stops the statement; this one bounds the whole
    // exchange (SQLite has no statement timeout of its own).
    let grace = limits.timeout + Duration::from_secs(2);
    let (columns, rows, truncated) = match tokio::time::timeout(grace, run(pool, &checked.sql, limits)).await {
        Ok(result) => result?,
        Err(_) => return Err(timed_out(limits)),
    };
    Ok(QueryResultView {
        sql: checked.sql.clone(),
        row_count: rows.len(),
        columns,
        rows,
        truncated,
        elapsed_ms: started.elapsed().as_millis() as u64,
    })
}

fn timed_out(limits: Limits) -> Error {
    Error::BadRequest(format!("The query ran longer than {} s and was cancelled", limits.timeout.as_secs()))
}

type Output = (Vec<String>, Vec<Vec<Value>>, bool);

/// Collects rows up to the caps.
struct Collector {
    limits: Limits,
    columns: Vec<String>,
    rows: Vec<Vec<Value>>,
    bytes: usize,
    truncated: bool,
}

impl Collector {
    fn new(limits: Limits) -> Self {
        Collector { limits, columns: Vec::new(), rows: Vec::new(), bytes: 0, truncated: false }
    }

    /// Add a row; false when a cap is reached and reading should stop.
    fn push(&mut self, names: impl FnOnce() -> Vec<String>, row: Vec<Value>) -> bool {
        if self.columns.is_empty() {
            self.columns = names();
        }
        if self.rows.len() >= self.limits.max_rows {
            self.truncated = true;
            return false;
        }
        self.bytes += row.iter().map(approx_size).sum::<usize>();
        if self.bytes > self.limits.max_bytes {
            self.truncated = true;
            return false;
        }
        self.rows.push(row);
        true
    }

    fn finish(self) -> Output {
        (self.columns, self.rows, self.truncated)
    }
}

fn approx_size(v: &Value) -> usize {
    match v {
        Value::String(s) => s.len() + 2,
        Value::Null | Value::Bool(_) | Value::Number(_) => 8,
        other => other.to_string().len(),
    }
}

fn query_error(e: sqlx::Error) -> Error {
    match e {
        // The database's own message (bad column, syntax, read-only violation)
        // is what the user or the model needs to repair the query.
        sqlx::Error::Database(db) => Error::BadRequest(format!("The database rejected the query: {}", db.message())),
        sqlx::Error::ColumnDecode { index, .. } => {
            Error::BadRequest(format!("Could not read column {index} of the result"))
        }
        other => {
            tracing::warn!(error = %other, "query execution failed");
            Error::BadRequest("The query could not be executed".into())
        }
    }
}

fn names<R: Row>(row: &R) -> Vec<String> {
    row.columns().iter().map(|c| c.name().to_owned()).collect()
}

/// Read rows from `stream` into JSON until it ends or a cap is reached.
async fn collect<R: Row>(
    mut stream: impl futures_util::Stream<Item = sqlx::Result<R>> + Unpin,
    limits: Limits,
    decode: fn(&R, usize) -> Value,
) -> sqlx::Result<Output> {
    let mut c = Collector::new(limits);
    while let Some(row) = stream.try_next().await? {
        let values = (0..row.len()).map(|i| decode(&row, i)).collect();
        if !c.push(|| names(&row), values) {
            break;
        }
    }
    Ok(c.finish())
}

/// End the transaction; a connection whose rollback failed is closed, not pooled.
async fn rollback<DB: sqlx::Database>(mut conn: sqlx::pool::PoolConnection<DB>) -> sqlx::Result<()>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    let done = conn.execute("ROLLBACK").await.map(drop);
    if done.is_err() {
        drop(conn.detach());
    }
    done
}

async fn run(pool: &Pool, sql: &str, limits: Limits) -> crate::Result<Output> {
    let ms = limits.timeout.as_millis();
    // Every branch runs a prepared statement: the servers themselves refuse
    // several commands in one, whatever the guard decided.
    match pool {
        Pool::Postgres(p) => {
            let mut conn = p.acquire().await.map_err(query_error)?;
            conn.execute("BEGIN READ ONLY").await.map_err(query_error)?;
            let result = async {
                conn.execute(format!("SET LOCAL statement_timeout = {ms}").as_str()).await?;
                collect(sqlx::query(sql).fetch(&mut *conn), limits, decode::pg).await
            }
            .await;
            settle(rollback(conn).await, result)
        }
        Pool::MySql(p) => {
            let mut conn = p.acquire().await.map_err(query_error)?;
            // MariaDB and MySQL name their statement timeouts differently.
            let _ = conn.execute(format!("SET SESSION max_statement_time = {}", ms as f64 / 1000.0).as_str()).await;
            let _ = conn.execute(format!("SET SESSION max_execution_time = {ms}").as_str()).await;
            conn.execute("START TRANSACTION READ ONLY").await.map_err(query_error)?;
            let result = collect(sqlx::query(sql).fetch(&mut *conn), limits, decode::mysql).await;
            settle(rollback(conn).await, result)
        }
        Pool::Sqlite(p) => {
            // The pool opens files read-only with query_only on; the transaction
            // is rolled back all the same.
            let mut conn = p.acquire().await.map_err(query_error)?;
            let mut tx = conn.begin().await.map_err(query_error)?;
            let result = collect(sqlx::query(sql).fetch(&mut *tx), limits, decode::sqlite).await;
            settle(tx.rollback().await, result)
        }
    }
}

/// Keep the result only if the rollback succeeded.
fn settle<T>(rollback: sqlx::Result<()>, result: sqlx::Result<T>) -> crate::Result<T> {
    if let Err(e) = rollback {
        tracing::warn!(error = %e, "rollback failed; discarding the connection");
        return Err(Error::BadRequest("The query could not be completed".into()));
    }
    result.map_err(query_error)
}
