//! Timeseries for charts: `/api/v1/timeseries/schemas`, `.../query`, `.../top`, read
//! from the run's embedded store (`timeseries.db` in the data directory).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use serde_json::{Value, json};
use weir_ts::{Agg, Query, TopKQuery, TsQuery};

use crate::error::{ApiError, ApiResult};
use crate::rest::{Params, Q, St, ok, page, paged};
use crate::state::AppState;

/// Most points one query may return (series × buckets).
const MAX_POINTS: usize = 200_000;
/// Longest range of one query, seconds (a year).
const MAX_RANGE: u64 = 366 * 86_400;

fn store_error(e: weir_ts::Error) -> ApiError {
    match e {
        weir_ts::Error::UnknownSchema(s) => ApiError::not_found(format!(
            "no timeseries schema {s:?} (see /api/v1/timeseries/schemas)"
        ))
        .with_field("schema"),
        weir_ts::Error::InvalidQuery(m) => ApiError::bad(m),
        e => ApiError::internal(e),
    }
}

fn store(st: &AppState) -> Result<Arc<dyn TsQuery + Send + Sync>, ApiError> {
    st.run.ts_query().map(|(q, _)| q).ok_or_else(|| {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "no timeseries store: timeseries are off, or nothing has been written yet",
        )
    })
}

/// `GET /api/v1/timeseries/schemas`: the schemas the store holds.
pub(super) async fn schemas(State(st): St, q: Q) -> ApiResult {
    let p = Params::new(q, &["offset", "limit"])?;
    let (offset, limit) = p.paging()?;
    let embedded = st.run.ts_backend().is_none_or(|b| b == "embedded");
    let Some(store) = st.run.timeseries().filter(|_| embedded) else {
        // InfluxDB (or no store yet): the schemas the plugins define, without counts.
        let backend = st.run.ts_backend();
        let cfg = st.run.cfg.clone();
        let list = match backend {
            Some(_) => {
                tokio::task::spawn_blocking(move || weir_pipeline::timeseries::plugin_schemas(&cfg))
                    .await
                    .map_err(ApiError::internal)?
                    .map_err(ApiError::internal)?
                    .iter()
                    .map(|s| ((**s).clone(), None))
                    .collect()
            }
            None => Vec::new(),
        };
        let mut v = paged(list, offset, limit, schema_json);
        v["store"] = json!(backend.unwrap_or("none"));
        return ok(v);
    };
    let list = tokio::task::spawn_blocking(move || store.schemas())
        .await
        .map_err(ApiError::internal)?
        .map_err(store_error)?;
    let list: Vec<(weir_ts::Schema, Option<u64>)> =
        list.into_iter().map(|(s, n)| (s, Some(n))).collect();
    let mut v = paged(list, offset, limit, schema_json);
    v["store"] = json!("embedded");
    ok(v)
}

/// Tag pairs as a JSON object.
fn tag_map(tags: &[(String, String)]) -> Value {
    Value::Object(tags.iter().map(|(k, v)| (k.clone(), json!(v))).collect())
}

fn schema_json((s, n): (weir_ts::Schema, Option<u64>)) -> Value {
    json!({
        "name": s.name,
        "step": s.step_secs,
        "tags": s.tags,
        "metrics": s.metrics,
        "aggregation": s.aggregation,
        "archives": s.archives,
        "origin": s.origin,
        "series": n,
    })
}

fn schema_name(p: &Params) -> Result<String, ApiError> {
    let s = p.str("schema").ok_or_else(|| {
        ApiError::bad("schema is required (e.g. iface:traffic)").with_field("schema")
    })?;
    let valid = s.len() <= 128
        && s.contains(':')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'));
    if !valid {
        return Err(
            ApiError::bad(format!("schema={s:?}: expected family:metric")).with_field("schema"),
        );
    }
    Ok(s.to_string())
}

/// `tag.KEY=VALUE` filters.
fn tags(p: &Params) -> Result<Vec<(String, String)>, ApiError> {
    let tags = p.prefixed("tag.");
    for (k, v) in &tags {
        let ok_name = !k.is_empty()
            && k.len() <= 64
            && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !ok_name {
            return Err(
                ApiError::bad(format!("tag.{k}: not a tag name")).with_field(format!("tag.{k}"))
            );
        }
        if v.is_empty() {
            return Err(
                ApiError::bad(format!("tag.{k}: empty value")).with_field(format!("tag.{k}"))
            );
        }
    }
    Ok(tags)
}

