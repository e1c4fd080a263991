//! The OpenAI-compatible chat-completions provider on async-openai: tools,
//! streaming, bounded timeouts, and retries with backoff on 429 and 5xx.
//!
//! Requests and responses go through async-openai's bring-your-own-types calls
//! (`create_byot`, `create_stream_byot`): the client, auth and SSE framing are
//! the crate's, while the JSON is parsed here, tolerantly, because compatible
//! servers (Ollama, vLLM, llama.cpp, LM Studio, gateways) differ in small ways.
use std::sync::Once;
use std::time::Duration;

use async_openai::config::{AzureConfig, Config, OpenAIConfig};
use async_openai::error::OpenAIError;
use async_openai::middleware::ReqwestService;
use async_trait::async_trait;
use futures_util::StreamExt;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{json, Value};

mod stream;
mod wire;

use stream::Assembly;
use wire::{not_a_completion, parse, short, WireChunk};

use super::{ChatContext, ChatMessage, ChatModel, Reply, Role, TokenSink, ToolSpec};
use crate::Error;

/// Talks to one OpenAI-compatible endpoint.
pub struct OpenAiCompatible {
    client: async_openai::Client<Box<dyn Config>>,
    model: String,
    timeout: Duration,
    max_attempts: u32,
    backoff: Duration,
}

/// reqwest is built without a bundled crypto provider; use ring, as sqlx does.
fn install_tls_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // An application may have installed one already; either is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// An http(s) URL without credentials or query, trailing slash removed.
fn checked_base(base_url: &str) -> crate::Result<String> {
    let bad = || Error::Invalid("OPENAI_BASE_URL: expected an http(s) URL like https://api.openai.com/v1".into());
    let url = url::Url::parse(base_url).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https")
        || url.host().is_none()
        || !url.username().is_empty()
        || url.password().is_some()
        || url.query().is_some()
    {
        return Err(bad());
    }
    Ok(base_url.trim_end_matches('/').to_owned())
}

/// The HTTP client would panic on a header it cannot send; refuse the setting instead.
fn checked_header(name: &str, value: &str) -> crate::Result<()> {
    reqwest::header::HeaderValue::from_str(value)
        .map(|_| ())
        .map_err(|_| Error::Invalid(format!("{name}: contains characters an HTTP header cannot carry")))
}

impl OpenAiCompatible {
    /// `base_url` like `https://api.openai.com/v1` or `http://localhost:11434/v1`.
    /// `timeout` bounds a whole answer, and each silence within a streamed one.
    pub fn new(base_url: &str, api_key: SecretString, model: &str, timeout: Duration) -> crate::Result<Self> {
        let base = checked_base(base_url)?;
        checked_header("OPENAI_API_KEY", &format!("Bearer {}", api_key.expose_secret()))?;
        let config = OpenAIConfig::new().with_api_base(base).with_api_key(api_key.expose_secret());
        Self::build(Box::new(config), model, timeout)
    }

    /// An Azure-style deployment: `{base_url}/openai/deployments/{deployment}/chat/completions
    /// ?api-version={api_version}` with the key in an `api-key` header.
    pub fn azure(
        base_url: &str,
        api_key: SecretString,
        deployment: &str,
        api_version: &str,
        timeout: Duration,
    ) -> crate::Result<Self> {
        let base = checked_base(base_url)?;
        checked_header("OPENAI_API_KEY", api_key.expose_secret())?;
        let ok_part = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
        if !ok_part(deployment) || !ok_part(api_version) {
            return Err(Error::Invalid(
                "SQLAGENT_MODEL (the deployment) and OPENAI_API_VERSION: letters, digits, - _ . only".into(),
            ));
        }
        let config = AzureConfig::new()
            .with_api_base(base)
            .with_api_key(api_key.expose_secret())
            .with_deployment_id(deployment)
            .with_api_version(api_version);
        Self::build(Box::new(config), deployment, timeout)
    }

