//! Conversation memory in the app store: threads and their messages, so a
//! follow-up works on any instance and survives restarts.
use sqlagent_model::{ThreadMessageView, ThreadView};

use crate::ids::UserId;
use crate::llm::ChatMessage;
use crate::{time, AppState, Error};

/// Characters of earlier turns given to the model word for word.
const HISTORY_BUDGET_CHARS: usize = 6_000;
/// Messages looked at; those beyond the budget are summarised.
const HISTORY_SCAN_MESSAGES: i64 = 60;
/// Characters of the summary of older turns, and of each question in it.
const SUMMARY_BUDGET_CHARS: usize = 1_500;
const SUMMARY_QUESTION_CHARS: usize = 160;
/// Characters of each earlier statement shown with its answer.
const SQL_NOTE_CHARS: usize = 600;

/// A thread id: the session id by default, or a client-chosen short name.
pub fn validate_thread_id(id: &str) -> crate::Result<()> {
    let ok = !id.is_empty() && id.len() <= 100 && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid("thread_id: 1 to 100 letters, digits, - or _".into()))
    }
}

/// Create the thread for this user if needed. Thread ids are per user: the
/// same id of another user is another thread, and nothing about it shows.
pub async fn ensure_thread(state: &AppState, user_id: UserId, thread_id: &str, title: &str) -> crate::Result<()> {
    let title: String = title.chars().take(80).collect();
    let now = time::unix_now();
    sqlx::query(
        "INSERT INTO threads (user_id, id, title, created_at, updated_at) VALUES ($1, $2, $3, $4, $4) \
         ON CONFLICT (user_id, id) DO NOTHING",
    )
    .bind(user_id.0)
    .bind(thread_id)
    .bind(title)
    .bind(now)
    .execute(state.store.pool())
    .await?;
    Ok(())
}

/// Whether the user has this thread.
async fn thread_exists(state: &AppState, user_id: UserId, thread_id: &str) -> crate::Result<bool> {
    let found: Option<(i64,)> = sqlx::query_as("SELECT user_id FROM threads WHERE user_id = $1 AND id = $2")
        .bind(user_id.0)
        .bind(thread_id)
        .fetch_optional(state.store.pool())
        .await?;
    Ok(found.is_some())
}

/// The latest turns of a thread, oldest first, within the budget.
pub async fn history(state: &AppState, user_id: UserId, thread_id: &str) -> crate::Result<Vec<ChatMessage>> {
    let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT role, content, sql_text FROM messages WHERE user_id = $1 AND thread_id = $2 ORDER BY id DESC LIMIT $3",
    )
    .bind(user_id.0)
    .bind(thread_id)
    .bind(HISTORY_SCAN_MESSAGES)
    .fetch_all(state.store.pool())
    .await?;
    let newest_first = rows.into_iter().map(|(role, content, sql)| {
        let sql = statements(sql);
        if sql.is_empty() {
            return (role, content);
        }
        // The model builds follow-ups on the previous SQL, not only on the prose.
        let shown: Vec<String> = sql.iter().map(|q| q.chars().take(SQL_NOTE_CHARS).collect()).collect();
        (role, format!("{content}\n\n(SQL behind this answer: {})", shown.join(" ; ")))
    });
    Ok(fit(newest_first.collect()))
}

/// The stored JSON array of statements; anything else reads as none.
fn statements(sql_text: Option<String>) -> Vec<String> {
    sql_text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default()
}

/// The newest turns word for word within the budget; before them, one line
/// summing up what was asked earlier, so a follow-up like "and per country?"
/// still has its referent after a long conversation.
fn fit(newest_first: Vec<(String, String)>) -> Vec<ChatMessage> {
    let mut used = 0;
    let mut kept: Vec<ChatMessage> = Vec::new();
    let mut older = newest_first.into_iter();
    for (role, content) in older.by_ref() {
        used += content.len();
        if used > HISTORY_BUDGET_CHARS {
            // This one and all before it are summarised.
            let earlier = std::iter::once((role, content)).chain(older.by_ref());
            if let Some(summary) = summary(earlier) {
                kept.push(summary);
            }
            break;
        }
        kept.push(if role == "user" { ChatMessage::user(content) } else { ChatMessage::assistant(content) });
    }
    kept.reverse();
    kept
}

