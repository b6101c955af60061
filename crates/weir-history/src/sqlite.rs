//! The embedded flow history: one SQLite file in the data directory
//! (`history.sqlite`), one writer, any number of readers, retention by age and size.
//!
//! Age is measured from the newest flow in the store (packet time), not the wall
//! clock: a replay of an old capture keeps its flows, and a live probe, whose newest
//! flow is "now", keeps the last `max_age` of traffic.

use std::path::{Path, PathBuf};

use parking_lot::Mutex;
use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags, params_from_iter};

use crate::query::{FlowFilter, FlowPage, FlowQuery, GroupBy, HistoryReader, TopEntry};
use crate::record::{EndReason, FlowRecord};
use crate::{Error, Result};

/// The file name of the store in the data directory.
pub const FILE_NAME: &str = "history.sqlite";

/// How much history the embedded store keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retention {
    /// Flows whose last packet is older than this (seconds before the newest flow's)
    /// are deleted.
    pub max_age_secs: Option<u64>,
    /// The oldest flows are deleted while the data takes more than this many bytes.
    pub max_bytes: Option<u64>,
}

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS flows (
    id INTEGER PRIMARY KEY,
    probe TEXT NOT NULL,
    interface TEXT NOT NULL,
    vlan INTEGER NOT NULL,
    l4 INTEGER NOT NULL,
    cli_ip TEXT NOT NULL,
    cli_port INTEGER NOT NULL,
    srv_ip TEXT NOT NULL,
    srv_port INTEGER NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    cli2srv_bytes INTEGER NOT NULL,
    srv2cli_bytes INTEGER NOT NULL,
    cli2srv_packets INTEGER NOT NULL,
    srv2cli_packets INTEGER NOT NULL,
    l7_proto TEXT NOT NULL,
    category TEXT NOT NULL,
    risks INTEGER NOT NULL,
    statuses INTEGER NOT NULL,
    score INTEGER NOT NULL,
    info TEXT NOT NULL,
    end_reason TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS flows_last_seen ON flows(last_seen);
CREATE INDEX IF NOT EXISTS flows_cli ON flows(cli_ip, last_seen);
CREATE INDEX IF NOT EXISTS flows_srv ON flows(srv_ip, last_seen);
";

const COLUMNS: &str = "probe, interface, vlan, l4, cli_ip, cli_port, srv_ip, srv_port, \
    first_seen, last_seen, cli2srv_bytes, srv2cli_bytes, cli2srv_packets, srv2cli_packets, \
    l7_proto, category, risks, statuses, score, info, end_reason";

/// The writing side of the embedded store (one per data directory).
pub struct SqliteHistory {
    conn: Connection,
    path: PathBuf,
    retention: Retention,
}

fn sql_err(path: &Path) -> impl Fn(rusqlite::Error) -> Error + '_ {
    move |source| Error::Sqlite {
        path: path.display().to_string(),
        source,
    }
}

/// u64 counters as SQLite integers (bit pattern kept: bitmaps use all 64 bits).
fn i(v: u64) -> i64 {
    v as i64
}

