//! Timeseries the ntopng way: the schema list (`timeseries/type/consts.lua`), one
//! query (`timeseries/ts.lua`: `ts_schema`, `ts_query` "tag:value,…", the epoch
//! range) and a host's top protocols, from the run's timeseries store.

use std::sync::Arc;

use axum::extract::State;
use serde_json::{Value, json};
use weir_ts::{Query, TopKQuery, TsQuery};

use super::{Args, NtopError, NtopResult, Rc, answer, answer_with};
use crate::rest::St;
use crate::state::AppState;

/// Most points one answer holds (series × buckets).
const MAX_POINTS: u64 = 200_000;
/// Longest range, seconds (a year).
const MAX_RANGE: u64 = 366 * 86_400;

fn store(st: &AppState) -> Result<Arc<dyn TsQuery + Send + Sync>, NtopError> {
    st.run.ts_query().map(|(q, _)| q).ok_or_else(|| {
        NtopError::new(
            Rc::NotFound,
            "no timeseries store: timeseries are off, or nothing has been written yet",
        )
    })
}

fn ts_error(e: weir_ts::Error) -> NtopError {
    match e {
        weir_ts::Error::UnknownSchema(s) => NtopError::new(
            Rc::NotFound,
            format!("no timeseries schema {s:?} (see /lua/rest/v2/get/timeseries/type/consts.lua)"),
        ),
        weir_ts::Error::InvalidQuery(m) => NtopError::args(m),
        e => NtopError::internal(e),
    }
}

/// `GET /lua/rest/v2/get/timeseries/type/consts.lua`: every schema the run knows
/// (built-in and the plugins'), `[{schema, id, label, type, step, tags, metrics}]`.
pub(crate) async fn type_consts(State(st): St) -> NtopResult {
    let cfg = st.run.cfg.clone();
    let plugin =
        tokio::task::spawn_blocking(move || weir_pipeline::timeseries::plugin_schemas(&cfg))
            .await
            .map_err(NtopError::internal)?
            .unwrap_or_default();
    let mut list: Vec<Value> = weir_ts::builtin::schemas()
        .iter()
        .chain(plugin.iter().map(|s| &**s))
        .map(|s| {
            let family = s.name.split(':').next().unwrap_or("");
            json!({
                "schema": s.name,
                "id": s.name,
                "label": s.name,
                "type": family,
                "step": s.step_secs,
                "tags": s.tags,
                "metrics": s.metrics,
            })
        })
        .collect();
    list.sort_by(|a, b| a["schema"].as_str().cmp(&b["schema"].as_str()));
    list.dedup_by(|a, b| a["schema"] == b["schema"]);
    answer(json!(list))
}

/// `ts_query`: `tag:value` pairs separated by commas (`ifid:0,host:10.0.0.1`).
fn tags_of(q: &str) -> Result<Vec<(String, String)>, NtopError> {
    let mut out = Vec::new();
    for part in q.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = part
            .split_once(':')
            .ok_or_else(|| NtopError::args(format!("ts_query: {part:?} is not tag:value")))?;
        let ok_name = !k.is_empty()
            && k.len() <= 64
            && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        if !ok_name || v.is_empty() || v.len() > 256 {
            return Err(NtopError::args(format!(
                "ts_query: {part:?} is not tag:value"
            )));
        }
        out.push((k.to_string(), v.to_string()));
    }
    Ok(out)
}

fn schema_of(a: &Args) -> Result<String, NtopError> {
    let s = a
        .str("ts_schema")
        .ok_or_else(|| NtopError::args("ts_schema is required (e.g. iface:traffic)"))?;
    let valid = s.len() <= 128
        && s.contains(':')
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'));
    if !valid {
        return Err(NtopError::args(format!(
            "ts_schema={s:?}: expected family:metric"
        )));
    }
    Ok(s.to_string())
}

/// The range: `epoch_begin`..`epoch_end` (default: the last hour of the wall clock).
fn range(a: &Args) -> Result<(u64, u64), NtopError> {
    let (b, e) = a.epochs("epoch_begin", "epoch_end")?;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let end = e.unwrap_or(now);
    let begin = b.unwrap_or(end.saturating_sub(3600));
    if begin >= end {
        return Err(NtopError::args(format!(
            "epoch_begin={begin} is not before epoch_end={end}"
        )));
    }
    if end - begin > MAX_RANGE || end > weir_ts::MAX_TS {
        return Err(NtopError::args(
            "the range is longer than a year or too far in the future",
        ));
    }
    Ok((begin, end))
}

