// rtc-client.js: the browser client of the rtc-server signaling protocol.
// An ES module without dependencies; documented in docs/client.md.
//
//   import { RtcClient } from '/client/rtc-client.js';
//   const client = new RtcClient({ room: 'standup', token });
//   client.addEventListener('remote-stream', (e) => show(e.detail.userId, e.detail.stream));
//   await client.connect();                 // joins; media may come later
//   client.setLocalStream(await navigator.mediaDevices.getUserMedia({ video: true, audio: true }));

const CHUNK_DC = 16 * 1024; // data-channel message size for peer-to-peer files
const DC_HIGH_WATER = 1024 * 1024; // pause sending above this many buffered bytes
const TERMINAL_CLOSE = new Set([4401, 4403, 4404, 4409, 4410]); // refused, banned, replaced, room closed: do not retry

/** Hex SHA-256 of an ArrayBuffer or Blob (needs a secure context: https or localhost). */
export async function sha256Hex(data) {
  const buf = data instanceof Blob ? await data.arrayBuffer() : data;
  const digest = await crypto.subtle.digest('SHA-256', buf);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** A failed REST call: `code` is the server's stable error code (docs/errors.md). */
export class RtcError extends Error {
  constructor(status, code, message) {
    super(`${code}: ${message}`);
    this.status = status;
    this.code = code;
  }
}

/** Asks a server that allows it (RTC_DEV_TOKENS) for a development token. */
export async function fetchDevToken(baseUrl, { name, room } = {}) {
  const res = await fetch(new URL('/webrtc/dev/token', baseUrl), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, room }),
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) throw new RtcError(res.status, body.error?.code ?? 'HTTP_' + res.status, body.error?.message ?? '');
  return body;
}

/**
 * One participant's view of one room: the signaling WebSocket (with
 * reconnection and replay), a mesh of RTCPeerConnections, chat, hand raise,
 * files (through the server or peer to peer) and recording.
 *
 * Events (all `CustomEvent`s, payload in `detail`): see docs/client.md.
 */
export class RtcClient extends EventTarget {
  /**
   * @param {object} opts
   * @param {string} opts.room            room id
   * @param {string} [opts.token]         JWT; or give `getToken`
   * @param {() => Promise<string>} [opts.getToken] called before every (re)connect
   * @param {string} [opts.baseUrl]       server origin, default `location.origin`
   * @param {RTCIceServer[]} [opts.iceServers] default: fetched from `/webrtc/config`
   * @param {boolean} [opts.waitForMedia=true] hold peer negotiation until
   *   `setLocalStream` is called, so no offer is answered without our tracks
   */
  constructor(opts) {
    super();
    this.room = opts.room;
    this.baseUrl = opts.baseUrl ?? globalThis.location?.origin;
    this.token = opts.token ?? null;
    this.getToken = opts.getToken ?? null;
    this.iceServers = opts.iceServers ?? null;
    this.userId = null;
    this.lastSequence = null;
    this.state = null; // the latest room-state, kept current by events
    this.status = 'idle'; // idle | connecting | connected | waiting | reconnecting | closed
    this.peers = new Map(); // user id -> Peer
    this.localStream = null;
    this.ws = null;
    this.attempt = 0;
    this.closedByUser = false;
    this.acceptedFiles = new Set(); // server transfers we accepted
    this.completedFiles = new Map(); // server transfers complete before we accepted
    this._acceptWaiters = new Map(); // our server transfers waiting for the receiver: id -> done(err)
    this._acceptedOut = new Set(); // our server transfers accepted before we started waiting
    this._mediaResolve = null;
    this._media = new Promise((r) => (this._mediaResolve = r));
    if (opts.waitForMedia === false) this.setLocalStream(null);
  }

  // ------------------------------------------------------------ connection

