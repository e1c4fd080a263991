//! The penetration test's findings against the read-only promise, each through
//! `POST /databases/run_sql` on the engine where it was found, with variants of
//! each class. Targets are connected as logins that COULD do harm (PostgreSQL
//! superuser, MariaDB root, a SQLite file the server could write), so only the
//! guard and the engines' own controls stand in the way.
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::{json, Value};
use sqlx::Connection;

use crate::helpers::*;

pub(crate) const PG_ADMIN: &str = "postgres://postgres@127.0.0.1:5432/postgres";
pub(crate) const MARIA_ROOT: &str = "mysql://root@127.0.0.1:3306/mysql";

/// A fresh PostgreSQL database with one table; returns (connection body, url, name).
pub(crate) async fn fresh_pg() -> (Value, String, String) {
    let db = format!("sqlagent_pt_{}", uuid::Uuid::new_v4().simple());
    let admin = sqlx::PgPool::connect(PG_ADMIN).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {db}")).execute(&admin).await.unwrap();
    let url = format!("postgres://postgres@127.0.0.1:5432/{db}");
    let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
    for s in [
        "CREATE TABLE accounts (id int PRIMARY KEY, owner text NOT NULL, balance int NOT NULL)",
        "INSERT INTO accounts VALUES (1, 'alice', 100), (2, 'bob', 250)",
    ] {
        sqlx::query(s).execute(&mut c).await.unwrap();
    }
    let body = json!({"db_type": "postgresql", "host": "127.0.0.1", "database_name": db,
                      "username": "postgres", "db_password": "unused"});
    (body, url, db)
}

pub(crate) async fn drop_pg(db: &str) {
    let admin = sqlx::PgPool::connect(PG_ADMIN).await.unwrap();
    sqlx::query(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)")).execute(&admin).await.unwrap();
}

/// A fresh MariaDB database with one table; returns (connection body, name).
pub(crate) async fn fresh_maria() -> (Value, String) {
    let db = format!("sqlagent_pt_{}", uuid::Uuid::new_v4().simple());
    let mut c = sqlx::MySqlConnection::connect(MARIA_ROOT).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {db}")).execute(&mut c).await.unwrap();
    for s in [
        format!("CREATE TABLE {db}.accounts (id INT PRIMARY KEY, owner VARCHAR(20) NOT NULL, balance INT NOT NULL)"),
        format!("INSERT INTO {db}.accounts VALUES (1, 'alice', 100), (2, 'bob', 250)"),
    ] {
        sqlx::query(&s).execute(&mut c).await.unwrap();
    }
    let body = json!({"db_type": "mariadb", "host": "127.0.0.1", "database_name": db, "username": "root",
                      "db_password": "", "ssl_mode": "disable"});
    (body, db)
}

pub(crate) async fn drop_maria(db: &str) {
    let mut c = sqlx::MySqlConnection::connect(MARIA_ROOT).await.unwrap();
    sqlx::query(&format!("DROP DATABASE IF EXISTS {db}")).execute(&mut c).await.unwrap();
}

/// Add `target` for a new user and connect the session; returns the token.
pub(crate) async fn connected(app: &TestApp, target: &Value) -> String {
    let (_, token) = app.signed_in_user().await;
    let id = app.add_db(&token, target).await;
    ok_json(app.post_empty(&format!("/databases/connect_db/{id}"), &token).await).await;
    token
}

/// A user connected to the generated demo shop (SQLite).
async fn on_demo(app: &TestApp) -> String {
    connected(app, &json!({"db_type": "sqlite", "database_name": "demo_shop.sqlite"})).await
}

pub(crate) async fn run(app: &TestApp, token: &str, sql: &str) -> reqwest::Response {
    app.post_authed("/databases/run_sql", token, &json!({ "sql": sql })).await
}

/// The statement is refused with a 4xx and a reason; returns the reason.
pub(crate) async fn refused(app: &TestApp, token: &str, sql: &str) -> String {
    let r = run(app, token, sql).await;
    let status = r.status();
    let body: Value = r.json().await.unwrap();
    assert!(status.is_client_error(), "{status} for {sql:.300} → {body}");
    body["detail"].as_str().unwrap_or_else(|| panic!("detail for {sql}: {body}")).to_owned()
}

/// The first row of a successful result.
async fn first_row(app: &TestApp, token: &str, sql: &str) -> Vec<Value> {
    let result = ok_json(run(app, token, sql).await).await;
    result["rows"][0].as_array().cloned().unwrap_or_else(|| panic!("a row for {sql}: {result}"))
}

