//! `sqlagent`: start the server with settings from defaults, `.env`, the environment
//! and flags (see `sqlagent --help`).

use anyhow::Context;
use leptos::prelude::get_configuration;
use sqlagent::{router, serve, telemetry, ServerState, DRAIN};
use sqlagent_core::config::{self, usage, Settings};
use sqlagent_core::AppState;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().is_none_or(|a| a != "eval") && args.iter().any(|a| a == "-h" || a == "--help") {
        print!(
            "{}\nSubcommands:\n  eval    execution accuracy of the model on a question set (sqlagent eval --help)\n",
            usage()
        );
        return Ok(());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?;
    let outcome = runtime.block_on(run(args));
    // Blocking work still running (a query, a password hash) must not keep a
    // stopped server alive: the runtime's own drop would wait for it forever.
    runtime.shutdown_timeout(DRAIN);
    outcome
}

async fn run(args: Vec<String>) -> anyhow::Result<()> {
    let evaluating = args.first().is_some_and(|a| a == "eval");
    telemetry::init(if evaluating { telemetry::Output::Command } else { telemetry::Output::Server });
    let dotenv: Vec<(String, String)> = dotenvy::dotenv_iter().map(|it| it.flatten().collect()).unwrap_or_default();
    let flags = if evaluating { &[][..] } else { &args[..] };
    let mut vars = config::layers(dotenv, std::env::vars(), flags).context("configuration")?;
    // The one place development secrets are generated (never in production).
    if let Some(path) = config::dev_secrets::fill(&mut vars).context("development secrets")? {
        tracing::warn!(
            path = %path.display(),
            "JWT_SECRET / SQLAGENT_SECRET_KEY not set: using generated DEVELOPMENT secrets; \
             set both (and SQLAGENT_ENV=production) for any real deployment"
        );
    }
    let settings = Settings::from_vars(&vars).context("configuration")?;
    if evaluating {
        return sqlagent::eval::main(&args[1..], settings).await;
    }
    let addr = settings.site_addr;
    let mut leptos = get_configuration(None).context("leptos configuration")?.leptos_options;
    // One listen address: ours (flags and .env included), told to Leptos as well.
    leptos.site_addr = addr;
    let app = AppState::build(settings).await.context("starting core services")?;
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
    tracing::info!("listening on http://{addr}");
    serve(listener, router(ServerState { app, leptos })).await.context("serving")
}