  /** Opens the WebSocket and resolves once joined (or placed in the waiting room). */
  async connect() {
    this.closedByUser = false;
    if (!this.iceServers) {
      try {
        const cfg = await this.api('GET', '/webrtc/config');
        this.iceServers = cfg.iceServers;
      } catch {
        this.iceServers = [];
      }
    }
    return new Promise((resolve, reject) => {
      this._joinWaiter = { resolve, reject };
      this._open();
    });
  }

  async _open() {
    this._setStatus(this.lastSequence === null ? 'connecting' : 'reconnecting');
    if (this.getToken) this.token = await this.getToken();
    const url = new URL(`/webrtc/ws/${encodeURIComponent(this.room)}`, this.baseUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.searchParams.set('token', this.token);
    if (this.lastSequence !== null) url.searchParams.set('last_sequence', String(this.lastSequence));
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onmessage = (e) => {
      if (ws !== this.ws) return;
      let msg;
      try {
        msg = JSON.parse(e.data);
      } catch {
        return;
      }
      this._onMessage(msg);
    };
    ws.onclose = (e) => {
      if (ws !== this.ws) return;
      this._onClose(e.code, e.reason);
    };
  }

  _onClose(code, reason) {
    this.ws = null;
    if (this.closedByUser) return this._setStatus('closed');
    // The handshake was refused (bad token, banned...) or our seat was taken over.
    if (TERMINAL_CLOSE.has(code) || (this.status === 'connecting' && this.lastSequence === null)) {
      this._setStatus('closed', { code, reason });
      this._joinWaiter?.reject(new RtcError(0, this._lastError?.code ?? 'CONNECTION_CLOSED', reason || `closed ${code}`));
      this._joinWaiter = null;
      return;
    }
    this.attempt += 1;
    let delay = Math.min(10_000, 250 * 2 ** Math.min(this.attempt, 6)) * (0.8 + Math.random() * 0.4);
    if (this._offlineMs !== undefined) delay = this._offlineMs;
    this._offlineMs = undefined;
    this._setStatus('reconnecting', { attempt: this.attempt, delay_ms: Math.round(delay), code });
    setTimeout(() => this._open(), delay);
  }

  /** Leaves the room (a goodbye: others see `user-left` at once). */
  leave() {
    this.closedByUser = true;
    for (const p of this.peers.values()) p.close();
    this.peers.clear();
    this.ws?.close(1000, 'bye');
    this._setStatus('closed');
  }

  /**
   * Drops the WebSocket as a lost network would (close code 4000, not a
   * goodbye); the client reconnects after `offlineMs` (or its usual backoff)
   * and replays what it missed.
   */
  simulateDrop({ offlineMs } = {}) {
    this._offlineMs = offlineMs;
    this.ws?.close(4000, 'simulated drop');
  }

  /** Sends one protocol message; false when the socket is not open. */
  send(msg) {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(msg));
    return true;
  }

  _setStatus(status, extra = {}) {
    this.status = status;
    this._emit('connection', { status, ...extra });
  }

  _emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  // ------------------------------------------------------------ messages

