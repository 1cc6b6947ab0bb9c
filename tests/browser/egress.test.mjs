// Live streaming from an SFU room: three headless Chromiums (a red, a
// green and a blue fake camera, one each, and a tone) publish to the
// server; the host starts a live stream to an RTMP receiver (ffmpeg
// listening, inside the test's network namespace). The receiver gets
// H.264 and AAC at the preset's size, as long as the stream was live,
// with one tile of each colour; the stream key never reaches the room.
// The same stream is served as HLS: through an expiring link, its
// playlist's segments decode to H.264 and AAC with the three tiles;
// without a token or a valid link, nothing is served.
// Then the host records the room on the server (the default in an SFU
// room), with a pause: the recording is one MP4 composite with the three
// tiles, as long as the time recorded, and no client may upload to it.
// Run by run.sh.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startServer, launchBrowser, waitForMedia, openRoomPage } from './support.mjs';

const ARTIFACTS = process.env.ARTIFACTS_DIR ?? 'artifacts';
const ROOM = `egress-${Date.now()}`;
const CAMERAS = { Ann: 'red', Ben: 'green', Cat: 'blue' };
const KEY = 'sk-browser-secret';

let server;
let base;
let receiver;
const browsers = [];
const pages = {};

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

before(async () => {
  const s = await startServer({ RTC_MEDIA_MODE: 'sfu', RTC_MEDIA_UDP_PORT: '0' });
  server = s.child;
  base = s.url;
  mkdirSync(ARTIFACTS, { recursive: true });
  const tone = join(ARTIFACTS, 'egress-tone.wav');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=60', '-ar', '48000', '-ac', '1', tone]);
  for (const [name, colour] of Object.entries(CAMERAS)) {
    const y4m = join(ARTIFACTS, `egress-${colour}.y4m`);
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `color=c=${colour}:s=640x360:r=15`, '-t', '2', '-pix_fmt', 'yuv420p', y4m]);
    const browser = await launchBrowser([`--use-file-for-fake-video-capture=${y4m}`, `--use-file-for-fake-audio-capture=${tone}`]);
    browsers.push(browser);
    pages[name] = await openRoomPage(browser, base, ROOM, name);
  }
});

after(async () => {
  for (const [name, page] of Object.entries(pages)) {
    await page.screenshot({ path: join(ARTIFACTS, `egress-${name}.png`), fullPage: true }).catch(() => {});
  }
  for (const b of browsers) await b.close();
  receiver?.kill('SIGKILL');
  server?.kill('SIGTERM');
});

/** `(codec, width, height)` of each stream, and the duration, of `file`. */
function probe(file) {
  const out = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,width,height:format=duration', '-of', 'json', file]));
  return { streams: out.streams.map((s) => [s.codec_name, s.width ?? 0, s.height ?? 0]), duration: Number(out.format.duration) };
}

