//! The one error type of the core. Its variants say what a caller can do about it;
//! the HTTP mapping lives in exactly one place in the server (`http::error`).

/// Result alias used across the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No credentials, a bad token, or a session that no longer exists (401).
    #[error("{0}")]
    Unauthenticated(String),
    /// Wrong email or password at login (401, fixed text).
    #[error("Incorrect email or password")]
    BadCredentials,
    /// Authenticated, but not allowed to touch this (403).
    #[error("{0}")]
    Forbidden(String),
    /// The thing does not exist or is not the caller's (404).
    #[error("{0}")]
    NotFound(String),
    /// Input that fails validation (422).
    #[error("{0}")]
    Invalid(String),
    /// A request that is well-formed but cannot be served as asked (400).
    #[error("{0}")]
    BadRequest(String),
    /// SQL that the read-only guard refuses (400); the text says why.
    #[error("Query rejected: {0}")]
    UnsafeSql(String),
    /// A uniqueness rule would be broken (409).
    #[error("{0}")]
    Conflict(String),
    /// An upstream service (the language model) answered wrongly (502).
    #[error("{0}")]
    Upstream(String),
    /// A dependency (Redis, the store) is down (503); the text is safe to show.
    #[error("{0}")]
    Unavailable(String),
    /// The app store failed unexpectedly (500, logged, never shown).
    #[error("store error: {0}")]
    Store(#[from] sqlx::Error),
    /// Anything else unexpected (500, logged, never shown).
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl Error {
    /// A 401 with the standard "no usable credentials" text.
    pub fn not_authenticated() -> Self {
        Error::Unauthenticated("Not authenticated".into())
    }

    /// True when the details must stay in the logs (server-side faults).
    pub fn is_internal(&self) -> bool {
        matches!(self, Error::Store(_) | Error::Internal(_))
    }
}
