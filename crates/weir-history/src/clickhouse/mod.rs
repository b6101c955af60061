//! ClickHouse over its HTTP interface: the client, the schema, the reader, and the
//! background writer with its disk spool ([`writer`]).
//!
//! Only SQL that both Debian's ClickHouse 18.16 and current releases accept is used:
//! plain `MergeTree` with a partition key and `ORDER BY`, `String`/`UIntN`/`DateTime`
//! columns (no `DateTime64`, `LowCardinality`, `IPv6` types), `TabSeparated` in and out.
//! The `TTL` clause (19.6 and later) is added only when the server is new enough;
//! older servers get the same retention by the writer dropping old partitions.

pub mod tsv;
pub mod writer;

use std::time::Duration;

use base64::Engine as _;

use crate::query::{FlowFilter, FlowPage, FlowQuery, GroupBy, HistoryReader, TopEntry};
use crate::record::{EndReason, FlowRecord};
use crate::{Error, Result};
use tsv::{quote, unescape};

/// Where ClickHouse is and how to talk to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClickHouseConfig {
    /// `http://HOST:PORT` (no path).
    pub url: String,
    /// The database holding `flows` and `alerts`.
    pub database: String,
    /// User (`default` when `None`).
    pub user: Option<String>,
    /// Password.
    pub password: Option<String>,
    /// Days the rows are kept (0: forever).
    pub retention_days: u32,
    /// Timeout of one request.
    pub timeout: Duration,
}

impl ClickHouseConfig {
    /// Parses `http://HOST:PORT[/DATABASE]` (database `weir` when absent).
    ///
    /// # Errors
    /// [`Error::Config`] for anything else (https is not supported).
    pub fn from_url(url: &str) -> Result<ClickHouseConfig> {
        let rest = url.strip_prefix("http://").ok_or_else(|| {
            Error::Config(format!(
                "ClickHouse URL {url:?}: expected http://HOST:PORT[/DATABASE]"
            ))
        })?;
        let (host, db) = match rest.split_once('/') {
            Some((h, d)) => (h, d.trim_end_matches('/')),
            None => (rest, ""),
        };
        if host.is_empty() || host.contains(['?', '#', '@']) {
            return Err(Error::Config(format!(
                "ClickHouse URL {url:?}: bad host (credentials go in [clickhouse] user/password)"
            )));
        }
        let database = if db.is_empty() { "weir" } else { db };
        check_ident(database)?;
        Ok(ClickHouseConfig {
            url: format!("http://{host}"),
            database: database.to_string(),
            user: None,
            password: None,
            retention_days: 30,
            timeout: Duration::from_secs(30),
        })
    }
}

/// Database names are plain identifiers (they go into SQL unquoted).
fn check_ident(s: &str) -> Result<()> {
    let ok = !s.is_empty()
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(Error::Config(format!(
            "ClickHouse database {s:?}: letters, digits and _ only"
        )))
    }
}

/// A ClickHouse HTTP client (blocking; one per thread that talks to the server).
#[derive(Clone)]
pub struct Client {
    cfg: ClickHouseConfig,
    agent: ureq::Agent,
}

/// The first line of a ClickHouse error body (`Code: 60, e.displayText() = …`).
fn first_line(text: &str) -> String {
    let line = text.trim().lines().next().unwrap_or("").trim();
    let mut s: String = line.chars().take(400).collect();
    if s.is_empty() {
        s = "(empty answer)".into();
    }
    s
}

