// api-types.ts: the REST API's types, generated from docs/openapi.json (the
// server's OpenAPI document; `just openapi` rewrites it from the handlers) by
// clients/js/scripts/api-types.mjs with openapi-typescript 7.13.0. Do not edit:
// change the server, run `just openapi`, then `just js-build`; check.sh fails
// when this file differs from the document. Types only.

export interface paths {
    "/": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The bundled web client */
        get: operations["get_index"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/client/app.js": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The web client's page script */
        get: operations["get_client_app_js"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/client/rtc-client.d.ts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** TypeScript declarations of the client module (clients/js) */
        get: operations["get_client_rtc_client_d_ts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/client/rtc-client.js": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The signaling client module (docs/client.md) */
        get: operations["get_client_rtc_client_js"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/client/style.css": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The web client's style sheet */
        get: operations["get_client_style_css"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/docs": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A page that renders this document (works offline) */
        get: operations["get_docs"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Prometheus text exposition (docs/operations.md) */
        get: operations["get_metrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This document */
        get: operations["get_openapi_json"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/admin/rooms": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** List rooms */
        get: operations["get_webrtc_admin_rooms"];
        put?: never;
        /** Create a room ahead of its first participant */
        post: operations["post_webrtc_admin_rooms"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/admin/rooms/{room_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One room with its waiting room and bans */
        get: operations["get_webrtc_admin_rooms_room_id"];
        put?: never;
        post?: never;
        /** Close a room: everyone is removed with ROOM_CLOSED */
        delete: operations["delete_webrtc_admin_rooms_room_id"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/admin/rooms/{room_id}/data": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send a data message to the room or some participants */
        post: operations["post_webrtc_admin_rooms_room_id_data"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/admin/rooms/{room_id}/metadata": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Set the room's metadata */
        post: operations["post_webrtc_admin_rooms_room_id_metadata"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/admin/rooms/{room_id}/participants/{user_id}/mute": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mute a participant's audio or video */
        post: operations["post_webrtc_admin_rooms_room_id_participants_user_id_mute"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/admin/rooms/{room_id}/participants/{user_id}/remove": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Remove a participant, optionally banning them on every instance */
        post: operations["post_webrtc_admin_rooms_room_id_participants_user_id_remove"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/admin/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The webhook endpoints and their delivery state */
        get: operations["get_webrtc_admin_webhooks"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/admin/webhooks/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send webhooks again from a sequence (one room) or a time */
        post: operations["post_webrtc_admin_webhooks_replay"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/admin/webhooks/{endpoint}/dead-letters": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Events a webhook endpoint gave up on */
        get: operations["get_webrtc_admin_webhooks_endpoint_dead_letters"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/admin/webhooks/{endpoint}/dead-letters/replay": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send a webhook endpoint's dead letters again */
        post: operations["post_webrtc_admin_webhooks_endpoint_dead_letters_replay"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/config": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** ICE servers (STUN; TURN credentials need a token) and limits */
        get: operations["get_webrtc_config"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/dev/token": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** A development token for a server-picked id, valid in one room (only while RTC_DEV_TOKENS is on) */
        post: operations["post_webrtc_dev_token"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/file-transfers": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's transfers, newest first */
        get: operations["get_webrtc_file_transfers"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/health": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Health; 503 when the shared store is unreachable or the instance is stopping */
        get: operations["get_webrtc_health"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/hls/{room_id}/{stream_id}/{expires}/{sig}/{file}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A stream's HLS file through an expiring link */
        get: operations["get_webrtc_hls_room_id_stream_id_expires_sig_file"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/links/{key}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Serve a signed link (local and memory storage) */
        get: operations["get_webrtc_links_key"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rate-limits/{limit_type}/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's use of one rate limit */
        get: operations["get_webrtc_rate_limits_limit_type_status"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/recordings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Recordings the caller started (seed 004) */
        get: operations["get_webrtc_recordings"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/analytics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Analytics events */
        get: operations["get_webrtc_rooms_room_id_analytics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/analytics/summary": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Joins, leaves, unique participants, mean session, counts by type */
        get: operations["get_webrtc_rooms_room_id_analytics_summary"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/breakout-rooms": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Breakout rooms with their members */
        get: operations["get_webrtc_rooms_room_id_breakout_rooms"];
        put?: never;
        /** Create a breakout room (moderators) */
        post: operations["post_webrtc_rooms_room_id_breakout_rooms"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/breakout-rooms/return/{user_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Bring a participant back to the main room */
        post: operations["post_webrtc_rooms_room_id_breakout_rooms_return_user_id"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/breakout-rooms/{breakout_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Close a breakout room; its members return */
        delete: operations["delete_webrtc_rooms_room_id_breakout_rooms_breakout_id"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/breakout-rooms/{breakout_id}/assign/{user_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Move a participant into a breakout room */
        post: operations["post_webrtc_rooms_room_id_breakout_rooms_breakout_id_assign_user_id"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/chat": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Chat history the caller could have received live (members only), newest first */
        get: operations["get_webrtc_rooms_room_id_chat"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/chat/receipts": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Read marks the caller may see (their own, and others' on messages they could see), most recently read first */
        get: operations["get_webrtc_rooms_room_id_chat_receipts"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/chat/search": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Chat messages containing q (ignoring case) that the caller could have received live, newest first */
        get: operations["get_webrtc_rooms_room_id_chat_search"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/chat/unread": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The caller's unread chat: messages they could see, sent by others after their read mark */
        get: operations["get_webrtc_rooms_room_id_chat_unread"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/connection-quality": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Alias of /quality (seed 001) */
        post: operations["post_webrtc_rooms_room_id_connection_quality"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/file-transfer/offer": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Offer a file to a participant (can_share_files) */
        post: operations["post_webrtc_rooms_room_id_file_transfer_offer"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/file-transfer/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Cancel; stored chunks are deleted */
        delete: operations["delete_webrtc_rooms_room_id_file_transfer_id"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/file-transfer/{id}/accept": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Accept (receiver) */
        post: operations["post_webrtc_rooms_room_id_file_transfer_id_accept"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/file-transfer/{id}/chunks/{index}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Upload one chunk (PUT or POST) with its SHA-256 (X-Chunk-Sha256 header or ?sha256=) */
        put: operations["put_webrtc_rooms_room_id_file_transfer_id_chunks_index"];
        /** Upload one chunk (PUT or POST) with its SHA-256 (X-Chunk-Sha256 header or ?sha256=) */
        post: operations["post_webrtc_rooms_room_id_file_transfer_id_chunks_index"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/file-transfer/{id}/download": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The completed file (Range supported) */
        get: operations["get_webrtc_rooms_room_id_file_transfer_id_download"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/file-transfer/{id}/missing": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Chunks still to send */
        get: operations["get_webrtc_rooms_room_id_file_transfer_id_missing"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/file-transfer/{id}/pause": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Pause (either party) */
        post: operations["post_webrtc_rooms_room_id_file_transfer_id_pause"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/file-transfer/{id}/progress": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Progress */
        get: operations["get_webrtc_rooms_room_id_file_transfer_id_progress"];
        put?: never;
        /** Report progress (peer-to-peer mode) */
        post: operations["post_webrtc_rooms_room_id_file_transfer_id_progress"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/file-transfer/{id}/reject": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Reject (receiver); stored chunks are deleted */
        post: operations["post_webrtc_rooms_room_id_file_transfer_id_reject"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/file-transfer/{id}/resume": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Resume (either party) */
        post: operations["post_webrtc_rooms_room_id_file_transfer_id_resume"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/hand-raise": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Raise or lower a hand (moderators may lower others') */
        post: operations["post_webrtc_rooms_room_id_hand_raise"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/hand-raise/lower-all": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Lower every hand (moderators) */
        post: operations["post_webrtc_rooms_room_id_hand_raise_lower_all"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/hand-raise/queue": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Raised hands, oldest first */
        get: operations["get_webrtc_rooms_room_id_hand_raise_queue"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/live-streams": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Streams of the room */
        get: operations["get_webrtc_rooms_room_id_live_streams"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/live-streams/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start a live-stream session (moderators; one at a time) */
        post: operations["post_webrtc_rooms_room_id_live_streams_start"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/live-streams/{stream_id}/hls-link": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An expiring playlist URL any HLS player can open (members) */
        get: operations["get_webrtc_rooms_room_id_live_streams_stream_id_hls_link"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/live-streams/{stream_id}/hls/{file}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A stream's HLS playlist (index.m3u8) or segment (members) */
        get: operations["get_webrtc_rooms_room_id_live_streams_stream_id_hls_file"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/live-streams/{stream_id}/stop": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Stop it */
        post: operations["post_webrtc_rooms_room_id_live_streams_stream_id_stop"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/mute-all": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Mute everyone but moderators */
        post: operations["post_webrtc_rooms_room_id_mute_all"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/participants": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Participants of the room (members) */
        get: operations["get_webrtc_rooms_room_id_participants"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/participants/enhanced": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Alias of /participants (seed 003) */
        get: operations["get_webrtc_rooms_room_id_participants_enhanced"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/participants/{user_id}/info": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Update one's own display name, device, quality */
        post: operations["post_webrtc_rooms_room_id_participants_user_id_info"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/participants/{user_id}/kick": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Remove (and optionally ban) a participant (moderators) */
        post: operations["post_webrtc_rooms_room_id_participants_user_id_kick"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/permissions/{user_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A participant's permissions */
        get: operations["get_webrtc_rooms_room_id_permissions_user_id"];
        put?: never;
        /** Change a participant's permissions (partial) */
        post: operations["post_webrtc_rooms_room_id_permissions_user_id"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/quality": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Report connection quality; a change of class is broadcast */
        post: operations["post_webrtc_rooms_room_id_quality"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/reconnect": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What a returning client missed, and its reconnection state */
        get: operations["get_webrtc_rooms_room_id_reconnect"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/reconnection-state": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Alias of /reconnect (seed 001) */
        get: operations["get_webrtc_rooms_room_id_reconnection_state"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/recording/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Alias of /recordings/start (seed 004) */
        post: operations["post_webrtc_rooms_room_id_recording_start"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/recording/{recording_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Alias (seed 004) */
        delete: operations["delete_webrtc_rooms_room_id_recording_recording_id"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/recording/{recording_id}/chunks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Alias (seed 004) */
        post: operations["post_webrtc_rooms_room_id_recording_recording_id_chunks"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/recording/{recording_id}/chunks/{seq}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Alias (seed 004) */
        put: operations["put_webrtc_rooms_room_id_recording_recording_id_chunks_seq"];
        /** Alias (seed 004) */
        post: operations["post_webrtc_rooms_room_id_recording_recording_id_chunks_seq"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/recording/{recording_id}/download": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Alias (seed 004) */
        get: operations["get_webrtc_rooms_room_id_recording_recording_id_download"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/recording/{recording_id}/link": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Alias (seed 004) */
        get: operations["get_webrtc_rooms_room_id_recording_recording_id_link"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/recording/{recording_id}/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Alias (seed 004) */
        get: operations["get_webrtc_rooms_room_id_recording_recording_id_status"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/recording/{recording_id}/thumbnail": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Alias (seed 004) */
        get: operations["get_webrtc_rooms_room_id_recording_recording_id_thumbnail"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/recording/{recording_id}/upload-status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Alias (seed 004) */
        get: operations["get_webrtc_rooms_room_id_recording_recording_id_upload_status"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/recording/{recording_id}/{action}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Alias (seed 004) */
        post: operations["post_webrtc_rooms_room_id_recording_recording_id_action"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/recordings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Recordings of the room */
        get: operations["get_webrtc_rooms_room_id_recordings"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/recordings/start": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Start a recording (can_record) */
        post: operations["post_webrtc_rooms_room_id_recordings_start"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/recordings/{recording_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /** Cancel; uploaded media is deleted */
        delete: operations["delete_webrtc_rooms_room_id_recordings_recording_id"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/recordings/{recording_id}/chunks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Upload one chunk as base64 JSON */
        post: operations["post_webrtc_rooms_room_id_recordings_recording_id_chunks"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/recordings/{recording_id}/chunks/{seq}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /** Upload one MediaRecorder chunk (PUT or POST; any order; a repeat with the same bytes is a duplicate) */
        put: operations["put_webrtc_rooms_room_id_recordings_recording_id_chunks_seq"];
        /** Upload one MediaRecorder chunk (PUT or POST; any order; a repeat with the same bytes is a duplicate) */
        post: operations["post_webrtc_rooms_room_id_recordings_recording_id_chunks_seq"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/recordings/{recording_id}/download": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The processed file (Range supported) */
        get: operations["get_webrtc_rooms_room_id_recordings_recording_id_download"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/recordings/{recording_id}/link": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** An expiring download link */
        get: operations["get_webrtc_rooms_room_id_recordings_recording_id_link"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/recordings/{recording_id}/status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** One recording, with outputs once completed; failure and failure_code (docs/errors.md) if failed */
        get: operations["get_webrtc_rooms_room_id_recordings_recording_id_status"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/recordings/{recording_id}/thumbnail": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A JPEG thumbnail */
        get: operations["get_webrtc_rooms_room_id_recordings_recording_id_thumbnail"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/recordings/{recording_id}/upload-status": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** What arrived, per participant */
        get: operations["get_webrtc_rooms_room_id_recordings_recording_id_upload_status"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/recordings/{recording_id}/{action}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** stop, pause or resume (who started it, or a host) */
        post: operations["post_webrtc_rooms_room_id_recordings_recording_id_action"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/roles/{user_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A participant's role */
        get: operations["get_webrtc_rooms_room_id_roles_user_id"];
        put?: never;
        /** Change a participant's role (host, moderator, participant, viewer) */
        post: operations["post_webrtc_rooms_room_id_roles_user_id"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Lives of the room, newest first */
        get: operations["get_webrtc_rooms_room_id_sessions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/settings": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Room settings */
        get: operations["get_webrtc_rooms_room_id_settings"];
        put?: never;
        /** Change room settings (moderators; partial) */
        post: operations["post_webrtc_rooms_room_id_settings"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/state": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** The room state as the caller sees it (as in room-state) */
        get: operations["get_webrtc_rooms_room_id_state"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/waiting-room": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Who is waiting (moderators) */
        get: operations["get_webrtc_rooms_room_id_waiting_room"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/waiting-room/admit-all": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Admit everyone waiting */
        post: operations["post_webrtc_rooms_room_id_waiting_room_admit_all"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/waiting-room/{user_id}/admit": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Admit one */
        post: operations["post_webrtc_rooms_room_id_waiting_room_user_id_admit"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/waiting-room/{user_id}/reject": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Turn one away */
        post: operations["post_webrtc_rooms_room_id_waiting_room_user_id_reject"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/rooms/{room_id}/waiting-room/{user_id}/return": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Send a participant back to the waiting room */
        post: operations["post_webrtc_rooms_room_id_waiting_room_user_id_return"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Rooms, participants, connections (RTC_METRICS_TOKEN / RTC_METRICS_BIND may guard it) */
        get: operations["get_webrtc_stats"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/webrtc-metrics": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** This instance's counters as JSON */
        get: operations["get_webrtc_webrtc_metrics"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/webrtc/ws/{room_id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Join a room over WebSocket (upgrade); the messages are in docs/protocol.md */
        get: operations["get_webrtc_ws_room_id"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
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
export type $defs = Record<string, never>;
export interface operations {
    get_index: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description index.html */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_client_app_js: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description app.js */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/javascript": string;
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_client_rtc_client_d_ts: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description rtc-client.d.ts */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/typescript": string;
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_client_rtc_client_js: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description rtc-client.js */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/javascript": string;
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_client_style_css: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description style.css */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/css": string;
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_docs: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The viewer */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/html": string;
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_metrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Prometheus text */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/plain; version=0.0.4": string;
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_openapi_json: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description OpenAPI 3.1 */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, unknown>;
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_admin_rooms: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The rooms */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RoomList"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_admin_rooms: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["CreateRoomReq"];
            };
        };
        responses: {
            /** @description The room */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminRoom"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_admin_rooms_room_id: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The room */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminRoom"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    delete_webrtc_admin_rooms_room_id: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Closed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Closed"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_admin_rooms_room_id_data: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DataReq"];
            };
        };
        responses: {
            /** @description Sent */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Sent"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_admin_rooms_room_id_metadata: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MetadataReq"];
            };
        };
        responses: {
            /** @description The metadata */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MetadataAnswer"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_admin_rooms_room_id_participants_user_id_mute: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description User id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["MuteReq"];
            };
        };
        responses: {
            /** @description Muted */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Muted"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_admin_rooms_room_id_participants_user_id_remove: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description User id */
                user_id: string;
            };
            cookie?: never;
        };
        /** @description Optional */
        requestBody?: {
            content: {
                "application/json": null | components["schemas"]["RemoveReq"];
            };
        };
        responses: {
            /** @description Removed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Removed"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_admin_webhooks: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The endpoints */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["EndpointList"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_admin_webhooks_replay: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ReplayReq"];
            };
        };
        responses: {
            /** @description How many events were queued again */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Replayed"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_admin_webhooks_endpoint_dead_letters: {
        parameters: {
            query?: {
                /** @description At most this many, oldest first (default 100, at most 1000). */
                limit?: number;
            };
            header?: never;
            path: {
                /** @description A webhook endpoint's name (default: RTC_WEBHOOK_URL's) */
                endpoint: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The dead letters */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DeadLetterList"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_admin_webhooks_endpoint_dead_letters_replay: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A webhook endpoint's name (default: RTC_WEBHOOK_URL's) */
                endpoint: string;
            };
            cookie?: never;
        };
        requestBody?: {
            content: {
                "application/json": null | components["schemas"]["RequeueReq"];
            };
        };
        responses: {
            /** @description What was queued again */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Requeued"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_config: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description ICE servers and limits */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ClientConfig"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_dev_token: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["DevTokenReq"];
            };
        };
        responses: {
            /** @description The token */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["DevToken"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_file_transfers: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The caller's transfers */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TransferList"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_health: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Healthy */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            /** @description Degraded (the shared store is unreachable) or draining (stopping) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Health"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_hls_room_id_stream_id_expires_sig_file: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Live stream id */
                stream_id: string;
                /** @description Expiry of the link, Unix seconds */
                expires: number;
                /** @description The link's signature */
                sig: string;
                /** @description index.m3u8 or a segment seg_N.ts */
                file: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The playlist or segment */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/vnd.apple.mpegurl": string;
                    "video/mp2t": components["schemas"]["Binary"];
                };
            };
            /** @description Expired or not signed */
            403: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_links_key: {
        parameters: {
            query: {
                /** @description Expiry, Unix seconds */
                expires: number;
                /** @description HMAC signature */
                sig: string;
            };
            header?: never;
            path: {
                /** @description The signed object key */
                key: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The object, typed by its extension */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "video/webm": components["schemas"]["Binary"];
                    "video/mp4": components["schemas"]["Binary"];
                    "video/x-matroska": components["schemas"]["Binary"];
                    "image/jpeg": components["schemas"]["Binary"];
                    "application/octet-stream": components["schemas"]["Binary"];
                };
            };
            /** @description Partial content (Range) */
            206: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "video/webm": components["schemas"]["Binary"];
                    "video/mp4": components["schemas"]["Binary"];
                    "video/x-matroska": components["schemas"]["Binary"];
                    "image/jpeg": components["schemas"]["Binary"];
                    "application/octet-stream": components["schemas"]["Binary"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rate_limits_limit_type_status: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description A rate-limit kind */
                limit_type: "websocket_message" | "signaling" | "chat_message" | "hand_raise" | "reaction" | "file_share" | "room_create" | "settings_update" | "api_call";
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description `scope` is `user` (counted across instances) or `connection` (`signaling`, `websocket_message`: counted by each WebSocket session, so `used`, `remaining` and `reset_in_secs` are null) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RateAnswer"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_recordings: {
        parameters: {
            query?: {
                /** @description Only recordings in this status. */
                status?: components["schemas"]["RecordingStatus"];
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The caller's recordings */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["MyRecordings"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_analytics: {
        parameters: {
            query?: {
                /**
                 * @description How many, newest first; each list has its own default and clamps
                 *     to 1..its maximum.
                 */
                limit?: number;
            };
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The events, oldest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AnalyticsList"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_analytics_summary: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The summary */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SummaryAnswer"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_breakout_rooms: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The breakout rooms */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BreakoutList"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_breakout_rooms: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["BreakoutBody"];
            };
        };
        responses: {
            /** @description The breakout room */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BreakoutRoom"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_breakout_rooms_return_user_id: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description User id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description What was done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StatusAnswer"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    delete_webrtc_rooms_room_id_breakout_rooms_breakout_id: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Breakout room id */
                breakout_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description What was done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StatusAnswer"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_breakout_rooms_breakout_id_assign_user_id: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Breakout room id */
                breakout_id: string;
                /** @description User id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description What was done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StatusAnswer"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_chat: {
        parameters: {
            query?: {
                /** @description Cursor from the previous page's `next_cursor`. */
                before?: string;
                /** @description How many, newest first: default 50, clamped to 1..200. */
                limit?: number;
                /** @description Only this thread: the message with this id and the replies to it. */
                thread?: string;
            };
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of messages */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChatPage"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_chat_receipts: {
        parameters: {
            query?: {
                /**
                 * @description How many, newest first; each list has its own default and clamps
                 *     to 1..its maximum.
                 */
                limit?: number;
            };
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The read marks */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReceiptsView"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_chat_search: {
        parameters: {
            query: {
                /**
                 * @description What to find (case-insensitive): up to 100 characters, one of them
                 *     visible (`signaling_core::sanitize::VISIBLE_PATTERN`).
                 */
                q: string;
                /** @description Cursor from the previous page's `next_cursor`. */
                before?: string;
                /** @description How many, newest first: default 50, clamped to 1..200. */
                limit?: number;
            };
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of matching messages */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChatPage"];
                };
            };
            /** @description VALIDATION_ERROR: q is empty or too long */
            422: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_chat_unread: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The count and the caller's read mark */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChatUnread"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_connection_quality: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NetworkStats"];
            };
        };
        responses: {
            /** @description The quality class */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["QualityAnswer"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_file_transfer_offer: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["OfferReq"];
            };
        };
        responses: {
            /** @description The transfer */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TransferView"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    delete_webrtc_rooms_room_id_file_transfer_id: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Transfer id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The transfer */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TransferView"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_file_transfer_id_accept: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Transfer id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The transfer */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TransferView"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    put_webrtc_rooms_room_id_file_transfer_id_chunks_index: {
        parameters: {
            query?: {
                /** @description Hex SHA-256 of the chunk, if not in `X-Chunk-Sha256`. */
                sha256?: string;
            };
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Transfer id */
                id: string;
                /** @description The chunk's index, from 0 */
                index: number;
            };
            cookie?: never;
        };
        /** @description The chunk bytes */
        requestBody: {
            content: {
                "application/octet-stream": components["schemas"]["Binary"];
            };
        };
        responses: {
            /** @description {index, duplicate, received_chunks, total_chunks, state} */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChunkAck"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_file_transfer_id_chunks_index: {
        parameters: {
            query?: {
                /** @description Hex SHA-256 of the chunk, if not in `X-Chunk-Sha256`. */
                sha256?: string;
            };
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Transfer id */
                id: string;
                /** @description The chunk's index, from 0 */
                index: number;
            };
            cookie?: never;
        };
        /** @description The chunk bytes */
        requestBody: {
            content: {
                "application/octet-stream": components["schemas"]["Binary"];
            };
        };
        responses: {
            /** @description {index, duplicate, received_chunks, total_chunks, state} */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChunkAck"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_file_transfer_id_download: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Transfer id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": components["schemas"]["Binary"];
                };
            };
            /** @description Partial content (Range) */
            206: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/octet-stream": components["schemas"]["Binary"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_file_transfer_id_missing: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Transfer id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The chunks still to send */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Missing"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_file_transfer_id_pause: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Transfer id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The transfer */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TransferView"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_file_transfer_id_progress: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Transfer id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The transfer with received_chunks, bytes_done, progress_percent */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TransferView"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_file_transfer_id_progress: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Transfer id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ProgressBody"];
            };
        };
        responses: {
            /** @description The transfer */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TransferView"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_file_transfer_id_reject: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Transfer id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The transfer */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TransferView"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_file_transfer_id_resume: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Transfer id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The transfer */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TransferView"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_hand_raise: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["HandBody"];
            };
        };
        responses: {
            /** @description The raised hands */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HandQueue"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_hand_raise_lower_all: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The raised hands */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HandQueue"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_hand_raise_queue: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The raised hands */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["HandQueue"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_live_streams: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The room's streams */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StreamList"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_live_streams_start: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        /** @description Optional */
        requestBody?: {
            content: {
                "application/json": null | components["schemas"]["LiveStreamStartReq"];
            };
        };
        responses: {
            /** @description The stream */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LiveStream"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_live_streams_stream_id_hls_link: {
        parameters: {
            query?: {
                /** @description Seconds the link lasts: default 3600, clamped to 1 s..1 day. */
                expires_in?: number;
            };
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Live stream id */
                stream_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The link */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LinkAnswer"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_live_streams_stream_id_hls_file: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Live stream id */
                stream_id: string;
                /** @description index.m3u8 or a segment seg_N.ts */
                file: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The playlist or segment */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/vnd.apple.mpegurl": string;
                    "video/mp2t": components["schemas"]["Binary"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_live_streams_stream_id_stop: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Live stream id */
                stream_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The stream */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LiveStream"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_mute_all: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description `muted` */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StatusAnswer"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_participants: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The participants */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ParticipantList"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_participants_enhanced: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The participants */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ParticipantList"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_participants_user_id_info: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description User id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["ParticipantUpdateReq"];
            };
        };
        responses: {
            /** @description What was done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StatusAnswer"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_participants_user_id_kick: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description User id */
                user_id: string;
            };
            cookie?: never;
        };
        /** @description Optional */
        requestBody?: {
            content: {
                "application/json": null | components["schemas"]["KickBody"];
            };
        };
        responses: {
            /** @description What was done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StatusAnswer"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_permissions_user_id: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description User id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The permissions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PermissionsAnswer"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_permissions_user_id: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description User id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PermissionsPatch"];
            };
        };
        responses: {
            /** @description The permissions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PermissionsAnswer"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_quality: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NetworkStats"];
            };
        };
        responses: {
            /** @description The quality class */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["QualityAnswer"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_reconnect: {
        parameters: {
            query?: {
                /** @description The highest `seq` the client saw (sequence numbers are int64). */
                last_sequence?: number;
            };
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The reconnection state */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReconnectAnswer"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_reconnection_state: {
        parameters: {
            query?: {
                /** @description The highest `seq` the client saw (sequence numbers are int64). */
                last_sequence?: number;
            };
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description As /reconnect */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ReconnectAnswer"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_recording_start: {
        parameters: {
            query?: {
                /** @description The file format (`recording_format` is accepted too). */
                format?: components["schemas"]["Format"];
                /** @description Encoding quality. */
                quality?: components["schemas"]["Quality"];
                /** @description `server` (the default in SFU rooms) or `client`. */
                source?: components["schemas"]["Source"];
                /** @description `grid` or `speaker`, for a server recording. */
                layout?: components["schemas"]["Layout"];
            };
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        /** @description Optional; its fields win over the query's */
        requestBody?: {
            content: {
                "application/json": null | components["schemas"]["RecordingStartQuery"];
            };
        };
        responses: {
            /** @description The recording */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RecordingView"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    delete_webrtc_rooms_room_id_recording_recording_id: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Recording id */
                recording_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The recording */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RecordingView"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_recording_recording_id_chunks: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Recording id */
                recording_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["JsonChunk"];
            };
        };
        responses: {
            /** @description Stored (or a duplicate of a stored chunk) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChunkStored"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    put_webrtc_rooms_room_id_recording_recording_id_chunks_seq: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Recording id */
                recording_id: string;
                /** @description The chunk's sequence number */
                seq: number;
            };
            cookie?: never;
        };
        /** @description The chunk bytes, of any media type */
        requestBody: {
            content: {
                "application/octet-stream": components["schemas"]["Binary"];
                "video/webm": components["schemas"]["Binary"];
            };
        };
        responses: {
            /** @description Stored (or a duplicate of a stored chunk) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChunkStored"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_recording_recording_id_chunks_seq: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Recording id */
                recording_id: string;
                /** @description The chunk's sequence number */
                seq: number;
            };
            cookie?: never;
        };
        /** @description The chunk bytes, of any media type */
        requestBody: {
            content: {
                "application/octet-stream": components["schemas"]["Binary"];
                "video/webm": components["schemas"]["Binary"];
            };
        };
        responses: {
            /** @description Stored (or a duplicate of a stored chunk) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChunkStored"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_recording_recording_id_download: {
        parameters: {
            query?: {
                /** @description Whose file (a participant user id); the first participant by default. */
                user?: string;
            };
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Recording id */
                recording_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file, in the recording's format */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "video/webm": components["schemas"]["Binary"];
                    "video/mp4": components["schemas"]["Binary"];
                    "video/x-matroska": components["schemas"]["Binary"];
                };
            };
            /** @description Partial content (Range) */
            206: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "video/webm": components["schemas"]["Binary"];
                    "video/mp4": components["schemas"]["Binary"];
                    "video/x-matroska": components["schemas"]["Binary"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_recording_recording_id_link: {
        parameters: {
            query?: {
                /** @description Whose file (a participant user id); the first participant by default. */
                user?: string;
                /** @description Seconds the link lasts: default 3600, clamped to 1 s..7 days. */
                expires_in?: number;
            };
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Recording id */
                recording_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The link */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LinkAnswer"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_recording_recording_id_status: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Recording id */
                recording_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The recording */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RecordingView"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_recording_recording_id_thumbnail: {
        parameters: {
            query?: {
                /** @description Whose file (a participant user id); the first participant by default. */
                user?: string;
            };
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Recording id */
                recording_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A JPEG */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "image/jpeg": components["schemas"]["Binary"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_recording_recording_id_upload_status: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Recording id */
                recording_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description What arrived */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UploadStatus"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_recording_recording_id_action: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Recording id */
                recording_id: string;
                /** @description What to do with the recording */
                action: "stop" | "pause" | "resume" | "cancel";
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The recording */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RecordingView"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_recordings: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The room's recordings */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RoomRecordings"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_recordings_start: {
        parameters: {
            query?: {
                /** @description The file format (`recording_format` is accepted too). */
                format?: components["schemas"]["Format"];
                /** @description Encoding quality. */
                quality?: components["schemas"]["Quality"];
                /** @description `server` (the default in SFU rooms) or `client`. */
                source?: components["schemas"]["Source"];
                /** @description `grid` or `speaker`, for a server recording. */
                layout?: components["schemas"]["Layout"];
            };
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        /** @description Optional; its fields win over the query's */
        requestBody?: {
            content: {
                "application/json": null | components["schemas"]["RecordingStartQuery"];
            };
        };
        responses: {
            /** @description The recording */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RecordingView"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    delete_webrtc_rooms_room_id_recordings_recording_id: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Recording id */
                recording_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The recording */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RecordingView"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_recordings_recording_id_chunks: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Recording id */
                recording_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["JsonChunk"];
            };
        };
        responses: {
            /** @description Stored (or a duplicate of a stored chunk) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChunkStored"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    put_webrtc_rooms_room_id_recordings_recording_id_chunks_seq: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Recording id */
                recording_id: string;
                /** @description The chunk's sequence number */
                seq: number;
            };
            cookie?: never;
        };
        /** @description The chunk bytes, of any media type */
        requestBody: {
            content: {
                "application/octet-stream": components["schemas"]["Binary"];
                "video/webm": components["schemas"]["Binary"];
            };
        };
        responses: {
            /** @description Stored (or a duplicate of a stored chunk) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChunkStored"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_recordings_recording_id_chunks_seq: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Recording id */
                recording_id: string;
                /** @description The chunk's sequence number */
                seq: number;
            };
            cookie?: never;
        };
        /** @description The chunk bytes, of any media type */
        requestBody: {
            content: {
                "application/octet-stream": components["schemas"]["Binary"];
                "video/webm": components["schemas"]["Binary"];
            };
        };
        responses: {
            /** @description Stored (or a duplicate of a stored chunk) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ChunkStored"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_recordings_recording_id_download: {
        parameters: {
            query?: {
                /** @description Whose file (a participant user id); the first participant by default. */
                user?: string;
            };
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Recording id */
                recording_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file, in the recording's format */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "video/webm": components["schemas"]["Binary"];
                    "video/mp4": components["schemas"]["Binary"];
                    "video/x-matroska": components["schemas"]["Binary"];
                };
            };
            /** @description Partial content (Range) */
            206: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "video/webm": components["schemas"]["Binary"];
                    "video/mp4": components["schemas"]["Binary"];
                    "video/x-matroska": components["schemas"]["Binary"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_recordings_recording_id_link: {
        parameters: {
            query?: {
                /** @description Whose file (a participant user id); the first participant by default. */
                user?: string;
                /** @description Seconds the link lasts: default 3600, clamped to 1 s..7 days. */
                expires_in?: number;
            };
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Recording id */
                recording_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The link */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["LinkAnswer"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_recordings_recording_id_status: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Recording id */
                recording_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The recording */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RecordingView"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_recordings_recording_id_thumbnail: {
        parameters: {
            query?: {
                /** @description Whose file (a participant user id); the first participant by default. */
                user?: string;
            };
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Recording id */
                recording_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A JPEG */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "image/jpeg": components["schemas"]["Binary"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_recordings_recording_id_upload_status: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Recording id */
                recording_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description What arrived */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["UploadStatus"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_recordings_recording_id_action: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description Recording id */
                recording_id: string;
                /** @description What to do with the recording */
                action: "stop" | "pause" | "resume" | "cancel";
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The recording */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RecordingView"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_roles_user_id: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description User id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The role */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RoleAnswer"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_roles_user_id: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description User id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RoleBody"];
            };
        };
        responses: {
            /** @description The role */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RoleAnswer"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_sessions: {
        parameters: {
            query?: {
                /**
                 * @description How many, newest first; each list has its own default and clamps
                 *     to 1..its maximum.
                 */
                limit?: number;
            };
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The sessions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SessionList"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_settings: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The room settings */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RoomSettings"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_settings: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["RoomSettingsPatch"];
            };
        };
        responses: {
            /** @description The room settings */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RoomSettings"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_state: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The room state */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["RoomStateView"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_rooms_room_id_waiting_room: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Who is waiting, oldest first */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WaitingList"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_waiting_room_admit_all: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description What was done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StatusAnswer"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_waiting_room_user_id_admit: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description User id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description What was done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StatusAnswer"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_waiting_room_user_id_reject: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description User id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description What was done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StatusAnswer"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    post_webrtc_rooms_room_id_waiting_room_user_id_return: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
                /** @description User id */
                user_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description What was done */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StatusAnswer"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_stats: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Totals */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Stats"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_webrtc_metrics: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Counters */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebrtcMetrics"];
                };
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
    get_webrtc_ws_room_id: {
        parameters: {
            query?: {
                /** @description The JWT, if not in Authorization */
                token?: string;
                /** @description Resume after this room sequence (replay) */
                last_sequence?: number;
            };
            header?: never;
            path: {
                /** @description Room id */
                room_id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Switching protocols; then JSON text frames */
            101: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            "4XX": components["responses"]["Error"];
            "5XX": components["responses"]["Error"];
        };
    };
}
