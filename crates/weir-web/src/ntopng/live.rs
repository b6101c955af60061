//! The live part of ntopng's API v2: interfaces, active hosts and active flows, read
//! from the engines' snapshots (the same rows `/api/v1/hosts` and `/api/v1/flows`
//! serve, renamed to ntopng's fields).

use std::collections::BTreeMap;
use std::net::IpAddr;

use axum::Extension;
use axum::extract::State;
use serde_json::{Map, Value, json};
use weir_flow::Proto;

use super::{Args, NtopError, NtopResult, Rc, answer, answer_with, iface};
use crate::auth::Identity;
use crate::filter::Row;
use crate::interfaces::{all_interfaces, short_name};
use crate::rest::St;
use crate::state::AppState;

/// ntopng's default page size (`getDefaultTableSize`).
const DEFAULT_PER_PAGE: usize = 10;
/// Largest page.
const MAX_PER_PAGE: usize = 10_000;
/// Entries of the top talkers lists.
const TOP_TALKERS: usize = 10;

fn u(v: &Map<String, Value>, k: &str) -> u64 {
    v.get(k).and_then(Value::as_u64).unwrap_or(0)
}

fn s<'a>(v: &'a Map<String, Value>, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or("")
}

fn iface_name(st: &AppState, cell: &weir_pipeline::snapshot::SnapshotCell) -> String {
    match cell.name() {
        n if n.is_empty() => st.iface_name.clone(),
        n => short_name(&n),
    }
}

/// `GET /lua/rest/v2/connect/test.lua`: the credentials work.
pub(crate) async fn connect_test(Extension(id): Extension<Identity>) -> NtopResult {
    answer(json!({
        "product": "weir",
        "version": env!("CARGO_PKG_VERSION"),
        "user": id.user,
        "role": id.role.name(),
    }))
}

/// `GET /lua/rest/v2/get/ntopng/interfaces.lua`: `[{ifid, ifname, name}]`.
pub(crate) async fn interfaces(State(st): St) -> NtopResult {
    let list: Vec<Value> = all_interfaces(&st)
        .iter()
        .map(|(i, c)| {
            json!({
                "ifid": i,
                "ifname": iface_name(&st, c),
                "name": iface_name(&st, c),
                "source": c.name(),
            })
        })
        .collect();
    answer(json!(list))
}

/// `GET /lua/rest/v2/get/interface/data.lua?ifid=`: the interface's counters.
pub(crate) async fn iface_data(State(st): St, a: Args) -> NtopResult {
    let (ifid, cell) = iface(&st, &a)?;
    let snap = cell.get();
    let i = snap.interface.as_object().cloned().unwrap_or_default();
    let local_hosts = snap
        .hosts
        .iter()
        .filter(|h| h.get("localhost") == Some(&Value::Bool(true)))
        .count();
    let alerted_flows = snap
        .flows
        .iter()
        .filter(|f| u(f, "status_map") != 0)
        .count();
    let drops = cell.source_counters().map_or(u(&i, "drops"), |c| {
        u(&i, "drops").max(c.kernel_drops + c.queue_drops)
    });
    let l4: Map<String, Value> = i
        .get("l4")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    answer(json!({
        "ifid": ifid,
        "ifname": iface_name(&st, &cell),
        "name": iface_name(&st, &cell),
        "source": cell.name(),
        "epoch": snap.clock_us / 1_000_000,
        "uptime": st.started.elapsed().as_secs(),
        "packets": u(&i, "packets"),
        "bytes": u(&i, "bytes"),
        "drops": drops,
        "throughput_bps": i.get("throughput_bps").cloned().unwrap_or(json!(0)),
        "throughput_pps": i.get("throughput_pps").cloned().unwrap_or(json!(0)),
        "num_flows": snap.flows_total,
        "num_hosts": snap.hosts_total,
        "num_local_hosts": local_hosts,
        "num_remote_hosts": snap.hosts.len().saturating_sub(local_hosts),
        "alerted_flows": alerted_flows,
        "flows_created": u(&i, "flows_created"),
        "hosts_created": u(&i, "hosts_created"),
        "num_networks": snap.networks.len(),
        "l4": l4,
        "capture_finished": snap.finished,
        "counted_over": if snap.hosts.len() < snap.hosts_total || snap.flows.len() < snap.flows_total {
            "the snapshot's rows (truncated)"
        } else {
            "every active host and flow"
        },
    }))
}

