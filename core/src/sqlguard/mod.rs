//! The read-only SQL guard, applied to every statement from any source (the
//! model, a user editing SQL). Its layers, each of which would stop an attack
//! on its own:
//!
//! 1. [`lexer`]: the text is split as the server splits it, under session
//!    settings the executor pins; one statement only, bounded size, tokens
//!    and nesting; anything a server could read two ways is refused.
//! 2. [`agree`]: the parser's tokens must classify every byte (code, string,
//!    quoted name, comment) exactly as the lexer does.
//! 3. [`ast`] and [`allow`]: one query (or a plain `EXPLAIN` of one), whose
//!    clauses, expression forms, operators, functions and relations are all on
//!    allow-lists.
//! 4. [`execute`]: exactly the checked text runs, as one prepared statement,
//!    inside a read-only transaction that is always rolled back, under the
//!    engine's own limits (statement timeout, row limit, SQLite authorizer and
//!    progress handler), reading rows only up to the caps.
//!
//! Parsing runs off the async workers, a few at a time, with a deadline.
mod agree;
mod allow;
mod ast;
mod execute;
mod lexer;

pub use allow::MYSQL_SYSTEM_SCHEMAS;
pub use ast::Shape;
pub use execute::{execute, Ceiling, Limits, MAX_ROW_BYTES};

use std::sync::Arc;
use std::time::Duration;

use sqlparser::dialect::{Dialect, MySqlDialect, PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;
use sqlparser::tokenizer::Tokenizer;
use tokio::sync::Semaphore;

use crate::targets::DbKind;
use crate::Error;

/// Longest statement accepted, in bytes.
pub const MAX_SQL_BYTES: usize = 64 * 1024;
/// Longest a statement may take to analyse; generous, since the lexer's limits
/// already bound the parser's work.
const PARSE_DEADLINE: Duration = Duration::from_secs(2);
/// Statements analysed at once (each on a blocking thread).
const PARSERS: usize = 2;
/// How deep the parser may recurse (its default is 50).
const RECURSION_LIMIT: usize = 64;

/// A statement that passed the guard: `sql` is the caller's own text, cut to
/// the statement (no trailing `;` or comments), and it is exactly what runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedSql {
    pub sql: String,
    pub shape: Shape,
}

/// Where a statement will run: the engine and the connection's database.
#[derive(Debug, Clone)]
pub struct Scope {
    pub kind: DbKind,
    pub database: String,
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

/// Allow exactly one read-only query in `scope`'s dialect, or say why not.
/// Synchronous and CPU-bound: async callers use [`check_bounded`].
pub fn check(sql: &str, scope: &Scope) -> crate::Result<CheckedSql> {
    if sql.len() > MAX_SQL_BYTES {
        return Err(reject(format!("the statement is longer than {} KiB", MAX_SQL_BYTES / 1024)));
    }
    let whole = lexer::lex(sql, scope.kind).map_err(reject)?;
    let text = &sql[whole.statement.clone()];
    // Everything below sees exactly the text that will run.
    let lexed = lexer::lex(text, scope.kind).map_err(reject)?;
    // INTO is reserved on every engine, so unquoted it is never a name: it can
    // only start SELECT … INTO (a table, a file, variables), whatever the
    // parser makes of it.
    let mut code = lexed.tokens.iter().filter(|t| t.class == lexer::Class::Code);
    if code.any(|t| text[t.start..t.end].eq_ignore_ascii_case("into")) {
        return Err(reject("INTO is not allowed in a query (it writes a table, a file or variables)"));
    }
    let dialect = dialect(scope.kind);
    let tokens = Tokenizer::new(dialect.as_ref(), text)
        .with_unescape(false)
        .tokenize_with_location()
        .map_err(|e| reject(format!("the statement could not be read: {e}")))?;
    agree::check(text, &lexed, &tokens).map_err(reject)?;
    let statements = Parser::new(dialect.as_ref())
        .with_recursion_limit(RECURSION_LIMIT)
        .with_tokens_with_locations(tokens)
        .parse_statements()
        .map_err(|e| reject(format!("the statement could not be parsed: {e}")))?;
    let statement = match statements.as_slice() {
        [one] => one,
        [] => return Err(reject("there is no statement")),
        _ => return Err(reject("only one statement is allowed at a time")),
    };
    let shape = ast::check(statement, scope.kind, &scope.database).map_err(reject)?;
    Ok(CheckedSql { sql: text.to_owned(), shape })
}

/// The guard's reading of `sql`: its code and literal tokens in order (space
/// and comments left out), each with whether it is a string literal. For
/// differential tests against the servers.
pub fn split(sql: &str, kind: DbKind) -> Result<Vec<(bool, String)>, String> {
    let lexed = lexer::lex(sql, kind)?;
    Ok(lexed
        .tokens
        .iter()
        .filter(|t| matches!(t.class, lexer::Class::Code | lexer::Class::Str | lexer::Class::Ident))
        .map(|t| (t.class == lexer::Class::Str, sql[t.start..t.end].to_owned()))
        .collect())
}

/// Whether SQLite's authorizer may let a function run: the guard's allow-list.
pub fn sqlite_function_allowed(name: &str) -> bool {
    allow::function(DbKind::Sqlite, name)
}

/// [`check`] on a blocking thread, at most [`PARSERS`] at once, with a deadline.
pub async fn check_bounded(sql: &str, scope: &Scope) -> crate::Result<CheckedSql> {
    static SLOTS: std::sync::LazyLock<Arc<Semaphore>> = std::sync::LazyLock::new(|| Arc::new(Semaphore::new(PARSERS)));
    if sql.len() > MAX_SQL_BYTES {
        return Err(reject(format!("the statement is longer than {} KiB", MAX_SQL_BYTES / 1024)));
    }
    let busy = || reject("the statement took too long to analyse");
    let permit = tokio::time::timeout(PARSE_DEADLINE, SLOTS.clone().acquire_owned())
        .await
        .map_err(|_| busy())?
        .map_err(|e| Error::Internal(e.into()))?;
    let (sql, scope) = (sql.to_owned(), scope.clone());
    // The permit travels with the work: a runaway parse keeps its slot, so at
    // most PARSERS threads can ever be busy analysing.
    let task = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        check(&sql, &scope)
    });
    match tokio::time::timeout(PARSE_DEADLINE, task).await {
        Ok(Ok(result)) => result,
        Ok(Err(e)) => Err(Error::Internal(anyhow::anyhow!("guard task: {e}"))),
        Err(_) => Err(busy()),
    }
}

#[cfg(test)]
mod props;
#[cfg(test)]
mod tests;
