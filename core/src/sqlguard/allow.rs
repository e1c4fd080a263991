//! What a query may name: built-in functions and catalog relations, per
//! dialect. These are allow-lists: a function or catalog that is not listed is
//! refused, so a new or forgotten dangerous one (a function that reads files,
//! runs SQL text, signals backends, takes locks or sleeps) is refused by default.

use crate::targets::DbKind;

/// Functions every engine spells the same way and that only compute.
#[rustfmt::skip]
const COMMON: &[&str] = &[
    // aggregates
    "count", "sum", "avg", "min", "max",
    // window functions
    "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead", "first_value",
    "last_value", "nth_value",
    // conditionals
    "coalesce", "nullif",
    // numbers
    "abs", "round", "sign", "ceil", "ceiling", "floor", "sqrt", "power", "pow", "exp", "ln", "log", "log10",
    "mod", "pi", "degrees", "radians", "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "random",
    // text
    "length", "lower", "upper", "trim", "ltrim", "rtrim", "replace", "substr", "substring", "concat",
    "concat_ws", "instr", "char_length", "character_length", "octet_length", "reverse", "left", "right", "lpad",
    "rpad", "repeat", "format",
    // dates
    "current_date", "current_time", "current_timestamp", "localtime", "localtimestamp",
];

#[rustfmt::skip]
const POSTGRES: &[&str] = &[
    // aggregates and statistics
    "array_agg", "string_agg", "bool_and", "bool_or", "every", "bit_and", "bit_or", "bit_xor", "json_agg",
    "jsonb_agg", "json_object_agg", "jsonb_object_agg", "stddev", "stddev_pop", "stddev_samp", "variance",
    "var_pop", "var_samp", "corr", "covar_pop", "covar_samp", "regr_slope", "regr_intercept", "regr_count",
    "regr_r2", "regr_avgx", "regr_avgy", "percentile_cont", "percentile_disc", "mode", "any_value", "range_agg",
    // conditionals
    "greatest", "least", "num_nulls", "num_nonnulls",
    // numbers
    "trunc", "cbrt", "div", "width_bucket", "gcd", "lcm", "factorial", "scale", "trim_scale", "min_scale",
    "sinh", "cosh", "tanh", "cot", "log2",
    // text
    "bit_length", "initcap", "btrim", "split_part", "strpos", "position", "starts_with", "translate",
    "regexp_replace", "regexp_match", "regexp_matches", "regexp_split_to_array", "regexp_split_to_table",
    "regexp_like", "regexp_count", "regexp_substr", "regexp_instr", "md5", "sha224", "sha256", "sha384",
    "sha512", "encode", "decode", "to_hex", "ascii", "chr", "quote_ident", "quote_literal", "quote_nullable",
    "string_to_array", "string_to_table", "array_to_string", "normalize", "overlay", "unistr", "casefold",
    // dates and times
    "now", "date_trunc", "date_part", "extract", "age", "make_date", "make_time", "make_timestamp",
    "make_timestamptz", "make_interval", "to_char", "to_date", "to_timestamp", "to_number", "date_bin",
    "date_add", "date_subtract", "justify_days", "justify_hours", "justify_interval", "isfinite",
    "clock_timestamp", "statement_timestamp", "transaction_timestamp", "timeofday", "timezone",
    // JSON
    "to_json", "to_jsonb", "json_build_object", "jsonb_build_object", "json_build_array", "jsonb_build_array",
    "json_object", "jsonb_object", "array_to_json", "row_to_json", "json_array_length", "jsonb_array_length",
    "json_each", "jsonb_each", "json_each_text", "jsonb_each_text", "json_object_keys", "jsonb_object_keys",
    "json_extract_path", "jsonb_extract_path", "json_extract_path_text", "jsonb_extract_path_text",
    "json_array_elements", "jsonb_array_elements", "json_array_elements_text", "jsonb_array_elements_text",
    "json_typeof", "jsonb_typeof", "jsonb_pretty", "json_strip_nulls", "jsonb_strip_nulls", "jsonb_set",
    "jsonb_insert", "jsonb_path_query", "jsonb_path_query_array", "jsonb_path_query_first", "jsonb_path_exists",
    "jsonb_path_match", "json_to_record", "jsonb_to_record", "json_to_recordset", "jsonb_to_recordset",
    // arrays and sets
    "array_length", "array_position", "array_positions", "array_remove", "array_replace", "array_append",
    "array_prepend", "array_cat", "array_dims", "array_lower", "array_upper", "array_ndims", "cardinality",
    "unnest", "generate_series", "generate_subscripts", "array_fill", "array_reverse", "array_sample",
    "array_shuffle", "trim_array",
    // ranges
    "isempty", "lower_inc", "upper_inc", "lower_inf", "upper_inf", "range_merge",
    // full-text search over values (never ts_stat / ts_rewrite: they run SQL text)
    "to_tsvector", "to_tsquery", "plainto_tsquery", "phraseto_tsquery", "websearch_to_tsquery", "ts_rank",
    "ts_rank_cd", "ts_headline", "setweight", "strip", "numnode", "querytree", "tsvector_to_array",
    "array_to_tsvector", "ts_delete", "ts_filter",
    // types and names of the session's own objects
    "pg_typeof", "format_type", "current_database", "current_schema", "current_schemas", "to_regclass",
    "to_regtype", "obj_description", "col_description", "pg_get_viewdef", "pg_get_constraintdef",
    "pg_get_indexdef", "pg_get_expr", "pg_table_is_visible",
    // misc pure functions
    "gen_random_uuid", "uuidv4", "version", "bool",
];

