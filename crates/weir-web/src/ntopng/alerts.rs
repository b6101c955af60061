//! Alerts the ntopng way: type and severity constants, counters, the alert
//! database queries (`alert/list/alerts.lua`, clauses parsed by [`super::sql`]),
//! flow and host alert lists, top-N; and the checks' enable/disable.

use std::collections::HashMap;

use axum::Extension;
use axum::extract::State;
use serde_json::{Map, Value, json};
use weir_alerts::{
    AlertQuery, AlertRecord, AlertStore, AlertTable, EntityKind, Registry, Severity, SqliteStore,
};

use super::history::{aggregate, lit_json, order_rows};
use super::sql::{self, Column, Columns, Kind, Lit, Select};
use super::{Args, NtopError, NtopResult, Rc, answer, answer_with, filter_value, iface};
use crate::auth::Identity;
use crate::rest::St;
use crate::state::AppState;

/// Most alerts one request reads from the store.
const MAX_LOAD: u32 = 200_000;
/// Most rows one alert query returns.
const MAX_HITS: u64 = 10_000;
/// Entries of the top-N lists.
const TOP_N: usize = 10;

const fn col(name: &'static str, kind: Kind) -> Column {
    Column { name, kind }
}

/// The columns of `alert/list/alerts.lua`: ntopng's alert table columns weir
/// stores (`l7_proto` is the protocol name: weir stores names).
pub const ALERT_COLUMNS: Columns = &[
    col("rowid", Kind::Int),
    col("alert_id", Kind::Int),
    col("name", Kind::Text),
    col("interface_id", Kind::Int),
    col("tstamp", Kind::Int),
    col("tstamp_end", Kind::Int),
    col("epoch_begin", Kind::Int),
    col("epoch_end", Kind::Int),
    col("severity", Kind::Int),
    col("score", Kind::Int),
    col("entity_id", Kind::Int),
    col("entity_val", Kind::Text),
    col("ip", Kind::Ip),
    col("vlan_id", Kind::Int),
    col("cli_ip", Kind::Ip),
    col("srv_ip", Kind::Ip),
    col("cli_port", Kind::Int),
    col("srv_port", Kind::Int),
    col("proto", Kind::Int),
    col("l7_proto", Kind::Text),
    col("info", Kind::Text),
    col("json", Kind::Text),
];

fn int(n: u64) -> Option<Lit> {
    Some(Lit::Int(i64::try_from(n).unwrap_or(i64::MAX)))
}

/// The host address and VLAN of a host entity value (`ip@vlan`).
fn host_of(entity_val: &str) -> Option<(String, u16)> {
    let (ip, vlan) = entity_val.split_once('@').unwrap_or((entity_val, "0"));
    let ip = ip.parse::<std::net::IpAddr>().ok()?.to_string();
    Some((ip, vlan.parse().unwrap_or(0)))
}

