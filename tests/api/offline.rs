//! The default, keyless path: the offline engine answers through `/ask`,
//! `/ask/detailed` and `/ask/stream` on the generated demo shop, and reads the
//! same questions into correct SQL on PostgreSQL, MariaDB and SQLite (Chinook,
//! the same data on all three), checked against SQL written by hand.
use std::time::Duration;

use serde_json::{json, Value};
use sqlagent_core::pools::{Pool, SqliteFile};
use sqlagent_core::sqlguard::{self, CheckedSql, Limits, Shape};
use sqlagent_model::QueryResultView;

use crate::helpers::samples::*;
use crate::helpers::*;

/// Connect a new user to `target`; returns (token, user id, session id).
async fn connect(app: &TestApp, target: &Value) -> (String, i64, String) {
    let (user, token) = app.signed_in_user().await;
    let id = app.add_db(&token, target).await;
    let connected = ok_json(app.post_empty(&format!("/databases/connect_db/{id}"), &token).await).await;
    let sid = connected["session_id"].as_str().unwrap().to_owned();
    (token, user["id"].as_i64().unwrap(), sid)
}

/// Run trusted SQL on a SQLite file through the read-only executor.
async fn run_sqlite(path: std::path::PathBuf, sql: &str) -> QueryResultView {
    let pool = Pool::Sqlite(SqliteFile::new(path));
    let checked = CheckedSql { sql: sql.into(), shape: Shape::Query };
    let limits = Limits { max_rows: 10_000, max_bytes: 16 << 20, timeout: Duration::from_secs(10), ceiling: None };
    sqlguard::execute(&pool, &checked, limits).await.unwrap()
}

#[tokio::test]
async fn with_no_api_key_last_months_orders_are_counted_on_every_ask_path() {
    let app = TestApp::spawn().await;
    let (token, uid, sid) = connect(&app, &json!({"db_type": "sqlite", "database_name": "demo_shop.sqlite"})).await;
    // The same question answered by hand, on the same file (dates relative to today, UTC).
    let demo = app.data_dir.path().join("sqlite/demo_shop.sqlite");
    let direct = run_sqlite(
        demo,
        "SELECT count(*) FROM orders WHERE ordered_at >= date('now', 'start of month', '-1 month') \
         AND ordered_at < date('now', 'start of month')",
    )
    .await;
    let n = direct.rows[0][0].as_i64().unwrap();
    assert!(n > 0, "the demo has orders last month");
    let expected = if n == 1 { "There is 1 order.".to_owned() } else { format!("There are {n} orders.") };
    let question = "How many orders were placed last month?";

    let body = json!({"user_id": uid, "session_id": sid, "question": question, "thread_id": "plain"});
    let r = app.post_authed("/ask", &token, &body).await;
    assert_eq!(r.status(), 200);
    let answer: String = r.json().await.unwrap();
    assert!(answer.starts_with(&expected), "{answer}");
    assert!(answer.contains("SQL: SELECT count(*) AS number_of_orders FROM orders WHERE ordered_at >= '"), "{answer}");
    assert!(
        answer.contains("I read \"How many orders were placed last month?\" as: orders.ordered_at from"),
        "{answer}"
    );

    let body = json!({"user_id": uid, "session_id": sid, "question": question, "thread_id": "detailed"});
    let d = ok_json(app.post_authed("/ask/detailed", &token, &body).await).await;
    assert_eq!(d["model"], "sqlagent-offline");
    assert_eq!(d["steps"], 2, "one query, one answer");
    assert_eq!(d["queries"][0]["rows"], json!([[n]]));
    assert!(d["answer"].as_str().unwrap().starts_with(&expected));
    assert_eq!(d["usage"]["prompt_tokens"], 0, "no tokens are spent offline");

    let body = json!({"user_id": uid, "session_id": sid, "question": question, "thread_id": "streamed"});
    let r = app.post_authed("/ask/stream", &token, &body).await;
    assert_eq!(r.status(), 200);
    let events = sse_events(&r.text().await.unwrap());
    let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names.first(), Some(&"step"));
    assert!(names.contains(&"sql") && names.contains(&"rows"), "{names:?}");
    assert_eq!(names[names.len() - 2..], ["answer", "done"]);
    let rows = events.iter().find(|(n, _)| n == "rows").unwrap();
    assert_eq!(rows.1["rows"], json!([[n]]));
    let done = &events.last().unwrap().1;
    assert!(done["answer"].as_str().unwrap().starts_with(&expected));
    assert_eq!(done["model"], "sqlagent-offline");

    // A follow-up in the same thread changes the previous question.
    let body = json!({"user_id": uid, "session_id": sid, "question": "and per status?", "thread_id": "detailed"});
    let d = ok_json(app.post_authed("/ask/detailed", &token, &body).await).await;
    let sql = d["queries"][0]["sql"].as_str().unwrap();
    assert!(sql.contains("GROUP BY status") && sql.contains("ordered_at >="), "{sql}");
    let total: i64 = d["queries"][0]["rows"].as_array().unwrap().iter().map(|r| r[1].as_i64().unwrap()).sum();
    assert_eq!(total, n, "the statuses add up to last month's orders");
}

