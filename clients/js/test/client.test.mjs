// The package against the real server, at the protocol level: Node has no
// RTCPeerConnection, so these clients make no peer connections and speak
// only signaling and REST, as a bot would. Run by clients/js/check.sh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { RtcClient, RoomRestClient, RtcError, fetchDevToken, sha256Hex } from '@rtc-backend/client';
import { startServer, token, roomName } from './support.mjs';

let server;
let base;
const clients = [];

before(async () => {
  const s = await startServer();
  server = s.child;
  base = s.url;
});

after(() => {
  for (const c of clients) c.leave();
  server?.kill('SIGTERM');
});

/** A connected client for `user` in `room` (the first joiner of a room hosts). */
async function join(room, user, claims = {}, opts = {}) {
  const c = new RtcClient({ room, baseUrl: base, token: token(user, { room, name: user, ...claims }), ...opts });
  clients.push(c);
  const r = await c.connect();
  return { c, r };
}

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

test('two clients join, chat both ways and page through the history', async () => {
  const room = roomName('chat');
  const { c: alice, r } = await join(room, 'alice');
  assert.equal(r.waiting, false);
  assert.equal(alice.userId, 'alice');
  assert.equal(alice.participant('alice').role, 'host');
  const joined = alice.once('participant-joined');
  const { c: bob } = await join(room, 'bob');
  assert.equal((await joined).participant.user_id, 'bob');
  assert.deepEqual(bob.state.participants.map((p) => p.user_id), ['alice', 'bob']);

  const atBob = bob.once('chat', (m) => m.from === 'alice');
  assert.equal(alice.sendChat('hello <b>bob</b>'), true);
  assert.equal((await atBob).message, 'hello &lt;b&gt;bob&lt;/b&gt;');
  const atAlice = alice.once('chat', (m) => m.from === 'bob');
  bob.sendChat('hi alice');
  assert.equal((await atAlice).message, 'hi alice');

  for (let i = 1; i <= 3; i++) alice.sendChat(`page ${i}`);
  await bob.once('chat', (m) => m.message === 'page 3');
  const first = await bob.chatHistory({ limit: 2 });
  assert.deepEqual(first.messages.map((m) => m.message), ['page 3', 'page 2']);
  assert.ok(first.next_cursor, 'a cursor to older messages');
  const all = [];
  for await (const m of bob.chatHistoryAll({ pageSize: 2 })) all.push(m.message);
  assert.deepEqual(all, ['page 3', 'page 2', 'page 1', 'hi alice', 'hello &lt;b&gt;bob&lt;/b&gt;']);
});

test('REST calls carry the token and refusals come back as RtcError with the code', async () => {
  const room = roomName('rest');
  const { c: alice } = await join(room, 'alice');
  const { c: bob } = await join(room, 'bob');
  assert.equal((await bob.participants()).count, 2);
  assert.equal((await bob.roomState()).you, 'bob');
  assert.equal((await bob.getRole('alice')).role, 'host');
  assert.equal((await bob.rateLimit('chat_message')).limit_type, 'chat_message');
  assert.equal((await alice.updateSettings({ max_participants: 7 })).max_participants, 7);
  assert.equal((await bob.getSettings()).max_participants, 7);
  // A participant may not change settings.
  const e = await bob.updateSettings({ locked: true }).catch((e) => e);
  assert.ok(e instanceof RtcError, String(e));
  assert.equal(e.status, 403);
  assert.equal(e.code, 'PERMISSION_DENIED');
  // A REST-only client of the same room.
  const rest = new RoomRestClient({ room, baseUrl: base, token: token('alice', { room }) });
  assert.equal((await rest.participants()).count, 2);
  // Development tokens: the server picks the id; the token joins that room only.
  const dev = await fetchDevToken(base, { name: 'Dev', room });
  assert.match(dev.user_id, /^guest-/);
  const guest = new RtcClient({ room, baseUrl: base, getToken: () => dev.token });
  clients.push(guest);
  await guest.connect();
  assert.equal(guest.userId, dev.user_id);
  assert.equal(guest.participant(dev.user_id).name, 'Dev');
});

test('a refused handshake rejects connect() with the server code', async () => {
  const c = new RtcClient({ room: roomName('bad'), baseUrl: base, token: 'not-a-jwt' });
  const e = await c.connect().catch((e) => e);
  assert.ok(e instanceof RtcError, String(e));
  assert.equal(e.code, 'INVALID_TOKEN');
  assert.equal(e.status, 401);
  assert.equal(c.status, 'closed');
  // A token for another room.
  const other = new RtcClient({ room: roomName('bad'), baseUrl: base, token: token('eve', { room: 'elsewhere' }) });
  const denied = await other.connect().catch((e) => e);
  assert.equal(denied.code, 'ROOM_ACCESS_DENIED');
  assert.equal(denied.status, 403);
});

