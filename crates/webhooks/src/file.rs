//! The durable single-process [`Outbox`]: one append-only JSON-lines log in
//! a directory, replayed into memory when opened.
//!
//! Every change is one line (a `Record`), written and `fsync`ed before the
//! operation returns, so an acknowledged append survives a crash. When the
//! log holds much more than the live state, it is compacted: the state is
//! written to `outbox.jsonl.tmp`, synced, and renamed over the log (then
//! the directory is synced), so a crash leaves either the old or the new
//! log, never a mix. A crash in the middle of a write leaves at most one
//! torn last line; opening drops it and truncates the file there.

use std::fs::{self, File, OpenOptions};
use std::io::{BufWriter, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use crate::ports::check_append;
use crate::state::{Record, State};
use crate::{DeadLetter, Due, Outbox, OutboxError, ReplayFrom, Retention, RoomState, WebhookEvent};

/// The log's file name inside the directory.
pub const LOG_FILE: &str = "outbox.jsonl";
/// The file whose exclusive lock (`flock`) the open outbox holds, so that a
/// second process on the same directory is refused ([`OutboxError::InUse`]).
/// A lock file of its own, since compaction renames the log.
pub const LOCK_FILE: &str = "outbox.lock";
const TMP_FILE: &str = "outbox.jsonl.tmp";
/// Compaction waits until the log has at least this many records and twice
/// as many as a snapshot would.
const COMPACT_MIN_RECORDS: usize = 4096;

/// An outbox kept in `dir/outbox.jsonl`.
///
/// One process at a time may open a directory: the open outbox holds an
/// exclusive lock on [`LOCK_FILE`] (released by the OS when the process
/// dies, even by SIGKILL), and a second open is refused with
/// [`OutboxError::InUse`]. Claims made by
/// [`next_due`](Outbox::next_due) live in memory only: after a restart
/// every pending head is due again at its recorded retry time.
#[derive(Clone)]
pub struct FileOutbox {
    inner: Arc<Mutex<FileLog>>,
}

impl std::fmt::Debug for FileOutbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileOutbox").finish_non_exhaustive()
    }
}

struct FileLog {
    state: State,
    dir: PathBuf,
    file: File,
    /// Bytes of complete records in the file.
    len: u64,
    /// Records in the file.
    records: usize,
    /// Set when a failed write could not be undone; every later write is
    /// refused until the outbox is reopened (which drops the torn tail).
    broken: Option<String>,
    /// Holds the directory's exclusive lock while the outbox is open.
    _lock: File,
}

fn io_err(what: &str, e: impl std::fmt::Display) -> OutboxError {
    OutboxError::Unavailable(format!("webhook outbox {what}: {e}"))
}

impl FileOutbox {
    /// Opens (creating if needed) the outbox in `dir` and reads its log
    /// back. A torn last line (a crash during a write) is dropped and cut
    /// off the file; any other undecodable line, or a record that cannot
    /// follow the ones before it (a sequence gap), is `Corrupt`. Blocking
    /// file I/O: call it at startup, or on a blocking thread.
    pub fn open(dir: impl AsRef<Path>, retention: Retention) -> Result<Self, OutboxError> {
        let dir = dir.as_ref().to_path_buf();
        fs::create_dir_all(&dir).map_err(|e| io_err("create dir", e))?;
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(LOCK_FILE))
            .map_err(|e| io_err("open lock file", e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Err(OutboxError::InUse(format!(
                    "{} is held by another process (its {LOCK_FILE} is locked): give each \
                     process its own directory (the server: RTC_DATA_DIR), or share Redis",
                    dir.display()
                )));
            }
            Err(fs::TryLockError::Error(e)) => return Err(io_err("lock", e)),
        }
        let path = dir.join(LOG_FILE);
        // A leftover temp file is a compaction that never got renamed: the
        // log itself is still complete.
        match fs::remove_file(dir.join(TMP_FILE)) {
            Ok(()) => tracing::warn!(dir = %dir.display(), "removed an unfinished compaction"),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err("remove temp file", e)),
        }
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(io_err("read", e)),
        };
        let mut state = State::new(retention);
        let (good, records) = load(&mut state, &bytes)?;
        state.check_complete()?;
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| io_err("open", e))?;
        if good < bytes.len() {
            tracing::warn!(
                path = %path.display(),
                dropped_bytes = bytes.len() - good,
                "dropping a torn last line of the webhook outbox"
            );
            file.set_len(good as u64)
                .and_then(|()| file.sync_all())
                .map_err(|e| io_err("truncate torn line", e))?;
        }
        Ok(FileOutbox {
            inner: Arc::new(Mutex::new(FileLog {
                state,
                dir,
                file,
                len: good as u64,
                records,
                broken: None,
                _lock: lock,
            })),
        })
    }

    /// Rewrites the log as a snapshot of the live state (done by itself
    /// when the log grows; public for operators and tests).
    pub async fn compact(&self) -> Result<(), OutboxError> {
        self.with(|l| l.compact()).await
    }

    /// Runs `f` on the log on the blocking pool (file I/O and fsync must
    /// not stall the async runtime). The lock is held for the whole
    /// operation, so records reach the file in the order they apply.
    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut FileLog) -> Result<T, OutboxError> + Send + 'static,
    ) -> Result<T, OutboxError> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || {
            let mut log = inner.lock().unwrap_or_else(|p| p.into_inner());
            f(&mut log)
        })
        .await
        .map_err(|e| io_err("task", e))?
    }
}

