//! Where an SFU room's media runs, and getting its signaling there. A
//! room's media peers all live on one instance, the holder of the room's
//! claim ([`MediaOwners`]): the first instance to pass on a `media-offer`
//! for the room takes it. Signaling checked by the engine on the
//! participant's own instance goes to the owner's media plane, directly
//! when that is this instance and over the bus ([`BusKind::Media`]) when
//! not; the owner answers the participant's connection wherever it is
//! ([`RoomService::send_to_connection`]).
//!
//! The owner renews its claims while it has peers in the room
//! ([`RoomService::renew_media_claims`], every [`MEDIA_CLAIM_RENEW`]). When
//! it dies its claims lapse after [`MEDIA_CLAIM_TTL`]; the participants'
//! clients see their media connection fail and send a fresh offer, and the
//! first of those to arrive claims the room for its instance.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use super::*;
use crate::engine::{EgressRequest, MediaRequest, MediaRequestKind};
use crate::protocol::MessageType;

/// The member naming a live stream in the deployment's slot set
/// ([`crate::quota::keys::LIVE_STREAM_SLOTS`]).
pub fn live_stream_slot(room_id: &RoomId, stream_id: &str) -> String {
    format!("{room_id}/{stream_id}")
}

/// How long a media claim lasts without renewal: how soon after its
/// instance died another may run the room's media.
pub const MEDIA_CLAIM_TTL: Duration = Duration::from_secs(6);

/// How often the owner renews its claims (three chances per TTL).
pub const MEDIA_CLAIM_RENEW: Duration = Duration::from_secs(2);

/// A server stream not running on the instance that runs its room's media
/// is failed once it is this old (before, its start may be on the way).
const ORPHAN_AFTER: time::Duration = time::Duration::seconds(10);

impl RoomService {
    /// Sends `request` to the media plane of the instance that runs the
    /// room's media: an offer claims the room for this instance when
    /// nobody runs it; anything else is for an existing peer and goes
    /// nowhere when nobody does.
    pub(super) async fn route_media(&self, room_id: &RoomId, request: MediaRequest) {
        let owners = &self.ports.media_owners;
        let ttl = MEDIA_CLAIM_TTL.as_millis() as u64;
        // An offer, or a server stream or recording starting, may be the
        // room's first media: it claims the room when nobody runs it.
        let claims = matches!(
            &request.kind,
            MediaRequestKind::Offer(_)
                | MediaRequestKind::Egress(
                    EgressRequest::Start { .. } | EgressRequest::Record { .. }
                )
        );
        let owner = match claims {
            true => owners.claim(room_id, self.origin, ttl).await.map(Some),
            false => owners.owner(room_id).await,
        };
        match owner {
            Ok(Some(owner)) if owner == self.origin => {
                self.media_claims
                    .lock()
                    .expect("media claims lock")
                    .insert(room_id.clone(), Instant::now());
                match self.media.get() {
                    Some(plane) => plane.submit(room_id, request),
                    None => {
                        tracing::warn!(%room_id, "media signaling dropped: no media plane attached")
                    }
                }
            }
            Ok(Some(owner)) => self.relay_media(room_id, owner, request).await,
            Ok(None) => {}
            Err(err) => {
                tracing::warn!(%room_id, error = %err, "media owner unknown: signaling dropped");
                if matches!(request.kind, MediaRequestKind::Offer(_)) {
                    let e = SignalError::from(err);
                    let message = ServerMessage::error(&e, Some(MessageType::MediaOffer));
                    self.send_to_connection(room_id, request.connection, message)
                        .await;
                }
            }
        }
    }

    /// A server stream's status from this instance's media plane: kept on
    /// the stream and told to the room (a stream that failed or reached
    /// its time limit is stopped).
    pub async fn live_stream_status(
        &self,
        room_id: &RoomId,
        stream_id: &str,
        status: crate::room::StreamStatus,
        error: Option<String>,
    ) {
        let cmd = Command::StreamStatus {
            stream_id: stream_id.to_owned(),
            status,
            error,
        };
        if let Err(e) = self.execute(room_id, &Actor::admin(), cmd).await {
            tracing::warn!(%room_id, stream_id, error = %e, "live stream status not kept");
        }
        if status.is_over() {
            // Its deployment slot is free (idempotent: the instance that
            // ran it frees it too, if it lives).
            let slots = crate::quota::keys::LIVE_STREAM_SLOTS;
            let slot = live_stream_slot(room_id, stream_id);
            if let Err(e) = self.ports.quotas.release_slot(slots, &slot).await {
                tracing::warn!(%room_id, stream_id, error = %e, "freeing a live stream slot failed");
            }
        }
    }

