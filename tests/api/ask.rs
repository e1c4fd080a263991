//! `/ask` end to end: the real agent loop and provider against a scripted
//! OpenAI-compatible server, on the generated demo shop (SQLite).
use serde_json::{json, Value};

use crate::helpers::model::{ok, serve_script, Step};
use crate::helpers::*;

fn call(id: &str, tool: &str, args: Value) -> Step {
    ok(json!({"choices": [{"message": {"role": "assistant", "content": null,
        "tool_calls": [{"id": id, "type": "function", "function": {"name": tool, "arguments": args.to_string()}}]}}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 10}}))
}

fn answer(text: &str) -> Step {
    ok(
        json!({"choices": [{"message": {"role": "assistant", "content": text}}], "usage": {"prompt_tokens": 50, "completion_tokens": 8}}),
    )
}

/// An app whose model is the scripted server, with a user connected to the demo shop.
struct Connected {
    app: TestApp,
    token: String,
    /// The login session (also the default thread).
    sid: String,
    uid: i64,
    /// What the scripted model was sent.
    script: crate::helpers::model::Script,
}

async fn connected_app(steps: Vec<Step>) -> Connected {
    let (base, script) = serve_script(steps).await;
    let app = TestApp::with(Options { extra: crate::helpers::model::model_env(base), ..Options::default() }).await;
    let (user, token) = app.signed_in_user().await;
    let id = app.add_db(&token, &json!({"db_type": "sqlite", "database_name": "demo_shop.sqlite"})).await;
    let connected = ok_json(app.post_empty(&format!("/databases/connect_db/{id}"), &token).await).await;
    let sid = connected["session_id"].as_str().unwrap().to_owned();
    Connected { app, token, sid, uid: user["id"].as_i64().unwrap(), script }
}

