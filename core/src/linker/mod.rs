//! The schema linker: question words to tables, columns and values. One linker
//! serves both engines — the offline planner builds its query from the
//! mentions it finds, and the prompt for remote models keeps the tables it
//! ranks highest — so better linking improves both.
//!
//! A [`Catalog`] is built once per introspected schema (and cached with the
//! session's pool): the words of every table and column, and the
//! [`ValueIndex`] of distinct values sampled from the data.
mod values;
pub mod words;

pub use values::{build as build_values, ColumnValues, ValueIndex, ValueMatch};

use std::collections::HashMap;
use std::sync::Arc;

use sqlagent_model::{Schema, Table};

use words::{abbreviates, is_weak, same_word, split_identifier, stem, synonyms, Token, TokenKind};

/// What kind of values a column holds, as far as its declared type says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    Text,
    Integer,
    Decimal,
    Date,
    Boolean,
    Other,
}

impl ColumnKind {
    fn of(data_type: &str) -> Self {
        let t = data_type.to_ascii_lowercase();
        if t.contains("bool") || t == "bit" || t == "bit(1)" {
            ColumnKind::Boolean
        } else if t.contains("date") || t.contains("time") || t.contains("year") {
            ColumnKind::Date
        } else if t.contains("int") || t.contains("serial") {
            ColumnKind::Integer
        } else if t.contains("real")
            || t.contains("float")
            || t.contains("double")
            || t.contains("numeric")
            || t.contains("decimal")
            || t.contains("money")
            || t.contains("number")
        {
            ColumnKind::Decimal
        } else if t.is_empty()
            || t.contains("char")
            || t.contains("text")
            || t.contains("clob")
            || t.contains("string")
            || t.contains("enum")
            || t.contains("name")
            || t.contains("citext")
        {
            ColumnKind::Text
        } else {
            ColumnKind::Other
        }
    }

    pub fn is_numeric(self) -> bool {
        matches!(self, ColumnKind::Integer | ColumnKind::Decimal)
    }
}

/// A column as the linker sees it.
#[derive(Debug, Clone)]
pub struct ColumnInfo {
    pub name: String,
    /// Stems of the name's words (and of its comment's, marked weaker).
    pub words: Vec<String>,
    pub comment_words: Vec<String>,
    pub kind: ColumnKind,
    pub primary: bool,
    /// A date kept as text (common in SQLite: `ordered_at TEXT`), told by its
    /// name; compared as ISO text, never cast.
    pub text_date: bool,
    /// Part of a foreign key of its table.
    pub foreign: bool,
}

/// A table as the linker sees it.
#[derive(Debug, Clone)]
pub struct TableInfo {
    pub words: Vec<String>,
    pub comment_words: Vec<String>,
    pub columns: Vec<ColumnInfo>,
}

/// Everything the linker knows about one database: its schema, the words of
/// its names, and a sample of its values.
#[derive(Debug)]
pub struct Catalog {
    pub schema: Arc<Schema>,
    pub tables: Vec<TableInfo>,
    pub values: ValueIndex,
    by_name: HashMap<String, usize>,
}

/// A column name that says it holds a date or a moment: `ordered_at`,
/// `created_on`, `birth_date`, `InvoiceDate`, `updated`, `timestamp`.
fn date_like_name(name: &str) -> bool {
    let words = split_identifier(name);
    let last = words.last().map(String::as_str).unwrap_or("");
    matches!(last, "at" | "on" | "date" | "dt" | "timestamp" | "datetime" | "day")
        || words.iter().any(|w| matches!(w.as_str(), "date" | "datetime" | "timestamp"))
        || (words.len() > 1 && matches!(last, "time") && !words.iter().any(|w| w == "run" || w == "lap"))
}

fn stems(words: &[String]) -> Vec<String> {
    words.iter().map(|w| stem(w)).collect()
}

fn comment_stems(comment: Option<&str>) -> Vec<String> {
    comment
        .map(|c| {
            words::tokenize(c).into_iter().filter(|t| t.is_word() && !is_stopword(&t.lower)).map(|t| t.stem).collect()
        })
        .unwrap_or_default()
}

