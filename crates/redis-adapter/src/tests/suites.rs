//! The port suites of the domain crates, each case on a fresh key prefix
//! of the real Redis: the same cases the in-memory implementations pass.

use std::sync::Arc;

use signaling_core::ports::*;
use signaling_core::ratelimit::RateLimiter;

use super::{config, redis};
use crate::{Caps, Redis};

async fn rooms() -> Arc<dyn RoomStore> {
    redis().ports().rooms
}
signaling_core::room_store_suite!(rooms);

mod bus {
    use super::*;
    /// Two instances: two pools and two subscriber connections on one
    /// prefix.
    async fn two() -> (Arc<dyn EventBus>, Arc<dyn EventBus>) {
        let cfg = config();
        let a = Redis::new(&cfg).unwrap().ports().bus;
        let b = Redis::new(&cfg).unwrap().ports().bus;
        (a, b)
    }
    signaling_core::event_bus_suite!(two);
}

fn capped() -> crate::RedisPorts {
    let caps = Caps {
        chat_per_room: signaling_core::testing::chat::CAP,
        analytics_per_room: signaling_core::testing::analytics::CAP,
    };
    redis().ports_with_caps(reconnection::BufferConfig::default(), caps)
}

mod chat {
    use super::*;
    async fn chat() -> Arc<dyn ChatHistory> {
        redis().ports().chat
    }
    async fn capped_chat() -> Arc<dyn ChatHistory> {
        capped().chat
    }
    signaling_core::chat_history_suite!(chat, cap: capped_chat);
}

mod chat_spool {
    use super::*;
    async fn spool() -> Arc<dyn ChatSpool> {
        redis().ports().chat_spool
    }
    signaling_core::chat_spool_suite!(spool);

    /// An item that does not decode neither stops the drain nor the edits:
    /// the drain sets it aside in `chat:spool:bad`.
    #[tokio::test]
    async fn an_undecodable_item_is_set_aside_and_blocks_nothing() {
        use deadpool_redis::redis::AsyncCommands as _;
        use signaling_core::testing::chat::chat;
        let r = redis();
        let spool = r.ports().chat_spool;
        let list = r.key(&["chat", "spool"]);
        let room = signaling_core::RoomId::parse("room").unwrap();
        let (a, b) = (chat("room", 1), chat("room", 2));
        spool.push(&a).await.unwrap();
        let _: i64 = r
            .run(async |c| c.lpush(&list, "{not json").await)
            .await
            .unwrap();
        let _: i64 = r
            .run(async |c| c.rpush(&list, "[1,2]").await)
            .await
            .unwrap();
        spool.push(&b).await.unwrap();
        assert_eq!(spool.waiting().await.unwrap(), 4);

        assert_eq!(spool.find(&room, &b.id).await.unwrap().as_ref(), Some(&b));
        let mut edited = b.clone();
        edited.message = "edited".into();
        assert!(spool.replace(&edited).await.unwrap());
        assert!(!spool.pop_front(&a.id).await.unwrap(), "the head is not a");

        assert_eq!(spool.front().await.unwrap().as_ref(), Some(&a));
        assert!(spool.pop_front(&a.id).await.unwrap());
        assert_eq!(spool.front().await.unwrap().as_ref(), Some(&edited));
        assert!(spool.pop_front(&b.id).await.unwrap());
        assert_eq!(spool.front().await.unwrap(), None);
        let bad: Vec<String> = r
            .run(async |c| c.lrange(spool.bad_list(), 0, -1).await)
            .await
            .unwrap();
        assert_eq!(bad, ["{not json", "[1,2]"], "kept for an operator");
    }

    /// The set-aside list is bounded: the newest `BAD_KEPT` stay.
    #[tokio::test]
    async fn the_set_aside_list_is_bounded() {
        use deadpool_redis::redis::AsyncCommands as _;
        let r = redis();
        let spool = r.ports().chat_spool;
        let list = r.key(&["chat", "spool"]);
        let n = crate::chat_spool::BAD_KEPT + 5;
        let junk: Vec<String> = (0..n).map(|i| format!("junk {i}")).collect();
        let _: i64 = r.run(async |c| c.rpush(&list, &junk).await).await.unwrap();
        assert_eq!(spool.front().await.unwrap(), None);
        let bad: Vec<String> = r
            .run(async |c| c.lrange(spool.bad_list(), 0, -1).await)
            .await
            .unwrap();
        assert_eq!(bad.len(), crate::chat_spool::BAD_KEPT);
        assert_eq!(bad.last(), junk.last(), "the newest kept");
    }
}

mod receipts {
    use super::*;
    async fn receipts() -> Arc<dyn signaling_core::ports::ReadReceipts> {
        redis().ports().receipts
    }
    signaling_core::read_receipts_suite!(receipts);
}

mod analytics {
    use super::*;
    async fn analytics() -> Arc<dyn Analytics> {
        redis().ports().analytics
    }
    async fn capped_analytics() -> Arc<dyn Analytics> {
        capped().analytics
    }
    signaling_core::analytics_suite!(analytics, cap: capped_analytics);
}

mod instances {
    use super::*;
    async fn instances() -> Arc<dyn InstanceRegistry> {
        redis().ports().instances
    }
    signaling_core::instance_registry_suite!(instances);
}

mod media_owners {
    use super::*;
    async fn owners() -> Arc<dyn MediaOwners> {
        redis().ports().media_owners
    }
    signaling_core::media_owners_suite!(owners);
}

mod rate_limiter {
    use super::*;
    async fn limiter() -> Arc<dyn RateLimiter> {
        redis().ports().limiter
    }
    signaling_core::rate_limiter_suite!(limiter);
}

mod recordings {
    use super::*;
    use recording::testing::Liveness;

    /// Redis decides a claim by its owner's liveness key: the suite's
    /// owners heartbeat through the registry on the same prefix.
    struct Heartbeat(Arc<crate::RedisInstanceRegistry>);

    #[async_trait::async_trait]
    impl Liveness for Heartbeat {
        async fn alive(&self, owner: &str, ttl_secs: u64) {
            self.0.heartbeat(owner, ttl_secs).await.unwrap();
        }
    }

    async fn store() -> (Arc<dyn recording::RecordingStore>, Arc<dyn Liveness>) {
        let p = redis().ports();
        (p.recordings, Arc::new(Heartbeat(p.instances)))
    }
    recording::recording_store_suite!(store);
}

mod event_log {
    use super::*;
    async fn log(cfg: reconnection::BufferConfig) -> Arc<dyn reconnection::EventLog> {
        redis().ports_with(cfg).log
    }
    reconnection::event_log_suite!(log);
}

mod transfers {
    use super::*;
    async fn store() -> Arc<dyn file_transfer::TransferStore> {
        redis().ports().transfers
    }
    file_transfer::transfer_store_suite!(store);
}
