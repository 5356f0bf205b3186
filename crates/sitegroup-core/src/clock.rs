//! The clock: the one place the system time is read.
//!
//! Every rule that depends on "now" (deadlines, update duties, the two-week staleness
//! veto) takes a [`Clock`] instead of calling [`chrono::Utc::now`], so tests can pin
//! time with a [`TestClock`] and move it forward. [`SystemClock`] is the only
//! implementation that reads the operating system's clock.
//!
//! Times are kept in UTC; [`shanghai_now`] gives the same instant on the Beijing wall
//! clock (Asia/Shanghai), which is what working days and deadlines are counted in.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

/// A source of the current instant.
///
/// ```
/// use sitegroup_core::{Clock, SystemClock};
/// let clock: &dyn Clock = &SystemClock;
/// assert!(clock.now().timestamp() > 1_600_000_000);
/// ```
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant, in UTC.
    fn now(&self) -> DateTime<Utc>;
}

/// The operating system's clock; the only place in the workspace that reads it.
///
/// ```
/// use sitegroup_core::{Clock, SystemClock};
/// let before = chrono::Utc::now();
/// assert!(SystemClock.now() >= before);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock for tests: it shows the instant it was last set to, and only moves when told.
///
/// Clones share one time: setting or advancing any clone moves them all, so a test can
/// keep one handle while the code under test holds another.
///
/// ```
/// use chrono::{Duration, TimeZone, Utc};
/// use sitegroup_core::{Clock, TestClock};
///
/// let clock = TestClock::new(Utc.with_ymd_and_hms(2025, 1, 27, 2, 0, 0).unwrap());
/// let shared = clock.clone();
/// clock.advance(Duration::days(1));
/// assert_eq!(shared.now(), Utc.with_ymd_and_hms(2025, 1, 28, 2, 0, 0).unwrap());
/// shared.set(Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap());
/// assert_eq!(clock.now().format("%Y-%m-%d").to_string(), "2026-10-01");
/// ```
#[derive(Debug, Clone)]
pub struct TestClock {
    at: Arc<Mutex<DateTime<Utc>>>,
}

impl TestClock {
    /// A clock standing at `at`.
    pub fn new(at: DateTime<Utc>) -> Self {
        Self { at: Arc::new(Mutex::new(at)) }
    }

    /// Moves this clock (and every clone of it) to `at`, forwards or backwards.
    pub fn set(&self, at: DateTime<Utc>) {
        *self.lock() = at;
    }

    /// Moves this clock (and every clone of it) by `by`; a negative duration moves it
    /// back. If the result would leave chrono's representable range the clock stays
    /// where it is.
    pub fn advance(&self, by: Duration) {
        let mut at = self.lock();
        if let Some(next) = at.checked_add_signed(by) {
            *at = next;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, DateTime<Utc>> {
        // A panic while holding the lock cannot leave a half-written DateTime (it is
        // `Copy` and assigned whole), so a poisoned lock is still consistent.
        self.at.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Clock for TestClock {
    fn now(&self) -> DateTime<Utc> {
        *self.lock()
    }
}

/// The current instant on the Beijing wall clock (Asia/Shanghai), the zone in which
/// working days and deadlines are counted.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use sitegroup_core::TestClock;
/// use sitegroup_core::clock::shanghai_now;
///
/// // 2025-01-27 16:30 UTC is already 00:30 on the 28th in Shanghai.
/// let clock = TestClock::new(Utc.with_ymd_and_hms(2025, 1, 27, 16, 30, 0).unwrap());
/// assert_eq!(shanghai_now(&clock).to_rfc3339(), "2025-01-28T00:30:00+08:00");
/// ```
pub fn shanghai_now(clock: &dyn Clock) -> DateTime<Tz> {
    clock.now().with_timezone(&chrono_tz::Asia::Shanghai)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).single().unwrap_or_default()
    }

    #[test]
    fn test_clock_stands_still_until_moved() {
        let clock = TestClock::new(utc(2024, 9, 30, 10, 0));
        assert_eq!(clock.now(), utc(2024, 9, 30, 10, 0));
        assert_eq!(clock.now(), utc(2024, 9, 30, 10, 0));
        clock.advance(Duration::hours(14));
        assert_eq!(clock.now(), utc(2024, 10, 1, 0, 0));
        clock.advance(Duration::minutes(-30));
        assert_eq!(clock.now(), utc(2024, 9, 30, 23, 30));
        clock.set(utc(2010, 1, 1, 0, 0));
        assert_eq!(clock.now(), utc(2010, 1, 1, 0, 0));
    }

    #[test]
    fn clones_share_one_time() {
        let a = TestClock::new(utc(2025, 1, 1, 0, 0));
        let b = a.clone();
        b.advance(Duration::days(2));
        assert_eq!(a.now(), utc(2025, 1, 3, 0, 0));
        a.set(utc(2026, 2, 14, 8, 0));
        assert_eq!(b.now(), utc(2026, 2, 14, 8, 0));
    }

    #[test]
    fn advance_out_of_range_keeps_time() {
        let clock = TestClock::new(utc(2025, 1, 1, 0, 0));
        clock.advance(Duration::MAX);
        assert_eq!(clock.now(), utc(2025, 1, 1, 0, 0));
    }

    #[test]
    fn usable_as_trait_object_across_threads() {
        let clock: Arc<dyn Clock> = Arc::new(TestClock::new(utc(2025, 5, 1, 0, 0)));
        let seen = std::thread::spawn({
            let clock = Arc::clone(&clock);
            move || clock.now()
        })
        .join();
        assert_eq!(seen.ok(), Some(utc(2025, 5, 1, 0, 0)));
        assert!(SystemClock.now() > utc(2020, 1, 1, 0, 0));
    }

    #[test]
    fn shanghai_now_crosses_midnight_before_utc() {
        let table = [
            (utc(2025, 1, 27, 15, 59), "2025-01-27T23:59:00+08:00"),
            (utc(2025, 1, 27, 16, 0), "2025-01-28T00:00:00+08:00"),
            (utc(2024, 12, 31, 16, 30), "2025-01-01T00:30:00+08:00"),
        ];
        for (at, want) in table {
            assert_eq!(shanghai_now(&TestClock::new(at)).to_rfc3339(), want);
        }
    }
}