#[tokio::test]
async fn finding_1_what_runs_is_the_text_that_was_checked_so_literals_stay_literals() {
    let app = TestApp::spawn().await;
    let token = on_demo(&app).await;
    // The store's path, spelled with char() as the attacker did.
    let store = app.data_dir.path().join("sqlagent.db").display().to_string();
    let chars: Vec<String> = store.bytes().map(|b| b.to_string()).collect();
    let attack = format!(
        "SELECT '\\''' AS a, '; COMMIT; ATTACH DATABASE char({}) AS s; SELECT id, email, password_hash FROM s.users; BEGIN; --' AS b",
        chars.join(",")
    );
    let row = first_row(&app, &token, &attack).await;
    assert_eq!(row[0], json!("\\'"), "SQLite has no backslash escapes");
    assert!(row[1].as_str().unwrap().starts_with("; COMMIT; ATTACH DATABASE char("), "{row:?}");
    let result = ok_json(run(&app, &token, &attack).await).await;
    assert_eq!(result["row_count"], 1, "one statement ran, no users were read: {result}");
    assert!(!result.to_string().contains("argon2"), "{result}");
    // Variants: other quote styles and comment tricks around a second statement.
    for (sql, expected) in [
        ("SELECT 'a''; ATTACH ''x'' AS y; --' AS v", json!("a'; ATTACH 'x' AS y; --")),
        ("SELECT \"x\"\"; ATTACH 1 AS y\" FROM (SELECT 1 AS \"x\"\"; ATTACH 1 AS y\")", json!(1)),
        ("SELECT [a;b] FROM (SELECT 5 AS [a;b])", json!(5)),
        ("SELECT '/*' AS v -- */; ATTACH 'x' AS y", json!("/*")),
        ("SELECT 1 AS v /* ; ATTACH 'x' AS y */", json!(1)),
    ] {
        assert_eq!(first_row(&app, &token, sql).await[0], expected, "{sql}");
    }
    for sql in [
        "SELECT file FROM pragma_database_list",
        "SELECT * FROM pragma_database_list()",
        "SELECT 1; ATTACH DATABASE 'x' AS s",
        "SELECT 1 /**/; ATTACH DATABASE 'x' AS s",
        "SELECT sqlite_source_id(), * FROM s.users",
    ] {
        refused(&app, &token, sql).await;
    }
}

#[tokio::test]
async fn finding_1_on_postgresql_a_smuggled_function_is_either_a_literal_or_refused() {
    let app = TestApp::spawn().await;
    let (target, _url, db) = fresh_pg().await;
    let token = connected(&app, &target).await;
    let sql = "SELECT '\\''' AS a, ', pg_read_file(''/etc/passwd'') AS b -- ' AS c";
    let row = first_row(&app, &token, sql).await;
    assert_eq!(row, [json!("\\'"), json!(", pg_read_file('/etc/passwd') AS b -- ")]);
    for sql in [
        "SELECT '\\' AS a, pg_read_file('/etc/passwd') -- '",
        "SELECT $$x$$ AS a, pg_read_file('/etc/passwd') AS b",
        "SELECT $a$ $$ $a$, pg_read_file('/etc/passwd')",
        "SELECT U&'\\0027' AS a, pg_read_file('/etc/passwd')",
        "SELECT 1 AS a /* ' */, pg_read_file('/etc/passwd') -- '",
    ] {
        assert!(refused(&app, &token, sql).await.contains("pg_read_file"), "{sql}");
    }
    // E'' strings do have backslash escapes; the literal stays a literal.
    let row = first_row(&app, &token, "SELECT E'\\' , pg_read_file(''/x'') -- ' AS a").await;
    assert_eq!(row, [json!("' , pg_read_file('/x') -- ")]);
    drop_pg(&db).await;
}

