//! The REST API, `/api/v1`: JSON in and out, list responses as
//! `{"data": [...], "total", "offset", "limit"}`, errors as `{"error", "status"}`.
//! Every endpoint is in [`routes`] or [`public_routes`] and described in
//! `openapi.json` (a test keeps them equal).

use std::collections::HashSet;
use std::net::IpAddr;
use std::str::FromStr;
use std::sync::Arc;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get};
use axum::{Extension, Json, Router};
use serde_json::{Value, json};
use weir_alerts::{
    AlertKey, AlertQuery, AlertRecord, AlertStore, AlertTable, CountBy, EntityKind, Registry,
    Severity, SortBy,
};

use super::AppState;
use super::auth::Identity;
use super::filter::{self, FlowFilter, HostFilter, L4, StatusFilter};
use super::{admin, scripts, timeseries};
use weir_pipeline::snapshot::SnapshotCell;

/// The OpenAPI document of this API.
pub(crate) const OPENAPI: &str = include_str!("openapi.json");
/// Default page size.
const DEFAULT_LIMIT: usize = 50;
/// Largest page size.
const MAX_LIMIT: usize = 1000;

pub(super) type St = State<Arc<AppState>>;

/// An error response: `{"error": message, "status": code}`.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    message: String,
    /// The request field the error is about (a body or query field), when one is.
    field: Option<String>,
}

impl ApiError {
    pub(crate) fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            message: message.into(),
            field: None,
        }
    }

    /// Names the field the error is about (`"field"` in the JSON answer).
    pub(crate) fn with_field(mut self, field: impl Into<String>) -> ApiError {
        self.field = Some(field.into());
        self
    }

    pub(crate) fn bad(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message)
    }

    pub(super) fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, message)
    }

    pub(super) fn internal(e: impl std::fmt::Display) -> ApiError {
        tracing::warn!("web: {e}");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({"error": self.message, "status": self.status.as_u16()});
        if let Some(f) = self.field {
            body["field"] = json!(f);
        }
        let mut r = (self.status, Json(body)).into_response();
        r.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-store"),
        );
        r
    }
}

pub(super) type ApiResult = Result<Response, ApiError>;

pub(super) fn ok(v: Value) -> ApiResult {
    let mut r = Json(v).into_response();
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    Ok(r)
}

