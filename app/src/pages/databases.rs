//! The database manager: the user's databases, a form per engine (with a
//! connection test before saving), the one-click sample, connect, edit, delete.
use leptos::prelude::*;
use leptos_router::components::A;
use sqlagent_model::{ConnectionTestView, DbConnectionPatch, DbConnectionView, NewDbConnection};

use crate::app::{use_session, SignedIn};
use crate::components::{hydrated, style, Alert, EngineBadge, Notice, Spinner};
use crate::error::UiError;
use crate::server_fns::{
    add_database, add_sample_database, connect_database, delete_database, list_databases, test_database,
    test_saved_database, update_database,
};

#[component]
pub fn DatabasesPage() -> impl IntoView {
    view! { <SignedIn><Databases/></SignedIn> }
}

/// What happened last, said at the top of the page.
#[derive(Clone, PartialEq)]
enum Flash {
    Done(String, Vec<String>),
    Failed(String),
}

#[component]
fn Databases() -> impl IntoView {
    let session = use_session();
    let version = RwSignal::new(0u32);
    let list = Resource::new(move || version.get(), |_| list_databases());
    let flash = RwSignal::new(None::<Flash>);
    // `Some(None)`: adding; `Some(Some(db))`: editing `db`.
    let form = RwSignal::new(None::<Option<DbConnectionView>>);
    let ready = hydrated();

    let sample = Action::new(|_: &()| add_sample_database());
    Effect::new(move |_| match sample.value().get() {
        Some(Ok(added)) => {
            version.update(|v| *v += 1);
            flash.set(Some(Flash::Done(
                format!("{}: {}", added.message, added.db_connection.database_name),
                Vec::new(),
            )));
        }
        Some(Err(e)) => flash.set(Some(Flash::Failed(e.to_string()))),
        None => {}
    });
    let connecting = RwSignal::new(None::<i64>);
    let connect = Action::new(|id: &i64| connect_database(*id));
    Effect::new(move |_| {
        if let Some(result) = connect.value().get() {
            connecting.set(None);
            match result {
                Ok(c) => {
                    session.refresh();
                    flash.set(Some(Flash::Done(
                        format!(
                            "Connected to {}: {} table{} found.",
                            c.connect.database_name,
                            c.tables,
                            if c.tables == 1 { "" } else { "s" }
                        ),
                        c.connect.warnings,
                    )));
                }
                Err(e) => flash.set(Some(Flash::Failed(e.to_string()))),
            }
        }
    });
    let test_saved = Action::new(|id: &i64| test_saved_database(*id));
    Effect::new(move |_| match test_saved.value().get() {
        Some(Ok(t)) => flash.set(Some(Flash::Done(
            format!("{}{}", t.message, t.server_version.map(|v| format!(" — {v}")).unwrap_or_default()),
            t.warnings,
        ))),
        Some(Err(e)) => flash.set(Some(Flash::Failed(e.to_string()))),
        None => {}
    });
    let delete = Action::new(|id: &i64| delete_database(*id));
    Effect::new(move |_| match delete.value().get() {
        Some(Ok(m)) => {
            version.update(|v| *v += 1);
            session.refresh();
            flash.set(Some(Flash::Done(m.message, Vec::new())));
        }
        Some(Err(e)) => flash.set(Some(Flash::Failed(e.to_string()))),
        None => {}
    });
    let saved = Callback::new(move |message: String| {
        form.set(None);
        version.update(|v| *v += 1);
        session.refresh();
        flash.set(Some(Flash::Done(message, Vec::new())));
    });

    view! {
        <div class="space-y-6">
            <div class="flex flex-wrap items-center justify-between gap-3">
                <h1 class="text-2xl font-semibold">"Databases"</h1>
                <div class="flex flex-wrap gap-2">
                    <button type="button" class=style::SECONDARY data-testid="add-sample"
                        disabled=move || !ready.get() || sample.pending().get()
                        on:click=move |_| { sample.dispatch(()); }>
                        {move || sample.pending().get().then(|| view! { <Spinner/> })}
                        "Add sample database"
                    </button>
                    <button type="button" class=style::PRIMARY data-testid="add-database"
                        disabled=move || !ready.get()
                        on:click=move |_| form.set(Some(None))>"Add a database"</button>
                </div>
            </div>
            {move || flash.get().map(|f| match f {
                Flash::Done(message, warnings) => view! {
                    <div class="space-y-2" data-testid="flash">
                        <Notice message=message/>
                        {warnings.into_iter().map(|w| view! { <Notice message=w warning=true/> }).collect_view()}
                        {connect.value().get().and_then(|r| r.ok()).map(|_| view! {
                            <A href="/chat" attr:class=style::PRIMARY attr:data-testid="go-chat">"Ask a question →"</A>
                        })}
                    </div>
                }.into_any(),
                Flash::Failed(message) => view! { <Alert message=message/> }.into_any(),
            })}
            {move || form.get().map(|editing| view! { <DatabaseForm editing on_saved=saved on_cancel=Callback::new(move |_| form.set(None))/> })}
            <Transition fallback=|| view! { <p class="text-slate-500">"Loading your databases…"</p> }>
                {move || Suspend::new(async move {
                    let connected_id = session.current.await.ok().flatten().and_then(|s| s.db_id);
                    match list.await {
                        Ok(dbs) if dbs.is_empty() => view! {
                            <section class=style::CARD>
                                <p class="text-slate-600 dark:text-slate-400">
                                    "No databases yet. Add yours, or add the sample shop (customers, products, orders) to try questions right away."
                                </p>
                            </section>
                        }.into_any(),
                        Ok(dbs) => view! {
                            <ul class="space-y-3" data-testid="database-list">
                                {dbs.into_iter().map(|db| {
                                    let id = db.id;
                                    let edit_db = db.clone();
                                    let confirm = RwSignal::new(false);
                                    let place = if db.db_type == "sqlite" {
                                        "file in your folder".to_owned()
                                    } else {
                                        format!("{}@{}:{}", db.username, db.host, db.port)
                                    };
                                    view! {
                                        <li class=format!("{} flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between", style::CARD) data-testid="database">
                                            <div class="min-w-0 space-y-1">
                                                <div class="flex flex-wrap items-center gap-2">
                                                    <EngineBadge engine=db.db_type.clone()/>
                                                    <span class="truncate font-medium" data-testid="database-name">{db.database_name.clone()}</span>
                                                    {(connected_id == Some(id)).then(|| view! {
                                                        <span class="rounded-full bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-800 dark:bg-emerald-900 dark:text-emerald-200" data-testid="connected-badge">"Connected"</span>
                                                    })}
                                                </div>
                                                <p class="truncate text-sm text-slate-500">{place}{(db.db_type != "sqlite").then(|| format!(" · TLS {}", db.ssl_mode))}</p>
                                            </div>
                                            <div class="flex flex-wrap gap-2">
                                                <button type="button" class=style::PRIMARY data-testid="connect"
                                                    disabled=move || !ready.get() || connecting.get().is_some()
                                                    on:click=move |_| { connecting.set(Some(id)); flash.set(None); connect.dispatch(id); }>
                                                    {move || (connecting.get() == Some(id)).then(|| view! { <Spinner/> })}
                                                    {move || match (connecting.get() == Some(id), connected_id == Some(id)) {
                                                        (true, _) => "Connecting…",
                                                        (false, true) => "Reconnect",
                                                        (false, false) => "Connect",
                                                    }}
                                                </button>
                                                <button type="button" class=style::SECONDARY data-testid="test-saved"
                                                    disabled=move || !ready.get() || test_saved.pending().get()
                                                    on:click=move |_| { flash.set(None); test_saved.dispatch(id); }>"Test"</button>
                                                <button type="button" class=style::SECONDARY disabled=move || !ready.get()
                                                    on:click=move |_| form.set(Some(Some(edit_db.clone())))>"Edit"</button>
                                                <button type="button" class=style::DANGER data-testid="delete"
                                                    disabled=move || !ready.get() || delete.pending().get()
                                                    on:click=move |_| {
                                                        if confirm.get() { delete.dispatch(id); } else { confirm.set(true); }
                                                    }>
                                                    {move || if confirm.get() { "Really delete?" } else { "Delete" }}
                                                </button>
                                            </div>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any(),
                        Err(e) => view! { <Alert message=e.to_string()/> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

/// The form's fields, as typed.
#[derive(Clone, Copy)]
struct Fields {
    engine: RwSignal<String>,
    host: RwSignal<String>,
    port: RwSignal<String>,
    database: RwSignal<String>,
    username: RwSignal<String>,
    password: RwSignal<String>,
    ssl_mode: RwSignal<String>,
    privileged: RwSignal<bool>,
}

impl Fields {
    fn new(editing: Option<&DbConnectionView>) -> Self {
        let s = |v: &str| RwSignal::new(v.to_owned());
        match editing {
            Some(db) => Fields {
                engine: s(&db.db_type),
                host: s(&db.host),
                port: s(&db.port.to_string()),
                database: s(&db.database_name),
                username: s(&db.username),
                password: s(""),
                ssl_mode: s(&db.ssl_mode),
                privileged: RwSignal::new(db.allow_privileged_login),
            },
            None => Fields {
                engine: s("postgresql"),
                host: s(""),
                port: s(""),
                database: s(""),
                username: s(""),
                password: s(""),
                ssl_mode: s("prefer"),
                privileged: RwSignal::new(false),
            },
        }
    }

    fn sqlite(&self) -> bool {
        self.engine.get() == "sqlite"
    }

    /// The connection as the API takes it (`database_name` given for SQLite uploads).
    fn connection(&self, database_name: Option<String>) -> Result<NewDbConnection, String> {
        let port = match self.port.get().trim() {
            "" => None,
            p => Some(p.parse::<u16>().map_err(|_| "Port: a number from 1 to 65535".to_owned())?),
        };
        Ok(NewDbConnection {
            db_type: self.engine.get(),
            host: self.host.get().trim().to_owned(),
            port,
            database_name: database_name.unwrap_or_else(|| self.database.get().trim().to_owned()),
            username: self.username.get().trim().to_owned(),
            db_password: self.password.get(),
            owner_id: None,
            ssl_mode: (!self.sqlite()).then(|| self.ssl_mode.get()),
            allow_privileged_login: self.privileged.get(),
        })
    }

    /// The changes to a saved connection (an empty password keeps the stored one).
    fn patch(&self, database_name: Option<String>) -> Result<DbConnectionPatch, String> {
        let c = self.connection(database_name)?;
        Ok(DbConnectionPatch {
            db_type: Some(c.db_type),
            host: Some(c.host),
            port: c.port,
            database_name: Some(c.database_name),
            username: Some(c.username),
            db_password: (!c.db_password.is_empty()).then_some(c.db_password),
            ssl_mode: c.ssl_mode,
            allow_privileged_login: Some(c.allow_privileged_login),
        })
    }
}

/// Add or edit a database: engine, address, login, TLS; or a SQLite file.
#[component]
fn DatabaseForm(
    editing: Option<DbConnectionView>,
    on_saved: Callback<String>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let fields = Fields::new(editing.as_ref());
    let editing_id = editing.as_ref().map(|d| d.id);
    let file_input = NodeRef::<leptos::html::Input>::new();
    let ready = hydrated();
    let error = RwSignal::new(None::<String>);
    let tested = RwSignal::new(None::<ConnectionTestView>);

    let test = Action::new(|new: &NewDbConnection| test_database(new.clone()));
    Effect::new(move |_| match test.value().get() {
        Some(Ok(t)) => {
            error.set(None);
            tested.set(Some(t));
        }
        Some(Err(e)) => {
            tested.set(None);
            error.set(Some(e.to_string()));
        }
        None => {}
    });
    // Saving may upload a file first: a browser-only future.
    let save = Action::new_unsync(move |file: &Option<SendFile>| {
        let file = file.clone();
        async move {
            let uploaded = match file {
                Some(f) => Some(f.upload().await.map_err(UiError::Invalid)?),
                None => None,
            };
            match editing_id {
                Some(id) => {
                    let patch = fields.patch(uploaded).map_err(UiError::Invalid)?;
                    update_database(id, patch).await.map(|d| format!("Saved {}", d.database_name))
                }
                None => {
                    let new = fields.connection(uploaded).map_err(UiError::Invalid)?;
                    add_database(new).await.map(|a| format!("{}: {}", a.message, a.db_connection.database_name))
                }
            }
        }
    });
    Effect::new(move |_| match save.value().get() {
        Some(Ok(message)) => on_saved.run(message),
        Some(Err(e)) => error.set(Some(e.to_string())),
        None => {}
    });
    let chosen_file = move || SendFile::from_input(&file_input);
    let run_test = move |_| {
        tested.set(None);
        match fields.connection(None) {
            Ok(new) => {
                error.set(None);
                test.dispatch(new);
            }
            Err(e) => error.set(Some(e)),
        }
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        error.set(None);
        save.dispatch(chosen_file());
    };
    let title = if editing.is_some() { "Edit database" } else { "Add a database" };
    let text = move |id: &'static str,
                     label: &'static str,
                     signal: RwSignal<String>,
                     kind: &'static str,
                     hint: &'static str| {
        view! {
            <div>
                <label for=id class=style::LABEL>{label}</label>
                <input id=id name=id type=kind class=style::INPUT placeholder=hint
                    autocomplete=if kind == "password" { "new-password" } else { "off" }
                    prop:value=move || signal.get() on:input=move |ev| signal.set(event_target_value(&ev))/>
            </div>
        }
    };
    view! {
        <section class=style::CARD data-testid="database-form">
            <h2 class="mb-4 text-lg font-semibold">{title}</h2>
            <form class="space-y-4" on:submit=on_submit>
                <div>
                    <label for="engine" class=style::LABEL>"Engine"</label>
                    <select id="engine" name="engine" class=style::INPUT
                        prop:value=move || fields.engine.get()
                        on:change=move |ev| { fields.engine.set(event_target_value(&ev)); tested.set(None); }>
                        <option value="postgresql">"PostgreSQL"</option>
                        <option value="mysql">"MySQL"</option>
                        <option value="mariadb">"MariaDB"</option>
                        <option value="sqlite">"SQLite (upload a file)"</option>
                    </select>
                </div>
                <Show when=move || fields.sqlite() fallback=move || view! {
                    <div class="grid gap-4 sm:grid-cols-3">
                        <div class="sm:col-span-2">{text("host", "Host", fields.host, "text", "db.example.com")}</div>
                        {text("port", "Port", fields.port, "number", "default for the engine")}
                    </div>
                    {text("database", "Database", fields.database, "text", "shop")}
                    <div class="grid gap-4 sm:grid-cols-2">
                        {text("username", "User", fields.username, "text", "a read-only login")}
                        {text("password", "Password", fields.password, "password",
                            if editing_id.is_some() { "unchanged if empty" } else { "" })}
                    </div>
                    <div class="grid gap-4 sm:grid-cols-2">
                        <div>
                            <label for="ssl_mode" class=style::LABEL>"TLS"</label>
                            <select id="ssl_mode" class=style::INPUT prop:value=move || fields.ssl_mode.get()
                                on:change=move |ev| fields.ssl_mode.set(event_target_value(&ev))>
                                <option value="disable">"disable"</option>
                                <option value="prefer">"prefer"</option>
                                <option value="require">"require"</option>
                                <option value="verify-ca">"verify-ca"</option>
                                <option value="verify-full">"verify-full"</option>
                            </select>
                        </div>
                        <label class="flex items-center gap-2 self-end text-sm text-slate-700 dark:text-slate-300">
                            <input type="checkbox" prop:checked=move || fields.privileged.get()
                                on:change=move |ev| fields.privileged.set(event_target_checked(&ev))/>
                            "Allow a login with rights beyond reading"
                        </label>
                    </div>
                    <p class="text-xs text-slate-500">
                        "Every query runs read-only whatever the login may do; a login that can only read is safest."
                    </p>
                }>
                    <div>
                        <label for="sqlite-file" class=style::LABEL>"SQLite file"</label>
                        <input id="sqlite-file" type="file" accept=".sqlite,.sqlite3,.db,.db3" node_ref=file_input
                            class="mt-1 block w-full text-sm file:mr-3 file:rounded-md file:border-0 file:bg-indigo-50 file:px-3 file:py-2 file:text-indigo-700"/>
                    </div>
                    {text("database", "…or a file already in your folder", fields.database, "text", "demo_shop.sqlite")}
                </Show>
                {move || error.get().map(|e| view! { <Alert message=e/> })}
                {move || tested.get().map(|t| view! {
                    <div class="space-y-2" data-testid="test-result">
                        <Notice message=format!("{}{}", t.message, t.server_version.map(|v| format!(" — {v}")).unwrap_or_default())/>
                        {t.warnings.into_iter().map(|w| view! { <Notice message=w warning=true/> }).collect_view()}
                    </div>
                })}
                <div class="flex flex-wrap gap-2">
                    <button type="button" class=style::SECONDARY data-testid="test-connection"
                        disabled=move || !ready.get() || test.pending().get() || (fields.sqlite() && fields.database.get().trim().is_empty())
                        on:click=run_test>
                        {move || test.pending().get().then(|| view! { <Spinner/> })}
                        "Test connection"
                    </button>
                    <button type="submit" class=style::PRIMARY data-testid="save-database"
                        disabled=move || !ready.get() || save.pending().get()>
                        {move || save.pending().get().then(|| view! { <Spinner/> })}
                        "Save"
                    </button>
                    <button type="button" class=style::SECONDARY on:click=move |_| on_cancel.run(())>"Cancel"</button>
                </div>
            </form>
        </section>
    }
}

/// A file chosen in the form, movable into the save action (it is only ever
/// touched in the browser, on the thread that chose it).
#[derive(Clone)]
struct SendFile {
    #[cfg(feature = "hydrate")]
    file: send_wrapper::SendWrapper<web_sys::File>,
}

impl SendFile {
    fn from_input(input: &NodeRef<leptos::html::Input>) -> Option<SendFile> {
        #[cfg(feature = "hydrate")]
        {
            let file = input.get_untracked()?.files()?.get(0)?;
            Some(SendFile { file: send_wrapper::SendWrapper::new(file) })
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = input;
            None
        }
    }

    async fn upload(self) -> Result<String, String> {
        #[cfg(feature = "hydrate")]
        {
            crate::components::browser::upload_sqlite(self.file.take()).await
        }
        #[cfg(not(feature = "hydrate"))]
        {
            Err("Uploads need the browser".to_owned())
        }
    }
}
