// client.ts: one participant's view of one room: the signaling WebSocket
// (with reconnection and replay), a mesh of RTCPeerConnections, chat, files,
// recording, screen sharing, quality reports and moderation.

import type { ConnectionDetail, ConnectionStatus, RtcClientEventMap, RtcListener } from './events.js';
import type {
  ClientMessage,
  ErrorMessage,
  MediaKind,
  NetworkStats,
  Participant,
  Quality,
  RecordingFormat,
  RecordingQuality,
  Recording,
  RoomState,
  ServerMessage,
  Transfer,
} from './protocol.js';
import { Peer } from './peer.js';
import { SfuLink } from './sfu.js';
import { RoomRestClient, type RoomClientOptions } from './rest-client.js';
import { networkStatsFrom, type LossCounters } from './stats.js';
import { RtcError, sha256Hex } from './util.js';

/** Refused, banned, replaced, room closed: these closes are final, no retry. */
const TERMINAL_CLOSE = new Set([4401, 4403, 4404, 4409, 4410]);

/** Options of {@link RtcClient}. */
export interface RtcClientOptions extends RoomClientOptions {
  /** Default: fetched from `GET /webrtc/config` (STUN, TURN credentials). */
  iceServers?: RTCIceServer[];
  /** Hold peer negotiation until `setLocalStream` is called (default true), so no offer is answered without our tracks. */
  waitForMedia?: boolean;
  /**
   * Make one RTCPeerConnection per participant (default: whenever the
   * runtime has `RTCPeerConnection`). Without them (Node, bots) offers,
   * answers and candidates arrive as `signal` events.
   */
  peerConnections?: boolean;
  /** Download accepted server files and emit `file-received` (default true). */
  autoDownload?: boolean;
  /** SFU rooms: send the camera in three simulcast layers (full, half, quarter size) so each receiver gets the size it shows (default true). */
  simulcast?: boolean;
}

/** What `connect()` resolves with. */
export type JoinResult = { waiting: false; state: RoomState } | { waiting: true; position: number };

/** A running MediaRecorder recording (see {@link RtcClient.startRecording}). */
export interface RecordingHandle {
  /** The recording id. */
  id: string;
  /** The recorder producing the chunks. */
  recorder: MediaRecorder;
  /** Uploads the last chunk, then stops the recording; resolves with it (`processing`). */
  stop(): Promise<Recording>;
}

/**
 * One participant's view of one room: the signaling WebSocket (with
 * reconnection and replay), a mesh of RTCPeerConnections, chat, hand
 * raise, files (through the server or peer to peer), recording, screen
 * sharing, quality reports and moderation. All REST calls of the room are
 * inherited from {@link RoomRestClient}.
 *
 * Events are `CustomEvent`s with the payload in `detail`
 * ({@link RtcClientEventMap}); `on(name, fn)` hands `fn` the detail.
 */
export class RtcClient extends RoomRestClient {
  /** ICE servers for the peer connections. */
  iceServers: RTCIceServer[] | null;
  /** Our user id, once joined (or waiting). */
  userId: string | null = null;
  /** The highest `seq` seen: reconnects resume after it. */
  lastSequence: number | null = null;
  /** The latest room state, kept current by events. */
  state: RoomState | null = null;
  /** Where the connection stands. */
  status: ConnectionStatus = 'idle';
  /** Reconnection attempts since the last success. */
  attempt = 0;
  /** Peer connections by user id (mesh rooms, and peer-to-peer files). */
  readonly peers = new Map<string, Peer>();
  /** The connection to the server's media plane (SFU rooms). */
  sfu: SfuLink | null = null;
  /** SFU rooms: who speaks now, loudest first (`active-speakers`). */
  activeSpeakers: { user_id: string; level: number }[] = [];
  /** SFU rooms: the dominant speaker, if anyone speaks. */
  dominantSpeaker: string | null = null;
  /** SFU rooms: whether the camera goes out in simulcast layers. */
  readonly simulcast: boolean;
  /** Each participant's latest quality class (`quality-update`). */
  readonly quality = new Map<string, Quality>();
  /** The stream we publish. */
  localStream: MediaStream | null = null;
  /** The screen we share, while sharing. */
  screenStream: MediaStream | null = null;
  private ws: WebSocket | null = null;
  private closedByUser = false;
  private readonly usePeers: boolean;
  private readonly autoDownload: boolean;
  private readonly acceptedFiles = new Set<string>();
  private readonly completedFiles = new Map<string, Transfer>();
  private readonly acceptWaiters = new Map<string, (err: Error | null) => void>();
  private readonly acceptedOut = new Set<string>();
  private mediaResolve: ((s: MediaStream | null) => void) | null = null;
  private readonly media: Promise<MediaStream | null>;
  private joinWaiter: { resolve: (r: JoinResult) => void; reject: (e: Error) => void } | null = null;
  private lastError: ErrorMessage | null = null;
  private offlineMs: number | undefined;
  private resyncing = false;
  private statsTimer: ReturnType<typeof setInterval> | null = null;
  private readonly lossCounters: LossCounters = new Map();