test('files go through the server both ways, each chunk with its SHA-256', async () => {
  const room = roomName('files');
  const { c: alice } = await join(room, 'alice');
  const { c: bob } = await join(room, 'bob');
  const send = async (from, to, size) => {
    const bytes = randomBytes(size);
    const offered = to.once('file-offer');
    const received = to.once('file-received', () => true, { timeoutMs: 20_000 });
    const progress = [];
    from.on('file-progress', (p) => progress.push(p));
    // 100 KiB chunks: several of them, the last one short.
    const sending = from.sendFile(new File([bytes], `f-${size}.bin`), { to: to.userId, chunkSize: 100 * 1024 });
    const offer = await offered;
    assert.equal(offer.mode, 'server');
    assert.equal(offer.transfer.file_size, size);
    assert.equal(offer.transfer.sha256, sha256(bytes));
    await to.acceptFile(offer.transferId);
    const id = await sending;
    assert.equal(id, offer.transferId);
    const got = await received;
    assert.equal(got.verified, true);
    assert.equal(got.sha256, sha256(bytes));
    assert.equal(got.blob.size, size);
    assert.ok(Buffer.from(await got.blob.arrayBuffer()).equals(bytes));
    assert.equal(progress[0].waiting, true, 'the sender waited for the accept');
    assert.equal(progress.at(-1).sent, size);
    // The sender may download it too; the bytes are the same.
    assert.equal(await sha256Hex(await from.downloadFile(id)), sha256(bytes));
    return id;
  };
  await send(alice, bob, 350_000);
  await send(bob, alice, 123_457);
  // A chunk whose hash does not match is refused and not stored.
  const offered = bob.once('file-offer');
  const t = await alice.offerFile({ receiver: 'bob', file_name: 'x.bin', file_size: 10, sha256: sha256(Buffer.alloc(10)) });
  await bob.acceptFile((await offered).transferId);
  const e = await alice.uploadFileChunk(t.transfer_id, 0, new Uint8Array(10), '0'.repeat(64)).catch((e) => e);
  assert.equal(e.code, 'CHECKSUM_MISMATCH');
  assert.deepEqual((await alice.missingChunks(t.transfer_id)).missing, [0]);
  // Declining ends the sender's wait with an error.
  const declined = bob.once('file-offer');
  const sending = alice.sendFile(new File([Buffer.alloc(5)], 'no.bin'), { to: 'bob' }).catch((e) => e);
  await bob.rejectFile((await declined).transferId);
  assert.equal((await sending).code, 'FILE_REJECTED');
});

test('a recording: chunks uploaded, pause refuses chunks, status and events', async () => {
  const room = roomName('rec');
  const { c: alice } = await join(room, 'alice');
  const { c: bob } = await join(room, 'bob');
  const started = bob.once('recording', (m) => m.type === 'recording_started');
  const rec = await alice.createRecording({ format: 'webm', quality: 'low' });
  assert.equal(rec.status, 'recording');
  assert.equal((await started).recording.recording_id, rec.recording_id);
  const id = rec.recording_id;
  const chunk = randomBytes(2000);
  assert.deepEqual(await alice.uploadRecordingChunk(id, 0, chunk), { recording_id: id, user_id: 'alice', sequence: 0, duplicate: false });
  assert.equal((await alice.uploadRecordingChunk(id, 0, chunk)).duplicate, true);
  await bob.uploadRecordingChunk(id, 0, randomBytes(100));
  assert.equal((await alice.pauseRecording(id)).status, 'paused');
  const refused = await alice.uploadRecordingChunk(id, 1, chunk).catch((e) => e);
  assert.equal(refused.code, 'INVALID_STATE_TRANSITION');
  assert.equal((await alice.resumeRecording(id)).status, 'recording');
  await alice.uploadRecordingChunk(id, 1, chunk);
  const up = await bob.recordingUploadStatus(id);
  assert.deepEqual(up.participants.alice.sequences, [0, 1]);
  assert.equal(up.participants.alice.bytes, 4000);
  assert.equal(up.participants.bob.chunks, 1);
  assert.equal((await bob.recordingStatus(id)).status, 'recording');
  assert.equal((await bob.recordings()).count, 1);
  const stopped = bob.once('recording', (m) => m.type === 'recording_stopped');
  assert.equal((await alice.stopRecording(id)).status, 'processing');
  assert.equal((await stopped).recording.recording_id, id);
  // Random bytes are no WebM: processing fails with a stable code.
  const done = await alice.waitForRecording(id, { timeoutMs: 30_000 });
  assert.equal(done.status, 'failed');
  assert.equal(done.failure_code, 'UNSUPPORTED_MEDIA_FORMAT');
});

