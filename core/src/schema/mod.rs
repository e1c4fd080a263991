//! Catalog introspection per dialect, in three bulk queries (tables, columns,
//! keys), never one query per table; and the compact DDL text used in prompts.
mod ddl;
mod mysql;
mod postgres;
mod sqlite;

pub use ddl::to_ddl;

use std::collections::HashMap;

use sqlagent_model::{Column, ForeignKey, Schema, Table};

use crate::pools::Pool;

/// Read the structure of the database behind `pool`.
#[tracing::instrument(skip_all)]
pub async fn introspect(pool: &Pool) -> crate::Result<Schema> {
    let failed = |e: &dyn std::fmt::Display| {
        tracing::warn!(error = %e, "introspection failed");
        crate::Error::BadRequest("Could not read the database schema".into())
    };
    match pool {
        Pool::Postgres(p) => postgres::introspect(p).await.map_err(|e| failed(&e)),
        Pool::MySql { pool, .. } => mysql::introspect(pool).await.map_err(|e| failed(&e)),
        Pool::Sqlite(f) => f.run(None, sqlite::introspect).await?.map_err(|e| failed(&e)),
    }
}

/// Assembles tables from the rows of the bulk queries.
#[derive(Default)]
struct Builder {
    tables: Vec<Table>,
    index: HashMap<(Option<String>, String), usize>,
}

impl Builder {
    fn table(&mut self, schema: Option<String>, name: String, kind: &str, comment: Option<String>, rows: Option<i64>) {
        self.index.insert((schema.clone(), name.clone()), self.tables.len());
        self.tables.push(Table {
            schema,
            name,
            kind: kind.into(),
            comment: comment.filter(|c| !c.is_empty()),
            row_estimate: rows.filter(|r| *r >= 0),
            ..Table::default()
        });
    }

    fn get(&mut self, schema: &Option<String>, name: &str) -> Option<&mut Table> {
        let i = *self.index.get(&(schema.clone(), name.to_owned()))?;
        self.tables.get_mut(i)
    }

    fn column(&mut self, schema: &Option<String>, table: &str, column: Column) {
        if let Some(t) = self.get(schema, table) {
            t.columns.push(column);
        }
    }

    fn primary_key(&mut self, schema: &Option<String>, table: &str, columns: Vec<String>) {
        if let Some(t) = self.get(schema, table) {
            t.primary_key = columns;
        }
    }

    fn foreign_key(&mut self, schema: &Option<String>, table: &str, fk: ForeignKey) {
        if let Some(t) = self.get(schema, table) {
            t.foreign_keys.push(fk);
        }
    }

    fn finish(self, dialect: &str) -> Schema {
        Schema { dialect: dialect.into(), tables: self.tables }
    }
}

fn nonempty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}
