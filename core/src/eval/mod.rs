//! The evaluation harness: a question set through the real agent (the
//! configured model — offline or any OpenAI-compatible server — the same
//! loop, tools, guard and read-only execution) against real databases, with
//! execution accuracy against gold SQL run on the same database.
//!
//! Results are compared as multisets of rows with normalised values (numbers
//! to six significant digits, text trimmed), in order only where the gold SQL
//! orders, and regardless of column order.
mod compare;
mod report;

pub use compare::same_result;
pub use report::{Outcome, Report};

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde::Deserialize;
use sqlagent_model::{AskRequest, NewDbConnection, NewUser};

use crate::auth::{self, Principal};
use crate::config::Settings;
use crate::ids::ConnectionId;
use crate::sqlguard::{self, CheckedSql, Limits, Shape};
use crate::targets::DbKind;
use crate::{agent, attachments, connections, users, AppState};

/// One question of a set.
#[derive(Debug, Clone)]
pub struct Question {
    pub id: String,
    pub db: String,
    pub question: String,
    pub gold: String,
    /// The set's own difficulty label, when it has one (`easy`, `hard`…).
    pub difficulty: Option<String>,
}

#[derive(Deserialize)]
struct RawQuestion {
    #[serde(default)]
    id: Option<String>,
    #[serde(alias = "db_id", default)]
    db: Option<String>,
    question: String,
    #[serde(default)]
    gold: Option<String>,
    #[serde(default)]
    gold_sql: Option<String>,
    #[serde(default)]
    query: Option<String>,
    #[serde(default)]
    gold_sqlite: Option<String>,
    #[serde(default)]
    gold_mysql_spiderman: Option<String>,
    #[serde(default)]
    gold_mysql: Option<String>,
    #[serde(default)]
    gold_postgres: Option<String>,
    #[serde(default, alias = "hardness", alias = "level")]
    difficulty: Option<String>,
}

/// Where the databases of a question set are.
#[derive(Debug, Clone)]
pub enum Databases {
    /// `<root>/<db>/<db>.sqlite` (Spider's layout), or `<root>/<db>.sqlite`.
    SqliteRoot(PathBuf),
    /// One SQLite file for every question.
    SqliteFile(PathBuf),
    /// A server URL, `{db}` standing for the question's database:
    /// `postgres://user:pw@host:5432/{db}`, `mysql://root@127.0.0.1:3306/{db}`.
    Server(String),
}

impl Databases {
    fn kind(&self) -> DbKind {
        match self {
            Databases::Server(url) if url.starts_with("postgres") => DbKind::Postgres,
            Databases::Server(_) => DbKind::MySql,
            _ => DbKind::Sqlite,
        }
    }
}

/// Read a question set: JSON lines or a JSON array; gold SQL for `kind`.
pub fn load_questions(path: &Path, kind: DbKind) -> crate::Result<Vec<Question>> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| crate::Error::Invalid(format!("questions: cannot read {}: {e}", path.display())))?;
    let raws: Vec<RawQuestion> = if text.trim_start().starts_with('[') {
        serde_json::from_str(&text).map_err(|e| crate::Error::Invalid(format!("questions: {e}")))?
    } else {
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(serde_json::from_str)
            .collect::<Result<_, _>>()
            .map_err(|e| crate::Error::Invalid(format!("questions: {e}")))?
    };
    Ok(raws
        .into_iter()
        .enumerate()
        .filter_map(|(n, r)| {
            let gold = match kind {
                DbKind::MySql => r
                    .gold_mysql
                    .or(r.gold_mysql_spiderman)
                    .or(r.gold.clone())
                    .or(r.gold_sql.clone())
                    .or(r.query.clone()),
                DbKind::Postgres => r.gold_postgres.or(r.gold.clone()).or(r.gold_sql.clone()).or(r.query.clone()),
                DbKind::Sqlite => r.gold_sqlite.or(r.gold).or(r.gold_sql).or(r.query),
            }?;
            Some(Question {
                id: r.id.unwrap_or_else(|| format!("q{n:04}")),
                db: r.db.unwrap_or_default(),
                question: r.question,
                gold,
                difficulty: r.difficulty,
            })
        })
        .collect())
}

/// How to run an evaluation.
pub struct Options {
    pub databases: Databases,
    /// The server's settings (the model, above all); the harness uses its own
    /// scratch data dir, store and sessions.
    pub settings: Settings,
    /// Called after each question with (done, total).
    pub progress: Box<dyn Fn(usize, usize) + Send + Sync>,
}

/// A scratch server: its own data dir and store, in-memory sessions.
struct Bench {
    state: AppState,
    principal: Principal,
    _dir: tempfile::TempDir,
}

async fn bench(settings: &Settings) -> crate::Result<Bench> {
    let dir = tempfile::tempdir().map_err(|e| crate::Error::Internal(e.into()))?;
    let mut settings = settings.clone();
    settings.data_dir = dir.path().to_owned();
    settings.database_url = crate::config::SecretUrl::new(format!("sqlite://{}/eval.db", dir.path().display()));
    settings.redis_url = None;
    let state = AppState::build(settings).await?;
    let email = "eval@sqlagent.local";
    users::register(
        &state,
        NewUser { name: "Evaluation".into(), email: email.into(), password: "evaluation-run".into() },
    )
    .await?;
    let token = auth::login(&state, email, "evaluation-run").await?;
    let principal = auth::authenticate(&state, &token.access_token).await?;
    Ok(Bench { state, principal, _dir: dir })
}

