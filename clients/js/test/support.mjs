// Test support: the real rtc-server on 127.0.0.1:0, HS256 tokens for chosen
// users, and small waiting helpers.
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';

export const SECRET = randomBytes(32).toString('hex');

/** Starts the server named by RTC_SERVER_BIN with a real secret and dev tokens on. */
export function startServer(extraEnv = {}) {
  const bin = process.env.RTC_SERVER_BIN;
  if (!bin) throw new Error('RTC_SERVER_BIN must name the rtc-server binary (clients/js/check.sh sets it)');
  const env = {
    ...process.env,
    RTC_BIND: '127.0.0.1:0',
    RTC_STORAGE: 'memory',
    RTC_JWT_SECRET: SECRET,
    RTC_DEV_TOKENS: 'true',
    RUST_LOG: 'warn',
    ...extraEnv,
  };
  for (const k of ['REDIS_URL', 'MONGODB_URI']) delete env[k];
  const child = spawn(bin, ['--stun-urls='], { env, stdio: ['ignore', 'pipe', 'inherit'] });
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

const b64url = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** An HS256 token for `sub`, valid for an hour (claims: room, role, name…). */
export function token(sub, claims = {}) {
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ sub, iat: now, exp: now + 3600, ...claims })}`;
  return `${body}.${createHmac('sha256', SECRET).update(body).digest('base64url')}`;
}

/** A fresh room id per test. */
let n = 0;
export const roomName = (tag) => `js-${tag}-${process.pid}-${++n}`;
