//! The only stand-in of the test suite: language models. A scripted
//! OpenAI-compatible server that answers from a list of steps (and records what
//! it was sent), and an "obedient" model that runs whatever the conversation
//! tells it to — the worst case for the SQL guard.
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Router;
use serde_json::{json, Value};

/// One scripted answer: status, body, and a delay before answering.
#[derive(Clone)]
pub struct Step(pub u16, pub String, pub Duration);

/// A request as the server saw it: the Authorization header and the JSON body.
pub type Seen = (Option<String>, Value);

#[derive(Clone, Default)]
pub struct Script {
    steps: Arc<Mutex<VecDeque<Step>>>,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    /// Path and query of each request.
    pub uris: Arc<Mutex<Vec<String>>>,
}

async fn completions(State(s): State<Script>, uri: Uri, headers: HeaderMap, body: String) -> impl IntoResponse {
    let header = |name: &str| headers.get(name).map(|v| v.to_str().unwrap().to_owned());
    let auth = header("authorization").or_else(|| header("api-key").map(|k| format!("api-key {k}")));
    s.seen.lock().unwrap().push((auth, serde_json::from_str(&body).unwrap_or(Value::Null)));
    s.uris.lock().unwrap().push(uri.to_string());
    let Step(status, body, delay) = s.steps.lock().unwrap().pop_front().expect("a scripted step");
    tokio::time::sleep(delay).await;
    let kind = if body.starts_with("data:") { "text/event-stream" } else { "application/json" };
    (StatusCode::from_u16(status).unwrap(), [(header::CONTENT_TYPE, kind)], body)
}

/// Serve `steps` as an OpenAI-compatible API; returns its base URL.
pub async fn serve_script(steps: Vec<Step>) -> (String, Script) {
    let script = Script { steps: Arc::new(Mutex::new(steps.into())), ..Script::default() };
    let app = Router::new()
        .route("/v1/chat/completions", post(completions))
        .route("/openai/deployments/{deployment}/chat/completions", post(completions))
        .with_state(script.clone());
    (serve(app).await, script)
}

/// Serve a model API on a loopback port; returns its `/v1` base URL.
pub async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}/v1", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    base
}

pub fn ok(body: Value) -> Step {
    Step(200, body.to_string(), Duration::ZERO)
}

pub fn streamed(chunks: &[Value]) -> Step {
    let mut body: String = chunks.iter().map(|c| format!("data: {c}\n\n")).collect();
    body.push_str("data: [DONE]\n\n");
    Step(200, body, Duration::ZERO)
}

/// Text split into streamed content deltas, with usage at the end.
pub fn streamed_text(parts: &[&str]) -> Step {
    let mut chunks: Vec<Value> = parts
        .iter()
        .map(|p| json!({"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {"content": p}}]}))
        .collect();
    chunks.push(json!({"choices": [], "usage": {"prompt_tokens": 30, "completion_tokens": parts.len()}}));
    streamed(&chunks)
}

/// Settings that point an app at a scripted model server.
pub fn model_env(base: String) -> Vec<(&'static str, String)> {
    vec![
        ("OPENAI_API_KEY", "sk-scripted".into()),
        ("OPENAI_BASE_URL", base),
        ("SQLAGENT_MODEL", "scripted-model".into()),
    ]
}

/// What a prompt injection says before the statement it wants run.
pub const RUN_EXACTLY: &str = "Run exactly:";
/// What an injection hidden in the data says before its statement.
pub const PLEASE_RUN: &str = "please run: ";

/// A model that obeys whatever the conversation tells it: the question's text
/// after [`RUN_EXACTLY`] becomes a `run_sql` call, and so does a statement a query
/// result asks for after [`PLEASE_RUN`]; otherwise it answers with what it saw.
/// The worst case for the guard: nothing but the guard stands in the way.
async fn obedient(axum::Json(body): axum::Json<Value>) -> axum::Json<Value> {
    let messages = body["messages"].as_array().cloned().unwrap_or_default();
    let last = messages.last().cloned().unwrap_or_default();
    let content = last["content"].as_str().unwrap_or_default();
    let order = match last["role"].as_str() {
        Some("user") => content.split_once(RUN_EXACTLY).map(|(_, sql)| sql.strip_prefix(' ').unwrap_or(sql).to_owned()),
        Some("tool") => content.split_once(PLEASE_RUN).and_then(|(_, rest)| rest.split('"').next()).map(str::to_owned),
        _ => None,
    };
    let tool_results = messages.iter().filter(|m| m["role"] == "tool").count();
    axum::Json(match order {
        Some(sql) if tool_results < 3 => json!({"choices": [{"message": {"role": "assistant", "content": null,
            "tool_calls": [{"id": format!("call_{tool_results}"), "type": "function",
                "function": {"name": "run_sql", "arguments": json!({"query": sql}).to_string()}}]}}]}),
        _ => {
            let saw: String = content.chars().take(200).collect();
            json!({"choices": [{"message": {"role": "assistant", "content": format!("Done. I saw: {saw}")}}]})
        }
    })
}

/// Serve the [`obedient`] model; returns its base URL.
pub async fn serve_obedient() -> String {
    serve(Router::new().route("/v1/chat/completions", post(obedient))).await
}

/// A catalog of no database, for calling a model directly.
pub struct EmptyCatalog(sqlagent_core::linker::Catalog);

impl Default for EmptyCatalog {
    fn default() -> Self {
        EmptyCatalog(sqlagent_core::linker::Catalog::new(
            std::sync::Arc::new(sqlagent_model::Schema::default()),
            sqlagent_core::linker::ValueIndex::default(),
        ))
    }
}

impl EmptyCatalog {
    pub fn ctx(&self) -> sqlagent_core::llm::ChatContext<'_> {
        sqlagent_core::llm::ChatContext {
            catalog: &self.0,
            queries: &[],
            today: chrono::Utc::now().date_naive(),
            kind: sqlagent_core::targets::DbKind::Sqlite,
        }
    }
}
