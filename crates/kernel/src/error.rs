//! The one error-code table, shared by HTTP responses and WebSocket `error`
//! messages. Each code has a stable wire name, an HTTP status and a recovery
//! hint. Codes are never renamed; new ones are appended.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

macro_rules! codes {
    ($( $(#[$m:meta])* $variant:ident = ($name:literal, $status:literal, $hint:literal), )*) => {
        /// A stable, documented error code.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum ErrorCode {
            $( $(#[$m])* #[serde(rename = $name)] $variant, )*
        }

        impl ErrorCode {
            /// Every code, in table order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant),*];

            /// The wire name, e.g. `ROOM_FULL`.
            pub fn as_str(self) -> &'static str {
                match self { $(ErrorCode::$variant => $name,)* }
            }

            /// The HTTP status a REST response carries for this code.
            pub fn http_status(self) -> u16 {
                match self { $(ErrorCode::$variant => $status,)* }
            }

            /// What the client should do about it.
            pub fn hint(self) -> &'static str {
                match self { $(ErrorCode::$variant => $hint,)* }
            }
        }
    };
}

codes! {
    // Authentication
    /// No credentials were presented.
    Unauthorized = ("UNAUTHORIZED", 401, "Send a token as ?token= or an Authorization: Bearer header."),
    /// The token is malformed, forged, or uses the wrong algorithm.
    InvalidToken = ("INVALID_TOKEN", 401, "Obtain a new token from your application backend."),
    /// The token has expired.
    TokenExpired = ("TOKEN_EXPIRED", 401, "Refresh the token and reconnect."),
    /// The token's not-before time is in the future.
    TokenNotYetValid = ("TOKEN_NOT_YET_VALID", 401, "Check the clocks of the token issuer and this server."),
    /// The token is for a different room.
    RoomAccessDenied = ("ROOM_ACCESS_DENIED", 403, "Request a token for this room."),
    /// The caller lacks the role or permission for this action.
    PermissionDenied = ("PERMISSION_DENIED", 403, "Ask a host or moderator for the needed role or permission."),
    /// An admin API call without a valid API key.
    Forbidden = ("FORBIDDEN", 403, "Use a valid API key and secret."),
    /// A browser request or WebSocket upgrade from an origin that is not allowed.
    OriginNotAllowed = ("ORIGIN_NOT_ALLOWED", 403, "Serve the page from an origin listed in RTC_ALLOWED_ORIGINS."),
    // Rate limiting
    /// Too many actions of this kind in the current window.
    RateLimitExceeded = ("RATE_LIMIT_EXCEEDED", 429, "Wait retry_after seconds before trying again."),
    /// Too many WebSocket messages on this connection (its
    /// `websocket_message` bucket is empty).
    TooManyMessages = ("TOO_MANY_MESSAGES", 429, "Send fewer messages; batch ICE candidates where possible."),
    // Capacity
    /// The room has reached its participant limit.
    RoomFull = ("ROOM_FULL", 403, "Try again later or ask the host to raise max_participants."),
    /// This user or address holds too many WebSocket connections.
    TooManyConnections = ("TOO_MANY_CONNECTIONS", 429, "Close other tabs or devices first; the limits are per user and per address."),
    /// This instance holds as many WebSocket connections as it may
    /// (`RTC_MAX_CONNECTIONS`).
    MaxParticipantsReached = ("MAX_PARTICIPANTS_REACHED", 503, "The server is at capacity; try again later."),
    // Room state
    /// No such room.
    RoomNotFound = ("ROOM_NOT_FOUND", 404, "Check the room id; rooms exist while someone is in them."),
    /// The room is locked to new participants.
    RoomLocked = ("ROOM_LOCKED", 403, "Ask the host to unlock the room."),
    /// A room with this id exists already.
    RoomAlreadyExists = ("ROOM_ALREADY_EXISTS", 409, "Pick another room id, or join the existing room."),
    /// The room was closed.
    RoomClosed = ("ROOM_CLOSED", 410, "The meeting has ended."),
    // Participant
    /// The user is not a participant of the room.
    UserNotInRoom = ("USER_NOT_IN_ROOM", 404, "Refresh the participant list; the user may have left."),
    /// The user was banned from the room.
    UserBanned = ("USER_BANNED", 403, "You were removed from this room by a moderator."),
    /// The same user connected again; this connection was replaced.
    SessionReplaced = ("SESSION_REPLACED", 409, "Another connection with your identity joined; close this one."),
    /// The user was removed by a moderator.
    Kicked = ("KICKED", 403, "You were removed from this room by a moderator."),
    /// The user is waiting for admission.
    InWaitingRoom = ("IN_WAITING_ROOM", 403, "Wait for a moderator to admit you."),
    /// A moderator rejected the user from the waiting room.
    WaitingRoomRejected = ("WAITING_ROOM_REJECTED", 403, "A moderator declined your request to join."),
    /// The user is not in the waiting room.
    NotInWaitingRoom = ("NOT_IN_WAITING_ROOM", 404, "Refresh the waiting-room list."),
    // Media and signaling
    /// The SDP is missing, empty, too large, or not SDP.
    InvalidSdp = ("INVALID_SDP", 400, "Send the sdp string of an RTCSessionDescription."),
    /// The ICE candidate is malformed.
    InvalidIceCandidate = ("INVALID_ICE_CANDIDATE", 400, "Send candidate, sdpMid and sdpMLineIndex as the browser produced them."),
    /// The target is the sender itself.
    InvalidTarget = ("INVALID_TARGET", 400, "Address a message to another participant."),
    /// Screen sharing is disabled or not permitted.
    ScreenShareNotAllowed = ("SCREEN_SHARE_NOT_ALLOWED", 403, "Ask a moderator to allow screen sharing."),
    /// Publishing this media kind is not permitted.
    MediaNotAllowed = ("MEDIA_NOT_ALLOWED", 403, "Ask a moderator for publishing permission."),
    /// A subscription names a track the caller does not receive.
    TrackNotFound = ("TRACK_NOT_FOUND", 404, "Use a mid from the latest media-tracks message."),
    /// The message belongs to the other media mode of the room (`media-offer` in a mesh room).
    MediaModeMismatch = ("MEDIA_MODE_MISMATCH", 409, "Read `settings.media_mode` in room-state: mesh rooms use offer/answer between peers, sfu rooms media-offer/media-answer with the server."),
    // Protocol
    /// The frame is not valid JSON or misses required fields.
    InvalidMessage = ("INVALID_MESSAGE", 400, "Send a JSON object with a known type and its fields (see docs/protocol.md)."),
    /// The message type is not known.
    UnknownMessageType = ("UNKNOWN_MESSAGE_TYPE", 400, "Check the type against docs/protocol.md."),
    /// The message type exists but is sent only by the server, or is not accepted over this channel.
    UnsupportedMessageType = ("UNSUPPORTED_MESSAGE_TYPE", 400, "Use the REST endpoint for this action (see docs/protocol.md)."),
    /// The message or body is larger than allowed.
    MessageTooLarge = ("MESSAGE_TOO_LARGE", 413, "Send smaller messages; the limit is in GET /webrtc/config."),
    /// An identifier is malformed.
    InvalidId = ("INVALID_ID", 400, "Ids are 1-128 characters of A-Z a-z 0-9 _ - . @ : +"),
    /// A field has an invalid value.
    ValidationError = ("VALIDATION_ERROR", 422, "Correct the field named in the message."),
    /// The role name is not one of host, moderator, participant, viewer.
    InvalidRole = ("INVALID_ROLE", 422, "Use host, moderator, participant or viewer."),
    /// The action would leave the room without a host, or demote a more privileged user.
    RoleChangeNotAllowed = ("ROLE_CHANGE_NOT_ALLOWED", 403, "Only a host may change a host's or moderator's role."),
    // Chat and collaboration
    /// Chat is disabled in this room.
    ChatDisabled = ("CHAT_DISABLED", 403, "Ask a moderator to enable chat."),
    /// The chat message is empty after sanitizing.
    EmptyMessage = ("EMPTY_MESSAGE", 400, "Send some text."),
    /// The chat message is longer than allowed.
    MessageTooLong = ("MESSAGE_TOO_LONG", 400, "Shorten the message; the limit is in GET /webrtc/config."),
    /// No such breakout room.
    BreakoutRoomNotFound = ("BREAKOUT_ROOM_NOT_FOUND", 404, "Refresh the room state."),
    /// Too many breakout rooms.
    BreakoutLimitReached = ("BREAKOUT_LIMIT_REACHED", 409, "Close a breakout room first."),
    /// No such live stream.
    StreamNotFound = ("STREAM_NOT_FOUND", 404, "Refresh the list of live streams."),
    /// A live stream is already running.
    StreamAlreadyActive = ("STREAM_ALREADY_ACTIVE", 409, "Stop the running stream first."),
    /// The E2EE payload failed structural validation.
    InvalidE2eePayload = ("INVALID_E2EE_PAYLOAD", 400, "Send base64 key material within the documented size limits."),
    // File transfer
    /// No such transfer, or not visible to the caller.
    TransferNotFound = ("TRANSFER_NOT_FOUND", 404, "Check the transfer id; transfers expire after an hour."),
    /// The file is larger than allowed.
    FileTooLarge = ("FILE_TOO_LARGE", 413, "Send a smaller file; the limit is in GET /webrtc/config."),
    /// The user has too many transfers in progress.
    TooManyTransfers = ("TOO_MANY_TRANSFERS", 429, "Wait for a transfer to finish."),
    /// A chunk's SHA-256 did not match.
    ChunkChecksumMismatch = ("CHECKSUM_MISMATCH", 422, "Re-send the chunk; it was not stored."),
    /// The chunk index or size is wrong.
    InvalidChunk = ("INVALID_CHUNK", 400, "Check the chunk index and size against the transfer."),
    /// The assembled file's SHA-256 did not match the offer.
    FileChecksumMismatch = ("FILE_CHECKSUM_MISMATCH", 422, "Restart the transfer."),
    /// The transfer expired and its data is gone.
    TransferExpired = ("TRANSFER_EXPIRED", 410, "Offer the file again."),
    /// The requested byte range is outside the file.
    InvalidRange = ("RANGE_NOT_SATISFIABLE", 416, "Ask for a range within the file's size."),
    // Recording
    /// No such recording.
    RecordingNotFound = ("RECORDING_NOT_FOUND", 404, "Check the recording id."),
    /// Too many recordings are running.
    RecordingLimitReached = ("RECORDING_LIMIT_REACHED", 429, "Wait for a recording to finish."),
    /// A recording is already running in this room.
    RecordingAlreadyActive = ("RECORDING_ALREADY_ACTIVE", 409, "Stop the running recording first."),
    // Generic
    /// The action is not valid in the current state.
    InvalidStateTransition = ("INVALID_STATE_TRANSITION", 409, "Refresh the state and retry if still wanted."),
    /// Concurrent updates kept conflicting.
    Conflict = ("CONFLICT", 409, "Retry the request."),
    /// No such resource.
    NotFound = ("NOT_FOUND", 404, "Check the URL."),
    /// The path exists but not with this method.
    MethodNotAllowed = ("METHOD_NOT_ALLOWED", 405, "Use a method listed in the Allow header."),
    /// The connection was idle for too long.
    IdleTimeout = ("IDLE_TIMEOUT", 408, "Answer pings, or send {\"type\":\"ping\"} periodically."),
    /// A request body did not arrive within the body read timeout.
    RequestTimeout = ("REQUEST_TIMEOUT", 408, "Send the body faster, or in smaller chunks."),
    /// The client could not keep up with its messages.
    SlowConsumer = ("SLOW_CONSUMER", 503, "Reconnect; your network may be too slow for this room."),
    /// The shared state no longer holds this connection's seat (the state
    /// store lost its data); the connection is closed so the client joins again.
    SessionLost = ("SESSION_LOST", 503, "Reconnect: the server lost this session's state and will seat you again."),
    /// A backing service (Redis, MongoDB, storage) is unavailable.
    ServiceUnavailable = ("SERVICE_UNAVAILABLE", 503, "Retry shortly; the server recovers by itself."),
    /// An unexpected server error.
    InternalError = ("INTERNAL_ERROR", 500, "Retry; report the request id if it persists."),
    // Quotas (appended: codes are never reordered)
    /// Storing this would take the user or the room over its byte quota
    /// for recordings or transfers; nothing was stored.
    QuotaExceeded = ("QUOTA_EXCEEDED", 413, "Wait until your stored files expire or your recordings are processed, or send less."),
    /// Chunks of a transfer are accepted only after the receiver accepted it.
    TransferNotAccepted = ("TRANSFER_NOT_ACCEPTED", 409, "Wait for the file-share-accept message, then upload."),
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A domain error: a stable code plus a human-readable message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct SignalError {
    /// The stable code.
    pub code: ErrorCode,
    /// Detail for humans; not stable.
    pub message: String,
    /// Seconds to wait before retrying, for rate limits.
    pub retry_after: Option<u64>,
}

impl SignalError {
    /// An error with a code and message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        SignalError {
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// Shorthand for [`ErrorCode::PermissionDenied`].
    pub fn denied(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::PermissionDenied, message)
    }

    /// Shorthand for [`ErrorCode::ValidationError`].
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::ValidationError, message)
    }
}

