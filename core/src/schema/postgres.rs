//! PostgreSQL: `pg_catalog`, three queries for any number of tables.
use sqlagent_model::{Column, ForeignKey, Schema};
use std::collections::HashMap;

use sqlx::PgPool;

use super::{nonempty, Builder};

const HIDDEN: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema') \
     AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'";

pub async fn introspect(pool: &PgPool) -> sqlx::Result<Schema> {
    let tables = format!(
        "SELECT c.oid::bigint, n.nspname::text, c.relname::text, c.relkind::text, d.description, c.reltuples::bigint \
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = 0 \
         WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f') AND NOT c.relispartition AND {HIDDEN} \
         ORDER BY 2, 3"
    );
    let columns = format!(
        "SELECT a.attrelid::bigint, a.attname::text, format_type(a.atttypid, a.atttypmod), \
                NOT a.attnotnull, d.description \
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_description d ON d.objoid = c.oid AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum \
         WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v', 'm', 'f') \
           AND NOT c.relispartition AND {HIDDEN} \
         ORDER BY a.attrelid, a.attnum"
    );
    let keys = format!(
        "SELECT con.conrelid::bigint, con.contype::text, \
                ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(num, ord) \
                      JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.num ORDER BY k.ord), \
                fn.nspname::text, fc.relname::text, \
                ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(num, ord) \
                      JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.num ORDER BY k.ord) \
         FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
         LEFT JOIN pg_class fc ON fc.oid = con.confrelid LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace \
         WHERE con.contype IN ('p', 'f') AND {HIDDEN} \
         ORDER BY con.conrelid, con.conname"
    );
    // One connection, three round trips: the catalog is consistent enough and the
    // pool stays free for other requests.
    let mut conn = pool.acquire().await?;
    let t: Vec<(i64, String, String, String, Option<String>, i64)> =
        sqlx::query_as(&tables).fetch_all(&mut *conn).await?;
    let c: Vec<(i64, String, String, bool, Option<String>)> = sqlx::query_as(&columns).fetch_all(&mut *conn).await?;
    type KeyRow = (i64, String, Vec<String>, Option<String>, Option<String>, Vec<String>);
    let k: Vec<KeyRow> = sqlx::query_as(&keys).fetch_all(&mut *conn).await?;

    // Rows are keyed by table oid: sorting by oid is much cheaper than by name.
    let mut names: HashMap<i64, (Option<String>, String)> = HashMap::with_capacity(t.len());
    let mut b = Builder::default();
    for (oid, schema, name, kind, comment, rows) in t {
        let kind = if matches!(kind.as_str(), "v" | "m") { "view" } else { "table" };
        names.insert(oid, (Some(schema.clone()), name.clone()));
        b.table(Some(schema), name, kind, comment, Some(rows));
    }
    for (oid, name, data_type, nullable, comment) in c {
        if let Some((schema, table)) = names.get(&oid) {
            b.column(schema, table, Column { name, data_type, nullable, comment: nonempty(comment) });
        }
    }
    for (oid, kind, cols, ref_schema, ref_table, ref_cols) in k {
        let Some((schema, table)) = names.get(&oid) else { continue };
        match (kind.as_str(), ref_table) {
            ("p", _) => b.primary_key(schema, table, cols),
            ("f", Some(ref_table)) => {
                b.foreign_key(schema, table, ForeignKey { columns: cols, ref_schema, ref_table, ref_columns: ref_cols })
            }
            _ => {}
        }
    }
    Ok(b.finish("postgresql"))
}
