//! Running a checked statement: exactly its text, as one prepared statement,
//! inside a read-only transaction that is always rolled back, under the
//! engine's own limits (statement timeout, row limit, value size), reading
//! rows only up to the caps. A connection whose result was not read to the
//! end is closed rather than drained, which also stops the server's work.
mod decode;
mod mysql;
mod postgres;
mod sqlite;

use std::time::{Duration, Instant};

use futures_util::{Stream, TryStreamExt};
use serde_json::Value;
use sqlagent_model::QueryResultView;
use sqlx::pool::PoolConnection;
use sqlx::{Column, Database, Executor, Row};

use super::CheckedSql;
use crate::pools::Pool;
use crate::Error;

/// Largest result row (or single value) a query may produce, in bytes;
/// enforced by the engine where it can be (SQLite's length limit, a guard on
/// PostgreSQL rows), so no oversized value is ever buffered here.
pub const MAX_ROW_BYTES: usize = 1024 * 1024;

/// Caps on one execution.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_rows: usize,
    pub max_bytes: usize,
    pub timeout: Duration,
    /// Ask the planner first (PostgreSQL, MySQL/MariaDB) and refuse what it
    /// expects to be too much work; `None` for our own bounded queries.
    pub ceiling: Option<Ceiling>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_rows: 1000, max_bytes: 2 * 1024 * 1024, timeout: Duration::from_secs(15), ceiling: None }
    }
}

/// The most work the planner may expect of one statement, in its own units:
/// PostgreSQL's total cost and rows, MySQL/MariaDB's rows examined (the
/// product of the rows read per table of each join).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ceiling {
    pub cost: f64,
    pub rows: f64,
}

impl Default for Ceiling {
    fn default() -> Self {
        Ceiling { cost: 10_000_000.0, rows: 100_000_000.0 }
    }
}

/// What the planner expects of a statement (`EXPLAIN`, never `ANALYZE`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Estimate {
    /// PostgreSQL's total cost; absent on MySQL/MariaDB.
    pub cost: Option<f64>,
    pub rows: f64,
}

impl Ceiling {
    /// Refuse an estimate above the ceiling, saying what would help.
    pub(crate) fn check(&self, e: Estimate) -> crate::Result<()> {
        let too_costly = e.cost.is_some_and(|c| c > self.cost);
        if !too_costly && e.rows <= self.rows {
            return Ok(());
        }
        let what = match e.cost {
            Some(cost) if too_costly => format!("a cost of {} (the limit is {})", round(cost), round(self.cost)),
            _ => format!("about {} rows (the limit is {})", round(e.rows), round(self.rows)),
        };
        Err(Error::BadRequest(format!(
            "Query refused before running: the database's planner estimates {what}. \
             Add a filter, join the tables on their keys, aggregate, or add a LIMIT"
        )))
    }
}

/// 1234567.8 → "1,234,568".
fn round(v: f64) -> String {
    let v = if v.is_nan() { 0.0 } else { v.clamp(0.0, 1e18) };
    sqlagent_model::group_digits(v.round() as u64)
}

/// Execute `checked` read-only on `pool`.
#[tracing::instrument(skip_all)]
pub async fn execute(pool: &Pool, checked: &CheckedSql, limits: Limits) -> crate::Result<QueryResultView> {
    let started = Instant::now();
    // The engines stop the statement at the timeout; this bounds the whole
    // exchange (connecting, a server that stops answering) a little later.
    let grace = limits.timeout + Duration::from_secs(2);
    let work = async {
        match pool {
            Pool::Postgres(p) => postgres::run(p, checked, limits).await,
            Pool::MySql { pool, mariadb } => mysql::run(pool, *mariadb, checked, limits).await,
            Pool::Sqlite(f) => sqlite::run(f, checked, limits).await,
        }
    };
    let rows = match tokio::time::timeout(grace, work).await {
        Ok(result) => result?,
        Err(_) => return Err(timed_out(limits)),
    };
    Ok(QueryResultView {
        sql: checked.sql.clone(),
        row_count: rows.rows.len(),
        columns: rows.columns,
        rows: rows.rows,
        truncated: rows.truncated,
        elapsed_ms: started.elapsed().as_millis() as u64,
    })
}

fn timed_out(limits: Limits) -> Error {
    Error::BadRequest(format!("The query ran longer than {} s and was cancelled", limits.timeout.as_secs()))
}

fn too_large() -> Error {
    Error::BadRequest(format!(
        "A row of the result is larger than {} KiB; select fewer or shorter columns",
        MAX_ROW_BYTES / 1024
    ))
}

/// Rows read so far, within the caps.
#[derive(Debug, Default)]
struct Rows {
    columns: Vec<String>,
    rows: Vec<Vec<Value>>,
    truncated: bool,
}

/// Collects rows up to the caps.
struct Collector {
    limits: Limits,
    out: Rows,
    bytes: usize,
}

impl Collector {
    fn new(limits: Limits) -> Self {
        Collector { limits, out: Rows::default(), bytes: 0 }
    }

    fn columns(&mut self, names: impl FnOnce() -> Vec<String>) {
        if self.out.columns.is_empty() {
            self.out.columns = names();
        }
    }

    /// Add a row; false when a cap is reached and reading must stop.
    fn push(&mut self, row: Vec<Value>) -> bool {
        if self.out.rows.len() >= self.limits.max_rows {
            self.out.truncated = true;
            return false;
        }
        self.bytes += row.iter().map(approx_size).sum::<usize>();
        if self.bytes > self.limits.max_bytes {
            self.out.truncated = true;
            return false;
        }
        self.out.rows.push(row);
        true
    }

    fn finish(self) -> Rows {
        self.out
    }
}

