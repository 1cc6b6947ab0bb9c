//! The event bus over pub/sub: `{prefix}bus` for what goes to every
//! instance, `{prefix}bus:{instance}` for what goes to one; the subscriber
//! reconnects by itself.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use deadpool_redis::redis;
use futures_util::StreamExt as _;
use signaling_core::ports::*;
use signaling_core::{Audience, InstanceTag, PortError, RoomId};
use tokio::sync::mpsc;

use crate::{Redis, corrupt};

/// Pub/sub on the channel `{prefix}bus` (to all) and one channel per
/// instance, `{prefix}bus:{instance}`, which only that instance listens to.
/// The subscriber runs in a task that reconnects by itself when Redis
/// comes back; events published while an instance is cut off are not
/// replayed here (the reconnection log covers clients).
///
/// Publishing does not wait for Redis: `publish` puts the event in the
/// instance's queue (at most [`PUBLISH_QUEUE`] events; a full queue is
/// `SERVICE_UNAVAILABLE`), and one task sends the queue in pipelined
/// batches over one connection, in order. Waiting for one round trip per
/// event made every relay to another instance cost a round trip in its
/// sender's session. A batch Redis refuses is logged and its events are
/// lost, as a failed publish always was (the replay log covers clients).
pub struct RedisBus {
    redis: Redis,
    queue: std::sync::OnceLock<mpsc::Sender<(Channel, String)>>,
    /// `{prefix}bus`.
    all: Channel,
    /// The names of the instance channels published to so far (a relay
    /// formats none). Instances come and go, so it is cleared when it
    /// grows past [`CHANNEL_NAMES`].
    channels: std::sync::Mutex<std::collections::HashMap<InstanceTag, Channel>>,
}

/// A channel's name, shared by the events queued for it.
type Channel = Arc<str>;

/// Instance channel names kept at most.
const CHANNEL_NAMES: usize = 1024;

/// Events an instance may have queued for Redis at once.
pub const PUBLISH_QUEUE: usize = 65_536;

/// Events sent in one pipeline at most.
const PUBLISH_BATCH: usize = 512;

/// The most bytes of events packed into one `PUBLISH` (a single event may
/// be larger and goes alone).
const PACK_BYTES: usize = 64 * 1024;

/// Sends what `publish` queued, in order, in pipelined batches. Queued
/// events that follow each other on one channel go as one `PUBLISH` of a
/// packed frame ([`pack`]): Redis and every subscriber then handle one
/// message for many events, which was most of the cost of a relay between
/// instances. Only neighbours are packed, so the order on the wire is the
/// order of the queue, across channels too.
async fn publisher(redis: Redis, mut rx: mpsc::Receiver<(Channel, String)>) {
    let mut batch = Vec::with_capacity(PUBLISH_BATCH);
    while rx.recv_many(&mut batch, PUBLISH_BATCH).await > 0 {
        let mut pipe = redis::pipe();
        let mut rest = &batch[..];
        while let Some((channel, first)) = rest.first() {
            let mut n = 1;
            let mut bytes = first.len();
            while let Some((c, p)) = rest.get(n)
                && c == channel
                && bytes + p.len() <= PACK_BYTES
            {
                bytes += p.len();
                n += 1;
            }
            if n == 1 {
                pipe.publish(&**channel, first).ignore();
            } else {
                pipe.publish(&**channel, pack(rest[..n].iter().map(|(_, p)| p.as_str())))
                    .ignore();
            }
            rest = &rest[n..];
        }
        if let Err(e) = redis.run(async |c| pipe.query_async::<()>(c).await).await {
            tracing::warn!(error = %e, events = batch.len(), "event bus publish failed; the events are lost");
            metrics::counter!("rtc_bus_events_lost_total").increment(batch.len() as u64);
        }
        batch.clear();
    }
}

/// Several wire forms in one frame: `P`, then for each its length in bytes
/// in decimal, `:`, and the wire form itself.
fn pack<'a>(wires: impl Iterator<Item = &'a str> + Clone) -> String {
    let len: usize = wires.clone().map(|w| w.len() + 8).sum();
    let mut out = String::with_capacity(1 + len);
    out.push('P');
    for w in wires {
        use std::fmt::Write as _;
        let _ = write!(out, "{}:", w.len());
        out.push_str(w);
    }
    out
}