/// `GET /lua/rest/v2/get/interface/address.lua?ifid=`: the interface's addresses.
/// weir does not read interface addresses: a capture file has none, and a live
/// interface's are not looked up (the empty list says so in `rc_str_hr`).
pub(crate) async fn iface_address(State(st): St, a: Args) -> NtopResult {
    let (ifid, cell) = iface(&st, &a)?;
    let live = cell.name().starts_with("interface ");
    answer_with(
        json!({"ifid": ifid, "addresses": []}),
        if live {
            "weir does not read the addresses of live interfaces"
        } else {
            "a capture file has no interface address"
        },
    )
}

/// `GET /lua/rest/v2/get/interface/bcast_domains.lua?ifid=`: the IPv4 broadcast
/// domains (/24 networks of ARP senders) the interface saw.
pub(crate) async fn bcast_domains(State(st): St, a: Args) -> NtopResult {
    let (ifid, cell) = iface(&st, &a)?;
    let snap = cell.get();
    let list = snap
        .interface
        .get("bcast_domains")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    answer(json!({"ifid": ifid, "bcast_domains": list}))
}

/// The nDPI category name of a protocol name (`TLS.Google` → the application's).
fn category_of(proto: &str) -> &'static str {
    let app = proto.rsplit('.').next().unwrap_or(proto);
    Proto::from_name(app)
        .or_else(|| Proto::from_name(proto))
        .map_or("Unspecified", |p| p.category().name())
}

/// L7 rows (`{proto: {bytes, packets?, flows}}`) as ntopng's stats list, largest
/// first, at most `max` (the rest summed into `Other` when `collapse`).
fn l7_stats(ndpi: Option<&Map<String, Value>>, max: usize, with_category: bool) -> Vec<Value> {
    let mut rows: Vec<(&String, &Value)> = ndpi.map(|m| m.iter().collect()).unwrap_or_default();
    rows.sort_by(|a, b| {
        let b_ = |v: &Value| v.get("bytes").and_then(Value::as_u64).unwrap_or(0);
        b_(b.1).cmp(&b_(a.1)).then_with(|| a.0.cmp(b.0))
    });
    let total: u64 = rows
        .iter()
        .map(|(_, v)| v.get("bytes").and_then(Value::as_u64).unwrap_or(0))
        .sum();
    rows.into_iter()
        .take(max)
        .map(|(name, v)| {
            let bytes = v.get("bytes").and_then(Value::as_u64).unwrap_or(0);
            let mut o = json!({
                "label": name,
                "proto": name,
                "value": bytes,
                "bytes": bytes,
                "flows": v.get("flows").and_then(Value::as_u64).unwrap_or(0),
                "percentage": if total > 0 { bytes as f64 * 100.0 / total as f64 } else { 0.0 },
            });
            if let Some(p) = v.get("packets") {
                o["packets"] = p.clone();
            }
            if with_category {
                o["category"] = json!(category_of(name));
            }
            o
        })
        .collect()
}

/// `max_values` (default: all).
fn max_values(a: &Args) -> Result<usize, NtopError> {
    Ok(a.parse::<usize>("max_values", "a number of entries")?
        .unwrap_or(usize::MAX)
        .max(1))
}

