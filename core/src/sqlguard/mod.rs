//! The read-only SQL guard, applied to every statement from any source (the model,
//! a user editing SQL). It parses in the target's dialect and allows exactly one
//! read-only query; execution then happens, independently, inside a read-only
//! transaction that is always rolled back (see `execute`).
use std::ops::ControlFlow;

use sqlparser::ast::{Expr, ObjectName, ObjectNamePart, Query, SetExpr, Statement, TableFactor, Visit, Visitor};
use sqlparser::dialect::{Dialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

use crate::targets::DbKind;
use crate::Error;

mod decode;
mod deny;
mod execute;

pub use execute::{execute, Limits};

/// Longest statement accepted, in bytes.
pub const MAX_SQL_BYTES: usize = 64 * 1024;

/// A statement that passed the guard. `sql` is the parsed statement printed back,
/// so what executes is exactly what was checked (no comments, no second statement).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedSql {
    pub sql: String,
}

fn reject(why: impl Into<String>) -> Error {
    Error::UnsafeSql(why.into())
}

fn dialect(kind: DbKind) -> Box<dyn Dialect> {
    match kind {
        DbKind::Postgres => Box::new(PostgreSqlDialect {}),
        DbKind::MySql => Box::new(MySqlDialect {}),
        DbKind::Sqlite => Box::new(SQLiteDialect {}),
    }
}

/// Allow exactly one read-only query in `kind`'s dialect, or say why not.
pub fn check(sql: &str, kind: DbKind) -> crate::Result<CheckedSql> {
    if sql.len() > MAX_SQL_BYTES {
        return Err(reject(format!("the statement is longer than {} KiB", MAX_SQL_BYTES / 1024)));
    }
    if sql.contains('\0') {
        return Err(reject("the statement contains a NUL byte"));
    }
    // MySQL runs the body of `/*! … */` comments; the parser would see a comment.
    if kind == DbKind::MySql && (sql.contains("/*!") || sql.contains("/*M!")) {
        return Err(reject("MySQL executable comments (/*! … */) are not allowed"));
    }
    let statements = Parser::parse_sql(dialect(kind).as_ref(), sql)
        .map_err(|e| reject(format!("the statement could not be parsed: {e}")))?;
    let statement = match statements.as_slice() {
        [] => return Err(reject("there is no statement")),
        [one] => one,
        _ => return Err(reject("only one statement is allowed at a time")),
    };
    match statement {
        Statement::Query(_) => {}
        Statement::Explain { analyze, options, statement: inner, .. } => {
            let analyze_option = options.iter().flatten().any(|o| o.name.value.eq_ignore_ascii_case("analyze"));
            if *analyze || analyze_option {
                return Err(reject("EXPLAIN ANALYZE runs the statement; only plain EXPLAIN is allowed"));
            }
            if !matches!(inner.as_ref(), Statement::Query(_)) {
                return Err(reject("only queries can be explained"));
            }
        }
        other => return Err(reject(format!("only read-only queries are allowed, not {}", statement_kind(other)))),
    }
    let mut walker = Walker { kind, top: true };
    if let ControlFlow::Break(why) = statement.visit(&mut walker) {
        return Err(reject(why));
    }
    Ok(CheckedSql { sql: statement.to_string() })
}

/// A short name for a statement, for the rejection message.
fn statement_kind(s: &Statement) -> String {
    let text = s.to_string();
    let words: Vec<&str> = text.split_whitespace().take(2).collect();
    let first = words.first().copied().unwrap_or("this statement").to_ascii_uppercase();
    match first.as_str() {
        "CREATE" | "DROP" | "ALTER" | "START" | "SET" | "SHOW" => {
            format!("{first} {}", words.get(1).copied().unwrap_or("").to_ascii_uppercase()).trim().to_owned()
        }
        _ => first,
    }
}

/// Walks every nested statement, query, table and expression.
struct Walker {
    kind: DbKind,
    top: bool,
}

fn last_part(name: &ObjectName) -> String {
    match name.0.last() {
        Some(ObjectNamePart::Identifier(id)) => id.value.to_ascii_lowercase(),
        Some(other) => other.to_string().to_ascii_lowercase(),
        None => String::new(),
    }
}

fn full_name(name: &ObjectName) -> String {
    name.0
        .iter()
        .map(|p| match p {
            ObjectNamePart::Identifier(id) => id.value.to_ascii_lowercase(),
            other => other.to_string().to_ascii_lowercase(),
        })
        .collect::<Vec<_>>()
        .join(".")
}

impl Visitor for Walker {
    type Break = String;

    fn pre_visit_statement(&mut self, s: &Statement) -> ControlFlow<String> {
        // The top statement was judged above; any nested one (a data-modifying
        // CTE, a statement inside EXPLAIN) must be a plain query.
        if std::mem::replace(&mut self.top, false) {
            return ControlFlow::Continue(());
        }
        match s {
            Statement::Query(_) => ControlFlow::Continue(()),
            other => ControlFlow::Break(format!("{} is not allowed inside a query", statement_kind(other))),
        }
    }

    fn pre_visit_query(&mut self, q: &Query) -> ControlFlow<String> {
        if !q.locks.is_empty() {
            return ControlFlow::Break("row locks (FOR UPDATE / FOR SHARE) are not allowed".into());
        }
        if q.for_clause.is_some() {
            return ControlFlow::Break("FOR clauses are not allowed".into());
        }
        if let Some(with) = &q.with {
            for cte in &with.cte_tables {
                if !matches!(
                    cte.query.body.as_ref(),
                    SetExpr::Select(_) | SetExpr::Query(_) | SetExpr::SetOperation { .. } | SetExpr::Values(_)
                ) {
                    return ControlFlow::Break("data-modifying WITH clauses are not allowed".into());
                }
            }
        }
        match q.body.as_ref() {
            SetExpr::Insert(_) | SetExpr::Update(_) | SetExpr::Delete(_) | SetExpr::Merge(_) => {
                ControlFlow::Break("data-modifying statements are not allowed".into())
            }
            SetExpr::Select(s) if s.into.is_some() => {
                ControlFlow::Break("SELECT INTO creates a table; it is not allowed".into())
            }
            _ => ControlFlow::Continue(()),
        }
    }

    fn pre_visit_table_factor(&mut self, t: &TableFactor) -> ControlFlow<String> {
        let name = match t {
            TableFactor::Table { name, .. } | TableFactor::Function { name, .. } => name,
            _ => return ControlFlow::Continue(()),
        };
        if let Some(why) = deny::function(self.kind, &last_part(name)) {
            return ControlFlow::Break(why);
        }
        match deny::relation(self.kind, &full_name(name)) {
            Some(why) => ControlFlow::Break(why),
            None => ControlFlow::Continue(()),
        }
    }

    fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<String> {
        if let Expr::Function(f) = e {
            if let Some(why) = deny::function(self.kind, &last_part(&f.name)) {
                return ControlFlow::Break(why);
            }
        }
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests;
