// rtc-client.d.ts: the client of the rtc-server signaling protocol and REST API
// (docs/client.md, reference in docs/client-api.md). Generated from clients/js/src
// by clients/js/scripts/build.mjs with TypeScript 5.9.3: edit the source, not this file.

// ---------------------------------------------------------------- src/util.ts

/** Hex SHA-256 of bytes or a Blob (browsers need a secure context: https or localhost). */
export declare function sha256Hex(data: Blob | ArrayBuffer | ArrayBufferView): Promise<string>;
/**
 * A refused call or connection: `code` is the server's stable error code
 * (docs/errors.md), `status` the HTTP status (0 for WebSocket errors).
 */
export declare class RtcError extends Error {
    /** HTTP status, or 0 when the error came over the WebSocket or from the client itself. */
    readonly status: number;
    /** Stable error code, e.g. `PERMISSION_DENIED`. */
    readonly code: string;
    /** Seconds to wait before retrying (rate limits). */
    readonly retryAfter: number | null;
    constructor(status: number, code: string, message: string, retryAfter?: number | null);
}
/** Turns a failed `fetch` response into an `RtcError` with the server's code. */
export declare function errorFrom(res: Response): Promise<RtcError>;
/** Asks a server that allows it (`RTC_DEV_TOKENS`) for a development token valid in `room`. */
export declare function fetchDevToken(baseUrl: string | URL, { name, room }: {
    name?: string;
    room: string;
}): Promise<DevToken>;
/** Resolves after `ms` milliseconds. */
export declare function sleep(ms: number): Promise<void>;

// ---------------------------------------------------------------- src/protocol.ts

