//! The offline engine: a deterministic, schema-aware reader of questions that
//! answers with no language model and no network. It is a [`ChatModel`] like
//! any other and runs inside the same agent loop, tools, guard and memory: its
//! first turn reads the question (with the catalog from the [`ChatContext`])
//! and calls `run_sql`; its second turn writes the answer from the rows.
//! Follow-ups ("and per country?", "only 2013", "show me the top 3") change
//! the previous question's reading.
mod answer;
mod dates;
mod parse;
pub mod query;

pub use answer::suggestions;
pub use parse::{name_column, read, Reading};

use async_trait::async_trait;
use serde_json::json;

use crate::linker::words::tokenize;
use crate::linker::{Catalog, Target};
use crate::llm::{ChatContext, ChatMessage, ChatModel, Reply, Role, ToolCall, ToolSpec, Usage};
use query::{Expr, Query, Writer};

/// The model name reported for answers from this engine.
pub const NAME: &str = "sqlagent-offline";

/// The offline engine.
#[derive(Debug, Default, Clone)]
pub struct OfflineEngine;

/// Words that start a follow-up rather than a new question.
const FOLLOW_UP: &[&str] = &[
    "and", "only", "just", "now", "also", "but", "what", "how", "same", "then", "per", "by", "top", "show", "instead",
];

/// A question read, perhaps as a change to the previous one.
struct Plan {
    reading: Reading,
    sql: String,
    hedge: bool,
}

fn assistant(content: String) -> Reply {
    Reply {
        message: ChatMessage {
            role: Role::Assistant,
            content: Some(content),
            tool_calls: Vec::new(),
            tool_call_id: None,
        },
        usage: Usage::default(),
    }
}

/// How much of the question the reading used: content words covered by a
/// table, column or value, over all content words.
fn coverage(cat: &Catalog, question: &str) -> f64 {
    let toks = tokenize(question);
    let content: Vec<usize> =
        (0..toks.len()).filter(|&i| toks[i].is_word() && !is_function_word(&toks[i].lower)).collect();
    if content.is_empty() {
        return 1.0;
    }
    let mentions = cat.mentions(&toks);
    let covered = content.iter().filter(|&&i| mentions.iter().any(|m| m.start <= i && i < m.end)).count();
    covered as f64 / content.len() as f64
}

fn is_function_word(w: &str) -> bool {
    crate::linker::is_stopword(w)
        || matches!(
            w,
            "number"
                | "count"
                | "total"
                | "average"
                | "sum"
                | "maximum"
                | "minimum"
                | "max"
                | "min"
                | "highest"
                | "lowest"
                | "largest"
                | "smallest"
                | "most"
                | "least"
                | "top"
                | "first"
                | "last"
                | "order"
                | "ordered"
                | "sorted"
                | "sort"
                | "descending"
                | "ascending"
                | "different"
                | "distinct"
                | "unique"
                | "more"
                | "less"
                | "greater"
                | "than"
                | "between"
                | "before"
                | "after"
                | "not"
                | "no"
                | "name"
                | "names"
                | "are"
                | "there"
                | "listed"
                | "exist"
                | "oldest"
                | "youngest"
                | "alphabetical"
                | "also"
                | "only"
                | "mean"
                | "ids"
                | "id"
                | "info"
                | "information"
                | "details"
                | "records"
                | "rows"
                | "entries"
                | "placed"
                | "made"
                | "bought"
                | "purchased"
                | "sold"
                | "signed"
                | "registered"
                | "created"
                | "show"
                | "list"
                | "give"
                | "tell"
                | "find"
                | "get"
                | "display"
                | "return"
                | "please"
                | "day"
                | "days"
                | "week"
                | "weeks"
                | "month"
                | "months"
                | "quarter"
                | "quarters"
                | "year"
                | "years"
                | "today"
                | "yesterday"
                | "ago"
                | "past"
                | "previous"
                | "current"
                | "recent"
                | "since"
                | "per"
                | "each"
                | "every"
                | "bottom"
                | "monthly"
                | "yearly"
                | "weekly"
                | "daily"
                | "quarterly"
                | "revenue"
                | "sales"
                | "cheapest"
                | "expensive"
                | "ones"
        )
}

/// Read `question`, or — when it is a follow-up — the previous question
/// changed by it.
fn plan(
    cat: &Catalog,
    question: &str,
    earlier: &[&str],
    today: chrono::NaiveDate,
    kind: crate::targets::DbKind,
) -> Result<Plan, String> {
    let writer = Writer { catalog: cat, kind };
    if let Some(reading) = follow_up(cat, question, earlier, today) {
        if let Some(sql) = writer.sql(&reading.query) {
            return Ok(Plan { reading, sql, hedge: false });
        }
    }
    let reading =
        read(cat, question, today).ok_or_else(|| "I could not tell which table the question is about".to_owned())?;
    let sql = writer
        .sql(&reading.query)
        .ok_or_else(|| "the tables the question names are not connected by keys".to_owned())?;
    let hedge = coverage(cat, question) < 0.5;
    Ok(Plan { reading, sql, hedge })
}

