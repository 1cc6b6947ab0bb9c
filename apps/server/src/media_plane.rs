//! The media plane's I/O: the SFU ([`media::Sfu`]) and its one UDP socket
//! on a thread of their own, fed by the room service (media signaling of
//! SFU rooms, already checked by the engine) and answering each
//! participant over its WebSocket through the hub.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::Arc;
use std::time::{Duration, Instant};

use media::{Command, Grants, Output, PeerId, Sfu, SfuConfig, Signal, TrackSource};
use signaling_core::engine::{MediaRequest, MediaRequestKind};
use signaling_core::ports::{BusEvent, BusKind, EventSink, MediaPlane};
use signaling_core::protocol::{
    ActiveSpeaker, MediaSource, MediaTrackView, MessageType, ServerMessage,
};
use signaling_core::{Audience, ConnectionId, ErrorCode, RoomId, SignalError};
use tokio::sync::mpsc;

use crate::config::MediaSettings;

/// Requests waiting for the media thread; past this, new ones are dropped
/// (each connection's signaling is rate limited long before).
const QUEUE: usize = 4096;

/// Largest datagram read.
const MTU: usize = 2048;

/// What the media thread takes.
enum Job {
    Run(RoomId, Command),
    Leave(PeerId),
}

/// The room service's handle on the media thread.
#[derive(Clone)]
pub struct MediaHandle {
    tx: mpsc::Sender<Job>,
    /// The address media is sent to (the advertised host candidate).
    pub address: SocketAddr,
}

impl MediaHandle {
    /// The participant's connection closed: its media peer goes.
    pub fn leave(&self, connection: ConnectionId) {
        let _ = self.tx.try_send(Job::Leave(connection.0));
    }
}

impl MediaHandle {
    fn run(&self, room: &RoomId, command: Command) {
        if self.tx.try_send(Job::Run(room.clone(), command)).is_err() {
            tracing::warn!(%room, "media plane queue full: signaling dropped");
        }
    }
}

impl MediaPlane for MediaHandle {
    fn submit(&self, room: &RoomId, r: MediaRequest) {
        let peer = r.connection.0;
        let command = match r.kind {
            MediaRequestKind::Offer(o) => Command::Offer {
                peer,
                room: room.to_string(),
                user: r.user_id.to_string(),
                grants: grants_in(r.grants),
                sdp: o.sdp,
                sources: o
                    .sources
                    .into_iter()
                    .map(|(mid, s)| (mid, source_in(s)))
                    .collect(),
            },
            MediaRequestKind::Answer(sdp) => Command::Answer { peer, sdp },
            MediaRequestKind::Grants => Command::Grants {
                peer,
                grants: grants_in(r.grants),
            },
            MediaRequestKind::Leave => {
                let _ = self.tx.try_send(Job::Leave(peer));
                return;
            }
            MediaRequestKind::Subscribe(tracks) => {
                for t in tracks {
                    let max = match (t.width, t.height) {
                        (None, None) => None,
                        (w, h) => Some((w.unwrap_or(1), h.unwrap_or(1))),
                    };
                    let command = Command::Subscribe {
                        peer,
                        mid: t.mid,
                        max,
                        paused: t.paused,
                    };
                    self.run(room, command);
                }
                return;
            }
        };
        self.run(room, command);
    }
}

fn grants_in(g: signaling_core::engine::MediaGrants) -> Grants {
    Grants {
        audio: g.audio,
        video: g.video,
        screen: g.screen,
    }
}

fn source_in(s: MediaSource) -> TrackSource {
    match s {
        MediaSource::Microphone => TrackSource::Microphone,
        MediaSource::Camera => TrackSource::Camera,
        MediaSource::Screen => TrackSource::Screen,
        MediaSource::ScreenAudio => TrackSource::ScreenAudio,
    }
}

fn source_out(s: TrackSource) -> MediaSource {
    match s {
        TrackSource::Microphone => MediaSource::Microphone,
        TrackSource::Camera => MediaSource::Camera,
        TrackSource::Screen => MediaSource::Screen,
        TrackSource::ScreenAudio => MediaSource::ScreenAudio,
    }
}

/// Binds the media socket and starts the media thread; `http_ip` is the
/// HTTP listener's address, the default for the media socket's.
pub fn start(
    settings: &MediaSettings,
    http_ip: IpAddr,
    hub: Arc<dyn EventSink>,
) -> anyhow::Result<MediaHandle> {
    let bind_ip = settings.media_bind_ip.unwrap_or(http_ip);
    let socket =
        UdpSocket::bind(SocketAddr::new(bind_ip, settings.media_udp_port)).map_err(|e| {
            anyhow::anyhow!(
                "media UDP socket on {bind_ip}:{}: {e}",
                settings.media_udp_port
            )
        })?;
    let port = socket.local_addr()?.port();
    let public_ip = settings
        .media_public_ip
        .unwrap_or_else(|| advertised_ip(bind_ip));
    let address = SocketAddr::new(public_ip, port);
    let mut config = SfuConfig::new(address);
    config.max_peers = settings.media_max_peers;
    let sfu = Sfu::new(config).map_err(|e| anyhow::anyhow!("media address {e}"))?;
    socket.set_nonblocking(true)?;
    let (tx, rx) = mpsc::channel(QUEUE);
    std::thread::Builder::new()
        .name("rtc-media".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("media runtime");
            rt.block_on(async move {
                match tokio::net::UdpSocket::from_std(socket) {
                    Ok(socket) => run(socket, address, sfu, rx, hub).await,
                    Err(e) => tracing::error!(error = %e, "media socket"),
                }
            });
        })?;
    tracing::info!(%address, "media plane (SFU) on UDP");
    Ok(MediaHandle { tx, address })
}