fn approx_size(v: &Value) -> usize {
    match v {
        Value::String(s) => s.len() + 2,
        Value::Null | Value::Bool(_) | Value::Number(_) => 8,
        other => other.to_string().len(),
    }
}

/// The database's own reason (bad column, syntax, read-only violation) is
/// what the user or the model needs to repair the query.
fn query_error(e: sqlx::Error, limits: Limits) -> Error {
    match e {
        sqlx::Error::Database(db) => {
            let code = db.code();
            let message = db.message();
            if message.contains(postgres::ROW_TOO_LARGE) {
                return too_large();
            }
            // PostgreSQL query_canceled (statement_timeout); MariaDB 1969 and
            // MySQL 3024 (max statement / execution time exceeded).
            if matches!(code.as_deref(), Some("57014" | "70100" | "HY000")) && message.contains("time") {
                return timed_out(limits);
            }
            Error::BadRequest(format!("The database rejected the query: {message}"))
        }
        sqlx::Error::ColumnDecode { index, .. } => {
            Error::BadRequest(format!("Could not read column {index} of the result"))
        }
        other => {
            tracing::warn!(error = %other, "query execution failed");
            Error::BadRequest("The query could not be executed".into())
        }
    }
}

/// Run our own setup statements (simple protocol); a connection on which one
/// failed is closed, never pooled half-configured.
async fn prepare<DB: Database>(
    conn: PoolConnection<DB>,
    steps: &[&str],
    limits: Limits,
) -> crate::Result<PoolConnection<DB>>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    let mut conn = conn;
    for step in steps {
        if let Err(e) = conn.execute(*step).await {
            drop(conn.detach());
            return Err(query_error(e, limits));
        }
    }
    Ok(conn)
}

/// Read rows into `c` until the result ends (true) or a cap is reached (false).
async fn read<R: Row>(
    mut stream: impl Stream<Item = sqlx::Result<R>> + Unpin,
    c: &mut Collector,
    decode: fn(&R, usize) -> Value,
) -> sqlx::Result<bool> {
    while let Some(row) = stream.try_next().await? {
        c.columns(|| row.columns().iter().map(|col| col.name().to_owned()).collect());
        if !c.push((0..row.len()).map(|i| decode(&row, i)).collect()) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// An empty result still names its columns: asked of the server by
/// preparing the same text inside the same read-only transaction (nothing
/// runs). Clients then show an empty table with its headings.
async fn name_columns<DB: Database>(
    conn: &mut PoolConnection<DB>,
    sql: &str,
    read: &sqlx::Result<bool>,
    c: &mut Collector,
) where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    if !matches!(read, Ok(true)) || !c.out.columns.is_empty() {
        return;
    }
    if let Ok(described) = (&mut **conn).describe(sql).await {
        c.columns(|| described.columns().iter().map(|col| col.name().to_owned()).collect());
    }
}

/// Refuse the statement when the planner's estimate is above the ceiling; the
/// connection goes back to the pool either way (rolled back).
async fn refuse_if_costly<DB: Database>(
    conn: PoolConnection<DB>,
    estimate: sqlx::Result<Estimate>,
    limits: Limits,
) -> crate::Result<PoolConnection<DB>>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    let Some(ceiling) = limits.ceiling else { return Ok(conn) };
    let verdict = match estimate {
        Ok(estimate) => ceiling.check(estimate),
        Err(e) => Err(query_error(e, limits)),
    };
    match verdict {
        Ok(()) => Ok(conn),
        Err(refused) => {
            settle(conn, Ok(true), Collector::new(limits), limits).await?;
            Err(refused)
        }
    }
}

/// Roll back and pool the connection; close it instead when rows were left
/// unread beyond the byte cap (draining them could take long, and closing
/// stops the server's work) or when the rollback failed.
async fn settle<DB: Database>(
    mut conn: PoolConnection<DB>,
    read: sqlx::Result<bool>,
    c: Collector,
    limits: Limits,
) -> crate::Result<Rows>
where
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
{
    let rows = c.finish();
    // At the row cap the server's own limit leaves at most one row unread.
    let unread = matches!(read, Ok(false)) && rows.rows.len() < limits.max_rows;
    if unread || conn.execute("ROLLBACK").await.is_err() {
        drop(conn.detach());
    }
    match read {
        Ok(_) => Ok(rows),
        Err(e) => Err(query_error(e, limits)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ceiling_refuses_cost_or_rows_above_it_and_says_what_helps() {
        let ceiling = Ceiling { cost: 1_000.0, rows: 5_000.0 };
        assert!(ceiling.check(Estimate { cost: Some(1_000.0), rows: 5_000.0 }).is_ok());
        assert!(ceiling.check(Estimate { cost: None, rows: 4_999.0 }).is_ok());
        let costly = ceiling.check(Estimate { cost: Some(1_234_567.8), rows: 1.0 }).unwrap_err().to_string();
        assert!(costly.contains("a cost of 1,234,568 (the limit is 1,000)"), "{costly}");
        let wide = ceiling.check(Estimate { cost: None, rows: 900_000_000.0 }).unwrap_err().to_string();
        assert!(
            wide.contains("about 900,000,000 rows (the limit is 5,000)") && wide.contains("Add a filter"),
            "{wide}"
        );
        assert!(matches!(ceiling.check(Estimate { cost: Some(1.0), rows: 5_001.0 }), Err(Error::BadRequest(_))));
    }

    #[test]
    fn round_groups_digits() {
        assert_eq!(round(0.0), "0");
        assert_eq!(round(999.4), "999");
        assert_eq!(round(1000.0), "1,000");
        assert_eq!(round(-5.0), "0");
        assert_eq!(round(f64::NAN), "0");
        assert_eq!(round(f64::INFINITY), "1,000,000,000,000,000,000");
    }
}