#[tokio::test]
async fn a_question_it_cannot_read_is_said_plainly_with_suggestions() {
    let app = TestApp::spawn().await;
    let (token, uid, sid) = connect(&app, &json!({"db_type": "sqlite", "database_name": "demo_shop.sqlite"})).await;
    let body = json!({"user_id": uid, "session_id": sid, "question": "What is the meaning of life?"});
    let d = ok_json(app.post_authed("/ask/detailed", &token, &body).await).await;
    let answer = d["answer"].as_str().unwrap();
    assert!(answer.starts_with("I could not read this question against this database"), "{answer}");
    assert!(answer.contains("You could ask, for example: \"How many"), "{answer}");
    assert_eq!(d["queries"], json!([]), "nothing was run");
}

/// Questions and the SQL (SQLite, Chinook) that answers each; whether order matters.
const CHINOOK: &[(&str, &str, bool)] = &[
    ("How many customers are from Brazil?", "SELECT count(*) FROM Customer WHERE Country = 'Brazil'", false),
    ("What is the average unit price of tracks?", "SELECT avg(UnitPrice) FROM Track", false),
    (
        "Which genre has the most tracks?",
        "SELECT g.Name FROM Genre g JOIN Track t ON t.GenreId = g.GenreId GROUP BY g.GenreId ORDER BY count(*) DESC LIMIT 1",
        false,
    ),
    (
        "Top 5 artists by number of albums",
        "SELECT ar.Name, count(*) FROM Artist ar JOIN Album al ON al.ArtistId = ar.ArtistId \
         GROUP BY ar.ArtistId ORDER BY count(*) DESC LIMIT 5",
        false,
    ),
    (
        "How many invoices were issued in 2023?",
        "SELECT count(*) FROM Invoice WHERE strftime('%Y', InvoiceDate) = '2023'",
        false,
    ),
    (
        "Number of invoices per year",
        "SELECT strftime('%Y', InvoiceDate), count(*) FROM Invoice GROUP BY 1 ORDER BY 1",
        true,
    ),
    (
        "Total sales per billing country",
        "SELECT BillingCountry, sum(Total) FROM Invoice GROUP BY BillingCountry",
        false,
    ),
    ("List the 3 longest tracks", "SELECT Name FROM Track ORDER BY Milliseconds DESC LIMIT 3", true),
    (
        "How many tracks are in the Jazz genre?",
        "SELECT count(*) FROM Track t JOIN Genre g ON g.GenreId = t.GenreId WHERE g.Name = 'Jazz'",
        false,
    ),
    (
        "Which customers have no invoices?",
        "SELECT FirstName FROM Customer WHERE CustomerId NOT IN (SELECT CustomerId FROM Invoice)",
        false,
    ),
    ("tracks longer than 5000000 milliseconds", "SELECT Name FROM Track WHERE Milliseconds > 5000000", false),
    ("How many tracks cost less than 1?", "SELECT count(*) FROM Track WHERE UnitPrice < 1", false),
];

#[tokio::test]
async fn the_same_questions_are_answered_right_on_postgresql_mariadb_and_sqlite() {
    let Some(dir) = samples() else { return };
    let app = TestApp::spawn().await;
    let file = dir.join("Chinook_Sqlite.sqlite");
    let mut engines = Vec::new();
    for target in [pg_chinook(), maria_chinook()] {
        engines.push((target["db_type"].as_str().unwrap().to_owned(), connect(&app, &target).await));
    }
    let (user, token) = app.signed_in_user().await;
    upload_chinook(&app, &token).await;
    let id = app.add_db(&token, &sqlite_chinook()).await;
    let connected = ok_json(app.post_empty(&format!("/databases/connect_db/{id}"), &token).await).await;
    let sid = connected["session_id"].as_str().unwrap().to_owned();
    engines.push(("sqlite".into(), (token, user["id"].as_i64().unwrap(), sid)));

    let mut failures = Vec::new();
    for (n, (question, gold, ordered)) in CHINOOK.iter().enumerate() {
        let gold = run_sqlite(file.clone(), gold).await;
        for (engine, (token, uid, sid)) in &engines {
            let body = json!({"user_id": uid, "session_id": sid, "question": question, "thread_id": format!("q{n}")});
            let d = ok_json(app.post_authed("/ask/detailed", token, &body).await).await;
            let Some(last) = d["queries"].as_array().and_then(|q| q.last()) else {
                failures.push(format!("{engine}: {question}: no query ({})", d["answer"]));
                continue;
            };
            let predicted: QueryResultView = serde_json::from_value(last.clone()).unwrap();
            if !sqlagent_core::eval::same_result(&gold, &predicted, *ordered) {
                failures.push(format!(
                    "{engine}: {question}\n  SQL: {}\n  got {:?}\n  want {:?}",
                    predicted.sql,
                    predicted.rows.iter().take(5).collect::<Vec<_>>(),
                    gold.rows.iter().take(5).collect::<Vec<_>>()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
