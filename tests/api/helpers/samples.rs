//! The shared sample databases (`../shared/data`), read in place, never copied:
//! Chinook loaded into PostgreSQL and MariaDB by `scripts/load-samples.sh`, and
//! its SQLite file uploaded by the tests that need it.
use std::path::PathBuf;

use serde_json::{json, Value};

use super::*;

pub const PG_RO_PASS: &str = "ro_pass_123";

/// The Chinook sample folder. Outside `make test` a checkout without
/// `../shared/data` skips these tests with a message; under `make test`
/// (`SQLAGENT_REQUIRE_SAMPLES=1`) its absence fails them, so a CI run cannot
/// pass without having run them.
pub fn samples() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/sample_dbs/chinook");
    if dir.is_dir() {
        return Some(dir);
    }
    let hint = format!("{} is absent (the shared sample databases live beside the project)", dir.display());
    if std::env::var("SQLAGENT_REQUIRE_SAMPLES").is_ok_and(|v| v == "1") {
        panic!("{hint}; make test requires them");
    }
    eprintln!("SKIP: {hint}");
    None
}

pub fn pg_chinook() -> Value {
    json!({"db_type": "postgresql", "host": "127.0.0.1", "port": 5432, "database_name": "chinook",
           "username": "sqlagent_ro", "db_password": PG_RO_PASS})
}

pub fn maria_chinook() -> Value {
    json!({"db_type": "mariadb", "host": "127.0.0.1", "port": 3306, "database_name": "Chinook",
           "username": "sqlagent_ro", "db_password": "ro_pass_123", "ssl_mode": "disable"})
}

pub fn sqlite_chinook() -> Value {
    json!({"db_type": "sqlite", "database_name": "chinook.sqlite"})
}

/// Upload the Chinook SQLite file for this user.
pub async fn upload_chinook(app: &TestApp, token: &str) {
    let bytes = std::fs::read(samples().unwrap().join("Chinook_Sqlite.sqlite")).unwrap();
    ok_json(app.upload_sqlite(token, "chinook.sqlite", bytes).await).await;
}
