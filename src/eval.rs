//! `sqlagent eval`: run a question set through the agent against real
//! databases and write an accuracy report (JSON and Markdown).
use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Context};
use sqlagent_core::config::Settings;
use sqlagent_core::eval::{self, Databases, Options};

pub const USAGE: &str = "\
sqlagent eval — execution accuracy of the configured model (offline unless OPENAI_API_KEY is set)

  sqlagent eval --questions FILE (--db-root DIR | --sqlite FILE | --db URL) [--out DIR] [--limit N] [--only DB,…]

  --questions FILE  JSON lines (or a JSON array) with `question`, `db_id`, and gold SQL
                    (`gold_sqlite` / `gold_mysql_spiderman` / `gold` / `query`)
  --db-root DIR     SQLite databases as DIR/<db_id>/<db_id>.sqlite (Spider's layout)
  --sqlite FILE     one SQLite database for every question
  --db URL          a server, {db} standing for the question's database, e.g.
                    mysql://root@127.0.0.1:3306/{db} or postgres://postgres@127.0.0.1/{db}
  --out DIR         where report.json and report.md go (default: eval-report)
  --limit N         only the first N questions
  --only DBS        only these databases (comma-separated)
";

/// Run the subcommand with its arguments (after `eval`).
pub async fn main(args: &[String], settings: Settings) -> anyhow::Result<()> {
    let mut flags = std::collections::BTreeMap::new();
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            print!("{USAGE}");
            return Ok(());
        }
        let value = it.next().with_context(|| format!("{flag} needs a value"))?;
        flags.insert(flag.as_str(), value.clone());
    }
    let questions_path = PathBuf::from(flags.get("--questions").context("--questions is required (see --help)")?);
    let databases = match (flags.get("--db-root"), flags.get("--sqlite"), flags.get("--db")) {
        (Some(root), None, None) => Databases::SqliteRoot(root.into()),
        (None, Some(file), None) => Databases::SqliteFile(file.into()),
        (None, None, Some(url)) => Databases::Server(url.clone()),
        _ => bail!("give exactly one of --db-root, --sqlite, --db (see --help)"),
    };
    let kind = match &databases {
        Databases::Server(url) if url.starts_with("postgres") => sqlagent_core::targets::DbKind::Postgres,
        Databases::Server(_) => sqlagent_core::targets::DbKind::MySql,
        _ => sqlagent_core::targets::DbKind::Sqlite,
    };
    let mut questions = eval::load_questions(&questions_path, kind)?;
    if let Some(only) = flags.get("--only") {
        let keep: Vec<&str> = only.split(',').map(str::trim).collect();
        questions.retain(|q| keep.contains(&q.db.as_str()));
    }
    if let Some(limit) = flags.get("--limit") {
        questions.truncate(limit.parse().context("--limit: a number")?);
    }
    let out = PathBuf::from(flags.get("--out").map(String::as_str).unwrap_or("eval-report"));
    let progress = Box::new(|done: usize, total: usize| {
        if done.is_multiple_of(25) || done == total {
            eprint!("\r{done}/{total} questions");
            let _ = std::io::stderr().flush();
        }
    });
    let report = eval::run(&questions, Options { databases, settings, progress }).await?;
    eprintln!();
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    std::fs::write(out.join("report.json"), serde_json::to_string_pretty(&report)?)?;
    std::fs::write(out.join("report.md"), report.markdown())?;
    println!(
        "{}: {:.1} % ({}/{}) — p50 {:.1} ms; report in {}",
        report.model,
        report.overall.accuracy * 100.0,
        report.overall.correct,
        report.overall.questions,
        report.latency_ms["p50"],
        out.display()
    );
    for (shape, t) in &report.by_shape {
        println!("  {shape:<14} {:>5.1} % ({}/{})", t.accuracy * 100.0, t.correct, t.questions);
    }
    Ok(())
}