  _onMessage(msg) {
    if (typeof msg.seq === 'number') {
      if (this.lastSequence !== null && msg.seq <= this.lastSequence) return; // already seen
      this.lastSequence = msg.seq;
    }
    this._emit('message', msg);
    switch (msg.type) {
      case 'room-state':
        return this._onRoomState(msg);
      case 'reconnection-detected':
        this.attempt = 0;
        this._setStatus('connected', { resumed: true, missed: msg.missed_message_count });
        // The others were told we joined again and re-create their peer
        // connections; we do the same so both ends start fresh.
        for (const id of [...this.peers.keys()]) this._replacePeer(id);
        return;
      case 'resync-required':
        this._resyncing = true;
        return;
      case 'waiting-room-join':
        if (msg.user_id === this.userId || !this.userId) {
          this._setStatus('waiting', { position: msg.position });
          this._joinWaiter?.resolve({ waiting: true, position: msg.position });
          this._joinWaiter = null;
        }
        return this._emit('waiting', msg);
      case 'user-joined':
        return this._onUserJoined(msg.participant);
      case 'user-left':
        this._dropParticipant(msg.user_id);
        this._closePeer(msg.user_id);
        return this._emit('participant-left', msg);
      case 'participant-reconnecting':
        this._patchParticipant(msg.user_id, { presence: 'reconnecting' });
        return this._emit('participant-reconnecting', msg);
      case 'offer':
      case 'answer':
      case 'ice-candidate':
        return this._peer(msg.from).signal(msg);
      case 'chat-message':
        return this._emit('chat', msg);
      case 'hand-raise-queue':
        if (this.state) this.state.hand_raise_queue = msg.queue;
        return this._emit('hand-raise-queue', msg);
      case 'media-control':
        this._patchMedia(msg.user_id, msg.kind === 'audio' ? { audio_muted: msg.muted } : { video_muted: msg.muted });
        if (msg.user_id === this.userId && msg.by !== this.userId) this._applyRemoteMute(msg);
        return this._emit('media-control', msg);
      case 'role-updated':
        this._patchParticipant(msg.user_id, { role: msg.role, permissions: msg.permissions });
        return this._emit('role-updated', msg);
      case 'error':
        this._lastError = msg;
        return this._emit('server-error', msg);
      case 'file-share-offer':
        if (msg.transfer) {
          return this._emit('file-offer', { mode: 'server', from: msg.from, transferId: msg.transfer_id, transfer: msg.transfer });
        }
        return; // peer-to-peer offers arrive with their metadata on the data channel
      case 'file-share-complete':
        if (msg.transfer && msg.transfer.receiver === this.userId) {
          // Store and forward: the sender may finish before we accept.
          if (this.acceptedFiles.delete(msg.transfer_id)) this._downloadServerFile(msg.transfer);
          else this.completedFiles.set(msg.transfer_id, msg.transfer);
        }
        return this._emit('file-transfer', msg);
      case 'file-share-accept':
      case 'file-share-reject': {
        // The server takes chunks only once the receiver accepted.
        const waiter = this._acceptWaiters.get(msg.transfer_id);
        const accepted = msg.type === 'file-share-accept';
        if (waiter) waiter(accepted ? null : new Error('the receiver declined the file'));
        else if (accepted && msg.transfer) this._acceptedOut.add(msg.transfer_id);
        return this._emit('file-transfer', msg);
      }
      case 'file-share-progress':
        return this._emit('file-transfer', msg);
      default:
        if (msg.type?.startsWith('recording')) return this._emit('recording', msg);
        return this._emit(msg.type, msg);
    }
  }

  _onRoomState(state) {
    const fresh = this.userId === null || this._resyncing;
    this._resyncing = false;
    this.userId = state.you;
    this.state = state;
    if (typeof state.last_sequence === 'number' && (this.lastSequence === null || state.last_sequence > this.lastSequence)) {
      this.lastSequence = state.last_sequence;
    }
    this.attempt = 0;
    this._setStatus('connected', { resynced: !fresh || this.peers.size > 0 });
    this._joinWaiter?.resolve({ waiting: false, state });
    this._joinWaiter = null;
    this._emit('state', state);
    // A full state (first join, resync, admission): one fresh peer connection per member.
    for (const id of [...this.peers.keys()]) this._closePeer(id);
    for (const p of state.participants) {
      if (p.user_id !== this.userId && p.presence !== 'reconnecting') this._peer(p.user_id);
    }
  }

  _onUserJoined(participant) {
    if (participant.user_id === this.userId) return;
    if (this.state) {
      const list = this.state.participants;
      const i = list.findIndex((p) => p.user_id === participant.user_id);
      if (i >= 0) list[i] = participant;
      else list.push(participant);
    }
    // New or returning: either way its old peer connection (if any) is gone.
    this._replacePeer(participant.user_id);
    this._emit('participant-joined', { participant });
  }

