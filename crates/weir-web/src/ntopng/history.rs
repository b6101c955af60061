//! ntopng's historical flow queries (`/lua/pro/rest/v2/get/db/flows.lua`,
//! `topk_flows.lua`, `historical_db_search.lua`), answered by a [`FlowHistory`]: the
//! store of ended flows a run keeps. The clauses the client sends are parsed by
//! [`super::sql`] against [`COLUMNS`] (ntopng's column names, mapped onto weir's flow
//! fields); the store only ever sees the parsed [`HistoryQuery`].
//!
//! Without a store (the run keeps no flow history) the endpoints answer the empty
//! form — no rows — and say so in `rc_str_hr`.
//!
//! A store implements [`FlowHistory::flows`]: the flows of the query's interface and
//! time range that match its parsed filter, in its order, at most its limit
//! ([`HistoryQuery::matches`] evaluates the filter for stores that read rows and
//! filter them; a SQL store may instead translate the [`Expr`] into parameterised
//! SQL). Grouping, aggregates and top-N are computed here over what it returns.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State;
use serde_json::{Map, Value, json};

use super::sql::{self, Agg, Column, Columns, Expr, Kind, Lit, Select};
use super::{Args, NtopError, NtopResult, answer_with, filter_value};
use crate::rest::St;

/// Most rows one historical query returns.
pub const MAX_HITS: u64 = 10_000;
/// Most flows one aggregation reads from the store.
pub const MAX_SCAN: usize = 1_000_000;

const fn col(name: &'static str, kind: Kind) -> Column {
    Column { name, kind }
}

/// The columns of the historical flow queries: ntopng's names (its ClickHouse
/// `flows` table) for what weir records of an ended flow.
pub const COLUMNS: Columns = &[
    col("INTERFACE_ID", Kind::Int),
    col("IP_PROTOCOL_VERSION", Kind::Int),
    col("FIRST_SEEN", Kind::Int),
    col("LAST_SEEN", Kind::Int),
    col("IPV4_SRC_ADDR", Kind::Ip),
    col("IPV4_DST_ADDR", Kind::Ip),
    col("IPV6_SRC_ADDR", Kind::Ip),
    col("IPV6_DST_ADDR", Kind::Ip),
    col("IP_SRC_PORT", Kind::Int),
    col("IP_DST_PORT", Kind::Int),
    col("PROTOCOL", Kind::Int),
    col("VLAN_ID", Kind::Int),
    col("L7_PROTO", Kind::Int),
    col("L7_PROTO_MASTER", Kind::Int),
    col("L7_CATEGORY", Kind::Int),
    col("L7_PROTO_NAME", Kind::Text),
    col("PACKETS", Kind::Int),
    col("TOTAL_BYTES", Kind::Int),
    col("SRC2DST_BYTES", Kind::Int),
    col("DST2SRC_BYTES", Kind::Int),
    col("SCORE", Kind::Int),
    col("INFO", Kind::Text),
];

/// One ended flow as the history store gives it.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryFlow {
    /// Interface id.
    pub ifid: u32,
    /// First packet, seconds since the epoch.
    pub first_seen: u64,
    /// Last packet, seconds since the epoch.
    pub last_seen: u64,
    /// Client address.
    pub cli_ip: std::net::IpAddr,
    /// Server address.
    pub srv_ip: std::net::IpAddr,
    /// Client port.
    pub cli_port: u16,
    /// Server port.
    pub srv_port: u16,
    /// IP protocol number.
    pub l4_proto: u8,
    /// VLAN id (0 without).
    pub vlan: u16,
    /// nDPI application protocol id.
    pub l7_proto: u16,
    /// nDPI master protocol id (0 without).
    pub l7_master: u16,
    /// nDPI category id.
    pub l7_category: u16,
    /// nDPI name (`TLS.Google`).
    pub l7_name: String,
    /// Packets both ways.
    pub packets: u64,
    /// Client to server bytes.
    pub cli2srv_bytes: u64,
    /// Server to client bytes.
    pub srv2cli_bytes: u64,
    /// Flow score.
    pub score: u64,
    /// `info` (SNI, HTTP host, DNS query …).
    pub info: String,
}

