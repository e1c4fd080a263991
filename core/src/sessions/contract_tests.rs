//! The same behaviour, checked on both stores (Redis is the machine's real one).
use super::*;

const REDIS: &str = "redis://127.0.0.1:6379";

fn stores(ttl: u64) -> Vec<(&'static str, Box<dyn SessionStore>)> {
    vec![("memory", Box::new(MemorySessions::new(ttl))), ("redis", Box::new(RedisSessions::new(REDIS, ttl).unwrap()))]
}

fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[tokio::test]
async fn a_created_session_can_be_touched_read_updated_and_deleted() {
    for (name, s) in stores(60) {
        let id = new_id();
        s.create(&id, &[(fields::USER_ID, "7".into()), (fields::CREATED_AT, "1700000000".into())]).await.unwrap();
        let meta = s.touch(&id).await.unwrap().expect(name);
        assert_eq!(meta.user_id, crate::ids::UserId(7), "{name}");
        assert_eq!(meta.attached, None, "{name}");
        assert!(s.set(&id, &[(fields::STATUS, super::CONNECTED.into())]).await.unwrap(), "{name}");
        assert_eq!(s.touch(&id).await.unwrap().unwrap().attached, None, "{name}: connected names no database yet");
        assert!(s.set(&id, &[(fields::DB_ID, "3".into())]).await.unwrap(), "{name}");
        assert_eq!(s.touch(&id).await.unwrap().unwrap().attached, Some(crate::ids::ConnectionId(3)), "{name}");
        let all = s.get_all(&id).await.unwrap().unwrap();
        assert_eq!(all.get("created_at").map(String::as_str), Some("1700000000"), "{name}");
        assert!(s.delete(&id).await.unwrap(), "{name}");
        assert!(s.touch(&id).await.unwrap().is_none(), "{name}");
        assert!(!s.delete(&id).await.unwrap(), "{name}");
    }
}

#[tokio::test]
async fn setting_fields_on_a_missing_session_does_not_create_it() {
    for (name, s) in stores(60) {
        let id = new_id();
        assert!(!s.set(&id, &[(fields::STATUS, "connected".into())]).await.unwrap(), "{name}");
        assert!(s.get_all(&id).await.unwrap().is_none(), "{name}");
    }
}

#[tokio::test]
async fn sessions_expire_after_the_ttl_unless_touched() {
    for (name, s) in stores(2) {
        let kept = new_id();
        let dropped = new_id();
        for id in [&kept, &dropped] {
            s.create(id, &[(fields::USER_ID, "1".into())]).await.unwrap();
        }
        for _ in 0..3 {
            tokio::time::sleep(std::time::Duration::from_millis(900)).await;
            assert!(s.touch(&kept).await.unwrap().is_some(), "{name}: touch renews");
        }
        assert!(s.touch(&dropped).await.unwrap().is_none(), "{name}: untouched expires");
    }
}

#[tokio::test]
async fn probes_report_redis_health_and_memory_as_disabled() {
    assert_eq!(MemorySessions::new(1).probe().await, Probe::Disabled);
    assert_eq!(RedisSessions::new(REDIS, 1).unwrap().probe().await, Probe::Healthy);
    let down = RedisSessions::new("redis://127.0.0.1:1", 1).unwrap();
    assert_eq!(down.probe().await, Probe::Unhealthy);
    assert!(matches!(down.touch("x").await, Err(crate::Error::Unavailable(_))));
}
