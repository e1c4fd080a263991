//! Prose from a result: counts, single values, short lists, the top items
//! with their figures, sensibly truncated; with how the question was read
//! and the SQL, so a misreading can be seen and corrected.
use serde_json::Value;
use sqlagent_model::QueryResultView;

use super::parse::Reading;
use super::query::{Agg, Expr, Query};
use crate::linker::words::split_identifier;
use crate::linker::Catalog;

/// Items listed by name before "and N more".
const LISTED: usize = 10;

fn label(cat: &Catalog, e: &Expr) -> String {
    let col = |c: super::query::Col| split_identifier(&cat.table(c.t).columns[c.c].name).join(" ");
    match e {
        Expr::Col(c) => col(*c),
        Expr::Agg { agg: Agg::Count, col: None, .. } => "count".into(),
        Expr::Agg { agg: Agg::Count, col: Some(c), distinct } => {
            format!("number of {}{}", if *distinct { "different " } else { "" }, plural(&col(*c)))
        }
        Expr::Agg { agg, col: Some(c), .. } => format!("{} {}", agg.word(), col(*c)),
        Expr::Agg { agg, col: None, .. } => agg.word().to_owned(),
        Expr::Measure { agg, a, b } => format!("{} {} × {}", agg.word(), col(*a), col(*b)),
        Expr::Period { unit, .. } => unit.word().to_owned(),
    }
}

/// A simple English singular of a label ("categories" → "category").
pub fn singular(word: &str) -> String {
    let w = word.trim();
    if let Some(stem) = w.strip_suffix("ies") {
        format!("{stem}y")
    } else if w.ends_with("sses") || w.ends_with("ches") || w.ends_with("shes") || w.ends_with("xes") {
        w[..w.len() - 2].to_owned()
    } else if w == "people" {
        "person".into()
    } else if w.ends_with('s') && !w.ends_with("ss") && !w.ends_with("us") && !w.ends_with("is") {
        w[..w.len() - 1].to_owned()
    } else {
        w.to_owned()
    }
}

/// A simple English plural of a label.
pub fn plural(word: &str) -> String {
    let w = word.trim();
    if w.ends_with('s') || w.ends_with("data") {
        w.to_owned()
    } else if let Some(stem) = w.strip_suffix('y').filter(|s| !s.ends_with(['a', 'e', 'o', 'u'])) {
        format!("{stem}ies")
    } else if w.ends_with("ch") || w.ends_with("sh") || w.ends_with('x') {
        format!("{w}es")
    } else if w == "person" {
        "people".into()
    } else {
        format!("{w}s")
    }
}

/// A value as a reader sees it: numbers trimmed, text as is, NULL as "none".
pub fn show(v: &Value) -> String {
    match v {
        Value::Null => "none".into(),
        Value::String(s) => match s.parse::<f64>() {
            Ok(n) if s.contains('.') && s.len() > 8 => round(n),
            _ => s.clone(),
        },
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() => round(f),
            _ => n.to_string(),
        },
        other => other.to_string(),
    }
}

