//! The REST API. Each module owns a noun and exposes `routes()`; this table joins them.
mod ask;
mod databases;
mod error;
mod extract;
mod health;
mod openapi;
mod users;

pub use error::ApiError;
pub use extract::{Caller, Form, Json, Path};

use axum::Router;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;

use crate::ServerState;

/// Every REST route.
pub fn routes() -> Router<ServerState> {
    Router::new()
        .merge(users::routes())
        .merge(ask::routes())
        .merge(databases::routes())
        .merge(health::routes())
        .merge(openapi::routes())
}

/// Add request ids and request tracing (method, path, status, latency — never
/// headers or bodies, which carry tokens and passwords).
pub fn with_layers<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router.layer(
        tower::ServiceBuilder::new()
            .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
            .layer(TraceLayer::new_for_http())
            .layer(PropagateRequestIdLayer::x_request_id()),
    )
}
