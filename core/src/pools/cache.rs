//! Per-instance cache of session pools, keyed by login session id.
use std::sync::Arc;
use std::time::Duration;

use moka::future::Cache;

use super::SessionPool;

/// Bounded, idle-evicting cache; evicted pools are closed.
#[derive(Clone)]
pub struct PoolCache {
    inner: Cache<String, Arc<SessionPool>>,
}

impl PoolCache {
    pub fn new(max_pools: u64, idle: Duration) -> Self {
        let inner = Cache::builder()
            .max_capacity(max_pools)
            .time_to_idle(idle)
            .eviction_listener(|_session, connector: Arc<SessionPool>, _cause| {
                let pool = connector.pool.clone();
                if let Ok(rt) = tokio::runtime::Handle::try_current() {
                    rt.spawn(async move { pool.close().await });
                }
            })
            .build();
        PoolCache { inner }
    }

    pub async fn get(&self, session_id: &str) -> Option<Arc<SessionPool>> {
        self.inner.get(session_id).await
    }

    pub async fn insert(&self, session_id: &str, connector: Arc<SessionPool>) {
        self.inner.insert(session_id.to_owned(), connector).await;
    }

    /// Drop (and close) the session's connector, if this instance has one.
    pub async fn remove(&self, session_id: &str) -> bool {
        self.inner.remove(session_id).await.is_some()
    }
}
