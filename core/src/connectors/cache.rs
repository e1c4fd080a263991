//! Per-instance cache of connectors, keyed by session id.
use std::sync::Arc;
use std::time::Duration;

use moka::future::Cache;

use super::Connector;

/// Bounded, idle-evicting cache; evicted pools are closed.
#[derive(Clone)]
pub struct ConnectorCache {
    inner: Cache<String, Arc<Connector>>,
}

impl ConnectorCache {
    pub fn new(max_pools: u64, idle: Duration) -> Self {
        let inner = Cache::builder()
            .max_capacity(max_pools)
            .time_to_idle(idle)
            .eviction_listener(|_session, connector: Arc<Connector>, _cause| {
                let pool = connector.pool.clone();
                if let Ok(rt) = tokio::runtime::Handle::try_current() {
                    rt.spawn(async move { pool.close().await });
                }
            })
            .build();
        ConnectorCache { inner }
    }

    pub async fn get(&self, session_id: &str) -> Option<Arc<Connector>> {
        self.inner.get(session_id).await
    }

    pub async fn insert(&self, session_id: &str, connector: Arc<Connector>) {
        self.inner.insert(session_id.to_owned(), connector).await;
    }

    /// Drop (and close) the session's connector, if this instance has one.
    pub async fn remove(&self, session_id: &str) -> bool {
        self.inner.remove(session_id).await.is_some()
    }
}
