//! The offline engine's reading of questions, shape by shape, in the SQL of
//! each dialect; its answers; its follow-ups. The same readings run on real
//! databases in `tests/api/offline.rs`.
use chrono::NaiveDate;

use super::query::Writer;
use super::*;
use crate::linker::fixture::shop;
use crate::targets::DbKind;

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 25).unwrap()
}

fn dialect(kind: DbKind) -> &'static str {
    match kind {
        DbKind::Postgres => "postgresql",
        DbKind::MySql => "mysql",
        DbKind::Sqlite => "sqlite",
    }
}

/// The SQL the engine writes for `q` on the shop schema of `kind`, without
/// the names it gives computed columns (`AS number_of_orders`), which
/// `computed_columns_get_readable_names` checks.
fn sql_on(kind: DbKind, q: &str) -> String {
    unnamed(&named_sql_on(kind, q))
}

fn named_sql_on(kind: DbKind, q: &str) -> String {
    let cat = shop(dialect(kind));
    let reading = read(&cat, q, today()).unwrap_or_else(|| panic!("unreadable: {q}"));
    Writer { catalog: &cat, kind }.sql(&reading.query).unwrap_or_else(|| panic!("no SQL: {q}"))
}

fn unnamed(sql: &str) -> String {
    let mut out = sql.to_owned();
    for prefix in ["number_of_", "total_", "average_", "min_", "max_", "distinct_"] {
        while let Some(at) = out.find(&format!(" AS {prefix}")) {
            let end = out[at + 4..].find([',', ' ']).map(|e| at + 4 + e).unwrap_or(out.len());
            out.replace_range(at..end, "");
        }
    }
    for unit in ["day", "week", "month", "quarter", "year"] {
        for quoted in [format!(" AS \"{unit}\""), format!(" AS `{unit}`")] {
            out = out.replace(&quoted, "");
        }
    }
    out
}

fn sqlite(q: &str) -> String {
    sql_on(DbKind::Sqlite, q)
}
fn pg(q: &str) -> String {
    sql_on(DbKind::Postgres, q)
}
fn my(q: &str) -> String {
    sql_on(DbKind::MySql, q)
}

/// The same SQL on all three engines: identifiers quoted `"…"` in `want`
/// are quoted with backticks on MySQL.
fn everywhere(q: &str, want: &str) {
    assert_eq!(sqlite(q), want, "SQLite: {q}");
    assert_eq!(pg(q), want, "PostgreSQL: {q}");
    assert_eq!(my(q), want.replace('"', "`"), "MySQL: {q}");
}

#[test]
fn counts() {
    everywhere("How many customers are there?", "SELECT count(*) FROM customers");
    everywhere("count the orders", "SELECT count(*) FROM orders");
    everywhere("What is the number of products?", "SELECT count(*) FROM products");
    everywhere("How many orders were cancelled?", "SELECT count(*) FROM orders WHERE status = 'cancelled'");
    everywhere("How many different countries are there?", "SELECT count(DISTINCT country) FROM customers");
}

#[test]
fn lists() {
    everywhere("List all products", "SELECT \"name\" FROM products");
    everywhere("Show the emails of customers", "SELECT email FROM customers");
    everywhere("What are the names and emails of customers?", "SELECT \"name\", email FROM customers");
    everywhere("Which different countries do customers come from?", "SELECT DISTINCT country FROM customers");
}

#[test]
fn filters_on_values_found_in_the_data() {
    everywhere("customers in Brazil", "SELECT \"name\" FROM customers WHERE country = 'Brazil'");
    everywhere(
        "customers from Germany or France",
        "SELECT \"name\" FROM customers WHERE (country = 'Germany' OR country = 'France')",
    );
    everywhere("Show orders with status shipped", "SELECT id FROM orders WHERE status = 'shipped'");
    everywhere(
        "products in the Electronics category",
        "SELECT T1.\"name\" FROM products AS T1 JOIN categories AS T2 ON T1.category_id = T2.id \
         WHERE T2.\"name\" = 'Electronics'",
    );
    everywhere("customers not in the USA", "SELECT \"name\" FROM customers WHERE country <> 'USA'");
    everywhere("customers from sao paulo", "SELECT \"name\" FROM customers WHERE city = 'São Paulo'");
}

