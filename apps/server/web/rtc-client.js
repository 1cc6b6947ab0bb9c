// rtc-client.js: the client of the rtc-server signaling protocol and REST API
// (docs/client.md, reference in docs/client-api.md). Generated from clients/js/src
// by clients/js/scripts/build.mjs with TypeScript 5.9.3: edit the source, not this file.

// ---------------------------------------------------------------- src/util.ts

// util.ts: the errors, hashing and dev-token helpers the rest builds on.
/** Hex SHA-256 of bytes or a Blob (browsers need a secure context: https or localhost). */
export async function sha256Hex(data) {
    let buf;
    if (typeof Blob !== 'undefined' && data instanceof Blob)
        buf = await data.arrayBuffer();
    else
        buf = data;
    const digest = await crypto.subtle.digest('SHA-256', buf);
    return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
/**
 * A refused call or connection: `code` is the server's stable error code
 * (docs/errors.md), `status` the HTTP status (0 for WebSocket errors).
 */
export class RtcError extends Error {
    /** HTTP status, or 0 when the error came over the WebSocket or from the client itself. */
    status;
    /** Stable error code, e.g. `PERMISSION_DENIED`. */
    code;
    /** Seconds to wait before retrying (rate limits). */
    retryAfter;
    constructor(status, code, message, retryAfter = null) {
        super(`${code}: ${message}`);
        this.name = 'RtcError';
        this.status = status;
        this.code = code;
        this.retryAfter = retryAfter;
    }
}
/** Turns a failed `fetch` response into an `RtcError` with the server's code. */
export async function errorFrom(res) {
    const body = (await res.json().catch(() => ({})));
    const e = body.error;
    return new RtcError(res.status, e?.code ?? `HTTP_${res.status}`, e?.message ?? res.statusText, e?.retry_after ?? null);
}
/** Asks a server that allows it (`RTC_DEV_TOKENS`) for a development token valid in `room`. */
export async function fetchDevToken(baseUrl, { name, room }) {
    const body = { name, room };
    const res = await fetch(new URL('/webrtc/dev/token', baseUrl), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
    });
    if (!res.ok)
        throw await errorFrom(res);
    return (await res.json());
}
/** Resolves after `ms` milliseconds. */
export function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------- src/stats.ts

// stats.ts: turns WebRTC statistics into the `network-stats` figures the
// server classifies (latency, loss, jitter, bandwidth).
const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
/**
 * Network figures over all our peer connections: the worst round-trip time
 * and jitter, the packet loss since the previous sample (`previous` is
 * updated in place), and the smallest available outgoing bandwidth.
 * Returns null when no connection has a selected candidate pair yet.
 */
export function networkStatsFrom(reports, previous = new Map()) {
    let rtt;
    let jitter;
    let bandwidth;
    let lost = 0;
    let received = 0;
    let pairs = 0;
    for (const report of reports) {
        const stats = [];
        report.forEach((s) => stats.push(s));
        const byId = new Map(stats.map((s) => [s.id, s]));
        const selected = new Set();
        for (const s of stats) {
            if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string')
                selected.add(s.selectedCandidatePairId);
        }
        for (const s of stats) {
            if (s.type === 'candidate-pair' && s.state === 'succeeded' && s.nominated === true && !selected.size)
                selected.add(s.id);
        }
        for (const id of selected) {
            const pair = byId.get(id);
            if (!pair)
                continue;
            pairs += 1;
            const r = num(pair.currentRoundTripTime);
            if (r !== undefined)
                rtt = Math.max(rtt ?? 0, r * 1000);
            const b = num(pair.availableOutgoingBitrate);
            if (b !== undefined)
                bandwidth = Math.min(bandwidth ?? Infinity, b / 1000);
        }
        for (const s of stats) {
            if (s.type !== 'inbound-rtp')
                continue;
            const j = num(s.jitter);
            if (j !== undefined)
                jitter = Math.max(jitter ?? 0, j * 1000);
            const l = num(s.packetsLost) ?? 0;
            const rcv = num(s.packetsReceived) ?? 0;
            const before = previous.get(s.id) ?? { lost: 0, received: 0 };
            lost += Math.max(0, l - before.lost);
            received += Math.max(0, rcv - before.received);
            previous.set(s.id, { lost: l, received: rcv });
        }
    }
    if (!pairs)
        return null;
    const out = {};
    if (rtt !== undefined)
        out.latency_ms = Math.round(rtt * 10) / 10;
    out.packet_loss_percent = lost + received > 0 ? Math.round((lost * 1000) / (lost + received)) / 10 : 0;
    if (jitter !== undefined)
        out.jitter_ms = Math.round(jitter * 10) / 10;
    if (bandwidth !== undefined && bandwidth !== Infinity)
        out.bandwidth_kbps = Math.round(bandwidth);
    return out;
}

// ---------------------------------------------------------------- src/richtext.ts

// richtext.ts: the chat's rich text, a safe Markdown-like subset. The
// server stores what was written (escaped as text); a page renders it
// with these functions, which build DOM nodes and never parse HTML, so
// markup in a message can only ever show as text.
//
//   **bold**   *italic* or _italic_   `code`   [label](https://…)   https://…
//
// Links keep only the http:, https: and mailto: schemes; any other link is
// shown as the text that was written. Anything else is text.
/** Link schemes that are kept; others stay text. */
const SAFE_SCHEMES = new Set(['http:', 'https:', 'mailto:']);
/** `url` as a link target, if it is absolute with a safe scheme. */
export function safeHref(url) {
    try {
        const u = new URL(url);
        return SAFE_SCHEMES.has(u.protocol) ? u.href : null;
    }
    catch {
        return null;
    }
}
const WORD = /[\p{L}\p{N}_]/u;
const TRAILING_PUNCTUATION = /[.,;:!?'")\]]+$/;
/** Parses `text` into segments (see the module comment for the subset). */
export function parseRichText(text) {
    return parse(text, true);
}
function parse(text, allowBold) {
    const out = [];
    let plain = '';
    const flush = () => {
        if (plain)
            out.push({ kind: 'text', text: plain });
        plain = '';
    };
    let i = 0;
    while (i < text.length) {
        const rest = text.slice(i);
        const m = matchAt(text, i, rest, allowBold);
        if (m) {
            flush();
            out.push(m.segment);
            i += m.length;
        }
        else {
            plain += text[i];
            i += 1;
        }
    }
    flush();
    return out;
}
function matchAt(text, i, rest, allowBold) {
    const ch = rest[0];
    if (ch === '`') {
        const end = rest.indexOf('`', 1);
        if (end > 1)
            return { segment: { kind: 'code', text: rest.slice(1, end) }, length: end + 1 };
        return null;
    }
    if (allowBold && rest.startsWith('**')) {
        const end = rest.indexOf('**', 2);
        const inner = end > 2 ? rest.slice(2, end) : '';
        if (inner && inner.trim() === inner) {
            return { segment: { kind: 'bold', children: parse(inner, false) }, length: end + 2 };
        }
        return null;
    }
    if (ch === '*' || ch === '_') {
        // `_` only at word edges, so snake_case stays text.
        if (ch === '_' && i > 0 && WORD.test(text[i - 1]))
            return null;
        const end = rest.indexOf(ch, 1);
        const inner = end > 1 ? rest.slice(1, end) : '';
        const after = text[i + end + 1];
        if (!inner || inner.trim() !== inner || inner.includes('\n'))
            return null;
        if (ch === '_' && after !== undefined && WORD.test(after))
            return null;
        return { segment: { kind: 'italic', children: parse(inner, false).filter((s) => s.kind !== 'italic') }, length: end + 1 };
    }
    if (ch === '[') {
        const m = /^\[([^\]\n]+)\]\(([^)\s]+)\)/.exec(rest);
        const href = m && safeHref(m[2]);
        if (m && href)
            return { segment: { kind: 'link', href, text: m[1] }, length: m[0].length };
        return null;
    }
    if ((ch === 'h' || ch === 'm') && (i === 0 || !WORD.test(text[i - 1]))) {
        const m = /^(?:https?:\/\/|mailto:)[^\s<>]+/.exec(rest);
        if (!m)
            return null;
        const url = m[0].replace(TRAILING_PUNCTUATION, '');
        const href = safeHref(url);
        if (href)
            return { segment: { kind: 'link', href, text: url }, length: url.length };
    }
    return null;
}
/**
 * Renders `text` as DOM nodes of `doc`: text nodes, `<strong>`, `<em>`,
 * `<code>` and `<a>` (opening in a new tab, without a referrer).
 */
