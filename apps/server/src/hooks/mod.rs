//! Webhooks: lifecycle events go to every endpoint whose filter takes them
//! (`RTC_WEBHOOK_URL` and `RTC_WEBHOOK_ENDPOINTS`, see [`endpoints`]). Each
//! endpoint has its own durable outbox (Redis when configured, else a file
//! log under `RTC_DATA_DIR`, or memory with `RTC_STORAGE=memory`), its own
//! dead letters, and a dispatcher on every instance that delivers its
//! events, signed with its secret, in order per room (the `webhooks`
//! crate).

pub mod endpoints;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use signaling_core::RoomId;
use signaling_core::ports::LifecycleEvents;
use webhooks::{Dispatcher, DispatcherConfig, Outbox, Retention};

use crate::config::Settings;
pub use endpoints::{DEFAULT_ENDPOINT, EndpointSpec, EventFilter};

/// One endpoint: what it takes, where its events wait, who delivers them.
pub struct Endpoint {
    /// Its name (`default` for `RTC_WEBHOOK_URL`).
    pub name: String,
    /// Its URL with any credentials masked, for operators.
    pub url: String,
    /// The events it receives.
    pub events: EventFilter,
    /// Where its events wait (shared by all instances on Redis).
    pub outbox: Arc<dyn Outbox>,
    /// Delivers them; cloned into its task at start.
    pub dispatcher: Dispatcher,
}

/// Every endpoint of this instance. Cheap to clone.
#[derive(Clone)]
pub struct Webhooks {
    endpoints: Arc<[Endpoint]>,
}

impl Webhooks {
    /// Builds the endpoints the settings ask for; `None` when there are
    /// none. `redis` is the shared store when Redis is configured.
    pub fn from_settings(
        s: &Settings,
        redis: Option<&redis_adapter::Redis>,
    ) -> anyhow::Result<Option<Self>> {
        let specs = endpoints::from_settings(s)?;
        if specs.is_empty() {
            return Ok(None);
        }
        let mut out = Vec::with_capacity(specs.len());
        for spec in specs {
            out.push(build(s, redis, spec)?);
        }
        Ok(Some(Webhooks {
            endpoints: out.into(),
        }))
    }

    /// Every endpoint, `default` first.
    pub fn endpoints(&self) -> &[Endpoint] {
        &self.endpoints
    }

    /// The endpoint called `name`.
    pub fn endpoint(&self, name: &str) -> Option<&Endpoint> {
        self.endpoints.iter().find(|e| e.name == name)
    }

    /// Starts every endpoint's dispatcher; each stops once `shutdown` turns
    /// true, after the requests under way have their outcome recorded.
    pub fn spawn_dispatchers(
        &self,
        shutdown: &tokio::sync::watch::Receiver<bool>,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        self.endpoints
            .iter()
            .map(|e| {
                let mut stop = shutdown.clone();
                let d = e.dispatcher.clone();
                actix_rt::spawn(d.run(async move {
                    let _ = stop.wait_for(|s| *s).await;
                }))
            })
            .collect()
    }

    /// Publishes every endpoint's counters, backlog and dead letters for
    /// `/metrics`.
    pub async fn export_metrics(&self) {
        for e in self.endpoints.iter() {
            let name = e.name.clone();
            let stats = e.dispatcher.stats();
            let total = |outcome: &'static str| metrics::counter!("rtc_webhooks_total", "endpoint" => name.clone(), "outcome" => outcome);
            total("delivered").absolute(stats.delivered());
            total("failed_attempt").absolute(stats.failed_attempts());
            total("dead_lettered").absolute(stats.dead_lettered());
            if let Ok(n) = e.outbox.pending_count().await {
                metrics::gauge!("rtc_webhooks_pending", "endpoint" => name.clone()).set(n as f64);
            }
            if let Ok(n) = e.outbox.dropped_count().await {
                metrics::counter!("rtc_webhooks_dropped_total", "endpoint" => name.clone())
                    .absolute(n);
            }
            if let Ok(n) = e.outbox.dead_letter_count().await {
                metrics::gauge!("rtc_webhooks_dead_letters", "endpoint" => name).set(n as f64);
            }
        }
    }
}