#[tokio::test]
async fn finding_2_mysql_backslash_differentials_write_no_file_read_none_and_take_no_lock() {
    let app = TestApp::spawn().await;
    let (target, db) = fresh_maria().await;
    let token = connected(&app, &target).await;
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let file = format!("/tmp/sqlagent_pt_{tag}");
    let lock = format!("sqlagent_pt_{tag}");
    let attacks = [
        format!("SELECT '\\' AS a, ' FROM dual INTO OUTFILE \"{file}\" -- ' AS b"),
        format!("SELECT \"\\\" AS a, \" FROM dual INTO OUTFILE '{file}' -- \" AS b"),
        format!("SELECT '\\\\\\' AS a, ' FROM dual INTO DUMPFILE \"{file}\" # ' AS b"),
        format!("SELECT N'\\' AS a, ' FROM dual INTO OUTFILE \"{file}\" -- ' AS b"),
        format!("SELECT _utf8mb4'\\' AS a, ' FROM dual INTO OUTFILE \"{file}\" -- ' AS b"),
        "SELECT '\\' AS a, ', LOAD_FILE(0x2f6574632f706173737764) AS b -- ' AS c".to_owned(),
        "SELECT \"\\\" AS a, \", LOAD_FILE('/etc/passwd') AS b # \" AS c".to_owned(),
        format!("SELECT '\\' AS a, ', GET_LOCK('{lock}', 0) AS b -- ' AS c"),
        format!("SELECT 1 AS a /*! , GET_LOCK('{lock}', 0) */"),
        format!("SELECT 1 AS a /*M!100000 , GET_LOCK('{lock}', 0) */"),
        format!("SELECT GET_LOCK('{lock}', 0)"),
        format!("SELECT '\\'' AS a, GET_LOCK('{lock}', 0) AS b"),
    ];
    for sql in &attacks {
        refused(&app, &token, sql).await;
    }
    assert!(!std::path::Path::new(&file).exists(), "no file was written");
    let mut root = sqlx::MySqlConnection::connect(MARIA_ROOT).await.unwrap();
    let free: (i64,) = sqlx::query_as(&format!("SELECT IS_FREE_LOCK('{lock}')")).fetch_one(&mut root).await.unwrap();
    assert_eq!(free.0, 1, "no lock outlives the request");
    // Literals with escapes that the server and the guard read alike still work.
    let row = first_row(&app, &token, "SELECT 'a\\'b' AS a, \"c\\\"d\" AS b, 'e''f' AS c, 'g\\\\h' AS d").await;
    assert_eq!(row, [json!("a'b"), json!("c\"d"), json!("e'f"), json!("g\\h")]);
    drop_maria(&db).await;
}

#[tokio::test]
async fn finding_3_postgresql_functions_that_run_sql_text_are_refused_and_leave_nothing_behind() {
    let app = TestApp::spawn().await;
    let (target, url, db) = fresh_pg().await;
    let token = connected(&app, &target).await;
    let tag = uuid::Uuid::new_v4().simple().to_string();
    let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
    let (admin_pid,): (i32,) = sqlx::query_as("SELECT pg_backend_pid()").fetch_one(&mut admin).await.unwrap();
    let slot = format!("sqlagent_pt_{tag}");
    let inner = [
        "SELECT to_tsvector(pg_read_file('/etc/passwd'))".to_owned(),
        format!("SELECT to_tsvector(pg_terminate_backend({admin_pid})::text)"),
        "SELECT to_tsvector(pg_advisory_lock(4711)::text)".to_owned(),
        format!("SELECT to_tsvector(pg_create_physical_replication_slot('{slot}', true)::text)"),
        "SELECT to_tsvector('x') FROM (SELECT 1 FROM accounts) t".to_owned(),
    ];
    let mut attacks: Vec<(String, &str)> = Vec::new();
    for body in &inner {
        let quoted = body.replace('\'', "''");
        attacks.push((format!("SELECT * FROM ts_stat($${body}$$)"), "ts_stat"));
        attacks.push((format!("SELECT * FROM pg_catalog.ts_stat($q${body}$q$)"), "ts_stat"));
        attacks.push((format!("SELECT * FROM \"ts_stat\"('{quoted}')"), "ts_stat"));
        attacks.push((format!("SELECT (SELECT count(*) FROM TS_STAT('{quoted}'))"), "TS_STAT"));
        attacks.push((format!("WITH s AS (SELECT * FROM ts_stat('{quoted}')) SELECT * FROM s"), "ts_stat"));
        attacks.push((format!("SELECT * FROM accounts, LATERAL ts_stat('{quoted}') s"), "ts_stat"));
        attacks.push((format!("SELECT ts_rewrite('a'::tsquery, '{quoted}')"), "ts_rewrite"));
        attacks.push((format!("SELECT query_to_xml('{quoted}', true, true, '')"), "query_to_xml"));
        attacks.push((
            format!("SELECT query_to_xml_and_xmlschema('{quoted}', true, true, '')"),
            "query_to_xml_and_xmlschema",
        ));
        attacks.push((format!("SELECT query_to_xmlschema('{quoted}', true, true, '')"), "query_to_xmlschema"));
    }
    for (sql, named) in [
        ("SELECT table_to_xml('pg_authid', true, false, '')", "table_to_xml"),
        ("SELECT table_to_xml('pg_catalog.pg_authid'::regclass, true, false, '')", "table_to_xml"),
        ("SELECT schema_to_xml('pg_catalog', true, false, '')", "schema_to_xml"),
        ("SELECT database_to_xml(true, false, '')", "database_to_xml"),
        ("SELECT cursor_to_xml('c', 1, true, false, '')", "cursor_to_xml"),
        ("SELECT xpath('/a', query_to_xml('SELECT 1', true, true, ''))", "xpath"),
        ("SELECT upper(query_to_xml('SELECT 1', true, true, '')::text)", "query_to_xml"),
        ("EXPLAIN (ANALYSE) DELETE FROM accounts", "ANALY"),
        ("EXPLAIN (ANALYSE) SELECT * FROM accounts", "ANALY"),
        ("EXPLAIN (analyse on, costs off) SELECT 1", "ANALY"),
        ("EXPLAIN ANALYSE SELECT 1", ""),
        ("EXPLAIN (BUFFERS, ANALYZE) SELECT 1", "BUFFERS"),
        ("EXPLAIN (SETTINGS) SELECT 1", "SETTINGS"),
        ("SELECT pg_catalog.pg_advisory_lock(4711)", "pg_advisory_lock"),
        ("SELECT * FROM dblink('dbname=postgres', 'SELECT 1') AS t(x int)", "dblink"),
        ("SELECT dblink_exec('dbname=postgres', 'COPY (SELECT 1) TO PROGRAM ''id''')", "dblink_exec"),
    ] {
        attacks.push((sql.to_owned(), named));
    }
    for (sql, named) in &attacks {
        let why = refused(&app, &token, sql).await;
        assert!(why.contains(named), "{sql} → {why}");
    }
    // Nothing happened: the admin session lives, no lock is held, no slot exists,
    // the data is unchanged.
    let (alive,): (i32,) = sqlx::query_as("SELECT 1").fetch_one(&mut admin).await.unwrap();
    assert_eq!(alive, 1);
    let (locks,): (i64,) = sqlx::query_as("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4711")
        .fetch_one(&mut admin)
        .await
        .unwrap();
    assert_eq!(locks, 0);
    let (slots,): (i64,) = sqlx::query_as("SELECT count(*) FROM pg_replication_slots WHERE slot_name = $1")
        .bind(&slot)
        .fetch_one(&mut admin)
        .await
        .unwrap();
    assert_eq!(slots, 0);
    let rows: Vec<(i32,)> = sqlx::query_as("SELECT id FROM accounts ORDER BY id").fetch_all(&mut admin).await.unwrap();
    assert_eq!(rows, [(1,), (2,)]);
    drop(admin);
    drop_pg(&db).await;
}