/** An RFC 3339 timestamp in UTC, as the server writes them. */
export type Timestamp = string;
/** A participant's role in a room. */
export type Role = 'host' | 'moderator' | 'participant' | 'viewer';
/** What a participant may do; the server enforces every flag. */
export interface Permissions {
    can_share_audio: boolean;
    can_share_video: boolean;
    can_share_screen: boolean;
    can_chat: boolean;
    can_share_files: boolean;
    can_record: boolean;
    can_raise_hand: boolean;
    can_react: boolean;
}
/** How a room's media flows. */
export type MediaMode = 'mesh' | 'sfu';
/** What a published track carries (`media-offer.sources`). */
export type MediaSource = 'microphone' | 'camera' | 'screen' | 'screen_audio';
/** A track received from the server in an SFU room, by our transceiver `mid`. */
export interface MediaTrack {
    mid: string;
    user_id: string;
    source: MediaSource;
    kind: MediaKind;
}
/** Audio or video. */
export type MediaKind = 'audio' | 'video';
/** What a participant is publishing. */
export interface MediaState {
    audio_muted: boolean;
    video_muted: boolean;
    screen_sharing: boolean;
}
/** Device details a client reports (`participant-update`). */
export interface DeviceInfo {
    browser?: string;
    os?: string;
    device_type?: string;
}
/** Network figures a client reports (`network-stats`); every field optional. */
export interface NetworkStats {
    /** Round-trip time in milliseconds. */
    latency_ms?: number;
    /** Packet loss in percent (0–100). */
    packet_loss_percent?: number;
    /** Jitter in milliseconds. */
    jitter_ms?: number;
    /** Available bandwidth in kbit/s. */
    bandwidth_kbps?: number;
}
/** The server's classification of a participant's {@link NetworkStats}. */
export type Quality = 'excellent' | 'good' | 'poor' | 'lost';
/** A virtual background choice (processing happens in the client). */
export interface VirtualBackground {
    mode: 'none' | 'blur' | 'image';
    /** Image id or URL for `image` mode (≤ 512 characters). */
    image?: string;
}
/** Connected now, or dropped and inside the grace period. */
export type Presence = 'connected' | 'reconnecting';
/** A participant as the server shows it. */
export interface Participant {
    user_id: string;
    name: string;
    role: Role;
    permissions: Permissions;
    joined_at: Timestamp;
    media: MediaState;
    device_info?: DeviceInfo;
    network_stats?: NetworkStats;
    video_quality?: string;
    background?: VirtualBackground;
    /** The breakout room the participant is in; absent: the main room. */
    breakout_room_id?: string;
    presence: Presence;
    /** When the connection was lost, while reconnecting. */
    disconnected_at?: Timestamp;
}
/** Room settings. */
export interface RoomSettings {
    locked: boolean;
    mute_on_entry: boolean;
    waiting_room_enabled: boolean;
    chat_enabled: boolean;
    screen_share_allowed: boolean;
    /** `mesh`: browsers connect to each other; `sfu`: each connects to the server, which forwards every track. */
    media_mode?: MediaMode;
    max_participants: number;
}
/** A partial settings update. */
export type RoomSettingsPatch = Partial<RoomSettings>;
/** A raised hand. */
export interface HandRaiseEntry {
    user_id: string;
    raised_at: Timestamp;
}
/** Someone waiting for admission, as moderators see it. */
export interface WaitingEntry {
    user_id: string;
    name: string;
    since: Timestamp;
}
/** A breakout room. */
export interface BreakoutRoom {
    id: string;
    name: string;
    created_at: Timestamp;
}
/** A live-stream session record. */
export interface LiveStream {
    stream_id: string;
    title?: string;
    platform?: string;
    started_by: string;
    started_at: Timestamp;
    stopped_at?: Timestamp;
    /** Where the server streams it (`rtmp://host/app`, never the key); absent for a record-only stream. */
    destination?: string;
    layout?: StreamLayout;
    quality?: RecordingQuality;
    /** Where a server stream is. */
    status?: StreamStatus;
    /** Why it is reconnecting or failed (`LIVE_STREAM_FAILED: …`). */
    error?: string;
    /** Where members play its HLS (this server's path), when it has one. */
    hls_url?: string;
}
/** The picture of a server stream: every video in a grid (up to nine), or the active speaker. */
export type StreamLayout = 'grid' | 'speaker';
/** Where a server stream is. */
export type StreamStatus = 'starting' | 'live' | 'reconnecting' | 'failed' | 'stopped';
/** `live-stream-start`: with `url` and `stream_key` the server streams the room (SFU rooms); without, a record only. */
export interface LiveStreamStart {
    title?: string;
    platform?: string;
    /** `rtmp://` or `rtmps://` URL without the key. */
    url?: string;
    /** A secret: the server never returns or logs it. */
    stream_key?: string;
    layout?: StreamLayout;
    quality?: RecordingQuality;
    /** Also (or only, without `url`) as HLS served by the server (SFU rooms). */
    hls?: boolean;
}
/** A chat message as delivered and stored (markup escaped by the server). */
export interface ChatRecord {
    id: string;
    room_id: string;
    from: string;
    from_name: string;
    /** Sanitized text: markup is escaped (`&lt;b&gt;`), so decode before showing as text. */
    message: string;
    /** Private recipient, if any. */
    to?: string;
    breakout_room_id?: string;
    /** The message this one replies to (its thread's first message). */
    reply_to?: string;
    /** Reactions kept on it: each emoji with who reacted, in order. */
    reactions?: Record<string, string[]>;
    /** When its author last changed its text, if they did. */
    edited_at?: Timestamp;
    timestamp: Timestamp;
}
/** Recording output containers. */
export type RecordingFormat = 'webm' | 'mp4' | 'mkv';
/** Recording quality presets. */
export type RecordingQuality = 'low' | 'medium' | 'high' | 'ultra';
/** Who makes a recording's media: the server (one composite; SFU rooms, their default) or each client (uploads; mesh rooms). */
export type RecordingSource = 'server' | 'client';
/** The life of a recording. */
export type RecordingState = 'pending' | 'recording' | 'paused' | 'processing' | 'completed' | 'failed' | 'cancelled';
/** Why processing failed (docs/errors.md, "Recording failures"). */
export type RecordingFailureCode = 'NO_MEDIA' | 'UNSUPPORTED_MEDIA_FORMAT' | 'MEDIA_PROCESSING_FAILED' | 'STORAGE_UNAVAILABLE';
/** ffprobe's figures of a processed file. */
export interface MediaInfo {
    format_name: string;
    duration_ms: number;
    size: number;
    video_codec?: string | null;
    audio_codec?: string | null;
    width?: number | null;
    height?: number | null;
}
/** One participant's processed file. */
export interface RecordingOutput {
    user_id: string;
    key: string;
    thumbnail_key: string;
    media: MediaInfo;
}
/** A recording as clients see it. */
export interface Recording {
    recording_id: string;
    room_id: string;
    started_by: string;
    format: RecordingFormat;
    quality: RecordingQuality;
    /** Who makes its media. */
    source: RecordingSource;
    /** The composite's layout, for a server recording. */
    layout?: StreamLayout;
    status: RecordingState;
    started_at: Timestamp;
    paused_at?: Timestamp | null;
    paused_secs: number;
    stopped_at?: Timestamp | null;
    failure?: string;
    failure_code?: RecordingFailureCode;
    outputs?: RecordingOutput[];
    /** Seconds recorded so far, pauses excluded. */
    duration: number;
}
/** Transfer modes. */
export type TransferMode = 'server' | 'peer_to_peer';
/** The life of a file transfer. */
export type TransferState = 'pending' | 'active' | 'paused' | 'completed' | 'rejected' | 'cancelled' | 'failed';
/** A file transfer record with its progress. */
export interface Transfer {
    transfer_id: string;
    room_id: string;
    sender: string;
    receiver: string;
    file_name: string;
    file_size: number;
    file_type?: string | null;
    /** Hex SHA-256 of the whole file. */
    sha256?: string | null;
    chunk_size: number;
    total_chunks: number;
    mode: TransferMode;
    state: TransferState;
    bytes_transferred: number;
    created_at: Timestamp;
    updated_at: Timestamp;
    expires_at: Timestamp;
    failure?: string | null;
    /**
     * What the whole file is checked against: `offered` (the offer's
     * `sha256`), `not_offered` (none given; every chunk is still checked), or
     * `computed` (none given; `sha256` is the stored file's, checked against
     * nothing).
     */
    file_checksum?: 'offered' | 'not_offered' | 'computed';
    /** Chunks stored (server mode). */
    received_chunks?: number;
    /** `received_chunks` under seed 000's name. */
    chunks_received?: number;
    /** `state` under seed 001's name. */
    status?: TransferState;
    bytes_done?: number;
    progress_percent?: number;
}
/** What the server sends on join and on resync. */
export interface RoomState {
    room_id: string;
    /** Our own user id. */
    you: string;
    participants: Participant[];
    settings: RoomSettings;
    hand_raise_queue: HandRaiseEntry[];
    breakout_rooms: BreakoutRoom[];
    live_streams: LiveStream[];
    /** Moderators only; empty for others. */
    waiting_room: WaitingEntry[];
    /** The room's newest sequence number (resume from it). */
    last_sequence: number;
    /** Application data set through the admin API, absent when empty. */
    metadata?: string;
    /** Our unread chat, in the `room-state` sent on joining. */
    chat_unread?: ChatUnread;
}
/** How far one user has read a room's chat. */
export interface ReadReceipt {
    user_id: string;
    /** The newest message they have read. */
    message_id: string;
    /** When that message was sent. */
    message_at: Timestamp;
    read_at: Timestamp;
}
/** Our unread chat in a room. */
export interface ChatUnread {
    /** Messages we could see, sent by others after our read mark (all of them without one). */
    count: number;
    /** More than `count`: the server counts over a bounded read of the history. */
    more: boolean;
    last_read?: ReadReceipt;
}
/** An ICE candidate as `RTCIceCandidate.toJSON()` gives it. */
export interface IceCandidateInit {
    candidate: string;
    sdpMid?: string | null;
    sdpMLineIndex?: number | null;
    usernameFragment?: string | null;
}
/** Messages a client sends. */
export type ClientMessage = {
    type: 'offer';
    target: string;
    sdp: string;
} | {
    type: 'answer';
    target: string;
    sdp: string;
} | {
    type: 'ice-candidate';
    target: string;
    candidate: IceCandidateInit;
} | {
    type: 'media-control';
    kind: MediaKind;
    muted: boolean;
    target?: string;
} | {
    type: 'screen-share-control';
    action: 'start' | 'stop';
    target?: string;
} | {
    type: 'chat-message';
    message: string;
    to?: string;
    reply_to?: string;
} | {
    type: 'chat-edit';
    message_id: string;
    message: string;
} | {
    type: 'chat-delete';
    message_id: string;
} | {
    type: 'reaction';
    emoji: string;
    message_id?: string;
    active?: boolean;
} | {
    type: 'hand-raise';
    raised: boolean;
    target?: string;
} | ({
    type: 'participant-update';
} & ParticipantUpdate) | ({
    type: 'network-stats';
} & NetworkStats) | ({
    type: 'room-settings-update';
} & RoomSettingsPatch) | {
    type: 'waiting-room-admit';
    user_id: string;
} | {
    type: 'waiting-room-reject';
    user_id: string;
} | {
    type: 'breakout-room-create';
    name: string;
} | {
    type: 'breakout-room-assign';
    breakout_room_id: string | null;
    user_id: string;
} | {
    type: 'breakout-room-close';
    breakout_room_id: string;
} | {
    type: 'virtual-background-update';
    background: VirtualBackground;
} | ({
    type: 'live-stream-start';
} & LiveStreamStart) | {
    type: 'live-stream-stop';
    stream_id: string;
} | {
    type: 'e2ee-key-exchange';
    target: string;
    key_id: number;
    public_key: string;
    signature?: string;
    algorithm?: string;
} | {
    type: 'e2ee-ratchet-update';
    target?: string;
    key_id: number;
    generation: number;
    encrypted_key: string;
} | {
    type: 'analytics-event';
    event_type: string;
    data?: Record<string, unknown>;
} | {
    type: FileShareType;
    target: string;
    transfer_id: string;
    bytes_transferred?: number;
} | {
    type: 'recording-control';
    action: 'start' | 'stop' | 'pause' | 'resume' | 'cancel' | 'status';
    recording_id?: string;
    format?: RecordingFormat;
    quality?: RecordingQuality;
} | {
    type: 'ping';
    ts?: unknown;
} | {
    type: 'media-offer';
    sdp: string;
    sources?: Record<string, MediaSource>;
} | {
    type: 'media-answer';
    sdp: string;
} | {
    type: 'subscription-update';
    tracks: {
        mid: string;
        width?: number;
        height?: number;
        paused?: boolean;
    }[];
} | {
    type: 'typing';
    active: boolean;
    to?: string;
} | {
    type: 'chat-read';
    message_id: string;
};
/** The peer-to-peer file signaling types (also sent by the server for server transfers). */
export type FileShareType = 'file-share-offer' | 'file-share-accept' | 'file-share-reject' | 'file-share-progress' | 'file-share-complete';
/** A participant's own info (`participant-update`, `POST …/participants/{self}/info`). */
export interface ParticipantUpdate {
    display_name?: string;
    device_info?: DeviceInfo;
    video_quality?: string;
    network_stats?: NetworkStats;
}
/** Why someone left. */
export type LeaveReason = 'left' | 'disconnected' | 'kicked' | 'banned' | 'moved_to_waiting_room' | 'room_closed';
/** Fields of every room event: a per-room sequence number (absent on replies to one connection). */
export interface Sequenced {
    seq?: number;
}
/** An `error` message caused by something this connection sent. */
export interface ErrorMessage {
    type: 'error';
    /** A stable code of docs/errors.md. */
    code: string;
    message: string;
    hint?: string;
    retry_after?: number | null;
    /** The type of the message that caused it. */
    in_reply_to?: string | null;
}
/** A server `file-share-*` message: relayed peer-to-peer signaling, or a server transfer's notice with `transfer`. */
export interface FileShareMessage extends Sequenced {
    type: FileShareType;
    from: string;
    transfer_id: string;
    bytes_transferred?: number;
    /** The transfer record, for server-tracked transfers. */
    transfer?: Transfer;
}
/** The recording message types. */
export type RecordingMessageType = 'recording_started' | 'recording_stopped' | 'recording_paused' | 'recording_resumed' | 'recording_cancelled' | 'recording-status';
/** Messages the server sends. */
export type ServerMessage = {
    type: 'offer';
    from: string;
    sdp: string;
} | {
    type: 'answer';
    from: string;
    sdp: string;
} | {
    type: 'ice-candidate';
    from: string;
    candidate: IceCandidateInit;
} | ({
    type: 'room-state';
} & RoomState) | ErrorMessage | {
    type: 'pong';
    ts?: unknown;
    server_time: Timestamp;
} | {
    type: 'media-offer';
    sdp: string;
} | {
    type: 'media-answer';
    sdp: string;
} | {
    type: 'media-tracks';
    tracks: MediaTrack[];
} | {
    type: 'active-speakers';
    speakers: {
        user_id: string;
        level: number;
    }[];
    dominant: string | null;
} | {
    type: 'typing';
    user_id: string;
    active: boolean;
    private?: boolean;
} | {
    type: 'reconnection-detected';
    missed_message_count: number;
    last_sequence: number;
} | {
    type: 'resync-required';
    requested_sequence: number;
    last_sequence: number;
} | (Sequenced & {
    type: 'user-joined';
    participant: Participant;
}) | (Sequenced & {
    type: 'user-left';
    user_id: string;
    reason: LeaveReason;
}) | (Sequenced & {
    type: 'participant-reconnecting';
    user_id: string;
}) | (Sequenced & {
    type: 'media-control';
    user_id: string;
    kind: MediaKind;
    muted: boolean;
    by: string;
}) | (Sequenced & {
    type: 'screen-share-control';
    user_id: string;
    active: boolean;
    by: string;
}) | (Sequenced & {
    type: 'chat-message';
} & ChatRecord) | (Sequenced & {
    type: 'chat-updated';
} & ChatRecord) | (Sequenced & {
    type: 'chat-deleted';
    message_id: string;
    deleted_by: string;
}) | ({
    type: 'chat-read';
} & ReadReceipt) | (Sequenced & {
    type: 'chat-reaction';
    message_id: string;
    emoji: string;
    user_id: string;
    active: boolean;
}) | (Sequenced & {
    type: 'role-updated';
    user_id: string;
    role: Role;
    permissions: Permissions;
    by: string;
}) | (Sequenced & {
    type: 'permission-updated';
    user_id: string;
    permissions: Permissions;
    by: string;
}) | (Sequenced & {
    type: 'participant-update';
    participant: Participant;
}) | (Sequenced & {
    type: 'quality-update';
    user_id: string;
    quality: Quality;
    stats: NetworkStats;
}) | (Sequenced & {
    type: 'data-message';
    from: string;
    topic?: string;
    data: unknown;
}) | (Sequenced & {
    type: 'room-metadata-update';
    metadata: string;
    by: string;
}) | (Sequenced & {
    type: 'room-settings-update';
    settings: RoomSettings;
    by: string;
}) | (Sequenced & {
    type: 'hand-raise';
    user_id: string;
    raised: boolean;
    by: string;
}) | (Sequenced & {
    type: 'hand-raise-queue';
    queue: HandRaiseEntry[];
}) | (Sequenced & {
    type: 'waiting-room-join';
    user_id: string;
    name: string;
    position: number;
}) | (Sequenced & {
    type: 'waiting-room-admit';
    user_id: string;
    by: string;
}) | (Sequenced & {
    type: 'waiting-room-reject';
    user_id: string;
    by: string;
}) | (Sequenced & {
    type: 'reaction';
    from: string;
    emoji: string;
    timestamp: Timestamp;
}) | (Sequenced & {
    type: 'breakout-room-create';
    breakout_room: BreakoutRoom;
}) | (Sequenced & {
    type: 'breakout-room-assign';
    user_id: string;
    breakout_room_id: string | null;
}) | (Sequenced & {
    type: 'breakout-room-close';
    breakout_room_id: string;
    returned: string[];
}) | (Sequenced & {
    type: 'virtual-background-update';
    user_id: string;
    background: VirtualBackground;
}) | (Sequenced & {
    type: RecordingMessageType;
    recording: Recording;
}) | (Sequenced & {
    type: 'live-stream-start';
    stream: LiveStream;
}) | (Sequenced & {
    type: 'live-stream-stop';
    stream: LiveStream;
}) | (Sequenced & {
    type: 'live-stream-update';
    stream: LiveStream;
}) | (Sequenced & {
    type: 'e2ee-key-exchange';
    from: string;
    key_id: number;
    public_key: string;
    signature?: string;
    algorithm?: string;
}) | (Sequenced & {
    type: 'e2ee-ratchet-update';
    from: string;
    key_id: number;
    generation: number;
    encrypted_key: string;
}) | FileShareMessage;
/** The server message of type `T`. */
export type ServerMessageOf<T extends ServerMessage['type']> = Extract<ServerMessage, {
    type: T;
}>;