/// Applies every complete line; returns the length of the good prefix and
/// the number of records in it.
fn load(state: &mut State, bytes: &[u8]) -> Result<(usize, usize), OutboxError> {
    let (mut pos, mut records, mut line_no) = (0, 0, 0);
    while pos < bytes.len() {
        line_no += 1;
        let Some(nl) = bytes[pos..].iter().position(|&b| b == b'\n') else {
            break; // no newline: a torn write
        };
        let end = pos + nl + 1;
        let rec = match serde_json::from_slice::<Record>(&bytes[pos..pos + nl]) {
            Ok(rec) => rec,
            // The last line may be garbage after a crash (e.g. zero-filled).
            Err(_) if end == bytes.len() => break,
            Err(e) => {
                return Err(OutboxError::Corrupt(format!(
                    "{LOG_FILE} line {line_no}: {e}"
                )));
            }
        };
        state.apply(&rec)?;
        records += 1;
        pos = end;
    }
    Ok((pos, records))
}

impl FileLog {
    /// Appends and syncs `recs`, then applies them.
    fn commit(&mut self, recs: &[Record]) -> Result<(), OutboxError> {
        if let Some(why) = &self.broken {
            return Err(io_err("write", format!("disabled after {why}; reopen")));
        }
        let mut buf = Vec::new();
        for r in recs {
            serde_json::to_writer(&mut buf, r).map_err(|e| io_err("encode", e))?;
            buf.push(b'\n');
        }
        if let Err(e) = self
            .file
            .write_all(&buf)
            .and_then(|()| self.file.sync_data())
        {
            // Cut off whatever part of the line made it, so the next record
            // does not follow garbage.
            if let Err(e2) = self
                .file
                .set_len(self.len)
                .and_then(|()| self.file.sync_data())
            {
                self.broken = Some(format!("{e}, then {e2}"));
            }
            return Err(io_err("write", e));
        }
        self.len += buf.len() as u64;
        self.records += recs.len();
        for r in recs {
            self.state.apply(r)?;
        }
        if self.records >= COMPACT_MIN_RECORDS
            && self.records > 2 * self.state.live_records()
            && let Err(e) = self.compact()
        {
            tracing::warn!(error = %e, "webhook outbox compaction failed; the log stays as is");
        }
        Ok(())
    }

    fn compact(&mut self) -> Result<(), OutboxError> {
        let tmp = self.dir.join(TMP_FILE);
        let path = self.dir.join(LOG_FILE);
        let (len, records) = {
            let f = File::create(&tmp).map_err(|e| io_err("compact", e))?;
            let mut w = BufWriter::new(f);
            let (mut len, mut records) = (0u64, 0usize);
            for r in self.state.snapshot() {
                let line = serde_json::to_vec(&r).map_err(|e| io_err("encode", e))?;
                w.write_all(&line)
                    .and_then(|()| w.write_all(b"\n"))
                    .map_err(|e| io_err("compact", e))?;
                len += line.len() as u64 + 1;
                records += 1;
            }
            let f = w.into_inner().map_err(|e| io_err("compact", e.error()))?;
            f.sync_all().map_err(|e| io_err("compact", e))?;
            (len, records)
        };
        fs::rename(&tmp, &path).map_err(|e| io_err("compact rename", e))?;
        // The rename itself must be durable before the old log is gone for good.
        File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| io_err("sync dir", e))?;
        self.file = OpenOptions::new()
            .append(true)
            .open(&path)
            .map_err(|e| io_err("reopen", e))?;
        self.len = len;
        self.records = records;
        self.broken = None;
        tracing::debug!(records, "webhook outbox compacted");
        Ok(())
    }
}

