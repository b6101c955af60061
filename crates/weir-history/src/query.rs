//! One query API over both stores: filters, paging and top-N aggregations.

use serde::{Deserialize, Serialize};

use crate::{FlowRecord, Result};

/// Which flows a query selects. Every filter is optional; the time range selects the
/// flows active in it (last packet at or after `since`, first packet at or before
/// `until`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct FlowFilter {
    /// Start of the range, seconds since the epoch.
    pub since: Option<u64>,
    /// End of the range, seconds since the epoch.
    pub until: Option<u64>,
    /// Client or server address (exact, as printed: `10.0.0.1`, `2001:db8::1`).
    pub host: Option<String>,
    /// L7 protocol, case-insensitive: the whole label (`TLS.YouTube`) or either part
    /// (`TLS`, `YouTube`).
    pub l7: Option<String>,
    /// Probe name (exact).
    pub probe: Option<String>,
}

/// A page of a flow query: newest flows first (by last packet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowQuery {
    /// The filters.
    #[serde(flatten)]
    pub filter: FlowFilter,
    /// At most this many flows.
    pub limit: usize,
    /// Skipping this many first.
    pub offset: usize,
}

impl Default for FlowQuery {
    fn default() -> Self {
        FlowQuery {
            filter: FlowFilter::default(),
            limit: 100,
            offset: 0,
        }
    }
}

/// The answer to a [`FlowQuery`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowPage {
    /// How many flows match the filters (all pages).
    pub total: u64,
    /// The flows of the page.
    pub flows: Vec<FlowRecord>,
}

/// What a top-N aggregation groups by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// Hosts (client or server side: a flow counts for both its ends).
    Host,
    /// L7 protocol label.
    L7,
    /// Server port (with the L4 protocol: `tcp/443`).
    ServerPort,
    /// Probe.
    Probe,
}

impl GroupBy {
    /// The grouping named `host`, `l7`, `server_port` or `probe`.
    pub fn from_name(s: &str) -> Option<GroupBy> {
        match s {
            "host" | "talkers" => Some(GroupBy::Host),
            "l7" | "protocol" | "protocols" => Some(GroupBy::L7),
            "server_port" | "port" => Some(GroupBy::ServerPort),
            "probe" => Some(GroupBy::Probe),
            _ => None,
        }
    }
}

/// One row of a top-N aggregation, biggest `bytes` first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopEntry {
    /// The group (address, protocol label, `tcp/443`, probe name).
    pub key: String,
    /// Flows in the group.
    pub flows: u64,
    /// Bytes both ways.
    pub bytes: u64,
    /// Packets both ways.
    pub packets: u64,
}

/// Reads a flow history: the embedded store or ClickHouse. `Send + Sync` so that the
/// web server can share one reader between its requests.
pub trait HistoryReader: Send + Sync {
    /// One page of flows.
    ///
    /// # Errors
    /// The store cannot be read.
    fn flows(&self, q: &FlowQuery) -> Result<FlowPage>;

    /// The `n` biggest groups by bytes.
    ///
    /// # Errors
    /// The store cannot be read.
    fn top(&self, filter: &FlowFilter, by: GroupBy, n: usize) -> Result<Vec<TopEntry>>;

    /// The probes that wrote flows, sorted.
    ///
    /// # Errors
    /// The store cannot be read.
    fn probes(&self) -> Result<Vec<String>>;

    /// Where the history is read from (`sqlite PATH`, `clickhouse URL`).
    fn describe(&self) -> String;
}

/// Parses a point in time: seconds since the epoch, `-1h`/`-30m`/`-7d`/`-45s`
/// (relative to `now`), or `YYYY-MM-DD[THH:MM[:SS]]` (UTC).
///
/// # Errors
/// A message naming the value.
pub fn parse_time(s: &str, now: u64) -> std::result::Result<u64, String> {
    let s = s.trim();
    if let Ok(v) = s.parse::<u64>() {
        return Ok(v);
    }
    if let Some(rel) = s.strip_prefix('-') {
        let (num, unit) = rel.split_at(rel.len().saturating_sub(1));
        let n: u64 = num
            .parse()
            .map_err(|_| format!("bad relative time {s:?} (e.g. -30m, -2h, -7d)"))?;
        let mult = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            "w" => 7 * 86_400,
            _ => return Err(format!("bad time unit in {s:?} (s, m, h, d, w)")),
        };
        return Ok(now.saturating_sub(n.saturating_mul(mult)));
    }
    parse_utc(s).ok_or_else(|| {
        format!("bad time {s:?} (epoch seconds, -2h, or YYYY-MM-DD[THH:MM[:SS]] UTC)")
    })
}

/// `YYYY-MM-DD[( |T)HH:MM[:SS]][Z]` as seconds since the epoch.
fn parse_utc(s: &str) -> Option<u64> {
    let s = s.strip_suffix('Z').unwrap_or(s);
    let (date, time) = match s.find(['T', ' ']) {
        Some(i) => (s.get(..i)?, s.get(i + 1..)?),
        None => (s, ""),
    };
    let mut d = date.split('-');
    let y: i64 = d.next()?.parse().ok()?;
    let m: i64 = d.next()?.parse().ok()?;
    let day: i64 = d.next()?.parse().ok()?;
    if d.next().is_some() || !(1..=12).contains(&m) || !(1..=31).contains(&day) {
        return None;
    }
    let mut secs = 0i64;
    if !time.is_empty() {
        let mut t = time.split(':');
        let h: i64 = t.next()?.parse().ok()?;
        let mi: i64 = t.next()?.parse().ok()?;
        let se: i64 = match t.next() {
            Some(v) => v.parse().ok()?,
            None => 0,
        };
        if t.next().is_some() || h > 23 || mi > 59 || se > 60 {
            return None;
        }
        secs = h * 3600 + mi * 60 + se;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    u64::try_from(days * 86_400 + secs).ok()
}

/// Seconds since the epoch, as `YYYY-MM-DD HH:MM:SS` UTC.
pub fn format_time(secs: u64) -> String {
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rem = secs % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_parse_and_format() {
        assert_eq!(parse_time("1700000000", 0), Ok(1_700_000_000));
        assert_eq!(parse_time("-2h", 10_000), Ok(10_000 - 7200));
        assert_eq!(parse_time("-7d", 1_000_000), Ok(1_000_000 - 604_800));
        assert_eq!(parse_time("2023-11-14T22:13:20Z", 0), Ok(1_700_000_000));
        assert_eq!(parse_time("2023-11-14 22:13:20", 0), Ok(1_700_000_000));
        assert_eq!(parse_time("1970-01-01", 0), Ok(0));
        assert!(parse_time("yesterday", 0).is_err());
        assert!(parse_time("-3y", 0).is_err());
        assert!(parse_time("2023-13-01", 0).is_err());
        assert_eq!(format_time(1_700_000_000), "2023-11-14 22:13:20");
        assert_eq!(format_time(0), "1970-01-01 00:00:00");
    }

    proptest::proptest! {
        #[test]
        fn format_then_parse_round_trips(t in 0u64..4_000_000_000) {
            proptest::prop_assert_eq!(parse_time(&format_time(t), 0), Ok(t));
        }
    }
}
