//! Reading a question into a [`Query`]: which table it is about, what it
//! asks for (columns, counts, aggregates), which rows (values, comparisons,
//! dates, negations), in which order and how many, grouped how. Every
//! decision is recorded in plain words, so the answer can say how the
//! question was read.
use chrono::NaiveDate;

use super::dates;
use super::query::{reference, Agg, Col, Cond, Expr, Lit, Op, Period, Query};
use crate::linker::words::{tokenize, Token, TokenKind};
use crate::linker::{Catalog, ColumnKind, Target};

/// A question read into a query, with how it was read.
#[derive(Debug, Clone)]
pub struct Reading {
    pub query: Query,
    /// "I read 'singers from France' as singer.country = 'France'", one per decision.
    pub notes: Vec<String>,
}

/// A chosen span of the question and what it refers to.
#[derive(Debug, Clone)]
struct Slot {
    start: usize,
    end: usize,
    target: Target,
    used: bool,
}

struct Parser<'a> {
    cat: &'a Catalog,
    toks: Vec<Token>,
    slots: Vec<Slot>,
    main: usize,
    today: NaiveDate,
    notes: Vec<String>,
    /// Words another reading has already used (the "by revenue" of a ranking).
    hidden: Vec<bool>,
    /// Keys grouped by but not shown (a table's key beside its shown name).
    hidden_groups: Vec<Col>,
    /// Calendar periods grouped by ("per month"), with where they were named.
    periods: Vec<(Expr, usize)>,
    /// Joins from the main table to each table (`None`: not joinable).
    dist: Vec<Option<usize>>,
}

/// Words that name money earned from the rows: a measure, not a column.
const MEASURE: &[&str] =
    &["revenue", "revenues", "sales", "turnover", "income", "earnings", "spend", "spending", "spent", "takings"];
/// Words that turn "order" into a sort order.
const ORDER_WORDS: &[&str] =
    &["order", "ordered", "sort", "sorted", "rank", "ranked", "arranged", "arrange", "list", "listed"];

const AVG: &[&str] = &["average", "avg", "mean"];
const SUM: &[&str] = &["total", "sum", "combined", "overall", "together", "altogether", "cumulative"];
const MAX: &[&str] = &[
    "maximum", "max", "highest", "largest", "biggest", "greatest", "most", "top", "longest", "heaviest", "oldest",
    "latest", "tallest", "best", "richest", "last", "newest", "recent", "priciest", "dearest",
];
const MIN: &[&str] = &[
    "minimum",
    "min",
    "lowest",
    "smallest",
    "least",
    "fewest",
    "shortest",
    "lightest",
    "youngest",
    "earliest",
    "worst",
    "cheapest",
    "poorest",
    "first",
    "oldest_date",
];
const NEGATORS: &[&str] = &[
    "not",
    "no",
    "never",
    "without",
    "except",
    "excluding",
    "besides",
    "other",
    "neither",
    "nor",
    "dont",
    "doesnt",
    "didnt",
    "isnt",
    "arent",
    "wasnt",
    "werent",
    "don't",
    "doesn't",
    "didn't",
    "isn't",
    "aren't",
    "wasn't",
    "weren't",
    "haven't",
    "hasn't",
    "cannot",
];
const GT: &[&str] = &[
    "more",
    "greater",
    "larger",
    "bigger",
    "higher",
    "above",
    "over",
    "exceed",
    "exceeds",
    "exceeding",
    "after",
    "later",
    "older",
    "heavier",
    "taller",
    "longer",
    "since",
    "beyond",
    "past",
];
const LT: &[&str] = &[
    "less", "fewer", "smaller", "lower", "below", "under", "before", "earlier", "younger", "lighter", "shorter",
    "cheaper", "within",
];

fn is_year(n: f64) -> bool {
    n.fract() == 0.0 && (1000.0..=2200.0).contains(&n)
}

impl<'a> Parser<'a> {
    /// The token at `i`, unless another reading has used it.
    fn tok(&self, i: usize) -> Option<&Token> {
        self.toks.get(i).filter(|_| !self.hidden.get(i).copied().unwrap_or(false))
    }

    fn w(&self, i: usize) -> &str {
        self.tok(i).map(|t| t.lower.as_str()).unwrap_or("")
    }

    fn is(&self, i: usize, words: &[&str]) -> bool {
        self.tok(i).is_some_and(|t| t.is(words))
    }

    fn num(&self, i: usize) -> Option<f64> {
        self.tok(i).and_then(Token::number)
    }

    fn hide(&mut self, from: usize, to: usize) {
        for k in from..to.min(self.hidden.len()) {
            self.hidden[k] = true;
        }
        for s in self.slots.iter_mut().filter(|s| s.start >= from && s.end <= to) {
            s.used = true;
        }
    }

    /// Whether the words at `i` are exactly `phrase`.
    fn phrase(&self, i: usize, phrase: &[&str]) -> bool {
        phrase.iter().enumerate().all(|(k, p)| self.w(i + k) == *p)
    }

    fn slot_at(&self, i: usize) -> Option<usize> {
        if self.hidden.get(i).copied().unwrap_or(false) {
            return None;
        }
        self.slots.iter().position(|s| s.start <= i && i < s.end)
    }

    fn col_name(&self, c: Col) -> String {
        format!("{}.{}", self.cat.table(c.t).name, self.cat.table(c.t).columns[c.c].name)
    }

    fn kind(&self, c: Col) -> ColumnKind {
        self.cat.tables[c.t].columns[c.c].kind
    }

    /// The span of words a slot covers, as written.
    fn text(&self, start: usize, end: usize) -> String {
        self.toks[start..end].iter().map(|t| t.text.as_str()).collect::<Vec<_>>().join(" ")
    }

    fn set_main(&mut self, main: usize) {
        self.main = main;
        self.dist = super::query::distances(self.cat, main);
    }

    fn reachable(&self, t: usize) -> bool {
        self.dist.get(t).is_some_and(Option::is_some)
    }

    /// The main table, then the tables joined to it, nearest first.
    fn nearby_tables(&self) -> Vec<usize> {
        let mut tables: Vec<(usize, usize)> =
            self.dist.iter().enumerate().filter_map(|(t, d)| d.map(|d| (d, t))).collect();
        tables.sort();
        tables.into_iter().map(|(_, t)| t).collect()
    }
}

/// The column that names a row of table `t`: `name`, `title`, `*_name`…
pub fn name_column(cat: &Catalog, t: usize) -> Option<usize> {
    let cols = &cat.tables[t].columns;
    let rank = |c: &crate::linker::ColumnInfo| -> Option<usize> {
        let n = c.name.to_ascii_lowercase();
        if c.kind != ColumnKind::Text && c.kind != ColumnKind::Other {
            return None;
        }
        if n == "name" {
            Some(0)
        } else if n == "title" || n == "full_name" || n == "fullname" {
            Some(1)
        } else if n.ends_with("name") && !n.contains("first") && !n.contains("last") && !n.contains("middle") {
            Some(2)
        } else if c.words.last().is_some_and(|w| w == "name") {
            Some(3)
        } else if n.contains("name") || n.contains("title") {
            Some(4)
        } else {
            None
        }
    };
    cols.iter().enumerate().filter_map(|(i, c)| rank(c).map(|r| (r, i))).min().map(|(_, i)| i)
}

/// The primary key column of `t` (the first one), or its first column.
pub fn key_column(cat: &Catalog, t: usize) -> usize {
    cat.tables[t].columns.iter().position(|c| c.primary).unwrap_or(0)
}

/// Read `question` against the catalog; `None` when no table can be told.
pub fn read(cat: &Catalog, question: &str, today: NaiveDate) -> Option<Reading> {
    read_with(cat, question, today, None)
}

/// Read a follow-up about the rows of table `main`.
pub fn read_about(cat: &Catalog, question: &str, today: NaiveDate, main: usize) -> Option<Reading> {
    read_with(cat, question, today, Some(main))
}

fn read_with(cat: &Catalog, question: &str, today: NaiveDate, main: Option<usize>) -> Option<Reading> {
    let toks = tokenize(question);
    if toks.iter().all(|t| !t.is_word() && !matches!(t.kind, TokenKind::Quoted(_))) {
        return None;
    }
    let mentions = cat.mentions(&toks);
    let hidden = vec![false; toks.len()];
    let mut p = Parser {
        cat,
        toks,
        slots: Vec::new(),
        main: 0,
        today,
        notes: Vec::new(),
        hidden,
        hidden_groups: Vec::new(),
        periods: Vec::new(),
        dist: Vec::new(),
    };
    let chosen = match main {
        Some(m) => m,
        None => p.choose_main(&mentions)?,
    };
    p.set_main(chosen);
    p.choose_slots(&mentions);
    Some(p.build())
}

