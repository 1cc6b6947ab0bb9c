// sfu.ts: the one RTCPeerConnection to the server's media plane in an SFU
// room. We publish our tracks on it and receive everyone else's.

import type { RtcClient } from './client.js';
import type { MediaSource, MediaTrack, ServerMessageOf } from './protocol.js';

/**
 * The camera's simulcast layers for its size: quarter, half and full from
 * 960 px up, half and full from 480 px, none below. (Browsers send fewer
 * layers of small frames and drop the top ones first, so asking for three
 * of a 640×480 camera would lose the full size.)
 */
function simulcastLayers(track: MediaStreamTrack): RTCRtpEncodingParameters[] | undefined {
  const { width = 0, height = 0 } = track.getSettings();
  const long = Math.max(width, height);
  if (long >= 960) {
    return [
      { rid: 'q', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
      { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
      { rid: 'f', maxBitrate: 1_500_000 },
    ];
  }
  if (long >= 480) {
    return [
      { rid: 'h', scaleResolutionDownBy: 2, maxBitrate: 250_000 },
      { rid: 'f', maxBitrate: 1_000_000 },
    ];
  }
  return undefined;
}

type SfuSignal = ServerMessageOf<'media-offer'> | ServerMessageOf<'media-answer'> | ServerMessageOf<'media-tracks'>;

/** How long a `media-offer` may wait for its answer before the link starts over. */
const ANSWER_TIMEOUT_MS = 4000;

/** How long the connection may stay `disconnected` before the link starts over. */
const LOST_AFTER_MS = 3000;

/**
 * Our connection to the server's media plane. We offer our own tracks
 * first; the server answers, then offers whenever others' tracks come or
 * go. On a collision the server yields (it drops its offer and makes it
 * again after answering ours), so here a server offer that crosses ours is
 * ignored. Signaling runs in order on one queue, which first waits for our
 * local media.
 */
export class SfuLink {
  /** The connection. */
  readonly pc: RTCPeerConnection;
  /** What each of our receiving transceivers carries, by mid. */
  readonly tracks = new Map<string, MediaTrack>();
  /** Remote streams by user id and source group (`camera` or `screen`). */
  readonly streams = new Map<string, MediaStream>();
  private readonly client: RtcClient;
  private readonly screenTrackIds = new Set<string>();
  private screenSenders: RTCRtpSender[] = [];
  private makingOffer = false;
  private wantOffer = false;
  private closed = false;
  private queue: Promise<unknown>;
  private answerTimer: ReturnType<typeof setTimeout> | undefined;
  private lostTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(client: RtcClient, media: Promise<MediaStream | null>) {
    this.client = client;
    const pc = new RTCPeerConnection({ iceServers: client.iceServers ?? [] });
    this.pc = pc;
    pc.onnegotiationneeded = () => this.negotiate();
    pc.ontrack = ({ track, transceiver }) => this.onTrack(track, transceiver);
    pc.onconnectionstatechange = () => {
      for (const userId of this.users()) client.emit('peer-state', { userId, state: pc.connectionState });
      // The media server went away (its instance died, the network
      // changed): connect again, without anyone having to act. A
      // disconnection that lasts is treated as a failure, which the
      // browser may take much longer to declare.
      clearTimeout(this.lostTimer);
      if (pc.connectionState === 'failed') this.restart();
      if (pc.connectionState === 'disconnected') this.lostTimer = setTimeout(() => this.restart(), LOST_AFTER_MS);
    };
    // A data channel: something to offer even with nothing to publish.
    pc.createDataChannel('sfu');
    this.queue = media.then((stream) => {
      if (this.closed) return;
      for (const track of stream?.getTracks() ?? []) {
        const layers = track.kind === 'video' && client.simulcast ? simulcastLayers(track) : undefined;
        pc.addTransceiver(track, { direction: 'sendonly', streams: [stream!], sendEncodings: layers });
      }
      if (client.screenStream) this.addScreenNow(client.screenStream);
    });
  }

  /** Queues a `media-offer`, `media-answer` or `media-tracks` from the server. */
  signal(msg: SfuSignal): void {
    this.run(() => this.handle(msg));
  }

  private run(step: () => Promise<void> | void): void {
    this.queue = this.queue.then(step).catch((e) => this.client.emit('peer-error', { userId: 'sfu', error: String(e) }));
  }

  private async handle(msg: SfuSignal): Promise<void> {
    if (this.closed) return;
    const pc = this.pc;
    if (msg.type === 'media-tracks') {
      for (const t of msg.tracks) this.tracks.set(t.mid, t);
      return;
    }
    if (msg.type === 'media-answer') {
      if (pc.signalingState !== 'have-local-offer') return;
      clearTimeout(this.answerTimer);
      await pc.setRemoteDescription({ type: 'answer', sdp: msg.sdp });
      if (this.wantOffer) this.negotiate();
      return;
    }
    // A server offer crossing ours: the server yields and offers again.
    if (this.makingOffer || pc.signalingState !== 'stable') return;
    await pc.setRemoteDescription({ type: 'offer', sdp: msg.sdp });
    await pc.setLocalDescription();
    this.client.send({ type: 'media-answer', sdp: pc.localDescription!.sdp });
    this.dropStopped();
  }

  /** Offers our current tracks (after anything queued). */
  private negotiate(): void {
    this.run(async () => {
      const pc = this.pc;
      if (this.closed) return;
      if (pc.signalingState !== 'stable') {
        this.wantOffer = true;
        return;
      }
      this.wantOffer = false;
      this.makingOffer = true;
      try {
        await pc.setLocalDescription(await pc.createOffer());
      } finally {
        this.makingOffer = false;
      }
      this.client.send({ type: 'media-offer', sdp: pc.localDescription!.sdp, sources: this.sources() });
      // An offer nobody answers went to a media server that is gone (its
      // claim on the room not yet lapsed): try again on a fresh link.
      clearTimeout(this.answerTimer);
      this.answerTimer = setTimeout(() => {
        if (pc.signalingState === 'have-local-offer') this.restart();
      }, ANSWER_TIMEOUT_MS);
    });
  }

  /** Hands over to a fresh link (unless this one was closed meanwhile). */
  private restart(): void {
    if (!this.closed) this.client.restartSfu(this);
  }

  /** What each of our sending transceivers carries. */
  private sources(): Record<string, MediaSource> {
    const out: Record<string, MediaSource> = {};
    for (const t of this.pc.getTransceivers()) {
      const track = t.sender.track;
      if (!t.mid || !track) continue;
      const screen = this.screenTrackIds.has(track.id);
      out[t.mid] = track.kind === 'audio' ? (screen ? 'screen_audio' : 'microphone') : screen ? 'screen' : 'camera';
    }
    return out;
  }

  private onTrack(track: MediaStreamTrack, transceiver: RTCRtpTransceiver): void {
    const info = transceiver.mid ? this.tracks.get(transceiver.mid) : undefined;
    if (!info) return;
    const screen = info.source === 'screen' || info.source === 'screen_audio';
    const key = `${info.user_id}/${screen ? 'screen' : 'camera'}`;
    let stream = this.streams.get(key);
    if (!stream) {
      stream = new MediaStream();
      this.streams.set(key, stream);
    }
    for (const old of stream.getTracks()) if (old.kind === track.kind && old !== track) stream.removeTrack(old);
    stream.addTrack(track);
    this.client.emit('remote-stream', { userId: info.user_id, stream, track, screen });
    if (this.pc.connectionState === 'connected') this.client.emit('peer-state', { userId: info.user_id, state: 'connected' });
  }

  /** Forgets tracks whose transceivers the server stopped. */
  private dropStopped(): void {
    const live = new Set(this.pc.getTransceivers().filter((t) => t.currentDirection !== 'stopped' && t.mid).map((t) => t.mid!));
    for (const mid of [...this.tracks.keys()]) {
      if (live.has(mid)) continue;
      const info = this.tracks.get(mid)!;
      this.tracks.delete(mid);
      const screen = info.source === 'screen' || info.source === 'screen_audio';
      const key = `${info.user_id}/${screen ? 'screen' : 'camera'}`;
      const stream = this.streams.get(key);
      for (const t of stream?.getTracks() ?? []) if (t.readyState === 'ended') stream!.removeTrack(t);
      if (stream && stream.getTracks().length === 0) this.streams.delete(key);
    }
  }

  /** User ids we receive tracks from. */
  users(): Set<string> {
    return new Set([...this.tracks.values()].map((t) => t.user_id));
  }

  /** Our mids that carry `userId`'s tracks. */
  midsOf(userId: string): Set<string> {
    return new Set([...this.tracks.values()].filter((t) => t.user_id === userId).map((t) => t.mid));
  }

  /** The connection's stats, with only `userId`'s inbound tracks among the `inbound-rtp` entries. */
  async statsOf(userId: string): Promise<RTCStatsReport> {
    const mids = this.midsOf(userId);
    const report = await this.pc.getStats();
    const kept = new Map<string, RTCStats & { mid?: string }>();
    report.forEach((s: RTCStats & { mid?: string }) => {
      if (s.type !== 'inbound-rtp' || (s.mid !== undefined && mids.has(s.mid))) kept.set(s.id, s);
    });
    return kept as unknown as RTCStatsReport;
  }

  /** Adds our screen stream (the share was announced first). */
  addScreen(stream: MediaStream): void {
    this.run(() => {
      if (!this.closed) this.addScreenNow(stream);
    });
  }

  private addScreenNow(stream: MediaStream): void {
    for (const t of stream.getTracks()) this.screenTrackIds.add(t.id);
    this.screenSenders = stream.getTracks().map((t) => this.pc.addTransceiver(t, { direction: 'sendonly', streams: [stream] }).sender);
  }

  /** Removes our screen tracks. */
  removeScreen(): void {
    this.run(() => {
      if (this.closed) return;
      for (const s of this.screenSenders) this.pc.removeTrack(s);
      this.screenSenders = [];
    });
  }

  /** Closes the connection. */
  close(): void {
    this.closed = true;
    clearTimeout(this.answerTimer);
    clearTimeout(this.lostTimer);
    this.pc.close();
  }
}
