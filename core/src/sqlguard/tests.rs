use super::*;

const ALL: [DbKind; 3] = [DbKind::Postgres, DbKind::MySql, DbKind::Sqlite];

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
        ] {
            assert!(check(sql, kind).is_ok(), "{kind:?}: {sql} → {:?}", check(sql, kind));
        }
    }
    assert!(check("VALUES (1), (2)", DbKind::Postgres).is_ok());
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
        ] {
            let err = check(sql, kind).unwrap_err();
            assert!(matches!(err, Error::UnsafeSql(_)), "{kind:?}: {sql}");
        }
    }
    for sql in [
        "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d",
        "SELECT * INTO new_t FROM t",
        "SELECT * FROM t FOR UPDATE",
        "SELECT * FROM t FOR SHARE",
        "EXPLAIN ANALYZE SELECT 1",
        "EXPLAIN (ANALYZE) SELECT 1",
        "EXPLAIN ANALYZE DELETE FROM t",
        "COPY t TO '/tmp/x'",
        "SET statement_timeout = 0",
        "BEGIN",
        "COMMIT",
        "CALL p()",
        "SELECT pg_read_file('/etc/passwd')",
        "SELECT * FROM pg_ls_dir('.')",
        "select PG_SLEEP(10)",
        "SELECT set_config('x', 'y', false)",
        "SELECT dblink('host=x', 'select 1')",
        "SELECT * FROM pg_shadow",
        "SELECT nextval('s')",
        "SELECT query_to_xml('delete from t', true, true, '')",
    ] {
        assert!(check(sql, DbKind::Postgres).is_err(), "postgres: {sql}");
    }
    for sql in [
        "SELECT LOAD_FILE('/etc/passwd')",
        "SELECT SLEEP(5)",
        "SELECT GET_LOCK('a', 1)",
        "SELECT * FROM t INTO OUTFILE '/tmp/x'",
        "SELECT * FROM mysql.user",
        "SELECT BENCHMARK(1000000, MD5('a'))",
    ] {
        assert!(check(sql, DbKind::MySql).is_err(), "mysql: {sql}");
    }
    for sql in [
        "ATTACH DATABASE '/tmp/x.db' AS x",
        "SELECT load_extension('x')",
        "PRAGMA writable_schema = 1",
        "VACUUM INTO '/tmp/x'",
        "SELECT writefile('/tmp/x', 'y')",
    ] {
        assert!(check(sql, DbKind::Sqlite).is_err(), "sqlite: {sql}");
    }
}

#[test]
fn the_reason_names_what_was_refused() {
    let why = check("DELETE FROM t", DbKind::Postgres).unwrap_err().to_string();
    assert!(why.contains("DELETE"), "{why}");
    let why = check("SELECT pg_sleep(1)", DbKind::Postgres).unwrap_err().to_string();
    assert!(why.contains("pg_sleep"), "{why}");
    let long = format!("SELECT '{}'", "x".repeat(MAX_SQL_BYTES));
    assert!(check(&long, DbKind::Sqlite).unwrap_err().to_string().contains("longer"));
}