impl Parser<'_> {
    /// The table the question is about: named after a count or a wh-word, or
    /// the one most of its words point at.
    fn choose_main(&self, mentions: &[crate::linker::Mention]) -> Option<usize> {
        let n = self.cat.tables.len();
        let mut score = vec![0.0f64; n];
        let subject_at = self.subject_position();
        // "how many United Airlines flights": of the tables named right after
        // the counting words, the last one is the subject.
        let subject_start = subject_at.and_then(|p| {
            mentions
                .iter()
                .filter(|m| m.start >= p && m.start <= p + 2)
                .filter(|m| m.candidates.iter().any(|c| matches!(c.target, Target::Table(_))))
                .map(|m| m.start)
                .max()
        });
        let mut first_table: Option<(usize, usize)> = None;
        for m in mentions {
            let len = (m.end - m.start) as f64;
            let best = m.best().score;
            // Only the mention's best readings vote, sharing one vote among ties.
            let tops: Vec<&crate::linker::Candidate> = m.candidates.iter().filter(|c| c.score >= best - 0.05).collect();
            let share = 1.0 / tops.len() as f64;
            let tables: Vec<usize> = tops
                .iter()
                .filter_map(|c| match c.target {
                    Target::Table(t) => Some(t),
                    _ => None,
                })
                .collect();
            for c in &tops {
                match &c.target {
                    Target::Table(t) => {
                        let table_share = 1.0 / tables.len().max(1) as f64;
                        let mut s = 3.0 * c.score * len * table_share;
                        if subject_start == Some(m.start) {
                            s += 6.0 * table_share;
                        } else if self.after_group_cue(m.start) {
                            // "average price per category": categories group, products are asked about.
                            s *= 0.4;
                        }
                        if tables.len() == 1
                            && first_table.is_none_or(|(pos, _)| m.start < pos)
                            && !self.after_group_cue(m.start)
                        {
                            first_table = Some((m.start, *t));
                        }
                        score[*t] += s;
                    }
                    // A table that holds the columns named is a strong sign.
                    Target::Column(t, _) => score[*t] += 1.5 * c.score * len,
                    Target::Value(t, _, _) => score[*t] += 0.6 * c.score * share,
                }
            }
        }
        if let Some((_, t)) = first_table {
            score[t] += 2.0;
        }
        let best = (0..n).max_by(|&a, &b| score[a].total_cmp(&score[b]).then(b.cmp(&a)))?;
        if score[best] > 0.0 {
            Some(best)
        } else if let Some(t) = self.measure_table() {
            // "What was the revenue last month?": the table the money is in.
            Some(t)
        } else if n == 1 {
            Some(0)
        } else {
            None
        }
    }

    /// Whether the words before `i` are "per" or "by" (not "order by").
    fn after_group_cue(&self, i: usize) -> bool {
        let mut k = i;
        while k > 0 && self.is(k - 1, &["the", "a", "an", "different"]) {
            k -= 1;
        }
        k > 0 && (self.is(k - 1, &["per"]) || self.is(k - 1, &["by"]) && !self.is(k.wrapping_sub(2), ORDER_WORDS))
    }

    /// The table a measure word ("revenue", "sales") is computed from, when
    /// the question names one.
    fn measure_table(&self) -> Option<usize> {
        if !(0..self.toks.len()).any(|i| self.is(i, MEASURE)) {
            return None;
        }
        (0..self.cat.tables.len()).find_map(|t| {
            let probe = Parser {
                cat: self.cat,
                toks: Vec::new(),
                slots: Vec::new(),
                main: t,
                today: self.today,
                notes: Vec::new(),
                hidden: Vec::new(),
                hidden_groups: Vec::new(),
                periods: Vec::new(),
                dist: super::query::distances(self.cat, t),
            };
            match probe.measure(Agg::Sum)?.0 {
                Expr::Measure { a, .. } if a.t == t => Some(t),
                Expr::Agg { col: Some(c), .. } if c.t == t => Some(t),
                _ => None,
            }
        })
    }

    /// Where the counted or listed thing is named: after "how many", "number
    /// of", "count", or a leading wh-word.
    fn subject_position(&self) -> Option<usize> {
        for (i, _) in self.toks.iter().enumerate() {
            if self.phrase(i, &["how", "many"]) {
                return Some(i + 2 + usize::from(self.is(i + 2, &["different", "distinct", "unique"])));
            }
            if self.phrase(i, &["number", "of"])
                && !self.is(i.wrapping_sub(1), &["by"])
                && !self.phrase(i.wrapping_sub(2), &["by", "the"])
            {
                return Some(i + 2 + usize::from(self.is(i + 2, &["the", "different", "distinct", "unique", "all"])));
            }
        }
        if self.is(0, &["which", "what"]) {
            return Some(1);
        }
        None
    }

    /// Non-overlapping readings of the question's spans, preferring long,
    /// good matches on the main table and the tables it joins.
    fn choose_slots(&mut self, mentions: &[crate::linker::Mention]) {
        const AGG_WORDS: &[&str] = &[
            "average", "avg", "mean", "total", "sum", "maximum", "max", "minimum", "min", "highest", "lowest", "count",
            "number", "largest", "smallest",
        ];
        // An aggregate word names a column only when it stands alone
        // ("the highest average"), not before a list or a column ("average, minimum
        // and maximum age", "average age").
        let aggregate_word = |m: &crate::linker::Mention| -> bool {
            if m.end != m.start + 1 || !self.is(m.start, AGG_WORDS) {
                return false;
            }
            let next = m.end;
            self.is(next, AGG_WORDS)
                || self.is(next, &[",", "and", "or", "of"])
                || mentions
                    .iter()
                    .any(|o| o.start == next && o.candidates.iter().any(|c| matches!(c.target, Target::Column(..))))
        };
        // "ordered by", "sorted by", "in descending order": a sort order, not orders.
        let sort_word = |m: &crate::linker::Mention| -> bool {
            m.end == m.start + 1
                && self.is(m.start, &["order", "ordered", "sort", "sorted", "arranged", "ranked"])
                && (self.is(m.end, &["by"])
                    || self.is(m.start.wrapping_sub(1), &["descending", "ascending", "alphabetical", "reverse", "in"]))
        };
        let mut ranked: Vec<(f64, Slot)> = mentions
            .iter()
            .filter(|m| !aggregate_word(m) && !sort_word(m))
            .filter_map(|m| {
                let weigh = |t: &Target| -> f64 {
                    let table = match t {
                        Target::Table(t) | Target::Column(t, _) | Target::Value(t, _, _) => *t,
                    };
                    if table == self.main {
                        0.3
                    } else if self.reachable(table) {
                        0.1
                    } else {
                        -0.5
                    }
                };
                let mut cands: Vec<(f64, Target)> =
                    m.candidates.iter().map(|c| (c.score + weigh(&c.target), c.target.clone())).collect();
                cands.sort_by(|a, b| b.0.total_cmp(&a.0));
                let (score, target) = cands.first()?.clone();
                if score <= 0.0 {
                    return None;
                }
                let len = (m.end - m.start) as f64;
                Some((score * len.powf(1.3), Slot { start: m.start, end: m.end, target, used: false }))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.start.cmp(&b.1.start)));
        let mut taken = vec![false; self.toks.len()];
        for (_, slot) in ranked {
            if (slot.start..slot.end).any(|i| taken[i]) {
                continue;
            }
            (slot.start..slot.end).for_each(|i| taken[i] = true);
            self.slots.push(slot);
        }
        self.slots.sort_by_key(|s| s.start);
    }
}

/// An item of the projection being collected.
#[derive(Debug, Clone)]
struct Item {
    expr: Expr,
    at: usize,
}

