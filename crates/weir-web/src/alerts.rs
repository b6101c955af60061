//! Alerts from the alert store: `/api/v1/alerts`, `/api/v1/alerts/counts`, with the
//! filters of `weir alerts`; one alert (`/api/v1/alerts/{kind}/{id}`), acknowledged
//! (`…/ack`, `…/unack`) or deleted (`DELETE`) by administrators.

use std::net::IpAddr;

use axum::Extension;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde_json::{Value, json};
use weir_alerts::{
    AlertKey, AlertQuery, AlertRecord, AlertStore, AlertTable, CountBy, EntityKind, Registry,
    Severity, SortBy,
};

use crate::auth::Identity;
use crate::error::{ApiError, ApiResult};
use crate::rest::{Params, St, ok, page, valid_token};
use crate::state::AppState;

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
    "acknowledged",
];

/// The alert query of the request (the CLI's filters, `weir alerts --help`).
fn alert_query(p: &Params) -> Result<AlertQuery, ApiError> {
    let table = match p.str("kind") {
        Some(k) => table_of(k)?,
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
    match p.str("type").map(str::trim) {
        Some("") => {}
        Some(t) => match t.parse::<u32>() {
            Ok(n) => q.alert_type = Some(AlertKey(n)),
            // A type name as stored (plugin-defined types too); `flows_flood` is
            // `alert_flows_flood`.
            Err(_) => {
                if !valid_token(t) {
                    return Err(ApiError::bad(format!(
                        "type={t:?}: expected a type name (alert_flows_flood) or numeric key"
                    )));
                }
                q.alert_name = Some(
                    if t.starts_with("alert_")
                        || Registry::with_builtins().alert_by_name(t).is_some()
                    {
                        t.to_owned()
                    } else {
                        format!("alert_{t}")
                    },
                );
            }
        },
        None => {}
    }
    q.acknowledged = p.bool("acknowledged")?;
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

fn table_of(kind: &str) -> Result<AlertTable, ApiError> {
    match kind {
        "engaged" => Ok(AlertTable::Engaged),
        "past" => Ok(AlertTable::Past),
        "flow" => Ok(AlertTable::Flow),
        k => Err(ApiError::bad(format!(
            "kind={k:?}: expected engaged, past or flow"
        ))),
    }
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

pub(crate) async fn alerts(
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
        let total = store.total(&aq)?;
        let items = records.iter().map(alert_value).collect();
        Ok(page(items, total as usize, offset, limit))
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(ApiError::internal)?;
    ok(out)
}

pub(crate) async fn alert_counts(
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

/// The query of one alert: `{kind}` and `{id}` of the path.
fn one(kind: &str, id: &str) -> Result<AlertQuery, ApiError> {
    let mut q = AlertQuery::new(table_of(kind)?);
    q.rowid = Some(
        id.parse::<i64>()
            .map_err(|_| ApiError::bad(format!("id={id:?}: expected an alert id")))?,
    );
    Ok(q)
}

/// `GET /api/v1/alerts/{kind}/{id}`: one alert with every field.
pub(crate) async fn alert(State(st): St, Path((kind, id)): Path<(String, String)>) -> ApiResult {
    let q = one(&kind, &id)?;
    let store = store(&st)?;
    let rec = tokio::task::spawn_blocking(move || store.query(&q))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    match rec.first() {
        Some(r) => ok(alert_value(r)),
        None => Err(ApiError::not_found(format!("no {kind} alert {id}"))),
    }
}

async fn change(
    st: &AppState,
    id: &Identity,
    kind: &str,
    rowid: &str,
    what: &'static str,
) -> ApiResult {
    id.require_admin()?;
    let q = one(kind, rowid)?;
    let store = store(st)?;
    let (k, r) = (kind.to_owned(), rowid.to_owned());
    let n = tokio::task::spawn_blocking(move || -> weir_alerts::Result<Option<u64>> {
        if store.total(&q)? == 0 {
            return Ok(None);
        }
        match what {
            "ack" => store.acknowledge(&q, true).map(Some),
            "unack" => store.acknowledge(&q, false).map(Some),
            _ => store.delete(&q).map(Some),
        }
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(|e| match e {
        weir_alerts::Error::Config(m) => ApiError::new(StatusCode::CONFLICT, m),
        e => ApiError::internal(e),
    })?;
    match n {
        None => Err(ApiError::not_found(format!("no {k} alert {r}"))),
        Some(_) => {
            tracing::info!("web: {k} alert {r} {what} by {:?}", id.user);
            Ok(StatusCode::NO_CONTENT.into_response())
        }
    }
}

/// `POST /api/v1/alerts/{kind}/{id}/ack` (administrators).
pub(crate) async fn ack(
    State(st): St,
    Extension(id): Extension<Identity>,
    Path((kind, rowid)): Path<(String, String)>,
) -> ApiResult {
    change(&st, &id, &kind, &rowid, "ack").await
}

/// `POST /api/v1/alerts/{kind}/{id}/unack` (administrators).
pub(crate) async fn unack(
    State(st): St,
    Extension(id): Extension<Identity>,
    Path((kind, rowid)): Path<(String, String)>,
) -> ApiResult {
    change(&st, &id, &kind, &rowid, "unack").await
}

/// `DELETE /api/v1/alerts/{kind}/{id}` (administrators; past and flow alerts).
pub(crate) async fn remove(
    State(st): St,
    Extension(id): Extension<Identity>,
    Path((kind, rowid)): Path<(String, String)>,
) -> ApiResult {
    change(&st, &id, &kind, &rowid, "delete").await
}
