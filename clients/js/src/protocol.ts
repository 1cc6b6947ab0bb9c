// protocol.ts: every WebSocket message of docs/protocol.md as a type, in
// both directions. Types only: nothing here exists at run time.

/** An RFC 3339 timestamp in UTC, as the server writes them. */
export type Timestamp = string;

/** A participant's role in a room. */
export type Role = 'host' | 'moderator' | 'participant' | 'viewer';

/** What a participant may do; the server enforces every flag. */
export interface Permissions {
  can_share_audio: boolean;
  can_share_video: boolean;
  can_share_screen: boolean;
  can_chat: boolean;
  can_share_files: boolean;
  can_record: boolean;
  can_raise_hand: boolean;
  can_react: boolean;
}

/** How a room's media flows. */
export type MediaMode = 'mesh' | 'sfu';

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
export type MediaKind = 'audio' | 'video';

/** What a participant is publishing. */
export interface MediaState {
  audio_muted: boolean;
  video_muted: boolean;
  screen_sharing: boolean;
}

/** Device details a client reports (`participant-update`). */
export interface DeviceInfo {
  browser?: string;
  os?: string;
  device_type?: string;
}

/** Network figures a client reports (`network-stats`); every field optional. */
export interface NetworkStats {
  /** Round-trip time in milliseconds. */
  latency_ms?: number;
  /** Packet loss in percent (0–100). */
  packet_loss_percent?: number;
  /** Jitter in milliseconds. */
  jitter_ms?: number;
  /** Available bandwidth in kbit/s. */
  bandwidth_kbps?: number;
}

/** The server's classification of a participant's {@link NetworkStats}. */
export type Quality = 'excellent' | 'good' | 'poor' | 'lost';

/** A virtual background choice (processing happens in the client). */
export interface VirtualBackground {
  mode: 'none' | 'blur' | 'image';
  /** Image id or URL for `image` mode (≤ 512 characters). */
  image?: string;
}

/** Connected now, or dropped and inside the grace period. */
export type Presence = 'connected' | 'reconnecting';

/** A participant as the server shows it. */
export interface Participant {
  user_id: string;
  name: string;
  role: Role;
  permissions: Permissions;
  joined_at: Timestamp;
  media: MediaState;
  device_info?: DeviceInfo;
  network_stats?: NetworkStats;
  video_quality?: string;
  background?: VirtualBackground;
  /** The breakout room the participant is in; absent: the main room. */
  breakout_room_id?: string;
  presence: Presence;
  /** When the connection was lost, while reconnecting. */
  disconnected_at?: Timestamp;
}

/** Room settings. */
export interface RoomSettings {
  locked: boolean;
  mute_on_entry: boolean;
  waiting_room_enabled: boolean;
  chat_enabled: boolean;
  screen_share_allowed: boolean;
  /** `mesh`: browsers connect to each other; `sfu`: each connects to the server, which forwards every track. */
  media_mode?: MediaMode;
  max_participants: number;
}

/** A partial settings update. */
export type RoomSettingsPatch = Partial<RoomSettings>;

/** A raised hand. */
export interface HandRaiseEntry {
  user_id: string;
  raised_at: Timestamp;
}

/** Someone waiting for admission, as moderators see it. */
export interface WaitingEntry {
  user_id: string;
  name: string;
  since: Timestamp;
}

/** A breakout room. */
export interface BreakoutRoom {
  id: string;
  name: string;
  created_at: Timestamp;
}

/** A live-stream session record. */
export interface LiveStream {
  stream_id: string;
  title?: string;
  platform?: string;
  started_by: string;
  started_at: Timestamp;
  stopped_at?: Timestamp;
  /** Where the server streams it (`rtmp://host/app`, never the key); absent for a record-only stream. */
  destination?: string;
  layout?: StreamLayout;
  quality?: RecordingQuality;
  /** Where a server stream is. */
  status?: StreamStatus;
  /** Why it is reconnecting or failed (`LIVE_STREAM_FAILED: …`). */
  error?: string;
  /** Where members play its HLS (this server's path), when it has one. */
  hls_url?: string;
}

/** The picture of a server stream: every video in a grid (up to nine), or the active speaker. */
export type StreamLayout = 'grid' | 'speaker';

/** Where a server stream is. */
export type StreamStatus = 'starting' | 'live' | 'reconnecting' | 'failed' | 'stopped';

/** `live-stream-start`: with `url` and `stream_key` the server streams the room (SFU rooms); without, a record only. */
export interface LiveStreamStart {
  title?: string;
  platform?: string;
  /** `rtmp://` or `rtmps://` URL without the key. */
  url?: string;
  /** A secret: the server never returns or logs it. */
  stream_key?: string;
  layout?: StreamLayout;
  quality?: RecordingQuality;
  /** Also (or only, without `url`) as HLS served by the server (SFU rooms). */
  hls?: boolean;
}

