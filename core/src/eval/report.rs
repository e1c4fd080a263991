//! The evaluation report: accuracy overall and by the shape of the gold SQL,
//! latency percentiles, steps and tokens; as JSON and as Markdown.
use std::collections::BTreeMap;
use std::time::Duration;

use serde::Serialize;

use super::Question;
use crate::targets::DbKind;

/// One question's result.
#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub id: String,
    pub db: String,
    pub question: String,
    pub gold: String,
    pub predicted: Option<String>,
    pub correct: bool,
    pub error: Option<String>,
    pub answer: String,
    pub latency_ms: f64,
    pub steps: u32,
    pub tokens: u64,
    /// Shapes of the gold SQL (`single-table`, `join`, `group`, …).
    pub shapes: Vec<&'static str>,
    pub difficulty: Option<String>,
}

impl Outcome {
    pub fn new(q: &Question, latency_ms: f64) -> Self {
        Outcome {
            id: q.id.clone(),
            db: q.db.clone(),
            question: q.question.clone(),
            gold: q.gold.clone(),
            predicted: None,
            correct: false,
            error: None,
            answer: String::new(),
            latency_ms,
            steps: 0,
            tokens: 0,
            shapes: shapes(&q.gold),
            difficulty: q.difficulty.clone(),
        }
    }

    pub fn failed(q: &Question, why: String) -> Self {
        Outcome { error: Some(why), ..Outcome::new(q, 0.0) }
    }
}

/// The shapes of a gold query, for accuracy by shape.
pub fn shapes(gold: &str) -> Vec<&'static str> {
    let s = gold.to_ascii_uppercase();
    let selects = s.matches("SELECT").count();
    let join = s.contains(" JOIN ");
    let mut out = vec![if !join && s.matches(" FROM ").count() == 1 { "single-table" } else { "multi-table" }];
    if join {
        out.push("join");
    }
    if selects > 1 {
        out.push("nested");
    }
    if s.contains(" UNION ") || s.contains(" INTERSECT ") || s.contains(" EXCEPT ") {
        out.push("set-operation");
    }
    if s.contains("GROUP BY") {
        out.push("group-by");
    }
    if s.contains("HAVING") {
        out.push("having");
    }
    if s.contains("ORDER BY") {
        out.push(if s.contains("LIMIT") { "top-n" } else { "order-by" });
    }
    if ["COUNT(", "SUM(", "AVG(", "MIN(", "MAX("].iter().any(|f| s.replace(' ', "").contains(f)) {
        out.push("aggregate");
    }
    if s.contains(" WHERE ") {
        out.push("filter");
    }
    out
}

#[derive(Debug, Clone, Serialize)]
pub struct Tally {
    pub questions: usize,
    pub correct: usize,
    pub accuracy: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub model: String,
    pub engine: String,
    pub overall: Tally,
    pub by_shape: BTreeMap<String, Tally>,
    pub by_database: BTreeMap<String, Tally>,
    /// By the set's own difficulty labels, when it has them.
    pub by_difficulty: BTreeMap<String, Tally>,
    pub latency_ms: BTreeMap<String, f64>,
    pub mean_steps: f64,
    pub total_tokens: u64,
    pub errors: usize,
    pub elapsed_s: f64,
    pub outcomes: Vec<Outcome>,
}

