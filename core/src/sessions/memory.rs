//! In-memory sessions for a single instance (no `REDIS_URL`).
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;

use super::{Probe, SessionMeta, SessionStore};

struct Entry {
    fields: HashMap<String, String>,
    expires: Instant,
}

/// Sessions in a map guarded by a mutex; expired entries vanish on access and are
/// swept whenever a new session is created.
pub struct MemorySessions {
    ttl: Duration,
    map: Mutex<HashMap<String, Entry>>,
}

impl MemorySessions {
    pub fn new(ttl_seconds: u64) -> Self {
        Self { ttl: Duration::from_secs(ttl_seconds), map: Mutex::new(HashMap::new()) }
    }

    /// Run `f` on the live entry for `id`, renewing it; `None` when absent or expired.
    fn with_live<T>(&self, id: &str, f: impl FnOnce(&mut Entry) -> T) -> Option<T> {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        match map.get_mut(id) {
            Some(entry) if entry.expires > now => {
                entry.expires = now + self.ttl;
                Some(f(entry))
            }
            Some(_) => {
                map.remove(id);
                None
            }
            None => None,
        }
    }
}

fn owned<'a>(fields: &'a [(&'a str, String)]) -> impl Iterator<Item = (String, String)> + 'a {
    fields.iter().map(|(k, v)| ((*k).to_owned(), v.clone()))
}

#[async_trait]
impl SessionStore for MemorySessions {
    async fn create(&self, id: &str, fields: &[(&str, String)]) -> crate::Result<()> {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        map.retain(|_, e| e.expires > now);
        map.insert(id.to_owned(), Entry { fields: owned(fields).collect(), expires: now + self.ttl });
        Ok(())
    }

    async fn touch(&self, id: &str) -> crate::Result<Option<SessionMeta>> {
        Ok(self
            .with_live(id, |e| SessionMeta::from_values(SessionMeta::FIELDS.map(|f| e.fields.get(f).cloned())))
            .flatten())
    }

    async fn get_all(&self, id: &str) -> crate::Result<Option<HashMap<String, String>>> {
        Ok(self.with_live(id, |e| e.fields.clone()))
    }

    async fn set(&self, id: &str, fields: &[(&str, String)]) -> crate::Result<bool> {
        Ok(self.with_live(id, |e| e.fields.extend(owned(fields))).is_some())
    }

    async fn remove_fields(&self, id: &str, names: &[&str]) -> crate::Result<()> {
        self.with_live(id, |e| e.fields.retain(|k, _| !names.contains(&k.as_str())));
        Ok(())
    }

    async fn delete(&self, id: &str) -> crate::Result<bool> {
        let mut map = self.map.lock().unwrap_or_else(|e| e.into_inner());
        Ok(map.remove(id).is_some_and(|e| e.expires > Instant::now()))
    }

    async fn probe(&self) -> Probe {
        Probe::Disabled
    }
}
