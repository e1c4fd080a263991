//! `TestApp`: one server per test, with its own store and session backend; the
//! scripted model servers; the shared sample databases.
pub mod model;
pub mod samples;

use std::collections::BTreeMap;
use std::time::Duration;

use leptos::prelude::LeptosOptions;
use reqwest::{Client, RequestBuilder, Response, StatusCode};
use serde_json::{json, Value};
use sqlagent::{router, ServerState};
use sqlagent_core::config::Settings;
use sqlagent_core::AppState;

pub const REDIS_URL: &str = "redis://127.0.0.1:6379";

fn pg_admin_url() -> String {
    std::env::var("TEST_PG_ADMIN_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StoreKind {
    Sqlite,
    Postgres,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionKind {
    Memory,
    Redis,
}

/// Every combination of app store and session store.
pub const MATRIX: [(StoreKind, SessionKind); 4] = [
    (StoreKind::Sqlite, SessionKind::Memory),
    (StoreKind::Sqlite, SessionKind::Redis),
    (StoreKind::Postgres, SessionKind::Memory),
    (StoreKind::Postgres, SessionKind::Redis),
];

pub struct TestApp {
    pub base: String,
    /// The per-test PostgreSQL store database, when this app created one.
    pub pg_db: Option<String>,
    pub client: Client,
    pub state: AppState,
    pub data_dir: tempfile::TempDir,
    server: tokio::task::JoinHandle<()>,
}

pub struct Options {
    pub store: StoreKind,
    pub sessions: SessionKind,
    pub ttl_seconds: u64,
    pub redis_url: String,
    /// Share another app's PostgreSQL store (two instances, one store).
    pub share_pg_with: Option<String>,
    /// Extra settings, e.g. the outbound policy.
    pub extra: Vec<(&'static str, String)>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            store: StoreKind::Sqlite,
            sessions: SessionKind::Memory,
            ttl_seconds: 86_400,
            redis_url: REDIS_URL.into(),
            share_pg_with: None,
            extra: Vec::new(),
        }
    }
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::with(Options::default()).await
    }

    pub async fn on(store: StoreKind, sessions: SessionKind) -> TestApp {
        Self::with(Options { store, sessions, ..Options::default() }).await
    }

    pub async fn with(opts: Options) -> TestApp {
        let data_dir = tempfile::tempdir().unwrap();
        let mut vars = BTreeMap::from([
            ("SQLAGENT_DATA_DIR".to_string(), data_dir.path().display().to_string()),
            ("SESSION_TTL_SECONDS".into(), opts.ttl_seconds.to_string()),
            ("JWT_SECRET".into(), "test-jwt-secret-with-at-least-32-bytes!".into()),
            ("SQLAGENT_SECRET_KEY".into(), "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".into()),
        ]);
        for (k, v) in &opts.extra {
            vars.insert((*k).to_owned(), v.clone());
        }
        let pg_db = match (opts.store, &opts.share_pg_with) {
            (StoreKind::Postgres, Some(shared)) => {
                vars.insert("DATABASE_URL".into(), format!("postgres://postgres@127.0.0.1:5432/{shared}"));
                None
            }
            (StoreKind::Postgres, None) => {
                let db = create_pg_database().await;
                vars.insert("DATABASE_URL".into(), format!("postgres://postgres@127.0.0.1:5432/{db}"));
                Some(db)
            }
            (StoreKind::Sqlite, _) => None,
        };
        if opts.sessions == SessionKind::Redis {
            vars.insert("REDIS_URL".into(), opts.redis_url.clone());
        }
        let settings = Settings::from_vars(&vars).unwrap();
        let state = AppState::build(settings).await.unwrap();
        let leptos = LeptosOptions::builder().output_name("sqlagent").site_root("target/site").build();
        let app = router(ServerState { app: state.clone(), leptos });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        let client = Client::builder().timeout(Duration::from_secs(30)).build().unwrap();
        TestApp { base, client, state, data_dir, pg_db, server }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn get(&self, path: &str) -> RequestBuilder {
        self.client.get(self.url(path))
    }

    pub fn post(&self, path: &str) -> RequestBuilder {
        self.client.post(self.url(path))
    }

    pub async fn register(&self, name: &str, email: &str, password: &str) -> Response {
        self.post("/users/").json(&json!({"name": name, "email": email, "password": password})).send().await.unwrap()
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        self.post("/login").form(&[("username", email), ("password", password)]).send().await.unwrap()
    }

    /// Register a fresh user and log in; returns (user, token).
    pub async fn signed_in_user(&self) -> (Value, String) {
        let email = format!("u{}@example.com", uuid::Uuid::new_v4().simple());
        let user: Value = ok_json(self.register("Test User", &email, "password123").await).await;
        let token: Value = ok_json(self.login(&email, "password123").await).await;
        (user, token["access_token"].as_str().unwrap().to_owned())
    }

    pub async fn get_authed(&self, path: &str, token: &str) -> Response {
        self.get(path).bearer_auth(token).send().await.unwrap()
    }

    pub async fn post_authed(&self, path: &str, token: &str, body: &Value) -> Response {
        self.post(path).bearer_auth(token).json(body).send().await.unwrap()
    }

    pub async fn post_empty(&self, path: &str, token: &str) -> Response {
        self.post(path).bearer_auth(token).send().await.unwrap()
    }

    pub async fn send(&self, method: reqwest::Method, path: &str, token: &str, body: Option<&Value>) -> Response {
        let mut req = self.client.request(method, self.url(path)).bearer_auth(token);
        if let Some(b) = body {
            req = req.json(b);
        }
        req.send().await.unwrap()
    }

    /// Add a connection and return its id.
    pub async fn add_db(&self, token: &str, body: &Value) -> i64 {
        let added = ok_json(self.post_authed("/databases/add_db_connection", token, body).await).await;
        assert_eq!(added["message"], "Database added successfully");
        added["db_connection"]["id"].as_i64().unwrap()
    }

    /// Upload a SQLite file into the caller's folder.
    pub async fn upload_sqlite(&self, token: &str, name: &str, bytes: Vec<u8>) -> Response {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_owned());
        let form = reqwest::multipart::Form::new().part("file", part);
        self.post("/databases/upload_sqlite").bearer_auth(token).multipart(form).send().await.unwrap()
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
        if let Some(db) = self.pg_db.take() {
            // Drop the per-test database on a side thread: Drop cannot await.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
                rt.block_on(async move {
                    if let Ok(pool) = sqlx::PgPool::connect(&pg_admin_url()).await {
                        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)")).execute(&pool).await;
                    }
                });
            })
            .join();
        }
    }
}

