//! Development loop for the offline engine: `cargo run --release -p sqlagent-core
//! --example eval -- QUESTIONS DB_ROOT [OUT] [ONLY_DB]` runs the evaluation
//! harness without building the web server. The product's command is
//! `sqlagent eval` (same harness).
use std::collections::BTreeMap;

use sqlagent_core::config::Settings;
use sqlagent_core::eval::{self, Databases, Options};
use sqlagent_core::targets::DbKind;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (questions, root) = (&args[0], &args[1]);
    let out = args.get(2).cloned().unwrap_or_else(|| "/tmp/eval".into());
    let mut qs = eval::load_questions(questions.as_ref(), DbKind::Sqlite)?;
    if let Some(only) = args.get(3) {
        qs.retain(|q| only.split(',').any(|d| d == q.db));
    }
    let vars = BTreeMap::from([
        ("JWT_SECRET".to_string(), "eval-jwt-secret-eval-jwt-secret-0123".to_string()),
        ("SQLAGENT_SECRET_KEY".to_string(), "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".to_string()),
    ]);
    let settings = Settings::from_vars(&vars)?;
    let databases = if root.starts_with("mysql") || root.starts_with("postgres") {
        Databases::Server(root.clone())
    } else {
        Databases::SqliteRoot(root.into())
    };
    let report = eval::run(&qs, Options { databases, settings, progress: Box::new(|_, _| {}) }).await?;
    std::fs::create_dir_all(&out)?;
    std::fs::write(format!("{out}/report.json"), serde_json::to_string_pretty(&report)?)?;
    std::fs::write(format!("{out}/report.md"), report.markdown())?;
    println!(
        "{:.1} % ({}/{}) p50 {:.2} ms",
        report.overall.accuracy * 100.0,
        report.overall.correct,
        report.overall.questions,
        report.latency_ms["p50"]
    );
    for (s, t) in &report.by_shape {
        println!("  {s:<14} {:>5.1} % ({}/{})", t.accuracy * 100.0, t.correct, t.questions);
    }
    Ok(())
}
