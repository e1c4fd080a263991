//! Typed settings, layered defaults → `.env` → environment → command-line flags.
//!
//! The core never reads the process environment itself: the binary hands the raw
//! layers to [`Settings::from_layers`], and tests build [`Settings`] directly.
use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use base64::{engine::general_purpose::STANDARD as B64, Engine};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretBox, SecretString};

/// Command-line flags and the variables they set.
const FLAGS: &[(&str, &str)] = &[
    ("--addr", "LEPTOS_SITE_ADDR"),
    ("--data-dir", "SQLAGENT_DATA_DIR"),
    ("--database-url", "DATABASE_URL"),
    ("--redis-url", "REDIS_URL"),
    ("--env", "SQLAGENT_ENV"),
    ("--session-ttl-seconds", "SESSION_TTL_SECONDS"),
    ("--openai-base-url", "OPENAI_BASE_URL"),
    ("--openai-api-version", "OPENAI_API_VERSION"),
    ("--model", "SQLAGENT_MODEL"),
    ("--allowed-hosts", "SQLAGENT_ALLOWED_HOSTS"),
    ("--deny-private-hosts", "SQLAGENT_DENY_PRIVATE_HOSTS"),
    ("--allowed-ports", "SQLAGENT_ALLOWED_PORTS"),
    ("--max-pools", "SQLAGENT_MAX_POOLS"),
    ("--llm-timeout-seconds", "SQLAGENT_LLM_TIMEOUT_SECONDS"),
    ("--query-timeout-seconds", "SQLAGENT_QUERY_TIMEOUT_SECONDS"),
];

/// Values that are never acceptable as a production JWT secret.
const WEAK_SECRETS: &[&str] = &["secret", "changeme", "change-me", "jwt_secret", "password"];

/// Help text for `sqlagent --help`.
pub fn usage() -> String {
    let mut s = String::from(
        "sqlagent — ask your database questions in plain language\n\n\
         Every setting comes from (lowest first) defaults, .env, the environment, flags.\n\nFlags:\n",
    );
    for (flag, var) in FLAGS {
        s.push_str(&format!("  {flag} <value>    sets {var}\n"));
    }
    s.push_str("  -h, --help    this text\n");
    s
}

/// Deployment mode; production refuses weak or missing secrets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

/// A URL whose password never reaches Debug output or logs.
#[derive(Clone)]
pub struct SecretUrl(SecretString);

impl SecretUrl {
    pub fn new(url: impl Into<String>) -> Self {
        Self(SecretString::from(url.into()))
    }
    /// The full URL, for opening a connection only.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&mask_url_password(self.expose()))
    }
}

/// `scheme://user:***@host/db`; URLs without a password come back unchanged.
pub fn mask_url_password(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut u) if u.password().is_some() => {
            let _ = u.set_password(Some("***"));
            u.to_string()
        }
        Ok(u) => u.to_string(),
        Err(_) => "<unparseable url>".into(),
    }
}

/// All settings of one server instance.
#[derive(Debug, Clone)]
pub struct Settings {
    pub env: Environment,
    pub site_addr: SocketAddr,
    pub data_dir: PathBuf,
    /// `sqlite://…` or `postgres://…`.
    pub database_url: SecretUrl,
    /// Unset → in-memory sessions (single instance only).
    pub redis_url: Option<SecretUrl>,
    pub jwt_secret: SecretString,
    /// AEAD key for credentials at rest.
    pub secret_key: std::sync::Arc<SecretBox<[u8; 32]>>,
    pub session_ttl_seconds: u64,
    pub openai_api_key: Option<SecretString>,
    pub openai_base_url: Option<String>,
    /// Set for Azure-style deployments: `{base}/openai/deployments/{model}/…?api-version=…`, `api-key` header.
    pub openai_api_version: Option<String>,
    pub model: Option<String>,
    /// Where target databases may live (SSRF policy).
    pub net_policy: crate::targets::NetPolicy,
    /// Upper bound of cached target pools per instance.
    pub max_pools: u64,
    /// Bound on one model answer (and on each silence within a streamed one).
    pub llm_timeout_seconds: u64,
    /// Bound on one query on a target database (the engine stops it).
    pub query_timeout_seconds: u64,
}