/// `GET|POST /lua/rest/v2/get/timeseries/ts.lua`: `{start, step, count, series:
/// [{label, tags, data}], statistics}`. `data` has one value per step from `start`
/// (`null` where nothing was recorded; counters are rates per second, as ntopng
/// charts them); `statistics` sums every series.
pub(crate) async fn ts(State(st): St, a: Args) -> NtopResult {
    let schema = schema_of(&a)?;
    let tags = tags_of(a.str("ts_query").unwrap_or(""))?;
    let (begin, end) = range(&a)?;
    let store = store(&st)?;
    let q = Query {
        schema: schema.clone(),
        tags: tags.clone(),
        from: Some(begin),
        to: Some(end),
        step_secs: None,
        agg: None,
    };
    let r = tokio::task::spawn_blocking(move || store.query(&q))
        .await
        .map_err(NtopError::internal)?
        .map_err(ts_error)?;
    let step = u64::from(r.step_secs.max(1));
    let start = begin - begin % step;
    let count = (end - start).div_ceil(step);
    if count.saturating_mul(r.series.len().max(1) as u64 * r.metrics.len().max(1) as u64)
        > MAX_POINTS
    {
        return Err(NtopError::args(format!(
            "more than {MAX_POINTS} points: narrow the range or filter by tags"
        )));
    }
    let many = r.series.len() > 1;
    let mut series = Vec::new();
    let mut totals: Vec<Option<f64>> = vec![None; count as usize];
    for s in &r.series {
        for (m, metric) in r.metrics.iter().enumerate() {
            let mut data: Vec<Option<f64>> = vec![None; count as usize];
            for p in &s.points {
                if p.ts < start {
                    continue;
                }
                let i = ((p.ts - start) / step) as usize;
                if let (Some(slot), Some(v)) = (data.get_mut(i), p.values.get(m).copied().flatten())
                {
                    *slot = Some(v);
                    if let Some(t) = totals.get_mut(i) {
                        *t = Some(t.unwrap_or(0.0) + v);
                    }
                }
            }
            let label = if many {
                let t: Vec<String> = s
                    .tags
                    .iter()
                    .filter(|(k, _)| !tags.iter().any(|(f, _)| f == k))
                    .map(|(_, v)| v.clone())
                    .collect();
                format!("{metric} ({})", t.join(", "))
            } else {
                metric.clone()
            };
            let tags: serde_json::Map<String, Value> =
                s.tags.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
            series.push(json!({"label": label, "metric": metric, "tags": tags, "data": data}));
        }
    }
    let known: Vec<f64> = totals.iter().flatten().copied().collect();
    let (min_i, max_i) = (
        totals
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (i, v)))
            .min_by(|a, b| a.1.total_cmp(&b.1)),
        totals
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (i, v)))
            .max_by(|a, b| a.1.total_cmp(&b.1)),
    );
    let sum: f64 = known.iter().sum();
    let statistics = json!({
        "total": sum * step as f64,
        "average": if known.is_empty() { 0.0 } else { sum / known.len() as f64 },
        "min_val": min_i.map_or(0.0, |x| x.1),
        "max_val": max_i.map_or(0.0, |x| x.1),
        "min_val_idx": min_i.map(|x| x.0),
        "max_val_idx": max_i.map(|x| x.0),
        "points_known": known.len(),
    });
    answer(json!({
        "schema": r.schema,
        "query": a.str("ts_query").unwrap_or(""),
        "start": start,
        "step": step,
        "count": count,
        "series": series,
        "statistics": statistics,
    }))
}

/// `GET /lua/pro/rest/v2/get/host/top/ts_stats.lua?ts_query=ifid:N,host:IP&detail_view=top_protocols`:
/// the host's application protocols by bytes over the range (`host:ndpi`).
pub(crate) async fn host_top_stats(State(st): St, a: Args) -> NtopResult {
    match a.str("detail_view").unwrap_or("top_protocols") {
        "top_protocols" => {}
        v => {
            return Err(NtopError::args(format!(
                "detail_view={v:?}: weir serves top_protocols"
            )));
        }
    }
    let tags = tags_of(a.str("ts_query").unwrap_or(""))?;
    if !tags.iter().any(|(k, _)| k == "host") {
        return Err(NtopError::new(Rc::InvalidHost, "ts_query needs host:IP"));
    }
    let (begin, end) = range(&a)?;
    let store = match store(&st) {
        Ok(s) => s,
        Err(_) => return answer_with(json!([]), "no timeseries store: no protocol series"),
    };
    let q = TopKQuery {
        schema: "host:ndpi".into(),
        tags,
        from: Some(begin),
        to: Some(end),
        metric: "bytes".into(),
        k: 10,
    };
    let items = tokio::task::spawn_blocking(move || store.top_k(&q))
        .await
        .map_err(NtopError::internal)?
        .map_err(ts_error)?;
    let total: f64 = items.iter().map(|t| t.score).sum();
    let rows: Vec<Value> = items
        .iter()
        .map(|t| {
            let proto = t
                .tags
                .iter()
                .find(|(k, _)| k == "protocol")
                .map_or("", |(_, v)| v.as_str());
            json!({
                "protocol": proto,
                "label": proto,
                "traffic": t.score,
                "percentage": if total > 0.0 { t.score * 100.0 / total } else { 0.0 },
            })
        })
        .collect();
    answer(json!(rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ts_queries() {
        assert_eq!(
            tags_of("ifid:0,host:10.0.0.1").unwrap(),
            [
                ("ifid".to_string(), "0".to_string()),
                ("host".into(), "10.0.0.1".into())
            ]
        );
        assert_eq!(tags_of("ifid:0,host:fe80::1").unwrap()[1].1, "fe80::1");
        assert!(tags_of("ifid").is_err());
        assert!(tags_of("if id:0").is_err());
        assert!(tags_of("").unwrap().is_empty());
    }
}
