//! The time source. Production uses the system clock; tests move time by
//! hand, so every rule that depends on time is tested without sleeping.

use std::sync::Mutex;

use time::OffsetDateTime;

/// The time source.
pub trait Clock: Send + Sync {
    /// Now.
    fn now(&self) -> OffsetDateTime;

    /// Now, in whole seconds since the Unix epoch (token and link expiry).
    fn unix(&self) -> i64 {
        self.now().unix_timestamp()
    }
}

/// The system clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that moves only when told (tests).
#[derive(Debug)]
pub struct ManualClock(Mutex<OffsetDateTime>);

impl ManualClock {
    /// Starts at `t`.
    pub fn new(t: OffsetDateTime) -> Self {
        ManualClock(Mutex::new(t))
    }

    /// Moves time forward.
    pub fn advance(&self, d: time::Duration) {
        *self.0.lock().expect("lock") += d;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self.0.lock().expect("lock")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let c = ManualClock::new(OffsetDateTime::UNIX_EPOCH);
        assert_eq!(c.unix(), 0);
        c.advance(time::Duration::seconds(90));
        assert_eq!(c.unix(), 90);
        assert_eq!(
            c.now(),
            OffsetDateTime::UNIX_EPOCH + time::Duration::seconds(90)
        );
    }
}