/** A chat message as delivered and stored (markup escaped by the server). */
export interface ChatRecord {
  id: string;
  room_id: string;
  from: string;
  from_name: string;
  /** Sanitized text: markup is escaped (`&lt;b&gt;`), so decode before showing as text. */
  message: string;
  /** Private recipient, if any. */
  to?: string;
  breakout_room_id?: string;
  /** The message this one replies to (its thread's first message). */
  reply_to?: string;
  /** Reactions kept on it: each emoji with who reacted, in order. */
  reactions?: Record<string, string[]>;
  /** When its author last changed its text, if they did. */
  edited_at?: Timestamp;
  timestamp: Timestamp;
}

/** Recording output containers. */
export type RecordingFormat = 'webm' | 'mp4' | 'mkv';
/** Recording quality presets. */
export type RecordingQuality = 'low' | 'medium' | 'high' | 'ultra';
/** Who makes a recording's media: the server (one composite; SFU rooms, their default) or each client (uploads; mesh rooms). */
export type RecordingSource = 'server' | 'client';
/** The life of a recording. */
export type RecordingState = 'pending' | 'recording' | 'paused' | 'processing' | 'completed' | 'failed' | 'cancelled';
/** Why processing failed (docs/errors.md, "Recording failures"). */
export type RecordingFailureCode = 'NO_MEDIA' | 'UNSUPPORTED_MEDIA_FORMAT' | 'MEDIA_PROCESSING_FAILED' | 'STORAGE_UNAVAILABLE';

/** ffprobe's figures of a processed file. */
export interface MediaInfo {
  format_name: string;
  duration_ms: number;
  size: number;
  video_codec?: string | null;
  audio_codec?: string | null;
  width?: number | null;
  height?: number | null;
}

/** One participant's processed file. */
export interface RecordingOutput {
  user_id: string;
  key: string;
  thumbnail_key: string;
  media: MediaInfo;
}

/** A recording as clients see it. */
export interface Recording {
  recording_id: string;
  room_id: string;
  started_by: string;
  format: RecordingFormat;
  quality: RecordingQuality;
  /** Who makes its media. */
  source: RecordingSource;
  /** The composite's layout, for a server recording. */
  layout?: StreamLayout;
  status: RecordingState;
  started_at: Timestamp;
  paused_at?: Timestamp | null;
  paused_secs: number;
  stopped_at?: Timestamp | null;
  failure?: string;
  failure_code?: RecordingFailureCode;
  outputs?: RecordingOutput[];
  /** Seconds recorded so far, pauses excluded. */
  duration: number;
}

/** Transfer modes. */
export type TransferMode = 'server' | 'peer_to_peer';
/** The life of a file transfer. */
export type TransferState = 'pending' | 'active' | 'paused' | 'completed' | 'rejected' | 'cancelled' | 'failed';

/** A file transfer record with its progress. */
export interface Transfer {
  transfer_id: string;
  room_id: string;
  sender: string;
  receiver: string;
  file_name: string;
  file_size: number;
  file_type?: string | null;
  /** Hex SHA-256 of the whole file. */
  sha256?: string | null;
  chunk_size: number;
  total_chunks: number;
  mode: TransferMode;
  state: TransferState;
  bytes_transferred: number;
  created_at: Timestamp;
  updated_at: Timestamp;
  expires_at: Timestamp;
  failure?: string | null;
  /**
   * What the whole file is checked against: `offered` (the offer's
   * `sha256`), `not_offered` (none given; every chunk is still checked), or
   * `computed` (none given; `sha256` is the stored file's, checked against
   * nothing).
   */
  file_checksum?: 'offered' | 'not_offered' | 'computed';
  /** Chunks stored (server mode). */
  received_chunks?: number;
  /** `received_chunks` under seed 000's name. */
  chunks_received?: number;
  /** `state` under seed 001's name. */
  status?: TransferState;
  bytes_done?: number;
  progress_percent?: number;
}

/** What the server sends on join and on resync. */
export interface RoomState {
  room_id: string;
  /** Our own user id. */
  you: string;
  participants: Participant[];
  settings: RoomSettings;
  hand_raise_queue: HandRaiseEntry[];
  breakout_rooms: BreakoutRoom[];
  live_streams: LiveStream[];
  /** Moderators only; empty for others. */
  waiting_room: WaitingEntry[];
  /** The room's newest sequence number (resume from it). */
  last_sequence: number;
  /** Application data set through the admin API, absent when empty. */
  metadata?: string;
  /** Our unread chat, in the `room-state` sent on joining. */
  chat_unread?: ChatUnread;
}

/** How far one user has read a room's chat. */
export interface ReadReceipt {
  user_id: string;
  /** The newest message they have read. */
  message_id: string;
  /** When that message was sent. */
  message_at: Timestamp;
  read_at: Timestamp;
}

/** Our unread chat in a room. */
export interface ChatUnread {
  /** Messages we could see, sent by others after our read mark (all of them without one). */
  count: number;
  /** More than `count`: the server counts over a bounded read of the history. */
  more: boolean;
  last_read?: ReadReceipt;
}

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

/** A participant's own info (`participant-update`, `POST …/participants/{self}/info`). */
export interface ParticipantUpdate {
  display_name?: string;
  device_info?: DeviceInfo;
  video_quality?: string;
  network_stats?: NetworkStats;
}

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
