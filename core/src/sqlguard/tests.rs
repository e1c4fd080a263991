use std::time::{Duration, Instant};

use super::*;

const ALL: [DbKind; 3] = [DbKind::Postgres, DbKind::MySql, DbKind::Sqlite];

fn scope(kind: DbKind) -> Scope {
    Scope { kind, database: "shop".into() }
}

fn ok(sql: &str, kind: DbKind) -> CheckedSql {
    match check(sql, &scope(kind)) {
        Ok(c) => c,
        Err(e) => panic!("{kind:?} refused {sql:?}: {e}"),
    }
}

fn refused(sql: &str, kind: DbKind) -> String {
    match check(sql, &scope(kind)) {
        Err(Error::UnsafeSql(why)) => why,
        other => panic!("{kind:?} accepted {sql:?}: {other:?}"),
    }
}

#[test]
fn plain_queries_pass_in_every_dialect() {
    for kind in ALL {
        for sql in [
            "SELECT 1",
            "select name from customers where id = 3;",
            "WITH t AS (SELECT 1 AS x) SELECT x FROM t",
            "SELECT a.x, count(*) FROM a JOIN b ON a.id = b.a_id GROUP BY a.x ORDER BY 2 DESC LIMIT 10",
            "SELECT * FROM (SELECT 1) s UNION ALL SELECT 2",
            "EXPLAIN SELECT 1",
            "SELECT c.country, COUNT(DISTINCT c.id) AS n, SUM(i.total) AS revenue FROM customers c \
             LEFT JOIN invoices i ON i.customer_id = c.id WHERE c.country IN ('Brazil', 'France') \
             GROUP BY c.country HAVING SUM(i.total) > 10 ORDER BY revenue DESC LIMIT 5 OFFSET 0",
            "SELECT name, CASE WHEN price > 10 THEN 'high' ELSE 'low' END AS band FROM products",
            "SELECT * FROM orders o WHERE EXISTS (SELECT 1 FROM items i WHERE i.order_id = o.id) AND o.id NOT IN (1, 2)",
            "SELECT id, ROW_NUMBER() OVER (PARTITION BY country ORDER BY total DESC) AS rn FROM customers",
            "SELECT UPPER(name), LOWER(name), LENGTH(name), COALESCE(city, 'n/a'), ROUND(AVG(total), 2) FROM t GROUP BY 1, 2, 3, 4",
            "SELECT name FROM artists WHERE name LIKE '%Led%' ORDER BY name",
            "SELECT CAST(total AS INTEGER) FROM invoices",
            "SELECT 'It''s' AS quote, \"name\" FROM t -- trailing comment",
            "/* leading comment */ SELECT 1",
        ] {
            ok(sql, kind);
        }
    }
    for sql in [
        "VALUES (1), (2)",
        "SELECT date_trunc('month', created_at) AS m, count(*) FROM orders WHERE created_at >= now() - interval '30 days' GROUP BY 1",
        "SELECT extract(year FROM created_at)::int, to_char(created_at, 'YYYY-MM') FROM orders",
        "SELECT * FROM generate_series(1, 10) AS g(n)",
        "SELECT string_agg(name, ', ' ORDER BY name) FROM t",
        "SELECT data->>'k', data @> '{\"a\":1}' FROM docs WHERE tags && ARRAY['x']",
        "SELECT relname FROM pg_catalog.pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace",
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
        "SELECT E'a\\'b', $$dollar ' quoted$$, $t$tag$t$",
        "EXPLAIN (FORMAT JSON, COSTS false) SELECT * FROM t",
        "SELECT name FROM t WHERE name ILIKE 'a%' AND name ~* 'b'",
    ] {
        ok(sql, DbKind::Postgres);
    }
    for sql in [
        "SELECT DATE_FORMAT(created_at, '%Y-%m') AS m, COUNT(*) FROM orders WHERE created_at >= NOW() - INTERVAL 30 DAY GROUP BY m",
        "SELECT `name`, \"double quoted string\", 'it\\'s' FROM `t`",
        "SELECT IFNULL(a, 0), IF(a > 1, 'x', 'y'), GROUP_CONCAT(b SEPARATOR ', ') FROM t GROUP BY a",
        "SELECT * FROM shop.t",
        "SELECT TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'shop'",
        "SELECT 1 # hash comment",
        "SELECT 5 DIV 2, 5 % 2",
    ] {
        ok(sql, DbKind::MySql);
    }
    for sql in [
        "SELECT strftime('%Y-%m', created_at) AS m, count(*) FROM orders WHERE created_at >= date('now', '-30 days') GROUP BY m",
        "SELECT [order id], `x` FROM t",
        "SELECT name, type FROM sqlite_master",
        "SELECT * FROM pragma_table_info('orders')",
        "SELECT json_extract(data, '$.a') FROM docs",
        "SELECT total(x), group_concat(y, ';'), iif(a, 1, 2), typeof(a) FROM t",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10) SELECT x FROM c",
    ] {
        ok(sql, DbKind::Sqlite);
    }
}

