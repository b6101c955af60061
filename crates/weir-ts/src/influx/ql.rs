//! InfluxQL for chart queries, and the [`TsQuery`] implementation of
//! [`InfluxClient`].
//!
//! Counters are stored raw; rates come from
//! `non_negative_derivative(mean(m), 1s)` at the schema step (an inner query that
//! starts one step early so the first bucket has a rate), then an outer query
//! consolidates to the wanted step with `mean`/`min`/`max`/`last` — the same numbers
//! as the embedded store.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::InfluxClient;
use crate::error::{Error, Result};
use crate::query::{
    DataPoint, Query, QueryResult, SeriesData, SeriesInfo, TopItem, TopKQuery, TsQuery,
    check_filter,
};
use crate::schema::{Agg, MetricKind, Schema};

/// A double-quoted identifier.
pub(crate) fn ident(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A single-quoted string literal.
pub(crate) fn literal(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn agg_fn(agg: Agg) -> &'static str {
    match agg {
        Agg::Avg => "mean",
        Agg::Min => "min",
        Agg::Max => "max",
        Agg::Last => "last",
    }
}

fn filter_sql(tags: &[(String, String)]) -> String {
    let mut s = String::new();
    for (k, v) in tags {
        let _ = write!(s, "{} = {} AND ", ident(k), literal(v));
    }
    s
}

/// The InfluxQL of a range query: `(sql, output step)`.
pub(crate) fn range_sql(schema: &Schema, q: &Query, from: u64, to: u64) -> (String, u32) {
    let step = schema.step_secs.max(1);
    let out = q
        .step_secs
        .map_or(step, |s| s.max(step).div_ceil(step) * step);
    let agg = q.agg.unwrap_or(schema.aggregation);
    let mut inner_sel = Vec::new();
    let mut outer_sel = Vec::new();
    for metric in &schema.metrics {
        let name = ident(&metric.name);
        inner_sel.push(match metric.kind {
            MetricKind::Gauge => format!("mean({name}) AS {name}"),
            MetricKind::Counter => format!("non_negative_derivative(mean({name}), 1s) AS {name}"),
            MetricKind::Derive => format!("derivative(mean({name}), 1s) AS {name}"),
        });
        outer_sel.push(format!("{}({name}) AS {name}", agg_fn(agg)));
    }
    let filter = filter_sql(&q.tags);
    // InfluxDB pushes an outer time range into the subquery, which would cut the
    // step before the first bucket (no rate there): the range goes on the inner query
    // only, starting one step before the first whole output bucket; the caller drops
    // output buckets before `from` (they hold that extra step).
    let first = from.div_ceil(u64::from(out)) * u64::from(out);
    let inner_from = first.saturating_sub(u64::from(step));
    let sql = format!(
        "SELECT {} FROM (SELECT {} FROM {} WHERE {filter}time >= {inner_from}s AND time < {to}s \
         GROUP BY time({step}s), * fill(none)) GROUP BY time({out}s), * fill(none)",
        outer_sel.join(", "),
        inner_sel.join(", "),
        ident(&schema.name),
    );
    (sql, out)
}

fn series_tags(schema: &Schema, s: &serde_json::Value) -> Vec<(String, String)> {
    let tags = s.get("tags").and_then(|t| t.as_object());
    schema
        .tags
        .iter()
        .map(|k| {
            let v = tags
                .and_then(|t| t.get(k))
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            (k.clone(), v.to_string())
        })
        .collect()
}

fn all_series(v: &serde_json::Value) -> Vec<&serde_json::Value> {
    v.pointer("/results/0/series")
        .and_then(|s| s.as_array())
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

impl InfluxClient {
    fn schema(&self, name: &str) -> Result<&Schema> {
        self.schemas
            .get(name)
            .map(|s| &**s)
            .ok_or_else(|| Error::UnknownSchema(name.into()))
    }

    fn range(&self, q_from: Option<u64>, q_to: Option<u64>) -> (u64, u64) {
        let to = q_to.unwrap_or_else(|| super::unix_now() + 1);
        let from = q_from.unwrap_or(to.saturating_sub(86_400));
        (from, to)
    }
}

impl TsQuery for InfluxClient {
    fn query(&self, q: &Query) -> Result<QueryResult> {
        let schema = self.schema(&q.schema)?;
        check_filter(schema, &q.tags)?;
        let (from, to) = self.range(q.from, q.to);
        if from > to {
            return Err(Error::InvalidQuery(format!("from {from} is after to {to}")));
        }
        let (sql, out) = range_sql(schema, q, from, to);
        let v = self.influxql(&sql)?;
        let mut series = Vec::new();
        for s in all_series(&v) {
            let columns: Vec<&str> = s
                .get("columns")
                .and_then(|c| c.as_array())
                .map(|c| c.iter().filter_map(|x| x.as_str()).collect())
                .unwrap_or_default();
            let idx: Vec<Option<usize>> = schema
                .metrics
                .iter()
                .map(|m| columns.iter().position(|c| *c == m.name))
                .collect();
            let mut points = Vec::new();
            for row in s
                .get("values")
                .and_then(|r| r.as_array())
                .into_iter()
                .flatten()
            {
                let Some(row) = row.as_array() else { continue };
                let Some(ts) = row.first().and_then(|t| t.as_u64()) else {
                    continue;
                };
                if ts < from || ts >= to {
                    continue;
                }
                let values: Vec<Option<f64>> = idx
                    .iter()
                    .map(|i| i.and_then(|i| row.get(i)).and_then(|x| x.as_f64()))
                    .collect();
                if values.iter().any(Option::is_some) {
                    points.push(DataPoint { ts, values });
                }
            }
            series.push(SeriesData {
                tags: series_tags(schema, s),
                points,
            });
        }
        // One answer per series even when it spans several result chunks.
        let mut merged: BTreeMap<Vec<(String, String)>, Vec<DataPoint>> = BTreeMap::new();
        for s in series {
            merged.entry(s.tags).or_default().extend(s.points);
        }
        Ok(QueryResult {
            schema: schema.name.clone(),
            step_secs: out,
            agg: q.agg.unwrap_or(schema.aggregation),
            metrics: schema.metrics.iter().map(|m| m.name.clone()).collect(),
            series: merged
                .into_iter()
                .filter(|(_, p)| !p.is_empty())
                .map(|(tags, mut points)| {
                    points.sort_by_key(|p| p.ts);
                    SeriesData { tags, points }
                })
                .collect(),
        })
    }

    fn top_k(&self, q: &TopKQuery) -> Result<Vec<TopItem>> {
        let schema = self.schema(&q.schema)?;
        let m = schema.metric_index(&q.metric).ok_or_else(|| {
            Error::InvalidQuery(format!(
                "`{}` is not a metric of `{}`",
                q.metric, schema.name
            ))
        })?;
        let query = Query {
            schema: q.schema.clone(),
            tags: q.tags.clone(),
            from: q.from,
            to: q.to,
            step_secs: Some(schema.step_secs),
            agg: Some(Agg::Avg),
        };
        let r = self.query(&query)?;
        let mut out: Vec<TopItem> = r
            .series
            .into_iter()
            .filter_map(|s| {
                let score = match schema.metrics[m].kind {
                    MetricKind::Gauge => s.mean(m),
                    MetricKind::Counter | MetricKind::Derive => s.total(m, schema.step_secs),
                }?;
                Some(TopItem {
                    tags: s.tags,
                    score,
                })
            })
            .collect();
        out.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.tags.cmp(&b.tags))
        });
        out.truncate(q.k);
        Ok(out)
    }

    fn list_series(&self, schema: &str, tags: &[(String, String)]) -> Result<Vec<SeriesInfo>> {
        let schema = self.schema(schema)?;
        check_filter(schema, tags)?;
        let first = schema
            .metrics
            .first()
            .map(|m| ident(&m.name))
            .unwrap_or_default();
        let filter = filter_sql(tags);
        let filter = filter.strip_suffix(" AND ").unwrap_or("");
        let sql = format!(
            "SELECT last({first}) FROM {}{}{} GROUP BY *",
            ident(&schema.name),
            if filter.is_empty() { "" } else { " WHERE " },
            filter
        );
        let v = self.influxql(&sql)?;
        let mut out: Vec<SeriesInfo> = all_series(&v)
            .into_iter()
            .map(|s| SeriesInfo {
                schema: schema.name.clone(),
                tags: series_tags(schema, s),
                last_ts: s.pointer("/values/0/0").and_then(|t| t.as_u64()),
            })
            .collect();
        out.sort_by(|a, b| a.tags.cmp(&b.tags));
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(ident("host:syn"), "\"host:syn\"");
        assert_eq!(ident("a\"b"), "\"a\\\"b\"");
        assert_eq!(literal("it's"), "'it\\'s'");
    }

    #[test]
    fn counter_query_shape() {
        let s = Schema::new("host:syn_received", 60, "t")
            .unwrap()
            .with_tags(&["ifid", "host"])
            .unwrap()
            .with_metrics(MetricKind::Counter, &["syn"])
            .unwrap();
        let q = Query::new("host:syn_received")
            .tag("host", "10.0.0.1")
            .step(300);
        let (sql, out) = range_sql(&s, &q, 6000, 9000);
        assert_eq!(out, 300);
        assert_eq!(
            sql,
            "SELECT mean(\"syn\") AS \"syn\" FROM (SELECT non_negative_derivative(mean(\"syn\"), 1s) AS \"syn\" \
             FROM \"host:syn_received\" WHERE \"host\" = '10.0.0.1' AND time >= 5940s AND time < 9000s \
             GROUP BY time(60s), * fill(none)) GROUP BY time(300s), * fill(none)"
        );
    }
}
