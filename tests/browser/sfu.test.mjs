// Four headless Chromium contexts in an SFU room: each publishes its fake
// camera and microphone once, to the server, and receives the other three
// through it. Run by run.sh (loopback-only network namespace) against a
// server whose rooms start in SFU mode.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, launchBrowser } from './support.mjs';

const ARTIFACTS = process.env.ARTIFACTS_DIR ?? 'artifacts';
const ROOM = `sfu-${Date.now()}`;
const NAMES = ['Ann', 'Ben', 'Cat', 'Dan'];

let server;
let base;
let browser;
const pages = {};

async function openPage(name) {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'], viewport: { width: 1000, height: 700 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[${name}] page error: ${e.message}`));
  await page.goto(`${base}/?room=${ROOM}&name=${name}&autojoin=1`);
  await page.waitForFunction(() => window.rtc?.client?.status === 'connected', null, { timeout: 15_000 });
  return page;
}

const userId = (page) => page.evaluate(() => window.rtc.client.userId);

/** Inbound video frames decoded and audio packets received from `from`, and the widest frame. */
function inbound(page, from) {
  return page.evaluate(async (from) => {
    const report = await window.rtc.client.stats(from);
    const r = { frames: 0, audioPackets: 0, width: 0 };
    report?.forEach((s) => {
      if (s.type !== 'inbound-rtp') return;
      if (s.kind === 'video') {
        r.frames += s.framesDecoded ?? 0;
        r.width = Math.max(r.width, s.frameWidth ?? 0);
      }
      if (s.kind === 'audio') r.audioPackets += s.packetsReceived ?? 0;
    });
    return r;
  }, from);
}

/** Waits until `page` decodes `from`'s video and receives its audio, and that both keep flowing. */
async function waitForMedia(page, from) {
  let first = null;
  for (let i = 0; i < 80; i++) {
    const r = await inbound(page, from);
    if (!first && r.frames >= 10 && r.audioPackets >= 10) first = r;
    else if (first && r.frames > first.frames + 10 && r.audioPackets > first.audioPackets + 10) return r;
    await page.waitForTimeout(250);
  }
  const r = await inbound(page, from);
  assert.fail(`${from}: only ${r.frames} frames decoded and ${r.audioPackets} audio packets received`);
}

before(async () => {
  const s = await startServer({ RTC_MEDIA_MODE: 'sfu', RTC_MEDIA_UDP_PORT: '0' });
  server = s.child;
  base = s.url;
  browser = await launchBrowser();
});

after(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const [name, page] of Object.entries(pages)) {
    await page.screenshot({ path: join(ARTIFACTS, `sfu-${name}.png`), fullPage: true }).catch(() => {});
  }
  await browser?.close();
  server?.kill('SIGTERM');
});

test('an SFU room of four: everyone sends once and decodes everyone else', async (t) => {
  const ids = {};
  for (const name of NAMES) {
    pages[name] = await openPage(name);
    ids[name] = await userId(pages[name]);
  }
  const state = await pages.Ann.evaluate(() => window.rtc.client.state.settings.media_mode);
  assert.equal(state, 'sfu');

  await t.test('each page decodes the three others’ video and receives their audio', async () => {
    for (const name of NAMES) {
      for (const other of NAMES) {
        if (other !== name) await waitForMedia(pages[name], ids[other]);
      }
    }
    // One connection per page, to the server: no mesh peers.
    for (const name of NAMES) {
      const r = await pages[name].evaluate(() => ({
        peers: window.rtc.client.peers.size,
        sfu: window.rtc.client.sfu?.pc.connectionState,
        senders: window.rtc.client.sfu?.pc.getSenders().filter((s) => s.track).length,
      }));
      assert.deepEqual(r, { peers: 0, sfu: 'connected', senders: 2 }, `${name}: ${JSON.stringify(r)}`);
    }
  });

  await t.test('a viewer’s attempt to publish is refused', async () => {
    await pages.Ann.evaluate((dan) => window.rtc.client.setRole(dan, 'viewer'), ids.Dan);
    await pages.Dan.waitForFunction(() => window.rtc.client.participant(window.rtc.client.userId)?.role === 'viewer');
    const answer = await pages.Dan.evaluate(async () => {
      const pc = new RTCPeerConnection();
      const stream = await navigator.mediaDevices.getUserMedia({ video: true });
      pc.addTransceiver(stream.getVideoTracks()[0], { direction: 'sendonly' });
      await pc.setLocalDescription(await pc.createOffer());
      try {
        await window.rtc.client.request({ type: 'media-offer', sdp: pc.localDescription.sdp }, (m) => m.type === 'media-answer', { timeoutMs: 5000 });
        return 'answered';
      } catch (e) {
        return e.code;
      } finally {
        pc.close();
      }
    });
    assert.equal(answer, 'MEDIA_NOT_ALLOWED');
  });

  await t.test('a participant who leaves is gone from every page’s connection', async () => {
    await pages.Dan.evaluate(() => window.rtc.client.leave());
    for (const name of ['Ann', 'Ben', 'Cat']) {
      await pages[name].waitForFunction((dan) => !window.rtc.client.sfu.users().has(dan), ids.Dan, { timeout: 10_000 });
      await pages[name].locator(`#videos .tile[data-user="${ids.Dan}"]`).waitFor({ state: 'detached', timeout: 10_000 });
    }
    // The others still flow.
    await waitForMedia(pages.Ann, ids.Ben);
  });
});
