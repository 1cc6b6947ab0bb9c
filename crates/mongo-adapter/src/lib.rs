//! MongoDB adapters for the persistence ports: chat history, analytics
//! events (summarized by an aggregation in the database), recording
//! records, and room sessions. Only this crate knows the MongoDB client.
//!
//! Each document keeps the domain record as a sub-document `r` plus the
//! fields its queries and indexes need: `room_id`, a nanosecond `ts` for
//! stable ordering, and a BSON date `at` for TTL retention.

use std::time::Duration;

use async_trait::async_trait;
use futures_util::TryStreamExt as _;
use mongodb::bson::{self, Bson, Document, doc};
use mongodb::options::{ClientOptions, IndexOptions, ReturnDocument};
use mongodb::{Client, Collection, Database, IndexModel};
use signaling_core::engine::AnalyticsRecord;
use signaling_core::ports::*;
use signaling_core::protocol::ChatRecord;
use signaling_core::{PortError, RoomId, UserId};
use time::OffsetDateTime;

/// How to reach MongoDB and what to keep. `Debug` shows the URI with its
/// credentials redacted.
#[derive(Clone)]
pub struct MongoConfig {
    /// `mongodb://…`.
    pub uri: String,
    /// Database name.
    pub database: String,
    /// Chat messages are deleted this long after they were sent; `None`
    /// keeps them.
    pub chat_retention: Option<Duration>,
    /// Analytics events are deleted this long after they happened.
    pub analytics_retention: Option<Duration>,
    /// Recording records are deleted this long after their last change
    /// (seed 004: 7 days).
    pub recording_retention: Duration,
    /// Server selection and connect timeout: how fast a call fails when
    /// the database is away.
    pub timeout: Duration,
}

impl std::fmt::Debug for MongoConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MongoConfig")
            .field("uri", &redact::redact_url(&self.uri))
            .field("database", &self.database)
            .field("chat_retention", &self.chat_retention)
            .field("analytics_retention", &self.analytics_retention)
            .field("recording_retention", &self.recording_retention)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl MongoConfig {
    /// Defaults: database `rtc`, chat kept, analytics 90 days, recordings
    /// 7 days, 1 s timeout.
    pub fn new(uri: impl Into<String>) -> Self {
        MongoConfig {
            uri: uri.into(),
            database: "rtc".into(),
            chat_retention: None,
            analytics_retention: Some(Duration::from_secs(90 * 86_400)),
            recording_retention: Duration::from_secs(7 * 86_400),
            timeout: Duration::from_secs(1),
        }
    }
}

fn unavailable(e: mongodb::error::Error) -> PortError {
    PortError::unavailable(format!("mongodb: {e}"))
}

fn corrupt(e: impl std::fmt::Display) -> PortError {
    PortError::corrupt(format!("mongodb: {e}"))
}

fn is_duplicate(e: &mongodb::error::Error) -> bool {
    use mongodb::error::{ErrorKind, WriteFailure};
    match &*e.kind {
        ErrorKind::Write(WriteFailure::WriteError(w)) => w.code == 11000,
        ErrorKind::Command(c) => c.code == 11000,
        ErrorKind::InsertMany(m) => m
            .write_errors
            .as_ref()
            .is_some_and(|w| w.iter().any(|e| e.code == 11000)),
        _ => e.to_string().contains("E11000"),
    }
}

fn ns(t: OffsetDateTime) -> i64 {
    t.unix_timestamp_nanos() as i64
}

fn date(t: OffsetDateTime) -> bson::DateTime {
    bson::DateTime::from_millis((t.unix_timestamp_nanos() / 1_000_000) as i64)
}

fn to_doc<T: serde::Serialize>(v: &T) -> Result<Document, PortError> {
    bson::to_document(v).map_err(corrupt)
}

fn from_doc<T: serde::de::DeserializeOwned>(d: &Document) -> Result<T, PortError> {
    let r = d.get_document("r").map_err(corrupt)?;
    bson::from_document(r.clone()).map_err(corrupt)
}