/// The value of an alert column for a stored alert.
fn alert_get(r: &AlertRecord, c: &Column) -> Option<Lit> {
    match r {
        AlertRecord::Flow(f) => Some(match c.name {
            "rowid" => return f.rowid.map(Lit::Int),
            "alert_id" => Lit::Int(i64::from(f.alert_type.0)),
            "name" => Lit::Text(f.alert_name.clone()),
            "interface_id" => Lit::Int(i64::from(f.ifid)),
            "tstamp" | "epoch_begin" | "tstamp_end" | "epoch_end" => return int(f.alert_tstamp),
            "severity" => Lit::Int(i64::from(f.alert_severity.id())),
            "score" => Lit::Int(i64::from(f.score)),
            "entity_id" => Lit::Int(i64::from(f.entity.kind.id())),
            "entity_val" => Lit::Text(f.entity.value.clone()),
            "vlan_id" => Lit::Int(i64::from(f.vlan_id)),
            "cli_ip" => Lit::Text(f.cli_addr.clone()),
            "srv_ip" => Lit::Text(f.srv_addr.clone()),
            "cli_port" => Lit::Int(i64::from(f.cli_port)),
            "srv_port" => Lit::Int(i64::from(f.srv_port)),
            "proto" => Lit::Int(i64::from(f.proto)),
            "l7_proto" => Lit::Text(f.l7_proto.clone()),
            "info" => Lit::Text(f.info.clone()),
            _ => return None,
        }),
        AlertRecord::Alert(a) => Some(match c.name {
            "rowid" => return a.rowid.map(Lit::Int),
            "alert_id" => Lit::Int(i64::from(a.alert_type.0)),
            "name" => Lit::Text(a.alert_name.clone()),
            "interface_id" => Lit::Int(i64::from(a.ifid)),
            "tstamp" | "epoch_begin" => return int(a.alert_tstamp),
            "tstamp_end" | "epoch_end" => return int(a.alert_tstamp_end.unwrap_or(a.last_seen)),
            "severity" => Lit::Int(i64::from(a.alert_severity.id())),
            "score" => Lit::Int(i64::from(a.score)),
            "entity_id" => Lit::Int(i64::from(a.entity.kind.id())),
            "entity_val" => Lit::Text(a.entity.value.clone()),
            "ip" if a.entity.kind == EntityKind::Host => Lit::Text(host_of(&a.entity.value)?.0),
            "vlan_id" if a.entity.kind == EntityKind::Host => {
                Lit::Int(i64::from(host_of(&a.entity.value)?.1))
            }
            "json" => Lit::Text(a.alert_json.clone()),
            _ => return None,
        }),
    }
}

fn ifid_of(r: &AlertRecord) -> i64 {
    match r {
        AlertRecord::Flow(f) => i64::from(f.ifid),
        AlertRecord::Alert(a) => i64::from(a.ifid),
    }
}

fn store(st: &AppState) -> Result<SqliteStore, NtopError> {
    st.alerts
        .clone()
        .ok_or_else(|| NtopError::new(Rc::InternalError, "the alert store could not be opened"))
}

/// Reads the alerts of `tables` in the time range (and of `ip`, either peer / the
/// host), of interface `ifid`, newest first.
async fn load(
    st: &AppState,
    tables: &[AlertTable],
    ifid: usize,
    (from, to): (Option<u64>, Option<u64>),
    ip: Option<String>,
    entity: Option<EntityKind>,
) -> Result<Vec<AlertRecord>, NtopError> {
    let store = store(st)?;
    let tables = tables.to_vec();
    tokio::task::spawn_blocking(move || -> weir_alerts::Result<Vec<AlertRecord>> {
        let mut out = Vec::new();
        for t in tables {
            let mut q = AlertQuery::new(t);
            q.from = from;
            q.to = to;
            q.ip.clone_from(&ip);
            q.entity = entity;
            q.limit = Some(MAX_LOAD);
            out.extend(
                store
                    .query(&q)?
                    .into_iter()
                    .filter(|r| ifid_of(r) == ifid as i64),
            );
        }
        Ok(out)
    })
    .await
    .map_err(NtopError::internal)?
    .map_err(NtopError::internal)
}

/// `status`: `historical` (default: past and flow alerts) or `engaged`.
fn tables_of(a: &Args, with_flows: bool) -> Result<Vec<AlertTable>, NtopError> {
    match a.str("status").unwrap_or("historical") {
        "historical" if with_flows => Ok(vec![AlertTable::Past, AlertTable::Flow]),
        "historical" => Ok(vec![AlertTable::Past]),
        "engaged" => Ok(vec![AlertTable::Engaged]),
        s => Err(NtopError::args(format!(
            "status={s:?}: expected historical or engaged"
        ))),
    }
}

/// `GET /lua/rest/v2/get/alert/type/consts.lua`: `[{type, key, title}]`.
pub(crate) async fn type_consts() -> NtopResult {
    let reg = Registry::with_builtins();
    let mut list: Vec<Value> = reg
        .alerts()
        .map(|t| json!({"type": t.name, "key": t.key.0, "title": t.title}))
        .collect();
    list.sort_by_key(|v| v["key"].as_u64());
    answer(json!(list))
}

/// `GET /lua/rest/v2/get/alert/severity/consts.lua`: `[{severity, id, syslog_level}]`.
pub(crate) async fn severity_consts() -> NtopResult {
    let list: Vec<Value> = Severity::ALL
        .iter()
        .map(|s| json!({"severity": s.name(), "id": s.id(), "syslog_level": 8 - s.id()}))
        .collect();
    answer(json!(list))
}

