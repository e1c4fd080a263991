//! The OpenAI-compatible provider against a scripted chat-completions server
//! (real HTTP on loopback): tool calls, retries on 429/5xx, timeouts, refusals,
//! malformed replies.
use std::sync::Mutex;
use std::time::Duration;

use secrecy::SecretString;
use serde_json::{json, Value};
use sqlagent_core::llm::{ChatMessage, ChatModel, OpenAiCompatible, ToolSpec};
use sqlagent_core::Error;

use crate::helpers::model::*;

/// The provider gets no use of the context; any empty one will do.
static NO_DB: std::sync::LazyLock<EmptyCatalog> = std::sync::LazyLock::new(EmptyCatalog::default);

async fn scripted(steps: Vec<Step>) -> (OpenAiCompatible, Script) {
    let (base, script) = serve_script(steps).await;
    let model =
        OpenAiCompatible::new(&base, SecretString::from("sk-test-secret-key"), "gpt-test", Duration::from_millis(800))
            .unwrap()
            .with_retries(3, Duration::from_millis(10));
    (model, script)
}

fn tool_reply(arguments: Value) -> Value {
    json!({"id": "c1", "object": "chat.completion", "model": "gpt-test",
           "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {"role": "assistant", "content": null,
              "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "run_sql", "arguments": arguments}}]}}],
           "usage": {"prompt_tokens": 120, "completion_tokens": 14, "total_tokens": 134}})
}

