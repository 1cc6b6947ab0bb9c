//! The WebSocket connection: typed send, an event stream, automatic resume.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use reqwest::Url;
use signaling_core::UserId;
use signaling_core::protocol::{ChatReadReq, ChatSend, ReactionSend, ServerMessage, seq_of};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream, connect_async};

use crate::{ClientMessage, Error, RestClient, Result, encode};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Close codes after which reconnecting cannot help: a goodbye from the
/// server (1000), refusals (4401 token, 4403 forbidden or banned, 4404),
/// `SESSION_REPLACED` (4409: another connection of ours took the seat) and
/// a room closed by the operator (4410). The same list as the JavaScript
/// client's.
const FINAL_CLOSE_CODES: &[u16] = &[1000, 4401, 4403, 4404, 4409, 4410];

/// How to connect; [`Client::connect`] uses the defaults.
#[derive(Debug, Clone)]
pub struct Options {
    base_url: String,
    room: String,
    token: String,
    reconnect: bool,
    last_sequence: Option<u64>,
    first_backoff: Duration,
    max_backoff: Duration,
}

impl Options {
    /// Options for `room` on the server at `base_url` (`http://host:port`),
    /// authenticated with `token`: reconnecting, backoff up to 10 s.
    pub fn new(base_url: &str, room: &str, token: &str) -> Self {
        Options {
            base_url: base_url.trim_end_matches('/').to_owned(),
            room: room.to_owned(),
            token: token.to_owned(),
            reconnect: true,
            last_sequence: None,
            first_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(10),
        }
    }

    /// Whether a dropped connection is resumed (default `true`).
    pub fn reconnect(mut self, on: bool) -> Self {
        self.reconnect = on;
        self
    }

    /// Resume after this sequence number on the first connection too (a
    /// process that kept the number across a restart).
    pub fn last_sequence(mut self, seq: u64) -> Self {
        self.last_sequence = Some(seq);
        self
    }

    /// The wait before the first reconnection attempt (default 0.5 s),
    /// doubling after each failed one up to `max` (default 10 s); each wait
    /// varies by up to ±20 %.
    pub fn backoff(mut self, first: Duration, max: Duration) -> Self {
        self.first_backoff = first;
        self.max_backoff = max.max(first);
        self
    }

    fn ws_url(&self, last_sequence: Option<u64>) -> Result<Url> {
        let mut url = Url::parse(&self.base_url).map_err(|_| Error::Url(self.base_url.clone()))?;
        let scheme = match url.scheme() {
            "http" | "ws" => "ws",
            "https" | "wss" => "wss",
            _ => return Err(Error::Url(self.base_url.clone())),
        };
        url.set_scheme(scheme)
            .map_err(|_| Error::Url(self.base_url.clone()))?;
        url.path_segments_mut()
            .map_err(|_| Error::Url(self.base_url.clone()))?
            .pop_if_empty()
            .extend(["webrtc", "ws", &self.room]);
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("token", &self.token);
            if let Some(n) = last_sequence {
                q.append_pair("last_sequence", &n.to_string());
            }
        }
        Ok(url)
    }
}

/// What the event stream of a [`Client`] yields.
// Most events are messages, so boxing them would cost every event an
// allocation and every match a deref pattern.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Event {
    /// A server message. Replayed and live room events come once each:
    /// those whose `seq` was already seen are skipped.
    Message(ServerMessage),
    /// A frame this version of the crate cannot type (a newer server's
    /// message or error code), as JSON.
    Unknown(serde_json::Value),
    /// The connection dropped; the next attempt starts after `delay`.
    Reconnecting {
        /// 1 for the first attempt after a drop.
        attempt: u32,
        /// The wait before this attempt.
        delay: Duration,
        /// The close code the connection ended with, if any.
        close_code: Option<u16>,
    },
    /// A new connection is open, resuming after [`Client::last_sequence`];
    /// `reconnection-detected` (with the missed events) or
    /// `resync-required` (with a full `room-state`) follows.
    Reconnected,
    /// The connection ended for good: our goodbye, a refusal, or a close
    /// code after which reconnecting cannot help (see
    /// `docs/protocol.md`). No events follow.
    Closed {
        /// The close code, if any (1000 after [`Client::close`]).
        code: Option<u16>,
        /// The close reason, or why the client stopped.
        reason: String,
    },
}

enum Command {
    Send(String),
    Close,
    Drop,
}

#[derive(Default)]
struct Shared {
    last_sequence: AtomicU64,
    user_id: Mutex<Option<String>>,
}

/// A connection to one room. Dropping it without [`Client::close`] stops the
/// connection like a lost network (the server keeps the seat for its grace
/// period).
pub struct Client {
    commands: mpsc::UnboundedSender<Command>,
    events: mpsc::UnboundedReceiver<Event>,
    shared: Arc<Shared>,
    rest: RestClient,
}

