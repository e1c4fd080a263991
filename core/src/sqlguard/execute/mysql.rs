//! MySQL and MariaDB: the session's `sql_mode` pinned to what the lexer
//! assumes (backslash escapes on, double quotes are strings), the server's
//! row limit and statement timeout set, then the checked text as one
//! prepared statement (the server refuses a second command in one) inside a
//! read-only transaction.
use sqlx::MySqlPool;

use sqlx::{MySqlConnection, Row};

use super::{
    decode, name_columns, prepare, query_error, read, refuse_if_costly, settle, Collector, Estimate, Limits, Rows,
};
use crate::sqlguard::{CheckedSql, Shape};

/// The mode every statement runs under. Without `ANSI_QUOTES` and
/// `NO_BACKSLASH_ESCAPES`, as the lexer reads; `PIPES_AS_CONCAT` as the
/// parser reads `||`.
pub const SQL_MODE: &str = "PIPES_AS_CONCAT,NO_ENGINE_SUBSTITUTION,STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO";

fn setup(limits: Limits, mariadb: bool) -> String {
    let ms = limits.timeout.as_millis();
    // MariaDB and MySQL name their statement timeouts differently.
    let timeout = if mariadb {
        format!("max_statement_time = {}", ms as f64 / 1000.0)
    } else {
        format!("max_execution_time = {ms}")
    };
    format!("SET SESSION sql_mode = '{SQL_MODE}', sql_select_limit = {}, {timeout}", limits.max_rows + 1)
}

pub async fn run(pool: &MySqlPool, mariadb: bool, checked: &CheckedSql, limits: Limits) -> crate::Result<Rows> {
    let conn = pool.acquire().await.map_err(|e| query_error(e, limits))?;
    let mut conn = prepare(conn, &[setup(limits, mariadb).as_str(), "START TRANSACTION READ ONLY"], limits).await?;
    if checked.shape == Shape::Query {
        let estimate = estimate(&mut conn, &checked.sql).await;
        conn = refuse_if_costly(conn, estimate, limits).await?;
    }
    let mut c = Collector::new(limits);
    let outcome = read(sqlx::query(&checked.sql).persistent(false).fetch(&mut *conn), &mut c, decode::mysql).await;
    name_columns(&mut conn, &checked.sql, &outcome, &mut c).await;
    settle(conn, outcome, c, limits).await
}

/// Rows the plan examines: per SELECT of the statement (`id`), the product of
/// the rows read from each of its tables (a nested-loop join reads the inner
/// table once per outer row); a dependent subquery runs once per row of the
/// outer SELECT; summed over the SELECTs.
async fn estimate(conn: &mut MySqlConnection, sql: &str) -> sqlx::Result<Estimate> {
    let explain = format!("EXPLAIN\n{sql}\n");
    let plan = sqlx::query(&explain).persistent(false).fetch_all(&mut *conn).await?;
    // (select id, dependent on the outer rows, product of rows read)
    let mut selects: Vec<(String, bool, f64)> = Vec::new();
    for row in &plan {
        let column = |name: &str| row.columns().iter().position(|c| sqlx::Column::name(c).eq_ignore_ascii_case(name));
        let value = |name: &str| column(name).map(|i| decode::mysql(row, i)).unwrap_or_default();
        let id = value("id").to_string();
        let kind = value("select_type").as_str().unwrap_or_default().to_ascii_uppercase();
        let dependent = kind.contains("DEPENDENT") || kind.contains("UNCACHEABLE");
        let rows = match value("rows") {
            serde_json::Value::Number(n) => n.as_f64().unwrap_or(1.0),
            serde_json::Value::String(s) => s.trim().parse().unwrap_or(1.0),
            _ => 1.0,
        }
        .max(1.0);
        match selects.iter_mut().find(|(i, _, _)| *i == id) {
            Some((_, _, product)) => *product *= rows,
            None => selects.push((id, dependent, rows)),
        }
    }
    let outer = selects.first().map_or(1.0, |(_, _, rows)| *rows);
    let rows = selects.iter().map(|(_, dependent, rows)| if *dependent { rows * outer } else { *rows }).sum();
    Ok(Estimate { cost: None, rows })
}