impl Catalog {
    pub fn new(schema: Arc<Schema>, values: ValueIndex) -> Self {
        let tables: Vec<TableInfo> = schema
            .tables
            .iter()
            .map(|t| TableInfo {
                words: stems(&split_identifier(&t.name)),
                comment_words: comment_stems(t.comment.as_deref()),
                columns: t
                    .columns
                    .iter()
                    .map(|c| {
                        let declared = ColumnKind::of(&c.data_type);
                        let text_date = declared == ColumnKind::Text && date_like_name(&c.name);
                        ColumnInfo {
                            name: c.name.clone(),
                            words: stems(&split_identifier(&c.name)),
                            comment_words: comment_stems(c.comment.as_deref()),
                            kind: if text_date { ColumnKind::Date } else { declared },
                            text_date,
                            primary: t.primary_key.iter().any(|p| p.eq_ignore_ascii_case(&c.name)),
                            foreign: t
                                .foreign_keys
                                .iter()
                                .any(|f| f.columns.iter().any(|fc| fc.eq_ignore_ascii_case(&c.name))),
                        }
                    })
                    .collect(),
            })
            .collect();
        let by_name = schema.tables.iter().enumerate().map(|(i, t)| (t.name.to_lowercase(), i)).collect();
        Catalog { schema, tables, values, by_name }
    }

    pub fn table(&self, t: usize) -> &Table {
        &self.schema.tables[t]
    }

    /// A table by name, ignoring case.
    pub fn table_named(&self, name: &str) -> Option<usize> {
        self.by_name.get(&name.to_lowercase()).copied()
    }

    /// A column of table `t` by name, ignoring case.
    pub fn column_named(&self, t: usize, name: &str) -> Option<usize> {
        self.tables[t].columns.iter().position(|c| c.name.eq_ignore_ascii_case(name))
    }
}

/// Words that carry no reference to a table or column.
pub fn is_stopword(w: &str) -> bool {
    matches!(
        w,
        "the"
            | "a"
            | "an"
            | "of"
            | "for"
            | "in"
            | "on"
            | "at"
            | "to"
            | "by"
            | "with"
            | "and"
            | "or"
            | "all"
            | "each"
            | "every"
            | "what"
            | "which"
            | "who"
            | "whom"
            | "whose"
            | "is"
            | "are"
            | "was"
            | "were"
            | "be"
            | "been"
            | "do"
            | "does"
            | "did"
            | "have"
            | "has"
            | "had"
            | "how"
            | "many"
            | "much"
            | "show"
            | "list"
            | "give"
            | "find"
            | "return"
            | "tell"
            | "me"
            | "us"
            | "that"
            | "this"
            | "these"
            | "those"
            | "their"
            | "its"
            | "there"
            | "as"
            | "than"
            | "from"
            | "into"
            | "per"
            | "any"
            | "some"
            | "please"
            | "can"
            | "you"
            | "i"
            | "we"
            | "our"
            | "my"
            | "it"
            | "they"
            | "them"
            | "also"
            | "both"
            | "either"
            | "whether"
            | "when"
            | "where"
            | "display"
            | "get"
            | "know"
            | "want"
            | "like"
            | "would"
            | "could"
            | "should"
            | "about"
            | "s"
            | "his"
            | "her"
            | "he"
            | "she"
            | "one"
            | "ones"
    )
}

/// What a span of question words may refer to.
#[derive(Debug, Clone, PartialEq)]
pub enum Target {
    Table(usize),
    Column(usize, usize),
    /// A value seen in the data (table, column, the value as stored).
    Value(usize, usize, String),
}

/// One reading of a span, with how good a match it is (0–1].
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub target: Target,
    pub score: f64,
}

/// A span of question tokens `[start, end)` and what it may refer to, best first.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    pub start: usize,
    pub end: usize,
    pub candidates: Vec<Candidate>,
}

impl Mention {
    pub fn best(&self) -> &Candidate {
        &self.candidates[0]
    }
}

/// Longest span (in words) compared with a name.
const MAX_SPAN: usize = 5;

/// Ordinal words for the digits in names (`line_1` is "the first line").
fn ordinal(word: &str) -> Option<&'static str> {
    match word {
        "first" | "1st" => Some("1"),
        "second" | "2nd" => Some("2"),
        "third" | "3rd" => Some("3"),
        "fourth" | "4th" => Some("4"),
        _ => None,
    }
}

