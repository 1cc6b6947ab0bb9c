// protocol.ts: every WebSocket message of docs/protocol.md as a type, in
// both directions. Types only: nothing here exists at run time. The records
// the messages carry (participants, recordings, transfers…) are the REST
// document's schemas (src/api-types.ts, generated from docs/openapi.json):
// the server sends the same types over both.

import type { components } from './api-types.js';

/**
 * A schema of the REST document with some fields narrowed to the values the
 * server sends where the document only says `string`. Each narrowed field
 * must stay assignable to the document's, so a change there fails to compile.
 */
export type Narrowed<T, N extends { [K in keyof N]: K extends keyof T ? T[K] : never }> = Omit<T, keyof N> & N;

/** An RFC 3339 timestamp in UTC, as the server writes them. */
export type Timestamp = string;

/** A participant's role in a room (`host`, `moderator`, `participant`, `viewer`). */
export type Role = components['schemas']['Role'];

/** What a participant may do; the server enforces every flag. */
export type Permissions = components['schemas']['Permissions'];

/** How a room's media flows (`mesh`, `sfu`). */
export type MediaMode = components['schemas']['MediaMode'];

/** What a published track carries (`media-offer.sources`). */
export type MediaSource = 'microphone' | 'camera' | 'screen' | 'screen_audio';

/** A track received from the server in an SFU room, by our transceiver `mid`. */
export interface MediaTrack {
  mid: string;
  user_id: string;
  source: MediaSource;
  kind: MediaKind;
}

/** Audio or video. */
export type MediaKind = components['schemas']['MediaKind'];

/** What a participant is publishing. */
export type MediaState = components['schemas']['MediaState'];

/** Device details a client reports (`participant-update`). */
export type DeviceInfo = components['schemas']['DeviceInfo'];

/** Network figures a client reports (`network-stats`); every field optional. */
export type NetworkStats = components['schemas']['NetworkStats'];

/**
 * The server's classification of a participant's {@link NetworkStats}. Not a
 * schema of the REST document, whose answers say only `string`.
 */
export type Quality = 'excellent' | 'good' | 'poor' | 'lost';

/** A virtual background choice (processing happens in the client). */
export type VirtualBackground = components['schemas']['VirtualBackground'];

/** Connected now, or dropped and inside the grace period. */
export type Presence = components['schemas']['Presence'];

/** A participant as the server shows it (the document's `ParticipantView`). */
export type Participant = components['schemas']['ParticipantView'];

/** Room settings. */
export type RoomSettings = components['schemas']['RoomSettings'];

/** A partial settings update. */
export type RoomSettingsPatch = components['schemas']['RoomSettingsPatch'];

/** A raised hand. */
export type HandRaiseEntry = components['schemas']['HandRaiseEntry'];

/** Someone waiting for admission, as moderators see it (the document's `WaitingView`). */
export type WaitingEntry = components['schemas']['WaitingView'];

/** A breakout room. */
export type BreakoutRoom = components['schemas']['BreakoutRoom'];

/** A live-stream session record; `quality` narrowed to the presets. */
export type LiveStream = Narrowed<components['schemas']['LiveStream'], { quality?: RecordingQuality | null }>;

/** The picture of a server stream: every video in a grid (up to nine), or the active speaker (the document's `Layout`). */
export type StreamLayout = components['schemas']['Layout'];

/** Where a server stream is. */
export type StreamStatus = components['schemas']['StreamStatus'];

/**
 * `live-stream-start`: with `url` and `stream_key` the server streams the
 * room (SFU rooms); without, a record only (the document's
 * `LiveStreamStartReq`; `quality` narrowed to the presets).
 */
export type LiveStreamStart = Narrowed<components['schemas']['LiveStreamStartReq'], { quality?: RecordingQuality | null }>;

/** A chat message as delivered and stored (markup escaped by the server: decode before showing as text). */
export type ChatRecord = components['schemas']['ChatRecord'];

/** Recording output containers (the document's `Format`). */
export type RecordingFormat = components['schemas']['Format'];
/** Recording (and server stream) quality presets (the document's `Quality`). */
export type RecordingQuality = components['schemas']['Quality'];
/** Who makes a recording's media: the server (one composite; SFU rooms, their default) or each client (uploads; mesh rooms). */
export type RecordingSource = components['schemas']['Source'];
/** The life of a recording (the document's `RecordingStatus`). */
export type RecordingState = components['schemas']['RecordingStatus'];
/** Why processing failed (docs/errors.md, "Recording failures"; the document's `FailureCode`). */
export type RecordingFailureCode = components['schemas']['FailureCode'];

/** ffprobe's figures of a processed file. */
export type MediaInfo = components['schemas']['MediaInfo'];

/** One participant's processed file. */
export type RecordingOutput = components['schemas']['RecordingOutput'];