/// `GET /lua/rest/v2/get/interface/l7/stats.lua?ifid=&max_values=&ndpi_category=`:
/// bytes, packets and flows per application protocol.
pub(crate) async fn iface_l7_stats(State(st): St, a: Args) -> NtopResult {
    let (_, cell) = iface(&st, &a)?;
    let snap = cell.get();
    let rows = l7_stats(
        snap.interface.get("ndpi").and_then(Value::as_object),
        max_values(&a)?,
        a.flag("ndpi_category"),
    );
    answer(json!(rows))
}

/// DSCP names (RFC 4594 / ntopng's labels).
fn dscp_name(d: u64) -> String {
    match d {
        0 => "Default (BE)".into(),
        8 | 16 | 24 | 32 | 40 | 48 | 56 => format!("CS{}", d / 8),
        10 | 12 | 14 | 18 | 20 | 22 | 26 | 28 | 30 | 34 | 36 | 38 => {
            format!("AF{}{}", d / 8, (d % 8) / 2)
        }
        44 => "VA".into(),
        46 => "EF".into(),
        1 => "LE".into(),
        d => format!("DSCP {d}"),
    }
}

#[derive(Default)]
struct DscpCount {
    bytes: u64,
    packets: u64,
    flows: u64,
}

fn dscp_rows(m: BTreeMap<u64, DscpCount>) -> Vec<Value> {
    let total: u64 = m.values().map(|c| c.bytes).sum();
    let mut rows: Vec<(u64, DscpCount)> = m.into_iter().collect();
    rows.sort_by(|a, b| b.1.bytes.cmp(&a.1.bytes).then(a.0.cmp(&b.0)));
    rows.into_iter()
        .map(|(d, c)| {
            json!({
                "id": d,
                "label": dscp_name(d),
                "value": c.bytes,
                "bytes": c.bytes,
                "packets": c.packets,
                "flows": c.flows,
                "percentage": if total > 0 { c.bytes as f64 * 100.0 / total as f64 } else { 0.0 },
            })
        })
        .collect()
}

/// The DSCP of one side of a flow row (`tos.client.DSCP`).
fn dscp(f: &Row, side: &str) -> u64 {
    f.get("tos")
        .and_then(|t| t.get(side))
        .and_then(|t| t.get("DSCP"))
        .and_then(Value::as_u64)
        .unwrap_or(0)
}

/// `GET /lua/rest/v2/get/interface/dscp/stats.lua?ifid=`: bytes per DSCP class over
/// the active flows (each direction counted under the DSCP its packets carry).
pub(crate) async fn iface_dscp(State(st): St, a: Args) -> NtopResult {
    let (_, cell) = iface(&st, &a)?;
    let snap = cell.get();
    let mut m: BTreeMap<u64, DscpCount> = BTreeMap::new();
    for f in &snap.flows {
        for (side, dir) in [("client", "cli2srv"), ("server", "srv2cli")] {
            let bytes = u(f, &format!("{dir}.bytes"));
            let packets = u(f, &format!("{dir}.packets"));
            if packets == 0 {
                continue;
            }
            let c = m.entry(dscp(f, side)).or_default();
            c.bytes += bytes;
            c.packets += packets;
            c.flows += 1;
        }
    }
    answer_with(json!(dscp_rows(m)), "counted over the active flows")
}

/// The `host` argument (ntopng accepts the host key `ip@vlan`) and the VLAN, from the
/// key or else the `vlan` argument.
fn host_arg(a: &Args) -> Result<(IpAddr, Option<u16>), NtopError> {
    let raw = a
        .str("host")
        .ok_or_else(|| NtopError::new(Rc::InvalidHost, "host is required"))?;
    let (ip, vlan) = match raw.split_once('@') {
        Some((ip, v)) => (ip, Some(v)),
        None => (raw, a.str("vlan")),
    };
    let addr: IpAddr = ip
        .trim()
        .parse()
        .map_err(|_| NtopError::new(Rc::InvalidHost, format!("host={raw:?}: not an IP address")))?;
    let vlan = match vlan {
        Some(v) => Some(
            v.trim()
                .parse::<u16>()
                .map_err(|_| NtopError::args(format!("vlan={v:?}: expected a VLAN id")))?,
        ),
        None => None,
    };
    Ok((addr, vlan))
}

