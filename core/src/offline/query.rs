//! The offline engine's reading of a question: a small relational query over
//! the catalog's tables and columns, and its rendering as SQL in each dialect
//! (identifier quoting, literals, dates, joins along foreign keys, strict
//! GROUP BY for PostgreSQL).
use std::collections::{BTreeSet, VecDeque};

use crate::linker::{Catalog, ColumnKind};
use crate::targets::DbKind;

/// A column of a table of the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Col {
    pub t: usize,
    pub c: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agg {
    Count,
    Sum,
    Avg,
    Min,
    Max,
}

impl Agg {
    pub fn sql(self) -> &'static str {
        match self {
            Agg::Count => "count",
            Agg::Sum => "sum",
            Agg::Avg => "avg",
            Agg::Min => "min",
            Agg::Max => "max",
        }
    }
    pub fn word(self) -> &'static str {
        match self {
            Agg::Count => "number",
            Agg::Sum => "total",
            Agg::Avg => "average",
            Agg::Min => "lowest",
            Agg::Max => "highest",
        }
    }
}

/// A calendar period a date falls in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Day,
    Week,
    Month,
    Quarter,
    Year,
}

impl Period {
    pub fn from_word(w: &str) -> Option<Period> {
        Some(match w {
            "day" | "days" | "daily" | "date" => Period::Day,
            "week" | "weeks" | "weekly" => Period::Week,
            "month" | "months" | "monthly" => Period::Month,
            "quarter" | "quarters" | "quarterly" => Period::Quarter,
            "year" | "years" | "yearly" | "annual" | "annually" => Period::Year,
            _ => return None,
        })
    }
    pub fn word(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
            Period::Month => "month",
            Period::Quarter => "quarter",
            Period::Year => "year",
        }
    }
}

/// Something selected, ordered or compared.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Col(Col),
    /// An aggregate of a column, or `count(*)` with `None`.
    Agg {
        agg: Agg,
        col: Option<Col>,
        distinct: bool,
    },
    /// A date column cut to a calendar period ("per month": `2026-11`).
    Period {
        col: Col,
        unit: Period,
    },
    /// An aggregate of a product of two columns: revenue as
    /// `sum(quantity * unit_price)`.
    Measure {
        agg: Agg,
        a: Col,
        b: Col,
    },
}

impl Expr {
    pub fn count() -> Self {
        Expr::Agg { agg: Agg::Count, col: None, distinct: false }
    }
    pub fn col(&self) -> Option<Col> {
        match self {
            Expr::Col(c) => Some(*c),
            Expr::Agg { col, .. } => *col,
            Expr::Measure { a, .. } => Some(*a),
            Expr::Period { col, .. } => Some(*col),
        }
    }
    /// Every column the expression reads.
    pub fn cols(&self) -> Vec<Col> {
        match self {
            Expr::Measure { a, b, .. } => vec![*a, *b],
            other => other.col().into_iter().collect(),
        }
    }
    pub fn is_agg(&self) -> bool {
        matches!(self, Expr::Agg { .. } | Expr::Measure { .. })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Lt,
    Ge,
    Le,
    Like,
    NotLike,
}

impl Op {
    pub fn sql(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "<>",
            Op::Gt => ">",
            Op::Lt => "<",
            Op::Ge => ">=",
            Op::Le => "<=",
            Op::Like => "LIKE",
            Op::NotLike => "NOT LIKE",
        }
    }
    pub fn negate(self) -> Op {
        match self {
            Op::Eq => Op::Ne,
            Op::Ne => Op::Eq,
            Op::Gt => Op::Le,
            Op::Lt => Op::Ge,
            Op::Ge => Op::Lt,
            Op::Le => Op::Gt,
            Op::Like => Op::NotLike,
            Op::NotLike => Op::Like,
        }
    }
    pub fn words(self) -> &'static str {
        match self {
            Op::Eq => "is",
            Op::Ne => "is not",
            Op::Gt => "is more than",
            Op::Lt => "is less than",
            Op::Ge => "is at least",
            Op::Le => "is at most",
            Op::Like => "contains",
            Op::NotLike => "does not contain",
        }
    }
}