/// The wire forms of a frame: those [`pack`] packed, or the frame itself.
fn unpack(frame: &str) -> Result<Vec<&str>, String> {
    let Some(mut rest) = frame.strip_prefix('P') else {
        return Ok(vec![frame]);
    };
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (len, tail) = rest
            .split_once(':')
            .ok_or("packed frame without a length")?;
        let len: usize = len.parse().map_err(|_| "packed frame with a bad length")?;
        let wire = tail
            .get(..len)
            .ok_or("packed frame shorter than its length")?;
        out.push(wire);
        rest = &tail[len..];
    }
    Ok(out)
}

/// The header of a delivery as written: the event without its payload,
/// borrowed (what [`DeliverHeader`] reads back).
#[derive(serde::Serialize)]
struct DeliverHeaderRef<'a> {
    room_id: &'a RoomId,
    to: &'a Audience,
    #[serde(skip_serializing_if = "Option::is_none")]
    seq: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    origin: Option<InstanceTag>,
}

/// The header of a delivery on the wire: the event without its payload.
#[derive(serde::Deserialize)]
struct DeliverHeader {
    room_id: RoomId,
    to: Audience,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seq: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    version: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    origin: Option<InstanceTag>,
}

/// The wire form of an event (several go in one frame, see [`pack`]). A delivery is `D`, its header as JSON, a
/// newline, then the payload as it is: the payload (a JSON message, up to
/// an SDP's size) is neither escaped into a JSON string on the way out nor
/// unescaped on the way in. Other events are their JSON.
fn encode(event: &BusEvent) -> Result<String, PortError> {
    match &event.kind {
        BusKind::Deliver { to, payload, seq } => {
            let header = DeliverHeaderRef {
                room_id: &event.room_id,
                to,
                seq: *seq,
                version: event.version,
                origin: event.origin,
            };
            // One buffer: the header is written in place, then the payload.
            let mut out = Vec::with_capacity(128 + payload.len());
            out.push(b'D');
            serde_json::to_writer(&mut out, &header).map_err(corrupt)?;
            out.push(b'\n');
            out.extend_from_slice(payload.as_bytes());
            String::from_utf8(out).map_err(corrupt)
        }
        _ => serde_json::to_string(event).map_err(corrupt),
    }
}

/// The event of a wire form made by [`encode`] (or plain event JSON).
fn decode(wire: &str) -> Result<BusEvent, String> {
    if let Some(rest) = wire.strip_prefix('D') {
        let (header, payload) = rest.split_once('\n').ok_or("delivery without a payload")?;
        let h: DeliverHeader = serde_json::from_str(header).map_err(|e| e.to_string())?;
        return Ok(BusEvent {
            room_id: h.room_id,
            kind: BusKind::Deliver {
                to: h.to,
                payload: payload.to_owned(),
                seq: h.seq,
            },
            version: h.version,
            origin: h.origin,
        });
    }
    serde_json::from_str(wire).map_err(|e| e.to_string())
}

impl RedisBus {
    /// The bus over `redis`.
    pub(crate) fn new(redis: Redis) -> Self {
        RedisBus {
            all: redis.key(&["bus"]).into(),
            redis,
            queue: std::sync::OnceLock::new(),
            channels: Default::default(),
        }
    }

    async fn publish_on(&self, channel: Channel, event: &BusEvent) -> Result<(), PortError> {
        let payload = encode(event)?;
        let queue = self.queue.get_or_init(|| {
            let (tx, rx) = mpsc::channel(PUBLISH_QUEUE);
            tokio::spawn(publisher(self.redis.clone(), rx));
            tx
        });
        queue.try_send((channel, payload)).map_err(|e| {
            let why = match e {
                mpsc::error::TrySendError::Full(_) => "the publish queue is full",
                mpsc::error::TrySendError::Closed(_) => "the publisher stopped",
            };
            PortError::unavailable(format!("redis event bus: {why}"))
        })
    }

    /// The channel of one instance.
    fn instance_channel(&self, instance: InstanceTag) -> Channel {
        let mut names = self.channels.lock().expect("channel names");
        if let Some(c) = names.get(&instance) {
            return c.clone();
        }
        if names.len() >= CHANNEL_NAMES {
            names.clear();
        }
        let c: Channel = self.redis.key(&["bus", &instance.to_string()]).into();
        names.insert(instance, c.clone());
        c
    }

