//! The agent: a question in, an answer out, with the SQL and rows behind it.
//! A bounded tool-calling loop over the session's database and conversation.
mod memory;
mod prompt;
mod tools;

pub use memory::{messages, threads};
pub use prompt::system_prompt;

use std::sync::Arc;
use std::time::Instant;

use sqlagent_model::{AskDetailedView, AskRequest, QueryResultView, UsageView};

use crate::auth::Principal;
use crate::linker::Catalog;
use crate::llm::{ChatContext, ChatMessage, ChatModel};
use crate::texts::FOREIGN_SESSION;
use crate::{attachments, AppState, Error};

/// Most model round trips for one question.
pub const MAX_STEPS: u32 = 8;
const MAX_QUESTION_CHARS: usize = 4_000;

/// What the agent reports while it works (`/ask/stream`).
#[derive(Debug, Clone)]
pub enum Event {
    /// A model round trip begins (1-based).
    Step(u32),
    /// A query the model asked for, before it runs.
    Sql { step: u32, sql: String },
    /// A query's result, as the client sees it.
    Rows(QueryResultView),
    /// Text from the model as it is produced.
    Token(String),
    /// The final answer.
    Answer(String),
}

/// Receives the agent's events; it must not block.
pub type Events<'a> = &'a (dyn Fn(Event) + Send + Sync);

/// A checked question, ready to run: everything that can be refused with a
/// plain HTTP error has been refused by now.
pub struct Prepared {
    started: Instant,
    question: String,
    thread_id: String,
    catalog: Arc<Catalog>,
    kind: crate::targets::DbKind,
    llm: Arc<dyn ChatModel>,
    /// One of the caller's running slots, held until the answer is done.
    slot: crate::slots::Slot,
}

/// Answer a question on the caller's session database.
pub async fn ask(state: &AppState, p: &Principal, req: &AskRequest) -> crate::Result<AskDetailedView> {
    let prepared = prepare(state, p, req).await?;
    run(state, p, prepared, None).await
}

/// Check the request, load the schema, and open (or find) the thread.
#[tracing::instrument(skip_all, fields(user.id = %p.user_id))]
pub async fn prepare(state: &AppState, p: &Principal, req: &AskRequest) -> crate::Result<Prepared> {
    let started = Instant::now();
    if req.user_id != p.user_id.0 || req.session_id != p.session_id {
        return Err(Error::Forbidden(FOREIGN_SESSION.into()));
    }
    let question = req.question.trim();
    if question.is_empty() || question.chars().count() > MAX_QUESTION_CHARS {
        return Err(Error::Invalid(format!("question: 1 to {MAX_QUESTION_CHARS} characters")));
    }
    let thread_id = req.thread_id.clone().unwrap_or_else(|| p.session_id.clone());
    memory::validate_thread_id(&thread_id)?;
    let slot = state.asks.try_take(p.user_id)?;
    let (live, catalog) = attachments::catalog(state, p).await?;
    let llm = state.llm.clone();
    memory::ensure_thread(state, p.user_id, &thread_id, question).await?;
    Ok(Prepared { started, question: question.to_owned(), thread_id, catalog, kind: live.kind, llm, slot })
}

/// The tool-calling loop. With `events`, the model's text is streamed and
/// every step, query and result is reported as it happens.
#[tracing::instrument(skip_all, fields(user.id = %p.user_id))]
pub async fn run(
    state: &AppState,
    p: &Principal,
    prepared: Prepared,
    events: Option<Events<'_>>,
) -> crate::Result<AskDetailedView> {
    let Prepared { started, question, thread_id, catalog, kind, llm, slot: _slot } = prepared;
    let mut messages = vec![ChatMessage::system(system_prompt(&catalog, &question))];
    let today = chrono::Utc::now().date_naive();
    messages.extend(memory::history(state, p.user_id, &thread_id).await?);
    messages.push(ChatMessage::user(question.as_str()));
    let specs = tools::specs();
    let (mut queries, mut usage, mut steps) = (Vec::new(), UsageView::default(), 0);
    let answer = loop {
        if steps == MAX_STEPS {
            break format!(
                "I could not finish within {MAX_STEPS} steps. The queries run so far are shown with this answer."
            );
        }
        steps += 1;
        let reply = match events {
            Some(emit) => {
                emit(Event::Step(steps));
                let ctx = ChatContext { catalog: &catalog, queries: &queries, today, kind };
                llm.chat_stream(&messages, &specs, &ctx, &|text: &str| emit(Event::Token(text.to_owned()))).await?
            }
            None => {
                llm.chat(&messages, &specs, &ChatContext { catalog: &catalog, queries: &queries, today, kind }).await?
            }
        };
        usage.prompt_tokens += reply.usage.prompt_tokens;
        usage.completion_tokens += reply.usage.completion_tokens;
        if reply.message.tool_calls.is_empty() {
            break reply.message.content.unwrap_or_else(|| "The model gave no answer.".into());
        }
        let calls = reply.message.tool_calls.clone();
        messages.push(reply.message);
        for call in calls {
            let outcome = tools::call(state, p, &catalog.schema, &call, steps, events).await;
            queries.extend(outcome.query);
            messages.push(ChatMessage::tool(call.id, outcome.for_model));
        }
    };
    let sql: Vec<&str> = queries.iter().map(|q| q.sql.as_str()).collect();
    memory::append_turn(state, p.user_id, &thread_id, &question, &answer, &sql).await?;
    if let Some(emit) = events {
        emit(Event::Answer(answer.clone()));
    }
    Ok(AskDetailedView {
        answer,
        session_id: p.session_id.clone(),
        thread_id,
        queries,
        model: llm.name().to_owned(),
        steps,
        usage,
        elapsed_ms: started.elapsed().as_millis() as u64,
    })
}
