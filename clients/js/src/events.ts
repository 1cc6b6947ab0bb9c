// events.ts: the events `RtcClient` dispatches and their `detail`. Types only.

import type {
  ErrorMessage,
  FileShareMessage,
  Participant,
  RecordingMessageType,
  RoomState,
  ServerMessage,
  ServerMessageOf,
  Transfer,
} from './protocol.js';

/** Where the connection stands. */
export type ConnectionStatus = 'idle' | 'connecting' | 'connected' | 'waiting' | 'reconnecting' | 'closed';

/** `connection` event: a change of {@link ConnectionStatus}. */
export interface ConnectionDetail {
  status: ConnectionStatus;
  /** `connected` after a replay: the missed events follow. */
  resumed?: boolean;
  /** How many events were replayed. */
  missed?: number;
  /** `connected` after a full state replaced ours. */
  resynced?: boolean;
  /** `reconnecting`: the attempt number and the delay before it. */
  attempt?: number;
  delay_ms?: number;
  /** The WebSocket close code that caused it. */
  code?: number;
  reason?: string;
  /** `waiting`: our place in the waiting room. */
  position?: number;
}

/** `remote-stream`: a track of another participant arrived. */
export interface RemoteStreamDetail {
  userId: string;
  stream: MediaStream;
  track: MediaStreamTrack;
  /** The sender announced this stream as a screen share. */
  screen: boolean;
}

/** `file-offer`: someone offers us a file; answer with `acceptFile` or `rejectFile`. */
export interface FileOfferDetail {
  mode: 'server' | 'p2p';
  from: string;
  transferId: string;
  transfer: Pick<Transfer, 'transfer_id' | 'file_name' | 'file_size' | 'sender'> & Partial<Transfer>;
}

/** `file-progress`: bytes sent or received so far. */
export interface FileProgressDetail {
  transferId: string;
  mode: 'server' | 'p2p';
  direction: 'send' | 'receive';
  to?: string;
  from?: string;
  sent?: number;
  received?: number;
  size: number;
  /** A server transfer waits for the receiver's accept. */
  waiting?: boolean;
}

/** `file-received`: an accepted file arrived (and was hashed). */
export interface FileReceivedDetail {
  mode: 'server' | 'p2p';
  from: string;
  transferId: string;
  name: string;
  blob: Blob;
  /** Hex SHA-256 of the bytes received. */
  sha256: string;
  /** Whether `sha256` equals the sender's. */
  verified: boolean;
}

/** The events of `RtcClient`, by name: `client.on(name, (detail) => …)`. */
export interface RtcClientEventMap {
  connection: ConnectionDetail;
  state: RoomState;
  'participant-joined': { participant: Participant };
  'participant-left': ServerMessageOf<'user-left'>;
  'participant-reconnecting': ServerMessageOf<'participant-reconnecting'>;
  'remote-stream': RemoteStreamDetail;
  'peer-state': { userId: string; state: RTCPeerConnectionState };
  /** Someone started or stopped typing (to us alone when `private`). */
  typing: ServerMessageOf<'typing'>;
  /** SFU rooms: who speaks, loudest first, and the dominant speaker (when it changes). */
  'active-speakers': ServerMessageOf<'active-speakers'>;
  'peer-channel': { userId: string; state: 'open' };
  'peer-closed': { userId: string };
  'peer-error': { userId: string; error: string };
  /** Offers, answers and candidates, when the client makes no peer connections itself (`peerConnections: false`). */
  signal: ServerMessageOf<'offer'> | ServerMessageOf<'answer'> | ServerMessageOf<'ice-candidate'>;
  chat: ServerMessageOf<'chat-message'>;
  /** A chat message's author changed its text. */
  'chat-updated': ServerMessageOf<'chat-updated'>;
  /** A chat message was deleted (by its author or a moderator). */
  'chat-deleted': ServerMessageOf<'chat-deleted'>;
  /** Someone (we, too, from another tab) read the chat up to a message we can see. */
  'chat-read': ServerMessageOf<'chat-read'>;
  /** Someone added (`active`) or took back a reaction on a chat message. */
  'chat-reaction': ServerMessageOf<'chat-reaction'>;
  reaction: ServerMessageOf<'reaction'>;
  'hand-raise': ServerMessageOf<'hand-raise'>;
  'hand-raise-queue': ServerMessageOf<'hand-raise-queue'>;
  'media-control': ServerMessageOf<'media-control'>;
  'screen-share-control': ServerMessageOf<'screen-share-control'>;
  'role-updated': ServerMessageOf<'role-updated'>;
  'permission-updated': ServerMessageOf<'permission-updated'>;
  'participant-update': ServerMessageOf<'participant-update'>;
  'quality-update': ServerMessageOf<'quality-update'>;
  'room-settings-update': ServerMessageOf<'room-settings-update'>;
  /** `waiting-room-join`: we wait (our own id), or (moderators) someone knocks. */
  waiting: ServerMessageOf<'waiting-room-join'>;
  'waiting-room-admit': ServerMessageOf<'waiting-room-admit'>;
  'waiting-room-reject': ServerMessageOf<'waiting-room-reject'>;
  'data-message': ServerMessageOf<'data-message'>;
  'room-metadata-update': ServerMessageOf<'room-metadata-update'>;
  'breakout-room-create': ServerMessageOf<'breakout-room-create'>;
  'breakout-room-assign': ServerMessageOf<'breakout-room-assign'>;
  'breakout-room-close': ServerMessageOf<'breakout-room-close'>;
  'virtual-background-update': ServerMessageOf<'virtual-background-update'>;
  'live-stream-start': ServerMessageOf<'live-stream-start'>;
  'live-stream-stop': ServerMessageOf<'live-stream-stop'>;
  /** A server stream's status changed (`stream.status`: live, reconnecting, failed, stopped). */
  'live-stream-update': ServerMessageOf<'live-stream-update'>;
  'e2ee-key-exchange': ServerMessageOf<'e2ee-key-exchange'>;
  'e2ee-ratchet-update': ServerMessageOf<'e2ee-ratchet-update'>;
  pong: ServerMessageOf<'pong'>;
  'file-offer': FileOfferDetail;
  'file-progress': FileProgressDetail;
  'file-received': FileReceivedDetail;
  'file-failed': { transferId: string; error: string };
  /** Server `file-share-*` notices (accept, reject, progress, complete). */
  'file-transfer': FileShareMessage;
  /** `recording_*` and `recording-status` messages. */
  recording: ServerMessageOf<RecordingMessageType>;
  /** One of our MediaRecorder chunks was uploaded. */
  'recording-upload': { recordingId: string; sequence: number; bytes: number };
  /** An `error` message (`code`, `message`, `in_reply_to`). */
  'server-error': ErrorMessage;
  /** Every server message, before it is handled. */
  message: ServerMessage;
}

/** A listener of event `K`, given the event's `detail`. */
export type RtcListener<K extends keyof RtcClientEventMap> = (detail: RtcClientEventMap[K]) => void;
