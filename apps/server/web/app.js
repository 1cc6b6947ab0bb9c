// The demo page: wires the DOM to RtcClient. Everything protocol-related is
// in rtc-client.js; this file only renders. User-supplied text is always set
// with textContent, never as markup.
import { RtcClient, fetchDevToken, renderRichText } from '/client/rtc-client.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
let client = null;
let recording = null;

// Chat arrives with markup escaped by the server; decode for display as text.
const decode = (s) => new DOMParser().parseFromString(s, 'text/html').documentElement.textContent;

function log(text) {
  const li = document.createElement('li');
  li.textContent = `${new Date().toLocaleTimeString()} ${text}`;
  $('events').prepend(li);
}

function setStatus(status, text) {
  $('status').dataset.status = status;
  $('status').textContent = text;
}

function tile(userId, kind = 'remote') {
  let fig = document.querySelector(`#videos .tile.${kind}[data-user="${CSS.escape(userId)}"]`);
  if (!fig) {
    fig = document.createElement('figure');
    fig.className = `tile ${kind}`;
    fig.dataset.user = userId;
    const video = document.createElement('video');
    video.autoplay = true;
    video.playsInline = true;
    const cap = document.createElement('figcaption');
    fig.append(video, cap);
    $('videos').append(fig);
  }
  const name = client.participant(userId)?.name ?? userId;
  fig.querySelector('figcaption').textContent = kind === 'screen' ? `${name}'s screen` : name;
  return fig;
}

// Each participant's camera in its tile, their screen share in another.
function renderStreams(userId) {
  const { camera, screen } = client.remoteStreams(userId);
  const cam = tile(userId).querySelector('video');
  if (camera && cam.srcObject !== camera) cam.srcObject = camera;
  if (screen) {
    const v = tile(userId, 'screen').querySelector('video');
    if (v.srcObject !== screen) v.srcObject = screen;
  } else {
    document.querySelector(`#videos .tile.screen[data-user="${CSS.escape(userId)}"]`)?.remove();
  }
}

function renderParticipants() {
  const state = client.state;
  if (!state) return;
  const raised = new Set((state.hand_raise_queue ?? []).map((h) => h.user_id));
  const ul = $('participants');
  ul.replaceChildren();
  const target = $('file-target');
  const chosen = target.value;
  target.replaceChildren();
  for (const p of state.participants) {
    const li = document.createElement('li');
    li.dataset.user = p.user_id;
    li.className = [raised.has(p.user_id) ? 'hand' : '', p.presence === 'reconnecting' ? 'reconnecting' : ''].join(' ');
    const muted = p.media?.audio_muted ? ' 🔇' : '';
    const screen = p.media?.screen_sharing ? ' 🖥' : '';
    li.dataset.screen = String(Boolean(p.media?.screen_sharing));
    li.textContent = `${p.name}${p.user_id === client.userId ? ' (you)' : ''} · ${p.role}${muted}${screen}`;
    const quality = client.quality.get(p.user_id);
    if (quality) {
      // The server's class of this participant's own network-stats reports.
      li.dataset.quality = quality;
      const q = document.createElement('span');
      q.className = 'quality';
      q.dataset.quality = quality;
      const s = p.network_stats ?? {};
      q.title = `rtt ${s.latency_ms ?? '?'} ms, loss ${s.packet_loss_percent ?? '?'} %, jitter ${s.jitter_ms ?? '?'} ms`;
      q.textContent = quality;
      li.append(q);
    }
    ul.append(li);
    if (p.user_id !== client.userId) {
      const opt = document.createElement('option');
      opt.value = p.user_id;
      opt.textContent = p.name;
      target.append(opt);
    }
  }
  if (chosen) target.value = chosen;
  $('hand-btn').textContent = raised.has(client.userId) ? 'Lower hand' : 'Raise hand ✋';
}