// ---------------------------------------------------------------- src/rest.ts

/** The server's error body: `{"error": {…}}`. */
export interface ErrorBody {
    error: {
        code: string;
        message: string;
        hint?: string;
        retry_after?: number | null;
    };
}
/** `POST /webrtc/dev/token`. */
export interface DevToken {
    token: string;
    /** The id the server picked (`guest-…`). */
    user_id: string;
    /** Seconds. */
    expires_in: number;
}
/** `GET /webrtc/config`. */
export interface ServerConfig {
    iceServers: RTCIceServer[];
    heartbeat_secs?: number;
    idle_timeout_secs?: number;
    limits?: {
        max_chat_chars?: number;
        max_message_bytes?: number;
        room_capacity?: number;
    };
}
/** `GET /rooms/{room}/participants`. */
export interface ParticipantList {
    room_id: string;
    count: number;
    participants: Participant[];
}
/** `GET|POST /rooms/{room}/roles/{user}`. */
export interface RoleAnswer {
    user_id: string;
    role: string;
}
/** `GET|POST /rooms/{room}/permissions/{user}`. */
export interface PermissionsAnswer {
    user_id: string;
    permissions: Permissions;
}
/** `GET /rooms/{room}/chat`: newest first. */
/** `GET …/chat/receipts`. */
export interface ReceiptList {
    /** Most recently read first: ours, and others' on messages we could see. */
    receipts: ReadReceipt[];
}
export interface ChatPage {
    messages: ChatRecord[];
    /** Pass as `before` for the next (older) page; null at the end. */
    next_cursor: string | null;
}
/** `GET /rooms/{room}/hand-raise/queue` and the hand-raise calls. */
export interface HandRaiseQueue {
    queue: HandRaiseEntry[];
}
/** `GET /rooms/{room}/waiting-room`. */
export interface WaitingList {
    waiting: WaitingEntry[];
}
/** The answer of the moderation calls that change a user (`admit`, `reject`, `return`, `kick`…). */
export interface StatusAnswer {
    status: string;
    user_id?: string;
}
/** `GET /rooms/{room}/breakout-rooms`. */
export interface BreakoutList {
    breakout_rooms: (BreakoutRoom & {
        participants: string[];
    })[];
}
/** `GET /rooms/{room}/recordings`. */
export interface RecordingList {
    room_id: string;
    count: number;
    recordings: Recording[];
}
/** `PUT /rooms/{room}/recordings/{id}/chunks/{seq}`. */
export interface RecordingChunkAck {
    recording_id: string;
    /** The uploader. */
    user_id: string;
    sequence: number;
    /** True when the same bytes were already stored under this sequence. */
    duplicate: boolean;
}
/** `GET /rooms/{room}/recordings/{id}/upload-status`. */
export interface RecordingUploadStatus {
    status: string;
    participants: Record<string, {
        chunks: number;
        bytes: number;
        sequences: number[];
    }>;
    outputs?: unknown[];
}
/** `GET /rooms/{room}/recordings/{id}/link`. */
export interface RecordingLink {
    /** Usable without a token until it expires. */
    url: string;
    expires_in: number;
}
/** `POST /rooms/{room}/file-transfer/offer` body. */
export interface FileOffer {
    receiver: string;
    file_name: string;
    file_size: number;
    file_type?: string;
    /**
     * Hex SHA-256 of the whole file. Without it every chunk is still checked
     * against its own, and the transfer's `file_checksum` says the file was not.
     */
    sha256?: string;
    chunk_size?: number;
    mode?: 'server' | 'peer_to_peer';
}
/** `PUT /rooms/{room}/file-transfer/{id}/chunks/{index}`. */
export interface ChunkAck {
    index: number;
    duplicate: boolean;
    received_chunks: number;
    total_chunks: number;
    state: TransferState;
}
/** `GET /rooms/{room}/file-transfer/{id}/missing`. */
export interface MissingChunks {
    transfer_id: string;
    missing: number[];
    total_chunks: number;
    chunk_size: number;
}
/** `GET /rooms/{room}/reconnect`: where we stand, and with `last_sequence` what we missed. */
export interface ReconnectionState {
    room_id: string;
    user_id: string;
    presence: Presence;
    quality: Quality | null;
    network_stats: NetworkStats | null;
    last_sequence: number;
    resync_required?: boolean;
    missed_message_count?: number;
    events?: ServerMessage[];
    /** `events` under seed 000's name. */
    missed_messages?: ServerMessage[];
    state?: RoomState;
}
/** `POST /rooms/{room}/quality`. */
export interface QualityAnswer {
    user_id: string;
    quality: Quality;
    stats: NetworkStats;
}
/**
 * `GET /rate-limits/{type}/status`. `signaling` and `websocket_message` are
 * counted per WebSocket connection (`scope: "connection"`), where REST cannot
 * see them: their `used`, `remaining` and `reset_in_secs` are null.
 */
