// util.ts: the errors, hashing and dev-token helpers the rest builds on.

import type { DevToken, DevTokenRequest, ErrorBody } from './rest.js';

/** Hex SHA-256 of bytes or a Blob (browsers need a secure context: https or localhost). */
export async function sha256Hex(data: Blob | ArrayBuffer | ArrayBufferView): Promise<string> {
  let buf: ArrayBuffer | ArrayBufferView;
  if (typeof Blob !== 'undefined' && data instanceof Blob) buf = await data.arrayBuffer();
  else buf = data as ArrayBuffer | ArrayBufferView;
  const digest = await crypto.subtle.digest('SHA-256', buf as BufferSource);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * A refused call or connection: `code` is the server's stable error code
 * (docs/errors.md), `status` the HTTP status (0 for WebSocket errors).
 */
export class RtcError extends Error {
  /** HTTP status, or 0 when the error came over the WebSocket or from the client itself. */
  readonly status: number;
  /** Stable error code, e.g. `PERMISSION_DENIED`. */
  readonly code: string;
  /** Seconds to wait before retrying (rate limits). */
  readonly retryAfter: number | null;

  constructor(status: number, code: string, message: string, retryAfter: number | null = null) {
    super(`${code}: ${message}`);
    this.name = 'RtcError';
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;
  }
}

/** Turns a failed `fetch` response into an `RtcError` with the server's code. */
export async function errorFrom(res: Response): Promise<RtcError> {
  const body = (await res.json().catch(() => ({}))) as Partial<ErrorBody>;
  const e = body.error;
  return new RtcError(res.status, e?.code ?? `HTTP_${res.status}`, e?.message ?? res.statusText, e?.retry_after ?? null);
}

/** Asks a server that allows it (`RTC_DEV_TOKENS`) for a development token valid in `room`. */
export async function fetchDevToken(baseUrl: string | URL, { name, room }: { name?: string; room: string }): Promise<DevToken> {
  const body: DevTokenRequest = { name, room };
  const res = await fetch(new URL('/webrtc/dev/token', baseUrl), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await errorFrom(res);
  return (await res.json()) as DevToken;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