/// Turns the framework's plain-text errors on `/api/` paths (unknown method, body too
/// large, bad path segment...) into JSON errors.
pub(crate) async fn json_errors(req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let resp = next.run(req).await;
    let status = resp.status();
    let is_json = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !api || status.as_u16() < 400 || is_json {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let text = axum::body::to_bytes(body, 4096)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let message = if text.is_empty() {
        status.canonical_reason().unwrap_or("error").to_string()
    } else {
        text
    };
    let mut r = ApiError::new(status, message).into_response();
    for (k, v) in parts.headers.iter() {
        if k == header::ALLOW || k == header::WWW_AUTHENTICATE {
            r.headers_mut().insert(k.clone(), v.clone());
        }
    }
    r
}

/// Query parameters, checked against the names an endpoint accepts.
pub(super) struct Params(Vec<(String, String)>);

/// The query string of a request, as pairs.
pub(super) type Q = Result<Query<Vec<(String, String)>>, QueryRejection>;

impl Params {
    pub(super) fn new(q: Q, allowed: &[&str]) -> Result<Params, ApiError> {
        Params::with_prefix(q, allowed, None)
    }

    /// As [`Params::new`], also accepting any name that starts with `prefix`.
    pub(super) fn with_prefix(
        q: Q,
        allowed: &[&str],
        prefix: Option<&str>,
    ) -> Result<Params, ApiError> {
        let Query(pairs) = q.map_err(|e| ApiError::bad(format!("bad query string: {e}")))?;
        let mut seen = HashSet::new();
        for (k, v) in &pairs {
            let prefixed = prefix.is_some_and(|p| k.len() > p.len() && k.starts_with(p));
            if !allowed.contains(&k.as_str()) && !prefixed {
                return Err(ApiError::bad(format!(
                    "unknown parameter {k:?} (accepted: {})",
                    allowed.join(", ")
                )));
            }
            if !seen.insert(k.as_str()) {
                return Err(ApiError::bad(format!("parameter {k:?} given twice")));
            }
            if v.len() > 256 {
                return Err(ApiError::bad(format!("parameter {k:?} is too long")));
            }
        }
        Ok(Params(pairs))
    }

    /// Every pair whose name starts with `prefix`, the prefix removed.
    pub(super) fn prefixed(&self, prefix: &str) -> Vec<(String, String)> {
        self.0
            .iter()
            .filter_map(|(k, v)| k.strip_prefix(prefix).map(|n| (n.to_string(), v.clone())))
            .collect()
    }

    /// A non-empty value.
    pub(super) fn str(&self, k: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, v)| n == k && !v.is_empty())
            .map(|(_, v)| v.as_str())
    }

    pub(super) fn parse<T: FromStr>(&self, k: &str, what: &str) -> Result<Option<T>, ApiError> {
        match self.str(k) {
            None => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| ApiError::bad(format!("{k}={v:?}: expected {what}")).with_field(k)),
        }
    }

    pub(super) fn bool(&self, k: &str) -> Result<Option<bool>, ApiError> {
        match self.str(k) {
            None => Ok(None),
            Some("true" | "1") => Ok(Some(true)),
            Some("false" | "0") => Ok(Some(false)),
            Some(v) => Err(ApiError::bad(format!("{k}={v:?}: expected true or false"))),
        }
    }

    /// `offset` and `limit` (default 50, at most 1000).
    pub(super) fn paging(&self) -> Result<(usize, usize), ApiError> {
        let offset = self
            .parse::<u32>("offset", "a non-negative integer")?
            .unwrap_or(0) as usize;
        let limit = self
            .parse::<usize>("limit", "an integer from 1 to 1000")?
            .unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::bad(format!(
                "limit={limit}: expected an integer from 1 to {MAX_LIMIT}"
            )));
        }
        Ok((offset, limit))
    }

    /// `sort` (one of `keys`, default `default`) and `order` (`asc`/`desc`, default desc).
    fn sort(&self, keys: &[&str], default: &'static str) -> Result<(String, bool), ApiError> {
        let sort = self.str("sort").unwrap_or(default);
        if !keys.contains(&sort) {
            return Err(ApiError::bad(format!(
                "sort={sort:?}: expected one of {}",
                keys.join(", ")
            )));
        }
        let desc = match self.str("order").unwrap_or("desc") {
            "desc" => true,
            "asc" => false,
            o => return Err(ApiError::bad(format!("order={o:?}: expected asc or desc"))),
        };
        Ok((sort.to_string(), desc))
    }
}

/// A JSON body; malformed or mistyped bodies are 400s (415 without a JSON type, 413
/// when too large).
pub(super) struct Body<T>(T);

impl<T> Body<T> {
    pub(super) fn from(b: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
        match b {
            Ok(Json(v)) => Ok(v),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "expected Content-Type: application/json",
            )),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                Err(ApiError::new(e.status(), e.body_text()))
            }
            Err(e) => Err(ApiError::bad(e.body_text())),
        }
    }
}

pub(super) fn page(items: Vec<Value>, total: usize, offset: usize, limit: usize) -> Value {
    json!({"data": items, "total": total, "offset": offset, "limit": limit})
}

/// One page of `rows` (every match, in order), each turned into JSON by `to_value`.
pub(super) fn paged<T>(
    rows: Vec<T>,
    offset: usize,
    limit: usize,
    to_value: impl FnMut(T) -> Value,
) -> Value {
    let total = rows.len();
    page(
        rows.into_iter()
            .skip(offset)
            .take(limit)
            .map(to_value)
            .collect(),
        total,
        offset,
        limit,
    )
}

