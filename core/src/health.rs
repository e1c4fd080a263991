//! Service health as `/health` reports it.
use sqlagent_model::HealthView;

use crate::sessions::Probe;
use crate::{time, AppState, VERSION};

/// Probe the dependencies. Redis being down degrades the service; it keeps running.
pub async fn check(state: &AppState) -> HealthView {
    let redis = state.sessions.probe().await;
    let (status, message) = match redis {
        Probe::Unhealthy => ("degraded", "Service running but Redis unavailable"),
        Probe::Healthy | Probe::Disabled => ("healthy", "Service is up and running"),
    };
    HealthView {
        status: status.into(),
        message: message.into(),
        timestamp: time::rfc3339_millis_now(),
        version: VERSION.into(),
        redis: redis.as_str().into(),
    }
}
