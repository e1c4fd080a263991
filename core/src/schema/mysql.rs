//! MySQL / MariaDB: `information_schema` for the connection's database.
use sqlagent_model::{Column, ForeignKey, Schema};
use sqlx::MySqlPool;

use super::{nonempty, Builder};

// CASTs: MariaDB reports some catalog columns as binary strings or unsigned.
const TABLES: &str = "SELECT CAST(TABLE_NAME AS CHAR), CAST(TABLE_TYPE AS CHAR), CAST(TABLE_COMMENT AS CHAR), \
     CAST(TABLE_ROWS AS SIGNED) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME";
const COLUMNS: &str = "SELECT CAST(TABLE_NAME AS CHAR), CAST(COLUMN_NAME AS CHAR), CAST(COLUMN_TYPE AS CHAR), \
     CAST(IS_NULLABLE AS CHAR), CAST(COLUMN_COMMENT AS CHAR) FROM information_schema.COLUMNS \
     WHERE TABLE_SCHEMA = DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION";
const KEYS: &str = "SELECT CAST(TABLE_NAME AS CHAR), CAST(CONSTRAINT_NAME AS CHAR), CAST(COLUMN_NAME AS CHAR), \
     CAST(REFERENCED_TABLE_SCHEMA AS CHAR), CAST(REFERENCED_TABLE_NAME AS CHAR), CAST(REFERENCED_COLUMN_NAME AS CHAR), \
     CAST(DATABASE() AS CHAR) \
     FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = DATABASE() \
       AND (CONSTRAINT_NAME = 'PRIMARY' OR REFERENCED_TABLE_NAME IS NOT NULL) \
     ORDER BY TABLE_NAME, CONSTRAINT_NAME, ORDINAL_POSITION";

pub async fn introspect(pool: &MySqlPool) -> sqlx::Result<Schema> {
    let mut conn = pool.acquire().await?;
    let t: Vec<(String, String, Option<String>, Option<i64>)> = sqlx::query_as(TABLES).fetch_all(&mut *conn).await?;
    let c: Vec<(String, String, String, String, Option<String>)> =
        sqlx::query_as(COLUMNS).fetch_all(&mut *conn).await?;
    type KeyRow = (String, String, String, Option<String>, Option<String>, Option<String>, Option<String>);
    let k: Vec<KeyRow> = sqlx::query_as(KEYS).fetch_all(&mut *conn).await?;

    let mut b = Builder::default();
    for (name, kind, comment, rows) in t {
        let kind = if kind.contains("VIEW") { "view" } else { "table" };
        // Views carry the comment "VIEW" in MySQL's catalog.
        let comment = comment.filter(|c| c != "VIEW");
        b.table(None, name, kind, comment, if kind == "view" { None } else { rows });
    }
    for (table, name, data_type, nullable, comment) in c {
        b.column(&None, &table, Column { name, data_type, nullable: nullable == "YES", comment: nonempty(comment) });
    }
    // Rows come one per key column, grouped by (table, constraint) in order.
    let mut current: Option<(String, String, ForeignKey)> = None;
    let mut pks: Vec<(String, Vec<String>)> = Vec::new();
    let mut fks: Vec<(String, ForeignKey)> = Vec::new();
    for (table, constraint, column, ref_schema, ref_table, ref_column, this_db) in k {
        if constraint == "PRIMARY" {
            match pks.last_mut() {
                Some((t, cols)) if *t == table => cols.push(column),
                _ => pks.push((table, vec![column])),
            }
            continue;
        }
        let same = matches!(&current, Some((t, c, _)) if *t == table && *c == constraint);
        if !same {
            if let Some((t, _, fk)) = current.take() {
                fks.push((t, fk));
            }
            let ref_schema = ref_schema.filter(|s| Some(s) != this_db.as_ref());
            let fk = ForeignKey { ref_schema, ref_table: ref_table.unwrap_or_default(), ..ForeignKey::default() };
            current = Some((table.clone(), constraint.clone(), fk));
        }
        if let Some((_, _, fk)) = current.as_mut() {
            fk.columns.push(column);
            fk.ref_columns.extend(ref_column);
        }
    }
    if let Some((t, _, fk)) = current {
        fks.push((t, fk));
    }
    for (table, cols) in pks {
        b.primary_key(&None, &table, cols);
    }
    for (table, fk) in fks {
        b.foreign_key(&None, &table, fk);
    }
    Ok(b.finish("mysql"))
}