#[test]
fn what_runs_is_the_callers_own_text_cut_to_the_statement() {
    let checked = ok("  /* note */ SELECT  'a''b' ,\n 2 ; ;  -- bye\n", DbKind::Postgres);
    assert_eq!(checked.sql, "SELECT  'a''b' ,\n 2");
    assert_eq!(checked.shape, Shape::Query);
    assert_eq!(ok("EXPLAIN SELECT 1", DbKind::Sqlite).shape, Shape::Explain);
    // The reprint of 0.59 turned this literal into an unterminated one.
    let sql = r"SELECT '\''' AS a, '; COMMIT; ATTACH DATABASE char(47) AS s; BEGIN; --' AS b";
    assert_eq!(ok(sql, DbKind::Sqlite).sql, sql);
    assert_eq!(ok(sql, DbKind::Postgres).sql, sql);
}

#[test]
fn writes_ddl_and_session_changes_are_rejected_with_a_reason() {
    for kind in ALL {
        for sql in [
            "INSERT INTO t VALUES (1)",
            "UPDATE t SET x = 1",
            "DELETE FROM t",
            "DROP TABLE t",
            "CREATE TABLE x (a int)",
            "ALTER TABLE t ADD COLUMN y int",
            "SELECT 1; DROP TABLE t",
            "SELECT 1; SELECT 2",
            "",
            "   ;  ",
            "SELECT * INTO new_t FROM t",
            "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d",
            "SELECT ?",
        ] {
            refused(sql, kind);
        }
    }
    for sql in [
        "SELECT * FROM t FOR UPDATE",
        "SELECT * FROM t FOR SHARE",
        "EXPLAIN ANALYZE SELECT 1",
        "EXPLAIN (ANALYZE) SELECT 1",
        "EXPLAIN (ANALYSE) SELECT 1",
        "EXPLAIN (analyse true, buffers) SELECT 1",
        "EXPLAIN (SETTINGS) SELECT 1",
        "EXPLAIN ANALYZE DELETE FROM t",
        "COPY t TO '/tmp/x'",
        "SET statement_timeout = 0",
        "BEGIN",
        "COMMIT",
        "CALL p()",
        "SELECT $1",
        "TABLE pg_authid",
    ] {
        refused(sql, DbKind::Postgres);
    }
    for sql in [
        "SELECT * FROM t INTO OUTFILE '/tmp/x'",
        "SELECT * INTO DUMPFILE '/tmp/x' FROM t",
        "SELECT a INTO @v FROM t",
        "SELECT @@datadir",
        "SELECT @a := 1",
        "SELECT 1 /*!50000 , LOAD_FILE('/etc/passwd') */",
        "SELECT /*+ SET_VAR(sql_mode='ANSI_QUOTES') */ 1",
        "ANALYZE SELECT 1",
        "EXPLAIN ANALYZE SELECT 1",
        "SELECT \\N",
        "HANDLER t OPEN",
        "DO SLEEP(1)",
    ] {
        refused(sql, DbKind::MySql);
    }
    for sql in [
        "ATTACH DATABASE '/tmp/x.db' AS x",
        "PRAGMA writable_schema = 1",
        "PRAGMA query_only = 0",
        "VACUUM INTO '/tmp/x'",
        "SELECT * FROM s.users",
        "SELECT :name",
        "SELECT $a(')",
        "SELECT * FROM pragma_database_list",
    ] {
        refused(sql, DbKind::Sqlite);
    }
}

