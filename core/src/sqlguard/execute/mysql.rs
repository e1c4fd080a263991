//! MySQL and MariaDB: the session's `sql_mode` pinned to what the lexer
//! assumes (backslash escapes on, double quotes are strings), the server's
//! row limit and statement timeout set, then the checked text as one
//! prepared statement (the server refuses a second command in one) inside a
//! read-only transaction.
use sqlx::MySqlPool;

use super::{decode, name_columns, prepare, query_error, read, settle, Collector, Limits, Rows};
use crate::sqlguard::CheckedSql;

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
    let mut c = Collector::new(limits);
    let outcome = read(sqlx::query(&checked.sql).persistent(false).fetch(&mut *conn), &mut c, decode::mysql).await;
    name_columns(&mut conn, &checked.sql, &outcome, &mut c).await;
    settle(conn, outcome, c, limits).await
}