impl Settings {
    /// Merge the layers (later wins) and build the settings. `args` excludes the
    /// program name. Dev secrets missing from all layers are generated into the data dir.
    pub fn from_layers(
        dotenv: impl IntoIterator<Item = (String, String)>,
        env: impl IntoIterator<Item = (String, String)>,
        args: &[String],
    ) -> crate::Result<Self> {
        let mut vars: BTreeMap<String, String> = dotenv.into_iter().collect();
        vars.extend(env);
        vars.extend(parse_flags(args)?);
        Self::from_vars(&vars)
    }

    /// Build settings from one flat map of variables.
    pub fn from_vars(vars: &BTreeMap<String, String>) -> crate::Result<Self> {
        let get = |k: &str| vars.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
        let env = match get("SQLAGENT_ENV").unwrap_or("development") {
            "production" | "prod" => Environment::Production,
            "development" | "dev" | "test" => Environment::Development,
            other => return Err(invalid(format!("SQLAGENT_ENV: unknown value {other:?}"))),
        };
        let site_addr = get("LEPTOS_SITE_ADDR")
            .unwrap_or("127.0.0.1:8000")
            .parse()
            .map_err(|_| invalid("LEPTOS_SITE_ADDR: expected host:port, e.g. 127.0.0.1:8000"))?;
        let data_dir = PathBuf::from(get("SQLAGENT_DATA_DIR").unwrap_or("./data"));
        let database_url = match get("DATABASE_URL") {
            Some(url) if url.starts_with("sqlite:") || url.starts_with("postgres") => url.to_owned(),
            Some(_) => return Err(invalid("DATABASE_URL: expected sqlite://… or postgres://…")),
            None => format!("sqlite://{}/sqlagent.db", data_dir.display()),
        };
        let positive = |name: &str, default: u64| match get(name) {
            None => Ok(default),
            Some(v) => v
                .parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| invalid(format!("{name}: expected a positive integer"))),
        };
        let session_ttl_seconds = positive("SESSION_TTL_SECONDS", 86_400)?;
        let max_pools = positive("SQLAGENT_MAX_POOLS", 64)?;
        let llm_timeout_seconds = positive("SQLAGENT_LLM_TIMEOUT_SECONDS", 60)?;
        let query_timeout_seconds = positive("SQLAGENT_QUERY_TIMEOUT_SECONDS", 15)?;
        let (jwt_secret, secret_key) = secrets(env, &data_dir, get("JWT_SECRET"), get("SQLAGENT_SECRET_KEY"))?;
        Ok(Settings {
            env,
            site_addr,
            data_dir,
            database_url: SecretUrl::new(database_url),
            redis_url: get("REDIS_URL").map(SecretUrl::new),
            jwt_secret: SecretString::from(jwt_secret),
            secret_key: std::sync::Arc::new(SecretBox::new(Box::new(secret_key))),
            session_ttl_seconds,
            openai_api_key: get("OPENAI_API_KEY").map(|k| SecretString::from(k.to_owned())),
            openai_base_url: get("OPENAI_BASE_URL").map(str::to_owned),
            openai_api_version: get("OPENAI_API_VERSION").map(str::to_owned),
            model: get("SQLAGENT_MODEL").or(get("LLM_MODEL")).map(str::to_owned),
            net_policy: crate::targets::NetPolicy::from_settings(
                get("SQLAGENT_ALLOWED_HOSTS"),
                get("SQLAGENT_DENY_PRIVATE_HOSTS"),
                get("SQLAGENT_ALLOWED_PORTS"),
                env == Environment::Production,
            )?,
            max_pools,
            llm_timeout_seconds,
            query_timeout_seconds,
        })
    }
}

fn invalid(msg: impl Into<String>) -> crate::Error {
    crate::Error::Invalid(msg.into())
}