/// What kind of failure a port reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PortErrorKind {
    /// The backing service cannot be reached or timed out.
    Unavailable,
    /// Stored data could not be decoded.
    Corrupt,
}

/// The error every port returns (room store, bus, histories, logs,
/// recording records, quotas…): a kind, a message, and the underlying
/// cause (a driver or decoding error) kept as [`std::error::Error::source`]
/// so logs can show the whole chain.
#[derive(Debug, Clone)]
pub struct PortError {
    kind: PortErrorKind,
    message: String,
    source: Option<Arc<dyn std::error::Error + Send + Sync + 'static>>,
}

impl PortError {
    /// The backing service cannot be reached or timed out.
    pub fn unavailable(message: impl Into<String>) -> Self {
        PortError {
            kind: PortErrorKind::Unavailable,
            message: message.into(),
            source: None,
        }
    }

    /// Stored data could not be decoded.
    pub fn corrupt(message: impl Into<String>) -> Self {
        PortError {
            kind: PortErrorKind::Corrupt,
            message: message.into(),
            source: None,
        }
    }

    /// Keeps `cause` as this error's source.
    pub fn with_source(mut self, cause: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Arc::new(cause));
        self
    }

    /// The kind of failure.
    pub fn kind(&self) -> PortErrorKind {
        self.kind
    }

    /// Whether the backing service was unavailable.
    pub fn is_unavailable(&self) -> bool {
        self.kind == PortErrorKind::Unavailable
    }

    /// The message, without the cause.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl std::fmt::Display for PortError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.kind {
            PortErrorKind::Unavailable => write!(f, "backend unavailable: {}", self.message),
            PortErrorKind::Corrupt => write!(f, "corrupt data: {}", self.message),
        }
    }
}

