//! A query's result: a paged table (sticky header, NULL shown, numbers to the
//! right, truncation said plainly), a chart when the rows suit one, and a CSV
//! download.
use leptos::prelude::*;
use serde_json::Value;
use sqlagent_model::QueryResultView;

/// Rows per page of a result table.
pub const PAGE: usize = 50;

/// `1234567` → `1,234,567`.
pub fn group_digits(n: usize) -> String {
    sqlagent_model::group_digits(n as u64)
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| f.is_finite()),
        _ => None,
    }
}

/// Whether every non-NULL value of column `c` is a number (and one is).
pub fn numeric_column(rows: &[Vec<Value>], c: usize) -> bool {
    let mut seen = false;
    for v in rows.iter().filter_map(|r| r.get(c)) {
        match v {
            Value::Null => {}
            Value::Number(_) => seen = true,
            _ => return false,
        }
    }
    seen
}

fn cell_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

/// The result as CSV (RFC 4180): fields with a comma, quote, line break or
/// edge space are quoted, quotes doubled; NULL is an empty field.
pub fn csv(columns: &[String], rows: &[Vec<Value>]) -> String {
    fn field(s: &str) -> String {
        if s.contains([',', '"', '\n', '\r']) || s.starts_with(' ') || s.ends_with(' ') {
            format!("\"{}\"", s.replace('"', "\"\""))
        } else {
            s.to_owned()
        }
    }
    let mut out = columns.iter().map(|c| field(c)).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    for row in rows {
        out.push_str(&row.iter().map(|v| field(&cell_text(v))).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

/// A chart's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    Bar,
    Line,
}

/// What a chart shows: labels along the bottom, one number each.
#[derive(Debug, Clone, PartialEq)]
pub struct ChartSpec {
    pub label: String,
    pub value: String,
    pub points: Vec<(String, f64)>,
    /// Dates and periods read left to right: a line suits them.
    pub kind: ChartKind,
    /// Rows beyond what is drawn.
    pub omitted: usize,
}

/// Points drawn at most.
const MAX_POINTS: usize = 60;

fn date_like(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 4 && b[..4].iter().all(u8::is_ascii_digit) && (b.len() == 4 || b[4] == b'-')
}

/// A chart for the result, when it has a category or date column and a
/// numeric one (and at least two rows).
pub fn chart_spec(r: &QueryResultView) -> Option<ChartSpec> {
    if r.rows.len() < 2 {
        return None;
    }
    let value = (0..r.columns.len()).rev().find(|&c| numeric_column(&r.rows, c))?;
    let label = (0..r.columns.len()).find(|&c| c != value && !numeric_column(&r.rows, c)).or_else(|| {
        // A year or an id column of numbers can label too, if another number is the value.
        (0..r.columns.len()).find(|&c| c != value)
    })?;
    let points: Vec<(String, f64)> =
        r.rows.iter().filter_map(|row| Some((cell_text(row.get(label)?), number(row.get(value)?)?))).collect();
    if points.len() < 2 {
        return None;
    }
    let dates = points.iter().all(|(l, _)| date_like(l));
    let omitted = points.len().saturating_sub(MAX_POINTS);
    Some(ChartSpec {
        label: r.columns[label].clone(),
        value: r.columns[value].clone(),
        points: points.into_iter().take(MAX_POINTS).collect(),
        kind: if dates { ChartKind::Line } else { ChartKind::Bar },
        omitted,
    })
}

fn short(n: f64) -> String {
    let a = n.abs();
    if a >= 1e9 {
        format!("{:.1}B", n / 1e9)
    } else if a >= 1e6 {
        format!("{:.1}M", n / 1e6)
    } else if a >= 1e4 {
        format!("{:.1}k", n / 1e3)
    } else if n.fract() == 0.0 {
        format!("{n:.0}")
    } else {
        format!("{n:.2}")
    }
}

/// An SVG chart of `spec` as `kind`: drawn on the server too, so it is there
/// before the page hydrates and in tests.
#[component]
pub fn Chart(spec: ChartSpec, #[prop(into)] kind: Signal<ChartKind>) -> impl IntoView {
    let (w, h, left, bottom, top) = (640.0_f64, 260.0_f64, 48.0_f64, 56.0_f64, 12.0_f64);
    let max = spec.points.iter().map(|p| p.1).fold(0.0_f64, f64::max);
    let min = spec.points.iter().map(|p| p.1).fold(0.0_f64, f64::min);
    let span = if max - min > 0.0 { max - min } else { 1.0 };
    let plot_h = h - bottom - top;
    let y = move |v: f64| top + plot_h * (1.0 - (v - min) / span);
    let n = spec.points.len() as f64;
    let step = (w - left - 8.0) / n;
    let every = ((spec.points.len() as f64) / 12.0).ceil().max(1.0) as usize;
    let title = format!("{} by {}", spec.value, spec.label);
    let points = spec.points.clone();
    let labels = spec
        .points
        .iter()
        .enumerate()
        .filter(|(i, _)| i % every == 0)
        .map(|(i, (l, _))| {
            let x = left + step * (i as f64 + 0.5);
            let text: String = l.chars().take(14).collect();
            view! {
                <text x=x y=h - bottom + 14.0 font-size="10" text-anchor="end" class="fill-slate-500"
                    transform=format!("rotate(-35 {x} {})", h - bottom + 14.0)>{text}</text>
            }
        })
        .collect_view();
    let zero = y(0.0_f64.clamp(min, max));
    let body = move || match kind.get() {
        ChartKind::Bar => points
            .iter()
            .enumerate()
            .map(|(i, (l, v))| {
                let x = left + step * i as f64 + step * 0.1;
                let (top_y, bottom_y) = if *v >= 0.0 { (y(*v), zero) } else { (zero, y(*v)) };
                view! {
                    <rect data-testid="bar" x=x y=top_y width=(step * 0.8).max(1.0) height=(bottom_y - top_y).max(0.5)
                        class="fill-indigo-500 dark:fill-indigo-400">
                        <title>{format!("{l}: {}", short(*v))}</title>
                    </rect>
                }
            })
            .collect_view()
            .into_any(),
        ChartKind::Line => {
            let path: Vec<String> = points
                .iter()
                .enumerate()
                .map(|(i, (_, v))| format!("{:.1},{:.1}", left + step * (i as f64 + 0.5), y(*v)))
                .collect();
            let dots = points
                .iter()
                .enumerate()
                .map(|(i, (l, v))| {
                    view! {
                        <circle data-testid="point" cx=left + step * (i as f64 + 0.5) cy=y(*v) r="3"
                            class="fill-indigo-600 dark:fill-indigo-300">
                            <title>{format!("{l}: {}", short(*v))}</title>
                        </circle>
                    }
                })
                .collect_view();
            view! {
                <polyline points=path.join(" ") fill="none" stroke-width="2" class="stroke-indigo-500"/>
                {dots}
            }
            .into_any()
        }
    };
    view! {
        <figure class="m-0">
            <svg viewBox=format!("0 0 {w} {h}") role="img" aria-label=title.clone() data-testid="chart"
                class="h-64 w-full max-w-full">
                <line x1=left y1=top x2=left y2=h - bottom class="stroke-slate-300" stroke-width="1"/>
                <line x1=left y1=zero x2=w - 4.0 y2=zero class="stroke-slate-300" stroke-width="1"/>
                <text x=left - 6.0 y=top + 4.0 font-size="10" text-anchor="end" class="fill-slate-500">{short(max)}</text>
                <text x=left - 6.0 y=h - bottom font-size="10" text-anchor="end" class="fill-slate-500">{short(min)}</text>
                {body}
                {labels}
            </svg>
            <figcaption class="text-xs text-slate-500">
                {title}
                {(spec.omitted > 0).then(|| format!(" — the first {MAX_POINTS} of {} rows", MAX_POINTS + spec.omitted))}
            </figcaption>
        </figure>
    }
}

/// The rows of a result, a page at a time.
#[component]
pub fn ResultTable(result: QueryResultView) -> impl IntoView {
    let page = RwSignal::new(0usize);
    let total = result.rows.len();
    let pages = total.div_ceil(PAGE).max(1);
    let numeric: Vec<bool> = (0..result.columns.len()).map(|c| numeric_column(&result.rows, c)).collect();
    let header = result
        .columns
        .iter()
        .zip(numeric.clone())
        .map(|(c, num)| {
            let align = if num { "text-right" } else { "text-left" };
            view! {
                <th scope="col" class=format!("sticky top-0 z-10 whitespace-nowrap border-b border-slate-200 bg-slate-100 px-3 py-2 font-semibold dark:border-slate-700 dark:bg-slate-800 {align}")>
                    {c.clone()}
                </th>
            }
        })
        .collect_view();
    let rows = result.rows.clone();
    let body = move || {
        let from = page.get() * PAGE;
        rows.iter()
            .skip(from)
            .take(PAGE)
            .map(|row| {
                let cells = row
                    .iter()
                    .enumerate()
                    .map(|(c, v)| {
                        let align = if numeric.get(c).copied().unwrap_or(false) { "text-right tabular-nums" } else { "" };
                        let content = match v {
                            Value::Null => view! { <span class="italic text-slate-400">"NULL"</span> }.into_any(),
                            other => cell_text(other).into_any(),
                        };
                        view! { <td class=format!("max-w-xs truncate whitespace-nowrap px-3 py-1.5 {align}")>{content}</td> }
                    })
                    .collect_view();
                view! { <tr class="border-b border-slate-100 odd:bg-white even:bg-slate-50 dark:border-slate-800 dark:odd:bg-slate-900 dark:even:bg-slate-900/60">{cells}</tr> }
            })
            .collect_view()
    };
    let truncated = result.truncated;
    let summary = move || {
        let from = page.get() * PAGE;
        let to = (from + PAGE).min(total);
        let shown = if total == 0 {
            "No rows".to_owned()
        } else if total <= PAGE {
            format!("{} row{}", group_digits(total), if total == 1 { "" } else { "s" })
        } else {
            format!("Showing {}–{} of {} rows", group_digits(from + 1), group_digits(to), group_digits(total))
        };
        if truncated {
            format!("{shown} — truncated: the query returned more rows than the {} kept", group_digits(total))
        } else {
            shown
        }
    };
    view! {
        <div class="space-y-2">
            <div class="max-h-96 overflow-auto rounded-md border border-slate-200 dark:border-slate-700">
                <table class="min-w-full border-collapse text-sm" data-testid="result-table">
                    <thead><tr>{header}</tr></thead>
                    <tbody>{body}</tbody>
                </table>
            </div>
            <div class="flex flex-wrap items-center justify-between gap-2 text-xs text-slate-600 dark:text-slate-400">
                <span data-testid="row-summary">{summary}</span>
                {(pages > 1).then(|| view! {
                    <span class="flex items-center gap-2">
                        <button type="button" class="rounded border border-slate-300 px-2 py-0.5 disabled:opacity-40 dark:border-slate-600"
                            aria-label="Previous page" disabled=move || page.get() == 0
                            on:click=move |_| page.update(|p| *p = p.saturating_sub(1))>"‹ Prev"</button>
                        <span>{move || format!("Page {} of {pages}", page.get() + 1)}</span>
                        <button type="button" class="rounded border border-slate-300 px-2 py-0.5 disabled:opacity-40 dark:border-slate-600"
                            aria-label="Next page" disabled=move || page.get() + 1 >= pages
                            on:click=move |_| page.update(|p| *p = (*p + 1).min(pages - 1))>"Next ›"</button>
                    </span>
                })}
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn result(columns: &[&str], rows: Value) -> QueryResultView {
        let rows = serde_json::from_value(rows).unwrap();
        QueryResultView::new("", columns.iter().map(|c| c.to_string()).collect(), rows)
    }

    #[test]
    fn csv_quotes_what_must_be_quoted_and_leaves_null_empty() {
        let r = result(
            &["name", "note", "n"],
            json!([["a,b", "say \"hi\"", 1], [null, "two\nlines", 2.5], [" x", "plain", null]]),
        );
        assert_eq!(
            csv(&r.columns, &r.rows),
            "name,note,n\r\n\"a,b\",\"say \"\"hi\"\"\",1\r\n,\"two\nlines\",2.5\r\n\" x\",plain,\r\n"
        );
    }

    #[test]
    fn charts_need_a_label_and_a_number_and_dates_make_lines() {
        let bars = chart_spec(&result(&["country", "count"], json!([["USA", 12], ["France", 9]]))).unwrap();
        assert_eq!(bars.kind, ChartKind::Bar);
        assert_eq!(bars.points, vec![("USA".into(), 12.0), ("France".into(), 9.0)]);
        let line = chart_spec(&result(&["month", "n"], json!([["2026-01", 3], ["2026-02", 5]]))).unwrap();
        assert_eq!(line.kind, ChartKind::Line);
        assert!(chart_spec(&result(&["name"], json!([["a"], ["b"]]))).is_none(), "no number");
        assert!(chart_spec(&result(&["n"], json!([[1]]))).is_none(), "one row");
        let many: Vec<Value> = (0..100).map(|i| json!([format!("k{i}"), i])).collect();
        let spec = chart_spec(&result(&["k", "v"], Value::Array(many))).unwrap();
        assert_eq!((spec.points.len(), spec.omitted), (60, 40));
    }

    #[test]
    fn numbers_are_grouped_and_columns_told_numeric() {
        assert_eq!(group_digits(1_000), "1,000");
        assert_eq!(group_digits(999), "999");
        assert_eq!(group_digits(1_234_567), "1,234,567");
        let rows: Vec<Vec<Value>> = serde_json::from_value(json!([[1, "a", null], [null, "b", null]])).unwrap();
        assert!(numeric_column(&rows, 0));
        assert!(!numeric_column(&rows, 1));
        assert!(!numeric_column(&rows, 2), "all NULL is not numeric");
    }
}