fn tally<'a>(outcomes: impl Iterator<Item = &'a Outcome>) -> Tally {
    let (mut n, mut ok) = (0, 0);
    for o in outcomes {
        n += 1;
        ok += usize::from(o.correct);
    }
    Tally { questions: n, correct: ok, accuracy: if n == 0 { 0.0 } else { ok as f64 / n as f64 } }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

impl Report {
    pub fn new(model: String, kind: DbKind, outcomes: Vec<Outcome>, elapsed: Duration) -> Self {
        let mut by_shape = BTreeMap::new();
        let all_shapes: std::collections::BTreeSet<&str> =
            outcomes.iter().flat_map(|o| o.shapes.iter().copied()).collect();
        for s in all_shapes {
            by_shape.insert(s.to_owned(), tally(outcomes.iter().filter(|o| o.shapes.contains(&s))));
        }
        let mut by_database = BTreeMap::new();
        let dbs: std::collections::BTreeSet<&str> = outcomes.iter().map(|o| o.db.as_str()).collect();
        for d in dbs {
            by_database.insert(d.to_owned(), tally(outcomes.iter().filter(|o| o.db == d)));
        }
        let mut by_difficulty = BTreeMap::new();
        let levels: std::collections::BTreeSet<&str> =
            outcomes.iter().filter_map(|o| o.difficulty.as_deref()).collect();
        for l in levels {
            by_difficulty.insert(l.to_owned(), tally(outcomes.iter().filter(|o| o.difficulty.as_deref() == Some(l))));
        }
        let mut latencies: Vec<f64> = outcomes.iter().map(|o| o.latency_ms).collect();
        latencies.sort_by(f64::total_cmp);
        let latency_ms = BTreeMap::from([
            ("p50".to_owned(), percentile(&latencies, 0.5)),
            ("p90".to_owned(), percentile(&latencies, 0.9)),
            ("p99".to_owned(), percentile(&latencies, 0.99)),
            ("max".to_owned(), latencies.last().copied().unwrap_or(0.0)),
        ]);
        let n = outcomes.len().max(1) as f64;
        Report {
            model,
            engine: kind.dialect().to_owned(),
            overall: tally(outcomes.iter()),
            by_shape,
            by_database,
            by_difficulty,
            latency_ms,
            mean_steps: outcomes.iter().map(|o| o.steps as f64).sum::<f64>() / n,
            total_tokens: outcomes.iter().map(|o| o.tokens).sum(),
            errors: outcomes.iter().filter(|o| o.error.is_some()).count(),
            elapsed_s: elapsed.as_secs_f64(),
            outcomes,
        }
    }

    /// The report as Markdown: summary tables, then the questions that failed.
    pub fn markdown(&self) -> String {
        let pct = |t: &Tally| format!("{:.1} % ({}/{})", t.accuracy * 100.0, t.correct, t.questions);
        let mut md = format!(
            "# Evaluation\n\nModel `{}` on {} — execution accuracy **{}**.\n\n\
             Latency per question (ms): p50 {:.1}, p90 {:.1}, p99 {:.1}, max {:.1}. Mean steps {:.2}; tokens {}; \
             errors {}; {:.1} s in all.\n\n## By shape of the gold SQL\n\n| shape | accuracy |\n|---|---|\n",
            self.model,
            self.engine,
            pct(&self.overall),
            self.latency_ms["p50"],
            self.latency_ms["p90"],
            self.latency_ms["p99"],
            self.latency_ms["max"],
            self.mean_steps,
            self.total_tokens,
            self.errors,
            self.elapsed_s
        );
        for (s, t) in &self.by_shape {
            md.push_str(&format!("| {s} | {} |\n", pct(t)));
        }
        if !self.by_difficulty.is_empty() {
            md.push_str("\n## By difficulty\n\n| difficulty | accuracy |\n|---|---|\n");
            for (d, t) in &self.by_difficulty {
                md.push_str(&format!("| {d} | {} |\n", pct(t)));
            }
        }
        md.push_str("\n## By database\n\n| database | accuracy |\n|---|---|\n");
        for (d, t) in &self.by_database {
            md.push_str(&format!("| {d} | {} |\n", pct(t)));
        }
        md.push_str("\n## Incorrect answers\n\n");
        for o in self.outcomes.iter().filter(|o| !o.correct) {
            md.push_str(&format!(
                "- `{}` ({}) {}\n  - gold: `{}`\n  - predicted: `{}`{}\n",
                o.id,
                o.db,
                o.question,
                o.gold.replace('`', "'"),
                o.predicted.as_deref().unwrap_or("—").replace('`', "'"),
                o.error.as_ref().map(|e| format!("\n  - error: {e}")).unwrap_or_default()
            ));
        }
        md
    }
}
