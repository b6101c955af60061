//! Queries for charts: types shared by the embedded store and InfluxDB.

use serde::Serialize;

use crate::error::{Error, Result};
use crate::schema::{Agg, Archive, Schema};

/// A range query over the series of one schema.
#[derive(Debug, Clone, Default)]
pub struct Query {
    /// Schema name.
    pub schema: String,
    /// Only series whose tags have these values (all of them).
    pub tags: Vec<(String, String)>,
    /// First bucket start included (seconds since the epoch); `None`: the oldest kept.
    pub from: Option<u64>,
    /// Buckets starting at or after this time are excluded; `None`: up to the latest.
    pub to: Option<u64>,
    /// Wanted resolution; picks the finest archive at least this coarse that still
    /// covers `from`, and re-aggregates when coarser than it. `None`: the schema step.
    pub step_secs: Option<u32>,
    /// Consolidation; `None`: the schema's `aggregation`.
    pub agg: Option<Agg>,
}

impl Query {
    /// A query for every series of `schema`, whole range, finest resolution.
    pub fn new(schema: &str) -> Query {
        Query {
            schema: schema.into(),
            ..Query::default()
        }
    }

    /// Adds a tag filter.
    pub fn tag(mut self, key: &str, value: &str) -> Query {
        self.tags.push((key.into(), value.into()));
        self
    }

    /// Sets the range.
    pub fn range(mut self, from: u64, to: u64) -> Query {
        self.from = Some(from);
        self.to = Some(to);
        self
    }

    /// Sets the resolution.
    pub fn step(mut self, step_secs: u32) -> Query {
        self.step_secs = Some(step_secs);
        self
    }

    /// Sets the consolidation.
    pub fn agg(mut self, agg: Agg) -> Query {
        self.agg = Some(agg);
        self
    }
}

/// One consolidated point. Missing buckets are absent (gaps), never zeros; a metric
/// unknown in a present bucket is `None`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataPoint {
    /// Bucket start, seconds since the epoch.
    pub ts: u64,
    /// One value per metric of the schema, in schema order. Counters are rates per
    /// second.
    pub values: Vec<Option<f64>>,
}

/// The points of one series.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesData {
    /// Tag names and values, in schema order.
    pub tags: Vec<(String, String)>,
    /// Points in time order.
    pub points: Vec<DataPoint>,
}

impl SeriesData {
    /// Sum of the known values of metric `m` times the resolution (`ts_utils.queryTotal`):
    /// for a counter, the total over the range (bytes, SYNs). `None` when no value is
    /// known.
    pub fn total(&self, m: usize, step_secs: u32) -> Option<f64> {
        let vals: Vec<f64> = self
            .points
            .iter()
            .filter_map(|p| p.values.get(m).copied().flatten())
            .collect();
        (!vals.is_empty()).then(|| vals.iter().sum::<f64>() * f64::from(step_secs))
    }

    /// Mean of the known values of metric `m` (`ts_utils.queryMean`).
    pub fn mean(&self, m: usize) -> Option<f64> {
        let vals: Vec<f64> = self
            .points
            .iter()
            .filter_map(|p| p.values.get(m).copied().flatten())
            .collect();
        (!vals.is_empty()).then(|| vals.iter().sum::<f64>() / vals.len() as f64)
    }
}

/// The answer to a [`Query`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QueryResult {
    /// Schema name.
    pub schema: String,
    /// Resolution of the points.
    pub step_secs: u32,
    /// Consolidation used.
    pub agg: Agg,
    /// Metric names, the order of [`DataPoint::values`].
    pub metrics: Vec<String>,
    /// Matching series, ordered by tags.
    pub series: Vec<SeriesData>,
}

/// Top series of a schema by one metric over a range (e.g. top local hosts by
/// traffic).
#[derive(Debug, Clone, Default)]
pub struct TopKQuery {
    /// Schema name.
    pub schema: String,
    /// Tag filter, as in [`Query::tags`].
    pub tags: Vec<(String, String)>,
    /// Range start (inclusive); `None`: the oldest kept.
    pub from: Option<u64>,
    /// Range end (exclusive); `None`: up to the latest.
    pub to: Option<u64>,
    /// The metric to rank by.
    pub metric: String,
    /// How many series.
    pub k: usize,
}

/// One entry of a top-k answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopItem {
    /// Tag names and values of the series.
    pub tags: Vec<(String, String)>,
    /// For counters the total over the range (rate × time, e.g. bytes); for gauges
    /// the mean.
    pub score: f64,
}

/// A series known to a store.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SeriesInfo {
    /// Schema name.
    pub schema: String,
    /// Tag names and values.
    pub tags: Vec<(String, String)>,
    /// Time of the latest point, if any.
    pub last_ts: Option<u64>,
}

