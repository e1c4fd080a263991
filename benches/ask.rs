//! Benchmark: the server's own overhead on `POST /ask/detailed`, with an instant
//! in-process model, on a warm session.
//!
//! `cargo bench --bench ask` (needs the local Redis). The full router runs on a
//! loopback port with the embedded defaults (SQLite store, generated demo shop)
//! and Redis sessions; a keep-alive client asks questions one after another. The
//! model answers instantly, so what is timed is everything else: HTTP, auth and
//! the sliding session, schema and connector lookup, thread memory reads and
//! writes in the store, prompt building, the guard, the read-only query, and the
//! query log. Two shapes: an answer without SQL (one model step) and an answer
//! with one query (two steps).
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use leptos::config::LeptosOptions;
use serde_json::{json, Value};
use sqlagent::{router, ServerState};
use sqlagent_core::config::Settings;
use sqlagent_core::llm::{ChatContext, ChatMessage, ChatModel, Reply, Role, ToolCall, ToolSpec, Usage};
use sqlagent_core::AppState;

const WARMUP: usize = 200;
const RUNS: usize = 2_000;

/// Answers at once: with a query first when the question asks for one.
struct InstantModel;

#[async_trait]
impl ChatModel for InstantModel {
    fn name(&self) -> &str {
        "instant"
    }

    async fn chat(
        &self,
        messages: &[ChatMessage],
        _tools: &[ToolSpec],
        _ctx: &ChatContext<'_>,
    ) -> sqlagent_core::Result<Reply> {
        let last = messages.last().expect("a conversation");
        let wants_sql = last.role == Role::User && last.content.as_deref().is_some_and(|q| q.contains("count"));
        let message = if wants_sql {
            ChatMessage {
                role: Role::Assistant,
                content: None,
                tool_calls: vec![ToolCall {
                    id: "call_1".into(),
                    name: "run_sql".into(),
                    arguments: r#"{"query": "SELECT count(*) AS n FROM customers"}"#.into(),
                }],
                tool_call_id: None,
            }
        } else {
            ChatMessage::assistant("There are 120 customers.")
        };
        Ok(Reply { message, usage: Usage { prompt_tokens: 1, completion_tokens: 1 } })
    }
}

/// Send a set-up request; its JSON answer.
async fn call(request: reqwest::RequestBuilder) -> Value {
    let r = request.send().await.unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    r.json().await.unwrap()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn measure(client: &reqwest::Client, url: &str, token: &str, body: &Value) -> Vec<Duration> {
    for _ in 0..WARMUP {
        let r = client.post(url).bearer_auth(token).json(body).send().await.unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        r.bytes().await.unwrap();
    }
    let mut times = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let t = Instant::now();
        let r = client.post(url).bearer_auth(token).json(body).send().await.unwrap();
        assert_eq!(r.status(), 200);
        r.bytes().await.unwrap();
        times.push(t.elapsed());
    }
    times.sort();
    times
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let data_dir = tempfile::tempdir().unwrap();
    let vars = std::collections::BTreeMap::from([
        ("SQLAGENT_DATA_DIR".to_string(), data_dir.path().display().to_string()),
        ("JWT_SECRET".into(), "bench-jwt-secret-with-at-least-32-bytes!".into()),
        ("SQLAGENT_SECRET_KEY".into(), "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".into()),
        ("REDIS_URL".into(), std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into())),
    ]);
    let mut state = AppState::build(Settings::from_vars(&vars).unwrap()).await.unwrap();
    state.llm = Arc::new(InstantModel);
    let leptos = LeptosOptions::builder().output_name("sqlagent").site_root("target/site").build();
    let app = router(ServerState { app: state, leptos });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let client = reqwest::Client::new();
    let user = json!({"name": "Bench", "email": "bench@example.com", "password": "bench-password-1"});
    call(client.post(format!("{base}/users/")).json(&user)).await;
    let login = call(
        client
            .post(format!("{base}/login"))
            .form(&[("username", "bench@example.com"), ("password", "bench-password-1")]),
    )
    .await;
    let token = login["access_token"].as_str().expect("a token").to_owned();
    let db = json!({"db_type": "sqlite", "database_name": "demo_shop.sqlite"});
    let added = call(client.post(format!("{base}/databases/add_db_connection")).bearer_auth(&token).json(&db)).await;
    let id = added["db_connection"]["id"].as_i64().expect("a connection id");
    let connected = call(client.post(format!("{base}/databases/connect_db/{id}")).bearer_auth(&token)).await;
    let session = connected["session_id"].as_str().unwrap();
    let me = call(client.get(format!("{base}/users/me")).bearer_auth(&token)).await;

    let url = format!("{base}/ask/detailed");
    for (shape, question) in [("answer only (1 step)", "Say hello"), ("one query (2 steps)", "count the customers")] {
        let body = json!({"user_id": me["id"], "session_id": session, "question": question,
                          "thread_id": format!("bench-{}", question.len())});
        let times = measure(&client, &url, &token, &body).await;
        println!(
            "/ask/detailed, {shape}: p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms over {RUNS} requests",
            percentile(&times, 0.50).as_secs_f64() * 1e3,
            percentile(&times, 0.90).as_secs_f64() * 1e3,
            percentile(&times, 0.99).as_secs_f64() * 1e3,
            times.last().unwrap().as_secs_f64() * 1e3,
        );
    }
}
