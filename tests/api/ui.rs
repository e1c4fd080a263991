//! The server-rendered UI and its server functions: pages render with labelled
//! forms; server functions end sessions and report errors as REST does.
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

/// Call a server function with the browser's session cookie.
async fn server_fn(app: &TestApp, name: &str, token: &str) -> reqwest::Response {
    app.post(&format!("/api/{name}"))
        .header("Cookie", format!("sqlagent_session={token}"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn logging_out_in_the_ui_ends_the_session_as_disconnect_does_and_drops_the_pool() {
    let app = TestApp::spawn().await;
    let (_, token) = app.signed_in_user().await;
    let id = app.add_db(&token, &json!({"db_type": "sqlite", "database_name": "demo_shop.sqlite"})).await;
    ok_json(app.post_empty(&format!("/databases/connect_db/{id}"), &token).await).await;
    let sid = ok_json(app.get_authed("/databases/session-status", &token).await).await["session_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(app.state.pools.get(&sid).await.is_some(), "connected: a pool with decrypted credentials");
    let out = server_fn(&app, "logout", &token).await;
    assert_eq!(out.status(), StatusCode::OK);
    assert!(out.headers().get("set-cookie").unwrap().to_str().unwrap().contains("Max-Age=0"));
    assert!(app.state.pools.get(&sid).await.is_none(), "the pool is gone");
    let rows: Vec<(String,)> = sqlx::query_as("SELECT session_id FROM db_sessions WHERE session_id = $1")
        .bind(&sid)
        .fetch_all(app.state.store.pool())
        .await
        .unwrap();
    assert!(rows.is_empty(), "the attachment record is gone");
    error_detail(app.get_authed("/users/me", &token).await, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn a_store_outage_is_503_in_the_ui_as_in_rest() {
    let app = TestApp::spawn().await;
    let (_, token) = app.signed_in_user().await;
    app.state.store.pool().close().await;
    let rest = error_detail(app.get_authed("/users/me", &token).await, StatusCode::SERVICE_UNAVAILABLE).await;
    assert_eq!(rest, "Service temporarily unavailable");
    let ui = server_fn(&app, "current_user", &token).await;
    assert_eq!(ui.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: serde_json::Value = ui.json().await.unwrap();
    assert_eq!(body, json!({"Unavailable": "Service temporarily unavailable"}));
}

#[tokio::test]
async fn the_ui_error_keeps_not_found_forbidden_and_unauthenticated_apart() {
    use sqlagent_app::error::UiError;
    for (error, expected) in [
        (sqlagent_core::Error::NotFound("x".into()), UiError::NotFound("x".into())),
        (sqlagent_core::Error::Forbidden("x".into()), UiError::Forbidden("x".into())),
        (sqlagent_core::Error::not_authenticated(), UiError::Unauthenticated("Not authenticated".into())),
        (sqlagent_core::Error::Busy("x".into()), UiError::Unavailable("x".into())),
        (sqlagent_core::Error::UnsafeSql("x".into()), UiError::Invalid("Query rejected: x".into())),
        (sqlagent_core::Error::Internal(anyhow::anyhow!("secret detail")), UiError::Server),
    ] {
        assert_eq!(UiError::from(error), expected);
    }
}

#[tokio::test]
async fn pages_render_on_the_server_with_labelled_fields() {
    let app = TestApp::spawn().await;
    let home = app.get("/").send().await.unwrap();
    assert_eq!(home.status(), 200);
    let html = home.text().await.unwrap();
    assert!(html.contains("SQLAgent") && html.contains("/pkg/sqlagent.css"));
    let login = app.get("/login").send().await.unwrap().text().await.unwrap();
    for needle in [r#"<label for="email""#, r#"id="email""#, r#"<label for="password""#, r#"type="password""#] {
        assert!(login.contains(needle), "login page lacks {needle}");
    }
    let register = app.get("/register").send().await.unwrap().text().await.unwrap();
    assert!(register.contains(r#"<label for="name""#));
}

#[tokio::test]
async fn the_home_page_shows_the_signed_in_user_from_the_cookie() {
    let app = TestApp::spawn().await;
    let (user, token) = app.signed_in_user().await;
    let html =
        app.get("/").header("Cookie", format!("sqlagent_session={token}")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(user["email"].as_str().unwrap()), "signed-in page names the user");
}
