//! Extractors whose rejections keep the `{"detail": "..."}` shape, and the caller.
//! [`Json`] is also every handler's response type.
use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection};
use axum::extract::{FromRef, FromRequest, FromRequestParts, Request};
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::Serialize;
use sqlagent_core::auth::{self, Principal};
use sqlagent_core::AppState;

use super::error::detail_response;
use super::ApiError;

/// A JSON body in (malformed or mistyped input is a 4xx with `detail`) or out.
pub struct Json<T>(pub T);

impl<T: Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// What a handler returns.
pub type ApiResult<T> = Result<Json<T>, ApiError>;

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Json(v)),
            Err(r) => Err(reject_json(r)),
        }
    }
}

fn reject_json(r: JsonRejection) -> Response {
    detail_response(r.status(), r.body_text())
}

/// URL-encoded form body, with the same rejection shape.
pub struct Form<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Form<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(Form(v)),
            Err(r) => Err(reject_form(r)),
        }
    }
}

fn reject_form(r: FormRejection) -> Response {
    detail_response(r.status(), r.body_text())
}

/// Path parameters; a malformed one is a 422 with `detail`.
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(r) => Err(reject_path(r)),
        }
    }
}

fn reject_path(r: PathRejection) -> Response {
    detail_response(axum::http::StatusCode::UNPROCESSABLE_ENTITY, r.body_text())
}

/// The authenticated caller: a Bearer token, or the browser's session cookie.
pub struct Caller(pub Principal);

impl<S> FromRequestParts<S> for Caller
where
    S: Send + Sync,
    AppState: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let header = |name| parts.headers.get(name).and_then(|v| v.to_str().ok());
        let token = auth::token_from_headers(header(AUTHORIZATION), header(COOKIE))
            .ok_or_else(|| ApiError(sqlagent_core::Error::not_authenticated()).into_response())?;
        let app = AppState::from_ref(state);
        auth::authenticate(&app, token).await.map(Caller).map_err(|e| ApiError(e).into_response())
    }
}