impl Default for HistoryFlow {
    fn default() -> HistoryFlow {
        let any = std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED);
        HistoryFlow {
            ifid: 0,
            first_seen: 0,
            last_seen: 0,
            cli_ip: any,
            srv_ip: any,
            cli_port: 0,
            srv_port: 0,
            l4_proto: 0,
            vlan: 0,
            l7_proto: 0,
            l7_master: 0,
            l7_category: 0,
            l7_name: String::new(),
            packets: 0,
            cli2srv_bytes: 0,
            srv2cli_bytes: 0,
            score: 0,
            info: String::new(),
        }
    }
}

impl HistoryFlow {
    /// The value of a column of [`COLUMNS`] (`None`: not applicable, e.g. the IPv6
    /// address of an IPv4 flow).
    pub fn get(&self, c: &Column) -> Option<Lit> {
        let int = |n: u64| Some(Lit::Int(i64::try_from(n).unwrap_or(i64::MAX)));
        let v4 = self.cli_ip.is_ipv4();
        Some(match c.name {
            "INTERFACE_ID" => return int(u64::from(self.ifid)),
            "IP_PROTOCOL_VERSION" => Lit::Int(if v4 { 4 } else { 6 }),
            "FIRST_SEEN" => return int(self.first_seen),
            "LAST_SEEN" => return int(self.last_seen),
            "IPV4_SRC_ADDR" if v4 => Lit::Text(self.cli_ip.to_string()),
            "IPV4_DST_ADDR" if v4 => Lit::Text(self.srv_ip.to_string()),
            "IPV6_SRC_ADDR" if !v4 => Lit::Text(self.cli_ip.to_string()),
            "IPV6_DST_ADDR" if !v4 => Lit::Text(self.srv_ip.to_string()),
            "IP_SRC_PORT" => Lit::Int(i64::from(self.cli_port)),
            "IP_DST_PORT" => Lit::Int(i64::from(self.srv_port)),
            "PROTOCOL" => Lit::Int(i64::from(self.l4_proto)),
            "VLAN_ID" => Lit::Int(i64::from(self.vlan)),
            "L7_PROTO" => Lit::Int(i64::from(self.l7_proto)),
            "L7_PROTO_MASTER" => Lit::Int(i64::from(self.l7_master)),
            "L7_CATEGORY" => Lit::Int(i64::from(self.l7_category)),
            "L7_PROTO_NAME" => Lit::Text(self.l7_name.clone()),
            "PACKETS" => return int(self.packets),
            "TOTAL_BYTES" => return int(self.cli2srv_bytes.saturating_add(self.srv2cli_bytes)),
            "SRC2DST_BYTES" => return int(self.cli2srv_bytes),
            "DST2SRC_BYTES" => return int(self.srv2cli_bytes),
            "SCORE" => return int(self.score),
            "INFO" => Lit::Text(self.info.clone()),
            _ => return None,
        })
    }
}

/// A query on the flow history: parsed clauses only.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryQuery {
    /// Only this interface.
    pub ifid: Option<u32>,
    /// Flows seen at or after this time (seconds since the epoch).
    pub from: Option<u64>,
    /// Flows first seen at or before this time.
    pub to: Option<u64>,
    /// The `where_clause`.
    pub filter: Option<Expr>,
    /// Order: columns of [`COLUMNS`], descending or not (empty: newest first).
    pub order: Vec<(Column, bool)>,
    /// At most this many flows.
    pub limit: usize,
}

impl HistoryQuery {
    /// True when a flow is in the query's interface, time range and filter.
    pub fn matches(&self, f: &HistoryFlow) -> bool {
        self.ifid.is_none_or(|i| i == f.ifid)
            && self.from.is_none_or(|t| f.last_seen >= t)
            && self.to.is_none_or(|t| f.first_seen <= t)
            && self
                .filter
                .as_ref()
                .is_none_or(|e| e.matches(&|c: &Column| f.get(c)))
    }
}

/// A store of ended flows the historical endpoints read (implemented by the run's
/// flow history; the web server only ever passes it parsed queries).
pub trait FlowHistory: Send + Sync {
    /// The flows matching `q`, in its order, at most `q.limit`.
    ///
    /// # Errors
    /// The store cannot be read (the message is shown to the client).
    fn flows(&self, q: &HistoryQuery) -> Result<Vec<HistoryFlow>, String>;
}