/// Read access for charts, implemented by the embedded store and InfluxDB.
pub trait TsQuery {
    /// Points of the matching series.
    ///
    /// # Errors
    /// [`Error::UnknownSchema`], [`Error::InvalidQuery`], or a storage error.
    fn query(&self, q: &Query) -> Result<QueryResult>;

    /// The `k` series with the largest score for one metric.
    ///
    /// # Errors
    /// As [`TsQuery::query`].
    fn top_k(&self, q: &TopKQuery) -> Result<Vec<TopItem>>;

    /// The series of a schema matching a tag filter.
    ///
    /// # Errors
    /// As [`TsQuery::query`].
    fn list_series(&self, schema: &str, tags: &[(String, String)]) -> Result<Vec<SeriesInfo>>;
}

/// True when every filter pair matches the series' tags.
pub(crate) fn tags_match(schema: &Schema, values: &[String], filter: &[(String, String)]) -> bool {
    filter.iter().all(|(k, v)| {
        schema
            .tag_index(k)
            .and_then(|i| values.get(i))
            .is_some_and(|x| x == v)
    })
}

/// Checks that the filter names only tags of the schema.
pub(crate) fn check_filter(schema: &Schema, filter: &[(String, String)]) -> Result<()> {
    for (k, _) in filter {
        if schema.tag_index(k).is_none() {
            return Err(Error::InvalidQuery(format!(
                "`{k}` is not a tag of `{}` (tags: {})",
                schema.name,
                schema.tags.join(", ")
            )));
        }
    }
    Ok(())
}

/// Picks the archive for a query: starting from the coarsest archive not coarser
/// than `step` (the finest when `step` is finer than all), the first whose window,
/// ending at `latest`, reaches back to `from`; if none does, the one reaching back
/// furthest. Returns the archive index and the output resolution (`step` rounded up
/// to a multiple of the archive's resolution).
pub(crate) fn pick_archive(
    archives: &[Archive],
    step: Option<u32>,
    from: Option<u64>,
    latest: u64,
) -> (usize, u32) {
    let want = step.unwrap_or(0);
    let first = archives
        .iter()
        .rposition(|a| a.resolution_secs <= want)
        .unwrap_or(0);
    let candidates: Vec<usize> = (first..archives.len().max(first + 1)).collect();
    let reaches = |i: usize| {
        let a = archives[i];
        bucket_floor(latest, a.resolution_secs)
            .saturating_sub(a.span_secs().saturating_sub(u64::from(a.resolution_secs)))
    };
    let chosen = match from {
        None => candidates[0],
        Some(f) => candidates
            .iter()
            .copied()
            .find(|&i| reaches(i) <= f)
            .unwrap_or_else(|| {
                candidates
                    .iter()
                    .copied()
                    .min_by_key(|&i| (reaches(i), archives[i].resolution_secs))
                    .unwrap_or(0)
            }),
    };
    let res = archives.get(chosen).map_or(1, |a| a.resolution_secs.max(1));
    let out = if want > res {
        want.div_ceil(res) * res
    } else {
        res
    };
    (chosen, out)
}

fn bucket_floor(t: u64, res: u32) -> u64 {
    let r = u64::from(res.max(1));
    t - t % r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::default_archives;

    #[test]
    fn totals_and_means_skip_gaps() {
        let s = SeriesData {
            tags: vec![],
            points: vec![
                DataPoint {
                    ts: 0,
                    values: vec![Some(2.0), None],
                },
                DataPoint {
                    ts: 60,
                    values: vec![Some(4.0), None],
                },
            ],
        };
        assert_eq!(s.total(0, 60), Some(360.0));
        assert_eq!(s.mean(0), Some(3.0));
        assert_eq!(s.total(1, 60), None);
        assert_eq!(s.mean(5), None);
    }

    #[test]
    fn archive_choice() {
        let a = default_archives(60);
        let latest = 1_700_000_000;
        assert_eq!(pick_archive(&a, None, None, latest), (0, 60));
        assert_eq!(
            pick_archive(&a, Some(60), Some(latest - 3600), latest),
            (0, 60)
        );
        // Two days back: the 1-minute archive does not reach, the 5-minute one does.
        assert_eq!(
            pick_archive(&a, None, Some(latest - 2 * 86_400), latest),
            (1, 300)
        );
        assert_eq!(pick_archive(&a, Some(600), None, latest), (1, 600));
        assert_eq!(pick_archive(&a, Some(3600), None, latest), (2, 3600));
        assert_eq!(pick_archive(&a, Some(120), None, latest), (0, 120));
        assert_eq!(pick_archive(&a, Some(1), None, latest), (0, 60));
        assert_eq!(pick_archive(&a, Some(400_000), None, latest), (3, 432_000));
        // Older than everything: the longest archive.
        assert_eq!(pick_archive(&a, None, Some(0), latest), (3, 86_400));
    }
}
