//! PostgreSQL: a read-only transaction with the lexing and name-resolution
//! settings pinned, then the checked text as one extended-protocol statement
//! (the server refuses a second command in a prepared statement), wrapped so
//! that the server itself stops after the row cap and refuses oversized rows.
use sqlx::PgPool;

use sqlx::PgConnection;

use super::{
    decode, name_columns, prepare, query_error, read, refuse_if_costly, settle, Collector, Estimate, Limits, Rows,
    MAX_ROW_BYTES,
};
use crate::sqlguard::{CheckedSql, Shape};

/// Marker in the error a row larger than [`MAX_ROW_BYTES`] raises.
pub(super) const ROW_TOO_LARGE: &str = "sqlagent: result row too large";

/// The statement sent: queries are wrapped so the server stops after the row
/// cap and raises an error for an oversized row before sending it. The size
/// test is cheap first (`pg_column_size`, the row in memory) and exact second
/// (the row as text, which also catches compressed stored values); the error
/// depends on the row, so the planner cannot fold it into a constant; and
/// `OFFSET 0` keeps the caller's query one plan node, so none of its
/// expressions is evaluated twice. The text goes in on lines of its own, so a
/// comment in it cannot swallow the wrapper; the lexer has proved its
/// parentheses balance and its literals close.
fn wrapped(checked: &CheckedSql, limits: Limits) -> String {
    match checked.shape {
        Shape::Explain => checked.sql.clone(),
        Shape::Query => format!(
            "SELECT sqlagent_q.* FROM (SELECT * FROM (\n{sql}\n) AS sqlagent_u OFFSET 0) AS sqlagent_q \
             WHERE CASE WHEN pg_column_size(ROW(sqlagent_q.*)) > {MAX_ROW_BYTES} \
                          OR octet_length(ROW(sqlagent_q.*)::text) > {MAX_ROW_BYTES} \
             THEN CAST(concat('{ROW_TOO_LARGE}: ', pg_column_size(ROW(sqlagent_q.*))) AS integer) = 0 \
             ELSE true END \
             LIMIT {limit}",
            sql = checked.sql,
            limit = limits.max_rows + 1,
        ),
    }
}

/// Our own settings, in the simple protocol before the statement.
fn setup(limits: Limits) -> String {
    let ms = limits.timeout.as_millis();
    // standard_conforming_strings is what the lexer assumes; pg_catalog first
    // makes every allow-listed function name resolve to the built-in.
    format!(
        "BEGIN READ ONLY; SET LOCAL statement_timeout = {ms}; SET LOCAL lock_timeout = {ms}; \
         SET LOCAL idle_in_transaction_session_timeout = {idle}; SET LOCAL standard_conforming_strings = on; \
         SELECT set_config('search_path', CASE WHEN current_setting('search_path') = '' THEN 'pg_catalog' \
         ELSE 'pg_catalog, ' || current_setting('search_path') END, true)",
        idle = ms + 5_000,
    )
}

pub async fn run(pool: &PgPool, checked: &CheckedSql, limits: Limits) -> crate::Result<Rows> {
    let conn = pool.acquire().await.map_err(|e| query_error(e, limits))?;
    let mut conn = prepare(conn, &[setup(limits).as_str()], limits).await?;
    if checked.shape == Shape::Query {
        let estimate = estimate(&mut conn, &checked.sql).await;
        conn = refuse_if_costly(conn, estimate, limits).await?;
    }
    let sql = wrapped(checked, limits);
    let mut c = Collector::new(limits);
    let outcome = read(sqlx::query(&sql).persistent(false).fetch(&mut *conn), &mut c, decode::pg).await;
    name_columns(&mut conn, &sql, &outcome, &mut c).await;
    settle(conn, outcome, c, limits).await
}

/// The planner's estimate for the caller's own text (not our wrapper, whose
/// row cap would hide the work of an aggregate over a huge join).
async fn estimate(conn: &mut PgConnection, sql: &str) -> sqlx::Result<Estimate> {
    let explain = format!("EXPLAIN (FORMAT JSON)\n{sql}\n");
    let plan: serde_json::Value = sqlx::query_scalar(&explain).persistent(false).fetch_one(&mut *conn).await?;
    let top = &plan[0]["Plan"];
    Ok(Estimate { cost: top["Total Cost"].as_f64(), rows: top["Plan Rows"].as_f64().unwrap_or(0.0) })
}
