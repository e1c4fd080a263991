//! Language models behind one trait. The agent speaks [`ChatMessage`]s and
//! [`ToolSpec`]s; providers translate. The OpenAI-compatible provider serves
//! OpenAI, Azure-style gateways, Ollama, vLLM, llama.cpp, LM Studio, OpenRouter.
mod openai;

pub use openai::OpenAiCompatible;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use sqlagent_model::QueryResultView;

use crate::linker::Catalog;
use crate::targets::DbKind;

/// Who speaks a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
    Tool,
}

/// A tool invocation the model asked for. `arguments` is the model's raw JSON text:
/// it may be malformed, and the agent must say so back to the model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolCall {
    pub id: String,
    pub name: String,
    pub arguments: String,
}

/// One message of a conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub role: Role,
    pub content: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCall>,
    /// For `Tool` messages: the call this answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
}

impl ChatMessage {
    pub fn system(text: impl Into<String>) -> Self {
        Self::text(Role::System, text)
    }
    pub fn user(text: impl Into<String>) -> Self {
        Self::text(Role::User, text)
    }
    pub fn assistant(text: impl Into<String>) -> Self {
        Self::text(Role::Assistant, text)
    }
    pub fn tool(call_id: impl Into<String>, text: impl Into<String>) -> Self {
        ChatMessage { tool_call_id: Some(call_id.into()), ..Self::text(Role::Tool, text) }
    }
    fn text(role: Role, text: impl Into<String>) -> Self {
        ChatMessage { role, content: Some(text.into()), tool_calls: Vec::new(), tool_call_id: None }
    }
}

/// A tool the model may call, with a JSON Schema for its arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolSpec {
    pub name: String,
    pub description: String,
    pub parameters: serde_json::Value,
}

/// Tokens spent by one call.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
}

/// The model's answer to one request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub message: ChatMessage,
    pub usage: Usage,
}

/// Receives the model's text as it is produced.
pub type TokenSink<'a> = &'a (dyn Fn(&str) + Send + Sync);

/// What a model may know besides the conversation. A remote model reads the
/// schema from the prompt text; the offline engine reads the structured
/// catalog (schema and sampled values) from here, never from the prompt, and
/// the results of the queries run so far in this question.
pub struct ChatContext<'a> {
    pub catalog: &'a Catalog,
    /// Results of this question's queries so far, in order.
    pub queries: &'a [QueryResultView],
    /// Today, for "last month" and friends.
    pub today: chrono::NaiveDate,
    /// The engine the SQL is for.
    pub kind: DbKind,
}

/// A chat model that can call tools.
#[async_trait]
pub trait ChatModel: Send + Sync + 'static {
    /// The model's name, as reported to clients.
    fn name(&self) -> &str;
    /// One round trip: the conversation and the tools in, the assistant's message out.
    async fn chat(&self, messages: &[ChatMessage], tools: &[ToolSpec], ctx: &ChatContext<'_>) -> crate::Result<Reply>;
    /// The same round trip, handing text to `on_token` as it arrives. Models that
    /// cannot stream hand over their whole text at once.
    async fn chat_stream(
        &self,
        messages: &[ChatMessage],
        tools: &[ToolSpec],
        ctx: &ChatContext<'_>,
        on_token: TokenSink<'_>,
    ) -> crate::Result<Reply> {
        let reply = self.chat(messages, tools, ctx).await?;
        if let Some(text) = &reply.message.content {
            on_token(text);
        }
        Ok(reply)
    }
}
