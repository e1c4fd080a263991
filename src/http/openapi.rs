//! The API description, derived from the routes themselves (each handler's
//! `#[utoipa::path]` is registered with its route, so a route cannot be left out
//! of the document), served at `/openapi.json` with interactive docs at `/docs`.
use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi as Document;
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use crate::ServerState;

#[derive(OpenApi)]
#[openapi(
    info(title = "SQLAgent API", description = "Ask your database questions in plain language."),
    modifiers(&BearerAuth),
)]
struct Base;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut Document) {
        let scheme = HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The document the routes are added to: title, version, security scheme.
pub fn base() -> Document {
    let mut doc = Base::openapi();
    doc.info.version = sqlagent_core::VERSION.into();
    doc
}

/// `/openapi.json` and `/docs` for the finished document.
pub fn serve(doc: Document) -> Router<ServerState> {
    SwaggerUi::new("/docs").url("/openapi.json", doc).into()
}
