// Two headless Chromium contexts make a real WebRTC call through the real
// server and its bundled web client (apps/server/web). Run by run.sh, which
// builds the server, installs Chromium and playwright-core, and puts this
// inside a network namespace that has only loopback, so ICE candidates stay
// on 127.0.0.1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, launchBrowser } from './support.mjs';

const ARTIFACTS = process.env.ARTIFACTS_DIR ?? 'artifacts';
const ROOM = `call-${Date.now()}`;

let server;
let base;
let browser;
const pages = {};

const sha256 = (buf) => createHash('sha256').update(buf).digest('hex');

/** Two more origins, each serving one page: the first is allowed by the server, the second not. */
const otherOrigins = { allowed: null, refused: null };

function staticServer(html) {
  const srv = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html(req));
  });
  return new Promise((resolve) => srv.listen(0, '127.0.0.1', () => resolve({ srv, origin: `http://127.0.0.1:${srv.address().port}` })));
}

// The docs/client.md example, from another origin: import the module from
// the server, take a dev token, join, call REST.
const crossOriginPage = (req) => {
  const u = new URL(req.url, 'http://x');
  const base = u.searchParams.get('base');
  const room = u.searchParams.get('room');
  return `<!doctype html><script type="module">
window.result = (async () => {
  try {
    const { RtcClient, fetchDevToken } = await import('${base}/client/rtc-client.js');
    const { token, user_id } = await fetchDevToken('${base}', { name: 'Remote', room: '${room}' });
    const client = new RtcClient({ room: '${room}', token, baseUrl: '${base}', waitForMedia: false });
    await client.connect();
    const r = await fetch('${base}/webrtc/rooms/${room}/participants', { headers: { Authorization: 'Bearer ' + token } });
    const body = await r.json();
    // Record the fake camera through the package: chunks up, stop, processed.
    const stream = await navigator.mediaDevices.getUserMedia({ video: true });
    const rec = await client.startRecording({ stream, timeslice: 500 });
    await new Promise((res) => setTimeout(res, 2000));
    await rec.stop();
    const up = await client.recordingUploadStatus(rec.id);
    const done = await client.waitForRecording(rec.id, { timeoutMs: 60000 });
    return {
      status: r.status,
      count: body.count,
      joinedAs: client.userId === user_id,
      chunks: up.participants[user_id].chunks > 0,
      recording: done.status,
    };
  } catch (e) {
    return { error: String(e) };
  }
})();
window.ws = (async () => new Promise((resolve) => {
  const ws = new WebSocket('${base}'.replace('http', 'ws') + '/webrtc/ws/${room}?token=x');
  ws.onopen = () => resolve('open');
  ws.onerror = () => resolve('error');
}))();
</script>`;
};

function startCallServer() {
  return startServer({ RTC_ALLOWED_ORIGINS: otherOrigins.allowed.origin });
}

async function openPage(name, extra = '') {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'], viewport: { width: 1200, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[${name}] page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') console.error(`[${name}] console: ${m.text()}`);
  });
  await page.goto(`${base}/?room=${ROOM}&name=${name}&autojoin=1${extra}`);
  await page.waitForFunction(() => window.rtc?.client?.status === 'connected', null, { timeout: 15_000 });
  return page;
}

const userId = (page) => page.evaluate(() => window.rtc.client.userId);

/** Frames decoded from `from`'s video by `page`, read from WebRTC stats. */
async function framesDecoded(page, from) {
  return page.evaluate(async (from) => {
    const report = await window.rtc.client.stats(from);
    let frames = 0;
    report?.forEach((s) => {
      if (s.type === 'inbound-rtp' && s.kind === 'video') frames += s.framesDecoded ?? 0;
    });
    return frames;
  }, from);
}

