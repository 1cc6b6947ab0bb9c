//! Live streams: one at a time, started and stopped by moderators. With a
//! destination (`url` and `stream_key`) or `hls`, the server streams the
//! room: an SFU room's media plane composes it and pushes it over RTMP,
//! and/or writes it as HLS served by this server (the `egress` crate), and
//! reports its status back ([`Command::StreamStatus`]). Without either,
//! the stream is a record only (the seeds' form).

use super::*;
use crate::room::{MediaMode, StreamLayout, StreamStatus};
use crate::sanitize::sanitize_name;

/// What the media plane of the room's owner is asked to do for a server
/// stream (inside a [`MediaRequest`]).
#[derive(Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub enum EgressRequest {
    /// Start streaming the room.
    Start {
        /// The stream.
        stream_id: String,
        /// The URL pushed to, stream key included: a secret (its `Debug`
        /// hides it); none for an HLS-only stream.
        destination: Option<String>,
        /// Whether it is also written as HLS.
        hls: bool,
        /// The picture's layout.
        layout: StreamLayout,
        /// The preset.
        quality: ::recording::Quality,
    },
    /// Start recording the room (a server recording): the composite goes
    /// to the blob store as the recording's chunks.
    Record {
        /// The recording.
        recording_id: String,
        /// The picture's layout.
        layout: StreamLayout,
        /// The preset.
        quality: ::recording::Quality,
    },
    /// Pause a server recording: nothing is recorded until it resumes.
    Pause {
        /// The recording.
        id: String,
    },
    /// Resume a paused server recording.
    Resume {
        /// The recording.
        id: String,
    },
    /// Stop a stream or a server recording.
    Stop {
        /// The stream or recording.
        id: String,
    },
}

impl std::fmt::Debug for EgressRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EgressRequest::Start {
                stream_id,
                layout,
                quality,
                hls,
                ..
            } => f
                .debug_struct("Start")
                .field("stream_id", stream_id)
                .field("destination", &"<secret>")
                .field("hls", hls)
                .field("layout", layout)
                .field("quality", quality)
                .finish(),
            EgressRequest::Record {
                recording_id,
                layout,
                quality,
            } => f
                .debug_struct("Record")
                .field("recording_id", recording_id)
                .field("layout", layout)
                .field("quality", quality)
                .finish(),
            EgressRequest::Pause { id } => f.debug_struct("Pause").field("id", id).finish(),
            EgressRequest::Resume { id } => f.debug_struct("Resume").field("id", id).finish(),
            EgressRequest::Stop { id } => f.debug_struct("Stop").field("id", id).finish(),
        }
    }
}

/// Longest destination URL.
const MAX_URL: usize = 1024;
/// Longest stream key.
const MAX_KEY: usize = 512;

/// The shown destination and the full URL of a start request, checked:
/// `rtmp://` or `rtmps://` with a host, and a key of printable characters.
fn destination(url: &str, key: Option<&str>) -> Result<(String, String), SignalError> {
    let bad = |m: &str| SignalError::invalid(m.to_owned());
    let url = url.trim().trim_end_matches('/');
    let rest = url
        .strip_prefix("rtmp://")
        .or_else(|| url.strip_prefix("rtmps://"))
        .ok_or_else(|| bad("url must be rtmp:// or rtmps://"))?;
    if url.len() > MAX_URL
        || rest.is_empty()
        || rest.starts_with('/')
        || url.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return Err(bad(
            "url must be an rtmp(s) URL with a host, up to 1024 characters",
        ));
    }
    let key = key.ok_or_else(|| bad("stream_key is required with url"))?;
    if key.is_empty()
        || key.len() > MAX_KEY
        || key.contains('/')
        || key.chars().any(|c| c.is_control() || c.is_whitespace())
    {
        return Err(bad(
            "stream_key must be 1 to 512 printable characters without spaces or '/'",
        ));
    }
    Ok((url.to_owned(), format!("{url}/{key}")))
}

