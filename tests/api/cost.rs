//! The cost guard: on PostgreSQL and MariaDB the planner is asked first
//! (`EXPLAIN`, never `ANALYZE`) and a statement it expects to be too much work
//! is refused unrun, with a reason the model can act on. Cross joins of large
//! tables, in several spellings; keyed joins and small reads still run, and the
//! connection is back in the pool for the next query.
use serde_json::{json, Value};
use sqlx::Connection;

use crate::helpers::*;
use crate::readonly::{connected, drop_maria, drop_pg, fresh_maria, fresh_pg, refused, run, MARIA_ROOT};

const ROWS: u32 = 30_000;

/// Statements the planner should refuse: each reads about ROWS² rows or more.
const HUGE: &[&str] = &[
    "SELECT * FROM big_a CROSS JOIN big_b",
    "SELECT count(*) FROM big_a, big_b, big_a AS c",
    "SELECT a.id, b.id FROM big_a a JOIN big_b b ON a.id <> b.id",
    "WITH pairs AS (SELECT a.id AS x, b.id AS y FROM big_a a, big_b b) SELECT max(x + y) FROM pairs",
    "SELECT (SELECT count(*) FROM big_b WHERE big_b.id <> big_a.id) FROM big_a",
];

/// Statements that must still run.
const FINE: &[&str] = &[
    "SELECT count(*) FROM big_a a JOIN big_b b ON a.id = b.id",
    "SELECT * FROM big_a WHERE id < 50",
    "SELECT count(*) FROM big_a",
];

async fn assert_guarded(app: &TestApp, token: &str, engine: &str) {
    for sql in HUGE {
        let detail = refused(app, token, sql).await;
        assert!(
            detail.starts_with("Query refused before running: the database's planner estimates")
                && detail.contains("Add a filter"),
            "{engine}: {sql} → {detail}"
        );
    }
    for sql in FINE {
        let r = ok_json(run(app, token, sql).await).await;
        assert!(r["row_count"].as_u64().unwrap() >= 1, "{engine}: {sql} → {r}");
    }
    // The refused statements left nothing behind: same pool, still read-only.
    let r = ok_json(run(app, token, "SELECT count(*) AS n FROM big_b").await).await;
    assert_eq!(r["rows"][0][0], json!(ROWS), "{engine}");
}

#[tokio::test]
async fn postgres_refuses_what_the_planner_expects_to_be_huge() {
    let (body, url, db) = fresh_pg().await;
    let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
    for s in [
        format!("CREATE TABLE big_a AS SELECT g AS id, md5(g::text) AS label FROM generate_series(1, {ROWS}) g"),
        format!("CREATE TABLE big_b AS SELECT g AS id, g % 7 AS bucket FROM generate_series(1, {ROWS}) g"),
        "ALTER TABLE big_a ADD PRIMARY KEY (id)".into(),
        "ALTER TABLE big_b ADD PRIMARY KEY (id)".into(),
        "ANALYZE big_a".into(),
        "ANALYZE big_b".into(),
    ] {
        sqlx::query(&s).execute(&mut c).await.unwrap();
    }
    let app = TestApp::spawn().await;
    let token = connected(&app, &body).await;
    assert_guarded(&app, &token, "postgres").await;
    // The planner knows a LIMIT bounds the work.
    let r = ok_json(run(&app, &token, "SELECT * FROM big_a CROSS JOIN big_b LIMIT 5").await).await;
    assert_eq!(r["row_count"], 5);
    drop_pg(&db).await;
}

#[tokio::test]
async fn mariadb_refuses_what_the_planner_expects_to_be_huge() {
    let (body, db) = fresh_maria().await;
    let mut c = sqlx::MySqlConnection::connect(MARIA_ROOT).await.unwrap();
    for s in [
        format!("CREATE TABLE {db}.big_a (id INT PRIMARY KEY, label VARCHAR(40))"),
        format!("CREATE TABLE {db}.big_b (id INT PRIMARY KEY, bucket INT)"),
        format!("INSERT INTO {db}.big_a SELECT seq, md5(seq) FROM seq_1_to_{ROWS}"),
        format!("INSERT INTO {db}.big_b SELECT seq, seq % 7 FROM seq_1_to_{ROWS}"),
        format!("ANALYZE TABLE {db}.big_a, {db}.big_b"),
    ] {
        sqlx::query(&s).execute(&mut c).await.unwrap();
    }
    let app = TestApp::spawn().await;
    let token = connected(&app, &body).await;
    assert_guarded(&app, &token, "mariadb").await;
    drop_maria(&db).await;
}

/// The ceiling is the operator's: a low one refuses even a plain scan.
#[tokio::test]
async fn the_ceiling_is_configurable() {
    let (body, url, db) = fresh_pg().await;
    let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
    for s in [format!("CREATE TABLE big_a AS SELECT g AS id FROM generate_series(1, {ROWS}) g"), "ANALYZE big_a".into()]
    {
        sqlx::query(&s).execute(&mut c).await.unwrap();
    }
    let app = TestApp::with(Options {
        extra: vec![("SQLAGENT_MAX_QUERY_ROWS", "1000".into()), ("SQLAGENT_MAX_QUERY_COST", "1000000".into())],
        ..Options::default()
    })
    .await;
    let token = connected(&app, &body).await;
    let detail = refused(&app, &token, "SELECT * FROM big_a").await;
    assert!(detail.contains("about 30,000 rows (the limit is 1,000)"), "{detail}");
    let small: Value = ok_json(run(&app, &token, "SELECT * FROM big_a WHERE id <= 10").await).await;
    assert_eq!(small["row_count"], 10);
    drop_pg(&db).await;
}
