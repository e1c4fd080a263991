//! The document shell, the header, and the router.
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::hooks::use_location;
use leptos_router::StaticSegment;
use sqlagent_model::{SessionOverview, UserView};

use crate::components::Hydrated;
use crate::error::UiError;
use crate::pages::{ChatPage, DatabasesPage, HomePage, LoginPage, RegisterPage, SchemaPage, SessionPage};
use crate::server_fns::{current_user, session_details, Logout};

/// The HTML document the server renders around [`App`].
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_content_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <link rel="icon" type="image/svg+xml" href="/favicon.svg"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body class="min-h-screen bg-slate-50 text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
                <App/>
            </body>
        </html>
    }
}

/// The page's Content-Security-Policy: scripts from this origin and the inline
/// hydration scripts carrying this response's nonce (leptos_axum makes one per
/// response), WASM compilation, styles from our stylesheet only, connections to
/// this origin only, and no framing by anyone.
#[cfg(feature = "ssr")]
fn set_content_security_policy() {
    let (Some(nonce), Some(response)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>())
    else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    );
    if let Ok(value) = http::HeaderValue::from_str(&policy) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// Who is signed in, and their session, shared by the header and every page.
/// `refresh` after the session changes (connect, disconnect); `signed` after
/// logging in or out. Pages hang off `user` only, so a refreshed session does
/// not re-create them.
#[derive(Clone, Copy)]
pub struct Session {
    pub user: Resource<Result<Option<UserView>, UiError>>,
    pub current: Resource<Result<Option<SessionOverview>, UiError>>,
    user_version: RwSignal<u32>,
    version: RwSignal<u32>,
}

impl Session {
    pub fn refresh(&self) {
        self.version.update(|v| *v += 1);
    }

    /// After logging in or out: everything changes.
    pub fn signed(&self) {
        self.user_version.update(|v| *v += 1);
        self.refresh();
    }
}

/// The session from context.
pub fn use_session() -> Session {
    expect_context::<Session>()
}

/// The application: header, and one route per page.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Set once the WASM bundle has taken over the page; tests wait for it.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    provide_context(Hydrated(hydrated));
    let (version, user_version) = (RwSignal::new(0u32), RwSignal::new(0u32));
    let session = Session {
        user: Resource::new(move || user_version.get(), |_| current_user()),
        current: Resource::new(move || version.get(), |_| session_details()),
        user_version,
        version,
    };
    provide_context(session);
    view! {
        <Stylesheet id="leptos" href="/pkg/sqlagent.css"/>
        <Title text="SQLAgent"/>
        <Router>
            <Header/>
            <main
                class="mx-auto w-full max-w-6xl px-3 py-6 sm:px-4"
                data-hydrated=move || if hydrated.get() { "true" } else { "false" }
            >
                <Routes fallback=|| view! { <p class="text-slate-600">"Page not found."</p> }>
                    <Route path=StaticSegment("") view=HomePage/>
                    <Route path=StaticSegment("login") view=LoginPage/>
                    <Route path=StaticSegment("register") view=RegisterPage/>
                    <Route path=StaticSegment("connections") view=DatabasesPage/>
                    <Route path=StaticSegment("chat") view=ChatPage/>
                    <Route path=StaticSegment("schema") view=SchemaPage/>
                    <Route path=StaticSegment("session") view=SessionPage/>
                </Routes>
            </main>
        </Router>
    }
}