impl Client {
    /// Connects to `room` on the server at `base_url` (`http://host:port`)
    /// with a JWT. Returns once the WebSocket is open; the first event is
    /// `room-state` (joined) or `waiting-room-join` (held in the waiting
    /// room). A refused handshake is [`Error::Api`] with the server's code
    /// (`INVALID_TOKEN`, `ROOM_ACCESS_DENIED`…).
    ///
    /// ```no_run
    /// # async fn run() -> rtc_client::Result<()> {
    /// let client = rtc_client::Client::connect("http://127.0.0.1:8080", "standup", "<jwt>").await?;
    /// # Ok(()) }
    /// ```
    pub async fn connect(base_url: &str, room: &str, token: &str) -> Result<Client> {
        Self::connect_with(Options::new(base_url, room, token)).await
    }

    /// Connects with [`Options`].
    ///
    /// ```no_run
    /// use rtc_client::{Client, Options};
    /// # async fn run() -> rtc_client::Result<()> {
    /// let opts = Options::new("http://127.0.0.1:8080", "standup", "<jwt>").reconnect(false);
    /// let client = Client::connect_with(opts).await?;
    /// # Ok(()) }
    /// ```
    pub async fn connect_with(options: Options) -> Result<Client> {
        let rest = RestClient::new(&options.base_url, &options.room, &options.token)?;
        let (ws, _) = connect_async(options.ws_url(options.last_sequence)?.as_str()).await?;
        let shared = Arc::new(Shared::default());
        if let Some(n) = options.last_sequence {
            shared.last_sequence.store(n, Ordering::SeqCst);
        }
        let (commands, command_rx) = mpsc::unbounded_channel();
        let (event_tx, events) = mpsc::unbounded_channel();
        let task = Task {
            options,
            commands: command_rx,
            events: event_tx,
            shared: shared.clone(),
            pending: Vec::new(),
        };
        tokio::spawn(task.run(ws));
        Ok(Client {
            commands,
            events,
            shared,
            rest,
        })
    }

    /// Sends a message. While the connection is being resumed, messages
    /// wait and go out once it is back. [`Error::Closed`] once the
    /// connection ended for good.
    ///
    /// ```no_run
    /// use rtc_client::{ClientMessage, protocol::HandRaiseReq};
    /// # fn run(client: &rtc_client::Client) -> rtc_client::Result<()> {
    /// client.send(&ClientMessage::HandRaise(HandRaiseReq { raised: true, target: None }))?;
    /// # Ok(()) }
    /// ```
    pub fn send(&self, message: &ClientMessage) -> Result<()> {
        self.send_text(encode(message))
    }

    /// Sends a chat message, to the room (or our breakout group), or
    /// privately to `to`. A malformed `to` is [`Error::Api`] with
    /// `INVALID_ID` and nothing is sent.
    ///
    /// ```no_run
    /// # fn run(client: &rtc_client::Client) -> rtc_client::Result<()> {
    /// client.send_chat("hello, room", None)?;
    /// client.send_chat("hello, bob", Some("bob"))?;
    /// # Ok(()) }
    /// ```
    pub fn send_chat(&self, text: &str, to: Option<&str>) -> Result<()> {
        let to = match to {
            Some(t) => Some(UserId::parse(t).map_err(|e| Error::Api {
                status: 400,
                code: e.code.as_str().to_owned(),
                message: e.message,
                retry_after: None,
            })?),
            None => None,
        };
        self.send(&ClientMessage::ChatMessage(ChatSend {
            message: text.to_owned(),
            to,
            reply_to: None,
        }))
    }

    /// Sends a chat message to the room that replies to message
    /// `reply_to` (the first message of its thread).
    pub fn send_reply(&self, text: &str, reply_to: &str) -> Result<()> {
        self.send(&ClientMessage::ChatMessage(ChatSend {
            message: text.to_owned(),
            to: None,
            reply_to: Some(reply_to.to_owned()),
        }))
    }

    /// Adds (`active`) or takes back reaction `emoji` on chat message
    /// `message_id`; everyone who can see the message gets `chat-reaction`.
    pub fn react_to_message(&self, message_id: &str, emoji: &str, active: bool) -> Result<()> {
        self.send(&ClientMessage::Reaction(ReactionSend {
            emoji: emoji.to_owned(),
            message_id: Some(message_id.to_owned()),
            active,
        }))
    }

    /// Marks the room's chat read up to message `message_id`; those who can
    /// see the message get `chat-read`.
    pub fn mark_read(&self, message_id: &str) -> Result<()> {
        self.send(&ClientMessage::ChatRead(ChatReadReq {
            message_id: message_id.to_owned(),
        }))
    }

