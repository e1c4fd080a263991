//! Register and log-in forms. They post as plain forms before the page has
//! hydrated, and show the server's errors in place after.
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};

use crate::app::use_session;
use crate::components::{style, Alert, Notice};
use crate::error::UiError;
use crate::server_fns::{Login, Register};

/// A labelled input with the browser's own checks.
#[component]
fn Field(
    id: &'static str,
    label: &'static str,
    kind: &'static str,
    autocomplete: &'static str,
    #[prop(optional)] minlength: Option<u32>,
    #[prop(optional)] maxlength: Option<u32>,
) -> impl IntoView {
    view! {
        <div>
            <label for=id class=style::LABEL>{label}</label>
            <input id=id name=id type=kind autocomplete=autocomplete required class=style::INPUT
                minlength=minlength maxlength=maxlength/>
        </div>
    }
}

fn error_box(error: impl Fn() -> Option<UiError> + Send + Sync + 'static) -> impl IntoView {
    move || error().map(|e| view! { <Alert message=e.to_string()/> })
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let session = use_session();
    let navigate = use_navigate();
    let registered = use_query_map().get_untracked().get("registered").is_some();
    Effect::new(move |_| {
        if let Some(Ok(())) = login.value().get() {
            session.signed();
            navigate("/connections", Default::default());
        }
    });
    view! {
        <section class=format!("{} mx-auto max-w-sm", style::CARD)>
            <h1 class="mb-4 text-xl font-semibold">"Log in"</h1>
            {registered.then(|| view! { <div class="mb-4"><Notice message="Your account is ready: log in."/></div> })}
            <ActionForm action=login attr:class="space-y-4">
                <Field id="email" label="Email" kind="email" autocomplete="username"/>
                <Field id="password" label="Password" kind="password" autocomplete="current-password"/>
                {error_box(move || login.value().get().and_then(Result::err))}
                <button type="submit" class=format!("{} w-full", style::PRIMARY) disabled=move || login.pending().get()>"Log in"</button>
            </ActionForm>
            <p class="mt-4 text-sm text-slate-600 dark:text-slate-400">
                "No account yet? " <A href="/register" attr:class=style::LINK>"Create one"</A>
            </p>
        </section>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let register = ServerAction::<Register>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(_)) = register.value().get() {
            navigate("/login?registered=1", Default::default());
        }
    });
    view! {
        <section class=format!("{} mx-auto max-w-sm", style::CARD)>
            <h1 class="mb-4 text-xl font-semibold">"Create an account"</h1>
            <ActionForm action=register attr:class="space-y-4">
                <Field id="name" label="Name" kind="text" autocomplete="name" maxlength=100/>
                <Field id="email" label="Email" kind="email" autocomplete="email"/>
                <Field id="password" label="Password" kind="password" autocomplete="new-password" minlength=8/>
                <p class="text-xs text-slate-500">"At least 8 characters."</p>
                {error_box(move || register.value().get().and_then(Result::err))}
                <button type="submit" class=format!("{} w-full", style::PRIMARY) disabled=move || register.pending().get()>"Create account"</button>
            </ActionForm>
            <p class="mt-4 text-sm text-slate-600 dark:text-slate-400">
                "Already registered? " <A href="/login" attr:class=style::LINK>"Log in"</A>
            </p>
        </section>
    }
}