/// Whether `question` reads as a change to the one before rather than a new
/// question: it starts like one ("and per country?", "only 2013", "show me
/// the top 3"), or is short and names no table of its own.
fn is_follow_up(cat: &Catalog, question: &str) -> bool {
    let toks = tokenize(question);
    let first = toks.iter().find(|t| t.is_word()).map(|t| t.lower.as_str()).unwrap_or_default();
    let names_a_table = cat.mentions(&toks).iter().any(|m| matches!(m.best().target, Target::Table(_)));
    let short = toks.iter().filter(|t| t.is_word()).count() <= 6;
    first == "and" || (FOLLOW_UP.contains(&first) || short) && !names_a_table
}

/// The reading of `question` as a change to the previous question (itself
/// perhaps a follow-up, read the same way): new conditions, a grouping, a
/// limit, an order.
fn follow_up(cat: &Catalog, question: &str, earlier: &[&str], today: chrono::NaiveDate) -> Option<Reading> {
    let (previous, before) = earlier.split_last()?;
    if !is_follow_up(cat, question) {
        return None;
    }
    let base = follow_up(cat, previous, before, today).or_else(|| read(cat, previous, today))?;
    let delta = parse::read_about(cat, question, today, base.query.main)?;
    let mut q: Query = base.query.clone();
    let d = &delta.query;
    let mut notes = base.notes.clone();
    notes.push(format!("then \"{}\"", question.trim()));
    let mut changed = false;
    if !d.conds.is_empty() {
        q.conds.extend(d.conds.iter().cloned());
        changed = true;
    }
    for g in &d.group {
        if !q.group.contains(g) {
            q.group.push(*g);
            q.select.insert(0, Expr::Col(*g));
            changed = true;
        }
    }
    for e in d.select.iter().filter(|e| matches!(e, Expr::Period { .. })) {
        if !q.select.contains(e) {
            if q.select.iter().all(|s| !s.is_agg()) {
                q.select = vec![Expr::count()];
            }
            q.select.insert(0, e.clone());
            changed = true;
        }
    }
    if let Some(n) = d.limit {
        q.limit = Some(n);
        if q.order.is_empty() {
            // "the top 3": by the first aggregate asked for, else the first number.
            let by = q.select.iter().find(|e| e.is_agg()).cloned().or_else(|| {
                q.select
                    .iter()
                    .find(|e| e.col().is_some_and(|c| cat.tables[c.t].columns[c.c].kind.is_numeric()))
                    .cloned()
            });
            if let Some(e) = by {
                q.order.push((e, true));
            }
        }
        changed = true;
    }
    if !d.order.is_empty() {
        q.order = d.order.clone();
        changed = true;
    }
    if !changed {
        return None;
    }
    notes.extend(delta.notes);
    Some(Reading { query: q, notes })
}

/// What to say when a question cannot be read.
fn unreadable(cat: &Catalog, why: &str) -> String {
    let examples = answer::suggestions(cat);
    let mut out = format!("I could not read this question against this database ({why}).");
    if !examples.is_empty() {
        out.push_str(" You could ask, for example: ");
        out.push_str(&examples.iter().map(|e| format!("\"{e}\"")).collect::<Vec<_>>().join(", "));
        out.push('.');
    }
    out
}

#[async_trait]
impl ChatModel for OfflineEngine {
    fn name(&self) -> &str {
        NAME
    }

    async fn chat(&self, messages: &[ChatMessage], _tools: &[ToolSpec], ctx: &ChatContext<'_>) -> crate::Result<Reply> {
        let last_user = messages.iter().rposition(|m| m.role == Role::User);
        let Some(last_user) = last_user else {
            return Ok(assistant("Ask me a question about your data.".into()));
        };
        let question = messages[last_user].content.clone().unwrap_or_default();
        let earlier: Vec<&str> = messages[..last_user]
            .iter()
            .filter(|m| m.role == Role::User)
            .filter_map(|m| m.content.as_deref())
            .collect();
        let cat = ctx.catalog;
        let plan = match plan(cat, &question, &earlier, ctx.today, ctx.kind) {
            Ok(p) => p,
            Err(why) => return Ok(assistant(unreadable(cat, &why))),
        };
        let tool_results: Vec<&ChatMessage> = messages[last_user..].iter().filter(|m| m.role == Role::Tool).collect();
        let Some(last) = tool_results.last() else {
            // First turn: run the query.
            let call = ToolCall {
                id: "offline_1".into(),
                name: "run_sql".into(),
                arguments: json!({ "query": plan.sql }).to_string(),
            };
            return Ok(Reply {
                message: ChatMessage {
                    role: Role::Assistant,
                    content: None,
                    tool_calls: vec![call],
                    tool_call_id: None,
                },
                usage: Usage::default(),
            });
        };
        let text = last.content.as_deref().unwrap_or_default();
        if let Some(error) = text.strip_prefix("ERROR: ") {
            return Ok(assistant(format!(
                "I read the question as:\n{}\nbut running it failed: {error}\n\nSQL: {}",
                plan.reading.notes.join("; "),
                plan.sql
            )));
        }
        match ctx.queries.last() {
            Some(result) => Ok(assistant(answer::compose(cat, &question, &plan.reading, result, plan.hedge))),
            None => Ok(assistant(format!("The query ran but returned nothing I can read.\n\nSQL: {}", plan.sql))),
        }
    }
}

#[cfg(test)]
mod tests;