export function renderRichText(text, doc = document) {
    const frag = doc.createDocumentFragment();
    append(frag, parseRichText(text), doc);
    return frag;
}
function append(parent, segments, doc) {
    for (const s of segments) {
        switch (s.kind) {
            case 'text':
                parent.appendChild(doc.createTextNode(s.text));
                break;
            case 'code': {
                const el = doc.createElement('code');
                el.textContent = s.text;
                parent.appendChild(el);
                break;
            }
            case 'bold':
            case 'italic': {
                const el = doc.createElement(s.kind === 'bold' ? 'strong' : 'em');
                append(el, s.children, doc);
                parent.appendChild(el);
                break;
            }
            case 'link': {
                const a = doc.createElement('a');
                a.href = s.href;
                a.textContent = s.text;
                a.target = '_blank';
                a.rel = 'noopener noreferrer nofollow';
                parent.appendChild(a);
                break;
            }
        }
    }
}

// ---------------------------------------------------------------- src/rest-client.ts

// rest-client.ts: every REST call of docs/api.md about one room, typed.
// `RtcClient` extends this class; on its own it suits a backend or a bot
// that needs no WebSocket.
const isBytes = (b) => (typeof Blob !== 'undefined' && b instanceof Blob) || b instanceof ArrayBuffer || ArrayBuffer.isView(b);
/** The REST API of one room, with the caller's token. Every method rejects with {@link RtcError}. */
export class RoomRestClient extends EventTarget {
    /** The room id. */
    room;
    /** The server's origin. */
    baseUrl;
    /** The current token (refreshed by `getToken` before each connect). */
    token;
    /** The token source given in the options. */
    getToken;
    constructor(opts) {
        super();
        const base = opts.baseUrl ?? globalThis.location?.origin;
        if (!base)
            throw new RtcError(0, 'VALIDATION_ERROR', 'baseUrl is required outside a browser');
        this.room = opts.room;
        this.baseUrl = String(base);
        this.token = opts.token ?? null;
        this.getToken = opts.getToken ?? null;
    }
    /** `/webrtc/rooms/{room}` plus `path`. */
    roomPath(path = '') {
        return `/webrtc/rooms/${encodeURIComponent(this.room)}${path}`;
    }
    /**
     * Any REST call with the token: JSON bodies are serialized, bytes sent
     * as they are. Resolves with the parsed answer (null for 204); rejects
     * with `RtcError{status, code}`.
     */
    async api(method, path, body, opts = {}) {
        const headers = { ...(opts.headers ?? {}) };
        if (!this.token && this.getToken)
            this.token = await this.getToken();
        if (this.token)
            headers.Authorization = `Bearer ${this.token}`;
        let payload;
        if (body !== undefined && isBytes(body)) {
            payload = body;
        }
        else if (body !== undefined) {
            headers['Content-Type'] = 'application/json';
            payload = JSON.stringify(body);
        }
        const res = await fetch(new URL(path, this.baseUrl), { method, headers, body: payload });
        if (!res.ok)
            throw await errorFrom(res);
        if (opts.raw)
            return res;
        return (res.status === 204 ? null : await res.json());
    }
    /**
     * A call of the REST document: `path` as the document names it, whose
     * `{room_id}` is our room and other `{…}` come from `params`; `query`
     * entries that are undefined or null are left out.
     */
    async call(method, path, { params, query, body, ...opts } = {}) {
        let url = path.replace(/\{(\w+)\}/g, (_, name) => {
            const value = name === 'room_id' ? this.room : params?.[name];
            if (value === undefined)
                throw new RtcError(0, 'VALIDATION_ERROR', `${path}: no ${name}`);
            return encodeURIComponent(value);
        });
        const q = new URLSearchParams();
        for (const [k, v] of Object.entries((query ?? {})))
            if (v !== undefined && v !== null)
                q.set(k, String(v));
        const search = q.toString();
        if (search)
            url += `?${search}`;
        return this.api(method, url, body, opts);
    }
    // ------------------------------------------------------------ server
    /** `GET /webrtc/config`: ICE servers (TURN credentials with a token) and limits. */
    config() {
        return this.call('GET', '/webrtc/config');
    }
    /** `GET /webrtc/rate-limits/{type}/status` for the caller. */
    rateLimit(limitType) {
        // `scope` narrowed to its two values (the document says `string`).
        return this.call('GET', '/webrtc/rate-limits/{limit_type}/status', { params: { limit_type: limitType } });
    }
    // ------------------------------------------------------------ room
    /** The room as we see it (`GET …/state`). */
    roomState() {
        return this.call('GET', '/webrtc/rooms/{room_id}/state');
    }
    /** `GET …/participants`. */
    participants() {
        return this.call('GET', '/webrtc/rooms/{room_id}/participants');
    }
    /** Updates our own display name, device info… (`POST …/participants/{self}/info`). */
    updateInfo(userId, info) {
        return this.call('POST', '/webrtc/rooms/{room_id}/participants/{user_id}/info', { params: { user_id: userId }, body: info });
    }
    /** One page of chat history, newest first; pass `next_cursor` as `before` for older messages, `thread` for one message and its replies. */
    chatHistory({ limit = 50, before, thread } = {}) {
        return this.call('GET', '/webrtc/rooms/{room_id}/chat', { query: { limit, before: before || undefined, thread: thread || undefined } });
    }
    /** Messages containing `q` (ignoring case) that we could have received, newest first; pass `next_cursor` as `before` for older ones. */
    searchChat(q, { limit = 50, before } = {}) {
        return this.call('GET', '/webrtc/rooms/{room_id}/chat/search', { query: { q, limit, before: before || undefined } });
    }
    /** Our unread chat: messages we could see, sent by others after our read mark. */
    chatUnread() {
        return this.call('GET', '/webrtc/rooms/{room_id}/chat/unread');
    }
    /** Read marks we may see (ours, and others' on messages we could see), most recently read first. */
    chatReceipts({ limit = 100 } = {}) {
        return this.call('GET', '/webrtc/rooms/{room_id}/chat/receipts', { query: { limit } });
    }
    /** Every chat message we may read, newest first, fetched page by page as the loop asks. */
    async *chatHistoryAll({ pageSize = 50 } = {}) {
        let before = null;
        do {
            const page = await this.chatHistory({ limit: pageSize, before });
            yield* page.messages;
            before = page.next_cursor ?? null;
        } while (before);
    }
    /**
     * `GET …/reconnect`: our presence, quality and the newest sequence; with
     * `lastSequence`, also the events we missed since (or `resync_required`).
     */
    reconnectionState(lastSequence) {
        // `quality` and `events` narrowed (the document says `string` and objects).
        return this.call('GET', '/webrtc/rooms/{room_id}/reconnect', { query: { last_sequence: lastSequence } });
    }
    /** Reports network figures over REST (`POST …/quality`); the WebSocket way is `sendNetworkStats`. */
    reportQuality(stats) {
        // `quality` narrowed to the classes (the document says `string`).
        return this.call('POST', '/webrtc/rooms/{room_id}/quality', { body: stats });
    }
    /** Raises or lowers a hand (`user` someone else's: moderators lowering). */
    setHandRaised(raised, user) {
        return this.call('POST', '/webrtc/rooms/{room_id}/hand-raise', { body: user ? { raised, user_id: user } : { raised } });
    }
    /** `GET …/hand-raise/queue`. */
    handRaiseQueue() {
        return this.call('GET', '/webrtc/rooms/{room_id}/hand-raise/queue');
    }
    // ------------------------------------------------------------ moderation
    /** Removes a participant (moderators); `ban` keeps them out of the room. */
    kick(userId, { ban = false } = {}) {
        return this.call('POST', '/webrtc/rooms/{room_id}/participants/{user_id}/kick', { params: { user_id: userId }, body: { ban } });
    }
    /** `GET …/roles/{user}`. */
    getRole(userId) {
        return this.call('GET', '/webrtc/rooms/{room_id}/roles/{user_id}', { params: { user_id: userId } });
    }
    /** Sets a role (hosts grant moderation; moderators set participant or viewer). */
    setRole(userId, role) {
        return this.call('POST', '/webrtc/rooms/{room_id}/roles/{user_id}', { params: { user_id: userId }, body: { role } });
    }
    /** `GET …/permissions/{user}`. */
    getPermissions(userId) {
        return this.call('GET', '/webrtc/rooms/{room_id}/permissions/{user_id}', { params: { user_id: userId } });
    }
    /** Changes some permissions of a participant (moderators). */
    setPermissions(userId, patch) {
        return this.call('POST', '/webrtc/rooms/{room_id}/permissions/{user_id}', { params: { user_id: userId }, body: patch });
    }
    /** `GET …/settings`. */
    getSettings() {
        return this.call('GET', '/webrtc/rooms/{room_id}/settings');
    }
    /** Changes some room settings (moderators); everyone gets `room-settings-update`. */
    updateSettings(patch) {
        return this.call('POST', '/webrtc/rooms/{room_id}/settings', { body: patch });
    }
    /** Mutes everyone's microphone (moderators). */
    muteAll() {
        return this.call('POST', '/webrtc/rooms/{room_id}/mute-all');
    }
    /** Lowers every raised hand (moderators). */
    lowerAllHands() {
        return this.call('POST', '/webrtc/rooms/{room_id}/hand-raise/lower-all');
    }
    /** Who waits for admission (moderators). */
    waitingRoom() {
        return this.call('GET', '/webrtc/rooms/{room_id}/waiting-room');
    }
    /** Lets a waiting user in (moderators). */
    admit(userId) {
        return this.call('POST', '/webrtc/rooms/{room_id}/waiting-room/{user_id}/admit', { params: { user_id: userId } });
    }
    /** Turns a waiting user away (moderators): they get close 4403. */
    rejectWaiting(userId) {
        return this.call('POST', '/webrtc/rooms/{room_id}/waiting-room/{user_id}/reject', { params: { user_id: userId } });
    }
    /** Sends a participant back to the waiting room (moderators). */
    returnToWaitingRoom(userId) {
        return this.call('POST', '/webrtc/rooms/{room_id}/waiting-room/{user_id}/return', { params: { user_id: userId } });
    }
    /** Lets everyone waiting in (moderators). */
    admitAll() {
        return this.call('POST', '/webrtc/rooms/{room_id}/waiting-room/admit-all');
    }
    /** Creates a breakout room (moderators). */
    createBreakoutRoom(name) {
        return this.call('POST', '/webrtc/rooms/{room_id}/breakout-rooms', { body: { name } });
    }
    /** Breakout rooms with their members. */
    breakoutRooms() {
        return this.call('GET', '/webrtc/rooms/{room_id}/breakout-rooms');
    }
    /** Moves a user into a breakout room, or back to the main room with `null` (moderators). */
    assignBreakoutRoom(userId, breakoutRoomId) {
        return breakoutRoomId === null
            ? this.call('POST', '/webrtc/rooms/{room_id}/breakout-rooms/return/{user_id}', { params: { user_id: userId } })
            : this.call('POST', '/webrtc/rooms/{room_id}/breakout-rooms/{breakout_id}/assign/{user_id}', { params: { breakout_id: breakoutRoomId, user_id: userId } });
    }
    /** Closes a breakout room; its members return (moderators). */
    closeBreakoutRoom(breakoutRoomId) {
        return this.call('DELETE', '/webrtc/rooms/{room_id}/breakout-rooms/{breakout_id}', { params: { breakout_id: breakoutRoomId } });
    }
    /** Starts a live stream (moderators): with `url` and `stream_key`, the server pushes the room to RTMP, with `hls: true` it serves it as HLS (`hls_url`, `liveStreamHlsLink`; SFU rooms); with neither, a record only. */
    startLiveStream(body = {}) {
        // `quality` narrowed to the presets (the document says `string`).
        return this.call('POST', '/webrtc/rooms/{room_id}/live-streams/start', { body });
    }
    /** An expiring playlist URL of a stream's HLS that any player can open (it needs no token). */
    liveStreamHlsLink(streamId, { expiresIn = 3600 } = {}) {
        return this.call('GET', '/webrtc/rooms/{room_id}/live-streams/{stream_id}/hls-link', { params: { stream_id: streamId }, query: { expires_in: expiresIn } });
    }
    /** Stops a live stream (moderators). */
    stopLiveStream(streamId) {
        return this.call('POST', '/webrtc/rooms/{room_id}/live-streams/{stream_id}/stop', { params: { stream_id: streamId } });
    }
    // ------------------------------------------------------------ recordings
    /**
     * Starts a recording of the room (`can_record`). In an SFU room the server
     * records it by default (`source: 'server'`: one composite in `layout`,
     * MP4 unless `format` says otherwise; nothing to upload); a client
     * recording (`source: 'client'`, the only kind in mesh rooms) takes its
     * media through `uploadRecordingChunk`.
     */
    createRecording({ format, quality = 'medium', source, layout, } = {}) {
        return this.call('POST', '/webrtc/rooms/{room_id}/recordings/start', { body: { format, quality, source, layout } });
    }
    /** Stops a recording; the server then processes it (`processing`, later `completed` or `failed`). */
    stopRecording(id) {
        return this.call('POST', '/webrtc/rooms/{room_id}/recordings/{recording_id}/{action}', { params: { recording_id: id, action: 'stop' } });
    }
    /** Pauses a recording: chunks are refused until `resumeRecording`. */
    pauseRecording(id) {
        return this.call('POST', '/webrtc/rooms/{room_id}/recordings/{recording_id}/{action}', { params: { recording_id: id, action: 'pause' } });
    }
    /** Resumes a paused recording. */
    resumeRecording(id) {
        return this.call('POST', '/webrtc/rooms/{room_id}/recordings/{recording_id}/{action}', { params: { recording_id: id, action: 'resume' } });
    }
    /** Cancels a recording and discards its chunks. */
    cancelRecording(id) {
        return this.call('DELETE', '/webrtc/rooms/{room_id}/recordings/{recording_id}', { params: { recording_id: id } });
    }
    /** One recording, with `outputs` once completed and `failure_code` if failed. */
    recordingStatus(id) {
        return this.call('GET', '/webrtc/rooms/{room_id}/recordings/{recording_id}/status', { params: { recording_id: id } });
    }
    /** The room's recordings. */
    recordings() {
        return this.call('GET', '/webrtc/rooms/{room_id}/recordings');
    }
    /** Uploads one MediaRecorder chunk under `sequence` (any order; a repeat with the same bytes is a duplicate). */
    uploadRecordingChunk(id, sequence, data) {
        return this.call('PUT', '/webrtc/rooms/{room_id}/recordings/{recording_id}/chunks/{seq}', {
            params: { recording_id: id, seq: sequence },
            body: data,
            headers: { 'Content-Type': 'application/octet-stream' },
        });
    }
    /** What each participant uploaded to a recording. */
    recordingUploadStatus(id) {
        return this.call('GET', '/webrtc/rooms/{room_id}/recordings/{recording_id}/upload-status', { params: { recording_id: id } });
    }
    /** An expiring download URL of a processed recording (no token needed to use it). */
    recordingLink(id, { user, expiresIn = 3600 } = {}) {
        return this.call('GET', '/webrtc/rooms/{room_id}/recordings/{recording_id}/link', {
            params: { recording_id: id },
            query: { expires_in: expiresIn, user: user || undefined },
        });
    }
    /** Polls a recording until it is completed, failed or cancelled; resolves with it. */
    async waitForRecording(id, { timeoutMs = 120_000, intervalMs = 500 } = {}) {
        const end = Date.now() + timeoutMs;
        for (;;) {
            const r = await this.recordingStatus(id);
            if (r.status === 'completed' || r.status === 'failed' || r.status === 'cancelled')
                return r;
            if (Date.now() > end)
                throw new RtcError(0, 'TIMEOUT', `recording still ${r.status}`);
            await sleep(intervalMs);
        }
    }
    // ------------------------------------------------------------ file transfers
    /** `…/file-transfer` plus `rest`. */
    transferPath(rest) {
        return this.roomPath(`/file-transfer${rest}`);
    }
    /** Offers a file to `receiver` (`can_share_files`); the receiver gets `file-share-offer`. */
    offerFile(offer) {
        return this.call('POST', '/webrtc/rooms/{room_id}/file-transfer/offer', { body: offer });
    }
    /** Uploads chunk `index` of our transfer with its SHA-256 (after the receiver accepted). */
    async uploadFileChunk(transferId, index, chunk, sha256) {
        return this.call('PUT', '/webrtc/rooms/{room_id}/file-transfer/{id}/chunks/{index}', {
            params: { id: transferId, index },
            body: chunk,
            headers: { 'X-Chunk-Sha256': sha256, 'Content-Type': 'application/octet-stream' },
        });
    }
    /** The chunks the server still lacks (to resume an interrupted upload). */
    missingChunks(transferId) {
        return this.call('GET', '/webrtc/rooms/{room_id}/file-transfer/{id}/missing', { params: { id: transferId } });
    }
    /** A transfer with its progress. */
    transferProgress(transferId) {
        return this.call('GET', '/webrtc/rooms/{room_id}/file-transfer/{id}/progress', { params: { id: transferId } });
    }
    /** Acts on a transfer: `accept`/`reject` (receiver), `pause`/`resume` (either party). */
    transferAction(transferId, action) {
        return this.call('POST', `/webrtc/rooms/{room_id}/file-transfer/{id}/${action}`, { params: { id: transferId } });
    }
    /** Cancels a transfer; its stored chunks are deleted. */
    cancelTransfer(transferId) {
        return this.call('DELETE', '/webrtc/rooms/{room_id}/file-transfer/{id}', { params: { id: transferId } });
    }
    /** Downloads a completed transfer's bytes (receiver or sender). */
    async downloadFile(transferId) {
        const res = await this.api('GET', this.transferPath(`/${encodeURIComponent(transferId)}/download`), undefined, { raw: true });
        return res.blob();
    }
    /** Our transfers (as sender or receiver) in any room, newest first. */
    fileTransfers() {
        return this.call('GET', '/webrtc/file-transfers');
    }
}