    /// Sends a text frame as it is (for messages this crate does not type).
    pub fn send_text(&self, text: impl Into<String>) -> Result<()> {
        self.commands
            .send(Command::Send(text.into()))
            .map_err(|_| Error::Closed)
    }

    /// The next event; `None` after [`Event::Closed`].
    pub async fn next_event(&mut self) -> Option<Event> {
        self.events.recv().await
    }

    /// The next server message that `pick` maps to `Some`, within
    /// `timeout`; other events are dropped. [`Error::Closed`] if the
    /// connection ends first.
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use rtc_client::ServerMessage;
    /// # async fn run(client: &mut rtc_client::Client) -> rtc_client::Result<()> {
    /// let state = client
    ///     .wait_for(Duration::from_secs(5), |m| match m {
    ///         ServerMessage::RoomState(s) => Some(s),
    ///         _ => None,
    ///     })
    ///     .await?;
    /// println!("{} participants", state.participants.len());
    /// # Ok(()) }
    /// ```
    pub async fn wait_for<T>(
        &mut self,
        timeout: Duration,
        mut pick: impl FnMut(ServerMessage) -> Option<T>,
    ) -> Result<T> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let event = tokio::time::timeout_at(deadline, self.events.recv())
                .await
                .map_err(|_| Error::Timeout("a server message"))?;
            match event {
                Some(Event::Message(m)) => {
                    if let Some(t) = pick(m) {
                        return Ok(t);
                    }
                }
                Some(Event::Closed { .. }) | None => return Err(Error::Closed),
                Some(_) => {}
            }
        }
    }

    /// The highest `seq` seen (or the `last_sequence` of the latest
    /// `room-state`): a reconnection resumes after it.
    pub fn last_sequence(&self) -> u64 {
        self.shared.last_sequence.load(Ordering::SeqCst)
    }

    /// Our user id, once a `room-state` named it.
    pub fn user_id(&self) -> Option<String> {
        self.shared.user_id.lock().ok().and_then(|u| u.clone())
    }

    /// The REST calls of this room with this client's token.
    pub fn rest(&self) -> &RestClient {
        &self.rest
    }

    /// Says goodbye (close code 1000): others see `user-left` with reason
    /// `left` at once, and the client does not reconnect. Returns once the
    /// server has answered the close (or after 5 s).
    pub async fn close(mut self) {
        if self.commands.send(Command::Close).is_ok() {
            let wait = async {
                while let Some(e) = self.events.recv().await {
                    if matches!(e, Event::Closed { .. }) {
                        break;
                    }
                }
            };
            let _ = tokio::time::timeout(Duration::from_secs(5), wait).await;
        }
    }

    /// Cuts the connection without a close frame, as a lost network would;
    /// the client then resumes it like any drop. For tests and
    /// demonstrations.
    pub fn simulate_drop(&self) -> Result<()> {
        self.commands.send(Command::Drop).map_err(|_| Error::Closed)
    }
}

/// How a connection ended.
enum End {
    /// We said goodbye.
    Goodbye,
    /// The server or the network ended it (or we simulated that).
    Dropped(Option<u16>, String),
    /// The `Client` was dropped: stop quietly.
    Abandoned,
}

struct Task {
    options: Options,
    commands: mpsc::UnboundedReceiver<Command>,
    events: mpsc::UnboundedSender<Event>,
    shared: Arc<Shared>,
    /// Frames sent while no connection was open.
    pending: Vec<String>,
}

impl Task {
    async fn run(mut self, mut ws: Ws) {
        loop {
            let (code, reason) = match self.pump(&mut ws).await {
                End::Goodbye => {
                    let _ = self.events.send(Event::Closed {
                        code: Some(1000),
                        reason: "goodbye".into(),
                    });
                    return;
                }
                End::Abandoned => return,
                End::Dropped(code, reason) => (code, reason),
            };
            if !self.options.reconnect || code.is_some_and(|c| FINAL_CLOSE_CODES.contains(&c)) {
                let _ = self.events.send(Event::Closed { code, reason });
                return;
            }
            // Close the old socket before waiting: the server must see the drop.
            drop(ws);
            match self.reconnect(code).await {
                Ok(new) => ws = new,
                Err(end) => {
                    if let Some(e) = end {
                        let _ = self.events.send(e);
                    }
                    return;
                }
            }
        }
    }

