//! SQLite targets, opened through rusqlite so that the engine itself enforces
//! what the guard promises: an authorizer that allows reading and allow-listed
//! functions only (no ATTACH, no pragma writes, no writes of any kind), no
//! attached databases, a bound on every value's size, and a progress handler
//! that stops a statement at its deadline.
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::limits::Limit;
use rusqlite::{Connection, OpenFlags};
use tokio::sync::Semaphore;

use crate::sqlguard::MAX_ROW_BYTES;

/// Connections open at once on one file.
const MAX_CONNECTIONS: usize = 3;
/// Virtual machine steps between two looks at the deadline.
const PROGRESS_STEPS: i32 = 1_000;

/// A small pool of read-only connections to one SQLite file.
#[derive(Clone)]
pub struct SqliteFile {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
    slots: Semaphore,
}

impl std::fmt::Debug for SqliteFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteFile").finish_non_exhaustive()
    }
}

impl SqliteFile {
    pub fn new(path: PathBuf) -> Self {
        SqliteFile {
            inner: Arc::new(Inner { path, idle: Mutex::new(Vec::new()), slots: Semaphore::new(MAX_CONNECTIONS) }),
        }
    }

    /// Run `work` on a connection, on a blocking thread. With a `deadline`,
    /// any statement it runs is interrupted once the deadline passes. The outer
    /// error is the pool's, the inner one SQLite's.
    pub async fn run<T, F>(&self, deadline: Option<Instant>, work: F) -> crate::Result<rusqlite::Result<T>>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let _slot = self.inner.slots.acquire().await.map_err(|e| crate::Error::Internal(e.into()))?;
        let inner = self.inner.clone();
        let task = tokio::task::spawn_blocking(move || {
            let idle = inner.idle.lock().ok().and_then(|mut idle| idle.pop());
            let conn = match idle {
                Some(c) => c,
                None => open(&inner.path)?,
            };
            if let Some(deadline) = deadline {
                conn.progress_handler(PROGRESS_STEPS, Some(move || Instant::now() >= deadline));
            }
            let out = work(&conn);
            conn.progress_handler(PROGRESS_STEPS, None::<fn() -> bool>);
            if let Ok(mut idle) = inner.idle.lock() {
                idle.push(conn);
            }
            out
        });
        task.await.map_err(|e| crate::Error::Internal(e.into()))
    }

    /// Drop the idle connections.
    pub fn close(&self) {
        if let Ok(mut idle) = self.inner.idle.lock() {
            idle.clear();
        }
    }
}

/// Open `path` read-only (never creating it, never as a URI) with every engine
/// control on.
pub fn open(path: &Path) -> rusqlite::Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.set_limit(Limit::SQLITE_LIMIT_ATTACHED, 0);
    conn.set_limit(Limit::SQLITE_LIMIT_LENGTH, MAX_ROW_BYTES as i32);
    conn.set_limit(Limit::SQLITE_LIMIT_SQL_LENGTH, 128 * 1024);
    conn.set_limit(Limit::SQLITE_LIMIT_EXPR_DEPTH, 200);
    conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
    conn.busy_timeout(std::time::Duration::from_secs(2))?;
    conn.pragma_update(None, "query_only", true)?;
    // Functions with side effects may not run from views or triggers in the file.
    conn.pragma_update(None, "trusted_schema", false)?;
    conn.authorizer(Some(authorize));
    Ok(conn)
}

/// The engine-level allow-list: reading the main database, allow-listed
/// functions, recursive CTEs and the schema pragmas' table functions.
fn authorize(ctx: AuthContext<'_>) -> Authorization {
    let main = matches!(ctx.database_name, None | Some("main"));
    let allowed = match ctx.action {
        AuthAction::Select | AuthAction::Recursive => true,
        AuthAction::Read { .. } => main,
        AuthAction::Function { function_name } => {
            crate::sqlguard::sqlite_function_allowed(&function_name.to_ascii_lowercase())
        }
        // The table-valued `pragma_table_info(…)` and friends report as pragmas;
        // only these read-only schema pragmas, never one that sets a value.
        AuthAction::Pragma { pragma_name, .. } => matches!(
            pragma_name.to_ascii_lowercase().as_str(),
            "table_info" | "table_xinfo" | "index_list" | "index_info" | "index_xinfo" | "foreign_key_list"
        ),
        _ => false,
    };
    if allowed {
        Authorization::Allow
    } else {
        Authorization::Deny
    }
}
