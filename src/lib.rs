//! The SQLAgent server: wires the core to its two front doors, the REST API
//! (`http`) and the Leptos web UI (`sqlagent-app`), on one axum router.

pub mod eval;
pub mod http;
pub mod telemetry;

use axum::extract::FromRef;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use sqlagent_app::{shell, App};
use sqlagent_core::AppState;

/// Router state: the core's handles plus the UI's build settings.
#[derive(Clone, FromRef)]
pub struct ServerState {
    pub app: AppState,
    pub leptos: LeptosOptions,
}

/// The whole application: REST routes, UI pages, server functions, static files.
pub fn router(state: ServerState) -> Router {
    let ui_routes = generate_route_list(App);
    let context = {
        let app = state.app.clone();
        move || provide_context(app.clone())
    };
    let page = {
        let options = state.leptos.clone();
        move || shell(options.clone())
    };
    let router = http::routes()
        .leptos_routes_with_context(&state, ui_routes, context, page)
        .fallback(leptos_axum::file_and_error_handler::<ServerState, _>(shell));
    let browser = http::BrowserPolicy::new(&state.app.settings);
    http::with_layers(router, browser).with_state(state)
}

/// How long in-flight requests may take to finish after a shutdown signal.
pub const DRAIN: std::time::Duration = std::time::Duration::from_secs(10);

/// Serve until Ctrl-C or SIGTERM, then let in-flight requests finish, for at
/// most [`DRAIN`] (a streaming answer would otherwise hold the process).
pub async fn serve(listener: tokio::net::TcpListener, app: Router) -> std::io::Result<()> {
    let (stopping, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown_signal().await;
        let _ = stopping.send(());
    });
    let deadline = async move {
        if stopped.await.is_ok() {
            tokio::time::sleep(DRAIN).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::select! {
        served = server => served,
        () = deadline => {
            tracing::warn!("requests still running after {} s; stopping anyway", DRAIN.as_secs());
            Ok(())
        }
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