/// The host `host` (and `vlan`) names, on the interface of the request.
fn find_host(st: &AppState, a: &Args) -> Result<(usize, Row), NtopError> {
    let (ifid, cell) = iface(st, a)?;
    let (addr, vlan) = host_arg(a)?;
    let ip = addr.to_string();
    let snap = cell.get();
    snap.hosts
        .iter()
        .find(|h| s(h, "ip") == ip && vlan.is_none_or(|v| u(h, "vlan") == u64::from(v)))
        .cloned()
        .map(|h| (ifid, h))
        .ok_or_else(|| {
            NtopError::new(
                Rc::NotFound,
                format!("no active host {ip} on interface {ifid}"),
            )
        })
}

/// ntopng's host key: the address, `@vlan` when tagged.
fn host_key(h: &Row) -> String {
    match u(h, "vlan") {
        0 => s(h, "ip").to_string(),
        v => format!("{}@{v}", s(h, "ip")),
    }
}

/// `GET /lua/rest/v2/get/host/data.lua?ifid=&host=&vlan=`: the host's counters
/// (`interface.getHostInfo()` keys), with the totals ntopng adds.
pub(crate) async fn host_data(State(st): St, a: Args) -> NtopResult {
    let (ifid, mut h) = find_host(&st, &a)?;
    let key = host_key(&h);
    let sent = u(&h, "bytes.sent");
    let rcvd = u(&h, "bytes.rcvd");
    h.insert("ifid".into(), json!(ifid));
    h.insert("name".into(), json!(s(&h, "ip")));
    h.insert("key".into(), json!(key));
    h.insert(
        "bytes".into(),
        json!({"sent": sent, "rcvd": rcvd, "total": sent + rcvd}),
    );
    h.insert(
        "num_flows".into(),
        json!(u(&h, "active_flows.as_client") + u(&h, "active_flows.as_server")),
    );
    answer(Value::Object(h))
}

/// `GET /lua/rest/v2/get/host/l7/stats.lua?ifid=&host=`: bytes and flows per
/// application protocol of the host.
pub(crate) async fn host_l7_stats(State(st): St, a: Args) -> NtopResult {
    let (_, h) = find_host(&st, &a)?;
    let rows = l7_stats(
        h.get("ndpi").and_then(Value::as_object),
        max_values(&a)?,
        a.flag("ndpi_category"),
    );
    answer(json!(rows))
}

/// `GET /lua/rest/v2/get/host/dscp/stats.lua?ifid=&host=&direction=sent|recvd`:
/// the host's bytes per DSCP class over its active flows.
pub(crate) async fn host_dscp(State(st): St, a: Args) -> NtopResult {
    let (ifid, h) = find_host(&st, &a)?;
    let sent = match a.str("direction").unwrap_or("sent") {
        "sent" => true,
        "recvd" | "rcvd" => false,
        d => {
            return Err(NtopError::args(format!(
                "direction={d:?}: expected sent or recvd"
            )));
        }
    };
    let ip = s(&h, "ip").to_string();
    let vlan = u(&h, "vlan");
    let cell = iface(&st, &a)?.1;
    let snap = cell.get();
    let mut m: BTreeMap<u64, DscpCount> = BTreeMap::new();
    for f in snap.flows.iter().filter(|f| u(f, "vlan") == vlan) {
        let as_client = s(f, "cli.ip") == ip;
        let as_server = s(f, "srv.ip") == ip;
        if !as_client && !as_server {
            continue;
        }
        // Sent: the host's own direction, with the DSCP the host marks.
        let (side, dir) = match (as_client, sent) {
            (true, true) => ("client", "cli2srv"),
            (true, false) => ("server", "srv2cli"),
            (false, true) => ("server", "srv2cli"),
            (false, false) => ("client", "cli2srv"),
        };
        let packets = u(f, &format!("{dir}.packets"));
        if packets == 0 {
            continue;
        }
        let c = m.entry(dscp(f, side)).or_default();
        c.bytes += u(f, &format!("{dir}.bytes"));
        c.packets += packets;
        c.flows += 1;
    }
    let _ = ifid;
    answer_with(json!(dscp_rows(m)), "counted over the host's active flows")
}