  _dropParticipant(userId) {
    if (!this.state) return;
    this.state.participants = this.state.participants.filter((p) => p.user_id !== userId);
  }

  _patchParticipant(userId, patch) {
    const p = this.state?.participants.find((x) => x.user_id === userId);
    if (p) Object.assign(p, patch);
  }

  _patchMedia(userId, patch) {
    const p = this.state?.participants.find((x) => x.user_id === userId);
    if (p) p.media = { ...p.media, ...patch };
  }

  _applyRemoteMute(msg) {
    for (const t of this.localStream?.getTracks() ?? []) if (t.kind === msg.kind) t.enabled = !msg.muted;
  }

  /** The participant record of `userId`, if in the room. */
  participant(userId) {
    return this.state?.participants.find((p) => p.user_id === userId) ?? null;
  }

  // ------------------------------------------------------------ media and peers

  /**
   * Sets the stream to publish (or `null` to publish nothing). Until this is
   * called, offers and candidates from others are queued, not lost: they are
   * answered with our tracks in place.
   */
  setLocalStream(stream) {
    this.localStream = stream;
    this._mediaResolve?.(stream);
    this._mediaResolve = null;
  }

  /** Mutes or unmutes our own audio or video and tells the room. */
  setMuted(kind, muted) {
    for (const t of this.localStream?.getTracks() ?? []) if (t.kind === kind) t.enabled = !muted;
    this.send({ type: 'media-control', kind, muted });
  }

  _peer(userId) {
    let p = this.peers.get(userId);
    if (!p) {
      p = new Peer(this, userId);
      this.peers.set(userId, p);
    }
    return p;
  }

  _replacePeer(userId) {
    this._closePeer(userId);
    return this._peer(userId);
  }

  _closePeer(userId) {
    const p = this.peers.get(userId);
    if (!p) return;
    p.close();
    this.peers.delete(userId);
    this._emit('peer-closed', { userId });
  }

  /** `RTCStatsReport` of the connection to `userId`, or null. */
  async stats(userId) {
    return (await this.peers.get(userId)?.pc.getStats()) ?? null;
  }

  // ------------------------------------------------------------ room actions

  /** Sends a chat message to the room, or privately with `{ to }`. */
  sendChat(message, { to } = {}) {
    return this.send(to ? { type: 'chat-message', message, to } : { type: 'chat-message', message });
  }

  /** Raises or lowers our hand. */
  raiseHand(raised = true) {
    return this.send({ type: 'hand-raise', raised });
  }

  /** Sends an emoji reaction. */
  react(emoji) {
    return this.send({ type: 'reaction', emoji });
  }

  /** Chat history, newest first: `{messages, next_cursor}`. */
  chatHistory({ limit = 50, before } = {}) {
    const q = new URLSearchParams({ limit: String(limit) });
    if (before) q.set('before', before);
    return this.api('GET', `/webrtc/rooms/${encodeURIComponent(this.room)}/chat?${q}`);
  }

