//! The chat-completions wire format, parsed tolerantly: compatible servers
//! differ in small ways (arguments as text or an object, missing ids or usage,
//! extra fields).
use serde::Deserialize;
use serde_json::Value;

use crate::llm::{ChatMessage, Reply, Role, ToolCall, Usage};
use crate::Error;

pub(super) fn short(s: &str) -> String {
    s.chars().take(200).collect()
}

pub(super) fn not_a_completion() -> Error {
    // Also what a wrong OPENAI_BASE_URL looks like (an HTML or non-OpenAI 404 page).
    Error::Upstream("The language model sent a response that is not a chat completion (check OPENAI_BASE_URL)".into())
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

#[derive(Deserialize, Default)]
pub(super) struct WireUsage {
    #[serde(default)]
    prompt_tokens: u64,
    #[serde(default)]
    completion_tokens: u64,
}

impl From<WireUsage> for Usage {
    fn from(u: WireUsage) -> Self {
        Usage { prompt_tokens: u.prompt_tokens, completion_tokens: u.completion_tokens }
    }
}

/// Some servers send tool arguments as an object instead of JSON text.
pub(super) fn arguments_text(arguments: Option<Value>) -> String {
    match arguments {
        Some(Value::String(s)) => s,
        Some(other) => other.to_string(),
        None => "{}".into(),
    }
}

pub(super) fn assistant(content: Option<String>, tool_calls: Vec<ToolCall>) -> ChatMessage {
    ChatMessage { role: Role::Assistant, content: content.filter(|c| !c.is_empty()), tool_calls, tool_call_id: None }
}

pub(super) fn parse(value: Value) -> crate::Result<Reply> {
    let wire: WireResponse = serde_json::from_value(value).map_err(|_| not_a_completion())?;
    let choice = wire.choices.into_iter().next().ok_or_else(not_a_completion)?;
    let tool_calls = choice
        .message
        .tool_calls
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, c)| ToolCall {
            id: c.id.unwrap_or_else(|| format!("call_{i}")),
            name: c.function.name,
            arguments: arguments_text(c.function.arguments),
        })
        .collect();
    Ok(Reply {
        message: assistant(choice.message.content, tool_calls),
        usage: wire.usage.map(Usage::from).unwrap_or_default(),
    })
}

/// One streamed chunk: text and tool-call fragments to append.
#[derive(Deserialize)]
pub(super) struct WireChunk {
    #[serde(default)]
    pub choices: Vec<WireChunkChoice>,
    #[serde(default)]
    pub usage: Option<WireUsage>,
}

#[derive(Deserialize)]
pub(super) struct WireChunkChoice {
    #[serde(default)]
    pub delta: WireDelta,
}

#[derive(Deserialize, Default)]
pub(super) struct WireDelta {
    #[serde(default)]
    pub content: Option<String>,
    #[serde(default)]
    pub tool_calls: Vec<WireToolCallDelta>,
}

#[derive(Deserialize)]
pub(super) struct WireToolCallDelta {
    #[serde(default)]
    pub index: usize,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub function: Option<WireFunctionDelta>,
}

#[derive(Deserialize)]
pub(super) struct WireFunctionDelta {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub arguments: Option<Value>,
}