impl Parser<'_> {
    fn build(mut self) -> Reading {
        let mut q = Query { main: self.main, ..Query::default() };
        let boundary = self.projection_end();
        let counting = self.counting(boundary);
        let distinct_words = (0..boundary).any(|i| self.is(i, &["different", "distinct", "unique"]));
        // "top 5 products by revenue": a ranking key after "by".
        let ranked = self.rank_by();

        // What is asked for: the columns named before the boundary, with their aggregates.
        let mut items = self.projection(boundary);
        // Groups: "for each X", "per X", "by X" (not "order by").
        let (mut groups, bare_each) = self.groups();
        // Rows: values, comparisons, dates, negations.
        let conds = self.conditions(boundary);
        // Order and limit: superlatives, "ordered by", "top N".
        let (mut order, mut limit, arg_agg) = match &ranked {
            Some(_) => (Vec::new(), None, None),
            None => self.ordering(&items, &groups),
        };
        if let Some((expr, desc, n)) = ranked {
            items.retain(|i| !i.expr.is_agg() || i.expr == expr);
            if items.iter().all(|i| i.expr.is_agg()) {
                let name = name_column(self.cat, self.main).unwrap_or_else(|| key_column(self.cat, self.main));
                items.insert(0, Item { expr: Expr::Col(Col { t: self.main, c: name }), at: 0 });
            }
            if expr.is_agg() && groups.is_empty() {
                // Ranked rows of the main table: grouped by its key.
                self.hidden_groups.push(Col { t: self.main, c: key_column(self.cat, self.main) });
            }
            if !items.iter().any(|i| i.expr == expr) {
                items.push(Item { expr: expr.clone(), at: usize::MAX });
            }
            order = vec![(expr, desc)];
            limit = Some(n);
        }

        if counting.is_some() && items.iter().all(|i| !i.expr.is_agg()) {
            let distinct_col = counting.and_then(|at| {
                // "how many different X": X is a column.
                let slot = self.slot_at(at)?;
                match self.slots[slot].target {
                    Target::Column(t, c) if distinct_words && self.kind(Col { t, c }) != ColumnKind::Other => {
                        self.slots[slot].used = true;
                        Some(Col { t, c })
                    }
                    _ => None,
                }
            });
            items.retain(|i| distinct_col.is_none_or(|d| i.expr.col() != Some(d)));
            let expr = match distinct_col {
                Some(c) => Expr::Agg { agg: Agg::Count, col: Some(c), distinct: true },
                None => Expr::count(),
            };
            let at = counting.unwrap_or(0);
            // A counted column named before the count word stays a group key.
            if groups.is_empty() && !items.is_empty() && arg_agg.is_none() {
                items.clear();
            }
            items.push(Item { expr, at });
        }

        if bare_each && groups.is_empty() && items.iter().any(|i| i.expr.is_agg()) {
            if let Some(c) = items.iter().find_map(|i| match i.expr {
                Expr::Col(c) => Some(c),
                _ => None,
            }) {
                groups.push(c);
            }
        }
        for g in &groups {
            if !items.iter().any(|i| i.expr.col() == Some(*g) && !i.expr.is_agg()) {
                let at = self
                    .slots
                    .iter()
                    .find(|s| s.target == Target::Column(g.t, g.c))
                    .map(|s| s.start)
                    .unwrap_or(usize::MAX);
                items.push(Item { expr: Expr::Col(*g), at });
            }
        }
        let periods = std::mem::take(&mut self.periods);
        if !periods.is_empty() {
            if items.iter().all(|i| !i.expr.is_agg()) {
                // "orders per month": a count per period.
                items.clear();
                items.push(Item { expr: Expr::count(), at: usize::MAX });
            }
            for (e, at) in &periods {
                items.push(Item { expr: e.clone(), at: *at });
            }
            if order.is_empty() {
                order = periods.iter().map(|(e, _)| (e.clone(), false)).collect();
            }
            items.sort_by_key(|i| if matches!(i.expr, Expr::Period { .. }) { 0 } else { 1 });
        }
        if items.is_empty() && self.is(0, &["when"]) {
            // "When was the last order placed?": the date is the answer.
            let dated = order
                .iter()
                .find_map(|(e, _)| match e {
                    Expr::Col(c) if self.kind(*c) == ColumnKind::Date => Some(*c),
                    _ => None,
                })
                .or_else(|| self.date_column(0));
            if let Some(c) = dated {
                items.push(Item { expr: Expr::Col(c), at: 0 });
            }
        }
        if items.is_empty() {
            let name = name_column(self.cat, self.main).unwrap_or_else(|| key_column(self.cat, self.main));
            items.push(Item { expr: Expr::Col(Col { t: self.main, c: name }), at: 0 });
        }
        if periods.is_empty() {
            items.sort_by_key(|i| i.at);
        }
        for i in items {
            if !q.select.contains(&i.expr) {
                q.select.push(i.expr);
            }
        }
        if !groups.is_empty() && q.select.iter().any(Expr::is_agg) {
            // "per country": the country, then its figures.
            q.select.sort_by_key(Expr::is_agg);
        }
        q.distinct = distinct_words && q.select.iter().all(|e| !e.is_agg()) && groups.is_empty();
        q.conds = conds;
        q.group = groups;
        for g in std::mem::take(&mut self.hidden_groups) {
            if !q.group.contains(&g) {
                q.group.insert(0, g);
            }
        }
        q.order = order;
        q.limit = limit;
        if let Some((agg, op, n)) = self.having(&mut q) {
            q.having.push((agg, op, n));
        }
        // A count of another table's rows ("stadiums and the number of concerts")
        // groups by the main table.
        self.count_other_table(&mut q);
        Reading { query: q, notes: self.notes }
    }

    /// Where the projection ends: at the main table's noun, or at the first
    /// word that starts a condition, a grouping or an ordering.
    fn projection_end(&self) -> usize {
        const CUES: &[&str] = &[
            "whose", "where", "with", "who", "that", "having", "per", "ordered", "sorted", "order", "sort", "grouped",
            "if", "when", "in", "from", "for", "by", "before", "after", "between", "under", "over", "above", "below",
            "than", "without", "located", "born", "whom", "which",
        ];
        for (i, t) in self.toks.iter().enumerate() {
            if i == 0 {
                continue;
            }
            if let Some(s) = self.slot_at(i) {
                let slot = &self.slots[s];
                if slot.start == i
                    && slot.target == Target::Table(self.main)
                    && self.is_subject_noun(i)
                    && !self.is(i, MEASURE)
                {
                    return i;
                }
                continue;
            }
            if t.is(CUES) && !(t.is(&["which", "that"]) && i <= 1) {
                // "along with", "together with", "as well as": the list goes on.
                if t.is(&["with"]) && self.is(i.wrapping_sub(1), &["along", "together"]) {
                    continue;
                }
                return i;
            }
            if t.is(&["each", "every"]) {
                return i;
            }
        }
        self.toks.len()
    }

    /// "top 5 products by revenue", "the 3 best customers by number of
    /// orders", "bottom 10 tracks by sales", "top artists by total
    /// milliseconds": the ranking key after "by" — a count of related rows, a
    /// measure, a column or its total — with the direction and how many. The
    /// words it used are hidden from the other readings.
    fn rank_by(&mut self) -> Option<(Expr, bool, u64)> {
        const RANK: &[&str] = &[
            "top", "bottom", "best", "worst", "highest", "lowest", "biggest", "largest", "smallest", "leading", "most",
            "least", "rank", "ranked", "ranking",
        ];
        const LOW: &[&str] = &["bottom", "worst", "lowest", "smallest", "least"];
        let by = (1..self.toks.len()).find(|&b| self.is(b, &["by"]) && !self.is(b - 1, ORDER_WORDS))?;
        let cue = (0..by).rev().find(|&k| self.is(k, RANK) && self.slot_at(k).is_none())?;
        let desc = !self.is(cue, LOW);
        let count = [cue + 1, cue.wrapping_sub(1)]
            .into_iter()
            .find_map(|k| self.num(k).map(|n| (k, n)))
            .filter(|(_, n)| *n >= 1.0 && n.fract() == 0.0 && *n <= 1000.0);
        let mut k = by + 1;
        while self.is(
            k,
            &[
                "the", "their", "its", "his", "her", "total", "overall", "number", "count", "of", "amount", "how",
                "many", "most",
            ],
        ) && self.slot_at(k).is_none()
        {
            k += 1;
        }
        let summed = (by + 1..k).any(|j| self.is(j, &["total", "overall"]));
        let (expr, end, note) = match self.slot_at(k).map(|s| (s, self.slots[s].target.clone())) {
            Some((s, Target::Table(t))) if t != self.main && self.reachable(t) => {
                let key = Col { t, c: key_column(self.cat, t) };
                let note = format!("ranked by how many {}", self.cat.table(t).name);
                (Expr::Agg { agg: Agg::Count, col: Some(key), distinct: false }, self.slots[s].end, note)
            }
            Some((s, Target::Column(t, c))) if self.kind(Col { t, c }).is_numeric() && self.reachable(t) => {
                let col = Col { t, c };
                let end = self.slots[s].end;
                if t == self.main && !summed {
                    (Expr::Col(col), end, format!("ranked by {}", self.col_name(col)))
                } else {
                    let note = format!("ranked by the total {}", self.col_name(col));
                    (Expr::Agg { agg: Agg::Sum, col: Some(col), distinct: false }, end, note)
                }
            }
            None if self.is(k, MEASURE) => {
                let (expr, note) = self.measure(Agg::Sum)?;
                (expr, k + 1, format!("ranked by {note}"))
            }
            _ => return None,
        };
        let n = match count {
            Some((_, n)) => n as u64,
            // "the top customers": ten; "the top customer": one.
            None => {
                let plural = self.slots.iter().any(|s| {
                    s.target == Target::Table(self.main) && self.toks[s.end - 1].lower != self.toks[s.end - 1].stem
                });
                if plural {
                    10
                } else {
                    1
                }
            }
        };
        self.notes.push(format!("{note}, {} first, {n} shown", if desc { "highest" } else { "lowest" }));
        self.hide(by, end);
        self.hide(cue, cue + 1);
        if let Some((at, _)) = count {
            self.hide(at, at + 1);
        }
        Some((expr, desc, n))
    }

    /// Money earned from the rows ("revenue", "sales"): quantity × unit price
    /// where a table has both, else a total or amount column; nearest tables first.
    fn measure(&self, agg: Agg) -> Option<(Expr, String)> {
        let stems = |words: &[&str]| -> Vec<String> { words.iter().map(|w| crate::linker::words::stem(w)).collect() };
        let (price, quantity, money) = (
            stems(&["price", "cost", "rate"]),
            stems(&["quantity", "qty", "units"]),
            stems(&["total", "amount", "revenue", "sales", "payment", "subtotal", "sale"]),
        );
        let tables = self.nearby_tables();
        let find = |t: usize, wanted: &[String], not: Option<usize>| -> Option<usize> {
            self.cat.tables[t].columns.iter().enumerate().position(|(c, col)| {
                Some(c) != not
                    && col.kind.is_numeric()
                    && !col.primary
                    && !col.foreign
                    && col.words.iter().any(|w| wanted.contains(w))
            })
        };
        for &t in &tables {
            if let Some(q) = find(t, &quantity, None) {
                if let Some(p) = find(t, &price, Some(q)) {
                    let (a, b) = (Col { t, c: q }, Col { t, c: p });
                    let note = format!("{} of {} × {}", agg.word(), self.col_name(a), self.col_name(b));
                    return Some((Expr::Measure { agg, a, b }, note));
                }
            }
        }
        for &t in &tables {
            if let Some(c) = find(t, &money, None) {
                let col = Col { t, c };
                return Some((
                    Expr::Agg { agg, col: Some(col), distinct: false },
                    format!("{} {}", agg.word(), self.col_name(col)),
                ));
            }
        }
        None
    }

    /// A table mention that names the rows asked about ("of singers",
    /// "all the singers"), not a qualifier ("singer names").
    fn is_subject_noun(&self, i: usize) -> bool {
        let s = self.slot_at(i).map(|s| &self.slots[s]);
        let next_is_column =
            s.is_some_and(|s| self.slot_at(s.end).is_some_and(|n| matches!(self.slots[n].target, Target::Column(..))));
        !next_is_column
    }

    /// The position of a counting phrase ("how many X", "number of X", "count
    /// the X") before the boundary, pointing at what is counted.
    fn counting(&self, _boundary: usize) -> Option<usize> {
        for i in 0..self.toks.len() {
            if self.phrase(i, &["how", "many"]) {
                return Some(i + 2 + usize::from(self.is(i + 2, &["different", "distinct", "unique"])));
            }
            if self.phrase(i, &["number", "of"]) || self.phrase(i, &["count", "of"]) {
                let before = if i > 0 { self.w(i - 1) } else { "" };
                // "the maximum number of X" is an aggregate of a number column;
                // "the most number of X" orders by a count.
                if matches!(
                    before,
                    "maximum"
                        | "minimum"
                        | "max"
                        | "min"
                        | "average"
                        | "highest"
                        | "lowest"
                        | "largest"
                        | "smallest"
                        | "most"
                        | "least"
                        | "fewest"
                        | "greatest"
                        | "mean"
                        | "total"
                ) {
                    continue;
                }
                let skip = (i + 2..i + 5)
                    .take_while(|&k| self.is(k, &["the", "all", "different", "distinct", "unique"]))
                    .count();
                return Some(i + 2 + skip);
            }
            if (i == 0 && self.is(i, &["count"])) || (self.is(i, &["count"]) && self.is(i + 1, &["the", "all"])) {
                let skip = (i + 1..i + 5)
                    .take_while(|&k| self.is(k, &["the", "all", "different", "distinct", "unique", "number", "of"]))
                    .count();
                return Some(i + 1 + skip);
            }
        }
        None
    }

    /// The aggregate word right before position `i` (skipping "the", "of").
    fn aggregate_before(&self, i: usize) -> Option<(Agg, usize)> {
        let mut k = i;
        for _ in 0..3 {
            if k == 0 {
                return None;
            }
            k -= 1;
            let w = self.w(k);
            if matches!(w, "the" | "of" | "all" | "a" | "an") {
                continue;
            }
            if self.phrase(k.saturating_sub(1), &["number", "of"]) {
                return None;
            }
            let agg = if AVG.contains(&w) {
                Agg::Avg
            } else if SUM.contains(&w) && !self.is(k + 1, &["number"]) {
                Agg::Sum
            } else if matches!(w, "maximum" | "max" | "highest" | "largest" | "biggest" | "greatest" | "top") {
                Agg::Max
            } else if matches!(w, "minimum" | "min" | "lowest" | "smallest" | "least") {
                Agg::Min
            } else {
                return None;
            };
            return Some((agg, k));
        }
        None
    }

    /// The columns asked for before `boundary`, each with its aggregate.
    fn projection(&mut self, boundary: usize) -> Vec<Item> {
        let mut items = Vec::new();
        // Aggregate words waiting for their column, with where they were written.
        let mut pending: Vec<(Agg, usize)> = Vec::new();
        let mut i = 0;
        while i < boundary {
            // "revenue", "total sales": a measure, even where the word also names a table.
            let measure_word = self.is(i, MEASURE)
                && self
                    .slot_at(i)
                    .is_none_or(|s| matches!(self.slots[s].target, Target::Table(_)) && self.slots[s].end == i + 1);
            if measure_word {
                if let Some((expr, note)) = self.measure(pending.first().map(|p| p.0).unwrap_or(Agg::Sum)) {
                    if let Some(s) = self.slot_at(i) {
                        self.slots[s].used = true;
                    }
                    self.notes.push(note);
                    items.push(Item { expr, at: i });
                    for (_, at) in pending.drain(..) {
                        self.hide(at, at + 1);
                    }
                    i += 1;
                    continue;
                }
            }
            // "average, minimum, and maximum age": aggregates waiting for their column.
            if self.slot_at(i).is_none() {
                let w = self.w(i);
                if AVG.contains(&w) {
                    pending.push((Agg::Avg, i));
                } else if matches!(w, "maximum" | "max" | "highest" | "largest" | "biggest" | "greatest") {
                    pending.push((Agg::Max, i));
                } else if matches!(w, "minimum" | "min" | "lowest" | "smallest") {
                    pending.push((Agg::Min, i));
                } else if matches!(w, "total" | "sum") && !self.is(i + 1, &["number"]) {
                    pending.push((Agg::Sum, i));
                } else if matches!(w, "id" | "ids" | "identifier" | "identifiers")
                    && !self.is(i.wrapping_sub(1), &["with", "whose"])
                {
                    // "the ids of templates": the main table's key.
                    let col = Col { t: self.main, c: key_column(self.cat, self.main) };
                    if !items.iter().any(|it: &Item| it.expr.col() == Some(col)) {
                        items.push(Item { expr: Expr::Col(col), at: i });
                    }
                } else if !matches!(
                    w,
                    "," | "and" | "the" | "of" | "or" | "also" | "number" | "amount" | "value" | "values"
                ) {
                    pending.clear();
                }
                i += 1;
                continue;
            }
            let s = self.slot_at(i).unwrap_or(0);
            let (start, end, target) = (self.slots[s].start, self.slots[s].end, self.slots[s].target.clone());
            i = end;
            let col = match target {
                Target::Column(t, c) => Col { t, c },
                Target::Table(t) if t != self.main && self.is_subject_noun(start) => {
                    continue;
                }
                _ => continue,
            };
            self.slots[s].used = true;
            if pending.is_empty() {
                if let Some((agg, at)) = self.aggregate_before(start) {
                    pending.push((agg, at));
                }
            }
            if pending.is_empty() {
                items.push(Item { expr: Expr::Col(col), at: start });
            } else {
                let used = std::mem::take(&mut pending);
                for (k, (agg, at)) in used.into_iter().enumerate() {
                    // The word is spent: it is not also a superlative.
                    self.hide(at, at + 1);
                    self.notes.push(format!("{} {}", agg.word(), self.text(start, end)));
                    items.push(Item {
                        expr: Expr::Agg { agg, col: Some(col), distinct: false },
                        at: start.saturating_sub(10) + k,
                    });
                }
            }
        }
        items
    }

    /// "for each X", "per X", "by X", "in each X", "of each X": the group
    /// keys; and whether a bare "for each" ends the question (grouping by what
    /// is listed).
    fn groups(&mut self) -> (Vec<Col>, bool) {
        let mut out = Vec::new();
        let mut bare = false;
        for i in 0..self.toks.len() {
            if self.slot_at(i).is_some() {
                continue;
            }
            let cue = self.is(i, &["each", "every", "per"])
                || (self.is(i, &["by"])
                    && !self.is(
                        i.wrapping_sub(1),
                        &[
                            "order",
                            "ordered",
                            "sort",
                            "sorted",
                            "rank",
                            "ranked",
                            "arranged",
                            "caused",
                            "made",
                            "written",
                            "directed",
                            "produced",
                            "owned",
                            "performed",
                            "used",
                            "taught",
                            "held",
                            "played",
                            "sung",
                            "released",
                            "published",
                            "created",
                            "run",
                            "managed",
                            "hosted",
                            "built",
                        ],
                    ));
            if !cue {
                continue;
            }
            let mut k = i + 1;
            while self.is(k, &["the", "different", "distinct", "a", "an", "type", "kind", "of", "one"])
                && self.slot_at(k).is_none()
            {
                k += 1;
            }
            if self.slot_at(k).is_none() {
                if let Some(unit) = Period::from_word(self.w(k)) {
                    // "per month", "by year": the date cut to the period.
                    if let Some(col) = self.date_column(k) {
                        self.notes.push(format!("per {} of {}", unit.word(), self.col_name(col)));
                        self.periods.push((Expr::Period { col, unit }, k));
                        continue;
                    }
                }
            }
            let Some(s) = self.slot_at(k) else {
                // "… for each", "each of them": group by what is listed.
                if self.is(i, &["each"]) && (k >= self.toks.len() || self.is(k, &["?", ".", ",", "them", "of", "and"]))
                {
                    bare = true;
                }
                continue;
            };
            let key = match self.slots[s].target.clone() {
                Target::Column(t, c) => Col { t, c },
                // "each singer" where singers are what is asked about: every row, no group.
                Target::Table(t) if t == self.main => continue,
                Target::Table(t) => {
                    // "for each stadium": the table's rows, shown by their name
                    // and grouped by their key too (two stadiums may share a name).
                    let key = Col { t, c: key_column(self.cat, t) };
                    match name_column(self.cat, t) {
                        Some(c) if c != key.c => {
                            if !self.hidden_groups.contains(&key) {
                                self.hidden_groups.push(key);
                            }
                            Col { t, c }
                        }
                        _ => key,
                    }
                }
                Target::Value(..) => continue,
            };
            self.slots[s].used = true;
            let words = self.text(self.slots[s].start, self.slots[s].end);
            self.notes.push(format!("per {words}"));
            if !out.contains(&key) {
                out.push(key);
            }
        }
        // "monthly revenue", "yearly orders".
        for i in 0..self.toks.len() {
            if self.slot_at(i).is_some()
                || !self.is(i, &["daily", "weekly", "monthly", "quarterly", "yearly", "annual"])
            {
                continue;
            }
            if let (Some(unit), Some(col)) = (Period::from_word(self.w(i)), self.date_column(i)) {
                if !self.periods.iter().any(|(e, _)| matches!(e, Expr::Period { unit: u, .. } if *u == unit)) {
                    self.notes.push(format!("per {} of {}", unit.word(), self.col_name(col)));
                    self.periods.push((Expr::Period { col, unit }, i));
                }
            }
        }
        (out, bare)
    }
}

