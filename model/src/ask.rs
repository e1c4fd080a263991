//! Questions, answers and conversation history.
use serde::{Deserialize, Serialize};

use crate::QueryResultView;

/// Body of `POST /ask` and `POST /ask/detailed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AskRequest {
    /// Must be the authenticated user.
    pub user_id: i64,
    /// Must be the caller's session.
    pub session_id: String,
    pub question: String,
    /// Conversation to continue; defaults to the session id.
    #[serde(default)]
    pub thread_id: Option<String>,
}

/// Tokens spent on one answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UsageView {
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
}

/// Response of `POST /ask/detailed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AskDetailedView {
    pub answer: String,
    pub session_id: String,
    pub thread_id: String,
    pub queries: Vec<QueryResultView>,
    pub model: String,
    pub steps: u32,
    pub usage: UsageView,
    pub elapsed_ms: u64,
}

/// A conversation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreadView {
    pub id: String,
    pub title: String,
    pub created_at: String,
    pub updated_at: String,
}

/// One message of a conversation (`user` or `assistant`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreadMessageView {
    pub role: String,
    pub content: String,
    /// The statements behind an assistant's answer, in the order they ran.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sql: Vec<String>,
    pub created_at: String,
}
