//! Functions and relations no query may touch, per dialect: they read or write
//! server files, reach other servers, change settings, signal backends, take
//! locks, sleep, or expose credentials.

use crate::targets::DbKind;

const POSTGRES_FUNCTIONS: &[&str] = &[
    "pg_read_file",
    "pg_read_binary_file",
    "pg_ls_dir",
    "pg_stat_file",
    "pg_ls_logdir",
    "pg_ls_waldir",
    "pg_ls_tmpdir",
    "pg_ls_archive_statusdir",
    "lo_import",
    "lo_export",
    "lo_get",
    "lo_put",
    "lo_create",
    "lo_creat",
    "lo_unlink",
    "lo_from_bytea",
    "lo_open",
    "lo_write",
    "lowrite",
    "loread",
    "dblink",
    "dblink_exec",
    "dblink_connect",
    "dblink_connect_u",
    "dblink_send_query",
    "dblink_get_result",
    "dblink_open",
    "dblink_fetch",
    "pg_terminate_backend",
    "pg_cancel_backend",
    "pg_reload_conf",
    "pg_rotate_logfile",
    "set_config",
    "pg_sleep",
    "pg_sleep_for",
    "pg_sleep_until",
    "pg_advisory_lock",
    "pg_advisory_lock_shared",
    "pg_advisory_xact_lock",
    "pg_advisory_xact_lock_shared",
    "pg_try_advisory_lock",
    "pg_try_advisory_lock_shared",
    "pg_try_advisory_xact_lock",
    "pg_try_advisory_xact_lock_shared",
    "pg_notify",
    "query_to_xml",
    "query_to_xml_and_xmlschema",
    "query_to_xmlschema",
    "cursor_to_xml",
    "pg_logical_emit_message",
    "nextval",
    "setval",
    "pg_create_restore_point",
    "pg_switch_wal",
    "pg_promote",
    "pg_file_write",
    "pg_file_rename",
    "pg_file_unlink",
    "pg_stat_reset",
    "pg_create_logical_replication_slot",
    "pg_create_physical_replication_slot",
    "pg_drop_replication_slot",
    "pg_import_system_collations",
    "txid_current",
    "pg_current_xact_id",
    "pg_backup_start",
    "pg_backup_stop",
];

const MYSQL_FUNCTIONS: &[&str] = &[
    "load_file",
    "sleep",
    "benchmark",
    "get_lock",
    "release_lock",
    "release_all_locks",
    "is_free_lock",
    "is_used_lock",
    "master_pos_wait",
    "source_pos_wait",
    "sys_exec",
    "sys_eval",
    "sys_get",
    "sys_set",
    "lo_import",
    "lo_export",
    "uuid_short",
    "wait_for_executed_gtid_set",
    "wait_until_sql_thread_after_gtids",
];

const SQLITE_FUNCTIONS: &[&str] =
    &["load_extension", "readfile", "writefile", "edit", "fts3_tokenizer", "sqlite_offset", "zipfile", "fsdir"];

const POSTGRES_RELATIONS: &[&str] =
    &["pg_authid", "pg_shadow", "pg_user_mapping", "pg_user_mappings", "pg_largeobject"];
const MYSQL_RELATIONS: &[&str] = &["mysql.user", "mysql.global_priv", "mysql.db", "mysql.servers", "mysql.plugin"];

/// Why `name` (lower case, unqualified) may not be called, if it may not.
pub fn function(kind: DbKind, name: &str) -> Option<String> {
    let list = match kind {
        DbKind::Postgres => POSTGRES_FUNCTIONS,
        DbKind::MySql => MYSQL_FUNCTIONS,
        DbKind::Sqlite => SQLITE_FUNCTIONS,
    };
    list.contains(&name).then(|| format!("the function {name}() is not allowed"))
}

/// Why the relation `name` (lower case, as qualified in the query) may not be read.
pub fn relation(kind: DbKind, name: &str) -> Option<String> {
    let unqualified = name.rsplit('.').next().unwrap_or(name);
    let denied = match kind {
        DbKind::Postgres => POSTGRES_RELATIONS.contains(&unqualified),
        DbKind::MySql => MYSQL_RELATIONS.contains(&name) || (name.starts_with("mysql.") && unqualified == "user"),
        DbKind::Sqlite => false,
    };
    denied.then(|| format!("reading {name} is not allowed"))
}
