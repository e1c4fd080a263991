//! Connections, connect, introspection and session endpoints on the real engines,
//! with Chinook loaded by `scripts/load-samples.sh` from `../shared/data`.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::samples::*;
use crate::helpers::*;

fn table<'a>(schema: &'a Value, name: &str) -> &'a Value {
    schema["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"].as_str().unwrap().eq_ignore_ascii_case(name))
        .unwrap_or_else(|| panic!("table {name} missing"))
}

#[tokio::test]
async fn chinook_connects_introspects_and_disconnects_on_every_engine() {
    if samples().is_none() {
        return;
    }
    let app = TestApp::on(StoreKind::Sqlite, SessionKind::Redis).await;
    let cases = [
        (pg_chinook(), "invoice_line", "track", "postgresql://sqlagent_ro:***@127.0.0.1:5432/chinook"),
        (maria_chinook(), "InvoiceLine", "Track", "mariadb://sqlagent_ro:***@127.0.0.1:3306/Chinook"),
        (sqlite_chinook(), "InvoiceLine", "Track", "sqlite:///chinook.sqlite"),
    ];
    for (body, invoice_line, track, masked) in cases {
        let (user, token) = app.signed_in_user().await;
        if body["db_type"] == "sqlite" {
            upload_chinook(&app, &token).await;
        }
        let db_id = app.add_db(&token, &body).await;
        let connected = ok_json(app.post_empty(&format!("/databases/connect_db/{db_id}"), &token).await).await;
        assert_eq!(connected["message"], "Database connection successful and tools updated");
        assert_eq!(connected["session_id"], connected["thread_id"]);
        assert_eq!(connected["db_id"], db_id);
        assert_eq!(connected["database_name"], body["database_name"]);
        assert_eq!(connected["user_id"], user["id"]);
        assert_eq!(connected["warnings"], json!([]), "read-only logins get no warning: {body}");
        let sid = connected["session_id"].as_str().unwrap().to_owned();

        let status = ok_json(app.get_authed("/databases/session-status", &token).await).await;
        assert_eq!(
            status,
            json!({"user_id": user["id"], "session_id": sid, "thread_id": sid, "database_connected": true})
        );
        let health = ok_json(app.get_authed("/health/session", &token).await).await;
        assert_eq!(health["database_connected"], true);

        let schema = ok_json(app.get_authed("/databases/schema", &token).await).await;
        let tables = schema["tables"].as_array().unwrap();
        assert_eq!(tables.len(), 11, "{masked}: every Chinook table");
        for t in tables {
            assert_eq!(
                t["primary_key"].as_array().unwrap().len(),
                if t["name"].as_str().unwrap().eq_ignore_ascii_case("playlist_track") || t["name"] == "PlaylistTrack" {
                    2
                } else {
                    1
                },
                "{masked}: pk of {}",
                t["name"]
            );
            assert!(!t["columns"].as_array().unwrap().is_empty());
        }
        let fks: usize = tables.iter().map(|t| t["foreign_keys"].as_array().unwrap().len()).sum();
        assert_eq!(fks, 11, "{masked}: every foreign key");
        let il = table(&schema, invoice_line);
        let refs: Vec<String> = il["foreign_keys"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["ref_table"].as_str().unwrap().to_lowercase())
            .collect();
        assert!(refs.contains(&"invoice".to_string()) && refs.contains(&"track".to_string()), "{refs:?}");
        let t = table(&schema, track);
        assert_eq!(t["columns"].as_array().unwrap().len(), 9);
        if body["db_type"] == "postgresql" {
            assert_eq!(t["row_estimate"], 3503, "ANALYZEd catalog estimate");
        }

        let info = ok_json(app.get_authed(&format!("/databases/session-info/{sid}"), &token).await).await;
        assert_eq!(info["database_connected"], true);
        assert_eq!(info["redis_data"]["connection_string"], masked);
        assert_eq!(info["redis_data"]["status"], "connected");
        assert!(info["redis_data"]["db_schema"].as_str().unwrap().contains("CREATE TABLE"));
        assert!(info["db_session_created_at"].is_string());

        let out = ok_json(app.post_empty("/databases/disconnect-session", &token).await).await;
        assert_eq!(out["message"], "Session disconnected successfully");
        assert_eq!(out["redis_cleanup"], true);
        assert!(app.state.pools.get(&sid).await.is_none(), "connector dropped");
        error_detail(app.get_authed("/databases/session-status", &token).await, StatusCode::UNAUTHORIZED).await;
        let mut redis = redis::Client::open(REDIS_URL).unwrap().get_multiplexed_async_connection().await.unwrap();
        let exists: bool = redis::cmd("EXISTS").arg(format!("session:{sid}")).query_async(&mut redis).await.unwrap();
        assert!(!exists, "session key deleted");
    }
}