fn parse_flags(args: &[String]) -> crate::Result<Vec<(String, String)>> {
    let mut out = Vec::new();
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) => (f, Some(v.to_owned())),
            None => (arg.as_str(), None),
        };
        let var = FLAGS
            .iter()
            .find(|(f, _)| *f == flag)
            .map(|(_, v)| *v)
            .ok_or_else(|| invalid(format!("unknown flag {flag}; see --help")))?;
        let value = match inline {
            Some(v) => v,
            None => it.next().cloned().ok_or_else(|| invalid(format!("{flag} needs a value")))?,
        };
        out.push((var.to_owned(), value));
    }
    Ok(out)
}

/// Resolve the JWT secret and the AEAD key. Production insists on strong, explicit
/// values; development generates missing ones once and keeps them in the data dir.
fn secrets(
    env: Environment,
    data_dir: &Path,
    jwt: Option<&str>,
    key: Option<&str>,
) -> crate::Result<(String, [u8; 32])> {
    let key = key.map(decode_key).transpose()?;
    if env == Environment::Production {
        let jwt = jwt.ok_or_else(|| invalid("production: JWT_SECRET is required"))?;
        if jwt.len() < 32 || WEAK_SECRETS.contains(&jwt.to_ascii_lowercase().as_str()) {
            return Err(invalid("production: JWT_SECRET is weak (use at least 32 random bytes)"));
        }
        let key = key.ok_or_else(|| invalid("production: SQLAGENT_SECRET_KEY is required"))?;
        if key.iter().all(|b| *b == key[0]) {
            return Err(invalid("production: SQLAGENT_SECRET_KEY is weak"));
        }
        return Ok((jwt.to_owned(), key));
    }
    if let (Some(jwt), Some(key)) = (jwt, key) {
        return Ok((jwt.to_owned(), key));
    }
    let dev = dev_secrets(data_dir)?;
    Ok((jwt.map(str::to_owned).unwrap_or(dev.0), key.unwrap_or(dev.1)))
}

fn decode_key(raw: &str) -> crate::Result<[u8; 32]> {
    B64.decode(raw)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b.as_slice()).ok())
        .ok_or_else(|| invalid("SQLAGENT_SECRET_KEY: expected base64 of exactly 32 bytes"))
}

