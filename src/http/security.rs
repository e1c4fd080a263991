//! Browser security, for every response the server sends (REST, pages, server
//! functions, static files):
//!
//! - security headers: `nosniff`, no framing, a referrer policy, HSTS in
//!   production, and a Content-Security-Policy. Pages set their own CSP with the
//!   per-response nonce of their inline hydration scripts (`sqlagent_app::shell`);
//!   everything else gets one that allows nothing;
//! - cross-site request refusal (CSRF): a state-changing request a browser sends
//!   from another origin is refused before any handler runs, whether a cookie, a
//!   token or nothing authenticates it (login CSRF included). Browsers say where a
//!   request comes from in `Sec-Fetch-Site`, and in `Origin` on every non-GET
//!   request; clients that are not browsers send neither and cannot be forged
//!   into acting for someone else. The `SameSite=Lax` cookie is the layer behind
//!   this one (it does not stop a sibling port or sub-domain, which is same-site);
//! - CORS: closed unless origins are listed in `SQLAGENT_CORS_ORIGINS`.
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use sqlagent_core::config::{Environment, Settings};
use tower_http::cors::{AllowOrigin, CorsLayer};

use super::detail_response;

/// The refusal's `detail`.
pub const CROSS_SITE: &str = "Cross-site request refused: this action must come from SQLAgent's own pages";

/// The CSP of everything that is not a page: nothing may load, nothing may frame it.
const CSP_NONE: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/// Swagger UI at `/docs` (its own scripts and inline styles).
const CSP_DOCS: &str = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; \
                        object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// What the browser-security layer needs from the settings.
#[derive(Debug, Clone)]
pub struct BrowserPolicy {
    production: bool,
    /// Origins other sites may call from (CORS), e.g. `https://admin.example.com`.
    origins: Arc<[HeaderValue]>,
}

impl BrowserPolicy {
    pub fn new(settings: &Settings) -> Self {
        Self {
            production: settings.env == Environment::Production,
            origins: settings.cors_origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect(),
        }
    }

    /// CORS for the listed origins; no layer at all (so no CORS headers) when none are.
    pub fn cors(&self) -> Option<CorsLayer> {
        (!self.origins.is_empty()).then(|| {
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(self.origins.iter().cloned()))
                .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
                .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
                .allow_credentials(true)
                .max_age(std::time::Duration::from_secs(600))
        })
    }

    /// Why this request must be refused as cross-site, if it must.
    pub fn cross_site(&self, method: &Method, headers: &HeaderMap) -> bool {
        if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
            return false;
        }
        let origin = headers.get(header::ORIGIN);
        if origin.is_some_and(|o| self.origins.contains(o)) {
            return false;
        }
        match headers.get("sec-fetch-site").map(HeaderValue::as_bytes) {
            Some(b"same-origin" | b"none") => return false,
            Some(_) => return true,
            None => {}
        }
        match origin {
            // Not a browser: nobody's cookie rides along unasked.
            None => false,
            Some(origin) => !same_origin(origin, headers.get(header::HOST)),
        }
    }

    fn set_headers(&self, path_is_docs: bool, headers: &mut HeaderMap) {
        let set = |headers: &mut HeaderMap, name: HeaderName, value: &'static str| {
            headers.entry(name).or_insert(HeaderValue::from_static(value));
        };
        set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
        set(headers, header::X_FRAME_OPTIONS, "DENY");
        set(headers, header::REFERRER_POLICY, "same-origin");
        set(headers, HeaderName::from_static("cross-origin-opener-policy"), "same-origin");
        set(headers, HeaderName::from_static("permissions-policy"), "camera=(), microphone=(), geolocation=()");
        set(headers, header::CONTENT_SECURITY_POLICY, if path_is_docs { CSP_DOCS } else { CSP_NONE });
        if self.production {
            set(headers, header::STRICT_TRANSPORT_SECURITY, "max-age=63072000; includeSubDomains");
        }
    }
}

