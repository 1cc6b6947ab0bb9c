//! The event bus over one pub/sub channel; the subscriber reconnects by itself.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use deadpool_redis::redis::AsyncCommands as _;
use futures_util::StreamExt as _;
use signaling_core::PortError;
use signaling_core::ports::*;

use crate::{Redis, corrupt};

/// Pub/sub on the channel `{prefix}bus`. The subscriber runs in a task
/// that reconnects by itself when Redis comes back; events published while
/// an instance is cut off are not replayed here (the reconnection log
/// covers clients).
pub struct RedisBus(pub(crate) Redis);

#[async_trait]
impl EventBus for RedisBus {
    async fn publish(&self, event: BusEvent) -> Result<(), PortError> {
        let channel = self.0.key(&["bus"]);
        let payload = serde_json::to_string(&event).map_err(corrupt)?;
        self.0
            .run(async |c| c.publish::<_, _, i64>(&channel, &payload).await)
            .await
            .map(|_| ())
    }

    fn subscribe(&self, sink: Arc<dyn EventSink>) {
        let client = self.0.client.clone();
        let channel = self.0.key(&["bus"]);
        tokio::spawn(async move {
            let mut backoff = Duration::from_millis(100);
            loop {
                match client.get_async_pubsub().await {
                    Ok(mut ps) => match ps.subscribe(&channel).await {
                        Ok(()) => {
                            tracing::info!(%channel, "event bus subscribed");
                            backoff = Duration::from_millis(100);
                            let mut stream = ps.on_message();
                            while let Some(msg) = stream.next().await {
                                let Ok(payload) = msg.get_payload::<String>() else {
                                    continue;
                                };
                                match serde_json::from_str::<BusEvent>(&payload) {
                                    Ok(ev) => sink.deliver(&ev),
                                    Err(e) => tracing::warn!(error = %e, "undecodable bus event"),
                                }
                            }
                            tracing::warn!(%channel, "event bus subscription lost; reconnecting");
                        }
                        Err(e) => tracing::warn!(error = %e, "event bus subscribe failed"),
                    },
                    Err(e) => tracing::debug!(error = %e, "event bus connect failed"),
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(2));
            }
        });
    }
}
