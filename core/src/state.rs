//! The handles every front door shares.
use std::sync::Arc;

use crate::config::Settings;
use crate::llm::{ChatModel, OpenAiCompatible};
use crate::offline::OfflineEngine;
use crate::pools::PoolCache;
use crate::secrets::Vault;
use crate::sessions::{MemorySessions, RedisSessions, SessionStore};
use crate::store::Store;

/// Cheap-to-clone bundle of the core's handles.
#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub store: Store,
    pub sessions: Arc<dyn SessionStore>,
    pub vault: Arc<Vault>,
    /// This instance's live target pools, by session.
    pub pools: PoolCache,
    /// The language model: an OpenAI-compatible one when configured, else the
    /// built-in offline engine.
    pub llm: Arc<dyn ChatModel>,
    /// Questions running per user on this instance.
    pub asks: Arc<crate::slots::UserSlots>,
}

impl AppState {
    /// Open the store (running migrations) and pick the session store.
    pub async fn build(settings: Settings) -> crate::Result<Self> {
        let store = Store::connect(settings.database_url.expose()).await?;
        crate::demo::ensure(&settings.data_dir).await?;
        let sessions: Arc<dyn SessionStore> = match &settings.redis_url {
            Some(url) => Arc::new(RedisSessions::new(url.expose(), settings.session_ttl_seconds)?),
            None => {
                tracing::info!("REDIS_URL not set: in-memory sessions (single instance only)");
                Arc::new(MemorySessions::new(settings.session_ttl_seconds))
            }
        };
        let vault = Arc::new(Vault::new(&settings.secret_key));
        let pools = PoolCache::new(settings.max_pools, std::time::Duration::from_secs(30 * 60));
        let llm = language_model(&settings)?;
        let asks = Arc::new(crate::slots::UserSlots::new(settings.max_concurrent_asks as usize));
        Ok(AppState { settings: Arc::new(settings), store, sessions, vault, pools, llm, asks })
    }
}

/// The configured OpenAI-compatible model if a key is set, else the offline engine.
fn language_model(settings: &Settings) -> crate::Result<Arc<dyn ChatModel>> {
    let Some(key) = settings.openai_api_key.clone() else {
        tracing::info!("OPENAI_API_KEY not set: questions are answered by the built-in offline engine");
        return Ok(Arc::new(OfflineEngine));
    };
    let base = settings.openai_base_url.as_deref().unwrap_or("https://api.openai.com/v1");
    let model = settings.model.as_deref().unwrap_or("gpt-4o-mini");
    let timeout = std::time::Duration::from_secs(settings.llm_timeout_seconds);
    let provider = match &settings.openai_api_version {
        Some(version) => OpenAiCompatible::azure(base, key, model, version, timeout)?,
        None => OpenAiCompatible::new(base, key, model, timeout)?,
    };
    Ok(Arc::new(provider))
}