#[rustfmt::skip]
const MYSQL: &[&str] = &[
    // aggregates and statistics
    "group_concat", "std", "stddev", "stddev_pop", "stddev_samp", "variance", "var_pop", "var_samp", "bit_and",
    "bit_or", "bit_xor", "json_arrayagg", "json_objectagg",
    // conditionals
    "if", "ifnull", "isnull", "greatest", "least", "interval",
    // numbers
    "truncate", "log2", "cot", "rand", "conv", "crc32", "bin", "oct", "hex", "unhex", "div",
    // text
    "lcase", "ucase", "substring_index", "space", "locate", "position", "strcmp", "field", "find_in_set", "elt",
    "ascii", "char", "ord", "quote", "soundex", "insert", "bit_length", "regexp_replace", "regexp_substr",
    "regexp_instr", "regexp_like", "md5", "sha1", "sha", "sha2", "to_base64", "from_base64", "weight_string",
    "make_set", "export_set", "format_bytes", "inet_aton", "inet_ntoa", "inet6_aton", "inet6_ntoa",
    "char_length",
    // dates and times
    "now", "curdate", "curtime", "sysdate", "utc_date", "utc_time", "utc_timestamp", "date", "time", "year",
    "month", "monthname", "day", "dayofmonth", "dayofweek", "dayofyear", "dayname", "week", "weekday",
    "weekofyear", "yearweek", "quarter", "hour", "minute", "second", "microsecond", "last_day", "date_add",
    "date_sub", "adddate", "subdate", "addtime", "subtime", "datediff", "timediff", "timestampdiff",
    "timestampadd", "date_format", "str_to_date", "time_format", "from_unixtime", "unix_timestamp", "makedate",
    "maketime", "period_add", "period_diff", "to_days", "from_days", "to_seconds", "sec_to_time", "time_to_sec",
    "extract", "convert_tz", "get_format", "timestamp",
    // JSON
    "json_extract", "json_unquote", "json_object", "json_array", "json_contains", "json_contains_path",
    "json_keys", "json_length", "json_type", "json_valid", "json_search", "json_value", "json_query",
    "json_depth", "json_pretty", "json_quote", "json_overlaps", "json_compact", "json_detailed", "json_loose",
    "json_exists", "json_normalize", "json_merge", "json_merge_patch", "json_merge_preserve", "json_set",
    "json_insert", "json_replace", "json_remove", "json_array_append", "json_array_insert",
    // names
    "database", "schema", "version", "charset", "collation", "coercibility",
];