function addChat(msg) {
  const li = document.createElement('li');
  li.className = 'chat';
  li.dataset.from = msg.from ?? msg.user_id ?? '';
  li.dataset.id = msg.id ?? '';
  const who = client.participant(li.dataset.from)?.name ?? li.dataset.from;
  const text = decode(msg.message ?? '');
  if (msg.reply_to) {
    // The parent as this page saw it; one it never saw is unavailable.
    const parent = [...$('chat-log').children].find((x) => x.dataset.id === msg.reply_to);
    const quote = document.createElement('span');
    quote.className = 'reply-to';
    quote.textContent = `↪ ${parent ? parent.dataset.text.slice(0, 40) : 'a message not shown here'} — `;
    li.append(quote);
  }
  li.dataset.text = text;
  // The text as written, with the safe rich-text subset (bold, italics,
  // code, http(s)/mailto links) built as DOM nodes: markup stays text.
  const body = document.createElement('span');
  body.className = 'text';
  body.append(renderRichText(text));
  li.append(`${who}${msg.to ? ' (private)' : ''}: `, body, msg.edited_at ? ' (edited)' : '');
  if (msg.id && li.dataset.from === client.userId) {
    // Our own message: edit (the server keeps the window) and delete.
    const edit = document.createElement('button');
    edit.className = 'edit';
    edit.type = 'button';
    edit.textContent = 'Edit';
    edit.onclick = () => {
      const text = prompt('Edit your message', li.dataset.text);
      if (text?.trim()) client.editChat(msg.id, text.trim());
    };
    li.append(' ', edit);
  }
  if (msg.id && (li.dataset.from === client.userId || ['host', 'moderator'].includes(client.participant(client.userId)?.role))) {
    const del = document.createElement('button');
    del.className = 'delete';
    del.type = 'button';
    del.textContent = 'Delete';
    del.onclick = () => client.deleteChat(msg.id);
    li.append(' ', del);
  }
  if (msg.id) {
    const reply = document.createElement('button');
    reply.className = 'reply';
    reply.type = 'button';
    reply.textContent = 'Reply';
    // A reply within a thread names the thread's first message.
    reply.onclick = () => setReply(msg.reply_to ?? msg.id, `${who}: ${text}`);
    li.append(' ', reply);
    // Reactions kept on the message: a 👍 toggle and the counts.
    const like = document.createElement('button');
    like.className = 'react';
    like.type = 'button';
    like.textContent = '👍';
    like.onclick = () => client.reactToMessage(msg.id, '👍', !(li.reactions['👍'] ?? []).includes(client.userId));
    const counts = document.createElement('span');
    counts.className = 'reactions';
    li.append(' ', like, ' ', counts);
  }
  li.reactions = structuredClone(msg.reactions ?? {});
  showReactions(li);
  $('chat-log').append(li);
  li.scrollIntoView({ block: 'nearest' });
}

/**
 * Marks the chat read up to `id` while the page is visible, at most once a
 * second (every mark is told to the room).
 */
let readTimer = null;
let readUpTo = null;
function markReadSoon(id) {
  if (!id || document.visibilityState !== 'visible') return;
  readUpTo = id;
  $('unread').hidden = true;
  readTimer ??= setTimeout(() => {
    readTimer = null;
    client?.markRead(readUpTo);
  }, 1000);
}

/** Where each other reader has read up to (user id → message id). */
const readMarks = new Map();
/** Writes "✓ seen by …" on the line each reader reached. */
function showReadMarks() {
  const byLine = new Map();
  for (const [user, id] of readMarks) byLine.set(id, [...(byLine.get(id) ?? []), user]);
  for (const li of $('chat-log').children) {
    li.querySelector('.seen')?.remove();
    const readers = byLine.get(li.dataset.id);
    if (!readers) continue;
    const seen = document.createElement('span');
    seen.className = 'seen';
    seen.textContent = ` ✓ seen by ${readers.map((u) => client.participant(u)?.name ?? u).join(', ')}`;
    li.append(seen);
  }
}

/** Writes a chat line's reaction counts (`👍 2 🎉 1`) from `li.reactions`. */
function showReactions(li) {
  const counts = li.querySelector('.reactions');
  if (counts) counts.textContent = Object.entries(li.reactions).map(([e, users]) => `${e} ${users.length}`).join(' ');
}

/** The message the next one replies to, shown above the input. */
let replyTo = null;
function setReply(id, label) {
  replyTo = id;
  $('replying').hidden = !id;
  $('replying-text').textContent = id ? `Replying to ${label.slice(0, 60)}` : '';
}

function addFile(d) {
  const li = document.createElement('li');
  li.className = 'file';
  li.dataset.sha256 = d.sha256;
  li.dataset.verified = String(d.verified);
  li.dataset.mode = d.mode;
  li.dataset.name = d.name;
  const a = document.createElement('a');
  a.href = URL.createObjectURL(d.blob);
  a.download = d.name;
  a.textContent = `${d.name} (${d.blob.size} bytes, ${d.mode})`;
  const note = document.createElement('span');
  note.textContent = d.verified ? ' ✓ SHA-256 verified' : ' ✗ checksum mismatch';
  li.append(a, note);
  $('files').append(li);
  log(`received ${d.name} from ${d.from} (${d.mode})`);
}