    /// Reconnects with backoff until a connection opens (`Ok`), or the
    /// client says goodbye or is dropped, or the server refuses us
    /// (`Err` with the last event to send, if any).
    async fn reconnect(&mut self, close_code: Option<u16>) -> Result<Ws, Option<Event>> {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let delay = backoff(
                attempt,
                self.options.first_backoff,
                self.options.max_backoff,
            );
            let _ = self.events.send(Event::Reconnecting {
                attempt,
                delay,
                close_code,
            });
            let sleep = tokio::time::sleep(delay);
            tokio::pin!(sleep);
            loop {
                tokio::select! {
                    _ = &mut sleep => break,
                    cmd = self.commands.recv() => match cmd {
                        Some(Command::Send(text)) => self.pending.push(text),
                        Some(Command::Drop) => {}
                        Some(Command::Close) => {
                            return Err(Some(Event::Closed {
                                code: Some(1000),
                                reason: "goodbye while reconnecting".into(),
                            }));
                        }
                        None => return Err(None),
                    },
                }
            }
            let seq = self.shared.last_sequence.load(Ordering::SeqCst);
            let url = match self.options.ws_url(Some(seq)) {
                Ok(u) => u,
                Err(e) => return Err(Some(closed_by(&e))),
            };
            match connect_async(url.as_str()).await.map_err(Error::from) {
                Ok((ws, _)) => {
                    let _ = self.events.send(Event::Reconnected);
                    return Ok(ws);
                }
                // The server answered and refused: the token expired, we
                // were banned… Retrying cannot help.
                Err(e @ Error::Api { status, .. }) if (400..500).contains(&status) => {
                    return Err(Some(closed_by(&e)));
                }
                Err(_) => {}
            }
        }
    }

    /// Runs one connection until it ends.
    async fn pump(&mut self, ws: &mut Ws) -> End {
        for text in std::mem::take(&mut self.pending) {
            if ws.send(Message::Text(text.clone().into())).await.is_err() {
                self.pending.push(text);
                return End::Dropped(None, "send failed".into());
            }
        }
        loop {
            tokio::select! {
                frame = ws.next() => match frame {
                    Some(Ok(Message::Text(text))) => self.receive(&text),
                    Some(Ok(Message::Close(frame))) => {
                        let (code, reason) = frame
                            .map(|f| (Some(u16::from(f.code)), f.reason.to_string()))
                            .unwrap_or((None, String::new()));
                        // Let tungstenite answer the close, briefly.
                        let _ = tokio::time::timeout(Duration::from_secs(1), ws.next()).await;
                        return End::Dropped(code, reason);
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return End::Dropped(None, e.to_string()),
                    None => return End::Dropped(None, "connection closed".into()),
                },
                cmd = self.commands.recv() => match cmd {
                    Some(Command::Send(text)) => {
                        if ws.send(Message::Text(text.clone().into())).await.is_err() {
                            self.pending.push(text);
                            return End::Dropped(None, "send failed".into());
                        }
                    }
                    Some(Command::Close) => {
                        let bye = CloseFrame { code: CloseCode::Normal, reason: "bye".into() };
                        let _ = ws.close(Some(bye)).await;
                        // Wait for the server's close, so the leave has happened.
                        let drain = async { while let Some(Ok(_)) = ws.next().await {} };
                        let _ = tokio::time::timeout(Duration::from_secs(5), drain).await;
                        return End::Goodbye;
                    }
                    // The caller drops the socket: no close frame.
                    Some(Command::Drop) => return End::Dropped(None, "simulated drop".into()),
                    None => return End::Abandoned,
                },
            }
        }
    }

    /// Handles one text frame: skips a `seq` already seen, types it, emits it.
    fn receive(&mut self, text: &str) {
        if let Some(seq) = seq_of(text) {
            let last = self.shared.last_sequence.load(Ordering::SeqCst);
            if seq <= last {
                return; // a replayed event we already have
            }
            self.shared.last_sequence.store(seq, Ordering::SeqCst);
        }
        let event = match serde_json::from_str::<ServerMessage>(text) {
            Ok(m) => {
                if let ServerMessage::RoomState(state) = &m {
                    self.shared
                        .last_sequence
                        .fetch_max(state.last_sequence, Ordering::SeqCst);
                    if let Ok(mut u) = self.shared.user_id.lock() {
                        *u = Some(state.you.clone());
                    }
                }
                Event::Message(m)
            }
            Err(_) => match serde_json::from_str(text) {
                Ok(v) => Event::Unknown(v),
                Err(_) => return,
            },
        };
        let _ = self.events.send(event);
    }
}

fn closed_by(e: &Error) -> Event {
    Event::Closed {
        code: None,
        reason: e.to_string(),
    }
}

/// `first` doubling up to `max`, with up to ±20 % jitter.
fn backoff(attempt: u32, first: Duration, max: Duration) -> Duration {
    let base = first
        .saturating_mul(1u32 << attempt.saturating_sub(1).min(10))
        .min(max);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    // A jitter factor in [0.8, 1.2) from the clock's low bits.
    let factor = 0.8 + f64::from(nanos % 1000) / 2500.0;
    base.mul_f64(factor)
}