/// The flow history of the run, when it keeps one.
fn store(st: &crate::state::AppState) -> Option<Arc<dyn FlowHistory>> {
    st.run.flow_history()
}

const NO_STORE: &str = "this run keeps no flow history: no historical flows to answer with";

/// A row's value for a selected item, as JSON.
pub(crate) fn lit_json(l: Option<Lit>) -> Value {
    match l {
        Some(Lit::Int(n)) => json!(n),
        Some(Lit::Text(s)) => json!(s),
        None => Value::Null,
    }
}

/// An aggregate being accumulated.
#[derive(Debug, Clone, Copy, Default)]
struct Acc {
    count: u64,
    sum: i128,
    min: Option<i64>,
    max: Option<i64>,
}

impl Acc {
    fn add(&mut self, v: Option<Lit>) {
        if let Some(Lit::Int(n)) = v {
            self.sum += i128::from(n);
            self.min = Some(self.min.map_or(n, |m| m.min(n)));
            self.max = Some(self.max.map_or(n, |m| m.max(n)));
        }
    }

    fn value(&self, agg: Agg, n: u64) -> Value {
        match agg {
            Agg::Count => json!(n),
            Agg::Sum => json!(i64::try_from(self.sum).unwrap_or(i64::MAX)),
            Agg::Min => json!(self.min),
            Agg::Max => json!(self.max),
            Agg::Avg if self.count > 0 => json!(self.sum as f64 / self.count as f64),
            Agg::Avg => Value::Null,
        }
    }
}

/// One group being aggregated: its key values, its row count, its accumulators.
type Group = (Vec<Option<Lit>>, u64, Vec<Acc>);

/// Groups `rows` (whose columns `get` reads) by `keys` and computes `items` per
/// group; the groups as JSON objects named by each item's label.
pub(crate) fn aggregate<T>(
    rows: &[T],
    get: &dyn Fn(&T, &Column) -> Option<Lit>,
    keys: &[Column],
    items: &[Select],
) -> Vec<Map<String, Value>> {
    let mut groups: HashMap<Vec<String>, Group> = HashMap::new();
    for f in rows {
        let kv: Vec<Option<Lit>> = keys.iter().map(|c| get(f, c)).collect();
        let id: Vec<String> = kv.iter().map(|l| format!("{l:?}")).collect();
        let g = groups
            .entry(id)
            .or_insert_with(|| (kv, 0, vec![Acc::default(); items.len()]));
        g.1 += 1;
        for (acc, item) in g.2.iter_mut().zip(items) {
            if let Select::Agg(_, Some(c)) = item {
                acc.count += 1;
                acc.add(get(f, c));
            }
        }
    }
    groups
        .into_values()
        .map(|(kv, n, accs)| {
            let mut m = Map::new();
            for (c, v) in keys.iter().zip(kv) {
                m.insert(c.name.to_string(), lit_json(v));
            }
            for (item, acc) in items.iter().zip(accs) {
                if let Select::Agg(a, _) = item {
                    m.insert(item.label(), acc.value(*a, n));
                }
            }
            m
        })
        .collect()
}

/// Orders JSON rows by labelled items.
pub(crate) fn order_rows(rows: &mut [Map<String, Value>], order: &[(String, bool)]) {
    rows.sort_by(|a, b| {
        for (k, desc) in order {
            let o = cmp_json(a.get(k), b.get(k));
            let o = if *desc { o.reverse() } else { o };
            if o != std::cmp::Ordering::Equal {
                return o;
            }
        }
        std::cmp::Ordering::Equal
    });
}

fn cmp_json(a: Option<&Value>, b: Option<&Value>) -> std::cmp::Ordering {
    match (a.and_then(Value::as_f64), b.and_then(Value::as_f64)) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        _ => {
            let s = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or("").to_string();
            s(a).cmp(&s(b))
        }
    }
}

/// The common part of the historical endpoints: interface, time range, filter.
fn base_query(a: &Args, begin: &str, end: &str) -> Result<HistoryQuery, NtopError> {
    let (from, to) = a.epochs(begin, end)?;
    let filter = match a.str("where_clause") {
        Some(w) => sql::parse_where(w, COLUMNS)?,
        None => None,
    };
    Ok(HistoryQuery {
        ifid: a.parse("ifid", "an interface id (an integer)")?,
        from,
        to,
        filter,
        order: Vec::new(),
        limit: MAX_SCAN,
    })
}

