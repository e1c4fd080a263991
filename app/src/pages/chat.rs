//! Chat on the connected database: threads, answers streamed live from
//! `POST /ask/stream` with a Stop button, and for every query its SQL
//! (highlighted, copyable, editable and re-runnable), its rows, a chart and a
//! CSV download.
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;
use sqlagent_model::{QueryResultView, SessionOverview, ThreadMessageView};

use crate::app::{use_session, SignedIn};
use crate::components::results::{chart_spec, csv, group_digits, Chart, ChartKind, ResultTable};
use crate::components::sql::{SqlEditor, SqlPreview};
use crate::components::{browser, hydrated, style, Alert, Spinner};
use crate::pages::schema::SchemaBrowser;
use crate::server_fns::{list_threads, run_sql, thread_messages};

#[component]
pub fn ChatPage() -> impl IntoView {
    view! { <SignedIn><Chat/></SignedIn> }
}

/// A query in the conversation: one that ran (with rows), or one remembered
/// from an earlier visit (its SQL only, to run again).
#[derive(Clone, Debug, PartialEq)]
enum Query {
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    Ran(QueryResultView),
    Remembered(String),
}

/// One question and what came back.
#[derive(Clone, Copy)]
struct Turn {
    question: RwSignal<String>,
    progress: RwSignal<Option<String>>,
    answer: RwSignal<String>,
    queries: RwSignal<Vec<Query>>,
    error: RwSignal<Option<String>>,
    running: RwSignal<bool>,
    model: RwSignal<Option<String>>,
}

impl Turn {
    fn new(question: String) -> Turn {
        Turn {
            question: RwSignal::new(question),
            progress: RwSignal::new(None),
            answer: RwSignal::new(String::new()),
            queries: RwSignal::new(Vec::new()),
            error: RwSignal::new(None),
            running: RwSignal::new(false),
            model: RwSignal::new(None),
        }
    }

    /// The turns of a thread read back from the store.
    fn from_history(messages: Vec<ThreadMessageView>) -> Vec<Turn> {
        let mut turns: Vec<Turn> = Vec::new();
        for m in messages {
            if m.role == "user" {
                turns.push(Turn::new(m.content));
            } else if let Some(t) = turns.last() {
                t.answer.set(m.content);
                t.queries.set(m.sql.into_iter().map(Query::Remembered).collect());
            }
        }
        turns
    }
}

/// A short id for a new conversation.
fn new_thread_id() -> String {
    #[cfg(feature = "hydrate")]
    {
        let now = js_sys::Date::now() as u64;
        let salt = (js_sys::Math::random() * 1e9) as u64;
        format!("chat-{now:x}-{salt:x}")
    }
    #[cfg(not(feature = "hydrate"))]
    {
        "chat".to_owned()
    }
}