/// A literal in a condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    Num(f64),
    /// Text, compared as stored (a value from the data) or ignoring case.
    Text {
        value: String,
        exact: bool,
    },
    /// A calendar date (`YYYY-MM-DD`), compared with a date or text column.
    Date(String),
}

/// A condition of the WHERE clause.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    Cmp {
        left: Expr,
        op: Op,
        right: Lit,
    },
    Between {
        col: Col,
        low: Lit,
        high: Lit,
    },
    /// The column's year (of a date) compared with a year.
    Year {
        col: Col,
        op: Op,
        year: i64,
    },
    /// Rows of the main table with no (matching) row in another table:
    /// `key NOT IN (SELECT fk FROM other WHERE …)`.
    NotIn {
        key: Col,
        fk: Col,
        conds: Vec<Cond>,
    },
    /// Rows with some matching row in another table: `key IN (SELECT fk …)`.
    In {
        key: Col,
        fk: Col,
        conds: Vec<Cond>,
    },
    /// Two columns compared (`current_address_id <> permanent_address_id`).
    Cols {
        left: Col,
        op: Op,
        right: Col,
    },
    Any(Vec<Cond>),
}

impl Cond {
    /// The columns this condition reads in the outer query.
    pub fn columns(&self, out: &mut Vec<Col>) {
        match self {
            Cond::Cmp { left, .. } => out.extend(left.cols()),
            Cond::Between { col, .. } | Cond::Year { col, .. } => out.push(*col),
            Cond::NotIn { key, .. } | Cond::In { key, .. } => out.push(*key),
            Cond::Cols { left, right, .. } => out.extend([*left, *right]),
            Cond::Any(cs) => cs.iter().for_each(|c| c.columns(out)),
        }
    }
}

/// A planned query.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Query {
    /// The table whose rows the question is about.
    pub main: usize,
    pub select: Vec<Expr>,
    pub distinct: bool,
    pub conds: Vec<Cond>,
    pub group: Vec<Col>,
    pub having: Vec<(Expr, Op, f64)>,
    pub order: Vec<(Expr, bool)>,
    pub limit: Option<u64>,
}

/// How to write SQL for one engine.
pub struct Writer<'a> {
    pub catalog: &'a Catalog,
    pub kind: DbKind,
}

/// Words that must be quoted as identifiers on some engine.
const RESERVED: &[&str] = &[
    "all",
    "and",
    "as",
    "asc",
    "between",
    "by",
    "case",
    "check",
    "column",
    "constraint",
    "create",
    "cross",
    "current",
    "date",
    "default",
    "delete",
    "desc",
    "distinct",
    "drop",
    "else",
    "end",
    "except",
    "exists",
    "false",
    "fetch",
    "for",
    "foreign",
    "from",
    "full",
    "grant",
    "group",
    "having",
    "in",
    "index",
    "inner",
    "insert",
    "intersect",
    "into",
    "is",
    "join",
    "key",
    "left",
    "like",
    "limit",
    "match",
    "natural",
    "not",
    "null",
    "of",
    "offset",
    "on",
    "or",
    "order",
    "outer",
    "primary",
    "references",
    "right",
    "row",
    "rows",
    "select",
    "set",
    "table",
    "then",
    "to",
    "true",
    "union",
    "unique",
    "update",
    "user",
    "using",
    "values",
    "when",
    "where",
    "with",
    "year",
    "month",
    "day",
    "time",
    "timestamp",
    "rank",
    "range",
    "window",
    "over",
    "percent",
    "position",
    "level",
    "name",
    "type",
    "value",
    "language",
    "code",
    "count",
    "sum",
    "min",
    "max",
    "avg",
    "zone",
    "result",
    "rule",
];

