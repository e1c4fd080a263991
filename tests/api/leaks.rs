//! No password or token in any response or any log line, at DEBUG level.
use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::json;

use crate::helpers::samples::{maria_chinook, pg_chinook};
use crate::helpers::*;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Every log line of this test binary, from the moment it is installed.
fn logs() -> &'static Captured {
    static LOGS: OnceLock<Captured> = OnceLock::new();
    LOGS.get_or_init(|| {
        let captured = Captured::default();
        let writer = captured.clone();
        // The server's own filter at its most verbose.
        tracing_subscriber::fmt()
            .with_env_filter(sqlagent::telemetry::filter(Some("debug")))
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .try_init()
            .expect("no other subscriber");
        captured
    })
}

/// A value inside a slow statement.
const SLOW_CANARY: &str = "slow-canary-0815";

#[tokio::test]
async fn no_password_or_token_reaches_a_response_or_a_log() {
    if crate::helpers::samples::samples().is_none() {
        return;
    }
    let logs = logs();
    let api_key = "sk-leak-canary-Key-4711";
    let mut extra = crate::helpers::model::model_env(crate::helpers::model::serve_obedient().await);
    extra.push(("OPENAI_API_KEY", api_key.into()));
    let app = TestApp::with(Options { sessions: SessionKind::Redis, extra, ..Options::default() }).await;
    let user_pw = "user-Pa55word-XYZ";
    let email = format!("leak{}@example.com", uuid::Uuid::new_v4().simple());
    let mut bodies = Vec::new();
    bodies.push(app.register("Leak Test", &email, user_pw).await.text().await.unwrap());
    let login = app.login(&email, user_pw).await.text().await.unwrap();
    let token = serde_json::from_str::<serde_json::Value>(&login).unwrap()["access_token"].as_str().unwrap().to_owned();
    bodies.push(app.login(&email, "wrong-Pa55word").await.text().await.unwrap());

    let db_pw = "ro_pass_123";
    let wrong_db_pw = "Wr0ng-db-Secret!";
    let mut wrong = maria_chinook();
    wrong["db_password"] = json!(wrong_db_pw);
    for (path, body) in [
        ("/databases/test_connection", wrong.clone()),
        ("/databases/add_db_connection", wrong),
        ("/databases/add_db_connection", maria_chinook()),
        ("/databases/add_db_connection", pg_chinook()),
        ("/databases/test_connection", maria_chinook()),
    ] {
        bodies.push(app.post_authed(path, &token, &body).await.text().await.unwrap());
    }
    let list: serde_json::Value =
        serde_json::from_str(&app.get_authed("/databases/", &token).await.text().await.unwrap()).unwrap();
    for db in list.as_array().unwrap() {
        let id = db["id"].as_i64().unwrap();
        bodies.push(app.post_empty(&format!("/databases/connect_db/{id}"), &token).await.text().await.unwrap());
        bodies.push(app.get_authed(&format!("/databases/{id}"), &token).await.text().await.unwrap());
        let sid = app.get_authed("/databases/session-status", &token).await.text().await.unwrap();
        bodies.push(sid.clone());
        let sid: serde_json::Value = serde_json::from_str(&sid).unwrap();
        let info = format!("/databases/session-info/{}", sid["session_id"].as_str().unwrap());
        bodies.push(app.get_authed(&info, &token).await.text().await.unwrap());
        let ask = json!({"user_id": sid["user_id"], "session_id": sid["session_id"],
                         "question": format!("{} SELECT 1 AS one", crate::helpers::model::RUN_EXACTLY)});
        let connected = sid["database_connected"] == true;
        if connected {
            // A statement slower than the driver's slow-query threshold (1 s):
            // its text, with the values in it, must not reach the log.
            let slow = json!({"sql": format!("SELECT count(*) FROM generate_series(1, 20000000) g WHERE '{SLOW_CANARY}' <> ''")});
            bodies.push(app.post_authed("/databases/run_sql", &token, &slow).await.text().await.unwrap());
        }
        for path in ["/ask/detailed", "/ask/stream"].into_iter().filter(|_| connected) {
            let r = app.post_authed(path, &token, &ask).await;
            assert_eq!(r.status(), 200);
            bodies.push(r.text().await.unwrap());
        }
    }
    let mut redis = redis::Client::open(REDIS_URL).unwrap().get_multiplexed_async_connection().await.unwrap();
    let sid: serde_json::Value = serde_json::from_str(&bodies[bodies.len() - 2]).unwrap();
    let hash: Vec<String> = redis::cmd("HGETALL")
        .arg(format!("session:{}", sid["session_id"].as_str().unwrap()))
        .query_async(&mut redis)
        .await
        .unwrap();
    bodies.push(app.post_empty("/databases/disconnect-session", &token).await.text().await.unwrap());

    let logged = String::from_utf8_lossy(&logs.0.lock().unwrap()).to_string();
    assert!(logged.contains("database connection added"), "the capture sees the flow's logs");
    assert!(bodies.iter().any(|b| b.contains("event: done")), "the stream ran");
    let line = logged.lines().find(|l| l.contains(SLOW_CANARY)).unwrap_or_default().to_owned();
    assert!(line.is_empty(), "a slow statement's text was logged: {line:.600}");
    for secret in [user_pw, "wrong-Pa55word", db_pw, wrong_db_pw, token.as_str(), api_key] {
        for b in &bodies {
            assert!(!b.contains(secret), "{secret} in response {b}");
        }
        assert!(!logged.contains(secret), "{secret} in the logs");
        assert!(!hash.iter().any(|v| v.contains(secret)), "{secret} in Redis");
    }
    let stored: Vec<(String,)> =
        sqlx::query_as("SELECT password_enc FROM db_connections").fetch_all(app.state.store.pool()).await.unwrap();
    assert!(stored.len() >= 2 && stored.iter().all(|(p,)| p.starts_with("v1.") && !p.contains(db_pw)));
}
