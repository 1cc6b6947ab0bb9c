//! [`FileChatSpool`]: the chat outbox's spool as an fsynced local log, for
//! a server without Redis, so that chat acknowledged while MongoDB is away
//! survives a crash or a deploy of the process.
//!
//! The log `RTC_DATA_DIR/chat-outbox/spool.jsonl` holds one JSON line per
//! change (push, pop, replace, remove), written and `fsync`ed before the
//! change returns; opening replays it. A crash mid-write leaves at most a
//! torn last line, which opening drops; any other bad line is refused
//! (`Corrupt`), never guessed at. When the spool drains the log is
//! truncated; a log much longer than what waits is rewritten (to a temp
//! file, synced, renamed over the log). One process per directory: the
//! open spool holds an exclusive lock on `spool.lock`.

use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use signaling_core::memory::SpoolQueue;
use signaling_core::ports::ChatSpool;
use signaling_core::protocol::ChatRecord;
use signaling_core::{PortError, RoomId};

/// The log's file name inside the directory.
pub const LOG_FILE: &str = "spool.jsonl";
/// The lock file the open spool holds.
pub const LOCK_FILE: &str = "spool.lock";
const TMP_FILE: &str = "spool.jsonl.tmp";
/// A rewrite waits until the log has this many records and twice as many
/// as wait.
const REWRITE_MIN_RECORDS: usize = 4096;
/// How long opening waits for the lock: a restarted server may race its
/// predecessor's exit; a second live process is refused after it.
const LOCK_WAIT: Duration = Duration::from_secs(5);

#[derive(Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum Change {
    Push { record: ChatRecord },
    Pop { id: String },
    Replace { record: ChatRecord },
    Remove { room: String, id: String },
}

/// See the module documentation.
#[derive(Clone)]
pub struct FileChatSpool {
    inner: Arc<Mutex<Log>>,
}

struct Log {
    queue: SpoolQueue,
    dir: PathBuf,
    file: File,
    len: u64,
    records: usize,
    /// Set when the file can no longer be trusted to hold what is written
    /// (a failed undo of a torn write, a failed reopen after a rewrite):
    /// every later change is refused, so nothing is acknowledged that
    /// would not survive. Reopening (a restart) repairs it.
    broken: Option<String>,
    _lock: File,
}

fn io(what: &str, e: impl std::fmt::Display) -> PortError {
    PortError::unavailable(format!("chat outbox {what}: {e}"))
}

impl Change {
    /// Whether it would change `queue` (without changing it).
    fn applies(&self, queue: &SpoolQueue) -> bool {
        match self {
            Change::Push { .. } => true,
            Change::Pop { id } => queue.can_pop(id),
            Change::Replace { record } => queue.find(&record.room_id, &record.id).is_some(),
            Change::Remove { room, id } => queue.find(room, id).is_some(),
        }
    }

    /// Applies it to `queue`.
    fn apply(&self, queue: &mut SpoolQueue) {
        match self {
            Change::Push { record } => queue.push(record.clone()),
            Change::Pop { id } => {
                queue.pop_front(id);
            }
            Change::Replace { record } => {
                queue.replace(record);
            }
            Change::Remove { room, id } => {
                queue.remove(room, id);
            }
        }
    }
}

impl FileChatSpool {
    /// Opens (creating if needed) the spool in `dir` and replays its log.
    /// Blocking file I/O: call it at startup.
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, PortError> {
        let dir = dir.as_ref().to_path_buf();
        fs::create_dir_all(&dir).map_err(|e| io("create dir", e))?;
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(LOCK_FILE))
            .map_err(|e| io("open lock file", e))?;
        let since = Instant::now();
        loop {
            match lock.try_lock() {
                Ok(()) => break,
                Err(fs::TryLockError::WouldBlock) if since.elapsed() < LOCK_WAIT => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(fs::TryLockError::WouldBlock) => {
                    return Err(PortError::unavailable(format!(
                        "chat outbox in use: {} is held by another process (its {LOCK_FILE} \
                         is locked); give each process its own RTC_DATA_DIR, or share Redis",
                        dir.display()
                    )));
                }
                Err(fs::TryLockError::Error(e)) => return Err(io("lock", e)),
            }
        }
        let _ = fs::remove_file(dir.join(TMP_FILE));
        let path = dir.join(LOG_FILE);
        let bytes = match fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(io("read", e)),
        };
        let mut queue = SpoolQueue::default();
        let (mut good, mut records, mut line) = (0usize, 0usize, 0usize);
        while good < bytes.len() {
            line += 1;
            let Some(nl) = bytes[good..].iter().position(|&b| b == b'\n') else {
                break; // no newline: a torn write
            };
            let end = good + nl + 1;
            match serde_json::from_slice::<Change>(&bytes[good..good + nl]) {
                Ok(c) => c.apply(&mut queue),
                Err(_) if end == bytes.len() => break,
                Err(e) => {
                    return Err(PortError::corrupt(format!("{LOG_FILE} line {line}: {e}")));
                }
            }
            records += 1;
            good = end;
        }
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| io("open", e))?;
        if good < bytes.len() {
            tracing::warn!(path = %path.display(), "dropping a torn last line of the chat outbox");
            file.set_len(good as u64)
                .and_then(|()| file.sync_all())
                .map_err(|e| io("truncate torn line", e))?;
        }
        if !queue.is_empty() {
            tracing::warn!(
                waiting = queue.len(),
                "chat outbox: messages from before the restart wait for the history store"
            );
        }
        Ok(FileChatSpool {
            inner: Arc::new(Mutex::new(Log {
                queue,
                dir,
                file,
                len: good as u64,
                records,
                broken: None,
                _lock: lock,
            })),
        })
    }

    /// Runs `f` on the log on the blocking pool (fsync must not stall the
    /// runtime), holding the lock for the whole change.
    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Log) -> Result<T, PortError> + Send + 'static,
    ) -> Result<T, PortError> {
        let inner = self.inner.clone();
        tokio::task::spawn_blocking(move || f(&mut inner.lock().unwrap_or_else(|p| p.into_inner())))
            .await
            .map_err(|e| io("task", e))?
    }

    async fn change(&self, c: Change) -> Result<bool, PortError> {
        self.with(move |log| log.commit(c)).await
    }
}

