// rest-client.ts: every REST call of docs/api.md about one room, typed.
// `RtcClient` extends this class; on its own it suits a backend or a bot
// that needs no WebSocket.

import type {
  FileOffer,
  BreakoutList,
  ChatPage,
  ChunkAck,
  ReceiptList,
  HandRaiseQueue,
  MissingChunks,
  ParticipantList,
  PermissionsAnswer,
  QualityAnswer,
  RateLimitStatus,
  ReconnectionState,
  RecordingChunkAck,
  RecordingLink,
  RecordingList,
  RecordingUploadStatus,
  RoleAnswer,
  ServerConfig,
  StatusAnswer,
  WaitingList,
} from './rest.js';
import type {
  BreakoutRoom,
  ChatRecord,
  ChatUnread,
  LiveStream,
  LiveStreamStart,
  NetworkStats,
  ParticipantUpdate,
  Permissions,
  Recording,
  RecordingFormat,
  RecordingQuality,
  RecordingSource,
  Role,
  RoomSettings,
  RoomSettingsPatch,
  RoomState,
  StreamLayout,
  Transfer,
} from './protocol.js';
import { RtcError, errorFrom, sleep } from './util.js';

/** Options of {@link RoomRestClient.api}. */
export interface ApiOptions {
  /** Resolve with the `Response` itself (downloads). */
  raw?: boolean;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

/** What a REST call may carry: JSON, or raw bytes. */
export type ApiBody = Blob | ArrayBuffer | ArrayBufferView | object | undefined;

/** Options shared by {@link RoomRestClient} and `RtcClient`. */
export interface RoomClientOptions {
  /** The room id. */
  room: string;
  /** A JWT (docs/protocol.md); or give `getToken`. */
  token?: string;
  /** Called before every (re)connect, so reconnects after hours still authenticate. */
  getToken?: () => string | Promise<string>;
  /** The server's origin; default `location.origin` in a browser (required elsewhere). */
  baseUrl?: string | URL;
}

const isBytes = (b: unknown): b is Blob | ArrayBuffer | ArrayBufferView =>
  (typeof Blob !== 'undefined' && b instanceof Blob) || b instanceof ArrayBuffer || ArrayBuffer.isView(b);

/** The REST API of one room, with the caller's token. Every method rejects with {@link RtcError}. */
export class RoomRestClient extends EventTarget {
  /** The room id. */
  readonly room: string;
  /** The server's origin. */
  readonly baseUrl: string;
  /** The current token (refreshed by `getToken` before each connect). */
  token: string | null;
  /** The token source given in the options. */
  protected readonly getToken: (() => string | Promise<string>) | null;

  constructor(opts: RoomClientOptions) {
    super();
    const base = opts.baseUrl ?? globalThis.location?.origin;
    if (!base) throw new RtcError(0, 'VALIDATION_ERROR', 'baseUrl is required outside a browser');
    this.room = opts.room;
    this.baseUrl = String(base);
    this.token = opts.token ?? null;
    this.getToken = opts.getToken ?? null;
  }

  /** `/webrtc/rooms/{room}` plus `path`. */
  protected roomPath(path = ''): string {
    return `/webrtc/rooms/${encodeURIComponent(this.room)}${path}`;
  }

  /**
   * Any REST call with the token: JSON bodies are serialized, bytes sent
   * as they are. Resolves with the parsed answer (null for 204); rejects
   * with `RtcError{status, code}`.
   */
  async api<T = unknown>(method: string, path: string, body?: ApiBody, opts: ApiOptions = {}): Promise<T> {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (!this.token && this.getToken) this.token = await this.getToken();
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    let payload: BodyInit | undefined;
    if (body !== undefined && isBytes(body)) {
      payload = body as BodyInit;
    } else if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await fetch(new URL(path, this.baseUrl), { method, headers, body: payload });
    if (!res.ok) throw await errorFrom(res);
    if (opts.raw) return res as T;
    return (res.status === 204 ? null : await res.json()) as T;
  }