export interface RateLimitStatus {
    limit_type: string;
    scope: 'user' | 'connection';
    limit: number;
    window_secs: number;
    used: number | null;
    remaining: number | null;
    reset_in_secs: number | null;
}

// ---------------------------------------------------------------- src/events.ts

/** Where the connection stands. */
export type ConnectionStatus = 'idle' | 'connecting' | 'connected' | 'waiting' | 'reconnecting' | 'closed';
/** `connection` event: a change of {@link ConnectionStatus}. */
export interface ConnectionDetail {
    status: ConnectionStatus;
    /** `connected` after a replay: the missed events follow. */
    resumed?: boolean;
    /** How many events were replayed. */
    missed?: number;
    /** `connected` after a full state replaced ours. */
    resynced?: boolean;
    /** `reconnecting`: the attempt number and the delay before it. */
    attempt?: number;
    delay_ms?: number;
    /** The WebSocket close code that caused it. */
    code?: number;
    reason?: string;
    /** `waiting`: our place in the waiting room. */
    position?: number;
}
/** `remote-stream`: a track of another participant arrived. */
export interface RemoteStreamDetail {
    userId: string;
    stream: MediaStream;
    track: MediaStreamTrack;
    /** The sender announced this stream as a screen share. */
    screen: boolean;
}
/** `file-offer`: someone offers us a file; answer with `acceptFile` or `rejectFile`. */
export interface FileOfferDetail {
    mode: 'server' | 'p2p';
    from: string;
    transferId: string;
    transfer: Pick<Transfer, 'transfer_id' | 'file_name' | 'file_size' | 'sender'> & Partial<Transfer>;
}
/** `file-progress`: bytes sent or received so far. */
export interface FileProgressDetail {
    transferId: string;
    mode: 'server' | 'p2p';
    direction: 'send' | 'receive';
    to?: string;
    from?: string;
    sent?: number;
    received?: number;
    size: number;
    /** A server transfer waits for the receiver's accept. */
    waiting?: boolean;
}
/** `file-received`: an accepted file arrived (and was hashed). */
export interface FileReceivedDetail {
    mode: 'server' | 'p2p';
    from: string;
    transferId: string;
    name: string;
    blob: Blob;
    /** Hex SHA-256 of the bytes received. */
    sha256: string;
    /** Whether `sha256` equals the sender's. */
    verified: boolean;
}
/** The events of `RtcClient`, by name: `client.on(name, (detail) => …)`. */
export interface RtcClientEventMap {
    connection: ConnectionDetail;
    state: RoomState;
    'participant-joined': {
        participant: Participant;
    };
    'participant-left': ServerMessageOf<'user-left'>;
    'participant-reconnecting': ServerMessageOf<'participant-reconnecting'>;
    'remote-stream': RemoteStreamDetail;
    'peer-state': {
        userId: string;
        state: RTCPeerConnectionState;
    };
    /** Someone started or stopped typing (to us alone when `private`). */
    typing: ServerMessageOf<'typing'>;
    /** SFU rooms: who speaks, loudest first, and the dominant speaker (when it changes). */
    'active-speakers': ServerMessageOf<'active-speakers'>;
    'peer-channel': {
        userId: string;
        state: 'open';
    };
    'peer-closed': {
        userId: string;
    };
    'peer-error': {
        userId: string;
        error: string;
    };
    /** Offers, answers and candidates, when the client makes no peer connections itself (`peerConnections: false`). */
    signal: ServerMessageOf<'offer'> | ServerMessageOf<'answer'> | ServerMessageOf<'ice-candidate'>;
    chat: ServerMessageOf<'chat-message'>;
    /** A chat message's author changed its text. */
    'chat-updated': ServerMessageOf<'chat-updated'>;
    /** A chat message was deleted (by its author or a moderator). */
    'chat-deleted': ServerMessageOf<'chat-deleted'>;
    /** Someone (we, too, from another tab) read the chat up to a message we can see. */
    'chat-read': ServerMessageOf<'chat-read'>;
    /** Someone added (`active`) or took back a reaction on a chat message. */
    'chat-reaction': ServerMessageOf<'chat-reaction'>;
    reaction: ServerMessageOf<'reaction'>;
    'hand-raise': ServerMessageOf<'hand-raise'>;
    'hand-raise-queue': ServerMessageOf<'hand-raise-queue'>;
    'media-control': ServerMessageOf<'media-control'>;
    'screen-share-control': ServerMessageOf<'screen-share-control'>;
    'role-updated': ServerMessageOf<'role-updated'>;
    'permission-updated': ServerMessageOf<'permission-updated'>;
    'participant-update': ServerMessageOf<'participant-update'>;
    'quality-update': ServerMessageOf<'quality-update'>;
    'room-settings-update': ServerMessageOf<'room-settings-update'>;
    /** `waiting-room-join`: we wait (our own id), or (moderators) someone knocks. */
    waiting: ServerMessageOf<'waiting-room-join'>;
    'waiting-room-admit': ServerMessageOf<'waiting-room-admit'>;
    'waiting-room-reject': ServerMessageOf<'waiting-room-reject'>;
    'data-message': ServerMessageOf<'data-message'>;
    'room-metadata-update': ServerMessageOf<'room-metadata-update'>;
    'breakout-room-create': ServerMessageOf<'breakout-room-create'>;
    'breakout-room-assign': ServerMessageOf<'breakout-room-assign'>;
    'breakout-room-close': ServerMessageOf<'breakout-room-close'>;
    'virtual-background-update': ServerMessageOf<'virtual-background-update'>;
    'live-stream-start': ServerMessageOf<'live-stream-start'>;
    'live-stream-stop': ServerMessageOf<'live-stream-stop'>;
    /** A server stream's status changed (`stream.status`: live, reconnecting, failed, stopped). */
    'live-stream-update': ServerMessageOf<'live-stream-update'>;
    'e2ee-key-exchange': ServerMessageOf<'e2ee-key-exchange'>;
    'e2ee-ratchet-update': ServerMessageOf<'e2ee-ratchet-update'>;
    pong: ServerMessageOf<'pong'>;
    'file-offer': FileOfferDetail;
    'file-progress': FileProgressDetail;
    'file-received': FileReceivedDetail;
    'file-failed': {
        transferId: string;
        error: string;
    };
    /** Server `file-share-*` notices (accept, reject, progress, complete). */
    'file-transfer': FileShareMessage;
    /** `recording_*` and `recording-status` messages. */
    recording: ServerMessageOf<RecordingMessageType>;
    /** One of our MediaRecorder chunks was uploaded. */
    'recording-upload': {
        recordingId: string;
        sequence: number;
        bytes: number;
    };
    /** An `error` message (`code`, `message`, `in_reply_to`). */
    'server-error': ErrorMessage;
    /** Every server message, before it is handled. */
    message: ServerMessage;
}
/** A listener of event `K`, given the event's `detail`. */
export type RtcListener<K extends keyof RtcClientEventMap> = (detail: RtcClientEventMap[K]) => void;

