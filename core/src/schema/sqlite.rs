//! SQLite: `sqlite_schema` joined with the table-valued pragmas.
use rusqlite::Connection;
use sqlagent_model::{Column, ForeignKey, Schema};

use super::Builder;

const TABLES: &str = "SELECT name, type FROM sqlite_schema \
     WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name";
const COLUMNS: &str = "SELECT m.name, p.name, p.type, p.\"notnull\", p.pk FROM sqlite_schema m \
     JOIN pragma_table_info(m.name) p \
     WHERE m.type IN ('table', 'view') AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY m.name, p.cid";
const KEYS: &str = "SELECT m.name, f.id, f.\"table\", f.\"from\", f.\"to\" FROM sqlite_schema m \
     JOIN pragma_foreign_key_list(m.name) f \
     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY m.name, f.id, f.seq";

/// Runs on the target's own read-only connection (its authorizer allows the
/// schema pragmas' table functions this needs).
pub fn introspect(conn: &Connection) -> rusqlite::Result<Schema> {
    let t: Vec<(String, String)> = all(conn, TABLES, |r| Ok((r.get(0)?, r.get(1)?)))?;
    let c: Vec<(String, String, String, i64, i64)> =
        all(conn, COLUMNS, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?;
    let k: Vec<(String, i64, String, String, Option<String>)> =
        all(conn, KEYS, |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)))?;

    let mut b = Builder::default();
    for (name, kind) in t {
        b.table(None, name, &kind, None, None);
    }
    let mut pks: Vec<(String, i64, String)> = Vec::new();
    for (table, name, data_type, notnull, pk) in c {
        if pk > 0 {
            pks.push((table.clone(), pk, name.clone()));
        }
        b.column(&None, &table, Column { name, data_type, nullable: notnull == 0, comment: None });
    }
    pks.sort();
    let mut grouped: Vec<(String, Vec<String>)> = Vec::new();
    for (table, _, column) in pks {
        match grouped.last_mut() {
            Some((t, cols)) if *t == table => cols.push(column),
            _ => grouped.push((table, vec![column])),
        }
    }
    for (table, cols) in grouped {
        b.primary_key(&None, &table, cols);
    }
    let mut current: Option<(String, i64, ForeignKey)> = None;
    for (table, id, ref_table, from, to) in k {
        if !matches!(&current, Some((t, i, _)) if *t == table && *i == id) {
            if let Some((t, _, fk)) = current.take() {
                b.foreign_key(&None, &t, fk);
            }
            current = Some((table.clone(), id, ForeignKey { ref_table, ..ForeignKey::default() }));
        }
        if let Some((_, _, fk)) = current.as_mut() {
            fk.columns.push(from);
            // `to` is NULL when the reference targets the parent's primary key.
            fk.ref_columns.extend(to);
        }
    }
    if let Some((t, _, fk)) = current {
        b.foreign_key(&None, &t, fk);
    }
    let mut schema = b.finish("sqlite");
    // Fill implicit references (`REFERENCES parent` without columns) from the parent's key.
    let pk_of: std::collections::HashMap<String, Vec<String>> =
        schema.tables.iter().map(|t| (t.name.clone(), t.primary_key.clone())).collect();
    for fk in schema.tables.iter_mut().flat_map(|t| t.foreign_keys.iter_mut()) {
        if fk.ref_columns.is_empty() {
            fk.ref_columns = pk_of.get(&fk.ref_table).cloned().unwrap_or_default();
        }
    }
    Ok(schema)
}

fn all<T>(
    conn: &Connection,
    sql: &str,
    row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> rusqlite::Result<Vec<T>> {
    conn.prepare(sql)?.query_map([], row)?.collect()
}