/// A connected database with its collections.
#[derive(Clone)]
pub struct Mongo {
    db: Database,
    cfg: MongoConfig,
}

/// Records every command's latency as `rtc_store_call_seconds{store="mongodb"}`
/// through the `metrics` facade (the server exports it at `/metrics`).
fn observe_commands() -> mongodb::event::EventHandler<mongodb::event::command::CommandEvent> {
    use mongodb::event::command::CommandEvent;
    mongodb::event::EventHandler::callback(|e: CommandEvent| {
        let (op, secs, outcome) = match e {
            CommandEvent::Succeeded(s) => (s.command_name, s.duration.as_secs_f64(), "ok"),
            CommandEvent::Failed(f) => (f.command_name, f.duration.as_secs_f64(), "error"),
            CommandEvent::Started(_) => return,
            _ => return,
        };
        metrics::histogram!("rtc_store_call_seconds", "store" => "mongodb", "op" => op, "outcome" => outcome)
            .record(secs);
    })
}

impl Mongo {
    /// Builds the client. Connects lazily; `ensure_indexes` is the first
    /// round trip.
    pub async fn new(cfg: MongoConfig) -> Result<Self, PortError> {
        // The driver's messages may quote the URI: scrub its credentials.
        let scrubbed = |e: mongodb::error::Error| {
            PortError::unavailable(redact::scrub(unavailable(e).message(), &cfg.uri))
        };
        let mut opts = ClientOptions::parse(&cfg.uri).await.map_err(scrubbed)?;
        opts.server_selection_timeout = Some(cfg.timeout);
        opts.connect_timeout = Some(cfg.timeout);
        opts.app_name = Some("rtc-server".into());
        opts.command_event_handler = Some(observe_commands());
        let client = Client::with_options(opts).map_err(scrubbed)?;
        Ok(Mongo {
            db: client.database(&cfg.database),
            cfg,
        })
    }

    fn coll(&self, name: &str) -> Collection<Document> {
        self.db.collection(name)
    }