// ---------------------------------------------------------------- src/peer.ts

// peer.ts: one RTCPeerConnection to one other participant, and the
// peer-to-peer file protocol on its data channel.
/** Data-channel message size for peer-to-peer files. */
const CHUNK_DC = 16 * 1024;
/** Pause sending above this many buffered bytes. */
const DC_HIGH_WATER = 1024 * 1024;
/**
 * One RTCPeerConnection to one other participant, negotiated with the
 * "perfect negotiation" pattern: both ends may offer; on a collision the
 * polite end (the smaller user id) yields. Signaling for this peer runs in
 * order on one queue, which first waits for our local media.
 */
export class Peer {
    /** The other participant. */
    userId;
    /** The connection. */
    pc;
    /** The data channel, once created or received. */
    dc = null;
    /** Their streams by id (camera, screen…). */
    streams = new Map();
    /** Ids of their streams that they announced as screen shares. */
    screenStreamIds = new Set();
    /** Peer-to-peer transfers offered to us. */
    incoming = new Map();
    client;
    polite;
    makingOffer = false;
    ignoreOffer = false;
    answerPending = false;
    closed = false;
    outgoing = new Map();
    receiving = null;
    screenSenders = [];
    queue;
    channel;
    channelResolve;
    constructor(client, userId, media) {
        this.client = client;
        this.userId = userId;
        this.polite = (client.userId ?? '') < userId;
        const pc = new RTCPeerConnection({ iceServers: client.iceServers ?? [] });
        this.pc = pc;
        pc.onicecandidate = ({ candidate }) => {
            if (candidate)
                client.send({ type: 'ice-candidate', target: userId, candidate: candidate.toJSON() });
        };
        pc.onnegotiationneeded = async () => {
            try {
                this.makingOffer = true;
                await pc.setLocalDescription();
                const d = pc.localDescription;
                client.send({ type: d.type, target: userId, sdp: d.sdp });
            }
            catch (e) {
                client.emit('peer-error', { userId, error: String(e) });
            }
            finally {
                this.makingOffer = false;
            }
        };
        pc.ontrack = ({ track, streams }) => {
            let stream = streams[0];
            if (!stream) {
                stream = this.streams.get('') ?? new MediaStream();
                stream.addTrack(track);
            }
            const key = streams[0] ? stream.id : '';
            this.streams.set(key, stream);
            client.emit('remote-stream', { userId, stream, track, screen: this.screenStreamIds.has(stream.id) });
        };
        pc.onconnectionstatechange = () => {
            client.emit('peer-state', { userId, state: pc.connectionState });
            if (pc.connectionState === 'failed')
                pc.restartIce();
        };
        // The impolite end opens the data channel; the polite end receives it.
        // (Both opening one would put an SCTP section into both first offers, and
        // Chromium rejects the data channel after the polite end rolls its
        // offer back.)
        this.channel = new Promise((resolve) => (this.channelResolve = resolve));
        if (this.polite)
            pc.ondatachannel = ({ channel }) => this.attachChannel(channel);
        else
            this.attachChannel(pc.createDataChannel('rtc'));
        // Our tracks go in before anything from this peer is handled.
        this.queue = media.then((stream) => {
            if (this.closed)
                return;
            for (const track of stream?.getTracks() ?? [])
                pc.addTrack(track, stream);
            if (client.screenStream)
                this.addScreenNow(client.screenStream);
        });
    }
    /** Queues an offer, answer or candidate from this peer. */
    signal(msg) {
        this.queue = this.queue
            .then(() => this.handle(msg))
            .catch((e) => this.client.emit('peer-error', { userId: this.userId, error: String(e) }));
    }
    async handle(msg) {
        if (this.closed)
            return;
        const pc = this.pc;
        if (msg.type === 'ice-candidate') {
            if (!msg.candidate?.candidate)
                return;
            try {
                await pc.addIceCandidate(msg.candidate);
            }
            catch (e) {
                if (!this.ignoreOffer)
                    throw e;
            }
            return;
        }
        const readyForOffer = !this.makingOffer && (pc.signalingState === 'stable' || this.answerPending);
        const collision = msg.type === 'offer' && !readyForOffer;
        this.ignoreOffer = !this.polite && collision;
        if (this.ignoreOffer)
            return;
        this.answerPending = msg.type === 'answer';
        await pc.setRemoteDescription({ type: msg.type, sdp: msg.sdp });
        this.answerPending = false;
        if (msg.type === 'offer') {
            await pc.setLocalDescription();
            this.client.send({ type: 'answer', target: this.userId, sdp: pc.localDescription.sdp });
        }
    }
    /** Closes the connection; pending peer-to-peer sends fail. */
    close() {
        this.closed = true;
        for (const o of this.outgoing.values())
            o.reject(new Error('peer left'));
        this.pc.close();
    }
    // ---------------------------------------------- screen sharing
    /** Adds our screen stream to this connection (after our camera), announcing it first. */
    addScreen(stream) {
        this.queue = this.queue.then(() => {
            if (!this.closed)
                this.addScreenNow(stream);
        });
    }
    addScreenNow(stream) {
        this.announce({ t: 'screen', streamId: stream.id, active: true });
        this.screenSenders = stream.getTracks().map((t) => this.pc.addTrack(t, stream));
    }
    /** Removes our screen tracks from this connection. */
    removeScreen(stream) {
        this.queue = this.queue.then(() => {
            if (this.closed)
                return;
            for (const s of this.screenSenders)
                this.pc.removeTrack(s);
            this.screenSenders = [];
            this.announce({ t: 'screen', streamId: stream.id, active: false });
        });
    }
    /** Sends on the data channel when it is open; else once it opens. */
    announce(m) {
        void this.channel.then((dc) => {
            if (dc.readyState === 'open')
                dc.send(JSON.stringify(m));
            else
                dc.addEventListener('open', () => dc.send(JSON.stringify(m)), { once: true });
        });
    }
    // ---------------------------------------------- peer-to-peer files
    attachChannel(dc) {
        dc.binaryType = 'arraybuffer';
        dc.bufferedAmountLowThreshold = DC_HIGH_WATER / 4;
        dc.onmessage = (e) => void this.onData(e.data);
        dc.onopen = () => this.client.emit('peer-channel', { userId: this.userId, state: 'open' });
        this.dc = dc;
        this.channelResolve(dc);
    }
    async channelOpen() {
        const dc = await this.channel;
        if (dc.readyState === 'open')
            return dc;
        await new Promise((resolve, reject) => {
            dc.addEventListener('open', resolve, { once: true });
            dc.addEventListener('close', () => reject(new Error('data channel closed')), { once: true });
        });
        return dc;
    }
    /** Streams `file` over the data channel once the receiver accepts; resolves with the transfer id. */
    async sendFile(file, sha256) {
        const id = `p2p-${crypto.randomUUID()}`;
        // The server checks our right to share files and tells the receiver.
        this.client.send({ type: 'file-share-offer', target: this.userId, transfer_id: id });
        const dc = await this.channelOpen();
        const accepted = new Promise((resolve, reject) => this.outgoing.set(id, { resolve, reject }));
        const name = file.name ?? 'file';
        this.sendJson({ t: 'file-offer', id, name, size: file.size, mime: file.type, sha256 });
        await accepted;
        let sent = 0;
        for (let off = 0; off < file.size; off += CHUNK_DC) {
            if (dc.bufferedAmount > DC_HIGH_WATER) {
                await new Promise((r) => dc.addEventListener('bufferedamountlow', r, { once: true }));
            }
            const chunk = await file.slice(off, off + CHUNK_DC).arrayBuffer();
            dc.send(chunk);
            sent += chunk.byteLength;
            this.client.emit('file-progress', { transferId: id, mode: 'p2p', direction: 'send', to: this.userId, sent, size: file.size });
        }
        const done = new Promise((resolve, reject) => this.outgoing.set(id, { resolve, reject }));
        this.sendJson({ t: 'file-end', id });
        await done;
        this.client.send({ type: 'file-share-complete', target: this.userId, transfer_id: id, bytes_transferred: sent });
        return id;
    }
    sendJson(m) {
        this.dc.send(JSON.stringify(m));
    }
    /** Accepts a peer-to-peer file offered to us: its bytes start flowing. */
    acceptFile(id) {
        const meta = this.incoming.get(id);
        if (!meta)
            return;
        this.receiving = { ...meta, parts: [], received: 0 };
        this.sendJson({ t: 'file-accept', id });
        this.client.send({ type: 'file-share-accept', target: this.userId, transfer_id: id });
    }
    /** Declines a peer-to-peer file offered to us. */
    rejectFile(id) {
        this.incoming.delete(id);
        this.sendJson({ t: 'file-reject', id });
        this.client.send({ type: 'file-share-reject', target: this.userId, transfer_id: id });
    }
    async onData(data) {
        if (typeof data !== 'string') {
            const r = this.receiving;
            if (!r)
                return;
            r.parts.push(data);
            r.received += data.byteLength;
            this.client.emit('file-progress', { transferId: r.id, mode: 'p2p', direction: 'receive', from: this.userId, received: r.received, size: r.size });
            return;
        }
        let m;
        try {
            m = JSON.parse(data);
        }
        catch {
            return;
        }
        if (m.t === 'screen') {
            if (!m.active) {
                this.screenStreamIds.delete(m.streamId);
                this.streams.delete(m.streamId);
                return;
            }
            this.screenStreamIds.add(m.streamId);
            // The stream may have come first: say again what it is.
            const stream = this.streams.get(m.streamId);
            const track = stream?.getVideoTracks()[0];
            if (stream && track)
                this.client.emit('remote-stream', { userId: this.userId, stream, track, screen: true });
        }
        else if (m.t === 'file-offer') {
            this.incoming.set(m.id, { id: m.id, name: m.name, size: m.size, mime: m.mime, sha256: m.sha256 });
            this.client.emit('file-offer', {
                mode: 'p2p',
                from: this.userId,
                transferId: m.id,
                transfer: { transfer_id: m.id, file_name: m.name, file_size: m.size, file_type: m.mime, sha256: m.sha256, sender: this.userId },
            });
        }
        else if (m.t === 'file-accept') {
            this.outgoing.get(m.id)?.resolve();
        }
        else if (m.t === 'file-reject') {
            this.outgoing.get(m.id)?.reject(new RtcError(0, 'FILE_REJECTED', 'the receiver declined'));
            this.outgoing.delete(m.id);
        }
        else if (m.t === 'file-end' && this.receiving?.id === m.id) {
            const r = this.receiving;
            this.receiving = null;
            this.incoming.delete(m.id);
            const blob = new Blob(r.parts, { type: r.mime || 'application/octet-stream' });
            const sha256 = await sha256Hex(blob);
            const verified = sha256 === r.sha256 && blob.size === r.size;
            this.sendJson({ t: 'file-done', id: m.id, ok: verified });
            this.client.emit('file-received', { mode: 'p2p', from: this.userId, transferId: m.id, name: r.name, blob, sha256, verified });
        }
        else if (m.t === 'file-done') {
            const o = this.outgoing.get(m.id);
            this.outgoing.delete(m.id);
            if (m.ok)
                o?.resolve();
            else
                o?.reject(new RtcError(0, 'FILE_CHECKSUM_MISMATCH', 'the receiver got different bytes'));
        }
    }
}

