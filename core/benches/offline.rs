//! Benchmark: the offline engine's reading of a question into SQL (its first
//! turn: linking, planning, writing the SQL), and the table ranking that
//! prunes remote models' prompts, on a 100-table schema with a value index of
//! about 4,000 values. The query itself is not run.
//!
//! `cargo bench -p sqlagent-core --bench offline` (no services needed).
use std::sync::Arc;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use sqlagent_core::linker::{Catalog, ColumnValues, ValueIndex};
use sqlagent_core::llm::{ChatContext, ChatMessage, ChatModel, Role};
use sqlagent_core::offline::OfflineEngine;
use sqlagent_core::targets::DbKind;
use sqlagent_model::{Column, ForeignKey, Schema, Table};

const NOUNS: &[&str] = &[
    "account",
    "address",
    "agent",
    "album",
    "artist",
    "asset",
    "booking",
    "branch",
    "budget",
    "campaign",
    "carrier",
    "claim",
    "contract",
    "course",
    "device",
    "discount",
    "district",
    "driver",
    "event",
    "expense",
    "facility",
    "flight",
    "grade",
    "guest",
    "incident",
    "instructor",
    "invoice",
    "ledger",
    "lesson",
    "license",
    "loan",
    "member",
    "payment",
    "permit",
    "playlist",
    "policy",
    "project",
    "property",
    "purchase",
    "refund",
    "region",
    "rental",
    "reservation",
    "review",
    "room",
    "route",
    "schedule",
    "seller",
    "semester",
    "service",
    "shift",
    "shipment",
    "sponsor",
    "station",
    "student",
    "subscription",
    "supplier",
    "survey",
    "task",
    "team",
    "teacher",
    "ticket",
    "tour",
    "track",
    "trainer",
    "transfer",
    "trip",
    "vehicle",
    "vendor",
    "venue",
    "visit",
    "voucher",
    "warehouse",
    "workshop",
    "zone",
    "badge",
    "batch",
    "cabin",
    "career",
    "channel",
    "chapter",
    "clinic",
    "coupon",
    "deposit",
    "donation",
    "election",
    "exhibit",
    "festival",
    "garage",
    "harbor",
    "journal",
    "kiosk",
    "league",
    "mission",
    "notebook",
];

fn column(name: &str, ty: &str) -> Column {
    Column { name: name.into(), data_type: ty.into(), nullable: true, comment: None }
}

/// The demo shop's five tables and 95 more, each with a key, a name, a status,
/// an amount, a date and a reference to an earlier table.
fn schema() -> Schema {
    let mut tables = vec![
        table("customers", &[("country", "text"), ("city", "text"), ("signed_up_at", "date")], None),
        table("categories", &[], None),
        table("products", &[("price", "numeric"), ("stock", "integer")], Some("categories")),
        table("orders", &[("ordered_at", "timestamp"), ("status", "text")], Some("customers")),
    ];
    let mut items = table("order_items", &[("quantity", "integer"), ("unit_price", "numeric")], Some("orders"));
    items.columns.push(column("product_id", "integer"));
    items.foreign_keys.push(ForeignKey {
        columns: vec!["product_id".into()],
        ref_schema: None,
        ref_table: "products".into(),
        ref_columns: vec!["id".into()],
    });
    tables.push(items);
    for (i, noun) in NOUNS.iter().enumerate().take(95) {
        let parent = (i % 7 != 0).then(|| tables[(i * 37) % tables.len()].name.clone());
        tables.push(table(
            &format!("{noun}s"),
            &[("status", "text"), ("amount", "numeric"), ("created_at", "timestamp"), ("code", "varchar(20)")],
            parent.as_deref(),
        ));
    }
    Schema { dialect: "postgresql".into(), tables }
}

fn table(name: &str, extra: &[(&str, &str)], parent: Option<&str>) -> Table {
    let mut columns = vec![column("id", "integer"), column("name", "text")];
    columns.extend(extra.iter().map(|(n, t)| column(n, t)));
    let mut foreign_keys = Vec::new();
    if let Some(p) = parent {
        let fk = format!("{}_id", p.trim_end_matches('s'));
        columns.push(column(&fk, "integer"));
        foreign_keys.push(ForeignKey {
            columns: vec![fk],
            ref_schema: None,
            ref_table: p.into(),
            ref_columns: vec!["id".into()],
        });
    }
    Table {
        schema: Some("public".into()),
        name: name.into(),
        kind: "table".into(),
        comment: None,
        row_estimate: Some(10_000),
        columns,
        primary_key: vec!["id".into()],
        foreign_keys,
    }
}

/// About 4,000 sampled values: names, statuses, countries, cities.
fn values(schema: &Schema) -> ValueIndex {
    let mut columns = Vec::new();
    for (t, table) in schema.tables.iter().enumerate() {
        for (c, col) in table.columns.iter().enumerate() {
            let values: Vec<(String, i64)> = match col.name.as_str() {
                "name" => (0..30).map(|i| (format!("{} {}", table.name.trim_end_matches('s'), i), 1)).collect(),
                "status" => ["open", "closed", "pending", "cancelled", "shipped", "delivered"]
                    .iter()
                    .map(|s| ((*s).to_owned(), 10))
                    .collect(),
                "country" => ["USA", "Germany", "France", "Brazil", "Japan", "India", "Canada", "Spain"]
                    .iter()
                    .map(|s| ((*s).to_owned(), 10))
                    .collect(),
                "city" => (0..200).map(|i| (format!("City {i}"), 1)).collect(),
                _ => continue,
            };
            columns.push(ColumnValues { table: t, column: c, values, complete: true });
        }
    }
    ValueIndex::from_columns(columns)
}

const QUESTIONS: &[&str] = &[
    "How many orders were placed last month?",
    "What are the top 5 products by revenue?",
    "Which customers have not ordered in 3 months?",
    "Average price per category",
    "How many customers in Brazil?",
    "Number of shipments per month this year",
    "Which vendor has the most invoices?",
    "List the 10 cheapest products",
    "total amount of payments by status",
    "students with more than 3 lessons",
];

fn bench(c: &mut Criterion) {
    let schema = Arc::new(schema());
    assert_eq!(schema.tables.len(), 100);
    let catalog = Catalog::new(schema.clone(), values(&schema));
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 25).unwrap();
    let ctx = ChatContext { catalog: &catalog, queries: &[], today, kind: DbKind::Postgres };
    let messages: Vec<Vec<ChatMessage>> = QUESTIONS
        .iter()
        .map(|q| {
            vec![ChatMessage {
                role: Role::User,
                content: Some((*q).into()),
                tool_calls: Vec::new(),
                tool_call_id: None,
            }]
        })
        .collect();
    // Every question is read into a query.
    for m in &messages {
        let reply = runtime.block_on(OfflineEngine.chat(m, &[], &ctx)).unwrap();
        assert_eq!(reply.message.tool_calls.len(), 1, "{:?}: {:?}", m[0].content, reply.message.content);
    }
    c.bench_function("offline: question to SQL, 100 tables (10 questions)", |b| {
        b.iter(|| {
            for m in &messages {
                black_box(runtime.block_on(OfflineEngine.chat(black_box(m), &[], &ctx)).unwrap());
            }
        })
    });
    c.bench_function("linker: rank 100 tables for a prompt", |b| {
        b.iter(|| black_box(catalog.rank_tables(black_box(QUESTIONS[1]))))
    });
    c.bench_function("catalog: build for 100 tables", |b| {
        b.iter(|| black_box(Catalog::new(schema.clone(), values(&schema))))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