/// The address to advertise for a socket bound to `bind_ip`: itself, or
/// for an unspecified one the address of the interface with the default
/// route (loopback when there is none).
fn advertised_ip(bind_ip: IpAddr) -> IpAddr {
    if !bind_ip.is_unspecified() {
        return bind_ip;
    }
    // Connecting a UDP socket sends nothing; it only picks the route.
    UdpSocket::bind("0.0.0.0:0")
        .and_then(|s| {
            s.connect("192.0.2.1:9")?;
            s.local_addr()
        })
        .map(|a| a.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
}

/// The media thread: datagrams, signaling and timers into the SFU; its
/// datagrams to the socket and its signaling to the participants.
async fn run(
    socket: tokio::net::UdpSocket,
    address: SocketAddr,
    mut sfu: Sfu,
    mut rx: mpsc::Receiver<Job>,
    hub: Arc<dyn EventSink>,
) {
    // The room of each peer's connection (for its signals); an entry goes
    // when the connection closes, so there are never more than connections.
    let mut rooms: HashMap<PeerId, RoomId> = HashMap::new();
    let mut buf = vec![0u8; MTU];
    let mut report = Instant::now();
    loop {
        if report.elapsed() >= Duration::from_secs(1) {
            report = Instant::now();
            crate::telemetry::media(sfu.stats(), sfu.peer_count());
        }
        while let Some(out) = sfu.poll() {
            match out {
                Output::Transmit {
                    destination,
                    contents,
                    ..
                } => {
                    if let Err(e) = socket.try_send_to(&contents, destination) {
                        tracing::trace!(%destination, error = %e, "media datagram not sent");
                    }
                }
                Output::Signal { peer, signal } => {
                    if let Some(room) = rooms.get(&peer) {
                        tell(hub.as_ref(), room, peer, signal);
                    }
                }
            }
        }
        let now = Instant::now();
        let wake = sfu
            .deadline()
            .unwrap_or(now + Duration::from_secs(1))
            .min(now + Duration::from_secs(1));
        tokio::select! {
            r = socket.recv_from(&mut buf) => {
                if let Ok((n, source)) = r {
                    sfu.receive(Instant::now(), source, address, &buf[..n]);
                }
            }
            job = rx.recv() => match job {
                Some(Job::Run(room, command)) => {
                    if let Command::Offer { peer, .. } = &command {
                        rooms.insert(*peer, room);
                    }
                    sfu.command(Instant::now(), command);
                }
                Some(Job::Leave(peer)) => {
                    // Its connection is closed: signals for it go nowhere.
                    sfu.command(Instant::now(), Command::Leave { peer });
                    rooms.remove(&peer);
                }
                None => return,
            },
            _ = tokio::time::sleep_until(wake.into()) => sfu.tick(Instant::now()),
        }
    }
}

/// Sends `signal` to the connection of `peer` on this instance.
fn tell(hub: &dyn EventSink, room: &RoomId, peer: PeerId, signal: Signal) {
    let message = match signal {
        Signal::Answer(sdp) => ServerMessage::MediaAnswer { sdp },
        Signal::Offer(sdp) => ServerMessage::MediaOffer { sdp },
        Signal::Tracks(tracks) => ServerMessage::MediaTracks {
            tracks: tracks
                .into_iter()
                .map(|t| MediaTrackView {
                    mid: t.mid,
                    user_id: t.user_id,
                    source: source_out(t.source),
                    kind: t.kind.into(),
                })
                .collect(),
        },
        Signal::Speakers(s) => ServerMessage::ActiveSpeakers {
            speakers: s
                .speakers
                .into_iter()
                .map(|s| ActiveSpeaker {
                    user_id: s.user_id,
                    level: s.level,
                })
                .collect(),
            dominant: s.dominant,
        },
        Signal::Error { error, message } => {
            let code = match error {
                media::MediaError::InvalidSdp => ErrorCode::InvalidSdp,
                media::MediaError::CapacityReached => ErrorCode::MaxParticipantsReached,
                media::MediaError::MediaNotAllowed => ErrorCode::MediaNotAllowed,
                media::MediaError::WrongRoom => ErrorCode::ValidationError,
                media::MediaError::TrackNotFound => ErrorCode::TrackNotFound,
            };
            let about = match error {
                media::MediaError::TrackNotFound => MessageType::SubscriptionUpdate,
                _ => MessageType::MediaOffer,
            };
            ServerMessage::error(&SignalError::new(code, message), Some(about))
        }
    };
    let event = BusEvent {
        room_id: room.clone(),
        kind: BusKind::Deliver {
            to: Audience::Connection(ConnectionId(peer)),
            payload: message.to_json(),
            seq: None,
        },
        version: None,
        origin: None,
    };
    hub.deliver_here(&event);
}
