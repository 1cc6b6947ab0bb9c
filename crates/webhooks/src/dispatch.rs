//! The dispatcher: polls the outbox, POSTs each room's head to the
//! endpoint with a signature, and records the outcome. Rooms are sent
//! concurrently (bounded by `max_in_flight`), each room strictly one event
//! at a time: the outbox hands out a room's next event only after the
//! previous one was acknowledged with a 2xx.
//!
//! An event that fails `max_attempts` times is given up: it moves to the
//! outbox's dead-letter list, where an operator can read it and send it
//! again, and the room's next event goes.
//!
//! One dispatcher serves one endpoint URL. Several receivers have their
//! own ordered stream each, i.e. their own outbox (a directory or key
//! prefix) fed by the same events (the server's `hooks` module).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::Notify;
use tokio::task::JoinSet;

use crate::{ConfigError, Due, Outbox, OutboxError, Signer, WebhookEvent};

/// Milliseconds since the Unix epoch, from the system clock.
pub fn unix_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// A uniform value in `[0, 1)`, from the standard library's per-process
/// random hash keys (jitter needs no better randomness).
fn random01() -> f64 {
    use std::hash::{BuildHasher as _, RandomState};
    let x = RandomState::new().hash_one(std::time::Instant::now());
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// Exponential backoff between attempts at one event.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// Wait after the first failure.
    pub initial: Duration,
    /// The wait never exceeds this.
    pub max: Duration,
    /// Fraction of the wait taken off at random (0 = none, 0.2 = up to
    /// 20 % shorter), so receivers coming back are not hit by every sender
    /// at the same instant.
    pub jitter: f64,
}

impl Default for Backoff {
    /// 1 s, doubling, at most 5 minutes, 20 % jitter.
    fn default() -> Self {
        Backoff {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(300),
            jitter: 0.2,
        }
    }
}

impl Backoff {
    /// The wait after the `attempts`-th failure (1 for the first):
    /// `initial * 2^(attempts-1)`, capped at `max`, then shortened by up to
    /// `jitter` of itself as `random` (in `[0, 1)`) says.
    pub fn delay(&self, attempts: u32, random: f64) -> Duration {
        // 2^31 times any non-zero wait is past any sensible cap.
        let exp = attempts.saturating_sub(1).min(31);
        let base = self
            .initial
            .checked_mul(1u32 << exp)
            .unwrap_or(self.max)
            .min(self.max);
        let cut = self.jitter.clamp(0.0, 1.0) * random.clamp(0.0, 1.0);
        base.mul_f64(1.0 - cut)
    }
}

/// Called with how long an event waited, from its `created_at` to the
/// receiver's 2xx (for a lag histogram).
pub type LagObserver = Arc<dyn Fn(Duration) + Send + Sync>;

/// How a dispatcher delivers. `Debug` does not print the secret.
#[derive(Clone)]
pub struct DispatcherConfig {
    /// The endpoint every event is POSTed to (`http` or `https`; `https`
    /// needs a `reqwest::Client` built with a TLS feature).
    pub url: String,
    /// The HMAC secret shared with the receiver.
    pub secret: Vec<u8>,
    /// A request's time limit, from connecting to the response status.
    pub timeout: Duration,
    /// Waits between attempts at one event.
    pub backoff: Backoff,
    /// How often the outbox is polled when nothing happens (an append can
    /// also [`wake`](Dispatcher::wake) the dispatcher at once).
    pub poll_interval: Duration,
    /// Rooms delivered at the same time.
    pub max_in_flight: usize,
    /// How long a claimed room stays reserved for this dispatcher; must be
    /// longer than `timeout` (a dispatcher that dies holds its rooms this
    /// long).
    pub lease: Duration,
    /// Failed attempts after which an event is given up and moved to the
    /// dead-letter list ([`Outbox::dead_letter`]), so the room's next
    /// event can go; `None` retries for ever.
    pub max_attempts: Option<u32>,
    /// Told the lag of every delivered event.
    pub on_delivered: Option<LagObserver>,
}