/// The questions of older turns, newest kept when they do not all fit.
fn summary(newest_first: impl Iterator<Item = (String, String)>) -> Option<ChatMessage> {
    let mut questions: Vec<String> = Vec::new();
    let mut used = 0;
    for (_, question) in newest_first.filter(|(role, _)| role == "user") {
        let mut q: String = question.split_whitespace().collect::<Vec<_>>().join(" ");
        if q.chars().count() > SUMMARY_QUESTION_CHARS {
            q = q.chars().take(SUMMARY_QUESTION_CHARS).collect::<String>() + "…";
        }
        used += q.len() + 3;
        if used > SUMMARY_BUDGET_CHARS {
            break;
        }
        questions.push(q);
    }
    if questions.is_empty() {
        return None;
    }
    questions.reverse();
    Some(ChatMessage::system(format!(
        "Earlier in this conversation (older turns, summarised) the user asked, oldest first: {}",
        questions.join(" | ")
    )))
}

/// Record a question and its answer, with the statements behind the answer.
pub async fn append_turn(
    state: &AppState,
    user_id: UserId,
    thread_id: &str,
    question: &str,
    answer: &str,
    sql: &[&str],
) -> crate::Result<()> {
    let now = time::unix_now();
    let sql_text = (!sql.is_empty()).then(|| serde_json::to_string(sql).unwrap_or_default());
    let mut tx = state.store.pool().begin().await?;
    for (role, content, sql_text) in [("user", question, None), ("assistant", answer, sql_text)] {
        sqlx::query(
            "INSERT INTO messages (user_id, thread_id, role, content, sql_text, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(user_id.0)
        .bind(thread_id)
        .bind(role)
        .bind(content)
        .bind(sql_text)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query("UPDATE threads SET updated_at = $1 WHERE user_id = $2 AND id = $3")
        .bind(now)
        .bind(user_id.0)
        .bind(thread_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The caller's threads, most recent first.
pub async fn threads(state: &AppState, user_id: UserId) -> crate::Result<Vec<ThreadView>> {
    let rows: Vec<(String, String, i64, i64)> = sqlx::query_as(
        "SELECT id, title, created_at, updated_at FROM threads WHERE user_id = $1 ORDER BY updated_at DESC, id LIMIT 200",
    )
    .bind(user_id.0)
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
pub async fn messages(state: &AppState, user_id: UserId, thread_id: &str) -> crate::Result<Vec<ThreadMessageView>> {
    if !thread_exists(state, user_id, thread_id).await? {
        return Err(Error::NotFound("Thread not found".into()));
    }
    let rows: Vec<(String, String, Option<String>, i64)> = sqlx::query_as(
        "SELECT role, content, sql_text, created_at FROM messages WHERE user_id = $1 AND thread_id = $2 ORDER BY id",
    )
    .bind(user_id.0)
    .bind(thread_id)
    .fetch_all(state.store.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(role, content, sql, c)| ThreadMessageView {
            role,
            content,
            sql: statements(sql),
            created_at: time::naive_iso(c),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::Role;

    fn turns(n: usize, answer_len: usize) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for i in 0..n {
            out.push(("user".to_owned(), format!("question {i}")));
            out.push(("assistant".to_owned(), format!("answer {i} {}", "x".repeat(answer_len))));
        }
        out.reverse();
        out
    }

    #[test]
    fn short_conversations_are_kept_word_for_word() {
        let kept = fit(turns(3, 10));
        assert_eq!(kept.len(), 6);
        assert_eq!(kept[0].content.as_deref(), Some("question 0"));
        assert!(kept.iter().all(|m| m.role != Role::System));
    }

    #[test]
    fn older_turns_beyond_the_budget_are_summarised_not_lost() {
        let kept = fit(turns(20, 1_000));
        let summary = &kept[0];
        assert_eq!(summary.role, Role::System);
        let text = summary.content.as_deref().unwrap();
        assert!(text.contains("question 0 |") && text.contains("question 1 |"), "{text}");
        assert!(!text.contains("answer"), "answers are not repeated: {text}");
        let words: usize = kept.iter().map(|m| m.content.as_deref().unwrap_or_default().len()).sum();
        assert!(words <= HISTORY_BUDGET_CHARS + SUMMARY_BUDGET_CHARS + 200, "{words}");
        assert_eq!(
            kept.last().unwrap().content.as_deref().unwrap().split(' ').take(2).collect::<Vec<_>>(),
            ["answer", "19"]
        );
    }
}