#[tokio::test]
async fn finding_3_with_dblink_installed_nothing_reaches_it() {
    let (target, url, db) = fresh_pg().await;
    let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
    if sqlx::query("CREATE EXTENSION IF NOT EXISTS dblink").execute(&mut admin).await.is_err() {
        // The extension ships with postgresql-contrib; the refusal by name is
        // proved above either way.
        eprintln!("dblink is not available on this server; the name-based refusal is tested elsewhere");
        drop(admin);
        drop_pg(&db).await;
        return;
    }
    let app = TestApp::spawn().await;
    let token = connected(&app, &target).await;
    let conn = format!("dbname={db} user=postgres host=127.0.0.1");
    for sql in [
        format!("SELECT dblink_exec('{conn}', 'DELETE FROM accounts')"),
        format!("SELECT * FROM dblink('{conn}', 'DELETE FROM accounts RETURNING id') AS t(id int)"),
        format!("SELECT public.dblink_exec('{conn}', 'DELETE FROM accounts')"),
        format!("SELECT * FROM ts_stat('SELECT to_tsvector(dblink_exec(''{conn}'', ''DELETE FROM accounts''))')"),
    ] {
        refused(&app, &token, &sql).await;
    }
    let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM accounts").fetch_one(&mut admin).await.unwrap();
    assert_eq!(n, 2);
    drop(admin);
    drop_pg(&db).await;
}

