//! Assembling a streamed answer: text as it arrives, and tool calls whose
//! names and arguments come in fragments by index.
use std::collections::BTreeMap;

use super::wire::{arguments_text, assistant, WireChunk};
use crate::llm::{Reply, TokenSink, ToolCall, Usage};

/// Builds a reply from streamed chunks.
#[derive(Default)]
pub(super) struct Assembly {
    text: String,
    calls: BTreeMap<usize, (Option<String>, String, String)>,
    usage: Usage,
}

impl Assembly {
    pub fn add(&mut self, chunk: WireChunk, on_token: TokenSink<'_>) {
        if let Some(u) = chunk.usage {
            self.usage = u.into();
        }
        for choice in chunk.choices {
            if let Some(text) = choice.delta.content.filter(|t| !t.is_empty()) {
                on_token(&text);
                self.text.push_str(&text);
            }
            for d in choice.delta.tool_calls {
                let (id, name, arguments) = self.calls.entry(d.index).or_default();
                if d.id.is_some() {
                    *id = d.id;
                }
                if let Some(f) = d.function {
                    name.push_str(f.name.as_deref().unwrap_or_default());
                    if f.arguments.is_some() {
                        arguments.push_str(&arguments_text(f.arguments));
                    }
                }
            }
        }
    }

    pub fn finish(self) -> Reply {
        let tool_calls = self
            .calls
            .into_iter()
            .map(|(i, (id, name, arguments))| ToolCall {
                id: id.unwrap_or_else(|| format!("call_{i}")),
                name,
                arguments: if arguments.is_empty() { "{}".into() } else { arguments },
            })
            .collect();
        Reply { message: assistant(Some(self.text), tool_calls), usage: self.usage }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn streamed_fragments_assemble_into_text_and_tool_calls() {
        let chunks = [
            json!({"choices": [{"delta": {"role": "assistant", "content": "Let me "}}]}),
            json!({"choices": [{"delta": {"content": "check."}}]}),
            json!({"choices": [{"delta": {"tool_calls": [{"index": 0, "id": "call_a", "function": {"name": "run_sql", "arguments": "{\"query\":"}}]}}]}),
            json!({"choices": [{"delta": {"tool_calls": [{"index": 0, "function": {"arguments": " \"SELECT 1\"}"}}]}}]}),
            json!({"choices": [{"delta": {"tool_calls": [{"index": 1, "function": {"name": "list_tables"}}]}}]}),
            json!({"choices": [], "usage": {"prompt_tokens": 7, "completion_tokens": 3}}),
        ];
        let seen = std::sync::Mutex::new(String::new());
        let sink = |t: &str| seen.lock().unwrap().push_str(t);
        let mut a = Assembly::default();
        for c in chunks {
            a.add(serde_json::from_value(c).unwrap(), &sink);
        }
        let reply = a.finish();
        assert_eq!(*seen.lock().unwrap(), "Let me check.");
        assert_eq!(reply.message.content.as_deref(), Some("Let me check."));
        assert_eq!(reply.message.tool_calls.len(), 2);
        assert_eq!(reply.message.tool_calls[0].id, "call_a");
        assert_eq!(reply.message.tool_calls[0].arguments, "{\"query\": \"SELECT 1\"}");
        assert_eq!(reply.message.tool_calls[1].id, "call_1");
        assert_eq!(reply.message.tool_calls[1].arguments, "{}");
        assert_eq!(reply.usage, Usage { prompt_tokens: 7, completion_tokens: 3 });
    }
}