#[test]
fn text_not_in_the_data_is_matched_ignoring_case_and_escaped_per_dialect() {
    everywhere(
        "customers named \"ava smith\"",
        "SELECT \"name\" FROM customers WHERE lower(\"name\") = lower('ava smith')",
    );
    assert_eq!(pg("products containing 'usb'"), "SELECT \"name\" FROM products WHERE \"name\" ILIKE '%usb%'");
    assert_eq!(sqlite("products containing 'usb'"), "SELECT \"name\" FROM products WHERE \"name\" LIKE '%usb%'");
    assert_eq!(my("products containing 'usb'"), "SELECT `name` FROM products WHERE `name` LIKE '%usb%'");
    // MySQL reads backslashes in literals as escapes: they are doubled there.
    assert_eq!(my("customers named 'a\\b'"), "SELECT `name` FROM customers WHERE lower(`name`) = lower('a\\\\b')");
    assert_eq!(pg("customers named 'a\\b'"), "SELECT \"name\" FROM customers WHERE lower(\"name\") = lower('a\\b')");
    everywhere(
        "customers named \"O'Brien\"",
        "SELECT \"name\" FROM customers WHERE lower(\"name\") = lower('O''Brien')",
    );
}

#[test]
fn numeric_comparisons() {
    everywhere("products cheaper than 30", "SELECT \"name\" FROM products WHERE price < 30");
    everywhere("products with a price over 100", "SELECT \"name\" FROM products WHERE price > 100");
    everywhere("products with stock of at least 50", "SELECT \"name\" FROM products WHERE stock >= 50");
    everywhere(
        "products with a price between 20 and 60",
        "SELECT \"name\" FROM products WHERE price BETWEEN 20 AND 60",
    );
    everywhere("Which products are out of stock?", "SELECT \"name\" FROM products WHERE stock = 0");
}

#[test]
fn aggregates() {
    everywhere("What is the average price of products?", "SELECT avg(price) FROM products");
    everywhere("total stock of all products", "SELECT sum(stock) FROM products");
    everywhere("What is the highest price?", "SELECT max(price) FROM products");
    everywhere("the minimum and maximum price of products", "SELECT min(price), max(price) FROM products");
    everywhere(
        "What is the total stock of Books?",
        "SELECT sum(T1.stock) FROM products AS T1 JOIN categories AS T2 ON T1.category_id = T2.id \
         WHERE T2.\"name\" = 'Books'",
    );
}

#[test]
fn superlatives_and_top_n() {
    everywhere("What is the most expensive product?", "SELECT \"name\" FROM products ORDER BY price DESC LIMIT 1");
    everywhere("List the 10 cheapest products", "SELECT \"name\" FROM products ORDER BY price LIMIT 10");
    everywhere("the 3 products with the lowest stock", "SELECT \"name\" FROM products ORDER BY stock LIMIT 3");
    everywhere(
        "Who are the top 3 customers by number of orders?",
        "SELECT T1.\"name\", count(T2.id) FROM customers AS T1 JOIN orders AS T2 ON T1.id = T2.customer_id \
         GROUP BY T1.id ORDER BY count(T2.id) DESC LIMIT 3",
    );
    everywhere(
        "Which city has the most customers?",
        "SELECT city FROM customers GROUP BY city ORDER BY count(*) DESC LIMIT 1",
    );
}