impl Engine {
    /// Starts a live-stream session (moderators); one at a time. With a
    /// destination, in SFU rooms only, the owner of the room's media is
    /// asked to stream it.
    pub(super) fn stream_start(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        actor: &Actor,
        req: LiveStreamStartReq,
    ) -> Result<(LiveStream, Vec<Effect>), SignalError> {
        let me = &self.member(room, actor)?.clone();
        if !me.role.is_moderator() {
            return Err(SignalError::denied(
                "only a host or moderator may start a live stream",
            ));
        }
        let hls = req.hls.unwrap_or(false);
        if (req.url.is_some() || hls) && room.settings.media_mode != MediaMode::Sfu {
            return Err(SignalError::new(
                ErrorCode::MediaModeMismatch,
                "streaming to a destination or as HLS needs an SFU room: in a mesh room the server has no media",
            ));
        }
        let rtmp = match &req.url {
            None => None,
            Some(url) => Some(destination(url, req.stream_key.as_deref())?),
        };
        let server = rtmp.is_some() || hls;
        if room.live_streams.iter().any(|s| s.stopped_at.is_none()) {
            return Err(SignalError::new(
                ErrorCode::StreamAlreadyActive,
                "a live stream is already running",
            ));
        }
        let max = self.config.max_name_chars;
        let layout = req.layout.unwrap_or_default();
        let quality = req.quality.unwrap_or(::recording::Quality::Medium);
        let stream_id = room.local_id("ls");
        let s = LiveStream {
            hls_url: hls.then(|| {
                format!(
                    "/webrtc/rooms/{}/live-streams/{stream_id}/hls/index.m3u8",
                    room.id
                )
            }),
            stream_id,
            title: req.title.map(|t| sanitize_name(&t, 128)),
            platform: req.platform.map(|p| sanitize_name(&p, max)),
            started_by: me.user_id.clone(),
            started_at: now,
            stopped_at: None,
            destination: rtmp.as_ref().map(|(shown, _)| shown.clone()),
            layout: server.then_some(layout),
            quality: server.then_some(quality),
            status: server.then_some(StreamStatus::Starting),
            error: None,
        };
        room.live_streams.push(s.clone());
        let mut effects = vec![deliver(
            everyone(room),
            ServerMessage::LiveStreamStart { stream: s.clone() },
        )];
        if server {
            effects.push(egress(
                me,
                EgressRequest::Start {
                    stream_id: s.stream_id.clone(),
                    destination: rtmp.map(|(_, full)| full),
                    hls,
                    layout,
                    quality,
                },
            ));
        }
        Ok((s, effects))
    }

    /// Stops a live-stream session (moderators).
    pub(super) fn stream_stop(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        actor: &Actor,
        id: &str,
    ) -> Result<(LiveStream, Vec<Effect>), SignalError> {
        let me = &self.member(room, actor)?.clone();
        if !me.role.is_moderator() {
            return Err(SignalError::denied(
                "only a host or moderator may stop a live stream",
            ));
        }
        let s = room
            .live_streams
            .iter_mut()
            .find(|s| s.stream_id == id)
            .ok_or_else(|| {
                SignalError::new(ErrorCode::StreamNotFound, format!("no live stream {id}"))
            })?;
        if s.stopped_at.is_some() {
            return Err(SignalError::new(
                ErrorCode::InvalidStateTransition,
                "the stream already stopped",
            ));
        }
        s.stopped_at = Some(now);
        let server = s.status.is_some();
        if server {
            s.status = Some(StreamStatus::Stopped);
        }
        let s = s.clone();
        let mut effects = vec![deliver(
            everyone(room),
            ServerMessage::LiveStreamStop { stream: s.clone() },
        )];
        if server {
            effects.push(egress(
                me,
                EgressRequest::Stop {
                    id: s.stream_id.clone(),
                },
            ));
        }
        Ok((s, effects))
    }

    /// A server stream's status from the media plane: kept on the stream
    /// and told to the room. An ended stream (failed, or stopped at the
    /// time limit) is stopped; a report about a stream that already ended
    /// changes nothing.
    pub(super) fn stream_status(
        &self,
        room: &mut Room,
        now: OffsetDateTime,
        id: &str,
        status: StreamStatus,
        error: Option<String>,
    ) -> Result<Vec<Effect>, SignalError> {
        let Some(s) = room
            .live_streams
            .iter_mut()
            .find(|s| s.stream_id == id && s.status.is_some())
        else {
            return Err(SignalError::new(
                ErrorCode::StreamNotFound,
                format!("no server stream {id}"),
            ));
        };
        if s.stopped_at.is_some() || s.status == Some(status) && s.error == error {
            return Ok(vec![]);
        }
        s.status = Some(status);
        s.error = error;
        if status.is_over() {
            s.stopped_at = Some(now);
        }
        let stream = s.clone();
        Ok(vec![deliver(
            everyone(room),
            ServerMessage::LiveStreamUpdate { stream },
        )])
    }
}

