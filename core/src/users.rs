//! Users: registration, lookup and credential checks.
use sqlagent_model::{NewUser, UserView};

use crate::ids::UserId;
use crate::passwords::{hash_password, verify_password};
use crate::{time, AppState, Error};

#[derive(sqlx::FromRow)]
struct UserRow {
    id: i64,
    name: String,
    email: String,
    password_hash: String,
    created_at: i64,
}

impl From<UserRow> for UserView {
    fn from(r: UserRow) -> Self {
        UserView { id: r.id, name: r.name, email: r.email, created_at: time::naive_iso(r.created_at) }
    }
}

const COLUMNS: &str = "id, name, email, password_hash, created_at";

/// Validate and store a new user. Emails are compared case-insensitively.
#[tracing::instrument(skip_all)]
pub async fn register(state: &AppState, new: NewUser) -> crate::Result<UserView> {
    let name = new.name.trim().to_owned();
    let email = new.email.trim().to_ascii_lowercase();
    validate(&name, &email, &new.password)?;
    if find_by_email(state, &email).await?.is_some() {
        return Err(duplicate());
    }
    let hash = hash_password(new.password).await?;
    let sql = format!(
        "INSERT INTO users (name, email, password_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING {COLUMNS}"
    );
    let row = sqlx::query_as::<_, UserRow>(&sql)
        .bind(&name)
        .bind(&email)
        .bind(hash)
        .bind(time::unix_now())
        .fetch_one(state.store.pool())
        .await
        .map_err(|e| match e {
            // A concurrent registration won the race for this email.
            sqlx::Error::Database(d) if d.is_unique_violation() => duplicate(),
            e => e.into(),
        })?;
    tracing::info!(user.id = row.id, "user registered");
    Ok(row.into())
}

/// The user with this id.
pub async fn get(state: &AppState, id: UserId) -> crate::Result<UserView> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
    sqlx::query_as::<_, UserRow>(&sql)
        .bind(id.0)
        .fetch_optional(state.store.pool())
        .await?
        .map(Into::into)
        .ok_or_else(|| Error::NotFound("User not found".into()))
}

/// The user whose email and password match; the same error (and about the same
/// time) whether the email is unknown or the password wrong.
pub(crate) async fn verify_credentials(state: &AppState, email: &str, password: &str) -> crate::Result<UserView> {
    let row = find_by_email(state, &email.trim().to_ascii_lowercase()).await?;
    let hash = row.as_ref().map(|r| r.password_hash.clone());
    if verify_password(password.to_owned(), hash).await? {
        row.map(Into::into).ok_or(Error::BadCredentials)
    } else {
        Err(Error::BadCredentials)
    }
}

async fn find_by_email(state: &AppState, email: &str) -> crate::Result<Option<UserRow>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE email = $1");
    Ok(sqlx::query_as::<_, UserRow>(&sql).bind(email).fetch_optional(state.store.pool()).await?)
}

fn duplicate() -> Error {
    Error::Conflict("Email already registered".into())
}

fn validate(name: &str, email: &str, password: &str) -> crate::Result<()> {
    let name_len = name.chars().count();
    if name_len == 0 || name_len > 100 {
        return Err(Error::Invalid("name: must be 1 to 100 characters".into()));
    }
    if !is_email(email) {
        return Err(Error::Invalid("email: not a valid email address".into()));
    }
    if password.chars().count() < 8 {
        return Err(Error::Invalid("password: must be at least 8 characters".into()));
    }
    if password.len() > 1024 {
        return Err(Error::Invalid("password: must be at most 1024 bytes".into()));
    }
    Ok(())
}

/// A pragmatic address check: one `@`, a non-empty local part, a dotted domain of
/// letters, digits and hyphens, no spaces, at most 254 characters.
fn is_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let labels: Vec<&str> = domain.split('.').collect();
    email.len() <= 254
        && !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && local.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~.".contains(c))
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels.last().is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_check_accepts_real_addresses_and_rejects_junk() {
        for ok in ["john@example.com", "a.b+tag@sub.example.co.uk", "x_y@d-1.io"] {
            assert!(is_email(ok), "{ok}");
        }
        for bad in [
            "",
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a@b.c",
            "a b@c.com",
            "a@@b.com",
            "a@-b.com",
            ".a@b.com",
            "a@b..com",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
    }

    #[test]
    fn validation_names_the_field_at_fault() {
        let cases = [
            ("", "a@b.com", "password1", "name"),
            (&"n".repeat(101), "a@b.com", "password1", "name"),
            ("Ann", "nope", "password1", "email"),
            ("Ann", "a@b.com", "short", "password"),
        ];
        for (name, email, pw, field) in cases {
            let err = validate(name, email, pw).unwrap_err().to_string();
            assert!(err.starts_with(field), "{err}");
        }
        assert!(validate("Ann", "a@b.com", "12345678").is_ok());
    }
}
