//! Session lifetime: sliding TTL, revocation, token checks, cookie = bearer.
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

const SECRET: &[u8] = b"test-jwt-secret-with-at-least-32-bytes!";

fn forge(claims: serde_json::Value, secret: &[u8]) -> String {
    jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &jsonwebtoken::EncodingKey::from_secret(secret))
        .unwrap()
}

async fn session_id(app: &TestApp, token: &str) -> String {
    ok_json(app.get_authed("/health/session", token).await).await["session_id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn each_authenticated_call_renews_the_session_and_idle_sessions_expire() {
    for sessions in [SessionKind::Memory, SessionKind::Redis] {
        let app = TestApp::with(Options { sessions, ttl_seconds: 2, ..Options::default() }).await;
        let (_, token) = app.signed_in_user().await;
        for _ in 0..4 {
            tokio::time::sleep(Duration::from_millis(800)).await;
            ok_json(app.get_authed("/users/me", &token).await).await;
        }
        tokio::time::sleep(Duration::from_millis(2600)).await;
        let detail = error_detail(app.get_authed("/users/me", &token).await, StatusCode::UNAUTHORIZED).await;
        assert_eq!(detail, "Session expired or revoked", "{sessions:?}");
    }
}

#[tokio::test]
async fn a_deleted_session_revokes_its_token_at_once() {
    for sessions in [SessionKind::Memory, SessionKind::Redis] {
        let app = TestApp::on(StoreKind::Sqlite, sessions).await;
        let (_, token) = app.signed_in_user().await;
        let (_, other) = app.signed_in_user().await;
        let sid = session_id(&app, &token).await;
        assert!(app.state.sessions.delete(&sid).await.unwrap());
        error_detail(app.get_authed("/users/me", &token).await, StatusCode::UNAUTHORIZED).await;
        error_detail(app.get_authed("/health/session", &token).await, StatusCode::UNAUTHORIZED).await;
        // Other sessions are untouched.
        ok_json(app.get_authed("/users/me", &other).await).await;
    }
}

#[tokio::test]
async fn a_redis_session_is_shared_by_two_instances() {
    let a = TestApp::on(StoreKind::Postgres, SessionKind::Redis).await;
    let (user, token) = a.signed_in_user().await;
    // A second instance sharing only Redis and the JWT secret accepts the session;
    // the user row lives in the first instance's store, so /health/session is used.
    let b = TestApp::on(StoreKind::Sqlite, SessionKind::Redis).await;
    let seen = ok_json(b.get_authed("/health/session", &token).await).await;
    assert_eq!(seen["user_id"], user["id"]);
}

#[tokio::test]
async fn bad_tokens_are_rejected_with_401_and_www_authenticate() {
    let app = TestApp::spawn().await;
    let (user, token) = app.signed_in_user().await;
    let sid = session_id(&app, &token).await;
    let now = chrono::Utc::now().timestamp();
    let uid = user["id"].to_string();
    let cases = [
        ("no header", None),
        ("garbage", Some("Bearer not.a.jwt".to_owned())),
        ("wrong scheme", Some(format!("Basic {token}"))),
        ("tampered", Some(format!("Bearer {}x", token))),
        (
            "other secret",
            Some(format!(
                "Bearer {}",
                forge(json!({"sub": uid, "sid": sid, "exp": now + 60}), b"another-secret-another-secret-xx")
            )),
        ),
        ("expired", Some(format!("Bearer {}", forge(json!({"sub": uid, "sid": sid, "exp": now - 5}), SECRET)))),
        (
            "unknown session",
            Some(format!("Bearer {}", forge(json!({"sub": uid, "sid": "nope", "exp": now + 60}), SECRET))),
        ),
        (
            "someone else's session",
            Some(format!("Bearer {}", forge(json!({"sub": "999999", "sid": sid, "exp": now + 60}), SECRET))),
        ),
        ("alg none", Some(format!("Bearer {}", none_alg_token(&uid, &sid, now + 60)))),
    ];
    for (name, header) in cases {
        let mut req = app.get("/users/me");
        if let Some(h) = header {
            req = req.header("Authorization", h);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.headers().get("www-authenticate").map(|v| v.to_str().unwrap()), Some("Bearer"), "{name}");
        error_detail(r, StatusCode::UNAUTHORIZED).await;
    }
}

fn none_alg_token(sub: &str, sid: &str, exp: i64) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = b64.encode(r#"{"alg":"none","typ":"JWT"}"#);
    let body = b64.encode(json!({"sub": sub, "sid": sid, "exp": exp}).to_string());
    format!("{header}.{body}.")
}

#[tokio::test]
async fn the_session_cookie_resolves_to_the_same_principal_as_the_bearer_token() {
    let app = TestApp::spawn().await;
    let (user, token) = app.signed_in_user().await;
    let r =
        app.get("/users/me").header("Cookie", format!("theme=dark; sqlagent_session={token}")).send().await.unwrap();
    assert_eq!(ok_json(r).await, user);
    let by_cookie =
        app.get("/health/session").header("Cookie", format!("sqlagent_session={token}")).send().await.unwrap();
    let by_bearer = app.get_authed("/health/session", &token).await;
    assert_eq!(ok_json(by_cookie).await["session_id"], ok_json(by_bearer).await["session_id"]);
}