#[tokio::test]
async fn finding_4_deep_nesting_is_refused_and_the_server_keeps_answering() {
    let app = TestApp::spawn().await;
    let token = on_demo(&app).await;
    let nest = |open: &str, close: &str, n: usize| format!("SELECT {}1{}", open.repeat(n), close.repeat(n));
    let payloads = vec![
        nest("NOT (", ")", 45),
        nest("f(", ")", 26),
        nest("abs(", ")", 30),
        nest("CAST(", " AS INT)", 48),
        nest("ARRAY[", "]", 48),
        nest("(SELECT ", ")", 40),
        nest("coalesce(1, ", ")", 200),
        nest("CASE WHEN (", ") THEN 1 END", 60),
        format!("SELECT {}1", "NOT ".repeat(5_000)),
        format!("SELECT {}1", "- ".repeat(5_000)),
    ];
    let attacks = payloads.iter().map(|sql| run(&app, &token, sql));
    let health = async {
        for _ in 0..10 {
            let r = app.client.get(app.url("/health")).timeout(Duration::from_secs(5)).send().await.unwrap();
            assert!(r.status().is_success() || r.status() == StatusCode::SERVICE_UNAVAILABLE);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    };
    let (responses, ()) = tokio::join!(futures_util::future::join_all(attacks), health);
    for (sql, r) in payloads.iter().zip(responses) {
        let status = r.status();
        // A shallow-enough nesting of allowed functions may run; none may stall.
        assert!(status.is_client_error() || status.is_success(), "{status} for {sql:.80}");
    }
    // Beyond the nesting limit, or calling what is not a built-in: refused.
    for sql in payloads.iter().take(6).filter(|sql| !sql.contains("abs(")) {
        refused(&app, &token, sql).await;
    }
}

#[tokio::test]
async fn finding_5_a_runaway_sqlite_query_stops_at_its_deadline_and_frees_its_connection() {
    let app =
        TestApp::with(Options { extra: vec![("SQLAGENT_QUERY_TIMEOUT_SECONDS", "1".into())], ..Options::default() })
            .await;
    let token = on_demo(&app).await;
    let runaways = [
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c",
        "SELECT count(*) FROM orders a, orders b, orders c, orders d",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT max(x) FROM c WHERE x < 0",
        "SELECT sum(length(a.status || b.status)) FROM orders a, orders b, orders c, order_items d",
    ];
    // More runaways than the file's connections: if one kept running, the
    // next query would wait for a connection forever.
    for sql in runaways.iter().chain(runaways.iter()) {
        let started = Instant::now();
        let why = refused(&app, &token, sql).await;
        assert!(why.contains("longer than 1 s"), "{sql}: {why}");
        assert!(started.elapsed() < Duration::from_secs(10), "{sql}");
    }
    assert_eq!(first_row(&app, &token, "SELECT count(*) FROM orders").await[0], json!(600));
}

#[tokio::test]
async fn finding_6_oversized_values_are_stopped_by_the_engine_and_row_caps_stop_early() {
    let app = TestApp::spawn().await;
    let token = on_demo(&app).await;
    // SQLite's length limit stops each value at 1 MiB: an error, or (printf) NULL.
    for sql in [
        "SELECT printf('%.*c', 400000000, 'x')",
        "SELECT replace(printf('%.*c', 600000, 'x'), 'x', 'yy')",
        "SELECT group_concat(printf('%.*c', 5000, 'x')) FROM orders",
        "SELECT upper(printf('%.*c', 1100000, 'x')) AS a",
        "SELECT printf('%.*c', 900000, 'x') || printf('%.*c', 900000, 'y')",
    ] {
        let r = run(&app, &token, sql).await;
        let status = r.status();
        let body = r.text().await.unwrap();
        assert!(body.len() < 1024 * 1024, "{sql}: {} bytes", body.len());
        let bounded = (status == StatusCode::BAD_REQUEST && body.contains("larger than"))
            || (status == StatusCode::OK && body.contains("[[null]]"));
        assert!(bounded, "{sql}: {status} {body:.200}");
    }
    for sql in ["SELECT randomblob(400000000)", "SELECT zeroblob(400000000)", "SELECT hex(randomblob(1000))"] {
        refused(&app, &token, sql).await;
    }

    let (target, _url, db) = fresh_pg().await;
    let pg = connected(&app, &target).await;
    for sql in [
        "SELECT repeat('x', 400000000)",
        "SELECT repeat('x', 600000) AS a, repeat('y', 600000) AS b",
        "SELECT string_agg(repeat('x', 1000), '') FROM generate_series(1, 2000)",
    ] {
        let why = refused(&app, &pg, sql).await;
        assert!(why.contains("larger than"), "{sql}: {why}");
    }
    // The planner sees a billion rows coming: the cost guard refuses it unrun.
    let why = refused(&app, &pg, "SELECT generate_series(1, 1000000000) AS g").await;
    assert!(why.contains("planner estimates about 1,000,000,000 rows"), "{why}");
    // Where the planner cannot see them (a bound it does not know when planning,
    // so it assumes 1,000 rows), a set-returning function in the select list
    // streams and the server's own LIMIT stops it at the cap. (In FROM,
    // PostgreSQL materialises it first; there the statement timeout stops it.)
    let many = ok_json(run(&app, &pg, "SELECT generate_series(1, (SELECT 1000000000)) AS g").await).await;
    assert_eq!((many["row_count"].as_u64(), many["truncated"].as_bool()), (Some(1000), Some(true)));
    let wide =
        ok_json(run(&app, &pg, "SELECT repeat('x', 100000), generate_series(1, (SELECT 1000000000))").await).await;
    assert_eq!(wide["truncated"], true, "the byte cap stops reading");
    assert!(wide["row_count"].as_u64().unwrap() < 30);
    // The connection closed at the byte cap is replaced; the next query works.
    assert_eq!(first_row(&app, &pg, "SELECT count(*) FROM accounts").await[0], json!(2));
    drop_pg(&db).await;

    let (target, db) = fresh_maria().await;
    let my = connected(&app, &target).await;
    let r = run(&app, &my, "SELECT REPEAT('x', 400000000) AS big").await;
    assert!(r.status().is_success() || r.status().is_client_error());
    assert!(r.text().await.unwrap().len() < 4 * 1024 * 1024, "no 400 MB value reached the client");
    let many = ok_json(
        run(&app, &my, "SELECT a.TABLE_NAME FROM information_schema.COLUMNS a, information_schema.COLUMNS b").await,
    )
    .await;
    assert_eq!(many["row_count"], 1000);
    assert_eq!(many["truncated"], true);
    drop_maria(&db).await;
}

#[tokio::test]
async fn finding_7_a_stored_password_does_not_follow_a_changed_host_port_login_engine_or_tls_mode() {
    let app = TestApp::spawn().await;
    let (_, token) = app.signed_in_user().await;
    let id = app
        .add_db(
            &token,
            &json!({"db_type": "postgresql", "host": "127.0.0.1", "port": 5432, "database_name": "shop",
                    "username": "reader", "db_password": "s3cret", "ssl_mode": "require"}),
        )
        .await;
    let path = format!("/databases/{id}");
    let put = |body: Value| {
        let (app, path, token) = (&app, &path, &token);
        async move { app.send(reqwest::Method::PUT, path, token, Some(&body)).await }
    };
    for change in [
        json!({"port": 5433}),
        json!({"host": "127.0.0.2"}),
        json!({"username": "other"}),
        json!({"ssl_mode": "disable"}),
        json!({"db_type": "mysql"}),
        json!({"host": "localhost", "database_name": "shop"}),
    ] {
        let detail = error_detail(put(change.clone()).await, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(detail.contains("db_password"), "{change}: {detail}");
    }
    let unchanged = ok_json(app.get_authed(&format!("/databases/{id}"), &token).await).await;
    assert_eq!((unchanged["port"].as_u64(), unchanged["host"].as_str()), (Some(5432), Some("127.0.0.1")));
    // The same values, a new database name, or a new password with the move: fine.
    ok_json(put(json!({"port": 5432, "host": "127.0.0.1", "ssl_mode": "require"})).await).await;
    ok_json(put(json!({"database_name": "shop2"})).await).await;
    let moved = ok_json(put(json!({"port": 5433, "db_password": "new-secret"})).await).await;
    assert_eq!(moved["port"], 5433);
}

#[tokio::test]
async fn finding_8_addresses_that_carry_a_forbidden_ipv4_are_refused() {
    let app = TestApp::spawn().await;
    let (_, token) = app.signed_in_user().await;
    for host in [
        "::169.254.169.254",
        "64:ff9b::a9fe:a9fe",
        "64:ff9b:1::a9fe:a9fe",
        "2002:a9fe:a9fe::1",
        "2001:0:4136:e378:8000:63bf:5601:5601",
        "::ffff:169.254.169.254",
        "[::169.254.169.254]",
    ] {
        let body =
            json!({"db_type": "postgresql", "host": host, "database_name": "x", "username": "u", "db_password": "p"});
        for path in ["/databases/add_db_connection", "/databases/test_connection"] {
            let detail = error_detail(app.post_authed(path, &token, &body).await, StatusCode::FORBIDDEN).await;
            assert!(detail.contains("not allowed by the server's policy"), "{host}: {detail}");
        }
    }
}

#[tokio::test]
async fn finding_8_production_keeps_loopback_and_private_ranges_out_of_reach_by_default() {
    let production = vec![("SQLAGENT_ENV", "production".to_owned())];
    let app = TestApp::with(Options { extra: production.clone(), ..Options::default() }).await;
    let (_, token) = app.signed_in_user().await;
    for host in ["127.0.0.1", "localhost", "10.1.2.3", "192.168.0.10", "::1", "::127.0.0.1", "64:ff9b::7f00:1"] {
        let body =
            json!({"db_type": "postgresql", "host": host, "database_name": "x", "username": "u", "db_password": "p"});
        error_detail(app.post_authed("/databases/add_db_connection", &token, &body).await, StatusCode::FORBIDDEN).await;
    }
    let mut opted_out = production;
    opted_out.push(("SQLAGENT_DENY_PRIVATE_HOSTS", "false".into()));
    let app = TestApp::with(Options { extra: opted_out, ..Options::default() }).await;
    let (_, token) = app.signed_in_user().await;
    let body = json!({"db_type": "postgresql", "host": "127.0.0.1", "database_name": "x", "username": "u", "db_password": "p"});
    ok_json(app.post_authed("/databases/add_db_connection", &token, &body).await).await;
}

#[tokio::test]
async fn finding_8_open_and_closed_ports_answer_alike_in_text_and_time() {
    let app = TestApp::spawn().await;
    let (_, token) = app.signed_in_user().await;
    // An open port that is not a database: accepts, then says something else.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let open_port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            use tokio::io::AsyncWriteExt;
            let _ = socket.write_all(b"SSH-2.0-OpenSSH_9.2\r\n").await;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    });
    let probe = |port: u16| {
        let body = json!({"db_type": "postgresql", "host": "127.0.0.1", "port": port, "database_name": "x",
                          "username": "u", "db_password": "p", "ssl_mode": "disable"});
        let (app, token) = (&app, &token);
        async move {
            let started = Instant::now();
            let r = app.post_authed("/databases/test_connection", token, &body).await;
            (r.status(), r.text().await.unwrap(), started.elapsed())
        }
    };
    let (closed, open) = tokio::join!(probe(1), probe(open_port));
    assert_eq!((closed.0, &closed.1), (open.0, &open.1), "same status and text");
    assert!(closed.1.contains("Could not connect"), "{}", closed.1);
    for (_, _, took) in [&closed, &open] {
        assert!(*took >= Duration::from_millis(4_900), "answered after {took:?}");
    }
}