#[tokio::test]
async fn two_instances_share_store_and_redis_connect_on_one_use_and_disconnect_on_the_other() {
    if samples().is_none() {
        return;
    }
    let a = TestApp::on(StoreKind::Postgres, SessionKind::Redis).await;
    let shared = a.pg_db.clone().unwrap();
    let b = TestApp::with(Options {
        store: StoreKind::Postgres,
        sessions: SessionKind::Redis,
        share_pg_with: Some(shared),
        ..Options::default()
    })
    .await;
    let (_, token) = a.signed_in_user().await;
    let db_id = a.add_db(&token, &pg_chinook()).await;
    let sid = ok_json(a.post_empty(&format!("/databases/connect_db/{db_id}"), &token).await).await["session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(b.state.pools.get(&sid).await.is_none());
    // Instance B has no connector: it rebuilds one from the store and the session hash.
    let schema = ok_json(b.get_authed("/databases/schema", &token).await).await;
    assert_eq!(schema["tables"].as_array().unwrap().len(), 11);
    assert!(b.state.pools.get(&sid).await.is_some(), "B cached its rebuilt connector");
    assert_eq!(ok_json(b.get_authed("/databases/session-status", &token).await).await["database_connected"], true);
    ok_json(b.post_empty("/databases/disconnect-session", &token).await).await;
    error_detail(a.get_authed("/databases/schema", &token).await, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn another_user_gets_404_or_403_on_everything_of_the_first_and_nothing_changes() {
    if samples().is_none() {
        return;
    }
    let app = TestApp::on(StoreKind::Sqlite, SessionKind::Redis).await;
    let (owner, t1) = app.signed_in_user().await;
    let (_, t2) = app.signed_in_user().await;
    let db_id = app.add_db(&t1, &pg_chinook()).await;
    let sid = ok_json(app.post_empty(&format!("/databases/connect_db/{db_id}"), &t1).await).await["session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = ok_json(app.get_authed(&format!("/databases/{db_id}"), &t1).await).await;

    let patch = json!({"host": "example.com", "db_password": "stolen"});
    let mut foreign = pg_chinook();
    foreign["owner_id"] = owner["id"].clone();
    let cases: Vec<(Method, String, Option<Value>, StatusCode)> = vec![
        (Method::GET, format!("/databases/{db_id}"), None, StatusCode::NOT_FOUND),
        (Method::PUT, format!("/databases/{db_id}"), Some(patch), StatusCode::NOT_FOUND),
        (Method::DELETE, format!("/databases/{db_id}"), None, StatusCode::NOT_FOUND),
        (Method::POST, format!("/databases/connect_db/{db_id}"), None, StatusCode::NOT_FOUND),
        (Method::GET, format!("/databases/session-info/{sid}"), None, StatusCode::NOT_FOUND),
        (Method::POST, "/databases/add_db_connection".into(), Some(foreign.clone()), StatusCode::FORBIDDEN),
        (Method::POST, "/databases/test_connection".into(), Some(foreign), StatusCode::FORBIDDEN),
    ];
    for (method, path, body, status) in cases {
        let r = app.send(method.clone(), &path, &t2, body.as_ref()).await;
        let detail = error_detail(r, status).await;
        assert!(!detail.is_empty(), "{method} {path}");
    }
    assert_eq!(ok_json(app.get_authed("/databases/", &t2).await).await, json!([]), "nothing stored for user 2");
    assert_eq!(ok_json(app.get_authed(&format!("/databases/{db_id}"), &t1).await).await, before, "unchanged");
    let schema = ok_json(app.get_authed("/databases/schema", &t1).await).await;
    assert_eq!(schema["tables"].as_array().unwrap().len(), 11, "owner's session still connected");
    // User 2's own session has no database.
    let detail = error_detail(app.get_authed("/databases/schema", &t2).await, StatusCode::BAD_REQUEST).await;
    assert_eq!(detail, "No database connected for this session. Please connect a database first.");
}

#[tokio::test]
async fn crud_lists_updates_and_deletes_and_deleting_detaches_sessions() {
    if samples().is_none() {
        return;
    }
    let app = TestApp::on(StoreKind::Postgres, SessionKind::Memory).await;
    let (user, token) = app.signed_in_user().await;
    let mut body = pg_chinook();
    body["owner_id"] = user["id"].clone();
    let added = ok_json(app.post_authed("/databases/add_db_connection", &token, &body).await).await;
    let view = &added["db_connection"];
    let keys: Vec<&str> = view.as_object().unwrap().keys().map(String::as_str).collect();
    assert!(!keys.iter().any(|k| k.contains("password")), "{keys:?}");
    assert_eq!(view["owner_id"], user["id"]);
    assert_eq!(view["port"], 5432);
    let id = view["id"].as_i64().unwrap();
    assert_eq!(ok_json(app.get_authed("/databases/", &token).await).await.as_array().unwrap().len(), 1);

    ok_json(app.post_empty(&format!("/databases/connect_db/{id}"), &token).await).await;
    let updated = ok_json(
        app.send(
            Method::PUT,
            &format!("/databases/{id}"),
            &token,
            Some(&json!({"ssl_mode": "disable", "db_password": PG_RO_PASS})),
        )
        .await,
    )
    .await;
    assert_eq!(updated["ssl_mode"], "disable");
    assert_eq!(updated["host"], "127.0.0.1");
    // The change detached the session: no pool keeps old settings.
    assert_eq!(ok_json(app.get_authed("/databases/session-status", &token).await).await["database_connected"], false);

    ok_json(app.post_empty(&format!("/databases/connect_db/{id}"), &token).await).await;
    let deleted = ok_json(app.send(Method::DELETE, &format!("/databases/{id}"), &token, None).await).await;
    assert_eq!(deleted["message"], "Database connection deleted");
    assert_eq!(ok_json(app.get_authed("/databases/session-status", &token).await).await["database_connected"], false);
    error_detail(app.get_authed(&format!("/databases/{id}"), &token).await, StatusCode::NOT_FOUND).await;
    error_detail(app.post_empty(&format!("/databases/connect_db/{id}"), &token).await, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn invalid_connection_fields_are_422_with_a_detail() {
    let app = TestApp::spawn().await;
    let (_, token) = app.signed_in_user().await;
    let base = pg_chinook();
    let with = |k: &str, v: Value| {
        let mut b = base.clone();
        b[k] = v;
        b
    };
    let cases = [
        (with("db_type", json!("oracle")), "db_type"),
        (with("host", json!("")), "host"),
        (with("host", json!("evil.com/x?sslmode=disable")), "host"),
        (with("host", json!("user:pw@host")), "host"),
        (with("port", json!(0)), "port"),
        (with("port", json!(70000)), "port"),
        (with("port", json!("x")), "port"),
        (with("username", json!("")), "username"),
        (with("database_name", json!("")), "database_name"),
        (with("ssl_mode", json!("sometimes")), "ssl_mode"),
        (json!({"db_type": "sqlite", "database_name": "../../etc/passwd"}), "database_name"),
        (json!({"db_type": "sqlite", "database_name": "/etc/passwd"}), "database_name"),
        (json!({"db_type": "sqlite", "database_name": "sub/dir.db"}), "database_name"),
        (json!({"db_type": "sqlite", "database_name": "..\\x.db"}), "database_name"),
        (json!({"db_type": "postgresql"}), "database_name"),
    ];
    for (body, field) in cases {
        let detail = error_detail(
            app.post_authed("/databases/add_db_connection", &token, &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert!(detail.contains(field), "{body} → {detail}");
    }
    assert_eq!(ok_json(app.get_authed("/databases/", &token).await).await, json!([]));
    error_detail(app.get_authed("/databases/abc", &token).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    error_detail(app.post("/databases/add_db_connection").json(&base).send().await.unwrap(), StatusCode::UNAUTHORIZED)
        .await;
}

#[tokio::test]
async fn the_outbound_policy_refuses_metadata_denied_ranges_and_ports_everywhere() {
    let open = TestApp::spawn().await;
    let (_, t) = open.signed_in_user().await;
    let strict = TestApp::with(Options {
        extra: vec![("SQLAGENT_DENY_PRIVATE_HOSTS", "true".into()), ("SQLAGENT_ALLOWED_PORTS", "5432,3306".into())],
        ..Options::default()
    })
    .await;
    let (_, ts) = strict.signed_in_user().await;
    let target = |host: &str, port: u16| json!({"db_type": "postgresql", "host": host, "port": port, "database_name": "x", "username": "u", "db_password": "p"});
    let cases = [
        (&open, &t, target("169.254.169.254", 5432)),
        (&open, &t, target("169.254.170.2", 80)),
        (&open, &t, target("fe80::1", 5432)),
        (&open, &t, target("0.0.0.0", 5432)),
        (&open, &t, target("::ffff:169.254.169.254", 5432)),
        (&open, &t, target("224.0.0.1", 5432)),
        (&strict, &ts, target("127.0.0.1", 5432)),
        (&strict, &ts, target("localhost", 5432)),
        (&strict, &ts, target("10.0.0.5", 5432)),
        (&strict, &ts, target("192.168.1.10", 3306)),
        (&strict, &ts, target("8.8.8.8", 22)),
    ];
    for (app, token, body) in cases {
        for path in ["/databases/add_db_connection", "/databases/test_connection"] {
            let detail = error_detail(app.post_authed(path, token, &body).await, StatusCode::FORBIDDEN).await;
            assert_eq!(
                detail, "Connections to this host or port are not allowed by the server's policy",
                "{path} {body}"
            );
        }
    }
    assert_eq!(ok_json(open.get_authed("/databases/", &t).await).await, json!([]));
}

#[tokio::test]
async fn a_ciphertext_moved_to_another_row_does_not_decrypt() {
    if samples().is_none() {
        return;
    }
    let app = TestApp::spawn().await;
    let (_, token) = app.signed_in_user().await;
    let first = app.add_db(&token, &maria_chinook()).await;
    let mut wrong = maria_chinook();
    wrong["db_password"] = json!("not-the-password");
    let second = app.add_db(&token, &wrong).await;
    // Give row 2 the (valid) ciphertext of row 1, as an attacker with store access might.
    let pool = app.state.store.pool();
    let (sealed,): (String,) = sqlx::query_as("SELECT password_enc FROM db_connections WHERE id = $1")
        .bind(first)
        .fetch_one(pool)
        .await
        .unwrap();
    sqlx::query("UPDATE db_connections SET password_enc = $1 WHERE id = $2")
        .bind(&sealed)
        .bind(second)
        .execute(pool)
        .await
        .unwrap();
    let detail =
        error_detail(app.post_empty(&format!("/databases/connect_db/{second}"), &token).await, StatusCode::CONFLICT)
            .await;
    assert!(detail.contains("cannot be decrypted"), "{detail}");
    assert!(!sealed.contains("ro_pass_123"));
    ok_json(app.post_empty(&format!("/databases/connect_db/{first}"), &token).await).await;
}

#[tokio::test]
async fn connection_failures_are_4xx_without_the_password_and_writers_get_a_warning() {
    if samples().is_none() {
        return;
    }
    let app = TestApp::spawn().await;
    let (_, token) = app.signed_in_user().await;
    let secret = "Sup3r-Secret-Pw!";
    let mut bad = maria_chinook();
    bad["db_password"] = json!(secret);
    let r = app.post_authed("/databases/test_connection", &token, &bad).await;
    let detail = error_detail(r, StatusCode::BAD_REQUEST).await;
    assert_eq!(detail, "Authentication failed for this user");
    let mut closed = pg_chinook();
    closed["port"] = json!(1);
    let detail =
        error_detail(app.post_authed("/databases/test_connection", &token, &closed).await, StatusCode::BAD_REQUEST)
            .await;
    assert!(detail.starts_with("Could not connect"), "{detail}");

    let ok = ok_json(app.post_authed("/databases/test_connection", &token, &pg_chinook()).await).await;
    assert_eq!(ok["success"], true);
    assert!(ok["server_version"].as_str().unwrap().starts_with("PostgreSQL"));
    assert_eq!(ok["warnings"], json!([]));
    let mut rw = maria_chinook();
    rw["username"] = json!("sqlagent_rw");
    rw["db_password"] = json!("rw_pass_123");
    let warned = ok_json(app.post_authed("/databases/test_connection", &token, &rw).await).await;
    assert!(warned["warnings"][0].as_str().unwrap().contains("read-only database user is recommended"));
    let mut su = pg_chinook();
    su["username"] = json!("postgres");
    let id = app.add_db(&token, &su).await;
    let connected = ok_json(app.post_empty(&format!("/databases/connect_db/{id}"), &token).await).await;
    let warnings = connected["warnings"].to_string();
    assert!(warnings.contains("can modify data") && warnings.contains("superuser"), "superuser is warned: {warnings}");
    assert_eq!(
        ok_json(app.get_authed("/databases/", &token).await).await.as_array().unwrap().len(),
        1,
        "tests store nothing"
    );
}

#[tokio::test]
async fn sqlite_uploads_are_checked_and_private_to_their_owner() {
    if samples().is_none() {
        return;
    }
    let app = TestApp::spawn().await;
    let (_, t1) = app.signed_in_user().await;
    let (_, t2) = app.signed_in_user().await;
    let detail = error_detail(
        app.upload_sqlite(&t1, "x.db", b"definitely not sqlite, just text".repeat(10)).await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert_eq!(detail, "file: not a SQLite 3 database");
    let real = std::fs::read(samples().unwrap().join("Chinook_Sqlite.sqlite")).unwrap();
    error_detail(app.upload_sqlite(&t1, "../escape.db", real.clone()).await, StatusCode::UNPROCESSABLE_ENTITY).await;
    upload_chinook(&app, &t1).await;
    assert!(app.data_dir.path().join("sqlite/users").read_dir().unwrap().count() == 1);
    app.add_db(&t1, &sqlite_chinook()).await;
    // The second user cannot reach the first user's upload by name.
    let detail = error_detail(
        app.post_authed("/databases/add_db_connection", &t2, &sqlite_chinook()).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(detail.contains("not found"), "{detail}");
}

#[tokio::test]
async fn refresh_schema_sees_a_new_table() {
    let app = TestApp::spawn().await;
    let (_, token) = app.signed_in_user().await;
    let admin = sqlx::PgPool::connect("postgres://postgres@127.0.0.1:5432/postgres").await.unwrap();
    let db = format!("sqlagent_r_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {db}")).execute(&admin).await.unwrap();
    let target = sqlx::PgPool::connect(&format!("postgres://postgres@127.0.0.1:5432/{db}")).await.unwrap();
    sqlx::query("CREATE TABLE a (id int PRIMARY KEY)").execute(&target).await.unwrap();
    let body = json!({"db_type": "postgresql", "host": "localhost", "database_name": db, "username": "postgres", "db_password": "x"});
    let id = app.add_db(&token, &body).await;
    ok_json(app.post_empty(&format!("/databases/connect_db/{id}"), &token).await).await;
    assert_eq!(ok_json(app.get_authed("/databases/schema", &token).await).await["tables"].as_array().unwrap().len(), 1);
    sqlx::raw_sql(
        "CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a(id)); COMMENT ON TABLE b IS 'the b table'",
    )
    .execute(&target)
    .await
    .unwrap();
    let fresh = ok_json(app.post_empty("/databases/refresh_schema", &token).await).await;
    let b = table(&fresh, "b");
    assert_eq!(b["comment"], "the b table");
    assert_eq!(b["foreign_keys"][0]["ref_table"], "a");
    target.close().await;
    app.post_empty("/databases/disconnect-session", &token).await;
    sqlx::query(&format!("DROP DATABASE {db} WITH (FORCE)")).execute(&admin).await.unwrap();
}
