//! The browser's reader of `POST /ask/stream`: server-sent events over a
//! fetch body stream, stopped with an `AbortController`. Parsing is plain
//! Rust (tested on the host); the fetch is browser-only.
use serde_json::Value;
use sqlagent_model::{AskDetailedView, QueryResultView};

/// One event of a streamed answer.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    /// A model round trip begins (1-based).
    Step(u32),
    /// A query is about to run.
    Sql(String),
    /// A query ran.
    Rows(QueryResultView),
    /// Answer text as the model writes it.
    Token(String),
    Answer(String),
    /// The run failed: the server's `detail`.
    Error(String),
    Done(Box<AskDetailedView>),
}

/// Take the complete events (`event:` and `data:` lines, then a blank line)
/// off the front of `buffer`; what is left is an event still arriving.
pub fn drain(buffer: &mut String) -> Vec<(String, String)> {
    let mut out = Vec::new();
    while let Some(end) = buffer.find("\n\n") {
        let block: String = buffer.drain(..end + 2).collect();
        let (mut name, mut data) = (None, String::new());
        for line in block.lines() {
            if let Some(v) = line.strip_prefix("event:") {
                name = Some(v.trim().to_owned());
            } else if let Some(v) = line.strip_prefix("data:") {
                if !data.is_empty() {
                    data.push('\n');
                }
                data.push_str(v.strip_prefix(' ').unwrap_or(v));
            }
        }
        if let Some(name) = name {
            out.push((name, data));
        }
    }
    out
}

/// The meaning of one event; unknown or unreadable events are skipped.
pub fn parse(name: &str, data: &str) -> Option<StreamEvent> {
    let v: Value = serde_json::from_str(data).ok()?;
    Some(match name {
        "step" => StreamEvent::Step(v["step"].as_u64()? as u32),
        "sql" => StreamEvent::Sql(v["sql"].as_str()?.to_owned()),
        "rows" => StreamEvent::Rows(serde_json::from_value(v).ok()?),
        "token" => StreamEvent::Token(v["text"].as_str()?.to_owned()),
        "answer" => StreamEvent::Answer(v["answer"].as_str()?.to_owned()),
        "error" => StreamEvent::Error(v["detail"].as_str().unwrap_or("The question could not be answered").to_owned()),
        "done" => StreamEvent::Done(Box::new(serde_json::from_value(v).ok()?)),
        _ => return None,
    })
}

/// Ask, calling `on` for each event until the stream ends or `signal` aborts.
/// An error before the stream starts (a refused request) is returned.
#[cfg(feature = "hydrate")]
pub async fn ask(
    body: &sqlagent_model::AskRequest,
    signal: &web_sys::AbortSignal,
    on: impl Fn(StreamEvent),
) -> Result<(), String> {
    use futures_util::StreamExt;
    use wasm_bindgen::JsCast;

    let response = gloo_net::http::Request::post("/ask/stream")
        .abort_signal(Some(signal))
        .json(body)
        .map_err(|e| e.to_string())?
        .send()
        .await
        .map_err(|e| format!("The server could not be reached: {e}"))?;
    if !response.ok() {
        let detail = response
            .json::<Value>()
            .await
            .ok()
            .and_then(|v| v["detail"].as_str().map(str::to_owned))
            .unwrap_or_else(|| format!("The server answered {}", response.status()));
        return Err(detail);
    }
    let raw = response.body().ok_or("The answer had no body")?;
    let mut chunks = wasm_streams::ReadableStream::from_raw(raw.unchecked_into()).into_stream();
    let mut bytes: Vec<u8> = Vec::new();
    let mut text = String::new();
    while let Some(chunk) = chunks.next().await {
        let chunk = chunk.map_err(|_| "The answer was interrupted".to_owned())?;
        bytes.extend(js_sys::Uint8Array::new(&chunk).to_vec());
        // Only whole UTF-8 characters move on to the text.
        let valid = match std::str::from_utf8(&bytes) {
            Ok(_) => bytes.len(),
            Err(e) => e.valid_up_to(),
        };
        text.push_str(std::str::from_utf8(&bytes[..valid]).unwrap_or_default());
        bytes.drain(..valid);
        for (name, data) in drain(&mut text) {
            if let Some(event) = parse(&name, &data) {
                on(event);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_taken_whole_and_the_rest_waits() {
        let mut buf =
            "event: step\ndata: {\"step\":1}\n\n: keep-alive\n\nevent: token\ndata: {\"text\":\"Hel".to_owned();
        let got = drain(&mut buf);
        assert_eq!(got, vec![("step".to_owned(), "{\"step\":1}".to_owned())]);
        assert_eq!(buf, "event: token\ndata: {\"text\":\"Hel");
        buf.push_str("lo\"}\n\n");
        let got = drain(&mut buf);
        assert_eq!(parse(&got[0].0, &got[0].1), Some(StreamEvent::Token("Hello".into())));
        assert!(buf.is_empty());
    }

    #[test]
    fn each_event_is_read_for_what_it_carries() {
        assert_eq!(parse("sql", r#"{"step":1,"sql":"SELECT 1"}"#), Some(StreamEvent::Sql("SELECT 1".into())));
        assert_eq!(
            parse("error", r#"{"status":502,"detail":"The language model rejected the API key"}"#),
            Some(StreamEvent::Error("The language model rejected the API key".into()))
        );
        let rows = r#"{"sql":"SELECT 1","columns":["n"],"rows":[[1]],"row_count":1,"truncated":false,"elapsed_ms":2}"#;
        assert!(matches!(parse("rows", rows), Some(StreamEvent::Rows(r)) if r.rows.len() == 1));
        assert_eq!(parse("mystery", "{}"), None);
        assert_eq!(parse("step", "not json"), None);
    }
}
