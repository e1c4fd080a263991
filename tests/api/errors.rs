//! Malformed bodies of every kind: a 4xx with `detail`, never a 500.
use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn malformed_bodies_get_a_4xx_detail_never_a_500() {
    let app = TestApp::spawn().await;
    let cases: Vec<(&str, &str, &str, StatusCode)> = vec![
        ("/users/", "application/json", "{not json", StatusCode::BAD_REQUEST),
        ("/users/", "application/json", "", StatusCode::BAD_REQUEST),
        ("/users/", "application/json", "[]", StatusCode::UNPROCESSABLE_ENTITY),
        ("/users/", "application/json", "null", StatusCode::UNPROCESSABLE_ENTITY),
        (
            "/users/",
            "text/plain",
            r#"{"name":"a","email":"a@b.co","password":"12345678"}"#,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "/users/",
            "application/json",
            r#"{"name":"a","email":"a@b.co","password":12345678}"#,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        ("/login", "application/x-www-form-urlencoded", "username=a@b.co", StatusCode::UNPROCESSABLE_ENTITY),
        ("/login", "application/x-www-form-urlencoded", "", StatusCode::UNPROCESSABLE_ENTITY),
        ("/login", "application/json", r#"{"username":"a@b.co","password":"x"}"#, StatusCode::UNSUPPORTED_MEDIA_TYPE),
        ("/login", "application/x-www-form-urlencoded", "%zz=%%%", StatusCode::UNPROCESSABLE_ENTITY),
    ];
    for (path, ctype, body, status) in cases {
        let r = app.post(path).header("Content-Type", ctype).body(body.to_owned()).send().await.unwrap();
        let detail = error_detail(r, status).await;
        assert!(!detail.is_empty(), "{path} {body}");
    }
}

#[tokio::test]
async fn very_large_and_binary_inputs_are_refused_cleanly() {
    let app = TestApp::spawn().await;
    let huge = format!(r#"{{"name":"a","email":"a@b.co","password":"{}"}}"#, "x".repeat(5_000));
    let detail = error_detail(
        app.post("/users/").header("Content-Type", "application/json").body(huge).send().await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    assert!(detail.starts_with("password"));
    let too_big = vec![b'{'; 3 * 1024 * 1024];
    let r = app.post("/users/").header("Content-Type", "application/json").body(too_big).send().await.unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
    let binary: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let r = app
        .post("/login")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(binary)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error());
}