impl Writer<'_> {
    /// An identifier, quoted when it must be: not a plain lower-case word on
    /// PostgreSQL (which folds), not plain on the others, or reserved anywhere.
    pub fn ident(&self, name: &str) -> String {
        let plain = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        let folds = self.kind != DbKind::Postgres || name.chars().all(|c| !c.is_ascii_uppercase());
        if plain && folds && !RESERVED.contains(&name.to_ascii_lowercase().as_str()) {
            return name.to_owned();
        }
        match self.kind {
            DbKind::MySql => format!("`{}`", name.replace('`', "``")),
            _ => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    /// A string literal. MySQL (with the pinned `sql_mode`) reads backslashes
    /// as escapes, so they are doubled there.
    pub fn text(&self, value: &str) -> String {
        let mut v = value.replace('\'', "''");
        if self.kind == DbKind::MySql {
            v = v.replace('\\', "\\\\");
        }
        format!("'{v}'")
    }

    fn table_ref(&self, t: usize) -> String {
        let table = self.catalog.table(t);
        match (&table.schema, self.kind) {
            (Some(s), DbKind::Postgres) if s != "public" => format!("{}.{}", self.ident(s), self.ident(&table.name)),
            _ => self.ident(&table.name),
        }
    }

    fn col_name(&self, col: Col) -> &str {
        &self.catalog.table(col.t).columns[col.c].name
    }

    /// A date cut to a period, as sortable text (`2026`, `2026-11`,
    /// `2026-Q4`, `2026-W48`, `2026-11-25`) in each dialect.
    fn period(&self, c: &str, col: Col, unit: Period) -> String {
        let text_date = self.catalog.tables[col.t].columns[col.c].text_date;
        match (self.kind, unit) {
            (DbKind::Sqlite, Period::Day) => format!("strftime('%Y-%m-%d', {c})"),
            (DbKind::Sqlite, Period::Week) => format!("strftime('%Y-W%W', {c})"),
            (DbKind::Sqlite, Period::Month) => format!("strftime('%Y-%m', {c})"),
            (DbKind::Sqlite, Period::Year) => format!("strftime('%Y', {c})"),
            (DbKind::Sqlite, Period::Quarter) => {
                format!("strftime('%Y', {c}) || '-Q' || ((CAST(strftime('%m', {c}) AS INTEGER) + 2) / 3)")
            }
            (DbKind::MySql, Period::Day) => format!("DATE_FORMAT({c}, '%Y-%m-%d')"),
            (DbKind::MySql, Period::Week) => format!("DATE_FORMAT({c}, '%x-W%v')"),
            (DbKind::MySql, Period::Month) => format!("DATE_FORMAT({c}, '%Y-%m')"),
            (DbKind::MySql, Period::Year) => format!("DATE_FORMAT({c}, '%Y')"),
            (DbKind::MySql, Period::Quarter) => format!("CONCAT(YEAR({c}), '-Q', QUARTER({c}))"),
            (DbKind::Postgres, unit) => {
                let d = if text_date { format!("CAST({c} AS timestamp)") } else { c.to_owned() };
                let pattern = match unit {
                    Period::Day => "YYYY-MM-DD",
                    Period::Week => "IYYY-\"W\"IW",
                    Period::Month => "YYYY-MM",
                    Period::Quarter => "YYYY-\"Q\"Q",
                    Period::Year => "YYYY",
                };
                format!("to_char({d}, '{pattern}')")
            }
        }
    }

    /// The name of a computed column.
    fn alias(&self, e: &Expr, main: usize) -> Option<String> {
        let col = |c: &Col| self.col_name(*c).to_ascii_lowercase();
        let table = |c: &Col| self.catalog.table(c.t).name.to_ascii_lowercase();
        let name = match e {
            Expr::Col(_) => return None,
            Expr::Agg { agg: Agg::Count, col: None, .. } => {
                format!("number_of_{}", self.catalog.table(main).name.to_ascii_lowercase())
            }
            Expr::Agg { agg: Agg::Count, col: Some(c), distinct: true } => format!("distinct_{}", col(c)),
            Expr::Agg { agg: Agg::Count, col: Some(c), .. } => format!("number_of_{}", table(c)),
            Expr::Agg { agg, col: Some(c), .. } => format!("{}_{}", agg_prefix(*agg), col(c)),
            Expr::Agg { agg, col: None, .. } => agg_prefix(*agg).to_owned(),
            Expr::Measure { agg, .. } => format!("{}_revenue", agg_prefix(*agg)),
            Expr::Period { unit, .. } => unit.word().to_owned(),
        };
        // Plain identifiers only: letters, digits and underscores.
        Some(name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect())
    }

    fn text_date(&self, e: &Expr) -> bool {
        e.col().is_some_and(|c| self.catalog.tables[c.t].columns[c.c].text_date)
    }

    fn kind_of(&self, col: Col) -> ColumnKind {
        self.catalog.tables[col.t].columns[col.c].kind
    }
}

/// The foreign-key edges between two tables: (column of a, column of b) pairs.
fn edges(catalog: &Catalog, a: usize, b: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut link = |from: usize, to: usize, flip: bool| {
        for fk in &catalog.table(from).foreign_keys {
            if !fk.ref_table.eq_ignore_ascii_case(&catalog.table(to).name) {
                continue;
            }
            for (fc, rc) in fk.columns.iter().zip(&fk.ref_columns) {
                if let (Some(x), Some(y)) = (catalog.column_named(from, fc), catalog.column_named(to, rc)) {
                    out.push(if flip { (y, x) } else { (x, y) });
                }
            }
        }
    };
    link(a, b, false);
    if a != b {
        link(b, a, true);
    }
    if out.is_empty() {
        out = named_edges(catalog, a, b);
    }
    out
}

/// Without declared keys: `x_id` in one table and the key `id` / `x_id` of table `x`.
fn named_edges(catalog: &Catalog, a: usize, b: usize) -> Vec<(usize, usize)> {
    let key_of = |t: usize| -> Option<usize> {
        let table = catalog.table(t);
        match table.primary_key.as_slice() {
            [one] => catalog.column_named(t, one),
            _ => catalog.column_named(t, "id"),
        }
    };
    let refers = |from: usize, to: usize| -> Option<(usize, usize)> {
        let target = catalog.table(to);
        let key = key_of(to)?;
        let key_name = target.columns[key].name.to_ascii_lowercase();
        let singular = crate::linker::words::stem(&target.name.to_ascii_lowercase());
        catalog
            .table(from)
            .columns
            .iter()
            .position(|c| {
                let n = c.name.to_ascii_lowercase();
                n != "id"
                    && (n == key_name && key_name.ends_with("id")
                        || n == format!("{singular}_id")
                        || n == format!("{singular}id"))
            })
            .map(|fc| (fc, key))
    };
    if let Some((x, y)) = refers(a, b) {
        return vec![(x, y)];
    }
    if let Some((y, x)) = refers(b, a) {
        return vec![(x, y)];
    }
    Vec::new()
}

/// The shortest chain of tables joining `from` to `to` along foreign keys.
pub fn path(catalog: &Catalog, from: usize, to: usize) -> Option<Vec<usize>> {
    if from == to {
        return Some(vec![from]);
    }
    let n = catalog.tables.len();
    let mut prev = vec![usize::MAX; n];
    let mut queue = VecDeque::from([from]);
    prev[from] = from;
    while let Some(t) = queue.pop_front() {
        for next in 0..n {
            if prev[next] == usize::MAX && !edges(catalog, t, next).is_empty() {
                prev[next] = t;
                if next == to {
                    let mut chain = vec![to];
                    let mut cur = to;
                    while cur != from {
                        cur = prev[cur];
                        chain.push(cur);
                    }
                    chain.reverse();
                    return Some(chain);
                }
                queue.push_back(next);
            }
        }
    }
    None
}

/// How many joins away each table is from `from` (`None`: not joinable).
pub fn distances(catalog: &Catalog, from: usize) -> Vec<Option<usize>> {
    let n = catalog.tables.len();
    let mut dist = vec![None; n];
    if from >= n {
        return dist;
    }
    dist[from] = Some(0);
    let mut queue = VecDeque::from([from]);
    while let Some(t) = queue.pop_front() {
        let d = dist[t].unwrap_or(0);
        for (next, slot) in dist.iter_mut().enumerate() {
            if slot.is_none() && !edges(catalog, t, next).is_empty() {
                *slot = Some(d + 1);
                queue.push_back(next);
            }
        }
    }
    dist
}

/// Whether tables `a` and `b` can be joined at all.
pub fn joinable(catalog: &Catalog, a: usize, b: usize) -> bool {
    path(catalog, a, b).is_some()
}

/// The foreign-key column of `child` that refers to `parent`, and the key it refers to.
pub fn reference(catalog: &Catalog, child: usize, parent: usize) -> Option<(Col, Col)> {
    edges(catalog, child, parent).first().map(|&(c, p)| (Col { t: child, c }, Col { t: parent, c: p }))
}

impl Query {
    /// Every table the query reads, the main one first.
    fn tables(&self) -> Vec<usize> {
        let mut cols = Vec::new();
        cols.extend(self.select.iter().flat_map(Expr::cols));
        self.conds.iter().for_each(|c| c.columns(&mut cols));
        cols.extend(&self.group);
        cols.extend(self.having.iter().flat_map(|(e, _, _)| e.cols()));
        cols.extend(self.order.iter().flat_map(|(e, _)| e.cols()));
        let mut tables = vec![self.main];
        for c in cols {
            if !tables.contains(&c.t) {
                tables.push(c.t);
            }
        }
        tables
    }
}

/// One table of the FROM clause with how it joins the ones before it.
struct Joined {
    table: usize,
    on: Vec<(Col, Col)>,
}

fn join_plan(catalog: &Catalog, tables: &[usize]) -> Option<Vec<Joined>> {
    let mut out = vec![Joined { table: tables[0], on: Vec::new() }];
    let mut have: BTreeSet<usize> = BTreeSet::from([tables[0]]);
    for &t in &tables[1..] {
        if have.contains(&t) {
            continue;
        }
        // The shortest path from any table already joined.
        let best = have.iter().filter_map(|&h| path(catalog, h, t)).min_by_key(Vec::len)?;
        for pair in best.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            if have.contains(&b) {
                continue;
            }
            let on = edges(catalog, a, b)
                .into_iter()
                .take(1)
                .map(|(x, y)| (Col { t: a, c: x }, Col { t: b, c: y }))
                .collect();
            out.push(Joined { table: b, on });
            have.insert(b);
        }
    }
    Some(out)
}

