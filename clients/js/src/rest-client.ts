// rest-client.ts: every REST call of docs/api.md about one room, typed.
// `RtcClient` extends this class; on its own it suits a backend or a bot
// that needs no WebSocket.

import type { paths } from './api-types.js';
import type {
  BreakoutList,
  ChatPage,
  ChunkAck,
  ExpiringLink,
  FileOffer,
  HandRaiseQueue,
  MissingChunks,
  ParticipantList,
  PermissionsAnswer,
  QualityAnswer,
  RateLimitStatus,
  ReceiptList,
  ReconnectionState,
  RecordingChunkAck,
  RecordingLink,
  RecordingList,
  RecordingUploadStatus,
  RoleAnswer,
  ServerConfig,
  StatusAnswer,
  TransferList,
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

// The REST document's view of a call (src/api-types.ts, generated from
// docs/openapi.json): `call` takes the document's path and method, so its
// parameters, query, body and answer are the document's, and a call whose
// route or types changed on the server fails to compile.
type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
/** The methods the document has on `P`. */
type MethodOf<P extends keyof paths> = { [M in Method]: paths[P][Lowercase<M>] extends undefined ? never : M }[Method];
/** The operation `M P` of the document. */
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][Lowercase<M>]>;
/** Its JSON answer (200 or 201). */
type Answer<O> = O extends { responses: { 200: { content: { 'application/json': infer T } } } }
  ? T
  : O extends { responses: { 201: { content: { 'application/json': infer T } } } }
    ? T
    : unknown;
/** Its body: JSON, or bytes for a binary one; `undefined` without one. */
type RequestBody<O> = O extends { requestBody?: infer R }
  ? [NonNullable<R>] extends [never]
    ? undefined
    : NonNullable<R> extends { content: infer C }
      ? 'application/json' extends keyof C
        ? C['application/json']
        : Blob | ArrayBuffer | ArrayBufferView
      : undefined
  : undefined;