impl std::fmt::Debug for DispatcherConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DispatcherConfig")
            .field("url", &redact::redact_url(&self.url))
            .field("secret", &"<redacted>")
            .field("timeout", &self.timeout)
            .field("backoff", &self.backoff)
            .field("poll_interval", &self.poll_interval)
            .field("max_in_flight", &self.max_in_flight)
            .field("lease", &self.lease)
            .field("max_attempts", &self.max_attempts)
            .field("on_delivered", &self.on_delivered.is_some())
            .finish()
    }
}

impl DispatcherConfig {
    /// Defaults for `url` and `secret`: 10 s timeout, the default
    /// [`Backoff`], 1 s poll, 16 rooms in flight, 30 s lease, 15 attempts
    /// (about 34 minutes of retries with the default backoff).
    pub fn new(url: impl Into<String>, secret: impl Into<Vec<u8>>) -> Self {
        DispatcherConfig {
            url: url.into(),
            secret: secret.into(),
            timeout: Duration::from_secs(10),
            backoff: Backoff::default(),
            poll_interval: Duration::from_secs(1),
            max_in_flight: 16,
            lease: Duration::from_secs(30),
            max_attempts: Some(15),
            on_delivered: None,
        }
    }
}

/// Counters for metrics; shared, updated as deliveries happen.
#[derive(Debug, Default)]
pub struct DispatchStats {
    delivered: AtomicU64,
    failed_attempts: AtomicU64,
    dead_lettered: AtomicU64,
    in_flight: AtomicU64,
}

impl DispatchStats {
    /// Attempts the receiver acknowledged with a 2xx.
    pub fn delivered(&self) -> u64 {
        self.delivered.load(Ordering::Relaxed)
    }

    /// Attempts that failed (non-2xx, connection error, timeout).
    pub fn failed_attempts(&self) -> u64 {
        self.failed_attempts.load(Ordering::Relaxed)
    }

    /// Events this dispatcher gave up (moved to the dead-letter list).
    pub fn dead_lettered(&self) -> u64 {
        self.dead_lettered.load(Ordering::Relaxed)
    }

    /// Requests under way now.
    pub fn in_flight(&self) -> u64 {
        self.in_flight.load(Ordering::Relaxed)
    }
}

/// What one [`Dispatcher::tick`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Heads claimed and attempted.
    pub attempted: usize,
    /// Of those, acknowledged with a 2xx.
    pub delivered: usize,
    /// Of those, failed and scheduled for a retry.
    pub failed: usize,
    /// Of those, failed for the last time and moved to the dead letters.
    pub dead: usize,
}

/// Sends the outbox's events to one endpoint. Cheap to clone (shared).
#[derive(Clone)]
pub struct Dispatcher {
    inner: Arc<Inner>,
}

struct Inner {
    outbox: Arc<dyn Outbox>,
    client: reqwest::Client,
    url: reqwest::Url,
    signer: Signer,
    cfg: DispatcherConfig,
    stats: Arc<DispatchStats>,
    wake: Notify,
}