/// How much of `name` (stems) the span `words` covers, with every content
/// word of the span used; 0 when the span says something the name does not.
/// `owner` holds the words of the column's table: a column name repeats them
/// (`pet_age` in `pets`), so they weigh little and need not be said.
fn cover(words: &[&Token], name: &[String], extra: &[String]) -> f64 {
    cover_in(words, name, extra, &[])
}

fn cover_in(words: &[&Token], name: &[String], extra: &[String], owner: &[String]) -> f64 {
    if name.is_empty() {
        return 0.0;
    }
    let weight = |w: &str| {
        if matches!(w, "of" | "the" | "in" | "at" | "on" | "by" | "for" | "and" | "to" | "a") {
            0.1
        } else if owner.iter().any(|o| o == w) && name.len() > 1 {
            0.2
        } else if is_weak(w) {
            0.3
        } else {
            1.0
        }
    };
    let total: f64 = name.iter().map(|w| weight(w)).sum();
    let mut used = vec![false; name.len()];
    let mut matched = 0.0;
    let mut content = 0;
    let mut skip = 0;
    for (i, t) in words.iter().enumerate() {
        if skip > 0 {
            skip -= 1;
            continue;
        }
        if is_stopword(&t.lower) {
            continue;
        }
        content += 1;
        // "high schoolers" for `Highschooler`: two words written as one.
        if let Some(next) = words.get(i + 1) {
            let joined = crate::linker::words::stem(&format!("{}{}", t.lower, next.lower));
            if let Some(k) = name
                .iter()
                .enumerate()
                .position(|(k, n)| !used[k] && n.len() >= 6 && crate::linker::words::edit_distance(&joined, n, 1) <= 1)
            {
                used[k] = true;
                matched += weight(&name[k]);
                skip = 1;
                continue;
            }
        }
        let hit = name.iter().enumerate().position(|(k, n)| {
            !used[k]
                && (same_word(&t.stem, n)
                    || abbreviates(n, &t.stem)
                    || words::expands_to(n, &t.stem)
                    || ordinal(&t.lower) == Some(n.as_str())
                    || synonyms(&t.stem).iter().any(|s| same_word(s, n))
                    || (t.stem.len() >= 2 && t.lower.len() <= 4 && is_acronym_of(&t.lower, name)))
        });
        match hit {
            Some(k) => {
                used[k] = true;
                // A synonym or an abbreviation counts a little less than the word itself.
                let exact = same_word(&t.stem, &name[k]);
                matched += weight(&name[k]) * if exact { 1.0 } else { 0.85 };
            }
            None if extra.iter().any(|e| same_word(&t.stem, e)) => matched += 0.0,
            None => return 0.0,
        }
    }
    if content == 0 {
        return 0.0;
    }
    (matched / total).min(1.0)
}

/// `mpg` for "miles per gallon": the initials of a multi-word name.
fn is_acronym_of(word: &str, name: &[String]) -> bool {
    name.len() >= 2 && name.iter().filter_map(|w| w.chars().next()).collect::<String>() == word
}

/// The initials of a span ("miles per gallon" → "mpg").
fn initials(words: &[&Token]) -> String {
    words.iter().filter_map(|t| t.lower.chars().next()).collect()
}