function addOffer(d) {
  const li = document.createElement('li');
  li.dataset.transfer = d.transferId;
  li.dataset.mode = d.mode;
  const t = d.transfer;
  const text = document.createElement('span');
  text.textContent = `${d.from} offers ${t.file_name} (${t.file_size} bytes, ${d.mode}) `;
  const yes = document.createElement('button');
  yes.type = 'button';
  yes.className = 'accept';
  yes.textContent = 'Accept';
  yes.onclick = async () => {
    li.remove();
    try {
      await client.acceptFile(d.transferId);
    } catch (e) {
      log(`accept failed: ${e.message}`);
    }
  };
  const no = document.createElement('button');
  no.type = 'button';
  no.className = 'reject';
  no.textContent = 'Decline';
  no.onclick = () => {
    li.remove();
    client.rejectFile(d.transferId).catch((e) => log(`decline failed: ${e.message}`));
  };
  li.append(text, yes, no);
  $('file-offers').append(li);
}

function wire(c) {
  c.addEventListener('connection', ({ detail }) => {
    const s = detail.status;
    let text = s;
    if (s === 'connected' && detail.resumed) text = `connected · resumed, ${detail.missed} missed message(s) replayed`;
    else if (s === 'connected' && detail.resynced) text = 'connected · resynced';
    else if (s === 'reconnecting' && detail.attempt) text = `reconnecting (attempt ${detail.attempt})…`;
    else if (s === 'waiting') text = `waiting room, position ${detail.position}`;
    setStatus(s, text);
    log(text);
  });
  c.addEventListener('state', renderParticipants);
  for (const t of ['participant-joined', 'participant-left', 'participant-reconnecting', 'hand-raise-queue', 'media-control', 'role-updated', 'quality-update', 'screen-share-control']) {
    c.addEventListener(t, (e) => {
      renderParticipants();
      if (t === 'participant-joined') log(`${e.detail.participant.name} joined`);
      if (t === 'participant-left') log(`${e.detail.user_id} left (${e.detail.reason})`);
    });
  }
  c.addEventListener('peer-closed', ({ detail }) => {
    if (!c.participant(detail.userId)) {
      for (const t of document.querySelectorAll(`#videos .tile[data-user="${CSS.escape(detail.userId)}"]:not(.local)`)) t.remove();
    }
  });
  c.addEventListener('remote-stream', ({ detail }) => renderStreams(detail.userId));
  c.addEventListener('screen-share-control', ({ detail }) => {
    if (!detail.active && detail.user_id !== c.userId) renderStreams(detail.user_id);
    if (!detail.active && detail.user_id === c.userId) showSharing(false);
    log(`${c.participant(detail.user_id)?.name ?? detail.user_id} ${detail.active ? 'shares' : 'stopped sharing'} their screen`);
  });
  // Who is typing, shown for a few seconds after each indicator.
  const typing = new Map();
  const showTyping = () => {
    const names = [...typing.keys()].map((u) => c.participant(u)?.name ?? u);
    $('typing').textContent = names.length ? `${names.join(', ')} typing…` : '';
  };
  c.addEventListener('typing', ({ detail }) => {
    clearTimeout(typing.get(detail.user_id));
    if (detail.active) typing.set(detail.user_id, setTimeout(() => (typing.delete(detail.user_id), showTyping()), 5000));
    else typing.delete(detail.user_id);
    showTyping();
  });
  c.addEventListener('active-speakers', ({ detail }) => {
    const speaking = new Set(detail.speakers.map((s) => s.user_id));
    for (const t of document.querySelectorAll('#videos .tile[data-user]')) {
      t.dataset.speaking = String(speaking.has(t.dataset.user));
      t.classList.toggle('dominant', t.dataset.user === detail.dominant);
    }
  });
  c.addEventListener('peer-state', ({ detail }) => {
    tile(detail.userId).dataset.peerState = detail.state;
    log(`peer ${detail.userId}: ${detail.state}`);
  });
  c.addEventListener('peer-channel', ({ detail }) => {
    tile(detail.userId).dataset.channel = detail.state;
  });
  c.addEventListener('chat', ({ detail }) => {
    addChat(detail);
    if (detail.from !== client.userId) markReadSoon(detail.id);
  });
  // Unread on joining; marks others set show on the line they reached.
  c.addEventListener('state', ({ detail }) => {
    const u = detail.chat_unread;
    if (!u) return;
    $('unread').hidden = u.count === 0;
    $('unread').textContent = `${u.count}${u.more ? '+' : ''} unread message(s) since you were last here`;
  });
  c.addEventListener('chat-read', ({ detail }) => {
    if (detail.user_id === client.userId) return;
    readMarks.set(detail.user_id, detail.message_id);
    showReadMarks();
  });
  // An edit replaces the line in place; a deletion removes it.
  c.addEventListener('chat-updated', ({ detail }) => {
    const old = [...$('chat-log').children].find((x) => x.dataset.id === detail.id);
    if (!old) return;
    addChat(detail);
    old.replaceWith($('chat-log').lastElementChild);
  });
  c.addEventListener('chat-deleted', ({ detail }) => {
    [...$('chat-log').children].find((x) => x.dataset.id === detail.message_id)?.remove();
  });
  c.addEventListener('chat-reaction', ({ detail }) => {
    const li = [...$('chat-log').children].find((x) => x.dataset.id === detail.message_id);
    if (!li) return;
    const users = (li.reactions[detail.emoji] ?? []).filter((u) => u !== detail.user_id);
    if (detail.active) users.push(detail.user_id);
    if (users.length) li.reactions[detail.emoji] = users;
    else delete li.reactions[detail.emoji];
    showReactions(li);
  });
  c.addEventListener('reaction', ({ detail }) => log(`${detail.from} reacted ${detail.emoji}`));
  c.addEventListener('server-error', ({ detail }) => log(`error ${detail.code}: ${detail.message}`));
  c.addEventListener('file-offer', ({ detail }) => addOffer(detail));
  c.addEventListener('file-received', ({ detail }) => addFile(detail));
  c.addEventListener('recording', ({ detail }) => {
    log(`${detail.type.replace('_', ' ')} (${detail.recording?.status ?? ''})`);
  });
}

