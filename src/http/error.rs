//! Core errors on their way out: the status comes from the core's one table
//! ([`Error::status`]), the body is always `{"detail": "..."}`.
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sqlagent_core::Error;
use sqlagent_model::ErrorBody;

/// A core error as an HTTP response.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl<E: Into<Error>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

/// A `{"detail"}` response with an explicit status (extractor rejections).
pub fn detail_response(status: StatusCode, detail: impl Into<String>) -> Response {
    (status, axum::Json(ErrorBody { detail: detail.into() })).into_response()
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = detail_response(status, self.0.public_detail());
        let headers = response.headers_mut();
        if status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(seconds) = self.0.retry_after() {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}
