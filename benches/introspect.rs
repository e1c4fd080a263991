//! Benchmark: introspection of a generated 1,000-table × 20-column PostgreSQL schema.
//!
//! `cargo bench --bench introspect` (needs the local PostgreSQL). Creates the
//! database `sqlagent_bench_1000` once, then times `schema::introspect` and the
//! DDL rendering over several runs and prints min / median / max.
use std::time::{Duration, Instant};

use sqlagent_core::pools::Pool;
use sqlagent_core::schema::{introspect, to_ddl};

const DB: &str = "sqlagent_bench_1000";
const TABLES: usize = 1000;
const COLUMNS: usize = 20;
const RUNS: usize = 15;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let admin = sqlx::PgPool::connect("postgres://postgres@127.0.0.1:5432/postgres").await.expect("local PostgreSQL");
    let exists: Option<(i32,)> =
        sqlx::query_as("SELECT 1 FROM pg_database WHERE datname = $1").bind(DB).fetch_optional(&admin).await.unwrap();
    let url = format!("postgres://postgres@127.0.0.1:5432/{DB}");
    if exists.is_none() {
        sqlx::query(&format!("CREATE DATABASE {DB}")).execute(&admin).await.unwrap();
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        let started = Instant::now();
        let mut ddl = String::new();
        for t in 0..TABLES {
            let mut cols = vec![format!("id bigint PRIMARY KEY")];
            for c in 1..COLUMNS {
                cols.push(format!("c{c} {} ", if c % 3 == 0 { "text" } else { "integer" }));
            }
            if t > 0 {
                cols.push(format!("t{}_id bigint REFERENCES t{}(id)", t - 1, t - 1));
            }
            ddl.push_str(&format!(
                "CREATE TABLE t{t} ({}); COMMENT ON TABLE t{t} IS 'table number {t}';\n",
                cols.join(", ")
            ));
            if t % 100 == 99 {
                sqlx::raw_sql(&ddl).execute(&pool).await.unwrap();
                ddl.clear();
            }
        }
        println!("generated {TABLES} tables in {:?}", started.elapsed());
        pool.close().await;
    }
    let pool = Pool::Postgres(sqlx::PgPool::connect(&url).await.unwrap());
    let warm = introspect(&pool).await.unwrap();
    assert!(warm.tables.len() >= TABLES);
    let mut times: Vec<Duration> = Vec::with_capacity(RUNS);
    let mut ddl_len = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        let schema = introspect(&pool).await.unwrap();
        ddl_len = to_ddl(&schema).len();
        times.push(t.elapsed());
    }
    times.sort();
    let columns: usize = warm.tables.iter().map(|t| t.columns.len()).sum();
    println!(
        "introspect {} tables / {columns} columns, {RUNS} runs: min {:?}  median {:?}  max {:?}  (DDL {} KiB)",
        warm.tables.len(),
        times[0],
        times[RUNS / 2],
        times[RUNS - 1],
        ddl_len / 1024
    );
}
