//! Register and log-in forms.
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::error::UiError;
use crate::server_fns::{Login, Register};

const INPUT: &str = "mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500";
const BUTTON: &str =
    "w-full rounded-md bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-500 disabled:opacity-50";

/// A labelled input.
#[component]
fn Field(id: &'static str, label: &'static str, kind: &'static str, autocomplete: &'static str) -> impl IntoView {
    view! {
        <div>
            <label for=id class="block text-sm font-medium text-slate-700">{label}</label>
            <input id=id name=id type=kind autocomplete=autocomplete required class=INPUT/>
        </div>
    }
}

/// The error of the last submission, if any, in an alert box.
fn error_box(error: impl Fn() -> Option<UiError> + Send + Sync + 'static) -> impl IntoView {
    move || {
        error().map(|e| {
            view! { <p role="alert" class="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700">{e.to_string()}</p> }
        })
    }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(())) = login.value().get() {
            navigate("/", Default::default());
        }
    });
    view! {
        <section class="mx-auto max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
            <h1 class="mb-4 text-xl font-semibold">"Log in"</h1>
            <ActionForm action=login attr:class="space-y-4">
                <Field id="email" label="Email" kind="email" autocomplete="username"/>
                <Field id="password" label="Password" kind="password" autocomplete="current-password"/>
                {error_box(move || login.value().get().and_then(Result::err))}
                <button type="submit" class=BUTTON disabled=move || login.pending().get()>"Log in"</button>
            </ActionForm>
            <p class="mt-4 text-sm text-slate-600">
                "No account yet? " <A href="/register" attr:class="text-indigo-600 hover:underline">"Create one"</A>
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
        <section class="mx-auto max-w-sm rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
            <h1 class="mb-4 text-xl font-semibold">"Create an account"</h1>
            <ActionForm action=register attr:class="space-y-4">
                <Field id="name" label="Name" kind="text" autocomplete="name"/>
                <Field id="email" label="Email" kind="email" autocomplete="email"/>
                <Field id="password" label="Password" kind="password" autocomplete="new-password"/>
                <p class="text-xs text-slate-500">"At least 8 characters."</p>
                {error_box(move || register.value().get().and_then(Result::err))}
                <button type="submit" class=BUTTON disabled=move || register.pending().get()>"Create account"</button>
            </ActionForm>
            <p class="mt-4 text-sm text-slate-600">
                "Already registered? " <A href="/login" attr:class="text-indigo-600 hover:underline">"Log in"</A>
            </p>
        </section>
    }
}