async fn create_pg_database() -> String {
    let name = format!("sqlagent_t_{}", uuid::Uuid::new_v4().simple());
    let pool = sqlx::PgPool::connect(&pg_admin_url()).await.expect("PostgreSQL on 127.0.0.1:5432");
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&pool).await.unwrap();
    name
}

/// Assert 200 and parse the JSON body.
pub async fn ok_json(r: Response) -> Value {
    let status = r.status();
    let body = r.text().await.unwrap();
    assert_eq!(status, StatusCode::OK, "body: {body}");
    serde_json::from_str(&body).unwrap()
}

/// Assert the status and a `{"detail": "..."}` body; returns the detail.
pub async fn error_detail(r: Response, status: StatusCode) -> String {
    assert_eq!(r.status(), status);
    let body: Value = r.json().await.expect("error body is JSON");
    let obj = body.as_object().expect("error body is an object");
    assert_eq!(obj.len(), 1, "only `detail`: {body}");
    body["detail"].as_str().expect("detail is a string").to_owned()
}

/// An SSE body as (event, data) pairs; keep-alive comments are skipped.
pub fn sse_events(body: &str) -> Vec<(String, Value)> {
    body.split("\n\n")
        .filter_map(|block| {
            let mut name = None;
            let mut data = String::new();
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    name = Some(v.trim().to_owned());
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim_start());
                }
            }
            Some((name?, serde_json::from_str(&data).unwrap_or(Value::Null)))
        })
        .collect()
}
