//! The server-rendered UI: pages render with labelled forms.
use crate::helpers::*;

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