// ---------------------------------------------------------------- src/stats.ts

/** Packet counters of one inbound RTP stream at the previous sample, by stats id. */
export type LossCounters = Map<string, {
    lost: number;
    received: number;
}>;
/**
 * Network figures over all our peer connections: the worst round-trip time
 * and jitter, the packet loss since the previous sample (`previous` is
 * updated in place), and the smallest available outgoing bandwidth.
 * Returns null when no connection has a selected candidate pair yet.
 */
export declare function networkStatsFrom(reports: Iterable<RTCStatsReport>, previous?: LossCounters): NetworkStats | null;

// ---------------------------------------------------------------- src/richtext.ts

/** One piece of a message's rich text. */
export type RichSegment = {
    kind: 'text';
    text: string;
} | {
    kind: 'bold';
    children: RichSegment[];
} | {
    kind: 'italic';
    children: RichSegment[];
} | {
    kind: 'code';
    text: string;
} | {
    kind: 'link';
    href: string;
    text: string;
};
/** `url` as a link target, if it is absolute with a safe scheme. */
export declare function safeHref(url: string): string | null;
/** Parses `text` into segments (see the module comment for the subset). */
export declare function parseRichText(text: string): RichSegment[];
/**
 * Renders `text` as DOM nodes of `doc`: text nodes, `<strong>`, `<em>`,
 * `<code>` and `<a>` (opening in a new tab, without a referrer).
 */
export declare function renderRichText(text: string, doc?: Document): DocumentFragment;

// ---------------------------------------------------------------- src/rest-client.ts

