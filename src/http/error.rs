//! The one place where core errors become HTTP responses: `{"detail": "..."}`.
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sqlagent_core::Error;
use sqlagent_model::ErrorBody;

/// A core error on its way out of a handler.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl<E: Into<Error>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl ApiError {
    /// An error with an explicit status and text (extractor rejections).
    pub fn status(status: StatusCode, detail: impl Into<String>) -> Response {
        (status, axum::Json(ErrorBody { detail: detail.into() })).into_response()
    }
}

impl ApiError {
    /// The status and the text a client may see; server faults are logged here
    /// with their cause and answered with a generic text.
    pub fn public(&self) -> (StatusCode, String) {
        let status = match &self.0 {
            Error::Unauthenticated(_) | Error::BadCredentials => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Error::BadRequest(_) | Error::UnsafeSql(_) => StatusCode::BAD_REQUEST,
            Error::Conflict(_) => StatusCode::CONFLICT,
            Error::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Upstream(_) => StatusCode::BAD_GATEWAY,
            Error::Store(sqlx_error) if is_outage(sqlx_error) => StatusCode::SERVICE_UNAVAILABLE,
            Error::Store(_) | Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let detail = if self.0.is_internal() {
            // Server-side faults are logged with their cause and never shown.
            tracing::error!(error = ?self.0, "request failed");
            if status == StatusCode::SERVICE_UNAVAILABLE {
                "Service temporarily unavailable"
            } else {
                "Internal server error"
            }
            .to_owned()
        } else {
            self.0.to_string()
        };
        (status, detail)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, detail) = self.public();
        let mut response = Self::status(status, detail);
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

fn is_outage(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed)
}
