// rtc-client.d.ts: the client of the rtc-server signaling protocol and REST API
// (docs/client.md, reference in docs/client-api.md). Generated from clients/js/src
// by clients/js/scripts/build.mjs with TypeScript 5.9.3: edit the source, not this file.

// ---------------------------------------------------------------- src/api-types.ts

export interface components {
    schemas: {
        /** @description A room as the admin sees it (as a host who is not in it). */
        AdminRoom: {
            /** @description Banned user ids. */
            banned?: components["schemas"]["UserId"][] | null;
            /** Format: date-time */
            created_at?: string | null;
            room: components["schemas"]["RoomStateView"];
        };
        /** @description A room's analytics events. */
        AnalyticsList: {
            events: components["schemas"]["AnalyticsRecord"][];
            room_id: components["schemas"]["RoomId"];
        };
        /** @description An analytics event as recorded. */
        AnalyticsRecord: {
            /** @description Event data. */
            data: {
                [key: string]: unknown;
            };
            /** @description join, leave, quality, or a client-defined name. */
            event_type: string;
            /** @description Room. */
            room_id: string;
            /**
             * Format: date-time
             * @description When.
             */
            timestamp: string;
            /** @description User. */
            user_id: string;
        };
        /** @description Summary of a room's analytics. */
        AnalyticsSummary: {
            /**
             * Format: double
             * @description Mean session length over leaves, seconds.
             */
            average_session_seconds: number;
            /** @description Count per event type. */
            events_by_type: {
                [key: string]: number;
            };
            /**
             * Format: int64
             * @description Joins.
             */
            joins: number;
            /**
             * Format: int64
             * @description Leaves.
             */
            leaves: number;
            /**
             * Format: int64
             * @description Number of events.
             */
            total_events: number;
            /**
             * Format: int64
             * @description Distinct users seen.
             */
            unique_participants: number;
        };
        /**
         * @description Virtual background modes.
         * @enum {string}
         */
        BackgroundMode: "none" | "blur" | "image";
        /** Format: binary */
        Binary: string;
        BreakoutBody: {
            /**
             * @description It must keep a visible character once sanitized
             *     (`signaling_core::sanitize::VISIBLE_PATTERN`).
             */
            name: string;
        };
        /** @description The breakout rooms of a room. */
        BreakoutList: {
            breakout_rooms: components["schemas"]["BreakoutWithMembers"][];
        };
        /** @description A breakout room: a sub-group of the room; signaling and chat stay inside it. */
        BreakoutRoom: {
            /**
             * Format: date-time
             * @description When created.
             */
            created_at: string;
            /** @description Id, unique in the room. */
            id: string;
            /** @description Name. */
            name: string;
        };
        /** @description A breakout room and who is in it. */
        BreakoutWithMembers: components["schemas"]["BreakoutRoom"] & {
            /** @description Who is in it now. */
            participants: components["schemas"]["UserId"][];
        };
        /** @description A page of chat history. */
        ChatPage: {
            /** @description Messages, newest first. */
            messages: components["schemas"]["ChatRecord"][];
            /** @description Pass as `before` to get the next (older) page; null at the end. */
            next_cursor: string | null;
        };
        /** @description A chat message as delivered and stored. */
        ChatRecord: {
            /** @description Breakout group it was sent in, if any. */
            breakout_room_id?: string | null;
            /**
             * Format: date-time
             * @description When its author last changed its text, if they did.
             */
            edited_at?: string | null;
            /** @description Sender. */
            from: string;
            /** @description Sender's display name. */
            from_name: string;
            /** @description Unique id. */
            id: string;
            /** @description Sanitized text. */
            message: string;
            /** @description Reactions on it: each emoji with who reacted, in order. */
            reactions?: {
                [key: string]: string[];
            };
            /** @description The message this one replies to (its thread's first message). */
            reply_to?: string | null;
            /** @description The room. */
            room_id: string;
            /**
             * Format: date-time
             * @description When.
             */
            timestamp: string;
            /** @description Private recipient, if any. */
            to?: string | null;
        };
        /** @description A user's unread chat in a room. */
        ChatUnread: {
            /**
             * @description Messages they could see, sent by others after their read mark (all
             *     of them without one).
             */
            count: number;
            last_read?: null | components["schemas"]["ReadReceipt"];
            /**
             * @description Whether there are more than `count`: counting stops after a bounded
             *     read of the history.
             */
            more: boolean;
        };
        /** @description What an upload answer says. */
        ChunkAck: {
            /** @description It had arrived before; nothing was written. */
            duplicate: boolean;
            /**
             * Format: int64
             * @description The chunk.
             */
            index: number;
            /**
             * Format: int64
             * @description Chunks received so far.
             */
            received_chunks: number;
            /** @description The transfer's state after this chunk. */
            state: components["schemas"]["TransferState"];
            /**
             * Format: int64
             * @description Chunks in the file.
             */
            total_chunks: number;
        };
        /** @description A stored recording chunk. */
        ChunkStored: {
            /** @description The same sequence number had arrived before; nothing was stored. */
            duplicate: boolean;
            recording_id: string;
            /** Format: int64 */
            sequence: number;
            user_id: components["schemas"]["UserId"];
        };
        /** @description What a client needs before joining. */
        ClientConfig: {
            /** Format: int64 */
            heartbeat_secs: number;
            iceServers: components["schemas"]["IceServer"][];
            /** Format: int64 */
            idle_timeout_secs: number;
            limits: components["schemas"]["ClientLimits"];
        };
        /** @description Limits a client should respect. */
        ClientLimits: {
            max_chat_chars: number;
            max_message_bytes: number;
            /** Format: int32 */
            room_capacity: number;
        };
        /** @description A closed room. */
        Closed: {
            closed: boolean;
            /** @description How many participants were removed. */
            removed: number;
            room_id: components["schemas"]["RoomId"];
        };
        /** @description `POST /webrtc/admin/rooms` body. */
        CreateRoomReq: {
            metadata?: string | null;
            room_id: components["schemas"]["RoomId"];
            settings?: null | components["schemas"]["RoomSettingsPatch"];
        };
        /** @description `…/data` body. */
        DataReq: {
            /** @description Any JSON. */
            data: unknown;
            /** @description Only these participants; everyone when absent. */
            to?: components["schemas"]["UserId"][] | null;
            /** @description A label for the receivers. */
            topic?: string | null;
        };
        /** @description An event given up after its last attempt. */
        DeadLetterInfo: {
            /**
             * Format: int32
             * @description Failed attempts made.
             */
            attempts: number;
            /**
             * Format: int64
             * @description When it happened, unix ms.
             */
            created_at: number;
            /** @description Its payload. */
            data: Record<string, unknown>;
            /**
             * Format: int64
             * @description When it was given up, unix ms.
             */
            dead_at: number;
            /** @description Why the last one failed. */
            error: string;
            /** @description Its name. */
            event: string;
            /** @description The event's id (its `Webhook-Id`); the key of a replay. */
            id: string;
            room_id: string;
            /**
             * Format: int64
             * @description Its sequence number when it was given up.
             */
            seq: number;
        };
        /** @description An endpoint's dead letters. */
        DeadLetterList: {
            dead_letters: components["schemas"]["DeadLetterInfo"][];
            endpoint: string;
            /**
             * Format: int64
             * @description How many there are (the list holds at most `limit`).
             */
            total: number;
        };
        /** @description A development token. */
        DevToken: {
            /**
             * Format: int64
             * @description Seconds it lasts.
             */
            expires_in: number;
            token: string;
            /** @description The id the server picked. */
            user_id: string;
        };
        /** @description `POST /webrtc/dev/token` body. */
        DevTokenReq: {
            /** @description Display name. */
            name?: string | null;
            /** @description The room the token is for (required: it is valid only there). */
            room: components["schemas"]["RoomId"];
        };
        /** @description Device details a client reports. */
        DeviceInfo: {
            /** @description Browser name and version. */
            browser?: string | null;
            /** @description desktop, mobile, tablet... */
            device_type?: string | null;
            /** @description Operating system. */
            os?: string | null;
        };
        /** @description One endpoint and its delivery state. */
        EndpointInfo: {
            /**
             * Format: int64
             * @description Events given up after their last attempt, kept for a replay.
             */
            dead_letters: number;
            /**
             * Format: int64
             * @description Deliveries this instance made since it started.
             */
            delivered: number;
            /**
             * Format: int64
             * @description Events skipped by the per-room cap or discarded from a full
             *     dead-letter list.
             */
            dropped: number;
            /** @description The events it receives: names or prefixes ending in `*`. */
            events: string[];
            /**
             * Format: int64
             * @description Failed attempts this instance made since it started.
             */
            failed_attempts: number;
            /** @description `default` (`RTC_WEBHOOK_URL`) or its name in `RTC_WEBHOOK_ENDPOINTS`. */
            name: string;
            /**
             * Format: int64
             * @description Events waiting for delivery (all instances).
             */
            pending: number;
            /** @description Its URL, credentials masked. */
            url: string;
        };
        /** @description Every webhook endpoint. */
        EndpointList: {
            endpoints: components["schemas"]["EndpointInfo"][];
        };
        /**
         * @description Why processing failed, as a stable code a client can branch on
         *     (docs/errors.md, "Recording failures").
         * @enum {string}
         */
        FailureCode: "NO_MEDIA" | "UNSUPPORTED_MEDIA_FORMAT" | "MEDIA_PROCESSING_FAILED" | "STORAGE_UNAVAILABLE";
        /**
         * @description Whether the whole file of a transfer is verified.
         * @enum {string}
         */
        FileChecksum: "offered" | "not_offered" | "computed";
        /**
         * @description Container formats.
         * @enum {string}
         */
        Format: "webm" | "mp4" | "mkv";
        HandBody: {
            raised?: boolean;
            user_id?: null | components["schemas"]["UserId"];
        };
        /** @description Raised hands, oldest first. */
        HandQueue: {
            queue: components["schemas"]["HandRaiseEntry"][];
        };
        /** @description A raised hand. */
        HandRaiseEntry: {
            /**
             * Format: date-time
             * @description When.
             */
            raised_at: string;
            /** @description Whose. */
            user_id: components["schemas"]["UserId"];
        };
        /** @description Health of this instance. */
        Health: {
            checks: components["schemas"]["HealthChecks"];
            connections: number;
            /**
             * @description `healthy`, `degraded` (the shared store is unreachable) or
             *     `draining` (the instance is stopping: send clients elsewhere).
             */
            status: string;
            /** Format: int64 */
            uptime_seconds: number;
        };
        /** @description The checks behind `/webrtc/health`. */
        HealthChecks: {
            /** @description Chat messages waiting for the history store. */
            chat_outbox_pending: number;
            /** @description `ok` or `unavailable`. */
            room_store: string;
        };
        /** @description One ICE server, as `RTCIceServer` takes it. */
        IceServer: {
            /** @description TURN credential. */
            credential?: string | null;
            /**
             * Format: int64
             * @description Seconds the TURN credential lasts.
             */
            ttl?: number | null;
            urls: string[];
            /** @description TURN username (time-limited, bound to the caller). */
            username?: string | null;
        };
        JsonChunk: {
            /**
             * Format: byte
             * @description Base64 of at least one byte (or a data URL); `chunk` is seed 002's
             *     name for it.
             */
            data: string;
            /**
             * Format: int64
             * @description `0..=recording::pipeline::MAX_SEQUENCE`.
             */
            sequence: number;
        };
        KickBody: {
            ban?: boolean;
        };
        /**
         * @description The layout of a composite picture (a server recording or stream).
         * @enum {string}
         */
        Layout: "grid" | "speaker";
        /** @description An expiring URL. */
        LinkAnswer: {
            /**
             * Format: int64
             * @description Seconds it lasts.
             */
            expires_in: number;
            url: string;
        };
        /** @description A live-stream session record. */
        LiveStream: {
            /**
             * @description Where the server streams it (`rtmp://host/app`, never the key);
             *     absent for a stream the server only records as metadata.
             */
            destination?: string | null;
            /**
             * @description Why it is reconnecting or failed (the encoder's last words, without
             *     the destination).
             */
            error?: string | null;
            /**
             * @description Where members play its HLS output, when it has one (this server's
             *     path; `…/hls/link` gives an expiring one for any player).
             */
            hls_url?: string | null;
            layout?: null | components["schemas"]["Layout"];
            /** @description Platform label. */
            platform?: string | null;
            quality?: null | components["schemas"]["Quality"];
            /**
             * Format: date-time
             * @description When.
             */
            started_at: string;
            /** @description Who started it. */
            started_by: components["schemas"]["UserId"];
            status?: null | components["schemas"]["StreamStatus"];
            /**
             * Format: date-time
             * @description When it stopped, if it did.
             */
            stopped_at?: string | null;
            /** @description Id. */
            stream_id: string;
            /** @description Title. */
            title?: string | null;
        };
        /** @description `live-stream-start`. */
        LiveStreamStartReq: {
            /**
             * @description Also (or only, without `url`) as HLS, served by this server (SFU
             *     rooms).
             */
            hls?: boolean | null;
            layout?: null | components["schemas"]["Layout"];
            /** @description Target platform label, e.g. `youtube`. */
            platform?: string | null;
            quality?: null | components["schemas"]["Quality"];
            /**
             * @description The stream key, the last segment of the URL the server pushes to:
             *     a secret, never returned, logged or kept with the room.
             */
            stream_key?: string | null;
            /** @description Title. */
            title?: string | null;
            /**
             * @description RTMP(S) destination, `rtmp://host/app`: with it the server streams
             *     the room (SFU rooms); without, the stream is metadata only.
             */
            url?: string | null;
        };
        /** @description What a media file holds, as probed. */
        MediaInfo: {
            /** @description Audio codec, e.g. `opus`, `aac`. */
            audio_codec?: string | null;
            /**
             * Format: int64
             * @description Duration in milliseconds.
             */
            duration_ms: number;
            /** @description Container as ffprobe names it, e.g. `matroska,webm`. */
            format_name: string;
            /**
             * Format: int32
             * @description Frame height.
             */
            height?: number | null;
            /**
             * Format: int64
             * @description Size in bytes.
             */
            size: number;
            /** @description Video codec, e.g. `vp8`, `h264`. */
            video_codec?: string | null;
            /**
             * Format: int32
             * @description Frame width.
             */
            width?: number | null;
        };
        /**
         * @description Audio or video.
         * @enum {string}
         */
        MediaKind: "audio" | "video";
        /**
         * @description How a room's media flows.
         * @enum {string}
         */
        MediaMode: "mesh" | "sfu";
        /** @description What a participant is publishing. */
        MediaState: {
            /** @description Microphone muted. */
            audio_muted: boolean;
            /** @description Sharing the screen. */
            screen_sharing: boolean;
            /** @description Camera off. */
            video_muted: boolean;
        };
        /** @description A room's metadata. */
        MetadataAnswer: {
            metadata: string;
            room_id: components["schemas"]["RoomId"];
        };
        /** @description `…/metadata` body. */
        MetadataReq: {
            metadata: string;
        };
        /** @description A point-in-time copy of [`Metrics`]. */
        MetricsSnapshot: {
            /** @description Open WebSocket connections now. */
            connections: number;
            /**
             * Format: int64
             * @description WebSocket sessions accepted since start.
             */
            connections_opened: number;
            /** @description WebSocket `error` messages and error closes sent, by code. */
            errors_by_code: {
                [key: string]: number;
            };
            /**
             * Format: int64
             * @description Client text frames received.
             */
            frames_received: number;
            /**
             * Format: int64
             * @description Text frames sent to clients.
             */
            frames_sent: number;
            /**
             * Format: int64
             * @description Joins refused (full, locked, banned, ...).
             */
            joins_refused: number;
            /**
             * Format: int64
             * @description Connections closed because they could not keep up.
             */
            slow_consumer_closes: number;
        };
        /** @description The chunks of a transfer still to send. */
        Missing: {
            /** Format: int64 */
            chunk_size: number;
            /** @description Chunk indexes, ascending. */
            missing: number[];
            /** Format: int64 */
            total_chunks: number;
            transfer_id: string;
        };
        /** @description `…/mute` body. */
        MuteReq: {
            /** @description `audio` or `video`. */
            kind: components["schemas"]["MediaKind"];
        };
        /** @description A muted participant. */
        Muted: {
            kind: components["schemas"]["MediaKind"];
            muted: boolean;
            room_id: components["schemas"]["RoomId"];
            user_id: components["schemas"]["UserId"];
        };
        /** @description The caller's recordings. */
        MyRecordings: {
            count: number;
            recordings: components["schemas"]["RecordingView"][];
        };
        /** @description Network statistics a client reports. */
        NetworkStats: {
            /**
             * Format: double
             * @description Available bandwidth in kbit/s.
             */
            bandwidth_kbps?: number | null;
            /**
             * Format: double
             * @description Jitter in milliseconds.
             */
            jitter_ms?: number | null;
            /**
             * Format: double
             * @description Round-trip latency in milliseconds.
             */
            latency_ms?: number | null;
            /**
             * Format: double
             * @description Packet loss in percent (0-100).
             */
            packet_loss_percent?: number | null;
        };
        /** @description An offer's body. */
        OfferReq: {
            /**
             * Format: int64
             * @description Chunk size in bytes (default 64 KiB): at least 1024, at most the
             *     deployment's `RTC_TRANSFER_MAX_CHUNK_BYTES` (8 MiB by default).
             */
            chunk_size?: number | null;
            /**
             * @description File name (no path). `filename` is seed 001's name for it.
             *     [`FILE_NAME_PATTERN`].
             */
            file_name: string;
            /**
             * Format: int64
             * @description Size in bytes, at least 1, at most the deployment's limit (500 MiB
             *     by default; `413 FILE_TOO_LARGE` above it).
             */
            file_size: number;
            /** @description MIME type. */
            file_type?: string | null;
            mode?: null | components["schemas"]["TransferMode"];
            /** @description The receiver. */
            receiver: components["schemas"]["UserId"];
            /**
             * @description Hex SHA-256 of the whole file. Optional: without it every chunk is
             *     still checked against its own, and the transfer's `file_checksum`
             *     says the whole file was not.
             */
            sha256?: string | null;
        };
        /** @description The participants of a room. */
        ParticipantList: {
            count: number;
            participants: components["schemas"]["ParticipantView"][];
            room_id: components["schemas"]["RoomId"];
        };
        /** @description `participant-update` from a client (its own info). */
        ParticipantUpdateReq: {
            device_info?: null | components["schemas"]["DeviceInfo"];
            /**
             * @description New display name: it must keep a visible character once sanitized
             *     ([`crate::sanitize::VISIBLE_PATTERN`]).
             */
            display_name?: string | null;
            network_stats?: null | components["schemas"]["NetworkStats"];
            /** @description Sending video quality label, e.g. `720p`. */
            video_quality?: string | null;
        };
        /**
         * @description What clients see of a participant (WebSocket messages and REST): the
         *     participant without the server's internals (the id of the connection
         *     that speaks for them is for the engine and the hub only).
         */
        ParticipantView: {
            background?: null | components["schemas"]["VirtualBackground"];
            /** @description Breakout room the participant is in; `None` is the main room. */
            breakout_room_id?: string | null;
            device_info?: null | components["schemas"]["DeviceInfo"];
            /**
             * Format: date-time
             * @description When the connection was lost, while reconnecting.
             */
            disconnected_at?: string | null;
            /**
             * Format: date-time
             * @description When they joined.
             */
            joined_at: string;
            /** @description Media state. */
            media: components["schemas"]["MediaState"];
            /** @description Display name. */
            name: string;
            network_stats?: null | components["schemas"]["NetworkStats"];
            /** @description Effective permissions. */
            permissions: components["schemas"]["Permissions"];
            /** @description Connected or reconnecting. */
            presence: components["schemas"]["Presence"];
            /** @description Role. */
            role: components["schemas"]["Role"];
            /** @description The user. */
            user_id: components["schemas"]["UserId"];
            /** @description Sending video quality label. */
            video_quality?: string | null;
        };
        /**
         * @description What one participant may do in a room, independent of moderation powers
         *     (which come from the [`Role`]).
         */
        Permissions: {
            /** @description May send chat messages. */
            can_chat: boolean;
            /** @description May raise a hand. */
            can_raise_hand: boolean;
            /** @description May send reactions. */
            can_react: boolean;
            /** @description May start a recording. */
            can_record: boolean;
            /** @description May publish a microphone track. */
            can_share_audio: boolean;
            /** @description May offer files to others. */
            can_share_files: boolean;
            /** @description May share the screen. */
            can_share_screen: boolean;
            /** @description May publish a camera track. */
            can_share_video: boolean;
        };
        /** @description A participant's permissions. */
        PermissionsAnswer: {
            permissions: components["schemas"]["Permissions"];
            user_id: components["schemas"]["UserId"];
        };
        /** @description A partial permission update: only the fields present are changed. */
        PermissionsPatch: {
            /** @description See [`Permissions::can_chat`]. */
            can_chat?: boolean | null;
            /** @description See [`Permissions::can_raise_hand`]. */
            can_raise_hand?: boolean | null;
            /** @description See [`Permissions::can_react`]. */
            can_react?: boolean | null;
            /** @description See [`Permissions::can_record`]. */
            can_record?: boolean | null;
            /** @description See [`Permissions::can_share_audio`]. */
            can_share_audio?: boolean | null;
            /** @description See [`Permissions::can_share_files`]. */
            can_share_files?: boolean | null;
            /** @description See [`Permissions::can_share_screen`]. */
            can_share_screen?: boolean | null;
            /** @description See [`Permissions::can_share_video`]. */
            can_share_video?: boolean | null;
        };
        /**
         * @description Connection status of a participant.
         * @enum {string}
         */
        Presence: "connected" | "reconnecting";
        ProgressBody: {
            /** Format: int64 */
            bytes_transferred: number;
        };
        /**
         * @description Quality presets.
         * @enum {string}
         */
        Quality: "low" | "medium" | "high" | "ultra";
        /** @description A quality report's classification. */
        QualityAnswer: {
            quality: components["schemas"]["QualityClass"];
            stats: components["schemas"]["NetworkStats"];
            user_id: components["schemas"]["UserId"];
        };
        /**
         * @description The classes of `signaling_core::engine::classify_quality`, for the
         *     document.
         * @enum {string}
         */
        QualityClass: "excellent" | "good" | "poor" | "lost";
        /** @description The caller's use of one rate limit. */
        RateAnswer: {
            /** Format: int32 */
            limit: number;
            limit_type: string;
            /**
             * Format: int32
             * @description Null for `connection` scope.
             */
            remaining: number | null;
            /**
             * Format: int64
             * @description Null for `connection` scope.
             */
            reset_in_secs: number | null;
            /**
             * @description `user`: counted across instances; `connection`: by each WebSocket
             *     session, so `used`, `remaining` and `reset_in_secs` are null.
             */
            scope: components["schemas"]["RateScope"];
            /**
             * Format: int32
             * @description Null for `connection` scope.
             */
            used: number | null;
            /** Format: int64 */
            window_secs: number;
        };
        /**
         * @description Where a rate limit is counted, for the document.
         * @enum {string}
         */
        RateScope: "user" | "connection";
        /** @description How far one user has read a room's chat. */
        ReadReceipt: {
            /**
             * Format: date-time
             * @description When that message was sent.
             */
            message_at: string;
            /** @description The newest message they have read. */
            message_id: string;
            /**
             * Format: date-time
             * @description When they read it.
             */
            read_at: string;
            /** @description The reader. */
            user_id: string;
        };
        /** @description The body of `GET /rooms/{room}/chat/receipts`. */
        ReceiptsView: {
            /** @description Most recently read first. */
            receipts: components["schemas"]["ReadReceipt"][];
        };
        /** @description A returning client's state, and with `last_sequence` what it missed. */
        ReconnectAnswer: {
            /** @description The missed messages, oldest first, as sent over the WebSocket. */
            events?: Record<string, unknown>[] | null;
            /**
             * Format: int64
             * @description The room's newest sequence number.
             */
            last_sequence: number;
            /** @description How many messages were missed. */
            missed_message_count?: number | null;
            /** @description The missed messages, oldest first (seed 000's name for `events`). */
            missed_messages?: Record<string, unknown>[] | null;
            network_stats: null | components["schemas"]["NetworkStats"];
            presence: components["schemas"]["Presence"];
            quality: null | components["schemas"]["QualityClass"];
            /**
             * @description With `last_sequence`: whether the missed messages are gone, so
             *     `state` replaces them.
             */
            resync_required?: boolean | null;
            room_id: components["schemas"]["RoomId"];
            state?: null | components["schemas"]["RoomStateView"];
            user_id: components["schemas"]["UserId"];
        };
        /**
         * @description One recording: who started it where, its format, and its life so far.
         *     Times are RFC 3339 on the wire, like every other timestamp of the API.
         */
        Recording: {
            /** @description Why processing failed, for people. */
            failure?: string | null;
            failure_code?: null | components["schemas"]["FailureCode"];
            /** @description Container format of the final file. */
            format: components["schemas"]["Format"];
            layout?: null | components["schemas"]["Layout"];
            /** @description The playable files, one per participant who uploaded media. */
            outputs?: components["schemas"]["RecordingOutput"][];
            /**
             * Format: date-time
             * @description When it was last paused, while paused.
             */
            paused_at?: string | null;
            /**
             * Format: int64
             * @description Seconds spent paused before `paused_at`. Always sent.
             */
            paused_secs: number;
            /** @description Quality preset. */
            quality: components["schemas"]["Quality"];
            /** @description Globally unique id (a UUID). */
            recording_id: string;
            /** @description The room it records. */
            room_id: string;
            /**
             * @description Who makes its media (records from before this field are `client`).
             *     Always sent (the default is for reading old records).
             */
            source: components["schemas"]["Source"];
            /**
             * Format: date-time
             * @description When it started.
             */
            started_at: string;
            /** @description Who started it. */
            started_by: string;
            /** @description Where it is in its life. */
            status: components["schemas"]["RecordingStatus"];
            /**
             * Format: date-time
             * @description When it stopped or was cancelled.
             */
            stopped_at?: string | null;
        };
        /** @description One playable file of a recording. */
        RecordingOutput: {
            /** @description Blob key of the file. */
            key: string;
            /** @description What ffprobe says about the file. */
            media: components["schemas"]["MediaInfo"];
            /** @description Blob key of the thumbnail (JPEG). */
            thumbnail_key: string;
            /** @description Whose media it is. */
            user_id: string;
        };
        /** @description How to record; in the query or the body (whose fields win). */
        RecordingStartQuery: {
            format?: null | components["schemas"]["Format"];
            layout?: null | components["schemas"]["Layout"];
            quality?: null | components["schemas"]["Quality"];
            source?: null | components["schemas"]["Source"];
        };
        /**
         * @description Recording states (seed 004).
         * @enum {string}
         */
        RecordingStatus: "pending" | "recording" | "paused" | "processing" | "completed" | "failed" | "cancelled";
        /** @description A recording as clients see it: the record plus its running duration. */
        RecordingView: components["schemas"]["Recording"] & {
            /**
             * Format: int64
             * @description Seconds recorded so far, pauses excluded.
             */
            duration: number;
        };
        /** @description `…/remove` body. */
        RemoveReq: {
            /**
             * @description Also ban: the ban is part of the room's shared state, so no instance
             *     of the cluster admits the user again.
             */
            ban?: boolean;
        };
        /** @description A removed participant. */
        Removed: {
            banned: boolean;
            removed: boolean;
            room_id: components["schemas"]["RoomId"];
            user_id: components["schemas"]["UserId"];
        };
        /**
         * @description `POST /webrtc/admin/webhooks/replay` body: one of `from_seq` (needs
         *     `room_id`) or `since` (unix seconds; all rooms unless `room_id`), for
         *     one endpoint or (without `endpoint`) every one.
         */
        ReplayReq: {
            /** @description One endpoint by name; every endpoint without it. */
            endpoint?: string | null;
            /** Format: int64 */
            from_seq?: number | null;
            room_id?: null | components["schemas"]["RoomId"];
            /** Format: int64 */
            since?: number | null;
        };
        /** @description Webhook events queued again. */
        Replayed: {
            /** Format: int64 */
            replayed: number;
        };
        /** @description Which dead letters to send again; without `ids`, the oldest 1000. */
        RequeueReq: {
            ids?: string[] | null;
        };
        /** @description What a requeue did. */
        Requeued: {
            /** @description Asked-for ids that are not dead letters (any more). */
            missing: string[];
            /**
             * Format: int64
             * @description Dead letters still waiting after this call.
             */
            remaining: number;
            /**
             * Format: int64
             * @description Events queued again (each keeps its id and gets its room's next
             *     sequence number).
             */
            requeued: number;
        };
        /**
         * @description A participant's role in a room. Ordered from most to least privileged.
         * @enum {string}
         */
        Role: "host" | "moderator" | "participant" | "viewer";
        /** @description A participant's role. */
        RoleAnswer: {
            role: components["schemas"]["Role"];
            user_id: components["schemas"]["UserId"];
        };
        RoleBody: {
            role: components["schemas"]["Role"];
        };
        /** @description A room id: 1-128 characters of A-Z a-z 0-9 _ - . @ : +, no `..` */
        RoomId: string;
        /** @description Every room. */
        RoomList: {
            count: number;
            rooms: components["schemas"]["RoomSummary"][];
        };
        /** @description The recordings of a room. */
        RoomRecordings: {
            count: number;
            recordings: components["schemas"]["RecordingView"][];
            room_id: components["schemas"]["RoomId"];
        };
        /** @description One life of a room: from its creation until it was cleaned up. */
        RoomSession: {
            /**
             * Format: int64
             * @description Length in seconds, once ended.
             */
            duration_seconds?: number | null;
            /**
             * Format: date-time
             * @description When it ended, if it did.
             */
            ended_at?: string | null;
            /** @description Everyone who joined. */
            participants: string[];
            /** @description The room. */
            room_id: string;
            /**
             * Format: date-time
             * @description When it started.
             */
            started_at: string;
        };
        /** @description Room settings. */
        RoomSettings: {
            /** @description Chat is allowed. */
            chat_enabled: boolean;
            /** @description No new participants may join. */
            locked: boolean;
            /**
             * Format: int32
             * @description Capacity.
             */
            max_participants: number;
            /**
             * @description How media flows: between the browsers (`mesh`) or through the
             *     server's media plane (`sfu`). Records written before it existed
             *     read as mesh.
             */
            media_mode?: components["schemas"]["MediaMode"];
            /** @description New participants join with audio muted. */
            mute_on_entry: boolean;
            /** @description Screen sharing is allowed. */
            screen_share_allowed: boolean;
            /** @description Participants wait for admission. */
            waiting_room_enabled: boolean;
        };
        /** @description A partial settings update. */
        RoomSettingsPatch: {
            /** @description See [`RoomSettings::chat_enabled`]. */
            chat_enabled?: boolean | null;
            /** @description See [`RoomSettings::locked`]. */
            locked?: boolean | null;
            /**
             * Format: int32
             * @description See [`RoomSettings::max_participants`].
             */
            max_participants?: number | null;
            media_mode?: null | components["schemas"]["MediaMode"];
            /** @description See [`RoomSettings::mute_on_entry`]. */
            mute_on_entry?: boolean | null;
            /** @description See [`RoomSettings::screen_share_allowed`]. */
            screen_share_allowed?: boolean | null;
            /** @description See [`RoomSettings::waiting_room_enabled`]. */
            waiting_room_enabled?: boolean | null;
        };
        /** @description The full state of a room as one participant sees it. */
        RoomStateView: {
            /** @description Breakout rooms. */
            breakout_rooms: components["schemas"]["BreakoutRoom"][];
            chat_unread?: null | components["schemas"]["ChatUnread"];
            /** @description Raised hands, oldest first. */
            hand_raise_queue: components["schemas"]["HandRaiseEntry"][];
            /**
             * Format: int64
             * @description Sequence number of the last room event (for resuming).
             */
            last_sequence: number;
            /** @description Live streams (active and ended). */
            live_streams: components["schemas"]["LiveStream"][];
            /** @description Application data set through the admin API (empty when none). */
            metadata?: string;
            /** @description Everyone in the room, in join order. */
            participants: components["schemas"]["ParticipantView"][];
            /** @description The room. */
            room_id: string;
            /** @description Room settings. */
            settings: components["schemas"]["RoomSettings"];
            /** @description Users waiting for admission (moderators only; empty for others). */
            waiting_room: components["schemas"]["WaitingView"][];
            /** @description The receiving participant's own id. */
            you: string;
        };
        /** @description A room in the admin list. */
        RoomSummary: {
            /** Format: date-time */
            created_at: string;
            metadata: string;
            participants: number;
            /** @description A recording is running. */
            recording: boolean;
            room_id: components["schemas"]["RoomId"];
            settings: components["schemas"]["RoomSettings"];
            waiting: number;
        };
        /** @description Data sent to a room. */
        Sent: {
            /** @description How many users it was addressed to; null when sent to everyone. */
            recipients: number | null;
            room_id: components["schemas"]["RoomId"];
            sent: boolean;
        };
        /** @description The lives of a room, newest first. */
        SessionList: {
            room_id: components["schemas"]["RoomId"];
            sessions: components["schemas"]["RoomSession"][];
        };
        /**
         * @description Who makes a recording's media.
         * @enum {string}
         */
        Source: "client" | "server";
        /** @description Totals across the deployment. */
        Stats: {
            connections_on_this_instance: number;
            participants: number;
            rooms: number;
            /** Format: int64 */
            uptime_seconds: number;
        };
        /**
         * @description What a moderation action did: `{status}`, with the user and breakout
         *     room it concerned where there is one.
         */
        StatusAnswer: {
            /** @description The breakout room concerned. */
            breakout_room_id?: string | null;
            /**
             * @description What happened: `muted`, `updated`, `removed`, `banned`, `admitted`,
             *     `rejected`, `waiting`, `assigned`, `returned` or `closed`.
             */
            status: string;
            user_id?: null | components["schemas"]["UserId"];
        };
        /** @description The streams of a room. */
        StreamList: {
            live_streams: components["schemas"]["LiveStream"][];
        };
        /**
         * @description Where a server stream is.
         * @enum {string}
         */
        StreamStatus: "starting" | "live" | "reconnecting" | "failed" | "stopped";
        /** @description A room's analytics summary. */
        SummaryAnswer: {
            room_id: components["schemas"]["RoomId"];
            summary: components["schemas"]["AnalyticsSummary"];
        };
        /** @description A transfer record. */
        Transfer: {
            /**
             * Format: int64
             * @description Bytes reported (peer-to-peer) or stored (server, once complete).
             */
            bytes_transferred: number;
            /**
             * Format: int64
             * @description Chunk size.
             */
            chunk_size: number;
            /**
             * Format: date-time
             * @description Created.
             */
            created_at: string;
            /**
             * Format: date-time
             * @description When it and its chunks are removed.
             */
            expires_at: string;
            /** @description Why it failed. */
            failure?: string | null;
            /**
             * @description What the whole file was checked against (every server-mode chunk
             *     is checked against its own SHA-256 either way).
             */
            file_checksum?: components["schemas"]["FileChecksum"];
            /** @description File name. */
            file_name: string;
            /**
             * Format: int64
             * @description Size in bytes.
             */
            file_size: number;
            /** @description MIME type. */
            file_type?: string | null;
            /** @description Server or peer-to-peer. */
            mode: components["schemas"]["TransferMode"];
            /** @description Who receives. */
            receiver: components["schemas"]["UserId"];
            /** @description The room it was offered in. */
            room_id: components["schemas"]["RoomId"];
            /** @description Who sends. */
            sender: components["schemas"]["UserId"];
            /** @description Hex SHA-256 of the whole file. */
            sha256?: string | null;
            /** @description State. */
            state: components["schemas"]["TransferState"];
            /**
             * Format: int64
             * @description Number of chunks.
             */
            total_chunks: number;
            /** @description Id (UUID). */
            transfer_id: string;
            /**
             * Format: date-time
             * @description Last change.
             */
            updated_at: string;
        };
        /** @description The caller's transfers, newest first. */
        TransferList: {
            count: number;
            transfers: components["schemas"]["TransferView"][];
        };
        /**
         * @description How the bytes travel.
         * @enum {string}
         */
        TransferMode: "server" | "peer_to_peer";
        /**
         * @description Transfer states.
         * @enum {string}
         */
        TransferState: "pending" | "active" | "paused" | "completed" | "rejected" | "cancelled" | "failed";
        /** @description A transfer with its progress, as the parties see it. */
        TransferView: components["schemas"]["Transfer"] & {
            /**
             * Format: int64
             * @description Bytes done.
             */
            bytes_done: number;
            /**
             * Format: int64
             * @description `received_chunks` under seed 000's name.
             */
            chunks_received: number;
            /**
             * Format: double
             * @description Percent done.
             */
            progress_percent: number;
            /**
             * Format: int64
             * @description Chunks stored (server mode).
             */
            received_chunks: number;
            /** @description `state` under seed 001's name. */
            status: components["schemas"]["TransferState"];
        };
        /** @description What arrived of a recording, per participant. */
        UploadStatus: {
            outputs: components["schemas"]["RecordingOutput"][];
            /** @description By user id. */
            participants: {
                [key: string]: components["schemas"]["Uploaded"];
            };
            recording_id: string;
            status: components["schemas"]["RecordingStatus"];
        };
        /** @description What one participant uploaded. */
        Uploaded: {
            /** Format: int64 */
            bytes: number;
            chunks: number;
            sequences: number[];
        };
        /** @description A user id: 1-128 characters of A-Z a-z 0-9 _ - . @ : +, no `..` */
        UserId: string;
        /** @description A virtual background choice (the processing happens in the client). */
        VirtualBackground: {
            /** @description Image reference for `image` mode (an id or URL, at most 512 characters). */
            image?: string | null;
            /** @description none, blur or image. */
            mode: components["schemas"]["BackgroundMode"];
        };
        /** @description Who is waiting for admission. */
        WaitingList: {
            waiting: components["schemas"]["WaitingView"][];
        };
        /** @description A waiting user, as moderators see it. */
        WaitingView: {
            /** @description Display name. */
            name: string;
            /**
             * Format: date-time
             * @description Since when.
             */
            since: string;
            /** @description The user. */
            user_id: string;
        };
        /** @description Totals and this instance's counters. */
        WebrtcMetrics: {
            participants: number;
            participants_reconnecting: number;
            rooms: number;
            this_instance: components["schemas"]["MetricsSnapshot"];
            /** Format: int64 */
            uptime_seconds: number;
        };
        Error: {
            error: {
                code: "UNAUTHORIZED" | "INVALID_TOKEN" | "TOKEN_EXPIRED" | "TOKEN_NOT_YET_VALID" | "ROOM_ACCESS_DENIED" | "PERMISSION_DENIED" | "FORBIDDEN" | "ORIGIN_NOT_ALLOWED" | "RATE_LIMIT_EXCEEDED" | "TOO_MANY_MESSAGES" | "ROOM_FULL" | "TOO_MANY_CONNECTIONS" | "MAX_PARTICIPANTS_REACHED" | "ROOM_NOT_FOUND" | "ROOM_LOCKED" | "ROOM_ALREADY_EXISTS" | "ROOM_CLOSED" | "USER_NOT_IN_ROOM" | "USER_BANNED" | "SESSION_REPLACED" | "KICKED" | "IN_WAITING_ROOM" | "WAITING_ROOM_REJECTED" | "NOT_IN_WAITING_ROOM" | "INVALID_SDP" | "INVALID_ICE_CANDIDATE" | "INVALID_TARGET" | "SCREEN_SHARE_NOT_ALLOWED" | "MEDIA_NOT_ALLOWED" | "TRACK_NOT_FOUND" | "MEDIA_MODE_MISMATCH" | "INVALID_MESSAGE" | "UNKNOWN_MESSAGE_TYPE" | "UNSUPPORTED_MESSAGE_TYPE" | "MESSAGE_TOO_LARGE" | "INVALID_ID" | "VALIDATION_ERROR" | "INVALID_ROLE" | "ROLE_CHANGE_NOT_ALLOWED" | "CHAT_DISABLED" | "EMPTY_MESSAGE" | "MESSAGE_TOO_LONG" | "BREAKOUT_ROOM_NOT_FOUND" | "BREAKOUT_LIMIT_REACHED" | "STREAM_NOT_FOUND" | "STREAM_ALREADY_ACTIVE" | "INVALID_E2EE_PAYLOAD" | "TRANSFER_NOT_FOUND" | "FILE_TOO_LARGE" | "TOO_MANY_TRANSFERS" | "CHECKSUM_MISMATCH" | "INVALID_CHUNK" | "FILE_CHECKSUM_MISMATCH" | "TRANSFER_EXPIRED" | "RANGE_NOT_SATISFIABLE" | "RECORDING_NOT_FOUND" | "RECORDING_LIMIT_REACHED" | "RECORDING_ALREADY_ACTIVE" | "INVALID_STATE_TRANSITION" | "CONFLICT" | "NOT_FOUND" | "METHOD_NOT_ALLOWED" | "IDLE_TIMEOUT" | "REQUEST_TIMEOUT" | "SLOW_CONSUMER" | "SESSION_LOST" | "SERVICE_UNAVAILABLE" | "INTERNAL_ERROR" | "QUOTA_EXCEEDED" | "TRANSFER_NOT_ACCEPTED";
                message: string;
                hint?: string;
                /** @description Seconds, for RATE_LIMIT_EXCEEDED */
                retry_after?: number | null;
            };
        };
    };
    responses: {
        /** @description An error with a stable code */
        Error: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}

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

/**
 * A schema of the REST document with some fields narrowed to the values the
 * server sends where the document only says `string`. Each narrowed field
 * must stay assignable to the document's, so a change there fails to compile.
 */
export type Narrowed<T, N extends {
    [K in keyof N]: K extends keyof T ? T[K] : never;
}> = Omit<T, keyof N> & N;
/** An RFC 3339 timestamp in UTC, as the server writes them. */
export type Timestamp = string;
/** A participant's role in a room (`host`, `moderator`, `participant`, `viewer`). */
export type Role = components['schemas']['Role'];
/** What a participant may do; the server enforces every flag. */
export type Permissions = components['schemas']['Permissions'];
/** How a room's media flows (`mesh`, `sfu`). */
export type MediaMode = components['schemas']['MediaMode'];
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
export type MediaKind = components['schemas']['MediaKind'];
/** What a participant is publishing. */
export type MediaState = components['schemas']['MediaState'];
/** Device details a client reports (`participant-update`). */
export type DeviceInfo = components['schemas']['DeviceInfo'];
/** Network figures a client reports (`network-stats`); every field optional. */
export type NetworkStats = components['schemas']['NetworkStats'];
/**
 * The server's classification of a participant's {@link NetworkStats}. Not a
 * schema of the REST document, whose answers say only `string`.
 */
export type Quality = 'excellent' | 'good' | 'poor' | 'lost';
/** A virtual background choice (processing happens in the client). */
export type VirtualBackground = components['schemas']['VirtualBackground'];
/** Connected now, or dropped and inside the grace period. */
export type Presence = components['schemas']['Presence'];
/** A participant as the server shows it (the document's `ParticipantView`). */
export type Participant = components['schemas']['ParticipantView'];
/** Room settings. */
export type RoomSettings = components['schemas']['RoomSettings'];
/** A partial settings update. */
export type RoomSettingsPatch = components['schemas']['RoomSettingsPatch'];
/** A raised hand. */
export type HandRaiseEntry = components['schemas']['HandRaiseEntry'];
/** Someone waiting for admission, as moderators see it (the document's `WaitingView`). */
export type WaitingEntry = components['schemas']['WaitingView'];
/** A breakout room. */
export type BreakoutRoom = components['schemas']['BreakoutRoom'];
/** A live-stream session record; `quality` narrowed to the presets. */
export type LiveStream = Narrowed<components['schemas']['LiveStream'], {
    quality?: RecordingQuality | null;
}>;
/** The picture of a server stream: every video in a grid (up to nine), or the active speaker (the document's `Layout`). */
export type StreamLayout = components['schemas']['Layout'];
/** Where a server stream is. */
export type StreamStatus = components['schemas']['StreamStatus'];
/**
 * `live-stream-start`: with `url` and `stream_key` the server streams the
 * room (SFU rooms); without, a record only (the document's
 * `LiveStreamStartReq`; `quality` narrowed to the presets).
 */
export type LiveStreamStart = Narrowed<components['schemas']['LiveStreamStartReq'], {
    quality?: RecordingQuality | null;
}>;
/** A chat message as delivered and stored (markup escaped by the server: decode before showing as text). */
export type ChatRecord = components['schemas']['ChatRecord'];
/** Recording output containers (the document's `Format`). */
export type RecordingFormat = components['schemas']['Format'];
/** Recording (and server stream) quality presets (the document's `Quality`). */
export type RecordingQuality = components['schemas']['Quality'];
/** Who makes a recording's media: the server (one composite; SFU rooms, their default) or each client (uploads; mesh rooms). */
export type RecordingSource = components['schemas']['Source'];
/** The life of a recording (the document's `RecordingStatus`). */
export type RecordingState = components['schemas']['RecordingStatus'];
/** Why processing failed (docs/errors.md, "Recording failures"; the document's `FailureCode`). */
export type RecordingFailureCode = components['schemas']['FailureCode'];
/** ffprobe's figures of a processed file. */
export type MediaInfo = components['schemas']['MediaInfo'];
/** One participant's processed file. */
export type RecordingOutput = components['schemas']['RecordingOutput'];
/** A recording as clients see it, with its running `duration` (the document's `RecordingView`). */
export type Recording = components['schemas']['RecordingView'];
/** Transfer modes. */
export type TransferMode = components['schemas']['TransferMode'];
/** The life of a file transfer. */
export type TransferState = components['schemas']['TransferState'];
/**
 * What the whole file of a transfer is checked against: `offered` (the
 * offer's `sha256`), `not_offered` (none given; every chunk is still
 * checked), or `computed` (none given; `sha256` is the stored file's,
 * checked against nothing).
 */
export type FileChecksum = components['schemas']['FileChecksum'];
/** A file transfer record with its progress (the document's `TransferView`). */
export type Transfer = components['schemas']['TransferView'];
/** What the server sends on join and on resync (the document's `RoomStateView`). */
export type RoomState = components['schemas']['RoomStateView'];
/** How far one user has read a room's chat. */
export type ReadReceipt = components['schemas']['ReadReceipt'];
/** Our unread chat in a room. */
export type ChatUnread = components['schemas']['ChatUnread'];
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
/** A participant's own info (`participant-update`, `POST …/participants/{self}/info`; the document's `ParticipantUpdateReq`). */
export type ParticipantUpdate = components['schemas']['ParticipantUpdateReq'];
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

/** The server's error body: `{"error": {code, message, hint?, retry_after?}}` (the document's `Error`). */
export type ErrorBody = components['schemas']['Error'];
/** `POST /webrtc/dev/token`: the token, the id the server picked (`guest-…`) and its lifetime in seconds. */
export type DevToken = components['schemas']['DevToken'];
/** `POST /webrtc/dev/token` body (the document's `DevTokenReq`). */
export type DevTokenRequest = components['schemas']['DevTokenReq'];
/** One ICE server of {@link ServerConfig}, as `RTCIceServer` takes it (TURN with a credential). */
export type IceServer = components['schemas']['IceServer'];
/** `GET /webrtc/config` (the document's `ClientConfig`). */
export type ServerConfig = components['schemas']['ClientConfig'];
/** `GET /rooms/{room}/participants`. */
export type ParticipantList = components['schemas']['ParticipantList'];
/** `GET|POST /rooms/{room}/roles/{user}`. */
export type RoleAnswer = components['schemas']['RoleAnswer'];
/** `GET|POST /rooms/{room}/permissions/{user}`. */
export type PermissionsAnswer = components['schemas']['PermissionsAnswer'];
/** `GET …/chat/receipts`: most recently read first: ours, and others' on messages we could see (the document's `ReceiptsView`). */
export type ReceiptList = components['schemas']['ReceiptsView'];
/** `GET /rooms/{room}/chat` and `…/chat/search`: newest first; pass `next_cursor` as `before` for the next (older) page, null at the end. */
export type ChatPage = components['schemas']['ChatPage'];
/** `GET /rooms/{room}/hand-raise/queue` and the hand-raise calls (the document's `HandQueue`). */
export type HandRaiseQueue = components['schemas']['HandQueue'];
/** `GET /rooms/{room}/waiting-room`. */
export type WaitingList = components['schemas']['WaitingList'];
/** The answer of the moderation calls that change a user (`admit`, `reject`, `return`, `kick`…). */
export type StatusAnswer = components['schemas']['StatusAnswer'];
/** `GET /rooms/{room}/breakout-rooms`: each with its members. */
export type BreakoutList = components['schemas']['BreakoutList'];
/** `GET /rooms/{room}/recordings` (the document's `RoomRecordings`). */
export type RecordingList = components['schemas']['RoomRecordings'];
/** `PUT /rooms/{room}/recordings/{id}/chunks/{seq}`: `duplicate` when the sequence was already stored (the document's `ChunkStored`). */
export type RecordingChunkAck = components['schemas']['ChunkStored'];
/** `GET /rooms/{room}/recordings/{id}/upload-status` (the document's `UploadStatus`). */
export type RecordingUploadStatus = components['schemas']['UploadStatus'];
/** An expiring URL, usable without a token until it expires (`…/recordings/{id}/link`, `…/live-streams/{id}/hls-link`; the document's `LinkAnswer`). */
export type ExpiringLink = components['schemas']['LinkAnswer'];
/** `GET /rooms/{room}/recordings/{id}/link`. */
export type RecordingLink = ExpiringLink;
/**
 * `POST /rooms/{room}/file-transfer/offer` body (the document's `OfferReq`).
 * Without `sha256` every chunk is still checked against its own, and the
 * transfer's `file_checksum` says the file was not.
 */
export type FileOffer = components['schemas']['OfferReq'];
/** `PUT /rooms/{room}/file-transfer/{id}/chunks/{index}`. */
export type ChunkAck = components['schemas']['ChunkAck'];
/** `GET /rooms/{room}/file-transfer/{id}/missing` (the document's `Missing`). */
export type MissingChunks = components['schemas']['Missing'];
/** `GET /webrtc/file-transfers`: our transfers in any room, newest first. */
export type TransferList = components['schemas']['TransferList'];
/**
 * `GET /rooms/{room}/reconnect`: where we stand, and with `last_sequence`
 * what we missed (the document's `ReconnectAnswer`; `quality` narrowed to
 * the classes, and `events`, untyped objects there, typed as the WebSocket
 * messages they are).
 */
export type ReconnectionState = Narrowed<Omit<components['schemas']['ReconnectAnswer'], 'events' | 'missed_messages'>, {
    quality?: Quality | null;
}> & {
    /** The missed messages, oldest first, as sent over the WebSocket. */
    events?: ServerMessage[] | null;
    /** `events` under seed 000's name. */
    missed_messages?: ServerMessage[] | null;
};
/** `POST /rooms/{room}/quality`; `quality` narrowed to the classes. */
export type QualityAnswer = Narrowed<components['schemas']['QualityAnswer'], {
    quality: Quality;
}>;
/**
 * `GET /rate-limits/{type}/status` (the document's `RateAnswer`). `signaling`
 * and `websocket_message` are counted per WebSocket connection
 * (`scope: "connection"`), where REST cannot see them: their `used`,
 * `remaining` and `reset_in_secs` are null.
 */
export type RateLimitStatus = Narrowed<components['schemas']['RateAnswer'], {
    scope: 'user' | 'connection';
}>;

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
    /**
     * A call of the REST document: `path` as the document names it, whose
     * `{room_id}` is our room and other `{…}` come from `params`; `query`
     * entries that are undefined or null are left out.
     */
    private call;
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
    }): Promise<ExpiringLink>;
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
    fileTransfers(): Promise<TransferList>;
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
