//! Graceful shutdown. On SIGTERM (or SIGINT, or [`Stopper::stop`]) the
//! instance, in order:
//!
//! 1. says it is draining: `/webrtc/health` answers 503 `draining` and new
//!    WebSocket upgrades get 503 `SERVICE_UNAVAILABLE` with `Retry-After`,
//!    so a load balancer sends clients elsewhere;
//! 2. closes every WebSocket with 1012 (Service Restart): a drop, not a
//!    goodbye, so the seat is kept and the client resumes on another
//!    instance with `last_sequence` and misses nothing;
//! 3. releases its SFU rooms' media claims at once, so the instance the
//!    clients reach next (within about half a second) runs the media
//!    instead of relaying their offers back here;
//! 4. waits for the closed sessions to record their departure in the store;
//! 5. stops its webhook dispatchers after the requests under way have
//!    their outcome recorded (the other instances deliver the rest);
//! 6. tries once more to move waiting chat into MongoDB (what stays is in
//!    the durable spool, for the next instance);
//! 7. stops the HTTP server, which finishes the requests in flight (chunk
//!    uploads, downloads).
//!
//! Everything shares one deadline, `RTC_SHUTDOWN_TIMEOUT_SECS` from the
//! signal: a step that would pass it is cut short, and whatever is still
//! open then is dropped. A second signal stops at once. Connections still
//! tracked when the process ends (clients that did not come back) are
//! released by a live instance once this one's heartbeat lapses
//! (`RTC_INSTANCE_TTL_SECS`), as after a crash: that, not the grace
//! period, is how long their seats wait.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::AppState;

/// Counts the live WebSocket sessions of this instance, so a shutdown can
/// wait until each has recorded its departure.
#[derive(Debug, Default)]
pub struct SessionCount {
    live: AtomicUsize,
    changed: Notify,
}

/// Held by one session for its whole life.
pub struct SessionGuard(Arc<SessionCount>);

impl Drop for SessionGuard {
    fn drop(&mut self) {
        self.0.live.fetch_sub(1, Ordering::SeqCst);
        self.0.changed.notify_waiters();
    }
}

impl SessionCount {
    /// Counts a session until the guard drops.
    pub fn enter(self: &Arc<Self>) -> SessionGuard {
        self.live.fetch_add(1, Ordering::SeqCst);
        SessionGuard(self.clone())
    }

    /// Sessions alive now.
    pub fn live(&self) -> usize {
        self.live.load(Ordering::SeqCst)
    }

    /// Waits until no session is alive, or `deadline`; true if none is.
    pub async fn wait_idle(&self, deadline: Instant) -> bool {
        loop {
            let changed = self.changed.notified();
            if self.live() == 0 {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() || tokio::time::timeout(left, changed).await.is_err() {
                return self.live() == 0;
            }
        }
    }
}

/// What a drain did, for the log and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DrainReport {
    /// WebSocket sessions told to reconnect elsewhere.
    pub sessions_closed: usize,
    /// Sessions still alive when the wait ended (0 normally).
    pub sessions_left: usize,
    /// SFU rooms whose media claim was released.
    pub media_claims_released: usize,
    /// Chat messages still waiting for MongoDB (kept in the spool).
    pub chat_pending: usize,
}

/// The time left until `deadline`.
fn left(deadline: Instant) -> Duration {
    deadline.saturating_duration_since(Instant::now())
}

/// Runs steps 1–6 of the module docs, each within what is left until
/// `deadline`; the caller then stops the HTTP server.
pub async fn drain(
    state: &AppState,
    dispatchers: Vec<JoinHandle<()>>,
    deadline: Instant,
) -> DrainReport {
    let started = Instant::now();
    state.stopping.send_replace(true);
    let sessions_closed = state.hub.restart_all();
    tracing::info!(
        sessions = sessions_closed,
        "draining: clients told to reconnect (1012)"
    );
    let media_claims_released =
        match tokio::time::timeout(left(deadline), state.service.release_media_claims()).await {
            Ok(n) => n,
            Err(_) => {
                tracing::warn!(
                    "draining: media claims not all released in time; they lapse by themselves"
                );
                0
            }
        };
    state.sessions.wait_idle(deadline).await;
    let sessions_left = state.sessions.live();
    for d in dispatchers {
        if tokio::time::timeout(left(deadline), d).await.is_err() {
            tracing::warn!("draining: a webhook dispatcher did not stop in time");
        }
    }
    let chat_pending = match &state.chat_outbox {
        Some(o) => {
            // MongoDB may be the reason for the stop: do not wait on it past
            // the deadline (the spool keeps what is left).
            let _ = tokio::time::timeout(left(deadline), o.flush()).await;
            o.pending().await
        }
        None => 0,
    };
    let report = DrainReport {
        sessions_closed,
        sessions_left,
        media_claims_released,
        chat_pending,
    };
    tracing::info!(
        ?report,
        ms = started.elapsed().as_millis() as u64,
        "drained; stopping the HTTP server"
    );
    report
}