/** The RGB of each of `points` in the picture at `at` seconds of `file` (1280 wide; its first picture when `at` is null). */
function pixels(file, at, points) {
  const seek = at === null ? [] : ['-ss', String(at)];
  const raw = execFileSync('ffmpeg', ['-v', 'error', ...seek, '-i', file, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { maxBuffer: 64 << 20 });
  return points.map(([x, y]) => {
    const i = (y * 1280 + x) * 3;
    return [raw[i], raw[i + 1], raw[i + 2]];
  });
}

const colourOf = ([r, g, b]) => (r > 180 && g < 70 && b < 70 ? 'red' : g > 90 && r < 70 && b < 70 ? 'green' : b > 180 && r < 70 && g < 70 ? 'blue' : r < 40 && g < 40 && b < 40 ? 'black' : `rgb(${r},${g},${b})`);

/** The stream's HLS, as a player would get it, while it runs. */
async function checkHls(stream) {
  assert.equal(stream.hls_url, `/webrtc/rooms/${ROOM}/live-streams/${stream.stream_id}/hls/index.m3u8`);
  assert.equal((await fetch(new URL(stream.hls_url, base))).status, 401, 'members only');
  const { url } = await pages.Ben.evaluate((id) => window.rtc.client.liveStreamHlsLink(id, { expiresIn: 60 }), stream.stream_id);
  const parts = url.split('/');
  const sig = parts[parts.length - 2];
  parts[parts.length - 2] = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
  const forged = parts.join('/');
  assert.equal((await fetch(new URL(forged, base))).status, 403, `a forged link: ${forged}`);
  const res = await fetch(new URL(url, base));
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /mpegurl/);
  const playlist = await res.text();
  assert.ok(playlist.startsWith('#EXTM3U'), playlist);
  const segments = playlist.split('\n').filter((l) => l && !l.startsWith('#'));
  assert.ok(segments.length >= 2, playlist);
  const dir = join(ARTIFACTS, 'egress-hls');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'index.m3u8'), playlist);
  for (const seg of segments) {
    const r = await fetch(new URL(seg, new URL(url, base)));
    assert.equal(r.status, 200, seg);
    writeFileSync(join(dir, seg), Buffer.from(await r.arrayBuffer()));
  }
  // A live playlist has no duration: its streams are what counts.
  const { streams } = probe(join(dir, 'index.m3u8'));
  assert.deepEqual(streams.find((s) => s[0] === 'h264'), ['h264', 1280, 720], JSON.stringify(streams));
  assert.ok(streams.some((s) => s[0] === 'aac'), JSON.stringify(streams));
  // Every segment starts with a keyframe: the newest one's first picture.
  const last = join(dir, segments[segments.length - 1]);
  const tiles = pixels(last, null, [[320, 180], [960, 180], [320, 540]]).map(colourOf);
  assert.deepEqual(tiles.sort(), ['blue', 'green', 'red'], JSON.stringify(tiles));
}

test('a live stream of three cameras reaches an RTMP receiver as a composite', async () => {
  const ids = {};
  for (const name of Object.keys(CAMERAS)) ids[name] = await pages[name].evaluate(() => window.rtc.client.userId);
  // Everyone publishes: each page decodes the other two.
  for (const name of Object.keys(CAMERAS)) {
    for (const other of Object.keys(CAMERAS)) if (other !== name) await waitForMedia(pages[name], ids[other], 30);
  }
  const port = await freePort();
  const out = join(ARTIFACTS, 'egress-received.flv');
  receiver = spawn('ffmpeg', ['-v', 'error', '-y', '-listen', '1', '-i', `rtmp://127.0.0.1:${port}/live/${KEY}`, '-c', 'copy', '-f', 'flv', out], { stdio: ['ignore', 'inherit', 'inherit'] });
  const received = new Promise((resolve) => receiver.on('exit', resolve));

  // The host starts it; every page hears of each status.
  for (const page of Object.values(pages)) {
    await page.evaluate(() => {
      window.streamStatuses = [];
      window.rtc.client.addEventListener('live-stream-update', ({ detail }) => window.streamStatuses.push(detail.stream));
    });
  }
  const started = await pages.Ann.evaluate(
    ([url, key]) => window.rtc.client.startLiveStream({ title: 'Show', url, stream_key: key, layout: 'grid', quality: 'medium', hls: true }),
    [`rtmp://127.0.0.1:${port}/live`, KEY],
  );
  assert.equal(started.status, 'starting');
  assert.equal(started.destination, `rtmp://127.0.0.1:${port}/live`);
  await pages.Cat.waitForFunction(() => window.streamStatuses.some((s) => s.status === 'live'), null, { timeout: 30_000 }).catch(async () => {
    assert.fail(`not live: ${JSON.stringify(await pages.Cat.evaluate(() => window.streamStatuses))}`);
  });
  const liveAt = Date.now();
  await pages.Ann.waitForTimeout(6_000);
  await checkHls(started);
  const stopped = await pages.Ann.evaluate((id) => window.rtc.client.stopLiveStream(id), started.stream_id);
  assert.equal(stopped.status, 'stopped');
  const code = await Promise.race([received, new Promise((r) => setTimeout(() => r('timeout'), 15_000))]);
  const ran = (Date.now() - liveAt) / 1000;
  assert.equal(code, 0, 'the receiver saw the stream end properly');

  // Nobody ever saw the key.
  for (const page of Object.values(pages)) {
    const seen = await page.evaluate(() => JSON.stringify([window.rtc.client.state, window.streamStatuses]));
    assert.ok(!seen.includes(KEY), 'the stream key reached a page');
  }

  const { streams, duration } = probe(out);
  assert.deepEqual(streams.find((s) => s[0] === 'h264'), ['h264', 1280, 720], JSON.stringify(streams));
  assert.ok(streams.some((s) => s[0] === 'aac'), JSON.stringify(streams));
  assert.ok(Math.abs(duration - ran) <= 1.0, `${duration} s received, live for ${ran} s`);
  // A 2 × 2 grid: one tile per camera, in the order their video came, and
  // the fourth black. Read near the end: a camera's tile shows from its
  // first keyframe after the stream started, which a loaded machine may
  // take a few seconds to send.
  const tiles = pixels(out, duration - 1, [[320, 180], [960, 180], [320, 540], [960, 540]]).map(colourOf);
  assert.deepEqual([...tiles.slice(0, 3)].sort(), ['blue', 'green', 'red'], JSON.stringify(tiles));
  assert.equal(tiles[3], 'black');
});