/** A recording as clients see it, with its running `duration` (the document's `RecordingView`). */
export type Recording = components['schemas']['RecordingView'];

/** Transfer modes. */
export type TransferMode = components['schemas']['TransferMode'];
/** The life of a file transfer. */
export type TransferState = components['schemas']['TransferState'];
/**
 * What the whole file of a transfer is checked against: `offered` (the
 * offer's `sha256`), `not_offered` (none given; every chunk is still
 * checked), or `computed` (none given; `sha256` is the stored file's,
 * checked against nothing).
 */
export type FileChecksum = components['schemas']['FileChecksum'];

/** A file transfer record with its progress (the document's `TransferView`). */
export type Transfer = components['schemas']['TransferView'];

/** What the server sends on join and on resync (the document's `RoomStateView`). */
export type RoomState = components['schemas']['RoomStateView'];

/** How far one user has read a room's chat. */
export type ReadReceipt = components['schemas']['ReadReceipt'];

/** Our unread chat in a room. */
export type ChatUnread = components['schemas']['ChatUnread'];

/** An ICE candidate as `RTCIceCandidate.toJSON()` gives it. */
export interface IceCandidateInit {
  candidate: string;
  sdpMid?: string | null;
  sdpMLineIndex?: number | null;
  usernameFragment?: string | null;
}

// ---------------------------------------------------------------- client → server

/** Messages a client sends. */
export type ClientMessage =
  | { type: 'offer'; target: string; sdp: string }
  | { type: 'answer'; target: string; sdp: string }
  | { type: 'ice-candidate'; target: string; candidate: IceCandidateInit }
  | { type: 'media-control'; kind: MediaKind; muted: boolean; target?: string }
  | { type: 'screen-share-control'; action: 'start' | 'stop'; target?: string }
  | { type: 'chat-message'; message: string; to?: string; reply_to?: string }
  | { type: 'chat-edit'; message_id: string; message: string }
  | { type: 'chat-delete'; message_id: string }
  | { type: 'reaction'; emoji: string; message_id?: string; active?: boolean }
  | { type: 'hand-raise'; raised: boolean; target?: string }
  | ({ type: 'participant-update' } & ParticipantUpdate)
  | ({ type: 'network-stats' } & NetworkStats)
  | ({ type: 'room-settings-update' } & RoomSettingsPatch)
  | { type: 'waiting-room-admit'; user_id: string }
  | { type: 'waiting-room-reject'; user_id: string }
  | { type: 'breakout-room-create'; name: string }
  | { type: 'breakout-room-assign'; breakout_room_id: string | null; user_id: string }
  | { type: 'breakout-room-close'; breakout_room_id: string }
  | { type: 'virtual-background-update'; background: VirtualBackground }
  | ({ type: 'live-stream-start' } & LiveStreamStart)
  | { type: 'live-stream-stop'; stream_id: string }
  | { type: 'e2ee-key-exchange'; target: string; key_id: number; public_key: string; signature?: string; algorithm?: string }
  | { type: 'e2ee-ratchet-update'; target?: string; key_id: number; generation: number; encrypted_key: string }
  | { type: 'analytics-event'; event_type: string; data?: Record<string, unknown> }
  | { type: FileShareType; target: string; transfer_id: string; bytes_transferred?: number }
  | {
      type: 'recording-control';
      action: 'start' | 'stop' | 'pause' | 'resume' | 'cancel' | 'status';
      recording_id?: string;
      format?: RecordingFormat;
      quality?: RecordingQuality;
    }
  | { type: 'ping'; ts?: unknown }
  | { type: 'media-offer'; sdp: string; sources?: Record<string, MediaSource> }
  | { type: 'media-answer'; sdp: string }
  | { type: 'subscription-update'; tracks: { mid: string; width?: number; height?: number; paused?: boolean }[] }
  | { type: 'typing'; active: boolean; to?: string }
  | { type: 'chat-read'; message_id: string };

/** The peer-to-peer file signaling types (also sent by the server for server transfers). */
export type FileShareType = 'file-share-offer' | 'file-share-accept' | 'file-share-reject' | 'file-share-progress' | 'file-share-complete';

/** A participant's own info (`participant-update`, `POST …/participants/{self}/info`; the document's `ParticipantUpdateReq`). */
export type ParticipantUpdate = components['schemas']['ParticipantUpdateReq'];

// ---------------------------------------------------------------- server → client

/** Why someone left. */
export type LeaveReason = 'left' | 'disconnected' | 'kicked' | 'banned' | 'moved_to_waiting_room' | 'room_closed';

/** Fields of every room event: a per-room sequence number (absent on replies to one connection). */
export interface Sequenced {
  seq?: number;
}

/** An `error` message caused by something this connection sent. */
export interface ErrorMessage {
  type: 'error';
  /** A stable code of docs/errors.md. */
  code: string;
  message: string;
  hint?: string;
  retry_after?: number | null;
  /** The type of the message that caused it. */
  in_reply_to?: string | null;
}