impl Catalog {
    /// Every span of the question that names a table, a column or a value.
    /// Spans may overlap; the planner chooses among them.
    pub fn mentions(&self, tokens: &[Token]) -> Vec<Mention> {
        let mut out = Vec::new();
        for start in 0..tokens.len() {
            if !tokens[start].is_word() && !matches!(tokens[start].kind, TokenKind::Quoted(_)) {
                continue;
            }
            for end in start + 1..=(start + MAX_SPAN).min(tokens.len()) {
                let span: Vec<&Token> = tokens[start..end].iter().collect();
                if span.iter().any(|t| !t.is_word() && !matches!(t.kind, TokenKind::Quoted(_))) {
                    break;
                }
                // Inside a name only little words may stand ("year of independence",
                // "head of state"), never ones that start a clause ("pets whose age").
                let inner_ok = span.iter().all(|t| {
                    !is_stopword(&t.lower)
                        || matches!(t.lower.as_str(), "of" | "the" | "a" | "an" | "per" | "to" | "in" | "on")
                });
                if !inner_ok {
                    let value = self.value_candidates(&span);
                    if !value.is_empty() {
                        out.push(Mention { start, end, candidates: value });
                    }
                    continue;
                }
                if is_stopword(&span[0].lower) || is_stopword(&span[span.len() - 1].lower) {
                    // Names may hold stopwords inside ("year of independence"), not at the edges;
                    // values may (a quoted title, a city called "The Hague").
                    let value = self.value_candidates(&span);
                    if !value.is_empty() {
                        out.push(Mention { start, end, candidates: value });
                    }
                    continue;
                }
                let mut candidates = self.name_candidates(&span);
                candidates.extend(self.value_candidates(&span));
                if candidates.is_empty() {
                    continue;
                }
                candidates.sort_by(|a, b| b.score.total_cmp(&a.score));
                out.push(Mention { start, end, candidates });
            }
        }
        out
    }

    fn name_candidates(&self, span: &[&Token]) -> Vec<Candidate> {
        if span.iter().any(|t| matches!(t.kind, TokenKind::Quoted(_))) {
            return Vec::new();
        }
        let acronym = initials(span);
        let mut out = Vec::new();
        for (ti, table) in self.tables.iter().enumerate() {
            let s = cover(span, &table.words, &table.comment_words);
            if s >= 0.5 {
                out.push(Candidate { target: Target::Table(ti), score: s });
            }
            for (ci, col) in table.columns.iter().enumerate() {
                let mut s = cover_in(span, &col.words, &col.comment_words, &table.words);
                // "miles per gallon" → mpg.
                if s == 0.0 && span.len() >= 2 && col.words.len() == 1 && col.words[0] == acronym {
                    s = 0.9;
                }
                // Column comments can carry the words the question uses.
                if s == 0.0 && !col.comment_words.is_empty() {
                    s = 0.7 * cover(span, &col.comment_words, &[]);
                }
                if s >= 0.45 {
                    out.push(Candidate { target: Target::Column(ti, ci), score: s });
                }
            }
        }
        out
    }

    fn value_candidates(&self, span: &[&Token]) -> Vec<Candidate> {
        let quoted = span.iter().any(|t| matches!(t.kind, TokenKind::Quoted(_)));
        // A little word is a word, not a value ("in", "a", "and"), unless quoted.
        let little = |w: &str| {
            is_stopword(w)
                || matches!(
                    w,
                    "no" | "not"
                        | "yes"
                        | "i"
                        | "a"
                        | "number"
                        | "name"
                        | "names"
                        | "total"
                        | "average"
                        | "all"
                        | "most"
                        | "least"
                        | "first"
                        | "last"
                        | "new"
                        | "old"
                        | "other"
                        | "more"
                        | "less"
                        | "same"
                )
        };
        if !quoted && span.len() == 1 && little(&span[0].lower) {
            return Vec::new();
        }
        let text: Vec<&str> = span
            .iter()
            .map(|t| match &t.kind {
                TokenKind::Quoted(q) => q.as_str(),
                _ => t.text.as_str(),
            })
            .collect();
        let text = text.join(" ");
        self.values
            .lookup(&text)
            .into_iter()
            .map(|m| Candidate { target: Target::Value(m.table, m.column, m.value), score: m.score })
            .collect()
    }

    /// Tables ranked for a question (best first), for pruning a prompt.
    pub fn rank_tables(&self, question: &str) -> Vec<(usize, f64)> {
        let tokens = words::tokenize(question);
        let mut score = vec![0.0f64; self.tables.len()];
        for m in self.mentions(&tokens) {
            for c in &m.candidates {
                let (t, w) = match &c.target {
                    Target::Table(t) => (*t, 3.0),
                    Target::Column(t, _) => (*t, 1.0),
                    Target::Value(t, _, _) => (*t, 2.0),
                };
                score[t] += w * c.score * (m.end - m.start) as f64;
            }
        }
        let mut ranked: Vec<(usize, f64)> = score.into_iter().enumerate().collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked
    }
}

#[cfg(test)]
pub(crate) mod fixture;
#[cfg(test)]
mod tests;