#[test]
fn revenue_is_quantity_times_price() {
    everywhere(
        "What are the top 5 products by revenue?",
        "SELECT T1.\"name\", sum(T2.quantity * T2.unit_price) FROM products AS T1 \
         JOIN order_items AS T2 ON T1.id = T2.product_id GROUP BY T1.id \
         ORDER BY sum(T2.quantity * T2.unit_price) DESC LIMIT 5",
    );
    everywhere(
        "Revenue by country",
        "SELECT T1.country, sum(T3.quantity * T3.unit_price) FROM customers AS T1 \
         JOIN orders AS T2 ON T1.id = T2.customer_id JOIN order_items AS T3 ON T2.id = T3.order_id \
         GROUP BY T1.country",
    );
}

#[test]
fn ordering() {
    everywhere("List products ordered by price descending", "SELECT \"name\" FROM products ORDER BY price DESC");
    everywhere("products sorted by stock", "SELECT \"name\" FROM products ORDER BY stock");
    everywhere("customer names in alphabetical order", "SELECT \"name\" FROM customers ORDER BY \"name\"");
}

#[test]
fn groups_are_strict_where_postgresql_needs_it() {
    everywhere("How many customers per country?", "SELECT country, count(*) FROM customers GROUP BY country");
    everywhere("How many orders per status?", "SELECT status, count(*) FROM orders GROUP BY status");
    // A table's rows are grouped by its key and shown by their name.
    everywhere(
        "Average price per category",
        "SELECT T2.\"name\", avg(T1.price) FROM products AS T1 JOIN categories AS T2 ON T1.category_id = T2.id \
         GROUP BY T2.id, T2.\"name\"",
    );
    everywhere(
        "How many products in each category?",
        "SELECT T2.\"name\", count(*) FROM products AS T1 JOIN categories AS T2 ON T1.category_id = T2.id \
         GROUP BY T2.id, T2.\"name\"",
    );
}

#[test]
fn having() {
    everywhere(
        "Which categories have more than 3 products?",
        "SELECT T1.\"name\" FROM categories AS T1 JOIN products AS T2 ON T1.id = T2.category_id \
         GROUP BY T1.id, T1.\"name\" HAVING count(T2.id) > 3",
    );
    everywhere(
        "customers with at least 5 orders",
        "SELECT T1.\"name\" FROM customers AS T1 JOIN orders AS T2 ON T1.id = T2.customer_id \
         GROUP BY T1.id, T1.\"name\" HAVING count(T2.id) >= 5",
    );
}

#[test]
fn dates_relative_to_today_in_each_dialect() {
    let q = "How many orders were placed last month?";
    // SQLite keeps the demo's dates as ISO text: compared as text.
    assert_eq!(sqlite(q), "SELECT count(*) FROM orders WHERE ordered_at >= '2026-10-01' AND ordered_at < '2026-11-01'");
    assert_eq!(
        pg(q),
        "SELECT count(*) FROM orders WHERE ordered_at >= DATE '2026-10-01' AND ordered_at < DATE '2026-11-01'"
    );
    assert_eq!(my(q), "SELECT count(*) FROM orders WHERE ordered_at >= '2026-10-01' AND ordered_at < '2026-11-01'");
    assert_eq!(
        sqlite("orders this quarter"),
        "SELECT id FROM orders WHERE ordered_at >= '2026-10-01' AND ordered_at < '2026-11-26'"
    );
    assert_eq!(
        sqlite("How many customers signed up in the last 30 days?"),
        "SELECT count(*) FROM customers WHERE signed_up_at >= '2026-10-26' AND signed_up_at < '2026-11-26'"
    );
}

#[test]
fn years_in_each_dialect() {
    let q = "How many orders in 2025?";
    assert_eq!(sqlite(q), "SELECT count(*) FROM orders WHERE CAST(substr(ordered_at, 1, 4) AS INTEGER) = 2025");
    assert_eq!(pg(q), "SELECT count(*) FROM orders WHERE CAST(EXTRACT(YEAR FROM ordered_at) AS INTEGER) = 2025");
    assert_eq!(my(q), "SELECT count(*) FROM orders WHERE YEAR(ordered_at) = 2025");
}