#[tokio::test]
async fn ask_runs_the_models_sql_and_returns_the_answer_with_queries_and_memory() {
    let steps = vec![
        call("c1", "run_sql", json!({"query": "SELECT count(*) AS customers FROM customers"})),
        answer("There are 120 customers."),
        // The follow-up: the model repairs a bad query after seeing the error.
        call("c2", "run_sql", json!({"query": "SELECT nope FROM customers"})),
        call(
            "c3",
            "run_sql",
            json!({"query": "SELECT country, count(*) AS n FROM customers GROUP BY country ORDER BY n DESC"}),
        ),
        answer("Most customers are in the USA."),
    ];
    let Connected { app, token, sid, uid, script } = connected_app(steps).await;
    let body = json!({"user_id": uid, "session_id": sid, "question": "How many customers do we have?"});
    let r = app.post_authed("/ask", &token, &body).await;
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap(), json!("There are 120 customers."), "the answer is a JSON string");
    {
        let seen = script.seen.lock().unwrap();
        let first = &seen[0].1;
        assert!(
            first["messages"][0]["content"].as_str().unwrap().contains("CREATE TABLE customers"),
            "schema in the prompt"
        );
        let names: Vec<&str> =
            first["tools"].as_array().unwrap().iter().map(|t| t["function"]["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["list_tables", "describe_tables", "run_sql"]);
        let tool_result = seen[1].1["messages"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(tool_result["role"], "tool");
        assert!(tool_result["content"].as_str().unwrap().contains("[120]"), "{tool_result}");
    }

    let follow = json!({"user_id": uid, "session_id": sid, "question": "And per country?"});
    let d = ok_json(app.post_authed("/ask/detailed", &token, &follow).await).await;
    assert_eq!(d["answer"], "Most customers are in the USA.");
    assert_eq!(d["thread_id"], sid);
    assert_eq!(d["model"], "scripted-model");
    assert_eq!(d["steps"], 3);
    assert_eq!(d["queries"].as_array().unwrap().len(), 1, "only the query that ran");
    assert_eq!(d["queries"][0]["columns"], json!(["country", "n"]));
    assert_eq!(d["usage"]["prompt_tokens"], 250, "100 + 100 + 50 over three steps");
    {
        let seen = script.seen.lock().unwrap();
        let msgs = seen[2].1["messages"].as_array().unwrap();
        let texts: Vec<&str> = msgs.iter().filter_map(|m| m["content"].as_str()).collect();
        assert!(
            texts.contains(&"How many customers do we have?")
                && texts.contains(
                    &"There are 120 customers.\n\n(SQL behind this answer: SELECT count(*) AS customers FROM customers)"
                ),
            "memory, with the SQL behind the earlier answer: {texts:?}"
        );
        let repair = seen[3].1["messages"].as_array().unwrap().last().unwrap()["content"].as_str().unwrap().to_owned();
        assert!(repair.starts_with("ERROR:") && repair.contains("nope"), "{repair}");
    }
    let threads = ok_json(app.get_authed("/threads", &token).await).await;
    assert_eq!(threads[0]["id"], sid);
    let history = ok_json(app.get_authed(&format!("/threads/{sid}/messages"), &token).await).await;
    assert_eq!(history.as_array().unwrap().len(), 4);
    assert_eq!(history[3]["content"], "Most customers are in the USA.");
    assert_eq!(
        history[3]["sql"],
        json!(["SELECT country, count(*) AS n FROM customers GROUP BY country ORDER BY n DESC"]),
        "the statement that ran, not the failed one"
    );
    assert!(history[2].get("sql").is_none(), "questions carry no SQL");
}

#[tokio::test]
async fn the_model_cannot_write_and_foreign_sessions_and_missing_databases_get_the_guides_errors() {
    let steps = vec![
        call("c1", "run_sql", json!({"query": "DELETE FROM customers"})),
        call("c2", "run_sql", json!("not an object")),
        answer("I cannot delete data."),
    ];
    let Connected { app, token, sid, uid, script } = connected_app(steps).await;
    let d = ok_json(
        app.post_authed(
            "/ask/detailed",
            &token,
            &json!({"user_id": uid, "session_id": sid, "question": "Delete all customers"}),
        )
        .await,
    )
    .await;
    assert_eq!(d["answer"], "I cannot delete data.");
    assert_eq!(d["queries"], json!([]));
    {
        let seen = script.seen.lock().unwrap();
        let refused = seen[1].1["messages"].as_array().unwrap().last().unwrap()["content"].as_str().unwrap().to_owned();
        assert!(refused.contains("Query rejected"), "{refused}");
        let malformed =
            seen[2].1["messages"].as_array().unwrap().last().unwrap()["content"].as_str().unwrap().to_owned();
        assert!(malformed.starts_with("ERROR: run_sql needs"), "{malformed}");
    }
    let count =
        ok_json(app.post_authed("/databases/run_sql", &token, &json!({"sql": "SELECT count(*) FROM customers"})).await)
            .await;
    assert_eq!(count["rows"], json!([[120]]));

    let foreign = json!({"user_id": uid, "session_id": uuid::Uuid::new_v4().to_string(), "question": "q"});
    let detail = error_detail(app.post_authed("/ask", &token, &foreign).await, reqwest::StatusCode::FORBIDDEN).await;
    assert_eq!(detail, "Session ID does not belong to the authenticated user or session not found");
    let other_user = json!({"user_id": uid + 1000, "session_id": sid, "question": "q"});
    error_detail(app.post_authed("/ask", &token, &other_user).await, reqwest::StatusCode::FORBIDDEN).await;

    let (_, fresh) = app.signed_in_user().await;
    let status = ok_json(app.get_authed("/databases/session-status", &fresh).await).await;
    let body = json!({"user_id": status["user_id"], "session_id": status["session_id"], "question": "q"});
    let detail = error_detail(app.post_authed("/ask", &fresh, &body).await, reqwest::StatusCode::BAD_REQUEST).await;
    assert_eq!(detail, "No database connected for this session. Please connect a database first.");
}

/// A streamed tool call, in two argument fragments.
fn streamed_call(id: &str, tool: &str, args: Value) -> Step {
    let text = args.to_string();
    let (a, b) = text.split_at(text.len() / 2);
    crate::helpers::model::streamed(&[
        json!({"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "id": id, "type": "function", "function": {"name": tool, "arguments": a}}]}}]}),
        json!({"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": b}}]}}]}),
    ])
}

