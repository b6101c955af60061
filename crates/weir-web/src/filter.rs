//! Filtering, sorting and aggregation of snapshot rows (flows and hosts) for the API.
//! Pure functions over the JSON maps of a snapshot: no locks, no I/O.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::net::IpAddr;

use serde_json::{Map, Value, json};
use weir_flow::info;

/// A flow-info key by name, checked against the emitter's key table at compile time.
macro_rules! key {
    ($name:literal) => {{
        const K: &str = match info::find($name) {
            Some(k) => k.name,
            None => panic!(concat!("not a flow-info key: ", $name)),
        };
        K
    }};
}

/// A flow row of a snapshot.
pub(crate) type Row = Map<String, Value>;

/// Flow filters (all given ones must match).
#[derive(Debug, Default)]
pub(crate) struct FlowFilter {
    /// Either peer's address.
    pub host: Option<IpAddr>,
    /// Either peer's port.
    pub port: Option<u16>,
    /// `proto.l4` name (case-insensitive) or number.
    pub l4: Option<L4>,
    /// L7 protocol: `proto.ndpi` or one of its dotted parts (case-insensitive).
    pub l7: Option<String>,
    /// Flow status.
    pub status: Option<StatusFilter>,
    /// `score.flow_score` at least this.
    pub min_score: Option<u64>,
    /// VLAN id.
    pub vlan: Option<u16>,
}

/// An L4 protocol filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum L4 {
    /// By name.
    Name(String),
    /// By IP protocol number.
    Id(u8),
}

/// A status filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StatusFilter {
    /// No status bit set.
    Normal,
    /// Some status bit set.
    Issues,
    /// This status bit (0..=63) set.
    Bit(u8),
}

impl StatusFilter {
    /// `normal`, `issues`, a bit number, or a status name from `flow_keys`
    /// (`blacklisted` or `status_blacklisted`, `status_user_01`).
    pub(crate) fn parse(s: &str) -> Option<StatusFilter> {
        match s {
            "normal" => return Some(StatusFilter::Normal),
            "issues" => return Some(StatusFilter::Issues),
            _ => {}
        }
        if let Ok(n) = s.parse::<u8>() {
            return (n < 64).then_some(StatusFilter::Bit(n));
        }
        let want = if s.starts_with("status_") {
            s.to_string()
        } else {
            format!("status_{s}")
        };
        (0u8..64)
            .find(|k| {
                weir_alerts::ntopng_status_key_name(*k)
                    .or_else(|| weir_alerts::user_status_key_name(*k))
                    .is_some_and(|n| n.eq_ignore_ascii_case(&want))
            })
            .map(StatusFilter::Bit)
    }
}

fn u64_of(r: &Row, k: &str) -> u64 {
    r.get(k).and_then(Value::as_u64).unwrap_or(0)
}

fn str_of<'a>(r: &'a Row, k: &str) -> &'a str {
    r.get(k).and_then(Value::as_str).unwrap_or("")
}

/// `score.flow_score` of a flow row.
pub(crate) fn flow_score(r: &Row) -> u64 {
    r.get(key!("score"))
        .and_then(|s| s.get("flow_score"))
        .and_then(Value::as_u64)
        .unwrap_or(0)
}

impl FlowFilter {
    pub(crate) fn matches(&self, r: &Row) -> bool {
        if let Some(ip) = self.host {
            let ip = ip.to_string();
            if str_of(r, key!("cli.ip")) != ip && str_of(r, key!("srv.ip")) != ip {
                return false;
            }
        }
        if let Some(p) = self.port {
            let p = u64::from(p);
            if u64_of(r, key!("cli.port")) != p && u64_of(r, key!("srv.port")) != p {
                return false;
            }
        }
        match &self.l4 {
            Some(L4::Name(n)) if !str_of(r, key!("proto.l4")).eq_ignore_ascii_case(n) => {
                return false;
            }
            Some(L4::Id(id)) if u64_of(r, key!("proto.l4_id")) != u64::from(*id) => return false,
            _ => {}
        }
        if let Some(l7) = &self.l7 {
            let full = str_of(r, key!("proto.ndpi"));
            let app = str_of(r, key!("proto.ndpi_app"));
            let hit = full.eq_ignore_ascii_case(l7)
                || app.eq_ignore_ascii_case(l7)
                || full.split('.').any(|p| p.eq_ignore_ascii_case(l7));
            if !hit {
                return false;
            }
        }
        if let Some(st) = self.status {
            let map = u64_of(r, key!("status_map"));
            let ok = match st {
                StatusFilter::Normal => map == 0,
                StatusFilter::Issues => map != 0,
                StatusFilter::Bit(b) => map & (1u64 << b) != 0,
            };
            if !ok {
                return false;
            }
        }
        if let Some(min) = self.min_score
            && flow_score(r) < min
        {
            return false;
        }
        if let Some(v) = self.vlan
            && u64_of(r, key!("vlan")) != u64::from(v)
        {
            return false;
        }
        true
    }
}

