//! SQL shown and edited: a small tokenizer (keywords, functions, strings,
//! numbers, comments, identifiers) shared by the highlighted preview and the
//! editor, whose transparent text area lies over the same highlighting.
use leptos::prelude::*;

/// What a piece of SQL text is, for colouring.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Keyword,
    Function,
    Text,
    Number,
    Comment,
    Identifier,
    Other,
}

const KEYWORDS: &[&str] = &[
    "all",
    "and",
    "as",
    "asc",
    "between",
    "by",
    "case",
    "cast",
    "cross",
    "current_date",
    "date",
    "desc",
    "distinct",
    "else",
    "end",
    "except",
    "exists",
    "explain",
    "false",
    "fetch",
    "first",
    "from",
    "full",
    "group",
    "having",
    "ilike",
    "in",
    "inner",
    "intersect",
    "interval",
    "is",
    "join",
    "last",
    "left",
    "like",
    "limit",
    "natural",
    "not",
    "null",
    "nulls",
    "offset",
    "on",
    "or",
    "order",
    "outer",
    "over",
    "partition",
    "recursive",
    "right",
    "rows",
    "select",
    "then",
    "timestamp",
    "true",
    "union",
    "using",
    "values",
    "when",
    "where",
    "window",
    "with",
];

/// Split `sql` into coloured pieces; concatenated they give `sql` back.
pub fn tokens(sql: &str) -> Vec<(Kind, &str)> {
    let bytes = sql.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        let c = bytes[i];
        let kind = if c == b'-' && bytes.get(i + 1) == Some(&b'-') {
            while i < bytes.len() && bytes[i] != b'\n' {
                i += 1;
            }
            Kind::Comment
        } else if c == b'/' && bytes.get(i + 1) == Some(&b'*') {
            i += 2;
            while i < bytes.len() && !(bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/')) {
                i += 1;
            }
            i = (i + 2).min(bytes.len());
            Kind::Comment
        } else if c == b'\'' || c == b'"' || c == b'`' {
            i += 1;
            while i < bytes.len() {
                if bytes[i] == c {
                    // A doubled quote stays inside.
                    if bytes.get(i + 1) == Some(&c) {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
            if c == b'\'' {
                Kind::Text
            } else {
                Kind::Identifier
            }
        } else if c.is_ascii_digit() {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                i += 1;
            }
            Kind::Number
        } else if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' || bytes[i] >= 0x80) {
                i += 1;
            }
            let word = sql[start..i].to_ascii_lowercase();
            let next = sql[i..].trim_start().as_bytes().first();
            if KEYWORDS.contains(&word.as_str()) {
                Kind::Keyword
            } else if next == Some(&b'(') {
                Kind::Function
            } else {
                Kind::Identifier
            }
        } else {
            // Anything else, one character at a time (whole UTF-8 characters).
            i += sql[i..].chars().next().map(char::len_utf8).unwrap_or(1);
            Kind::Other
        };
        out.push((kind, &sql[start..i]));
    }
    out
}

fn class(kind: Kind) -> &'static str {
    match kind {
        Kind::Keyword => "font-semibold text-indigo-700 dark:text-indigo-300",
        Kind::Function => "text-sky-700 dark:text-sky-300",
        Kind::Text => "text-emerald-700 dark:text-emerald-300",
        Kind::Number => "text-amber-700 dark:text-amber-300",
        Kind::Comment => "italic text-slate-400",
        Kind::Identifier | Kind::Other => "",
    }
}

/// The highlighted pieces of `sql`, as spans.
pub fn highlighted(sql: &str) -> impl IntoView {
    tokens(sql)
        .into_iter()
        .map(|(kind, text)| {
            let text = text.to_owned();
            match class(kind) {
                "" => view! { <span>{text}</span> }.into_any(),
                c => view! { <span class=c data-token=format!("{kind:?}").to_lowercase()>{text}</span> }.into_any(),
            }
        })
        .collect_view()
}

const CODE: &str = "m-0 whitespace-pre-wrap break-words p-3 font-mono text-[13px] leading-5";

/// A read-only, highlighted statement.
#[component]
pub fn SqlPreview(#[prop(into)] sql: Signal<String>) -> impl IntoView {
    view! {
        <pre class=format!("{CODE} overflow-x-auto") data-testid="sql-preview">
            <code>{move || highlighted(&sql.get())}</code>
        </pre>
    }
}

/// An editable statement: a text area whose text is transparent over the
/// same highlighting, so what is typed is coloured as it is typed. Ctrl or
/// Cmd+Enter runs it.
#[component]
pub fn SqlEditor(value: RwSignal<String>, #[prop(into)] on_run: Callback<()>) -> impl IntoView {
    view! {
        <div class="relative rounded-md border border-indigo-300 bg-white dark:border-indigo-700 dark:bg-slate-950">
            // The trailing newline keeps the last line's height when it is empty.
            <pre aria-hidden="true" class=format!("{CODE} pointer-events-none")>
                <code>{move || highlighted(&value.get())}"\n"</code>
            </pre>
            <textarea
                aria-label="SQL statement"
                data-testid="sql-editor"
                spellcheck="false"
                class=format!(
                    "{CODE} absolute inset-0 h-full w-full resize-none overflow-hidden bg-transparent text-transparent caret-slate-900 outline-none dark:caret-white",
                )
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                    if ev.key() == "Enter" && (ev.ctrl_key() || ev.meta_key()) {
                        ev.prevent_default();
                        on_run.run(());
                    }
                }
            ></textarea>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_give_the_text_back_and_are_coloured_by_kind() {
        let sql = "SELECT count(*), \"name\" FROM t -- note\nWHERE a = 'it''s' AND b > 3.5 /* c */";
        let pieces = tokens(sql);
        assert_eq!(pieces.iter().map(|(_, t)| *t).collect::<String>(), sql);
        let kinds: Vec<(Kind, &str)> = pieces.into_iter().filter(|(k, _)| *k != Kind::Other).collect();
        assert_eq!(kinds[0], (Kind::Keyword, "SELECT"));
        assert_eq!(kinds[1], (Kind::Function, "count"));
        assert_eq!(kinds[2], (Kind::Identifier, "\"name\""));
        assert!(kinds.contains(&(Kind::Comment, "-- note")));
        assert!(kinds.contains(&(Kind::Text, "'it''s'")));
        assert!(kinds.contains(&(Kind::Number, "3.5")));
        assert!(kinds.contains(&(Kind::Comment, "/* c */")));
    }

    #[test]
    fn unfinished_text_and_unicode_do_not_break_it() {
        for sql in ["SELECT 'open", "SELECT \"x", "/* open", "SELECT 'é' || ß FROM ü", ""] {
            assert_eq!(tokens(sql).iter().map(|(_, t)| *t).collect::<String>(), sql);
        }
    }
}