/** Its path parameters but the room (filled in by `call`). */
type PathParams<O> = O extends { parameters: { path: infer T } } ? Omit<T, 'room_id'> : Record<string, never>;
/** Its query. */
type Query<O> = O extends { parameters: { query?: infer Q } } ? Q : undefined;
/** What `call` takes besides the method and path. */
type CallOptions<O> = ApiOptions & { params?: PathParams<O>; query?: Query<O>; body?: RequestBody<O> };

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

  /**
   * A call of the REST document: `path` as the document names it, whose
   * `{room_id}` is our room and other `{…}` come from `params`; `query`
   * entries that are undefined or null are left out.
   */
  private async call<P extends keyof paths, M extends MethodOf<P>>(
    method: M,
    path: P,
    { params, query, body, ...opts }: CallOptions<Operation<P, M>> = {},
  ): Promise<Answer<Operation<P, M>>> {
    let url = (path as string).replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = name === 'room_id' ? this.room : (params as Record<string, string | number | undefined> | undefined)?.[name];
      if (value === undefined) throw new RtcError(0, 'VALIDATION_ERROR', `${path}: no ${name}`);
      return encodeURIComponent(value);
    });
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries((query ?? {}) as Record<string, unknown>)) if (v !== undefined && v !== null) q.set(k, String(v));
    const search = q.toString();
    if (search) url += `?${search}`;
    return this.api(method, url, body as ApiBody, opts);
  }

  // ------------------------------------------------------------ server

  /** `GET /webrtc/config`: ICE servers (TURN credentials with a token) and limits. */
  config(): Promise<ServerConfig> {
    return this.call('GET', '/webrtc/config');
  }

  /** `GET /webrtc/rate-limits/{type}/status` for the caller. */
  rateLimit(limitType: string): Promise<RateLimitStatus> {
    type LimitType = Operation<'/webrtc/rate-limits/{limit_type}/status', 'GET'>['parameters']['path']['limit_type'];
    // `scope` narrowed to its two values (the document says `string`).
    return this.call('GET', '/webrtc/rate-limits/{limit_type}/status', { params: { limit_type: limitType as LimitType } }) as Promise<RateLimitStatus>;
  }

  // ------------------------------------------------------------ room

  /** The room as we see it (`GET …/state`). */
  roomState(): Promise<RoomState> {
    return this.call('GET', '/webrtc/rooms/{room_id}/state');
  }

  /** `GET …/participants`. */
  participants(): Promise<ParticipantList> {
    return this.call('GET', '/webrtc/rooms/{room_id}/participants');
  }

  /** Updates our own display name, device info… (`POST …/participants/{self}/info`). */
  updateInfo(userId: string, info: ParticipantUpdate): Promise<StatusAnswer> {
    return this.call('POST', '/webrtc/rooms/{room_id}/participants/{user_id}/info', { params: { user_id: userId }, body: info });
  }

  /** One page of chat history, newest first; pass `next_cursor` as `before` for older messages, `thread` for one message and its replies. */
  chatHistory({ limit = 50, before, thread }: { limit?: number; before?: string | null; thread?: string } = {}): Promise<ChatPage> {
    return this.call('GET', '/webrtc/rooms/{room_id}/chat', { query: { limit, before: before || undefined, thread: thread || undefined } });
  }

  /** Messages containing `q` (ignoring case) that we could have received, newest first; pass `next_cursor` as `before` for older ones. */
  searchChat(q: string, { limit = 50, before }: { limit?: number; before?: string | null } = {}): Promise<ChatPage> {
    return this.call('GET', '/webrtc/rooms/{room_id}/chat/search', { query: { q, limit, before: before || undefined } });
  }

  /** Our unread chat: messages we could see, sent by others after our read mark. */
  chatUnread(): Promise<ChatUnread> {
    return this.call('GET', '/webrtc/rooms/{room_id}/chat/unread');
  }

  /** Read marks we may see (ours, and others' on messages we could see), most recently read first. */
  chatReceipts({ limit = 100 }: { limit?: number } = {}): Promise<ReceiptList> {
    return this.call('GET', '/webrtc/rooms/{room_id}/chat/receipts', { query: { limit } });
  }

  /** Every chat message we may read, newest first, fetched page by page as the loop asks. */
  async *chatHistoryAll({ pageSize = 50 }: { pageSize?: number } = {}): AsyncGenerator<ChatRecord> {
    let before: string | null = null;
    do {
      const page: ChatPage = await this.chatHistory({ limit: pageSize, before });
      yield* page.messages;
      before = page.next_cursor ?? null;
    } while (before);
  }

  /**
   * `GET …/reconnect`: our presence, quality and the newest sequence; with
   * `lastSequence`, also the events we missed since (or `resync_required`).
   */
  reconnectionState(lastSequence?: number): Promise<ReconnectionState> {
    // `quality` and `events` narrowed (the document says `string` and objects).
    return this.call('GET', '/webrtc/rooms/{room_id}/reconnect', { query: { last_sequence: lastSequence } }) as Promise<ReconnectionState>;
  }

  /** Reports network figures over REST (`POST …/quality`); the WebSocket way is `sendNetworkStats`. */
  reportQuality(stats: NetworkStats): Promise<QualityAnswer> {
    // `quality` narrowed to the classes (the document says `string`).
    return this.call('POST', '/webrtc/rooms/{room_id}/quality', { body: stats }) as Promise<QualityAnswer>;
  }

  /** Raises or lowers a hand (`user` someone else's: moderators lowering). */
  setHandRaised(raised: boolean, user?: string): Promise<HandRaiseQueue> {
    return this.call('POST', '/webrtc/rooms/{room_id}/hand-raise', { body: user ? { raised, user_id: user } : { raised } });
  }

  /** `GET …/hand-raise/queue`. */
  handRaiseQueue(): Promise<HandRaiseQueue> {
    return this.call('GET', '/webrtc/rooms/{room_id}/hand-raise/queue');
  }

  // ------------------------------------------------------------ moderation

  /** Removes a participant (moderators); `ban` keeps them out of the room. */
  kick(userId: string, { ban = false }: { ban?: boolean } = {}): Promise<StatusAnswer> {
    return this.call('POST', '/webrtc/rooms/{room_id}/participants/{user_id}/kick', { params: { user_id: userId }, body: { ban } });
  }

  /** `GET …/roles/{user}`. */
  getRole(userId: string): Promise<RoleAnswer> {
    return this.call('GET', '/webrtc/rooms/{room_id}/roles/{user_id}', { params: { user_id: userId } });
  }

  /** Sets a role (hosts grant moderation; moderators set participant or viewer). */
  setRole(userId: string, role: Role): Promise<RoleAnswer> {
    return this.call('POST', '/webrtc/rooms/{room_id}/roles/{user_id}', { params: { user_id: userId }, body: { role } });
  }

  /** `GET …/permissions/{user}`. */
  getPermissions(userId: string): Promise<PermissionsAnswer> {
    return this.call('GET', '/webrtc/rooms/{room_id}/permissions/{user_id}', { params: { user_id: userId } });
  }

  /** Changes some permissions of a participant (moderators). */
  setPermissions(userId: string, patch: Partial<Permissions>): Promise<PermissionsAnswer> {
    return this.call('POST', '/webrtc/rooms/{room_id}/permissions/{user_id}', { params: { user_id: userId }, body: patch });
  }

  /** `GET …/settings`. */
  getSettings(): Promise<RoomSettings> {
    return this.call('GET', '/webrtc/rooms/{room_id}/settings');
  }

  /** Changes some room settings (moderators); everyone gets `room-settings-update`. */
  updateSettings(patch: RoomSettingsPatch): Promise<RoomSettings> {
    return this.call('POST', '/webrtc/rooms/{room_id}/settings', { body: patch });
  }

  /** Mutes everyone's microphone (moderators). */
  muteAll(): Promise<StatusAnswer> {
    return this.call('POST', '/webrtc/rooms/{room_id}/mute-all');
  }

  /** Lowers every raised hand (moderators). */
  lowerAllHands(): Promise<HandRaiseQueue> {
    return this.call('POST', '/webrtc/rooms/{room_id}/hand-raise/lower-all');
  }

  /** Who waits for admission (moderators). */
  waitingRoom(): Promise<WaitingList> {
    return this.call('GET', '/webrtc/rooms/{room_id}/waiting-room');
  }

  /** Lets a waiting user in (moderators). */
  admit(userId: string): Promise<StatusAnswer> {
    return this.call('POST', '/webrtc/rooms/{room_id}/waiting-room/{user_id}/admit', { params: { user_id: userId } });
  }

  /** Turns a waiting user away (moderators): they get close 4403. */
  rejectWaiting(userId: string): Promise<StatusAnswer> {
    return this.call('POST', '/webrtc/rooms/{room_id}/waiting-room/{user_id}/reject', { params: { user_id: userId } });
  }

  /** Sends a participant back to the waiting room (moderators). */
  returnToWaitingRoom(userId: string): Promise<StatusAnswer> {
    return this.call('POST', '/webrtc/rooms/{room_id}/waiting-room/{user_id}/return', { params: { user_id: userId } });
  }

  /** Lets everyone waiting in (moderators). */
  admitAll(): Promise<StatusAnswer> {
    return this.call('POST', '/webrtc/rooms/{room_id}/waiting-room/admit-all');
  }

  /** Creates a breakout room (moderators). */
  createBreakoutRoom(name: string): Promise<BreakoutRoom> {
    return this.call('POST', '/webrtc/rooms/{room_id}/breakout-rooms', { body: { name } });
  }

  /** Breakout rooms with their members. */
  breakoutRooms(): Promise<BreakoutList> {
    return this.call('GET', '/webrtc/rooms/{room_id}/breakout-rooms');
  }

  /** Moves a user into a breakout room, or back to the main room with `null` (moderators). */
  assignBreakoutRoom(userId: string, breakoutRoomId: string | null): Promise<StatusAnswer> {
    return breakoutRoomId === null
      ? this.call('POST', '/webrtc/rooms/{room_id}/breakout-rooms/return/{user_id}', { params: { user_id: userId } })
      : this.call('POST', '/webrtc/rooms/{room_id}/breakout-rooms/{breakout_id}/assign/{user_id}', { params: { breakout_id: breakoutRoomId, user_id: userId } });
  }

  /** Closes a breakout room; its members return (moderators). */
  closeBreakoutRoom(breakoutRoomId: string): Promise<StatusAnswer> {
    return this.call('DELETE', '/webrtc/rooms/{room_id}/breakout-rooms/{breakout_id}', { params: { breakout_id: breakoutRoomId } });
  }

  /** Starts a live stream (moderators): with `url` and `stream_key`, the server pushes the room to RTMP, with `hls: true` it serves it as HLS (`hls_url`, `liveStreamHlsLink`; SFU rooms); with neither, a record only. */
  startLiveStream(body: LiveStreamStart = {}): Promise<LiveStream> {
    // `quality` narrowed to the presets (the document says `string`).
    return this.call('POST', '/webrtc/rooms/{room_id}/live-streams/start', { body }) as Promise<LiveStream>;
  }

  /** An expiring playlist URL of a stream's HLS that any player can open (it needs no token). */
  liveStreamHlsLink(streamId: string, { expiresIn = 3600 }: { expiresIn?: number } = {}): Promise<ExpiringLink> {
    return this.call('GET', '/webrtc/rooms/{room_id}/live-streams/{stream_id}/hls-link', { params: { stream_id: streamId }, query: { expires_in: expiresIn } });
  }

  /** Stops a live stream (moderators). */
  stopLiveStream(streamId: string): Promise<LiveStream> {
    return this.call('POST', '/webrtc/rooms/{room_id}/live-streams/{stream_id}/stop', { params: { stream_id: streamId } }) as Promise<LiveStream>;
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
    return this.call('POST', '/webrtc/rooms/{room_id}/recordings/start', { body: { format, quality, source, layout } });
  }

  /** Stops a recording; the server then processes it (`processing`, later `completed` or `failed`). */
  stopRecording(id: string): Promise<Recording> {
    return this.call('POST', '/webrtc/rooms/{room_id}/recordings/{recording_id}/{action}', { params: { recording_id: id, action: 'stop' } });
  }

  /** Pauses a recording: chunks are refused until `resumeRecording`. */
  pauseRecording(id: string): Promise<Recording> {
    return this.call('POST', '/webrtc/rooms/{room_id}/recordings/{recording_id}/{action}', { params: { recording_id: id, action: 'pause' } });
  }

  /** Resumes a paused recording. */
  resumeRecording(id: string): Promise<Recording> {
    return this.call('POST', '/webrtc/rooms/{room_id}/recordings/{recording_id}/{action}', { params: { recording_id: id, action: 'resume' } });
  }

  /** Cancels a recording and discards its chunks. */
  cancelRecording(id: string): Promise<Recording> {
    return this.call('DELETE', '/webrtc/rooms/{room_id}/recordings/{recording_id}', { params: { recording_id: id } });
  }

  /** One recording, with `outputs` once completed and `failure_code` if failed. */
  recordingStatus(id: string): Promise<Recording> {
    return this.call('GET', '/webrtc/rooms/{room_id}/recordings/{recording_id}/status', { params: { recording_id: id } });
  }

  /** The room's recordings. */
  recordings(): Promise<RecordingList> {
    return this.call('GET', '/webrtc/rooms/{room_id}/recordings');
  }

  /** Uploads one MediaRecorder chunk under `sequence` (any order; a repeat with the same bytes is a duplicate). */
  uploadRecordingChunk(id: string, sequence: number, data: Blob | ArrayBuffer | ArrayBufferView): Promise<RecordingChunkAck> {
    return this.call('PUT', '/webrtc/rooms/{room_id}/recordings/{recording_id}/chunks/{seq}', {
      params: { recording_id: id, seq: sequence },
      body: data,
      headers: { 'Content-Type': 'application/octet-stream' },
    });
  }

  /** What each participant uploaded to a recording. */
  recordingUploadStatus(id: string): Promise<RecordingUploadStatus> {
    return this.call('GET', '/webrtc/rooms/{room_id}/recordings/{recording_id}/upload-status', { params: { recording_id: id } });
  }

  /** An expiring download URL of a processed recording (no token needed to use it). */
  recordingLink(id: string, { user, expiresIn = 3600 }: { user?: string; expiresIn?: number } = {}): Promise<RecordingLink> {
    return this.call('GET', '/webrtc/rooms/{room_id}/recordings/{recording_id}/link', {
      params: { recording_id: id },
      query: { expires_in: expiresIn, user: user || undefined },
    });
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
    return this.call('POST', '/webrtc/rooms/{room_id}/file-transfer/offer', { body: offer });
  }

  /** Uploads chunk `index` of our transfer with its SHA-256 (after the receiver accepted). */
  async uploadFileChunk(transferId: string, index: number, chunk: ArrayBuffer | ArrayBufferView, sha256: string): Promise<ChunkAck> {
    return this.call('PUT', '/webrtc/rooms/{room_id}/file-transfer/{id}/chunks/{index}', {
      params: { id: transferId, index },
      body: chunk,
      headers: { 'X-Chunk-Sha256': sha256, 'Content-Type': 'application/octet-stream' },
    });
  }

  /** The chunks the server still lacks (to resume an interrupted upload). */
  missingChunks(transferId: string): Promise<MissingChunks> {
    return this.call('GET', '/webrtc/rooms/{room_id}/file-transfer/{id}/missing', { params: { id: transferId } });
  }

  /** A transfer with its progress. */
  transferProgress(transferId: string): Promise<Transfer> {
    return this.call('GET', '/webrtc/rooms/{room_id}/file-transfer/{id}/progress', { params: { id: transferId } });
  }

  /** Acts on a transfer: `accept`/`reject` (receiver), `pause`/`resume` (either party). */
  transferAction(transferId: string, action: 'accept' | 'reject' | 'pause' | 'resume'): Promise<Transfer> {
    return this.call('POST', `/webrtc/rooms/{room_id}/file-transfer/{id}/${action}`, { params: { id: transferId } });
  }

  /** Cancels a transfer; its stored chunks are deleted. */
  cancelTransfer(transferId: string): Promise<Transfer> {
    return this.call('DELETE', '/webrtc/rooms/{room_id}/file-transfer/{id}', { params: { id: transferId } });
  }

  /** Downloads a completed transfer's bytes (receiver or sender). */
  async downloadFile(transferId: string): Promise<Blob> {
    const res = await this.api<Response>('GET', this.transferPath(`/${encodeURIComponent(transferId)}/download`), undefined, { raw: true });
    return res.blob();
  }

  /** Our transfers (as sender or receiver) in any room, newest first. */
  fileTransfers(): Promise<TransferList> {
    return this.call('GET', '/webrtc/file-transfers');
  }
}