async function waitForCall(page, other) {
  const tile = page.locator(`#videos .tile[data-user="${other}"]`);
  await tile.and(page.locator('[data-peer-state="connected"]')).waitFor({ timeout: 20_000 });
  // Remote video decodes frames and has a size.
  await page.waitForFunction(
    (other) => {
      const v = document.querySelector(`#videos .tile[data-user="${other}"] video`);
      return v && v.videoWidth > 0 && v.readyState >= 2;
    },
    other,
    { timeout: 20_000 },
  );
  let frames = 0;
  for (let i = 0; i < 40 && frames < 10; i++) {
    frames = await framesDecoded(page, other);
    if (frames < 10) await page.waitForTimeout(250);
  }
  assert.ok(frames >= 10, `only ${frames} frames decoded from ${other}`);
}

async function screenshots(tag) {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const [name, page] of Object.entries(pages)) {
    await page.screenshot({ path: join(ARTIFACTS, `${tag}-${name}.png`), fullPage: true }).catch(() => {});
  }
}

before(async () => {
  otherOrigins.allowed = await staticServer(crossOriginPage);
  otherOrigins.refused = await staticServer(crossOriginPage);
  const s = await startCallServer();
  server = s.child;
  base = s.url;
  browser = await launchBrowser();
});

after(async () => {
  await screenshots('final');
  await browser?.close();
  server?.kill('SIGTERM');
  otherOrigins.allowed?.srv.close();
  otherOrigins.refused?.srv.close();
});

test('a page on an allowed origin uses the module; other origins are refused', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const room = `${ROOM}-cors`;
  const open = async (origin) => {
    await page.goto(`${origin}/?base=${encodeURIComponent(base)}&room=${room}`);
    return {
      result: await page.evaluate(() => window.result),
      ws: await page.evaluate(() => window.ws),
    };
  };
  const ok = await open(otherOrigins.allowed.origin);
  assert.deepEqual(ok.result, { status: 200, count: 1, joinedAs: true, chunks: true, recording: 'completed' }, JSON.stringify(ok.result));
  const refused = await open(otherOrigins.refused.origin);
  assert.ok(refused.result.error, `a refused origin imported the module and called the API: ${JSON.stringify(refused.result)}`);
  assert.equal(refused.ws, 'error', 'a refused origin opened the WebSocket');
  await context.close();
});