// ---------------------------------------------------------------- src/sfu.ts

// sfu.ts: the one RTCPeerConnection to the server's media plane in an SFU
// room. We publish our tracks on it and receive everyone else's.
/**
 * The camera's simulcast layers for its size: quarter, half and full from
 * 960 px up, half and full from 480 px, none below. (Browsers send fewer
 * layers of small frames and drop the top ones first, so asking for three
 * of a 640×480 camera would lose the full size.)
 */
function simulcastLayers(track) {
    const { width = 0, height = 0 } = track.getSettings();
    const long = Math.max(width, height);
    if (long >= 960) {
        return [
            { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
            { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
            { rid: 'f', maxBitrate: 1_500_000 },
        ];
    }
    if (long >= 480) {
        return [
            { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 250_000 },
            { rid: 'f', maxBitrate: 1_000_000 },
        ];
    }
    return undefined;
}
/** How long a `media-offer` may wait for its answer before the link starts over. */
const ANSWER_TIMEOUT_MS = 4000;
/** How long the connection may stay `disconnected` before the link starts over. */
const LOST_AFTER_MS = 3000;
/**
 * Our connection to the server's media plane. We offer our own tracks
 * first; the server answers, then offers whenever others' tracks come or
 * go. On a collision the server yields (it drops its offer and makes it
 * again after answering ours), so here a server offer that crosses ours is
 * ignored. Signaling runs in order on one queue, which first waits for our
 * local media.
 */
export class SfuLink {
    /** The connection. */
    pc;
    /** What each of our receiving transceivers carries, by mid. */
    tracks = new Map();
    /** Remote streams by user id and source group (`camera` or `screen`). */
    streams = new Map();
    client;
    screenTrackIds = new Set();
    screenSenders = [];
    makingOffer = false;
    wantOffer = false;
    closed = false;
    queue;
    answerTimer;
    lostTimer;
    constructor(client, media) {
        this.client = client;
        const pc = new RTCPeerConnection({ iceServers: client.iceServers ?? [] });
        this.pc = pc;
        pc.onnegotiationneeded = () => this.negotiate();
        pc.ontrack = ({ track, transceiver }) => this.onTrack(track, transceiver);
        pc.onconnectionstatechange = () => {
            for (const userId of this.users())
                client.emit('peer-state', { userId, state: pc.connectionState });
            // The media server went away (its instance died, the network
            // changed): connect again, without anyone having to act. A
            // disconnection that lasts is treated as a failure, which the
            // browser may take much longer to declare.
            clearTimeout(this.lostTimer);
            if (pc.connectionState === 'failed')
                this.restart();
            if (pc.connectionState === 'disconnected')
                this.lostTimer = setTimeout(() => this.restart(), LOST_AFTER_MS);
        };
        // A data channel: something to offer even with nothing to publish.
        pc.createDataChannel('sfu');
        this.queue = media.then((stream) => {
            if (this.closed)
                return;
            for (const track of stream?.getTracks() ?? []) {
                const layers = track.kind === 'video' && client.simulcast ? simulcastLayers(track) : undefined;
                pc.addTransceiver(track, { direction: 'sendonly', streams: [stream], sendEncodings: layers });
            }
            if (client.screenStream)
                this.addScreenNow(client.screenStream);
        });
    }
    /** Queues a `media-offer`, `media-answer` or `media-tracks` from the server. */
    signal(msg) {
        this.run(() => this.handle(msg));
    }
    run(step) {
        this.queue = this.queue.then(step).catch((e) => this.client.emit('peer-error', { userId: 'sfu', error: String(e) }));
    }
    async handle(msg) {
        if (this.closed)
            return;
        const pc = this.pc;
        if (msg.type === 'media-tracks') {
            for (const t of msg.tracks)
                this.tracks.set(t.mid, t);
            return;
        }
        if (msg.type === 'media-answer') {
            if (pc.signalingState !== 'have-local-offer')
                return;
            clearTimeout(this.answerTimer);
            await pc.setRemoteDescription({ type: 'answer', sdp: msg.sdp });
            if (this.wantOffer)
                this.negotiate();
            return;
        }
        // A server offer crossing ours: the server yields and offers again.
        if (this.makingOffer || pc.signalingState !== 'stable')
            return;
        await pc.setRemoteDescription({ type: 'offer', sdp: msg.sdp });
        await pc.setLocalDescription();
        this.client.send({ type: 'media-answer', sdp: pc.localDescription.sdp });
        this.dropStopped();
    }
    /** Offers our current tracks (after anything queued). */
    negotiate() {
        this.run(async () => {
            const pc = this.pc;
            if (this.closed)
                return;
            if (pc.signalingState !== 'stable') {
                this.wantOffer = true;
                return;
            }
            this.wantOffer = false;
            this.makingOffer = true;
            try {
                await pc.setLocalDescription(await pc.createOffer());
            }
            finally {
                this.makingOffer = false;
            }
            this.client.send({ type: 'media-offer', sdp: pc.localDescription.sdp, sources: this.sources() });
            // An offer nobody answers went to a media server that is gone (its
            // claim on the room not yet lapsed): try again on a fresh link.
            clearTimeout(this.answerTimer);
            this.answerTimer = setTimeout(() => {
                if (pc.signalingState === 'have-local-offer')
                    this.restart();
            }, ANSWER_TIMEOUT_MS);
        });
    }
    /** Hands over to a fresh link (unless this one was closed meanwhile). */
    restart() {
        if (!this.closed)
            this.client.restartSfu(this);
    }
    /** What each of our sending transceivers carries. */
    sources() {
        const out = {};
        for (const t of this.pc.getTransceivers()) {
            const track = t.sender.track;
            if (!t.mid || !track)
                continue;
            const screen = this.screenTrackIds.has(track.id);
            out[t.mid] = track.kind === 'audio' ? (screen ? 'screen_audio' : 'microphone') : screen ? 'screen' : 'camera';
        }
        return out;
    }
    onTrack(track, transceiver) {
        const info = transceiver.mid ? this.tracks.get(transceiver.mid) : undefined;
        if (!info)
            return;
        const screen = info.source === 'screen' || info.source === 'screen_audio';
        const key = `${info.user_id}/${screen ? 'screen' : 'camera'}`;
        let stream = this.streams.get(key);
        if (!stream) {
            stream = new MediaStream();
            this.streams.set(key, stream);
        }
        for (const old of stream.getTracks())
            if (old.kind === track.kind && old !== track)
                stream.removeTrack(old);
        stream.addTrack(track);
        this.client.emit('remote-stream', { userId: info.user_id, stream, track, screen });
        if (this.pc.connectionState === 'connected')
            this.client.emit('peer-state', { userId: info.user_id, state: 'connected' });
    }
    /** Forgets tracks whose transceivers the server stopped. */
    dropStopped() {
        const live = new Set(this.pc.getTransceivers().filter((t) => t.currentDirection !== 'stopped' && t.mid).map((t) => t.mid));
        for (const mid of [...this.tracks.keys()]) {
            if (live.has(mid))
                continue;
            const info = this.tracks.get(mid);
            this.tracks.delete(mid);
            const screen = info.source === 'screen' || info.source === 'screen_audio';
            const key = `${info.user_id}/${screen ? 'screen' : 'camera'}`;
            const stream = this.streams.get(key);
            for (const t of stream?.getTracks() ?? [])
                if (t.readyState === 'ended')
                    stream.removeTrack(t);
            if (stream && stream.getTracks().length === 0)
                this.streams.delete(key);
        }
    }
    /** User ids we receive tracks from. */
    users() {
        return new Set([...this.tracks.values()].map((t) => t.user_id));
    }
    /** Our mids that carry `userId`'s tracks. */
    midsOf(userId) {
        return new Set([...this.tracks.values()].filter((t) => t.user_id === userId).map((t) => t.mid));
    }
    /** The connection's stats, with only `userId`'s inbound tracks among the `inbound-rtp` entries. */
    async statsOf(userId) {
        const mids = this.midsOf(userId);
        const report = await this.pc.getStats();
        const kept = new Map();
        report.forEach((s) => {
            if (s.type !== 'inbound-rtp' || (s.mid !== undefined && mids.has(s.mid)))
                kept.set(s.id, s);
        });
        return kept;
    }
    /** Adds our screen stream (the share was announced first). */
    addScreen(stream) {
        this.run(() => {
            if (!this.closed)
                this.addScreenNow(stream);
        });
    }
    addScreenNow(stream) {
        for (const t of stream.getTracks())
            this.screenTrackIds.add(t.id);
        this.screenSenders = stream.getTracks().map((t) => this.pc.addTransceiver(t, { direction: 'sendonly', streams: [stream] }).sender);
    }
    /** Removes our screen tracks. */
    removeScreen() {
        this.run(() => {
            if (this.closed)
                return;
            for (const s of this.screenSenders)
                this.pc.removeTrack(s);
            this.screenSenders = [];
        });
    }
    /** Closes the connection. */
    close() {
        this.closed = true;
        clearTimeout(this.answerTimer);
        clearTimeout(this.lostTimer);
        this.pc.close();
    }
}

// ---------------------------------------------------------------- src/client.ts

// client.ts: one participant's view of one room: the signaling WebSocket
// (with reconnection and replay), a mesh of RTCPeerConnections, chat, files,
// recording, screen sharing, quality reports and moderation.
/** Refused, banned, replaced, room closed: these closes are final, no retry. */
const TERMINAL_CLOSE = new Set([4401, 4403, 4404, 4409, 4410]);
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
    iceServers;
    /** Our user id, once joined (or waiting). */
    userId = null;
    /** The highest `seq` seen: reconnects resume after it. */
    lastSequence = null;
    /** The latest room state, kept current by events. */
    state = null;
    /** Where the connection stands. */
    status = 'idle';
    /** Reconnection attempts since the last success. */
    attempt = 0;
    /** Peer connections by user id (mesh rooms, and peer-to-peer files). */
    peers = new Map();
    /** The connection to the server's media plane (SFU rooms). */
    sfu = null;
    /** SFU rooms: who speaks now, loudest first (`active-speakers`). */
    activeSpeakers = [];
    /** SFU rooms: the dominant speaker, if anyone speaks. */
    dominantSpeaker = null;
    /** SFU rooms: whether the camera goes out in simulcast layers. */
    simulcast;
    /** Each participant's latest quality class (`quality-update`). */
    quality = new Map();
    /** The stream we publish. */
    localStream = null;
    /** The screen we share, while sharing. */
    screenStream = null;
    ws = null;
    closedByUser = false;
    usePeers;
    autoDownload;
    acceptedFiles = new Set();
    completedFiles = new Map();
    acceptWaiters = new Map();
    acceptedOut = new Set();
    mediaResolve = null;
    media;
    joinWaiter = null;
    lastError = null;
    offlineMs;
    resyncing = false;
    statsTimer = null;
    lossCounters = new Map();
    constructor(opts) {
        super(opts);
        this.iceServers = opts.iceServers ?? null;
        this.usePeers = opts.peerConnections ?? typeof RTCPeerConnection !== 'undefined';
        this.autoDownload = opts.autoDownload ?? true;
        this.simulcast = opts.simulcast ?? true;
        this.media = new Promise((r) => (this.mediaResolve = r));
        if (opts.waitForMedia === false || !this.usePeers)
            this.setLocalStream(null);
    }
    // ------------------------------------------------------------ events
    /** Calls `fn` with the detail of every `type` event; returns a function that unsubscribes. */
    on(type, fn) {
        const h = (e) => fn(e.detail);
        this.addEventListener(type, h);
        return () => this.removeEventListener(type, h);
    }
    /**
     * Resolves with the detail of the next `type` event that `match` accepts;
     * rejects with `TIMEOUT` after `timeoutMs` (default 10 s).
     */
    once(type, match = () => true, { timeoutMs = 10_000 } = {}) {
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => {
                off();
                reject(new RtcError(0, 'TIMEOUT', `no ${type} event within ${timeoutMs} ms`));
            }, timeoutMs);
            const off = this.on(type, (d) => {
                if (!match(d))
                    return;
                clearTimeout(timer);
                off();
                resolve(d);
            });
        });
    }
    /** Dispatches `type` with `detail` (used by the peer connections too). */
    emit(type, detail) {
        this.dispatchEvent(new CustomEvent(type, { detail }));
    }
    // ------------------------------------------------------------ connection
    /** Opens the WebSocket; resolves once joined (or placed in the waiting room), rejects with `RtcError` when refused. */
    async connect() {
        this.closedByUser = false;
        if (!this.iceServers) {
            try {
                // As RTCIceServer takes them (the document allows null for an absent credential).
                this.iceServers = (await this.config()).iceServers.map(({ urls, username, credential }) => ({
                    urls,
                    ...(username != null ? { username } : {}),
                    ...(credential != null ? { credential } : {}),
                }));
            }
            catch {
                this.iceServers = [];
            }
        }
        return new Promise((resolve, reject) => {
            this.joinWaiter = { resolve, reject };
            void this.open();
        });
    }
    /** Resolves with the room state once we are in the room (at once if we are; after admission from the waiting room). */
    async joined({ timeoutMs = 60_000 } = {}) {
        if (this.status === 'connected' && this.state)
            return this.state;
        return this.once('state', () => true, { timeoutMs });
    }
    async open() {
        this.setStatus(this.lastSequence === null ? 'connecting' : 'reconnecting');
        if (this.getToken)
            this.token = await this.getToken();
        const url = new URL(`/webrtc/ws/${encodeURIComponent(this.room)}`, this.baseUrl);
        url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
        url.searchParams.set('token', this.token ?? '');
        if (this.lastSequence !== null)
            url.searchParams.set('last_sequence', String(this.lastSequence));
        const ws = new WebSocket(url);
        this.ws = ws;
        ws.onmessage = (e) => {
            if (ws !== this.ws)
                return;
            let msg;
            try {
                msg = JSON.parse(String(e.data));
            }
            catch {
                return;
            }
            this.onMessage(msg);
        };
        ws.onclose = (e) => {
            if (ws === this.ws)
                this.onClose(e.code, e.reason);
        };
        // A failure (refused handshake, lost network) is an abnormal close.
        // Browsers follow it with a close event, but Node 20's WebSocket does
        // not after a refused handshake, so act on the error and ignore the rest.
        ws.onerror = () => {
            if (ws !== this.ws)
                return;
            this.onClose(1006, '');
            ws.close();
        };
    }
    onClose(code, reason) {
        this.ws = null;
        if (this.closedByUser)
            return this.setStatus('closed');
        // The handshake was refused (bad token, banned…) or our seat was taken over.
        if (TERMINAL_CLOSE.has(code) || (this.status === 'connecting' && this.lastSequence === null)) {
            this.stopNetworkStats();
            this.setStatus('closed', { code, reason });
            const waiter = this.joinWaiter;
            this.joinWaiter = null;
            const closed = new RtcError(0, this.lastError?.code ?? 'CONNECTION_CLOSED', this.lastError?.message ?? (reason || `closed ${code}`));
            if (!waiter)
                return;
            if (this.lastError || code !== 1006)
                return waiter.reject(closed);
            // A refused handshake hides its HTTP answer from WebSocket clients:
            // ask the same question over REST to learn the code (INVALID_TOKEN,
            // ROOM_ACCESS_DENIED…).
            this.roomState().then(() => waiter.reject(closed), (e) => waiter.reject(e instanceof RtcError && e.code !== 'USER_NOT_IN_ROOM' ? e : closed));
            return;
        }
        this.attempt += 1;
        let delay = Math.min(10_000, 250 * 2 ** Math.min(this.attempt, 6)) * (0.8 + Math.random() * 0.4);
        if (this.offlineMs !== undefined)
            delay = this.offlineMs;
        this.offlineMs = undefined;
        this.setStatus('reconnecting', { attempt: this.attempt, delay_ms: Math.round(delay), code });
        setTimeout(() => void this.open(), delay);
    }
    /** Leaves the room (a goodbye: others see `user-left` at once). */
    leave() {
        this.closedByUser = true;
        this.stopNetworkStats();
        for (const p of this.peers.values())
            p.close();
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
    simulateDrop({ offlineMs } = {}) {
        this.offlineMs = offlineMs;
        this.ws?.close(4000, 'simulated drop');
    }
    /** Sends one protocol message; false when the socket is not open. */
    send(msg) {
        if (!this.ws || this.ws.readyState !== WebSocket.OPEN)
            return false;
        this.ws.send(JSON.stringify(msg));
        return true;
    }
    /**
     * Sends `msg` and resolves with the first server message `match` accepts;
     * rejects with the server's `error` about it (`in_reply_to` its type) as
     * an `RtcError`, or `TIMEOUT`.
     */
    request(msg, match, { timeoutMs = 10_000 } = {}) {
        return new Promise((resolve, reject) => {
            const off = this.on('message', (m) => {
                if (m.type === 'error' && m.in_reply_to === msg.type) {
                    done();
                    reject(new RtcError(0, m.code, m.message, m.retry_after ?? null));
                }
                else if (match(m)) {
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
    setStatus(status, extra = {}) {
        this.status = status;
        this.emit('connection', { status, ...extra });
    }
    // ------------------------------------------------------------ messages
    onMessage(msg) {
        if ('seq' in msg && typeof msg.seq === 'number') {
            if (this.lastSequence !== null && msg.seq <= this.lastSequence)
                return; // already seen
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
                if (this.sfu)
                    this.startMedia();
                else
                    for (const id of [...this.peers.keys()])
                        this.replacePeer(id);
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
                if (this.sfu)
                    this.emit('peer-closed', { userId: msg.user_id });
                return this.emit('participant-left', msg);
            case 'participant-reconnecting':
                this.patchParticipant(msg.user_id, { presence: 'reconnecting' });
                return this.emit('participant-reconnecting', msg);
            case 'offer':
            case 'answer':
            case 'ice-candidate':
                if (!this.usePeers)
                    return this.emit('signal', msg);
                return this.peer(msg.from).signal(msg);
            case 'chat-message':
                return this.emit('chat', msg);
            case 'chat-updated':
            case 'chat-deleted':
            case 'chat-reaction':
            case 'chat-read':
                return this.emit(msg.type, msg);
            case 'hand-raise-queue':
                if (this.state)
                    this.state.hand_raise_queue = msg.queue;
                return this.emit('hand-raise-queue', msg);
            case 'media-control':
                this.patchMedia(msg.user_id, msg.kind === 'audio' ? { audio_muted: msg.muted } : { video_muted: msg.muted });
                if (msg.user_id === this.userId && msg.by !== this.userId)
                    this.applyRemoteMute(msg.kind, msg.muted);
                return this.emit('media-control', msg);
            case 'screen-share-control':
                this.patchMedia(msg.user_id, { screen_sharing: msg.active });
                // A moderator stopped our share: take the tracks down too.
                if (msg.user_id === this.userId && !msg.active && this.screenStream)
                    this.dropScreen();
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
                if (this.state)
                    this.state.settings = msg.settings;
                if (this.mediaMode !== before)
                    this.startMedia();
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
                    if (this.acceptedFiles.delete(msg.transfer_id))
                        void this.receiveServerFile(msg.transfer);
                    else
                        this.completedFiles.set(msg.transfer_id, msg.transfer);
                }
                return this.emit('file-transfer', msg);
            case 'file-share-accept':
            case 'file-share-reject': {
                // The server takes chunks only once the receiver accepted.
                const waiter = this.acceptWaiters.get(msg.transfer_id);
                const accepted = msg.type === 'file-share-accept';
                if (waiter)
                    waiter(accepted ? null : new RtcError(0, 'FILE_REJECTED', 'the receiver declined the file'));
                else if (accepted && msg.transfer)
                    this.acceptedOut.add(msg.transfer_id);
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
    onRoomState(state) {
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
    get mediaMode() {
        return this.state?.settings.media_mode ?? 'mesh';
    }
    /** Replaces a failed connection to the media server (called by the link itself). */
    restartSfu(failed) {
        if (this.sfu !== failed || this.status !== 'connected')
            return;
        this.emit('peer-error', { userId: 'sfu', error: 'media connection failed; reconnecting' });
        this.startMedia();
    }
    /** (Re)starts our media: one connection to the server in SFU rooms, else one per member. */
    startMedia() {
        for (const id of [...this.peers.keys()])
            this.closePeer(id);
        this.sfu?.close();
        this.sfu = null;
        if (!this.usePeers || !this.state)
            return;
        if (this.mediaMode === 'sfu') {
            this.sfu = new SfuLink(this, this.media);
            return;
        }
        for (const p of this.state.participants) {
            if (p.user_id !== this.userId && p.presence !== 'reconnecting')
                this.peer(p.user_id);
        }
    }
    onUserJoinedState(participant) {
        if (!this.state)
            return;
        const list = this.state.participants;
        const i = list.findIndex((p) => p.user_id === participant.user_id);
        if (i >= 0)
            list[i] = participant;
        else
            list.push(participant);
    }
    onUserJoined(participant) {
        if (participant.user_id === this.userId)
            return;
        this.onUserJoinedState(participant);
        // New or returning: either way its old peer connection (if any) is gone.
        if (this.usePeers && this.mediaMode === 'mesh')
            this.replacePeer(participant.user_id);
        this.emit('participant-joined', { participant });
    }
    dropParticipant(userId) {
        if (this.state)
            this.state.participants = this.state.participants.filter((p) => p.user_id !== userId);
        this.quality.delete(userId);
    }
    patchParticipant(userId, patch) {
        const p = this.participant(userId);
        if (p)
            Object.assign(p, patch);
    }
    patchMedia(userId, patch) {
        const p = this.participant(userId);
        if (p)
            p.media = { ...p.media, ...patch };
    }
    applyRemoteMute(kind, muted) {
        for (const t of this.localStream?.getTracks() ?? [])
            if (t.kind === kind)
                t.enabled = !muted;
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
        this.mediaResolve?.(stream);
        this.mediaResolve = null;
    }
    /** Mutes or unmutes our own audio or video and tells the room. */
    setMuted(kind, muted) {
        this.applyRemoteMute(kind, muted);
        return this.send({ type: 'media-control', kind, muted });
    }
    peer(userId) {
        let p = this.peers.get(userId);
        if (!p) {
            if (!this.usePeers)
                throw new RtcError(0, 'NO_PEER_CONNECTIONS', 'this client makes no peer connections (peerConnections: false)');
            p = new Peer(this, userId, this.media);
            this.peers.set(userId, p);
        }
        return p;
    }
    replacePeer(userId) {
        this.closePeer(userId);
        return this.peer(userId);
    }
    closePeer(userId) {
        const p = this.peers.get(userId);
        if (!p)
            return;
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
    setVideoSubscription(userId, { width, height, paused = false, screen = false }) {
        const wanted = screen ? 'screen' : 'camera';
        const track = [...(this.sfu?.tracks.values() ?? [])].find((t) => t.user_id === userId && t.kind === 'video' && t.source === wanted);
        if (!track)
            return false;
        return this.send({ type: 'subscription-update', tracks: [{ mid: track.mid, width, height, paused }] });
    }
    /** `RTCStatsReport` of the connection to `userId` (in SFU rooms: of the server connection, with only `userId`'s inbound tracks), or null. */
    async stats(userId) {
        if (this.sfu)
            return this.sfu.statsOf(userId);
        return (await this.peers.get(userId)?.pc.getStats()) ?? null;
    }
    /**
     * `userId`'s camera stream and screen-share stream, as far as they
     * arrived; the screen only while the room says they share it.
     */
    remoteStreams(userId) {
        const sharing = this.participant(userId)?.media.screen_sharing ?? false;
        if (this.sfu) {
            const screen = this.sfu.streams.get(`${userId}/screen`) ?? null;
            return { camera: this.sfu.streams.get(`${userId}/camera`) ?? null, screen: sharing ? screen : null };
        }
        const p = this.peers.get(userId);
        let camera = null;
        let screen = null;
        for (const s of p?.streams.values() ?? []) {
            if (!p.screenStreamIds.has(s.id))
                camera ??= s;
            else if (sharing)
                screen = s;
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
    async shareScreen(stream) {
        if (this.screenStream)
            await this.stopScreenShare();
        await this.request({ type: 'screen-share-control', action: 'start' }, (m) => m.type === 'screen-share-control' && m.user_id === this.userId && m.active);
        this.screenStream = stream;
        for (const p of this.peers.values())
            p.addScreen(stream);
        this.sfu?.addScreen(stream);
        stream.getVideoTracks()[0]?.addEventListener('ended', () => void this.stopScreenShare(), { once: true });
    }
    /** Stops our screen share: the tracks leave every connection, then the room is told. */
    async stopScreenShare() {
        if (!this.screenStream)
            return;
        this.dropScreen();
        this.send({ type: 'screen-share-control', action: 'stop' });
    }
    dropScreen() {
        const stream = this.screenStream;
        if (!stream)
            return;
        this.screenStream = null;
        for (const p of this.peers.values())
            p.removeScreen(stream);
        this.sfu?.removeScreen();
        for (const t of stream.getTracks())
            t.stop();
    }
    // ------------------------------------------------------------ quality
    /** Sends our network figures (`network-stats`); the server answers changes of class with `quality-update`. */
    sendNetworkStats(stats) {
        return this.send({ type: 'network-stats', ...stats });
    }
    /** Network figures over our connected peer connections (`getStats()`), or null without one. */
    async collectNetworkStats() {
        const reports = [];
        for (const p of this.peers.values()) {
            if (p.pc.connectionState === 'connected')
                reports.push(await p.pc.getStats());
        }
        if (this.sfu?.pc.connectionState === 'connected')
            reports.push(await this.sfu.pc.getStats());
        return networkStatsFrom(reports, this.lossCounters);
    }
    /** Every `intervalMs` (default 5 s), collects and sends our network figures. Returns a function that stops it. */
    startNetworkStats({ intervalMs = 5000 } = {}) {
        this.stopNetworkStats();
        const tick = async () => {
            const stats = await this.collectNetworkStats().catch(() => null);
            if (stats)
                this.sendNetworkStats(stats);
        };
        this.statsTimer = setInterval(() => void tick(), intervalMs);
        void tick();
        return () => this.stopNetworkStats();
    }
    /** Stops the reports of `startNetworkStats`. */
    stopNetworkStats() {
        if (this.statsTimer)
            clearInterval(this.statsTimer);
        this.statsTimer = null;
    }
    // ------------------------------------------------------------ room actions
    /** Sends a chat message to the room, or privately with `{ to }`; with `{ replyTo }`, as a reply to that message (its thread's first message). */
    sendChat(message, { to, replyTo } = {}) {
        return this.send({ type: 'chat-message', message, ...(to ? { to } : {}), ...(replyTo ? { reply_to: replyTo } : {}) });
    }
    /** Changes the text of our message `messageId` (within the server's edit window). */
    editChat(messageId, message) {
        return this.send({ type: 'chat-edit', message_id: messageId, message });
    }
    /** Deletes message `messageId`: our own within the edit window, anyone's as a moderator. */
    deleteChat(messageId) {
        return this.send({ type: 'chat-delete', message_id: messageId });
    }
    /** Tells the room (or, with `to`, one user) that we are typing, or stopped. Never stored; send it at most every few seconds. */
    setTyping(active, { to } = {}) {
        return this.send(to ? { type: 'typing', active, to } : { type: 'typing', active });
    }
    /** Raises or lowers our hand. */
    raiseHand(raised = true) {
        return this.send({ type: 'hand-raise', raised });
    }
    /** Sends a passing emoji reaction to the room. */
    react(emoji) {
        return this.send({ type: 'reaction', emoji });
    }
    /** Marks the chat read up to message `messageId` (a mark only moves forward). */
    markRead(messageId) {
        return this.send({ type: 'chat-read', message_id: messageId });
    }
    /**
     * Adds (or, with `active: false`, takes back) a reaction kept on chat
     * message `messageId`; everyone who can see the message gets `chat-reaction`.
     */
    reactToMessage(messageId, emoji, active = true) {
        return this.send(active ? { type: 'reaction', emoji, message_id: messageId } : { type: 'reaction', emoji, message_id: messageId, active });
    }
    /** Mutes someone's microphone or camera (moderators; only they can unmute). */
    muteParticipant(userId, kind = 'audio') {
        return this.send({ type: 'media-control', kind, muted: true, target: userId });
    }
    /** Stops someone's screen share (moderators). */
    stopScreenShareOf(userId) {
        return this.send({ type: 'screen-share-control', action: 'stop', target: userId });
    }
    /** Lowers someone's hand (moderators). */
    lowerHand(userId) {
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
    async sendFile(file, { to, mode = 'server', chunkSize = 256 * 1024 }) {
        const sha256 = await sha256Hex(file);
        if (mode === 'p2p')
            return this.peer(to).sendFile(file, sha256);
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
    async resumeFileUpload(file, transferId) {
        const m = await this.missingChunks(transferId);
        const t = await this.transferProgress(transferId);
        await this.uploadChunks(file, { ...t, chunk_size: m.chunk_size }, m.missing, t.receiver);
    }
    async uploadChunks(file, t, indexes, to) {
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
    awaitAccept(id) {
        if (this.acceptedOut.delete(id))
            return Promise.resolve();
        return new Promise((resolve, reject) => {
            const done = (err) => {
                clearInterval(timer);
                this.acceptWaiters.delete(id);
                if (err)
                    reject(err);
                else
                    resolve();
            };
            this.acceptWaiters.set(id, done);
            const timer = setInterval(async () => {
                try {
                    const t = await this.transferProgress(id);
                    if (t.state === 'active')
                        done(null);
                    else if (['rejected', 'cancelled', 'failed'].includes(t.state))
                        done(new RtcError(0, 'FILE_REJECTED', `the transfer was ${t.state}`));
                }
                catch {
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
    async acceptFile(transferId) {
        const p2p = [...this.peers.values()].find((p) => p.incoming.has(transferId));
        if (p2p)
            return p2p.acceptFile(transferId);
        const done = this.completedFiles.get(transferId);
        if (done) {
            this.completedFiles.delete(transferId);
            await this.transferAction(transferId, 'accept').catch(() => null);
            return this.receiveServerFile(done);
        }
        if (this.autoDownload)
            this.acceptedFiles.add(transferId);
        await this.transferAction(transferId, 'accept');
    }
    /** Declines an incoming file offer. */
    async rejectFile(transferId) {
        const p2p = [...this.peers.values()].find((p) => p.incoming.has(transferId));
        if (p2p)
            return p2p.rejectFile(transferId);
        await this.transferAction(transferId, 'reject');
    }
    async receiveServerFile(transfer) {
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
        }
        catch (e) {
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
    async startRecording({ stream = this.localStream, format = 'webm', quality = 'medium', timeslice = 1000, } = {}) {
        if (!stream)
            throw new RtcError(0, 'VALIDATION_ERROR', 'no stream to record');
        const rec = await this.createRecording({ format, quality, source: 'client' });
        const id = rec.recording_id;
        const mime = ['video/webm;codecs=vp8,opus', 'video/webm;codecs=vp8', 'video/webm'].find((m) => MediaRecorder.isTypeSupported(m));
        const recorder = new MediaRecorder(stream, mime ? { mimeType: mime } : undefined);
        let seq = 0;
        let uploads = Promise.resolve();
        let failure = null;
        recorder.ondataavailable = (e) => {
            if (!e.data.size)
                return;
            const n = seq++;
            uploads = uploads.then(async () => {
                try {
                    await this.uploadRecordingChunk(id, n, await e.data.arrayBuffer());
                    this.emit('recording-upload', { recordingId: id, sequence: n, bytes: e.data.size });
                }
                catch (err) {
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
                if (recorder.state !== 'inactive')
                    recorder.stop();
                await stopped;
                await uploads;
                if (failure)
                    throw failure;
                return this.stopRecording(id);
            },
        };
    }
}
