//! `/openapi.json` and the interactive docs at `/docs`, generated from the handlers.
use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_swagger_ui::SwaggerUi;

use crate::ServerState;

#[derive(OpenApi)]
#[openapi(
    info(title = "SQLAgent API", description = "Ask your database questions in plain language."),
    paths(super::users::register, super::users::login, super::users::me, super::health::service, super::health::session,
        super::databases::add, super::databases::test, super::databases::list, super::databases::one,
        super::databases::update, super::databases::remove, super::databases::upload, super::databases::connect,
        super::databases::status, super::databases::info, super::databases::disconnect, super::databases::schema,
        super::databases::refresh, super::databases::run_sql,
        super::ask::ask, super::ask::detailed, super::ask::stream, super::ask::threads, super::ask::messages),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

pub fn routes() -> Router<ServerState> {
    let mut doc = ApiDoc::openapi();
    doc.info.version = sqlagent_core::VERSION.into();
    SwaggerUi::new("/docs").url("/openapi.json", doc).into()
}
