//! `POST /users/`, `POST /login`, `GET /users/me`.
use axum::extract::State;
use axum::routing::post;
use sqlagent_core::{auth, users, AppState};
use sqlagent_model::{ErrorBody, LoginForm, NewUser, TokenView, UserView};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{ApiResult, Caller, Form, Json};
use crate::ServerState;

pub fn routes() -> OpenApiRouter<ServerState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        // The same registration without the trailing slash (not documented twice).
        .route("/users", post(register))
        .routes(routes!(me))
        .routes(routes!(login))
}

/// Register a new user.
#[utoipa::path(post, path = "/users/", tag = "users", request_body = NewUser, responses(
    (status = 200, description = "Created", body = UserView),
    (status = 409, description = "Email already registered", body = ErrorBody),
    (status = 422, description = "Invalid name, email or password", body = ErrorBody),
    (status = 503, description = "Too many registrations at once (Retry-After)", body = ErrorBody),
))]
pub async fn register(State(app): State<AppState>, Json(new): Json<NewUser>) -> ApiResult<UserView> {
    Ok(Json(users::register(&app, new).await?))
}

/// Log in with the OAuth2 password form; opens a session and returns its token.
#[utoipa::path(post, path = "/login", tag = "users",
    request_body(content = LoginForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Logged in", body = TokenView),
        (status = 401, description = "Incorrect email or password", body = ErrorBody),
        (status = 422, description = "Missing form fields", body = ErrorBody),
        (status = 503, description = "Too many sign-ins at once (Retry-After)", body = ErrorBody),
    ))]
pub async fn login(State(app): State<AppState>, Form(form): Form<LoginForm>) -> ApiResult<TokenView> {
    Ok(Json(auth::login(&app, &form.username, &form.password).await?))
}

/// The caller.
#[utoipa::path(get, path = "/users/me", tag = "users", security(("bearer" = [])), responses(
    (status = 200, description = "The authenticated user", body = UserView),
    (status = 401, description = "Not authenticated", body = ErrorBody),
))]
pub async fn me(State(app): State<AppState>, Caller(p): Caller) -> ApiResult<UserView> {
    Ok(Json(users::get(&app, p.user_id).await?))
}