impl Parser<'_> {
    /// The conditions: values, comparisons with numbers and dates, negations.
    fn conditions(&mut self, boundary: usize) -> Vec<Cond> {
        let mut conds: Vec<(usize, Cond)> = Vec::new();
        // Values seen in the data.
        for s in 0..self.slots.len() {
            let Target::Value(t, c, value) = self.slots[s].target.clone() else { continue };
            if self.slots[s].used || !self.reachable(t) {
                continue;
            }
            self.slots[s].used = true;
            let col = Col { t, c };
            let start = self.slots[s].start;
            let negated = self.negated(start);
            let like = self.like_cue(start);
            let (op, lit) = if like {
                (if negated { Op::NotLike } else { Op::Like }, Lit::Text { value: self.slot_text(s), exact: false })
            } else {
                (if negated { Op::Ne } else { Op::Eq }, Lit::Text { value: value.clone(), exact: true })
            };
            self.notes.push(format!("'{}' as {} {} '{}'", self.slot_text(s), self.col_name(col), op.words(), value));
            conds.push((start, Cond::Cmp { left: Expr::Col(col), op, right: lit }));
        }
        // Quoted text not found in the data.
        for i in 0..self.toks.len() {
            let TokenKind::Quoted(text) = self.toks[i].kind.clone() else { continue };
            if self.slot_at(i).is_some_and(|s| self.slots[s].used) {
                continue;
            }
            let Some(col) = self.column_near(i, |k| k == ColumnKind::Text || k == ColumnKind::Other) else { continue };
            let negated = self.negated(i);
            let like = self.like_cue(i);
            let op = match (like, negated) {
                (true, false) => Op::Like,
                (true, true) => Op::NotLike,
                (false, false) => Op::Eq,
                (false, true) => Op::Ne,
            };
            self.notes.push(format!("\"{text}\" as {} {} \"{text}\"", self.col_name(col), op.words()));
            conds.push((i, Cond::Cmp { left: Expr::Col(col), op, right: Lit::Text { value: text, exact: false } }));
        }
        // "out of stock": the number is zero.
        for i in 0..self.toks.len() {
            if !(self.is(i, &["out"]) && self.is(i + 1, &["of"])) {
                continue;
            }
            let Some(s) = self.slot_at(i + 2).filter(|&s| !self.slots[s].used) else { continue };
            let Target::Column(t, c) = self.slots[s].target else { continue };
            let col = Col { t, c };
            if self.kind(col).is_numeric() && self.reachable(t) {
                self.slots[s].used = true;
                self.notes.push(format!("'out of {}' as {} = 0", self.slot_text(s), self.col_name(col)));
                conds.push((i, Cond::Cmp { left: Expr::Col(col), op: Op::Eq, right: Lit::Num(0.0) }));
            }
        }
        // Relative dates ("last month", "the last 30 days").
        let mut dated = Vec::new();
        if let Some((at, cs, note)) = dates::condition(self) {
            self.notes.push(note);
            dated = cs.into_iter().map(|c| (at, c)).collect();
        }
        // Numbers compared with a column.
        let mut i = 0;
        while i < self.toks.len() {
            if let Some((cond, end)) = self.comparison(i, boundary) {
                conds.push((i, cond));
                i = end;
            } else {
                i += 1;
            }
        }
        // Rows with no related rows: "without concerts", "that have not ordered in 3 months".
        if let Some(mut c) = self.negated_relation() {
            if let Cond::NotIn { fk, conds: inner, .. } = &mut c {
                // A date range on the related table narrows the subquery.
                let (inside, outside): (Vec<_>, Vec<_>) =
                    dated.into_iter().partition(|(_, d)| dates::column_of(d).is_some_and(|col| col.t == fk.t));
                inner.extend(inside.into_iter().map(|(_, d)| d));
                dated = outside;
            }
            conds.push((self.toks.len(), c));
        }
        conds.extend(dated);
        conds.sort_by_key(|(at, _)| *at);
        join_or(self, conds)
    }

    fn slot_text(&self, s: usize) -> String {
        let slot = &self.slots[s];
        match &self.toks[slot.start].kind {
            TokenKind::Quoted(q) if slot.end == slot.start + 1 => q.clone(),
            _ => self.text(slot.start, slot.end),
        }
    }

    /// A negating word shortly before position `i` in the same clause.
    fn negated(&self, i: usize) -> bool {
        let from = i.saturating_sub(4);
        (from..i).any(|k| {
            (self.is(k, NEGATORS) && !self.is(k, &["other"])) || (self.is(k, &["other"]) && self.is(k + 1, &["than"]))
        }) && !(from..i).any(|k| self.is(k, &["and", "or", ","]) && k + 1 < i && !self.is(k + 1, &["not"]))
    }

    /// "containing", "the word", "substring", "like", "starts with": a pattern match.
    fn like_cue(&self, i: usize) -> bool {
        let from = i.saturating_sub(4);
        // "… 'Hey' in its name", "… 'w' in their description".
        let after = self.slot_at(i).map(|s| self.slots[s].end).unwrap_or(i + 1);
        if self.is(after, &["in"]) && self.is(after + 1, &["its", "their", "his", "her", "the"]) {
            return true;
        }
        (from..i).any(|k| {
            self.is(
                k,
                &[
                    "contain",
                    "contains",
                    "containing",
                    "substring",
                    "like",
                    "includes",
                    "including",
                    "include",
                    "word",
                    "string",
                    "phrase",
                    "mention",
                    "mentions",
                    "mentioning",
                ],
            )
        })
    }

    /// The column a value at `i` is compared with: a column named just before
    /// it (or just after), of a fitting kind, on the main table or a joined one.
    fn column_near(&self, i: usize, fits: impl Fn(ColumnKind) -> bool) -> Option<Col> {
        let mut best: Option<(usize, Col)> = None;
        for s in &self.slots {
            let Target::Column(t, c) = s.target else { continue };
            let col = Col { t, c };
            if !fits(self.kind(col)) || !self.reachable(t) {
                continue;
            }
            let dist = if s.end <= i {
                i - s.end
            } else if s.start > i {
                (s.start - i) * 2 + 1
            } else {
                0
            };
            if dist <= 6 && best.is_none_or(|(d, _)| dist < d) {
                best = Some((dist, col));
            }
        }
        best.map(|(_, c)| c).or_else(|| {
            // A name compared with a quoted text: the main table's name column.
            name_column(self.cat, self.main).map(|c| Col { t: self.main, c }).filter(|c| fits(self.kind(*c)))
        })
    }

    /// A comparison starting at `i` ("older than 30", "more than 5 cylinders",
    /// "after 2008", "between 3 and 5", "at least 2", "= 4"); with its end.
    fn comparison(&mut self, i: usize, boundary: usize) -> Option<(Cond, usize)> {
        // Find the number this comparison is about.
        let n = self.num(i)?;
        if self.slot_at(i).is_some_and(|s| self.slots[s].used) {
            return None;
        }
        // A limit ("top 5", "5 largest", "first 3") or a date range ("30 days") is not a condition.
        if self.is_limit_number(i)
            || self
                .is(i + 1, &["day", "days", "week", "weeks", "month", "months", "quarter", "quarters", "year", "years"])
                && self.is(i.wrapping_sub(1), &["last", "past", "previous", "recent", "next", "in", "within", "for"])
        {
            return None;
        }
        // "between X and Y".
        if i >= 1 && self.is(i - 1, &["between"]) {
            let high = self.num(i + 2).filter(|_| self.is(i + 1, &["and"]))?;
            let col = self.compared_column(i - 1, n)?;
            self.notes.push(format!("{} between {} and {}", self.col_name(col), fmt(n), fmt(high)));
            return Some((Cond::Between { col, low: Lit::Num(n), high: Lit::Num(high) }, i + 3));
        }
        let (op, cue_at) = self.comparator(i);
        let col = self.compared_column(cue_at.unwrap_or(i), n)?;
        // Counting comparisons belong to HAVING ("more than 2 concerts", "at least two teachers").
        let mut k = i + 1;
        while self.is(k, &["different", "distinct", "separate", "unique"]) {
            k += 1;
        }
        if self.slot_at(k).is_some_and(|s| matches!(self.slots[s].target, Target::Table(_)))
            || self.is(k, &["times", "time"])
        {
            return None;
        }
        if self.kind(col) == ColumnKind::Date && is_year(n) {
            self.notes.push(format!("{} in a year {} {}", self.col_name(col), op.words(), fmt(n)));
            return Some((Cond::Year { col, op, year: n as i64 }, i + 1));
        }
        let _ = boundary;
        self.notes.push(format!("{} {} {}", self.col_name(col), op.words(), fmt(n)));
        Some((Cond::Cmp { left: Expr::Col(col), op, right: Lit::Num(n) }, i + 1))
    }

    fn is_limit_number(&self, i: usize) -> bool {
        let prev = if i > 0 { self.w(i - 1) } else { "" };
        let next = self.w(i + 1);
        matches!(prev, "top" | "first" | "last" | "bottom")
            || (MAX.contains(&next) || MIN.contains(&next) || matches!(next, "most" | "least"))
                && !matches!(prev, "than" | "over" | "under" | "above" | "below")
    }

    /// The comparison operator written before the number at `i`, and where.
    fn comparator(&self, i: usize) -> (Op, Option<usize>) {
        let from = i.saturating_sub(5);
        let mut op = Op::Eq;
        let mut at = None;
        for k in (from..i).rev() {
            let w = self.w(k);
            let pair = |a: &[&str], b: &[&str]| k >= 1 && self.is(k - 1, a) && self.is(k, b);
            let found = if pair(&["at"], &["least"])
                || pair(&["no", "not"], &["less", "fewer", "lower", "smaller", "under", "below"])
            {
                Some(Op::Ge)
            } else if pair(&["at"], &["most"])
                || pair(&["no", "not"], &["more", "greater", "higher", "larger", "over", "above"])
                || pair(&["up"], &["to"])
            {
                Some(Op::Le)
            } else if GT.contains(&w) {
                Some(Op::Gt)
            } else if LT.contains(&w) {
                Some(Op::Lt)
            } else if matches!(w, "equal" | "equals" | "exactly" | "=") {
                Some(Op::Eq)
            } else if matches!(w, "not" | "other") && self.w(k + 1) != "more" && self.w(k + 1) != "less" {
                Some(Op::Ne)
            } else {
                None
            };
            if let Some(o) = found {
                op = o;
                at = Some(k);
                break;
            }
            if self.slot_at(k).is_some_and(|s| matches!(self.slots[s].target, Target::Value(..))) {
                break;
            }
        }
        // "5 or more", "3 or less".
        if self.phrase(i + 1, &["or", "more"])
            || self.phrase(i + 1, &["or", "greater"])
            || self.phrase(i + 1, &["or", "higher"])
        {
            op = Op::Ge;
        } else if self.phrase(i + 1, &["or", "less"])
            || self.phrase(i + 1, &["or", "fewer"])
            || self.phrase(i + 1, &["or", "lower"])
        {
            op = Op::Le;
        }
        if at.is_some_and(|k| k > 0 && self.is(k - 1, &["or", "and"]) && self.is(k, &["more", "less"])) {
            // "… 4 or more": handled above.
        }
        (op, at)
    }

    /// The column a number is compared with: a numeric column named near the
    /// cue (before it, or right after the number), or one an adjective implies
    /// ("older" → age), or a year column for a year.
    fn compared_column(&mut self, cue: usize, n: f64) -> Option<Col> {
        // An adjective that implies a column wins: "aged 32", "older than 30".
        if let Some(col) = self.implied_by_adjective(cue) {
            return Some(col);
        }
        let numeric = |k: ColumnKind| k.is_numeric() || k == ColumnKind::Other || k == ColumnKind::Date;
        // The nearest column slot before the cue in the same clause.
        let mut best: Option<(usize, usize)> = None;
        for (si, s) in self.slots.iter().enumerate() {
            let Target::Column(t, c) = s.target else { continue };
            if !numeric(self.kind(Col { t, c })) || !self.reachable(t) {
                continue;
            }
            let dist = if s.end <= cue + 1 {
                cue + 1 - s.end
            } else if s.start > cue {
                // "more than 150 horsepower": the column after the number.
                (s.start - cue).saturating_sub(2) + 1
            } else {
                0
            };
            let limit = if s.start > cue { 4 } else { 7 };
            let blocked = (s.end.min(cue)..s.start.max(cue)).any(|k| self.is(k, &[",", ";"]));
            if dist <= limit && !blocked && best.is_none_or(|(d, _)| dist < d) {
                best = Some((dist, si));
            }
        }
        if let Some((_, si)) = best {
            let Target::Column(t, c) = self.slots[si].target else { return None };
            let col = Col { t, c };
            let yearish =
                self.kind(col) == ColumnKind::Date || self.cat.tables[t].columns[c].words.iter().any(|w| w == "year");
            // A year goes to a year column unless the column named is one.
            if !is_year(n) || yearish || self.year_column().is_none() {
                self.slots[si].used = true;
                return Some(col);
            }
        }
        if is_year(n) {
            return self.year_column();
        }
        None
    }

    /// A column an adjective or participle implies: "older than" → age,
    /// "aged 32" → age, "heavier than" → weight.
    fn implied_by_adjective(&self, cue: usize) -> Option<Col> {
        let implied: &[(&[&str], &[&str])] = &[
            (&["older", "younger", "old", "young", "aged", "age"], &["age"]),
            (&["heavier", "lighter", "weigh", "weighs", "weighing", "weighed"], &["weight"]),
            (&["taller", "shorter", "tall"], &["height"]),
            (&["cheaper", "expensive", "costlier", "cost", "costs", "costing", "priced"], &["price", "cost"]),
            (&["longer"], &["length", "duration"]),
        ];
        for k in cue.saturating_sub(2)..=cue + 1 {
            if self.slot_at(k).is_some() {
                continue;
            }
            for (adj, words) in implied {
                if self.is(k, adj) {
                    if let Some(col) = self.column_with_words(words) {
                        return Some(col);
                    }
                }
            }
        }
        None
    }

    /// A numeric column of the main table (or a joined one) whose name has one of `words`.
    fn column_with_words(&self, words: &[&str]) -> Option<Col> {
        let wanted: Vec<String> = words.iter().map(|w| crate::linker::words::stem(w)).collect();
        for t in self.nearby_tables() {
            for (c, col) in self.cat.tables[t].columns.iter().enumerate() {
                if col.words.iter().any(|w| wanted.contains(w)) && !col.foreign && !col.primary {
                    return Some(Col { t, c });
                }
            }
        }
        None
    }

    /// The column that holds a year: named `year`, or a date.
    fn year_column(&self) -> Option<Col> {
        let tables = self.nearby_tables();
        for t in &tables {
            if let Some(c) = self.cat.tables[*t].columns.iter().position(|c| c.words.iter().any(|w| w == "year")) {
                return Some(Col { t: *t, c });
            }
        }
        for t in tables {
            if let Some(c) = self.cat.tables[t].columns.iter().position(|c| c.kind == ColumnKind::Date) {
                return Some(Col { t, c });
            }
        }
        None
    }

    /// "stadiums without any concerts", "who do not have pets": rows of the
    /// main table with no row in a related table.
    fn negated_relation(&mut self) -> Option<Cond> {
        for s in 0..self.slots.len() {
            let Target::Table(t) = self.slots[s].target else { continue };
            if t == self.main || self.slots[s].used || !self.negated(self.slots[s].start) {
                continue;
            }
            let (fk, key) = reference(self.cat, t, self.main).or_else(|| {
                // Through a link table: main ← link → t.
                let link = (0..self.cat.tables.len())
                    .find(|&l| reference(self.cat, l, self.main).is_some() && reference(self.cat, l, t).is_some())?;
                reference(self.cat, link, self.main)
            })?;
            self.slots[s].used = true;
            self.notes.push(format!("with no matching row in {}", self.cat.table(t).name));
            return Some(Cond::NotIn { key, fk, conds: Vec::new() });
        }
        None
    }
}