#[tokio::test]
async fn ask_stream_reports_steps_sql_rows_tokens_and_the_answer_as_server_sent_events() {
    let steps = vec![
        streamed_call("c1", "run_sql", json!({"query": "SELECT count(*) AS customers FROM customers"})),
        crate::helpers::model::streamed_text(&["There are ", "120 customers."]),
        Step(401, r#"{"error":{"message":"Incorrect API key"}}"#.into(), std::time::Duration::ZERO),
    ];
    let Connected { app, token, sid, uid, .. } = connected_app(steps).await;
    let body = json!({"user_id": uid, "session_id": sid, "question": "How many customers?"});
    let r = app.post_authed("/ask/stream", &token, &body).await;
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let events = sse_events(&r.text().await.unwrap());
    let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["step", "sql", "rows", "step", "token", "token", "answer", "done"]);
    assert_eq!(events[1].1, json!({"step": 1, "sql": "SELECT count(*) AS customers FROM customers"}));
    assert_eq!(events[2].1["rows"], json!([[120]]));
    assert_eq!(events[4].1, json!({"text": "There are "}));
    assert_eq!(events[6].1, json!({"answer": "There are 120 customers."}));
    let done = &events[7].1;
    assert_eq!(done["answer"], "There are 120 customers.");
    assert_eq!(done["steps"], 2);
    assert_eq!(done["queries"][0]["columns"], json!(["customers"]));
    let history = ok_json(app.get_authed(&format!("/threads/{sid}/messages"), &token).await).await;
    assert_eq!(history[1]["content"], "There are 120 customers.", "a streamed answer is remembered too");

    // A failure during the run ends the stream with an error event.
    let r = app.post_authed("/ask/stream", &token, &body).await;
    let events = sse_events(&r.text().await.unwrap());
    let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["step", "error"]);
    assert_eq!(events[1].1, json!({"status": 502, "detail": "The language model rejected the API key"}));

    // Refusals before the run are plain JSON errors.
    let foreign = json!({"user_id": uid, "session_id": uuid::Uuid::new_v4().to_string(), "question": "q"});
    let r = app.post_authed("/ask/stream", &token, &foreign).await;
    assert!(r.headers()["content-type"].to_str().unwrap().starts_with("application/json"));
    error_detail(r, reqwest::StatusCode::FORBIDDEN).await;
}