#[component]
fn Chat() -> impl IntoView {
    let session = use_session();
    let query = use_query_map();
    let overview = move || session.current.get().and_then(|r| r.ok()).flatten();
    let thread = RwSignal::new(None::<String>);
    let question = RwSignal::new(query.get_untracked().get("ask").unwrap_or_default());
    let turns = RwSignal::new(Vec::<Turn>::new());
    let threads_version = RwSignal::new(0u32);
    let threads = Resource::new(move || threads_version.get(), |_| list_threads());
    let ready = hydrated();
    let running = move || turns.with(|t| t.iter().any(|t| t.running.get()));
    let aborter = StoredValue::new(None::<Aborter>);

    // The default thread is the session's; a thread from the URL wins.
    Effect::new(move |_| {
        if thread.get_untracked().is_none() {
            if let Some(s) = overview() {
                thread.set(Some(query.get_untracked().get("thread").unwrap_or(s.thread_id)));
            }
        }
    });
    // Load a thread's history when it is chosen.
    let history = Resource::new(
        move || thread.get(),
        |t| async move {
            match t {
                Some(t) => thread_messages(t).await.unwrap_or_default(),
                None => Vec::new(),
            }
        },
    );
    Effect::new(move |_| {
        if let Some(messages) = history.get() {
            // Untracked: this effect writes the turns it would otherwise watch.
            let busy = turns.with_untracked(|t| t.iter().any(|t| t.running.get_untracked()));
            if !busy {
                turns.set(Turn::from_history(messages));
            }
        }
    });

    let send = move || {
        let text = question.get_untracked().trim().to_owned();
        let Some(s) = session.current.get_untracked().and_then(|r| r.ok()).flatten() else { return };
        if text.is_empty() || running() {
            return;
        }
        let turn = Turn::new(text.clone());
        turn.running.set(true);
        turn.progress.set(Some("Sending the question…".into()));
        turns.update(|t| t.push(turn));
        question.set(String::new());
        let body = sqlagent_model::AskRequest {
            user_id: s.user_id,
            session_id: s.session_id.clone(),
            question: text,
            thread_id: thread.get_untracked(),
        };
        ask(turn, body, aborter, Callback::new(move |_| threads_version.update(|v| *v += 1)));
    };
    let stop = move |_| {
        if let Some(a) = aborter.get_value() {
            a.abort();
        }
    };
    let pick_table = Callback::new(move |name: String| {
        question.update(|q| {
            if !q.is_empty() && !q.ends_with(' ') {
                q.push(' ');
            }
            q.push_str(&name);
        })
    });

    view! {
        <div class="grid gap-4 lg:grid-cols-[13rem_minmax(0,1fr)_16rem]">
            <aside class="space-y-2" aria-label="Conversations">
                <button type="button" class=format!("{} w-full", style::SECONDARY) data-testid="new-chat"
                    disabled=move || !ready.get() || running()
                    on:click=move |_| { thread.set(Some(new_thread_id())); turns.set(Vec::new()); }>"+ New chat"</button>
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        let list = threads.await.unwrap_or_default();
                        view! {
                            <ul class="max-h-40 space-y-1 overflow-y-auto text-sm lg:max-h-[70vh]" data-testid="threads">
                                {list.into_iter().map(|t| {
                                    let id = t.id.clone();
                                    let current = { let id = id.clone(); move || thread.get().as_deref() == Some(id.as_str()) };
                                    view! {
                                        <li>
                                            <button type="button"
                                                class=move || format!("w-full truncate rounded px-2 py-1 text-left {}",
                                                    if current() { "bg-indigo-50 text-indigo-800 dark:bg-indigo-950 dark:text-indigo-200" } else { "hover:bg-slate-100 dark:hover:bg-slate-800" })
                                                title=t.title.clone()
                                                on:click=move |_| if !running() { thread.set(Some(id.clone())) }>
                                                {if t.title.is_empty() { "Untitled".to_owned() } else { t.title.clone() }}
                                            </button>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }
                    })}
                </Transition>
            </aside>

            <section class="min-w-0 space-y-4" aria-label="Conversation">
                // Awaited, not read: the server and the hydrating browser then
                // render this part from the same resolved session.
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match session.current.await.ok().flatten() {
                            Some(s) if !s.database_connected => view! {
                                <div class=style::CARD data-testid="not-connected">
                                    <p>"No database is connected. "
                                        <A href="/connections" attr:class=style::LINK>"Connect one"</A>
                                        " to ask questions about it."</p>
                                </div>
                            }.into_any(),
                            Some(s) => view! { <ConnectedLine s/> }.into_any(),
                            None => ().into_any(),
                        }
                    })}
                </Transition>
                <div class="space-y-6" data-testid="conversation">
                    <For each=move || turns.get().into_iter().enumerate() key=|(i, _)| *i let:item>
                        <TurnView turn=item.1/>
                    </For>
                </div>
                <form class="sticky bottom-0 space-y-2 rounded-lg border border-slate-200 bg-white p-3 shadow-sm dark:border-slate-700 dark:bg-slate-900"
                    on:submit=move |ev| { ev.prevent_default(); send(); }>
                    <label for="question" class="sr-only">"Your question"</label>
                    <textarea id="question" rows="2" data-testid="question"
                        class=format!("{} resize-y", style::INPUT)
                        placeholder="Ask about your data — e.g. How many orders were placed last month?"
                        prop:value=move || question.get()
                        on:input=move |ev| question.set(event_target_value(&ev))
                        on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                            if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                                ev.prevent_default();
                                send();
                            }
                        }></textarea>
                    <div class="flex items-center justify-between gap-2">
                        <span class="text-xs text-slate-500">"Enter sends · Shift+Enter for a new line"</span>
                        <div class="flex gap-2">
                            <Show when=running>
                                <button type="button" class=style::DANGER data-testid="stop" on:click=stop>"Stop"</button>
                            </Show>
                            <button type="submit" class=style::PRIMARY data-testid="ask"
                                disabled=move || !ready.get() || running() || question.get().trim().is_empty()
                                    || !overview().is_some_and(|s| s.database_connected)>"Ask"</button>
                        </div>
                    </div>
                </form>
            </section>

            <aside class="hidden min-w-0 lg:block" aria-label="Schema">
                <details class=format!("{} lg:sticky lg:top-4", style::CARD) open>
                    <summary class="cursor-pointer text-sm font-semibold">"Schema"</summary>
                    <p class="mt-1 text-xs text-slate-500">"Click a table to put its name in the question."</p>
                    // Created with the page, not inside an async boundary: hydration
                    // ids are handed out in creation order (see the header).
                    <SchemaBrowser on_pick=pick_table compact=true/>
                </details>
            </aside>
        </div>
    }
}