    /// Subscribes `sink` to `channels` on one connection (so what one
    /// publisher sends on any of them arrives in order) in a task that
    /// reconnects by itself and resyncs the sink after every gap.
    fn listen(&self, channels: Vec<String>, sink: Arc<dyn EventSink>) {
        let client = self.redis.client.clone();
        tokio::spawn(async move {
            let mut backoff = Duration::from_millis(100);
            loop {
                match client.get_async_pubsub().await {
                    Ok(mut ps) => match ps.subscribe(&channels).await {
                        Ok(()) => {
                            tracing::info!(?channels, "event bus subscribed");
                            // Whatever was published while unsubscribed is lost.
                            sink.resync();
                            backoff = Duration::from_millis(100);
                            let mut stream = ps.on_message();
                            while let Some(msg) = stream.next().await {
                                let Ok(payload) = msg.get_payload::<String>() else {
                                    continue;
                                };
                                let wires = unpack(&payload).unwrap_or_else(|e| {
                                    tracing::warn!(error = %e, "undecodable bus frame");
                                    Vec::new()
                                });
                                for wire in wires {
                                    match decode(wire) {
                                        Ok(ev) => sink.deliver(&ev),
                                        Err(e) => {
                                            tracing::warn!(error = %e, "undecodable bus event")
                                        }
                                    }
                                }
                            }
                            tracing::warn!(?channels, "event bus subscription lost; reconnecting");
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

#[async_trait]
impl EventBus for RedisBus {
    async fn publish(&self, event: BusEvent) -> Result<(), PortError> {
        self.publish_on(self.all.clone(), &event).await
    }

    fn subscribe(&self, sink: Arc<dyn EventSink>) {
        self.listen(vec![self.all.to_string()], sink);
    }

    async fn publish_to(&self, instance: InstanceTag, event: BusEvent) -> Result<(), PortError> {
        self.publish_on(self.instance_channel(instance), &event)
            .await
    }

    fn subscribe_as(&self, instance: InstanceTag, sink: Arc<dyn EventSink>) {
        let channels = vec![
            self.all.to_string(),
            self.instance_channel(instance).to_string(),
        ];
        self.listen(channels, sink);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use signaling_core::{ConnectionId, ErrorCode, UserId};

    /// Every kind of event survives the wire form, payloads with newlines
    /// and quotes included, and a payload is carried unescaped.
    #[test]
    fn the_wire_form_round_trips_and_carries_payloads_raw() {
        let room_id = RoomId::parse("r").unwrap();
        let payload = "{\"type\":\"offer\",\"sdp\":\"v=0\\r\\n\"}\n\"tail\"";
        let events = [
            BusEvent {
                room_id: room_id.clone(),
                kind: BusKind::Deliver {
                    to: Audience::Users(vec![UserId::parse("bob").unwrap()]),
                    payload: payload.into(),
                    seq: Some(3),
                },
                version: Some(4),
                origin: Some(InstanceTag(9)),
            },
            BusEvent {
                room_id: room_id.clone(),
                kind: BusKind::Disconnect {
                    connection: ConnectionId::new(),
                    code: ErrorCode::Kicked,
                },
                version: None,
                origin: None,
            },
            BusEvent {
                room_id,
                kind: BusKind::RoomChanged,
                version: Some(5),
                origin: Some(InstanceTag(1)),
            },
        ];
        for e in &events {
            let wire = encode(e).unwrap();
            assert_eq!(&decode(&wire).unwrap(), e);
        }
        let wire = encode(&events[0]).unwrap();
        assert!(wire.ends_with(payload), "{wire}");
        // An older instance's plain JSON still reads.
        let plain = serde_json::to_string(&events[0]).unwrap();
        assert_eq!(decode(&plain).unwrap(), events[0]);
        assert!(decode("D{\"room_id\":\"r\"}").is_err());
    }

    /// A packed frame gives back its wire forms, whatever bytes they hold;
    /// a frame that is not packed is one wire form; a cut one is refused.
    #[test]
    fn packed_frames_unpack_to_their_wire_forms() {
        let wires = ["D{\"a\":1}\n{\"x\":\"1:2\"}", "", "é:\nP3:abc", "{}"];
        let packed = pack(wires.iter().copied());
        assert_eq!(unpack(&packed).unwrap(), wires);
        assert_eq!(unpack("D{}\nx").unwrap(), ["D{}\nx"]);
        assert_eq!(unpack("P").unwrap(), Vec::<&str>::new());
        assert!(unpack(&packed[..packed.len() - 1]).is_err());
        assert!(unpack("P3:ab").is_err());
        assert!(unpack("Px:ab").is_err());
        assert!(unpack("P1:é").is_err(), "a length inside a character");
    }
}