/// `GET /lua/rest/v2/get/host/interfaces.lua?host=`: the interfaces the host is
/// active on, `{"<host key>": [{ifid}]}`.
pub(crate) async fn host_interfaces(State(st): St, a: Args) -> NtopResult {
    let (addr, vlan) = host_arg(&a)?;
    let ip = addr.to_string();
    let found: Vec<Value> = all_interfaces(&st)
        .iter()
        .filter(|(_, c)| {
            c.get()
                .hosts
                .iter()
                .any(|h| s(h, "ip") == ip && vlan.is_none_or(|v| u(h, "vlan") == u64::from(v)))
        })
        .map(|(i, _)| json!({"ifid": i}))
        .collect();
    let key = match vlan {
        Some(v) if v != 0 => format!("{ip}@{v}"),
        _ => ip,
    };
    answer(json!({ key: found }))
}

/// `currentPage` (1-based) and `perPage`; `None` with `all`.
fn paging(a: &Args) -> Result<Option<(usize, usize)>, NtopError> {
    if a.str("all").is_some() {
        return Ok(None);
    }
    let page = a
        .parse::<usize>("currentPage", "a page number")?
        .unwrap_or(1)
        .max(1);
    let per = a
        .parse::<usize>("perPage", "a page size")?
        .unwrap_or(DEFAULT_PER_PAGE);
    if !(1..=MAX_PER_PAGE).contains(&per) {
        return Err(NtopError::args(format!(
            "perPage={per}: expected 1 to {MAX_PER_PAGE}"
        )));
    }
    Ok(Some((page, per)))
}

/// `sortOrder`: descending unless `asc`.
fn descending(a: &Args) -> Result<bool, NtopError> {
    match a.str("sortOrder") {
        None | Some("desc") => Ok(true),
        Some("asc") => Ok(false),
        Some(o) => Err(NtopError::args(format!(
            "sortOrder={o:?}: expected asc or desc"
        ))),
    }
}

/// One page of `rows` in ntopng's list form.
fn page_of(rows: Vec<Value>, paging: Option<(usize, usize)>, sort: (&str, bool)) -> Value {
    let total = rows.len();
    let (page, per, data) = match paging {
        None => (0, 0, rows),
        Some((page, per)) => (
            page,
            per,
            rows.into_iter()
                .skip((page - 1).saturating_mul(per))
                .take(per)
                .collect(),
        ),
    };
    json!({
        "perPage": per,
        "currentPage": page,
        "totalRows": total,
        "data": data,
        "sort": [[sort.0, if sort.1 { "desc" } else { "asc" }]],
    })
}

fn host_record(h: &Row) -> Value {
    let sent = u(h, "bytes.sent");
    let rcvd = u(h, "bytes.rcvd");
    let cli = u(h, "active_flows.as_client");
    let srv = u(h, "active_flows.as_server");
    json!({
        "key": host_key(h),
        "ip": s(h, "ip"),
        "name": s(h, "ip"),
        "vlan": u(h, "vlan"),
        "first_seen": u(h, "seen.first"),
        "last_seen": u(h, "seen.last"),
        "score": u(h, "score"),
        "country": h.get("country").cloned().unwrap_or(Value::Null),
        "is_blacklisted": h.get("is_blacklisted").and_then(Value::as_bool).unwrap_or(false),
        "is_localhost": h.get("localhost").and_then(Value::as_bool).unwrap_or(false),
        "bytes": {"total": sent + rcvd, "sent": sent, "recvd": rcvd},
        "packets": {"sent": u(h, "packets.sent"), "recvd": u(h, "packets.rcvd")},
        "num_flows": {"total": cli + srv, "as_client": cli, "as_server": srv},
    })
}

