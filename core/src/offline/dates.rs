//! Dates relative to today: "last month", "this quarter", "the last 30 days",
//! "in the past 3 months", "this year", "yesterday". Each becomes a half-open
//! range `[from, to)` on a date column.
use chrono::{Datelike, Duration, Months, NaiveDate};

use super::parse::DateContext;
use super::query::{Col, Cond, Expr, Lit, Op};

/// A date range named in the question, if any: where it starts, the
/// conditions on the date column, and how it was read.
pub(super) fn condition(p: &impl DateContext) -> Option<(usize, Vec<Cond>, String)> {
    let toks = p.tokens();
    let today = p.today();
    let w = |i: usize| toks.get(i).map(|t| t.lower.as_str()).unwrap_or("");
    for i in 0..toks.len() {
        let Some((from, to, len)) = range_at(toks, i, today, &w) else { continue };
        let col = p.date_column(i)?;
        let note = format!("{} from {from} up to (not including) {to}", p.column_label(col));
        let conds = vec![
            Cond::Cmp { left: Expr::Col(col), op: Op::Ge, right: Lit::Date(from.to_string()) },
            Cond::Cmp { left: Expr::Col(col), op: Op::Lt, right: Lit::Date(to.to_string()) },
        ];
        let _ = len;
        return Some((i, conds, note));
    }
    None
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn first_of_quarter(d: NaiveDate) -> NaiveDate {
    let month = (d.month0() / 3) * 3 + 1;
    NaiveDate::from_ymd_opt(d.year(), month, 1).unwrap_or(d)
}

fn first_of_year(d: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(d.year(), 1, 1).unwrap_or(d)
}

fn units(word: &str) -> Option<&'static str> {
    match word {
        "day" | "days" => Some("day"),
        "week" | "weeks" => Some("week"),
        "month" | "months" => Some("month"),
        "quarter" | "quarters" => Some("quarter"),
        "year" | "years" => Some("year"),
        _ => None,
    }
}

fn back(today: NaiveDate, unit: &str, n: u32) -> NaiveDate {
    match unit {
        "day" => today - Duration::days(n as i64),
        "week" => today - Duration::days(7 * n as i64),
        "month" => today.checked_sub_months(Months::new(n)).unwrap_or(today),
        "quarter" => today.checked_sub_months(Months::new(3 * n)).unwrap_or(today),
        _ => today.checked_sub_months(Months::new(12 * n)).unwrap_or(today),
    }
}

/// The range a phrase starting at `i` names: (from, to, words used).
fn range_at<'t>(
    toks: &'t [crate::linker::words::Token],
    i: usize,
    today: NaiveDate,
    w: &dyn Fn(usize) -> &'t str,
) -> Option<(NaiveDate, NaiveDate, usize)> {
    let tomorrow = today + Duration::days(1);
    match w(i) {
        "today" => return Some((today, tomorrow, 1)),
        "yesterday" => return Some((today - Duration::days(1), today, 1)),
        "last" | "past" | "previous" | "recent" => {}
        // "not ordered in 3 months", "within 30 days", "for 2 weeks": a rolling window.
        "in" | "within" | "for" => {
            let n = toks.get(i + 1).and_then(|t| t.number()).filter(|n| *n >= 1.0 && n.fract() == 0.0)?;
            let unit = units(w(i + 2))?;
            return Some((back(today, unit, n as u32), tomorrow, 3));
        }
        "this" | "current" => {
            let unit = units(w(i + 1))?;
            let from = match unit {
                "day" => today,
                "week" => today - Duration::days(today.weekday().num_days_from_monday() as i64),
                "month" => first_of_month(today),
                "quarter" => first_of_quarter(today),
                _ => first_of_year(today),
            };
            return Some((from, tomorrow, 2));
        }
        _ => return None,
    }
    // "last 30 days", "the past 3 months", "last month", "past year".
    let (n, unit, used) = match toks.get(i + 1).and_then(|t| t.number()) {
        Some(n) if n >= 1.0 && n.fract() == 0.0 => (n as u32, units(w(i + 2))?, 3),
        _ => (1, units(w(i + 1))?, 2),
    };
    let explicit_count = used == 3;
    if explicit_count || w(i) == "past" || unit == "day" {
        // A rolling window ending today.
        return Some((back(today, unit, n), tomorrow, used));
    }
    // "last month", "last quarter", "last year": the previous calendar period.
    let (from, to) = match unit {
        "week" => {
            let this = today - Duration::days(today.weekday().num_days_from_monday() as i64);
            (this - Duration::days(7), this)
        }
        "month" => {
            let this = first_of_month(today);
            (this.checked_sub_months(Months::new(1))?, this)
        }
        "quarter" => {
            let this = first_of_quarter(today);
            (this.checked_sub_months(Months::new(3))?, this)
        }
        _ => {
            let this = first_of_year(today);
            (NaiveDate::from_ymd_opt(today.year() - 1, 1, 1)?, this)
        }
    };
    Some((from, to, used))
}

/// The column of a condition made here (for moving it into a subquery).
pub(super) fn column_of(c: &Cond) -> Option<Col> {
    match c {
        Cond::Cmp { left: Expr::Col(col), right: Lit::Date(_), .. } => Some(*col),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linker::words::tokenize;

    fn range(q: &str, today: &str) -> (String, String) {
        let today = NaiveDate::parse_from_str(today, "%Y-%m-%d").unwrap();
        let toks = tokenize(q);
        let w = |i: usize| toks.get(i).map(|t| t.lower.as_str()).unwrap_or("");
        let (f, t, _) = (0..toks.len()).find_map(|i| range_at(&toks, i, today, &w)).unwrap();
        (f.to_string(), t.to_string())
    }

    #[test]
    fn relative_ranges_are_read_against_today() {
        assert_eq!(range("orders last month", "2026-11-25"), ("2026-10-01".into(), "2026-11-01".into()));
        assert_eq!(range("orders this quarter", "2026-11-25"), ("2026-10-01".into(), "2026-11-26".into()));
        assert_eq!(range("in the last 30 days", "2026-11-25"), ("2026-10-26".into(), "2026-11-26".into()));
        assert_eq!(range("in the past 3 months", "2026-11-25"), ("2026-08-25".into(), "2026-11-26".into()));
        assert_eq!(range("last year", "2026-01-15"), ("2025-01-01".into(), "2026-01-01".into()));
        assert_eq!(range("last month", "2026-01-15"), ("2025-12-01".into(), "2026-01-01".into()));
        assert_eq!(range("this year", "2026-11-25"), ("2026-01-01".into(), "2026-11-26".into()));
        assert_eq!(range("yesterday", "2026-11-25"), ("2026-11-24".into(), "2026-11-25".into()));
        assert_eq!(range("not ordered in 3 months", "2026-11-25"), ("2026-08-25".into(), "2026-11-26".into()));
        assert_eq!(range("within 2 weeks", "2026-11-25"), ("2026-11-11".into(), "2026-11-26".into()));
        assert_eq!(range("last 2 years", "2024-02-29"), ("2022-02-28".into(), "2024-03-01".into()));
        assert_eq!(range("this week", "2026-11-25"), ("2026-11-23".into(), "2026-11-26".into()));
        assert_eq!(range("last week", "2026-11-25"), ("2026-11-16".into(), "2026-11-23".into()));
        assert_eq!(range("last quarter", "2026-02-10"), ("2025-10-01".into(), "2026-01-01".into()));
    }
}
