//! Webhooks: lifecycle events go into a durable outbox (Redis when
//! configured, else a file log under `RTC_DATA_DIR`, or memory with
//! `RTC_STORAGE=memory`), and a dispatcher on every instance delivers them,
//! signed, in order per room (see the `webhooks` crate).

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use signaling_core::RoomId;
use signaling_core::ports::LifecycleEvents;
use webhooks::{Dispatcher, DispatcherConfig, Outbox, Retention};

use crate::config::Settings;

/// The outbox and the dispatcher of this instance.
#[derive(Clone)]
pub struct Webhooks {
    /// Where events wait for delivery (shared by all instances on Redis).
    pub outbox: Arc<dyn Outbox>,
    /// Delivers them; cloned into its task at start.
    pub dispatcher: Dispatcher,
}

impl Webhooks {
    /// Builds the outbox and dispatcher the settings ask for; `None` without
    /// `RTC_WEBHOOK_URL`. `redis` is the Redis outbox when Redis is configured.
    pub fn from_settings(
        s: &Settings,
        redis: Option<Arc<dyn Outbox>>,
    ) -> anyhow::Result<Option<Self>> {
        let Some(url) = &s.webhooks.webhook_url else {
            return Ok(None);
        };
        let secret = s
            .webhooks
            .webhook_secret
            .as_ref()
            .map(|x| x.expose().to_owned())
            .filter(|x| x.len() >= 16)
            .ok_or_else(|| {
                anyhow::anyhow!("RTC_WEBHOOK_URL needs RTC_WEBHOOK_SECRET of at least 16 bytes")
            })?;
        let outbox: Arc<dyn Outbox> = match redis {
            Some(r) => r,
            None if s.store.storage == crate::config::StorageKind::Memory => {
                Arc::new(webhooks::MemoryOutbox::new(Retention::default()))
            }
            None => {
                let dir = s.store.data_dir.join("webhooks");
                std::fs::create_dir_all(&dir)?;
                Arc::new(webhooks::FileOutbox::open(&dir, Retention::default())?)
            }
        };
        let mut cfg = DispatcherConfig::new(url.expose().to_owned(), secret.into_bytes());
        cfg.timeout = Duration::from_secs(s.webhooks.webhook_timeout_secs.max(1));
        cfg.lease = cfg.timeout * 3;
        cfg.backoff.initial = Duration::from_millis(s.webhooks.webhook_retry_initial_ms.max(1));
        cfg.backoff.max = Duration::from_secs(s.webhooks.webhook_retry_max_secs.max(1));
        if cfg.backoff.max < cfg.backoff.initial {
            cfg.backoff.max = cfg.backoff.initial;
        }
        cfg.poll_interval =
            Duration::from_millis(s.webhooks.webhook_retry_initial_ms.clamp(50, 1000));
        let client = reqwest::Client::builder().timeout(cfg.timeout).build()?;
        let dispatcher = Dispatcher::new(outbox.clone(), client, cfg)?;
        tracing::info!(%url, "webhooks on"); // redacted by SecretUrl's Display
        Ok(Some(Webhooks { outbox, dispatcher }))
    }

    /// Publishes the dispatcher's counters and the backlog for `/metrics`.
    pub async fn export_metrics(&self) {
        let stats = self.dispatcher.stats();
        metrics::counter!("rtc_webhooks_total", "outcome" => "delivered")
            .absolute(stats.delivered());
        metrics::counter!("rtc_webhooks_total", "outcome" => "failed_attempt")
            .absolute(stats.failed_attempts());
        if let Ok(n) = self.outbox.pending_count().await {
            metrics::gauge!("rtc_webhooks_pending").set(n as f64);
        }
        if let Ok(n) = self.outbox.dropped_count().await {
            metrics::counter!("rtc_webhooks_dropped_total").absolute(n);
        }
    }
}

/// The room service's sink: appends to the outbox and wakes the dispatcher.
pub struct WebhookSink(pub Webhooks);

#[async_trait]
impl LifecycleEvents for WebhookSink {
    async fn emit(&self, room: &RoomId, event: &str, data: serde_json::Value) {
        match self
            .0
            .outbox
            .append(room.as_str(), event, data, webhooks::unix_ms())
            .await
        {
            Ok(e) => {
                tracing::debug!(%room, event, seq = e.seq, id = %e.id, "webhook queued");
                self.0.dispatcher.wake();
            }
            Err(err) => {
                // Nothing durable took it: say so loudly; the action itself stands.
                metrics::counter!("rtc_webhooks_total", "outcome" => "lost").increment(1);
                tracing::error!(%room, event, error = %err, "webhook event could not be queued");
            }
        }
    }
}