impl Bench {
    /// Attach the database `db` to the bench's session (a fresh session per database).
    async fn attach(&mut self, databases: &Databases, db: &str) -> crate::Result<()> {
        let source = match databases {
            Databases::Server(template) => None.ok_or_else(|| template.replace("{db}", db)),
            Databases::SqliteFile(f) => Ok(f.clone()),
            Databases::SqliteRoot(root) => {
                let nested = root.join(db).join(format!("{db}.sqlite"));
                Ok(if nested.is_file() { nested } else { root.join(format!("{db}.sqlite")) })
            }
        };
        let new = match source {
            Err(url) => from_url(&url)?,
            Ok(source) => {
                let name = format!("{}.sqlite", sanitise(db));
                let dir = self.state.settings.data_dir.join("sqlite");
                std::fs::create_dir_all(&dir).map_err(|e| crate::Error::Internal(e.into()))?;
                std::fs::copy(&source, dir.join(&name))
                    .map_err(|e| crate::Error::Invalid(format!("database {db}: {}: {e}", source.display())))?;
                NewDbConnection {
                    db_type: "sqlite".into(),
                    host: String::new(),
                    port: None,
                    database_name: name,
                    username: String::new(),
                    db_password: String::new(),
                    owner_id: None,
                    ssl_mode: None,
                    allow_privileged_login: true,
                }
            }
        };
        let added = connections::add(&self.state, &self.principal, new).await?;
        attachments::connect(&self.state, &self.principal, ConnectionId(added.db_connection.id)).await?;
        // The principal carries the attachment, as a request would.
        self.principal.attached = Some(ConnectionId(added.db_connection.id));
        Ok(())
    }
}

fn sanitise(db: &str) -> String {
    db.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' }).collect()
}

/// A connection from a database URL (the harness's own input, never a user's).
fn from_url(raw: &str) -> crate::Result<NewDbConnection> {
    let url = url::Url::parse(raw).map_err(|e| crate::Error::Invalid(format!("--db: {e}")))?;
    let db_type = match url.scheme() {
        "postgres" | "postgresql" => "postgresql",
        "mysql" => "mysql",
        "mariadb" => "mariadb",
        other => return Err(crate::Error::Invalid(format!("--db: unsupported scheme {other}"))),
    };
    let ssl = url.query_pairs().find(|(k, _)| k == "sslmode" || k == "ssl_mode").map(|(_, v)| v.into_owned());
    Ok(NewDbConnection {
        db_type: db_type.into(),
        host: url.host_str().unwrap_or("127.0.0.1").to_owned(),
        port: url.port(),
        database_name: url.path().trim_start_matches('/').to_owned(),
        username: url.username().to_owned(),
        db_password: url.password().unwrap_or_default().to_owned(),
        owner_id: None,
        ssl_mode: Some(ssl.unwrap_or_else(|| "disable".into())),
        allow_privileged_login: true,
    })
}

/// Run `gold` on the attached database through the read-only executor.
async fn run_gold(bench: &Bench, gold: &str) -> Result<sqlagent_model::QueryResultView, String> {
    let live = attachments::pool(&bench.state, &bench.principal).await.map_err(|e| e.to_string())?;
    let sql = gold.trim().trim_end_matches(';').trim().to_owned();
    let checked = CheckedSql { sql, shape: Shape::Query };
    let limits = Limits {
        max_rows: 100_000,
        max_bytes: 64 * 1024 * 1024,
        timeout: std::time::Duration::from_secs(30),
        ceiling: None,
    };
    sqlguard::execute(&live.pool, &checked, limits).await.map_err(|e| e.to_string())
}

/// Run every question and report.
pub async fn run(questions: &[Question], options: Options) -> crate::Result<Report> {
    let started = Instant::now();
    let mut by_db: BTreeMap<&str, Vec<&Question>> = BTreeMap::new();
    for q in questions {
        by_db.entry(q.db.as_str()).or_default().push(q);
    }
    let mut outcomes = Vec::new();
    let total = questions.len();
    let mut bench = bench(&options.settings).await?;
    let model = bench.state.llm.name().to_owned();
    for (db, qs) in by_db {
        let attached = bench.attach(&options.databases, db).await;
        for (n, q) in qs.into_iter().enumerate() {
            let outcome = match &attached {
                Err(e) => Outcome::failed(q, format!("could not attach the database: {e}")),
                Ok(()) => ask_one(&bench, q, n).await,
            };
            outcomes.push(outcome);
            (options.progress)(outcomes.len(), total);
        }
    }
    Ok(Report::new(model, options.databases.kind(), outcomes, started.elapsed()))
}

async fn ask_one(bench: &Bench, q: &Question, n: usize) -> Outcome {
    let gold = run_gold(bench, &q.gold).await;
    let request = AskRequest {
        user_id: bench.principal.user_id.0,
        session_id: bench.principal.session_id.clone(),
        question: q.question.clone(),
        // Each question in a thread of its own: no earlier question is its context.
        thread_id: Some(format!("eval-{}-{n}", sanitise(&q.db))),
    };
    let started = Instant::now();
    let answer = agent::ask(&bench.state, &bench.principal, &request).await;
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    let mut outcome = Outcome::new(q, latency_ms);
    match (answer, gold) {
        (_, Err(e)) => outcome.error = Some(format!("the gold SQL failed: {e}")),
        (Err(e), _) => outcome.error = Some(e.to_string()),
        (Ok(view), Ok(gold)) => {
            outcome.steps = view.steps;
            outcome.tokens = view.usage.prompt_tokens + view.usage.completion_tokens;
            outcome.answer = view.answer.chars().take(400).collect();
            match view.queries.last() {
                Some(pred) => {
                    outcome.predicted = Some(pred.sql.clone());
                    outcome.correct = same_result(&gold, pred, compare::orders(&q.gold));
                }
                None => outcome.error = Some("no query was run".into()),
            }
        }
    }
    outcome
}
