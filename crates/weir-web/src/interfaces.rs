//! Interfaces and their sources: `/api/v1/interfaces...`, `/api/v1/networks`,
//! `/api/v1/syslog/producers`, and the interface helpers `/metrics` shares.

use std::sync::Arc;

use axum::extract::{Path, State};
use serde_json::{Value, json};
use weir_pipeline::snapshot::SnapshotCell;

use crate::error::{ApiError, ApiResult};
use crate::filter;
use crate::rest::{Params, Q, St, ok, page, paged};
use crate::state::AppState;

/// A short name for an interface's source: the capture file name(s) or the live
/// interface.
pub(crate) fn short_name(source: &str) -> String {
    if let Some(i) = source.strip_prefix("interface ") {
        return i.to_string();
    }
    let files: Vec<&str> = source.split(", ").collect();
    let base = |p: &str| {
        std::path::Path::new(p)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| p.to_string())
    };
    match files.as_slice() {
        [] | [""] => source.to_string(),
        [one] => base(one),
        [first, rest @ ..] => format!("{} (+{} files)", base(first), rest.len()),
    }
}

/// The interface object of the API.
fn interface_value(st: &AppState, ifid: usize, cell: &SnapshotCell) -> Value {
    let snap = cell.get();
    let name = match cell.name() {
        n if n.is_empty() => st.iface_name.clone(),
        n => short_name(&n),
    };
    let mut m = match &snap.interface {
        Value::Object(m) => m.clone(),
        _ => serde_json::Map::new(),
    };
    m.insert("ifid".into(), json!(ifid));
    m.insert("name".into(), json!(name));
    m.insert("source".into(), json!(cell.name()));
    m.insert("clock_us".into(), json!(snap.clock_us));
    m.insert("flows_active".into(), json!(snap.flows_total));
    m.insert("hosts_active".into(), json!(snap.hosts_total));
    m.insert("networks".into(), json!(snap.networks.len()));
    m.insert("capture_finished".into(), json!(snap.finished));
    Value::Object(m)
}

/// Every interface of the run: (ifid, its snapshot cell). Before the engines start
/// (or with syslog only) the run's own cell stands for interface 0.
pub(crate) fn all_interfaces(st: &AppState) -> Vec<(usize, Arc<SnapshotCell>)> {
    let list = st.snapshots.interfaces();
    if list.is_empty() {
        vec![(0, st.snapshots.clone())]
    } else {
        list
    }
}

/// The interface an `ifid` (path segment or parameter) names; `None`: the first.
pub(crate) fn interface_cell(
    st: &AppState,
    ifid: Option<&str>,
) -> Result<(usize, Arc<SnapshotCell>), ApiError> {
    let all = all_interfaces(st);
    let Some(raw) = ifid else {
        return all
            .into_iter()
            .next()
            .ok_or_else(|| ApiError::not_found("no interface"));
    };
    let n = raw.parse::<usize>().map_err(|_| {
        ApiError::bad(format!(
            "ifid={raw:?}: expected an interface id (an integer)"
        ))
        .with_field("ifid")
    })?;
    all.into_iter()
        .find(|(i, _)| *i == n)
        .ok_or_else(|| ApiError::not_found(format!("no interface {n} (see /api/v1/interfaces)")))
}

pub(crate) async fn interfaces(State(st): St, q: Q) -> ApiResult {
    Params::new(q, &[])?;
    let items: Vec<Value> = all_interfaces(&st)
        .iter()
        .map(|(i, c)| interface_value(&st, *i, c))
        .collect();
    let n = items.len();
    ok(page(items, n, 0, n))
}

pub(crate) async fn interface(State(st): St, Path(ifid): Path<String>) -> ApiResult {
    let (i, cell) = interface_cell(&st, Some(&ifid))?;
    ok(interface_value(&st, i, &cell))
}

pub(crate) async fn throughput(State(st): St, Path(ifid): Path<String>, q: Q) -> ApiResult {
    let (_, cell) = interface_cell(&st, Some(&ifid))?;
    let p = Params::new(q, &["since"])?;
    let since = p.parse::<f64>("since", "seconds since the epoch")?;
    let items: Vec<Value> = cell.samples(since).iter().map(|s| json!(s)).collect();
    let n = items.len();
    ok(page(items, n, 0, n))
}

pub(crate) async fn interface_l7(State(st): St, Path(ifid): Path<String>, q: Q) -> ApiResult {
    let (_, cell) = interface_cell(&st, Some(&ifid))?;
    let p = Params::new(q, &["offset", "limit"])?;
    let (offset, limit) = p.paging()?;
    let all = filter::iface_l7(&cell.get().interface);
    ok(paged(all, offset, limit, |v| v))
}

/// The local networks of an interface with their counters.
pub(crate) async fn networks(State(st): St, q: Q) -> ApiResult {
    let p = Params::new(q, &["ifid", "offset", "limit"])?;
    let (offset, limit) = p.paging()?;
    let (ifid, cell) = interface_cell(&st, p.str("ifid"))?;
    let snap = cell.get();
    let mut v = paged(snap.networks.clone(), offset, limit, Value::Object);
    v["ifid"] = json!(ifid);
    ok(v)
}

/// `GET /api/v1/syslog/producers`: messages per producer (syslog tag), with and
/// without a script handling them.
pub(crate) async fn syslog_producers(State(st): St, q: Q) -> ApiResult {
    let p = Params::new(q, &["offset", "limit"])?;
    let (offset, limit) = p.paging()?;
    let stats = st.snapshots.syslog();
    let rows: Vec<Value> = stats
        .as_ref()
        .map(|s| {
            s.producers
                .iter()
                .map(|(name, n)| {
                    let unhandled = s.unhandled.get(name).copied().unwrap_or(0);
                    json!({
                        "producer": name,
                        "messages": n,
                        "handled": n.saturating_sub(unhandled),
                        "unhandled": unhandled,
                        "script": unhandled < *n,
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let mut v = paged(rows, offset, limit, |v| v);
    v["listening"] = json!(!st.run.cfg.sources.syslog.is_empty());
    if let Some(s) = &stats {
        v["messages"] = json!(s.received);
        v["handler_errors"] = json!(s.handler_errors);
    }
    ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interface_names() {
        assert_eq!(short_name("/tmp/x/sample.pcap"), "sample.pcap");
        assert_eq!(
            short_name("a/one.pcap, b/two.pcap, c/three.pcap"),
            "one.pcap (+2 files)"
        );
        assert_eq!(short_name("interface eth0"), "eth0");
        assert_eq!(short_name(""), "");
    }
}