/// `GET /lua/rest/v2/get/host/active.lua?ifid=&all=|currentPage=&perPage=`
/// (`sortColumn`: ip, since, last, vlan, num_flows, traffic, score; `mode`: all,
/// local, remote).
pub(crate) async fn active_hosts(State(st): St, a: Args) -> NtopResult {
    let (_, cell) = iface(&st, &a)?;
    let paging = paging(&a)?;
    let desc = descending(&a)?;
    let sort = a
        .str("sortColumn")
        .unwrap_or("traffic")
        .trim_start_matches("column_")
        .to_string();
    let local = match a.str("mode").unwrap_or("all") {
        "all" => None,
        "local" => Some(true),
        "remote" => Some(false),
        m => {
            return Err(NtopError::args(format!(
                "mode={m:?}: weir serves all, local and remote"
            )));
        }
    };
    let vlan = a.parse::<u64>("vlan", "a VLAN id")?;
    let snap = cell.get();
    let mut rows: Vec<&Row> = snap
        .hosts
        .iter()
        .filter(|h| {
            local.is_none_or(|l| h.get("localhost").and_then(Value::as_bool) == Some(l))
                && vlan.is_none_or(|v| u(h, "vlan") == v)
        })
        .collect();
    let key = |h: &Row| -> u64 {
        match sort.as_str() {
            "since" => u(h, "seen.first"),
            "last" => u(h, "seen.last"),
            "vlan" => u(h, "vlan"),
            "num_flows" => u(h, "active_flows.as_client") + u(h, "active_flows.as_server"),
            "score" => u(h, "score"),
            _ => u(h, "bytes.sent") + u(h, "bytes.rcvd"),
        }
    };
    match sort.as_str() {
        "ip" | "name" => rows.sort_by(|x, y| {
            let p = |h: &Row| s(h, "ip").parse::<IpAddr>().ok();
            p(x).cmp(&p(y))
        }),
        "since" | "last" | "vlan" | "num_flows" | "score" | "traffic" => {
            rows.sort_by_key(|h| key(h))
        }
        c => {
            return Err(NtopError::args(format!(
                "sortColumn={c:?}: weir sorts by ip, name, since, last, vlan, num_flows, traffic or score"
            )));
        }
    }
    if desc {
        rows.reverse();
    }
    let data: Vec<Value> = rows.into_iter().map(host_record).collect();
    let mut v = page_of(data, paging, (&sort, desc));
    v["hosts_active"] = json!(snap.hosts_total);
    answer(v)
}

fn flow_record(f: &Row) -> Value {
    let bytes = u(f, "bytes");
    let c2s = u(f, "cli2srv.bytes");
    let pct = (c2s * 100 + bytes / 2).checked_div(bytes).unwrap_or(0);
    json!({
        "key": u(f, "ntopng.key").to_string(),
        "hash_id": u(f, "hash_entry_id").to_string(),
        "first_seen": u(f, "seen.first"),
        "last_seen": u(f, "seen.last"),
        "client": {
            "name": s(f, "cli.ip"),
            "ip": s(f, "cli.ip"),
            "port": u(f, "cli.port"),
            "is_localhost": f.get("cli.localhost").cloned().unwrap_or(Value::Null),
        },
        "server": {
            "name": if s(f, "host_server_name").is_empty() { s(f, "srv.ip") } else { s(f, "host_server_name") },
            "ip": s(f, "srv.ip"),
            "port": u(f, "srv.port"),
            "is_localhost": f.get("srv.localhost").cloned().unwrap_or(Value::Null),
        },
        "vlan": u(f, "vlan"),
        "protocol": {"l4": s(f, "proto.l4"), "l7": s(f, "proto.ndpi")},
        "duration": u(f, "duration"),
        "bytes": bytes,
        "packets": u(f, "packets"),
        "breakdown": {"cli2srv": pct, "srv2cli": 100 - pct.min(100)},
        "score": f.get("score").and_then(|s| s.get("flow_score")).cloned().unwrap_or(json!(0)),
        "info": s(f, "info"),
    })
}

