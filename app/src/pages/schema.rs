//! The schema browser: tables and views of the connected database, their
//! columns, types, keys, comments and row estimates, with a search.
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use sqlagent_model::Table;

use crate::app::SignedIn;
use crate::components::results::group_digits;
use crate::components::{style, Alert};
use crate::server_fns::database_schema;

#[component]
pub fn SchemaPage() -> impl IntoView {
    let navigate = use_navigate();
    // Outside the chat, picking a table starts a question about it there.
    let pick = Callback::new(move |name: String| {
        navigate(&format!("/chat?ask={}", encode(&name)), Default::default());
    });
    view! {
        <SignedIn>
            <div class="space-y-4">
                <h1 class="text-2xl font-semibold">"Schema"</h1>
                <section class=style::CARD><SchemaBrowser on_pick=pick/></section>
            </div>
        </SignedIn>
    }
}

/// Percent-encode a query value.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Whether `table` matches a search (its name, or a column's).
fn matches(table: &Table, needle: &str) -> bool {
    let needle = needle.trim().to_lowercase();
    needle.is_empty()
        || table.name.to_lowercase().contains(&needle)
        || table.columns.iter().any(|c| c.name.to_lowercase().contains(&needle))
}

/// The tables of the connected database; `on_pick` gets a clicked table's name.
#[component]
pub fn SchemaBrowser(#[prop(into)] on_pick: Callback<String>, #[prop(optional)] compact: bool) -> impl IntoView {
    let schema = Resource::new(|| (), |_| database_schema());
    let search = RwSignal::new(String::new());
    view! {
        <div class="mt-2 space-y-2" data-testid="schema">
            <label for="schema-search" class="sr-only">"Search tables and columns"</label>
            <input id="schema-search" type="search" placeholder="Search tables and columns" class=style::INPUT
                data-testid="schema-search"
                prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev))/>
            <Transition fallback=|| view! { <p class="text-sm text-slate-500">"Loading the schema…"</p> }>
                {move || Suspend::new(async move {
                    match schema.await {
                        Ok(s) => {
                            let count = s.tables.len();
                            let tables = StoredValue::new(s.tables);
                            view! {
                                <p class="text-xs text-slate-500">{format!("{count} table{}", if count == 1 { "" } else { "s" })}</p>
                                <ul class=if compact { "max-h-[60vh] space-y-1 overflow-y-auto" } else { "space-y-2" }>
                                    {move || tables.read_value().iter().filter(|t| matches(t, &search.get())).cloned()
                                        .map(|t| view! { <TableItem table=t on_pick open=!compact/> }).collect_view()}
                                </ul>
                            }.into_any()
                        }
                        Err(e) => view! { <Alert message=e.to_string()/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn TableItem(table: Table, on_pick: Callback<String>, open: bool) -> impl IntoView {
    let name = table.name.clone();
    let key = table.primary_key.clone();
    let columns = table
        .columns
        .iter()
        .map(|c| {
            let pk = key.iter().any(|k| k == &c.name);
            let fk = table.foreign_keys.iter().find(|f| f.columns.contains(&c.name)).map(|f| {
                format!("→ {}.{}", f.ref_table, f.ref_columns.first().cloned().unwrap_or_default())
            });
            view! {
                <li class="flex flex-wrap items-baseline gap-x-2 py-0.5 text-xs">
                    <span class="font-mono">{c.name.clone()}</span>
                    <span class="text-slate-500">{c.data_type.clone()}{(!c.nullable).then_some(" not null")}</span>
                    {pk.then(|| view! { <span class="rounded bg-amber-100 px-1 text-[10px] font-semibold text-amber-800 dark:bg-amber-900 dark:text-amber-200">"PK"</span> })}
                    {fk.map(|f| view! { <span class="rounded bg-sky-100 px-1 text-[10px] text-sky-800 dark:bg-sky-900 dark:text-sky-200">{f}</span> })}
                    {c.comment.clone().map(|t| view! { <span class="w-full text-slate-400">{t}</span> })}
                </li>
            }
        })
        .collect_view();
    let rows = table.row_estimate.map(|n| format!("~{} rows", group_digits(n.max(0) as usize)));
    view! {
        <li data-testid="schema-table">
            <details open=open class="rounded border border-slate-100 px-2 py-1 dark:border-slate-800">
                <summary class="flex cursor-pointer flex-wrap items-center gap-2 text-sm">
                    <button type="button" class="font-mono font-medium text-indigo-700 hover:underline dark:text-indigo-300"
                        title="Put this table's name in the question" data-testid="pick-table"
                        on:click=move |ev| { ev.prevent_default(); on_pick.run(name.clone()); }>
                        {table.name.clone()}
                    </button>
                    {(table.kind == "view").then(|| view! { <span class="text-[10px] uppercase text-slate-400">"view"</span> })}
                    <span class="text-xs text-slate-400">{rows}</span>
                </summary>
                {table.comment.clone().map(|c| view! { <p class="text-xs text-slate-500">{c}</p> })}
                <ul class="mt-1">{columns}</ul>
            </details>
        </li>
    }
}