    /// Creates the indexes the queries need, and TTL indexes for retention.
    pub async fn ensure_indexes(&self) -> Result<(), PortError> {
        let idx = |keys: Document, opts: Option<IndexOptions>| {
            IndexModel::builder().keys(keys).options(opts).build()
        };
        let ttl = |d: Duration| {
            Some(
                IndexOptions::builder()
                    .expire_after(d)
                    .name("ttl".to_owned())
                    .build(),
            )
        };
        let chat = self.coll("chat_messages");
        chat.create_index(idx(doc! {"room_id": 1, "ts": -1, "_id": -1}, None))
            .await
            .map_err(unavailable)?;
        if let Some(d) = self.cfg.chat_retention {
            chat.create_index(idx(doc! {"at": 1}, ttl(d)))
                .await
                .map_err(unavailable)?;
        }
        let reads = self.coll("chat_reads");
        reads
            .create_index(idx(doc! {"room_id": 1, "at": -1}, None))
            .await
            .map_err(unavailable)?;
        if let Some(d) = self.cfg.chat_retention {
            reads
                .create_index(idx(doc! {"at": 1}, ttl(d)))
                .await
                .map_err(unavailable)?;
        }
        let an = self.coll("analytics_events");
        an.create_index(idx(doc! {"room_id": 1, "ts": 1}, None))
            .await
            .map_err(unavailable)?;
        if let Some(d) = self.cfg.analytics_retention {
            an.create_index(idx(doc! {"at": 1}, ttl(d)))
                .await
                .map_err(unavailable)?;
        }
        let rec = self.coll("recordings");
        for keys in [
            doc! {"room_id": 1, "started": 1},
            doc! {"started_by": 1, "started": 1},
            doc! {"status": 1},
        ] {
            rec.create_index(idx(keys, None))
                .await
                .map_err(unavailable)?;
        }
        rec.create_index(idx(doc! {"at": 1}, ttl(self.cfg.recording_retention)))
            .await
            .map_err(unavailable)?;
        let sessions = self.coll("room_sessions");
        sessions
            .create_index(idx(doc! {"room_id": 1, "started": -1}, None))
            .await
            .map_err(unavailable)?;
        // At most one open session per room.
        sessions
            .create_index(idx(
                doc! {"open_room": 1},
                Some(
                    IndexOptions::builder()
                        .unique(true)
                        .partial_filter_expression(doc! {"open_room": {"$exists": true}})
                        .build(),
                ),
            ))
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    /// `ping`: for readiness checks.
    pub async fn ping(&self) -> Result<(), PortError> {
        self.db
            .run_command(doc! {"ping": 1})
            .await
            .map(|_| ())
            .map_err(unavailable)
    }

    /// Chat history.
    pub fn chat(&self) -> MongoChatHistory {
        MongoChatHistory(self.coll("chat_messages"))
    }

    /// Chat read marks.
    pub fn receipts(&self) -> MongoReadReceipts {
        MongoReadReceipts(self.coll("chat_reads"))
    }

    /// Analytics.
    pub fn analytics(&self) -> MongoAnalytics {
        MongoAnalytics(self.coll("analytics_events"))
    }

    /// Recording records.
    pub fn recordings(&self) -> MongoRecordingStore {
        MongoRecordingStore {
            records: self.coll("recordings"),
            jobs: self.coll("recording_jobs"),
        }
    }

    /// Room sessions.
    pub fn sessions(&self) -> MongoRoomSessions {
        MongoRoomSessions(self.coll("room_sessions"))
    }
}

// ------------------------------------------------------------------ chat

/// Chat messages: `_id` is the message id (so a retried append is a
/// duplicate-key no-op), ordered by send time then id.
pub struct MongoChatHistory(Collection<Document>);

#[async_trait]
impl ChatHistory for MongoChatHistory {
    async fn append(&self, record: &ChatRecord) -> Result<(), PortError> {
        let d = doc! {
            "_id": &record.id,
            "room_id": &record.room_id,
            "ts": ns(record.timestamp),
            "at": date(record.timestamp),
            "r": to_doc(record)?,
        };
        match self.0.insert_one(d).await {
            Ok(_) => Ok(()),
            Err(e) if is_duplicate(&e) => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn page(
        &self,
        room: &RoomId,
        before: Option<&str>,
        limit: usize,
    ) -> Result<ChatPage, PortError> {
        self.page_where(doc! {"room_id": room.as_str()}, room, before, limit)
            .await
    }

    async fn get(&self, room: &RoomId, id: &str) -> Result<Option<ChatRecord>, PortError> {
        let d = self
            .0
            .find_one(doc! {"_id": id, "room_id": room.as_str()})
            .await
            .map_err(unavailable)?;
        d.as_ref().map(from_doc::<ChatRecord>).transpose()
    }

    async fn replace(&self, record: &ChatRecord) -> Result<bool, PortError> {
        let r = self
            .0
            .update_one(
                doc! {"_id": &record.id, "room_id": &record.room_id},
                doc! {"$set": {"r": to_doc(record)?}},
            )
            .await
            .map_err(unavailable)?;
        Ok(r.matched_count == 1)
    }

    /// `$addToSet` / `$pull` on the emoji's list, then `$unset` of a list
    /// left empty (only while it still is). The engine keeps `.` and a
    /// leading `$` out of emoji, which name a field here.
    async fn react(
        &self,
        room: &RoomId,
        id: &str,
        emoji: &str,
        user: &str,
        active: bool,
    ) -> Result<bool, PortError> {
        let field = format!("r.reactions.{emoji}");
        let filter = doc! {"_id": id, "room_id": room.as_str()};
        let change = if active {
            doc! {"$addToSet": {&field: user}}
        } else {
            doc! {"$pull": {&field: user}}
        };
        let r = self
            .0
            .update_one(filter.clone(), change)
            .await
            .map_err(unavailable)?;
        if !active && r.matched_count == 1 {
            let mut empty = filter;
            empty.insert(&field, doc! {"$size": 0});
            self.0
                .update_one(empty, doc! {"$unset": {&field: ""}})
                .await
                .map_err(unavailable)?;
        }
        Ok(r.matched_count == 1)
    }

    async fn remove(&self, room: &RoomId, id: &str) -> Result<bool, PortError> {
        let r = self
            .0
            .delete_one(doc! {"_id": id, "room_id": room.as_str()})
            .await
            .map_err(unavailable)?;
        Ok(r.deleted_count == 1)
    }

    /// A case-insensitive match of the escaped query on the stored text,
    /// within the room (its `room_id` index). Not a `$text` index: the
    /// MongoDB-compatible server the tests run on has none, and a text
    /// index matches stemmed words where the other stores match any part
    /// of the text; the room bounds the scan.
    async fn search(
        &self,
        room: &RoomId,
        query: &str,
        before: Option<&str>,
        limit: usize,
    ) -> Result<ChatPage, PortError> {
        let filter = doc! {
            "room_id": room.as_str(),
            "r.message": {"$regex": regex_escape(query), "$options": "i"},
        };
        self.page_where(filter, room, before, limit).await
    }
}

/// `text` as a regular expression that matches it literally.
fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        if "\\^$.|?*+()[]{}-/#&~ ".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl MongoChatHistory {
    /// Newest first under `filter`, strictly older than the message
    /// `before` of `room`.
    async fn page_where(
        &self,
        mut filter: Document,
        room: &RoomId,
        before: Option<&str>,
        limit: usize,
    ) -> Result<ChatPage, PortError> {
        if let Some(c) = before {
            let Some(cur) = self
                .0
                .find_one(doc! {"_id": c, "room_id": room.as_str()})
                .await
                .map_err(unavailable)?
            else {
                return Ok(ChatPage {
                    messages: vec![],
                    next_cursor: None,
                });
            };
            let ts = cur.get_i64("ts").map_err(corrupt)?;
            filter.insert(
                "$or",
                vec![
                    Bson::Document(doc! {"ts": {"$lt": ts}}),
                    Bson::Document(doc! {"ts": ts, "_id": {"$lt": c}}),
                ],
            );
        }
        let docs: Vec<Document> = self
            .0
            .find(filter)
            .sort(doc! {"ts": -1, "_id": -1})
            .limit(limit as i64 + 1)
            .await
            .map_err(unavailable)?
            .try_collect()
            .await
            .map_err(unavailable)?;
        let more = docs.len() > limit;
        let messages = docs
            .iter()
            .take(limit)
            .map(from_doc::<ChatRecord>)
            .collect::<Result<Vec<_>, _>>()?;
        let next_cursor = more
            .then(|| messages.last().map(|m| m.id.clone()))
            .flatten();
        Ok(ChatPage {
            messages,
            next_cursor,
        })
    }
}

// -------------------------------------------------------------- analytics

/// Analytics events; the summary is one aggregation.
pub struct MongoAnalytics(Collection<Document>);

#[async_trait]
impl Analytics for MongoAnalytics {
    async fn record(&self, e: &AnalyticsRecord) -> Result<(), PortError> {
        let d = doc! {
            "room_id": &e.room_id,
            "user_id": &e.user_id,
            "event_type": &e.event_type,
            "duration": e.data.get("duration_seconds").and_then(|v| v.as_f64()),
            "ts": ns(e.timestamp),
            "at": date(e.timestamp),
            "r": to_doc(e)?,
        };
        self.0.insert_one(d).await.map(|_| ()).map_err(unavailable)
    }

    async fn list(&self, room: &RoomId, limit: usize) -> Result<Vec<AnalyticsRecord>, PortError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        // The newest `limit`, read newest first, handed back oldest first.
        let docs: Vec<Document> = self
            .0
            .find(doc! {"room_id": room.as_str()})
            .sort(doc! {"ts": -1, "_id": -1})
            .limit(limit.min(i64::MAX as usize) as i64)
            .await
            .map_err(unavailable)?
            .try_collect()
            .await
            .map_err(unavailable)?;
        docs.iter().rev().map(from_doc).collect()
    }

    async fn summary(&self, room: &RoomId) -> Result<AnalyticsSummary, PortError> {
        let pipeline = [
            doc! {"$match": {"room_id": room.as_str()}},
            doc! {"$group": {
                "_id": "$event_type",
                "n": {"$sum": 1},
                "users": {"$addToSet": "$user_id"},
                "avg": {"$avg": "$duration"},
            }},
        ];
        let groups: Vec<Document> = self
            .0
            .aggregate(pipeline)
            .await
            .map_err(unavailable)?
            .try_collect()
            .await
            .map_err(unavailable)?;
        let mut s = AnalyticsSummary::default();
        let mut users = std::collections::BTreeSet::new();
        for g in groups {
            let ty = g.get_str("_id").unwrap_or_default().to_owned();
            let n = match g.get("n") {
                Some(Bson::Int32(n)) => *n as u64,
                Some(Bson::Int64(n)) => *n as u64,
                Some(Bson::Double(n)) => *n as u64,
                _ => 0,
            };
            if let Ok(u) = g.get_array("users") {
                users.extend(u.iter().filter_map(|u| u.as_str().map(str::to_owned)));
            }
            match ty.as_str() {
                "join" => s.joins = n,
                "leave" => {
                    s.leaves = n;
                    s.average_session_seconds = g.get_f64("avg").unwrap_or(0.0);
                }
                _ => {}
            }
            s.total_events += n;
            s.events_by_type.insert(ty, n);
        }
        s.unique_participants = users.len() as u64;
        Ok(s)
    }
}

// ------------------------------------------------------------- recordings

/// Recording records, deleted by a TTL index a while after their last
/// change, and processing leases in `recording_jobs`.
pub struct MongoRecordingStore {
    records: Collection<Document>,
    jobs: Collection<Document>,
}

impl MongoRecordingStore {
    async fn find(&self, filter: Document) -> Result<Vec<recording::Recording>, PortError> {
        let docs: Vec<Document> = self
            .records
            .find(filter)
            .sort(doc! {"started": 1})
            .await
            .map_err(unavailable)?
            .try_collect()
            .await
            .map_err(unavailable)?;
        docs.iter().map(from_doc).collect()
    }
}

#[async_trait]
impl recording::RecordingStore for MongoRecordingStore {
    async fn put(&self, r: &recording::Recording) -> Result<(), PortError> {
        let status = bson::to_bson(&r.status).map_err(corrupt)?;
        let d = doc! {
            "_id": &r.recording_id,
            "room_id": &r.room_id,
            "started_by": &r.started_by,
            "status": status,
            "started": ns(r.started_at),
            "at": bson::DateTime::now(),
            "r": to_doc(r)?,
        };
        self.records
            .replace_one(doc! {"_id": &r.recording_id}, d)
            .upsert(true)
            .await
            .map(|_| ())
            .map_err(unavailable)
    }

