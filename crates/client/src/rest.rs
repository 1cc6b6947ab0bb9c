//! REST helpers: chat history, file transfers through the server, recordings.

use std::time::Duration;

use recording::{Format, Quality};
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use signaling_core::protocol::{ChatRecord, RecordingView};

use crate::{Error, Result};

/// The lowercase hex SHA-256 of `bytes`, as the transfer API wants it.
///
/// ```
/// assert_eq!(
///     rtc_client::sha256_hex(b"abc"),
///     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
/// );
/// ```
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One page of chat history (`GET …/chat`), newest first.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct ChatPage {
    /// The messages, newest first.
    pub messages: Vec<ChatRecord>,
    /// Pass as `before` for the next (older) page; `None` on the last page.
    #[serde(default)]
    pub next_cursor: Option<String>,
}

/// A file transfer as its parties see it: the client-side view of the
/// server's transfer record (which lives in the `file-transfer` crate, with
/// storage I/O a client does not need). Fields it does not name are kept
/// in `extra`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Transfer {
    /// Id (a UUID).
    pub transfer_id: String,
    /// Who sends.
    pub sender: String,
    /// Who receives.
    pub receiver: String,
    /// File name.
    pub file_name: String,
    /// Size in bytes.
    pub file_size: u64,
    /// Hex SHA-256 of the whole file.
    #[serde(default)]
    pub sha256: Option<String>,
    /// Chunk size in bytes.
    pub chunk_size: u64,
    /// Number of chunks.
    pub total_chunks: u64,
    /// `pending`, `active`, `paused`, `completed`, `rejected`, `cancelled`
    /// or `failed`.
    pub state: String,
    /// Chunks stored so far.
    #[serde(default)]
    pub received_chunks: u64,
    /// Everything else the server sent (`mode`, times, `progress_percent`…).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, Value>,
}

impl Transfer {
    /// Whether the transfer can no longer make progress without being
    /// completed: rejected, cancelled or failed.
    pub fn has_ended_unfinished(&self) -> bool {
        matches!(self.state.as_str(), "rejected" | "cancelled" | "failed")
    }
}

/// The answer to a transfer chunk upload.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ChunkAck {
    /// The chunk's index.
    pub index: u64,
    /// True when the chunk was already stored (nothing was written).
    pub duplicate: bool,
    /// Chunks stored so far.
    pub received_chunks: u64,
    /// Chunks in the file.
    pub total_chunks: u64,
    /// The transfer's state (`completed` after the last chunk).
    pub state: String,
}

/// What a transfer still lacks (`GET …/missing`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Missing {
    /// Indexes of the chunks not stored yet.
    pub missing: Vec<u64>,
    /// Chunks in the file.
    pub total_chunks: u64,
    /// Chunk size in bytes.
    pub chunk_size: u64,
}

/// The answer to a recording chunk upload.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RecordingChunkAck {
    /// The chunk's sequence number.
    pub sequence: u64,
    /// True when the same bytes were already stored under this number.
    pub duplicate: bool,
}

/// A link to a processed recording (`GET …/link`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct RecordingLink {
    /// The URL (presigned, or the server's signed `/webrtc/links/…`).
    pub url: String,
    /// Seconds it stays valid.
    pub expires_in: u64,
}

/// The REST API of one room, with one token.
///
/// ```no_run
/// # async fn run() -> rtc_client::Result<()> {
/// let rest = rtc_client::RestClient::new("http://127.0.0.1:8080", "standup", "<jwt>")?;
/// let page = rest.chat_history(Some(20), None).await?;
/// for m in &page.messages {
///     println!("{}: {}", m.from, m.message);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct RestClient {
    http: reqwest::Client,
    base: Url,
    room: String,
    token: String,
}

impl RestClient {
    /// A client for `room` on the server at `base_url` (`http://host:port`).
    pub fn new(base_url: &str, room: &str, token: &str) -> Result<Self> {
        let base = Url::parse(base_url).map_err(|_| Error::Url(base_url.to_owned()))?;
        if !matches!(base.scheme(), "http" | "https") {
            return Err(Error::Url(base_url.to_owned()));
        }
        Ok(RestClient {
            http: reqwest::Client::new(),
            base,
            room: room.to_owned(),
            token: token.to_owned(),
        })
    }

    /// The room this client calls.
    pub fn room(&self) -> &str {
        &self.room
    }

    fn url(&self, path: &str) -> Result<Url> {
        self.base
            .join(path)
            .map_err(|_| Error::Url(format!("{}{path}", self.base)))
    }

    fn room_path(&self, rest: &str) -> String {
        format!("/webrtc/rooms/{}{rest}", self.room)
    }

    fn request(&self, method: Method, path: &str) -> Result<reqwest::RequestBuilder> {
        Ok(self
            .http
            .request(method, self.url(path)?)
            .bearer_auth(&self.token))
    }