  /** An authenticated REST call; rejects with `RtcError` carrying the server's code. */
  async api(method, path, body, { raw = false, headers = {} } = {}) {
    const h = { ...headers };
    if (this.token) h.Authorization = `Bearer ${this.token}`;
    let payload = body;
    if (body !== undefined && !(body instanceof Blob) && !(body instanceof ArrayBuffer) && !ArrayBuffer.isView(body)) {
      h['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await fetch(new URL(path, this.baseUrl), { method, headers: h, body: payload });
    if (!res.ok) {
      const err = await res.json().catch(() => ({}));
      throw new RtcError(res.status, err.error?.code ?? `HTTP_${res.status}`, err.error?.message ?? res.statusText);
    }
    if (raw) return res;
    return res.status === 204 ? null : res.json();
  }

  // ------------------------------------------------------------ files

  /**
   * Sends a file to `to`. `mode: 'server'` (default) offers it, waits for the
   * receiver to accept (the server refuses chunks before that), then uploads
   * verified chunks through the server's transfer API;
   * `mode: 'p2p'` streams it over the data channel of our peer connection.
   * Progress comes as `file-progress` events; resolves with the transfer id.
   */
  async sendFile(file, { to, mode = 'server', chunkSize = 256 * 1024 } = {}) {
    const sha256 = await sha256Hex(file);
    if (mode === 'p2p') return this._peer(to).sendFile(file, sha256);
    const base = `/webrtc/rooms/${encodeURIComponent(this.room)}/file-transfer`;
    const t = await this.api('POST', `${base}/offer`, {
      receiver: to,
      file_name: file.name,
      file_size: file.size,
      file_type: file.type || 'application/octet-stream',
      sha256,
      chunk_size: chunkSize,
    });
    const id = t.transfer_id;
    this._emit('file-progress', { transferId: id, mode: 'server', direction: 'send', to, sent: 0, size: file.size, waiting: true });
    await this._awaitAccept(base, id);
    const size = t.chunk_size ?? chunkSize;
    const total = Math.max(1, Math.ceil(file.size / size));
    for (let i = 0; i < total; i++) {
      const chunk = await file.slice(i * size, Math.min(file.size, (i + 1) * size)).arrayBuffer();
      const hash = await sha256Hex(chunk);
      await this.api('PUT', `${base}/${id}/chunks/${i}`, chunk, {
        headers: { 'X-Chunk-Sha256': hash, 'Content-Type': 'application/octet-stream' },
      });
      this._emit('file-progress', { transferId: id, mode: 'server', direction: 'send', to, sent: Math.min(file.size, (i + 1) * size), size: file.size });
    }
    return id;
  }

  /**
   * Resolves when the receiver accepted our server transfer `id`, rejects if
   * they declined or it ended. The `file-share-accept` message settles it; a
   * poll of the transfer every few seconds covers a message missed across a
   * reconnect.
   */
  _awaitAccept(base, id) {
    if (this._acceptedOut.delete(id)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      let timer = null;
      const done = (err) => {
        clearInterval(timer);
        this._acceptWaiters.delete(id);
        if (err) reject(err);
        else resolve();
      };
      this._acceptWaiters.set(id, done);
      timer = setInterval(async () => {
        try {
          const t = await this.api('GET', `${base}/${id}/progress`);
          if (t.state === 'active') done(null);
          else if (['rejected', 'cancelled', 'failed'].includes(t.state)) done(new Error(`the transfer was ${t.state}`));
        } catch {
          // the next poll tries again
        }
      }, 5000);
    });
  }

  /**
   * Accepts an incoming file offer. A peer-to-peer file then streams in; a
   * server file is downloaded and checked as soon as the sender's upload is
   * complete (which may already be the case). Either way `file-received`
   * follows, with `verified` telling whether the SHA-256 matched the offer.
   */
  async acceptFile(transferId) {
    const p2p = [...this.peers.values()].find((p) => p.incoming.has(transferId));
    if (p2p) return p2p.acceptFile(transferId);
    const done = this.completedFiles.get(transferId);
    if (done) {
      this.completedFiles.delete(transferId);
      return this._downloadServerFile(done);
    }
    this.acceptedFiles.add(transferId);
    return this.api('POST', `/webrtc/rooms/${encodeURIComponent(this.room)}/file-transfer/${transferId}/accept`);
  }

  /** Declines an incoming file offer. */
  async rejectFile(transferId) {
    const p2p = [...this.peers.values()].find((p) => p.incoming.has(transferId));
    if (p2p) return p2p.rejectFile(transferId);
    return this.api('POST', `/webrtc/rooms/${encodeURIComponent(this.room)}/file-transfer/${transferId}/reject`);
  }

  async _downloadServerFile(transfer) {
    try {
      const path = `/webrtc/rooms/${encodeURIComponent(this.room)}/file-transfer/${transfer.transfer_id}/download`;
      const res = await this.api('GET', path, undefined, { raw: true });
      const blob = await res.blob();
      const sha256 = await sha256Hex(blob);
      this._emit('file-received', {
        mode: 'server',
        from: transfer.sender,
        transferId: transfer.transfer_id,
        name: transfer.file_name,
        blob,
        sha256,
        verified: sha256 === transfer.sha256,
      });
    } catch (e) {
      this._emit('file-failed', { transferId: transfer.transfer_id, error: String(e) });
    }
  }

  // ------------------------------------------------------------ recording

  /**
   * Starts a server recording of `stream` (default: our local stream):
   * MediaRecorder chunks are uploaded as they come. Resolves with a handle
   * whose `stop()` uploads the last chunk, stops the recording and resolves
   * with the recording record; the server then transcodes it
   * (`recording` events; `waitForRecording` polls until done).
   */
  async startRecording({ stream = this.localStream, format = 'webm', quality = 'medium', timeslice = 1000 } = {}) {
    const base = `/webrtc/rooms/${encodeURIComponent(this.room)}/recordings`;
    const rec = await this.api('POST', `${base}/start`, { format, quality });
    const id = rec.recording_id;
    const mime = ['video/webm;codecs=vp8,opus', 'video/webm;codecs=vp8', 'video/webm'].find((m) => MediaRecorder.isTypeSupported(m));
    const recorder = new MediaRecorder(stream, mime ? { mimeType: mime } : undefined);
    let seq = 0;
    let uploads = Promise.resolve();
    let failure = null;
    recorder.ondataavailable = (e) => {
      if (!e.data.size) return;
      const n = seq++;
      uploads = uploads.then(async () => {
        try {
          await this.api('PUT', `${base}/${id}/chunks/${n}`, await e.data.arrayBuffer(), {
            headers: { 'Content-Type': 'application/octet-stream' },
          });
          this._emit('recording-upload', { recordingId: id, sequence: n, bytes: e.data.size });
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
        return this.api('POST', `${base}/${id}/stop`);
      },
    };
  }

  /** Polls a recording until it is completed or failed; resolves with it. */
  async waitForRecording(id, { timeoutMs = 120_000, intervalMs = 500 } = {}) {
    const base = `/webrtc/rooms/${encodeURIComponent(this.room)}/recordings/${id}`;
    const end = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.api('GET', `${base}/status`);
      if (r.status === 'completed' || r.status === 'failed' || r.status === 'cancelled') return r;
      if (Date.now() > end) throw new RtcError(0, 'TIMEOUT', `recording still ${r.status}`);
      await new Promise((res) => setTimeout(res, intervalMs));
    }
  }

  /** An expiring download link of a processed recording (no token needed). */
  recordingLink(id, { user, expiresIn = 3600 } = {}) {
    const q = new URLSearchParams({ expires_in: String(expiresIn) });
    if (user) q.set('user', user);
    return this.api('GET', `/webrtc/rooms/${encodeURIComponent(this.room)}/recordings/${id}/link?${q}`);
  }
}

/**
 * One RTCPeerConnection to one other participant, negotiated with the
 * "perfect negotiation" pattern: both ends may offer; on a collision the
 * polite end (the smaller user id) yields. Signaling for this peer runs in
 * order on one queue, which first waits for our local media.
 */
class Peer {
  constructor(client, userId) {
    this.client = client;
    this.userId = userId;
    this.polite = client.userId < userId;
    this.makingOffer = false;
    this.ignoreOffer = false;
    this.answerPending = false;
    this.closed = false;
    this.incoming = new Map(); // p2p transfers offered to us
    this.outgoing = new Map(); // p2p transfers we offered: id -> {resolve, reject}
    this.receiving = null; // the accepted incoming transfer being received
    const pc = new RTCPeerConnection({ iceServers: client.iceServers ?? [] });
    this.pc = pc;
    this.stream = null;
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) client.send({ type: 'ice-candidate', target: userId, candidate: candidate.toJSON() });
    };
    pc.onnegotiationneeded = async () => {
      try {
        this.makingOffer = true;
        await pc.setLocalDescription();
        client.send({ type: pc.localDescription.type, target: userId, sdp: pc.localDescription.sdp });
      } catch (e) {
        client._emit('peer-error', { userId, error: String(e) });
      } finally {
        this.makingOffer = false;
      }
    };
    pc.ontrack = ({ track, streams }) => {
      this.stream = streams[0] ?? this.stream ?? new MediaStream();
      if (!streams[0]) this.stream.addTrack(track);
      client._emit('remote-stream', { userId, stream: this.stream, track });
    };
    pc.onconnectionstatechange = () => {
      client._emit('peer-state', { userId, state: pc.connectionState });
      if (pc.connectionState === 'failed') pc.restartIce();
    };
    // The impolite end opens the data channel; the polite end receives it.
    // (Both opening one would put an SCTP section into both first offers, and
    // Chromium rejects the data channel after the polite end rolls its
    // offer back.)
    this.dc = null;
    this._dc = new Promise((resolve) => (this._dcResolve = resolve));
    if (this.polite) pc.ondatachannel = ({ channel }) => this._attachChannel(channel);
    else this._attachChannel(pc.createDataChannel('rtc'));
    // Our tracks go in before anything from this peer is handled.
    this.queue = client._media.then((stream) => {
      if (this.closed || !stream) return;
      for (const track of stream.getTracks()) pc.addTrack(track, stream);
    });
  }