/// Starts a graceful stop of a running [`Application`](crate::Application)
/// (what SIGTERM does). Cheap to clone.
#[derive(Clone)]
pub struct Stopper {
    pub(crate) state: actix_web::web::Data<AppState>,
    pub(crate) server: actix_web::dev::ServerHandle,
    pub(crate) dispatchers: Arc<std::sync::Mutex<Vec<JoinHandle<()>>>>,
}

impl Stopper {
    /// Drains (module docs), then stops the HTTP server gracefully, all
    /// within `RTC_SHUTDOWN_TIMEOUT_SECS`; what is still open at the
    /// deadline is dropped. Returns once the server has stopped. Meant to
    /// be called once (a second call drains again, with nothing left to
    /// do but wait for the server).
    pub async fn stop(&self) -> DrainReport {
        let dispatchers = std::mem::take(&mut *self.dispatchers.lock().expect("dispatchers"));
        let budget = Duration::from_secs(self.state.settings.http.shutdown_timeout_secs.max(1));
        let deadline = Instant::now() + budget;
        let report = drain(&self.state, dispatchers, deadline).await;
        if tokio::time::timeout(left(deadline), self.server.stop(true))
            .await
            .is_err()
        {
            tracing::warn!("shutdown deadline reached: dropping the requests still open");
            self.server.stop(false).await;
        }
        report
    }

    /// Stops at once: every connection is dropped, as in a crash.
    pub async fn kill(&self) {
        self.server.stop(false).await;
    }
}

/// Waits for SIGTERM or SIGINT, drains and stops; a second signal during
/// the drain stops at once.
pub async fn on_signals(stopper: Stopper) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::error!("cannot listen for SIGTERM/SIGINT: graceful shutdown is off");
        return;
    };
    tokio::select! {
        _ = term.recv() => tracing::info!("SIGTERM: draining"),
        _ = int.recv() => tracing::info!("SIGINT: draining"),
    }
    let graceful = stopper.clone();
    let drain = actix_rt::spawn(async move { graceful.stop().await });
    tokio::select! {
        _ = drain => {}
        _ = term.recv() => { tracing::warn!("second signal: stopping at once"); stopper.kill().await; }
        _ = int.recv() => { tracing::warn!("second signal: stopping at once"); stopper.kill().await; }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::{TestRequest, call_service, init_service, read_body_json};
    use actix_web::{App, web};

    use super::*;

    #[actix_rt::test]
    async fn a_draining_instance_says_so_and_refuses_new_websockets() {
        let settings = crate::Settings::for_tests("127.0.0.1:0");
        let state = web::Data::new(crate::build_state(settings).await.unwrap());
        let app = init_service(App::new().configure(crate::configure_app(state.clone()))).await;
        let health = || TestRequest::get().uri("/webrtc/health").to_request();
        assert_eq!(call_service(&app, health()).await.status(), 200);

        state.stopping.send_replace(true);
        let r = call_service(&app, health()).await;
        assert_eq!(r.status(), 503);
        let body: serde_json::Value = read_body_json(r).await;
        assert_eq!(body["status"], "draining");
        let upgrade = TestRequest::get()
            .uri("/webrtc/ws/room")
            .insert_header(("connection", "upgrade"))
            .insert_header(("upgrade", "websocket"))
            .insert_header(("sec-websocket-version", "13"))
            .insert_header(("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ=="))
            .to_request();
        let r = call_service(&app, upgrade).await;
        assert_eq!(r.status(), 503);
        assert_eq!(r.headers().get("retry-after").unwrap(), "1");
        let body: serde_json::Value = read_body_json(r).await;
        assert_eq!(body["error"]["code"], "SERVICE_UNAVAILABLE");
    }

    #[tokio::test]
    async fn the_session_count_waits_for_the_last_session() {
        let count = Arc::new(SessionCount::default());
        let (a, b) = (count.enter(), count.enter());
        let deadline = Instant::now() + Duration::from_millis(50);
        assert!(
            !count.wait_idle(deadline).await,
            "two alive: the wait times out"
        );
        drop(a);
        let waiter = tokio::spawn({
            let count = count.clone();
            async move {
                count
                    .wait_idle(Instant::now() + Duration::from_secs(5))
                    .await
            }
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        drop(b);
        assert!(waiter.await.unwrap(), "woken by the last guard");
        assert_eq!(count.live(), 0);
    }
}
