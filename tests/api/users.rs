//! Registration, login and `/users/me` on every store combination.
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn register_login_and_me_work_on_every_store_combination() {
    for (store, sessions) in MATRIX {
        let app = TestApp::on(store, sessions).await;
        let email = format!("john{}@example.com", uuid::Uuid::new_v4().simple());
        let user = ok_json(app.register("John Doe", &email, "securepassword").await).await;
        assert_eq!(user["name"], "John Doe", "{store:?}/{sessions:?}");
        assert_eq!(user["email"], email.as_str());
        assert!(user["id"].as_i64().unwrap() > 0);
        let created = user["created_at"].as_str().unwrap();
        assert!(chrono::NaiveDateTime::parse_from_str(created, "%Y-%m-%dT%H:%M:%S").is_ok(), "{created}");
        assert_eq!(user.as_object().unwrap().len(), 4, "no password or hash: {user}");

        let token = ok_json(app.login(&email, "securepassword").await).await;
        assert_eq!(token["token_type"], "bearer");
        let access = token["access_token"].as_str().unwrap();
        let me = ok_json(app.get_authed("/users/me", access).await).await;
        assert_eq!(me, user, "{store:?}/{sessions:?}");
    }
}

#[tokio::test]
async fn login_creates_a_redis_session_hash_with_user_id_and_created_at() {
    let app = TestApp::on(StoreKind::Sqlite, SessionKind::Redis).await;
    let (user, token) = app.signed_in_user().await;
    let status = ok_json(app.get_authed("/health/session", &token).await).await;
    let sid = status["session_id"].as_str().unwrap();
    let client = redis::Client::open(REDIS_URL).unwrap();
    let mut conn = client.get_multiplexed_async_connection().await.unwrap();
    let fields: std::collections::HashMap<String, String> =
        redis::cmd("HGETALL").arg(format!("session:{sid}")).query_async(&mut conn).await.unwrap();
    assert_eq!(fields.get("user_id"), Some(&user["id"].to_string()));
    let created: i64 = fields["created_at"].parse().unwrap();
    assert!((chrono::Utc::now().timestamp() - created).abs() < 60);
    let ttl: i64 = redis::cmd("TTL").arg(format!("session:{sid}")).query_async(&mut conn).await.unwrap();
    assert!(ttl > 86_000 && ttl <= 86_400, "ttl {ttl}");
}

#[tokio::test]
async fn the_guides_curl_examples_work_as_printed() {
    let app = TestApp::spawn().await;
    let r = app
        .post("/users/")
        .header("Content-Type", "application/json")
        .body(r#"{"name":"Sarah Wilson","email":"sarah@shop.com","password":"secure123"}"#)
        .send()
        .await
        .unwrap();
    let user = ok_json(r).await;
    assert_eq!(user["email"], "sarah@shop.com");
    let r = app
        .post("/login")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("username=sarah@shop.com&password=secure123")
        .send()
        .await
        .unwrap();
    let token = ok_json(r).await;
    assert!(token["access_token"].as_str().unwrap().starts_with("eyJ"));
}

#[tokio::test]
async fn registration_rejects_invalid_input_with_a_detail() {
    let app = TestApp::spawn().await;
    let long_name = "n".repeat(101);
    let cases = [
        (json!({"name": "", "email": "a@example.com", "password": "password1"}), "name"),
        (json!({"name": "   ", "email": "a@example.com", "password": "password1"}), "name"),
        (json!({"name": long_name, "email": "a@example.com", "password": "password1"}), "name"),
        (json!({"name": "Ann", "email": "not-an-email", "password": "password1"}), "email"),
        (json!({"name": "Ann", "email": "a@b", "password": "password1"}), "email"),
        (json!({"name": "Ann", "email": "a@example.com", "password": "short"}), "password"),
        (json!({"name": "Ann", "email": "a@example.com"}), "password"),
        (json!({"name": "Ann", "password": "password1"}), "email"),
        (json!({"name": 5, "email": "a@example.com", "password": "password1"}), "name"),
    ];
    for (body, field) in cases {
        let detail =
            error_detail(app.post("/users/").json(&body).send().await.unwrap(), StatusCode::UNPROCESSABLE_ENTITY).await;
        assert!(detail.contains(field), "{body} → {detail}");
    }
}

#[tokio::test]
async fn a_duplicate_email_is_a_conflict_whatever_its_case() {
    let app = TestApp::on(StoreKind::Postgres, SessionKind::Memory).await;
    ok_json(app.register("Ann", "ann@example.com", "password123").await).await;
    let detail =
        error_detail(app.register("Ann 2", "ANN@Example.com", "password456").await, StatusCode::CONFLICT).await;
    assert_eq!(detail, "Email already registered");
    // The first account keeps its password.
    ok_json(app.login("ann@example.com", "password123").await).await;
}

#[tokio::test]
async fn wrong_credentials_get_the_same_401_with_www_authenticate() {
    let app = TestApp::spawn().await;
    ok_json(app.register("Ann", "ann@example.com", "password123").await).await;
    for (email, password) in [("ann@example.com", "wrong-password"), ("nobody@example.com", "password123")] {
        let r = app.login(email, password).await;
        assert_eq!(r.headers().get("www-authenticate").unwrap(), "Bearer");
        assert_eq!(error_detail(r, StatusCode::UNAUTHORIZED).await, "Incorrect email or password");
    }
}

#[tokio::test]
async fn login_accepts_the_email_in_any_case() {
    let app = TestApp::spawn().await;
    ok_json(app.register("Ann", "ann@example.com", "password123").await).await;
    ok_json(app.login("  Ann@Example.COM ", "password123").await).await;
}
