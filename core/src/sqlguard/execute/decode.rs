//! Database values to JSON, by trying the Rust types each driver can decode.
use base64::{engine::general_purpose::STANDARD as B64, Engine};
use serde_json::{json, Value};
use sqlx::Row;

/// Try each listed type in turn; the first that decodes wins. `try_get` checks
/// type compatibility first, so a mismatch is an `Err`, never a panic.
macro_rules! first_decoding {
    ($row:expr, $i:expr; $($t:ty => $f:expr),+ $(,)?) => {{
        $(
            if let Ok(v) = $row.try_get::<Option<$t>, _>($i) {
                return v.map($f).unwrap_or(Value::Null);
            }
        )+
        Value::String(format!("<{}>", sqlx::Column::type_info(&$row.columns()[$i]).to_string()))
    }};
}

fn num_f64(f: f64) -> Value {
    serde_json::Number::from_f64(f).map(Value::Number).unwrap_or(Value::Null)
}

pub fn pg(row: &sqlx::postgres::PgRow, i: usize) -> Value {
    first_decoding!(row, i;
        bool => Value::Bool,
        i16 => |v| json!(v),
        i32 => |v| json!(v),
        i64 => |v| json!(v),
        f32 => |v| num_f64(v as f64),
        f64 => num_f64,
        rust_decimal::Decimal => |d| Value::String(d.to_string()),
        String => Value::String,
        chrono::DateTime<chrono::Utc> => |t| Value::String(t.to_rfc3339()),
        chrono::NaiveDateTime => |t| Value::String(t.to_string()),
        chrono::NaiveDate => |t| Value::String(t.to_string()),
        chrono::NaiveTime => |t| Value::String(t.to_string()),
        uuid::Uuid => |u| Value::String(u.to_string()),
        serde_json::Value => |v| v,
        Vec<String> => |v| json!(v),
        Vec<i32> => |v| json!(v),
        Vec<i64> => |v| json!(v),
        Vec<u8> => |b| Value::String(B64.encode(b)),
    )
}

pub fn mysql(row: &sqlx::mysql::MySqlRow, i: usize) -> Value {
    // Integers before booleans: MySQL has no real boolean, and TINYINT holds more than 0/1.
    first_decoding!(row, i;
        i64 => |v| json!(v),
        u64 => |v| json!(v),
        f64 => num_f64,
        f32 => |v| num_f64(v as f64),
        rust_decimal::Decimal => |d| Value::String(d.to_string()),
        String => Value::String,
        chrono::DateTime<chrono::Utc> => |t| Value::String(t.to_rfc3339()),
        chrono::NaiveDateTime => |t| Value::String(t.to_string()),
        chrono::NaiveDate => |t| Value::String(t.to_string()),
        chrono::NaiveTime => |t| Value::String(t.to_string()),
        serde_json::Value => |v| v,
        Vec<u8> => |b| match String::from_utf8(b) { Ok(s) => Value::String(s), Err(e) => Value::String(B64.encode(e.into_bytes())) },
    )
}