impl Client {
    /// A client.
    pub fn new(cfg: ClickHouseConfig) -> Client {
        let agent = ureq::Agent::new_with_config(
            ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(cfg.timeout))
                .build(),
        );
        Client { cfg, agent }
    }

    /// The settings.
    pub fn config(&self) -> &ClickHouseConfig {
        &self.cfg
    }

    /// `db.table`.
    pub fn table(&self, t: &str) -> String {
        format!("{}.{t}", self.cfg.database)
    }

    fn post(&self, query: Option<&str>, body: &[u8], what: &str) -> Result<String> {
        let mut req = self.agent.post(format!("{}/", self.cfg.url));
        if let Some(q) = query {
            req = req.query("query", q);
        }
        if self.cfg.user.is_some() || self.cfg.password.is_some() {
            let user = self.cfg.user.as_deref().unwrap_or("default");
            let pass = self.cfg.password.as_deref().unwrap_or("");
            req = req.header(
                "Authorization",
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"))
                ),
            );
        }
        let mut resp = req.send(body).map_err(|e| Error::Unreachable {
            url: self.cfg.url.clone(),
            what: what.to_string(),
            reason: e.to_string(),
        })?;
        let status = resp.status();
        let text = resp
            .body_mut()
            .with_config()
            .limit(256 << 20)
            .read_to_string()
            .map_err(|e| Error::Unreachable {
                url: self.cfg.url.clone(),
                what: what.to_string(),
                reason: format!("reading the answer: {e}"),
            })?;
        if !status.is_success() {
            return Err(Error::Refused {
                url: self.cfg.url.clone(),
                what: what.to_string(),
                status: status.as_u16(),
                reason: first_line(&text),
            });
        }
        // An error met after the answer started streaming comes at its end.
        if let Some(pos) = text.rfind("Code: ")
            && text[pos..].contains("DB::Exception")
        {
            return Err(Error::Refused {
                url: self.cfg.url.clone(),
                what: what.to_string(),
                status: status.as_u16(),
                reason: first_line(&text[pos..]),
            });
        }
        Ok(text)
    }

    /// Runs one statement (the SQL in the request body) and returns the answer text.
    ///
    /// # Errors
    /// [`Error::Unreachable`] or [`Error::Refused`].
    pub fn query(&self, sql: &str) -> Result<String> {
        self.post(None, sql.as_bytes(), "query")
    }

    /// `INSERT INTO db.table (columns) FORMAT TabSeparated` with `body` as the rows.
    ///
    /// # Errors
    /// [`Error::Unreachable`] (the insert may or may not have happened) or
    /// [`Error::Refused`] (it did not).
    pub fn insert(&self, table: &str, columns: &str, body: &[u8]) -> Result<()> {
        let q = format!(
            "INSERT INTO {} ({columns}) FORMAT TabSeparated",
            self.table(table)
        );
        self.post(Some(&q), body, &format!("insert into {table}"))
            .map(|_| ())
    }

    /// The server's `(major, minor)` version.
    ///
    /// # Errors
    /// As [`Client::query`], or [`Error::Malformed`] when the answer is no version.
    pub fn version(&self) -> Result<(u32, u32)> {
        let text = self.query("SELECT version()")?;
        let v = text.trim();
        let mut parts = v.split('.').map(|p| p.parse::<u32>());
        match (parts.next(), parts.next()) {
            (Some(Ok(a)), Some(Ok(b))) => Ok((a, b)),
            _ => Err(self.malformed("version", format!("{:?}", first_line(v)))),
        }
    }

    fn malformed(&self, what: &str, reason: String) -> Error {
        Error::Malformed {
            url: self.cfg.url.clone(),
            what: what.to_string(),
            reason,
        }
    }

    /// Creates the database and the `flows` and `alerts` tables when missing; returns
    /// the server version. Retention uses `TTL` on 19.6 and later.
    ///
    /// # Errors
    /// As [`Client::query`].
    pub fn ensure_schema(&self) -> Result<(u32, u32)> {
        let version = self.version()?;
        self.query(&format!(
            "CREATE DATABASE IF NOT EXISTS {}",
            self.cfg.database
        ))?;
        let ttl = if self.cfg.retention_days > 0 && supports_ttl(version) {
            format!(" TTL stored + INTERVAL {} DAY", self.cfg.retention_days)
        } else {
            String::new()
        };
        self.query(&format!(
            "CREATE TABLE IF NOT EXISTS {} (\
             probe String, interface String, vlan UInt16, l4 UInt8, \
             cli_ip String, cli_port UInt16, srv_ip String, srv_port UInt16, \
             first_seen_us UInt64, last_seen_us UInt64, \
             cli2srv_bytes UInt64, srv2cli_bytes UInt64, cli2srv_packets UInt64, srv2cli_packets UInt64, \
             l7_proto String, category String, risks UInt64, statuses UInt64, score UInt32, \
             info String, end_reason String, batch_id String, \
             last_seen DateTime MATERIALIZED toDateTime(intDiv(last_seen_us, 1000000)), \
             stored DateTime DEFAULT now()\
             ) ENGINE = MergeTree PARTITION BY toYYYYMMDD(stored) \
             ORDER BY (last_seen, cli_ip, srv_ip){ttl}",
            self.table("flows")
        ))?;
        self.query(&format!(
            "CREATE TABLE IF NOT EXISTS {} (\
             probe String, ifid Int32, kind String, action String, alert_type UInt32, \
             alert_name String, severity UInt8, entity UInt8, entity_val String, \
             tstamp UInt64, tstamp_end UInt64, score UInt32, cli_ip String, srv_ip String, \
             json String, batch_id String, \
             t DateTime MATERIALIZED toDateTime(tstamp), \
             stored DateTime DEFAULT now()\
             ) ENGINE = MergeTree PARTITION BY toYYYYMMDD(stored) \
             ORDER BY (t, entity, entity_val){ttl}",
            self.table("alerts")
        ))?;
        Ok(version)
    }

    /// Drops the partitions of `table` stored before `cutoff` (seconds since the epoch):
    /// the retention of servers without `TTL`. Returns how many were dropped.
    ///
    /// # Errors
    /// As [`Client::query`].
    pub fn drop_partitions_before(&self, table: &str, cutoff: u64) -> Result<usize> {
        let day: String = crate::query::format_time(cutoff)
            .chars()
            .take(10)
            .filter(|c| c.is_ascii_digit())
            .collect();
        let text = self.query(&format!(
            "SELECT DISTINCT partition FROM system.parts WHERE database = {} \
             AND table = {} AND active FORMAT TabSeparated",
            quote(&self.cfg.database),
            quote(table)
        ))?;
        let mut n = 0;
        for p in text.lines().map(str::trim).filter(|p| !p.is_empty()) {
            if p.len() == 8 && p.chars().all(|c| c.is_ascii_digit()) && p < day.as_str() {
                self.query(&format!(
                    "ALTER TABLE {} DROP PARTITION {p}",
                    self.table(table)
                ))?;
                n += 1;
            }
        }
        Ok(n)
    }

    /// Which of `ids` are in `table`'s `batch_id` column, looking at the rows stored
    /// since `since` (seconds; partitions before it are skipped).
    ///
    /// # Errors
    /// As [`Client::query`].
    pub fn present_batches(&self, table: &str, ids: &[String], since: u64) -> Result<Vec<String>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list: Vec<String> = ids.iter().map(|i| quote(i)).collect();
        let text = self.query(&format!(
            "SELECT DISTINCT batch_id FROM {} WHERE stored >= toDateTime({}) \
             AND batch_id IN ({}) FORMAT TabSeparated",
            self.table(table),
            since,
            list.join(",")
        ))?;
        Ok(text
            .lines()
            .filter(|l| !l.is_empty())
            .map(unescape)
            .collect())
    }
}

