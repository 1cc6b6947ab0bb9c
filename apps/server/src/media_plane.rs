//! The media plane's I/O: the SFU ([`media::Sfu`]) and its one UDP socket
//! on a thread of their own, fed by the room service (media signaling of
//! SFU rooms, already checked by the engine, from this instance or relayed
//! from another) and answering each participant over its WebSocket
//! through the service, on whichever instance holds it.

use std::collections::{HashMap, HashSet};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, UdpSocket};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use media::{Command, Grants, Output, PeerId, Sfu, SfuConfig, Signal, TrackSource};
use signaling_core::engine::{MediaRequest, MediaRequestKind};
use signaling_core::ports::MediaPlane;
use signaling_core::protocol::{
    ActiveSpeaker, MediaSource, MediaTrackView, MessageType, ServerMessage,
};
use signaling_core::{ConnectionId, ErrorCode, RoomId, RoomService, SignalError};
use tokio::sync::mpsc;

use crate::config::MediaSettings;
use crate::egress::{Egresses, TapJob};

/// Requests waiting for the media thread; past this, new ones are dropped
/// (each connection's signaling is rate limited long before).
const QUEUE: usize = 4096;

/// Largest datagram read.
const MTU: usize = 2048;

/// What the media thread takes.
enum Job {
    Run(RoomId, Command),
    Leave(PeerId),
    DropRoom(RoomId),
    Tap(TapJob),
}

/// The room of each media peer (for its signals and [`MediaPlane::rooms`]);
/// an entry goes with its peer, so there are never more than peers.
type PeerRooms = Arc<Mutex<HashMap<PeerId, RoomId>>>;

/// A signal for one participant's connection.
type Outgoing = (RoomId, PeerId, ServerMessage);

/// The room service's handle on the media thread.
#[derive(Clone)]
pub struct MediaHandle {
    tx: mpsc::Sender<Job>,
    rooms: PeerRooms,
    /// The address media is sent to (the advertised host candidate).
    pub address: SocketAddr,
    egresses: Egresses,
    service: RoomService,
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
            MediaRequestKind::Egress(e) => {
                self.egresses.request(room, e, &self.service);
                return;
            }
            MediaRequestKind::Leave => {
                if self.tx.try_send(Job::Leave(peer)).is_err() {
                    tracing::warn!(%room, "media plane queue full: a leave waits for the peer to time out");
                }
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

    fn rooms(&self) -> Vec<RoomId> {
        let mut rooms: HashSet<RoomId> = {
            let peers = self.rooms.lock().expect("media rooms lock");
            peers.values().cloned().collect()
        };
        // A room with a live stream keeps its media here, peers or not.
        rooms.extend(self.egresses.rooms());
        rooms.into_iter().collect()
    }

    fn streams(&self) -> Vec<(RoomId, String)> {
        self.egresses.streams()
    }

    fn drop_room(&self, room: &RoomId) {
        self.egresses.drop_room(room);
        if self.tx.try_send(Job::DropRoom(room.clone())).is_err() {
            tracing::warn!(%room, "media plane queue full: a lost room's peers stay until they time out");
        }
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

/// Binds the media socket and starts the media thread, with a task on
/// the calling runtime that delivers its signals through `service`;
/// `http_ip` is the HTTP listener's address, the default for the media
/// socket's.
pub fn start(
    settings: &MediaSettings,
    http_ip: IpAddr,
    service: RoomService,
    streams: crate::egress::Settings,
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
    let taps = tx.clone();
    let egresses = Egresses::new(streams, move |job| {
        if taps.try_send(Job::Tap(job)).is_err() {
            tracing::warn!("media plane queue full: a tap change was dropped");
        }
    });
    let (signals, mut outgoing) = mpsc::channel::<Outgoing>(QUEUE);
    let outgoing_service = service.clone();
    tokio::spawn(async move {
        // One task, so each participant's signals keep their order.
        while let Some((room, peer, message)) = outgoing.recv().await {
            outgoing_service
                .send_to_connection(&room, ConnectionId(peer), message)
                .await;
        }
    });
    let rooms = PeerRooms::default();
    let peer_rooms = rooms.clone();
    let frames = egresses.clone();
    std::thread::Builder::new()
        .name("rtc-media".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("media runtime");
            rt.block_on(async move {
                match tokio::net::UdpSocket::from_std(socket) {
                    Ok(socket) => run(socket, address, sfu, rx, peer_rooms, signals, frames).await,
                    Err(e) => tracing::error!(error = %e, "media socket"),
                }
            });
        })?;
    tracing::info!(%address, "media plane (SFU) on UDP");
    Ok(MediaHandle {
        tx,
        rooms,
        address,
        egresses,
        service,
    })
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
    rooms: PeerRooms,
    signals: mpsc::Sender<Outgoing>,
    egresses: Egresses,
) {
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
                Output::Frame(f) => egresses.frame(*f),
                Output::Signal { peer, signal } => {
                    let room = rooms.lock().expect("media rooms lock").get(&peer).cloned();
                    if let Some(room) = room
                        && signals.try_send((room, peer, message(signal))).is_err()
                    {
                        tracing::warn!(%peer, "media signal queue full: a signal was dropped");
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
                        rooms.lock().expect("media rooms lock").insert(*peer, room);
                    }
                    sfu.command(Instant::now(), command);
                }
                Some(Job::Leave(peer)) => {
                    // Its connection is closed: signals for it go nowhere.
                    sfu.command(Instant::now(), Command::Leave { peer });
                    rooms.lock().expect("media rooms lock").remove(&peer);
                }
                Some(Job::Tap(TapJob::Tap(room, tap))) => {
                    sfu.command(Instant::now(), Command::Tap { tap, room: room.to_string() });
                }
                Some(Job::Tap(TapJob::Untap(tap))) => {
                    sfu.command(Instant::now(), Command::Untap { tap });
                }
                Some(Job::DropRoom(room)) => {
                    let gone: Vec<PeerId> = {
                        let mut rooms = rooms.lock().expect("media rooms lock");
                        let gone = rooms.iter().filter(|(_, r)| **r == room).map(|(p, _)| *p).collect();
                        rooms.retain(|_, r| *r != room);
                        gone
                    };
                    for peer in gone {
                        sfu.command(Instant::now(), Command::Leave { peer });
                    }
                }
                None => return,
            },
            _ = tokio::time::sleep_until(wake.into()) => sfu.tick(Instant::now()),
        }
    }
}

/// The server message of a media signal.
fn message(signal: Signal) -> ServerMessage {
    match signal {
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
    }
}
