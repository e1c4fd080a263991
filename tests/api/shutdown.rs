//! The real binary stops on SIGTERM even while a runaway query and its request
//! are still running: requests get a bounded drain, blocking work a bounded wait.
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

#[tokio::test]
async fn sigterm_stops_the_server_while_a_runaway_query_runs() {
    let data_dir = tempfile::tempdir().unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut server = Command::new(env!("CARGO_BIN_EXE_sqlagent"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("SQLAGENT_DATA_DIR", data_dir.path())
        .env("LEPTOS_SITE_ADDR", format!("127.0.0.1:{port}"))
        .env("LEPTOS_SITE_ROOT", data_dir.path())
        .env("SQLAGENT_QUERY_TIMEOUT_SECONDS", "60")
        .env("RUST_LOG", "warn")
        .current_dir(data_dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the server binary starts");
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let started = Instant::now();
    while client.get(format!("{base}/health")).send().await.is_err() {
        assert!(started.elapsed() < Duration::from_secs(30), "the server came up");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let email = format!("stop{}@example.com", uuid::Uuid::new_v4().simple());
    client
        .post(format!("{base}/users/"))
        .json(&json!({"name": "S", "email": email, "password": "password123"}))
        .send()
        .await
        .unwrap();
    let token: Value = client
        .post(format!("{base}/login"))
        .form(&[("username", email.as_str()), ("password", "password123")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    let added: Value = client
        .post(format!("{base}/databases/add_db_connection"))
        .bearer_auth(&token)
        .json(&json!({"db_type": "sqlite", "database_name": "demo_shop.sqlite"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = added["db_connection"]["id"].as_i64().unwrap();
    client.post(format!("{base}/databases/connect_db/{id}")).bearer_auth(&token).send().await.unwrap();
    // A query that would run for its whole minute.
    let runaway = client
        .post(format!("{base}/databases/run_sql"))
        .bearer_auth(&token)
        .json(&json!({"sql": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"}))
        .send();
    let request = tokio::spawn(runaway);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let stopping = Instant::now();
    let killed = Command::new("kill").arg("-TERM").arg(server.id().to_string()).status().unwrap();
    assert!(killed.success());
    let exited = loop {
        if let Some(status) = server.try_wait().unwrap() {
            break status;
        }
        if stopping.elapsed() > Duration::from_secs(40) {
            let _ = server.kill();
            panic!("the server ignored SIGTERM for 40 s");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert!(exited.success(), "clean exit: {exited:?}");
    assert!(stopping.elapsed() < Duration::from_secs(30), "stopped after {:?}", stopping.elapsed());
    request.abort();
}