    async fn get(&self, id: &str) -> Result<Option<recording::Recording>, PortError> {
        let d = self
            .records
            .find_one(doc! {"_id": id})
            .await
            .map_err(unavailable)?;
        d.as_ref().map(from_doc).transpose()
    }

    async fn list_room(&self, room_id: &str) -> Result<Vec<recording::Recording>, PortError> {
        self.find(doc! {"room_id": room_id}).await
    }

    async fn list_user(&self, user_id: &str) -> Result<Vec<recording::Recording>, PortError> {
        self.find(doc! {"started_by": user_id}).await
    }

    async fn list_unfinished(&self) -> Result<Vec<recording::Recording>, PortError> {
        self.find(doc! {"status": {"$in": ["recording", "paused", "processing"]}})
            .await
    }

    /// A lease: taken when free, expired, or already the caller's. The
    /// database cannot see instance liveness, so a dead owner's lease
    /// lapses after `ttl_secs`.
    async fn claim_job(&self, id: &str, owner: &str, ttl_secs: u64) -> Result<bool, PortError> {
        let now = bson::DateTime::now();
        let until = bson::DateTime::from_millis(now.timestamp_millis() + ttl_secs as i64 * 1000);
        let r = self
            .jobs
            .find_one_and_update(
                doc! {"_id": id, "$or": [{"owner": owner}, {"until": {"$lt": now}}]},
                doc! {"$set": {"owner": owner, "until": until}},
            )
            .upsert(true)
            .return_document(ReturnDocument::After)
            .await;
        match r {
            Ok(Some(_)) => Ok(true),
            Ok(None) => Ok(false),
            Err(e) if is_duplicate(&e) => Ok(false),
            Err(e) => Err(unavailable(e)),
        }
    }
}

// --------------------------------------------------------------- sessions

/// Room sessions: one document per life of a room, with who took part.
pub struct MongoRoomSessions(Collection<Document>);

#[async_trait]
impl RoomSessions for MongoRoomSessions {
    async fn started(&self, room: &RoomId, at: OffsetDateTime) -> Result<(), PortError> {
        let d = doc! {
            "_id": format!("{}:{}", room, ns(at)),
            "room_id": room.as_str(),
            "open_room": room.as_str(),
            "started": ns(at),
            "started_at": date(at),
            "participants": [],
        };
        match self.0.insert_one(d).await {
            Ok(_) => Ok(()),
            Err(e) if is_duplicate(&e) => Ok(()), // one open session per room
            Err(e) => Err(unavailable(e)),
        }
    }

