// rest.ts: the bodies and answers of the REST API (docs/api.md). Types only,
// named after the schemas of the REST document (src/api-types.ts, generated
// from docs/openapi.json), so they follow the server.

import type { components } from './api-types.js';
import type { Narrowed, Quality, ServerMessage } from './protocol.js';

/** The server's error body: `{"error": {code, message, hint?, retry_after?}}` (the document's `Error`). */
export type ErrorBody = components['schemas']['Error'];

/** `POST /webrtc/dev/token`: the token, the id the server picked (`guest-…`) and its lifetime in seconds. */
export type DevToken = components['schemas']['DevToken'];

/** `POST /webrtc/dev/token` body (the document's `DevTokenReq`). */
export type DevTokenRequest = components['schemas']['DevTokenReq'];

/** One ICE server of {@link ServerConfig}, as `RTCIceServer` takes it (TURN with a credential). */
export type IceServer = components['schemas']['IceServer'];

/** `GET /webrtc/config` (the document's `ClientConfig`). */
export type ServerConfig = components['schemas']['ClientConfig'];

/** `GET /rooms/{room}/participants`. */
export type ParticipantList = components['schemas']['ParticipantList'];

/** `GET|POST /rooms/{room}/roles/{user}`. */
export type RoleAnswer = components['schemas']['RoleAnswer'];

/** `GET|POST /rooms/{room}/permissions/{user}`. */
export type PermissionsAnswer = components['schemas']['PermissionsAnswer'];

/** `GET …/chat/receipts`: most recently read first: ours, and others' on messages we could see (the document's `ReceiptsView`). */
export type ReceiptList = components['schemas']['ReceiptsView'];

/** `GET /rooms/{room}/chat` and `…/chat/search`: newest first; pass `next_cursor` as `before` for the next (older) page, null at the end. */
export type ChatPage = components['schemas']['ChatPage'];

/** `GET /rooms/{room}/hand-raise/queue` and the hand-raise calls (the document's `HandQueue`). */
export type HandRaiseQueue = components['schemas']['HandQueue'];

/** `GET /rooms/{room}/waiting-room`. */
export type WaitingList = components['schemas']['WaitingList'];

/** The answer of the moderation calls that change a user (`admit`, `reject`, `return`, `kick`…). */
export type StatusAnswer = components['schemas']['StatusAnswer'];

/** `GET /rooms/{room}/breakout-rooms`: each with its members. */
export type BreakoutList = components['schemas']['BreakoutList'];

/** `GET /rooms/{room}/recordings` (the document's `RoomRecordings`). */
export type RecordingList = components['schemas']['RoomRecordings'];

/** `PUT /rooms/{room}/recordings/{id}/chunks/{seq}`: `duplicate` when the sequence was already stored (the document's `ChunkStored`). */
export type RecordingChunkAck = components['schemas']['ChunkStored'];

/** `GET /rooms/{room}/recordings/{id}/upload-status` (the document's `UploadStatus`). */
export type RecordingUploadStatus = components['schemas']['UploadStatus'];

/** An expiring URL, usable without a token until it expires (`…/recordings/{id}/link`, `…/live-streams/{id}/hls-link`; the document's `LinkAnswer`). */
export type ExpiringLink = components['schemas']['LinkAnswer'];

/** `GET /rooms/{room}/recordings/{id}/link`. */
export type RecordingLink = ExpiringLink;

/**
 * `POST /rooms/{room}/file-transfer/offer` body (the document's `OfferReq`).
 * Without `sha256` every chunk is still checked against its own, and the
 * transfer's `file_checksum` says the file was not.
 */
export type FileOffer = components['schemas']['OfferReq'];

/** `PUT /rooms/{room}/file-transfer/{id}/chunks/{index}`. */
export type ChunkAck = components['schemas']['ChunkAck'];

/** `GET /rooms/{room}/file-transfer/{id}/missing` (the document's `Missing`). */
export type MissingChunks = components['schemas']['Missing'];

/** `GET /webrtc/file-transfers`: our transfers in any room, newest first. */
export type TransferList = components['schemas']['TransferList'];

/**
 * `GET /rooms/{room}/reconnect`: where we stand, and with `last_sequence`
 * what we missed (the document's `ReconnectAnswer`; `quality` narrowed to
 * the classes, and `events`, untyped objects there, typed as the WebSocket
 * messages they are).
 */
export type ReconnectionState = Narrowed<Omit<components['schemas']['ReconnectAnswer'], 'events' | 'missed_messages'>, { quality?: Quality | null }> & {
  /** The missed messages, oldest first, as sent over the WebSocket. */
  events?: ServerMessage[] | null;
  /** `events` under seed 000's name. */
  missed_messages?: ServerMessage[] | null;
};

/** `POST /rooms/{room}/quality`; `quality` narrowed to the classes. */
export type QualityAnswer = Narrowed<components['schemas']['QualityAnswer'], { quality: Quality }>;

/**
 * `GET /rate-limits/{type}/status` (the document's `RateAnswer`). `signaling`
 * and `websocket_message` are counted per WebSocket connection
 * (`scope: "connection"`), where REST cannot see them: their `used`,
 * `remaining` and `reset_in_secs` are null.
 */
export type RateLimitStatus = Narrowed<components['schemas']['RateAnswer'], { scope: 'user' | 'connection' }>;
