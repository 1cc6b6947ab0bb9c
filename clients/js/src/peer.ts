// peer.ts: one RTCPeerConnection to one other participant, and the
// peer-to-peer file protocol on its data channel.

import type { RtcClient } from './client.js';
import type { ServerMessageOf } from './protocol.js';
import { RtcError, sha256Hex } from './util.js';

/** Data-channel message size for peer-to-peer files. */
const CHUNK_DC = 16 * 1024;
/** Pause sending above this many buffered bytes. */
const DC_HIGH_WATER = 1024 * 1024;

type PeerSignal = ServerMessageOf<'offer'> | ServerMessageOf<'answer'> | ServerMessageOf<'ice-candidate'>;

/** A peer-to-peer file offered to us, as its sender described it. */
interface IncomingFile {
  id: string;
  name: string;
  size: number;
  mime: string;
  sha256: string;
}

/** Our data-channel protocol (JSON text frames; file bytes go as binary frames). */
type ChannelMessage =
  | { t: 'file-offer'; id: string; name: string; size: number; mime: string; sha256: string }
  | { t: 'file-accept' | 'file-reject' | 'file-end'; id: string }
  | { t: 'file-done'; id: string; ok: boolean }
  | { t: 'screen'; streamId: string; active: boolean };

/**
 * One RTCPeerConnection to one other participant, negotiated with the
 * "perfect negotiation" pattern: both ends may offer; on a collision the
 * polite end (the smaller user id) yields. Signaling for this peer runs in
 * order on one queue, which first waits for our local media.
 */
export class Peer {
  /** The other participant. */
  readonly userId: string;
  /** The connection. */
  readonly pc: RTCPeerConnection;
  /** The data channel, once created or received. */
  dc: RTCDataChannel | null = null;
  /** Their streams by id (camera, screen…). */
  readonly streams = new Map<string, MediaStream>();
  /** Ids of their streams that they announced as screen shares. */
  readonly screenStreamIds = new Set<string>();
  /** Peer-to-peer transfers offered to us. */
  readonly incoming = new Map<string, IncomingFile>();
  private readonly client: RtcClient;
  private readonly polite: boolean;
  private makingOffer = false;
  private ignoreOffer = false;
  private answerPending = false;
  private closed = false;
  private outgoing = new Map<string, { resolve: () => void; reject: (e: Error) => void }>();
  private receiving: (IncomingFile & { parts: ArrayBuffer[]; received: number }) | null = null;
  private screenSenders: RTCRtpSender[] = [];
  private queue: Promise<unknown>;
  private readonly channel: Promise<RTCDataChannel>;
  private channelResolve!: (dc: RTCDataChannel) => void;

  constructor(client: RtcClient, userId: string, media: Promise<MediaStream | null>) {
    this.client = client;
    this.userId = userId;
    this.polite = (client.userId ?? '') < userId;
    const pc = new RTCPeerConnection({ iceServers: client.iceServers ?? [] });
    this.pc = pc;
    pc.onicecandidate = ({ candidate }) => {
      if (candidate) client.send({ type: 'ice-candidate', target: userId, candidate: candidate.toJSON() as never });
    };
    pc.onnegotiationneeded = async () => {
      try {
        this.makingOffer = true;
        await pc.setLocalDescription();
        const d = pc.localDescription!;
        client.send({ type: d.type as 'offer', target: userId, sdp: d.sdp });
      } catch (e) {
        client.emit('peer-error', { userId, error: String(e) });
      } finally {
        this.makingOffer = false;
      }
    };
    pc.ontrack = ({ track, streams }) => {
      let stream = streams[0];
      if (!stream) {
        stream = this.streams.get('') ?? new MediaStream();
        stream.addTrack(track);
      }
      const key = streams[0] ? stream.id : '';
      this.streams.set(key, stream);
      client.emit('remote-stream', { userId, stream, track, screen: this.screenStreamIds.has(stream.id) });
    };
    pc.onconnectionstatechange = () => {
      client.emit('peer-state', { userId, state: pc.connectionState });
      if (pc.connectionState === 'failed') pc.restartIce();
    };
    // The impolite end opens the data channel; the polite end receives it.
    // (Both opening one would put an SCTP section into both first offers, and
    // Chromium rejects the data channel after the polite end rolls its
    // offer back.)
    this.channel = new Promise((resolve) => (this.channelResolve = resolve));
    if (this.polite) pc.ondatachannel = ({ channel }) => this.attachChannel(channel);
    else this.attachChannel(pc.createDataChannel('rtc'));
    // Our tracks go in before anything from this peer is handled.
    this.queue = media.then((stream) => {
      if (this.closed) return;
      for (const track of stream?.getTracks() ?? []) pc.addTrack(track, stream!);
      if (client.screenStream) this.addScreenNow(client.screenStream);
    });
  }