/// `TTL` on MergeTree tables came with ClickHouse 19.6.
pub fn supports_ttl((major, minor): (u32, u32)) -> bool {
    major > 19 || (major == 19 && minor >= 6)
}

/// Reads the flow history in ClickHouse (every probe's).
pub struct ClickHouseReader {
    client: Client,
}

const SELECT_FLOW: &str = "probe, interface, vlan, l4, cli_ip, cli_port, srv_ip, srv_port, \
    first_seen_us, last_seen_us, cli2srv_bytes, srv2cli_bytes, cli2srv_packets, srv2cli_packets, \
    l7_proto, category, risks, statuses, score, info, end_reason";

impl ClickHouseReader {
    /// A reader.
    pub fn new(cfg: ClickHouseConfig) -> ClickHouseReader {
        ClickHouseReader {
            client: Client::new(cfg),
        }
    }

    fn where_clause(f: &FlowFilter) -> String {
        let mut c = Vec::new();
        if let Some(s) = f.since {
            c.push(format!("last_seen >= toDateTime({s})"));
        }
        if let Some(u) = f.until {
            c.push(format!(
                "first_seen_us <= {}",
                u.saturating_mul(1_000_000).saturating_add(999_999)
            ));
        }
        if let Some(h) = &f.host {
            let h = quote(&crate::canonical_ip(h));
            c.push(format!("(cli_ip = {h} OR srv_ip = {h})"));
        }
        if let Some(l) = &f.l7 {
            let l = l.to_ascii_lowercase();
            c.push(format!(
                "(lower(l7_proto) = {} OR startsWith(lower(l7_proto), {}) OR endsWith(lower(l7_proto), {}))",
                quote(&l),
                quote(&format!("{l}.")),
                quote(&format!(".{l}"))
            ));
        }
        if let Some(p) = &f.probe {
            c.push(format!("probe = {}", quote(p)));
        }
        if c.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", c.join(" AND "))
        }
    }

    fn parse_flow(&self, line: &str) -> Result<FlowRecord> {
        let f: Vec<&str> = line.split('\t').collect();
        let bad = || {
            self.client.malformed(
                "flows query",
                format!("row {:?}", line.chars().take(200).collect::<String>()),
            )
        };
        if f.len() != 21 {
            return Err(bad());
        }
        let s = |i: usize| f.get(i).map(|v| unescape(v)).unwrap_or_default();
        let n = |i: usize| -> Result<u64> {
            f.get(i).and_then(|v| v.parse::<u64>().ok()).ok_or_else(bad)
        };
        let ip = |i: usize| -> Result<std::net::IpAddr> {
            f.get(i).and_then(|v| v.parse().ok()).ok_or_else(bad)
        };
        let small = |i: usize| -> Result<u32> { u32::try_from(n(i)?).map_err(|_| bad()) };
        Ok(FlowRecord {
            probe: s(0),
            interface: s(1),
            vlan: u16::try_from(n(2)?).map_err(|_| bad())?,
            l4: u8::try_from(n(3)?).map_err(|_| bad())?,
            cli_ip: ip(4)?,
            cli_port: u16::try_from(n(5)?).map_err(|_| bad())?,
            srv_ip: ip(6)?,
            srv_port: u16::try_from(n(7)?).map_err(|_| bad())?,
            first_seen_us: n(8)?,
            last_seen_us: n(9)?,
            cli2srv_bytes: n(10)?,
            srv2cli_bytes: n(11)?,
            cli2srv_packets: n(12)?,
            srv2cli_packets: n(13)?,
            l7_proto: s(14),
            category: s(15),
            risks: n(16)?,
            statuses: n(17)?,
            score: small(18)?,
            info: s(19),
            end_reason: EndReason::from_name(&s(20)),
        })
    }

    fn count(&self, sql: &str) -> Result<u64> {
        let text = self.client.query(sql)?;
        text.trim()
            .parse()
            .map_err(|_| self.client.malformed("count", first_line(&text)))
    }
}