  // ------------------------------------------------------------ server

  /** `GET /webrtc/config`: ICE servers (TURN credentials with a token) and limits. */
  config(): Promise<ServerConfig> {
    return this.api('GET', '/webrtc/config');
  }

  /** `GET /webrtc/rate-limits/{type}/status` for the caller. */
  rateLimit(limitType: string): Promise<RateLimitStatus> {
    return this.api('GET', `/webrtc/rate-limits/${encodeURIComponent(limitType)}/status`);
  }

  // ------------------------------------------------------------ room

  /** The room as we see it (`GET …/state`). */
  roomState(): Promise<RoomState> {
    return this.api('GET', this.roomPath('/state'));
  }

  /** `GET …/participants`. */
  participants(): Promise<ParticipantList> {
    return this.api('GET', this.roomPath('/participants'));
  }

  /** Updates our own display name, device info… (`POST …/participants/{self}/info`). */
  updateInfo(userId: string, info: ParticipantUpdate): Promise<StatusAnswer> {
    return this.api('POST', this.roomPath(`/participants/${encodeURIComponent(userId)}/info`), info);
  }

  /** One page of chat history, newest first; pass `next_cursor` as `before` for older messages, `thread` for one message and its replies. */
  chatHistory({ limit = 50, before, thread }: { limit?: number; before?: string | null; thread?: string } = {}): Promise<ChatPage> {
    const q = new URLSearchParams({ limit: String(limit) });
    if (before) q.set('before', before);
    if (thread) q.set('thread', thread);
    return this.api('GET', this.roomPath(`/chat?${q}`));
  }

  /** Messages containing `q` (ignoring case) that we could have received, newest first; pass `next_cursor` as `before` for older ones. */
  searchChat(q: string, { limit = 50, before }: { limit?: number; before?: string | null } = {}): Promise<ChatPage> {
    const p = new URLSearchParams({ q, limit: String(limit) });
    if (before) p.set('before', before);
    return this.api('GET', this.roomPath(`/chat/search?${p}`));
  }

  /** Our unread chat: messages we could see, sent by others after our read mark. */
  chatUnread(): Promise<ChatUnread> {
    return this.api('GET', this.roomPath('/chat/unread'));
  }

  /** Read marks we may see (ours, and others' on messages we could see), most recently read first. */
  chatReceipts({ limit = 100 }: { limit?: number } = {}): Promise<ReceiptList> {
    return this.api('GET', this.roomPath(`/chat/receipts?limit=${limit}`));
  }

  /** Every chat message we may read, newest first, fetched page by page as the loop asks. */
  async *chatHistoryAll({ pageSize = 50 }: { pageSize?: number } = {}): AsyncGenerator<ChatRecord> {
    let before: string | null = null;
    do {
      const page: ChatPage = await this.chatHistory({ limit: pageSize, before });
      yield* page.messages;
      before = page.next_cursor;
    } while (before);
  }

  /**
   * `GET …/reconnect`: our presence, quality and the newest sequence; with
   * `lastSequence`, also the events we missed since (or `resync_required`).
   */
  reconnectionState(lastSequence?: number): Promise<ReconnectionState> {
    const q = lastSequence === undefined ? '' : `?last_sequence=${lastSequence}`;
    return this.api('GET', this.roomPath(`/reconnect${q}`));
  }

  /** Reports network figures over REST (`POST …/quality`); the WebSocket way is `sendNetworkStats`. */
  reportQuality(stats: NetworkStats): Promise<QualityAnswer> {
    return this.api('POST', this.roomPath('/quality'), stats);
  }

  /** Raises or lowers a hand (`user` someone else's: moderators lowering). */
  setHandRaised(raised: boolean, user?: string): Promise<HandRaiseQueue> {
    return this.api('POST', this.roomPath('/hand-raise'), user ? { raised, user_id: user } : { raised });
  }