  /** Queues an offer, answer or candidate from this peer. */
  signal(msg: PeerSignal): void {
    this.queue = this.queue
      .then(() => this.handle(msg))
      .catch((e) => this.client.emit('peer-error', { userId: this.userId, error: String(e) }));
  }

  private async handle(msg: PeerSignal): Promise<void> {
    if (this.closed) return;
    const pc = this.pc;
    if (msg.type === 'ice-candidate') {
      if (!msg.candidate?.candidate) return;
      try {
        await pc.addIceCandidate(msg.candidate as RTCIceCandidateInit);
      } catch (e) {
        if (!this.ignoreOffer) throw e;
      }
      return;
    }
    const readyForOffer = !this.makingOffer && (pc.signalingState === 'stable' || this.answerPending);
    const collision = msg.type === 'offer' && !readyForOffer;
    this.ignoreOffer = !this.polite && collision;
    if (this.ignoreOffer) return;
    this.answerPending = msg.type === 'answer';
    await pc.setRemoteDescription({ type: msg.type, sdp: msg.sdp });
    this.answerPending = false;
    if (msg.type === 'offer') {
      await pc.setLocalDescription();
      this.client.send({ type: 'answer', target: this.userId, sdp: pc.localDescription!.sdp });
    }
  }

  /** Closes the connection; pending peer-to-peer sends fail. */
  close(): void {
    this.closed = true;
    for (const o of this.outgoing.values()) o.reject(new Error('peer left'));
    this.pc.close();
  }

  // ---------------------------------------------- screen sharing

  /** Adds our screen stream to this connection (after our camera), announcing it first. */
  addScreen(stream: MediaStream): void {
    this.queue = this.queue.then(() => {
      if (!this.closed) this.addScreenNow(stream);
    });
  }

  private addScreenNow(stream: MediaStream): void {
    this.announce({ t: 'screen', streamId: stream.id, active: true });
    this.screenSenders = stream.getTracks().map((t) => this.pc.addTrack(t, stream));
  }

  /** Removes our screen tracks from this connection. */
  removeScreen(stream: MediaStream): void {
    this.queue = this.queue.then(() => {
      if (this.closed) return;
      for (const s of this.screenSenders) this.pc.removeTrack(s);
      this.screenSenders = [];
      this.announce({ t: 'screen', streamId: stream.id, active: false });
    });
  }

  /** Sends on the data channel when it is open; else once it opens. */
  private announce(m: ChannelMessage): void {
    void this.channel.then((dc) => {
      if (dc.readyState === 'open') dc.send(JSON.stringify(m));
      else dc.addEventListener('open', () => dc.send(JSON.stringify(m)), { once: true });
    });
  }

  // ---------------------------------------------- peer-to-peer files

  private attachChannel(dc: RTCDataChannel): void {
    dc.binaryType = 'arraybuffer';
    dc.bufferedAmountLowThreshold = DC_HIGH_WATER / 4;
    dc.onmessage = (e) => void this.onData(e.data);
    dc.onopen = () => this.client.emit('peer-channel', { userId: this.userId, state: 'open' });
    this.dc = dc;
    this.channelResolve(dc);
  }

  private async channelOpen(): Promise<RTCDataChannel> {
    const dc = await this.channel;
    if (dc.readyState === 'open') return dc;
    await new Promise((resolve, reject) => {
      dc.addEventListener('open', resolve, { once: true });
      dc.addEventListener('close', () => reject(new Error('data channel closed')), { once: true });
    });
    return dc;
  }