enum Outcome {
    Delivered,
    Failed,
    Dead,
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

impl Dispatcher {
    /// A dispatcher over `outbox`, sending with `client` (its own timeout,
    /// if any, also applies).
    pub fn new(
        outbox: Arc<dyn Outbox>,
        client: reqwest::Client,
        cfg: DispatcherConfig,
    ) -> Result<Self, ConfigError> {
        let bad_url = |reason: String| ConfigError::Url {
            url: redact::redact_url(&cfg.url),
            reason: redact::scrub(&reason, &cfg.url),
        };
        let url = reqwest::Url::parse(&cfg.url).map_err(|e| bad_url(e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(bad_url("the scheme must be http or https".into()));
        }
        if cfg.secret.is_empty() {
            return Err(ConfigError::EmptySecret);
        }
        if cfg.lease <= cfg.timeout {
            return Err(ConfigError::Lease {
                lease_ms: cfg.lease.as_millis(),
                timeout_ms: cfg.timeout.as_millis(),
            });
        }
        if cfg.max_in_flight == 0 {
            return Err(ConfigError::NoConcurrency);
        }
        if cfg.max_attempts == Some(0) {
            return Err(ConfigError::NoAttempts);
        }
        Ok(Dispatcher {
            inner: Arc::new(Inner {
                outbox,
                client,
                url,
                signer: Signer::new(cfg.secret.clone()),
                cfg,
                stats: Arc::default(),
                wake: Notify::new(),
            }),
        })
    }

    /// The counters, for metrics.
    pub fn stats(&self) -> Arc<DispatchStats> {
        self.inner.stats.clone()
    }

    /// Makes a running dispatcher poll now instead of at its next interval
    /// (call it after an append).
    pub fn wake(&self) {
        self.inner.wake.notify_one();
    }

    fn lease_ms(&self) -> i64 {
        self.inner.cfg.lease.as_millis() as i64
    }

    /// One round at time `now_ms`: claims the due heads (up to
    /// `max_in_flight` rooms), delivers them concurrently, and records each
    /// outcome, all with `now_ms` as the clock. For tests and for callers
    /// that drive the dispatcher themselves.
    pub async fn tick(&self, now_ms: i64) -> Result<TickReport, OutboxError> {
        let due = self
            .inner
            .outbox
            .next_due(now_ms, self.inner.cfg.max_in_flight, self.lease_ms())
            .await?;
        let clock = move || now_ms;
        let outcomes =
            futures_util::future::join_all(due.into_iter().map(|d| self.deliver(d, &clock))).await;
        let mut report = TickReport {
            attempted: outcomes.len(),
            ..TickReport::default()
        };
        for o in outcomes {
            match o {
                Outcome::Delivered => report.delivered += 1,
                Outcome::Failed => report.failed += 1,
                Outcome::Dead => report.dead += 1,
            }
        }
        Ok(report)
    }

    /// Delivers until `shutdown` completes: polls the outbox whenever a
    /// delivery finishes, when [`wake`](Self::wake) is called, and every
    /// `poll_interval`; a slow room never holds up the others. On shutdown
    /// it claims nothing more and waits for the requests under way (each
    /// bounded by the timeout), so their outcome is recorded.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) {
        let max = self.inner.cfg.max_in_flight;
        let mut tasks: JoinSet<()> = JoinSet::new();
        let mut shutdown = std::pin::pin!(shutdown);
        let url = redact::redact_url(self.inner.url.as_str());
        tracing::info!(%url, max_in_flight = max, "webhook dispatcher started");
        loop {
            let free = max.saturating_sub(tasks.len());
            if free > 0 {
                match self
                    .inner
                    .outbox
                    .next_due(unix_ms(), free, self.lease_ms())
                    .await
                {
                    Ok(due) => {
                        for d in due {
                            let me = self.clone();
                            tasks.spawn(async move {
                                me.deliver(d, &unix_ms).await;
                            });
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "webhook outbox poll failed"),
                }
            }
            tokio::select! {
                biased;
                () = &mut shutdown => break,
                Some(res) = tasks.join_next(), if !tasks.is_empty() => {
                    if let Err(e) = res {
                        tracing::error!(error = %e, "webhook delivery task failed");
                    }
                }
                () = self.inner.wake.notified() => {}
                () = tokio::time::sleep(self.inner.cfg.poll_interval) => {}
            }
        }
        while tasks.join_next().await.is_some() {}
        tracing::info!("webhook dispatcher stopped");
    }

    /// One attempt at one head, and its outcome recorded in the outbox.
    async fn deliver(&self, due: Due, clock: &(dyn Fn() -> i64 + Sync)) -> Outcome {
        let inner = &*self.inner;
        let ev = &due.event;
        let body = serde_json::to_vec(ev).expect("an event always serializes");
        let mut req = inner
            .client
            .post(inner.url.clone())
            .timeout(inner.cfg.timeout)
            .header(reqwest::header::CONTENT_TYPE, "application/json");
        for (name, value) in inner.signer.headers(ev, &body, clock().div_euclid(1000)) {
            req = req.header(name, value);
        }
        inner.stats.in_flight.fetch_add(1, Ordering::Relaxed);
        let result = req.body(body).send().await;
        inner.stats.in_flight.fetch_sub(1, Ordering::Relaxed);
        let failure = match result {
            Ok(resp) if resp.status().is_success() => None,
            Ok(resp) => Some(format!("HTTP {}", resp.status())),
            // reqwest's message quotes the URL, credentials and all.
            Err(e) => Some(redact::scrub(&error_chain(&e), inner.url.as_str())),
        };
        let Some(why) = failure else {
            inner.stats.delivered.fetch_add(1, Ordering::Relaxed);
            if let Some(observe) = &inner.cfg.on_delivered {
                let lag = clock().saturating_sub(ev.created_at).max(0);
                observe(Duration::from_millis(lag as u64));
            }
            match inner.outbox.delivered(&ev.room_id, ev.seq, clock()).await {
                Ok(true) => {
                    tracing::debug!(room = %ev.room_id, seq = ev.seq, id = %ev.id, "webhook delivered");
                }
                // A replay moved the head back meanwhile, or another
                // dispatcher marked it after our lease ran out.
                Ok(false) => {
                    tracing::debug!(room = %ev.room_id, seq = ev.seq, "webhook delivered, head already moved");
                }
                // The receiver has it; the lease runs out and it is sent
                // again, which its id lets the receiver ignore.
                Err(e) => {
                    tracing::error!(room = %ev.room_id, seq = ev.seq, error = %e, "webhook delivered but not recorded");
                }
            }
            return Outcome::Delivered;
        };
        inner.stats.failed_attempts.fetch_add(1, Ordering::Relaxed);
        let attempts = due.attempts.saturating_add(1);
        if inner.cfg.max_attempts.is_some_and(|max| attempts >= max) {
            return self.give_up(ev, attempts, &why, clock()).await;
        }
        let wait = inner.cfg.backoff.delay(attempts, random01());
        tracing::warn!(
            room = %ev.room_id,
            seq = ev.seq,
            id = %ev.id,
            attempts,
            retry_in_ms = wait.as_millis() as u64,
            error = %why,
            "webhook delivery failed"
        );
        let next = clock().saturating_add(wait.as_millis() as i64);
        if let Err(e) = inner
            .outbox
            .retry_later(&ev.room_id, ev.seq, attempts, next)
            .await
        {
            tracing::error!(room = %ev.room_id, seq = ev.seq, error = %e, "webhook retry not recorded");
        }
        Outcome::Failed
    }

    /// Moves a head that failed its last attempt to the dead letters.
    async fn give_up(&self, ev: &WebhookEvent, attempts: u32, why: &str, now: i64) -> Outcome {
        let inner = &*self.inner;
        tracing::error!(
            room = %ev.room_id,
            seq = ev.seq,
            id = %ev.id,
            attempts,
            error = %why,
            "webhook given up after its last attempt: moved to the dead letters"
        );
        match inner
            .outbox
            .dead_letter(&ev.room_id, ev.seq, attempts, why, now)
            .await
        {
            Ok(true) => {
                inner.stats.dead_lettered.fetch_add(1, Ordering::Relaxed);
            }
            Ok(false) => {
                tracing::debug!(room = %ev.room_id, seq = ev.seq, "webhook head moved before it was given up");
            }
            // The lease runs out and it is tried (and given up) again.
            Err(e) => {
                tracing::error!(room = %ev.room_id, seq = ev.seq, error = %e, "webhook dead letter not recorded");
            }
        }
        Outcome::Dead
    }
}
