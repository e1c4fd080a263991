//! The session inspector: ids, the connection (masked), its age, the time
//! left, the cached schema, the health of Redis and the store; Disconnect.
use leptos::prelude::*;
use leptos_router::components::A;
use sqlagent_model::SessionOverview;

use crate::app::{use_session, SignedIn};
use crate::components::results::group_digits;
use crate::components::{hydrated, style, Alert, Notice};
use crate::server_fns::detach_database;

#[component]
pub fn SessionPage() -> impl IntoView {
    view! { <SignedIn><Inspector/></SignedIn> }
}

/// `3725` → `1 h 02 min 05 s`.
pub fn duration(seconds: u64) -> String {
    let (h, m, s) = (seconds / 3600, seconds % 3600 / 60, seconds % 60);
    if h > 0 {
        format!("{h} h {m:02} min {s:02} s")
    } else if m > 0 {
        format!("{m} min {s:02} s")
    } else {
        format!("{s} s")
    }
}

fn health(state: &str) -> impl IntoView {
    let class = match state {
        "healthy" => "text-emerald-700 dark:text-emerald-300",
        "disabled" => "text-slate-500",
        _ => "text-red-700 dark:text-red-300",
    };
    let label = match state {
        "disabled" => "not used (in-memory sessions)".to_owned(),
        other => other.to_owned(),
    };
    view! { <span class=class>{label}</span> }
}

#[component]
fn Inspector() -> impl IntoView {
    let session = use_session();
    let ready = hydrated();
    let detach = Action::new(|_: &()| detach_database());
    Effect::new(move |_| {
        if let Some(Ok(_)) = detach.value().get() {
            session.refresh();
        }
    });
    view! {
        <div class="space-y-4">
            <h1 class="text-2xl font-semibold">"Session"</h1>
            {move || detach.value().get().map(|r| match r {
                Ok(m) => view! { <Notice message=m.message/> }.into_any(),
                Err(e) => view! { <Alert message=e.to_string()/> }.into_any(),
            })}
            <Transition fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match session.current.await {
                        Ok(Some(s)) => view! { <Details s detach ready/> }.into_any(),
                        Ok(None) => ().into_any(),
                        Err(e) => view! { <Alert message=e.to_string()/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn Details(
    s: SessionOverview,
    detach: Action<(), Result<sqlagent_model::MessageView, crate::error::UiError>>,
    ready: Signal<bool>,
) -> impl IntoView {
    // Every request renews the session: the time left counts down from now.
    let left = RwSignal::new(s.ttl_seconds);
    #[cfg(feature = "hydrate")]
    {
        let handle = set_interval_with_handle(
            move || left.update(|l| *l = l.saturating_sub(1)),
            std::time::Duration::from_secs(1),
        );
        if let Ok(h) = handle {
            on_cleanup(move || h.clear());
        }
    }
    let row = |label: &'static str, value: AnyView, id: &'static str| {
        view! {
            <div class="grid gap-1 border-b border-slate-100 py-2 last:border-0 dark:border-slate-800 sm:grid-cols-[12rem_1fr]">
                <dt class="text-sm text-slate-500">{label}</dt>
                <dd class="min-w-0 break-all text-sm" data-testid=id>{value}</dd>
            </div>
        }
    };
    let connected = s.database_connected;
    view! {
        <section class=style::CARD>
            <dl>
                {row("Session", view! { <span class="font-mono">{s.session_id.clone()}</span> }.into_any(), "session-id")}
                {row("Default thread", view! { <span class="font-mono">{s.thread_id.clone()}</span> }.into_any(), "thread-id")}
                {row("Status", (if connected { "connected" } else { "no database connected" }).into_any(), "session-status")}
                {row("Database", s.database_name.clone().map(|n| format!("{n} ({})", s.db_type.clone().unwrap_or_default())).unwrap_or_else(|| "—".into()).into_any(), "session-database")}
                {row("Connection", view! { <span class="font-mono">{s.connection.clone().unwrap_or_else(|| "—".into())}</span> }.into_any(), "session-connection")}
                {row("Connected at", s.connected_at.clone().map(|t| format!("{t} UTC")).unwrap_or_else(|| "—".into()).into_any(), "connected-at")}
                {row("Expires in", view! { <span>{move || duration(left.get())}</span> " (renewed by every request)" }.into_any(), "ttl")}
                {row("Cached schema", format!("{} bytes, {} tables", group_digits(s.schema_bytes), s.schema_tables).into_any(), "schema-size")}
                {row("Model", view! { <span class="font-mono">{s.model.clone()}</span> }.into_any(), "model")}
                {row("Redis", health(&s.redis).into_any(), "redis-health")}
                {row("App store", health(&s.store).into_any(), "store-health")}
            </dl>
            <div class="mt-4 flex flex-wrap gap-2">
                {connected.then(|| view! {
                    <button type="button" class=style::DANGER data-testid="disconnect"
                        disabled=move || !ready.get() || detach.pending().get()
                        on:click=move |_| { detach.dispatch(()); }>"Disconnect the database"</button>
                })}
                {(!connected).then(|| view! { <A href="/connections" attr:class=style::PRIMARY>"Connect a database"</A> })}
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_read_naturally() {
        assert_eq!(super::duration(86_400), "24 h 00 min 00 s");
        assert_eq!(super::duration(3725), "1 h 02 min 05 s");
        assert_eq!(super::duration(65), "1 min 05 s");
        assert_eq!(super::duration(9), "9 s");
    }
}
