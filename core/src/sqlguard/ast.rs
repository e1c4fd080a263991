//! The parsed statement against allow-lists: which statements, which query
//! clauses, which expression forms and operators, which functions and which
//! relations. Anything this file does not know is refused, so syntax added to
//! the parser later is refused until someone decides it is safe.
use std::ops::ControlFlow;

use sqlparser::ast::{
    BinaryOperator, Expr, Function, FunctionArguments, Ident, ObjectName, ObjectNamePart, Query, Select, SelectFlavor,
    SetExpr, Statement, TableFactor, UnaryOperator, Value, ValueWithSpan, Visit, Visitor,
};

use super::allow;
use crate::targets::DbKind;

/// What kind of statement passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A query that returns rows.
    Query,
    /// `EXPLAIN` of a query (never `ANALYZE`).
    Explain,
}

/// Check the one parsed statement; `database` is the connection's database.
pub fn check(statement: &Statement, kind: DbKind, database: &str) -> Result<Shape, String> {
    let shape = match statement {
        Statement::Query(_) => Shape::Query,
        Statement::Explain { analyze, estimate, options, statement: inner, .. } => {
            if *analyze || *estimate {
                return Err("EXPLAIN ANALYZE runs the statement; only plain EXPLAIN is allowed".into());
            }
            for option in options.iter().flatten() {
                let name = option.name.value.to_ascii_lowercase();
                // An allow-list: ANALYZE, ANALYSE, BUFFERS, TIMING, SERIALIZE, WAL need
                // (or cause) execution; SETTINGS shows the server's configuration.
                if !matches!(name.as_str(), "verbose" | "costs" | "format" | "summary" | "generic_plan" | "memory") {
                    return Err(format!("the EXPLAIN option {} is not allowed", name.to_ascii_uppercase()));
                }
            }
            if !matches!(inner.as_ref(), Statement::Query(_)) {
                return Err("only queries can be explained".into());
            }
            Shape::Explain
        }
        other => return Err(format!("only read-only queries are allowed, not {}", statement_kind(other))),
    };
    let mut walker = Walker { kind, database, top: true };
    match statement.visit(&mut walker) {
        ControlFlow::Break(why) => Err(why),
        ControlFlow::Continue(()) => Ok(shape),
    }
}

/// A short name for a statement, for the refusal message.
fn statement_kind(s: &Statement) -> String {
    let text = s.to_string();
    let words: Vec<String> = text.split_whitespace().take(2).map(str::to_ascii_uppercase).collect();
    match words.as_slice() {
        [first, second, ..] if matches!(first.as_str(), "CREATE" | "DROP" | "ALTER" | "START" | "SET" | "SHOW") => {
            format!("{first} {second}")
        }
        [first, ..] => first.clone(),
        [] => "this statement".into(),
    }
}

struct Walker<'a> {
    kind: DbKind,
    database: &'a str,
    top: bool,
}

/// A name as the engine resolves it: PostgreSQL folds unquoted names to lower
/// case and keeps quoted ones exactly; MySQL and SQLite compare without case.
fn fold(kind: DbKind, ident: &Ident) -> String {
    match (kind, ident.quote_style) {
        (DbKind::Postgres, Some(_)) => ident.value.clone(),
        _ => ident.value.to_lowercase(),
    }
}

fn parts(kind: DbKind, name: &ObjectName) -> Option<Vec<String>> {
    name.0
        .iter()
        .map(|p| match p {
            ObjectNamePart::Identifier(id) => Some(fold(kind, id)),
            _ => None,
        })
        .collect()
}

impl Walker<'_> {
    /// A function call by name: a built-in on the allow-list, optionally
    /// qualified with PostgreSQL's `pg_catalog`.
    fn function_name(&self, name: &ObjectName) -> ControlFlow<String> {
        let shown = name.to_string();
        let refused = || {
            ControlFlow::Break(format!(
                "the function {shown}() is not allowed (only built-in functions that compute values are)"
            ))
        };
        let Some(parts) = parts(self.kind, name) else { return refused() };
        let quoted = name.0.iter().any(|p| matches!(p, ObjectNamePart::Identifier(id) if id.quote_style.is_some()));
        let base = match parts.as_slice() {
            // MySQL resolves a quoted name to a stored function, never a built-in.
            [f] if !(quoted && self.kind == DbKind::MySql) => f,
            [schema, f] if self.kind == DbKind::Postgres && schema == "pg_catalog" => f,
            _ => return refused(),
        };
        if allow::function(self.kind, base) {
            ControlFlow::Continue(())
        } else {
            refused()
        }
    }

    fn relation(&self, name: &ObjectName) -> ControlFlow<String> {
        let Some(parts) = parts(self.kind, name) else {
            return ControlFlow::Break(format!("the relation name {name} is not supported"));
        };
        match allow::relation(self.kind, self.database, &parts) {
            Some(why) => ControlFlow::Break(why),
            None => ControlFlow::Continue(()),
        }
    }
}