impl SqliteHistory {
    /// Opens (creating) `history.sqlite` in `dir`.
    ///
    /// # Errors
    /// The directory or the database cannot be created or opened.
    pub fn open_dir(dir: &Path, retention: Retention) -> Result<SqliteHistory> {
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.display().to_string(),
            source,
        })?;
        SqliteHistory::open(&dir.join(FILE_NAME), retention)
    }

    /// Opens (creating) the store at `path`.
    ///
    /// # Errors
    /// The database cannot be created or opened, or is not a history store.
    pub fn open(path: &Path, retention: Retention) -> Result<SqliteHistory> {
        let conn = Connection::open(path).map_err(sql_err(path))?;
        // auto_vacuum must be set before the first table exists.
        conn.execute_batch(
            "PRAGMA auto_vacuum = INCREMENTAL; PRAGMA journal_mode = WAL; \
             PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;",
        )
        .map_err(sql_err(path))?;
        conn.execute_batch(SCHEMA).map_err(sql_err(path))?;
        Ok(SqliteHistory {
            conn,
            path: path.to_path_buf(),
            retention,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `flows` in one transaction, then applies the retention; returns how many
    /// flows the retention deleted.
    ///
    /// # Errors
    /// SQLite failed (disk full, file removed): nothing of the batch was written.
    pub fn insert(&mut self, flows: &[FlowRecord]) -> Result<u64> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(sql_err(&path))?;
        {
            let mut st = tx
                .prepare_cached(&format!(
                    "INSERT INTO flows ({COLUMNS}) VALUES \
                     (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21)"
                ))
                .map_err(sql_err(&path))?;
            for f in flows {
                st.execute(rusqlite::params![
                    f.probe,
                    f.interface,
                    f.vlan,
                    f.l4,
                    f.cli_ip.to_string(),
                    f.cli_port,
                    f.srv_ip.to_string(),
                    f.srv_port,
                    i(f.first_seen_us),
                    i(f.last_seen_us),
                    i(f.cli2srv_bytes),
                    i(f.srv2cli_bytes),
                    i(f.cli2srv_packets),
                    i(f.srv2cli_packets),
                    f.l7_proto,
                    f.category,
                    i(f.risks),
                    i(f.statuses),
                    f.score,
                    f.info,
                    f.end_reason.name(),
                ])
                .map_err(sql_err(&path))?;
            }
        }
        tx.commit().map_err(sql_err(&path))?;
        self.enforce()
    }

    /// Applies the retention; returns how many flows it deleted.
    ///
    /// # Errors
    /// SQLite failed.
    pub fn enforce(&mut self) -> Result<u64> {
        let path = self.path.clone();
        let mut deleted = 0u64;
        if let Some(age) = self.retention.max_age_secs {
            let n = self
                .conn
                .execute(
                    "DELETE FROM flows WHERE last_seen < \
                     (SELECT max(last_seen) FROM flows) - ?1",
                    [i(age.saturating_mul(1_000_000))],
                )
                .map_err(sql_err(&path))?;
            deleted += n as u64;
        }
        if let Some(max) = self.retention.max_bytes {
            // Bounded: each round deletes a tenth of the rows (at least one).
            for _ in 0..64 {
                if self.used_bytes()? <= max {
                    break;
                }
                let rows: i64 = self
                    .conn
                    .query_row("SELECT count(*) FROM flows", [], |r| r.get(0))
                    .map_err(sql_err(&path))?;
                if rows == 0 {
                    break;
                }
                let n = self
                    .conn
                    .execute(
                        "DELETE FROM flows WHERE id IN \
                         (SELECT id FROM flows ORDER BY last_seen, id LIMIT ?1)",
                        [(rows / 10).max(1)],
                    )
                    .map_err(sql_err(&path))?;
                deleted += n as u64;
            }
        }
        if deleted > 0 {
            self.conn
                .execute_batch("PRAGMA incremental_vacuum;")
                .map_err(sql_err(&path))?;
        }
        Ok(deleted)
    }

    /// Bytes the rows and indexes take (pages in use, free pages not counted).
    ///
    /// # Errors
    /// SQLite failed.
    pub fn used_bytes(&self) -> Result<u64> {
        let q = |p: &str| -> Result<i64> {
            self.conn
                .query_row(&format!("PRAGMA {p}"), [], |r| r.get(0))
                .map_err(sql_err(&self.path))
        };
        let used = q("page_count")?.saturating_sub(q("freelist_count")?);
        Ok(u64::try_from(used.saturating_mul(q("page_size")?)).unwrap_or(0))
    }

    /// A reader of this store (its own connection).
    ///
    /// # Errors
    /// The file cannot be opened.
    pub fn reader(&self) -> Result<SqliteReader> {
        SqliteReader::open(&self.path)
    }
}

/// The reading side of the embedded store: what `weir history` and the web server use.
pub struct SqliteReader {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl SqliteReader {
    /// Opens the store at `path` read-only.
    ///
    /// # Errors
    /// The file does not exist or is not a history store.
    pub fn open(path: &Path) -> Result<SqliteReader> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(sql_err(path))?;
        conn.execute_batch("PRAGMA busy_timeout = 5000;")
            .map_err(sql_err(path))?;
        // Fails clearly on a file that is not a history store.
        conn.query_row("SELECT count(*) FROM flows WHERE 0", [], |r| {
            r.get::<_, i64>(0)
        })
        .map_err(sql_err(path))?;
        Ok(SqliteReader {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
        })
    }

    /// Opens `history.sqlite` of the data directory `dir`.
    ///
    /// # Errors
    /// As [`SqliteReader::open`].
    pub fn open_dir(dir: &Path) -> Result<SqliteReader> {
        SqliteReader::open(&dir.join(FILE_NAME))
    }
}

/// The WHERE clause (with its leading ` WHERE `, or empty) of a filter, and its values.
fn where_clause(f: &FlowFilter) -> (String, Vec<Value>) {
    let mut conds: Vec<String> = Vec::new();
    let mut vals: Vec<Value> = Vec::new();
    let push = |v: Value, vals: &mut Vec<Value>| {
        vals.push(v);
        vals.len()
    };
    if let Some(s) = f.since {
        let n = push(Value::Integer(i(s.saturating_mul(1_000_000))), &mut vals);
        conds.push(format!("last_seen >= ?{n}"));
    }
    if let Some(u) = f.until {
        let n = push(
            Value::Integer(i(u.saturating_mul(1_000_000).saturating_add(999_999))),
            &mut vals,
        );
        conds.push(format!("first_seen <= ?{n}"));
    }
    if let Some(h) = &f.host {
        let n = push(Value::Text(crate::canonical_ip(h)), &mut vals);
        conds.push(format!("(cli_ip = ?{n} OR srv_ip = ?{n})"));
    }
    if let Some(l) = &f.l7 {
        let l = l.to_ascii_lowercase();
        let len = i64::try_from(l.chars().count() + 1).unwrap_or(i64::MAX);
        let a = push(Value::Text(l.clone()), &mut vals);
        let b = push(Value::Integer(len), &mut vals);
        let c = push(Value::Text(format!("{l}.")), &mut vals);
        let d = push(Value::Text(format!(".{l}")), &mut vals);
        conds.push(format!(
            "(lower(l7_proto) = ?{a} OR substr(lower(l7_proto), 1, ?{b}) = ?{c} \
             OR substr(lower(l7_proto), -?{b}) = ?{d})"
        ));
    }
    if let Some(p) = &f.probe {
        let n = push(Value::Text(p.clone()), &mut vals);
        conds.push(format!("probe = ?{n}"));
    }
    if conds.is_empty() {
        (String::new(), vals)
    } else {
        (format!(" WHERE {}", conds.join(" AND ")), vals)
    }
}

fn row_to_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<FlowRecord> {
    let ip = |s: String| s.parse().unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]));
    let u = |v: i64| v as u64;
    Ok(FlowRecord {
        probe: r.get(0)?,
        interface: r.get(1)?,
        vlan: r.get(2)?,
        l4: r.get(3)?,
        cli_ip: ip(r.get(4)?),
        cli_port: r.get(5)?,
        srv_ip: ip(r.get(6)?),
        srv_port: r.get(7)?,
        first_seen_us: u(r.get(8)?),
        last_seen_us: u(r.get(9)?),
        cli2srv_bytes: u(r.get(10)?),
        srv2cli_bytes: u(r.get(11)?),
        cli2srv_packets: u(r.get(12)?),
        srv2cli_packets: u(r.get(13)?),
        l7_proto: r.get(14)?,
        category: r.get(15)?,
        risks: u(r.get(16)?),
        statuses: u(r.get(17)?),
        score: r.get(18)?,
        info: r.get(19)?,
        end_reason: EndReason::from_name(&r.get::<_, String>(20)?),
    })
}