/** Options of {@link RoomRestClient.api}. */
export interface ApiOptions {
    /** Resolve with the `Response` itself (downloads). */
    raw?: boolean;
    /** Extra request headers. */
    headers?: Record<string, string>;
}
/** What a REST call may carry: JSON, or raw bytes. */
export type ApiBody = Blob | ArrayBuffer | ArrayBufferView | object | undefined;
/** Options shared by {@link RoomRestClient} and `RtcClient`. */
export interface RoomClientOptions {
    /** The room id. */
    room: string;
    /** A JWT (docs/protocol.md); or give `getToken`. */
    token?: string;
    /** Called before every (re)connect, so reconnects after hours still authenticate. */
    getToken?: () => string | Promise<string>;
    /** The server's origin; default `location.origin` in a browser (required elsewhere). */
    baseUrl?: string | URL;
}
/** The REST API of one room, with the caller's token. Every method rejects with {@link RtcError}. */
export declare class RoomRestClient extends EventTarget {
    /** The room id. */
    readonly room: string;
    /** The server's origin. */
    readonly baseUrl: string;
    /** The current token (refreshed by `getToken` before each connect). */
    token: string | null;
    /** The token source given in the options. */
    protected readonly getToken: (() => string | Promise<string>) | null;
    constructor(opts: RoomClientOptions);
    /** `/webrtc/rooms/{room}` plus `path`. */
    protected roomPath(path?: string): string;
    /**
     * Any REST call with the token: JSON bodies are serialized, bytes sent
     * as they are. Resolves with the parsed answer (null for 204); rejects
     * with `RtcError{status, code}`.
     */
    api<T = unknown>(method: string, path: string, body?: ApiBody, opts?: ApiOptions): Promise<T>;
    /** `GET /webrtc/config`: ICE servers (TURN credentials with a token) and limits. */
    config(): Promise<ServerConfig>;
    /** `GET /webrtc/rate-limits/{type}/status` for the caller. */
    rateLimit(limitType: string): Promise<RateLimitStatus>;
    /** The room as we see it (`GET …/state`). */
    roomState(): Promise<RoomState>;
    /** `GET …/participants`. */
    participants(): Promise<ParticipantList>;
    /** Updates our own display name, device info… (`POST …/participants/{self}/info`). */
    updateInfo(userId: string, info: ParticipantUpdate): Promise<StatusAnswer>;
    /** One page of chat history, newest first; pass `next_cursor` as `before` for older messages, `thread` for one message and its replies. */
    chatHistory({ limit, before, thread }?: {
        limit?: number;
        before?: string | null;
        thread?: string;
    }): Promise<ChatPage>;
    /** Messages containing `q` (ignoring case) that we could have received, newest first; pass `next_cursor` as `before` for older ones. */
    searchChat(q: string, { limit, before }?: {
        limit?: number;
        before?: string | null;
    }): Promise<ChatPage>;
    /** Our unread chat: messages we could see, sent by others after our read mark. */
    chatUnread(): Promise<ChatUnread>;
    /** Read marks we may see (ours, and others' on messages we could see), most recently read first. */
    chatReceipts({ limit }?: {
        limit?: number;
    }): Promise<ReceiptList>;
    /** Every chat message we may read, newest first, fetched page by page as the loop asks. */
    chatHistoryAll({ pageSize }?: {
        pageSize?: number;
    }): AsyncGenerator<ChatRecord>;
    /**
     * `GET …/reconnect`: our presence, quality and the newest sequence; with
     * `lastSequence`, also the events we missed since (or `resync_required`).
     */
    reconnectionState(lastSequence?: number): Promise<ReconnectionState>;
    /** Reports network figures over REST (`POST …/quality`); the WebSocket way is `sendNetworkStats`. */
    reportQuality(stats: NetworkStats): Promise<QualityAnswer>;
    /** Raises or lowers a hand (`user` someone else's: moderators lowering). */
    setHandRaised(raised: boolean, user?: string): Promise<HandRaiseQueue>;
    /** `GET …/hand-raise/queue`. */
    handRaiseQueue(): Promise<HandRaiseQueue>;
    /** Removes a participant (moderators); `ban` keeps them out of the room. */
    kick(userId: string, { ban }?: {
        ban?: boolean;
    }): Promise<StatusAnswer>;
    /** `GET …/roles/{user}`. */
    getRole(userId: string): Promise<RoleAnswer>;
    /** Sets a role (hosts grant moderation; moderators set participant or viewer). */
    setRole(userId: string, role: Role): Promise<RoleAnswer>;
    /** `GET …/permissions/{user}`. */
    getPermissions(userId: string): Promise<PermissionsAnswer>;
    /** Changes some permissions of a participant (moderators). */
    setPermissions(userId: string, patch: Partial<Permissions>): Promise<PermissionsAnswer>;
    /** `GET …/settings`. */
    getSettings(): Promise<RoomSettings>;
    /** Changes some room settings (moderators); everyone gets `room-settings-update`. */
    updateSettings(patch: RoomSettingsPatch): Promise<RoomSettings>;
    /** Mutes everyone's microphone (moderators). */
    muteAll(): Promise<StatusAnswer>;
    /** Lowers every raised hand (moderators). */
    lowerAllHands(): Promise<HandRaiseQueue>;
    /** Who waits for admission (moderators). */
    waitingRoom(): Promise<WaitingList>;
    /** Lets a waiting user in (moderators). */
    admit(userId: string): Promise<StatusAnswer>;
    /** Turns a waiting user away (moderators): they get close 4403. */
    rejectWaiting(userId: string): Promise<StatusAnswer>;
    /** Sends a participant back to the waiting room (moderators). */
    returnToWaitingRoom(userId: string): Promise<StatusAnswer>;
    /** Lets everyone waiting in (moderators). */
    admitAll(): Promise<StatusAnswer>;
    /** Creates a breakout room (moderators). */
    createBreakoutRoom(name: string): Promise<BreakoutRoom>;
    /** Breakout rooms with their members. */
    breakoutRooms(): Promise<BreakoutList>;
    /** Moves a user into a breakout room, or back to the main room with `null` (moderators). */
    assignBreakoutRoom(userId: string, breakoutRoomId: string | null): Promise<StatusAnswer>;
    /** Closes a breakout room; its members return (moderators). */
    closeBreakoutRoom(breakoutRoomId: string): Promise<StatusAnswer>;
    /** Starts a live stream (moderators): with `url` and `stream_key`, the server pushes the room to RTMP, with `hls: true` it serves it as HLS (`hls_url`, `liveStreamHlsLink`; SFU rooms); with neither, a record only. */
    startLiveStream(body?: LiveStreamStart): Promise<LiveStream>;
    /** An expiring playlist URL of a stream's HLS that any player can open (it needs no token). */
    liveStreamHlsLink(streamId: string, { expiresIn }?: {
        expiresIn?: number;
    }): Promise<{
        url: string;
        expires_in: number;
    }>;
    /** Stops a live stream (moderators). */
    stopLiveStream(streamId: string): Promise<LiveStream>;
    /**
     * Starts a recording of the room (`can_record`). In an SFU room the server
     * records it by default (`source: 'server'`: one composite in `layout`,
     * MP4 unless `format` says otherwise; nothing to upload); a client
     * recording (`source: 'client'`, the only kind in mesh rooms) takes its
     * media through `uploadRecordingChunk`.
     */
    createRecording({ format, quality, source, layout, }?: {
        format?: RecordingFormat;
        quality?: RecordingQuality;
        source?: RecordingSource;
        layout?: StreamLayout;
    }): Promise<Recording>;
    private recordingPath;
    /** Stops a recording; the server then processes it (`processing`, later `completed` or `failed`). */
    stopRecording(id: string): Promise<Recording>;
    /** Pauses a recording: chunks are refused until `resumeRecording`. */
    pauseRecording(id: string): Promise<Recording>;
    /** Resumes a paused recording. */
    resumeRecording(id: string): Promise<Recording>;
    /** Cancels a recording and discards its chunks. */
    cancelRecording(id: string): Promise<Recording>;
    /** One recording, with `outputs` once completed and `failure_code` if failed. */
    recordingStatus(id: string): Promise<Recording>;
    /** The room's recordings. */
    recordings(): Promise<RecordingList>;
    /** Uploads one MediaRecorder chunk under `sequence` (any order; a repeat with the same bytes is a duplicate). */
    uploadRecordingChunk(id: string, sequence: number, data: Blob | ArrayBuffer | ArrayBufferView): Promise<RecordingChunkAck>;
    /** What each participant uploaded to a recording. */
    recordingUploadStatus(id: string): Promise<RecordingUploadStatus>;
    /** An expiring download URL of a processed recording (no token needed to use it). */
    recordingLink(id: string, { user, expiresIn }?: {
        user?: string;
        expiresIn?: number;
    }): Promise<RecordingLink>;
    /** Polls a recording until it is completed, failed or cancelled; resolves with it. */
    waitForRecording(id: string, { timeoutMs, intervalMs }?: {
        timeoutMs?: number;
        intervalMs?: number;
    }): Promise<Recording>;
    /** `…/file-transfer` plus `rest`. */
    protected transferPath(rest: string): string;
    /** Offers a file to `receiver` (`can_share_files`); the receiver gets `file-share-offer`. */
    offerFile(offer: FileOffer): Promise<Transfer>;
    /** Uploads chunk `index` of our transfer with its SHA-256 (after the receiver accepted). */
    uploadFileChunk(transferId: string, index: number, chunk: ArrayBuffer | ArrayBufferView, sha256: string): Promise<ChunkAck>;
    /** The chunks the server still lacks (to resume an interrupted upload). */
    missingChunks(transferId: string): Promise<MissingChunks>;
    /** A transfer with its progress. */
    transferProgress(transferId: string): Promise<Transfer>;
    /** Acts on a transfer: `accept`/`reject` (receiver), `pause`/`resume` (either party). */
    transferAction(transferId: string, action: 'accept' | 'reject' | 'pause' | 'resume'): Promise<Transfer>;
    /** Cancels a transfer; its stored chunks are deleted. */
    cancelTransfer(transferId: string): Promise<Transfer>;
    /** Downloads a completed transfer's bytes (receiver or sender). */
    downloadFile(transferId: string): Promise<Blob>;
    /** Our transfers (as sender or receiver) in any room, newest first. */
    fileTransfers(): Promise<{
        count: number;
        transfers: Transfer[];
    }>;
}

// ---------------------------------------------------------------- src/peer.ts

type PeerSignal = ServerMessageOf<'offer'> | ServerMessageOf<'answer'> | ServerMessageOf<'ice-candidate'>;
/** A peer-to-peer file offered to us, as its sender described it. */
interface IncomingFile {
    id: string;
    name: string;
    size: number;
    mime: string;
    sha256: string;
}
/**
 * One RTCPeerConnection to one other participant, negotiated with the
 * "perfect negotiation" pattern: both ends may offer; on a collision the
 * polite end (the smaller user id) yields. Signaling for this peer runs in
 * order on one queue, which first waits for our local media.
 */
export declare class Peer {
    /** The other participant. */
    readonly userId: string;
    /** The connection. */
    readonly pc: RTCPeerConnection;
    /** The data channel, once created or received. */
    dc: RTCDataChannel | null;
    /** Their streams by id (camera, screen…). */
    readonly streams: Map<string, MediaStream>;
    /** Ids of their streams that they announced as screen shares. */
    readonly screenStreamIds: Set<string>;
    /** Peer-to-peer transfers offered to us. */
    readonly incoming: Map<string, IncomingFile>;
    private readonly client;
    private readonly polite;
    private makingOffer;
    private ignoreOffer;
    private answerPending;
    private closed;
    private outgoing;
    private receiving;
    private screenSenders;
    private queue;
    private readonly channel;
    private channelResolve;
    constructor(client: RtcClient, userId: string, media: Promise<MediaStream | null>);
    /** Queues an offer, answer or candidate from this peer. */
    signal(msg: PeerSignal): void;
    private handle;
    /** Closes the connection; pending peer-to-peer sends fail. */
    close(): void;
    /** Adds our screen stream to this connection (after our camera), announcing it first. */
    addScreen(stream: MediaStream): void;
    private addScreenNow;
    /** Removes our screen tracks from this connection. */
    removeScreen(stream: MediaStream): void;
    /** Sends on the data channel when it is open; else once it opens. */
    private announce;
    private attachChannel;
    private channelOpen;
    /** Streams `file` over the data channel once the receiver accepts; resolves with the transfer id. */
    sendFile(file: Blob & {
        name?: string;
    }, sha256: string): Promise<string>;
    private sendJson;
    /** Accepts a peer-to-peer file offered to us: its bytes start flowing. */
    acceptFile(id: string): void;
    /** Declines a peer-to-peer file offered to us. */
    rejectFile(id: string): void;
    private onData;
}

