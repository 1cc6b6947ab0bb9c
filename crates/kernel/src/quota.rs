//! Quotas shared by every instance: byte budgets (recording chunks and
//! transfer files, per user and per room) and slot sets (recordings running
//! at once). The [`Quotas`] port makes check-and-add one atomic step, so
//! two instances can never both pass a check that only one of them fits
//! in. [`MemoryQuotas`] is the embedded default; Redis implements it in
//! `redis-adapter` (one Lua script per operation). The contract suite
//! (`signaling_core::testing::quota`) runs against both.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use async_trait::async_trait;

use crate::PortError;

/// A budget: a counter key and the largest value it may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget<'a> {
    /// The counter, e.g. `rec:user:alice`.
    pub key: &'a str,
    /// Its maximum, inclusive.
    pub max: u64,
}

/// The counter keys the server uses; one place so that reserves and the
/// documentation agree.
pub mod keys {
    /// Recording chunk bytes held by a user.
    pub fn recording_user(user: &str) -> String {
        format!("rec:user:{user}")
    }
    /// Recording chunk bytes held in a room.
    pub fn recording_room(room: &str) -> String {
        format!("rec:room:{room}")
    }
    /// The reservation of one recording's chunks (all uploaders).
    pub fn recording_token(recording_id: &str) -> String {
        format!("rec:{recording_id}")
    }
    /// Transfer bytes held by a sender.
    pub fn transfer_user(user: &str) -> String {
        format!("xfer:user:{user}")
    }
    /// Transfer bytes held in a room.
    pub fn transfer_room(room: &str) -> String {
        format!("xfer:room:{room}")
    }
    /// The reservation of one transfer's file.
    pub fn transfer_token(transfer_id: &str) -> String {
        format!("xfer:{transfer_id}")
    }
    /// The slot set of running recordings.
    pub const RECORDING_SLOTS: &str = "recordings";
    /// The slot set of running live streams (members `room/stream`).
    pub const LIVE_STREAM_SLOTS: &str = "live-streams";
}

/// Atomic budgets and slot sets.
///
/// Contract (checked by `signaling_core::testing::quota`):
/// - [`reserve`](Quotas::reserve) adds `amount` to every budget's counter
///   only if each stays at or under its `max` afterwards; otherwise it
///   changes nothing and returns `false`. It MUST be atomic across every
///   caller sharing the store: concurrent reserves never together push a
///   counter over its max. What was added is remembered under `token`
///   (reserves under one token accumulate).
/// - [`release`](Quotas::release) subtracts from each counter exactly what
///   `token` holds and forgets the token; releasing an unknown or already
///   released token changes nothing (idempotent), so a release that runs
///   twice (two instances, a retry) never frees bytes that are still held.
/// - [`acquire_slot`](Quotas::acquire_slot) adds `member` to `set` unless
///   the set holds `max` members already; a member already in the set is
///   answered `true` without a second slot. MUST be atomic like `reserve`.
/// - [`release_slot`](Quotas::release_slot) removes a member; idempotent.
#[async_trait]
pub trait Quotas: Send + Sync {
    /// Adds `amount` to every budget if all fit; `false` (and no change)
    /// if any would exceed its max.
    async fn reserve(
        &self,
        token: &str,
        budgets: &[Budget<'_>],
        amount: u64,
    ) -> Result<bool, PortError>;
    /// Gives back everything reserved under `token`; idempotent.
    async fn release(&self, token: &str) -> Result<(), PortError>;
    /// The counter's value (0 when never reserved).
    async fn used(&self, key: &str) -> Result<u64, PortError>;
    /// Takes a slot of `set` for `member` (at `at_ms`, unix ms) if fewer
    /// than `max` are taken or `member` has one; whether it holds one now.
    async fn acquire_slot(
        &self,
        set: &str,
        member: &str,
        max: usize,
        at_ms: i64,
    ) -> Result<bool, PortError>;
    /// Frees `member`'s slot of `set`; idempotent.
    async fn release_slot(&self, set: &str, member: &str) -> Result<(), PortError>;
    /// The members of `set` with the time each took its slot.
    async fn slots(&self, set: &str) -> Result<Vec<(String, i64)>, PortError>;
}

/// Quotas in one process's memory.
#[derive(Debug, Default)]
pub struct MemoryQuotas {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    counters: HashMap<String, u64>,
    tokens: HashMap<String, HashMap<String, u64>>,
    slots: HashMap<String, BTreeMap<String, i64>>,
}

#[async_trait]
impl Quotas for MemoryQuotas {
    async fn reserve(
        &self,
        token: &str,
        budgets: &[Budget<'_>],
        amount: u64,
    ) -> Result<bool, PortError> {
        let mut i = self.inner.lock().expect("lock");
        let fits = budgets.iter().all(|b| {
            let cur = i.counters.get(b.key).copied().unwrap_or(0);
            cur.checked_add(amount).is_some_and(|n| n <= b.max)
        });
        if !fits {
            return Ok(false);
        }
        for b in budgets {
            *i.counters.entry(b.key.to_owned()).or_default() += amount;
            *i.tokens
                .entry(token.to_owned())
                .or_default()
                .entry(b.key.to_owned())
                .or_default() += amount;
        }
        Ok(true)
    }

    async fn release(&self, token: &str) -> Result<(), PortError> {
        let mut i = self.inner.lock().expect("lock");
        let Some(held) = i.tokens.remove(token) else {
            return Ok(());
        };
        for (key, n) in held {
            if let Some(c) = i.counters.get_mut(&key) {
                *c = c.saturating_sub(n);
                if *c == 0 {
                    i.counters.remove(&key);
                }
            }
        }
        Ok(())
    }

    async fn used(&self, key: &str) -> Result<u64, PortError> {
        let i = self.inner.lock().expect("lock");
        Ok(i.counters.get(key).copied().unwrap_or(0))
    }

    async fn acquire_slot(
        &self,
        set: &str,
        member: &str,
        max: usize,
        at_ms: i64,
    ) -> Result<bool, PortError> {
        let mut i = self.inner.lock().expect("lock");
        let s = i.slots.entry(set.to_owned()).or_default();
        if s.contains_key(member) {
            return Ok(true);
        }
        if s.len() >= max {
            return Ok(false);
        }
        s.insert(member.to_owned(), at_ms);
        Ok(true)
    }

    async fn release_slot(&self, set: &str, member: &str) -> Result<(), PortError> {
        let mut i = self.inner.lock().expect("lock");
        if let Some(s) = i.slots.get_mut(set) {
            s.remove(member);
            if s.is_empty() {
                i.slots.remove(set);
            }
        }
        Ok(())
    }

    async fn slots(&self, set: &str) -> Result<Vec<(String, i64)>, PortError> {
        let i = self.inner.lock().expect("lock");
        Ok(i.slots
            .get(set)
            .map(|s| s.iter().map(|(m, t)| (m.clone(), *t)).collect())
            .unwrap_or_default())
    }
}
