//! Redis sessions: a hash per session with a sliding TTL.
//!
//! The connection is made lazily and remade after failures, so the server starts and
//! keeps serving `/health` while Redis is down, and recovers when it is back.
use std::collections::HashMap;
use std::time::Duration;

use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use tokio::sync::Mutex;

use super::{key, Probe, SessionMeta, SessionStore};
use crate::Error;

/// Upper bound for any single Redis round trip made on behalf of a request.
const OP_TIMEOUT: Duration = Duration::from_secs(2);

/// `HSET` + `EXPIRE` only when the key still exists, atomically.
const SET_IF_EXISTS: &str = r"
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('HSET', KEYS[1], unpack(ARGV, 2))
  redis.call('EXPIRE', KEYS[1], ARGV[1])
  return 1
end
return 0";

/// Sessions in Redis.
pub struct RedisSessions {
    client: redis::Client,
    ttl: u64,
    conn: Mutex<Option<ConnectionManager>>,
}

impl RedisSessions {
    /// Parse the URL; no connection is made until first use.
    pub fn new(url: &str, ttl_seconds: u64) -> crate::Result<Self> {
        let client =
            redis::Client::open(url).map_err(|_| Error::Invalid("REDIS_URL: not a valid redis:// URL".into()))?;
        Ok(Self { client, ttl: ttl_seconds, conn: Mutex::new(None) })
    }

    async fn conn(&self) -> crate::Result<ConnectionManager> {
        let mut slot = self.conn.lock().await;
        if let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Duration::from_secs(1))
            .set_response_timeout(OP_TIMEOUT)
            .set_number_of_retries(2)
            .set_max_delay(500);
        let c = ConnectionManager::new_with_config(self.client.clone(), config).await.map_err(unavailable)?;
        *slot = Some(c.clone());
        Ok(c)
    }

    /// Run one request (a command or a pipeline) with a hard timeout.
    async fn run<T, F>(&self, request: impl FnOnce(ConnectionManager) -> F) -> crate::Result<T>
    where
        F: std::future::Future<Output = redis::RedisResult<T>>,
    {
        let conn = self.conn().await?;
        match tokio::time::timeout(OP_TIMEOUT, request(conn)).await {
            Ok(result) => result.map_err(unavailable),
            Err(_) => Err(Error::Unavailable("Session store unavailable".into())),
        }
    }
}

fn unavailable(e: redis::RedisError) -> Error {
    tracing::warn!(error = %e, "redis request failed");
    Error::Unavailable("Session store unavailable".into())
}

/// Send a pipeline.
async fn pipe<T: redis::FromRedisValue>(p: redis::Pipeline, mut c: ConnectionManager) -> redis::RedisResult<T> {
    p.query_async(&mut c).await
}

/// Send a single command.
async fn cmd<T: redis::FromRedisValue>(cmd: redis::Cmd, mut c: ConnectionManager) -> redis::RedisResult<T> {
    cmd.query_async(&mut c).await
}

#[async_trait]
impl SessionStore for RedisSessions {
    async fn create(&self, id: &str, fields: &[(&str, String)]) -> crate::Result<()> {
        let k = key(id);
        let mut p = redis::pipe();
        p.atomic().hset_multiple(&k, fields).ignore().expire(&k, self.ttl as i64).ignore();
        self.run(|c| pipe::<()>(p, c)).await
    }

    async fn touch(&self, id: &str) -> crate::Result<Option<SessionMeta>> {
        let k = key(id);
        let mut p = redis::pipe();
        p.expire(&k, self.ttl as i64).hget(&k, &SessionMeta::FIELDS);
        let (renewed, values): (bool, Vec<Option<String>>) = self.run(|c| pipe(p, c)).await?;
        if !renewed {
            return Ok(None);
        }
        let values: [Option<String>; 3] = values.try_into().unwrap_or_default();
        Ok(SessionMeta::from_values(values))
    }

    async fn get_all(&self, id: &str) -> crate::Result<Option<HashMap<String, String>>> {
        let k = key(id);
        let mut p = redis::pipe();
        p.expire(&k, self.ttl as i64).hgetall(&k);
        let (renewed, map): (bool, HashMap<String, String>) = self.run(|c| pipe(p, c)).await?;
        Ok(renewed.then_some(map))
    }

    async fn set(&self, id: &str, fields: &[(&str, String)]) -> crate::Result<bool> {
        let mut c_cmd = redis::cmd("EVAL");
        c_cmd.arg(SET_IF_EXISTS).arg(1).arg(key(id)).arg(self.ttl);
        for (k, v) in fields {
            c_cmd.arg(*k).arg(v);
        }
        self.run(|c| cmd(c_cmd, c)).await
    }

    async fn remove_fields(&self, id: &str, names: &[&str]) -> crate::Result<()> {
        let c_cmd = redis::Cmd::hdel(key(id), names);
        self.run(|c| cmd::<i64>(c_cmd, c)).await.map(drop)
    }

    async fn delete(&self, id: &str) -> crate::Result<bool> {
        let n: i64 = self.run(|c| cmd(redis::Cmd::del(key(id)), c)).await?;
        Ok(n > 0)
    }

    async fn probe(&self) -> Probe {
        match self.run(|c| cmd::<String>(redis::cmd("PING"), c)).await {
            Ok(_) => Probe::Healthy,
            Err(_) => Probe::Unhealthy,
        }
    }
}