#[rustfmt::skip]
const SQLITE: &[&str] = &[
    // aggregates
    "group_concat", "string_agg", "total", "median", "percentile", "percentile_cont", "percentile_disc",
    // conditionals and types
    "ifnull", "iif", "if", "typeof", "likely", "unlikely", "likelihood", "max", "min",
    // text
    "printf", "hex", "unhex", "quote", "char", "unicode", "soundex", "glob", "like", "octet_length",
    // numbers
    "trunc", "log2", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
    // dates
    "date", "time", "datetime", "julianday", "strftime", "unixepoch", "timediff",
    // JSON (values and the json_each / json_tree table functions)
    "json", "jsonb", "json_array", "json_array_length", "json_extract", "json_insert", "json_object",
    "json_patch", "json_remove", "json_replace", "json_set", "json_type", "json_valid", "json_quote",
    "json_group_array", "json_group_object", "json_each", "json_tree", "json_error_position", "->", "->>",
    // the schema of this database, read-only (never pragma_database_list: it shows paths)
    "pragma_table_info", "pragma_table_xinfo", "pragma_index_list", "pragma_index_info", "pragma_index_xinfo",
    "pragma_foreign_key_list", "sqlite_version",
];

/// Whether `name` (folded as the engine folds it) is a function a query may call.
pub fn function(kind: DbKind, name: &str) -> bool {
    let specific = match kind {
        DbKind::Postgres => POSTGRES,
        DbKind::MySql => MYSQL,
        DbKind::Sqlite => SQLITE,
    };
    COMMON.contains(&name) || specific.contains(&name)
}

/// `pg_catalog` relations that describe the database's own structure.
#[rustfmt::skip]
const POSTGRES_CATALOG: &[&str] = &[
    "pg_class", "pg_namespace", "pg_attribute", "pg_type", "pg_index", "pg_constraint", "pg_description",
    "pg_tables", "pg_views", "pg_matviews", "pg_indexes", "pg_sequences", "pg_enum", "pg_attrdef",
    "pg_inherits", "pg_am", "pg_collation", "pg_trigger", "pg_proc", "pg_stats", "pg_extension",
    "pg_partitioned_table",
];

/// `information_schema` views that describe structure (never processes or grants).
#[rustfmt::skip]
const INFORMATION_SCHEMA: &[&str] = &[
    "tables", "columns", "views", "schemata", "table_constraints", "key_column_usage",
    "referential_constraints", "constraint_column_usage", "constraint_table_usage", "check_constraints",
    "statistics", "sequences", "element_types", "domains", "collations", "character_sets", "column_statistics",
];

/// SQLite's own tables that only describe the schema.
#[rustfmt::skip]
const SQLITE_CATALOG: &[&str] = &[
    "sqlite_schema", "sqlite_master", "sqlite_temp_schema", "sqlite_temp_master", "sqlite_sequence",
    "sqlite_stat1",
];

/// Schemas a MySQL login must not be connected to: there, unqualified names are
/// the server's own tables (`user`, `processlist`, …).
pub const MYSQL_SYSTEM_SCHEMAS: &[&str] = &["mysql", "sys", "performance_schema", "information_schema"];