async function join(ev) {
  ev?.preventDefault();
  $('join-error').textContent = '';
  const room = $('room').value.trim();
  const name = $('name').value.trim();
  try {
    let token = $('token').value.trim() || params.get('token');
    if (!token) {
      // Keep this tab's token (not just its user id: the server picks ids)
      // across reloads, so a reload resumes the same seat.
      const key = `rtc-token:${room}`;
      const kept = JSON.parse(sessionStorage.getItem(key) ?? 'null');
      if (kept && kept.expiresAt > Date.now() + 60_000) {
        token = kept.token;
      } else {
        const issued = await fetchDevToken(location.origin, { name, room });
        sessionStorage.setItem(key, JSON.stringify({ token: issued.token, expiresAt: Date.now() + issued.expires_in * 1000 }));
        token = issued.token;
      }
    }
    client = new RtcClient({ room, token });
    window.rtc = { client };
    wire(client);
    // Join at once; the camera may take a while. Offers that arrive
    // meanwhile wait in the client and are answered with our tracks.
    const media = getMedia();
    await client.connect();
    $('join').hidden = true;
    $('call').hidden = false;
    const stream = await media;
    $('local-video').srcObject = stream;
    client.setLocalStream(stream);
    // Our connection figures from getStats(), every few seconds; the
    // server classifies them and tells the room (quality-update).
    client.startNetworkStats({ intervalMs: Number(params.get('statsMs') ?? 3000) });
    document.querySelector('.tile.local').dataset.user = client.userId;
  } catch (e) {
    $('join-error').textContent = e.message;
    if (e.code === 'NOT_FOUND') $('token-row').hidden = false;
  }
}

async function getMedia() {
  const delay = Number(params.get('mediaDelayMs') ?? 0);
  if (delay > 0) await new Promise((r) => setTimeout(r, delay));
  const video = $('cam').checked;
  const audio = $('mic').checked;
  if (!video && !audio) return null;
  try {
    return await navigator.mediaDevices.getUserMedia({ video, audio });
  } catch (e) {
    log(`no camera or microphone: ${e.message}`);
    return null;
  }
}