    async fn joined(&self, room: &RoomId, user: &UserId) -> Result<(), PortError> {
        self.0
            .update_one(
                doc! {"open_room": room.as_str()},
                doc! {"$addToSet": {"participants": user.as_str()}},
            )
            .await
            .map(|_| ())
            .map_err(unavailable)
    }

    async fn ended(&self, room: &RoomId, at: OffsetDateTime) -> Result<(), PortError> {
        let Some(open) = self
            .0
            .find_one(doc! {"open_room": room.as_str()})
            .await
            .map_err(unavailable)?
        else {
            return Ok(());
        };
        let started = open.get_i64("started").map_err(corrupt)?;
        let secs = ((ns(at) - started) / 1_000_000_000).max(0);
        self.0
            .update_one(
                doc! {"_id": open.get("_id").cloned().unwrap_or(Bson::Null)},
                doc! {"$unset": {"open_room": ""}, "$set": {"ended_at": date(at), "duration_seconds": secs}},
            )
            .await
            .map(|_| ())
            .map_err(unavailable)
    }

    async fn list(&self, room: &RoomId, limit: usize) -> Result<Vec<RoomSession>, PortError> {
        let docs: Vec<Document> = self
            .0
            .find(doc! {"room_id": room.as_str()})
            .sort(doc! {"started": -1})
            .limit(limit as i64)
            .await
            .map_err(unavailable)?
            .try_collect()
            .await
            .map_err(unavailable)?;
        docs.iter()
            .map(|d| {
                let to_time = |k: &str| {
                    d.get_datetime(k).ok().and_then(|t| {
                        OffsetDateTime::from_unix_timestamp_nanos(
                            t.timestamp_millis() as i128 * 1_000_000,
                        )
                        .ok()
                    })
                };
                Ok(RoomSession {
                    room_id: room.to_string(),
                    started_at: to_time("started_at").ok_or_else(|| corrupt("started_at"))?,
                    ended_at: to_time("ended_at"),
                    duration_seconds: d.get_i64("duration_seconds").ok(),
                    participants: d
                        .get_array("participants")
                        .map(|a| {
                            a.iter()
                                .filter_map(|u| u.as_str().map(str::to_owned))
                                .collect()
                        })
                        .unwrap_or_default(),
                })
            })
            .collect()
    }
}

mod receipts;
pub use receipts::MongoReadReceipts;

#[cfg(test)]
mod tests;
