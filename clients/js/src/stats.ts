// stats.ts: turns WebRTC statistics into the `network-stats` figures the
// server classifies (latency, loss, jitter, bandwidth).

import type { NetworkStats } from './protocol.js';

/** Packet counters of one inbound RTP stream at the previous sample, by stats id. */
export type LossCounters = Map<string, { lost: number; received: number }>;

interface Stat {
  id: string;
  type: string;
  [k: string]: unknown;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * Network figures over all our peer connections: the worst round-trip time
 * and jitter, the packet loss since the previous sample (`previous` is
 * updated in place), and the smallest available outgoing bandwidth.
 * Returns null when no connection has a selected candidate pair yet.
 */
export function networkStatsFrom(reports: Iterable<RTCStatsReport>, previous: LossCounters = new Map()): NetworkStats | null {
  let rtt: number | undefined;
  let jitter: number | undefined;
  let bandwidth: number | undefined;
  let lost = 0;
  let received = 0;
  let pairs = 0;
  for (const report of reports) {
    const stats: Stat[] = [];
    report.forEach((s: Stat) => stats.push(s));
    const byId = new Map(stats.map((s) => [s.id, s]));
    const selected = new Set<string>();
    for (const s of stats) {
      if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') selected.add(s.selectedCandidatePairId);
    }
    for (const s of stats) {
      if (s.type === 'candidate-pair' && s.state === 'succeeded' && s.nominated === true && !selected.size) selected.add(s.id);
    }
    for (const id of selected) {
      const pair = byId.get(id);
      if (!pair) continue;
      pairs += 1;
      const r = num(pair.currentRoundTripTime);
      if (r !== undefined) rtt = Math.max(rtt ?? 0, r * 1000);
      const b = num(pair.availableOutgoingBitrate);
      if (b !== undefined) bandwidth = Math.min(bandwidth ?? Infinity, b / 1000);
    }
    for (const s of stats) {
      if (s.type !== 'inbound-rtp') continue;
      const j = num(s.jitter);
      if (j !== undefined) jitter = Math.max(jitter ?? 0, j * 1000);
      const l = num(s.packetsLost) ?? 0;
      const rcv = num(s.packetsReceived) ?? 0;
      const before = previous.get(s.id) ?? { lost: 0, received: 0 };
      lost += Math.max(0, l - before.lost);
      received += Math.max(0, rcv - before.received);
      previous.set(s.id, { lost: l, received: rcv });
    }
  }
  if (!pairs) return null;
  const out: NetworkStats = {};
  if (rtt !== undefined) out.latency_ms = Math.round(rtt * 10) / 10;
  out.packet_loss_percent = lost + received > 0 ? Math.round((lost * 1000) / (lost + received)) / 10 : 0;
  if (jitter !== undefined) out.jitter_ms = Math.round(jitter * 10) / 10;
  if (bandwidth !== undefined && bandwidth !== Infinity) out.bandwidth_kbps = Math.round(bandwidth);
  return out;
}