fn refuse<T: std::fmt::Display>(what: T) -> ControlFlow<String> {
    ControlFlow::Break(format!("{what} is not allowed"))
}

impl Visitor for Walker<'_> {
    type Break = String;

    fn pre_visit_statement(&mut self, s: &Statement) -> ControlFlow<String> {
        // The top statement was judged in `check`; a nested one (in a CTE, in
        // EXPLAIN) must be a plain query.
        if std::mem::replace(&mut self.top, false) {
            return ControlFlow::Continue(());
        }
        match s {
            Statement::Query(_) => ControlFlow::Continue(()),
            other => ControlFlow::Break(format!("{} is not allowed inside a query", statement_kind(other))),
        }
    }

    fn pre_visit_query(&mut self, q: &Query) -> ControlFlow<String> {
        // Every field named, so a parser upgrade that adds one does not compile
        // until it is judged here.
        let Query {
            with: _,
            body,
            order_by: _,
            limit_clause: _,
            fetch: _,
            locks,
            for_clause,
            settings,
            format_clause,
            pipe_operators,
        } = q;
        if !locks.is_empty() {
            return refuse("row locking (FOR UPDATE / FOR SHARE)");
        }
        if for_clause.is_some() || settings.is_some() || format_clause.is_some() || !pipe_operators.is_empty() {
            return refuse("this query clause");
        }
        match body.as_ref() {
            SetExpr::Select(_) | SetExpr::Query(_) | SetExpr::SetOperation { .. } | SetExpr::Values(_) => {
                ControlFlow::Continue(())
            }
            SetExpr::Insert(_) | SetExpr::Update(_) | SetExpr::Delete(_) | SetExpr::Merge(_) => {
                ControlFlow::Break("data-modifying statements are not allowed".into())
            }
            SetExpr::Table(_) => refuse("TABLE name (use SELECT * FROM name)"),
        }
    }

    fn pre_visit_select(&mut self, s: &Select) -> ControlFlow<String> {
        let Select {
            select_token: _,
            optimizer_hints,
            distinct: _,
            select_modifiers,
            top,
            top_before_distinct: _,
            projection: _,
            exclude,
            into,
            from: _,
            lateral_views,
            prewhere,
            selection: _,
            connect_by,
            group_by: _,
            cluster_by,
            distribute_by,
            sort_by,
            having: _,
            named_window: _,
            qualify,
            window_before_qualify: _,
            value_table_mode,
            flavor,
        } = s;
        if into.is_some() {
            return ControlFlow::Break("SELECT … INTO writes a table, a file or variables; it is not allowed".into());
        }
        if !optimizer_hints.is_empty() || select_modifiers.is_some() {
            return refuse("optimizer hints and SELECT modifiers");
        }
        if top.is_some()
            || exclude.is_some()
            || !lateral_views.is_empty()
            || prewhere.is_some()
            || !connect_by.is_empty()
            || !cluster_by.is_empty()
            || !distribute_by.is_empty()
            || !sort_by.is_empty()
            || qualify.is_some()
            || value_table_mode.is_some()
            || !matches!(flavor, SelectFlavor::Standard)
        {
            return refuse("this SELECT clause");
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, t: &TableFactor) -> ControlFlow<String> {
        match t {
            TableFactor::Table {
                name,
                alias: _,
                args,
                with_hints,
                version,
                with_ordinality: _,
                partitions,
                json_path,
                sample,
                index_directives: _,
                inheritance: _,
            } => {
                if !with_hints.is_empty() || version.is_some() || !partitions.is_empty() || json_path.is_some() {
                    return refuse("this table option");
                }
                if sample.is_some() {
                    return refuse("TABLESAMPLE");
                }
                // `FROM f(…)`: a table function, judged as a function.
                match args {
                    Some(_) => self.function_name(name),
                    None => self.relation(name),
                }
            }
            TableFactor::Function { name, .. } => self.function_name(name),
            TableFactor::Derived { sample: None, .. }
            | TableFactor::NestedJoin { .. }
            | TableFactor::UNNEST { .. }
            | TableFactor::TableFunction { .. } => ControlFlow::Continue(()),
            TableFactor::JsonTable { .. } if self.kind == DbKind::MySql => ControlFlow::Continue(()),
            _ => refuse("this kind of FROM item"),
        }
    }

    fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<String> {
        match e {
            Expr::Function(Function { name, parameters, .. }) => {
                if !matches!(parameters, FunctionArguments::None) {
                    return refuse("parametric function syntax");
                }
                self.function_name(name)
            }
            Expr::BinaryOp { op, .. } => binary(op),
            Expr::UnaryOp { op, .. } => unary(op),
            Expr::Identifier(_)
            | Expr::CompoundIdentifier(_)
            | Expr::CompoundFieldAccess { .. }
            | Expr::JsonAccess { .. }
            | Expr::IsFalse(_)
            | Expr::IsNotFalse(_)
            | Expr::IsTrue(_)
            | Expr::IsNotTrue(_)
            | Expr::IsNull(_)
            | Expr::IsNotNull(_)
            | Expr::IsUnknown(_)
            | Expr::IsNotUnknown(_)
            | Expr::IsDistinctFrom(..)
            | Expr::IsNotDistinctFrom(..)
            | Expr::IsJson { .. }
            | Expr::IsNormalized { .. }
            | Expr::In { .. }
            | Expr::Between { .. }
            | Expr::Like { .. }
            | Expr::ILike { .. }
            | Expr::SimilarTo { .. }
            | Expr::RLike { .. }
            | Expr::AnyOp { .. }
            | Expr::AllOp { .. }
            | Expr::Convert { .. }
            | Expr::Cast { .. }
            | Expr::AtTimeZone { .. }
            | Expr::Extract { .. }
            | Expr::Ceil { .. }
            | Expr::Floor { .. }
            | Expr::Position { .. }
            | Expr::Substring { .. }
            | Expr::Trim { .. }
            | Expr::Overlay { .. }
            | Expr::Collate { .. }
            | Expr::Nested(_)
            | Expr::Value(_)
            | Expr::Prefixed { .. }
            | Expr::TypedString(_)
            | Expr::Case { .. }
            | Expr::Exists { .. }
            | Expr::Subquery(_)
            | Expr::GroupingSets(_)
            | Expr::Cube(_)
            | Expr::Rollup(_)
            | Expr::Tuple(_)
            | Expr::Array(_)
            | Expr::Interval(_)
            | Expr::MatchAgainst { .. }
            | Expr::MemberOf(_)
            | Expr::Wildcard(_)
            | Expr::QualifiedWildcard(..) => ControlFlow::Continue(()),
            other => ControlFlow::Break(format!("the expression {other} uses syntax that is not allowed")),
        }
    }

    fn pre_visit_value(&mut self, v: &ValueWithSpan) -> ControlFlow<String> {
        match v.value {
            Value::Placeholder(_) => ControlFlow::Break("parameter placeholders are not supported".into()),
            _ => ControlFlow::Continue(()),
        }
    }
}

