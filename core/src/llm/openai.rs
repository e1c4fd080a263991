//! The OpenAI-compatible chat-completions provider: `POST {base}/chat/completions`
//! with tools, bounded timeouts, and retries with backoff on 429 and 5xx.
//!
//! Written on reqwest rather than a client crate so that every compatible server
//! (whose responses differ in small ways) is handled by code we control.
use std::time::Duration;

use async_trait::async_trait;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::{json, Value};

use super::{ChatMessage, ChatModel, Reply, Role, ToolCall, ToolSpec, Usage};
use crate::Error;

/// Talks to one OpenAI-compatible endpoint.
pub struct OpenAiCompatible {
    client: reqwest::Client,
    base_url: String,
    api_key: SecretString,
    model: String,
    max_attempts: u32,
    backoff: Duration,
}

impl OpenAiCompatible {
    /// `base_url` like `https://api.openai.com/v1` or `http://localhost:11434/v1`.
    pub fn new(base_url: &str, api_key: SecretString, model: &str, timeout: Duration) -> crate::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| Error::Internal(anyhow::anyhow!("http client: {e}")))?;
        Ok(OpenAiCompatible {
            client,
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key,
            model: model.to_owned(),
            max_attempts: 3,
            backoff: Duration::from_millis(250),
        })
    }

    /// Change the retry policy (tests use a short backoff).
    pub fn with_retries(mut self, max_attempts: u32, backoff: Duration) -> Self {
        self.max_attempts = max_attempts.max(1);
        self.backoff = backoff;
        self
    }

    fn body(&self, messages: &[ChatMessage], tools: &[ToolSpec]) -> Value {
        let messages: Vec<Value> = messages.iter().map(wire_message).collect();
        let mut body = json!({"model": self.model, "messages": messages, "temperature": 0});
        if !tools.is_empty() {
            body["tools"] = tools
                .iter()
                .map(|t| json!({"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.parameters}}))
                .collect();
        }
        body
    }
}

fn wire_message(m: &ChatMessage) -> Value {
    let role = match m.role {
        Role::System => "system",
        Role::User => "user",
        Role::Assistant => "assistant",
        Role::Tool => "tool",
    };
    let mut v = json!({"role": role, "content": m.content});
    if !m.tool_calls.is_empty() {
        v["tool_calls"] = m
            .tool_calls
            .iter()
            .map(|c| json!({"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}))
            .collect();
    }
    if let Some(id) = &m.tool_call_id {
        v["tool_call_id"] = json!(id);
    }
    v
}

#[derive(Deserialize)]
struct WireResponse {
    choices: Vec<WireChoice>,
    #[serde(default)]
    usage: Option<WireUsage>,
}

#[derive(Deserialize)]
struct WireChoice {
    message: WireMessage,
}

#[derive(Deserialize)]
struct WireMessage {
    #[serde(default)]
    content: Option<String>,
    #[serde(default)]
    tool_calls: Option<Vec<WireToolCall>>,
}

#[derive(Deserialize)]
struct WireToolCall {
    #[serde(default)]
    id: Option<String>,
    function: WireFunction,
}

#[derive(Deserialize)]
struct WireFunction {
    name: String,
    #[serde(default)]
    arguments: Option<Value>,
}

#[derive(Deserialize)]
struct WireUsage {
    #[serde(default)]
    prompt_tokens: u64,
    #[serde(default)]
    completion_tokens: u64,
}

/// Whether an HTTP status is worth another attempt.
fn retryable(status: reqwest::StatusCode) -> bool {
    status == reqwest::StatusCode::TOO_MANY_REQUESTS || status.is_server_error()
}

/// The server's `error.message`, if it sent one (never the request or the key).
fn upstream_message(body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v["error"]["message"].as_str().map(str::to_owned))
        .unwrap_or_default()
        .chars()
        .take(300)
        .collect()
}

#[async_trait]
impl ChatModel for OpenAiCompatible {
    fn name(&self) -> &str {
        &self.model
    }

    #[tracing::instrument(skip_all, fields(model = %self.model))]
    async fn chat(&self, messages: &[ChatMessage], tools: &[ToolSpec]) -> crate::Result<Reply> {
        let url = format!("{}/chat/completions", self.base_url);
        let body = self.body(messages, tools);
        let mut last = String::new();
        for attempt in 1..=self.max_attempts {
            if attempt > 1 {
                tokio::time::sleep(self.backoff * 2u32.pow(attempt - 2)).await;
            }
            let sent = self.client.post(&url).bearer_auth(self.api_key.expose_secret()).json(&body).send().await;
            let response = match sent {
                Ok(r) => r,
                Err(e) if e.is_timeout() => {
                    last = "the language model did not answer in time".into();
                    continue;
                }
                Err(e) => {
                    tracing::warn!(error = %e, attempt, "language model request failed");
                    last = "the language model could not be reached".into();
                    continue;
                }
            };
            let status = response.status();
            let text = response.text().await.unwrap_or_default();
            if status.is_success() {
                return parse(&text);
            }
            let detail = upstream_message(&text);
            if retryable(status) {
                tracing::warn!(%status, attempt, "language model busy or failing; retrying");
                last = format!("the language model answered HTTP {}", status.as_u16());
                continue;
            }
            return Err(match status.as_u16() {
                401 | 403 => Error::Upstream("The language model rejected the API key".into()),
                _ => Error::Upstream(format!(
                    "The language model refused the request (HTTP {}): {detail}",
                    status.as_u16()
                )),
            });
        }
        Err(Error::Unavailable(format!("Language model unavailable: {last} (after {} attempts)", self.max_attempts)))
    }
}

fn parse(text: &str) -> crate::Result<Reply> {
    let bad = || Error::Upstream("The language model sent a response that is not a chat completion".into());
    let wire: WireResponse = serde_json::from_str(text).map_err(|_| bad())?;
    let choice = wire.choices.into_iter().next().ok_or_else(bad)?;
    let tool_calls = choice
        .message
        .tool_calls
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, c)| ToolCall {
            id: c.id.unwrap_or_else(|| format!("call_{i}")),
            name: c.function.name,
            // Some servers send the arguments as an object instead of a string.
            arguments: match c.function.arguments {
                Some(Value::String(s)) => s,
                Some(other) => other.to_string(),
                None => "{}".into(),
            },
        })
        .collect();
    let usage = wire.usage.map(|u| Usage { prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens });
    Ok(Reply {
        message: ChatMessage {
            role: Role::Assistant,
            content: choice.message.content.filter(|c| !c.is_empty()),
            tool_calls,
            tool_call_id: None,
        },
        usage: usage.unwrap_or_default(),
    })
}