impl HistoryReader for SqliteReader {
    fn flows(&self, q: &FlowQuery) -> Result<FlowPage> {
        let (w, mut vals) = where_clause(&q.filter);
        let conn = self.conn.lock();
        let err = sql_err(&self.path);
        let total: i64 = conn
            .query_row(
                &format!("SELECT count(*) FROM flows{w}"),
                params_from_iter(vals.iter()),
                |r| r.get(0),
            )
            .map_err(&err)?;
        vals.push(Value::Integer(i64::try_from(q.limit).unwrap_or(i64::MAX)));
        vals.push(Value::Integer(i64::try_from(q.offset).unwrap_or(i64::MAX)));
        let n = vals.len();
        let mut st = conn
            .prepare(&format!(
                "SELECT {COLUMNS} FROM flows{w} ORDER BY last_seen DESC, id DESC \
                 LIMIT ?{} OFFSET ?{n}",
                n - 1
            ))
            .map_err(&err)?;
        let flows = st
            .query_map(params_from_iter(vals.iter()), row_to_record)
            .map_err(&err)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(&err)?;
        Ok(FlowPage {
            total: u64::try_from(total).unwrap_or(0),
            flows,
        })
    }

    fn top(&self, filter: &FlowFilter, by: GroupBy, n: usize) -> Result<Vec<TopEntry>> {
        let (w, vals) = where_clause(filter);
        let b = "cli2srv_bytes + srv2cli_bytes";
        let p = "cli2srv_packets + srv2cli_packets";
        let inner = match by {
            GroupBy::Host => format!(
                "SELECT cli_ip AS k, {b} AS b, {p} AS p FROM flows{w} \
                 UNION ALL SELECT srv_ip, {b}, {p} FROM flows{w}"
            ),
            GroupBy::L7 => format!("SELECT l7_proto AS k, {b} AS b, {p} AS p FROM flows{w}"),
            GroupBy::ServerPort => {
                format!("SELECT l4 || '/' || srv_port AS k, {b} AS b, {p} AS p FROM flows{w}")
            }
            GroupBy::Probe => format!("SELECT probe AS k, {b} AS b, {p} AS p FROM flows{w}"),
        };
        let sql = format!(
            "SELECT k, count(*), sum(b), sum(p) FROM ({inner}) GROUP BY k \
             ORDER BY sum(b) DESC, k LIMIT {}",
            n.min(10_000)
        );
        let conn = self.conn.lock();
        let err = sql_err(&self.path);
        let mut st = conn.prepare(&sql).map_err(&err)?;
        let rows = st
            .query_map(params_from_iter(vals.iter()), |r| {
                let key: String = r.get(0)?;
                Ok(TopEntry {
                    key: if by == GroupBy::ServerPort {
                        crate::port_key(&key)
                    } else {
                        key
                    },
                    flows: r.get::<_, i64>(1)? as u64,
                    bytes: r.get::<_, i64>(2)? as u64,
                    packets: r.get::<_, i64>(3)? as u64,
                })
            })
            .map_err(&err)?
            .collect::<rusqlite::Result<Vec<_>>>()
            .map_err(&err)?;
        Ok(rows)
    }