impl Log {
    /// Writes and syncs `c` if it changes anything, then applies it.
    fn commit(&mut self, c: Change) -> Result<bool, PortError> {
        if let Some(why) = &self.broken {
            return Err(io(
                "write",
                format!("disabled after {why}; restart to repair"),
            ));
        }
        if !c.applies(&self.queue) {
            return Ok(false);
        }
        let mut line = serde_json::to_vec(&c).map_err(|e| io("encode", e))?;
        line.push(b'\n');
        if let Err(e) = self
            .file
            .write_all(&line)
            .and_then(|()| self.file.sync_data())
        {
            // Cut off whatever part of the line made it; if even that
            // fails, the next line would follow garbage.
            if let Err(e2) = self
                .file
                .set_len(self.len)
                .and_then(|()| self.file.sync_data())
            {
                self.broken = Some(format!("{e}, then {e2}"));
            }
            return Err(io("write", e));
        }
        self.len += line.len() as u64;
        self.records += 1;
        c.apply(&mut self.queue);
        if self.queue.is_empty() {
            // Drained: the log starts over.
            if self
                .file
                .set_len(0)
                .and_then(|()| self.file.sync_data())
                .is_ok()
            {
                (self.len, self.records) = (0, 0);
            }
        } else if self.records >= REWRITE_MIN_RECORDS
            && self.records > 2 * self.queue.len()
            && let Err(e) = self.rewrite()
        {
            tracing::warn!(error = %e, "chat outbox rewrite failed");
        }
        Ok(true)
    }

    /// Replaces the log by the waiting messages alone.
    fn rewrite(&mut self) -> Result<(), PortError> {
        let tmp = self.dir.join(TMP_FILE);
        let mut buf = Vec::new();
        for record in self.queue.iter() {
            serde_json::to_writer(
                &mut buf,
                &Change::Push {
                    record: record.clone(),
                },
            )
            .map_err(|e| io("encode", e))?;
            buf.push(b'\n');
        }
        let mut f = File::create(&tmp).map_err(|e| io("rewrite", e))?;
        f.write_all(&buf)
            .and_then(|()| f.sync_all())
            .map_err(|e| io("rewrite", e))?;
        fs::rename(&tmp, self.dir.join(LOG_FILE)).map_err(|e| io("rewrite", e))?;
        // From here the old file is gone: writing on without the new one
        // would acknowledge what no restart can read.
        let reopened = File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .and_then(|()| {
                OpenOptions::new()
                    .append(true)
                    .open(self.dir.join(LOG_FILE))
            });
        match reopened {
            Ok(f) => self.file = f,
            Err(e) => {
                self.broken = Some(format!("a rewrite could not reopen the log: {e}"));
                return Err(io("reopen", e));
            }
        }
        (self.len, self.records) = (buf.len() as u64, self.queue.len());
        Ok(())
    }
}

#[async_trait]
impl ChatSpool for FileChatSpool {
    async fn push(&self, record: &ChatRecord) -> Result<(), PortError> {
        let record = record.clone();
        self.change(Change::Push { record }).await.map(|_| ())
    }

    async fn front(&self) -> Result<Option<ChatRecord>, PortError> {
        self.with(|log| Ok(log.queue.front().cloned())).await
    }

    async fn pop_front(&self, id: &str) -> Result<bool, PortError> {
        self.change(Change::Pop { id: id.to_owned() }).await
    }

    async fn waiting(&self) -> Result<usize, PortError> {
        self.with(|log| Ok(log.queue.len())).await
    }