#[component]
fn ConnectedLine(s: SessionOverview) -> impl IntoView {
    view! {
        <p class="text-sm text-slate-600 dark:text-slate-400">
            "Asking " <span class="font-medium text-slate-900 dark:text-slate-100">{s.database_name.clone().unwrap_or_default()}</span>
            " · answered by " <span class="font-mono text-xs">{s.model.clone()}</span>
        </p>
    }
}

/// The paragraphs of an answer: the prose, and the engine's reading of the
/// question ("I read … as …") shown apart. The SQL line is left out when the
/// query is shown beside it.
fn answer_parts(answer: &str, has_queries: bool) -> (String, Option<String>) {
    let mut prose = Vec::new();
    let mut reading = None;
    for part in answer.split("\n\n") {
        if part.starts_with("I read ") {
            reading = Some(part.to_owned());
        } else if has_queries && part.starts_with("SQL: ") {
            continue;
        } else {
            prose.push(part);
        }
    }
    (prose.join("\n\n"), reading)
}

#[component]
fn TurnView(turn: Turn) -> impl IntoView {
    view! {
        <article class="space-y-3" data-testid="turn">
            <div class="flex justify-end">
                <p class="max-w-[85%] whitespace-pre-wrap rounded-2xl rounded-br-sm bg-indigo-600 px-4 py-2 text-white" data-testid="turn-question">
                    {move || turn.question.get()}
                </p>
            </div>
            <div class="space-y-3">
                {move || turn.running.get().then(|| view! {
                    <p class="flex items-center gap-2 text-sm text-slate-500" role="status" data-testid="progress">
                        <Spinner/>{move || turn.progress.get().unwrap_or_default()}
                    </p>
                })}
                {move || {
                    let (prose, reading) = answer_parts(&turn.answer.get(), !turn.queries.with(Vec::is_empty));
                    (!prose.is_empty() || reading.is_some()).then(|| view! {
                        <div class=format!("{} space-y-2", style::CARD)>
                            <p class="whitespace-pre-wrap" data-testid="answer">{prose}</p>
                            {reading.map(|r| view! { <p class="text-sm italic text-slate-500 dark:text-slate-400" data-testid="interpretation">{r}</p> })}
                            {move || turn.model.get().map(|m| view! { <p class="text-xs text-slate-400">{m}</p> })}
                        </div>
                    })
                }}
                {move || turn.error.get().map(|e| view! { <div data-testid="turn-error"><Alert message=e/></div> })}
                {move || turn.queries.get().into_iter().enumerate().map(|(i, q)| view! { <QueryCard query=q number=i + 1/> }).collect_view()}
            </div>
        </article>
    }
}

