// What the browser tests share: the server they start and the Chromium they drive.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { chromium } from 'playwright-core';

const SERVER = process.env.RTC_SERVER_BIN;
const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

/** Starts the server on embedded defaults plus `env`; resolves with the process and its base URL. */
export function startServer(env = {}) {
  assert.ok(SERVER, 'RTC_SERVER_BIN must name the rtc-server binary');
  const all = { ...process.env, RTC_BIND: '127.0.0.1:0', RTC_STORAGE: 'memory', RUST_LOG: 'warn' };
  // The host's services are out of reach in the test's network namespace:
  // only what the test passes in `env` is used.
  for (const k of ['REDIS_URL', 'MONGODB_URI', 'RTC_JWT_SECRET']) delete all[k];
  Object.assign(all, env);
  const child = spawn(SERVER, ['--stun-urls='], { env: all, stdio: ['ignore', 'pipe', 'inherit'] });
  // SERVER_LOG=file keeps what the server logs (RUST_LOG) for a look after a failure.
  if (process.env.SERVER_LOG) child.stdout.pipe(createWriteStream(process.env.SERVER_LOG, { flags: 'a' }));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on (http:\/\/\S+)/);
      if (m) resolve({ child, url: m[1] });
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
}

/** Headless Chromium with fake camera, microphone and screen, and loopback candidates allowed. */
export function launchBrowser(extraArgs = []) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      '--allow-loopback-in-peer-connection',
      '--autoplay-policy=no-user-gesture-required',
      ...extraArgs,
    ],
  });
}

/** Inbound video frames decoded and audio packets received from `from`, and the widest frame. */
export function inbound(page, from) {
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

/**
 * Waits up to `secs` seconds until `page` decodes `from`'s video and
 * receives its audio, and both keep flowing.
 */
export async function waitForMedia(page, from, secs = 20) {
  let first = null;
  for (let i = 0; i < secs * 4; i++) {
    const r = await inbound(page, from);
    if (!first && r.frames >= 10 && r.audioPackets >= 10) first = r;
    else if (first && r.frames > first.frames + 10 && r.audioPackets > first.audioPackets + 10) return r;
    await page.waitForTimeout(250);
  }
  const r = await inbound(page, from);
  assert.fail(`${from}: only ${r.frames} frames decoded and ${r.audioPackets} audio packets received`);
}

/** A page of the bundled web client in a fresh context of `browser`, joined to `room` on `base` as `name`. */
export async function openRoomPage(browser, base, room, name) {
  const context = await browser.newContext({ permissions: ['camera', 'microphone'], viewport: { width: 1000, height: 700 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error(`[${name}] page error: ${e.message}`));
  await page.goto(`${base}/?room=${room}&name=${name}&autojoin=1`);
  await page.waitForFunction(() => window.rtc?.client?.status === 'connected', null, { timeout: 15_000 });
  return page;
}
