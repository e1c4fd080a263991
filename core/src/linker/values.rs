//! The value index: distinct values of the text columns that look like
//! categories or names, sampled through the read-only path when a session
//! connects, so that "customers in Brazil" finds `country = 'Brazil'` and
//! "rock tracks" finds `genre.name = 'Rock'`. Bounded in columns, rows,
//! values and time.
use std::collections::HashMap;
use std::time::{Duration, Instant};

use sqlagent_model::Schema;

use super::words::stem;
use super::ColumnKind;
use crate::pools::Pool;
use crate::sqlguard::{self, Limits, Scope};
use crate::targets::DbKind;

/// Columns sampled per database.
const MAX_COLUMNS: usize = 200;
/// Distinct values kept per column.
const MAX_VALUES_PER_COLUMN: usize = 2_000;
/// Rows read per column to find them (a sample on big tables).
const SAMPLE_ROWS: usize = 50_000;
/// Longest value kept (longer text is prose, not a name).
const MAX_VALUE_CHARS: usize = 60;
/// Time for the whole index, and for one column.
const BUDGET: Duration = Duration::from_secs(4);
const PER_COLUMN: Duration = Duration::from_secs(2);

/// One column's sampled values, most frequent first.
#[derive(Debug, Clone, Default)]
pub struct ColumnValues {
    pub table: usize,
    pub column: usize,
    pub values: Vec<(String, i64)>,
    /// Every distinct value was seen (not cut by the sample or the cap).
    pub complete: bool,
}

/// A value found in a question.
#[derive(Debug, Clone, PartialEq)]
pub struct ValueMatch {
    pub table: usize,
    pub column: usize,
    /// As stored.
    pub value: String,
    pub score: f64,
}

/// Distinct values by their normalised text.
#[derive(Debug, Clone, Default)]
pub struct ValueIndex {
    pub columns: Vec<ColumnValues>,
    by_text: HashMap<String, Vec<(usize, usize)>>,
}

/// Lower case, single spaces, no surrounding punctuation, accents off
/// ("São Paulo" and "sao paulo" meet).
pub fn normalise(text: &str) -> String {
    let t: String = text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    t.trim_matches(|c: char| !c.is_alphanumeric()).chars().map(fold).collect()
}

/// A Latin letter without its accent.
fn fold(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'ď' | 'đ' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => 'i',
        'ł' | 'ľ' | 'ĺ' => 'l',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'o',
        'ř' | 'ŕ' => 'r',
        'ś' | 'š' | 'ş' | 'ș' => 's',
        'ť' | 'ţ' | 'ț' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => 'u',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        other => other,
    }
}

/// The same text with its last word stemmed ("cats" → "cat").
fn stemmed(norm: &str) -> String {
    match norm.rsplit_once(' ') {
        Some((head, last)) => format!("{head} {}", stem(last)),
        None => stem(norm),
    }
}

impl ValueIndex {
    pub fn from_columns(columns: Vec<ColumnValues>) -> Self {
        let mut by_text: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        for (ci, col) in columns.iter().enumerate() {
            for (vi, (value, _)) in col.values.iter().enumerate() {
                let norm = normalise(value);
                if norm.is_empty() {
                    continue;
                }
                let stem = stemmed(&norm);
                by_text.entry(norm.clone()).or_default().push((ci, vi));
                if stem != norm {
                    by_text.entry(stem).or_default().push((ci, vi));
                }
            }
        }
        ValueIndex { columns, by_text }
    }

    /// The values a piece of question text names.
    pub fn lookup(&self, text: &str) -> Vec<ValueMatch> {
        let norm = normalise(text);
        if norm.is_empty() || norm.chars().all(|c| c.is_ascii_digit()) {
            return Vec::new();
        }
        let exact = self.by_text.get(&norm);
        let (hits, score) = match exact {
            Some(h) => (h, 1.0),
            None => match self.by_text.get(&stemmed(&norm)) {
                Some(h) => (h, 0.9),
                None => return Vec::new(),
            },
        };
        let mut out: Vec<ValueMatch> = hits
            .iter()
            .map(|&(ci, vi)| {
                let col = &self.columns[ci];
                let (value, _) = &col.values[vi];
                // A value written exactly as stored is the better reading.
                let s = if value == text.trim() { score } else { score * 0.95 };
                ValueMatch { table: col.table, column: col.column, value: value.clone(), score: s }
            })
            .collect();
        out.dedup_by(|a, b| a.table == b.table && a.column == b.column && a.value == b.value);
        out
    }