    /// A server recording whose egress ended by itself (it failed, or
    /// could not start): the recording is stopped, so what it holds is
    /// processed, and the room is told. Nothing happens to a recording
    /// already stopped.
    pub async fn server_recording_ended(&self, room_id: &RoomId, recording_id: &str) {
        let stopped = self
            .apply_if_present(room_id, |room, now| {
                self.engine.recording_time_limit(room, now, recording_id)
            })
            .await;
        if let Err(e) = stopped {
            tracing::warn!(%room_id, recording_id, error = %e, "stopping a server recording failed");
        }
    }

    /// Server streams of rooms whose media this instance runs that do
    /// not run here: they ran on the instance that had the room before,
    /// which is gone (its claim lapsed), and are marked failed (server
    /// recordings are stopped). One younger than [`ORPHAN_AFTER`] may
    /// still be starting here.
    async fn fail_orphaned_streams(&self, held: &[RoomId]) {
        let Some(plane) = self.media.get() else {
            return;
        };
        let running = plane.streams();
        let now = self.now();
        for room_id in held {
            let Ok(room) = self.snapshot(room_id).await else {
                continue;
            };
            let orphans: Vec<String> = room
                .live_streams
                .iter()
                .filter(|s| s.stopped_at.is_none() && s.status.is_some_and(|st| !st.is_over()))
                .filter(|s| now - s.started_at > ORPHAN_AFTER)
                .filter(|s| {
                    !running
                        .iter()
                        .any(|(r, id)| r == room_id && *id == s.stream_id)
                })
                .map(|s| s.stream_id.clone())
                .collect();
            for id in orphans {
                let why = "LIVE_STREAM_FAILED: the instance running it stopped".to_owned();
                self.live_stream_status(room_id, &id, crate::room::StreamStatus::Failed, Some(why))
                    .await;
            }
            // A server recording is stopped: what its instance stored
            // before it died is processed.
            let recordings: Vec<String> = room
                .recordings
                .iter()
                .filter(|r| r.is_active() && r.source == ::recording::Source::Server)
                .filter(|r| now - r.started_at > ORPHAN_AFTER)
                .filter(|r| {
                    !running
                        .iter()
                        .any(|(room, id)| room == room_id && *id == r.recording_id)
                })
                .map(|r| r.recording_id.clone())
                .collect();
            for id in recordings {
                tracing::warn!(%room_id, recording = %id, "a server recording's instance stopped: the recording is stopped");
                self.server_recording_ended(room_id, &id).await;
            }
        }
    }

    /// Publishes `request` to the media plane of instance `owner`.
    async fn relay_media(&self, room_id: &RoomId, owner: InstanceTag, request: MediaRequest) {
        let event = BusEvent {
            room_id: room_id.clone(),
            kind: BusKind::Media(request),
            version: None,
            origin: Some(self.origin),
        };
        if let Err(err) = self.ports.bus.publish_to(owner, event).await {
            tracing::warn!(%room_id, %owner, error = %err, "media signaling not relayed");
        }
    }

    /// The participant's connection closed: its media peer goes, on
    /// whichever instance runs the room's media. Nothing is looked up for
    /// a room this instance knows to be in mesh mode.
    pub async fn media_connection_closed(
        &self,
        room_id: &RoomId,
        user: &UserId,
        connection: ConnectionId,
    ) {
        if let Some(plane) = self.media.get() {
            // Here, at once (a no-op when the peer is elsewhere or none).
            plane.submit(room_id, leave(user, connection));
        }
        let mesh = self
            .views
            .get(room_id, self.now())
            .is_some_and(|r| r.settings.media_mode == crate::room::MediaMode::Mesh);
        if mesh {
            return;
        }
        match self.ports.media_owners.owner(room_id).await {
            Ok(Some(owner)) if owner != self.origin => {
                self.relay_media(room_id, owner, leave(user, connection))
                    .await
            }
            Ok(_) => {}
            Err(err) => {
                tracing::warn!(%room_id, error = %err, "media owner unknown: the peer goes when its media times out")
            }
        }
    }

