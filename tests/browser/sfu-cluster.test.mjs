// An SFU room across two server processes sharing a Redis (started here,
// inside the test's network namespace): the room's media runs on the
// instance that took it first, participants connected to the other have
// their media signaling relayed to it, and when that instance dies the
// others move the room's media to the survivor without anyone acting.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, launchBrowser, waitForMedia, openRoomPage } from './support.mjs';

const ARTIFACTS = process.env.ARTIFACTS_DIR ?? 'artifacts';
const ROOM = `sfu-cluster-${Date.now()}`;

let redis;
let owner; // the instance Ann joins first: it takes the room's media
let survivor;
let browser;
const pages = {};

function freePort() {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startRedis() {
  const port = await freePort();
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const up = await new Promise((resolve) => {
      const c = connect(port, '127.0.0.1', () => c.end(() => resolve(true)));
      c.on('error', () => resolve(false));
    });
    if (up) return { child, url: `redis://127.0.0.1:${port}` };
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('redis-server did not start (tests/services.sh installs it)');
}

const openPage = (base, name) => openRoomPage(browser, base, ROOM, name);

const sfuState = (page) => page.evaluate(() => window.rtc.client.sfu?.pc.connectionState ?? null);

before(async () => {
  redis = await startRedis();
  const env = { RTC_MEDIA_MODE: 'sfu', REDIS_URL: redis.url, RTC_REDIS_PREFIX: `b${Date.now()}:` };
  owner = await startServer(env);
  survivor = await startServer(env);
  browser = await launchBrowser();
});

after(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  for (const [name, page] of Object.entries(pages)) {
    await page.screenshot({ path: join(ARTIFACTS, `sfu-cluster-${name}.png`), fullPage: true }).catch(() => {});
  }
  await browser?.close();
  owner?.child.kill('SIGKILL');
  survivor?.child.kill('SIGTERM');
  redis?.child.kill('SIGTERM');
});

test('an SFU room on two instances: one runs its media, and the other takes over when it dies', async (t) => {
  pages.Ann = await openPage(owner.url, 'Ann');
  for (let i = 0; i < 60 && (await sfuState(pages.Ann)) !== 'connected'; i++) await pages.Ann.waitForTimeout(250);
  assert.equal(await sfuState(pages.Ann), 'connected', 'Ann’s media runs on her instance');
  pages.Ben = await openPage(survivor.url, 'Ben');
  pages.Cat = await openPage(survivor.url, 'Cat');
  const ids = {};
  for (const name of ['Ann', 'Ben', 'Cat']) ids[name] = await pages[name].evaluate(() => window.rtc.client.userId);

  await t.test('participants of the other instance send and receive through the owner', async () => {
    // Ben and Cat signal through their own instance; had their media gone
    // there too, the room would be split and nobody would see Ann.
    for (const [name, others] of [['Ben', ['Ann', 'Cat']], ['Cat', ['Ann', 'Ben']], ['Ann', ['Ben', 'Cat']]]) {
      for (const other of others) await waitForMedia(pages[name], ids[other]);
    }
  });

  await t.test('when the owner dies, the survivors’ media moves to the other instance by itself', async () => {
    for (const name of ['Ben', 'Cat']) await pages[name].evaluate(() => (window.oldSfu = window.rtc.client.sfu));
    const killed = Date.now();
    owner.child.kill('SIGKILL');
    for (const [name, other] of [['Ben', 'Cat'], ['Cat', 'Ben']]) {
      const page = pages[name];
      await page.waitForFunction(() => window.rtc.client.sfu && window.rtc.client.sfu !== window.oldSfu && window.rtc.client.sfu.pc.connectionState === 'connected', null, { timeout: 40_000 });
      await waitForMedia(page, ids[other]);
      assert.equal(await page.evaluate(() => window.rtc.client.status), 'connected', `${name} kept its WebSocket`);
    }
    console.log(`media moved and flows again ${((Date.now() - killed) / 1000).toFixed(1)} s after the owner died`);
  });
});
