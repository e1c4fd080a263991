//! The document shell and the router.
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::StaticSegment;

use crate::pages::{HomePage, LoginPage, RegisterPage};

/// The HTML document the server renders around [`App`].
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body class="min-h-screen bg-slate-50 text-slate-900 antialiased">
                <App/>
            </body>
        </html>
    }
}

/// The application: header, and one route per page.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Set once the WASM bundle has taken over the page; tests wait for it.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    view! {
        <Stylesheet id="leptos" href="/pkg/sqlagent.css"/>
        <Title text="SQLAgent"/>
        <Router>
            <header class="border-b border-slate-200 bg-white">
                <nav class="mx-auto flex max-w-5xl items-center justify-between px-4 py-3">
                    <A href="/" attr:class="text-lg font-semibold tracking-tight text-indigo-700">"SQLAgent"</A>
                    <span class="text-sm text-slate-500">"Ask your database"</span>
                </nav>
            </header>
            <main
                class="mx-auto max-w-5xl px-4 py-8"
                data-hydrated=move || if hydrated.get() { "true" } else { "false" }
            >
                <Routes fallback=|| view! { <p class="text-slate-600">"Page not found."</p> }>
                    <Route path=StaticSegment("") view=HomePage/>
                    <Route path=StaticSegment("login") view=LoginPage/>
                    <Route path=StaticSegment("register") view=RegisterPage/>
                </Routes>
            </main>
        </Router>
    }
}