/** A server `file-share-*` message: relayed peer-to-peer signaling, or a server transfer's notice with `transfer`. */
export interface FileShareMessage extends Sequenced {
  type: FileShareType;
  from: string;
  transfer_id: string;
  bytes_transferred?: number;
  /** The transfer record, for server-tracked transfers. */
  transfer?: Transfer;
}

/** The recording message types. */
export type RecordingMessageType =
  | 'recording_started'
  | 'recording_stopped'
  | 'recording_paused'
  | 'recording_resumed'
  | 'recording_cancelled'
  | 'recording-status';

/** Messages the server sends. */
export type ServerMessage =
  | { type: 'offer'; from: string; sdp: string }
  | { type: 'answer'; from: string; sdp: string }
  | { type: 'ice-candidate'; from: string; candidate: IceCandidateInit }
  | ({ type: 'room-state' } & RoomState)
  | ErrorMessage
  | { type: 'pong'; ts?: unknown; server_time: Timestamp }
  | { type: 'media-offer'; sdp: string }
  | { type: 'media-answer'; sdp: string }
  | { type: 'media-tracks'; tracks: MediaTrack[] }
  | { type: 'active-speakers'; speakers: { user_id: string; level: number }[]; dominant: string | null }
  | { type: 'typing'; user_id: string; active: boolean; private?: boolean }
  | { type: 'reconnection-detected'; missed_message_count: number; last_sequence: number }
  | { type: 'resync-required'; requested_sequence: number; last_sequence: number }
  | (Sequenced & { type: 'user-joined'; participant: Participant })
  | (Sequenced & { type: 'user-left'; user_id: string; reason: LeaveReason })
  | (Sequenced & { type: 'participant-reconnecting'; user_id: string })
  | (Sequenced & { type: 'media-control'; user_id: string; kind: MediaKind; muted: boolean; by: string })
  | (Sequenced & { type: 'screen-share-control'; user_id: string; active: boolean; by: string })
  | (Sequenced & { type: 'chat-message' } & ChatRecord)
  | (Sequenced & { type: 'chat-updated' } & ChatRecord)
  | (Sequenced & { type: 'chat-deleted'; message_id: string; deleted_by: string })
  | ({ type: 'chat-read' } & ReadReceipt)
  | (Sequenced & { type: 'chat-reaction'; message_id: string; emoji: string; user_id: string; active: boolean })
  | (Sequenced & { type: 'role-updated'; user_id: string; role: Role; permissions: Permissions; by: string })
  | (Sequenced & { type: 'permission-updated'; user_id: string; permissions: Permissions; by: string })
  | (Sequenced & { type: 'participant-update'; participant: Participant })
  | (Sequenced & { type: 'quality-update'; user_id: string; quality: Quality; stats: NetworkStats })
  | (Sequenced & { type: 'data-message'; from: string; topic?: string; data: unknown })
  | (Sequenced & { type: 'room-metadata-update'; metadata: string; by: string })
  | (Sequenced & { type: 'room-settings-update'; settings: RoomSettings; by: string })
  | (Sequenced & { type: 'hand-raise'; user_id: string; raised: boolean; by: string })
  | (Sequenced & { type: 'hand-raise-queue'; queue: HandRaiseEntry[] })
  | (Sequenced & { type: 'waiting-room-join'; user_id: string; name: string; position: number })
  | (Sequenced & { type: 'waiting-room-admit'; user_id: string; by: string })
  | (Sequenced & { type: 'waiting-room-reject'; user_id: string; by: string })
  | (Sequenced & { type: 'reaction'; from: string; emoji: string; timestamp: Timestamp })
  | (Sequenced & { type: 'breakout-room-create'; breakout_room: BreakoutRoom })
  | (Sequenced & { type: 'breakout-room-assign'; user_id: string; breakout_room_id: string | null })
  | (Sequenced & { type: 'breakout-room-close'; breakout_room_id: string; returned: string[] })
  | (Sequenced & { type: 'virtual-background-update'; user_id: string; background: VirtualBackground })
  | (Sequenced & { type: RecordingMessageType; recording: Recording })
  | (Sequenced & { type: 'live-stream-start'; stream: LiveStream })
  | (Sequenced & { type: 'live-stream-stop'; stream: LiveStream })
  | (Sequenced & { type: 'live-stream-update'; stream: LiveStream })
  | (Sequenced & { type: 'e2ee-key-exchange'; from: string; key_id: number; public_key: string; signature?: string; algorithm?: string })
  | (Sequenced & { type: 'e2ee-ratchet-update'; from: string; key_id: number; generation: number; encrypted_key: string })
  | FileShareMessage;

/** The server message of type `T`. */
export type ServerMessageOf<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;