test('two browsers make a call through the server', async (t) => {
  let alice;
  let bob;

  await t.test('the page serves offline and joins; a late camera loses no offer', async () => {
    pages.alice = await openPage('Alice');
    // Bob's camera takes 2.5 s: Alice's offer and Bob's user-joined arrive
    // before it and must wait, not vanish.
    pages.bob = await openPage('Bob', '&mediaDelayMs=2500');
    alice = await userId(pages.alice);
    bob = await userId(pages.bob);
    assert.notEqual(alice, bob);
    await waitForCall(pages.alice, bob);
    await waitForCall(pages.bob, alice);
    await screenshots('call');
  });

  await t.test('chat arrives both ways', async () => {
    await pages.alice.fill('#chat-input', 'hello from <b>alice</b>');
    // Typing shows on the other page, and stops when the message goes.
    const typing = () => pages.bob.evaluate(() => document.querySelector('#typing').textContent);
    await pages.bob.waitForFunction(() => document.querySelector('#typing').textContent.includes('Alice typing'), null, { timeout: 5_000 }).catch(async () => assert.fail(`Bob's page shows ${JSON.stringify(await typing())}`));
    await pages.alice.click('#chat-send');
    await pages.bob.waitForFunction(() => document.querySelector('#typing').textContent === '', null, { timeout: 5_000 }).catch(async () => assert.fail(`still typing: ${JSON.stringify(await typing())}`));
    await pages.bob.locator('#chat-log li', { hasText: 'hello from <b>alice</b>' }).waitFor({ timeout: 5_000 });
    await pages.bob.fill('#chat-input', 'hi alice');
    await pages.bob.click('#chat-send');
    await pages.alice.locator('#chat-log li', { hasText: 'hi alice' }).waitFor({ timeout: 5_000 });
    // Markup is shown as text, never rendered.
    assert.equal(await pages.bob.locator('#chat-log b').count(), 0);
    // A reply: Bob answers Alice's message in its thread; Alice's page
    // quotes the parent, and the thread reads back over REST.
    await pages.bob.locator('#chat-log li', { hasText: 'hello from <b>alice</b>' }).locator('button.reply').click();
    assert.match(await pages.bob.locator('#replying-text').textContent(), /Replying to Alice: hello from/);
    await pages.bob.fill('#chat-input', 'sure thing');
    await pages.bob.click('#chat-send');
    const reply = pages.alice.locator('#chat-log li', { hasText: 'sure thing' });
    await reply.waitFor({ timeout: 5_000 });
    assert.match(await reply.locator('.reply-to').textContent(), /↪ hello from <b>alice<\/b>/);
    const thread = await pages.alice.evaluate(async () => {
      const root = [...document.querySelectorAll('#chat-log li')].find((li) => li.dataset.text === 'hello from <b>alice</b>').dataset.id;
      const page = await window.rtc.client.chatHistory({ thread: root });
      return page.messages.map((m) => m.message);
    });
    assert.deepEqual(thread, ['sure thing', 'hello from &lt;b&gt;alice&lt;/b&gt;']);
    // Search on the page finds the message, shown as text.
    await pages.bob.fill('#search-input', 'HELLO from <b>');
    await pages.bob.click('#search-go');
    await pages.bob.locator('#search-results li', { hasText: 'Alice: hello from <b>alice</b>' }).waitFor({ timeout: 5_000 });
    assert.equal(await pages.bob.locator('#search-results li').count(), 1);
    // Alice edits her message (the page asks for the new text), then
    // deletes it: Bob's page follows both.
    pages.alice.once('dialog', (d) => d.accept('hello, edited'));
    await pages.alice.locator('#chat-log li', { hasText: 'hello from <b>alice</b>' }).locator('button.edit').click();
    await pages.bob.locator('#chat-log li', { hasText: 'hello, edited (edited)' }).waitFor({ timeout: 5_000 });
    await pages.alice.locator('#chat-log li', { hasText: 'hello, edited' }).locator('button.delete').click();
    await pages.bob.locator('#chat-log li', { hasText: 'hello, edited' }).waitFor({ state: 'detached', timeout: 5_000 });
    // Bob may not edit Alice's message: his page offers no button for it.
    assert.equal(await pages.bob.locator('#chat-log li', { hasText: 'hi alice' }).locator('button.edit').count(), 1);
    assert.equal(await pages.bob.locator('#chat-log li', { hasText: 'sure thing' }).locator('button.edit').count(), 1);

    // Rich text: the safe subset renders, a javascript: link stays text.
    await pages.alice.fill('#chat-input', '**bold** move, see [docs](https://example.com/d) not [x](javascript:alert(1))');
    await pages.alice.click('#chat-send');
    const rich = pages.bob.locator('#chat-log li', { hasText: 'bold move' });
    await rich.waitFor({ timeout: 5_000 });
    assert.equal(await rich.locator('.text strong').textContent(), 'bold');
    assert.equal(await rich.locator('.text a').count(), 1);
    assert.equal(await rich.locator('.text a').getAttribute('href'), 'https://example.com/d');
    assert.match(await rich.locator('.text').textContent(), /not \[x\]\(javascript:alert\(1\)\)$/);
    // A reaction on it shows on both pages; taking it back clears it.
    await rich.locator('button.react').click();
    const aliceRich = pages.alice.locator('#chat-log li', { hasText: 'bold move' });
    await aliceRich.locator('.reactions', { hasText: '👍 1' }).waitFor({ timeout: 5_000 });
    await rich.locator('.reactions', { hasText: '👍 1' }).waitFor({ timeout: 5_000 });
    await rich.locator('button.react').click();
    await aliceRich.locator('.reactions', { hasText: '👍' }).waitFor({ state: 'detached', timeout: 5_000 });
    // Bob's page, open and visible, marked it read: Alice sees it.
    await aliceRich.locator('.seen', { hasText: 'seen by' }).waitFor({ timeout: 5_000 });
  });

  await t.test('hand raise shows in the other page', async () => {
    await pages.bob.click('#hand-btn');
    await pages.alice.locator(`#participants li.hand[data-user="${bob}"]`).waitFor({ timeout: 5_000 });
  });

  await t.test('each page shows the quality the server derives from its getStats() reports', async () => {
    for (const [page, other] of [
      [pages.alice, bob],
      [pages.bob, alice],
    ]) {
      const li = page.locator(`#participants li[data-user="${other}"][data-quality]`);
      await li.waitFor({ timeout: 15_000 });
      assert.ok(['excellent', 'good', 'poor', 'lost'].includes(await li.getAttribute('data-quality')));
    }
    // What the server stored came from real WebRTC statistics.
    const own = await pages.bob.evaluate(() => window.rtc.client.reconnectionState());
    assert.ok(own.quality, JSON.stringify(own));
    assert.equal(typeof own.network_stats.latency_ms, 'number', JSON.stringify(own.network_stats));
    assert.equal(typeof own.network_stats.packet_loss_percent, 'number');
  });

  await t.test('screen sharing: refused while the room disallows it, then shown to the other page', async () => {
    const screenTile = `#videos .tile.screen[data-user="${bob}"] video`;
    await pages.alice.evaluate(() => window.rtc.client.updateSettings({ screen_share_allowed: false }));
    await pages.bob.click('#screen-btn');
    await pages.bob.locator('#media-error', { hasText: 'SCREEN_SHARE_NOT_ALLOWED' }).waitFor({ timeout: 10_000 });
    assert.equal(await pages.bob.getAttribute('#screen-btn', 'data-sharing'), 'false');
    await pages.alice.evaluate(() => window.rtc.client.updateSettings({ screen_share_allowed: true }));
    // Bob may share his screen but no longer his camera: the screen's
    // m=video section passes only because the page announced the share
    // before adding the track (docs/protocol.md, media permissions).
    await pages.alice.evaluate((bob) => window.rtc.client.setPermissions(bob, { can_share_video: false }), bob);
    await pages.bob.click('#screen-btn');
    await pages.bob.locator('#screen-btn[data-sharing="true"]').waitFor({ timeout: 10_000 });
    await pages.alice.locator(`#participants li[data-user="${bob}"][data-screen="true"]`).waitFor({ timeout: 10_000 });
    await pages.alice.waitForFunction(
      (sel) => {
        const v = document.querySelector(sel);
        return v && v.videoWidth > 0 && v.readyState >= 2;
      },
      screenTile,
      { timeout: 20_000 },
    );
    // The fake screen is 16:9; the fake camera 4:3.
    const ratio = await pages.alice.evaluate((sel) => {
      const v = document.querySelector(sel);
      return v.videoWidth / v.videoHeight;
    }, screenTile);
    assert.ok(Math.abs(ratio - 16 / 9) < 0.05, `screen tile ratio ${ratio}`);
    await screenshots('screen');
    await pages.alice.evaluate((bob) => window.rtc.client.setPermissions(bob, { can_share_video: true }), bob);
    await pages.bob.click('#screen-btn');
    await pages.bob.locator('#screen-btn[data-sharing="false"]').waitFor({ timeout: 10_000 });
    await pages.alice.locator(`#participants li[data-user="${bob}"][data-screen="false"]`).waitFor({ timeout: 10_000 });
    await pages.alice.locator(screenTile).waitFor({ state: 'detached', timeout: 10_000 });
  });

  const sendFile = async (from, to, toId, mode, size) => {
    const buffer = randomBytes(size);
    const name = `${mode}-${size}.bin`;
    await from.setInputFiles('#file-input', { name, mimeType: 'application/octet-stream', buffer });
    await from.selectOption('#file-target', toId);
    await from.selectOption('#file-mode', mode);
    await from.click('#file-send');
    const offer = to.locator(`#file-offers li[data-mode="${mode}"] button.accept`);
    await offer.first().waitFor({ timeout: 10_000 });
    await offer.first().click();
    const got = to.locator(`#files li[data-name="${name}"]`);
    await got.waitFor({ timeout: 30_000 });
    assert.equal(await got.getAttribute('data-sha256'), sha256(buffer), `${mode} file hash`);
    assert.equal(await got.getAttribute('data-verified'), 'true');
  };

  await t.test('a file through the server arrives with the same SHA-256', async () => {
    await sendFile(pages.alice, pages.bob, bob, 'server', 1_500_000);
  });

  await t.test('a file over the data channel arrives with the same SHA-256', async () => {
    await sendFile(pages.bob, pages.alice, alice, 'p2p', 1_200_000);
  });

  await t.test('a recording made in the page comes back as a file ffprobe accepts', async () => {
    await pages.alice.click('#rec-start');
    await pages.alice.locator('#rec-status[data-status="recording"]').waitFor({ timeout: 5_000 });
    await pages.alice.waitForTimeout(4_000);
    await pages.alice.click('#rec-stop');
    const status = pages.alice.locator('#rec-status');
    await pages.alice.waitForFunction(
      () => ['completed', 'failed'].includes(document.querySelector('#rec-status').dataset.status),
      null,
      { timeout: 120_000 },
    );
    assert.equal(await status.getAttribute('data-status'), 'completed', await status.textContent());
    const href = await pages.alice.locator('#rec-link').getAttribute('href');
    const res = await fetch(new URL(href, base));
    assert.equal(res.status, 200);
    const bytes = Buffer.from(await res.arrayBuffer());
    mkdirSync(ARTIFACTS, { recursive: true });
    const file = join(ARTIFACTS, 'recording.webm');
    writeFileSync(file, bytes);
    const probe = JSON.parse(
      execFileSync('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', file]).toString(),
    );
    const video = probe.streams.find((s) => s.codec_type === 'video');
    assert.ok(video, 'the recording has a video stream');
    assert.ok(video.width > 0 && video.height > 0);
    const duration = Number(probe.format.duration);
    assert.ok(duration >= 2 && duration <= 8, `duration ${duration}s for a 4 s recording`);
  });

  await t.test('a dropped WebSocket reconnects and replays what it missed', async () => {
    await pages.bob.evaluate(() => window.rtc.client.simulateDrop({ offlineMs: 2_500 }));
    await pages.alice.locator(`#participants li.reconnecting[data-user="${bob}"]`).waitFor({ timeout: 5_000 });
    for (let i = 1; i <= 3; i++) {
      await pages.alice.fill('#chat-input', `while you were away ${i}`);
      await pages.alice.click('#chat-send');
    }
    await pages.bob.locator('#status[data-status="connected"]', { hasText: 'resumed' }).waitFor({ timeout: 15_000 });
    const text = await pages.bob.locator('#status').textContent();
    const missed = Number(text.match(/resumed, (\d+) missed/)?.[1]);
    assert.ok(missed >= 3, `status says ${text}`);
    for (let i = 1; i <= 3; i++) {
      await pages.bob.locator('#chat-log li', { hasText: `while you were away ${i}` }).waitFor({ timeout: 5_000 });
    }
    // Replayed exactly once.
    assert.equal(await pages.bob.locator('#chat-log li', { hasText: 'while you were away 1' }).count(), 1);
    // The call comes back.
    await waitForCall(pages.alice, bob);
    await waitForCall(pages.bob, alice);
    await screenshots('reconnected');
  });
});