impl Writer<'_> {
    /// The query as SQL, or `None` when its tables cannot be joined.
    pub fn sql(&self, q: &Query) -> Option<String> {
        let tables = q.tables();
        let joins = join_plan(self.catalog, &tables)?;
        let aliased = joins.len() > 1;
        let alias = |t: usize| -> Option<String> {
            aliased.then(|| format!("T{}", joins.iter().position(|j| j.table == t).map(|p| p + 1).unwrap_or(0)))
        };
        let col = |c: Col| -> String {
            match alias(c.t) {
                Some(a) => format!("{a}.{}", self.ident(self.col_name(c))),
                None => self.ident(self.col_name(c)),
            }
        };
        let expr = |e: &Expr| -> String {
            match e {
                Expr::Col(c) => col(*c),
                Expr::Agg { agg, col: None, .. } => format!("{}(*)", agg.sql()),
                Expr::Agg { agg, col: Some(c), distinct } => {
                    format!("{}({}{})", agg.sql(), if *distinct { "DISTINCT " } else { "" }, col(*c))
                }
                Expr::Measure { agg, a, b } => format!("{}({} * {})", agg.sql(), col(*a), col(*b)),
                Expr::Period { col: c, unit } => self.period(&col(*c), *c, *unit),
            }
        };
        // Rows of the main table filtered through a one-to-many join ("customers
        // who ordered toys") would repeat once per matching row: listed once.
        let fans_out =
            joins.iter().skip(1).any(|j| j.on.iter().any(|(_, y)| self.catalog.tables[y.t].columns[y.c].foreign));
        let lists_main = !q.select.is_empty()
            && q.select.iter().all(|e| matches!(e, Expr::Col(c) if c.t == q.main))
            && q.group.is_empty();
        let mut sql = String::from("SELECT ");
        if q.distinct || (fans_out && lists_main) {
            sql.push_str("DISTINCT ");
        }
        // Computed columns get readable names (`count`, `total_price`, `month`).
        let mut names: Vec<String> = Vec::new();
        let select: Vec<String> = q
            .select
            .iter()
            .map(|e| match self.alias(e, q.main) {
                Some(mut name) => {
                    let base = name.clone();
                    let mut n = 2;
                    while names.contains(&name) {
                        name = format!("{base}_{n}");
                        n += 1;
                    }
                    names.push(name.clone());
                    format!("{} AS {}", expr(e), self.ident(&name))
                }
                None => expr(e),
            })
            .collect();
        sql.push_str(&select.join(", "));
        sql.push_str(" FROM ");
        for (i, j) in joins.iter().enumerate() {
            if i > 0 {
                sql.push_str(" JOIN ");
            }
            sql.push_str(&self.table_ref(j.table));
            if let Some(a) = alias(j.table) {
                sql.push_str(&format!(" AS {a}"));
            }
            if !j.on.is_empty() {
                let on: Vec<String> = j.on.iter().map(|(x, y)| format!("{} = {}", col(*x), col(*y))).collect();
                sql.push_str(&format!(" ON {}", on.join(" AND ")));
            }
        }
        if !q.conds.is_empty() {
            let conds: Vec<String> = q.conds.iter().map(|c| self.cond(c, &col)).collect();
            sql.push_str(&format!(" WHERE {}", conds.join(" AND ")));
        }
        let mut group: Vec<String> = q.group.iter().map(|c| col(*c)).collect();
        // Periods shown beside aggregates are groups.
        if q.select.iter().any(Expr::is_agg) {
            for e in &q.select {
                if matches!(e, Expr::Period { .. }) {
                    let s = expr(e);
                    if !group.contains(&s) {
                        group.push(s);
                    }
                }
            }
        }
        if !q.group.is_empty() && self.kind == DbKind::Postgres {
            // PostgreSQL insists that every plain selected column is grouped,
            // unless its table's primary key is.
            let keyed = |t: usize| {
                let key: Vec<usize> = (0..self.catalog.tables[t].columns.len())
                    .filter(|&c| self.catalog.tables[t].columns[c].primary)
                    .collect();
                !key.is_empty() && key.iter().all(|&c| q.group.contains(&Col { t, c }))
            };
            for e in q.select.iter().chain(q.order.iter().map(|(e, _)| e)) {
                if let Expr::Col(c) = e {
                    if keyed(c.t) {
                        continue;
                    }
                    let s = col(*c);
                    if !group.contains(&s) {
                        group.push(s);
                    }
                }
            }
        }
        if !group.is_empty() {
            sql.push_str(&format!(" GROUP BY {}", group.join(", ")));
        }
        if !q.having.is_empty() {
            let having: Vec<String> =
                q.having.iter().map(|(e, op, n)| format!("{} {} {}", expr(e), op.sql(), number(*n))).collect();
            sql.push_str(&format!(" HAVING {}", having.join(" AND ")));
        }
        if !q.order.is_empty() {
            let order: Vec<String> =
                q.order.iter().map(|(e, desc)| format!("{}{}", expr(e), if *desc { " DESC" } else { "" })).collect();
            sql.push_str(&format!(" ORDER BY {}", order.join(", ")));
        }
        if let Some(n) = q.limit {
            sql.push_str(&format!(" LIMIT {n}"));
        }
        Some(sql)
    }

    fn lit(&self, l: &Lit) -> String {
        match l {
            Lit::Num(n) => number(*n),
            Lit::Text { value, .. } => self.text(value),
            Lit::Date(d) => self.text(d),
        }
    }

    fn cond(&self, c: &Cond, col: &dyn Fn(Col) -> String) -> String {
        match c {
            Cond::Cmp { left, op, right } => {
                let l = match left {
                    Expr::Col(c) => col(*c),
                    other => format!("{other:?}"),
                };
                match right {
                    // Text not seen in the data is matched ignoring case.
                    Lit::Text { value, exact: false } if matches!(op, Op::Eq | Op::Ne) => {
                        format!("lower({l}) {} lower({})", op.sql(), self.text(value))
                    }
                    Lit::Text { value, .. } if matches!(op, Op::Like | Op::NotLike) => {
                        let pattern = self.text(&format!("%{}%", value.replace(['%', '_'], "")));
                        match self.kind {
                            DbKind::Postgres => {
                                format!("{l} {}ILIKE {pattern}", if *op == Op::NotLike { "NOT " } else { "" })
                            }
                            _ => format!("{l} {} {pattern}", op.sql()),
                        }
                    }
                    // A date kept as text is compared as ISO text; a real date with a date.
                    Lit::Date(d) if self.kind == DbKind::Postgres && !self.text_date(left) => {
                        format!("{l} {} DATE {}", op.sql(), self.text(d))
                    }
                    r => format!("{l} {} {}", op.sql(), self.lit(r)),
                }
            }
            Cond::Between { col: c, low, high } => {
                format!("{} BETWEEN {} AND {}", col(*c), self.lit(low), self.lit(high))
            }
            Cond::Year { col: c, op, year } => {
                let kind = self.kind_of(*c);
                let text_date = self.catalog.tables[c.t].columns[c.c].text_date;
                let y = match (self.kind, kind) {
                    (_, ColumnKind::Integer) => col(*c),
                    // ISO text: its first four characters are the year.
                    (DbKind::MySql, _) if text_date => format!("CAST(substr({}, 1, 4) AS SIGNED)", col(*c)),
                    _ if text_date => format!("CAST(substr({}, 1, 4) AS INTEGER)", col(*c)),
                    (DbKind::Postgres, _) => format!("CAST(EXTRACT(YEAR FROM {}) AS INTEGER)", col(*c)),
                    (DbKind::MySql, _) => format!("YEAR({})", col(*c)),
                    (DbKind::Sqlite, _) => format!("CAST(strftime('%Y', {}) AS INTEGER)", col(*c)),
                };
                format!("{y} {} {year}", op.sql())
            }
            Cond::NotIn { key, fk, conds } | Cond::In { key, fk, conds } => {
                let sub_table = self.table_ref(fk.t);
                let mut sub = format!("SELECT {} FROM {sub_table}", self.ident(self.col_name(*fk)));
                let plain = |c: Col| self.ident(self.col_name(c));
                if !conds.is_empty() {
                    let w: Vec<String> = conds.iter().map(|c| self.cond(c, &plain)).collect();
                    sub.push_str(&format!(" WHERE {}", w.join(" AND ")));
                }
                // NULL keys would make NOT IN empty.
                let not_null = format!("{} IS NOT NULL", self.ident(self.col_name(*fk)));
                let keyword = if matches!(c, Cond::NotIn { .. }) { "NOT IN" } else { "IN" };
                if matches!(c, Cond::NotIn { .. }) {
                    sub.push_str(if conds.is_empty() { " WHERE " } else { " AND " });
                    sub.push_str(&not_null);
                }
                format!("{} {keyword} ({sub})", col(*key))
            }
            Cond::Cols { left, op, right } => format!("{} {} {}", col(*left), op.sql(), col(*right)),
            Cond::Any(cs) => {
                let parts: Vec<String> = cs.iter().map(|c| self.cond(c, col)).collect();
                format!("({})", parts.join(" OR "))
            }
        }
    }
}

fn agg_prefix(agg: Agg) -> &'static str {
    match agg {
        Agg::Count => "count",
        Agg::Sum => "total",
        Agg::Avg => "average",
        Agg::Min => "min",
        Agg::Max => "max",
    }
}

/// A number as SQL: integers without a fraction.
pub fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}
