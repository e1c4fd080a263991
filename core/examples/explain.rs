//! Development aid: how the offline engine reads one question against a
//! SQLite file (or `demo`, the generated demo shop).
//! `cargo run --release -p sqlagent-core --example explain -- FILE "question"`
use std::sync::Arc;

use sqlagent_core::linker::{self, words, Catalog};
use sqlagent_core::offline::{self, query::Writer};
use sqlagent_core::pools::{Pool, SqliteFile};
use sqlagent_core::sqlguard::Scope;
use sqlagent_core::targets::DbKind;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let scratch = tempfile::tempdir()?;
    let file = match args[0].as_str() {
        "demo" => sqlagent_core::demo::ensure(scratch.path()).await?,
        path => path.into(),
    };
    let pool = Pool::Sqlite(SqliteFile::new(file));
    let schema = Arc::new(sqlagent_core::schema::introspect(&pool).await?);
    let values = linker::build_values(&pool, &schema, &Scope { kind: DbKind::Sqlite, database: "x".into() }).await;
    let cat = Catalog::new(schema, values);
    for q in &args[1..] {
        let toks = words::tokenize(q);
        println!("Q: {q}");
        println!("  tokens: {:?}", toks.iter().map(|t| &t.stem).collect::<Vec<_>>());
        for m in cat.mentions(&toks) {
            let text: Vec<&str> = toks[m.start..m.end].iter().map(|t| t.text.as_str()).collect();
            let cands: Vec<String> = m
                .candidates
                .iter()
                .take(4)
                .map(|c| format!("{:?}@{:.2}", describe(&cat, &c.target), c.score))
                .collect();
            println!("  [{}..{}] {:?} -> {}", m.start, m.end, text.join(" "), cands.join(", "));
        }
        match offline::read(&cat, q, chrono::Utc::now().date_naive()) {
            Some(r) => {
                println!("  main: {}", cat.table(r.query.main).name);
                println!("  {:?}", r.query);
                println!("  notes: {:?}", r.notes);
                println!("  SQL: {:?}", Writer { catalog: &cat, kind: DbKind::Sqlite }.sql(&r.query));
            }
            None => println!("  unreadable"),
        }
    }
    Ok(())
}

fn describe(cat: &Catalog, t: &linker::Target) -> String {
    match t {
        linker::Target::Table(t) => format!("table {}", cat.table(*t).name),
        linker::Target::Column(t, c) => format!("{}.{}", cat.table(*t).name, cat.table(*t).columns[*c].name),
        linker::Target::Value(t, c, v) => format!("{}.{}='{v}'", cat.table(*t).name, cat.table(*t).columns[*c].name),
    }
}