fn type_name(reg: &Registry, r: &AlertRecord) -> String {
    match r.alert_name() {
        "" => reg
            .alert_name(r.alert_type())
            .map_or_else(|| format!("alert {}", r.alert_type().0), str::to_string),
        n => n.to_string(),
    }
}

/// Counts per (alert type, entity), largest first.
fn count_types(reg: &Registry, records: &[AlertRecord]) -> Vec<Value> {
    let mut m: HashMap<(u32, u8), (String, u64)> = HashMap::new();
    for r in records {
        let e = m
            .entry((r.alert_type().0, r.entity().kind.id()))
            .or_insert_with(|| (type_name(reg, r), 0));
        e.1 += 1;
    }
    let mut rows: Vec<((u32, u8), (String, u64))> = m.into_iter().collect();
    rows.sort_by(|a, b| b.1.1.cmp(&a.1.1).then(a.0.cmp(&b.0)));
    rows.into_iter()
        .map(|((id, entity), (name, count))| {
            json!({
                "count": count,
                "alert_id": id,
                "name": name,
                "entity_id": entity,
                "entity_label": EntityKind::from_id(entity).map_or("", |e| e.name()),
            })
        })
        .collect()
}

/// `GET /lua/rest/v2/get/alert/type/counters.lua?ifid=&status=&epoch_begin=&epoch_end=`.
pub(crate) async fn type_counters(State(st): St, a: Args) -> NtopResult {
    let (ifid, _) = iface(&st, &a)?;
    let tables = tables_of(&a, true)?;
    let range = a.epochs("epoch_begin", "epoch_end")?;
    let records = load(&st, &tables, ifid, range, None, None).await?;
    answer(json!(count_types(&Registry::with_builtins(), &records)))
}

/// `GET /lua/rest/v2/get/alert/severity/counters.lua?ifid=&status=&epoch_begin=&epoch_end=`.
pub(crate) async fn severity_counters(State(st): St, a: Args) -> NtopResult {
    let (ifid, _) = iface(&st, &a)?;
    let tables = tables_of(&a, true)?;
    let range = a.epochs("epoch_begin", "epoch_end")?;
    let records = load(&st, &tables, ifid, range, None, None).await?;
    let mut counts: HashMap<u8, u64> = HashMap::new();
    for r in &records {
        *counts.entry(r.severity().id()).or_default() += 1;
    }
    let rows: Vec<Value> = Severity::ALL
        .iter()
        .rev()
        .filter_map(|s| {
            counts.get(&s.id()).map(|n| {
                json!({"count": n, "severity_id": s.id(), "severity": s.name(), "name": s.name()})
            })
        })
        .collect();
    answer(json!(rows))
}

/// The tables and entity an `alert_family` reads.
fn family(f: &str) -> Result<(Vec<AlertTable>, Option<EntityKind>), NtopError> {
    let past = vec![AlertTable::Engaged, AlertTable::Past];
    Ok(match f {
        "flow" => (vec![AlertTable::Flow], None),
        "host" => (past, Some(EntityKind::Host)),
        "interface" => (past, Some(EntityKind::Interface)),
        "network" => (past, Some(EntityKind::Network)),
        "mac" => (past, Some(EntityKind::Mac)),
        "snmp" => (past, Some(EntityKind::SnmpDevice)),
        "system" => (past, Some(EntityKind::System)),
        "user" => (past, Some(EntityKind::User)),
        "active_monitoring" => (past, Some(EntityKind::AmHost)),
        f => {
            return Err(NtopError::args(format!(
                "alert_family={f:?}: expected flow, host, interface, network, mac, snmp, system, user or active_monitoring"
            )));
        }
    })
}