#[test]
fn periods_in_each_dialect() {
    let q = "Number of orders per month";
    assert_eq!(
        sqlite(q),
        "SELECT strftime('%Y-%m', ordered_at), count(*) FROM orders GROUP BY strftime('%Y-%m', ordered_at) \
         ORDER BY strftime('%Y-%m', ordered_at)"
    );
    assert_eq!(
        pg(q),
        "SELECT to_char(ordered_at, 'YYYY-MM'), count(*) FROM orders GROUP BY to_char(ordered_at, 'YYYY-MM') \
         ORDER BY to_char(ordered_at, 'YYYY-MM')"
    );
    assert_eq!(
        my(q),
        "SELECT DATE_FORMAT(ordered_at, '%Y-%m'), count(*) FROM orders GROUP BY DATE_FORMAT(ordered_at, '%Y-%m') \
         ORDER BY DATE_FORMAT(ordered_at, '%Y-%m')"
    );
    assert!(sqlite("monthly revenue this year").contains("GROUP BY strftime('%Y-%m', T2.ordered_at)"));
    assert!(pg("orders per quarter").contains("to_char(ordered_at, 'YYYY-\"Q\"Q')"));
    assert!(my("orders by year").contains("DATE_FORMAT(ordered_at, '%Y')"));
}

#[test]
fn existence_and_negation() {
    everywhere(
        "How many customers have no orders?",
        "SELECT count(*) FROM customers WHERE id NOT IN (SELECT customer_id FROM orders WHERE customer_id IS NOT NULL)",
    );
    // The date range narrows the related rows, not the customers.
    assert_eq!(
        sqlite("Which customers have not ordered in 3 months?"),
        "SELECT \"name\" FROM customers WHERE id NOT IN (SELECT customer_id FROM orders \
         WHERE ordered_at >= '2026-08-25' AND ordered_at < '2026-11-26' AND customer_id IS NOT NULL)"
    );
    assert_eq!(
        pg("customers who haven't ordered in the last 3 months"),
        "SELECT \"name\" FROM customers WHERE id NOT IN (SELECT customer_id FROM orders \
         WHERE ordered_at >= DATE '2026-08-25' AND ordered_at < DATE '2026-11-26' AND customer_id IS NOT NULL)"
    );
    everywhere(
        "products that were never ordered",
        "SELECT \"name\" FROM products WHERE id NOT IN (SELECT product_id FROM order_items WHERE product_id IS NOT NULL)",
    );
}

#[test]
fn joins_follow_the_shortest_key_path() {
    everywhere(
        "customers who ordered products in the Toys category",
        "SELECT DISTINCT T1.\"name\" FROM customers AS T1 JOIN orders AS T2 ON T1.id = T2.customer_id \
         JOIN order_items AS T3 ON T2.id = T3.order_id JOIN products AS T4 ON T3.product_id = T4.id \
         JOIN categories AS T5 ON T4.category_id = T5.id WHERE T5.\"name\" = 'Toys'",
    );
}

/// The SQL for the last of `questions`, asked in one thread after the others.
fn thread(questions: &[&str]) -> String {
    let cat = shop("sqlite");
    let (last, earlier) = questions.split_last().unwrap();
    unnamed(&plan(&cat, last, earlier, today(), DbKind::Sqlite).unwrap_or_else(|e| panic!("{questions:?}: {e}")).sql)
}