/// The outbox and dispatcher of one endpoint.
fn build(
    s: &Settings,
    redis: Option<&redis_adapter::Redis>,
    spec: EndpointSpec,
) -> anyhow::Result<Endpoint> {
    let default = spec.name == DEFAULT_ENDPOINT;
    let outbox: Arc<dyn Outbox> = match redis {
        Some(r) if default => r.webhook_outbox(Retention::default()),
        Some(r) => r.webhook_outbox_for(&spec.name, Retention::default()),
        None if s.store.storage == crate::config::StorageKind::Memory => {
            Arc::new(webhooks::MemoryOutbox::new(Retention::default()))
        }
        None => {
            // The default endpoint keeps the directory it always had, so
            // an upgrade finds its pending events.
            let mut dir = s.store.data_dir.join("webhooks");
            if !default {
                dir = dir.join("endpoints").join(&spec.name);
            }
            std::fs::create_dir_all(&dir)?;
            Arc::new(webhooks::FileOutbox::open(&dir, Retention::default())?)
        }
    };
    let w = &s.webhooks;
    let mut cfg = DispatcherConfig::new(spec.url.clone(), spec.secret.clone().into_bytes());
    cfg.timeout = Duration::from_secs(w.webhook_timeout_secs.max(1));
    cfg.lease = cfg.timeout * 3;
    cfg.backoff.initial = Duration::from_millis(w.webhook_retry_initial_ms.max(1));
    cfg.backoff.max = Duration::from_secs(w.webhook_retry_max_secs.max(1));
    if cfg.backoff.max < cfg.backoff.initial {
        cfg.backoff.max = cfg.backoff.initial;
    }
    cfg.poll_interval = Duration::from_millis(w.webhook_retry_initial_ms.clamp(50, 1000));
    cfg.max_attempts = (w.webhook_max_attempts > 0).then_some(w.webhook_max_attempts);
    let label = spec.name.clone();
    cfg.on_delivered = Some(Arc::new(move |lag| {
        metrics::histogram!("rtc_webhook_delivery_lag_seconds", "endpoint" => label.clone())
            .record(lag.as_secs_f64());
    }));
    let client = reqwest::Client::builder().timeout(cfg.timeout).build()?;
    let dispatcher = Dispatcher::new(outbox.clone(), client, cfg)
        .map_err(|e| anyhow::anyhow!("webhook endpoint {:?}: {e}", spec.name))?;
    let url = redact::redact_url(&spec.url);
    tracing::info!(endpoint = %spec.name, %url, events = ?spec.events.patterns(), "webhooks on");
    Ok(Endpoint {
        name: spec.name,
        url,
        events: spec.events,
        outbox,
        dispatcher,
    })
}

/// The room service's sink: appends each event to the outbox of every
/// endpoint that takes it, and wakes that endpoint's dispatcher.
pub struct WebhookSink(pub Webhooks);

#[async_trait]
impl LifecycleEvents for WebhookSink {
    async fn emit(&self, room: &RoomId, event: &str, data: serde_json::Value) {
        for e in self.0.endpoints.iter().filter(|e| e.events.accepts(event)) {
            match e
                .outbox
                .append(room.as_str(), event, data.clone(), webhooks::unix_ms())
                .await
            {
                Ok(ev) => {
                    tracing::debug!(%room, event, endpoint = %e.name, seq = ev.seq, id = %ev.id, "webhook queued");
                    e.dispatcher.wake();
                }
                Err(err) => {
                    // Nothing durable took it: say so loudly; the action itself stands.
                    metrics::counter!("rtc_webhooks_total", "endpoint" => e.name.clone(), "outcome" => "lost")
                        .increment(1);
                    tracing::error!(%room, event, endpoint = %e.name, error = %err, "webhook event could not be queued");
                }
            }
        }
    }
}
