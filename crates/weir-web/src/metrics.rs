//! `GET /metrics`: Prometheus text exposition (format 0.0.4) of the interface
//! counters, flows, hosts, networks, alerts by severity, user script calls and
//! errors, source drops and queue depths. Authenticated like the API: Prometheus scrapes with
//! `Authorization: Bearer <token>` (or Basic).

use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::Value;
use weir_alerts::{AlertQuery, AlertStore, AlertTable, CountBy};
use weir_ts::prometheus::{CONTENT_TYPE, Exposition, MetricType};

use weir_pipeline::snapshot::{Snapshot, SourceCounters};

use crate::auth;
use crate::error::ApiError;
use crate::interfaces::{all_interfaces, short_name};
use crate::state::AppState;

/// The `/metrics` route, behind the same authentication as the API (answering 401, not
/// a redirect to the login page, without credentials).
pub(crate) fn routes(state: Arc<AppState>) -> Router<Arc<AppState>> {
    Router::new()
        .route("/metrics", get(metrics))
        .route_layer(axum::middleware::from_fn_with_state(
            state,
            auth::require_auth,
        ))
        .route_layer(axum::middleware::from_fn(unauthorized_as_401))
}

/// The authentication layer sends browsers to the login form; a scraper gets 401.
async fn unauthorized_as_401(req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let to_login = resp.status().is_redirection()
        && resp
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|l| l.starts_with("/login"));
    if !to_login {
        return resp;
    }
    let mut r = ApiError::new(StatusCode::UNAUTHORIZED, "authentication required").into_response();
    r.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        header::HeaderValue::from_static("Bearer realm=\"weir\""),
    );
    r
}

/// A gauge read from an interface's snapshot.
type SnapshotValue = fn(&Snapshot) -> f64;
/// A metric read from an interface's source counters.
type SourceValue = fn(&SourceCounters) -> f64;

fn u(v: &Value, k: &str) -> f64 {
    v.get(k).and_then(Value::as_f64).unwrap_or(0.0)
}

/// One family with one sample per (labels, value).
fn family(
    e: &mut Exposition,
    name: &str,
    help: &str,
    kind: MetricType,
    rows: &[(Vec<(&str, String)>, f64)],
) {
    if rows.is_empty() {
        return;
    }
    e.family(name, help, kind);
    for (labels, v) in rows {
        let l: Vec<(&str, &str)> = labels.iter().map(|(k, v)| (*k, v.as_str())).collect();
        e.sample(name, &l, *v);
    }
}

