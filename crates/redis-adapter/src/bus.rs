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
    queue: std::sync::OnceLock<Arc<Queue>>,
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

/// A packed frame takes more events until it holds this many bytes.
const PACK_BYTES: usize = 64 * 1024;

/// What `publish` queued and the publisher has not taken yet: runs of
/// events for one channel, each run already one packed frame ([`append`]),
/// in the order they were published.
#[derive(Default)]
struct Queue {
    pending: std::sync::Mutex<Pending>,
    wake: tokio::sync::Notify,
}

#[derive(Default)]
struct Pending {
    runs: std::collections::VecDeque<(Channel, Vec<u8>)>,
    events: usize,
}

/// Sends what `publish` queued, in order, in one pipeline per wake-up.
/// Events published one after another to one channel are one packed frame
/// ([`append`]), written there as they were published: Redis and every
/// subscriber then handle one message for many events, which was most of
/// the cost of a relay between instances. Only neighbours are packed, so
/// the order on the wire is the order of publishing, across channels too.
async fn publisher(redis: Redis, queue: Arc<Queue>) {
    loop {
        queue.wake.notified().await;
        let (runs, events) = {
            let mut p = queue.pending.lock().expect("publish queue");
            (std::mem::take(&mut p.runs), std::mem::take(&mut p.events))
        };
        if runs.is_empty() {
            continue;
        }
        let mut pipe = redis::pipe();
        for (channel, frame) in &runs {
            pipe.publish(&**channel, frame.as_slice()).ignore();
        }
        if let Err(e) = redis.run(async |c| pipe.query_async::<()>(c).await).await {
            tracing::warn!(error = %e, events, "event bus publish failed; the events are lost");
            metrics::counter!("rtc_bus_events_lost_total").increment(events as u64);
        }
    }
}

/// The width of a length in a packed frame that [`append`] writes.
const LEN_DIGITS: usize = 10;

/// Adds `event` to a packed frame: `P` starts the frame, then each event is
/// its wire form's length in bytes (ten decimal digits, written once the
/// wire form is), `:`, and the wire form ([`encode_into`]).
fn append(frame: &mut Vec<u8>, event: &BusEvent) -> Result<(), PortError> {
    if frame.is_empty() {
        frame.push(b'P');
    }
    let at = frame.len();
    frame.extend_from_slice(&[b'0'; LEN_DIGITS]);
    frame.push(b':');
    if let Err(e) = encode_into(frame, event) {
        frame.truncate(at);
        return Err(e);
    }
    let mut len = frame.len() - at - LEN_DIGITS - 1;
    for d in frame[at..at + LEN_DIGITS].iter_mut().rev() {
        *d = b'0' + (len % 10) as u8;
        len /= 10;
    }
    debug_assert_eq!(len, 0, "a wire form over 10^10 bytes");
    Ok(())
}

/// Several wire forms in one frame, as [`append`] lays them out (tests).
#[cfg(test)]
fn pack<'a>(wires: impl Iterator<Item = &'a str>) -> String {
    let mut out = String::from("P");
    for w in wires {
        out.push_str(&format!("{:010}:", w.len()));
        out.push_str(w);
    }
    out
}

/// The wire forms of a frame: those [`append`] packed, or the frame itself.
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

/// The wire form of an event (several go in one frame, see [`append`]),
/// written at the end of `out`. A delivery is `D`, its header as JSON, a
/// newline, then the payload as it is: the payload (a JSON message, up to
/// an SDP's size) is neither escaped into a JSON string on the way out nor
/// unescaped on the way in. Other events are their JSON.
fn encode_into(out: &mut Vec<u8>, event: &BusEvent) -> Result<(), PortError> {
    match &event.kind {
        BusKind::Deliver { to, payload, seq } => {
            let header = DeliverHeaderRef {
                room_id: &event.room_id,
                to,
                seq: *seq,
                version: event.version,
                origin: event.origin,
            };
            out.push(b'D');
            serde_json::to_writer(&mut *out, &header).map_err(corrupt)?;
            out.push(b'\n');
            out.extend_from_slice(payload.as_bytes());
            Ok(())
        }
        _ => serde_json::to_writer(out, event).map_err(corrupt),
    }
}

/// One event's wire form on its own (tests).
#[cfg(test)]
fn encode(event: &BusEvent) -> Result<String, PortError> {
    let mut out = Vec::new();
    encode_into(&mut out, event)?;
    String::from_utf8(out).map_err(corrupt)
}

/// The event of a wire form made by [`encode_into`] (or plain event JSON).
fn decode(wire: &str) -> Result<BusEvent, String> {
    if let Some(rest) = wire.strip_prefix('D') {
        let (header, payload) = rest.split_once('\n').ok_or("delivery without a payload")?;
        let h: DeliverHeader = serde_json::from_str(header).map_err(|e| e.to_string())?;
        return Ok(BusEvent {
            room_id: h.room_id,
            kind: BusKind::Deliver {
                to: h.to,
                payload: payload.into(),
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

    /// Queues `event` for `channel`: into the last packed frame when that
    /// is for the same channel and not full, else into a new one.
    async fn publish_on(&self, channel: Channel, event: &BusEvent) -> Result<(), PortError> {
        let queue = self.queue.get_or_init(|| {
            let queue = Arc::new(Queue::default());
            tokio::spawn(publisher(self.redis.clone(), queue.clone()));
            queue
        });
        {
            let mut p = queue.pending.lock().expect("publish queue");
            if p.events >= PUBLISH_QUEUE {
                return Err(PortError::unavailable(
                    "redis event bus: the publish queue is full",
                ));
            }
            let open =
                matches!(p.runs.back(), Some((c, f)) if *c == channel && f.len() < PACK_BYTES);
            if !open {
                p.runs.push_back((channel, Vec::with_capacity(512)));
            }
            let (_, frame) = p.runs.back_mut().expect("a run");
            if let Err(e) = append(frame, event) {
                if !open {
                    p.runs.pop_back(); // the run was opened for this event
                }
                return Err(e);
            }
            p.events += 1;
        }
        queue.wake.notify_one();
        Ok(())
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

        // What `append` writes reads back event by event.
        let events: Vec<BusEvent> = ["a", "{\"x\":\"1:2\\n\"}\n", ""]
            .iter()
            .map(|p| signaling_core::testing::bus::deliver("r", p))
            .collect();
        let mut frame = Vec::new();
        for e in &events {
            append(&mut frame, e).unwrap();
        }
        let frame = String::from_utf8(frame).unwrap();
        let back: Vec<BusEvent> = unpack(&frame)
            .unwrap()
            .into_iter()
            .map(|w| decode(w).unwrap())
            .collect();
        assert_eq!(back, events);
    }
}