// ---------------------------------------------------------------- src/sfu.ts

type SfuSignal = ServerMessageOf<'media-offer'> | ServerMessageOf<'media-answer'> | ServerMessageOf<'media-tracks'>;
/**
 * Our connection to the server's media plane. We offer our own tracks
 * first; the server answers, then offers whenever others' tracks come or
 * go. On a collision the server yields (it drops its offer and makes it
 * again after answering ours), so here a server offer that crosses ours is
 * ignored. Signaling runs in order on one queue, which first waits for our
 * local media.
 */
export declare class SfuLink {
    /** The connection. */
    readonly pc: RTCPeerConnection;
    /** What each of our receiving transceivers carries, by mid. */
    readonly tracks: Map<string, MediaTrack>;
    /** Remote streams by user id and source group (`camera` or `screen`). */
    readonly streams: Map<string, MediaStream>;
    private readonly client;
    private readonly screenTrackIds;
    private screenSenders;
    private makingOffer;
    private wantOffer;
    private closed;
    private queue;
    private answerTimer;
    private lostTimer;
    constructor(client: RtcClient, media: Promise<MediaStream | null>);
    /** Queues a `media-offer`, `media-answer` or `media-tracks` from the server. */
    signal(msg: SfuSignal): void;
    private run;
    private handle;
    /** Offers our current tracks (after anything queued). */
    private negotiate;
    /** Hands over to a fresh link (unless this one was closed meanwhile). */
    private restart;
    /** What each of our sending transceivers carries. */
    private sources;
    private onTrack;
    /** Forgets tracks whose transceivers the server stopped. */
    private dropStopped;
    /** User ids we receive tracks from. */
    users(): Set<string>;
    /** Our mids that carry `userId`'s tracks. */
    midsOf(userId: string): Set<string>;
    /** The connection's stats, with only `userId`'s inbound tracks among the `inbound-rtp` entries. */
    statsOf(userId: string): Promise<RTCStatsReport>;
    /** Adds our screen stream (the share was announced first). */
    addScreen(stream: MediaStream): void;
    private addScreenNow;
    /** Removes our screen tracks. */
    removeScreen(): void;
    /** Closes the connection. */
    close(): void;
}

// ---------------------------------------------------------------- src/client.ts

/** Options of {@link RtcClient}. */
export interface RtcClientOptions extends RoomClientOptions {
    /** Default: fetched from `GET /webrtc/config` (STUN, TURN credentials). */
    iceServers?: RTCIceServer[];
    /** Hold peer negotiation until `setLocalStream` is called (default true), so no offer is answered without our tracks. */
    waitForMedia?: boolean;
    /**
     * Make one RTCPeerConnection per participant (default: whenever the
     * runtime has `RTCPeerConnection`). Without them (Node, bots) offers,
     * answers and candidates arrive as `signal` events.
     */
    peerConnections?: boolean;
    /** Download accepted server files and emit `file-received` (default true). */
    autoDownload?: boolean;
    /** SFU rooms: send the camera in three simulcast layers (full, half, quarter size) so each receiver gets the size it shows (default true). */
    simulcast?: boolean;
}
/** What `connect()` resolves with. */
export type JoinResult = {
    waiting: false;
    state: RoomState;
} | {
    waiting: true;
    position: number;
};
/** A running MediaRecorder recording (see {@link RtcClient.startRecording}). */
export interface RecordingHandle {
    /** The recording id. */
    id: string;
    /** The recorder producing the chunks. */
    recorder: MediaRecorder;
    /** Uploads the last chunk, then stops the recording; resolves with it (`processing`). */
    stop(): Promise<Recording>;
}
/**
 * One participant's view of one room: the signaling WebSocket (with
 * reconnection and replay), a mesh of RTCPeerConnections, chat, hand
 * raise, files (through the server or peer to peer), recording, screen
 * sharing, quality reports and moderation. All REST calls of the room are
 * inherited from {@link RoomRestClient}.
 *
 * Events are `CustomEvent`s with the payload in `detail`
 * ({@link RtcClientEventMap}); `on(name, fn)` hands `fn` the detail.
 */