/// `GET|POST /lua/rest/v2/get/alert/list/alerts.lua`: `alert_family`, the time range
/// and ntopng's clauses (`select_clause`, `where_clause`, `maxhits_clause`,
/// `group_by`/`group_by_clause`, `order_by`/`order_by_clause`) over the alert store.
pub(crate) async fn list_alerts(State(st): St, a: Args) -> NtopResult {
    let (ifid, _) = iface(&st, &a)?;
    let (tables, entity) = family(a.str("alert_family").unwrap_or(""))?;
    let range = a.epochs("epoch_begin", "epoch_end")?;
    let items = sql::parse_select(a.str("select_clause").unwrap_or("*"), ALERT_COLUMNS)?;
    let filter = match a.str("where_clause") {
        Some(w) => sql::parse_where(w, ALERT_COLUMNS)?,
        None => None,
    };
    let limit = match a.str("maxhits_clause") {
        Some(m) => sql::parse_limit(m, MAX_HITS)?,
        None => 10,
    } as usize;
    let group_text = a.str("group_by").or(a.str("group_by_clause")).unwrap_or("");
    let order_text = a.str("order_by").or(a.str("order_by_clause")).unwrap_or("");
    let group = sql::parse_group_by(group_text, ALERT_COLUMNS)?;
    let order = sql::parse_order_by(order_text, ALERT_COLUMNS)?;
    let items = items.unwrap_or_else(|| ALERT_COLUMNS.iter().map(|c| Select::Column(*c)).collect());
    let grouped = !group.is_empty() || items.iter().any(|i| matches!(i, Select::Agg(..)));
    if grouped
        && let Some(Select::Column(c)) = items
            .iter()
            .find(|i| matches!(i, Select::Column(c) if !group.contains(c)))
    {
        return Err(NtopError::new(
            Rc::BadFormat,
            format!(
                "select_clause: {} is neither grouped nor aggregated",
                c.name
            ),
        ));
    }
    let mut records = load(&st, &tables, ifid, range, None, entity).await?;
    if let Some(e) = &filter {
        records.retain(|r| e.matches(&|c: &Column| alert_get(r, c)));
    }
    let mut rows: Vec<Map<String, Value>> = if grouped {
        aggregate(&records, &alert_get, &group, &items)
    } else {
        records
            .iter()
            .map(|r| {
                items
                    .iter()
                    .filter_map(|i| match i {
                        Select::Column(c) => Some((c.name.to_string(), lit_json(alert_get(r, c)))),
                        Select::Agg(..) => None,
                    })
                    .collect()
            })
            .collect()
    };
    if !order.is_empty() {
        // Order by the items' values (a column not selected is read from the record).
        if grouped {
            let o: Vec<(String, bool)> = order.iter().map(|(s, d)| (s.label(), *d)).collect();
            order_rows(&mut rows, &o);
        } else {
            let mut idx: Vec<usize> = (0..records.len()).collect();
            idx.sort_by(|&x, &y| {
                for (s, desc) in &order {
                    let Select::Column(c) = s else { continue };
                    let (vx, vy) = (alert_get(&records[x], c), alert_get(&records[y], c));
                    let o = match (vx, vy) {
                        (Some(Lit::Int(p)), Some(Lit::Int(q))) => p.cmp(&q),
                        (Some(Lit::Text(p)), Some(Lit::Text(q))) => p.cmp(&q),
                        (p, q) => p.is_some().cmp(&q.is_some()),
                    };
                    let o = if *desc { o.reverse() } else { o };
                    if o != std::cmp::Ordering::Equal {
                        return o;
                    }
                }
                std::cmp::Ordering::Equal
            });
            let mut slots: Vec<Option<Map<String, Value>>> = rows.into_iter().map(Some).collect();
            rows = idx
                .into_iter()
                .filter_map(|i| slots.get_mut(i).and_then(Option::take))
                .collect();
        }
    }
    rows.truncate(limit);
    answer(json!(rows))
}

/// One flow alert as ntopng's alert lists show it.
fn flow_record(reg: &Registry, r: &AlertRecord) -> Option<Value> {
    let AlertRecord::Flow(f) = r else { return None };
    Some(json!({
        "row_id": f.rowid,
        "tstamp": {"value": f.alert_tstamp},
        "alert_id": {"value": f.alert_type.0, "name": type_name(reg, r)},
        "severity": {"value": f.alert_severity.id(), "label": f.alert_severity.name()},
        "score": f.score,
        "cli_ip": {"value": f.cli_addr, "localhost": f.cli_localhost},
        "srv_ip": {"value": f.srv_addr, "localhost": f.srv_localhost},
        "cli_port": f.cli_port,
        "srv_port": f.srv_port,
        "vlan_id": f.vlan_id,
        "proto": {"value": f.proto, "label": f.proto_name},
        "l7_proto": f.l7_proto,
        "l7_master_proto": f.l7_master_proto,
        "info": f.info,
        "first_seen": f.first_seen,
    }))
}