#[test]
fn only_allow_listed_functions_run_and_the_refusal_names_them() {
    let cases: &[(DbKind, &str, &str)] = &[
        (DbKind::Postgres, "SELECT pg_read_file('/etc/passwd')", "pg_read_file"),
        (DbKind::Postgres, "SELECT * FROM ts_stat($$SELECT to_tsvector(pg_read_file('/etc/passwd'))$$)", "ts_stat"),
        (DbKind::Postgres, "SELECT ts_rewrite('a'::tsquery, 'SELECT 1')", "ts_rewrite"),
        (DbKind::Postgres, "SELECT table_to_xml('pg_authid', true, false, '')", "table_to_xml"),
        (DbKind::Postgres, "SELECT query_to_xml('select 1', true, true, '')", "query_to_xml"),
        (DbKind::Postgres, "SELECT \"pg_read_file\"('/etc/passwd')", "pg_read_file"),
        (DbKind::Postgres, "SELECT pg_catalog.pg_ls_dir('.')", "pg_ls_dir"),
        (DbKind::Postgres, "SELECT public.upper('x')", "upper"),
        (DbKind::Postgres, "SELECT dblink_exec('dbname=x', 'DROP TABLE t')", "dblink_exec"),
        (DbKind::Postgres, "SELECT pg_terminate_backend(1)", "pg_terminate_backend"),
        (DbKind::Postgres, "SELECT pg_advisory_lock(1)", "pg_advisory_lock"),
        (
            DbKind::Postgres,
            "SELECT pg_create_physical_replication_slot('s', true)",
            "pg_create_physical_replication_slot",
        ),
        (DbKind::Postgres, "SELECT upper(pg_read_file('/x'))", "pg_read_file"),
        (DbKind::Postgres, "SELECT nextval('s')", "nextval"),
        (DbKind::Postgres, "SELECT set_config('a', 'b', false)", "set_config"),
        (DbKind::Postgres, "SELECT * FROM dblink('host=x', 'select 1') AS t(a int)", "dblink"),
        (DbKind::Postgres, "SELECT lo_import('/etc/passwd')", "lo_import"),
        (DbKind::Postgres, "SELECT pg_sleep(10)", "pg_sleep"),
        (DbKind::MySql, "SELECT LOAD_FILE(0x2f6574632f706173737764)", "LOAD_FILE"),
        (DbKind::MySql, "SELECT GET_LOCK('a', 10)", "GET_LOCK"),
        (DbKind::MySql, "SELECT SLEEP(5)", "SLEEP"),
        (DbKind::MySql, "SELECT BENCHMARK(1000000, MD5('a'))", "BENCHMARK"),
        (DbKind::MySql, "SELECT `upper`('x')", "upper"),
        (DbKind::MySql, "SELECT LAST_INSERT_ID(5)", "LAST_INSERT_ID"),
        (DbKind::Sqlite, "SELECT load_extension('x')", "load_extension"),
        (DbKind::Sqlite, "SELECT writefile('/tmp/x', 'y')", "writefile"),
        (DbKind::Sqlite, "SELECT randomblob(400000000)", "randomblob"),
        (DbKind::Sqlite, "SELECT zeroblob(1000000000)", "zeroblob"),
    ];
    for (kind, sql, name) in cases {
        let why = refused(sql, *kind);
        assert!(why.contains(name), "{kind:?} {sql}: {why}");
    }
}

#[test]
fn catalogs_of_credentials_configuration_and_activity_are_refused() {
    for sql in [
        "SELECT * FROM pg_authid",
        "SELECT usename, passwd FROM pg_shadow",
        "SELECT * FROM pg_catalog.pg_authid",
        "SELECT query FROM pg_stat_activity",
        "SELECT * FROM pg_hba_file_rules",
        "SELECT * FROM pg_file_settings",
        "SELECT * FROM pg_settings",
        "SELECT * FROM pg_user_mappings",
        "SELECT * FROM \"pg_authid\"",
        "WITH x AS (SELECT * FROM pg_authid) SELECT * FROM x",
        "SELECT (SELECT rolpassword FROM pg_authid LIMIT 1)",
        "SELECT * FROM information_schema.user_mapping_options",
    ] {
        refused(sql, DbKind::Postgres);
    }
    for sql in [
        "SELECT * FROM mysql.user",
        "SELECT * FROM `mysql`.`user`",
        "SELECT * FROM information_schema.PROCESSLIST",
        "SELECT * FROM performance_schema.threads",
        "SELECT * FROM other_db.secrets",
        "SELECT * FROM t JOIN mysql.db d ON 1 = 1",
    ] {
        refused(sql, DbKind::MySql);
    }
    let in_mysql = Scope { kind: DbKind::MySql, database: "mysql".into() };
    assert!(check("SELECT user, authentication_string FROM user", &in_mysql).is_err());
}

