//! `/health` and `/health/session`, including a Redis outage and recovery.
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn health_reports_redis_as_disabled_with_in_memory_sessions() {
    let app = TestApp::spawn().await;
    let h = ok_json(app.get("/health").send().await.unwrap()).await;
    assert_eq!(h["status"], "healthy");
    assert_eq!(h["message"], "Service is up and running");
    assert_eq!(h["redis"], "disabled");
    assert_eq!(h["version"], env!("CARGO_PKG_VERSION"));
    let ts = h["timestamp"].as_str().unwrap();
    assert!(ts.ends_with('Z') && chrono::DateTime::parse_from_rfc3339(ts).is_ok(), "{ts}");
    assert_eq!(h.as_object().unwrap().len(), 5);
}

#[tokio::test]
async fn health_session_reports_the_caller_and_no_database_yet() {
    let app = TestApp::on(StoreKind::Sqlite, SessionKind::Redis).await;
    let (user, token) = app.signed_in_user().await;
    let h = ok_json(app.get_authed("/health/session", &token).await).await;
    assert_eq!(h["status"], "healthy");
    assert_eq!(h["user_id"], user["id"]);
    assert_eq!(h["session_id"], h["thread_id"]);
    assert!(uuid::Uuid::parse_str(h["session_id"].as_str().unwrap()).is_ok());
    assert_eq!(h["database_connected"], false);
    error_detail(app.get("/health/session").send().await.unwrap(), StatusCode::UNAUTHORIZED).await;
}

/// A private redis-server, so stopping it cannot disturb other tests.
struct PrivateRedis {
    port: u16,
    child: Child,
}

impl PrivateRedis {
    fn start(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server on PATH");
        PrivateRedis { port, child }
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

async fn redis_field(app: &TestApp) -> (String, String) {
    let h = ok_json(app.get("/health").send().await.unwrap()).await;
    (h["status"].as_str().unwrap().to_owned(), h["redis"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn health_degrades_while_redis_is_down_and_recovers_when_it_is_back() {
    let port = free_port();
    let mut redis = PrivateRedis::start(port);
    tokio::time::sleep(Duration::from_millis(300)).await;
    let url = format!("redis://127.0.0.1:{}", redis.port);
    let app = TestApp::with(Options { sessions: SessionKind::Redis, redis_url: url, ..Options::default() }).await;
    assert_eq!(redis_field(&app).await, ("healthy".into(), "healthy".into()));
    let (_, token) = app.signed_in_user().await;

    redis.stop();
    assert_eq!(redis_field(&app).await, ("degraded".into(), "unhealthy".into()));
    let h = ok_json(app.get("/health").send().await.unwrap()).await;
    assert_eq!(h["message"], "Service running but Redis unavailable");
    // Authenticated calls fail cleanly (503 with detail), never hang or panic.
    let detail = error_detail(app.get_authed("/users/me", &token).await, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(detail, "Session store unavailable");

    let _redis = PrivateRedis::start(port);
    let mut back = false;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        if redis_field(&app).await == ("healthy".into(), "healthy".into()) {
            back = true;
            break;
        }
    }
    assert!(back, "health recovers after Redis restarts");
    // Redis kept nothing, so the old session is gone; a new login works.
    error_detail(app.get_authed("/users/me", &token).await, StatusCode::UNAUTHORIZED).await;
    app.signed_in_user().await;
}
