//! The API description covers every endpoint and the docs page is served.
use crate::helpers::*;

const ENDPOINTS: &[(&str, &str)] = &[
    ("post", "/users/"),
    ("post", "/login"),
    ("get", "/users/me"),
    ("get", "/health"),
    ("get", "/health/session"),
    ("post", "/databases/add_db_connection"),
    ("post", "/databases/test_connection"),
    ("get", "/databases/"),
    ("get", "/databases/{id}"),
    ("put", "/databases/{id}"),
    ("delete", "/databases/{id}"),
    ("post", "/databases/upload_sqlite"),
    ("post", "/databases/connect_db/{db_id}"),
    ("get", "/databases/session-status"),
    ("get", "/databases/session-info/{session_id}"),
    ("post", "/databases/disconnect-session"),
    ("get", "/databases/schema"),
    ("post", "/databases/refresh_schema"),
    ("post", "/databases/run_sql"),
    ("post", "/ask"),
    ("post", "/ask/detailed"),
    ("post", "/ask/stream"),
    ("get", "/threads"),
    ("get", "/threads/{id}/messages"),
];

#[tokio::test]
async fn openapi_json_describes_every_endpoint_and_the_routes_exist() {
    let app = TestApp::spawn().await;
    let doc = ok_json(app.get("/openapi.json").send().await.unwrap()).await;
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
    let paths = doc["paths"].as_object().unwrap();
    for (method, path) in ENDPOINTS {
        assert!(paths.get(*path).and_then(|p| p.get(*method)).is_some(), "{method} {path} missing from openapi.json");
        let r = app.client.request(method.to_uppercase().parse().unwrap(), app.url(path)).send().await.unwrap();
        assert!(r.status() != 404 && r.status() != 405, "{method} {path} → {}", r.status());
    }
    let documented: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(documented, ENDPOINTS.len(), "every documented operation is listed here");
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
}

#[tokio::test]
async fn interactive_docs_are_served_at_docs() {
    let app = TestApp::spawn().await;
    let r = app.get("/docs/").send().await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.text().await.unwrap().to_lowercase().contains("swagger"));
}
