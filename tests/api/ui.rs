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

/// The page's CSP allows exactly the inline scripts that carry its nonce, and
/// every inline script carries it; the nonce changes per response.
#[tokio::test]
async fn pages_carry_a_nonce_csp_that_matches_their_inline_scripts() {
    let app = TestApp::spawn().await;
    let mut nonces = Vec::new();
    for path in ["/", "/login", "/connections", "/no-such-page"] {
        let page = app.get(path).send().await.unwrap();
        let csp = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("'wasm-unsafe-eval'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        let nonce = csp.split("'nonce-").nth(1).and_then(|r| r.split('\'').next()).expect("a nonce").to_owned();
        assert!(nonce.len() >= 16, "{nonce}");
        let html = page.text().await.unwrap();
        let scripts = html.matches("<script").count();
        assert!(scripts >= 1, "{path}: the hydration script");
        assert_eq!(html.matches(&format!(r#"nonce="{nonce}""#)).count(), scripts, "{path}: every script is nonced");
        nonces.push(nonce);
    }
    nonces.dedup();
    assert_eq!(nonces.len(), 4, "one nonce per response");
}

#[tokio::test]
async fn every_response_has_the_security_headers_and_api_responses_allow_nothing() {
    let app = TestApp::spawn().await;
    for path in ["/", "/health", "/users/me", "/openapi.json", "/pkg/sqlagent.css", "/docs/"] {
        let r = app.get(path).send().await.unwrap();
        let h = r.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        assert!(h["content-security-policy"].to_str().unwrap().contains("frame-ancestors 'none'"), "{path}");
        assert!(h.get("strict-transport-security").is_none(), "no HSTS outside production: {path}");
        assert!(h.get("access-control-allow-origin").is_none(), "CORS is closed by default: {path}");
    }
    let api = app.get("/health").send().await.unwrap();
    assert!(api.headers()["content-security-policy"].to_str().unwrap().starts_with("default-src 'none'"));
    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/login"))
        .header("Origin", "https://evil.example")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert!(preflight.headers().get("access-control-allow-origin").is_none());
}

/// Cross-site writes are refused before any handler runs: REST (cookie, token or
/// none — login CSRF included), server functions and uploads alike. Same-origin
/// browsers and non-browser clients go through.
#[tokio::test]
async fn cross_site_writes_are_refused_whatever_authenticates_them() {
    let app = TestApp::spawn().await;
    let (_, token) = app.signed_in_user().await;
    let cookie = format!("sqlagent_session={token}");
    let host = app.base.trim_start_matches("http://").to_owned();
    let forged: [&[(&str, &str)]; 4] = [
        &[("Sec-Fetch-Site", "cross-site"), ("Origin", "https://evil.example")],
        &[("Sec-Fetch-Site", "same-site"), ("Origin", "http://127.0.0.1:1")],
        &[("Origin", "https://evil.example")],
        &[("Origin", "null")],
    ];
    let requests = [
        ("/login", "application/x-www-form-urlencoded", "username=a%40example.com&password=a-good-password"),
        ("/api/login", "application/x-www-form-urlencoded", "email=a%40example.com&password=a-good-password"),
        (
            "/databases/add_db_connection",
            "application/json",
            r#"{"db_type":"sqlite","database_name":"demo_shop.sqlite"}"#,
        ),
        ("/api/logout", "application/x-www-form-urlencoded", ""),
        ("/api/add_sample_database", "application/x-www-form-urlencoded", ""),
    ];
    for headers in forged {
        for (path, kind, body) in requests {
            let mut r = app.post(path).header("Cookie", &cookie).header("Content-Type", kind).body(body);
            for (k, v) in headers {
                r = r.header(*k, *v);
            }
            let detail = error_detail(r.send().await.unwrap(), StatusCode::FORBIDDEN).await;
            assert!(detail.starts_with("Cross-site request refused"), "{path} {headers:?}: {detail}");
        }
    }
    let listed = ok_json(app.get_authed("/databases/", &token).await).await;
    assert_eq!(listed.as_array().map(Vec::len), Some(0), "no forged request added anything");
    assert_eq!(app.get_authed("/users/me", &token).await.status(), StatusCode::OK, "nor logged anyone out");

    // The same requests from the app's own pages, and from a non-browser client, work.
    let own = app
        .post("/databases/add_db_connection")
        .header("Cookie", &cookie)
        .header("Sec-Fetch-Site", "same-origin")
        .header("Origin", format!("http://{host}"))
        .json(&json!({"db_type": "sqlite", "database_name": "demo_shop.sqlite"}))
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::OK);
    let older_browser = app
        .post("/databases/add_db_connection")
        .header("Cookie", &cookie)
        .header("Origin", format!("http://{host}"))
        .json(&json!({"db_type": "sqlite", "database_name": "demo_shop.sqlite"}))
        .send()
        .await
        .unwrap();
    assert_eq!(older_browser.status(), StatusCode::OK);
    assert_eq!(app.login("nobody@example.com", "a-good-password").await.status(), StatusCode::UNAUTHORIZED);
}