/// The effect that takes `request` to the room's media plane.
pub(super) fn egress(me: &Participant, request: EgressRequest) -> Effect {
    egress_as(me.connection, me.user_id.clone(), request)
}

/// [`egress`] on behalf of `user_id` at `connection` (the server itself,
/// for a time limit).
pub(super) fn egress_as(
    connection: ConnectionId,
    user_id: UserId,
    request: EgressRequest,
) -> Effect {
    Effect::Media(MediaRequest {
        connection,
        user_id,
        grants: MediaGrants {
            audio: false,
            video: false,
            screen: false,
        },
        kind: MediaRequestKind::Egress(request),
    })
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::testkit::*;
    use super::*;

    pub(in crate::engine) fn egress_of(effects: &[Effect]) -> Vec<&EgressRequest> {
        effects
            .iter()
            .filter_map(|e| match e {
                Effect::Media(MediaRequest {
                    kind: MediaRequestKind::Egress(r),
                    ..
                }) => Some(r),
                _ => None,
            })
            .collect()
    }

    /// A stream with a destination: SFU rooms only; the room sees where it
    /// goes but never the key, which only the media plane gets; statuses
    /// are kept and told; a failure ends it; a stop stops the egress.
    #[test]
    fn a_server_stream_goes_to_the_media_plane_with_its_key_and_reports_back() {
        let mut d = Driver::new(10);
        d.join("host").unwrap();
        d.join("bob").unwrap();
        let start = r#"{"type":"live-stream-start","title":"Show","url":"rtmp://live.example/app","stream_key":"sk-secret","layout":"speaker","quality":"low"}"#;
        let e = d.send("host", start).unwrap_err();
        assert_eq!(
            e.code,
            ErrorCode::MediaModeMismatch,
            "a mesh room has no media at the server"
        );
        let e = d
            .send("host", r#"{"type":"live-stream-start","hls":true}"#)
            .unwrap_err();
        assert_eq!(
            e.code,
            ErrorCode::MediaModeMismatch,
            "HLS too needs an SFU room"
        );
        d.send(
            "host",
            r#"{"type":"room-settings-update","media_mode":"sfu"}"#,
        )
        .unwrap();
        let e = d.send("bob", start).unwrap_err();
        assert_eq!(e.code, ErrorCode::PermissionDenied);
        let effects = d.send("host", start).unwrap();
        let told = delivered_to(&effects, "live-stream-start");
        assert_eq!(told.len(), 1);
        for e in &effects {
            if let Effect::Deliver { message, .. } = e {
                assert!(
                    !message.to_json().contains("sk-secret"),
                    "the key is not told"
                );
            }
        }
        let s = d.room.live_streams[0].clone();
        assert_eq!(
            (s.destination.as_deref(), s.status, s.layout, s.quality),
            (
                Some("rtmp://live.example/app"),
                Some(StreamStatus::Starting),
                Some(StreamLayout::Speaker),
                Some(::recording::Quality::Low)
            )
        );
        assert!(
            !serde_json::to_string(&d.room)
                .unwrap()
                .contains("sk-secret"),
            "nor kept"
        );
        match egress_of(&effects)[..] {
            [
                EgressRequest::Start {
                    destination, hls, ..
                },
            ] => {
                assert_eq!(
                    (destination.as_deref(), *hls),
                    (Some("rtmp://live.example/app/sk-secret"), false)
                )
            }
            ref other => panic!("{other:?}"),
        }

        let status = |d: &mut Driver, status, error: Option<&str>| {
            let cmd = Command::StreamStatus {
                stream_id: s.stream_id.clone(),
                status,
                error: error.map(Into::into),
            };
            d.apply(&Actor::admin(), cmd).map(|a| a.effects)
        };
        let fx = status(&mut d, StreamStatus::Live, None).unwrap();
        assert_eq!(delivered_to(&fx, "live-stream-update").len(), 1);
        assert!(
            status(&mut d, StreamStatus::Live, None).unwrap().is_empty(),
            "no change, no news"
        );
        let fx = status(
            &mut d,
            StreamStatus::Failed,
            Some("LIVE_STREAM_FAILED: refused"),
        )
        .unwrap();
        assert_eq!(delivered_to(&fx, "live-stream-update").len(), 1);
        let s2 = &d.room.live_streams[0];
        assert_eq!(
            (s2.status, s2.stopped_at.is_some()),
            (Some(StreamStatus::Failed), true)
        );
        assert!(
            status(&mut d, StreamStatus::Live, None).unwrap().is_empty(),
            "an ended stream stays ended"
        );

        // A new one, stopped by the host: the media plane is told.
        let effects = d.send("host", start).unwrap();
        let id = d.room.live_streams[1].stream_id.clone();
        assert_eq!(egress_of(&effects).len(), 1);
        let stop = format!(r#"{{"type":"live-stream-stop","stream_id":"{id}"}}"#);
        let effects = d.send("host", &stop).unwrap();
        assert!(
            matches!(egress_of(&effects)[..], [EgressRequest::Stop { id: stopped }] if *stopped == id)
        );
        assert_eq!(d.room.live_streams[1].status, Some(StreamStatus::Stopped));
        // The seeds' form stays a record only.
        let effects = d
            .send("host", r#"{"type":"live-stream-start","title":"T"}"#)
            .unwrap();
        assert!(egress_of(&effects).is_empty());
        assert_eq!(d.room.live_streams[2].status, None);
        let id = d.room.live_streams[2].stream_id.clone();
        d.send(
            "host",
            &format!(r#"{{"type":"live-stream-stop","stream_id":"{id}"}}"#),
        )
        .unwrap();
        // HLS only: the stream has a playback path and no destination.
        let effects = d
            .send("host", r#"{"type":"live-stream-start","hls":true}"#)
            .unwrap();
        let s = &d.room.live_streams[3];
        assert_eq!(
            (s.destination.as_deref(), s.hls_url.as_deref()),
            (
                None,
                Some(&*format!(
                    "/webrtc/rooms/r/live-streams/{}/hls/index.m3u8",
                    s.stream_id
                ))
            )
        );
        assert!(matches!(
            egress_of(&effects)[..],
            [EgressRequest::Start {
                destination: None,
                hls: true,
                ..
            }]
        ));
    }

    #[test]
    fn a_destination_is_an_rtmp_url_with_a_host_and_a_printable_key() {
        let (shown, full) = destination(" rtmp://live.example/app/ ", Some("sk-1")).unwrap();
        assert_eq!(
            (shown.as_str(), full.as_str()),
            ("rtmp://live.example/app", "rtmp://live.example/app/sk-1")
        );
        assert!(destination("rtmps://a.example:443/live", Some("k?x=1&y=2")).is_ok());
        for (url, key) in [
            ("http://a.example/app", Some("k")),
            ("rtmp://", Some("k")),
            ("rtmp:///app", Some("k")),
            ("rtmp://a b/app", Some("k")),
            ("rtmp://a.example/app", None),
            ("rtmp://a.example/app", Some("")),
            ("rtmp://a.example/app", Some("a/b")),
            ("rtmp://a.example/app", Some("a b")),
        ] {
            let e = destination(url, key).unwrap_err();
            assert_eq!(e.code, ErrorCode::ValidationError, "{url} {key:?}");
        }
    }

    #[test]
    fn a_start_request_never_shows_its_key() {
        let r = EgressRequest::Start {
            stream_id: "ls-1".into(),
            destination: Some("rtmp://a.example/app/secret-key".into()),
            hls: false,
            layout: StreamLayout::Grid,
            quality: ::recording::Quality::Low,
        };
        assert!(!format!("{r:?}").contains("secret-key"));
        let req = LiveStreamStartReq {
            stream_key: Some("secret-key".into()),
            ..Default::default()
        };
        assert!(!format!("{req:?}").contains("secret-key"));
    }
}