/// One query: its SQL (copy, edit, run again), its rows or chart, and CSV.
#[component]
fn QueryCard(query: Query, number: usize) -> impl IntoView {
    let (sql0, result0) = match query {
        Query::Ran(r) => (r.sql.clone(), Some(r)),
        Query::Remembered(sql) => (sql, None),
    };
    let sql = RwSignal::new(sql0);
    let result = RwSignal::new(result0);
    let editing = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let as_chart = RwSignal::new(None::<ChartKind>);
    let copied = RwSignal::new(false);
    let ready = hydrated();
    let run = Action::new(|sql: &String| run_sql(sql.clone()));
    Effect::new(move |_| match run.value().get() {
        Some(Ok(r)) => {
            error.set(None);
            sql.set(r.sql.clone());
            result.set(Some(r));
            editing.set(false);
        }
        Some(Err(e)) => error.set(Some(e.to_string())),
        None => {}
    });
    let run_now = Callback::new(move |_| {
        error.set(None);
        run.dispatch(sql.get_untracked());
    });
    let download = move |_| {
        if let Some(r) = result.get_untracked() {
            browser::download("result.csv", "text/csv;charset=utf-8", &csv(&r.columns, &r.rows));
        }
    };
    let meta = move || {
        result.get().map(|r| {
            format!(
                "{} row{}{} · {} ms",
                group_digits(r.rows.len()),
                if r.rows.len() == 1 { "" } else { "s" },
                if r.truncated { " (truncated)" } else { "" },
                if r.elapsed_ms == 0 { "<1".to_owned() } else { group_digits(r.elapsed_ms as usize) }
            )
        })
    };
    view! {
        <section class="overflow-hidden rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-700 dark:bg-slate-900" data-testid="query">
            <header class="flex flex-wrap items-center justify-between gap-2 border-b border-slate-100 bg-slate-50 px-3 py-2 text-sm dark:border-slate-800 dark:bg-slate-800/50">
                <span class="font-medium">{format!("Query {number}")}<span class="ml-2 text-xs font-normal text-slate-500">{meta}</span></span>
                <div class="flex flex-wrap gap-1">
                    <button type="button" class="rounded px-2 py-1 text-xs hover:bg-slate-200 dark:hover:bg-slate-700" data-testid="copy-sql"
                        on:click=move |_| { browser::copy(&sql.get_untracked()); copied.set(true); }>
                        {move || if copied.get() { "Copied" } else { "Copy" }}
                    </button>
                    <button type="button" class="rounded px-2 py-1 text-xs hover:bg-slate-200 disabled:opacity-40 dark:hover:bg-slate-700" data-testid="edit-sql"
                        disabled=move || !ready.get()
                        on:click=move |_| editing.update(|e| *e = !*e)>
                        {move || if editing.get() { "Cancel" } else { "Edit" }}
                    </button>
                    {move || result.get().map(|_| view! {
                        <button type="button" class="rounded px-2 py-1 text-xs hover:bg-slate-200 dark:hover:bg-slate-700" data-testid="download-csv"
                            on:click=download>"CSV"</button>
                    })}
                </div>
            </header>
            <Show when=move || editing.get() fallback=move || view! { <SqlPreview sql=sql/> }>
                <div class="space-y-2 p-3">
                    <SqlEditor value=sql on_run=run_now/>
                    <div class="flex items-center gap-2">
                        <button type="button" class=style::PRIMARY data-testid="run-sql"
                            disabled=move || run.pending().get() on:click=move |_| run_now.run(())>
                            {move || run.pending().get().then(|| view! { <Spinner/> })}"Run"
                        </button>
                        <span class="text-xs text-slate-500">"Ctrl/⌘+Enter runs it, read-only."</span>
                    </div>
                </div>
            </Show>
            {move || error.get().map(|e| view! {
                <div class="space-y-1 px-3 pb-3" data-testid="sql-error">
                    <Alert message=e/>
                    {result.with(Option::is_some).then(|| view! {
                        <p class="text-xs text-slate-500">"The rows below are from the last SQL that ran."</p>
                    })}
                </div>
            })}
            {move || match result.get() {
                None => view! {
                    <div class="px-3 pb-3">
                        <button type="button" class=style::SECONDARY disabled=move || !ready.get() || run.pending().get()
                            on:click=move |_| run_now.run(())>"Run again to see the rows"</button>
                    </div>
                }.into_any(),
                Some(r) => {
                    let spec = chart_spec(&r);
                    let default_kind = spec.as_ref().map(|s| s.kind);
                    view! {
                        <div class="space-y-2 p-3">
                            {spec.clone().map(|_| view! {
                                <div class="flex gap-1 text-xs" role="group" aria-label="Show as">
                                    <button type="button" class=move || tab(as_chart.get().is_none()) data-testid="show-table"
                                        on:click=move |_| as_chart.set(None)>"Table"</button>
                                    <button type="button" class=move || tab(as_chart.get() == Some(ChartKind::Bar)) data-testid="show-bars"
                                        on:click=move |_| as_chart.set(Some(ChartKind::Bar))>"Bars"</button>
                                    <button type="button" class=move || tab(as_chart.get() == Some(ChartKind::Line)) data-testid="show-line"
                                        on:click=move |_| as_chart.set(Some(ChartKind::Line))>"Line"</button>
                                    {default_kind.map(|k| view! { <span class="self-center pl-2 text-slate-400">{format!("suggested: {}", if k == ChartKind::Bar { "bars" } else { "line" })}</span> })}
                                </div>
                            })}
                            {move || match (as_chart.get(), spec.clone()) {
                                (Some(kind), Some(spec)) => view! { <Chart spec kind=Signal::derive(move || kind)/> }.into_any(),
                                _ => view! { <ResultTable result=r.clone()/> }.into_any(),
                            }}
                        </div>
                    }.into_any()
                }
            }}
        </section>
    }
}

