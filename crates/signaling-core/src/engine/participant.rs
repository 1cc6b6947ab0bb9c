//! What a participant says about itself: display name and device info,
//! connection quality, virtual background, analytics events, pings.

use time::OffsetDateTime;

use super::{Actor, Audience, Effect, Engine, deliver, everyone};
use crate::protocol::*;
use crate::room::*;
use crate::sanitize::sanitize_name;
use crate::{ErrorCode, SignalError, UserId};

/// Largest `data` of a client's analytics event, serialized, in bytes
/// (`MESSAGE_TOO_LARGE` above it).
pub const MAX_ANALYTICS_DATA_BYTES: usize = 4096;

/// Classifies reported network figures into excellent, good, poor or lost.
pub fn classify_quality(s: &NetworkStats) -> &'static str {
    let loss = s.packet_loss_percent.unwrap_or(0.0);
    let rtt = s.latency_ms.unwrap_or(0.0);
    let jitter = s.jitter_ms.unwrap_or(0.0);
    if loss >= 20.0 || rtt >= 1000.0 {
        "lost"
    } else if loss >= 5.0 || rtt >= 300.0 || jitter >= 50.0 {
        "poor"
    } else if loss >= 1.0 || rtt >= 100.0 || jitter >= 20.0 {
        "good"
    } else {
        "excellent"
    }
}

/// The caller's own seat, to change (the operator has none).
fn own_seat<'r>(room: &'r mut Room, me: &UserId) -> Result<&'r mut Participant, SignalError> {
    room.participant_mut(me)
        .ok_or_else(|| SignalError::new(ErrorCode::UserNotInRoom, "you are not in this room"))
}

impl Engine {
    /// Changes the caller's display name, device info or quality figures;
    /// `user`, when named (REST), must be the caller.
    pub(super) fn participant_update(
        &self,
        room: &mut Room,
        actor: &Actor,
        user: Option<&UserId>,
        u: ParticipantUpdateReq,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.member(room, actor)?.user_id.clone();
        if user.is_some_and(|u| u != &me) {
            return Err(SignalError::denied("you may update only your own info"));
        }
        let max = self.config.max_name_chars;
        let p = own_seat(room, &me)?;
        if let Some(n) = u.display_name {
            let n = sanitize_name(&n, max);
            if n.is_empty() {
                return Err(SignalError::invalid("display_name is empty"));
            }
            p.name = n;
        }
        if let Some(d) = u.device_info {
            let f = |s: Option<String>| s.map(|s| sanitize_name(&s, max));
            p.device_info = Some(DeviceInfo {
                browser: f(d.browser),
                os: f(d.os),
                device_type: f(d.device_type),
            });
        }
        if let Some(q) = u.video_quality {
            p.video_quality = Some(sanitize_name(&q, 16));
        }
        if let Some(s) = u.network_stats {
            p.network_stats = Some(s);
        }
        let view = ParticipantView::from(&*p);
        Ok(vec![deliver(
            everyone(room),
            ServerMessage::ParticipantUpdate { participant: view },
        )])
    }

    /// Stores a quality report; tells everyone when its class changed.
    pub(super) fn network_stats(
        &self,
        room: &mut Room,
        actor: &Actor,
        stats: NetworkStats,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.member(room, actor)?.user_id.clone();
        let p = own_seat(room, &me)?;
        let before = p.network_stats.as_ref().map(classify_quality);
        p.network_stats = Some(stats);
        let quality = classify_quality(&stats);
        // Share only changes of class, not every report.
        if before == Some(quality) {
            return Ok(Vec::new());
        }
        let msg = ServerMessage::QualityUpdate {
            user_id: me.to_string(),
            quality: quality.into(),
            stats,
        };
        Ok(vec![deliver(everyone(room), msg)])
    }

    /// Changes the caller's virtual background.
    pub(super) fn virtual_background(
        &self,
        room: &mut Room,
        actor: &Actor,
        v: VirtualBackgroundReq,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.member(room, actor)?.user_id.clone();
        if v.background
            .image
            .as_ref()
            .is_some_and(|i| i.len() > 512 || i.chars().any(char::is_control))
        {
            return Err(SignalError::invalid(
                "image reference must be at most 512 characters",
            ));
        }
        let p = own_seat(room, &me)?;
        p.background = Some(v.background.clone());
        let msg = ServerMessage::VirtualBackgroundUpdate {
            user_id: me.to_string(),
            background: v.background,
        };
        Ok(vec![deliver(everyone(room), msg)])
    }

    /// Records a client-defined analytics event (bounded in size).
    pub(super) fn analytics_event(
        &self,
        room: &Room,
        now: OffsetDateTime,
        actor: &Actor,
        a: AnalyticsEventReq,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.member(room, actor)?;
        let name = a.event_type.trim();
        if name.is_empty() || name.len() > 64 || !name.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(SignalError::invalid(
                "event_type must be 1-64 visible ASCII characters",
            ));
        }
        // Stored per room (up to the analytics cap): a small,
        // fixed size per event keeps a room's history bounded.
        let size = serde_json::to_vec(&a.data).map_or(usize::MAX, |v| v.len());
        if size > MAX_ANALYTICS_DATA_BYTES {
            return Err(SignalError::new(
                ErrorCode::MessageTooLarge,
                format!("analytics data is {size} bytes; the limit is {MAX_ANALYTICS_DATA_BYTES}"),
            ));
        }
        Ok(vec![self.analytics(room, &me.user_id, name, now, a.data)])
    }

    /// Answers a ping with a pong to the asking connection.
    pub(super) fn ping(
        &self,
        room: &Room,
        now: OffsetDateTime,
        actor: &Actor,
        p: PingReq,
    ) -> Result<Vec<Effect>, SignalError> {
        let me = self.member(room, actor)?;
        let to = actor
            .connection
            .map(Audience::Connection)
            .unwrap_or(Audience::Users(vec![me.user_id.clone()]));
        Ok(vec![Effect::Deliver {
            to,
            message: ServerMessage::Pong {
                ts: p.ts,
                server_time: now,
            },
        }])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::testkit::*;

    #[test]
    fn analytics_events_are_bounded_in_size() {
        let mut d = Driver::new(10);
        d.join("a").unwrap();
        let ok = d
            .send(
                "a",
                r#"{"type":"analytics-event","event_type":"quality","data":{"rtt":42}}"#,
            )
            .unwrap();
        assert!(ok.iter().any(|e| matches!(e, Effect::Analytics(_))));
        let big = format!(
            r#"{{"type":"analytics-event","event_type":"x","data":{{"blob":"{}"}}}}"#,
            "A".repeat(MAX_ANALYTICS_DATA_BYTES)
        );
        assert_eq!(
            d.send("a", &big).unwrap_err().code,
            ErrorCode::MessageTooLarge,
            "never stored: the room's history would hold it"
        );
    }

    #[test]
    fn quality_classes() {
        let s = |l, p, j| NetworkStats {
            latency_ms: Some(l),
            packet_loss_percent: Some(p),
            jitter_ms: Some(j),
            bandwidth_kbps: None,
        };
        assert_eq!(classify_quality(&s(20.0, 0.0, 2.0)), "excellent");
        assert_eq!(classify_quality(&s(150.0, 0.5, 5.0)), "good");
        assert_eq!(classify_quality(&s(50.0, 8.0, 5.0)), "poor");
        assert_eq!(classify_quality(&s(50.0, 40.0, 5.0)), "lost");
    }
}
