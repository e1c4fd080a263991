//! The one error type of the core, and the one table from its kinds to HTTP
//! statuses that both front doors (REST and the UI's server functions) use.

/// Result alias used across the core.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Texts a client sees, each written once.
pub mod texts {
    /// No usable credentials at all.
    pub const NOT_AUTHENTICATED: &str = "Not authenticated";
    /// A token that does not verify (bad signature, expired, malformed).
    pub const INVALID_TOKEN: &str = "Could not validate credentials";
    /// A valid token whose login session is gone.
    pub const SESSION_GONE: &str = "Session expired or revoked";
    /// The guide's text for a `session_id` that is missing or someone else's.
    pub const FOREIGN_SESSION: &str = "Session ID does not belong to the authenticated user or session not found";
    /// The guide's text when a session has no database attached.
    pub const NO_DATABASE: &str = "No database connected for this session. Please connect a database first.";
    /// Wrong email or password at login.
    pub const BAD_CREDENTIALS: &str = "Incorrect email or password";
    /// A server fault, whose details stay in the logs.
    pub const INTERNAL: &str = "Internal server error";
    /// A dependency outage, whose details stay in the logs.
    pub const UNAVAILABLE: &str = "Service temporarily unavailable";
}

/// Everything that can go wrong in the core.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No credentials, a bad token, or a session that no longer exists (401).
    #[error("{0}")]
    Unauthenticated(String),
    /// Wrong email or password at login (401, fixed text).
    #[error("{}", texts::BAD_CREDENTIALS)]
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
    /// A dependency (Redis, the store, the model) is down (503); the text is safe to show.
    #[error("{0}")]
    Unavailable(String),
    /// Too much work at once; the caller should retry shortly (503, `Retry-After`).
    #[error("{0}")]
    Busy(String),
    /// The caller is over one of its own limits (429, `Retry-After`).
    #[error("{0}")]
    TooMany(String),
    /// The app store failed unexpectedly (500, logged, never shown; 503 when it is an outage).
    #[error("store error: {0}")]
    Store(#[from] sqlx::Error),
    /// Anything else unexpected (500, logged, never shown).
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl Error {
    /// A 401 with the standard "no usable credentials" text.
    pub fn not_authenticated() -> Self {
        Error::Unauthenticated(texts::NOT_AUTHENTICATED.into())
    }

    /// True when the details must stay in the logs (server-side faults).
    pub fn is_internal(&self) -> bool {
        matches!(self, Error::Store(_) | Error::Internal(_))
    }

    /// The HTTP status of this error: the one table of the product.
    pub fn status(&self) -> u16 {
        match self {
            Error::Unauthenticated(_) | Error::BadCredentials => 401,
            Error::Forbidden(_) => 403,
            Error::NotFound(_) => 404,
            Error::Invalid(_) => 422,
            Error::BadRequest(_) | Error::UnsafeSql(_) => 400,
            Error::Conflict(_) => 409,
            Error::Upstream(_) => 502,
            Error::TooMany(_) => 429,
            Error::Unavailable(_) | Error::Busy(_) => 503,
            Error::Store(e) if is_outage(e) => 503,
            Error::Store(_) | Error::Internal(_) => 500,
        }
    }

    /// Seconds after which a retry may succeed, for a `Retry-After` header.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Error::Busy(_) => Some(1),
            Error::TooMany(_) => Some(2),
            _ => None,
        }
    }

    /// The text a client may see. Server faults are logged here, with their
    /// cause, and answered with a generic text.
    pub fn public_detail(&self) -> String {
        if !self.is_internal() {
            return self.to_string();
        }
        tracing::error!(error = ?self, "request failed");
        if self.status() == 503 { texts::UNAVAILABLE } else { texts::INTERNAL }.to_owned()
    }
}

/// A store that cannot be reached (rather than a query that failed).
fn is_outage(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed)
}