fn tab(active: bool) -> &'static str {
    if active {
        "rounded bg-indigo-600 px-2 py-1 text-white"
    } else {
        "rounded border border-slate-300 px-2 py-1 hover:bg-slate-100 dark:border-slate-600 dark:hover:bg-slate-800"
    }
}

/// What stops a running answer (the fetch's `AbortController`; it only
/// exists in the browser, on its one thread).
#[derive(Clone)]
struct Aborter {
    #[cfg(feature = "hydrate")]
    controller: send_wrapper::SendWrapper<web_sys::AbortController>,
}

impl Aborter {
    fn abort(&self) {
        #[cfg(feature = "hydrate")]
        self.controller.abort();
    }
}

/// Ask `body` and fill `turn` from the streamed events.
fn ask(turn: Turn, body: sqlagent_model::AskRequest, aborter: StoredValue<Option<Aborter>>, finished: Callback<()>) {
    #[cfg(feature = "hydrate")]
    {
        use crate::components::stream::{self, StreamEvent};
        let Ok(controller) = web_sys::AbortController::new() else {
            turn.error.set(Some("This browser cannot stream answers".into()));
            turn.running.set(false);
            return;
        };
        let signal = controller.signal();
        aborter.set_value(Some(Aborter { controller: send_wrapper::SendWrapper::new(controller) }));
        leptos::task::spawn_local(async move {
            let outcome = stream::ask(&body, &signal, |event| match event {
                StreamEvent::Step(1) => turn.progress.set(Some("Reading the question and the schema…".into())),
                StreamEvent::Step(n) => turn.progress.set(Some(format!("Reading the results (step {n})…"))),
                StreamEvent::Sql(_) => turn.progress.set(Some("Running SQL…".into())),
                StreamEvent::Rows(r) => {
                    turn.progress.set(Some("Writing the answer…".into()));
                    turn.queries.update(|q| q.push(Query::Ran(r)));
                }
                StreamEvent::Token(t) => turn.answer.update(|a| a.push_str(&t)),
                StreamEvent::Answer(a) => turn.answer.set(a),
                StreamEvent::Error(e) => turn.error.set(Some(e)),
                StreamEvent::Done(view) => {
                    turn.model.set(Some(format!(
                        "{} · {} step{} · {} ms",
                        view.model,
                        view.steps,
                        if view.steps == 1 { "" } else { "s" },
                        view.elapsed_ms
                    )));
                    turn.answer.set(view.answer);
                }
            })
            .await;
            if signal.aborted() {
                turn.error.set(Some("Stopped.".into()));
            } else if let Err(e) = outcome {
                turn.error.set(Some(e));
            }
            turn.running.set(false);
            turn.progress.set(None);
            aborter.set_value(None);
            finished.run(());
        });
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (body, aborter, finished);
        turn.running.set(false);
    }
}

#[cfg(test)]
mod tests {
    use super::answer_parts;

    #[test]
    fn the_reading_is_set_apart_and_the_sql_line_dropped_beside_a_query() {
        let a = "There are 24 orders.\n\nI read \"x\" as: orders.ordered_at from 2026-10-01.\n\nSQL: SELECT 1";
        assert_eq!(
            answer_parts(a, true),
            ("There are 24 orders.".into(), Some("I read \"x\" as: orders.ordered_at from 2026-10-01.".into()))
        );
        assert_eq!(answer_parts(a, false).0, "There are 24 orders.\n\nSQL: SELECT 1");
    }
}
