//! Authentication: login, resolving a caller, ending a login session. The
//! lifecycle of a login session lives here: `login` opens one, `end_session`
//! is the only way one ends (every front door calls it).
mod tokens;

pub use tokens::Claims;

use sqlagent_model::TokenView;

use crate::ids::{ConnectionId, UserId};
use crate::sessions::fields;
use crate::texts;
use crate::{attachments, time, users, AppState, Error};

/// The authenticated caller of a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub user_id: UserId,
    /// The login session (also the default conversation thread).
    pub session_id: String,
    /// The connection attached to the session, if any.
    pub attached: Option<ConnectionId>,
}

impl Principal {
    /// Whether a database is attached to the session.
    pub fn database_connected(&self) -> bool {
        self.attached.is_some()
    }
}

/// Check the credentials, open a session, and issue its token.
#[tracing::instrument(skip_all)]
pub async fn login(state: &AppState, email: &str, password: &str) -> crate::Result<TokenView> {
    let user = users::verify_credentials(state, email, password).await?;
    let session_id = uuid::Uuid::new_v4().to_string();
    state
        .sessions
        .create(
            &session_id,
            &[(fields::USER_ID, user.id.to_string()), (fields::CREATED_AT, time::unix_now().to_string())],
        )
        .await?;
    let token = tokens::issue(&state.settings, UserId(user.id), &session_id)?;
    tracing::info!(user.id = user.id, "login");
    Ok(TokenView { access_token: token, token_type: "bearer".into() })
}

/// Resolve a bearer token (header or cookie) into a principal. The token must be
/// valid and its session must still exist and belong to the token's user; the
/// session's TTL is renewed.
pub async fn authenticate(state: &AppState, token: &str) -> crate::Result<Principal> {
    let claims = tokens::verify(&state.settings, token)?;
    let user_id = UserId(claims.sub.parse().map_err(|_| Error::Unauthenticated(texts::INVALID_TOKEN.into()))?);
    let meta = state
        .sessions
        .touch(&claims.sid)
        .await?
        .filter(|m| m.user_id == user_id)
        .ok_or_else(|| Error::Unauthenticated(texts::SESSION_GONE.into()))?;
    Ok(Principal { user_id, session_id: claims.sid, attached: meta.attached })
}

/// End a login session, whichever front door asks: the session key goes (its
/// token stops working at once), this instance's pool for it is dropped (it
/// holds decrypted credentials) and its attachment record is removed. Returns
/// whether the session still existed.
#[tracing::instrument(skip_all, fields(user.id = %p.user_id))]
pub async fn end_session(state: &AppState, p: &Principal) -> crate::Result<bool> {
    let existed = state.sessions.delete(&p.session_id).await?;
    state.pools.remove(&p.session_id).await;
    attachments::forget_session(state, &p.session_id).await?;
    Ok(existed)
}

/// Name of the browser's HttpOnly session cookie (it carries the same JWT).
pub const COOKIE_NAME: &str = "sqlagent_session";

/// The token of a request: the `Authorization: Bearer` header wins over the cookie.
pub fn token_from_headers<'a>(authorization: Option<&'a str>, cookie: Option<&'a str>) -> Option<&'a str> {
    let bearer = authorization.and_then(|h| {
        let (scheme, token) = h.trim().split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
    });
    bearer.or_else(|| {
        cookie?
            .split(';')
            .filter_map(|c| c.trim().split_once('='))
            .find(|(name, _)| *name == COOKIE_NAME)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    })
}

/// A `Set-Cookie` value holding `token`, or expiring the cookie when `None`.
/// HttpOnly (no script access) and SameSite=Lax (no cross-site POSTs carry it);
/// Secure in production, where the site is served over HTTPS.
pub fn session_cookie(settings: &crate::config::Settings, token: Option<&str>) -> String {
    let secure = if settings.env == crate::config::Environment::Production { "; Secure" } else { "" };
    match token {
        Some(t) => format!("{COOKIE_NAME}={t}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}", 7 * 86_400),
        None => format!("{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_header_wins_over_cookie_and_junk_is_ignored() {
        let cookie = Some("a=1; sqlagent_session=from-cookie; b=2");
        assert_eq!(token_from_headers(Some("Bearer abc"), cookie), Some("abc"));
        assert_eq!(token_from_headers(Some("bearer  abc "), None), Some("abc"));
        assert_eq!(token_from_headers(None, cookie), Some("from-cookie"));
        assert_eq!(token_from_headers(Some("Basic abc"), None), None);
        assert_eq!(token_from_headers(Some("Bearer "), None), None);
        assert_eq!(token_from_headers(None, Some("sqlagent_session=")), None);
        assert_eq!(token_from_headers(None, Some("other=1")), None);
    }
}
