#![recursion_limit = "256"]
//! SQLAgent's web UI: Leptos pages and components, and the server functions they
//! call. With `ssr` it renders on the server; with `hydrate` it runs in the browser.

mod app;
pub mod components;
pub mod error;
mod pages;
pub mod server_fns;

pub use app::{shell, App};

/// Browser entry point: attach to the server-rendered page.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