  /** Queues an offer, answer or candidate from this peer. */
  signal(msg) {
    this.queue = this.queue.then(() => this._handle(msg)).catch((e) => {
      this.client._emit('peer-error', { userId: this.userId, error: String(e) });
    });
  }

  async _handle(msg) {
    if (this.closed) return;
    const pc = this.pc;
    if (msg.type === 'ice-candidate') {
      if (!msg.candidate?.candidate) return;
      try {
        await pc.addIceCandidate(msg.candidate);
      } catch (e) {
        if (!this.ignoreOffer) throw e;
      }
      return;
    }
    const readyForOffer = !this.makingOffer && (pc.signalingState === 'stable' || this.answerPending);
    const collision = msg.type === 'offer' && !readyForOffer;
    this.ignoreOffer = !this.polite && collision;
    if (this.ignoreOffer) return;
    this.answerPending = msg.type === 'answer';
    await pc.setRemoteDescription({ type: msg.type, sdp: msg.sdp });
    this.answerPending = false;
    if (msg.type === 'offer') {
      await pc.setLocalDescription();
      this.client.send({ type: 'answer', target: this.userId, sdp: pc.localDescription.sdp });
    }
  }

  close() {
    this.closed = true;
    for (const o of this.outgoing.values()) o.reject(new Error('peer left'));
    this.pc.close();
  }

