//! Development secrets: when `JWT_SECRET` or `SQLAGENT_SECRET_KEY` is not set
//! outside production, the server generates them once into
//! `$SQLAGENT_DATA_DIR/dev-secrets.env` (mode 0600) and reuses them, so tokens
//! and sealed passwords survive a restart. Called by the binary at start-up,
//! the one place that writes them; building [`Settings`](super::Settings)
//! never does.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::{engine::general_purpose::STANDARD as B64, Engine};
use rand::RngCore;

const FILE: &str = "dev-secrets.env";
const NAMES: [&str; 2] = ["JWT_SECRET", "SQLAGENT_SECRET_KEY"];

/// Fill in the secrets missing from `vars` (outside production) from the data
/// dir's file, creating it when needed. Returns the file's path when used.
pub fn fill(vars: &mut BTreeMap<String, String>) -> crate::Result<Option<PathBuf>> {
    let production = matches!(vars.get("SQLAGENT_ENV").map(|v| v.trim()), Some("production" | "prod"));
    let missing = NAMES.iter().any(|n| vars.get(*n).is_none_or(|v| v.trim().is_empty()));
    if production || !missing {
        return Ok(None);
    }
    let path = super::data_dir(vars).join(FILE);
    let stored = load_or_create(&path)?;
    for name in NAMES {
        if vars.get(name).is_none_or(|v| v.trim().is_empty()) {
            if let Some(value) = stored.get(name) {
                vars.insert(name.to_owned(), value.clone());
            }
        }
    }
    Ok(Some(path))
}

fn load_or_create(path: &Path) -> crate::Result<BTreeMap<String, String>> {
    let io = |e: std::io::Error| crate::Error::Internal(anyhow::anyhow!("{}: {e}", path.display()));
    if let Ok(text) = std::fs::read_to_string(path) {
        let vars: BTreeMap<String, String> = text
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect();
        if NAMES.iter().all(|n| vars.contains_key(*n)) {
            return Ok(vars);
        }
    }
    let mut jwt = [0u8; 48];
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut jwt);
    rand::rngs::OsRng.fill_bytes(&mut key);
    let vars = BTreeMap::from([(NAMES[0].to_owned(), B64.encode(jwt)), (NAMES[1].to_owned(), B64.encode(key))]);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let body = format!(
        "# Generated development secrets. Never use these in production.\n{}={}\n{}={}\n",
        NAMES[0], vars[NAMES[0]], NAMES[1], vars[NAMES[1]]
    );
    write_private(path, body.as_bytes()).map_err(io)?;
    Ok(vars)
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path)?.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn in_dir(dir: &Path) -> BTreeMap<String, String> {
        BTreeMap::from([("SQLAGENT_DATA_DIR".to_owned(), dir.display().to_string())])
    }

    #[test]
    fn development_generates_secrets_once_and_reuses_them() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = in_dir(dir.path());
        let path = fill(&mut a).unwrap().expect("generated");
        assert!(path.starts_with(dir.path()));
        let mut b = in_dir(dir.path());
        fill(&mut b).unwrap();
        assert_eq!(a, b);
        let settings = crate::config::Settings::from_vars(&a).unwrap();
        assert!(secrecy::ExposeSecret::expose_secret(&settings.jwt_secret).len() >= 32);
    }

    #[test]
    fn given_secrets_and_production_write_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut given = in_dir(dir.path());
        given.insert("JWT_SECRET".into(), "x".repeat(40));
        given.insert("SQLAGENT_SECRET_KEY".into(), "k".into());
        assert_eq!(fill(&mut given).unwrap(), None);
        let mut production = in_dir(dir.path());
        production.insert("SQLAGENT_ENV".into(), "production".into());
        assert_eq!(fill(&mut production).unwrap(), None);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
