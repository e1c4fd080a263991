//! Target databases: what a user may connect to, validated field by field.
//!
//! Connections are only ever built from a [`TargetSpec`], never from a raw URL or
//! driver options supplied by a user.
mod policy;
mod sqlite_files;

pub use policy::{NetPolicy, ResolvedHost};
pub use sqlite_files::{sqlite_path, store_upload, validate_file_name, MAX_UPLOAD_BYTES};

use crate::Error;

/// The engines SQLAgent speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    Postgres,
    /// MySQL and MariaDB (one protocol).
    MySql,
    Sqlite,
}

impl DbKind {
    /// Parse the API's `db_type`; `mariadb` and `mysql` share a driver but keep their name.
    pub fn parse(db_type: &str) -> crate::Result<Self> {
        match db_type.trim().to_ascii_lowercase().as_str() {
            "postgresql" | "postgres" => Ok(DbKind::Postgres),
            "mysql" | "mariadb" => Ok(DbKind::MySql),
            "sqlite" => Ok(DbKind::Sqlite),
            _ => Err(Error::Invalid("db_type: must be one of postgresql, mysql, mariadb, sqlite".into())),
        }
    }

    pub fn default_port(self) -> u16 {
        match self {
            DbKind::Postgres => 5432,
            DbKind::MySql => 3306,
            DbKind::Sqlite => 0,
        }
    }

    /// The dialect name used in schemas and prompts.
    pub fn dialect(self) -> &'static str {
        match self {
            DbKind::Postgres => "postgresql",
            DbKind::MySql => "mysql",
            DbKind::Sqlite => "sqlite",
        }
    }
}

/// TLS for server engines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

impl SslMode {
    pub fn parse(raw: Option<&str>) -> crate::Result<Self> {
        match raw.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
            None | Some("") | Some("prefer") => Ok(SslMode::Prefer),
            Some("disable") => Ok(SslMode::Disable),
            Some("require") => Ok(SslMode::Require),
            Some("verify-ca") | Some("verify_ca") => Ok(SslMode::VerifyCa),
            Some("verify-full") | Some("verify_full") | Some("verify_identity") => Ok(SslMode::VerifyFull),
            Some(_) => {
                Err(Error::Invalid("ssl_mode: must be one of disable, prefer, require, verify-ca, verify-full".into()))
            }
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
        }
    }
}

/// A validated connection target. The password stays out of Debug output.
#[derive(Clone)]
pub struct TargetSpec {
    pub kind: DbKind,
    /// As the user typed it (`mariadb` stays `mariadb`).
    pub db_type: String,
    pub host: String,
    pub port: u16,
    pub database_name: String,
    pub username: String,
    pub password: String,
    pub ssl_mode: SslMode,
}

impl std::fmt::Debug for TargetSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.masked_url())
    }
}

impl TargetSpec {
    /// Validate raw fields into a spec.
    pub fn new(
        db_type: &str,
        host: &str,
        port: Option<u16>,
        database_name: &str,
        username: &str,
        password: &str,
        ssl_mode: Option<&str>,
    ) -> crate::Result<Self> {
        let kind = DbKind::parse(db_type)?;
        let database_name = database_name.trim().to_owned();
        let ssl_mode = SslMode::parse(ssl_mode)?;
        if kind == DbKind::Sqlite {
            validate_file_name(&database_name)?;
            return Ok(TargetSpec {
                kind,
                db_type: "sqlite".into(),
                host: String::new(),
                port: 0,
                database_name,
                username: String::new(),
                password: String::new(),
                ssl_mode: SslMode::Disable,
            });
        }
        let host = host.trim().trim_start_matches('[').trim_end_matches(']').to_owned();
        validate_host(&host)?;
        let port = port.unwrap_or(kind.default_port());
        if port == 0 {
            return Err(Error::Invalid("port: must be between 1 and 65535".into()));
        }
        if database_name.is_empty() || database_name.len() > 128 || database_name.chars().any(|c| c.is_control()) {
            return Err(Error::Invalid("database_name: must be 1 to 128 printable characters".into()));
        }
        let username = username.trim().to_owned();
        if username.is_empty() || username.len() > 128 || username.chars().any(|c| c.is_control()) {
            return Err(Error::Invalid("username: must be 1 to 128 printable characters".into()));
        }
        if password.len() > 1024 || password.contains('\0') {
            return Err(Error::Invalid("db_password: must be at most 1024 bytes, without NUL".into()));
        }
        Ok(TargetSpec {
            kind,
            db_type: match kind {
                DbKind::MySql if db_type.trim().eq_ignore_ascii_case("mariadb") => "mariadb".into(),
                other => other.dialect().into(),
            },
            host,
            port,
            database_name,
            username,
            password: password.to_owned(),
            ssl_mode,
        })
    }

    /// `postgresql://user:***@host:5432/db`, `sqlite:///chinook.sqlite` — never the password.
    pub fn masked_url(&self) -> String {
        match self.kind {
            DbKind::Sqlite => format!("sqlite:///{}", self.database_name),
            _ => {
                let host = if self.host.contains(':') { format!("[{}]", self.host) } else { self.host.clone() };
                format!("{}://{}:***@{}:{}/{}", self.db_type, self.username, host, self.port, self.database_name)
            }
        }
    }
}

/// A host name (RFC 1123 labels) or an IP literal; nothing else reaches a driver.
fn validate_host(host: &str) -> crate::Result<()> {
    let bad = || Error::Invalid("host: must be a host name or an IP address".into());
    if host.parse::<std::net::IpAddr>().is_ok() {
        return Ok(());
    }
    if host.is_empty() || host.len() > 253 {
        return Err(bad());
    }
    let ok = host.trim_end_matches('.').split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    });
    if ok {
        Ok(())
    } else {
        Err(bad())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(db_type: &str, host: &str, db: &str) -> crate::Result<TargetSpec> {
        TargetSpec::new(db_type, host, None, db, "user", "pw", None)
    }

    #[test]
    fn only_validated_fields_become_a_target() {
        assert!(spec("postgresql", "db.example.com", "shop").is_ok());
        assert_eq!(spec("postgresql", "localhost", "shop").unwrap().port, 5432);
        assert_eq!(spec("mariadb", "::1", "shop").unwrap().masked_url(), "mariadb://user:***@[::1]:3306/shop");
        for host in ["", "host/path", "a b", "user@host", "host:5432", "-bad.example", "x?sslmode=disable", "h\u{0}"] {
            assert!(spec("postgresql", host, "shop").is_err(), "{host:?}");
        }
        assert!(spec("oracle", "h", "db").is_err());
        assert!(TargetSpec::new("postgresql", "h", Some(0), "db", "u", "p", None).is_err());
        assert!(TargetSpec::new("postgresql", "h", None, "db", "u", "p", Some("maybe")).is_err());
        assert!(TargetSpec::new("postgresql", "h", None, "db", "", "p", None).is_err());
    }

    #[test]
    fn the_masked_url_never_contains_the_password() {
        let s = TargetSpec::new("postgresql", "localhost", Some(5432), "ecommerce_db", "db_user", "db_pass123", None)
            .unwrap();
        assert_eq!(s.masked_url(), "postgresql://db_user:***@localhost:5432/ecommerce_db");
        assert!(!format!("{s:?}").contains("db_pass123"));
    }
}