  /** `GET …/hand-raise/queue`. */
  handRaiseQueue(): Promise<HandRaiseQueue> {
    return this.api('GET', this.roomPath('/hand-raise/queue'));
  }

  // ------------------------------------------------------------ moderation

  /** Removes a participant (moderators); `ban` keeps them out of the room. */
  kick(userId: string, { ban = false }: { ban?: boolean } = {}): Promise<StatusAnswer> {
    return this.api('POST', this.roomPath(`/participants/${encodeURIComponent(userId)}/kick`), { ban });
  }

  /** `GET …/roles/{user}`. */
  getRole(userId: string): Promise<RoleAnswer> {
    return this.api('GET', this.roomPath(`/roles/${encodeURIComponent(userId)}`));
  }

  /** Sets a role (hosts grant moderation; moderators set participant or viewer). */
  setRole(userId: string, role: Role): Promise<RoleAnswer> {
    return this.api('POST', this.roomPath(`/roles/${encodeURIComponent(userId)}`), { role });
  }

  /** `GET …/permissions/{user}`. */
  getPermissions(userId: string): Promise<PermissionsAnswer> {
    return this.api('GET', this.roomPath(`/permissions/${encodeURIComponent(userId)}`));
  }

  /** Changes some permissions of a participant (moderators). */
  setPermissions(userId: string, patch: Partial<Permissions>): Promise<PermissionsAnswer> {
    return this.api('POST', this.roomPath(`/permissions/${encodeURIComponent(userId)}`), patch);
  }

  /** `GET …/settings`. */
  getSettings(): Promise<RoomSettings> {
    return this.api('GET', this.roomPath('/settings'));
  }

  /** Changes some room settings (moderators); everyone gets `room-settings-update`. */
  updateSettings(patch: RoomSettingsPatch): Promise<RoomSettings> {
    return this.api('POST', this.roomPath('/settings'), patch);
  }

  /** Mutes everyone's microphone (moderators). */
  muteAll(): Promise<StatusAnswer> {
    return this.api('POST', this.roomPath('/mute-all'));
  }

  /** Lowers every raised hand (moderators). */
  lowerAllHands(): Promise<HandRaiseQueue> {
    return this.api('POST', this.roomPath('/hand-raise/lower-all'));
  }

  /** Who waits for admission (moderators). */
  waitingRoom(): Promise<WaitingList> {
    return this.api('GET', this.roomPath('/waiting-room'));
  }

  /** Lets a waiting user in (moderators). */
  admit(userId: string): Promise<StatusAnswer> {
    return this.api('POST', this.roomPath(`/waiting-room/${encodeURIComponent(userId)}/admit`));
  }

  /** Turns a waiting user away (moderators): they get close 4403. */
  rejectWaiting(userId: string): Promise<StatusAnswer> {
    return this.api('POST', this.roomPath(`/waiting-room/${encodeURIComponent(userId)}/reject`));
  }

  /** Sends a participant back to the waiting room (moderators). */
  returnToWaitingRoom(userId: string): Promise<StatusAnswer> {
    return this.api('POST', this.roomPath(`/waiting-room/${encodeURIComponent(userId)}/return`));
  }

  /** Lets everyone waiting in (moderators). */
  admitAll(): Promise<StatusAnswer> {
    return this.api('POST', this.roomPath('/waiting-room/admit-all'));
  }

  /** Creates a breakout room (moderators). */
  createBreakoutRoom(name: string): Promise<BreakoutRoom> {
    return this.api('POST', this.roomPath('/breakout-rooms'), { name });
  }

  /** Breakout rooms with their members. */
  breakoutRooms(): Promise<BreakoutList> {
    return this.api('GET', this.roomPath('/breakout-rooms'));
  }