  constructor(opts: RtcClientOptions) {
    super(opts);
    this.iceServers = opts.iceServers ?? null;
    this.usePeers = opts.peerConnections ?? typeof RTCPeerConnection !== 'undefined';
    this.autoDownload = opts.autoDownload ?? true;
    this.simulcast = opts.simulcast ?? true;
    this.media = new Promise((r) => (this.mediaResolve = r));
    if (opts.waitForMedia === false || !this.usePeers) this.setLocalStream(null);
  }

  // ------------------------------------------------------------ events

  /** Calls `fn` with the detail of every `type` event; returns a function that unsubscribes. */
  on<K extends keyof RtcClientEventMap>(type: K, fn: RtcListener<K>): () => void {
    const h = (e: Event) => fn((e as CustomEvent<RtcClientEventMap[K]>).detail);
    this.addEventListener(type, h);
    return () => this.removeEventListener(type, h);
  }

  /**
   * Resolves with the detail of the next `type` event that `match` accepts;
   * rejects with `TIMEOUT` after `timeoutMs` (default 10 s).
   */
  once<K extends keyof RtcClientEventMap>(
    type: K,
    match: (detail: RtcClientEventMap[K]) => boolean = () => true,
    { timeoutMs = 10_000 }: { timeoutMs?: number } = {},
  ): Promise<RtcClientEventMap[K]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new RtcError(0, 'TIMEOUT', `no ${type} event within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.on(type, (d) => {
        if (!match(d)) return;
        clearTimeout(timer);
        off();
        resolve(d);
      });
    });
  }

  /** Dispatches `type` with `detail` (used by the peer connections too). */
  emit<K extends keyof RtcClientEventMap>(type: K, detail: RtcClientEventMap[K]): void {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  // ------------------------------------------------------------ connection

  /** Opens the WebSocket; resolves once joined (or placed in the waiting room), rejects with `RtcError` when refused. */
  async connect(): Promise<JoinResult> {
    this.closedByUser = false;
    if (!this.iceServers) {
      try {
        // As RTCIceServer takes them (the document allows null for an absent credential).
        this.iceServers = (await this.config()).iceServers.map(({ urls, username, credential }) => ({
          urls,
          ...(username != null ? { username } : {}),
          ...(credential != null ? { credential } : {}),
        }));
      } catch {
        this.iceServers = [];
      }
    }
    return new Promise((resolve, reject) => {
      this.joinWaiter = { resolve, reject };
      void this.open();
    });
  }

  /** Resolves with the room state once we are in the room (at once if we are; after admission from the waiting room). */
  async joined({ timeoutMs = 60_000 }: { timeoutMs?: number } = {}): Promise<RoomState> {
    if (this.status === 'connected' && this.state) return this.state;
    return this.once('state', () => true, { timeoutMs });
  }

  private async open(): Promise<void> {
    this.setStatus(this.lastSequence === null ? 'connecting' : 'reconnecting');
    if (this.getToken) this.token = await this.getToken();
    const url = new URL(`/webrtc/ws/${encodeURIComponent(this.room)}`, this.baseUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('token', this.token ?? '');
    if (this.lastSequence !== null) url.searchParams.set('last_sequence', String(this.lastSequence));
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onmessage = (e) => {
      if (ws !== this.ws) return;
      let msg: ServerMessage;
      try {
        msg = JSON.parse(String(e.data)) as ServerMessage;
      } catch {
        return;
      }
      this.onMessage(msg);
    };
    ws.onclose = (e) => {
      if (ws === this.ws) this.onClose(e.code, e.reason);
    };
    // A failure (refused handshake, lost network) is an abnormal close.
    // Browsers follow it with a close event, but Node 20's WebSocket does
    // not after a refused handshake, so act on the error and ignore the rest.
    ws.onerror = () => {
      if (ws !== this.ws) return;
      this.onClose(1006, '');
      ws.close();
    };
  }

  private onClose(code: number, reason: string): void {
    this.ws = null;
    if (this.closedByUser) return this.setStatus('closed');
    // The handshake was refused (bad token, banned…) or our seat was taken over.
    if (TERMINAL_CLOSE.has(code) || (this.status === 'connecting' && this.lastSequence === null)) {
      this.stopNetworkStats();
      this.setStatus('closed', { code, reason });
      const waiter = this.joinWaiter;
      this.joinWaiter = null;
      const closed = new RtcError(0, this.lastError?.code ?? 'CONNECTION_CLOSED', this.lastError?.message ?? (reason || `closed ${code}`));
      if (!waiter) return;
      if (this.lastError || code !== 1006) return waiter.reject(closed);
      // A refused handshake hides its HTTP answer from WebSocket clients:
      // ask the same question over REST to learn the code (INVALID_TOKEN,
      // ROOM_ACCESS_DENIED…).
      this.roomState().then(
        () => waiter.reject(closed),
        (e: unknown) => waiter.reject(e instanceof RtcError && e.code !== 'USER_NOT_IN_ROOM' ? e : closed),
      );
      return;
    }
    this.attempt += 1;
    let delay = Math.min(10_000, 250 * 2 ** Math.min(this.attempt, 6)) * (0.8 + Math.random() * 0.4);
    if (this.offlineMs !== undefined) delay = this.offlineMs;
    this.offlineMs = undefined;
    this.setStatus('reconnecting', { attempt: this.attempt, delay_ms: Math.round(delay), code });
    setTimeout(() => void this.open(), delay);
  }

  /** Leaves the room (a goodbye: others see `user-left` at once). */
  leave(): void {
    this.closedByUser = true;
    this.stopNetworkStats();
    for (const p of this.peers.values()) p.close();
    this.peers.clear();
    this.sfu?.close();
    this.sfu = null;
    this.ws?.close(1000, 'bye');
    this.setStatus('closed');
  }

  /**
   * Drops the WebSocket as a lost network would (close code 4000, not a
   * goodbye); the client reconnects after `offlineMs` (or its usual backoff)
   * and replays what it missed.
   */
  simulateDrop({ offlineMs }: { offlineMs?: number } = {}): void {
    this.offlineMs = offlineMs;
    this.ws?.close(4000, 'simulated drop');
  }

  /** Sends one protocol message; false when the socket is not open. */
  send(msg: ClientMessage): boolean {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  /**
   * Sends `msg` and resolves with the first server message `match` accepts;
   * rejects with the server's `error` about it (`in_reply_to` its type) as
   * an `RtcError`, or `TIMEOUT`.
   */
  request<M extends ServerMessage>(msg: ClientMessage, match: (m: ServerMessage) => m is M, { timeoutMs = 10_000 } = {}): Promise<M> {
    return new Promise((resolve, reject) => {
      const off = this.on('message', (m) => {
        if (m.type === 'error' && m.in_reply_to === msg.type) {
          done();
          reject(new RtcError(0, m.code, m.message, m.retry_after ?? null));
        } else if (match(m)) {
          done();
          resolve(m);
        }
      });
      const timer = setTimeout(() => {
        done();
        reject(new RtcError(0, 'TIMEOUT', `no answer to ${msg.type} within ${timeoutMs} ms`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        off();
      };
      if (!this.send(msg)) {
        done();
        reject(new RtcError(0, 'NOT_CONNECTED', 'the WebSocket is not open'));
      }
    });
  }

  private setStatus(status: ConnectionStatus, extra: Omit<ConnectionDetail, 'status'> = {}): void {
    this.status = status;
    this.emit('connection', { status, ...extra });
  }

  // ------------------------------------------------------------ messages

  private onMessage(msg: ServerMessage): void {
    if ('seq' in msg && typeof msg.seq === 'number') {
      if (this.lastSequence !== null && msg.seq <= this.lastSequence) return; // already seen
      this.lastSequence = msg.seq;
    }
    this.emit('message', msg);
    switch (msg.type) {
      case 'room-state':
        return this.onRoomState(msg);
      case 'reconnection-detected':
        this.attempt = 0;
        this.setStatus('connected', { resumed: true, missed: msg.missed_message_count });
        // The others were told we joined again and re-create their peer
        // connections; we do the same so both ends start fresh.
        if (this.sfu) this.startMedia();
        else for (const id of [...this.peers.keys()]) this.replacePeer(id);
        return;
      case 'resync-required':
        this.resyncing = true;
        return;
      case 'waiting-room-join':
        if (msg.user_id === this.userId || !this.userId) {
          this.userId = msg.user_id;
          this.setStatus('waiting', { position: msg.position });
          this.joinWaiter?.resolve({ waiting: true, position: msg.position });
          this.joinWaiter = null;
        }
        return this.emit('waiting', msg);
      case 'user-joined':
        return this.onUserJoined(msg.participant);
      case 'user-left':
        this.dropParticipant(msg.user_id);
        this.closePeer(msg.user_id);
        // In SFU rooms the server stops their tracks; their tiles go now.
        if (this.sfu) this.emit('peer-closed', { userId: msg.user_id });
        return this.emit('participant-left', msg);
      case 'participant-reconnecting':
        this.patchParticipant(msg.user_id, { presence: 'reconnecting' });
        return this.emit('participant-reconnecting', msg);
      case 'offer':
      case 'answer':
      case 'ice-candidate':
        if (!this.usePeers) return this.emit('signal', msg);
        return this.peer(msg.from).signal(msg);
      case 'chat-message':
        return this.emit('chat', msg);
      case 'chat-updated':
      case 'chat-deleted':
      case 'chat-reaction':
      case 'chat-read':
        return this.emit(msg.type, msg);
      case 'hand-raise-queue':
        if (this.state) this.state.hand_raise_queue = msg.queue;
        return this.emit('hand-raise-queue', msg);
      case 'media-control':
        this.patchMedia(msg.user_id, msg.kind === 'audio' ? { audio_muted: msg.muted } : { video_muted: msg.muted });
        if (msg.user_id === this.userId && msg.by !== this.userId) this.applyRemoteMute(msg.kind, msg.muted);
        return this.emit('media-control', msg);
      case 'screen-share-control':
        this.patchMedia(msg.user_id, { screen_sharing: msg.active });
        // A moderator stopped our share: take the tracks down too.
        if (msg.user_id === this.userId && !msg.active && this.screenStream) this.dropScreen();
        return this.emit('screen-share-control', msg);
      case 'role-updated':
        this.patchParticipant(msg.user_id, { role: msg.role, permissions: msg.permissions });
        return this.emit('role-updated', msg);
      case 'permission-updated':
        this.patchParticipant(msg.user_id, { permissions: msg.permissions });
        return this.emit('permission-updated', msg);
      case 'participant-update':
        this.onUserJoinedState(msg.participant);
        return this.emit('participant-update', msg);
      case 'room-settings-update': {
        const before = this.mediaMode;
        if (this.state) this.state.settings = msg.settings;
        if (this.mediaMode !== before) this.startMedia();
        return this.emit('room-settings-update', msg);
      }
      case 'media-offer':
      case 'media-answer':
      case 'media-tracks':
        this.sfu?.signal(msg);
        return;
      case 'active-speakers':
        this.activeSpeakers = msg.speakers;
        this.dominantSpeaker = msg.dominant;
        return this.emit('active-speakers', msg);
      case 'quality-update':
        this.quality.set(msg.user_id, msg.quality);
        this.patchParticipant(msg.user_id, { network_stats: msg.stats });
        return this.emit('quality-update', msg);
      case 'error':
        this.lastError = msg;
        return this.emit('server-error', msg);
      case 'file-share-offer':
        if (msg.transfer) {
          return this.emit('file-offer', { mode: 'server', from: msg.from, transferId: msg.transfer_id, transfer: msg.transfer });
        }
        return; // peer-to-peer offers arrive with their metadata on the data channel
      case 'file-share-complete':
        if (msg.transfer && msg.transfer.receiver === this.userId) {
          // Store and forward: the sender may finish before we accept.
          if (this.acceptedFiles.delete(msg.transfer_id)) void this.receiveServerFile(msg.transfer);
          else this.completedFiles.set(msg.transfer_id, msg.transfer);
        }
        return this.emit('file-transfer', msg);
      case 'file-share-accept':
      case 'file-share-reject': {
        // The server takes chunks only once the receiver accepted.
        const waiter = this.acceptWaiters.get(msg.transfer_id);
        const accepted = msg.type === 'file-share-accept';
        if (waiter) waiter(accepted ? null : new RtcError(0, 'FILE_REJECTED', 'the receiver declined the file'));
        else if (accepted && msg.transfer) this.acceptedOut.add(msg.transfer_id);
        return this.emit('file-transfer', msg);
      }
      case 'file-share-progress':
        return this.emit('file-transfer', msg);
      case 'recording_started':
      case 'recording_stopped':
      case 'recording_paused':
      case 'recording_resumed':
      case 'recording_cancelled':
      case 'recording-status':
        return this.emit('recording', msg);
      default:
        this.dispatchEvent(new CustomEvent(msg.type, { detail: msg }));
    }
  }

  private onRoomState(state: RoomState): void {
    const fresh = this.userId === null || this.status === 'waiting' || this.resyncing;
    const resynced = this.resyncing;
    this.resyncing = false;
    this.userId = state.you;
    this.state = state;
    if (typeof state.last_sequence === 'number' && (this.lastSequence === null || state.last_sequence > this.lastSequence)) {
      this.lastSequence = state.last_sequence;
    }
    this.attempt = 0;
    this.setStatus('connected', { resynced: resynced || (!fresh && this.peers.size > 0) });
    this.joinWaiter?.resolve({ waiting: false, state });
    this.joinWaiter = null;
    this.emit('state', state);
    // A full state (first join, resync, admission): fresh media connections.
    this.startMedia();
  }

  /** How the room's media flows (`settings.media_mode`). */
  get mediaMode(): 'mesh' | 'sfu' {
    return this.state?.settings.media_mode ?? 'mesh';
  }

  /** Replaces a failed connection to the media server (called by the link itself). */
  restartSfu(failed: SfuLink): void {
    if (this.sfu !== failed || this.status !== 'connected') return;
    this.emit('peer-error', { userId: 'sfu', error: 'media connection failed; reconnecting' });
    this.startMedia();
  }

  /** (Re)starts our media: one connection to the server in SFU rooms, else one per member. */
  private startMedia(): void {
    for (const id of [...this.peers.keys()]) this.closePeer(id);
    this.sfu?.close();
    this.sfu = null;
    if (!this.usePeers || !this.state) return;
    if (this.mediaMode === 'sfu') {
      this.sfu = new SfuLink(this, this.media);
      return;
    }
    for (const p of this.state.participants) {
      if (p.user_id !== this.userId && p.presence !== 'reconnecting') this.peer(p.user_id);
    }
  }

  private onUserJoinedState(participant: Participant): void {
    if (!this.state) return;
    const list = this.state.participants;
    const i = list.findIndex((p) => p.user_id === participant.user_id);
    if (i >= 0) list[i] = participant;
    else list.push(participant);
  }

  private onUserJoined(participant: Participant): void {
    if (participant.user_id === this.userId) return;
    this.onUserJoinedState(participant);
    // New or returning: either way its old peer connection (if any) is gone.
    if (this.usePeers && this.mediaMode === 'mesh') this.replacePeer(participant.user_id);
    this.emit('participant-joined', { participant });
  }

  private dropParticipant(userId: string): void {
    if (this.state) this.state.participants = this.state.participants.filter((p) => p.user_id !== userId);
    this.quality.delete(userId);
  }

  private patchParticipant(userId: string, patch: Partial<Participant>): void {
    const p = this.participant(userId);
    if (p) Object.assign(p, patch);
  }

  private patchMedia(userId: string, patch: Partial<Participant['media']>): void {
    const p = this.participant(userId);
    if (p) p.media = { ...p.media, ...patch };
  }

  private applyRemoteMute(kind: MediaKind, muted: boolean): void {
    for (const t of this.localStream?.getTracks() ?? []) if (t.kind === kind) t.enabled = !muted;
  }

  /** The participant record of `userId`, if in the room. */
  participant(userId: string): Participant | null {
    return this.state?.participants.find((p) => p.user_id === userId) ?? null;
  }

  // ------------------------------------------------------------ media and peers

  /**
   * Sets the stream to publish (or `null` to publish nothing). Until this is
   * called, offers and candidates from others are queued, not lost: they are
   * answered with our tracks in place.
   */
  setLocalStream(stream: MediaStream | null): void {
    this.localStream = stream;
    this.mediaResolve?.(stream);
    this.mediaResolve = null;
  }

  /** Mutes or unmutes our own audio or video and tells the room. */
  setMuted(kind: MediaKind, muted: boolean): boolean {
    this.applyRemoteMute(kind, muted);
    return this.send({ type: 'media-control', kind, muted });
  }

  private peer(userId: string): Peer {
    let p = this.peers.get(userId);
    if (!p) {
      if (!this.usePeers) throw new RtcError(0, 'NO_PEER_CONNECTIONS', 'this client makes no peer connections (peerConnections: false)');
      p = new Peer(this, userId, this.media);
      this.peers.set(userId, p);
    }
    return p;
  }

  private replacePeer(userId: string): Peer {
    this.closePeer(userId);
    return this.peer(userId);
  }

  private closePeer(userId: string): void {
    const p = this.peers.get(userId);
    if (!p) return;
    p.close();
    this.peers.delete(userId);
    this.emit('peer-closed', { userId });
  }

  /**
   * SFU rooms: asks the server for `userId`'s camera (or with `screen`,
   * screen) at most `width`×`height`: it forwards the smallest simulcast
   * layer that covers it (none given: the largest). `paused` stops the
   * track altogether (a hidden tile). False when we receive no such track.
   */
  setVideoSubscription(userId: string, { width, height, paused = false, screen = false }: { width?: number; height?: number; paused?: boolean; screen?: boolean }): boolean {
    const wanted = screen ? 'screen' : 'camera';
    const track = [...(this.sfu?.tracks.values() ?? [])].find((t) => t.user_id === userId && t.kind === 'video' && t.source === wanted);
    if (!track) return false;
    return this.send({ type: 'subscription-update', tracks: [{ mid: track.mid, width, height, paused }] });
  }

  /** `RTCStatsReport` of the connection to `userId` (in SFU rooms: of the server connection, with only `userId`'s inbound tracks), or null. */
  async stats(userId: string): Promise<RTCStatsReport | null> {
    if (this.sfu) return this.sfu.statsOf(userId);
    return (await this.peers.get(userId)?.pc.getStats()) ?? null;
  }

  /**
   * `userId`'s camera stream and screen-share stream, as far as they
   * arrived; the screen only while the room says they share it.
   */
  remoteStreams(userId: string): { camera: MediaStream | null; screen: MediaStream | null } {
    const sharing = this.participant(userId)?.media.screen_sharing ?? false;
    if (this.sfu) {
      const screen = this.sfu.streams.get(`${userId}/screen`) ?? null;
      return { camera: this.sfu.streams.get(`${userId}/camera`) ?? null, screen: sharing ? screen : null };
    }
    const p = this.peers.get(userId);
    let camera: MediaStream | null = null;
    let screen: MediaStream | null = null;
    for (const s of p?.streams.values() ?? []) {
      if (!p!.screenStreamIds.has(s.id)) camera ??= s;
      else if (sharing) screen = s;
    }
    return { camera, screen };
  }

  // ------------------------------------------------------------ screen sharing

  /**
   * Shares `stream` (from `getDisplayMedia`). Announces it first with
   * `screen-share-control start` and waits for the server's consent (it
   * refuses without `can_share_screen` or when the room disallows it: an
   * `RtcError` such as `SCREEN_SHARE_NOT_ALLOWED`), since the server checks
   * every offered video section against that announcement; then adds the
   * tracks to every peer connection. Ending the track stops the share.
   */
  async shareScreen(stream: MediaStream): Promise<void> {
    if (this.screenStream) await this.stopScreenShare();
    await this.request(
      { type: 'screen-share-control', action: 'start' },
      (m): m is Extract<ServerMessage, { type: 'screen-share-control' }> => m.type === 'screen-share-control' && m.user_id === this.userId && m.active,
    );
    this.screenStream = stream;
    for (const p of this.peers.values()) p.addScreen(stream);
    this.sfu?.addScreen(stream);
    stream.getVideoTracks()[0]?.addEventListener('ended', () => void this.stopScreenShare(), { once: true });
  }

  /** Stops our screen share: the tracks leave every connection, then the room is told. */
  async stopScreenShare(): Promise<void> {
    if (!this.screenStream) return;
    this.dropScreen();
    this.send({ type: 'screen-share-control', action: 'stop' });
  }

  private dropScreen(): void {
    const stream = this.screenStream;
    if (!stream) return;
    this.screenStream = null;
    for (const p of this.peers.values()) p.removeScreen(stream);
    this.sfu?.removeScreen();
    for (const t of stream.getTracks()) t.stop();
  }

  // ------------------------------------------------------------ quality

  /** Sends our network figures (`network-stats`); the server answers changes of class with `quality-update`. */
  sendNetworkStats(stats: NetworkStats): boolean {
    return this.send({ type: 'network-stats', ...stats });
  }

  /** Network figures over our connected peer connections (`getStats()`), or null without one. */
  async collectNetworkStats(): Promise<NetworkStats | null> {
    const reports: RTCStatsReport[] = [];
    for (const p of this.peers.values()) {
      if (p.pc.connectionState === 'connected') reports.push(await p.pc.getStats());
    }
    if (this.sfu?.pc.connectionState === 'connected') reports.push(await this.sfu.pc.getStats());
    return networkStatsFrom(reports, this.lossCounters);
  }

  /** Every `intervalMs` (default 5 s), collects and sends our network figures. Returns a function that stops it. */
  startNetworkStats({ intervalMs = 5000 }: { intervalMs?: number } = {}): () => void {
    this.stopNetworkStats();
    const tick = async () => {
      const stats = await this.collectNetworkStats().catch(() => null);
      if (stats) this.sendNetworkStats(stats);
    };
    this.statsTimer = setInterval(() => void tick(), intervalMs);
    void tick();
    return () => this.stopNetworkStats();
  }

  /** Stops the reports of `startNetworkStats`. */
  stopNetworkStats(): void {
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.statsTimer = null;
  }

  // ------------------------------------------------------------ room actions

  /** Sends a chat message to the room, or privately with `{ to }`; with `{ replyTo }`, as a reply to that message (its thread's first message). */
  sendChat(message: string, { to, replyTo }: { to?: string; replyTo?: string } = {}): boolean {
    return this.send({ type: 'chat-message', message, ...(to ? { to } : {}), ...(replyTo ? { reply_to: replyTo } : {}) });
  }

  /** Changes the text of our message `messageId` (within the server's edit window). */
  editChat(messageId: string, message: string): boolean {
    return this.send({ type: 'chat-edit', message_id: messageId, message });
  }

  /** Deletes message `messageId`: our own within the edit window, anyone's as a moderator. */
  deleteChat(messageId: string): boolean {
    return this.send({ type: 'chat-delete', message_id: messageId });
  }

  /** Tells the room (or, with `to`, one user) that we are typing, or stopped. Never stored; send it at most every few seconds. */
  setTyping(active: boolean, { to }: { to?: string } = {}): boolean {
    return this.send(to ? { type: 'typing', active, to } : { type: 'typing', active });
  }

  /** Raises or lowers our hand. */
  raiseHand(raised = true): boolean {
    return this.send({ type: 'hand-raise', raised });
  }

  /** Sends a passing emoji reaction to the room. */
  react(emoji: string): boolean {
    return this.send({ type: 'reaction', emoji });
  }

  /** Marks the chat read up to message `messageId` (a mark only moves forward). */
  markRead(messageId: string): boolean {
    return this.send({ type: 'chat-read', message_id: messageId });
  }

  /**
   * Adds (or, with `active: false`, takes back) a reaction kept on chat
   * message `messageId`; everyone who can see the message gets `chat-reaction`.
   */
  reactToMessage(messageId: string, emoji: string, active = true): boolean {
    return this.send(active ? { type: 'reaction', emoji, message_id: messageId } : { type: 'reaction', emoji, message_id: messageId, active });
  }

  /** Mutes someone's microphone or camera (moderators; only they can unmute). */
  muteParticipant(userId: string, kind: MediaKind = 'audio'): boolean {
    return this.send({ type: 'media-control', kind, muted: true, target: userId });
  }

  /** Stops someone's screen share (moderators). */
  stopScreenShareOf(userId: string): boolean {
    return this.send({ type: 'screen-share-control', action: 'stop', target: userId });
  }

  /** Lowers someone's hand (moderators). */
  lowerHand(userId: string): boolean {
    return this.send({ type: 'hand-raise', raised: false, target: userId });
  }

  // ------------------------------------------------------------ files

  /**
   * Sends a file to `to`. `mode: 'server'` (default) offers it, waits for the
   * receiver to accept (the server refuses chunks before that), then uploads
   * each chunk with its SHA-256 so the server stores only verified chunks;
   * `mode: 'p2p'` streams it over the data channel of our peer connection.
   * Progress comes as `file-progress` events; resolves with the transfer id.
   */
  async sendFile(
    file: Blob & { name?: string },
    { to, mode = 'server', chunkSize = 256 * 1024 }: { to: string; mode?: 'server' | 'p2p'; chunkSize?: number },
  ): Promise<string> {
    const sha256 = await sha256Hex(file);
    if (mode === 'p2p') return this.peer(to).sendFile(file, sha256);
    const t = await this.offerFile({
      receiver: to,
      file_name: file.name ?? 'file',
      file_size: file.size,
      file_type: file.type || 'application/octet-stream',
      sha256,
      chunk_size: chunkSize,
    });
    const id = t.transfer_id;
    this.emit('file-progress', { transferId: id, mode: 'server', direction: 'send', to, sent: 0, size: file.size, waiting: true });
    await this.awaitAccept(id);
    await this.uploadChunks(file, t, [...Array(Math.max(1, t.total_chunks)).keys()], to);
    return id;
  }

  /** Uploads what the server still lacks of our transfer `transferId` (after an interruption). */
  async resumeFileUpload(file: Blob, transferId: string): Promise<void> {
    const m = await this.missingChunks(transferId);
    const t = await this.transferProgress(transferId);
    await this.uploadChunks(file, { ...t, chunk_size: m.chunk_size }, m.missing, t.receiver);
  }

  private async uploadChunks(file: Blob, t: Pick<Transfer, 'transfer_id' | 'chunk_size'>, indexes: number[], to: string): Promise<void> {
    const size = t.chunk_size;
    for (const i of indexes) {
      const chunk = await file.slice(i * size, Math.min(file.size, (i + 1) * size)).arrayBuffer();
      await this.uploadFileChunk(t.transfer_id, i, chunk, await sha256Hex(chunk));
      this.emit('file-progress', {
        transferId: t.transfer_id,
        mode: 'server',
        direction: 'send',
        to,
        sent: Math.min(file.size, (i + 1) * size),
        size: file.size,
      });
    }
  }

  /**
   * Resolves when the receiver accepted our server transfer `id`, rejects if
   * they declined or it ended. The `file-share-accept` message settles it; a
   * poll of the transfer every few seconds covers a message missed across a
   * reconnect.
   */
  private awaitAccept(id: string): Promise<void> {
    if (this.acceptedOut.delete(id)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const done = (err: Error | null) => {
        clearInterval(timer);
        this.acceptWaiters.delete(id);
        if (err) reject(err);
        else resolve();
      };
      this.acceptWaiters.set(id, done);
      const timer = setInterval(async () => {
        try {
          const t = await this.transferProgress(id);
          if (t.state === 'active') done(null);
          else if (['rejected', 'cancelled', 'failed'].includes(t.state)) done(new RtcError(0, 'FILE_REJECTED', `the transfer was ${t.state}`));
        } catch {
          // the next poll tries again
        }
      }, 5000);
    });
  }

  /**
   * Accepts an incoming file offer. A peer-to-peer file then streams in; a
   * server file is downloaded and checked as soon as the sender's upload is
   * complete (which may already be the case), unless `autoDownload` is off
   * (then call `downloadFile`). Either way `file-received` follows, with
   * `verified` telling whether the SHA-256 matched the offer.
   */
  async acceptFile(transferId: string): Promise<void> {
    const p2p = [...this.peers.values()].find((p) => p.incoming.has(transferId));
    if (p2p) return p2p.acceptFile(transferId);
    const done = this.completedFiles.get(transferId);
    if (done) {
      this.completedFiles.delete(transferId);
      await this.transferAction(transferId, 'accept').catch(() => null);
      return this.receiveServerFile(done);
    }
    if (this.autoDownload) this.acceptedFiles.add(transferId);
    await this.transferAction(transferId, 'accept');
  }

  /** Declines an incoming file offer. */
  async rejectFile(transferId: string): Promise<void> {
    const p2p = [...this.peers.values()].find((p) => p.incoming.has(transferId));
    if (p2p) return p2p.rejectFile(transferId);
    await this.transferAction(transferId, 'reject');
  }

  private async receiveServerFile(transfer: Transfer): Promise<void> {
    try {
      const blob = await this.downloadFile(transfer.transfer_id);
      const sha256 = await sha256Hex(blob);
      this.emit('file-received', {
        mode: 'server',
        from: transfer.sender,
        transferId: transfer.transfer_id,
        name: transfer.file_name,
        blob,
        sha256,
        verified: sha256 === transfer.sha256,
      });
    } catch (e) {
      this.emit('file-failed', { transferId: transfer.transfer_id, error: String(e) });
    }
  }

  // ------------------------------------------------------------ recording

  /**
   * Starts a client recording of `stream` (default: our local stream) with
   * a `MediaRecorder` whose chunks are uploaded in order as they come (for
   * the server's composite of an SFU room, see `createRecording`).
   * Resolves with a handle whose `stop()` uploads the last chunk, then stops
   * the recording (the server refuses chunks after stop); the server then
   * transcodes it (`recording` events; `waitForRecording` polls until done).
   */
  async startRecording({
    stream = this.localStream,
    format = 'webm',
    quality = 'medium',
    timeslice = 1000,
  }: { stream?: MediaStream | null; format?: RecordingFormat; quality?: RecordingQuality; timeslice?: number } = {}): Promise<RecordingHandle> {
    if (!stream) throw new RtcError(0, 'VALIDATION_ERROR', 'no stream to record');
    const rec = await this.createRecording({ format, quality, source: 'client' });
    const id = rec.recording_id;
    const mime = ['video/webm;codecs=vp8,opus', 'video/webm;codecs=vp8', 'video/webm'].find((m) => MediaRecorder.isTypeSupported(m));
    const recorder = new MediaRecorder(stream, mime ? { mimeType: mime } : undefined);
    let seq = 0;
    let uploads = Promise.resolve();
    let failure: unknown = null;
    recorder.ondataavailable = (e) => {
      if (!e.data.size) return;
      const n = seq++;
      uploads = uploads.then(async () => {
        try {
          await this.uploadRecordingChunk(id, n, await e.data.arrayBuffer());
          this.emit('recording-upload', { recordingId: id, sequence: n, bytes: e.data.size });
        } catch (err) {
          failure ??= err;
        }
      });
    };
    const stopped = new Promise((r) => (recorder.onstop = r));
    recorder.start(timeslice);
    return {
      id,
      recorder,
      stop: async () => {
        if (recorder.state !== 'inactive') recorder.stop();
        await stopped;
        await uploads;
        if (failure) throw failure;
        return this.stopRecording(id);
      },
    };
  }
}