/// The site header: the pages of a signed-in user, the connected database,
/// and log out.
#[component]
fn Header() -> impl IntoView {
    let session = use_session();
    let logout = ServerAction::<Logout>::new();
    Effect::new(move |_| {
        if logout.version().get() > 0 {
            session.signed();
        }
    });
    let path = use_location().pathname;
    let link = move |href: &'static str, label: &'static str| {
        let current = move || path.get().starts_with(href);
        view! {
            <A href=href attr:class=move || {
                if current() {
                    "rounded-md bg-indigo-50 px-2 py-1 text-indigo-700 dark:bg-indigo-950 dark:text-indigo-300"
                } else {
                    "rounded-md px-2 py-1 text-slate-600 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white"
                }
            }>{label}</A>
        }
    };
    view! {
        <header class="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
            <nav class="mx-auto flex max-w-6xl flex-wrap items-center gap-x-4 gap-y-2 px-3 py-3 sm:px-4" aria-label="Main">
                <A href="/" attr:class="text-lg font-semibold tracking-tight text-indigo-700 dark:text-indigo-400">"SQLAgent"</A>
                <Transition fallback=|| ()>
                    // One boundary, nothing inside it that takes a hydration id (no
                    // nested Transition, no Resource): ids are handed out in creation
                    // order, and an async subtree that creates them while another does
                    // would number them differently on the server and in the browser.
                    {move || Suspend::new(async move {
                        let user = session.user.await;
                        let connected = session.current.await.ok().flatten().map(|s| match s {
                            SessionOverview { database_name: Some(name), database_connected: true, .. } => format!("Connected to {name}"),
                            _ => "No database connected".to_owned(),
                        });
                        match user {
                            Ok(Some(u)) => view! {
                                <div class="flex flex-1 flex-wrap items-center justify-end gap-2 text-sm sm:justify-between">
                                    <div class="order-last flex w-full flex-wrap items-center gap-1 sm:order-none sm:w-auto">
                                        {link("/connections", "Databases")}
                                        {link("/chat", "Chat")}
                                        {link("/schema", "Schema")}
                                        {link("/session", "Session")}
                                    </div>
                                    <div class="flex min-w-0 items-center gap-3">
                                        <span class="hidden truncate text-xs text-slate-500 md:inline" data-testid="user-email">{u.email.clone()}</span>
                                        {connected.map(|line| view! { <span class="hidden text-xs text-slate-500 sm:inline" data-testid="connected-db">{line}</span> })}
                                        <ActionForm action=logout>
                                            <button type="submit" class="rounded-md border border-slate-300 px-3 py-1 text-sm hover:bg-slate-100 dark:border-slate-600 dark:hover:bg-slate-800">
                                                "Log out"
                                            </button>
                                        </ActionForm>
                                    </div>
                                </div>
                            }.into_any(),
                            _ => view! {
                                <div class="flex flex-1 items-center justify-end gap-3 text-sm">
                                    <A href="/login" attr:class="text-slate-600 hover:text-slate-900 dark:text-slate-300">"Log in"</A>
                                    <A href="/register" attr:class="rounded-md bg-indigo-600 px-3 py-1 font-medium text-white hover:bg-indigo-500">"Sign up"</A>
                                </div>
                            }.into_any(),
                        }
                    })}
                </Transition>
            </nav>
        </header>
    }
}

/// The page's content for a signed-in user, or a way to log in.
#[component]
pub fn SignedIn(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    let children = StoredValue::new(children);
    view! {
        <Transition fallback=|| view! { <p class="text-slate-500">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match session.user.await {
                    Ok(Some(_)) => children.read_value()().into_any(),
                    Ok(None) | Err(UiError::Unauthenticated(_)) => view! {
                        <section class=crate::components::style::CARD>
                            <h1 class="text-xl font-semibold">"Please log in"</h1>
                            <p class="mt-2 text-slate-600 dark:text-slate-400">"This page needs a signed-in account."</p>
                            <div class="mt-4 flex gap-3">
                                <A href="/login" attr:class=crate::components::style::PRIMARY>"Log in"</A>
                                <A href="/register" attr:class=crate::components::style::SECONDARY>"Create an account"</A>
                            </div>
                        </section>
                    }.into_any(),
                    Err(e) => view! { <crate::components::Alert message=e.to_string()/> }.into_any(),
                }
            })}
        </Transition>
    }
}