    async fn answer(r: reqwest::RequestBuilder) -> Result<reqwest::Response> {
        let r = r.send().await?;
        if r.status().is_success() {
            return Ok(r);
        }
        let status = r.status().as_u16();
        let body = r.bytes().await?;
        Err(Error::from_body(status, &body))
    }

    async fn json<T: DeserializeOwned>(r: reqwest::RequestBuilder) -> Result<T> {
        let bytes = Self::answer(r).await?.bytes().await?;
        Ok(serde_json::from_slice(&bytes)?)
    }

    /// Any call with the token: `path` from the server root (for example
    /// `/webrtc/rooms/standup/participants`), an optional JSON body; the
    /// answer as JSON (`null` when empty).
    ///
    /// ```no_run
    /// # async fn run(rest: &rtc_client::RestClient) -> rtc_client::Result<()> {
    /// let queue = rest.api(reqwest::Method::GET, "/webrtc/rooms/standup/hand-raise/queue", None).await?;
    /// # Ok(()) }
    /// ```
    pub async fn api(&self, method: Method, path: &str, body: Option<Value>) -> Result<Value> {
        let mut r = self.request(method, path)?;
        if let Some(b) = body {
            r = r.json(&b);
        }
        let bytes = Self::answer(r).await?.bytes().await?;
        if bytes.is_empty() {
            return Ok(Value::Null);
        }
        Ok(serde_json::from_slice(&bytes)?)
    }

    // ---- chat ----

    /// One page of chat history, newest first: up to `limit` messages
    /// (server default 50) older than the cursor `before`.
    pub async fn chat_history(&self, limit: Option<u32>, before: Option<&str>) -> Result<ChatPage> {
        self.chat_page("/chat", None, limit, before).await
    }

    /// One page of a thread, newest first: message `root` and the replies
    /// to it that we may see.
    pub async fn chat_thread(
        &self,
        root: &str,
        limit: Option<u32>,
        before: Option<&str>,
    ) -> Result<ChatPage> {
        self.chat_page("/chat", Some(("thread", root)), limit, before)
            .await
    }

    /// One page of the messages visible to us whose text contains `query`
    /// (ignoring case), newest first.
    pub async fn search_chat(
        &self,
        query: &str,
        limit: Option<u32>,
        before: Option<&str>,
    ) -> Result<ChatPage> {
        self.chat_page("/chat/search", Some(("q", query)), limit, before)
            .await
    }

    /// A page of the room's chat at `path`, with one more query pair.
    async fn chat_page(
        &self,
        path: &str,
        pair: Option<(&str, &str)>,
        limit: Option<u32>,
        before: Option<&str>,
    ) -> Result<ChatPage> {
        let mut url = self.url(&self.room_path(path))?;
        {
            let mut q = url.query_pairs_mut();
            if let Some((k, v)) = pair {
                q.append_pair(k, v);
            }
            if let Some(l) = limit {
                q.append_pair("limit", &l.to_string());
            }
            if let Some(b) = before {
                q.append_pair("before", b);
            }
        }
        Self::json(self.http.get(url).bearer_auth(&self.token)).await
    }

    /// Every stored message visible to us, newest first, fetched in pages
    /// of `page_size`.
    pub async fn chat_history_all(&self, page_size: u32) -> Result<Vec<ChatRecord>> {
        let mut all = Vec::new();
        let mut before: Option<String> = None;
        loop {
            let page = self
                .chat_history(Some(page_size), before.as_deref())
                .await?;
            all.extend(page.messages);
            match page.next_cursor {
                Some(c) => before = Some(c),
                None => return Ok(all),
            }
        }
    }

    // ---- file transfers ----

    fn transfer_path(&self, id: &str, rest: &str) -> String {
        self.room_path(&format!("/file-transfer/{id}{rest}"))
    }

    /// Offers `bytes` to `receiver` as `file_name` (server mode), in chunks
    /// of `chunk_size` (server default 64 KiB). The receiver gets
    /// `file-share-offer`.
    pub async fn offer_file(
        &self,
        receiver: &str,
        file_name: &str,
        bytes: &[u8],
        chunk_size: Option<u64>,
    ) -> Result<Transfer> {
        let mut body = json!({
            "receiver": receiver,
            "file_name": file_name,
            "file_size": bytes.len(),
            "file_type": "application/octet-stream",
            "sha256": sha256_hex(bytes),
            "mode": "server",
        });
        if let Some(c) = chunk_size {
            body["chunk_size"] = c.into();
        }
        Self::json(
            self.request(Method::POST, &self.room_path("/file-transfer/offer"))?
                .json(&body),
        )
        .await
    }