/// Routes anyone may call.
pub(crate) fn public_routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/api/v1/health", get(health))
        .route("/api/v1/openapi.json", get(openapi))
}

/// The authenticated API: (method, path, handler). [`super::router`] mounts them; the
/// OpenAPI test compares them with `openapi.json`.
pub(crate) fn routes() -> Vec<(&'static str, &'static str, MethodRouter<Arc<AppState>>)> {
    use axum::routing::{delete, post, put};
    vec![
        ("get", "/api/v1/me", get(me)),
        ("get", "/api/v1/interfaces", get(interfaces)),
        ("get", "/api/v1/interfaces/{ifid}", get(interface)),
        (
            "get",
            "/api/v1/interfaces/{ifid}/throughput",
            get(throughput),
        ),
        ("get", "/api/v1/interfaces/{ifid}/l7", get(interface_l7)),
        ("get", "/api/v1/flows", get(flows)),
        ("get", "/api/v1/hosts", get(hosts)),
        ("get", "/api/v1/hosts/{ip}", get(host)),
        ("get", "/api/v1/hosts/{ip}/l7", get(host_l7)),
        ("get", "/api/v1/hosts/{ip}/peers", get(host_peers)),
        ("get", "/api/v1/alerts", get(alerts)),
        ("get", "/api/v1/alerts/counts", get(alert_counts)),
        ("get", "/api/v1/networks", get(networks)),
        ("get", "/api/v1/scripts", get(scripts::list)),
        ("get", "/api/v1/scripts/{subdir}/{key}", get(scripts::show)),
        (
            "post",
            "/api/v1/scripts/{subdir}/{key}/enable",
            post(scripts::enable),
        ),
        (
            "post",
            "/api/v1/scripts/{subdir}/{key}/disable",
            post(scripts::disable),
        ),
        (
            "put",
            "/api/v1/scripts/{subdir}/{key}/config",
            put(scripts::configure),
        ),
        (
            "post",
            "/api/v1/scripts/{subdir}/{key}/config",
            post(scripts::configure),
        ),
        ("get", "/api/v1/plugins", get(scripts::plugins)),
        ("post", "/api/v1/plugins/reload", post(scripts::reload)),
        (
            "get",
            "/api/v1/timeseries/schemas",
            get(timeseries::schemas),
        ),
        ("get", "/api/v1/timeseries/query", get(timeseries::query)),
        ("get", "/api/v1/timeseries/top", get(timeseries::top)),
        ("get", "/api/v1/syslog/producers", get(syslog_producers)),
        ("get", "/api/v1/users", get(admin::users)),
        ("post", "/api/v1/users", post(admin::add_user)),
        ("delete", "/api/v1/users/{name}", delete(admin::remove_user)),
        ("get", "/api/v1/tokens", get(admin::tokens)),
        ("post", "/api/v1/tokens", post(admin::add_token)),
        ("delete", "/api/v1/tokens/{id}", delete(admin::remove_token)),
    ]
}

async fn health(State(st): St) -> ApiResult {
    let snap = st.snapshots.get();
    ok(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "uptime_secs": st.started.elapsed().as_secs(),
        "capture_finished": snap.finished,
        "clock_us": snap.clock_us,
        "alert_store": if st.alerts.is_some() { "ok" } else { "unavailable" },
    }))
}

async fn openapi() -> Response {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI).into_response()
}

async fn me(Extension(id): Extension<Identity>) -> ApiResult {
    ok(json!({"user": id.user, "role": id.role.name(), "csrf_token": id.csrf()}))
}