async fn metrics(State(st): State<Arc<AppState>>) -> Response {
    let mut e = Exposition::new();
    let ifaces = all_interfaces(&st);
    let snaps: Vec<_> = ifaces
        .iter()
        .map(|(i, c)| {
            let name = match c.name() {
                n if n.is_empty() => st.iface_name.clone(),
                n => short_name(&n),
            };
            (i.to_string(), name, c.get(), c.source_counters())
        })
        .collect();
    let labels =
        |ifid: &str, name: &str| vec![("ifid", ifid.to_string()), ("name", name.to_string())];
    let counters: [(&str, &str, &str, MetricType); 11] = [
        (
            "weir_interface_packets_total",
            "packets",
            "Packets seen on the interface",
            MetricType::Counter,
        ),
        (
            "weir_interface_bytes_total",
            "bytes",
            "Bytes seen on the interface",
            MetricType::Counter,
        ),
        (
            "weir_interface_throughput_bps",
            "throughput_bps",
            "Current throughput, bits per second",
            MetricType::Gauge,
        ),
        (
            "weir_interface_throughput_pps",
            "throughput_pps",
            "Current throughput, packets per second",
            MetricType::Gauge,
        ),
        (
            "weir_flows_created_total",
            "flows_created",
            "Flows created",
            MetricType::Counter,
        ),
        (
            "weir_flows_ended_total",
            "flows_ended",
            "Flows ended",
            MetricType::Counter,
        ),
        (
            "weir_flows_evicted_total",
            "flows_evicted",
            "Flows evicted because the table was full",
            MetricType::Counter,
        ),
        (
            "weir_hosts_created_total",
            "hosts_created",
            "Hosts created",
            MetricType::Counter,
        ),
        (
            "weir_interface_non_ip_packets_total",
            "non_ip",
            "Packets that were not IP",
            MetricType::Counter,
        ),
        (
            "weir_interface_decode_errors_total",
            "decode_errors",
            "Packets that did not decode",
            MetricType::Counter,
        ),
        (
            "weir_interface_fragments_total",
            "fragments",
            "IP fragments",
            MetricType::Counter,
        ),
    ];
    for (name, key, help, kind) in counters {
        let rows: Vec<_> = snaps
            .iter()
            .map(|(i, n, s, _)| (labels(i, n), u(&s.interface, key)))
            .collect();
        family(&mut e, name, help, kind, &rows);
    }
    let gauges: [(&str, &str, SnapshotValue); 3] = [
        ("weir_flows_active", "Active flows", |s| {
            s.flows_total as f64
        }),
        ("weir_hosts_active", "Active hosts", |s| {
            s.hosts_total as f64
        }),
        (
            "weir_capture_finished",
            "1 once the capture replay has ended",
            |s| f64::from(u8::from(s.finished)),
        ),
    ];
    for (name, help, f) in gauges {
        let rows: Vec<_> = snaps
            .iter()
            .map(|(i, n, s, _)| (labels(i, n), f(s)))
            .collect();
        family(&mut e, name, help, MetricType::Gauge, &rows);
    }
    let mut l7 = Vec::new();
    let mut nets = Vec::new();
    for (i, n, s, _) in &snaps {
        if let Some(m) = s.interface.get("ndpi").and_then(Value::as_object) {
            for (proto, c) in m {
                let mut l = labels(i, n);
                l.push(("proto", proto.clone()));
                l7.push((l, u(c, "bytes")));
            }
        }
        for net in &s.networks {
            let key = net
                .get("network_key")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            for dir in ["ingress", "egress", "inner"] {
                let mut l = labels(i, n);
                l.push(("network", key.clone()));
                l.push(("direction", dir.to_string()));
                nets.push((l, net.get(dir).and_then(Value::as_f64).unwrap_or(0.0)));
            }
        }
    }
    family(
        &mut e,
        "weir_interface_l7_bytes_total",
        "Bytes per application protocol",
        MetricType::Counter,
        &l7,
    );
    family(
        &mut e,
        "weir_network_bytes_total",
        "Bytes of a local network by direction",
        MetricType::Counter,
        &nets,
    );
    let src: [(&str, &str, MetricType, SourceValue); 6] = [
        (
            "weir_source_frames_total",
            "Frames read by the source",
            MetricType::Counter,
            |c| c.frames as f64,
        ),
        (
            "weir_source_queue_drops_total",
            "Frames dropped because the engine queue was full",
            MetricType::Counter,
            |c| c.queue_drops as f64,
        ),
        (
            "weir_source_kernel_drops_total",
            "Frames the kernel dropped while capturing",
            MetricType::Counter,
            |c| c.kernel_drops as f64,
        ),
        (
            "weir_source_problems_total",
            "Problems reported by the source (damaged records, errors)",
            MetricType::Counter,
            |c| c.problems as f64,
        ),
        (
            "weir_engine_queue_depth",
            "Batches waiting for the engine thread",
            MetricType::Gauge,
            |c| c.queue_depth as f64,
        ),
        (
            "weir_engine_queue_capacity",
            "Capacity of the engine queue, in batches",
            MetricType::Gauge,
            |c| c.queue_capacity as f64,
        ),
    ];
    for (name, help, kind, f) in src {
        let rows: Vec<_> = snaps
            .iter()
            .filter_map(|(i, n, _, c)| c.as_ref().map(|c| (labels(i, n), f(c))))
            .collect();
        family(&mut e, name, help, kind, &rows);
    }
    // A live interface sharded over workers with kernel fan-out: each worker's socket.
    let (mut wframes, mut wkernel, mut wqueue) = (Vec::new(), Vec::new(), Vec::new());
    for ((_, c), (i, n, _, _)) in ifaces.iter().zip(&snaps) {
        for w in c.worker_capture() {
            let mut l = labels(i, n);
            l.push(("worker", w.worker.to_string()));
            wframes.push((l.clone(), w.frames as f64));
            wkernel.push((l.clone(), w.kernel_drops as f64));
            wqueue.push((l, w.queue_drops as f64));
        }
    }
    for (name, help, rows) in [
        (
            "weir_worker_frames_total",
            "Frames read by a worker's capture socket (kernel fan-out)",
            wframes,
        ),
        (
            "weir_worker_kernel_drops_total",
            "Frames the kernel dropped on a worker's capture socket",
            wkernel,
        ),
        (
            "weir_worker_queue_drops_total",
            "Frames dropped because a worker's queue was full",
            wqueue,
        ),
    ] {
        if !rows.is_empty() {
            family(&mut e, name, help, MetricType::Counter, &rows);
        }
    }
    let mut calls = Vec::new();
    let mut errors = Vec::new();
    let mut disabled = Vec::new();
    let mut seconds = Vec::new();
    let mut vm_used = Vec::new();
    let mut vm_stopped = Vec::new();
    for ((_, c), (i, n, _, _)) in ifaces.iter().zip(&snaps) {
        for sc in c.scripts() {
            let mut l = labels(i, n);
            l.push(("plugin", sc.plugin.clone()));
            l.push(("script", sc.script.clone()));
            calls.push((l.clone(), sc.calls as f64));
            errors.push((l.clone(), sc.errors as f64));
            seconds.push((l.clone(), sc.time_ns as f64 / 1e9));
            disabled.push((l, f64::from(u8::from(sc.disabled))));
        }
        if let Some(m) = c.script_memory() {
            vm_used.push((labels(i, n), m.used_bytes as f64));
            vm_stopped.push((labels(i, n), m.scripts_stopped as f64));
        }
    }
    family(
        &mut e,
        "weir_script_seconds_total",
        "Wall time spent in the hooks of a user script",
        MetricType::Counter,
        &seconds,
    );
    family(
        &mut e,
        "weir_lua_memory_bytes",
        "Memory used by the interface's Lua VM",
        MetricType::Gauge,
        &vm_used,
    );
    family(
        &mut e,
        "weir_script_memory_stops_total",
        "User scripts stopped for keeping more memory than their budget",
        MetricType::Counter,
        &vm_stopped,
    );
    family(
        &mut e,
        "weir_script_calls_total",
        "Hook calls of a user script",
        MetricType::Counter,
        &calls,
    );
    family(
        &mut e,
        "weir_script_errors_total",
        "Failed hook calls of a user script",
        MetricType::Counter,
        &errors,
    );
    family(
        &mut e,
        "weir_script_disabled",
        "1 when a user script was disabled (too many failures in a row, or over its memory budget)",
        MetricType::Gauge,
        &disabled,
    );
    if let Some(store) = st.alerts.clone() {
        let counts = tokio::task::spawn_blocking(move || {
            let mut rows = Vec::new();
            for (kind, table) in [
                ("engaged", AlertTable::Engaged),
                ("past", AlertTable::Past),
                ("flow", AlertTable::Flow),
            ] {
                match store.counts(&AlertQuery::new(table), CountBy::Severity) {
                    Ok(c) => rows.extend(c.into_iter().map(|r| {
                        (
                            vec![("kind", kind.to_string()), ("severity", r.name.clone())],
                            r.count as f64,
                        )
                    })),
                    Err(err) => tracing::warn!("web: /metrics alert counts: {err}"),
                }
            }
            rows
        })
        .await
        .unwrap_or_default();
        family(
            &mut e,
            "weir_alerts",
            "Stored alerts by table and severity",
            MetricType::Gauge,
            &counts,
        );
    }
    e.gauge(
        "weir_web_uptime_seconds",
        "Seconds since the web server started",
        &[],
        st.started.elapsed().as_secs_f64(),
    );
    let mut r = ([(header::CONTENT_TYPE, CONTENT_TYPE)], e.finish()).into_response();
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    r
}
