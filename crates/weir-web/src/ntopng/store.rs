//! The [`FlowHistory`] of a run: ntopng's historical flow queries read the same
//! history store as `/api/v1/flows/history` (the embedded SQLite store of the data
//! directory, or ClickHouse when configured), through a [`HistoryReader`].
//!
//! The reader's time range narrows the scan; every record is then converted to a
//! [`HistoryFlow`] and kept when the parsed query matches it. Pages are read newest
//! first; without an order the scan stops at the query's limit, with one every
//! matching flow (at most [`MAX_SCAN`] scanned) is sorted and cut.
//!
//! Interfaces: a record names its capture file or device, not an ntopng interface id;
//! every flow answers as interface 0 (the history of a multi-interface run is one).

use std::cmp::Ordering;

use weir_flow::{Category, Proto};
use weir_history::{FlowFilter, FlowQuery, FlowRecord, HistoryReader};
use weir_pipeline::config::Config;

use super::history::{FlowHistory, HistoryFlow, HistoryQuery, MAX_SCAN};
use super::sql::Lit;

/// Records read from the store per page.
const PAGE: usize = 5_000;

/// Opens the history reader for one query.
type Open = dyn Fn() -> Result<Box<dyn HistoryReader>, String> + Send + Sync;

/// A [`FlowHistory`] over a [`HistoryReader`] opened per query (off the async
/// threads, like `/api/v1/flows/history`).
pub struct ReaderHistory {
    open: Box<Open>,
}

impl ReaderHistory {
    /// Reads through the readers `open` gives (one per query).
    pub fn new(
        open: impl Fn() -> Result<Box<dyn HistoryReader>, String> + Send + Sync + 'static,
    ) -> ReaderHistory {
        ReaderHistory {
            open: Box::new(open),
        }
    }

    /// The history store a configuration names: ClickHouse when configured, else the
    /// embedded store of its data directory.
    pub fn of_config(cfg: &Config) -> ReaderHistory {
        let cfg = cfg.clone();
        ReaderHistory::new(move || {
            weir_pipeline::history::reader(&cfg).map_err(|e| format!("flow history: {e:#}"))
        })
    }
}

impl FlowHistory for ReaderHistory {
    fn flows(&self, q: &HistoryQuery) -> Result<Vec<HistoryFlow>, String> {
        let r = (self.open)()?;
        select(r.as_ref(), q)
    }
}

/// The flows of `q` read from `r`: matching, in `q`'s order, at most `q.limit`.
///
/// # Errors
/// The store cannot be read.
pub fn select(r: &dyn HistoryReader, q: &HistoryQuery) -> Result<Vec<HistoryFlow>, String> {
    let filter = FlowFilter {
        since: q.from,
        until: q.to,
        ..FlowFilter::default()
    };
    let mut out = Vec::new();
    let mut offset = 0;
    while offset < MAX_SCAN {
        let page = r
            .flows(&FlowQuery {
                filter: filter.clone(),
                limit: PAGE.min(MAX_SCAN - offset),
                offset,
            })
            .map_err(|e| format!("flow history: {e}"))?;
        let n = page.flows.len();
        out.extend(page.flows.iter().map(flow_of).filter(|f| q.matches(f)));
        offset += n;
        if q.order.is_empty() && out.len() >= q.limit {
            break;
        }
        if n == 0 || offset as u64 >= page.total {
            break;
        }
    }
    if !q.order.is_empty() {
        // Stable: equal keys keep the store's newest-first order.
        out.sort_by(|a, b| {
            for (c, desc) in &q.order {
                let o = cmp_lit(a.get(c), b.get(c));
                let o = if *desc { o.reverse() } else { o };
                if o != Ordering::Equal {
                    return o;
                }
            }
            Ordering::Equal
        });
    }
    out.truncate(q.limit);
    Ok(out)
}

/// Orders values: absent first, numbers before text.
fn cmp_lit(a: Option<Lit>, b: Option<Lit>) -> Ordering {
    let rank = |l: &Option<Lit>| match l {
        None => 0,
        Some(Lit::Int(_)) => 1,
        Some(Lit::Text(_)) => 2,
    };
    match (&a, &b) {
        (Some(Lit::Int(x)), Some(Lit::Int(y))) => x.cmp(y),
        (Some(Lit::Text(x)), Some(Lit::Text(y))) => x.cmp(y),
        _ => rank(&a).cmp(&rank(&b)),
    }
}

/// nDPI ids of a `Master.App` label: (application, master; 0 without).
fn l7_ids(label: &str) -> (u16, u16) {
    let id = |n: &str| Proto::from_name(n).map_or(0, |p| p.0);
    if let Some(p) = Proto::from_name(label) {
        return (p.0, 0);
    }
    match label.split_once('.') {
        Some((master, app)) if id(app) == id(master) => (id(master), 0),
        Some((master, app)) => (id(app), id(master)),
        None => (0, 0),
    }
}

