//! The agent's three tools, exactly: `list_tables {}`, `describe_tables
//! {"tables": [...]}`, `run_sql {"query": "..."}`.
use serde::Deserialize;
use serde_json::json;
use sqlagent_model::{QueryResultView, Schema};

use super::{Event, Events};
use crate::auth::Principal;
use crate::llm::{ToolCall, ToolSpec};
use crate::queries::{self, Source};
use crate::AppState;

/// Rows and bytes of a result shown to the model (the client gets more).
const MODEL_ROWS: usize = 50;
const MODEL_BYTES: usize = 8 * 1024;

pub fn specs() -> Vec<ToolSpec> {
    vec![
        ToolSpec {
            name: "list_tables".into(),
            description: "List every table and view with its approximate row count.".into(),
            parameters: json!({"type": "object", "properties": {}}),
        },
        ToolSpec {
            name: "describe_tables".into(),
            description: "Show columns, keys and foreign keys of the named tables.".into(),
            parameters: json!({"type": "object", "properties": {"tables": {"type": "array", "items": {"type": "string"}}}, "required": ["tables"]}),
        },
        ToolSpec {
            name: "run_sql".into(),
            description: "Run exactly one read-only SQL query and return its rows.".into(),
            parameters: json!({"type": "object", "properties": {"query": {"type": "string"}}, "required": ["query"]}),
        },
    ]
}

#[derive(Deserialize)]
struct Describe {
    tables: Vec<String>,
}

#[derive(Deserialize)]
struct RunSql {
    query: String,
}

/// What a tool call produced: text for the model, and a query for the client.
pub struct Outcome {
    pub for_model: String,
    pub query: Option<QueryResultView>,
}

fn text(s: impl Into<String>) -> Outcome {
    Outcome { for_model: s.into(), query: None }
}

/// Run one tool call of step `step`. Every failure becomes text the model can act on.
pub async fn call(
    state: &AppState,
    p: &Principal,
    schema: &Schema,
    call: &ToolCall,
    step: u32,
    events: Option<Events<'_>>,
) -> Outcome {
    let arguments = call.arguments.as_str();
    match call.name.as_str() {
        "list_tables" => text(
            schema
                .tables
                .iter()
                .map(|t| match t.row_estimate {
                    Some(n) => format!("{} ({}, ~{n} rows)", t.name, t.kind),
                    None => format!("{} ({})", t.name, t.kind),
                })
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        "describe_tables" => match serde_json::from_str::<Describe>(arguments) {
            Ok(d) => {
                let wanted: Vec<String> = d.tables.iter().map(|t| t.to_lowercase()).collect();
                let found: Vec<_> =
                    schema.tables.iter().filter(|t| wanted.contains(&t.name.to_lowercase())).cloned().collect();
                let missing: Vec<&String> =
                    d.tables.iter().filter(|w| !found.iter().any(|t| t.name.eq_ignore_ascii_case(w))).collect();
                let mut out = crate::schema::to_ddl(&Schema { dialect: schema.dialect.clone(), tables: found });
                if !missing.is_empty() {
                    out.push_str(&format!("\nUnknown tables: {missing:?}"));
                }
                text(out)
            }
            Err(e) => text(format!("ERROR: describe_tables needs {{\"tables\": [\"name\", ...]}}: {e}")),
        },
        "run_sql" => match serde_json::from_str::<RunSql>(arguments) {
            Ok(r) => {
                if let Some(emit) = events {
                    emit(Event::Sql { step, sql: r.query.clone() });
                }
                match queries::run_sql(state, p, &r.query, Source::Agent).await {
                    Ok(result) => {
                        if let Some(emit) = events {
                            emit(Event::Rows(result.clone()));
                        }
                        Outcome { for_model: for_model(&result), query: Some(result) }
                    }
                    Err(e) => text(format!("ERROR: {e}")),
                }
            }
            Err(e) => text(format!("ERROR: run_sql needs {{\"query\": \"SELECT ...\"}}: {e}")),
        },
        other => text(format!("ERROR: unknown tool {other:?}; use list_tables, describe_tables or run_sql")),
    }
}

/// The first rows as JSON lines, within the model's caps.
fn for_model(r: &QueryResultView) -> String {
    let mut out = format!("columns: {}\n", serde_json::to_string(&r.columns).unwrap_or_default());
    let mut shown = 0;
    for row in r.rows.iter().take(MODEL_ROWS) {
        let line = serde_json::to_string(row).unwrap_or_default();
        if out.len() + line.len() > MODEL_BYTES {
            break;
        }
        out.push_str(&line);
        out.push('\n');
        shown += 1;
    }
    let more = if r.truncated { "+" } else { "" };
    out.push_str(&format!("({} rows{more}; {shown} shown)", r.row_count));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(rows: usize, width: usize, truncated: bool) -> QueryResultView {
        QueryResultView {
            sql: "SELECT …".into(),
            columns: vec!["id".into(), "text".into()],
            rows: (0..rows).map(|i| vec![json!(i), json!("x".repeat(width))]).collect(),
            row_count: rows,
            truncated,
            elapsed_ms: 1,
        }
    }

    #[test]
    fn the_model_sees_at_most_50_rows_while_the_client_keeps_them_all() {
        let r = result(1000, 5, true);
        let text = for_model(&r);
        assert_eq!(text.lines().filter(|l| l.starts_with('[')).count(), MODEL_ROWS);
        assert!(text.ends_with("(1000 rows+; 50 shown)"), "{text}");
        assert_eq!(r.rows.len(), 1000);
    }

    #[test]
    fn wide_rows_are_cut_at_the_byte_budget() {
        let text = for_model(&result(40, 1_000, false));
        assert!(text.len() <= MODEL_BYTES + 64, "{}", text.len());
        let shown = text.lines().filter(|l| l.starts_with('[')).count();
        assert!((5..40).contains(&shown), "{shown}");
        assert!(text.ends_with(&format!("(40 rows; {shown} shown)")), "{text}");
    }
}
