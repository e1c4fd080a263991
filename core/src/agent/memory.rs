//! Conversation memory in the app store: threads and their messages, so a
//! follow-up works on any instance and survives restarts.
use sqlagent_model::{MessageItem, ThreadView};

use crate::llm::ChatMessage;
use crate::{time, AppState, Error};

/// Characters of earlier turns given to the model; older turns are dropped.
const HISTORY_BUDGET_CHARS: usize = 6_000;
const HISTORY_MAX_MESSAGES: i64 = 20;

/// A thread id: the session id by default, or a client-chosen short name.
pub fn validate_thread_id(id: &str) -> crate::Result<()> {
    let ok = !id.is_empty() && id.len() <= 100 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid("thread_id: 1 to 100 letters, digits, - or _".into()))
    }
}

/// Create the thread for this user if needed; another user's thread is not found.
pub async fn ensure_thread(state: &AppState, user_id: i64, thread_id: &str, title: &str) -> crate::Result<()> {
    let owner: Option<(i64,)> = sqlx::query_as("SELECT user_id FROM threads WHERE id = $1")
        .bind(thread_id)
        .fetch_optional(state.store.pool())
        .await?;
    match owner {
        Some((o,)) if o == user_id => Ok(()),
        Some(_) => Err(Error::NotFound("Thread not found".into())),
        None => {
            let title: String = title.chars().take(80).collect();
            let now = time::unix_now();
            sqlx::query("INSERT INTO threads (id, user_id, title, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)")
                .bind(thread_id)
                .bind(user_id)
                .bind(title)
                .bind(now)
                .execute(state.store.pool())
                .await?;
            Ok(())
        }
    }
}

/// The latest turns of a thread, oldest first, within the budget.
pub async fn history(state: &AppState, thread_id: &str) -> crate::Result<Vec<ChatMessage>> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT role, content FROM messages WHERE thread_id = $1 ORDER BY id DESC LIMIT $2")
            .bind(thread_id)
            .bind(HISTORY_MAX_MESSAGES)
            .fetch_all(state.store.pool())
            .await?;
    let mut used = 0;
    let mut kept: Vec<ChatMessage> = Vec::new();
    for (role, content) in rows {
        used += content.len();
        if used > HISTORY_BUDGET_CHARS {
            break;
        }
        kept.push(if role == "user" { ChatMessage::user(content) } else { ChatMessage::assistant(content) });
    }
    kept.reverse();
    Ok(kept)
}

/// Record a question and its answer.
pub async fn append_turn(state: &AppState, thread_id: &str, question: &str, answer: &str) -> crate::Result<()> {
    let now = time::unix_now();
    let mut tx = state.store.pool().begin().await?;
    for (role, content) in [("user", question), ("assistant", answer)] {
        sqlx::query("INSERT INTO messages (thread_id, role, content, created_at) VALUES ($1, $2, $3, $4)")
            .bind(thread_id)
            .bind(role)
            .bind(content)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query("UPDATE threads SET updated_at = $1 WHERE id = $2").bind(now).bind(thread_id).execute(&mut *tx).await?;
    tx.commit().await?;
    Ok(())
}

/// The caller's threads, most recent first.
pub async fn threads(state: &AppState, user_id: i64) -> crate::Result<Vec<ThreadView>> {
    let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT id, title, created_at, updated_at FROM threads WHERE user_id = $1 ORDER BY updated_at DESC, id LIMIT 200",
    )
    .bind(user_id)
    .fetch_all(state.store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(id, title, c, u)| ThreadView {
            id,
            title,
            created_at: time::naive_iso(c),
            updated_at: time::naive_iso(u),
        })
        .collect())
}

/// The messages of one of the caller's threads.
pub async fn messages(state: &AppState, user_id: i64, thread_id: &str) -> crate::Result<Vec<MessageItem>> {
    let owner: Option<(i64,)> = sqlx::query_as("SELECT user_id FROM threads WHERE id = $1")
        .bind(thread_id)
        .fetch_optional(state.store.pool())
        .await?;
    if owner.map(|(o,)| o) != Some(user_id) {
        return Err(Error::NotFound("Thread not found".into()));
    }
    let rows: Vec<(String, String, i64)> =
        sqlx::query_as("SELECT role, content, created_at FROM messages WHERE thread_id = $1 ORDER BY id")
            .bind(thread_id)
            .fetch_all(state.store.pool())
            .await?;
    Ok(rows
        .into_iter()
        .map(|(role, content, c)| MessageItem { role, content, created_at: time::naive_iso(c) })
        .collect())
}