async fn read(h: Arc<dyn FlowHistory>, q: HistoryQuery) -> Result<Vec<HistoryFlow>, NtopError> {
    tokio::task::spawn_blocking(move || h.flows(&q))
        .await
        .map_err(NtopError::internal)?
        .map_err(NtopError::internal)
}

/// `POST /lua/pro/rest/v2/get/db/flows.lua`: `select_clause`, `where_clause`,
/// `maxhits_clause`, `group_by_clause`, `order_by_clause` over the flow history.
pub(crate) async fn db_flows(State(st): St, a: Args) -> NtopResult {
    let mut q = base_query(&a, "epoch_begin", "epoch_end")?;
    let items = sql::parse_select(a.str("select_clause").unwrap_or("*"), COLUMNS)?;
    let limit = match a.str("maxhits_clause") {
        Some(m) => sql::parse_limit(m, MAX_HITS)?,
        None => 100,
    } as usize;
    let group = sql::parse_group_by(a.str("group_by_clause").unwrap_or(""), COLUMNS)?;
    let order = sql::parse_order_by(a.str("order_by_clause").unwrap_or(""), COLUMNS)?;
    let items = items.unwrap_or_else(|| COLUMNS.iter().map(|c| Select::Column(*c)).collect());
    let grouped = !group.is_empty() || items.iter().any(|i| matches!(i, Select::Agg(..)));
    if grouped {
        for i in &items {
            if let Select::Column(c) = i
                && !group.contains(c)
            {
                return Err(NtopError::new(
                    super::Rc::BadFormat,
                    format!(
                        "select_clause: {} is neither grouped nor aggregated",
                        c.name
                    ),
                ));
            }
        }
    }
    for (o, _) in &order {
        if grouped && !items.contains(o) {
            return Err(NtopError::new(
                super::Rc::BadFormat,
                format!("order_by_clause: {} is not selected", o.label()),
            ));
        }
        if !grouped && matches!(o, Select::Agg(..)) {
            return Err(NtopError::new(
                super::Rc::BadFormat,
                "order_by_clause: an aggregate without group_by_clause",
            ));
        }
    }
    let Some(h) = store(&st) else {
        return answer_with(json!([]), NO_STORE);
    };
    if !grouped {
        q.order = order
            .iter()
            .filter_map(|(s, d)| match s {
                Select::Column(c) => Some((*c, *d)),
                Select::Agg(..) => None,
            })
            .collect();
        q.limit = limit;
    }
    let flows = read(h, q).await?;
    let rows: Vec<Value> = if grouped {
        let mut rows = aggregate(&flows, &HistoryFlow::get, &group, &items);
        let order: Vec<(String, bool)> = order.iter().map(|(s, d)| (s.label(), *d)).collect();
        order_rows(&mut rows, &order);
        rows.into_iter().take(limit).map(Value::Object).collect()
    } else {
        flows
            .iter()
            .take(limit)
            .map(|f| {
                let m: Map<String, Value> = items
                    .iter()
                    .filter_map(|i| match i {
                        Select::Column(c) => Some((c.name.to_string(), lit_json(f.get(c)))),
                        Select::Agg(..) => None,
                    })
                    .collect();
                Value::Object(m)
            })
            .collect()
    };
    answer_with(json!(rows), "Success")
}