    fn probes(&self) -> Result<Vec<String>> {
        let conn = self.conn.lock();
        let err = sql_err(&self.path);
        let mut st = conn
            .prepare("SELECT DISTINCT probe FROM flows ORDER BY probe")
            .map_err(&err)?;
        let rows = st
            .query_map([], |r| r.get(0))
            .map_err(&err)?
            .collect::<rusqlite::Result<Vec<String>>>()
            .map_err(&err)?;
        Ok(rows)
    }

    fn describe(&self) -> String {
        format!("sqlite {}", self.path.display())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rec(i: u64, cli: u8, srv: u8, l7: &str, probe: &str, bytes: u64) -> FlowRecord {
        let mut f = FlowRecord::empty();
        f.probe = probe.into();
        f.cli_ip = std::net::IpAddr::from([10, 0, 0, cli]);
        f.srv_ip = std::net::IpAddr::from([10, 0, 1, srv]);
        f.cli_port = 40_000 + cli as u16;
        f.srv_port = 443;
        f.l4 = 6;
        f.first_seen_us = i * 1_000_000;
        f.last_seen_us = i * 1_000_000 + 500_000;
        f.cli2srv_bytes = bytes;
        f.srv2cli_bytes = 1;
        f.cli2srv_packets = 1;
        f.srv2cli_packets = 1;
        f.l7_proto = l7.into();
        f.risks = 1 << 46;
        f.statuses = 1 << 63;
        f
    }

    #[test]
    fn round_trips_every_field() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = SqliteHistory::open_dir(dir.path(), Retention::default()).unwrap();
        let mut f = rec(7, 1, 2, "TLS.YouTube", "p1", 10);
        f.cli_ip = "2001:db8::1".parse().unwrap();
        f.info = "www.example.org".into();
        f.category = "Media".into();
        f.vlan = 12;
        f.score = 150;
        f.end_reason = EndReason::Shutdown;
        s.insert(std::slice::from_ref(&f)).unwrap();
        let r = s.reader().unwrap();
        let page = r.flows(&FlowQuery::default()).unwrap();
        assert_eq!(page.flows, vec![f]);
        assert_eq!(r.probes().unwrap(), ["p1"]);
        let q = |host: &str| FlowQuery {
            filter: FlowFilter {
                host: Some(host.into()),
                ..FlowFilter::default()
            },
            ..FlowQuery::default()
        };
        assert_eq!(
            r.flows(&q("2001:DB8:0::1")).unwrap().total,
            1,
            "canonical form"
        );
        assert_eq!(r.flows(&q("10.9.9.9")).unwrap().total, 0);
    }

