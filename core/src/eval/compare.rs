//! Execution accuracy: two results are the same when their rows are the same
//! multiset (or sequence, when the gold SQL orders), after normalising values,
//! whatever the order of their columns.
use serde_json::Value;
use sqlagent_model::QueryResultView;

/// A value compared loosely: numbers (also numeric text) to six significant
/// digits, text trimmed, NULL as itself.
fn norm(v: &Value) -> String {
    let number = |f: f64| -> String {
        if f == 0.0 {
            return "0".into();
        }
        let digits = 6 - 1 - f.abs().log10().floor() as i32;
        let scale = 10f64.powi(digits.clamp(0, 12));
        let r = (f * scale).round() / scale;
        format!("{r}")
    };
    match v {
        Value::Null => "∅".into(),
        Value::Bool(b) => (if *b { "1" } else { "0" }).into(),
        Value::Number(n) => n.as_f64().map(number).unwrap_or_else(|| n.to_string()),
        Value::String(s) => {
            let t = s.trim();
            match t.parse::<f64>() {
                Ok(f)
                    if !t.is_empty()
                        && t.chars().all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | 'e' | 'E' | '+')) =>
                {
                    number(f)
                }
                _ => t.to_owned(),
            }
        }
        other => other.to_string(),
    }
}

/// Whether the gold SQL's outermost query orders its rows.
pub fn orders(gold: &str) -> bool {
    let upper = gold.to_ascii_uppercase();
    let last_select = upper.rfind("SELECT").unwrap_or(0);
    let outer = &upper[last_select..];
    // ORDER BY in the last part, not inside a parenthesised subquery that closes later.
    match outer.rfind("ORDER BY") {
        Some(at) => outer[at..].matches(')').count() <= outer[at..].matches('(').count(),
        None => false,
    }
}

fn table(r: &QueryResultView) -> Vec<Vec<String>> {
    r.rows.iter().map(|row| row.iter().map(norm).collect()).collect()
}

/// Column `c` of `rows`, as a sorted list (its fingerprint).
fn column(rows: &[Vec<String>], c: usize) -> Vec<String> {
    let mut v: Vec<String> = rows.iter().map(|r| r.get(c).cloned().unwrap_or_default()).collect();
    v.sort();
    v
}

/// Whether `pred` returns what `gold` returns.
pub fn same_result(gold: &QueryResultView, pred: &QueryResultView, ordered: bool) -> bool {
    if pred.truncated && !gold.truncated {
        return false;
    }
    let g = table(gold);
    let p = table(pred);
    if g.len() != p.len() {
        return false;
    }
    let width = gold.columns.len();
    if pred.columns.len() != width {
        return false;
    }
    // Map each gold column to a predicted column with the same values.
    let mut order: Vec<usize> = Vec::with_capacity(width);
    let mut taken = vec![false; width];
    for gc in 0..width {
        let want = column(&g, gc);
        // Prefer the same position, then the first unused match.
        let pick = std::iter::once(gc).chain(0..width).find(|&pc| pc < width && !taken[pc] && column(&p, pc) == want);
        match pick {
            Some(pc) => {
                taken[pc] = true;
                order.push(pc);
            }
            None => return false,
        }
    }
    let mut rearranged: Vec<Vec<String>> =
        p.iter().map(|row| order.iter().map(|&pc| row[pc].clone()).collect()).collect();
    if ordered {
        return rearranged == g;
    }
    let mut g = g;
    g.sort();
    rearranged.sort();
    rearranged == g
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
    fn results_match_as_multisets_whatever_the_column_order() {
        let gold = result(&["a", "b"], json!([[1, "x"], [2, "y"]]));
        assert!(same_result(&gold, &result(&["b", "a"], json!([["y", 2], ["x", 1]])), false));
        assert!(
            !same_result(&gold, &result(&["b", "a"], json!([["y", 2], ["x", 1]])), true),
            "order counts when the gold orders"
        );
        assert!(same_result(&gold, &result(&["a", "b"], json!([[1, "x"], [2, "y"]])), true));
        assert!(!same_result(&gold, &result(&["a"], json!([[1], [2]])), false));
        assert!(!same_result(&gold, &result(&["a", "b"], json!([[1, "x"], [2, "y"], [2, "y"]])), false));
        let avg = result(&["avg"], json!([[34.5]]));
        assert!(same_result(&avg, &result(&["x"], json!([["34.5000001"]])), false), "numbers to six digits");
        assert!(same_result(&avg, &result(&["x"], json!([["34.50"]])), false));
    }

    #[test]
    fn ordering_is_seen_only_in_the_outer_query() {
        assert!(orders("SELECT a FROM t ORDER BY a"));
        assert!(!orders("SELECT a FROM t WHERE a IN (SELECT b FROM u ORDER BY b LIMIT 1)"));
        assert!(!orders("SELECT count(*) FROM t"));
    }
}