/// One host (or other entity) alert as ntopng's alert lists show it.
fn alert_record(reg: &Registry, r: &AlertRecord) -> Option<Value> {
    let AlertRecord::Alert(x) = r else {
        return None;
    };
    let (ip, vlan) = host_of(&x.entity.value).unwrap_or_default();
    Some(json!({
        "row_id": x.rowid,
        "tstamp": {"value": x.alert_tstamp},
        "tstamp_end": {"value": x.alert_tstamp_end},
        "alert_id": {"value": x.alert_type.0, "name": type_name(reg, r)},
        "severity": {"value": x.alert_severity.id(), "label": x.alert_severity.name()},
        "score": x.score,
        "ip": {"value": ip},
        "vlan_id": vlan,
        "entity_val": x.entity.value,
        "count": x.count,
        "duration": x.duration_secs(),
        "json": x.alert_json,
    }))
}

/// A DataTables-style filter: `VALUE;OP` on a record's column.
struct Cond {
    col: Column,
    op: String,
    value: Lit,
}

fn conds(a: &Args, names: &[(&str, &str)]) -> Result<Vec<Cond>, NtopError> {
    let mut out = Vec::new();
    for (param, colname) in names {
        let Some(raw) = a.str(param) else { continue };
        let Some(col) = ALERT_COLUMNS.iter().find(|c| c.name == *colname).copied() else {
            continue;
        };
        let (v, op) = filter_value(raw)?;
        if matches!(op, "in" | "nin") {
            return Err(NtopError::args(format!(
                "{param}={raw:?}: weir filters with eq, neq, lt, gt, lte, gte"
            )));
        }
        let value =
            match col.kind {
                Kind::Int => Lit::Int(v.trim().parse().map_err(|_| {
                    NtopError::args(format!("{param}={raw:?}: expected an integer"))
                })?),
                Kind::Ip => Lit::Text(
                    v.trim()
                        .parse::<std::net::IpAddr>()
                        .map_err(|_| {
                            NtopError::new(
                                Rc::InvalidHost,
                                format!("{param}={raw:?}: not an IP address"),
                            )
                        })?
                        .to_string(),
                ),
                Kind::Text => Lit::Text(v.to_string()),
            };
        out.push(Cond {
            col,
            op: op.to_string(),
            value,
        });
    }
    Ok(out)
}

fn cond_ok(c: &Cond, r: &AlertRecord) -> bool {
    let Some(v) = alert_get(r, &c.col) else {
        return c.op == "neq";
    };
    let o = match (&v, &c.value) {
        (Lit::Int(a), Lit::Int(b)) => a.cmp(b),
        (Lit::Text(a), Lit::Text(b)) if c.col.name == "l7_proto" => {
            a.to_ascii_lowercase().cmp(&b.to_ascii_lowercase())
        }
        (Lit::Text(a), Lit::Text(b)) => a.cmp(b),
        _ => return false,
    };
    use std::cmp::Ordering::*;
    match c.op.as_str() {
        "eq" => o == Equal,
        "neq" => o != Equal,
        "lt" => o == Less,
        "lte" => o != Greater,
        "gt" => o == Greater,
        "gte" => o != Less,
        _ => false,
    }
}

/// DataTables paging: `start`, `length` (default 10).
fn dt_paging(a: &Args) -> Result<(usize, usize), NtopError> {
    let start = a.parse::<usize>("start", "a row offset")?.unwrap_or(0);
    let length = a.parse::<usize>("length", "a row count")?.unwrap_or(10);
    if !(1..=MAX_HITS as usize).contains(&length) {
        return Err(NtopError::args(format!(
            "length={length}: expected 1 to {MAX_HITS}"
        )));
    }
    Ok((start, length))
}