/// `Origin` (`scheme://host[:port]`) names the host the request was sent to.
fn same_origin(origin: &HeaderValue, host: Option<&HeaderValue>) -> bool {
    let (Ok(origin), Some(Ok(host))) = (origin.to_str(), host.map(HeaderValue::to_str)) else {
        return false;
    };
    origin
        .split_once("://")
        .is_some_and(|(scheme, authority)| matches!(scheme, "http" | "https") && authority.eq_ignore_ascii_case(host))
}

/// The layer: refuse cross-site writes, then add the headers to whatever answers.
pub async fn guard(State(policy): State<BrowserPolicy>, request: Request, next: Next) -> Response {
    let docs = request.uri().path().starts_with("/docs");
    let mut response = if policy.cross_site(request.method(), request.headers()) {
        tracing::warn!(method = %request.method(), path = request.uri().path(), "cross-site request refused");
        detail_response(StatusCode::FORBIDDEN, CROSS_SITE)
    } else {
        next.run(request).await
    };
    policy.set_headers(docs, response.headers_mut());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(origins: &[&str]) -> BrowserPolicy {
        BrowserPolicy {
            production: false,
            origins: origins.iter().map(|o| HeaderValue::from_str(o).unwrap()).collect(),
        }
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("app.example.com"));
        for (k, v) in pairs {
            h.insert(HeaderName::from_bytes(k.as_bytes()).unwrap(), HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn reads_are_never_refused() {
        let h = headers(&[("sec-fetch-site", "cross-site"), ("origin", "https://evil.example")]);
        for m in [Method::GET, Method::HEAD, Method::OPTIONS] {
            assert!(!policy(&[]).cross_site(&m, &h));
        }
    }

    #[test]
    fn writes_from_other_sites_are_refused_by_fetch_metadata_or_origin() {
        let p = policy(&[]);
        for (pairs, refused) in [
            (&[("sec-fetch-site", "cross-site")][..], true),
            (&[("sec-fetch-site", "same-site"), ("origin", "https://other.example.com")][..], true),
            (&[("sec-fetch-site", "same-origin"), ("origin", "https://app.example.com")][..], false),
            (&[("sec-fetch-site", "none")][..], false),
            (&[("origin", "https://evil.example")][..], true),
            (&[("origin", "null")][..], true),
            (&[("origin", "https://app.example.com.evil.example")][..], true),
            (&[("origin", "ftp://app.example.com")][..], true),
            (&[("origin", "https://APP.example.com")][..], false),
            (&[("origin", "http://app.example.com")][..], false),
            // curl, scripts, generated clients: no browser, no ambient credentials to abuse.
            (&[][..], false),
        ] {
            for m in [Method::POST, Method::PUT, Method::DELETE, Method::PATCH] {
                assert_eq!(p.cross_site(&m, &headers(pairs)), refused, "{m} {pairs:?}");
            }
        }
    }

    #[test]
    fn listed_origins_may_write() {
        let p = policy(&["https://admin.example.org"]);
        let h = headers(&[("sec-fetch-site", "cross-site"), ("origin", "https://admin.example.org")]);
        assert!(!p.cross_site(&Method::POST, &h));
        let h = headers(&[("sec-fetch-site", "cross-site"), ("origin", "https://admin.example.org.evil")]);
        assert!(p.cross_site(&Method::POST, &h));
        assert!(p.cors().is_some());
        assert!(policy(&[]).cors().is_none());
    }

    #[test]
    fn headers_keep_a_page_csp_and_add_hsts_only_in_production() {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("script-src 'nonce-x'"));
        policy(&[]).set_headers(false, &mut h);
        assert_eq!(h[header::CONTENT_SECURITY_POLICY], "script-src 'nonce-x'");
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert!(h.get(header::STRICT_TRANSPORT_SECURITY).is_none());
        let mut h = HeaderMap::new();
        BrowserPolicy { production: true, origins: Arc::new([]) }.set_headers(false, &mut h);
        assert_eq!(h[header::CONTENT_SECURITY_POLICY], CSP_NONE);
        assert!(h[header::STRICT_TRANSPORT_SECURITY].to_str().unwrap().starts_with("max-age="));
    }
}