/// Conditions on the same column joined by "or" become one OR.
fn join_or(p: &Parser<'_>, conds: Vec<(usize, Cond)>) -> Vec<Cond> {
    let mut out: Vec<(usize, Cond)> = Vec::new();
    for (at, c) in conds {
        if let Some((prev_at, prev)) = out.last_mut() {
            let between = *prev_at..at;
            let or = between.clone().any(|k| p.is(k, &["or", "either"])) && !between.clone().any(|k| p.is(k, &["and"]));
            if or {
                let merged = match std::mem::replace(prev, Cond::Any(Vec::new())) {
                    Cond::Any(mut cs) => {
                        cs.push(c);
                        Cond::Any(cs)
                    }
                    first => Cond::Any(vec![first, c]),
                };
                *prev = merged;
                *prev_at = at;
                continue;
            }
        }
        out.push((at, c));
    }
    out.into_iter().map(|(_, c)| c).collect()
}

fn fmt(n: f64) -> String {
    super::query::number(n)
}

impl Parser<'_> {
    /// ORDER BY and LIMIT from superlatives, "ordered by", "top N"; and an
    /// aggregate order ("the most concerts") when a group is implied.
    #[allow(clippy::type_complexity)]
    fn ordering(&mut self, items: &[Item], groups: &[Col]) -> (Vec<(Expr, bool)>, Option<u64>, Option<Agg>) {
        let mut order = Vec::new();
        let mut limit = None;
        // "top 5", "first 3", "5 largest"; "the 3 products with the lowest stock".
        for i in 0..self.toks.len() {
            if let Some(n) = self.num(i) {
                let before_subject =
                    self.slot_at(i + 1).is_some_and(|s| self.slots[s].target == Target::Table(self.main))
                        && self.comparator(i).1.is_none();
                if (self.is_limit_number(i) || before_subject) && n >= 1.0 && n.fract() == 0.0 {
                    limit = Some(n as u64);
                }
            }
        }
        // Explicit ordering: "ordered by X", "sorted by X", "in descending order of X".
        let desc_words = |p: &Self| {
            (0..p.toks.len()).any(|k| {
                p.is(
                    k,
                    &[
                        "descending",
                        "decreasing",
                        "desc",
                        "reverse",
                        "reversed",
                        "reverse-alphabetical",
                        "largest",
                        "highest",
                        "most",
                    ],
                ) && (k == 0 || !p.is(k - 1, &["from"]))
                    || p.phrase(k, &["from", "the", "oldest"])
                    || p.phrase(k, &["from", "oldest"])
                    || p.phrase(k, &["from", "highest"])
                    || p.phrase(k, &["from", "most"])
                    || p.phrase(k, &["from", "largest"])
                    || p.phrase(k, &["from", "the", "largest"])
                    || p.phrase(k, &["from", "the", "highest"])
                    || p.phrase(k, &["from", "the", "most"])
            })
        };
        for i in 0..self.toks.len() {
            // "ordered by", "in descending order", "sorted": a sort order; "order
            // value", "orders placed" are about orders.
            let sort_word = self.is(i, &["sort", "sorted", "rank", "ranked", "arranged", "arrange"])
                || self.is(i, &["order", "ordered"])
                    && (self.is(i + 1, &["by", "of"])
                        || self.is(
                            i.wrapping_sub(1),
                            &[
                                "descending",
                                "ascending",
                                "alphabetical",
                                "reverse",
                                "increasing",
                                "decreasing",
                                "the",
                                "in",
                            ],
                        ));
            let explicit = sort_word
                || (self
                    .is(i, &["descending", "ascending", "alphabetical", "alphabetically", "increasing", "decreasing"]));
            if !explicit {
                continue;
            }
            // The column: after "by"/"of", or the nearest named one.
            let mut col = None;
            let from = (i + 1..(i + 6).min(self.toks.len())).find(|&k| self.is(k, &["by"])).unwrap_or(i + 1);
            for k in from..(from + 6).min(self.toks.len()) {
                if let Some(s) = self.slot_at(k) {
                    if let Target::Column(t, c) = self.slots[s].target {
                        col = Some(Col { t, c });
                        self.slots[s].used = true;
                        break;
                    }
                }
            }
            let alphabetical =
                (0..self.toks.len()).any(|k| self.is(k, &["alphabetical", "alphabetically", "reverse-alphabetical"]));
            let col = col.or_else(|| {
                if alphabetical {
                    items.iter().find_map(|it| match it.expr {
                        Expr::Col(c) if self.kind(c) == ColumnKind::Text => Some(c),
                        _ => None,
                    })
                } else {
                    None
                }
            });
            let desc = desc_words(self);
            if let Some(c) = col {
                self.notes.push(format!("ordered by {}{}", self.col_name(c), if desc { ", descending" } else { "" }));
                order.push((Expr::Col(c), desc));
                return (order, limit, None);
            }
        }
        // Superlatives: "the singer with the highest age", "the oldest singer",
        // "which X has the most Y".
        for i in 0..self.toks.len() {
            let w = self.w(i).to_owned();
            let most = MAX.contains(&w.as_str()) || w == "most";
            let least = MIN.contains(&w.as_str()) || w == "least" || w == "fewest";
            if !most && !least || self.slot_at(i).is_some() {
                continue;
            }
            // "last month", "first 3": a date range or a limit, not a superlative.
            if self
                .is(i + 1, &["day", "week", "month", "quarter", "year", "days", "weeks", "months", "quarters", "years"])
                || self.num(i + 1).is_some()
            {
                continue;
            }
            if i >= 1 && (self.phrase(i - 1, &["at", "least"]) || self.phrase(i - 1, &["at", "most"])) {
                continue;
            }
            // "the most number of X", "the most X" with X a table: ordered by a count.
            if matches!(
                w.as_str(),
                "most" | "least" | "fewest" | "greatest" | "largest" | "highest" | "lowest" | "smallest"
            ) {
                let mut k = i + 1;
                while self.is(k, &["number", "amount", "of", "the", "different", "distinct"])
                    && self.slot_at(k).is_none()
                {
                    k += 1;
                }
                let counted_number = self.phrase(i + 1, &["number", "of"]) || self.phrase(i + 1, &["amount", "of"]);
                let table_next = self.slot_at(k).is_some_and(|s| matches!(self.slots[s].target, Target::Table(_)));
                if table_next && (matches!(w.as_str(), "most" | "least" | "fewest") || counted_number)
                    || self.is(k, &["times"])
                {
                    if let Some(s) = self.slot_at(k) {
                        self.slots[s].used = true;
                    }
                    let desc = matches!(w.as_str(), "most" | "greatest" | "largest" | "highest");
                    self.notes.push(format!(
                        "ordered by how many {}, {}",
                        self.w(k),
                        if desc { "most first" } else { "fewest first" }
                    ));
                    return (vec![(Expr::count(), desc)], Some(limit.unwrap_or(1)), Some(Agg::Count));
                }
            }
            let desc = if matches!(w.as_str(), "oldest") {
                !self.birth_like_next(i)
            } else if w == "first" || w == "earliest" {
                false
            } else {
                most
            };
            // The column: right after the superlative, or implied by the adjective.
            let mut col = None;
            for k in i + 1..(i + 4).min(self.toks.len()) {
                if let Some(s) = self.slot_at(k) {
                    match self.slots[s].target.clone() {
                        Target::Column(t, c)
                            if self.kind(Col { t, c }) != ColumnKind::Text
                                || matches!(w.as_str(), "first" | "last" | "latest" | "earliest") =>
                        {
                            col = Some((Col { t, c }, s));
                        }

                        _ => {}
                    }
                    break;
                }
                if !self.is(k, &["the", "number", "amount", "of", "total"]) {
                    break;
                }
            }
            // "the most expensive", "the least recent": the adjective's column.
            let adjective = if matches!(w.as_str(), "most" | "least") && self.slot_at(i + 1).is_none() {
                self.implied_by_superlative(self.w(i + 1))
            } else {
                None
            };
            let col = col
                .map(|(c, s)| {
                    self.slots[s].used = true;
                    c
                })
                .or(adjective)
                .or_else(|| self.implied_by_superlative(&w));
            let Some(col) = col else {
                // "most common", "most popular": the most frequent value.
                if matches!(self.w(i + 1), "common" | "frequent" | "popular" | "often" | "used" | "usual")
                    || (most
                        && items.iter().any(|it| !it.expr.is_agg())
                        && groups.is_empty()
                        && self.is(i.wrapping_sub(1), &["the"])
                        && self.slot_at(i + 1).is_none())
                {
                    return (vec![(Expr::count(), most)], Some(limit.unwrap_or(1)), Some(Agg::Count));
                }
                continue;
            };
            // Asked for directly ("what is the highest age") → an aggregate, not an order.
            let asked = items.iter().any(|it| it.expr.col() == Some(col));
            if asked && items.len() == 1 && limit.is_none() {
                continue;
            }
            self.notes.push(format!("{} {}", if desc { "highest" } else { "lowest" }, self.col_name(col)));
            order.push((Expr::Col(col), desc));
            return (order, Some(limit.unwrap_or(1)), None);
        }
        // "the top 3" with nothing to order by: the first three (a follow-up
        // orders them by the previous question's figure).
        let explicit =
            (0..self.toks.len()).any(|i| self.num(i).is_some() && self.is(i.wrapping_sub(1), &["top", "first"]));
        let limit = limit.filter(|_| !order.is_empty() || explicit);
        (order, limit, None)
    }

    /// "oldest by birth date": ascending, not descending.
    fn birth_like_next(&self, i: usize) -> bool {
        self.implied_by_superlative("oldest").is_some_and(|c| self.kind(c) == ColumnKind::Date)
            || (i + 1..i + 4).any(|k| self.is(k, &["born", "birth"]))
    }

    /// The column a superlative adjective is about: "oldest" → age (or a birth
    /// date), "largest" → area/size/capacity, "most recent" → a date.
    fn implied_by_superlative(&self, w: &str) -> Option<Col> {
        let words: &[&str] = match w {
            "oldest" | "youngest" => &["age"],
            "heaviest" | "lightest" => &["weight"],
            "tallest" | "shortest" => &["height"],
            "largest" | "biggest" | "smallest" => &["area", "size", "capacity", "population"],
            "longest" => &["length", "duration", "millisecond"],
            "cheapest" | "expensive" | "costly" | "pricey" | "priciest" | "dearest" => &["price", "cost", "amount"],
            "richest" | "poorest" => &["money", "worth", "earning"],
            "latest" | "newest" | "recent" | "earliest" | "last" | "first" => {
                let dated = self.nearby_tables().into_iter().find_map(|t| {
                    let c = self.cat.tables[t].columns.iter().position(|c| c.kind == ColumnKind::Date)?;
                    Some(Col { t, c })
                });
                return dated.or_else(|| self.column_with_words(&["year"]));
            }
            _ => return None,
        };
        self.column_with_words(words)
            .or_else(|| matches!(w, "oldest" | "youngest").then(|| self.column_with_words(&["birth"])).flatten())
    }

    /// HAVING: a count compared with a number in a grouped query ("with more
    /// than 2 concerts", "at least 3 times").
    fn having(&mut self, q: &mut Query) -> Option<(Expr, Op, f64)> {
        for i in 0..self.toks.len() {
            let Some(n) = self.num(i) else { continue };
            if self.slot_at(i).is_some_and(|s| self.slots[s].used) {
                continue;
            }
            let (op, cue) = self.comparator(i);
            cue?;
            let mut k = i + 1;
            while self.is(k, &["different", "distinct", "separate", "unique"]) {
                k += 1;
            }
            let next = self.slot_at(k);
            let counts_table = next.is_some_and(|s| matches!(self.slots[s].target, Target::Table(_)));
            if counts_table || self.is(k, &["times", "time"]) {
                if let Some(s) = next {
                    self.slots[s].used = true;
                }
                if q.group.is_empty() {
                    // Grouped by what is listed, else by the rows of the main table.
                    let key = q.select.iter().find_map(|e| match e {
                        Expr::Col(c) => Some(*c),
                        _ => None,
                    });
                    let main_key = Col { t: q.main, c: key_column(self.cat, q.main) };
                    if key.is_some_and(|k| Some(k.c) == name_column(self.cat, q.main) && k.t == q.main) {
                        // Named rows of the main table: grouped by their key too.
                        q.group.push(main_key);
                    }
                    q.group.push(key.unwrap_or(main_key));
                }
                self.notes.push(format!("groups with a count {} {}", op.words(), fmt(n)));
                return Some((Expr::count(), op, n));
            }
        }
        None
    }

    /// "the names of stadiums and the number of concerts in each": a count of
    /// another table's rows per row of the main table; "which X has the most Y".
    fn count_other_table(&mut self, q: &mut Query) {
        let counts = q.select.iter().any(|e| matches!(e, Expr::Agg { agg: Agg::Count, col: None, .. }))
            || q.order.iter().any(|(e, _)| matches!(e, Expr::Agg { agg: Agg::Count, col: None, .. }))
            || q.having.iter().any(|(e, _, _)| matches!(e, Expr::Agg { agg: Agg::Count, col: None, .. }));
        if !counts {
            return;
        }
        // The counted table: a table named right after the count phrase, other than main.
        let counted = self.slots.iter().find_map(|s| match s.target {
            Target::Table(t)
                if t != q.main && !self.negated(s.start) && self.reachable(t) && self.counted_at(s.start) =>
            {
                Some(t)
            }
            _ => None,
        });
        let plain_cols: Vec<Col> = q
            .select
            .iter()
            .filter_map(|e| match e {
                Expr::Col(c) => Some(*c),
                _ => None,
            })
            .collect();
        match counted {
            Some(t) => {
                if q.group.is_empty() && !plain_cols.is_empty() {
                    q.group.push(Col { t: q.main, c: key_column(self.cat, q.main) });
                }
                // Make sure the counted table is joined.
                if !q.select.iter().chain(q.order.iter().map(|(e, _)| e)).any(|e| e.col().is_some_and(|c| c.t == t)) {
                    let key = Col { t, c: key_column(self.cat, t) };
                    for e in q.select.iter_mut().chain(q.order.iter_mut().map(|(e, _)| e)) {
                        if let Expr::Agg { agg: Agg::Count, col, .. } = e {
                            if col.is_none() {
                                *col = Some(key);
                            }
                        }
                    }
                    for (e, _, _) in q.having.iter_mut() {
                        if let Expr::Agg { agg: Agg::Count, col, .. } = e {
                            if col.is_none() {
                                *col = Some(key);
                            }
                        }
                    }
                }
            }
            None => {
                // "which year has the most concerts" with the count on the main table.
                let ordered_by_count = q.order.iter().any(|(e, _)| e.is_agg());
                if q.group.is_empty() && (ordered_by_count || !q.having.is_empty()) {
                    if let Some(c) = plain_cols.first() {
                        q.group.push(*c);
                    } else {
                        q.group.push(Col { t: q.main, c: key_column(self.cat, q.main) });
                    }
                }
            }
        }
    }

    /// Whether the table mention at `i` is what a count counts.
    fn counted_at(&self, i: usize) -> bool {
        let from = i.saturating_sub(4);
        (from..i).any(|k| self.is(k, &["number", "many", "count", "most", "least", "fewest", "more", "less", "fewer"]))
            || self.num(i.wrapping_sub(1)).is_some()
    }
}