/// Load or create `dev-secrets.env` in the data dir (mode 0600 on Unix).
fn dev_secrets(data_dir: &Path) -> crate::Result<(String, [u8; 32])> {
    let path = data_dir.join("dev-secrets.env");
    let io = |e: std::io::Error| crate::Error::Internal(anyhow::anyhow!("{}: {e}", path.display()));
    if let Ok(text) = std::fs::read_to_string(&path) {
        let vars: BTreeMap<String, String> = text
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
            .collect();
        if let (Some(jwt), Some(key)) = (vars.get("JWT_SECRET"), vars.get("SQLAGENT_SECRET_KEY")) {
            return Ok((jwt.clone(), decode_key(key)?));
        }
    }
    let mut jwt = [0u8; 48];
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut jwt);
    rand::rngs::OsRng.fill_bytes(&mut key);
    let jwt = B64.encode(jwt);
    std::fs::create_dir_all(data_dir).map_err(io)?;
    let body = format!(
        "# Generated development secrets. Never use these in production.\nJWT_SECRET={jwt}\nSQLAGENT_SECRET_KEY={}\n",
        B64.encode(key)
    );
    write_private(&path, body.as_bytes()).map_err(io)?;
    tracing::warn!(
        path = %path.display(),
        "JWT_SECRET / SQLAGENT_SECRET_KEY not set: generated DEVELOPMENT secrets. \
         Set both explicitly (and SQLAGENT_ENV=production) for any real deployment."
    );
    Ok((jwt, key))
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

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="; // 32 bytes

    #[test]
    fn later_layers_override_earlier_ones() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display().to_string();
        let s = Settings::from_layers(
            vec![("SESSION_TTL_SECONDS".into(), "10".into()), ("SQLAGENT_DATA_DIR".into(), d.clone())],
            vec![("SESSION_TTL_SECONDS".into(), "20".into())],
            &["--session-ttl-seconds".into(), "30".into(), "--addr=127.0.0.1:9".into()],
        )
        .unwrap();
        assert_eq!(s.session_ttl_seconds, 30);
        assert_eq!(s.site_addr.port(), 9);
        assert_eq!(s.database_url.expose(), format!("sqlite://{d}/sqlagent.db"));
    }

    #[test]
    fn unknown_flags_and_bad_values_are_rejected() {
        assert!(Settings::from_layers(vec![], vec![], &["--nope".into(), "1".into()]).is_err());
        assert!(Settings::from_vars(&vars(&[("SESSION_TTL_SECONDS", "0")])).is_err());
        for name in ["SQLAGENT_MAX_POOLS", "SQLAGENT_LLM_TIMEOUT_SECONDS", "SQLAGENT_QUERY_TIMEOUT_SECONDS"] {
            for bad in ["0", "-5", "ten"] {
                let err = Settings::from_vars(&vars(&[(name, bad)])).expect_err(bad);
                assert!(err.to_string().contains(name), "{err}");
            }
        }
        let s = Settings::from_vars(&vars(&[("SQLAGENT_LLM_TIMEOUT_SECONDS", "300")])).unwrap();
        assert_eq!((s.llm_timeout_seconds, s.max_pools), (300, 64));
        assert!(Settings::from_vars(&vars(&[("DATABASE_URL", "mysql://x")])).is_err());
        assert!(Settings::from_vars(&vars(&[("SQLAGENT_SECRET_KEY", "short"), ("JWT_SECRET", "x")])).is_err());
    }

    #[test]
    fn production_refuses_missing_or_weak_secrets() {
        let prod = |jwt: Option<&str>, key: Option<&str>| {
            let mut v = vars(&[("SQLAGENT_ENV", "production")]);
            jwt.map(|j| v.insert("JWT_SECRET".into(), j.into()));
            key.map(|k| v.insert("SQLAGENT_SECRET_KEY".into(), k.into()));
            Settings::from_vars(&v)
        };
        let strong = "kV9q2m8sX1r7LpZ4tW6yB3nH5cJ0dF8gA2eQ";
        assert!(prod(None, Some(KEY)).is_err());
        assert!(prod(Some("secret"), Some(KEY)).is_err());
        assert!(prod(Some(strong), None).is_err());
        let zeros = B64.encode([0u8; 32]);
        assert!(prod(Some(strong), Some(&zeros)).is_err());
        assert!(prod(Some(strong), Some(KEY)).is_ok());
    }

    #[test]
    fn development_generates_secrets_once_and_reuses_them() {
        let dir = tempfile::tempdir().unwrap();
        let v = vars(&[("SQLAGENT_DATA_DIR", dir.path().to_str().unwrap())]);
        let a = Settings::from_vars(&v).unwrap();
        let b = Settings::from_vars(&v).unwrap();
        assert_eq!(a.jwt_secret.expose_secret(), b.jwt_secret.expose_secret());
        assert_eq!(a.secret_key.expose_secret(), b.secret_key.expose_secret());
        assert!(a.jwt_secret.expose_secret().len() >= 32);
    }

    #[test]
    fn debug_output_redacts_secrets_and_url_passwords() {
        let dir = tempfile::tempdir().unwrap();
        let v = vars(&[
            ("SQLAGENT_DATA_DIR", dir.path().to_str().unwrap()),
            ("DATABASE_URL", "postgres://app:hunter2pass@db:5432/app"),
            ("REDIS_URL", "redis://:redispass9@cache:6379"),
            ("JWT_SECRET", "jwt-secret-value-that-is-long-enough"),
            ("SQLAGENT_SECRET_KEY", KEY),
            ("OPENAI_API_KEY", "sk-live-abcdef"),
        ]);
        let dbg = format!("{:?}", Settings::from_vars(&v).unwrap());
        for secret in ["hunter2pass", "redispass9", "jwt-secret-value", KEY, "sk-live-abcdef"] {
            assert!(!dbg.contains(secret), "{secret} leaked in {dbg}");
        }
        assert!(dbg.contains("postgres://app:***@db:5432/app"));
    }
}
