// Four headless Chromium contexts in an SFU room: each publishes its fake
// camera and microphone once, to the server, and receives the other three
// through it. Run by run.sh (loopback-only network namespace) against a
// server whose rooms start in SFU mode.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, launchBrowser, inbound, waitForMedia, openRoomPage } from './support.mjs';

const ARTIFACTS = process.env.ARTIFACTS_DIR ?? 'artifacts';
const ROOM = `sfu-${Date.now()}`;
const NAMES = ['Ann', 'Ben', 'Cat', 'Dan'];

let server;
let base;
let browser;
const pages = {};

const openPage = (name) => openRoomPage(browser, base, ROOM, name);

const userId = (page) => page.evaluate(() => window.rtc.client.userId);

before(async () => {
  const s = await startServer({ RTC_MEDIA_MODE: 'sfu', RTC_MEDIA_UDP_PORT: '0' });
  server = s.child;
  base = s.url;
  // A steady tone for every fake microphone (Chromium's own beeps come and
  // go), so a speaker's level holds while they are unmuted.
  mkdirSync(ARTIFACTS, { recursive: true });
  const tone = join(ARTIFACTS, 'tone.wav');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=60', '-ar', '48000', '-ac', '1', tone]);
  browser = await launchBrowser([`--use-file-for-fake-audio-capture=${tone}`]);
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

  /** Polls `check` every 250 ms for up to `secs` (20) seconds. */
  const until = async (page, check, what, detail = async () => '', secs = 20) => {
    for (let i = 0; i < secs * 4; i++) {
      if (await check()) return;
      await page.waitForTimeout(250);
    }
    assert.fail(`timed out waiting for ${what} ${await detail()}`);
  };
  /** What `page` sends: per simulcast layer, its size, frames and why the browser limits it. */
  const outbound = (page) =>
    page.evaluate(async () => {
      const out = [];
      (await window.rtc.client.sfu.pc.getStats()).forEach((s) => {
        if (s.type === 'outbound-rtp' && s.kind === 'video') out.push({ rid: s.rid, width: s.frameWidth, frames: s.framesEncoded, limit: s.qualityLimitationReason });
      });
      return JSON.stringify(out);
    });

  await t.test('a subscriber asking for a smaller size gets a lower simulcast layer, and back; a pause stops it', async () => {
    // Only Ann and Cat watch Ben; every other video is paused, so that four
    // browsers decoding twelve videos on two cores do not starve the
    // connections and keep Ben's browser from sending its top layer.
    const pause = (name, others, paused) =>
      pages[name].evaluate(
        ([users, paused]) => users.forEach((u) => window.rtc.client.setVideoSubscription(u, { paused })),
        [others.map((o) => ids[o]), paused],
      );
    const quiet = { Ann: ['Cat', 'Dan'], Ben: ['Ann', 'Cat', 'Dan'], Cat: ['Ann', 'Dan'], Dan: ['Ann', 'Ben', 'Cat'] };
    for (const [name, others] of Object.entries(quiet)) await pause(name, others, true);
    const width = async () => (await inbound(pages.Ann, ids.Ben)).width;
    const ask = (size) => pages.Ann.evaluate(([ben, size]) => window.rtc.client.setVideoSubscription(ben, size), [ids.Ben, size]);
    await until(pages.Ann, async () => (await width()) >= 640, 'Ben’s full-size layer', async () => `Ann sees ${await width()} px; Ben sends ${await outbound(pages.Ben)}`,
      // The browser adds its top layer as its bandwidth estimate grows,
      // later on a loaded machine.
      45,
    );
    const full = await width();
    assert.equal(await ask({ width: 160, height: 120 }), true);
    await until(pages.Ann, async () => (await width()) < full, 'a smaller layer', async () => `Ann sees ${await width()} px`);
    const small = await width();
    assert.ok(small <= full / 2, `${small} px after asking for 160 px (full ${full})`);
    // Others still get the full size.
    const catWidth = async () => (await inbound(pages.Cat, ids.Ben)).width;
    await until(pages.Cat, async () => (await catWidth()) === full, 'Cat’s full size', async () => `Cat sees ${await catWidth()} px; Ben sends ${await outbound(pages.Ben)}`);
    assert.equal(await ask({}), true);
    await until(pages.Ann, async () => (await width()) === full, 'the full size again', async () => `Ann sees ${await width()} px; Ben sends ${await outbound(pages.Ben)}`);
    // Paused: no frames; unpaused: frames again.
    await ask({ paused: true });
    await pages.Ann.waitForTimeout(500);
    const a = (await inbound(pages.Ann, ids.Ben)).frames;
    await pages.Ann.waitForTimeout(1500);
    const b = (await inbound(pages.Ann, ids.Ben)).frames;
    assert.ok(b - a <= 2, `${b - a} frames decoded while paused`);
    await ask({});
    await until(pages.Ann, async () => (await inbound(pages.Ann, ids.Ben)).frames > b + 10, 'frames after the pause');
    // A track we do not receive: a stable code.
    const code = await pages.Ann.evaluate(async () => {
      try {
        await window.rtc.client.request({ type: 'subscription-update', tracks: [{ mid: 'nope', paused: true }] }, () => false, { timeoutMs: 3000 });
      } catch (e) {
        return e.code;
      }
    });
    assert.equal(code, 'TRACK_NOT_FOUND');
    for (const [name, others] of Object.entries(quiet)) await pause(name, others, false);
  });

  /** Audio packets `page` received from `from` over `ms`. */
  const audioDuring = async (page, from, ms) => {
    const a = (await inbound(page, from)).audioPackets;
    await page.waitForTimeout(ms);
    return (await inbound(page, from)).audioPackets - a;
  };

  await t.test('a moderator’s mute stops the track at the server, whatever the muted client does', async () => {
    // Ben's client ignores the mute (a modified client keeps sending).
    await pages.Ben.evaluate(() => {
      window.rtc.client.applyRemoteMute = () => {};
    });
    await pages.Ann.evaluate((ben) => window.rtc.client.muteParticipant(ben, 'audio'), ids.Ben);
    // Ben is told.
    await pages.Ben.waitForFunction(() => window.rtc.client.participant(window.rtc.client.userId)?.media.audio_muted === true);
    await pages.Cat.waitForTimeout(500);
    for (const name of ['Ann', 'Cat', 'Dan']) {
      const n = await audioDuring(pages[name], ids.Ben, 1500);
      assert.ok(n <= 2, `${name} still got ${n} audio packets from muted Ben`);
    }
    // The others still flow, and Ben's video too.
    assert.ok((await audioDuring(pages.Cat, ids.Ann, 1000)) > 20);
    await waitForMedia(pages.Cat, ids.Dan);
    // Ben unmutes himself: his audio comes back.
    await pages.Ben.evaluate(() => window.rtc.client.setMuted('audio', false));
    await pages.Cat.waitForTimeout(500);
    assert.ok((await audioDuring(pages.Cat, ids.Ben, 1000)) > 20, 'Ben’s audio is back after his unmute');
  });

  await t.test('active speakers follow the participant with audio', async () => {
    const dominant = (page, who) =>
      page.waitForFunction((who) => window.rtc.client.dominantSpeaker === who && window.rtc.client.activeSpeakers[0]?.user_id === who, who, { timeout: 10_000 });
    for (const name of ['Ann', 'Cat', 'Dan']) await pages[name].evaluate(() => window.rtc.client.setMuted('audio', true));
    for (const name of NAMES) await dominant(pages[name], ids.Ben);
    await pages.Ann.locator(`#videos .tile.dominant[data-user="${ids.Ben}"]`).waitFor({ timeout: 5_000 });
    await pages.Ben.evaluate(() => window.rtc.client.setMuted('audio', true));
    await pages.Cat.evaluate(() => window.rtc.client.setMuted('audio', false));
    for (const name of NAMES) await dominant(pages[name], ids.Cat);
    const list = await pages.Ann.evaluate(() => window.rtc.client.activeSpeakers.map((s) => s.user_id));
    assert.deepEqual(list, [ids.Cat], 'only Cat speaks');
  });

  await t.test('a screen share goes through the server to every page, in its own tile', async () => {
    const screenTile = `#videos .tile.screen[data-user="${ids.Ben}"] video`;
    await pages.Ben.click('#screen-btn');
    await pages.Ben.locator('#screen-btn[data-sharing="true"]').waitFor({ timeout: 10_000 });
    for (const name of ['Ann', 'Cat']) {
      await pages[name].waitForFunction(
        (sel) => {
          const v = document.querySelector(sel);
          return v && v.videoWidth > 0 && v.readyState >= 2;
        },
        screenTile,
        { timeout: 20_000 },
      );
      // The fake screen is 16:9, the fake camera 4:3: the tile shows the screen.
      const ratio = await pages[name].evaluate((sel) => {
        const v = document.querySelector(sel);
        return v.videoWidth / v.videoHeight;
      }, screenTile);
      assert.ok(Math.abs(ratio - 16 / 9) < 0.05, `${name}: screen tile ratio ${ratio}`);
    }
    const track = await pages.Ann.evaluate((ben) => window.rtc.client.sfu.tracks.size && [...window.rtc.client.sfu.tracks.values()].find((t) => t.user_id === ben && t.source === 'screen')?.kind, ids.Ben);
    assert.equal(track, 'video', 'media-tracks names the screen');
    await pages.Ben.click('#screen-btn');
    await pages.Ben.locator('#screen-btn[data-sharing="false"]').waitFor({ timeout: 10_000 });
    await pages.Ann.locator(`#videos .tile.screen[data-user="${ids.Ben}"]`).waitFor({ state: 'detached', timeout: 10_000 });
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
    // The others still flow (Cat is the one unmuted).
    await waitForMedia(pages.Ann, ids.Cat);
  });
});