fn binary(op: &BinaryOperator) -> ControlFlow<String> {
    use BinaryOperator as B;
    match op {
        B::Plus
        | B::Minus
        | B::Multiply
        | B::Divide
        | B::Modulo
        | B::StringConcat
        | B::Gt
        | B::Lt
        | B::GtEq
        | B::LtEq
        | B::Spaceship
        | B::Eq
        | B::NotEq
        | B::And
        | B::Or
        | B::Xor
        | B::BitwiseOr
        | B::BitwiseAnd
        | B::BitwiseXor
        | B::MyIntegerDivide
        | B::Regexp
        | B::Glob
        | B::PGBitwiseXor
        | B::PGBitwiseShiftLeft
        | B::PGBitwiseShiftRight
        | B::PGExp
        | B::PGOverlap
        | B::PGRegexMatch
        | B::PGRegexIMatch
        | B::PGRegexNotMatch
        | B::PGRegexNotIMatch
        | B::PGLikeMatch
        | B::PGILikeMatch
        | B::PGNotLikeMatch
        | B::PGNotILikeMatch
        | B::PGStartsWith
        | B::Arrow
        | B::LongArrow
        | B::HashArrow
        | B::HashLongArrow
        | B::AtAt
        | B::AtArrow
        | B::ArrowAt
        | B::HashMinus
        | B::AtQuestion
        | B::Question
        | B::QuestionAnd
        | B::QuestionPipe
        | B::Overlaps => ControlFlow::Continue(()),
        other => ControlFlow::Break(format!("the operator {other} is not allowed")),
    }
}

fn unary(op: &UnaryOperator) -> ControlFlow<String> {
    use UnaryOperator as U;
    match op {
        U::Plus | U::Minus | U::Not | U::BitwiseNot | U::PGAbs | U::PGSquareRoot | U::PGCubeRoot => {
            ControlFlow::Continue(())
        }
        other => ControlFlow::Break(format!("the operator {other} is not allowed")),
    }
}