    /// The sampled values of one column, if it was sampled.
    pub fn of(&self, table: usize, column: usize) -> Option<&ColumnValues> {
        self.columns.iter().find(|c| c.table == table && c.column == column)
    }

    pub fn len(&self) -> usize {
        self.columns.iter().map(|c| c.values.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Whether a column is worth sampling: text that may be a category or a name.
fn worth_sampling(name: &str, kind: ColumnKind) -> bool {
    let lower = name.to_ascii_lowercase();
    let private = ["email", "mail", "phone", "password", "hash", "token", "secret", "ssn", "url", "fax"];
    kind == ColumnKind::Text && !private.iter().any(|p| lower.contains(p))
}

fn quote(kind: DbKind, ident: &str) -> String {
    match kind {
        DbKind::MySql => format!("`{}`", ident.replace('`', "``")),
        _ => format!("\"{}\"", ident.replace('"', "\"\"")),
    }
}

/// Sample the values of `schema`'s text columns on `pool`, through the guard
/// and the read-only executor, within the budget.
#[tracing::instrument(skip_all)]
pub async fn build(pool: &Pool, schema: &Schema, scope: &Scope) -> ValueIndex {
    let started = Instant::now();
    let mut columns = Vec::new();
    let limits =
        Limits { max_rows: MAX_VALUES_PER_COLUMN + 1, max_bytes: 512 * 1024, timeout: PER_COLUMN, ceiling: None };
    'tables: for (ti, table) in schema.tables.iter().enumerate() {
        for (ci, col) in table.columns.iter().enumerate() {
            if columns.len() >= MAX_COLUMNS || started.elapsed() > BUDGET {
                break 'tables;
            }
            if !worth_sampling(&col.name, ColumnKind::of(&col.data_type)) {
                continue;
            }
            let c = quote(scope.kind, &col.name);
            let from = match &table.schema {
                Some(s) if scope.kind == DbKind::Postgres => {
                    format!("{}.{}", quote(scope.kind, s), quote(scope.kind, &table.name))
                }
                _ => quote(scope.kind, &table.name),
            };
            let sql = format!(
                "SELECT v, count(*) AS n FROM (SELECT {c} AS v FROM {from} LIMIT {SAMPLE_ROWS}) AS s \
                 WHERE v IS NOT NULL GROUP BY v ORDER BY n DESC LIMIT {}",
                MAX_VALUES_PER_COLUMN + 1
            );
            let Ok(checked) = sqlguard::check(&sql, scope) else { continue };
            let Ok(result) = sqlguard::execute(pool, &checked, limits).await else { continue };
            let complete = result.rows.len() <= MAX_VALUES_PER_COLUMN;
            let values: Vec<(String, i64)> = result
                .rows
                .iter()
                .take(MAX_VALUES_PER_COLUMN)
                .filter_map(|r| {
                    let v = r.first()?.as_str()?.to_owned();
                    let n = r.get(1).and_then(|n| n.as_i64().or_else(|| n.as_str()?.parse().ok())).unwrap_or(1);
                    (!v.trim().is_empty() && v.chars().count() <= MAX_VALUE_CHARS).then_some((v, n))
                })
                .collect();
            if !values.is_empty() {
                columns.push(ColumnValues { table: ti, column: ci, values, complete });
            }
        }
    }
    let index = ValueIndex::from_columns(columns);
    tracing::debug!(values = index.len(), elapsed_ms = started.elapsed().as_millis() as u64, "value index built");
    index
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_found_by_their_text_in_any_case_and_number() {
        let index = ValueIndex::from_columns(vec![
            ColumnValues {
                table: 0,
                column: 3,
                values: vec![("Brazil".into(), 5), ("USA".into(), 13)],
                complete: true,
            },
            ColumnValues {
                table: 2,
                column: 1,
                values: vec![("cat".into(), 2), ("Rock".into(), 1297)],
                complete: true,
            },
        ]);
        assert_eq!(index.lookup("brazil")[0].value, "Brazil");
        assert_eq!(index.lookup("Brazil")[0].score, 1.0);
        assert_eq!(index.lookup("cats")[0].value, "cat");
        assert_eq!(index.lookup("rock")[0].table, 2);
        assert!(index.lookup("2013").is_empty() && index.lookup("nowhere").is_empty());
    }
}
