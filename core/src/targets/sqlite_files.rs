//! SQLite targets are files in `$SQLAGENT_DATA_DIR/sqlite/`: shared samples at the
//! top, each user's uploads in `users/{id}/`. Nothing else on the server is reachable.
use std::path::{Path, PathBuf};

use crate::Error;

/// Upload size limit.
pub const MAX_UPLOAD_BYTES: usize = 64 * 1024 * 1024;

const MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// A bare file name: no separators, no `..`, no hidden files, a safe alphabet.
pub fn validate_file_name(name: &str) -> crate::Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 128
        && !name.starts_with('.')
        && !name.contains("..")
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(
            "database_name: for sqlite, a file name in the SQLite folder (letters, digits, - _ .; no paths)".into(),
        ))
    }
}

fn root(data_dir: &Path) -> PathBuf {
    data_dir.join("sqlite")
}

fn user_dir(data_dir: &Path, owner_id: i64) -> PathBuf {
    root(data_dir).join("users").join(owner_id.to_string())
}

/// The file a SQLite target names: the owner's upload first, else a shared sample.
/// The resolved path must stay inside the SQLite folder (no symlink escapes).
pub fn sqlite_path(data_dir: &Path, owner_id: i64, name: &str) -> crate::Result<PathBuf> {
    validate_file_name(name)?;
    let missing = || Error::BadRequest(format!("SQLite database {name:?} not found; upload it first"));
    let base = root(data_dir).canonicalize().map_err(|_| missing())?;
    for candidate in [user_dir(data_dir, owner_id).join(name), root(data_dir).join(name)] {
        if let Ok(real) = candidate.canonicalize() {
            if real.starts_with(&base) && real.is_file() {
                return Ok(real);
            }
        }
    }
    Err(missing())
}

/// Save an upload into the owner's folder after checking its size and magic bytes.
pub fn store_upload(data_dir: &Path, owner_id: i64, name: &str, bytes: &[u8]) -> crate::Result<PathBuf> {
    validate_file_name(name)?;
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(Error::Invalid(format!("file: larger than {} MiB", MAX_UPLOAD_BYTES / (1024 * 1024))));
    }
    if bytes.len() < 100 || !bytes.starts_with(MAGIC) {
        return Err(Error::Invalid("file: not a SQLite 3 database".into()));
    }
    let dir = user_dir(data_dir, owner_id);
    std::fs::create_dir_all(&dir).map_err(io)?;
    let path = dir.join(name);
    // Write beside, then rename: a reader never sees half a file.
    let tmp = dir.join(format!(".{name}.{}.part", uuid::Uuid::new_v4().simple()));
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::rename(&tmp, &path).map_err(io)?;
    Ok(path)
}

fn io(e: std::io::Error) -> Error {
    Error::Internal(anyhow::anyhow!("sqlite folder: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_paths_or_traversal_are_refused() {
        for bad in ["", "../x.db", "a/b.db", "a\\b.db", "/etc/passwd", ".hidden", "x..db", "a b.db", "x\0.db", "~/x.db"]
        {
            assert!(validate_file_name(bad).is_err(), "{bad:?}");
        }
        assert!(validate_file_name("chinook.sqlite").is_ok());
    }

    #[test]
    fn uploads_need_the_magic_bytes_and_land_in_the_owners_folder() {
        let dir = tempfile::tempdir().unwrap();
        assert!(store_upload(dir.path(), 1, "x.db", b"not sqlite at all").is_err());
        let mut file = MAGIC.to_vec();
        file.resize(4096, 0);
        let p = store_upload(dir.path(), 1, "x.db", &file).unwrap();
        assert!(p.ends_with("sqlite/users/1/x.db"));
        assert!(sqlite_path(dir.path(), 1, "x.db").is_ok());
        assert!(sqlite_path(dir.path(), 2, "x.db").is_err(), "another user's upload is invisible");
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_folder_are_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("sqlite")).unwrap();
        std::fs::write(dir.path().join("secret.db"), b"x").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret.db"), dir.path().join("sqlite/link.db")).unwrap();
        assert!(sqlite_path(dir.path(), 1, "link.db").is_err());
    }
}
