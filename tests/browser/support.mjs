// What the browser tests share: the server they start and the Chromium they drive.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chromium } from 'playwright-core';

const SERVER = process.env.RTC_SERVER_BIN;
const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

/** Starts the server on embedded defaults plus `env`; resolves with the process and its base URL. */
export function startServer(env = {}) {
  assert.ok(SERVER, 'RTC_SERVER_BIN must name the rtc-server binary');
  const all = { ...process.env, RTC_BIND: '127.0.0.1:0', RTC_STORAGE: 'memory', RUST_LOG: 'warn', ...env };
  for (const k of ['REDIS_URL', 'MONGODB_URI', 'RTC_JWT_SECRET']) delete all[k];
  const child = spawn(SERVER, ['--stun-urls='], { env: all, stdio: ['ignore', 'pipe', 'inherit'] });
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