/// Sort keys of flows: every single-valued key of the flow-info emitter
/// ([`weir_flow::info::KEYS`]), plus `score` (by `score.flow_score`).
pub(crate) const FLOW_SORT_KEYS: &[&str] = &FLOW_SORT_ARRAY;

const fn sortable(k: &info::KeyDef) -> bool {
    k.kind.is_scalar() || matches!(k.name.as_bytes(), b"score")
}

const FLOW_SORT_COUNT: usize = {
    let (mut n, mut rest) = (0, info::KEYS);
    while let Some((k, tail)) = rest.split_first() {
        if sortable(k) {
            n += 1;
        }
        rest = tail;
    }
    n
};

const FLOW_SORT_ARRAY: [&str; FLOW_SORT_COUNT] = {
    let mut out = [""; FLOW_SORT_COUNT];
    let (mut i, mut rest) = (0, info::KEYS);
    while let Some((k, tail)) = rest.split_first() {
        if sortable(k) {
            out[i] = k.name;
            i += 1;
        }
        rest = tail;
    }
    out
};

/// Sort keys of hosts (`bytes` = sent + received).
pub(crate) const HOST_SORT_KEYS: &[&str] = &[
    "bytes",
    "bytes.sent",
    "bytes.rcvd",
    "packets.sent",
    "packets.rcvd",
    "score",
    "ip",
    "seen.first",
    "seen.last",
    "active_flows.as_client",
    "active_flows.as_server",
    "contacted_peers",
];

/// The value a row is sorted by.
fn sort_value<'a>(r: &'a Row, key: &str, hosts: bool) -> SortVal<'a> {
    match key {
        "score" if !hosts => SortVal::Num(flow_score(r) as f64),
        "bytes" if hosts => {
            SortVal::Num((u64_of(r, "bytes.sent") + u64_of(r, "bytes.rcvd")) as f64)
        }
        "cli.ip" | "srv.ip" | "ip" => match str_of(r, key).parse::<IpAddr>() {
            Ok(ip) => SortVal::Ip(ip),
            Err(_) => SortVal::Str(str_of(r, key)),
        },
        _ => match r.get(key) {
            Some(Value::Number(n)) => SortVal::Num(n.as_f64().unwrap_or(0.0)),
            Some(Value::String(s)) => SortVal::Str(s),
            Some(Value::Bool(b)) => SortVal::Num(f64::from(u8::from(*b))),
            _ => SortVal::Num(0.0),
        },
    }
}

#[derive(PartialEq, PartialOrd)]
enum SortVal<'a> {
    Num(f64),
    Ip(IpAddr),
    Str(&'a str),
}

/// Sorts rows by `key` (one of the sort keys), stable.
pub(crate) fn sort_rows(rows: &mut [&Row], key: &str, descending: bool, hosts: bool) {
    rows.sort_by(|a, b| {
        let o = sort_value(a, key, hosts)
            .partial_cmp(&sort_value(b, key, hosts))
            .unwrap_or(Ordering::Equal);
        if descending { o.reverse() } else { o }
    });
}

/// Host filters.
#[derive(Debug, Default)]
pub(crate) struct HostFilter {
    /// Only local (`true`) or remote (`false`) hosts.
    pub local: Option<bool>,
    /// VLAN id.
    pub vlan: Option<u16>,
    /// Score at least this.
    pub min_score: Option<u64>,
}

