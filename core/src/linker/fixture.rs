//! Catalogs for tests, written compactly: a shop like the demo database (and
//! like most business schemas), with sampled values.
use std::sync::Arc;

use sqlagent_model::{Column, ForeignKey, Schema, Table};

use super::values::{ColumnValues, ValueIndex};
use super::Catalog;

/// A table: `name`, columns as `"name type"`, the key, and `(column, table)` references.
pub struct Spec<'a> {
    pub name: &'a str,
    pub columns: &'a [&'a str],
    pub key: &'a [&'a str],
    pub refs: &'a [(&'a str, &'a str)],
}

/// A catalog of `tables` with `values` as `(table, column, values)`.
pub fn catalog(dialect: &str, tables: &[Spec<'_>], values: &[(&str, &str, &[&str])]) -> Catalog {
    let tables: Vec<Table> = tables
        .iter()
        .map(|t| Table {
            schema: None,
            name: t.name.into(),
            kind: "table".into(),
            comment: None,
            row_estimate: None,
            columns: t
                .columns
                .iter()
                .map(|c| {
                    let (name, ty) = c.split_once(' ').unwrap_or((c, "text"));
                    Column { name: name.into(), data_type: ty.into(), nullable: true, comment: None }
                })
                .collect(),
            primary_key: t.key.iter().map(|k| (*k).into()).collect(),
            foreign_keys: t
                .refs
                .iter()
                .map(|(col, table)| ForeignKey {
                    columns: vec![(*col).into()],
                    ref_schema: None,
                    ref_table: (*table).into(),
                    ref_columns: vec!["id".into()],
                })
                .collect(),
        })
        .collect();
    let schema = Schema { dialect: dialect.into(), tables };
    let columns = values
        .iter()
        .map(|(t, c, vs)| {
            let table = schema.tables.iter().position(|x| x.name == *t).expect("table");
            let column = schema.tables[table].columns.iter().position(|x| x.name == *c).expect("column");
            ColumnValues {
                table,
                column,
                values: vs.iter().enumerate().map(|(i, v)| ((*v).to_owned(), 100 - i as i64)).collect(),
                complete: true,
            }
        })
        .collect();
    Catalog::new(Arc::new(schema), ValueIndex::from_columns(columns))
}

/// The demo shop's schema: customers, categories, products, orders, order
/// items. Dates are text on SQLite (as in the demo database) and timestamps
/// on the servers.
pub fn shop(dialect: &str) -> Catalog {
    let (signed, ordered) = if dialect == "sqlite" {
        ("signed_up_at text", "ordered_at text")
    } else {
        ("signed_up_at date", "ordered_at timestamp")
    };
    catalog(
        dialect,
        &[
            Spec {
                name: "customers",
                columns: &["id integer", "name text", "email text", "country text", "city text", signed],
                key: &["id"],
                refs: &[],
            },
            Spec { name: "categories", columns: &["id integer", "name text"], key: &["id"], refs: &[] },
            Spec {
                name: "products",
                columns: &["id integer", "name text", "category_id integer", "price numeric", "stock integer"],
                key: &["id"],
                refs: &[("category_id", "categories")],
            },
            Spec {
                name: "orders",
                columns: &["id integer", "customer_id integer", ordered, "status text"],
                key: &["id"],
                refs: &[("customer_id", "customers")],
            },
            Spec {
                name: "order_items",
                columns: &["order_id integer", "product_id integer", "quantity integer", "unit_price numeric"],
                key: &["order_id", "product_id"],
                refs: &[("order_id", "orders"), ("product_id", "products")],
            },
        ],
        &[
            ("customers", "country", &["USA", "Germany", "France", "Italy", "Japan", "Brazil", "Poland", "Spain"]),
            ("customers", "city", &["New York", "Chicago", "Berlin", "Paris", "Milan", "Tokyo", "São Paulo"]),
            ("categories", "name", &["Books", "Electronics", "Home", "Outdoors", "Toys"]),
            ("products", "name", &["Rust in Action", "SQL Cookbook", "USB-C Hub", "Espresso Machine", "Headlamp"]),
            ("orders", "status", &["delivered", "shipped", "processing", "cancelled"]),
        ],
    )
}