/// `GET /lua/rest/v2/get/flow/active.lua?ifid=&currentPage=&perPage=` (filters:
/// `host`, `vlan`, `l4proto`, `application`; `sortColumn`: bytes, duration, score,
/// first_seen, last_seen).
pub(crate) async fn active_flows(State(st): St, a: Args) -> NtopResult {
    let (_, cell) = iface(&st, &a)?;
    let paging = paging(&a)?;
    let desc = descending(&a)?;
    let host = match a.str("host") {
        Some(h) => Some(
            h.split('@')
                .next()
                .unwrap_or(h)
                .trim()
                .parse::<IpAddr>()
                .map_err(|_| {
                    NtopError::new(Rc::InvalidHost, format!("host={h:?}: not an IP address"))
                })?
                .to_string(),
        ),
        None => None,
    };
    let vlan = a.parse::<u64>("vlan", "a VLAN id")?;
    let l4 = a.str("l4proto").map(str::to_ascii_uppercase);
    let app = a.str("application").map(str::to_string);
    let sort = a
        .str("sortColumn")
        .unwrap_or("bytes")
        .trim_start_matches("column_")
        .to_string();
    let field = match sort.as_str() {
        "bytes" | "traffic" => "bytes",
        "duration" => "duration",
        "first_seen" | "since" => "seen.first",
        "last_seen" | "last" => "seen.last",
        "packets" => "packets",
        "score" => "score",
        c => {
            return Err(NtopError::args(format!(
                "sortColumn={c:?}: weir sorts flows by bytes, packets, duration, score, first_seen or last_seen"
            )));
        }
    };
    let snap = cell.get();
    let mut rows: Vec<&Row> = snap
        .flows
        .iter()
        .filter(|f| {
            host.as_deref()
                .is_none_or(|h| s(f, "cli.ip") == h || s(f, "srv.ip") == h)
                && vlan.is_none_or(|v| u(f, "vlan") == v)
                && l4
                    .as_deref()
                    .is_none_or(|p| s(f, "proto.l4") == p || u(f, "proto.l4_id").to_string() == p)
                && app.as_deref().is_none_or(|p| {
                    let n = s(f, "proto.ndpi");
                    n.eq_ignore_ascii_case(p) || n.split('.').any(|x| x.eq_ignore_ascii_case(p))
                })
        })
        .collect();
    let key = |f: &Row| -> u64 {
        if field == "score" {
            f.get("score")
                .and_then(|s| s.get("flow_score"))
                .and_then(Value::as_u64)
                .unwrap_or(0)
        } else {
            u(f, field)
        }
    };
    rows.sort_by_key(|f| key(f));
    if desc {
        rows.reverse();
    }
    let data: Vec<Value> = rows.into_iter().map(flow_record).collect();
    let mut v = page_of(data, paging, (&sort, desc));
    v["flows_active"] = json!(snap.flows_total);
    answer(v)
}

/// `GET /lua/rest/v2/get/flow/l4/counters.lua?ifid=`: active flows per L4 protocol.
pub(crate) async fn l4_counters(State(st): St, a: Args) -> NtopResult {
    let (_, cell) = iface(&st, &a)?;
    let snap = cell.get();
    let mut m: BTreeMap<String, u64> = BTreeMap::new();
    for f in &snap.flows {
        *m.entry(s(f, "proto.l4").to_string()).or_default() += 1;
    }
    let rows: Vec<Value> = m
        .into_iter()
        .map(|(id, count)| json!({"id": id, "name": id, "count": count}))
        .collect();
    answer(json!(rows))
}