#[test]
fn follow_ups_change_the_previous_question() {
    assert_eq!(
        thread(&["How many customers are there?", "and per country?"]),
        "SELECT country, count(*) FROM customers GROUP BY country"
    );
    assert_eq!(
        thread(&["How many orders per status?", "only 2025"]),
        "SELECT status, count(*) FROM orders WHERE CAST(substr(ordered_at, 1, 4) AS INTEGER) = 2025 GROUP BY status"
    );
    assert_eq!(
        thread(&["Revenue by country", "show me the top 3"]),
        "SELECT T1.country, sum(T3.quantity * T3.unit_price) FROM customers AS T1 \
         JOIN orders AS T2 ON T1.id = T2.customer_id JOIN order_items AS T3 ON T2.id = T3.order_id \
         GROUP BY T1.country ORDER BY sum(T3.quantity * T3.unit_price) DESC LIMIT 3"
    );
    // Follow-ups build on each other.
    assert_eq!(
        thread(&["How many orders per status?", "only 2025", "and just the cancelled ones"]),
        "SELECT status, count(*) FROM orders WHERE CAST(substr(ordered_at, 1, 4) AS INTEGER) = 2025 \
         AND status = 'cancelled' GROUP BY status"
    );
    // A new question is not a follow-up.
    assert_eq!(
        thread(&["How many orders per status?", "How many customers are there?"]),
        "SELECT count(*) FROM customers"
    );
}

fn result(sql: &str, columns: &[&str], rows: Vec<Vec<serde_json::Value>>) -> sqlagent_model::QueryResultView {
    sqlagent_model::QueryResultView {
        sql: sql.into(),
        columns: columns.iter().map(|c| (*c).into()).collect(),
        row_count: rows.len(),
        rows,
        truncated: false,
        elapsed_ms: 1,
    }
}

fn answer(q: &str, columns: &[&str], rows: Vec<Vec<serde_json::Value>>) -> String {
    let cat = shop("sqlite");
    let reading = read(&cat, q, today()).unwrap();
    let sql = Writer { catalog: &cat, kind: DbKind::Sqlite }.sql(&reading.query).unwrap();
    answer::compose(&cat, q, &reading, &result(&sql, columns, rows), false)
}

#[test]
fn answers_say_the_figure_the_reading_and_the_sql() {
    use serde_json::json;
    let a = answer("How many customers are there?", &["count(*)"], vec![vec![json!(120)]]);
    assert!(a.starts_with("There are 120 customers."), "{a}");
    assert!(a.ends_with("SQL: SELECT count(*) AS number_of_customers FROM customers"), "{a}");

    let a = answer("How many customers in Brazil?", &["count(*)"], vec![vec![json!(1)]]);
    assert!(a.starts_with("There is 1 customer."), "{a}");
    assert!(
        a.contains("I read \"How many customers in Brazil?\" as: 'Brazil' as customers.country is 'Brazil'"),
        "{a}"
    );

    let a = answer("Which city has the most customers?", &["city"], vec![vec![json!("Paris")]]);
    assert!(a.starts_with("Paris has the most customers."), "{a}");

    let a = answer("What is the most expensive product?", &["name"], vec![vec![json!("Espresso Machine")]]);
    assert!(a.starts_with("Espresso Machine has the highest price."), "{a}");

    let a = answer("When was the last order placed?", &["ordered_at"], vec![vec![json!("2026-11-24 10:31:00")]]);
    assert!(a.starts_with("The latest ordered at is 2026-11-24 10:31:00."), "{a}");

    let a = answer("customers in Brazil", &["name"], vec![]);
    assert!(a.starts_with("No customers match the question."), "{a}");
}

#[test]
fn long_lists_are_cut_with_a_count_of_the_rest() {
    let rows = (0..25).map(|i| vec![serde_json::json!(format!("Customer {i}"))]).collect();
    let a = answer("List all customers", &["name"], rows);
    assert!(a.starts_with("Found 25 names: Customer 0; Customer 1;"), "{a}");
    assert!(a.contains("Customer 9; and 15 more."), "{a}");
    assert!(!a.contains("Customer 10"), "{a}");
    let rows = vec![
        vec![serde_json::json!("Germany"), serde_json::json!(12)],
        vec![serde_json::json!("France"), serde_json::json!(9)],
    ];
    let a = answer("How many customers per country?", &["country", "number_of_customers"], rows);
    assert!(a.starts_with("Number of customers per country — Germany: 12; France: 9."), "{a}");
    let rows =
        (1..=24).map(|m| vec![serde_json::json!(format!("2025-{m:02}")), serde_json::json!(m * 3 % 17)]).collect();
    let a = answer("Number of orders per month", &["month", "number_of_orders"], rows);
    assert!(a.starts_with("Number of orders per month — 2025-01: 3; 2025-02: 6;"), "{a}");
    assert!(a.contains("; and 14 more. Highest: 2025-11 (16); lowest: 2025-17 (0)."), "{a}");
}

