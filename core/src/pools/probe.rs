//! Facts about a target login: the server's version, whether it can write,
//! and whether it holds rights beyond reading data (superuser, server files,
//! other sessions), which production refuses unless the owner accepts them.
use super::Pool;

/// The server's version string, if it reports one.
pub async fn server_version(pool: &Pool) -> Option<String> {
    let r: sqlx::Result<(String,)> = match pool {
        Pool::Postgres(p) => sqlx::query_as("SELECT version()").fetch_one(p).await,
        Pool::MySql { pool, .. } => sqlx::query_as("SELECT CAST(VERSION() AS CHAR)").fetch_one(pool).await,
        Pool::Sqlite(f) => {
            let v = f.run(None, |c| c.query_row("SELECT sqlite_version()", [], |r| r.get::<_, String>(0))).await;
            return v.ok().and_then(Result::ok).map(|v| format!("SQLite {v}"));
        }
    };
    r.ok().map(|(v,)| v)
}

/// Warnings for logins that could change data. Queries stay read-only whatever the
/// login may do, but a read-only login is the safer setup.
pub async fn write_warnings(pool: &Pool) -> Vec<String> {
    let can_write = match pool {
        Pool::Postgres(p) => sqlx::query_as::<_, (bool,)>(
            "SELECT r.rolsuper OR EXISTS ( \
               SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
               WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') \
                 AND has_table_privilege(c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE')) \
             FROM pg_roles r WHERE r.rolname = current_user",
        )
        .fetch_one(p)
        .await
        .map(|(w,)| w)
        .unwrap_or(false),
        Pool::MySql { pool, .. } => grants(pool).await.iter().any(|g| grants_write(g)),
        Pool::Sqlite(_) => false,
    };
    if can_write {
        vec!["This database user can modify data. SQLAgent only runs read-only queries, \
              but a read-only database user is recommended."
            .into()]
    } else {
        Vec::new()
    }
}

/// Rights of the login beyond reading and writing data: superuser, server
/// files and programs, other sessions, replication, managing users.
pub async fn privilege_warnings(pool: &Pool) -> Vec<String> {
    match pool {
        Pool::Postgres(p) => sqlx::query_as::<_, (Option<String>,)>(
            "SELECT concat_ws(', ', \
                 CASE WHEN r.rolsuper THEN 'superuser' END, \
                 CASE WHEN r.rolreplication THEN 'replication' END, \
                 CASE WHEN r.rolbypassrls THEN 'bypassrls' END, \
                 CASE WHEN r.rolcreaterole THEN 'createrole' END, \
                 (SELECT string_agg(g.rolname, ', ' ORDER BY g.rolname) FROM pg_roles g \
                   WHERE g.rolname IN ('pg_read_server_files', 'pg_write_server_files', \
                         'pg_execute_server_program', 'pg_signal_backend', 'pg_read_all_data', \
                         'pg_write_all_data', 'pg_read_all_settings', 'pg_monitor') \
                     AND pg_has_role(r.oid, g.oid, 'MEMBER'))) \
             FROM pg_roles r WHERE r.rolname = current_user",
        )
        .fetch_one(p)
        .await
        .ok()
        .and_then(|(rights,)| rights)
        .filter(|r| !r.is_empty())
        .map(|r| r.split(", ").map(str::to_owned).collect())
        // A login that cannot even read its own role is treated as privileged.
        .unwrap_or_default(),
        Pool::MySql { pool, .. } => {
            let mut rights: Vec<String> = grants(pool).await.iter().flat_map(|g| global_rights(g)).collect();
            rights.sort();
            rights.dedup();
            rights
        }
        Pool::Sqlite(_) => Vec::new(),
    }
}

async fn grants(pool: &sqlx::MySqlPool) -> Vec<String> {
    sqlx::query_scalar::<_, String>("SHOW GRANTS").fetch_all(pool).await.unwrap_or_default()
}

/// The privileges of one `SHOW GRANTS` line, upper-cased.
fn privileges(grant: &str) -> Option<(Vec<String>, String)> {
    let upper = grant.to_ascii_uppercase();
    let rest = upper.strip_prefix("GRANT ")?;
    let (privs, on) = rest.split_once(" ON ")?;
    Some((privs.split(',').map(|p| p.trim().to_owned()).collect(), on.to_owned()))
}

/// Whether one `SHOW GRANTS` line gives a data-changing privilege.
fn grants_write(grant: &str) -> bool {
    let Some((privs, _)) = privileges(grant) else { return false };
    privs.iter().any(|p| {
        matches!(
            p.as_str(),
            "ALL" | "ALL PRIVILEGES" | "INSERT" | "UPDATE" | "DELETE" | "DROP" | "ALTER" | "CREATE" | "FILE" | "SUPER"
        )
    })
}

/// Server-wide rights (on `*.*`) beyond reading data.
fn global_rights(grant: &str) -> Vec<String> {
    let Some((privs, on)) = privileges(grant) else { return Vec::new() };
    if !on.trim_start().starts_with("*.*") {
        return Vec::new();
    }
    let mut out: Vec<String> = privs
        .into_iter()
        .filter(|p| {
            matches!(
                p.as_str(),
                "ALL" | "ALL PRIVILEGES" | "SUPER" | "FILE" | "PROCESS" | "SHUTDOWN" | "RELOAD" | "CREATE USER"
            ) || p.ends_with(" ADMIN")
                || p.starts_with("REPLICATION")
        })
        .map(|p| p.to_ascii_lowercase())
        .collect();
    if on.contains("WITH GRANT OPTION") {
        out.push("grant option".into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{global_rights, grants_write};

    #[test]
    fn mysql_grants_with_write_privileges_are_flagged() {
        assert!(grants_write("GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION"));
        assert!(grants_write("GRANT SELECT, INSERT ON `shop`.* TO `app`@`%`"));
        assert!(!grants_write("GRANT SELECT ON `shop`.* TO `reader`@`%`"));
        assert!(!grants_write("GRANT USAGE ON *.* TO `reader`@`%`"));
    }

    #[test]
    fn server_wide_rights_are_named() {
        assert_eq!(
            global_rights("GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION"),
            ["all privileges", "grant option"]
        );
        assert_eq!(global_rights("GRANT FILE, PROCESS ON *.* TO `x`@`%`"), ["file", "process"]);
        assert!(global_rights("GRANT USAGE ON *.* TO `reader`@`%`").is_empty());
        assert!(global_rights("GRANT ALL PRIVILEGES ON `shop`.* TO `app`@`%`").is_empty());
    }
}