#[tokio::test]
async fn a_follow_up_on_another_instance_is_answered_from_the_shared_memory() {
    if crate::helpers::samples::samples().is_none() {
        return;
    }
    let (base, script) = serve_script(vec![
        call("c1", "run_sql", json!({"query": "SELECT count(*) AS n FROM customer"})),
        answer("There are 59 customers."),
        call(
            "c2",
            "run_sql",
            json!({"query": "SELECT country, count(*) AS n FROM customer GROUP BY 1 ORDER BY n DESC, 1 LIMIT 3"}),
        ),
        answer("The USA has the most customers (13)."),
    ])
    .await;
    let opts = || Options {
        store: StoreKind::Postgres,
        sessions: SessionKind::Redis,
        extra: crate::helpers::model::model_env(base.clone()),
        ..Options::default()
    };
    let a = TestApp::with(opts()).await;
    let b = TestApp::with(Options { share_pg_with: a.pg_db.clone(), ..opts() }).await;
    let (user, token) = a.signed_in_user().await;
    let db_id = a.add_db(&token, &crate::helpers::samples::pg_chinook()).await;
    let sid = ok_json(a.post_empty(&format!("/databases/connect_db/{db_id}"), &token).await).await["session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let ask = |question: &str| json!({"user_id": user["id"], "session_id": sid, "question": question});
    let first = ok_json(a.post_authed("/ask/detailed", &token, &ask("How many customers are there?")).await).await;
    assert_eq!(first["queries"][0]["rows"], json!([[59]]));

    // Instance B has never seen this session or thread.
    let follow = ok_json(b.post_authed("/ask/detailed", &token, &ask("And per country?")).await).await;
    assert_eq!(follow["answer"], "The USA has the most customers (13).");
    assert_eq!(follow["thread_id"], sid);
    assert_eq!(follow["queries"][0]["rows"][0], json!(["USA", 13]));
    let prompt: Vec<(String, String)> = script.seen.lock().unwrap()[2].1["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["role"].as_str().unwrap().to_owned(), m["content"].as_str().unwrap_or_default().to_owned()))
        .collect();
    let turns: Vec<(&str, &str)> = prompt[1..].iter().map(|(r, c)| (r.as_str(), c.as_str())).collect();
    assert_eq!(
        turns,
        [
            ("user", "How many customers are there?"),
            ("assistant", "There are 59 customers.\n\n(SQL behind this answer: SELECT count(*) AS n FROM customer)"),
            ("user", "And per country?")
        ],
        "B gave the model A's turn from the shared store"
    );
    let history = ok_json(a.get_authed(&format!("/threads/{sid}/messages"), &token).await).await;
    assert_eq!(history.as_array().unwrap().len(), 4, "A sees the turn B answered");
}

#[tokio::test]
async fn a_client_that_leaves_a_stream_stops_the_run() {
    let slow = streamed_call("c1", "run_sql", json!({"query": "SELECT 1"}));
    let slow = Step(slow.0, slow.1, std::time::Duration::from_millis(1500));
    let Connected { app, token, sid, uid, script } = connected_app(vec![slow]).await;
    let body = json!({"user_id": uid, "session_id": sid, "question": "How many customers?"});
    let mut r = app.post_authed("/ask/stream", &token, &body).await;
    let first = String::from_utf8(r.chunk().await.unwrap().unwrap().to_vec()).unwrap();
    assert!(first.contains("event: step"), "{first}");
    drop(r);
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(script.seen.lock().unwrap().len(), 1, "no model call after the client left");
    let history = ok_json(app.get_authed(&format!("/threads/{sid}/messages"), &token).await).await;
    assert_eq!(history, json!([]), "an abandoned run records no turn");
    let log: Vec<(String,)> =
        sqlx::query_as("SELECT sql_text FROM query_log").fetch_all(app.state.store.pool()).await.unwrap();
    assert!(log.is_empty(), "its query never ran: {log:?}");
}

/// A user may have only so many questions running at once on an instance: one
/// more is refused at once (429, Retry-After) on every ask path, another user is
/// not affected, and a finished answer frees its slot.
#[tokio::test]
async fn a_user_over_their_running_questions_is_refused_at_once_with_429() {
    let Step(code, body, _) = answer("The slow answer.");
    let slow = Step(code, body, std::time::Duration::from_millis(1500));
    let (base, script) = serve_script(vec![slow, answer("The other user's answer."), answer("Again.")]).await;
    let mut extra = crate::helpers::model::model_env(base);
    extra.push(("SQLAGENT_MAX_CONCURRENT_ASKS", "1".into()));
    let app = TestApp::with(Options { extra, ..Options::default() }).await;
    async fn connect(app: &TestApp) -> (String, Value) {
        let (user, token) = app.signed_in_user().await;
        let id = app.add_db(&token, &json!({"db_type": "sqlite", "database_name": "demo_shop.sqlite"})).await;
        let c = ok_json(app.post_empty(&format!("/databases/connect_db/{id}"), &token).await).await;
        let body = json!({"user_id": user["id"], "session_id": c["session_id"], "question": "How many customers?"});
        (token, body)
    }
    let (a, a_body) = connect(&app).await;
    let (b, b_body) = connect(&app).await;

    let running = app.post_authed("/ask", &a, &a_body);
    let meanwhile = async {
        while script.seen.lock().unwrap().is_empty() {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        let mut refused = Vec::new();
        for path in ["/ask", "/ask/detailed", "/ask/stream"] {
            let r = app.post_authed(path, &a, &a_body).await;
            assert_eq!(r.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned()).as_deref(), Some("2"));
            refused.push((path, error_detail(r, reqwest::StatusCode::TOO_MANY_REQUESTS).await));
        }
        let other = app.post_authed("/ask", &b, &b_body).await;
        (refused, other)
    };
    let (first, (refused, other)) = tokio::join!(running, meanwhile);
    for (path, detail) in refused {
        assert!(detail.starts_with("You already have 1 question running"), "{path}: {detail}");
    }
    assert_eq!(other.json::<Value>().await.unwrap(), json!("The other user's answer."), "another user is not held up");
    assert_eq!(first.json::<Value>().await.unwrap(), json!("The slow answer."));
    let again = app.post_authed("/ask", &a, &a_body).await;
    assert_eq!(again.json::<Value>().await.unwrap(), json!("Again."), "the finished answer freed its slot");
    assert_eq!(script.seen.lock().unwrap().len(), 3, "the refused questions never reached the model");
}