    async fn find(&self, room: &RoomId, id: &str) -> Result<Option<ChatRecord>, PortError> {
        let (room, id) = (room.as_str().to_owned(), id.to_owned());
        self.with(move |log| Ok(log.queue.find(&room, &id).cloned()))
            .await
    }

    async fn replace(&self, record: &ChatRecord) -> Result<bool, PortError> {
        let record = record.clone();
        self.change(Change::Replace { record }).await
    }

    async fn remove(&self, room: &RoomId, id: &str) -> Result<bool, PortError> {
        let (room, id) = (room.as_str().to_owned(), id.to_owned());
        self.change(Change::Remove { room, id }).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use signaling_core::testing::chat::chat;

    struct Dir(PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }
    fn dir() -> Dir {
        Dir(std::env::temp_dir().join(format!("rtc-spool-{}", uuid::Uuid::new_v4())))
    }

    mod suite {
        use super::*;
        async fn spool() -> Arc<dyn ChatSpool> {
            // The directory is left to the OS's temp cleaning: the spool
            // holds it open for the whole case.
            let d = std::env::temp_dir().join(format!("rtc-spool-{}", uuid::Uuid::new_v4()));
            Arc::new(FileChatSpool::open(&d).unwrap())
        }
        signaling_core::chat_spool_suite!(spool);
    }

    /// What was acknowledged is there after a reopen, edits and removals
    /// included; a torn last line is dropped; a drained spool leaves an
    /// empty log.
    #[tokio::test]
    async fn the_spool_survives_a_reopen_and_a_torn_last_line() {
        let d = dir();
        let s = FileChatSpool::open(&d.0).unwrap();
        for i in 0..4 {
            s.push(&chat("r1", i)).await.unwrap();
        }
        let mut edited = chat("r1", 2);
        edited.message = "edited".into();
        assert!(s.replace(&edited).await.unwrap());
        assert!(
            s.remove(&RoomId::parse("r1").unwrap(), "m00001")
                .await
                .unwrap()
        );
        assert!(s.pop_front("m00000").await.unwrap());
        drop(s);
        let mut bytes = fs::read(d.0.join(LOG_FILE)).unwrap();
        bytes.extend_from_slice(br#"{"op":"push","rec"#);
        fs::write(d.0.join(LOG_FILE), &bytes).unwrap();

        let s = FileChatSpool::open(&d.0).unwrap();
        assert_eq!(s.waiting().await.unwrap(), 2);
        assert_eq!(s.front().await.unwrap().unwrap().message, "edited");
        assert!(s.pop_front("m00002").await.unwrap());
        assert!(s.pop_front("m00003").await.unwrap());
        assert_eq!(
            fs::metadata(d.0.join(LOG_FILE)).unwrap().len(),
            0,
            "drained"
        );
        drop(s);
        let s = FileChatSpool::open(&d.0).unwrap();
        assert_eq!(s.waiting().await.unwrap(), 0);
    }

    /// A damaged line before the end is refused, not skipped.
    #[tokio::test]
    async fn a_damaged_line_in_the_middle_is_refused() {
        let d = dir();
        let s = FileChatSpool::open(&d.0).unwrap();
        s.push(&chat("r1", 0)).await.unwrap();
        s.push(&chat("r1", 1)).await.unwrap();
        drop(s);
        let text = fs::read_to_string(d.0.join(LOG_FILE)).unwrap();
        fs::write(d.0.join(LOG_FILE), text.replacen("\"op\"", "\"op", 1)).unwrap();
        assert!(FileChatSpool::open(&d.0).is_err());
    }

    /// One process per directory: a second open waits for the lock, then
    /// is refused with a message naming it.
    #[tokio::test]
    async fn a_directory_has_one_writer() {
        let d = dir();
        let _s = FileChatSpool::open(&d.0).unwrap();
        let t = Instant::now();
        let Err(e) = FileChatSpool::open(&d.0) else {
            panic!("a second writer was let in");
        };
        assert!(e.to_string().contains(LOCK_FILE), "{e}");
        assert!(t.elapsed() >= LOCK_WAIT, "it waited for the lock first");
    }

    /// A long log over few waiting messages is rewritten to them alone.
    #[tokio::test]
    async fn a_long_log_is_rewritten() {
        let d = dir();
        let s = FileChatSpool::open(&d.0).unwrap();
        s.push(&chat("r1", 0)).await.unwrap();
        let mut m = chat("r1", 0);
        for i in 0..REWRITE_MIN_RECORDS {
            m.message = format!("edit {i}");
            s.replace(&m).await.unwrap();
        }
        let size = fs::metadata(d.0.join(LOG_FILE)).unwrap().len();
        assert!(size < 4096, "{size} bytes for one message");
        drop(s);
        let s = FileChatSpool::open(&d.0).unwrap();
        let front = s.front().await.unwrap().unwrap();
        assert_eq!(front.message, format!("edit {}", REWRITE_MIN_RECORDS - 1));
    }
}