/// A short name for an interface's source: the capture file name(s) or the live
/// interface.
pub(super) fn short_name(source: &str) -> String {
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
pub(super) fn all_interfaces(st: &AppState) -> Vec<(usize, Arc<SnapshotCell>)> {
    let list = st.snapshots.interfaces();
    if list.is_empty() {
        vec![(0, st.snapshots.clone())]
    } else {
        list
    }
}

/// The interface an `ifid` (path segment or parameter) names; `None`: the first.
pub(super) fn interface_cell(
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

async fn interfaces(State(st): St, q: Q) -> ApiResult {
    Params::new(q, &[])?;
    let items: Vec<Value> = all_interfaces(&st)
        .iter()
        .map(|(i, c)| interface_value(&st, *i, c))
        .collect();
    let n = items.len();
    ok(page(items, n, 0, n))
}

async fn interface(State(st): St, Path(ifid): Path<String>) -> ApiResult {
    let (i, cell) = interface_cell(&st, Some(&ifid))?;
    ok(interface_value(&st, i, &cell))
}

async fn throughput(State(st): St, Path(ifid): Path<String>, q: Q) -> ApiResult {
    let (_, cell) = interface_cell(&st, Some(&ifid))?;
    let p = Params::new(q, &["since"])?;
    let since = p.parse::<f64>("since", "seconds since the epoch")?;
    let items: Vec<Value> = cell.samples(since).iter().map(|s| json!(s)).collect();
    let n = items.len();
    ok(page(items, n, 0, n))
}

async fn interface_l7(State(st): St, Path(ifid): Path<String>, q: Q) -> ApiResult {
    let (_, cell) = interface_cell(&st, Some(&ifid))?;
    let p = Params::new(q, &["offset", "limit"])?;
    let (offset, limit) = p.paging()?;
    let all = filter::iface_l7(&cell.get().interface);
    ok(paged(all, offset, limit, |v| v))
}

/// The local networks of an interface with their counters.
async fn networks(State(st): St, q: Q) -> ApiResult {
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
async fn syslog_producers(State(st): St, q: Q) -> ApiResult {
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

async fn flows(State(st): St, q: Q) -> ApiResult {
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

/// A protocol name: 1 to 64 of `A-Z a-z 0-9 . _ - +`.
pub(super) fn valid_token(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'+'))
}

async fn hosts(State(st): St, q: Q) -> ApiResult {
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

async fn host(
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

async fn host_l7(
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

async fn host_peers(
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

const ALERT_FILTERS: &[&str] = &[
    "kind",
    "since",
    "until",
    "severity",
    "type",
    "entity",
    "entity_value",
    "ip",
    "vlan",
    "l7",
    "text",
];

/// The alert query of the request (the CLI's filters, `weir alerts --help`).
fn alert_query(p: &Params) -> Result<AlertQuery, ApiError> {
    let table = match p.str("kind") {
        Some("engaged") => AlertTable::Engaged,
        Some("past") => AlertTable::Past,
        Some("flow") => AlertTable::Flow,
        Some(k) => {
            return Err(ApiError::bad(format!(
                "kind={k:?}: expected engaged, past or flow"
            )));
        }
        None => return Err(ApiError::bad("kind is required: engaged, past or flow")),
    };
    let mut q = AlertQuery::new(table);
    q.from = p.parse("since", "seconds since the epoch")?;
    q.to = p.parse("until", "seconds since the epoch")?;
    q.min_severity = match p.str("severity") {
        Some(s) => Some(Severity::from_name(s).ok_or_else(|| {
            ApiError::bad(format!(
                "severity={s:?}: expected debug, info, notice, warning, error, critical, alert or emergency"
            ))
        })?),
        None => None,
    };
    q.alert_type = match p.str("type") {
        Some(t) => Some(match t.parse::<u32>() {
            Ok(n) => AlertKey(n),
            Err(_) => Registry::with_builtins()
                .alert_by_name(t)
                .map(|a| a.key)
                .ok_or_else(|| {
                    ApiError::bad(format!(
                        "type={t:?}: unknown alert type (give the numeric key of plugin-defined types)"
                    ))
                })?,
        }),
        None => None,
    };
    q.entity = match p.str("entity") {
        Some(e) => Some(
            EntityKind::from_name(e)
                .ok_or_else(|| ApiError::bad(format!("entity={e:?}: unknown entity kind")))?,
        ),
        None => None,
    };
    q.entity_value = p.str("entity_value").map(str::to_string);
    q.ip = match p.str("ip") {
        Some(ip) => Some(
            ip.parse::<IpAddr>()
                .map_err(|_| ApiError::bad(format!("ip={ip:?}: expected an IP address")))?
                .to_string(),
        ),
        None => None,
    };
    q.vlan = p.parse("vlan", "a VLAN id")?;
    q.l7_proto = match p.str("l7") {
        Some(v) if !valid_token(v) => {
            return Err(ApiError::bad(format!("l7={v:?}: expected a protocol name")));
        }
        v => v.map(str::to_string),
    };
    q.text = p.str("text").map(str::to_string);
    Ok(q)
}

fn store(st: &AppState) -> Result<weir_alerts::SqliteStore, ApiError> {
    st.alerts.clone().ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "the alert store could not be opened",
        )
    })
}

fn alert_value(r: &AlertRecord) -> Value {
    let (sev, entity) = match r {
        AlertRecord::Flow(f) => (f.alert_severity, f.entity.kind),
        AlertRecord::Alert(a) => (a.alert_severity, a.entity.kind),
    };
    let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut v {
        m.insert("alert_severity_name".into(), json!(sev.name()));
        m.insert("alert_entity_name".into(), json!(entity.name()));
    }
    v
}

async fn alerts(
    State(st): St,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> ApiResult {
    let allowed: Vec<&str> = ALERT_FILTERS
        .iter()
        .copied()
        .chain(["sort", "order", "offset", "limit"])
        .collect();
    let p = Params::new(q, &allowed)?;
    let mut aq = alert_query(&p)?;
    let (sort, desc) = p.sort(&["time", "severity", "score", "type"], "time")?;
    aq.sort = match sort.as_str() {
        "severity" => SortBy::Severity,
        "score" => SortBy::Score,
        "type" => SortBy::Type,
        _ => SortBy::Time,
    };
    aq.descending = desc;
    let (offset, limit) = p.paging()?;
    aq.offset = offset as u32;
    aq.limit = Some(limit as u32);
    let store = store(&st)?;
    let out = tokio::task::spawn_blocking(move || -> weir_alerts::Result<Value> {
        let records = store.query(&aq)?;
        // Every alert has one severity: the severity counts sum to the total.
        let total: u64 = store
            .counts(&aq, CountBy::Severity)?
            .iter()
            .map(|r| r.count)
            .sum();
        let items = records.iter().map(alert_value).collect();
        Ok(page(items, total as usize, offset, limit))
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)?;
    ok(out)
}

async fn alert_counts(
    State(st): St,
    q: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> ApiResult {
    let allowed: Vec<&str> = ALERT_FILTERS.iter().copied().chain(["by"]).collect();
    let p = Params::new(q, &allowed)?;
    let aq = alert_query(&p)?;
    let by = match p.str("by").unwrap_or("severity") {
        "severity" => CountBy::Severity,
        "type" => CountBy::Type,
        "entity" => CountBy::Entity,
        b => {
            return Err(ApiError::bad(format!(
                "by={b:?}: expected severity, type or entity"
            )));
        }
    };
    let store = store(&st)?;
    let rows = tokio::task::spawn_blocking(move || store.counts(&aq, by))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let total: u64 = rows.iter().map(|r| r.count).sum();
    let items: Vec<Value> = rows.iter().map(|r| json!(r)).collect();
    let n = items.len();
    let mut v = page(items, n, 0, n);
    v["alerts"] = json!(total);
    ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `openapi.json` describes exactly the routes the server has.
    #[test]
    fn openapi_matches_routes() {
        let doc: Value = serde_json::from_str(OPENAPI).expect("openapi.json is JSON");
        assert_eq!(doc["openapi"].as_str().map(|v| &v[..2]), Some("3."));
        let mut documented: Vec<(String, String)> = doc["paths"]
            .as_object()
            .unwrap()
            .iter()
            .flat_map(|(path, ops)| {
                ops.as_object()
                    .unwrap()
                    .keys()
                    .filter(|m| ["get", "post", "put", "patch", "delete"].contains(&m.as_str()))
                    .map(move |m| (m.clone(), path.clone()))
            })
            .collect();
        let mut served: Vec<(String, String)> = routes()
            .into_iter()
            .map(|(m, p, _)| (m.to_string(), p.to_string()))
            .chain([
                ("get".to_string(), "/api/v1/health".to_string()),
                ("get".to_string(), "/api/v1/openapi.json".to_string()),
                ("get".to_string(), "/metrics".to_string()),
            ])
            .collect();
        documented.sort();
        served.sort();
        assert_eq!(documented, served);
        // Every path parameter is declared.
        for (path, ops) in doc["paths"].as_object().unwrap() {
            for (_, op) in ops.as_object().unwrap() {
                for seg in path.split('/').filter(|s| s.starts_with('{')) {
                    let name = seg.trim_matches(|c| c == '{' || c == '}');
                    let declared = op["parameters"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|p| p["name"] == name && p["in"] == "path");
                    assert!(declared, "{path}: parameter {name} not declared");
                }
            }
        }
    }

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

    #[test]
    fn prefixed_params() {
        let q = |s: &str| {
            Query::<Vec<(String, String)>>::try_from_uri(&format!("/x?{s}").parse().unwrap())
        };
        let p = Params::with_prefix(
            q("schema=a:b&tag.ifid=0&tag.host=1.2.3.4"),
            &["schema"],
            Some("tag."),
        )
        .unwrap();
        assert_eq!(
            p.prefixed("tag."),
            [
                ("ifid".to_string(), "0".to_string()),
                ("host".into(), "1.2.3.4".into())
            ]
        );
        // The prefix alone is not a name; other names are refused.
        assert!(Params::with_prefix(q("tag.=1"), &["schema"], Some("tag.")).is_err());
        assert!(Params::with_prefix(q("tags.x=1"), &["schema"], Some("tag.")).is_err());
        assert!(Params::with_prefix(q("tag.x=1&tag.x=2"), &["schema"], Some("tag.")).is_err());
    }

    #[test]
    fn errors_name_their_field() {
        let r = ApiError::bad("threshold: too big")
            .with_field("conf.threshold")
            .into_response();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let body = rt
            .block_on(axum::body::to_bytes(r.into_body(), 4096))
            .unwrap();
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(
            v,
            json!({"error": "threshold: too big", "status": 400, "field": "conf.threshold"})
        );
    }

    #[test]
    fn params_are_strict() {
        let q = |s: &str| {
            Query::<Vec<(String, String)>>::try_from_uri(&format!("/x?{s}").parse().unwrap())
        };
        assert!(Params::new(q("limit=5"), &["limit"]).is_ok());
        assert!(Params::new(q("nope=5"), &["limit"]).is_err());
        assert!(Params::new(q("limit=5&limit=6"), &["limit"]).is_err());
        let p = Params::new(q("limit=0"), &["limit", "offset"]).unwrap();
        assert!(p.paging().is_err());
        let p = Params::new(q("limit=&offset=3"), &["limit", "offset"]).unwrap();
        assert_eq!(p.paging().unwrap(), (3, DEFAULT_LIMIT));
        let p = Params::new(q("sort=bytes&order=up"), &["sort", "order"]).unwrap();
        assert!(p.sort(filter::FLOW_SORT_KEYS, "bytes").is_err());
    }
}