#[test]
fn quoting_that_the_server_and_the_parser_could_read_differently_is_refused() {
    // The penetration test's MySQL backslash differential, both quote styles.
    for sql in [
        r#"SELECT '\' AS a, ' FROM dual INTO OUTFILE "/tmp/x" -- ' AS b"#,
        r#"SELECT "\" AS a, " FROM dual INTO OUTFILE '/tmp/x' -- " AS b"#,
        r#"SELECT '\' AS a, ', LOAD_FILE(0x2f6574632f706173737764) AS b -- ' AS c"#,
        r#"SELECT '\\\' AS a, ', GET_LOCK('x', 1) -- ' AS b"#,
    ] {
        refused(sql, DbKind::MySql);
    }
    // PostgreSQL with standard_conforming_strings: a backslash is a character.
    let sql = r"SELECT '\' AS a, pg_read_file('/etc/passwd') -- '";
    assert!(refused(sql, DbKind::Postgres).contains("pg_read_file"));
    let sql = r"SELECT E'\' AS a, pg_read_file(''/etc/passwd'') -- '";
    ok(sql, DbKind::Postgres);
}

#[test]
fn nesting_is_bounded_before_the_parser_and_parsing_stays_fast() {
    let shapes: &[(&str, &str)] = &[
        ("NOT (", ")"),
        ("f(", ")"),
        ("upper(", ")"),
        ("CAST(", " AS INT)"),
        ("ARRAY[", "]"),
        ("(", ")"),
        ("(SELECT ", ")"),
        ("coalesce(1, ", ")"),
        ("CASE WHEN (", ") THEN 1 END"),
        ("1 + (", ")"),
        ("- (", ")"),
        ("EXISTS (SELECT ", ")"),
        ("(1, ", ")"),
    ];
    for kind in ALL {
        for (open, close) in shapes {
            for depth in [8, 20, 26, 32, 33, 45, 100, 500] {
                let sql = format!("SELECT {}1{}", open.repeat(depth), close.repeat(depth));
                let started = Instant::now();
                let outcome = check(&sql, &scope(kind));
                let took = started.elapsed();
                assert!(took < Duration::from_millis(500), "{kind:?} {open} x{depth}: {took:?}");
                if depth > lexer::MAX_DEPTH {
                    assert!(outcome.is_err(), "{kind:?} {open} x{depth}");
                }
            }
        }
        // Nesting without brackets is bounded by the parser's recursion limit.
        for chain in ["NOT ", "- ", "~ "] {
            let sql = format!("SELECT {}1", chain.repeat(2_000));
            let started = Instant::now();
            let _ = check(&sql, &scope(kind));
            assert!(started.elapsed() < Duration::from_millis(500), "{kind:?} {chain}");
        }
    }
}

#[test]
fn the_reason_names_what_was_refused() {
    let why = refused("DELETE FROM t", DbKind::Postgres);
    assert!(why.contains("DELETE"), "{why}");
    let long = format!("SELECT '{}'", "x".repeat(MAX_SQL_BYTES));
    assert!(refused(&long, DbKind::Sqlite).contains("longer"));
    assert!(refused("SELECT * FROM mysql.user", DbKind::MySql).contains("mysql.user"));
}

#[tokio::test]
async fn the_bounded_check_runs_off_the_async_workers() {
    let scope = scope(DbKind::Postgres);
    assert!(check_bounded("SELECT 1", &scope).await.is_ok());
    assert!(check_bounded("DELETE FROM t", &scope).await.is_err());
    let many: Vec<_> = (0..20).map(|_| check_bounded("SELECT count(*) FROM t", &scope)).collect();
    for r in futures_util::future::join_all(many).await {
        assert!(r.is_ok());
    }
}
