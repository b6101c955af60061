//! Flows and hosts of the interfaces' snapshots: `/api/v1/flows`, `/api/v1/hosts...`,
//! filtered and sorted off the async threads.

use std::net::IpAddr;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use serde_json::{Value, json};

use crate::error::{ApiError, ApiResult};
use crate::filter::{self, FlowFilter, HostFilter, L4, StatusFilter};
use crate::interfaces::interface_cell;
use crate::rest::{Params, Q, St, ok, page, paged, valid_token};
use crate::state::AppState;

const FLOW_PARAMS: &[&str] = &[
    "ifid",
    "host",
    "port",
    "l4",
    "l7",
    "status",
    "min_score",
    "vlan",
    "sort",
    "order",
    "offset",
    "limit",
];

pub(crate) async fn flows(State(st): St, q: Q) -> ApiResult {
    let p = Params::new(q, FLOW_PARAMS)?;
    let (ifid, cell) = interface_cell(&st, p.str("ifid"))?;
    let f = FlowFilter {
        host: p.parse::<IpAddr>("host", "an IP address")?,
        port: p.parse::<u16>("port", "a port number (0-65535)")?,
        l4: match p.str("l4") {
            None => None,
            Some(v) => Some(match v.parse::<u8>() {
                Ok(n) => L4::Id(n),
                Err(_) if valid_token(v) => L4::Name(v.to_string()),
                Err(_) => return Err(ApiError::bad(format!("l4={v:?}: expected a protocol name or number"))),
            }),
        },
        l7: match p.str("l7") {
            Some(v) if !valid_token(v) => {
                return Err(ApiError::bad(format!("l7={v:?}: expected a protocol name")));
            }
            v => v.map(str::to_string),
        },
        status: match p.str("status") {
            None => None,
            Some(v) => Some(StatusFilter::parse(v).ok_or_else(|| {
                ApiError::bad(format!(
                    "status={v:?}: expected normal, issues, a status bit (0-63) or a flow status name"
                ))
            })?),
        },
        min_score: p.parse::<u64>("min_score", "a non-negative integer")?,
        vlan: p.parse::<u16>("vlan", "a VLAN id")?,
    };
    let (sort, desc) = p.sort(filter::FLOW_SORT_KEYS, "bytes")?;
    let (offset, limit) = p.paging()?;
    let snap = cell.get();
    // Filtering and sorting 100k rows takes milliseconds: off the async threads.
    let out = tokio::task::spawn_blocking(move || {
        let mut rows: Vec<&filter::Row> = snap.flows.iter().filter(|r| f.matches(r)).collect();
        filter::sort_rows(&mut rows, &sort, desc, false);
        let mut v = paged(rows, offset, limit, |r| Value::Object(r.clone()));
        v["flows_active"] = json!(snap.flows_total);
        v["truncated"] = json!(snap.flows.len() < snap.flows_total);
        v["clock_us"] = json!(snap.clock_us);
        v["ifid"] = json!(ifid);
        v
    })
    .await
    .map_err(ApiError::internal)?;
    ok(out)
}

pub(crate) async fn hosts(State(st): St, q: Q) -> ApiResult {
    let p = Params::new(
        q,
        &[
            "ifid",
            "local",
            "vlan",
            "min_score",
            "sort",
            "order",
            "offset",
            "limit",
        ],
    )?;
    let f = HostFilter {
        local: p.bool("local")?,
        vlan: p.parse::<u16>("vlan", "a VLAN id")?,
        min_score: p.parse::<u64>("min_score", "a non-negative integer")?,
    };
    let (sort, desc) = p.sort(filter::HOST_SORT_KEYS, "bytes")?;
    let (offset, limit) = p.paging()?;
    let (ifid, cell) = interface_cell(&st, p.str("ifid"))?;
    let snap = cell.get();
    let out = tokio::task::spawn_blocking(move || {
        let mut rows: Vec<&filter::Row> = snap.hosts.iter().filter(|r| f.matches(r)).collect();
        filter::sort_rows(&mut rows, &sort, desc, true);
        let mut v = paged(rows, offset, limit, |r| Value::Object(r.clone()));
        v["hosts_active"] = json!(snap.hosts_total);
        v["truncated"] = json!(snap.hosts.len() < snap.hosts_total);
        v["ifid"] = json!(ifid);
        v
    })
    .await
    .map_err(ApiError::internal)?;
    ok(out)
}

/// The host row for `ip` (and `vlan`, default: any) on the interface `ifid`.
fn find_host(
    st: &AppState,
    ip: &str,
    vlan: Option<u16>,
    ifid: Option<&str>,
) -> Result<filter::Row, ApiError> {
    let addr: IpAddr = ip
        .parse()
        .map_err(|_| ApiError::bad(format!("{ip:?} is not an IP address")))?;
    let ip = addr.to_string();
    let snap = interface_cell(st, ifid)?.1.get();
    snap.hosts
        .iter()
        .find(|h| {
            h.get("ip").and_then(Value::as_str) == Some(ip.as_str())
                && vlan.is_none_or(|v| h.get("vlan").and_then(Value::as_u64) == Some(u64::from(v)))
        })
        .cloned()
        .ok_or_else(|| ApiError::not_found(format!("no active host {ip}")))
}

pub(crate) async fn host(
    State(st): St,
    Path(ip): Path<String>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> ApiResult {
    let p = Params::new(q, &["vlan", "ifid"])?;
    let h = find_host(
        &st,
        &ip,
        p.parse::<u16>("vlan", "a VLAN id")?,
        p.str("ifid"),
    )?;
    ok(Value::Object(h))
}

pub(crate) async fn host_l7(
    State(st): St,
    Path(ip): Path<String>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> ApiResult {
    let p = Params::new(q, &["vlan", "ifid"])?;
    let h = find_host(
        &st,
        &ip,
        p.parse::<u16>("vlan", "a VLAN id")?,
        p.str("ifid"),
    )?;
    let items = filter::host_l7(&h);
    let n = items.len();
    ok(page(items, n, 0, n))
}

pub(crate) async fn host_peers(
    State(st): St,
    Path(ip): Path<String>,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> ApiResult {
    let p = Params::new(q, &["offset", "limit", "ifid"])?;
    let (offset, limit) = p.paging()?;
    let addr: IpAddr = ip
        .parse()
        .map_err(|_| ApiError::bad(format!("{ip:?} is not an IP address")))?;
    let snap = interface_cell(&st, p.str("ifid"))?.1.get();
    let all =
        tokio::task::spawn_blocking(move || filter::host_peers(&snap.flows, &addr.to_string()))
            .await
            .map_err(ApiError::internal)?;
    ok(paged(all, offset, limit, |v| v))
}