    /// The transfer with its progress.
    pub async fn transfer(&self, id: &str) -> Result<Transfer> {
        Self::json(self.request(Method::GET, &self.transfer_path(id, "/progress"))?).await
    }

    /// Accepts an offered file (receiver only).
    pub async fn accept_transfer(&self, id: &str) -> Result<Transfer> {
        Self::json(self.request(Method::POST, &self.transfer_path(id, "/accept"))?).await
    }

    /// Declines an offered file (receiver only).
    pub async fn reject_transfer(&self, id: &str) -> Result<Transfer> {
        Self::json(self.request(Method::POST, &self.transfer_path(id, "/reject"))?).await
    }

    /// Cancels a transfer (either party); its stored chunks are deleted.
    pub async fn cancel_transfer(&self, id: &str) -> Result<Value> {
        self.api(Method::DELETE, &self.transfer_path(id, ""), None)
            .await
    }

    /// Waits until the receiver accepted (polling the transfer every
    /// 200 ms); [`Error::TransferEnded`] if they declined or it was
    /// cancelled, [`Error::Timeout`] after `timeout`.
    pub async fn wait_for_accept(&self, id: &str, timeout: Duration) -> Result<Transfer> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let t = self.transfer(id).await?;
            if t.has_ended_unfinished() {
                return Err(Error::TransferEnded {
                    id: id.to_owned(),
                    state: t.state,
                });
            }
            if t.state != "pending" {
                return Ok(t);
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(Error::Timeout("the receiver's accept"));
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Uploads chunk `index` of the file, with its SHA-256 (the server
    /// stores only a chunk whose bytes match it).
    pub async fn upload_chunk(&self, id: &str, index: u64, chunk: &[u8]) -> Result<ChunkAck> {
        Self::json(
            self.request(
                Method::PUT,
                &self.transfer_path(id, &format!("/chunks/{index}")),
            )?
            .header("x-chunk-sha256", sha256_hex(chunk))
            .body(chunk.to_vec()),
        )
        .await
    }

    /// The chunks the server still lacks.
    pub async fn missing_chunks(&self, id: &str) -> Result<Missing> {
        Self::json(self.request(Method::GET, &self.transfer_path(id, "/missing"))?).await
    }

    /// Uploads the chunks of `bytes` the server still lacks (after an
    /// interruption, or all of them the first time); returns the last
    /// acknowledgement (`state: "completed"` once the file is whole), or
    /// `None` when nothing was missing.
    pub async fn resume_upload(&self, id: &str, bytes: &[u8]) -> Result<Option<ChunkAck>> {
        let missing = self.missing_chunks(id).await?;
        let size = usize::try_from(missing.chunk_size.max(1)).unwrap_or(usize::MAX);
        let mut last = None;
        for index in missing.missing {
            let start = usize::try_from(index)
                .unwrap_or(usize::MAX)
                .saturating_mul(size);
            let chunk = bytes
                .get(start..bytes.len().min(start.saturating_add(size)))
                .unwrap_or_default();
            last = Some(self.upload_chunk(id, index, chunk).await?);
        }
        Ok(last)
    }

    /// Sends a file through the server: offers it, waits up to
    /// `accept_timeout` for the receiver's accept, uploads every chunk.
    /// Returns the transfer once complete.
    ///
    /// ```no_run
    /// # async fn run(rest: &rtc_client::RestClient) -> rtc_client::Result<()> {
    /// let bytes = std::fs::read("report.pdf").unwrap();
    /// let t = rest
    ///     .send_file("bob", "report.pdf", &bytes, std::time::Duration::from_secs(60))
    ///     .await?;
    /// assert_eq!(t.state, "completed");
    /// # Ok(()) }
    /// ```
    pub async fn send_file(
        &self,
        receiver: &str,
        file_name: &str,
        bytes: &[u8],
        accept_timeout: Duration,
    ) -> Result<Transfer> {
        let offered = self.offer_file(receiver, file_name, bytes, None).await?;
        self.wait_for_accept(&offered.transfer_id, accept_timeout)
            .await?;
        self.resume_upload(&offered.transfer_id, bytes).await?;
        self.transfer(&offered.transfer_id).await
    }

    /// Downloads a completed file and checks its SHA-256 against the
    /// sender's ([`Error::Checksum`] when they differ).
    pub async fn download_file(&self, id: &str) -> Result<Vec<u8>> {
        let t = self.transfer(id).await?;
        let r =
            Self::answer(self.request(Method::GET, &self.transfer_path(id, "/download"))?).await?;
        let bytes = r.bytes().await?.to_vec();
        let actual = sha256_hex(&bytes);
        match t.sha256 {
            Some(expected) if !expected.eq_ignore_ascii_case(&actual) => {
                Err(Error::Checksum { expected, actual })
            }
            _ => Ok(bytes),
        }
    }

    /// The caller's transfers (as sender or receiver), newest first.
    pub async fn transfers(&self) -> Result<Vec<Transfer>> {
        #[derive(Deserialize)]
        struct List {
            transfers: Vec<Transfer>,
        }
        let l: List = Self::json(self.request(Method::GET, "/webrtc/file-transfers")?).await?;
        Ok(l.transfers)
    }

    // ---- recordings ----

    fn recording_path(&self, id: &str, rest: &str) -> String {
        self.room_path(&format!("/recordings/{id}{rest}"))
    }

    /// Starts a recording of the room (`can_record`; server defaults webm
    /// and medium).
    ///
    /// ```no_run
    /// use rtc_client::protocol::{Format, Quality};
    /// # async fn run(rest: &rtc_client::RestClient) -> rtc_client::Result<()> {
    /// let rec = rest.start_recording(Some(Format::Webm), Some(Quality::High)).await?;
    /// let id = rec.recording.recording_id;
    /// rest.upload_recording_chunk(&id, 0, &std::fs::read("chunk-0.webm").unwrap()).await?;
    /// rest.stop_recording(&id).await?;
    /// # Ok(()) }
    /// ```
    pub async fn start_recording(
        &self,
        format: Option<Format>,
        quality: Option<Quality>,
    ) -> Result<RecordingView> {
        let mut body = serde_json::Map::new();
        if let Some(f) = format {
            body.insert("format".into(), serde_json::to_value(f)?);
        }
        if let Some(q) = quality {
            body.insert("quality".into(), serde_json::to_value(q)?);
        }
        Self::json(
            self.request(Method::POST, &self.room_path("/recordings/start"))?
                .json(&body),
        )
        .await
    }

    async fn recording_action(&self, id: &str, action: &str) -> Result<RecordingView> {
        Self::json(self.request(
            Method::POST,
            &self.recording_path(id, &format!("/{action}")),
        )?)
        .await
    }

    /// Stops a recording; processing starts (`processing`, then
    /// `completed` or `failed`).
    pub async fn stop_recording(&self, id: &str) -> Result<RecordingView> {
        self.recording_action(id, "stop").await
    }

    /// Pauses a recording (chunks are refused while paused).
    pub async fn pause_recording(&self, id: &str) -> Result<RecordingView> {
        self.recording_action(id, "pause").await
    }

    /// Resumes a paused recording.
    pub async fn resume_recording(&self, id: &str) -> Result<RecordingView> {
        self.recording_action(id, "resume").await
    }

    /// Cancels a recording; its chunks are deleted.
    pub async fn cancel_recording(&self, id: &str) -> Result<RecordingView> {
        Self::json(self.request(Method::DELETE, &self.recording_path(id, ""))?).await
    }

    /// A recording's state, with its `outputs` once completed.
    pub async fn recording_status(&self, id: &str) -> Result<RecordingView> {
        Self::json(self.request(Method::GET, &self.recording_path(id, "/status"))?).await
    }

    /// The room's recordings.
    pub async fn recordings(&self) -> Result<Vec<RecordingView>> {
        #[derive(Deserialize)]
        struct List {
            recordings: Vec<RecordingView>,
        }
        let l: List =
            Self::json(self.request(Method::GET, &self.room_path("/recordings"))?).await?;
        Ok(l.recordings)
    }

    /// Uploads one media chunk (MediaRecorder bytes) under `sequence`;
    /// chunks may come in any order, and a repeat with the same bytes is a
    /// `duplicate`.
    pub async fn upload_recording_chunk(
        &self,
        id: &str,
        sequence: u64,
        bytes: &[u8],
    ) -> Result<RecordingChunkAck> {
        Self::json(
            self.request(
                Method::PUT,
                &self.recording_path(id, &format!("/chunks/{sequence}")),
            )?
            .header("content-type", "application/octet-stream")
            .body(bytes.to_vec()),
        )
        .await
    }

    /// Who uploaded which chunks (`{"status","participants":{…},"outputs"}`).
    pub async fn recording_upload_status(&self, id: &str) -> Result<Value> {
        self.api(
            Method::GET,
            &self.recording_path(id, "/upload-status"),
            None,
        )
        .await
    }

    /// A link to a processed recording's file: `user`'s file (default the
    /// first participant's), valid for `expires_in` seconds (server default
    /// 3600).
    pub async fn recording_link(
        &self,
        id: &str,
        user: Option<&str>,
        expires_in: Option<u64>,
    ) -> Result<RecordingLink> {
        let mut url = self.url(&self.recording_path(id, "/link"))?;
        {
            let mut q = url.query_pairs_mut();
            if let Some(u) = user {
                q.append_pair("user", u);
            }
            if let Some(e) = expires_in {
                q.append_pair("expires_in", &e.to_string());
            }
        }
        Self::json(self.http.get(url).bearer_auth(&self.token)).await
    }
}