/// A history record as ntopng's historical queries see it (seconds, nDPI ids).
pub fn flow_of(r: &FlowRecord) -> HistoryFlow {
    let (l7_proto, l7_master) = l7_ids(&r.l7_proto);
    let main = if l7_proto != 0 { l7_proto } else { l7_master };
    let l7_category = Category::from_name(&r.category)
        .unwrap_or_else(|| Proto(main).category())
        .0;
    HistoryFlow {
        ifid: 0,
        first_seen: r.first_seen_us / 1_000_000,
        last_seen: r.last_seen_us / 1_000_000,
        cli_ip: r.cli_ip,
        srv_ip: r.srv_ip,
        cli_port: r.cli_port,
        srv_port: r.srv_port,
        l4_proto: r.l4,
        vlan: r.vlan,
        l7_proto,
        l7_master,
        l7_category: u16::from(l7_category),
        l7_name: r.l7_proto.clone(),
        packets: r.packets(),
        cli2srv_bytes: r.cli2srv_bytes,
        srv2cli_bytes: r.srv2cli_bytes,
        score: u64::from(r.score),
        info: r.info.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::history::COLUMNS;
    use super::super::sql;
    use super::*;
    use weir_history::{Retention, SqliteHistory, SqliteReader};

    fn rec(i: u64, l7: &str, bytes: u64) -> FlowRecord {
        FlowRecord {
            l4: if i.is_multiple_of(2) { 6 } else { 17 },
            cli_ip: format!("10.0.0.{}", i % 200 + 1).parse().unwrap(),
            cli_port: 40_000 + i as u16,
            srv_ip: "192.168.1.1".parse().unwrap(),
            srv_port: 443,
            first_seen_us: 1_700_000_000_000_000 + i * 1_000_000,
            last_seen_us: 1_700_000_000_500_000 + i * 1_000_000,
            cli2srv_bytes: bytes,
            srv2cli_bytes: 10,
            cli2srv_packets: 2,
            srv2cli_packets: 1,
            l7_proto: l7.into(),
            category: "Web".into(),
            ..FlowRecord::empty()
        }
    }

    #[test]
    fn record_converts_to_seconds_and_ndpi_ids() {
        let f = flow_of(&rec(3, "TLS.YouTube", 100));
        assert_eq!((f.first_seen, f.last_seen), (1_700_000_003, 1_700_000_003));
        assert_eq!(f.l7_proto, Proto::from_name("YouTube").unwrap().0);
        assert_eq!(f.l7_master, Proto::from_name("TLS").unwrap().0);
        assert_ne!(f.l7_proto, 0);
        assert_eq!(f.l7_name, "TLS.YouTube");
        assert_eq!(
            u64::from(f.l7_category),
            u64::from(Category::from_name("Web").unwrap().0)
        );
        assert_eq!((f.packets, f.cli2srv_bytes, f.srv2cli_bytes), (3, 100, 10));
        let dns = flow_of(&rec(4, "DNS", 1));
        assert_eq!(
            (dns.l7_proto, dns.l7_master),
            (Proto::from_name("DNS").unwrap().0, 0)
        );
        assert_eq!(l7_ids("no.such"), (0, 0));
        assert_eq!(l7_ids(""), (0, 0));
    }

    #[test]
    fn reads_a_real_store_filtered_ordered_and_paged() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = SqliteHistory::open_dir(dir.path(), Retention::default()).unwrap();
        let n = 12_000u64;
        let recs: Vec<FlowRecord> = (0..n).map(|i| rec(i, "DNS", i)).collect();
        store.insert(&recs).unwrap();
        drop(store);
        let reader = SqliteReader::open_dir(dir.path()).unwrap();
        let q = |w: &str, order: &str, limit: usize| HistoryQuery {
            filter: sql::parse_where(w, COLUMNS).unwrap(),
            order: sql::parse_order_by(order, COLUMNS)
                .unwrap()
                .into_iter()
                .filter_map(|(s, d)| match s {
                    sql::Select::Column(c) => Some((c, d)),
                    sql::Select::Agg(..) => None,
                })
                .collect(),
            limit,
            ..HistoryQuery::default()
        };
        // Newest first without an order; more than a page of the store.
        let all = select(&reader, &q("", "", 100_000)).unwrap();
        assert_eq!(all.len() as u64, n);
        assert_eq!(all[0].cli2srv_bytes, n - 1);
        // The filter holds on every row, across pages (half the flows are TCP).
        let tcp = select(&reader, &q("PROTOCOL=6", "", 100_000)).unwrap();
        assert_eq!(tcp.len() as u64, n / 2);
        assert!(tcp.iter().all(|f| f.l4_proto == 6));
        // A limit without an order: the newest matching.
        let few = select(&reader, &q("PROTOCOL=17", "", 7)).unwrap();
        let want: Vec<u64> = (0..n).rev().filter(|i| i % 2 == 1).take(7).collect();
        assert_eq!(
            few.iter().map(|f| f.cli2srv_bytes).collect::<Vec<_>>(),
            want
        );
        // An order over every match, then the limit.
        let small = select(&reader, &q("PROTOCOL=6", "TOTAL_BYTES ASC", 3)).unwrap();
        assert_eq!(
            small.iter().map(|f| f.cli2srv_bytes).collect::<Vec<_>>(),
            vec![0, 2, 4]
        );
        // The time range goes to the store.
        let t0 = 1_700_000_000 + 11_990;
        let recent = select(
            &reader,
            &HistoryQuery {
                from: Some(t0),
                ..q("", "", 100)
            },
        )
        .unwrap();
        assert_eq!(recent.len(), 10);
        assert!(recent.iter().all(|f| f.last_seen >= t0));
        // Through the trait, with a store that cannot be opened.
        let missing = ReaderHistory::new(|| Err("no store".to_string()));
        assert_eq!(missing.flows(&q("", "", 1)), Err("no store".to_string()));
    }
}
