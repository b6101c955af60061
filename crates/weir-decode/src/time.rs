//! Packet time.

use std::fmt;

/// A packet timestamp in microseconds since the Unix epoch.
///
/// weir's clock is packet time (see `docs/architecture.md`): every timestamp in the
/// pipeline is one of these, never the wall clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Timestamp(pub u64);

impl Timestamp {
    /// Builds a timestamp from seconds and a sub-second fraction in nanoseconds.
    pub fn from_secs_nanos(secs: u64, nanos: u32) -> Timestamp {
        Timestamp(
            secs.saturating_mul(1_000_000)
                .saturating_add(u64::from(nanos / 1_000)),
        )
    }

    /// Microseconds since the epoch.
    pub fn as_micros(self) -> u64 {
        self.0
    }

    /// Whole seconds since the epoch.
    pub fn as_secs(self) -> u64 {
        self.0 / 1_000_000
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:06}", self.0 / 1_000_000, self.0 % 1_000_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        let t = Timestamp::from_secs_nanos(1_700_000_000, 123_456_789);
        assert_eq!(t.as_secs(), 1_700_000_000);
        assert_eq!(t.as_micros() % 1_000_000, 123_456);
        assert_eq!(t.to_string(), "1700000000.123456");
        assert_eq!(Timestamp::from_secs_nanos(u64::MAX, 0).0, u64::MAX);
    }
}