$('join').addEventListener('submit', join);
// A typing indicator at most every 3 s while typing, and a stop on send.
let typingSent = 0;
$('chat-input').addEventListener('input', () => {
  if (client && Date.now() - typingSent > 3000) {
    typingSent = Date.now();
    client.setTyping(true);
  }
});
$('chat-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('chat-input').value.trim();
  if (text && client.sendChat(text, replyTo ? { replyTo } : {})) {
    $('chat-input').value = '';
    setReply(null);
    client.setTyping(false);
    typingSent = 0;
  }
});
$('reply-cancel').onclick = () => setReply(null);
$('search-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const q = $('search-input').value.trim();
  const list = $('search-results');
  list.replaceChildren();
  if (!q || !client) return;
  try {
    const page = await client.searchChat(q, { limit: 20 });
    for (const m of page.messages) {
      const li = document.createElement('li');
      li.textContent = `${m.from_name}: ${decode(m.message)}`;
      list.append(li);
    }
    if (!page.messages.length) list.append(Object.assign(document.createElement('li'), { textContent: 'No messages found' }));
  } catch (err) {
    list.append(Object.assign(document.createElement('li'), { textContent: `Search failed: ${err.message ?? err}` }));
  }
});
$('hand-btn').onclick = () => client.raiseHand(!(client.state?.hand_raise_queue ?? []).some((h) => h.user_id === client.userId));
$('react-btn').onclick = () => client.react('👍');
$('drop-btn').onclick = () => client.simulateDrop();
$('leave-btn').onclick = () => {
  client.leave();
  location.reload();
};
let audioMuted = false;
let videoMuted = false;
$('mute-audio').onclick = () => {
  audioMuted = !audioMuted;
  client.setMuted('audio', audioMuted);
  $('mute-audio').textContent = audioMuted ? 'Unmute mic' : 'Mute mic';
};
$('mute-video').onclick = () => {
  videoMuted = !videoMuted;
  client.setMuted('video', videoMuted);
  $('mute-video').textContent = videoMuted ? 'Start camera' : 'Stop camera';
};
function showSharing(on) {
  $('screen-btn').dataset.sharing = String(on);
  $('screen-btn').textContent = on ? 'Stop sharing' : 'Share screen';
  if (!on) document.querySelector('#videos .tile.local-screen')?.remove();
}
$('screen-btn').onclick = async () => {
  $('media-error').textContent = '';
  if (client.screenStream) {
    await client.stopScreenShare();
    return showSharing(false);
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getDisplayMedia({ video: true });
  } catch (e) {
    $('media-error').textContent = `screen capture: ${e.message}`;
    return;
  }
  try {
    // Announced first; the server refuses it without the permission or
    // when the room disallows screen sharing.
    await client.shareScreen(stream);
  } catch (e) {
    for (const t of stream.getTracks()) t.stop();
    $('media-error').textContent = `screen sharing refused: ${e.code ?? ''} ${e.message}`;
    return;
  }
  showSharing(true);
  const preview = tile(client.userId, 'local-screen');
  preview.querySelector('video').muted = true;
  preview.querySelector('video').srcObject = stream;
  preview.querySelector('figcaption').textContent = 'Your screen';
  stream.getVideoTracks()[0]?.addEventListener('ended', () => showSharing(false));
};
$('file-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const file = $('file-input').files[0];
  const to = $('file-target').value;
  if (!file || !to) return;
  const mode = $('file-mode').value;
  log(`sending ${file.name} to ${to} (${mode})`);
  try {
    await client.sendFile(file, { to, mode });
    log(`sent ${file.name}`);
  } catch (err) {
    log(`send failed: ${err.message}`);
  }
});
$('rec-start').onclick = async () => {
  try {
    recording = await client.startRecording();
    $('rec-status').dataset.status = 'recording';
    $('rec-status').textContent = 'recording…';
    $('rec-start').disabled = true;
    $('rec-stop').disabled = false;
  } catch (e) {
    $('rec-status').textContent = e.message;
  }
};
$('rec-stop').onclick = async () => {
  $('rec-stop').disabled = true;
  const status = $('rec-status');
  try {
    const id = recording.id;
    await recording.stop();
    status.dataset.status = 'processing';
    status.textContent = 'processing…';
    const done = await client.waitForRecording(id);
    status.dataset.status = done.status;
    status.dataset.recordingId = id;
    status.textContent = done.status;
    if (done.status === 'completed') {
      const { url } = await client.recordingLink(id);
      $('rec-link').href = url;
      $('rec-link').hidden = false;
    }
  } catch (e) {
    status.dataset.status = 'failed';
    status.textContent = e.message;
  } finally {
    $('rec-start').disabled = false;
  }
};

$('room').value = params.get('room') ?? $('room').value;
$('name').value = params.get('name') ?? '';
if (params.get('cam') === '0') $('cam').checked = false;
if (params.get('mic') === '0') $('mic').checked = false;
if (params.get('autojoin') === '1' && $('name').value) join();