  /** Moves a user into a breakout room, or back to the main room with `null` (moderators). */
  assignBreakoutRoom(userId: string, breakoutRoomId: string | null): Promise<StatusAnswer> {
    const u = encodeURIComponent(userId);
    const path = breakoutRoomId === null ? `/breakout-rooms/return/${u}` : `/breakout-rooms/${encodeURIComponent(breakoutRoomId)}/assign/${u}`;
    return this.api('POST', this.roomPath(path));
  }

  /** Closes a breakout room; its members return (moderators). */
  closeBreakoutRoom(breakoutRoomId: string): Promise<StatusAnswer> {
    return this.api('DELETE', this.roomPath(`/breakout-rooms/${encodeURIComponent(breakoutRoomId)}`));
  }

  /** Starts a live stream (moderators): with `url` and `stream_key`, the server pushes the room to RTMP, with `hls: true` it serves it as HLS (`hls_url`, `liveStreamHlsLink`; SFU rooms); with neither, a record only. */
  startLiveStream(body: LiveStreamStart = {}): Promise<LiveStream> {
    return this.api('POST', this.roomPath('/live-streams/start'), body);
  }

  /** An expiring playlist URL of a stream's HLS that any player can open (it needs no token). */
  liveStreamHlsLink(streamId: string, { expiresIn = 3600 }: { expiresIn?: number } = {}): Promise<{ url: string; expires_in: number }> {
    const q = new URLSearchParams({ expires_in: String(expiresIn) });
    return this.api('GET', this.roomPath(`/live-streams/${encodeURIComponent(streamId)}/hls-link?${q}`));
  }

  /** Stops a live stream (moderators). */
  stopLiveStream(streamId: string): Promise<LiveStream> {
    return this.api('POST', this.roomPath(`/live-streams/${encodeURIComponent(streamId)}/stop`));
  }

  // ------------------------------------------------------------ recordings

  /**
   * Starts a recording of the room (`can_record`). In an SFU room the server
   * records it by default (`source: 'server'`: one composite in `layout`,
   * MP4 unless `format` says otherwise; nothing to upload); a client
   * recording (`source: 'client'`, the only kind in mesh rooms) takes its
   * media through `uploadRecordingChunk`.
   */
  createRecording({
    format,
    quality = 'medium',
    source,
    layout,
  }: { format?: RecordingFormat; quality?: RecordingQuality; source?: RecordingSource; layout?: StreamLayout } = {}): Promise<Recording> {
    return this.api('POST', this.roomPath('/recordings/start'), { format, quality, source, layout });
  }

  private recordingPath(id: string, rest = ''): string {
    return this.roomPath(`/recordings/${encodeURIComponent(id)}${rest}`);
  }

  /** Stops a recording; the server then processes it (`processing`, later `completed` or `failed`). */
  stopRecording(id: string): Promise<Recording> {
    return this.api('POST', this.recordingPath(id, '/stop'));
  }

  /** Pauses a recording: chunks are refused until `resumeRecording`. */
  pauseRecording(id: string): Promise<Recording> {
    return this.api('POST', this.recordingPath(id, '/pause'));
  }

  /** Resumes a paused recording. */
  resumeRecording(id: string): Promise<Recording> {
    return this.api('POST', this.recordingPath(id, '/resume'));
  }

  /** Cancels a recording and discards its chunks. */
  cancelRecording(id: string): Promise<Recording> {
    return this.api('DELETE', this.recordingPath(id));
  }

  /** One recording, with `outputs` once completed and `failure_code` if failed. */
  recordingStatus(id: string): Promise<Recording> {
    return this.api('GET', this.recordingPath(id, '/status'));
  }

  /** The room's recordings. */
  recordings(): Promise<RecordingList> {
    return this.api('GET', this.roomPath('/recordings'));
  }

