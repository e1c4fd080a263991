//! Unit tests of the schema linker.
use super::fixture::{catalog, shop, Spec};
use super::words::{same_word, split_identifier, stem, tokenize};
use super::*;

/// The best reading of each span, as `words -> target`.
fn spans(cat: &Catalog, q: &str) -> Vec<String> {
    let toks = tokenize(q);
    cat.mentions(&toks)
        .iter()
        .map(|m| {
            let words: Vec<&str> = toks[m.start..m.end].iter().map(|t| t.text.as_str()).collect();
            format!("{} -> {}", words.join(" "), describe(cat, &m.best().target))
        })
        .collect()
}

fn describe(cat: &Catalog, t: &Target) -> String {
    match t {
        Target::Table(t) => cat.table(*t).name.clone(),
        Target::Column(t, c) => format!("{}.{}", cat.table(*t).name, cat.table(*t).columns[*c].name),
        Target::Value(t, c, v) => format!("{}.{}='{v}'", cat.table(*t).name, cat.table(*t).columns[*c].name),
    }
}

fn has(cat: &Catalog, q: &str, want: &str) -> bool {
    spans(cat, q).iter().any(|s| s == want)
}

#[test]
fn identifiers_split_in_every_style() {
    assert_eq!(split_identifier("order_items"), ["order", "items"]);
    assert_eq!(split_identifier("InvoiceLine"), ["invoice", "line"]);
    assert_eq!(split_identifier("customerId"), ["customer", "id"]);
    assert_eq!(split_identifier("HTTPStatus"), ["http", "status"]);
}

#[test]
fn plurals_and_inflections_reach_the_same_stem() {
    for (a, b) in [("countries", "country"), ("orders", "order"), ("ordered", "order"), ("categories", "category")] {
        assert_eq!(stem(a), stem(b), "{a} / {b}");
    }
    assert!(same_word(&stem("description"), &stem("descriptions")));
    assert!(!same_word(&stem("status"), &stem("shipped")));
}

#[test]
fn tables_columns_and_values_are_found() {
    let cat = shop("sqlite");
    assert!(has(&cat, "customers in Brazil", "customers -> customers"));
    assert!(has(&cat, "customers in Brazil", "Brazil -> customers.country='Brazil'"));
    assert!(has(&cat, "products in the electronics category", "electronics -> categories.name='Electronics'"));
    assert!(has(&cat, "orders with status shipped", "status -> orders.status"));
    assert!(has(&cat, "orders with status shipped", "shipped -> orders.status='shipped'"));
    // A column word followed by a value is not one long column name.
    assert!(!has(&cat, "orders with status shipped", "status shipped -> orders.status"));
    assert!(has(&cat, "the unit price of each item", "unit price -> order_items.unit_price"));
    assert!(has(&cat, "cities in Japan", "cities -> customers.city"));
}

#[test]
fn values_match_with_case_accents_and_plurals() {
    let cat = shop("sqlite");
    assert!(has(&cat, "customers from sao paulo", "sao paulo -> customers.city='São Paulo'"));
    assert!(has(&cat, "CANCELLED orders", "CANCELLED -> orders.status='cancelled'"));
    assert!(has(&cat, "how many toys", "toys -> categories.name='Toys'"));
}

#[test]
fn typos_and_abbreviations_still_link() {
    let cat = catalog(
        "sqlite",
        &[Spec {
            name: "employees",
            columns: &["emp_id integer", "dept_name text", "hire_date text", "salary_amt numeric"],
            key: &["emp_id"],
            refs: &[],
        }],
        &[],
    );
    assert!(has(&cat, "employes by department", "employes -> employees"));
    assert!(has(&cat, "employees by department", "department -> employees.dept_name"));
    assert!(has(&cat, "the salary of each employee", "salary -> employees.salary_amt"));
    assert!(has(&cat, "when were they hired", "hired -> employees.hire_date"));
}

#[test]
fn dates_kept_as_text_are_told_by_their_names() {
    let cat = shop("sqlite");
    let orders = cat.table_named("orders").unwrap();
    let ordered_at = cat.column_named(orders, "ordered_at").unwrap();
    let status = cat.column_named(orders, "status").unwrap();
    assert_eq!(cat.tables[orders].columns[ordered_at].kind, ColumnKind::Date);
    assert!(cat.tables[orders].columns[ordered_at].text_date);
    assert_eq!(cat.tables[orders].columns[status].kind, ColumnKind::Text);
    let typed = shop("postgresql");
    assert!(!typed.tables[orders].columns[ordered_at].text_date);
    assert_eq!(typed.tables[orders].columns[ordered_at].kind, ColumnKind::Date);
}

#[test]
fn tables_are_ranked_for_the_prompt() {
    let cat = shop("sqlite");
    let ranked = cat.rank_tables("Which products in the Toys category are out of stock?");
    let names: Vec<&str> = ranked.iter().take(2).map(|(t, _)| cat.table(*t).name.as_str()).collect();
    assert!(names.contains(&"products") && names.contains(&"categories"), "{names:?}");
    let ranked = cat.rank_tables("How many customers live in Paris?");
    assert_eq!(cat.table(ranked[0].0).name, "customers");
}