  /** Streams `file` over the data channel once the receiver accepts; resolves with the transfer id. */
  async sendFile(file: Blob & { name?: string }, sha256: string): Promise<string> {
    const id = `p2p-${crypto.randomUUID()}`;
    // The server checks our right to share files and tells the receiver.
    this.client.send({ type: 'file-share-offer', target: this.userId, transfer_id: id });
    const dc = await this.channelOpen();
    const accepted = new Promise<void>((resolve, reject) => this.outgoing.set(id, { resolve, reject }));
    const name = file.name ?? 'file';
    this.sendJson({ t: 'file-offer', id, name, size: file.size, mime: file.type, sha256 });
    await accepted;
    let sent = 0;
    for (let off = 0; off < file.size; off += CHUNK_DC) {
      if (dc.bufferedAmount > DC_HIGH_WATER) {
        await new Promise((r) => dc.addEventListener('bufferedamountlow', r, { once: true }));
      }
      const chunk = await file.slice(off, off + CHUNK_DC).arrayBuffer();
      dc.send(chunk);
      sent += chunk.byteLength;
      this.client.emit('file-progress', { transferId: id, mode: 'p2p', direction: 'send', to: this.userId, sent, size: file.size });
    }
    const done = new Promise<void>((resolve, reject) => this.outgoing.set(id, { resolve, reject }));
    this.sendJson({ t: 'file-end', id });
    await done;
    this.client.send({ type: 'file-share-complete', target: this.userId, transfer_id: id, bytes_transferred: sent });
    return id;
  }

  private sendJson(m: ChannelMessage): void {
    this.dc!.send(JSON.stringify(m));
  }

  /** Accepts a peer-to-peer file offered to us: its bytes start flowing. */
  acceptFile(id: string): void {
    const meta = this.incoming.get(id);
    if (!meta) return;
    this.receiving = { ...meta, parts: [], received: 0 };
    this.sendJson({ t: 'file-accept', id });
    this.client.send({ type: 'file-share-accept', target: this.userId, transfer_id: id });
  }

  /** Declines a peer-to-peer file offered to us. */
  rejectFile(id: string): void {
    this.incoming.delete(id);
    this.sendJson({ t: 'file-reject', id });
    this.client.send({ type: 'file-share-reject', target: this.userId, transfer_id: id });
  }

  private async onData(data: string | ArrayBuffer): Promise<void> {
    if (typeof data !== 'string') {
      const r = this.receiving;
      if (!r) return;
      r.parts.push(data);
      r.received += data.byteLength;
      this.client.emit('file-progress', { transferId: r.id, mode: 'p2p', direction: 'receive', from: this.userId, received: r.received, size: r.size });
      return;
    }
    let m: ChannelMessage;
    try {
      m = JSON.parse(data) as ChannelMessage;
    } catch {
      return;
    }
    if (m.t === 'screen') {
      if (!m.active) {
        this.screenStreamIds.delete(m.streamId);
        this.streams.delete(m.streamId);
        return;
      }
      this.screenStreamIds.add(m.streamId);
      // The stream may have come first: say again what it is.
      const stream = this.streams.get(m.streamId);
      const track = stream?.getVideoTracks()[0];
      if (stream && track) this.client.emit('remote-stream', { userId: this.userId, stream, track, screen: true });
    } else if (m.t === 'file-offer') {
      this.incoming.set(m.id, { id: m.id, name: m.name, size: m.size, mime: m.mime, sha256: m.sha256 });
      this.client.emit('file-offer', {
        mode: 'p2p',
        from: this.userId,
        transferId: m.id,
        transfer: { transfer_id: m.id, file_name: m.name, file_size: m.size, file_type: m.mime, sha256: m.sha256, sender: this.userId },
      });
    } else if (m.t === 'file-accept') {
      this.outgoing.get(m.id)?.resolve();
    } else if (m.t === 'file-reject') {
      this.outgoing.get(m.id)?.reject(new RtcError(0, 'FILE_REJECTED', 'the receiver declined'));
      this.outgoing.delete(m.id);
    } else if (m.t === 'file-end' && this.receiving?.id === m.id) {
      const r = this.receiving;
      this.receiving = null;
      this.incoming.delete(m.id);
      const blob = new Blob(r.parts, { type: r.mime || 'application/octet-stream' });
      const sha256 = await sha256Hex(blob);
      const verified = sha256 === r.sha256 && blob.size === r.size;
      this.sendJson({ t: 'file-done', id: m.id, ok: verified });
      this.client.emit('file-received', { mode: 'p2p', from: this.userId, transferId: m.id, name: r.name, blob, sha256, verified });
    } else if (m.t === 'file-done') {
      const o = this.outgoing.get(m.id);
      this.outgoing.delete(m.id);
      if (m.ok) o?.resolve();
      else o?.reject(new RtcError(0, 'FILE_CHECKSUM_MISMATCH', 'the receiver got different bytes'));
    }
  }
}