/// `GET /lua/pro/rest/v2/get/db/topk_flows.lua`: the top conversations (client,
/// server, application) by bytes in `begin_time_clause`..`end_time_clause`.
pub(crate) async fn topk_flows(State(st): St, a: Args) -> NtopResult {
    let q = base_query(&a, "begin_time_clause", "end_time_clause")?;
    let k = match a.str("maxhits_clause") {
        Some(m) => sql::parse_limit(m, MAX_HITS)?,
        None => 10,
    } as usize;
    let Some(h) = store(&st) else {
        return answer_with(json!([]), NO_STORE);
    };
    let flows = read(h, q).await?;
    let keys: Vec<Column> = [
        "IPV4_SRC_ADDR",
        "IPV4_DST_ADDR",
        "IPV6_SRC_ADDR",
        "IPV6_DST_ADDR",
        "L7_PROTO",
        "L7_PROTO_NAME",
    ]
    .iter()
    .filter_map(|n| COLUMNS.iter().find(|c| c.name == *n).copied())
    .collect();
    let bytes = COLUMNS.iter().find(|c| c.name == "TOTAL_BYTES").copied();
    let packets = COLUMNS.iter().find(|c| c.name == "PACKETS").copied();
    let items = [
        Select::Agg(Agg::Sum, bytes),
        Select::Agg(Agg::Sum, packets),
        Select::Agg(Agg::Count, None),
    ];
    let mut rows = aggregate(&flows, &HistoryFlow::get, &keys, &items);
    order_rows(&mut rows, &[("SUM(TOTAL_BYTES)".into(), true)]);
    let rows: Vec<Value> = rows
        .into_iter()
        .take(k)
        .map(|mut m| {
            // Drop the family that does not apply.
            m.retain(|_, v| !v.is_null());
            Value::Object(m)
        })
        .collect();
    answer_with(json!(rows), "Success")
}

/// A conversation: client and server.
type Pair = (std::net::IpAddr, std::net::IpAddr);
/// Bytes, flows and packets of a conversation.
type Totals = (u64, u64, u64);

