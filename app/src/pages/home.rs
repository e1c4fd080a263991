//! The landing page: who is signed in, or how to start.
use leptos::prelude::*;
use leptos_router::components::A;

use crate::server_fns::{current_user, Logout};

#[component]
pub fn HomePage() -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    let user = Resource::new(move || logout.version().get(), |_| current_user());
    view! {
        <Suspense fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(Some(u)) => view! {
                        <section class="rounded-lg border border-slate-200 bg-white p-6 shadow-sm" data-testid="signed-in">
                            <h1 class="text-2xl font-semibold">"Welcome, " {u.name.clone()}</h1>
                            <p class="mt-2 text-slate-600">
                                "Signed in as " <span class="font-medium" data-testid="user-email">{u.email.clone()}</span>
                            </p>
                            <ActionForm action=logout attr:class="mt-6">
                                <button type="submit" class="rounded-md bg-slate-800 px-4 py-2 text-sm font-medium text-white hover:bg-slate-700">
                                    "Log out"
                                </button>
                            </ActionForm>
                        </section>
                    }.into_any(),
                    Ok(None) => view! {
                        <section class="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
                            <h1 class="text-2xl font-semibold">"Ask your database in plain language"</h1>
                            <p class="mt-2 text-slate-600">
                                "Connect PostgreSQL, MySQL/MariaDB or SQLite, ask a question, and get an answer with the SQL and rows behind it."
                            </p>
                            <div class="mt-6 flex gap-3">
                                <A href="/login" attr:class="rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500">"Log in"</A>
                                <A href="/register" attr:class="rounded-md border border-slate-300 px-4 py-2 text-sm font-medium hover:bg-slate-100">"Create an account"</A>
                            </div>
                        </section>
                    }.into_any(),
                    Err(e) => view! { <p role="alert" class="text-red-700">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