fn run_sql_tool() -> ToolSpec {
    ToolSpec {
        name: "run_sql".into(),
        description: "Run one read-only SQL query".into(),
        parameters: json!({"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}),
    }
}

#[tokio::test]
async fn tool_calls_come_back_and_the_request_has_the_openai_wire_shape() {
    let (model, script) = scripted(vec![ok(tool_reply(json!("{\"query\": \"SELECT 1\"}")))]).await;
    let messages = [ChatMessage::system("You answer with SQL."), ChatMessage::user("How many customers?")];
    let reply = model.chat(&messages, &[run_sql_tool()], &NO_DB.ctx()).await.unwrap();
    assert_eq!(reply.message.tool_calls.len(), 1);
    assert_eq!(reply.message.tool_calls[0].name, "run_sql");
    assert_eq!(reply.message.tool_calls[0].arguments, "{\"query\": \"SELECT 1\"}");
    assert_eq!(reply.usage.prompt_tokens, 120);
    let seen = script.seen.lock().unwrap();
    let (auth, body) = &seen[0];
    assert_eq!(auth.as_deref(), Some("Bearer sk-test-secret-key"));
    assert_eq!(body["model"], "gpt-test");
    assert_eq!(body["messages"][1], json!({"role": "user", "content": "How many customers?"}));
    assert_eq!(body["tools"][0]["function"]["name"], "run_sql");
}

#[tokio::test]
async fn a_conversation_with_tool_results_round_trips() {
    let answer = json!({"choices": [{"message": {"role": "assistant", "content": "There are 59 customers."}}]});
    let (model, script) = scripted(vec![ok(answer)]).await;
    let mut call = ChatMessage::assistant("");
    call.content = None;
    call.tool_calls =
        vec![sqlagent_core::llm::ToolCall { id: "call_1".into(), name: "run_sql".into(), arguments: "{}".into() }];
    let messages = [ChatMessage::user("How many?"), call, ChatMessage::tool("call_1", "[[59]]")];
    let reply = model.chat(&messages, &[], &NO_DB.ctx()).await.unwrap();
    assert_eq!(reply.message.content.as_deref(), Some("There are 59 customers."));
    let body = &script.seen.lock().unwrap()[0].1;
    assert_eq!(body["messages"][1]["tool_calls"][0]["function"]["name"], "run_sql");
    assert_eq!(body["messages"][2], json!({"role": "tool", "content": "[[59]]", "tool_call_id": "call_1"}));
    assert!(body.get("tools").is_none());
}

#[tokio::test]
async fn rate_limits_and_server_errors_are_retried_with_backoff() {
    let busy = Step(429, r#"{"error":{"message":"Rate limit reached"}}"#.into(), Duration::ZERO);
    let down = Step(503, "upstream down".into(), Duration::ZERO);
    let (model, script) = scripted(vec![busy, down, ok(tool_reply(json!("{}")))]).await;
    assert!(model.chat(&[ChatMessage::user("q")], &[], &NO_DB.ctx()).await.is_ok());
    assert_eq!(script.seen.lock().unwrap().len(), 3);

    let fail = || Step(500, "boom".into(), Duration::ZERO);
    let (model, script) = scripted(vec![fail(), fail(), fail()]).await;
    let err = model.chat(&[ChatMessage::user("q")], &[], &NO_DB.ctx()).await.unwrap_err();
    assert!(matches!(&err, Error::Unavailable(m) if m.contains("HTTP 500") && m.contains("3 attempts")), "{err}");
    assert_eq!(script.seen.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn a_silent_server_times_out_and_a_rejected_key_is_not_retried() {
    let slow = || Step(200, tool_reply(json!("{}")).to_string(), Duration::from_secs(3));
    let (model, _) = scripted(vec![slow(), slow(), slow()]).await;
    let started = std::time::Instant::now();
    let err = model.chat(&[ChatMessage::user("q")], &[], &NO_DB.ctx()).await.unwrap_err();
    assert!(err.to_string().contains("did not answer in time"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));

    let (model, script) = scripted(vec![Step(
        401,
        r#"{"error":{"message":"Incorrect API key provided: sk-tes***"}}"#.into(),
        Duration::ZERO,
    )])
    .await;
    let err = model.chat(&[ChatMessage::user("q")], &[], &NO_DB.ctx()).await.unwrap_err();
    assert!(matches!(&err, Error::Upstream(m) if m == "The language model rejected the API key"), "{err}");
    assert!(!err.to_string().contains("sk-test-secret-key"));
    assert_eq!(script.seen.lock().unwrap().len(), 1, "no retry on 401");
}

#[tokio::test]
async fn malformed_replies_and_arguments_are_reported_not_panicked_on() {
    let (model, _) = scripted(vec![Step(200, "<html>not json</html>".into(), Duration::ZERO)]).await;
    let err = model.chat(&[ChatMessage::user("q")], &[], &NO_DB.ctx()).await.unwrap_err();
    assert!(matches!(err, Error::Upstream(_)));
    // A wrong base URL: a web server's 404 page, or another API's JSON error.
    for body in ["<html>Not Found</html>", r#"{"detail":"Not Found"}"#] {
        let (model, script) = scripted(vec![Step(404, body.into(), Duration::ZERO)]).await;
        let err = model.chat(&[ChatMessage::user("q")], &[], &NO_DB.ctx()).await.unwrap_err();
        assert!(matches!(&err, Error::Upstream(m) if m.contains("OPENAI_BASE_URL")), "{err}");
        assert_eq!(script.seen.lock().unwrap().len(), 1, "not retried");
    }
    let (model, _) = scripted(vec![ok(json!({"choices": []}))]).await;
    assert!(matches!(model.chat(&[ChatMessage::user("q")], &[], &NO_DB.ctx()).await.unwrap_err(), Error::Upstream(_)));
    // Arguments sent as an object (some servers do) become JSON text; broken
    // argument text is passed through for the agent to report back to the model.
    let (model, _) =
        scripted(vec![ok(tool_reply(json!({"query": "SELECT 2"}))), ok(tool_reply(json!("{\"query\": ")))]).await;
    let a = model.chat(&[ChatMessage::user("q")], &[], &NO_DB.ctx()).await.unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(&a.message.tool_calls[0].arguments).unwrap(),
        json!({"query": "SELECT 2"})
    );
    let b = model.chat(&[ChatMessage::user("q")], &[], &NO_DB.ctx()).await.unwrap();
    assert_eq!(b.message.tool_calls[0].arguments, "{\"query\": ");
}

/// A streamed chat completion: each value becomes one `data:` event, then `[DONE]`.
#[tokio::test]
async fn streamed_text_and_tool_calls_arrive_in_pieces_and_assemble() {
    let call = streamed(&[
        json!({"choices": [{"index": 0, "delta": {"role": "assistant", "tool_calls": [{"index": 0, "id": "call_9", "type": "function", "function": {"name": "run_sql", "arguments": ""}}]}}]}),
        json!({"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": "{\"query\": "}}]}}]}),
        json!({"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": "\"SELECT 1\"}"}}]}, "finish_reason": "tool_calls"}]}),
    ]);
    let busy = Step(429, r#"{"error":{"message":"slow down"}}"#.into(), Duration::ZERO);
    let (model, script) = scripted(vec![call, busy, streamed_text(&["There are ", "59 ", "customers."])]).await;
    let tokens = Mutex::new(Vec::<String>::new());
    let sink = |t: &str| tokens.lock().unwrap().push(t.to_owned());
    let first =
        model.chat_stream(&[ChatMessage::user("How many?")], &[run_sql_tool()], &NO_DB.ctx(), &sink).await.unwrap();
    assert_eq!(first.message.tool_calls.len(), 1);
    assert_eq!(first.message.tool_calls[0].id, "call_9");
    assert_eq!(first.message.tool_calls[0].arguments, "{\"query\": \"SELECT 1\"}");
    assert!(tokens.lock().unwrap().is_empty());

    // A 429 before the stream starts is retried like any other call.
    let second = model.chat_stream(&[ChatMessage::user("How many?")], &[], &NO_DB.ctx(), &sink).await.unwrap();
    assert_eq!(second.message.content.as_deref(), Some("There are 59 customers."));
    assert_eq!(*tokens.lock().unwrap(), ["There are ", "59 ", "customers."]);
    assert_eq!(second.usage.prompt_tokens, 30);
    let seen = script.seen.lock().unwrap();
    assert_eq!(seen.len(), 3);
    assert_eq!(seen[0].1["stream"], true);
    assert_eq!(seen[0].1["stream_options"]["include_usage"], true);
}

