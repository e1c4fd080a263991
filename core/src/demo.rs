//! The built-in demo database: a small shop, generated into
//! `$SQLAGENT_DATA_DIR/sqlite/demo_shop.sqlite` at start if it is missing, so a
//! fresh install has something to ask questions about.
//!
//! The data is deterministic except for its dates, which are laid out over
//! the two years before the day the file is generated: "orders last month",
//! "this quarter" and "customers who have not ordered in 3 months" then all
//! find rows on the day a newcomer tries them.
use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::Context;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{Connection, SqliteConnection};

/// File name of the demo database in the shared SQLite folder.
pub const DEMO_FILE: &str = "demo_shop.sqlite";

const SCHEMA: &str = "
CREATE TABLE customers (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, email TEXT NOT NULL UNIQUE,
    country TEXT NOT NULL, city TEXT NOT NULL, signed_up_at TEXT NOT NULL);
CREATE TABLE categories (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE products (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, category_id INTEGER NOT NULL REFERENCES categories(id),
    price NUMERIC NOT NULL, stock INTEGER NOT NULL);
CREATE TABLE orders (
    id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers(id),
    ordered_at TEXT NOT NULL, status TEXT NOT NULL);
CREATE TABLE order_items (
    order_id INTEGER NOT NULL REFERENCES orders(id), product_id INTEGER NOT NULL REFERENCES products(id),
    quantity INTEGER NOT NULL, unit_price NUMERIC NOT NULL, PRIMARY KEY (order_id, product_id));
";

const FIRST: &[&str] = &[
    "Ava", "Ben", "Chloe", "Daniel", "Emma", "Felix", "Grace", "Hugo", "Isla", "Jack", "Lena", "Mateo", "Nora", "Omar",
    "Priya", "Quinn", "Rosa", "Sam", "Tara", "Yuki",
];
const LAST: &[&str] =
    &["Smith", "Garcia", "Müller", "Rossi", "Dubois", "Tanaka", "Silva", "Kowalski", "Jensen", "Novak", "Patel", "Kim"];
const PLACES: &[(&str, &str)] = &[
    ("USA", "New York"),
    ("USA", "Chicago"),
    ("Germany", "Berlin"),
    ("France", "Paris"),
    ("Italy", "Milan"),
    ("Japan", "Tokyo"),
    ("Brazil", "São Paulo"),
    ("Poland", "Warsaw"),
    ("Denmark", "Copenhagen"),
    ("India", "Pune"),
    ("Canada", "Toronto"),
    ("Spain", "Madrid"),
];
const CATALOG: &[(&str, &[(&str, f64)])] = &[
    (
        "Books",
        &[
            ("Rust in Action", 39.99),
            ("SQL Cookbook", 44.5),
            ("The Pragmatic Programmer", 42.0),
            ("Designing Data-Intensive Applications", 49.9),
        ],
    ),
    (
        "Electronics",
        &[
            ("USB-C Hub", 29.99),
            ("Mechanical Keyboard", 119.0),
            ("27\" Monitor", 289.0),
            ("Noise-cancelling Headphones", 199.0),
        ],
    ),
    ("Home", &[("Espresso Machine", 349.0), ("Chef's Knife", 79.0), ("Cast Iron Pan", 54.0)]),
    ("Outdoors", &[("Trail Backpack", 129.0), ("Camping Stove", 64.5), ("Headlamp", 24.99)]),
    ("Toys", &[("Building Blocks Set", 59.0), ("Puzzle 1000 pieces", 19.99)]),
];
const STATUSES: &[&str] = &["delivered", "delivered", "delivered", "shipped", "processing", "cancelled"];

/// A tiny deterministic generator (xorshift), so every install gets the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Create the demo database if it does not exist yet; returns its path.
pub async fn ensure(data_dir: &Path) -> crate::Result<PathBuf> {
    let dir = data_dir.join("sqlite");
    let path = dir.join(DEMO_FILE);
    if path.is_file() {
        return Ok(path);
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let tmp = dir.join(format!(".{DEMO_FILE}.{}.part", uuid::Uuid::new_v4().simple()));
    let opts = SqliteConnectOptions::from_str(&format!("sqlite://{}", tmp.display()))
        .context("demo path")?
        .create_if_missing(true);
    let today = chrono::Utc::now().date_naive();
    let mut conn = SqliteConnection::connect_with(&opts).await?;
    let mut tx = conn.begin().await?;
    sqlx::raw_sql(SCHEMA).execute(&mut *tx).await?;
    let mut rng = Rng(0x5EED_CAFE_F00D);
    for i in 1..=120i64 {
        let (first, last) = (FIRST[rng.below(FIRST.len())], LAST[rng.below(LAST.len())]);
        let (country, city) = PLACES[rng.below(PLACES.len())];
        // Sign-ups over the 30 months before today.
        let day = (today - chrono::Days::new(rng.below(913) as u64)).format("%Y-%m-%d").to_string();
        sqlx::query("INSERT INTO customers VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(i)
            .bind(format!("{first} {last}"))
            .bind(format!("{}.{}{i}@example.com", first.to_lowercase(), last.to_lowercase()))
            .bind(country)
            .bind(city)
            .bind(day)
            .execute(&mut *tx)
            .await?;
    }
    let mut products: Vec<(i64, f64)> = Vec::new();
    for (c, (category, items)) in CATALOG.iter().enumerate() {
        sqlx::query("INSERT INTO categories VALUES ($1, $2)")
            .bind(c as i64 + 1)
            .bind(*category)
            .execute(&mut *tx)
            .await?;
        for (name, price) in items.iter() {
            let id = products.len() as i64 + 1;
            sqlx::query("INSERT INTO products VALUES ($1, $2, $3, $4, $5)")
                .bind(id)
                .bind(*name)
                .bind(c as i64 + 1)
                .bind(*price)
                .bind(rng.below(200) as i64)
                .execute(&mut *tx)
                .await?;
            products.push((id, *price));
        }
    }
    for order in 1..=600i64 {
        // Orders over the two years up to today, busier in recent months.
        let back = rng.below(730).min(rng.below(730) + 120) as u64;
        let day = format!(
            "{} {:02}:{:02}:00",
            (today - chrono::Days::new(back)).format("%Y-%m-%d"),
            8 + rng.below(12),
            rng.below(60)
        );
        sqlx::query("INSERT INTO orders VALUES ($1, $2, $3, $4)")
            .bind(order)
            .bind(1 + rng.below(120) as i64)
            .bind(day)
            .bind(STATUSES[rng.below(STATUSES.len())])
            .execute(&mut *tx)
            .await?;
        let lines = 1 + rng.below(4);
        let start = rng.below(products.len());
        for k in 0..lines {
            let (pid, price) = products[(start + k * 3) % products.len()];
            sqlx::query("INSERT INTO order_items VALUES ($1, $2, $3, $4)")
                .bind(order)
                .bind(pid)
                .bind(1 + rng.below(3) as i64)
                .bind(price)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    conn.close().await?;
    std::fs::rename(&tmp, &path).with_context(|| format!("placing {}", path.display()))?;
    tracing::info!(path = %path.display(), "generated the demo database");
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_demo_database_is_generated_once_with_related_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = ensure(dir.path()).await.unwrap();
        let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
        assert_eq!(ensure(dir.path()).await.unwrap(), path);
        assert_eq!(std::fs::metadata(&path).unwrap().modified().unwrap(), modified, "not regenerated");
        let mut conn = SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.unwrap();
        let (orders, orphans): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT count(*) FROM orders), \
                    (SELECT count(*) FROM order_items i LEFT JOIN products p ON p.id = i.product_id WHERE p.id IS NULL)",
        )
        .fetch_one(&mut conn)
        .await
        .unwrap();
        assert_eq!((orders, orphans), (600, 0));
        // Dates relative to today: every one of the last 12 months has orders,
        // none is in the future, none older than two years.
        let (months, future, old, last_month): (i64, i64, i64, i64) = sqlx::query_as(
            "SELECT (SELECT count(DISTINCT strftime('%Y-%m', ordered_at)) FROM orders                      WHERE ordered_at >= date('now', 'start of month', '-11 months')),                     (SELECT count(*) FROM orders WHERE date(ordered_at) > date('now')),                     (SELECT count(*) FROM orders WHERE date(ordered_at) < date('now', '-731 days')),                     (SELECT count(*) FROM orders WHERE ordered_at >= date('now', 'start of month', '-1 month')                                                  AND ordered_at < date('now', 'start of month'))",
        )
        .fetch_one(&mut conn)
        .await
        .unwrap();
        assert_eq!((months, future, old), (12, 0, 0));
        assert!(last_month >= 10, "last month has {last_month} orders");
        // Some customers have not ordered in the last 3 months, most have.
        let (quiet, total): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT count(*) FROM customers c WHERE NOT EXISTS (SELECT 1 FROM orders o                      WHERE o.customer_id = c.id AND o.ordered_at >= date('now', '-3 months'))),                     (SELECT count(*) FROM customers)",
        )
        .fetch_one(&mut conn)
        .await
        .unwrap();
        assert!(quiet > 5 && quiet < total * 3 / 4, "{quiet} of {total} customers quiet");
    }
}
