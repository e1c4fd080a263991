//! The REST API. Each module owns a noun and exposes `routes()`; this table joins
//! them, and the OpenAPI document is collected from the same table.
mod ask;
mod attachments;
mod connections;
mod error;
mod extract;
mod health;
mod openapi;
mod security;
mod users;

pub use error::{detail_response, ApiError};
pub use extract::{ApiResult, Caller, Form, Json, Path};
pub use security::{BrowserPolicy, CROSS_SITE};

use axum::Router;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use utoipa_axum::router::OpenApiRouter;

use crate::ServerState;

/// Every REST route, with the API description built from them.
pub fn routes() -> Router<ServerState> {
    let (router, doc) = OpenApiRouter::with_openapi(openapi::base())
        .merge(users::routes())
        .merge(ask::routes())
        .merge(connections::routes())
        .merge(attachments::routes())
        .merge(health::routes())
        .split_for_parts();
    router.merge(openapi::serve(doc))
}

/// Add request ids, request tracing (method, path, status, latency — never
/// headers or bodies, which carry tokens and passwords), browser security
/// (headers, cross-site refusal) and CORS when configured.
pub fn with_layers<S: Clone + Send + Sync + 'static>(router: Router<S>, browser: BrowserPolicy) -> Router<S> {
    let cors = browser.cors();
    router
        .layer(axum::middleware::from_fn_with_state(browser, security::guard))
        .layer(tower::util::option_layer(cors))
        .layer(
            tower::ServiceBuilder::new()
                .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
                .layer(TraceLayer::new_for_http())
                .layer(PropagateRequestIdLayer::x_request_id()),
        )
}