#[tokio::test]
async fn a_broken_or_silent_stream_is_an_error_not_a_hang() {
    let garbage = Step(200, "data: {not json}\n\n".into(), Duration::ZERO);
    let (model, _) = scripted(vec![garbage]).await;
    let err = model.chat_stream(&[ChatMessage::user("q")], &[], &NO_DB.ctx(), &|_: &str| {}).await.unwrap_err();
    assert!(matches!(err, Error::Upstream(_)), "{err}");

    let slow = || Step(200, "data: {}\n\n".into(), Duration::from_secs(3));
    let (model, _) = scripted(vec![slow(), slow(), slow()]).await;
    let started = std::time::Instant::now();
    let err = model.chat_stream(&[ChatMessage::user("q")], &[], &NO_DB.ctx(), &|_: &str| {}).await.unwrap_err();
    assert!(err.to_string().contains("did not answer in time"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn azure_style_deployments_get_their_path_version_and_api_key_header() {
    let (base, script) = serve_script(vec![ok(tool_reply(json!("{}")))]).await;
    let root = base.trim_end_matches("/v1");
    let model = OpenAiCompatible::azure(
        root,
        SecretString::from("azure-key-1"),
        "gpt4o-prod",
        "2024-10-21",
        Duration::from_secs(2),
    )
    .unwrap();
    assert_eq!(model.name(), "gpt4o-prod");
    model.chat(&[ChatMessage::user("q")], &[], &NO_DB.ctx()).await.unwrap();
    assert_eq!(
        script.uris.lock().unwrap()[0],
        "/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21"
    );
    assert_eq!(script.seen.lock().unwrap()[0].0.as_deref(), Some("api-key azure-key-1"));
}

#[tokio::test]
async fn settings_the_client_cannot_use_are_refused_up_front_not_at_the_first_question() {
    let key = || SecretString::from("sk-x");
    let t = Duration::from_secs(1);
    for base in ["not a url", "ftp://example.com/v1", "http://user:pw@example.com/v1", "http://example.com/v1?x=1"] {
        let err = OpenAiCompatible::new(base, key(), "m", t).err().expect(base);
        assert!(err.to_string().contains("OPENAI_BASE_URL"), "{err}");
    }
    let err = OpenAiCompatible::new("http://127.0.0.1:1/v1", SecretString::from("sk-\nbroken"), "m", t).err().unwrap();
    assert!(err.to_string().contains("OPENAI_API_KEY") && !err.to_string().contains("broken"), "{err}");
    let err = OpenAiCompatible::azure("http://127.0.0.1:1", key(), "../admin", "2024-10-21", t).err().unwrap();
    assert!(err.to_string().contains("deployment"), "{err}");
    // And the server does not start with them.
    let data_dir = tempfile::tempdir().unwrap();
    let vars = std::collections::BTreeMap::from([
        ("SQLAGENT_DATA_DIR".to_string(), data_dir.path().display().to_string()),
        ("OPENAI_API_KEY".into(), "sk-x".into()),
        ("OPENAI_BASE_URL".into(), "localhost:11434".into()),
        ("JWT_SECRET".into(), "test-jwt-secret-with-at-least-32-bytes!".into()),
        ("SQLAGENT_SECRET_KEY".into(), "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".into()),
    ]);
    let settings = sqlagent_core::config::Settings::from_vars(&vars).unwrap();
    let err = sqlagent_core::AppState::build(settings).await.err().expect("refused");
    assert!(err.to_string().contains("OPENAI_BASE_URL"), "{err}");
}