#[async_trait]
impl Outbox for FileOutbox {
    async fn append(
        &self,
        room_id: &str,
        event: &str,
        data: serde_json::Value,
        now_ms: i64,
    ) -> Result<WebhookEvent, OutboxError> {
        check_append(room_id, event)?;
        let (room_id, event) = (room_id.to_owned(), event.to_owned());
        self.with(move |l| {
            let ev = l.state.next_event(&room_id, &event, data, now_ms);
            let dropped = l.state.dropped_count();
            l.commit(&[Record::Append { event: ev.clone() }])?;
            crate::warn_dropped(&room_id, l.state.dropped_count() - dropped);
            Ok(ev)
        })
        .await
    }

    async fn next_due(
        &self,
        now_ms: i64,
        limit: usize,
        lease_ms: i64,
    ) -> Result<Vec<Due>, OutboxError> {
        self.with(move |l| Ok(l.state.next_due(now_ms, limit, lease_ms)))
            .await
    }

    async fn delivered(&self, room_id: &str, seq: u64, now_ms: i64) -> Result<bool, OutboxError> {
        let room = room_id.to_owned();
        self.with(move |l| {
            if !l.state.is_head(&room, seq) {
                return Ok(false);
            }
            l.commit(&[Record::Delivered {
                room,
                seq,
                at: now_ms,
            }])?;
            Ok(true)
        })
        .await
    }

    async fn retry_later(
        &self,
        room_id: &str,
        seq: u64,
        attempts: u32,
        next_attempt_ms: i64,
    ) -> Result<bool, OutboxError> {
        let room = room_id.to_owned();
        self.with(move |l| {
            if !l.state.is_head(&room, seq) {
                return Ok(false);
            }
            l.commit(&[Record::Retry {
                room,
                seq,
                attempts,
                next_at: next_attempt_ms,
            }])?;
            Ok(true)
        })
        .await
    }

    async fn dead_letter(
        &self,
        room_id: &str,
        seq: u64,
        attempts: u32,
        error: &str,
        now_ms: i64,
    ) -> Result<bool, OutboxError> {
        let (room, error) = (room_id.to_owned(), error.to_owned());
        self.with(move |l| {
            if !l.state.is_head(&room, seq) {
                return Ok(false);
            }
            l.commit(&[Record::Dead {
                room,
                seq,
                attempts,
                error,
                at: now_ms,
            }])?;
            Ok(true)
        })
        .await
    }

    async fn dead_letters(&self, limit: usize) -> Result<Vec<DeadLetter>, OutboxError> {
        self.with(move |l| Ok(l.state.dead_letters(limit))).await
    }

    async fn dead_letter_count(&self) -> Result<u64, OutboxError> {
        self.with(|l| Ok(l.state.dead_count())).await
    }

    async fn requeue_dead(
        &self,
        id: &str,
        _now_ms: i64,
    ) -> Result<Option<WebhookEvent>, OutboxError> {
        let id = id.to_owned();
        self.with(move |l| {
            let Some(event) = l.state.plan_revive(&id) else {
                return Ok(None);
            };
            l.commit(&[Record::Revive {
                event: event.clone(),
            }])?;
            Ok(Some(event))
        })
        .await
    }

    async fn replay(
        &self,
        room_id: Option<&str>,
        from: ReplayFrom,
        now_ms: i64,
    ) -> Result<u64, OutboxError> {
        let room = room_id.map(str::to_owned);
        self.with(move |l| {
            let plan = l.state.plan_replay(room.as_deref(), from, now_ms);
            if plan.is_empty() {
                return Ok(0);
            }
            let total = plan.iter().map(|(_, n)| n).sum();
            let recs: Vec<Record> = plan.into_iter().map(|(r, _)| r).collect();
            l.commit(&recs)?;
            Ok(total)
        })
        .await
    }

    async fn pending_count(&self) -> Result<u64, OutboxError> {
        self.with(|l| Ok(l.state.pending_count())).await
    }

    async fn dropped_count(&self) -> Result<u64, OutboxError> {
        self.with(|l| Ok(l.state.dropped_count())).await
    }

    async fn room_state(&self, room_id: &str) -> Result<Option<RoomState>, OutboxError> {
        let room = room_id.to_owned();
        self.with(move |l| Ok(l.state.room_state(&room))).await
    }
}