impl HistoryReader for ClickHouseReader {
    fn flows(&self, q: &FlowQuery) -> Result<FlowPage> {
        let w = ClickHouseReader::where_clause(&q.filter);
        let t = self.client.table("flows");
        let total = self.count(&format!("SELECT count() FROM {t}{w} FORMAT TabSeparated"))?;
        let text = self.client.query(&format!(
            "SELECT {SELECT_FLOW} FROM {t}{w} ORDER BY last_seen_us DESC, first_seen_us DESC, \
             cli_ip, cli_port, srv_ip, srv_port, probe LIMIT {}, {} FORMAT TabSeparated",
            q.offset, q.limit
        ))?;
        let flows = text
            .lines()
            .filter(|l| !l.is_empty())
            .map(|l| self.parse_flow(l))
            .collect::<Result<Vec<_>>>()?;
        Ok(FlowPage { total, flows })
    }

    fn top(&self, filter: &FlowFilter, by: GroupBy, n: usize) -> Result<Vec<TopEntry>> {
        let w = ClickHouseReader::where_clause(filter);
        let t = self.client.table("flows");
        let b = "cli2srv_bytes + srv2cli_bytes";
        let p = "cli2srv_packets + srv2cli_packets";
        let (key, join) = match by {
            GroupBy::Host => ("k", " ARRAY JOIN [cli_ip, srv_ip] AS k"),
            GroupBy::L7 => ("l7_proto", ""),
            GroupBy::ServerPort => ("concat(toString(l4), '/', toString(srv_port))", ""),
            GroupBy::Probe => ("probe", ""),
        };
        let text = self.client.query(&format!(
            "SELECT {key} AS g, count(), sum({b}), sum({p}) FROM {t}{join}{w} GROUP BY g \
             ORDER BY sum({b}) DESC, g LIMIT {} FORMAT TabSeparated",
            n.min(10_000)
        ))?;
        let mut out = Vec::new();
        for line in text.lines().filter(|l| !l.is_empty()) {
            let f: Vec<&str> = line.split('\t').collect();
            let num = |i: usize| f.get(i).and_then(|v| v.parse::<u64>().ok());
            match (f.first(), num(1), num(2), num(3)) {
                (Some(k), Some(flows), Some(bytes), Some(packets)) if f.len() == 4 => {
                    let k = unescape(k);
                    out.push(TopEntry {
                        key: if by == GroupBy::ServerPort {
                            crate::port_key(&k)
                        } else {
                            k
                        },
                        flows,
                        bytes,
                        packets,
                    });
                }
                _ => {
                    return Err(self
                        .client
                        .malformed("top query", format!("row {:?}", first_line(line))));
                }
            }
        }
        Ok(out)
    }