/// `from` and `to` (seconds since the epoch): `from < to`, at most a year apart.
fn range(p: &Params) -> Result<(Option<u64>, Option<u64>), ApiError> {
    let from = p.parse::<u64>("from", "seconds since the epoch")?;
    let to = p.parse::<u64>("to", "seconds since the epoch")?;
    for (k, v) in [("from", from), ("to", to)] {
        if v.is_some_and(|t| t > weir_ts::MAX_TS) {
            return Err(ApiError::bad(format!("{k}: too far in the future")).with_field(k));
        }
    }
    if let (Some(f), Some(t)) = (from, to) {
        if f >= t {
            return Err(ApiError::bad(format!("from={f} is not before to={t}")).with_field("from"));
        }
        if t - f > MAX_RANGE {
            return Err(ApiError::bad("the range is longer than a year").with_field("from"));
        }
    }
    Ok((from, to))
}

/// `GET /api/v1/timeseries/query?schema=&tag.K=V&from=&to=&step=&agg=`.
pub(super) async fn query(State(st): St, q: Q) -> ApiResult {
    let p = Params::with_prefix(q, &["schema", "from", "to", "step", "agg"], Some("tag."))?;
    let schema = schema_name(&p)?;
    let tags = tags(&p)?;
    let (from, to) = range(&p)?;
    let step = p.parse::<u32>("step", "seconds (1 to 86400)")?;
    if step.is_some_and(|s| !(1..=86_400).contains(&s)) {
        return Err(ApiError::bad("step: expected seconds from 1 to 86400").with_field("step"));
    }
    let agg = match p.str("agg") {
        None => None,
        Some(a) => Some(Agg::from_name(a).ok_or_else(|| {
            ApiError::bad(format!("agg={a:?}: expected avg, max, min or last")).with_field("agg")
        })?),
    };
    let store = store(&st)?;
    let query = Query {
        schema,
        tags,
        from,
        to,
        step_secs: step,
        agg,
    };
    let r = tokio::task::spawn_blocking(move || store.query(&query))
        .await
        .map_err(ApiError::internal)?
        .map_err(store_error)?;
    let points: usize = r.series.iter().map(|s| s.points.len()).sum();
    if points > MAX_POINTS {
        return Err(ApiError::bad(format!(
            "{points} points: narrow the range, raise the step or filter by tags (at most {MAX_POINTS})"
        )));
    }
    let n = r.series.len();
    let data: Vec<Value> = r
        .series
        .iter()
        .map(|s| json!({"tags": tag_map(&s.tags), "points": s.points}))
        .collect();
    let mut v = json!({
        "schema": r.schema,
        "step_secs": r.step_secs,
        "agg": r.agg.name(),
        "metrics": r.metrics,
        "data": data,
    });
    v["total"] = json!(n);
    v["offset"] = json!(0);
    v["limit"] = json!(n);
    ok(v)
}

/// `GET /api/v1/timeseries/top?schema=&metric=&k=&from=&to=&tag.K=V`: the series with
/// the largest totals (counters) or means (gauges).
pub(super) async fn top(State(st): St, q: Q) -> ApiResult {
    let p = Params::with_prefix(q, &["schema", "metric", "k", "from", "to"], Some("tag."))?;
    let schema = schema_name(&p)?;
    let tags = tags(&p)?;
    let (from, to) = range(&p)?;
    let metric = p
        .str("metric")
        .ok_or_else(|| ApiError::bad("metric is required (e.g. bytes_sent)").with_field("metric"))?
        .to_string();
    let k = p
        .parse::<usize>("k", "an integer from 1 to 1000")?
        .unwrap_or(10);
    if !(1..=1000).contains(&k) {
        return Err(ApiError::bad("k: expected an integer from 1 to 1000").with_field("k"));
    }
    let store = store(&st)?;
    let q = TopKQuery {
        schema: schema.clone(),
        tags,
        from,
        to,
        metric: metric.clone(),
        k,
    };
    let items = tokio::task::spawn_blocking(move || store.top_k(&q))
        .await
        .map_err(ApiError::internal)?
        .map_err(store_error)?;
    let n = items.len();
    let data: Vec<Value> = items
        .iter()
        .map(|t| {
            json!({
                "tags": tag_map(&t.tags),
                "score": t.score,
            })
        })
        .collect();
    let mut v = page(data, n, 0, k);
    v["schema"] = json!(schema);
    v["metric"] = json!(metric);
    ok(v)
}
