// rest.ts: the bodies and answers of the REST API (docs/api.md). Types only.

import type {
  BreakoutRoom,
  ChatRecord,
  ReadReceipt,
  HandRaiseEntry,
  NetworkStats,
  Participant,
  Permissions,
  Presence,
  Quality,
  Recording,
  RoomState,
  ServerMessage,
  TransferState,
  WaitingEntry,
} from './protocol.js';

/** The server's error body: `{"error": {…}}`. */
export interface ErrorBody {
  error: { code: string; message: string; hint?: string; retry_after?: number | null };
}

/** `POST /webrtc/dev/token`. */
export interface DevToken {
  token: string;
  /** The id the server picked (`guest-…`). */
  user_id: string;
  /** Seconds. */
  expires_in: number;
}

/** `GET /webrtc/config`. */
export interface ServerConfig {
  iceServers: RTCIceServer[];
  heartbeat_secs?: number;
  idle_timeout_secs?: number;
  limits?: { max_chat_chars?: number; max_message_bytes?: number; room_capacity?: number };
}

/** `GET /rooms/{room}/participants`. */
export interface ParticipantList {
  room_id: string;
  count: number;
  participants: Participant[];
}

/** `GET|POST /rooms/{room}/roles/{user}`. */
export interface RoleAnswer {
  user_id: string;
  role: string;
}

/** `GET|POST /rooms/{room}/permissions/{user}`. */
export interface PermissionsAnswer {
  user_id: string;
  permissions: Permissions;
}

/** `GET /rooms/{room}/chat`: newest first. */
/** `GET …/chat/receipts`. */
export interface ReceiptList {
  /** Most recently read first: ours, and others' on messages we could see. */
  receipts: ReadReceipt[];
}

export interface ChatPage {
  messages: ChatRecord[];
  /** Pass as `before` for the next (older) page; null at the end. */
  next_cursor: string | null;
}

/** `GET /rooms/{room}/hand-raise/queue` and the hand-raise calls. */
export interface HandRaiseQueue {
  queue: HandRaiseEntry[];
}

/** `GET /rooms/{room}/waiting-room`. */
export interface WaitingList {
  waiting: WaitingEntry[];
}

/** The answer of the moderation calls that change a user (`admit`, `reject`, `return`, `kick`…). */
export interface StatusAnswer {
  status: string;
  user_id?: string;
}

/** `GET /rooms/{room}/breakout-rooms`. */
export interface BreakoutList {
  breakout_rooms: (BreakoutRoom & { participants: string[] })[];
}

/** `GET /rooms/{room}/recordings`. */
export interface RecordingList {
  room_id: string;
  count: number;
  recordings: Recording[];
}

/** `PUT /rooms/{room}/recordings/{id}/chunks/{seq}`. */
export interface RecordingChunkAck {
  recording_id: string;
  /** The uploader. */
  user_id: string;
  sequence: number;
  /** True when the same bytes were already stored under this sequence. */
  duplicate: boolean;
}

/** `GET /rooms/{room}/recordings/{id}/upload-status`. */
export interface RecordingUploadStatus {
  status: string;
  participants: Record<string, { chunks: number; bytes: number; sequences: number[] }>;
  outputs?: unknown[];
}

/** `GET /rooms/{room}/recordings/{id}/link`. */
export interface RecordingLink {
  /** Usable without a token until it expires. */
  url: string;
  expires_in: number;
}

/** `POST /rooms/{room}/file-transfer/offer` body. */
export interface FileOffer {
  receiver: string;
  file_name: string;
  file_size: number;
  file_type?: string;
  /**
   * Hex SHA-256 of the whole file. Without it every chunk is still checked
   * against its own, and the transfer's `file_checksum` says the file was not.
   */
  sha256?: string;
  chunk_size?: number;
  mode?: 'server' | 'peer_to_peer';
}

/** `PUT /rooms/{room}/file-transfer/{id}/chunks/{index}`. */
export interface ChunkAck {
  index: number;
  duplicate: boolean;
  received_chunks: number;
  total_chunks: number;
  state: TransferState;
}

/** `GET /rooms/{room}/file-transfer/{id}/missing`. */
export interface MissingChunks {
  transfer_id: string;
  missing: number[];
  total_chunks: number;
  chunk_size: number;
}

/** `GET /rooms/{room}/reconnect`: where we stand, and with `last_sequence` what we missed. */
export interface ReconnectionState {
  room_id: string;
  user_id: string;
  presence: Presence;
  quality: Quality | null;
  network_stats: NetworkStats | null;
  last_sequence: number;
  resync_required?: boolean;
  missed_message_count?: number;
  events?: ServerMessage[];
  /** `events` under seed 000's name. */
  missed_messages?: ServerMessage[];
  state?: RoomState;
}

/** `POST /rooms/{room}/quality`. */
export interface QualityAnswer {
  user_id: string;
  quality: Quality;
  stats: NetworkStats;
}

/**
 * `GET /rate-limits/{type}/status`. `signaling` and `websocket_message` are
 * counted per WebSocket connection (`scope: "connection"`), where REST cannot
 * see them: their `used`, `remaining` and `reset_in_secs` are null.
 */
export interface RateLimitStatus {
  limit_type: string;
  scope: 'user' | 'connection';
  limit: number;
  window_secs: number;
  used: number | null;
  remaining: number | null;
  reset_in_secs: number | null;
}