impl std::error::Error for PortError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// A port failure as the caller sees it: `SERVICE_UNAVAILABLE` or
/// `INTERNAL_ERROR`, with the message but not the cause (which may name
/// internal addresses; the server logs it).
impl From<PortError> for SignalError {
    fn from(e: PortError) -> Self {
        let code = match e.kind {
            PortErrorKind::Unavailable => ErrorCode::ServiceUnavailable,
            PortErrorKind::Corrupt => ErrorCode::InternalError,
        };
        SignalError::new(code, e.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn table_has_over_forty_unique_codes_with_hints() {
        assert!(ErrorCode::ALL.len() >= 40);
        let names: HashSet<_> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(names.len(), ErrorCode::ALL.len());
        for c in ErrorCode::ALL {
            assert!(!c.hint().is_empty());
            assert!((400..600).contains(&c.http_status()), "{c}");
            // The serde name is the documented name.
            assert_eq!(
                serde_json::to_string(c).unwrap(),
                format!("\"{}\"", c.as_str())
            );
        }
    }
}

#[cfg(test)]
mod doc_tests {
    use super::ErrorCode;

    #[test]
    fn docs_errors_md_lists_every_code() {
        let doc =
            std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/errors.md"))
                .unwrap();
        for c in ErrorCode::ALL {
            let row = format!("| `{}` | {} |", c.as_str(), c.http_status());
            assert!(doc.contains(&row), "docs/errors.md lacks {row}");
        }
    }
}

#[cfg(test)]
mod port_error_tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn a_port_error_keeps_its_cause_and_maps_to_a_code() {
        let cause = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let e = PortError::unavailable("redis GET").with_source(cause);
        assert_eq!(e.to_string(), "backend unavailable: redis GET");
        assert_eq!(
            e.source().map(|s| s.to_string()).as_deref(),
            Some("refused")
        );
        assert!(e.is_unavailable());
        let s: SignalError = e.clone().into();
        assert_eq!(s.code, ErrorCode::ServiceUnavailable);
        assert_eq!(s.message, "redis GET");
        let c: SignalError = PortError::corrupt("bad json").into();
        assert_eq!(c.code, ErrorCode::InternalError);
    }
}