    fn build(config: Box<dyn Config>, model: &str, timeout: Duration) -> crate::Result<Self> {
        install_tls_provider();
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .read_timeout(timeout)
            .build()
            .map_err(|e| Error::Internal(anyhow::anyhow!("http client: {e}")))?;
        // The crate's default service retries 429/5xx on its own schedule; ours
        // also retries timeouts and bounds the whole attempt, so use the plain one.
        let client = async_openai::Client::build(http.clone(), config).with_http_service(ReqwestService::new(http));
        Ok(OpenAiCompatible {
            client,
            model: model.to_owned(),
            timeout,
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

    fn body(&self, messages: &[ChatMessage], tools: &[ToolSpec], stream: bool) -> Value {
        let messages: Vec<Value> = messages.iter().map(wire_message).collect();
        let mut body = json!({"model": self.model, "messages": messages, "temperature": 0, "stream": stream});
        if stream {
            body["stream_options"] = json!({"include_usage": true});
        }
        if !tools.is_empty() {
            body["tools"] = tools
                .iter()
                .map(|t| json!({"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.parameters}}))
                .collect();
        }
        body
    }

    /// Run `attempt` until it succeeds, fails for good, or attempts run out;
    /// 429, 5xx, timeouts and unreachable servers are worth another try.
    async fn with_retry<T, F, Fut>(&self, mut attempt: F) -> crate::Result<T>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, OpenAIError>>,
    {
        let mut last = String::new();
        for n in 1..=self.max_attempts {
            if n > 1 {
                tokio::time::sleep(self.backoff * 2u32.pow(n - 2)).await;
            }
            let outcome = match tokio::time::timeout(self.timeout, attempt()).await {
                Ok(outcome) => outcome,
                Err(_) => {
                    last = "the language model did not answer in time".into();
                    continue;
                }
            };
            match outcome.map_err(classify) {
                Ok(value) => return Ok(value),
                Err(Failure::Retry(why)) => {
                    tracing::warn!(attempt = n, why = %why, "language model busy or failing; retrying");
                    last = why;
                }
                Err(Failure::Fatal(e)) => return Err(e),
            }
        }
        Err(Error::Unavailable(format!("Language model unavailable: {last} (after {} attempts)", self.max_attempts)))
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

enum Failure {
    Retry(String),
    Fatal(Error),
}

/// Sort a client error into "try again" and "tell the user".
fn classify(e: OpenAIError) -> Failure {
    match e {
        OpenAIError::ApiError(api) => {
            let status = api.status_code.as_u16();
            let quota = api.api_error.r#type.as_deref() == Some("insufficient_quota");
            if (status == 429 && !quota) || api.status_code.is_server_error() {
                return Failure::Retry(format!("the language model answered HTTP {status}"));
            }
            let message: String = api.api_error.message.chars().take(300).collect();
            Failure::Fatal(match status {
                401 | 403 => Error::Upstream("The language model rejected the API key".into()),
                _ => Error::Upstream(format!("The language model refused the request (HTTP {status}): {message}")),
            })
        }
        OpenAIError::Reqwest(e) if e.is_timeout() => Failure::Retry("the language model did not answer in time".into()),
        OpenAIError::Reqwest(e) if e.is_connect() || e.is_request() => {
            tracing::warn!(error = %e, "language model request failed");
            Failure::Retry("the language model could not be reached".into())
        }
        OpenAIError::Reqwest(e) => {
            tracing::warn!(error = %e, "language model request failed");
            Failure::Retry("the language model connection failed".into())
        }
        OpenAIError::JSONDeserialize(..) => Failure::Fatal(not_a_completion()),
        OpenAIError::StreamError(e) => {
            Failure::Fatal(Error::Upstream(format!("The language model's stream broke off: {}", short(&e.to_string()))))
        }
        other => Failure::Fatal(Error::Internal(anyhow::anyhow!("language model client: {other}"))),
    }
}

#[async_trait]
impl ChatModel for OpenAiCompatible {
    fn name(&self) -> &str {
        &self.model
    }

    #[tracing::instrument(skip_all, fields(model = %self.model))]
    async fn chat(&self, messages: &[ChatMessage], tools: &[ToolSpec], _ctx: &ChatContext<'_>) -> crate::Result<Reply> {
        let body = self.body(messages, tools, false);
        let value: Value = self.with_retry(|| async { self.client.chat().create_byot(&body).await }).await?;
        parse(value)
    }

    #[tracing::instrument(skip_all, fields(model = %self.model))]
    async fn chat_stream(
        &self,
        messages: &[ChatMessage],
        tools: &[ToolSpec],
        _ctx: &ChatContext<'_>,
        on_token: TokenSink<'_>,
    ) -> crate::Result<Reply> {
        let body = self.body(messages, tools, true);
        // Retries cover getting the stream; once text has flowed to the user,
        // a failure is reported rather than silently replayed.
        let mut stream =
            self.with_retry(|| async { self.client.chat().create_stream_byot::<_, Value>(&body).await }).await?;
        let mut reply = Assembly::default();
        loop {
            let next = tokio::time::timeout(self.timeout, stream.next())
                .await
                .map_err(|_| Error::Unavailable("Language model unavailable: the stream went silent".into()))?;
            let Some(item) = next else { break };
            let value = item.map_err(|e| match classify(e) {
                Failure::Retry(why) => Error::Unavailable(format!("Language model unavailable: {why}")),
                Failure::Fatal(e) => e,
            })?;
            let chunk: WireChunk = serde_json::from_value(value).map_err(|_| not_a_completion())?;
            reply.add(chunk, on_token);
        }
        Ok(reply.finish())
    }
}