/// `GET /lua/rest/v2/get/flow/l7/counters.lua?ifid=`: active flows per application
/// protocol.
pub(crate) async fn l7_counters(State(st): St, a: Args) -> NtopResult {
    let (_, cell) = iface(&st, &a)?;
    let snap = cell.get();
    let mut m: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for f in &snap.flows {
        let e = m.entry(s(f, "proto.ndpi").to_string()).or_default();
        e.0 = u(f, "proto.ndpi_id");
        e.1 += 1;
    }
    let rows: Vec<Value> = m
        .into_iter()
        .map(|(name, (id, count))| json!({"id": id, "name": name, "count": count}))
        .collect();
    answer(json!(rows))
}

fn top_talkers(st: &AppState, a: &Args, local: bool) -> NtopResult {
    let (ifid, cell) = iface(st, a)?;
    let snap = cell.get();
    let mut rows: Vec<&Row> = snap
        .hosts
        .iter()
        .filter(|h| h.get("localhost").and_then(Value::as_bool) == Some(local))
        .collect();
    rows.sort_by_key(|h| std::cmp::Reverse(u(h, "bytes.sent") + u(h, "bytes.rcvd")));
    let list: Vec<Value> = rows
        .into_iter()
        .take(TOP_TALKERS)
        .map(|h| {
            let sent = u(h, "bytes.sent");
            let rcvd = u(h, "bytes.rcvd");
            json!({
                "address": s(h, "ip"),
                "ip": s(h, "ip"),
                "label": s(h, "ip"),
                "vlan": u(h, "vlan"),
                "value": sent + rcvd,
                "bytes": {"sent": sent, "rcvd": rcvd, "total": sent + rcvd},
            })
        })
        .collect();
    answer_with(
        json!({"ifid": ifid, "hosts": list}),
        "active hosts by bytes sent and received",
    )
}

/// `GET /lua/pro/rest/v2/get/interface/top/local/talkers.lua?ifid=`: the local
/// hosts with the most traffic.
pub(crate) async fn top_local_talkers(State(st): St, a: Args) -> NtopResult {
    top_talkers(&st, &a, true)
}

/// `GET /lua/pro/rest/v2/get/interface/top/remote/talkers.lua?ifid=`: the remote
/// hosts with the most traffic.
pub(crate) async fn top_remote_talkers(State(st): St, a: Args) -> NtopResult {
    top_talkers(&st, &a, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dscp_names() {
        assert_eq!(dscp_name(0), "Default (BE)");
        assert_eq!(dscp_name(46), "EF");
        assert_eq!(dscp_name(10), "AF11");
        assert_eq!(dscp_name(34), "AF41");
        assert_eq!(dscp_name(8), "CS1");
        assert_eq!(dscp_name(63), "DSCP 63");
    }

    #[test]
    fn l7_rows_largest_first() {
        let m = json!({"DNS": {"bytes": 10, "flows": 2}, "TLS.Google": {"bytes": 30, "flows": 1}});
        let rows = l7_stats(m.as_object(), 1, true);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["label"], "TLS.Google");
        assert_eq!(rows[0]["percentage"], 75.0);
        assert_eq!(rows[0]["category"], category_of("Google"));
    }

    #[test]
    fn pages() {
        let rows: Vec<Value> = (0..25).map(|i| json!(i)).collect();
        let v = page_of(rows.clone(), Some((3, 10)), ("x", true));
        assert_eq!(v["data"], json!([20, 21, 22, 23, 24]));
        assert_eq!(v["totalRows"], 25);
        let v = page_of(rows, None, ("x", false));
        assert_eq!(v["data"].as_array().unwrap().len(), 25);
        assert_eq!(
            (v["perPage"].clone(), v["currentPage"].clone()),
            (json!(0), json!(0))
        );
    }
}
