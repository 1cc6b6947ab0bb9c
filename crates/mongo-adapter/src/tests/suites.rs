//! The port suites of the domain crates, each case in a database of its
//! own on the real server: the same cases the in-memory implementations
//! pass. Chat and analytics run without the cap case: MongoDB bounds them
//! by retention (TTL indexes) instead.

use std::sync::Arc;

use signaling_core::ports::*;

use super::mongo;

mod chat {
    use super::*;
    async fn chat() -> Arc<dyn ChatHistory> {
        Arc::new(mongo().await.chat())
    }
    signaling_core::chat_history_suite!(chat);
}

mod receipts {
    use super::*;
    async fn receipts() -> Arc<dyn ReadReceipts> {
        Arc::new(mongo().await.receipts())
    }
    signaling_core::read_receipts_suite!(receipts);
}

mod analytics {
    use super::*;
    async fn analytics() -> Arc<dyn Analytics> {
        Arc::new(mongo().await.analytics())
    }
    signaling_core::analytics_suite!(analytics);
}

mod sessions {
    use super::*;
    async fn sessions() -> Arc<dyn RoomSessions> {
        Arc::new(mongo().await.sessions())
    }
    signaling_core::room_sessions_suite!(sessions);
}

mod recordings {
    use super::*;
    use recording::testing::{EveryoneAlive, Liveness};

    /// MongoDB does not see instance liveness: leases only lapse.
    async fn store() -> (Arc<dyn recording::RecordingStore>, Arc<dyn Liveness>) {
        (
            Arc::new(mongo().await.recordings()),
            Arc::new(EveryoneAlive),
        )
    }
    recording::recording_store_suite!(store);
}
