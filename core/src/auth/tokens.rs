//! HS256 JWTs: `sub` = user id, `sid` = session id, `exp`.
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use crate::config::Settings;
use crate::ids::UserId;
use crate::Error;

/// What a token says.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub sid: String,
    pub iat: i64,
    pub exp: i64,
}

/// Absolute lifetime of a token. The session behind it also has a sliding idle TTL
/// (`SESSION_TTL_SECONDS`), so an idle token dies much sooner.
const MAX_LIFETIME_SECONDS: i64 = 7 * 86_400;

/// Sign a token for a session.
pub(super) fn issue(settings: &Settings, user_id: UserId, session_id: &str) -> crate::Result<String> {
    let now = crate::time::unix_now();
    let claims = Claims {
        sub: user_id.to_string(),
        sid: session_id.to_owned(),
        iat: now,
        exp: now + MAX_LIFETIME_SECONDS.max(settings.session_ttl_seconds as i64),
    };
    let key = EncodingKey::from_secret(settings.jwt_secret.expose_secret().as_bytes());
    encode(&Header::new(Algorithm::HS256), &claims, &key).map_err(|e| anyhow::anyhow!("signing token: {e}").into())
}

/// Check signature, algorithm and expiry.
pub(super) fn verify(settings: &Settings, token: &str) -> crate::Result<Claims> {
    let key = DecodingKey::from_secret(settings.jwt_secret.expose_secret().as_bytes());
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    validation.set_required_spec_claims(&["exp", "sub"]);
    decode::<Claims>(token, &key, &validation)
        .map(|d| d.claims)
        .map_err(|_| Error::Unauthenticated(crate::texts::INVALID_TOKEN.into()))
}
