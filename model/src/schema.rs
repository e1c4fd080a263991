//! The structure of a connected database, as introspection finds it.
use serde::{Deserialize, Serialize};

/// Every table and view the connection can see.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Schema {
    /// `postgresql`, `mysql` or `sqlite`.
    pub dialect: String,
    pub tables: Vec<Table>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Table {
    /// The schema (PostgreSQL) or database (MySQL); `None` for SQLite's main.
    pub schema: Option<String>,
    pub name: String,
    /// `table` or `view`.
    pub kind: String,
    pub comment: Option<String>,
    /// The catalog's estimate; exact for SQLite only when cheap.
    pub row_estimate: Option<i64>,
    pub columns: Vec<Column>,
    pub primary_key: Vec<String>,
    pub foreign_keys: Vec<ForeignKey>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Column {
    pub name: String,
    pub data_type: String,
    pub nullable: bool,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ForeignKey {
    pub columns: Vec<String>,
    pub ref_schema: Option<String>,
    pub ref_table: String,
    pub ref_columns: Vec<String>,
}