    #[test]
    fn a_file_that_is_not_a_store_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(FILE_NAME);
        std::fs::write(&p, b"not a database at all, just text").unwrap();
        let e = SqliteReader::open(&p).err().unwrap().to_string();
        assert!(e.contains(FILE_NAME), "{e}");
        let e = SqliteHistory::open(&p, Retention::default())
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains(FILE_NAME), "{e}");
    }

    #[test]
    fn size_retention_keeps_the_newest() {
        let dir = tempfile::tempdir().unwrap();
        let max = 256 << 10;
        let mut s = SqliteHistory::open_dir(
            dir.path(),
            Retention {
                max_age_secs: None,
                max_bytes: Some(max),
            },
        )
        .unwrap();
        let mut expired = 0;
        for round in 0..20u64 {
            let batch: Vec<FlowRecord> = (0..500)
                .map(|i| {
                    let mut f = rec(round * 500 + i, (i % 200) as u8, 1, "DNS", "p", 1);
                    f.info = "x".repeat(100);
                    f
                })
                .collect();
            expired += s.insert(&batch).unwrap();
        }
        assert!(s.used_bytes().unwrap() <= max);
        assert!(expired > 0);
        let r = s.reader().unwrap();
        let page = r.flows(&FlowQuery::default()).unwrap();
        assert_eq!(page.total + expired, 10_000);
        // The newest flow is always kept.
        assert_eq!(page.flows[0].first_seen_us, 9_999 * 1_000_000);
        let file = std::fs::metadata(s.path()).unwrap().len();
        assert!(
            file < 4 * max,
            "file shrinks with incremental vacuum: {file}"
        );
    }

    /// The naive model of a filter.
    fn matches(f: &FlowRecord, q: &FlowFilter) -> bool {
        let l7 = q.l7.as_ref().map(|l| l.to_ascii_lowercase());
        let label = f.l7_proto.to_ascii_lowercase();
        q.since.is_none_or(|s| f.last_seen_us >= s * 1_000_000)
            && q.until
                .is_none_or(|u| f.first_seen_us <= u * 1_000_000 + 999_999)
            && q.host
                .as_ref()
                .is_none_or(|h| f.cli_ip.to_string() == *h || f.srv_ip.to_string() == *h)
            && l7.is_none_or(|l| {
                label == l
                    || label.split('.').next() == Some(&l)
                    || label.ends_with(&format!(".{l}"))
            })
            && q.probe.as_ref().is_none_or(|p| f.probe == *p)
    }

    fn arb_flow() -> impl Strategy<Value = FlowRecord> {
        (
            0u64..100,
            0u8..4,
            0u8..3,
            prop::sample::select(vec!["DNS", "TLS.YouTube", "HTTP", "TLS", "QUIC.YouTube"]),
            prop::sample::select(vec!["a", "b"]),
            0u64..1000,
            0u64..20,
        )
            .prop_map(|(t, c, s, l7, p, b, dur)| {
                let mut f = rec(t, c, s, l7, p, b);
                f.last_seen_us = f.first_seen_us + dur * 1_000_000;
                f
            })
    }

    fn arb_filter() -> impl Strategy<Value = FlowFilter> {
        (
            prop::option::of(0u64..120),
            prop::option::of(0u64..120),
            prop::option::of(prop::sample::select(vec![
                "10.0.0.1", "10.0.1.2", "10.0.0.9",
            ])),
            prop::option::of(prop::sample::select(vec![
                "dns",
                "TLS",
                "youtube",
                "tls.youtube",
                "Tube",
            ])),
            prop::option::of(prop::sample::select(vec!["a", "b", "c"])),
        )
            .prop_map(|(since, until, host, l7, probe)| FlowFilter {
                since,
                until,
                host: host.map(String::from),
                l7: l7.map(String::from),
                probe: probe.map(String::from),
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Filters, paging and top-N agree with a naive model over the same flows.
        #[test]
        fn queries_agree_with_a_model(
            flows in prop::collection::vec(arb_flow(), 0..60),
            filter in arb_filter(),
            limit in 1usize..20,
            offset in 0usize..30,
        ) {
            let dir = tempfile::tempdir().unwrap();
            let mut s = SqliteHistory::open_dir(dir.path(), Retention::default()).unwrap();
            s.insert(&flows).unwrap();
            let r = s.reader().unwrap();
            let want: Vec<&FlowRecord> = flows.iter().filter(|f| matches(f, &filter)).collect();
            let page = r.flows(&FlowQuery { filter: filter.clone(), limit, offset }).unwrap();
            prop_assert_eq!(page.total, want.len() as u64);
            prop_assert_eq!(page.flows.len(), want.len().saturating_sub(offset).min(limit));
            prop_assert!(page.flows.windows(2).all(|w| w[0].last_seen_us >= w[1].last_seen_us));
            prop_assert!(page.flows.iter().all(|f| matches(f, &filter)));
            // Paging through everything gives every matching flow once.
            let mut all = Vec::new();
            let mut off = 0;
            loop {
                let p = r.flows(&FlowQuery { filter: filter.clone(), limit: 7, offset: off }).unwrap();
                if p.flows.is_empty() { break; }
                off += p.flows.len();
                all.extend(p.flows);
            }
            let mut a: Vec<String> = all.iter().map(|f| format!("{f:?}")).collect();
            let mut b: Vec<String> = want.iter().map(|f| format!("{f:?}")).collect();
            a.sort();
            b.sort();
            prop_assert_eq!(a, b);
            // Top talkers: every flow counts for both its ends.
            let mut model: std::collections::HashMap<String, (u64, u64)> = Default::default();
            for f in &want {
                for h in [f.cli_ip.to_string(), f.srv_ip.to_string()] {
                    let e = model.entry(h).or_default();
                    e.0 += 1;
                    e.1 += f.bytes();
                }
            }
            let top = r.top(&filter, GroupBy::Host, 100).unwrap();
            prop_assert_eq!(top.len(), model.len());
            for t in &top {
                prop_assert_eq!(model.get(&t.key).copied(), Some((t.flows, t.bytes)));
            }
            prop_assert!(top.windows(2).all(|w| w[0].bytes >= w[1].bytes));
            let l7: u64 = r.top(&filter, GroupBy::L7, 100).unwrap().iter().map(|t| t.flows).sum();
            prop_assert_eq!(l7, want.len() as u64);
        }

        /// Age retention removes exactly the flows older than the newest minus the age.
        #[test]
        fn age_retention_matches_a_model(
            flows in prop::collection::vec(arb_flow(), 1..60),
            age in 0u64..50,
        ) {
            let dir = tempfile::tempdir().unwrap();
            let mut s = SqliteHistory::open_dir(
                dir.path(),
                Retention { max_age_secs: Some(age), max_bytes: None },
            ).unwrap();
            let expired = s.insert(&flows).unwrap();
            let newest = flows.iter().map(|f| f.last_seen_us).max().unwrap();
            let keep = flows.iter().filter(|f| f.last_seen_us + age * 1_000_000 >= newest).count();
            prop_assert_eq!(expired as usize, flows.len() - keep);
            let r = s.reader().unwrap();
            prop_assert_eq!(r.flows(&FlowQuery::default()).unwrap().total, keep as u64);
        }
    }
}
