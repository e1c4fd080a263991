//! The evaluation harness: a question set through the real agent on a real
//! database, scored against gold SQL run on the same database; as a library
//! call and as the `sqlagent eval` command.
use std::collections::BTreeMap;
use std::process::Command;

use sqlagent_core::config::Settings;
use sqlagent_core::eval::{self, Databases, Options};
use sqlagent_core::targets::DbKind;

const QUESTIONS: &str = r#"{"id": "count", "db_id": "demo", "question": "How many customers are there?", "gold": "SELECT count(*) FROM customers", "difficulty": "easy"}
{"id": "cheap", "db_id": "demo", "question": "List the 3 cheapest products", "gold": "SELECT name FROM products ORDER BY price LIMIT 3", "hardness": "medium"}
{"id": "wrong", "db_id": "demo", "question": "How many customers are there?", "gold": "SELECT count(*) FROM orders", "difficulty": "easy"}

{"id": "broken", "db_id": "demo", "question": "How many customers are there?", "gold": "SELECT nope FROM nowhere"}
"#;

fn settings(dir: &std::path::Path) -> Settings {
    Settings::from_vars(&BTreeMap::from([
        ("SQLAGENT_DATA_DIR".to_string(), dir.display().to_string()),
        ("JWT_SECRET".into(), "test-jwt-secret-with-at-least-32-bytes!".into()),
        ("SQLAGENT_SECRET_KEY".into(), "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".into()),
    ]))
    .unwrap()
}

#[tokio::test]
async fn the_harness_scores_answers_against_gold_results_by_shape_and_difficulty() {
    let dir = tempfile::tempdir().unwrap();
    let demo = sqlagent_core::demo::ensure(dir.path()).await.unwrap();
    let file = dir.path().join("questions.jsonl");
    std::fs::write(&file, QUESTIONS).unwrap();
    let questions = eval::load_questions(&file, DbKind::Sqlite).unwrap();
    assert_eq!(questions.len(), 4, "blank lines are skipped");
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let progress = {
        let seen = seen.clone();
        Box::new(move |done: usize, total: usize| seen.lock().unwrap().push((done, total)))
    };
    let options = Options { databases: Databases::SqliteFile(demo), settings: settings(dir.path()), progress };
    let report = eval::run(&questions, options).await.unwrap();
    assert_eq!(*seen.lock().unwrap(), [(1, 4), (2, 4), (3, 4), (4, 4)], "progress after each question");

    assert_eq!(report.model, "sqlagent-offline");
    assert_eq!(report.engine, "sqlite");
    assert_eq!((report.overall.correct, report.overall.questions), (2, 4));
    let by_id: BTreeMap<&str, &eval::Outcome> = report.outcomes.iter().map(|o| (o.id.as_str(), o)).collect();
    assert!(by_id["count"].correct && by_id["cheap"].correct);
    assert!(!by_id["wrong"].correct && by_id["wrong"].error.is_none(), "a different result is wrong, not an error");
    assert_eq!(by_id["wrong"].predicted.as_deref(), Some("SELECT count(*) AS number_of_customers FROM customers"));
    assert!(by_id["broken"].error.as_deref().unwrap().starts_with("the gold SQL failed"));
    assert_eq!(report.errors, 1);
    assert_eq!(by_id["count"].steps, 2);
    assert!(by_id["count"].answer.starts_with("There are 120 customers."));
    assert_eq!(report.by_difficulty["easy"].correct, 1);
    assert_eq!(report.by_difficulty["medium"].correct, 1);
    assert_eq!(report.by_shape["top-n"].correct, 1);
    assert_eq!(report.by_shape["aggregate"].questions, 2);
    let md = report.markdown();
    assert!(md.contains("execution accuracy **50.0 % (2/4)**"), "{md}");
    assert!(md.contains("| medium | 100.0 % (1/1) |"), "{md}");
    assert!(md.contains("- `wrong` (demo) How many customers are there?"), "{md}");
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["overall"]["accuracy"], 0.5);
    assert!(json["latency_ms"]["p50"].as_f64().unwrap() > 0.0);
}

#[test]
fn the_eval_command_writes_json_and_markdown_reports() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("questions.jsonl");
    std::fs::write(&file, QUESTIONS).unwrap();
    // The command generates nothing itself: use the server's demo shop, made by the library.
    let demo = tokio::runtime::Runtime::new().unwrap().block_on(sqlagent_core::demo::ensure(dir.path())).unwrap();
    let out = dir.path().join("report");
    let run = Command::new(env!("CARGO_BIN_EXE_sqlagent"))
        .args(["eval", "--questions"])
        .arg(&file)
        .arg("--sqlite")
        .arg(&demo)
        .arg("--out")
        .arg(&out)
        .args(["--limit", "3"])
        .env("SQLAGENT_DATA_DIR", dir.path())
        .env_remove("OPENAI_API_KEY")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&run.stderr));
    assert!(stdout.starts_with("sqlagent-offline: 66.7 % (2/3)"), "{stdout}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["overall"]["questions"], 3);
    assert!(std::fs::read_to_string(out.join("report.md")).unwrap().starts_with("# Evaluation"));

    let bad = Command::new(env!("CARGO_BIN_EXE_sqlagent"))
        .args(["eval", "--questions"])
        .arg(&file)
        .env("SQLAGENT_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("give exactly one of --db-root, --sqlite, --db"));
}