fn check_format(a: &Args) -> Result<(), NtopError> {
    match a.str("format") {
        None | Some("json") => Ok(()),
        Some(f) => Err(NtopError::args(format!("format={f:?}: weir answers json"))),
    }
}

/// `GET /lua/rest/v2/get/flow/alert/list.lua` (also `/lua/rest/v1/...`): flow alerts
/// of the time range, filtered by `cli_ip`, `srv_ip`, `ip`, `alert_id`, `severity`,
/// `l7proto`, `vlan_id`, `score` (`VALUE;OP`), paged by `start`/`length`.
pub(crate) async fn flow_alert_list(State(st): St, a: Args) -> NtopResult {
    let (ifid, _) = iface(&st, &a)?;
    check_format(&a)?;
    let range = a.epochs("epoch_begin", "epoch_end")?;
    let (start, length) = dt_paging(&a)?;
    let conds = conds(
        &a,
        &[
            ("cli_ip", "cli_ip"),
            ("srv_ip", "srv_ip"),
            ("alert_id", "alert_id"),
            ("severity", "severity"),
            ("l7proto", "l7_proto"),
            ("vlan_id", "vlan_id"),
            ("score", "score"),
            ("cli_port", "cli_port"),
            ("srv_port", "srv_port"),
        ],
    )?;
    let ip = match a.str("ip") {
        Some(raw) => {
            let (v, op) = filter_value(raw)?;
            if op != "eq" {
                return Err(NtopError::args(format!(
                    "ip={raw:?}: weir filters ip with eq"
                )));
            }
            Some(
                v.parse::<std::net::IpAddr>()
                    .map_err(|_| {
                        NtopError::new(Rc::InvalidHost, format!("ip={raw:?}: not an IP address"))
                    })?
                    .to_string(),
            )
        }
        None => None,
    };
    let records = load(&st, &[AlertTable::Flow], ifid, range, ip, None).await?;
    datatable(records, &conds, (start, length), flow_record)
}

/// `GET /lua/rest/v2/get/host/alert/list.lua`: host alerts (`status`: historical,
/// engaged) of the time range, filtered by `ip`, `alert_id`, `severity`, `vlan_id`
/// (`VALUE;OP`), paged by `start`/`length`.
pub(crate) async fn host_alert_list(State(st): St, a: Args) -> NtopResult {
    let (ifid, _) = iface(&st, &a)?;
    check_format(&a)?;
    let range = a.epochs("epoch_begin", "epoch_end")?;
    let (start, length) = dt_paging(&a)?;
    let tables = tables_of(&a, false)?;
    let conds = conds(
        &a,
        &[
            ("ip", "ip"),
            ("alert_id", "alert_id"),
            ("severity", "severity"),
            ("vlan_id", "vlan_id"),
            ("score", "score"),
        ],
    )?;
    let records = load(&st, &tables, ifid, range, None, Some(EntityKind::Host)).await?;
    datatable(records, &conds, (start, length), alert_record)
}

/// The records meeting every condition, as ntopng's datatable answer: one page of them
/// (`start`, `length`) as rows built by `row`, and their total.
fn datatable(
    mut records: Vec<AlertRecord>,
    conds: &[Cond],
    (start, length): (usize, usize),
    row: fn(&Registry, &AlertRecord) -> Option<Value>,
) -> NtopResult {
    records.retain(|r| conds.iter().all(|c| cond_ok(c, r)));
    let reg = Registry::with_builtins();
    let total = records.len();
    let rows: Vec<Value> = records
        .iter()
        .skip(start)
        .take(length)
        .filter_map(|r| row(&reg, r))
        .collect();
    answer(json!({"records": rows, "recordsTotal": total, "recordsFiltered": total}))
}

/// `ip=ADDR;eq` of the top endpoints.
fn top_ip(a: &Args) -> Result<Option<String>, NtopError> {
    let Some(raw) = a.str("ip") else {
        return Ok(None);
    };
    let (v, op) = filter_value(raw)?;
    if op != "eq" {
        return Err(NtopError::args(format!(
            "ip={raw:?}: weir filters ip with eq"
        )));
    }
    Ok(Some(
        v.parse::<std::net::IpAddr>()
            .map_err(|_| NtopError::new(Rc::InvalidHost, format!("ip={raw:?}: not an IP address")))?
            .to_string(),
    ))
}