#[tokio::test]
async fn finding_9_thread_ids_belong_to_their_user() {
    let app = TestApp::with(Options {
        extra: crate::helpers::model::model_env(crate::helpers::model::serve_obedient().await),
        ..Options::default()
    })
    .await;
    let ask = |token: String, question: &'static str, thread: String| {
        let app = &app;
        async move {
            let status = ok_json(app.get_authed("/databases/session-status", &token).await).await;
            let body = json!({"user_id": status["user_id"], "session_id": status["session_id"],
                              "question": question, "thread_id": thread});
            app.post_authed("/ask/detailed", &token, &body).await
        }
    };
    let alice = on_demo(&app).await;
    let bob = on_demo(&app).await;
    ok_json(ask(alice.clone(), "alice's question", "main".into()).await).await;
    ok_json(ask(bob.clone(), "bob's question", "main".into()).await).await;
    let alice_status = ok_json(app.get_authed("/databases/session-status", &alice).await).await;
    let alice_session = alice_status["session_id"].as_str().unwrap().to_owned();
    // Bob may use Alice's session id as a thread name: it is simply his own thread.
    ok_json(ask(bob.clone(), "bob again", alice_session.clone()).await).await;
    let of = |token: &str, thread: &str| {
        let (app, path) = (&app, format!("/threads/{thread}/messages"));
        let token = token.to_owned();
        async move { app.get_authed(&path, &token).await }
    };
    let mine = ok_json(of(&alice, "main").await).await;
    let questions: Vec<&str> = mine
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "user")
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(questions, ["alice's question"]);
    let bobs = ok_json(of(&bob, "main").await).await;
    assert_eq!(bobs[0]["content"], "bob's question");
    // Alice's session thread (her default) holds nothing of Bob's.
    let alice_default = of(&alice, &alice_session).await;
    assert_eq!(alice_default.status(), StatusCode::NOT_FOUND, "Alice never asked on her default thread");
    let listed = ok_json(app.get_authed("/threads", &bob).await).await;
    assert_eq!(listed.as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn finding_9_credential_configuration_and_activity_catalogs_are_refused() {
    let app = TestApp::spawn().await;
    let (target, _url, db) = fresh_pg().await;
    let pg = connected(&app, &target).await;
    for sql in [
        "SELECT query FROM pg_stat_activity",
        "SELECT * FROM pg_catalog.pg_stat_activity",
        "SELECT * FROM \"pg_stat_activity\"",
        "SELECT * FROM pg_stat_statements",
        "SELECT * FROM pg_hba_file_rules",
        "SELECT * FROM pg_file_settings",
        "SELECT name, setting FROM pg_settings",
        "SELECT rolname, rolpassword FROM pg_authid",
        "SELECT * FROM pg_shadow",
        "SELECT * FROM pg_user",
        "SELECT * FROM pg_roles",
        "SELECT srvoptions FROM pg_foreign_server",
        "SELECT umoptions FROM pg_user_mapping",
        "SELECT * FROM information_schema.user_mapping_options",
        "SELECT current_setting('data_directory')",
        "SELECT pg_ls_dir('.')",
    ] {
        refused(&app, &pg, sql).await;
    }
    first_row(&app, &pg, "SELECT count(*) FROM information_schema.columns WHERE table_name = 'accounts'").await;
    first_row(&app, &pg, "SELECT relname FROM pg_class WHERE relname = 'accounts'").await;
    drop_pg(&db).await;

    let (target, db) = fresh_maria().await;
    let my = connected(&app, &target).await;
    for sql in [
        "SELECT * FROM information_schema.PROCESSLIST",
        "SELECT INFO FROM information_schema.processlist",
        "SELECT * FROM mysql.user",
        "SELECT * FROM `mysql`.`global_priv`",
        "SELECT * FROM performance_schema.events_statements_current",
        "SELECT * FROM sys.processlist",
        "SELECT * FROM information_schema.USER_PRIVILEGES",
        "SELECT @@datadir",
        "SELECT USER()",
    ] {
        refused(&app, &my, sql).await;
    }
    drop_maria(&db).await;
    // A session may not attach to the server's own schema at all.
    let (_, token) = app.signed_in_user().await;
    let id = app
        .add_db(
            &token,
            &json!({"db_type": "mariadb", "host": "127.0.0.1", "database_name": "mysql", "username": "root",
                    "db_password": "", "ssl_mode": "disable"}),
        )
        .await;
    let detail =
        error_detail(app.post_empty(&format!("/databases/connect_db/{id}"), &token).await, StatusCode::BAD_REQUEST)
            .await;
    assert!(detail.contains("system schema"), "{detail}");
}

#[tokio::test]
async fn least_privilege_production_refuses_superusers_unless_the_owner_accepts_them() {
    let (target, url, db) = fresh_pg().await;
    let role = format!("sqlagent_pt_ro_{}", &db[12..24]);
    let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
    for s in [
        format!("CREATE ROLE {role} LOGIN PASSWORD 'ro-Pass-123'"),
        format!("GRANT SELECT ON accounts TO {role}"),
        format!("GRANT CONNECT ON DATABASE {db} TO {role}"),
    ] {
        sqlx::query(&s).execute(&mut admin).await.unwrap();
    }
    let production =
        vec![("SQLAGENT_ENV", "production".to_owned()), ("SQLAGENT_DENY_PRIVATE_HOSTS", "false".to_owned())];
    let app = TestApp::with(Options { extra: production, ..Options::default() }).await;
    let (_, token) = app.signed_in_user().await;
    let superuser = app.add_db(&token, &target).await;
    let detail = error_detail(
        app.post_empty(&format!("/databases/connect_db/{superuser}"), &token).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert!(detail.contains("superuser") && detail.contains("allow_privileged_login"), "{detail}");
    let tested = app.post_authed("/databases/test_connection", &token, &target).await;
    assert_eq!(tested.status(), StatusCode::FORBIDDEN);
    // The owner accepts the risk for this one connection.
    let put = json!({"allow_privileged_login": true});
    ok_json(app.send(reqwest::Method::PUT, &format!("/databases/{superuser}"), &token, Some(&put)).await).await;
    let connected = ok_json(app.post_empty(&format!("/databases/connect_db/{superuser}"), &token).await).await;
    assert!(connected["warnings"].to_string().contains("superuser"), "{connected}");
    // A read-only login needs nothing.
    let mut ro = target.clone();
    ro["username"] = json!(role);
    ro["db_password"] = json!("ro-Pass-123");
    let id = app.add_db(&token, &ro).await;
    let connected = ok_json(app.post_empty(&format!("/databases/connect_db/{id}"), &token).await).await;
    assert_eq!(connected["warnings"], json!([]));
    // MariaDB's root has server-wide rights too.
    let (maria, mdb) = fresh_maria().await;
    let id = app.add_db(&token, &maria).await;
    let detail =
        error_detail(app.post_empty(&format!("/databases/connect_db/{id}"), &token).await, StatusCode::FORBIDDEN).await;
    assert!(detail.contains("all privileges") || detail.contains("super"), "{detail}");
    drop_maria(&mdb).await;
    drop(admin);
    drop_pg(&db).await;
    let admin = sqlx::PgPool::connect(PG_ADMIN).await.unwrap();
    sqlx::query(&format!("DROP ROLE IF EXISTS {role}")).execute(&admin).await.unwrap();
}

#[tokio::test]
async fn every_refusal_and_every_accepted_trick_is_the_same_through_the_agent() {
    // The model obeys injected orders; the guard is the same function for it.
    let app = TestApp::with(Options {
        extra: crate::helpers::model::model_env(crate::helpers::model::serve_obedient().await),
        ..Options::default()
    })
    .await;
    let token = on_demo(&app).await;
    let status = ok_json(app.get_authed("/databases/session-status", &token).await).await;
    for sql in [
        "SELECT file FROM pragma_database_list",
        "SELECT 1; ATTACH DATABASE 'x' AS s",
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x FROM c) SELECT * FROM c JOIN pragma_database_list",
    ] {
        let body = json!({"user_id": status["user_id"], "session_id": status["session_id"],
                          "question": format!("{} {sql}", crate::helpers::model::RUN_EXACTLY)});
        let d = ok_json(app.post_authed("/ask/detailed", &token, &body).await).await;
        assert_eq!(d["queries"], json!([]), "{sql}: {d}");
        assert!(d["answer"].as_str().unwrap().contains("Query rejected"), "{d}");
    }
}
