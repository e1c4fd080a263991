//! Compact DDL-like text of a schema, for prompts and the session hash.
use std::fmt::Write;

use sqlagent_model::{Schema, Table};

/// `CREATE TABLE t (a INTEGER NOT NULL, …, PRIMARY KEY (a), FOREIGN KEY (b) REFERENCES u(c)); -- comment; ~N rows`
pub fn to_ddl(schema: &Schema) -> String {
    let mut out = String::new();
    for (i, t) in schema.tables.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        table_ddl(&mut out, t);
    }
    out
}

fn qualified(schema: &Option<String>, name: &str) -> String {
    match schema.as_deref() {
        None | Some("public") => name.to_owned(),
        Some(s) => format!("{s}.{name}"),
    }
}

fn table_ddl(out: &mut String, t: &Table) {
    let kind = if t.kind == "view" { "VIEW" } else { "TABLE" };
    let _ = write!(out, "CREATE {kind} {} (", qualified(&t.schema, &t.name));
    let mut parts: Vec<String> = t
        .columns
        .iter()
        .map(|c| {
            let mut s = format!("{} {}", c.name, if c.data_type.is_empty() { "ANY" } else { &c.data_type });
            if !c.nullable {
                s.push_str(" NOT NULL");
            }
            if let Some(comment) = &c.comment {
                let _ = write!(s, " /* {} */", comment.replace("*/", "* /"));
            }
            s
        })
        .collect();
    if !t.primary_key.is_empty() {
        parts.push(format!("PRIMARY KEY ({})", t.primary_key.join(", ")));
    }
    for fk in &t.foreign_keys {
        parts.push(format!(
            "FOREIGN KEY ({}) REFERENCES {}({})",
            fk.columns.join(", "),
            qualified(&fk.ref_schema, &fk.ref_table),
            fk.ref_columns.join(", ")
        ));
    }
    let _ = write!(out, "{});", parts.join(", "));
    let mut notes = Vec::new();
    if let Some(c) = &t.comment {
        notes.push(c.replace('\n', " "));
    }
    if let Some(n) = t.row_estimate {
        notes.push(format!("~{n} rows"));
    }
    if !notes.is_empty() {
        let _ = write!(out, " -- {}", notes.join("; "));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlagent_model::{Column, ForeignKey};

    #[test]
    fn ddl_lists_columns_keys_and_notes() {
        let schema = Schema {
            dialect: "postgresql".into(),
            tables: vec![Table {
                schema: Some("public".into()),
                name: "orders".into(),
                kind: "table".into(),
                comment: Some("One row per order".into()),
                row_estimate: Some(42),
                columns: vec![
                    Column { name: "id".into(), data_type: "integer".into(), nullable: false, comment: None },
                    Column { name: "user_id".into(), data_type: "integer".into(), nullable: true, comment: None },
                ],
                primary_key: vec!["id".into()],
                foreign_keys: vec![ForeignKey {
                    columns: vec!["user_id".into()],
                    ref_schema: Some("public".into()),
                    ref_table: "users".into(),
                    ref_columns: vec!["id".into()],
                }],
            }],
        };
        assert_eq!(
            to_ddl(&schema),
            "CREATE TABLE orders (id integer NOT NULL, user_id integer, PRIMARY KEY (id), \
             FOREIGN KEY (user_id) REFERENCES users(id)); -- One row per order; ~42 rows"
        );
    }
}