/// The `n` most frequent values of `key` among `records`.
fn top_by(
    records: &[AlertRecord],
    n: usize,
    key: impl Fn(&AlertRecord) -> Option<String>,
) -> Vec<Value> {
    let mut m: HashMap<String, u64> = HashMap::new();
    for r in records {
        if let Some(k) = key(r) {
            *m.entry(k).or_default() += 1;
        }
    }
    let mut rows: Vec<(String, u64)> = m.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    rows.into_iter()
        .take(n)
        .map(|(k, count)| json!({"value": k, "count": count}))
        .collect()
}

/// `GET /lua/rest/v2/get/alert/top.lua?ifid=&epoch_begin=&epoch_end=&ip=`: the most
/// frequent alert types (past and flow alerts; of one host with `ip`).
pub(crate) async fn top(State(st): St, a: Args) -> NtopResult {
    let (ifid, _) = iface(&st, &a)?;
    let range = a.epochs("epoch_begin", "epoch_end")?;
    let ip = top_ip(&a)?;
    let records = load(
        &st,
        &[AlertTable::Past, AlertTable::Flow],
        ifid,
        range,
        ip,
        None,
    )
    .await?;
    let mut types = count_types(&Registry::with_builtins(), &records);
    types.truncate(TOP_N);
    answer(json!({"alert_types": types, "total": records.len()}))
}

/// `GET /lua/pro/rest/v2/get/flow/alert/top.lua?ifid=&epoch_begin=&epoch_end=`: the
/// most frequent flow alert types, clients and servers.
pub(crate) async fn flow_top(State(st): St, a: Args) -> NtopResult {
    let (ifid, _) = iface(&st, &a)?;
    let range = a.epochs("epoch_begin", "epoch_end")?;
    let ip = top_ip(&a)?;
    let records = load(&st, &[AlertTable::Flow], ifid, range, ip, None).await?;
    let mut types = count_types(&Registry::with_builtins(), &records);
    types.truncate(TOP_N);
    let side = |cli: bool| {
        top_by(&records, TOP_N, |r| match r {
            AlertRecord::Flow(f) => Some(if cli {
                f.cli_addr.clone()
            } else {
                f.srv_addr.clone()
            }),
            AlertRecord::Alert(_) => None,
        })
    };
    answer(json!({
        "alert_types": types,
        "cli_ip": side(true),
        "srv_ip": side(false),
        "total": records.len(),
    }))
}

async fn toggle_check(
    st: &std::sync::Arc<AppState>,
    id: &Identity,
    a: &Args,
    on: bool,
) -> NtopResult {
    let subdir = a.str("check_subdir").ok_or_else(|| {
        NtopError::args("check_subdir is required (flow, host, interface, network, syslog, system)")
    })?;
    if !weir_script::SUBDIRS.contains(&subdir) {
        return Err(NtopError::args(format!(
            "check_subdir={subdir:?}: expected one of {}",
            weir_script::SUBDIRS.join(", ")
        )));
    }
    let key = a
        .str("script_key")
        .ok_or_else(|| NtopError::args("script_key is required"))?;
    let script = crate::scripts::toggle(st, id, subdir, key, on).await?;
    answer_with(
        json!({"success": true, "script": script}),
        if on {
            "check enabled"
        } else {
            "check disabled"
        },
    )
}

/// `POST /lua/rest/v1/enable/check.lua` (and v2): `check_subdir`, `script_key`.
pub(crate) async fn enable_check(
    State(st): St,
    Extension(id): Extension<Identity>,
    a: Args,
) -> NtopResult {
    toggle_check(&st, &id, &a, true).await
}

/// `POST /lua/rest/v1/disable/check.lua` (and v2): `check_subdir`, `script_key`.
pub(crate) async fn disable_check(
    State(st): St,
    Extension(id): Extension<Identity>,
    a: Args,
) -> NtopResult {
    toggle_check(&st, &id, &a, false).await
}