test('a server recording of three cameras is one composite file without its pause', async () => {
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const rec = await pages.Ann.evaluate(() => window.rtc.client.createRecording({ quality: 'medium' }));
  const startedAt = Date.now();
  assert.deepEqual([rec.source, rec.format, rec.layout], ['server', 'mp4', 'grid'], JSON.stringify(rec));
  const id = rec.recording_id;
  // No client uploads to the server's recording.
  const refused = await pages.Ben.evaluate(
    (id) => window.rtc.client.uploadRecordingChunk(id, 0, new Uint8Array(16)).then(() => 'accepted', (e) => e.code),
    id,
  );
  assert.equal(refused, 'INVALID_STATE_TRANSITION');
  await sleep(4_000);
  await pages.Ann.evaluate((id) => window.rtc.client.pauseRecording(id), id);
  const pausedAt = Date.now();
  await sleep(3_000);
  await pages.Ann.evaluate((id) => window.rtc.client.resumeRecording(id), id);
  const pause = (Date.now() - pausedAt) / 1000;
  await sleep(4_000);
  const stopped = await pages.Ann.evaluate((id) => window.rtc.client.stopRecording(id), id);
  const recorded = (Date.now() - startedAt) / 1000 - pause;
  assert.equal(stopped.status, 'processing');
  const done = await pages.Ann.evaluate((id) => window.rtc.client.waitForRecording(id), id);
  assert.equal(done.status, 'completed', JSON.stringify(done));
  assert.deepEqual(done.outputs.map((o) => o.user_id), ['composite'], JSON.stringify(done.outputs));

  const { url } = await pages.Ann.evaluate((id) => window.rtc.client.recordingLink(id), id);
  const res = await fetch(new URL(url, base));
  assert.equal(res.status, 200);
  const file = join(ARTIFACTS, 'egress-recording.mp4');
  writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  const { streams, duration } = probe(file);
  assert.deepEqual(streams.find((s) => s[0] === 'h264'), ['h264', 1280, 720], JSON.stringify(streams));
  assert.ok(streams.some((s) => s[0] === 'aac'), JSON.stringify(streams));
  assert.ok(Math.abs(duration - recorded) <= 1.0, `${duration} s in the file, ${recorded} s recorded around a ${pause} s pause`);
  const tiles = pixels(file, duration - 1, [[320, 180], [960, 180], [320, 540], [960, 540]]).map(colourOf);
  assert.deepEqual([...tiles.slice(0, 3)].sort(), ['blue', 'green', 'red'], JSON.stringify(tiles));
  assert.equal(tiles[3], 'black');
});