  // ---------------------------------------------- peer-to-peer files

  _attachChannel(dc) {
    dc.binaryType = 'arraybuffer';
    dc.bufferedAmountLowThreshold = DC_HIGH_WATER / 4;
    dc.onmessage = (e) => this._onData(e.data);
    dc.onopen = () => this.client._emit('peer-channel', { userId: this.userId, state: 'open' });
    this.dc = dc;
    this._dcResolve(dc);
  }

  async _channelOpen() {
    const dc = await this._dc;
    if (dc.readyState === 'open') return;
    await new Promise((resolve, reject) => {
      dc.addEventListener('open', resolve, { once: true });
      dc.addEventListener('close', () => reject(new Error('data channel closed')), { once: true });
    });
  }

  async sendFile(file, sha256) {
    const id = `p2p-${crypto.randomUUID()}`;
    // The server checks our right to share files and tells the receiver.
    this.client.send({ type: 'file-share-offer', target: this.userId, transfer_id: id });
    await this._channelOpen();
    const accepted = new Promise((resolve, reject) => this.outgoing.set(id, { resolve, reject }));
    this.dc.send(JSON.stringify({ t: 'file-offer', id, name: file.name, size: file.size, mime: file.type, sha256 }));
    await accepted;
    let sent = 0;
    for (let off = 0; off < file.size; off += CHUNK_DC) {
      if (this.dc.bufferedAmount > DC_HIGH_WATER) {
        await new Promise((r) => this.dc.addEventListener('bufferedamountlow', r, { once: true }));
      }
      const chunk = await file.slice(off, off + CHUNK_DC).arrayBuffer();
      this.dc.send(chunk);
      sent += chunk.byteLength;
      this.client._emit('file-progress', { transferId: id, mode: 'p2p', direction: 'send', to: this.userId, sent, size: file.size });
    }
    const done = new Promise((resolve, reject) => this.outgoing.set(id, { resolve, reject }));
    this.dc.send(JSON.stringify({ t: 'file-end', id }));
    await done;
    this.client.send({ type: 'file-share-complete', target: this.userId, transfer_id: id, bytes_transferred: sent });
    return id;
  }