  /** Uploads one MediaRecorder chunk under `sequence` (any order; a repeat with the same bytes is a duplicate). */
  uploadRecordingChunk(id: string, sequence: number, data: Blob | ArrayBuffer | ArrayBufferView): Promise<RecordingChunkAck> {
    return this.api('PUT', this.recordingPath(id, `/chunks/${sequence}`), data, {
      headers: { 'Content-Type': 'application/octet-stream' },
    });
  }

  /** What each participant uploaded to a recording. */
  recordingUploadStatus(id: string): Promise<RecordingUploadStatus> {
    return this.api('GET', this.recordingPath(id, '/upload-status'));
  }

  /** An expiring download URL of a processed recording (no token needed to use it). */
  recordingLink(id: string, { user, expiresIn = 3600 }: { user?: string; expiresIn?: number } = {}): Promise<RecordingLink> {
    const q = new URLSearchParams({ expires_in: String(expiresIn) });
    if (user) q.set('user', user);
    return this.api('GET', this.recordingPath(id, `/link?${q}`));
  }

  /** Polls a recording until it is completed, failed or cancelled; resolves with it. */
  async waitForRecording(id: string, { timeoutMs = 120_000, intervalMs = 500 }: { timeoutMs?: number; intervalMs?: number } = {}): Promise<Recording> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.recordingStatus(id);
      if (r.status === 'completed' || r.status === 'failed' || r.status === 'cancelled') return r;
      if (Date.now() > end) throw new RtcError(0, 'TIMEOUT', `recording still ${r.status}`);
      await sleep(intervalMs);
    }
  }

  // ------------------------------------------------------------ file transfers

  /** `…/file-transfer` plus `rest`. */
  protected transferPath(rest: string): string {
    return this.roomPath(`/file-transfer${rest}`);
  }

  /** Offers a file to `receiver` (`can_share_files`); the receiver gets `file-share-offer`. */
  offerFile(offer: FileOffer): Promise<Transfer> {
    return this.api('POST', this.transferPath('/offer'), offer);
  }

  /** Uploads chunk `index` of our transfer with its SHA-256 (after the receiver accepted). */
  async uploadFileChunk(transferId: string, index: number, chunk: ArrayBuffer | ArrayBufferView, sha256: string): Promise<ChunkAck> {
    return this.api('PUT', this.transferPath(`/${encodeURIComponent(transferId)}/chunks/${index}`), chunk, {
      headers: { 'X-Chunk-Sha256': sha256, 'Content-Type': 'application/octet-stream' },
    });
  }

  /** The chunks the server still lacks (to resume an interrupted upload). */
  missingChunks(transferId: string): Promise<MissingChunks> {
    return this.api('GET', this.transferPath(`/${encodeURIComponent(transferId)}/missing`));
  }

  /** A transfer with its progress. */
  transferProgress(transferId: string): Promise<Transfer> {
    return this.api('GET', this.transferPath(`/${encodeURIComponent(transferId)}/progress`));
  }

  /** Acts on a transfer: `accept`/`reject` (receiver), `pause`/`resume` (either party). */
  transferAction(transferId: string, action: 'accept' | 'reject' | 'pause' | 'resume'): Promise<Transfer> {
    return this.api('POST', this.transferPath(`/${encodeURIComponent(transferId)}/${action}`));
  }

  /** Cancels a transfer; its stored chunks are deleted. */
  cancelTransfer(transferId: string): Promise<Transfer> {
    return this.api('DELETE', this.transferPath(`/${encodeURIComponent(transferId)}`));
  }

  /** Downloads a completed transfer's bytes (receiver or sender). */
  async downloadFile(transferId: string): Promise<Blob> {
    const res = await this.api<Response>('GET', this.transferPath(`/${encodeURIComponent(transferId)}/download`), undefined, { raw: true });
    return res.blob();
  }

  /** Our transfers (as sender or receiver) in any room, newest first. */
  fileTransfers(): Promise<{ count: number; transfers: Transfer[] }> {
    return this.api('GET', '/webrtc/file-transfers');
  }
}
