//! Pieces shared by the pages.
pub mod browser;
pub mod results;
pub mod sql;
pub mod stream;

use leptos::prelude::*;

/// Class lists used across pages.
pub mod style {
    pub const CARD: &str =
        "rounded-lg border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-700 dark:bg-slate-900 sm:p-6";
    pub const INPUT: &str = "mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-slate-900 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100";
    pub const LABEL: &str = "block text-sm font-medium text-slate-700 dark:text-slate-300";
    pub const PRIMARY: &str = "inline-flex items-center justify-center gap-2 rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-400 disabled:cursor-not-allowed disabled:opacity-50";
    pub const SECONDARY: &str = "inline-flex items-center justify-center gap-2 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm font-medium text-slate-700 hover:bg-slate-50 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-400 disabled:cursor-not-allowed disabled:opacity-50 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-200 dark:hover:bg-slate-700";
    pub const DANGER: &str = "inline-flex items-center justify-center gap-2 rounded-md border border-red-300 bg-white px-3 py-2 text-sm font-medium text-red-700 hover:bg-red-50 disabled:opacity-50 dark:border-red-800 dark:bg-slate-800 dark:text-red-300";
    pub const LINK: &str = "text-indigo-600 hover:underline dark:text-indigo-400";
}

/// Whether the WASM bundle has taken over the page: buttons that need it
/// stay disabled until then.
#[derive(Clone, Copy)]
pub struct Hydrated(pub RwSignal<bool>);

/// The hydration flag from context (false on the server).
pub fn hydrated() -> Signal<bool> {
    let flag = use_context::<Hydrated>().map(|h| h.0);
    Signal::derive(move || flag.is_some_and(|f| f.get()))
}

/// An error message in an alert box.
#[component]
pub fn Alert(#[prop(into)] message: String) -> impl IntoView {
    view! {
        <p role="alert" class="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-900 dark:bg-red-950 dark:text-red-200">
            {message}
        </p>
    }
}

/// A notice that is not an error (warnings, results of an action).
#[component]
pub fn Notice(#[prop(into)] message: String, #[prop(optional)] warning: bool) -> impl IntoView {
    let class = if warning {
        "rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-900 dark:bg-amber-950 dark:text-amber-200"
    } else {
        "rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-900 dark:border-emerald-900 dark:bg-emerald-950 dark:text-emerald-200"
    };
    view! { <p role="status" class=class>{message}</p> }
}

/// A small spinning circle for work in progress.
#[component]
pub fn Spinner() -> impl IntoView {
    view! { <span aria-hidden="true" class="inline-block h-4 w-4 animate-spin rounded-full border-2 border-current border-r-transparent"></span> }
}

/// The engine of a database as a coloured badge.
#[component]
pub fn EngineBadge(#[prop(into)] engine: String) -> impl IntoView {
    let (label, class) = match engine.as_str() {
        "postgresql" => ("PostgreSQL", "bg-sky-100 text-sky-800 dark:bg-sky-900 dark:text-sky-200"),
        "mysql" => ("MySQL", "bg-orange-100 text-orange-800 dark:bg-orange-900 dark:text-orange-200"),
        "mariadb" => ("MariaDB", "bg-amber-100 text-amber-800 dark:bg-amber-900 dark:text-amber-200"),
        "sqlite" => ("SQLite", "bg-emerald-100 text-emerald-800 dark:bg-emerald-900 dark:text-emerald-200"),
        _ => ("Database", "bg-slate-100 text-slate-800"),
    };
    view! {
        <span class=format!("inline-flex items-center rounded px-2 py-0.5 text-xs font-semibold {class}") data-testid="engine-badge">
            {label}
        </span>
    }
}