/// `GET /lua/pro/rest/v2/get/db/historical_db_search.lua` with
/// `query_preset=top_conversations`: client/server pairs by bytes, DataTables paging
/// (`start`, `length`, `sort`, `order`), optionally for one `ip=ADDR;eq`.
pub(crate) async fn db_search(State(st): St, a: Args) -> NtopResult {
    match a.str("query_preset") {
        Some("top_conversations") => {}
        Some(p) => {
            return Err(NtopError::args(format!(
                "query_preset={p:?}: weir serves top_conversations"
            )));
        }
        None => {
            return Err(NtopError::args(
                "query_preset is required (top_conversations)",
            ));
        }
    }
    let mut q = base_query(&a, "epoch_begin", "epoch_end")?;
    let start = a.parse::<usize>("start", "a row offset")?.unwrap_or(0);
    let length = a
        .parse::<usize>("length", "a row count")?
        .unwrap_or(10)
        .min(MAX_HITS as usize);
    let sort = match a.str("sort").unwrap_or("bytes") {
        s @ ("bytes" | "flows" | "packets") => s.to_string(),
        s => {
            return Err(NtopError::args(format!(
                "sort={s:?}: expected bytes, flows or packets"
            )));
        }
    };
    let desc = match a.str("order").map(str::to_ascii_lowercase).as_deref() {
        None | Some("desc") => true,
        Some("asc") => false,
        Some(o) => {
            return Err(NtopError::args(format!(
                "order={o:?}: expected asc or desc"
            )));
        }
    };
    let host = match a.str("ip") {
        Some(raw) => {
            let (v, op) = filter_value(raw)?;
            if op != "eq" {
                return Err(NtopError::args(format!(
                    "ip={raw:?}: weir filters top conversations by ip;eq only"
                )));
            }
            Some(v.parse::<std::net::IpAddr>().map_err(|_| {
                NtopError::new(
                    super::Rc::InvalidHost,
                    format!("ip={v:?}: not an IP address"),
                )
            })?)
        }
        None => None,
    };
    let empty = json!({"records": [], "recordsTotal": 0, "recordsFiltered": 0});
    let Some(h) = store(&st) else {
        return answer_with(empty, NO_STORE);
    };
    if let Some(ip) = host {
        let family = if ip.is_ipv4() { "IPV4" } else { "IPV6" };
        let c = |n: String| COLUMNS.iter().find(|c| c.name == n).copied();
        if let (Some(src), Some(dst)) = (
            c(format!("{family}_SRC_ADDR")),
            c(format!("{family}_DST_ADDR")),
        ) {
            let by_host = Expr::Or(
                Box::new(Expr::Cmp(src, sql::Op::Eq, Lit::Text(ip.to_string()))),
                Box::new(Expr::Cmp(dst, sql::Op::Eq, Lit::Text(ip.to_string()))),
            );
            q.filter = Some(match q.filter.take() {
                Some(f) => Expr::And(Box::new(f), Box::new(by_host)),
                None => by_host,
            });
        }
    }
    let flows = read(h, q).await?;
    let mut pairs: HashMap<Pair, Totals> = HashMap::new();
    for f in &flows {
        let e = pairs.entry((f.cli_ip, f.srv_ip)).or_default();
        e.0 += f.cli2srv_bytes.saturating_add(f.srv2cli_bytes);
        e.1 += 1;
        e.2 += f.packets;
    }
    let mut rows: Vec<(Pair, Totals)> = pairs.into_iter().collect();
    let key = |r: &(_, (u64, u64, u64))| match sort.as_str() {
        "flows" => r.1.1,
        "packets" => r.1.2,
        _ => r.1.0,
    };
    rows.sort_by(|a, b| {
        let o = key(a).cmp(&key(b));
        let o = if desc { o.reverse() } else { o };
        o.then_with(|| a.0.cmp(&b.0))
    });
    let total = rows.len();
    let records: Vec<Value> = rows
        .into_iter()
        .skip(start)
        .take(length)
        .map(|((c, s), (bytes, flows, packets))| {
            json!({"cli_ip": c.to_string(), "srv_ip": s.to_string(), "bytes": bytes, "flows": flows, "packets": packets})
        })
        .collect();
    answer_with(
        json!({"records": records, "recordsTotal": total, "recordsFiltered": total}),
        "Success",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flow(cli: &str, srv: &str, proto: u8, bytes: u64) -> HistoryFlow {
        HistoryFlow {
            cli_ip: cli.parse().unwrap(),
            srv_ip: srv.parse().unwrap(),
            l4_proto: proto,
            cli2srv_bytes: bytes,
            l7_name: "TLS".into(),
            l7_proto: 91,
            ..HistoryFlow::default()
        }
    }

    #[test]
    fn columns_map_onto_flows() {
        let f = flow("192.168.1.20", "8.8.8.8", 6, 100);
        let c = |n: &str| *COLUMNS.iter().find(|c| c.name == n).unwrap();
        assert_eq!(
            f.get(&c("IPV4_SRC_ADDR")),
            Some(Lit::Text("192.168.1.20".into()))
        );
        assert_eq!(f.get(&c("IPV6_SRC_ADDR")), None);
        assert_eq!(f.get(&c("TOTAL_BYTES")), Some(Lit::Int(100)));
        assert_eq!(f.get(&c("IP_PROTOCOL_VERSION")), Some(Lit::Int(4)));
        let q = HistoryQuery {
            filter: sql::parse_where(
                "(IP_PROTOCOL_VERSION=4) AND IPV4_SRC_ADDR=(\"192.168.1.20\") AND (PROTOCOL=6) ",
                COLUMNS,
            )
            .unwrap(),
            ..HistoryQuery::default()
        };
        assert!(q.matches(&f));
        assert!(!q.matches(&flow("192.168.1.20", "8.8.8.8", 17, 100)));
        assert!(!q.matches(&flow("fe80::1", "fe80::2", 6, 100)));
    }

    #[test]
    fn grouping_and_ordering() {
        let flows = vec![
            flow("10.0.0.1", "8.8.8.8", 6, 100),
            flow("10.0.0.1", "8.8.8.8", 6, 50),
            flow("10.0.0.2", "1.1.1.1", 17, 500),
        ];
        let group = sql::parse_group_by("IPV4_SRC_ADDR", COLUMNS).unwrap();
        let items = sql::parse_select(
            "IPV4_SRC_ADDR, SUM(TOTAL_BYTES), COUNT(*), AVG(TOTAL_BYTES)",
            COLUMNS,
        )
        .unwrap()
        .unwrap();
        let mut rows = aggregate(&flows, &HistoryFlow::get, &group, &items);
        order_rows(&mut rows, &[("SUM(TOTAL_BYTES)".into(), true)]);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0]["IPV4_SRC_ADDR"], "10.0.0.2");
        assert_eq!(rows[1]["SUM(TOTAL_BYTES)"], 150);
        assert_eq!(rows[1]["COUNT(*)"], 2);
        assert_eq!(rows[1]["AVG(TOTAL_BYTES)"], 75.0);
    }
}