test('a dropped connection reconnects and replays what it missed, once each', async () => {
  const room = roomName('drop');
  const { c: alice } = await join(room, 'alice');
  const { c: bob } = await join(room, 'bob');
  const chats = [];
  bob.on('chat', (m) => chats.push(m.message));
  const statuses = [];
  bob.on('connection', (d) => statuses.push(d));
  const away = alice.once('participant-reconnecting');
  bob.simulateDrop({ offlineMs: 1500 });
  assert.equal((await away).user_id, 'bob');
  assert.equal(alice.participant('bob').presence, 'reconnecting');
  for (let i = 1; i <= 3; i++) alice.sendChat(`missed ${i}`);
  const back = await bob.once('connection', (d) => d.status === 'connected', { timeoutMs: 15_000 });
  assert.equal(back.resumed, true);
  assert.ok(back.missed >= 3, JSON.stringify(back));
  assert.equal(statuses[0].status, 'reconnecting');
  for (let i = 0; i < 50 && chats.length < 3; i++) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(chats, ['missed 1', 'missed 2', 'missed 3']);
  alice.sendChat('after');
  await bob.once('chat', (m) => m.message === 'after');
  assert.deepEqual(chats, ['missed 1', 'missed 2', 'missed 3', 'after'], 'nothing twice');
  // The same over REST: where bob stands, and what came after a sequence.
  const rs = await bob.reconnectionState(bob.lastSequence - 1);
  assert.equal(rs.presence, 'connected');
  assert.equal(rs.resync_required, false);
  assert.equal(rs.events.at(-1).message, 'after');
});

test('the waiting room: a guest knocks, the host admits', async () => {
  const room = roomName('wait');
  const { c: host } = await join(room, 'host');
  await host.updateSettings({ waiting_room_enabled: true });
  const knock = host.once('waiting', (m) => m.user_id === 'guest');
  const { c: guest, r } = await join(room, 'guest');
  assert.deepEqual(r, { waiting: true, position: 1 });
  assert.equal(guest.status, 'waiting');
  assert.equal((await knock).position, 1);
  assert.deepEqual((await host.waitingRoom()).waiting.map((w) => w.user_id), ['guest']);
  const admitted = guest.joined();
  await host.admit('guest');
  const state = await admitted;
  assert.equal(state.you, 'guest');
  assert.equal(guest.status, 'connected');
  assert.ok(host.participant('guest') || (await host.once('participant-joined')).participant.user_id === 'guest');
  // A rejected knock ends the connection for good.
  const { c: other, r: r2 } = await join(room, 'other');
  assert.equal(r2.waiting, true);
  const closed = other.once('connection', (d) => d.status === 'closed');
  await host.rejectWaiting('other');
  assert.equal((await closed).code, 4403);
});

test('moderation: roles, permissions, mute, screen-share refusal, quality, kick and ban', async () => {
  const room = roomName('mod');
  const { c: host } = await join(room, 'host');
  const { c: bob } = await join(room, 'bob');
  // Roles and permissions reach everyone, and the client's state follows.
  const role = bob.once('role-updated');
  assert.equal((await host.setRole('bob', 'moderator')).role, 'moderator');
  assert.equal((await role).role, 'moderator');
  assert.equal(bob.participant('bob').role, 'moderator');
  await host.setRole('bob', 'participant');
  const perm = bob.once('permission-updated');
  await host.setPermissions('bob', { can_share_screen: false });
  assert.equal((await perm).permissions.can_share_screen, false);
  // Without the permission the server refuses a screen share.
  const refused = await bob
    .request({ type: 'screen-share-control', action: 'start' }, (m) => m.type === 'screen-share-control')
    .catch((e) => e);
  assert.equal(refused.code, 'SCREEN_SHARE_NOT_ALLOWED');
  await host.setPermissions('bob', { can_share_screen: true });
  const on = await bob.request({ type: 'screen-share-control', action: 'start' }, (m) => m.type === 'screen-share-control');
  assert.equal(on.active, true);
  // A moderator mutes someone; the target hears of it.
  const muted = bob.once('media-control');
  host.muteParticipant('bob', 'audio');
  assert.deepEqual(
    (({ user_id, kind, muted, by }) => ({ user_id, kind, muted, by }))(await muted),
    { user_id: 'bob', kind: 'audio', muted: true, by: 'host' },
  );
  assert.equal(bob.participant('bob').media.audio_muted, true);
  // Network figures: the room hears the class.
  const q = host.once('quality-update', (m) => m.user_id === 'bob');
  bob.sendNetworkStats({ latency_ms: 400, packet_loss_percent: 8, jitter_ms: 60 });
  assert.equal((await q).quality, 'poor');
  assert.equal(host.quality.get('bob'), 'poor');
  assert.equal((await bob.reconnectionState()).quality, 'poor');
  // Kick with a ban: bob is out and cannot come back.
  const left = host.once('participant-left');
  const closed = bob.once('connection', (d) => d.status === 'closed');
  assert.equal((await host.kick('bob', { ban: true })).status, 'banned');
  assert.equal((await left).reason, 'banned');
  await closed;
  const again = new RtcClient({ room, baseUrl: base, token: token('bob', { room }) });
  const e = await again.connect().catch((e) => e);
  assert.equal(e.code, 'USER_BANNED');
});