#[test]
fn unreadable_questions_get_suggestions_from_this_schema() {
    let cat = shop("sqlite");
    let text = unreadable(&cat, "I could not tell which table the question is about");
    assert!(text.starts_with("I could not read this question against this database"), "{text}");
    assert!(text.contains("\"How many customers are there?\""), "{text}");
    assert!(plan(&cat, "What is the meaning of life?", &[], today(), DbKind::Sqlite).is_err());
}

#[tokio::test]
async fn the_engine_calls_run_sql_then_answers_from_the_rows() {
    use crate::llm::{ChatContext, ChatMessage, ChatModel, Role};
    let cat = shop("postgresql");
    let user = ChatMessage {
        role: Role::User,
        content: Some("How many orders were placed last month?".into()),
        tool_calls: Vec::new(),
        tool_call_id: None,
    };
    let ctx = ChatContext { catalog: &cat, queries: &[], today: today(), kind: DbKind::Postgres };
    let first = OfflineEngine.chat(std::slice::from_ref(&user), &[], &ctx).await.unwrap();
    let call = &first.message.tool_calls[0];
    assert_eq!(call.name, "run_sql");
    let args: serde_json::Value = serde_json::from_str(&call.arguments).unwrap();
    let sql = args["query"].as_str().unwrap();
    assert_eq!(
        sql,
        "SELECT count(*) AS number_of_orders FROM orders WHERE ordered_at >= DATE '2026-10-01' AND ordered_at < DATE '2026-11-01'"
    );
    let tool = ChatMessage {
        role: Role::Tool,
        content: Some("count\n24".into()),
        tool_calls: Vec::new(),
        tool_call_id: Some(call.id.clone()),
    };
    let ran = [result(sql, &["count"], vec![vec![serde_json::json!(24)]])];
    let ctx = ChatContext { catalog: &cat, queries: &ran, today: today(), kind: DbKind::Postgres };
    let second = OfflineEngine.chat(&[user, first.message, tool], &[], &ctx).await.unwrap();
    let text = second.message.content.unwrap();
    assert!(second.message.tool_calls.is_empty());
    assert!(text.starts_with("There are 24 orders."), "{text}");
    assert!(text.contains("orders.ordered_at from 2026-10-01 up to (not including) 2026-11-01"), "{text}");
}

#[test]
fn computed_columns_get_readable_names() {
    assert_eq!(
        named_sql_on(DbKind::Postgres, "How many customers are there?"),
        "SELECT count(*) AS number_of_customers FROM customers"
    );
    assert_eq!(
        named_sql_on(DbKind::MySql, "Number of orders per month"),
        "SELECT DATE_FORMAT(ordered_at, '%Y-%m') AS `month`, count(*) AS number_of_orders FROM orders \
         GROUP BY DATE_FORMAT(ordered_at, '%Y-%m') ORDER BY DATE_FORMAT(ordered_at, '%Y-%m')"
    );
    assert!(named_sql_on(DbKind::Sqlite, "What are the top 5 products by revenue?").contains("AS total_revenue"));
    assert!(named_sql_on(DbKind::Sqlite, "Average price per category")
        .starts_with("SELECT T2.\"name\", avg(T1.price) AS average_price"));
    assert!(named_sql_on(DbKind::Sqlite, "the minimum and maximum price of products")
        .contains("min(price) AS min_price, max(price) AS max_price"));
}