pub(super) trait DateContext {
    fn tokens(&self) -> &[Token];
    fn today(&self) -> NaiveDate;
    /// The date column a date phrase at `at` is about.
    fn date_column(&self, at: usize) -> Option<Col>;
    fn column_label(&self, c: Col) -> String;
}

impl DateContext for Parser<'_> {
    fn tokens(&self) -> &[Token] {
        &self.toks
    }
    fn today(&self) -> NaiveDate {
        self.today
    }
    fn date_column(&self, at: usize) -> Option<Col> {
        // A date column named in the question.
        for s in &self.slots {
            if let Target::Column(t, c) = s.target {
                if self.kind(Col { t, c }) == ColumnKind::Date && self.reachable(t) {
                    return Some(Col { t, c });
                }
            }
        }
        let first_date = |t: usize| self.cat.tables[t].columns.iter().position(|c| c.kind == ColumnKind::Date);
        // The date of the nearest table named before the phrase ("customers who
        // ordered last month": the orders' date).
        let nearest = self
            .slots
            .iter()
            .filter(|s| s.end <= at)
            .rev()
            .filter_map(|s| match s.target {
                Target::Table(t) | Target::Column(t, _) | Target::Value(t, _, _) if self.reachable(t) => Some(t),
                _ => None,
            })
            .find_map(|t| Some(Col { t, c: first_date(t)? }));
        if nearest.is_some() {
            return nearest;
        }
        let tables = self.nearby_tables();
        for t in tables {
            if let Some(c) = self.cat.tables[t].columns.iter().position(|c| c.kind == ColumnKind::Date) {
                return Some(Col { t, c });
            }
        }
        None
    }
    fn column_label(&self, c: Col) -> String {
        self.col_name(c)
    }
}