    /// Renews this instance's media claims on the rooms it has peers in
    /// (or used within [`MEDIA_CLAIM_TTL`]), releases the others, and drops
    /// the peers of any room whose claim it lost. Returns how many claims
    /// it holds.
    pub async fn renew_media_claims(&self) -> Result<usize, SignalError> {
        let active: HashSet<RoomId> = match self.media.get() {
            Some(plane) => plane.rooms().into_iter().collect(),
            None => HashSet::new(),
        };
        let now = Instant::now();
        let (held, idle) = {
            let mut claims = self.media_claims.lock().expect("media claims lock");
            for room in &active {
                claims.insert(room.clone(), now);
            }
            let idle: Vec<RoomId> = claims
                .iter()
                .filter(|(_, used)| now.duration_since(**used) > MEDIA_CLAIM_TTL)
                .map(|(room, _)| room.clone())
                .collect();
            for room in &idle {
                claims.remove(room);
            }
            (claims.keys().cloned().collect::<Vec<_>>(), idle)
        };
        let owners = &self.ports.media_owners;
        for room in &idle {
            owners.release(room, self.origin).await?;
        }
        let ttl = MEDIA_CLAIM_TTL.as_millis() as u64;
        let lost = owners.renew(self.origin, &held, ttl).await?;
        let kept: Vec<RoomId> = held.iter().filter(|r| !lost.contains(r)).cloned().collect();
        self.fail_orphaned_streams(&kept).await;
        for room in &lost {
            tracing::warn!(%room, "media claim lost: dropping the room's media peers here");
            self.media_claims
                .lock()
                .expect("media claims lock")
                .remove(room);
            if let Some(plane) = self.media.get() {
                plane.drop_room(room);
            }
        }
        Ok(held.len() - lost.len())
    }

    /// Gives up every media claim of this instance at once (it is
    /// stopping): drops the rooms' media peers here and releases the
    /// claims, so the next instance that needs a room takes it now instead
    /// of after [`MEDIA_CLAIM_TTL`]. Returns how many claims were released
    /// (a claim the store could not release lapses by itself).
    pub async fn release_media_claims(&self) -> usize {
        let mut rooms: HashSet<RoomId> = self
            .media_claims
            .lock()
            .expect("media claims lock")
            .drain()
            .map(|(room, _)| room)
            .collect();
        if let Some(plane) = self.media.get() {
            rooms.extend(plane.rooms());
        }
        let mut released = 0;
        for room in &rooms {
            if let Some(plane) = self.media.get() {
                plane.drop_room(room);
            }
            // One failure must not keep the other rooms: their claims lapse
            // by themselves at worst.
            match self.ports.media_owners.release(room, self.origin).await {
                Ok(()) => released += 1,
                Err(e) => tracing::warn!(%room, error = %e, "media claim not released"),
            }
        }
        released
    }

    /// Delivers `message` to one connection, on whichever instance holds
    /// it (replies of the media plane; errors for frames that never
    /// reached the engine). Not logged for replay: what goes to one
    /// connection is for that connection alone.
    pub async fn send_to_connection(
        &self,
        room_id: &RoomId,
        connection: ConnectionId,
        message: ServerMessage,
    ) {
        let kind = BusKind::Deliver {
            to: Audience::Connection(connection),
            payload: message.to_json().into(),
            seq: None,
        };
        self.publish(room_id, kind, None, false, None).await;
    }
}

/// A [`MediaRequestKind::Leave`] for `connection`.
fn leave(user: &UserId, connection: ConnectionId) -> MediaRequest {
    MediaRequest {
        connection,
        user_id: user.clone(),
        grants: crate::engine::MediaGrants {
            audio: false,
            video: false,
            screen: false,
        },
        kind: MediaRequestKind::Leave,
    }
}
