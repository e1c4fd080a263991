//! SQLite through rusqlite: the connection carries the engine-level controls
//! (see `pools::sqlite`); here the checked text is prepared as exactly
//! one statement, proved read-only by SQLite itself, and stepped up to the caps.
use std::time::Instant;

use base64::{engine::general_purpose::STANDARD as B64, Engine};
use rusqlite::types::ValueRef;
use rusqlite::ErrorCode;
use serde_json::{json, Value};

use super::{timed_out, too_large, Collector, Limits, Rows};
use crate::pools::SqliteFile;
use crate::sqlguard::CheckedSql;
use crate::Error;

/// Why SQLite itself refused, when it did.
enum Refusal {
    Tail,
    Writes,
}

pub async fn run(file: &SqliteFile, checked: &CheckedSql, limits: Limits) -> crate::Result<Rows> {
    let sql = checked.sql.clone();
    let deadline = Instant::now() + limits.timeout;
    let outcome = file
        .run(Some(deadline), move |conn| {
            let mut stmt = conn.prepare(&sql)?;
            // The statement SQLite compiled must be the whole text: no tail at all.
            if stmt.expanded_sql().as_deref() != Some(sql.as_str()) {
                return Ok(Err(Refusal::Tail));
            }
            if !stmt.readonly() {
                return Ok(Err(Refusal::Writes));
            }
            let mut c = Collector::new(limits);
            let names: Vec<String> = stmt.column_names().into_iter().map(str::to_owned).collect();
            let width = names.len();
            c.columns(|| names);
            let mut rows = stmt.query([])?;
            while let Some(row) = rows.next()? {
                let values = (0..width).map(|i| row.get_ref(i).map(value)).collect::<rusqlite::Result<Vec<_>>>()?;
                if !c.push(values) {
                    break;
                }
            }
            Ok(Ok(c.finish()))
        })
        .await?;
    match outcome {
        Ok(Ok(rows)) => Ok(rows),
        Ok(Err(Refusal::Tail)) => Err(Error::UnsafeSql("SQLite read more than one statement".into())),
        Ok(Err(Refusal::Writes)) => Err(Error::UnsafeSql("SQLite reports that the statement writes".into())),
        Err(e) => Err(sqlite_error(e, limits)),
    }
}

fn value(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => json!(i),
        ValueRef::Real(f) => serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null),
        ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::String(B64.encode(b)),
    }
}

fn sqlite_error(e: rusqlite::Error, limits: Limits) -> Error {
    match e.sqlite_error_code() {
        Some(ErrorCode::OperationInterrupted) => timed_out(limits),
        Some(ErrorCode::TooBig) => too_large(),
        Some(ErrorCode::AuthorizationForStatementDenied) => {
            Error::UnsafeSql(format!("SQLite's authorizer refused the statement: {e}"))
        }
        _ => match e {
            rusqlite::Error::SqliteFailure(_, Some(message)) => {
                Error::BadRequest(format!("The database rejected the query: {message}"))
            }
            other => {
                tracing::warn!(error = %other, "sqlite query failed");
                Error::BadRequest("The query could not be executed".into())
            }
        },
    }
}