fn round(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        let s = format!("{f:.2}");
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

/// The answer to a question read as `reading`, from its result.
pub fn compose(cat: &Catalog, question: &str, reading: &Reading, result: &QueryResultView, hedge: bool) -> String {
    let q = &reading.query;
    let entity = split_identifier(&cat.table(q.main).name).join(" ");
    let labels: Vec<String> = q.select.iter().map(|e| label(cat, e)).collect();
    let mut out = String::new();
    if hedge {
        out.push_str("I am not sure I read this question right, so check the reading below. ");
    }
    let rows = &result.rows;
    let single_count =
        q.select.len() == 1 && matches!(q.select[0], Expr::Agg { agg: Agg::Count, .. }) && q.group.is_empty();
    if rows.is_empty() {
        out.push_str(&format!("No {} match the question.", plural(&entity)));
    } else if single_count && rows.len() == 1 {
        let n = show(&rows[0][0]);
        match &q.select[0] {
            Expr::Agg { col: Some(_), distinct: true, .. } => out.push_str(&format!(
                "There are {n} different {}.",
                plural(&labels[0].replace("number of different ", ""))
            )),
            _ => {
                let noun = if n == "1" { singular(&entity) } else { plural(&entity) };
                out.push_str(&format!("There {} {n} {noun}.", if n == "1" { "is" } else { "are" }));
            }
        }
    } else if rows.len() == 1 && q.limit == Some(1) && !q.order.is_empty() {
        out.push_str(&superlative(cat, q, &rows[0], &labels));
    } else if grouped(q) && rows.len() > 1 {
        out.push_str(&per_group(cat, q, rows, &labels, &entity, result.truncated));
    } else if rows.len() == 1 {
        let parts: Vec<String> = rows[0].iter().zip(&labels).map(|(v, l)| format!("the {l} is {}", show(v))).collect();
        let mut sentence = parts.join(", and ");
        if let Some(first) = sentence.get_mut(0..1) {
            first.make_ascii_uppercase();
        }
        out.push_str(&sentence);
        out.push('.');
    } else {
        let total = if result.truncated { format!("{}+", rows.len()) } else { rows.len().to_string() };
        let shown: Vec<String> = rows
            .iter()
            .take(LISTED)
            .map(|r| {
                let mut cells = r.iter().map(show);
                let first = cells.next().unwrap_or_default();
                let rest: Vec<String> = cells.zip(labels.iter().skip(1)).map(|(v, l)| format!("{l} {v}")).collect();
                if rest.is_empty() {
                    first
                } else {
                    format!("{first} ({})", rest.join(", "))
                }
            })
            .collect();
        let more = rows.len().saturating_sub(LISTED);
        let what = if labels.len() == 1 { plural(&labels[0]) } else { "rows".to_owned() };
        out.push_str(&format!("Found {total} {what}: {}", shown.join("; ")));
        if more > 0 {
            out.push_str(&format!("; and {more} more"));
        }
        out.push('.');
        if result.truncated {
            out.push_str(" (The result was cut at the row limit.)");
        }
    }
    if !reading.notes.is_empty() {
        out.push_str(&format!("\n\nI read \"{}\" as: {}.", question.trim(), reading.notes.join("; ")));
    }
    out.push_str(&format!("\n\nSQL: {}", result.sql));
    out
}

/// Whether each row is a group and its figures ("per country", "per month").
fn grouped(q: &Query) -> bool {
    let keys = q.select.iter().filter(|e| !e.is_agg()).count();
    keys > 0
        && keys < q.select.len()
        && (!q.group.is_empty() || q.select.iter().any(|e| matches!(e, Expr::Period { .. })))
}

/// "Number of orders per status — cancelled: 4; delivered: 10; and 2 more.",
/// with the highest and lowest when not every group is listed.
fn per_group(
    cat: &Catalog,
    q: &Query,
    rows: &[Vec<Value>],
    labels: &[String],
    entity: &str,
    truncated: bool,
) -> String {
    let keys: Vec<usize> = (0..q.select.len()).filter(|&i| !q.select[i].is_agg()).collect();
    let figures: Vec<usize> = (0..q.select.len()).filter(|&i| q.select[i].is_agg()).collect();
    let figure_label = |i: usize| match &q.select[i] {
        Expr::Agg { agg: Agg::Count, col: None, .. } => format!("number of {}", plural(entity)),
        other => label(cat, other),
    };
    let key_label = keys.iter().map(|&i| labels[i].clone()).collect::<Vec<_>>().join(" and ");
    let key_of = |row: &[Value]| keys.iter().map(|&i| show(&row[i])).collect::<Vec<_>>().join(" / ");
    let item = |row: &[Value]| {
        let values: Vec<String> = if figures.len() == 1 {
            vec![show(&row[figures[0]])]
        } else {
            figures.iter().map(|&i| format!("{} {}", figure_label(i), show(&row[i]))).collect()
        };
        format!("{}: {}", key_of(row), values.join(", "))
    };
    let heading = if figures.len() == 1 { figure_label(figures[0]) } else { "Figures".to_owned() };
    let mut out = format!("{} per {key_label}", capitalised(&heading));
    let listed: Vec<String> = rows.iter().take(LISTED).map(|r| item(r)).collect();
    out.push_str(&format!(" — {}", listed.join("; ")));
    let more = rows.len().saturating_sub(LISTED);
    if more > 0 {
        out.push_str(&format!("; and {more} more{}", if truncated { " (cut at the row limit)" } else { "" }));
    }
    out.push('.');
    if more > 0 && figures.len() == 1 {
        let value = |r: &Vec<Value>| match &r[figures[0]] {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.parse::<f64>().ok(),
            _ => None,
        };
        let valued: Vec<(f64, &Vec<Value>)> = rows.iter().filter_map(|r| Some((value(r)?, r))).collect();
        let high = valued.iter().max_by(|a, b| a.0.total_cmp(&b.0)).map(|(_, r)| *r);
        let low = valued.iter().min_by(|a, b| a.0.total_cmp(&b.0)).map(|(_, r)| *r);
        if let (Some(h), Some(l)) = (high, low) {
            out.push_str(&format!(
                " Highest: {} ({}); lowest: {} ({}).",
                key_of(h),
                show(&h[figures[0]]),
                key_of(l),
                show(&l[figures[0]])
            ));
        }
    }
    out
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// "Paris has the most customers (12).", "Espresso Machine has the highest
/// price (349).": the one row of a superlative, with its figure when shown.
fn superlative(cat: &Catalog, q: &Query, row: &[Value], labels: &[String]) -> String {
    let (order, desc) = &q.order[0];
    let figure_at = q.select.iter().position(|e| e == order);
    let subject: Vec<String> = row
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != figure_at && !q.select[*i].is_agg())
        .map(|(_, v)| show(v))
        .collect();
    let only_figure = subject.is_empty();
    let subject = subject.join(" ");
    let what = match order {
        Expr::Agg { agg: Agg::Count, col, .. } => {
            let t = col.map(|c| c.t).unwrap_or(q.main);
            let things = plural(&split_identifier(&cat.table(t).name).join(" "));
            format!("{} {things}", if *desc { "the most" } else { "the fewest" })
        }
        Expr::Col(c) if cat.tables[c.t].columns[c.c].kind == crate::linker::ColumnKind::Date => {
            format!("the {} {}", if *desc { "latest" } else { "earliest" }, label(cat, order))
        }
        other => format!("the {} {}", if *desc { "highest" } else { "lowest" }, label(cat, other)),
    };
    let _ = labels;
    match figure_at {
        // "When was the last order placed?": the value itself.
        Some(i) if only_figure => {
            let mut sentence = format!("{what} is {}.", show(&row[i]));
            if let Some(first) = sentence.get_mut(0..1) {
                first.make_ascii_uppercase();
            }
            sentence
        }
        Some(i) => format!("{subject} has {what} ({}).", show(&row[i])),
        None => format!("{subject} has {what}."),
    }
}

/// Questions this database can answer, to suggest when one could not be read.
pub fn suggestions(cat: &Catalog) -> Vec<String> {
    let mut out = Vec::new();
    let mut tables: Vec<usize> = (0..cat.tables.len()).collect();
    // Bigger tables first: they are what people ask about.
    tables.sort_by_key(|&t| std::cmp::Reverse(cat.table(t).row_estimate.unwrap_or(0)));
    for t in tables.into_iter().take(3) {
        let entity = split_identifier(&cat.table(t).name).join(" ");
        out.push(format!("How many {} are there?", plural(&entity)));
        if let Some(name) = super::parse::name_column(cat, t) {
            let col = split_identifier(&cat.table(t).columns[name].name).join(" ");
            out.push(format!("List the {} of {}", plural(&col), plural(&entity)));
        }
        if let Some(num) = cat.tables[t].columns.iter().position(|c| c.kind.is_numeric() && !c.primary && !c.foreign) {
            let col = split_identifier(&cat.table(t).columns[num].name).join(" ");
            out.push(format!("What is the average {col} of {}?", plural(&entity)));
        }
    }
    out.truncate(5);
    out
}