  acceptFile(id) {
    const meta = this.incoming.get(id);
    if (!meta) return;
    this.receiving = { ...meta, parts: [], received: 0 };
    this.dc.send(JSON.stringify({ t: 'file-accept', id }));
    this.client.send({ type: 'file-share-accept', target: this.userId, transfer_id: id });
  }

  rejectFile(id) {
    this.incoming.delete(id);
    this.dc.send(JSON.stringify({ t: 'file-reject', id }));
    this.client.send({ type: 'file-share-reject', target: this.userId, transfer_id: id });
  }

  async _onData(data) {
    if (typeof data !== 'string') {
      const r = this.receiving;
      if (!r) return;
      r.parts.push(data);
      r.received += data.byteLength;
      this.client._emit('file-progress', { transferId: r.id, mode: 'p2p', direction: 'receive', from: this.userId, received: r.received, size: r.size });
      return;
    }
    let m;
    try {
      m = JSON.parse(data);
    } catch {
      return;
    }
    if (m.t === 'file-offer') {
      this.incoming.set(m.id, m);
      this.client._emit('file-offer', {
        mode: 'p2p',
        from: this.userId,
        transferId: m.id,
        transfer: { transfer_id: m.id, file_name: m.name, file_size: m.size, file_type: m.mime, sha256: m.sha256, sender: this.userId },
      });
    } else if (m.t === 'file-accept') {
      this.outgoing.get(m.id)?.resolve();
    } else if (m.t === 'file-reject') {
      this.outgoing.get(m.id)?.reject(new RtcError(0, 'FILE_REJECTED', 'the receiver declined'));
      this.outgoing.delete(m.id);
    } else if (m.t === 'file-end' && this.receiving?.id === m.id) {
      const r = this.receiving;
      this.receiving = null;
      this.incoming.delete(m.id);
      const blob = new Blob(r.parts, { type: r.mime || 'application/octet-stream' });
      const sha256 = await sha256Hex(blob);
      const verified = sha256 === r.sha256 && blob.size === r.size;
      this.dc.send(JSON.stringify({ t: 'file-done', id: m.id, ok: verified }));
      this.client._emit('file-received', { mode: 'p2p', from: this.userId, transferId: m.id, name: r.name, blob, sha256, verified });
    } else if (m.t === 'file-done') {
      const o = this.outgoing.get(m.id);
      this.outgoing.delete(m.id);
      if (m.ok) o?.resolve();
      else o?.reject(new RtcError(0, 'FILE_CHECKSUM_MISMATCH', 'the receiver got different bytes'));
    }
  }
}