impl HostFilter {
    pub(crate) fn matches(&self, r: &Row) -> bool {
        if let Some(l) = self.local
            && r.get("localhost").and_then(Value::as_bool).unwrap_or(false) != l
        {
            return false;
        }
        if let Some(v) = self.vlan
            && u64_of(r, "vlan") != u64::from(v)
        {
            return false;
        }
        if let Some(m) = self.min_score
            && u64_of(r, "score") < m
        {
            return false;
        }
        true
    }
}

/// The L7 breakdown of a host row (`ndpi`), largest first.
pub(crate) fn host_l7(r: &Row) -> Vec<Value> {
    let mut v: Vec<(String, u64, u64)> = r
        .get("ndpi")
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, c)| {
                    (
                        k.clone(),
                        c["bytes"].as_u64().unwrap_or(0),
                        c["flows"].as_u64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.into_iter()
        .map(|(proto, bytes, flows)| json!({"proto": proto, "bytes": bytes, "flows": flows}))
        .collect()
}

/// The peers of `ip` in the active flows: bytes and flows per peer, largest first.
pub(crate) fn host_peers(flows: &[Row], ip: &str) -> Vec<Value> {
    let mut peers: HashMap<&str, (u64, u64, u64)> = HashMap::new();
    for f in flows {
        let (cli, srv) = (str_of(f, "cli.ip"), str_of(f, "srv.ip"));
        let (peer, as_client) = if cli == ip {
            (srv, true)
        } else if srv == ip {
            (cli, false)
        } else {
            continue;
        };
        let e = peers.entry(peer).or_default();
        e.0 += u64_of(f, "bytes");
        e.1 += 1;
        if as_client {
            e.2 += 1;
        }
    }
    let mut v: Vec<_> = peers.into_iter().collect();
    v.sort_by(|a, b| b.1.0.cmp(&a.1.0).then_with(|| a.0.cmp(b.0)));
    v.into_iter()
        .map(|(peer, (bytes, flows, as_client))| {
            json!({"ip": peer, "bytes": bytes, "flows": flows, "flows_as_client": as_client})
        })
        .collect()
}

/// The interface's L7 protocols (`ndpi` of the interface stats), largest first.
pub(crate) fn iface_l7(iface: &Value) -> Vec<Value> {
    let mut v: Vec<(String, u64, u64, u64)> = iface["ndpi"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, c)| {
                    (
                        k.clone(),
                        c["bytes"].as_u64().unwrap_or(0),
                        c["packets"].as_u64().unwrap_or(0),
                        c["flows"].as_u64().unwrap_or(0),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.into_iter()
        .map(|(proto, bytes, packets, flows)| {
            json!({"proto": proto, "bytes": bytes, "packets": packets, "flows": flows})
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::too_many_arguments)]
    fn flow(
        cli: &str,
        cport: u16,
        srv: &str,
        sport: u16,
        l4: &str,
        ndpi: &str,
        bytes: u64,
        status: u64,
        score: u64,
    ) -> Row {
        json!({
            "cli.ip": cli, "cli.port": cport, "srv.ip": srv, "srv.port": sport,
            "proto.l4": l4, "proto.l4_id": if l4 == "TCP" { 6 } else { 17 },
            "proto.ndpi": ndpi, "proto.ndpi_app": ndpi.rsplit('.').next().unwrap(),
            "bytes": bytes, "status_map": status, "vlan": 0,
            "score": {"flow_score": score},
        })
        .as_object()
        .unwrap()
        .clone()
    }

    #[test]
    fn flow_filters() {
        let a = flow(
            "10.0.0.1",
            40000,
            "10.0.0.2",
            443,
            "TCP",
            "TLS.Google",
            100,
            0,
            0,
        );
        let b = flow(
            "10.0.0.3",
            53000,
            "10.0.0.1",
            53,
            "UDP",
            "DNS",
            50,
            1 << 2,
            30,
        );
        let f = |ff: FlowFilter| [&a, &b].iter().filter(|r| ff.matches(r)).count();
        assert_eq!(
            f(FlowFilter {
                host: "10.0.0.1".parse().ok(),
                ..Default::default()
            }),
            2
        );
        assert_eq!(
            f(FlowFilter {
                host: "10.0.0.3".parse().ok(),
                ..Default::default()
            }),
            1
        );
        assert_eq!(
            f(FlowFilter {
                port: Some(443),
                ..Default::default()
            }),
            1
        );
        assert_eq!(
            f(FlowFilter {
                l4: Some(L4::Name("udp".into())),
                ..Default::default()
            }),
            1
        );
        assert_eq!(
            f(FlowFilter {
                l4: Some(L4::Id(6)),
                ..Default::default()
            }),
            1
        );
        assert_eq!(
            f(FlowFilter {
                l7: Some("tls".into()),
                ..Default::default()
            }),
            1
        );
        assert_eq!(
            f(FlowFilter {
                l7: Some("google".into()),
                ..Default::default()
            }),
            1
        );
        assert_eq!(
            f(FlowFilter {
                status: Some(StatusFilter::Normal),
                ..Default::default()
            }),
            1
        );
        assert_eq!(
            f(FlowFilter {
                status: Some(StatusFilter::Bit(2)),
                ..Default::default()
            }),
            1
        );
        assert_eq!(
            f(FlowFilter {
                status: Some(StatusFilter::Bit(3)),
                ..Default::default()
            }),
            0
        );
        assert_eq!(
            f(FlowFilter {
                min_score: Some(10),
                ..Default::default()
            }),
            1
        );
    }

    #[test]
    fn status_names() {
        assert_eq!(StatusFilter::parse("normal"), Some(StatusFilter::Normal));
        assert_eq!(StatusFilter::parse("5"), Some(StatusFilter::Bit(5)));
        assert_eq!(StatusFilter::parse("64"), None);
        assert!(StatusFilter::parse("status_user_01").is_some());
        assert!(StatusFilter::parse("user_01").is_some());
        assert_eq!(StatusFilter::parse("no_such_status"), None);
    }

    #[test]
    fn flow_sort_keys_come_from_the_emitter() {
        // The keys the API accepted before the emitter listed them, and the web UI's.
        for k in [
            "bytes",
            "packets",
            "score",
            "seen.first",
            "seen.last",
            "duration",
            "cli.ip",
            "srv.ip",
            "cli.port",
            "srv.port",
            "proto.l4",
            "proto.ndpi",
            "cli2srv.bytes",
            "srv2cli.bytes",
            "goodput_bytes",
            "vlan",
        ] {
            assert!(FLOW_SORT_KEYS.contains(&k), "{k}");
        }
        assert!(!FLOW_SORT_KEYS.contains(&"tos"));
        assert!(FLOW_SORT_KEYS.iter().all(|k| info::find(k).is_some()));
    }

    #[test]
    fn sorting() {
        let a = flow("10.0.0.10", 1, "10.0.0.2", 443, "TCP", "TLS", 100, 0, 5);
        let b = flow("10.0.0.9", 2, "10.0.0.1", 53, "UDP", "DNS", 50, 0, 30);
        let mut rows = vec![&a, &b];
        sort_rows(&mut rows, "bytes", true, false);
        assert_eq!(rows[0]["bytes"], 100);
        sort_rows(&mut rows, "score", true, false);
        assert_eq!(rows[0]["bytes"], 50);
        sort_rows(&mut rows, "cli.ip", false, false);
        assert_eq!(rows[0]["cli.ip"], "10.0.0.9", "addresses sort as addresses");
        sort_rows(&mut rows, "proto.ndpi", false, false);
        assert_eq!(rows[0]["proto.ndpi"], "DNS");
    }

    #[test]
    fn peers_and_l7() {
        let a = flow("10.0.0.1", 1, "10.0.0.2", 443, "TCP", "TLS", 100, 0, 0);
        let b = flow("10.0.0.3", 2, "10.0.0.1", 53, "UDP", "DNS", 50, 0, 0);
        let c = flow("10.0.0.1", 3, "10.0.0.2", 80, "TCP", "HTTP", 10, 0, 0);
        let p = host_peers(&[a, b, c], "10.0.0.1");
        assert_eq!(p.len(), 2);
        assert_eq!(p[0]["ip"], "10.0.0.2");
        assert_eq!(p[0]["bytes"], 110);
        assert_eq!(p[0]["flows"], 2);
        let h =
            json!({"ndpi": {"DNS": {"bytes": 5, "flows": 1}, "TLS": {"bytes": 50, "flows": 2}}});
        let l7 = host_l7(h.as_object().unwrap());
        assert_eq!(l7[0]["proto"], "TLS");
    }
}
