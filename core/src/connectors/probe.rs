//! Facts about a target server: version, and whether the login can write.
use super::Pool;

/// The server's version string, if it reports one.
pub async fn server_version(pool: &Pool) -> Option<String> {
    let r: sqlx::Result<(String,)> = match pool {
        Pool::Postgres(p) => sqlx::query_as("SELECT version()").fetch_one(p).await,
        Pool::MySql(p) => sqlx::query_as("SELECT CAST(VERSION() AS CHAR)").fetch_one(p).await,
        Pool::Sqlite(p) => sqlx::query_as("SELECT 'SQLite ' || sqlite_version()").fetch_one(p).await,
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
        Pool::MySql(p) => sqlx::query_scalar::<_, String>("SHOW GRANTS")
            .fetch_all(p)
            .await
            .map(|grants| grants.iter().any(|g| grants_write(g)))
            .unwrap_or(false),
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

/// Whether one `SHOW GRANTS` line gives a data-changing privilege.
fn grants_write(grant: &str) -> bool {
    let upper = grant.to_ascii_uppercase();
    let Some(privs) = upper.strip_prefix("GRANT ").and_then(|g| g.split(" ON ").next()) else {
        return false;
    };
    privs.split(',').map(str::trim).any(|p| {
        matches!(
            p,
            "ALL" | "ALL PRIVILEGES" | "INSERT" | "UPDATE" | "DELETE" | "DROP" | "ALTER" | "CREATE" | "FILE" | "SUPER"
        )
    })
}

#[cfg(test)]
mod tests {
    use super::grants_write;

    #[test]
    fn mysql_grants_with_write_privileges_are_flagged() {
        assert!(grants_write("GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION"));
        assert!(grants_write("GRANT SELECT, INSERT ON `shop`.* TO `app`@`%`"));
        assert!(!grants_write("GRANT SELECT ON `shop`.* TO `reader`@`%`"));
        assert!(!grants_write("GRANT USAGE ON *.* TO `reader`@`%`"));
    }
}