    fn probes(&self) -> Result<Vec<String>> {
        let text = self.client.query(&format!(
            "SELECT DISTINCT probe FROM {} ORDER BY probe FORMAT TabSeparated",
            self.client.table("flows")
        ))?;
        Ok(text
            .lines()
            .filter(|l| !l.is_empty())
            .map(unescape)
            .collect())
    }

    fn describe(&self) -> String {
        format!(
            "clickhouse {}/{}",
            self.client.cfg.url, self.client.cfg.database
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_parse() {
        let c = ClickHouseConfig::from_url("http://127.0.0.1:8123/probes").unwrap();
        assert_eq!(c.url, "http://127.0.0.1:8123");
        assert_eq!(c.database, "probes");
        let c = ClickHouseConfig::from_url("http://ch:8123").unwrap();
        assert_eq!(c.database, "weir");
        assert!(ClickHouseConfig::from_url("https://ch:8123/x").is_err());
        assert!(ClickHouseConfig::from_url("http://u:p@ch:8123/x").is_err());
        assert!(ClickHouseConfig::from_url("http://ch:8123/x;DROP").is_err());
    }

    #[test]
    fn ttl_needs_19_6() {
        assert!(!supports_ttl((18, 16)));
        assert!(!supports_ttl((19, 5)));
        assert!(supports_ttl((19, 6)));
        assert!(supports_ttl((24, 3)));
    }
}
