//! The landing page: how to start, or where to go next.
use leptos::prelude::*;
use leptos_router::components::A;

use crate::app::use_session;
use crate::components::style;

#[component]
pub fn HomePage() -> impl IntoView {
    let session = use_session();
    view! {
        <Transition fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match session.current.await {
                    Ok(Some(s)) => view! {
                        <section class=style::CARD data-testid="signed-in">
                            <h1 class="text-2xl font-semibold">"Welcome back, " {s.user_name.clone()}</h1>
                            <p class="mt-1 text-sm text-slate-500">"Signed in as " <span data-testid="user-email">{s.user_email.clone()}</span></p>
                            <ol class="mt-4 list-decimal space-y-2 pl-5 text-slate-700 dark:text-slate-300">
                                <li><A href="/connections" attr:class=style::LINK>"Add a database"</A>" — yours, or the sample shop."</li>
                                <li>"Connect it."</li>
                                <li><A href="/chat" attr:class=style::LINK>"Ask a question"</A>" in plain language; see the SQL and the rows."</li>
                            </ol>
                            <p class="mt-4 text-sm text-slate-500">
                                {match (s.database_connected, s.database_name) {
                                    (true, Some(name)) => format!("Connected to {name}."),
                                    _ => "No database connected yet.".to_owned(),
                                }}
                            </p>
                        </section>
                    }.into_any(),
                    _ => view! {
                        <section class=style::CARD>
                            <h1 class="text-2xl font-semibold">"Ask your database in plain language"</h1>
                            <p class="mt-2 text-slate-600 dark:text-slate-400">
                                "Connect PostgreSQL, MySQL/MariaDB or SQLite, ask a question, and get an answer with the SQL and rows behind it — read-only, always."
                            </p>
                            <div class="mt-6 flex gap-3">
                                <A href="/register" attr:class=style::PRIMARY>"Create an account"</A>
                                <A href="/login" attr:class=style::SECONDARY>"Log in"</A>
                            </div>
                        </section>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}