/// Why the relation named by `parts` (each folded as the engine folds it) may
/// not be read, or `None` when it may. `database` is the connection's database.
pub fn relation(kind: DbKind, database: &str, parts: &[String]) -> Option<String> {
    let shown = parts.join(".");
    let refuse = |why: &str| Some(format!("reading {shown} is not allowed: {why}"));
    match (kind, parts) {
        (DbKind::Postgres, [name]) if name.starts_with("pg_") => {
            // pg_catalog is searched first, so `pg_authid` is the catalog's.
            (!POSTGRES_CATALOG.contains(&name.as_str())).then(|| refuse("it is a system catalog")).flatten()
        }
        (DbKind::Postgres, [_]) => None,
        (DbKind::Postgres, [schema, name]) => match schema.as_str() {
            "pg_catalog" => {
                (!POSTGRES_CATALOG.contains(&name.as_str())).then(|| refuse("it is a system catalog")).flatten()
            }
            "information_schema" => (!INFORMATION_SCHEMA.contains(&name.as_str()))
                .then(|| refuse("only information_schema views about structure may be read"))
                .flatten(),
            s if s.starts_with("pg_") => refuse("it is a system schema"),
            _ => None,
        },
        (DbKind::MySql, [_]) if MYSQL_SYSTEM_SCHEMAS.contains(&database.to_ascii_lowercase().as_str()) => {
            refuse("this connection's database is a system schema")
        }
        (DbKind::MySql, [_]) => None,
        (DbKind::MySql, [schema, name]) => {
            if schema.eq_ignore_ascii_case("information_schema") {
                (!INFORMATION_SCHEMA.contains(&name.to_ascii_lowercase().as_str()))
                    .then(|| refuse("only information_schema views about structure may be read"))
                    .flatten()
            } else if schema == database {
                relation(kind, database, &parts[1..])
            } else {
                refuse("only this connection's database may be read")
            }
        }
        // Eponymous virtual tables: `FROM pragma_database_list` needs no brackets.
        (DbKind::Sqlite, [name]) if name.starts_with("pragma_") => {
            (!function(kind, name)).then(|| refuse("it is a pragma that is not allowed")).flatten()
        }
        (DbKind::Sqlite, [name]) if name.starts_with("sqlite_") => {
            (!SQLITE_CATALOG.contains(&name.as_str())).then(|| refuse("it is an internal table")).flatten()
        }
        (DbKind::Sqlite, [_]) => None,
        (DbKind::Sqlite, [schema, _]) if schema == "main" => relation(kind, database, &parts[1..]),
        _ => refuse("only this database's own tables may be read"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(s: &str) -> Vec<String> {
        s.split('.').map(str::to_owned).collect()
    }

    #[test]
    fn functions_that_reach_outside_the_query_are_not_listed() {
        for (kind, name) in [
            (DbKind::Postgres, "pg_read_file"),
            (DbKind::Postgres, "ts_stat"),
            (DbKind::Postgres, "ts_rewrite"),
            (DbKind::Postgres, "table_to_xml"),
            (DbKind::Postgres, "query_to_xml"),
            (DbKind::Postgres, "dblink_exec"),
            (DbKind::Postgres, "pg_advisory_lock"),
            (DbKind::Postgres, "pg_terminate_backend"),
            (DbKind::Postgres, "set_config"),
            (DbKind::Postgres, "nextval"),
            (DbKind::Postgres, "lo_import"),
            (DbKind::Postgres, "pg_sleep"),
            (DbKind::MySql, "load_file"),
            (DbKind::MySql, "get_lock"),
            (DbKind::MySql, "sleep"),
            (DbKind::MySql, "benchmark"),
            (DbKind::MySql, "last_insert_id"),
            (DbKind::Sqlite, "load_extension"),
            (DbKind::Sqlite, "readfile"),
            (DbKind::Sqlite, "pragma_database_list"),
            (DbKind::Sqlite, "randomblob"),
        ] {
            assert!(!function(kind, name), "{kind:?} {name}");
        }
        for (kind, name) in
            [(DbKind::Postgres, "date_trunc"), (DbKind::MySql, "date_format"), (DbKind::Sqlite, "strftime")]
        {
            assert!(function(kind, name), "{kind:?} {name}");
        }
    }

    #[test]
    fn catalogs_are_allowed_only_for_structure() {
        let pg = |s: &str| relation(DbKind::Postgres, "shop", &parts(s));
        assert!(pg("pg_authid").is_some() && pg("pg_catalog.pg_shadow").is_some());
        assert!(pg("pg_stat_activity").is_some() && pg("pg_hba_file_rules").is_some());
        assert!(pg("pg_file_settings").is_some() && pg("pg_settings").is_some());
        assert!(pg("pg_toast.pg_toast_1").is_some() && pg("a.b.c").is_some());
        assert!(pg("pg_class").is_none() && pg("information_schema.columns").is_none() && pg("sales.orders").is_none());
        let my = |s: &str| relation(DbKind::MySql, "shop", &parts(s));
        assert!(my("mysql.user").is_some() && my("information_schema.PROCESSLIST").is_some());
        assert!(my("other.t").is_some() && my("performance_schema.threads").is_some());
        assert!(my("shop.t").is_none() && my("t").is_none() && my("information_schema.TABLES").is_none());
        assert!(relation(DbKind::MySql, "mysql", &parts("user")).is_some());
        let lite = |s: &str| relation(DbKind::Sqlite, "x", &parts(s));
        assert!(lite("s.users").is_some() && lite("temp.t").is_some() && lite("sqlite_dbpage").is_some());
        assert!(lite("main.t").is_none() && lite("sqlite_master").is_none());
    }
}