export declare class RtcClient extends RoomRestClient {
    /** ICE servers for the peer connections. */
    iceServers: RTCIceServer[] | null;
    /** Our user id, once joined (or waiting). */
    userId: string | null;
    /** The highest `seq` seen: reconnects resume after it. */
    lastSequence: number | null;
    /** The latest room state, kept current by events. */
    state: RoomState | null;
    /** Where the connection stands. */
    status: ConnectionStatus;
    /** Reconnection attempts since the last success. */
    attempt: number;
    /** Peer connections by user id (mesh rooms, and peer-to-peer files). */
    readonly peers: Map<string, Peer>;
    /** The connection to the server's media plane (SFU rooms). */
    sfu: SfuLink | null;
    /** SFU rooms: who speaks now, loudest first (`active-speakers`). */
    activeSpeakers: {
        user_id: string;
        level: number;
    }[];
    /** SFU rooms: the dominant speaker, if anyone speaks. */
    dominantSpeaker: string | null;
    /** SFU rooms: whether the camera goes out in simulcast layers. */
    readonly simulcast: boolean;
    /** Each participant's latest quality class (`quality-update`). */
    readonly quality: Map<string, Quality>;
    /** The stream we publish. */
    localStream: MediaStream | null;
    /** The screen we share, while sharing. */
    screenStream: MediaStream | null;
    private ws;
    private closedByUser;
    private readonly usePeers;
    private readonly autoDownload;
    private readonly acceptedFiles;
    private readonly completedFiles;
    private readonly acceptWaiters;
    private readonly acceptedOut;
    private mediaResolve;
    private readonly media;
    private joinWaiter;
    private lastError;
    private offlineMs;
    private resyncing;
    private statsTimer;
    private readonly lossCounters;
    constructor(opts: RtcClientOptions);
    /** Calls `fn` with the detail of every `type` event; returns a function that unsubscribes. */
    on<K extends keyof RtcClientEventMap>(type: K, fn: RtcListener<K>): () => void;
    /**
     * Resolves with the detail of the next `type` event that `match` accepts;
     * rejects with `TIMEOUT` after `timeoutMs` (default 10 s).
     */
    once<K extends keyof RtcClientEventMap>(type: K, match?: (detail: RtcClientEventMap[K]) => boolean, { timeoutMs }?: {
        timeoutMs?: number;
    }): Promise<RtcClientEventMap[K]>;
    /** Dispatches `type` with `detail` (used by the peer connections too). */
    emit<K extends keyof RtcClientEventMap>(type: K, detail: RtcClientEventMap[K]): void;
    /** Opens the WebSocket; resolves once joined (or placed in the waiting room), rejects with `RtcError` when refused. */
    connect(): Promise<JoinResult>;
    /** Resolves with the room state once we are in the room (at once if we are; after admission from the waiting room). */
    joined({ timeoutMs }?: {
        timeoutMs?: number;
    }): Promise<RoomState>;
    private open;
    private onClose;
    /** Leaves the room (a goodbye: others see `user-left` at once). */
    leave(): void;
    /**
     * Drops the WebSocket as a lost network would (close code 4000, not a
     * goodbye); the client reconnects after `offlineMs` (or its usual backoff)
     * and replays what it missed.
     */
    simulateDrop({ offlineMs }?: {
        offlineMs?: number;
    }): void;
    /** Sends one protocol message; false when the socket is not open. */
    send(msg: ClientMessage): boolean;
    /**
     * Sends `msg` and resolves with the first server message `match` accepts;
     * rejects with the server's `error` about it (`in_reply_to` its type) as
     * an `RtcError`, or `TIMEOUT`.
     */
    request<M extends ServerMessage>(msg: ClientMessage, match: (m: ServerMessage) => m is M, { timeoutMs }?: {
        timeoutMs?: number | undefined;
    }): Promise<M>;
    private setStatus;
    private onMessage;
    private onRoomState;
    /** How the room's media flows (`settings.media_mode`). */
    get mediaMode(): 'mesh' | 'sfu';
    /** Replaces a failed connection to the media server (called by the link itself). */
    restartSfu(failed: SfuLink): void;
    /** (Re)starts our media: one connection to the server in SFU rooms, else one per member. */
    private startMedia;
    private onUserJoinedState;
    private onUserJoined;
    private dropParticipant;
    private patchParticipant;
    private patchMedia;
    private applyRemoteMute;
    /** The participant record of `userId`, if in the room. */
    participant(userId: string): Participant | null;
    /**
     * Sets the stream to publish (or `null` to publish nothing). Until this is
     * called, offers and candidates from others are queued, not lost: they are
     * answered with our tracks in place.
     */
    setLocalStream(stream: MediaStream | null): void;
    /** Mutes or unmutes our own audio or video and tells the room. */
    setMuted(kind: MediaKind, muted: boolean): boolean;
    private peer;
    private replacePeer;
    private closePeer;
    /**
     * SFU rooms: asks the server for `userId`'s camera (or with `screen`,
     * screen) at most `width`×`height`: it forwards the smallest simulcast
     * layer that covers it (none given: the largest). `paused` stops the
     * track altogether (a hidden tile). False when we receive no such track.
     */
    setVideoSubscription(userId: string, { width, height, paused, screen }: {
        width?: number;
        height?: number;
        paused?: boolean;
        screen?: boolean;
    }): boolean;
    /** `RTCStatsReport` of the connection to `userId` (in SFU rooms: of the server connection, with only `userId`'s inbound tracks), or null. */
    stats(userId: string): Promise<RTCStatsReport | null>;
    /**
     * `userId`'s camera stream and screen-share stream, as far as they
     * arrived; the screen only while the room says they share it.
     */
    remoteStreams(userId: string): {
        camera: MediaStream | null;
        screen: MediaStream | null;
    };
    /**
     * Shares `stream` (from `getDisplayMedia`). Announces it first with
     * `screen-share-control start` and waits for the server's consent (it
     * refuses without `can_share_screen` or when the room disallows it: an
     * `RtcError` such as `SCREEN_SHARE_NOT_ALLOWED`), since the server checks
     * every offered video section against that announcement; then adds the
     * tracks to every peer connection. Ending the track stops the share.
     */
    shareScreen(stream: MediaStream): Promise<void>;
    /** Stops our screen share: the tracks leave every connection, then the room is told. */
    stopScreenShare(): Promise<void>;
    private dropScreen;
    /** Sends our network figures (`network-stats`); the server answers changes of class with `quality-update`. */
    sendNetworkStats(stats: NetworkStats): boolean;
    /** Network figures over our connected peer connections (`getStats()`), or null without one. */
    collectNetworkStats(): Promise<NetworkStats | null>;
    /** Every `intervalMs` (default 5 s), collects and sends our network figures. Returns a function that stops it. */
    startNetworkStats({ intervalMs }?: {
        intervalMs?: number;
    }): () => void;
    /** Stops the reports of `startNetworkStats`. */
    stopNetworkStats(): void;
    /** Sends a chat message to the room, or privately with `{ to }`; with `{ replyTo }`, as a reply to that message (its thread's first message). */
    sendChat(message: string, { to, replyTo }?: {
        to?: string;
        replyTo?: string;
    }): boolean;
    /** Changes the text of our message `messageId` (within the server's edit window). */
    editChat(messageId: string, message: string): boolean;
    /** Deletes message `messageId`: our own within the edit window, anyone's as a moderator. */
    deleteChat(messageId: string): boolean;
    /** Tells the room (or, with `to`, one user) that we are typing, or stopped. Never stored; send it at most every few seconds. */
    setTyping(active: boolean, { to }?: {
        to?: string;
    }): boolean;
    /** Raises or lowers our hand. */
    raiseHand(raised?: boolean): boolean;
    /** Sends a passing emoji reaction to the room. */
    react(emoji: string): boolean;
    /** Marks the chat read up to message `messageId` (a mark only moves forward). */
    markRead(messageId: string): boolean;
    /**
     * Adds (or, with `active: false`, takes back) a reaction kept on chat
     * message `messageId`; everyone who can see the message gets `chat-reaction`.
     */
    reactToMessage(messageId: string, emoji: string, active?: boolean): boolean;
    /** Mutes someone's microphone or camera (moderators; only they can unmute). */
    muteParticipant(userId: string, kind?: MediaKind): boolean;
    /** Stops someone's screen share (moderators). */
    stopScreenShareOf(userId: string): boolean;
    /** Lowers someone's hand (moderators). */
    lowerHand(userId: string): boolean;
    /**
     * Sends a file to `to`. `mode: 'server'` (default) offers it, waits for the
     * receiver to accept (the server refuses chunks before that), then uploads
     * each chunk with its SHA-256 so the server stores only verified chunks;
     * `mode: 'p2p'` streams it over the data channel of our peer connection.
     * Progress comes as `file-progress` events; resolves with the transfer id.
     */
    sendFile(file: Blob & {
        name?: string;
    }, { to, mode, chunkSize }: {
        to: string;
        mode?: 'server' | 'p2p';
        chunkSize?: number;
    }): Promise<string>;
    /** Uploads what the server still lacks of our transfer `transferId` (after an interruption). */
    resumeFileUpload(file: Blob, transferId: string): Promise<void>;
    private uploadChunks;
    /**
     * Resolves when the receiver accepted our server transfer `id`, rejects if
     * they declined or it ended. The `file-share-accept` message settles it; a
     * poll of the transfer every few seconds covers a message missed across a
     * reconnect.
     */
    private awaitAccept;
    /**
     * Accepts an incoming file offer. A peer-to-peer file then streams in; a
     * server file is downloaded and checked as soon as the sender's upload is
     * complete (which may already be the case), unless `autoDownload` is off
     * (then call `downloadFile`). Either way `file-received` follows, with
     * `verified` telling whether the SHA-256 matched the offer.
     */
    acceptFile(transferId: string): Promise<void>;
    /** Declines an incoming file offer. */
    rejectFile(transferId: string): Promise<void>;
    private receiveServerFile;
    /**
     * Starts a client recording of `stream` (default: our local stream) with
     * a `MediaRecorder` whose chunks are uploaded in order as they come (for
     * the server's composite of an SFU room, see `createRecording`).
     * Resolves with a handle whose `stop()` uploads the last chunk, then stops
     * the recording (the server refuses chunks after stop); the server then
     * transcodes it (`recording` events; `waitForRecording` polls until done).
     */
    startRecording({ stream, format, quality, timeslice, }?: {
        stream?: MediaStream | null;
        format?: RecordingFormat;
        quality?: RecordingQuality;
        timeslice?: number;
    }): Promise<RecordingHandle>;
}
