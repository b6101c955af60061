//! Round-robin consolidation, independent of storage: rates from counters, and the
//! AVG/MIN/MAX/LAST accumulators of each archive bucket.

use crate::schema::{Agg, MetricKind, Schema};

/// Accumulated points of one metric in one bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Acc {
    pub(crate) sum: f64,
    pub(crate) min: f64,
    pub(crate) max: f64,
    pub(crate) last: f64,
    pub(crate) count: u64,
}

impl Acc {
    pub(crate) const EMPTY: Acc = Acc {
        sum: 0.0,
        min: f64::NAN,
        max: f64::NAN,
        last: f64::NAN,
        count: 0,
    };

    /// Adds a known value (callers skip unknown ones).
    pub(crate) fn add(&mut self, v: f64) {
        if self.count == 0 {
            *self = Acc {
                sum: v,
                min: v,
                max: v,
                last: v,
                count: 1,
            };
        } else {
            self.sum += v;
            self.min = self.min.min(v);
            self.max = self.max.max(v);
            self.last = v;
            self.count += 1;
        }
    }

    /// Merges a later bucket into this one.
    pub(crate) fn merge(&mut self, later: &Acc) {
        if later.count == 0 {
            return;
        }
        if self.count == 0 {
            *self = *later;
            return;
        }
        self.sum += later.sum;
        self.min = self.min.min(later.min);
        self.max = self.max.max(later.max);
        self.last = later.last;
        self.count += later.count;
    }

    /// The consolidated value, `None` when no point was known.
    pub(crate) fn value(&self, agg: Agg) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        Some(match agg {
            Agg::Avg => self.sum / self.count as f64,
            Agg::Min => self.min,
            Agg::Max => self.max,
            Agg::Last => self.last,
        })
    }
}

/// Bytes per metric in an encoded bucket.
pub(crate) const ACC_BYTES: usize = 40;

/// Encodes a bucket's accumulators (little-endian f64: sum, min, max, last, count).
pub(crate) fn encode(accs: &[Acc]) -> Vec<u8> {
    let mut out = Vec::with_capacity(accs.len() * ACC_BYTES);
    for a in accs {
        for v in [a.sum, a.min, a.max, a.last, a.count as f64] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    out
}

/// Decodes [`encode`]'s output; `None` if the length does not match `metrics`.
pub(crate) fn decode(bytes: &[u8], metrics: usize) -> Option<Vec<Acc>> {
    if bytes.len() != metrics * ACC_BYTES {
        return None;
    }
    let f = |c: &[u8]| -> f64 {
        let mut b = [0u8; 8];
        b.copy_from_slice(c);
        f64::from_le_bytes(b)
    };
    Some(
        bytes
            .chunks_exact(ACC_BYTES)
            .map(|c| Acc {
                sum: f(&c[0..8]),
                min: f(&c[8..16]),
                max: f(&c[16..24]),
                last: f(&c[24..32]),
                count: f(&c[32..40]) as u64,
            })
            .collect(),
    )
}

/// Encodes raw counter values (little-endian f64).
pub(crate) fn encode_raw(v: &[f64]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

/// Decodes [`encode_raw`]'s output.
pub(crate) fn decode_raw(bytes: &[u8]) -> Vec<f64> {
    bytes
        .chunks_exact(8)
        .map(|c| {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            f64::from_le_bytes(b)
        })
        .collect()
}

/// The open bucket of one archive of one series.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Bucket {
    pub(crate) start: u64,
    pub(crate) accs: Vec<Acc>,
}

/// Write-side state of one series: the last update (for counter rates) and the open
/// bucket of each archive.
#[derive(Debug, Clone, Default)]
pub(crate) struct SeriesState {
    pub(crate) last_ts: Option<u64>,
    pub(crate) raw: Vec<f64>,
    pub(crate) open: Vec<Option<Bucket>>,
}

/// Outcome of [`SeriesState::update`].
#[derive(Debug, PartialEq)]
pub(crate) enum Update {
    /// Not newer than the last point: ignored.
    OutOfOrder,
    /// Accepted; these archive levels changed (empty when every value was unknown).
    Changed(Vec<usize>),
}

/// Start of the bucket of width `res` holding `t`.
pub(crate) fn bucket_start(t: u64, res: u32) -> u64 {
    let r = u64::from(res.max(1));
    t - t % r
}

/// Slot of a bucket in a round-robin archive.
pub(crate) fn slot(start: u64, res: u32, rows: u32) -> u64 {
    (start / u64::from(res.max(1))) % u64::from(rows.max(1))
}

/// The primary value of each metric at `t` (NaN = unknown), updating the counter
/// baseline. `last` is the previous update time and `raw` its values.
pub(crate) fn primary(
    schema: &Schema,
    last: Option<u64>,
    raw: &[f64],
    t: u64,
    v: &[f64],
) -> Vec<f64> {
    schema
        .metrics
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let x = v.get(i).copied().unwrap_or(f64::NAN);
            if !x.is_finite() {
                return f64::NAN;
            }
            match m.kind {
                MetricKind::Gauge => x,
                MetricKind::Counter | MetricKind::Derive => {
                    let (Some(l), Some(&p)) = (last, raw.get(i)) else {
                        return f64::NAN;
                    };
                    let dt = t.saturating_sub(l);
                    if dt == 0 || dt > u64::from(schema.heartbeat_secs) || !p.is_finite() {
                        return f64::NAN;
                    }
                    let d = x - p;
                    if m.kind == MetricKind::Counter && d < 0.0 {
                        return f64::NAN; // reset
                    }
                    d / dt as f64
                }
            }
        })
        .collect()
}

impl SeriesState {
    /// A state for a series never written.
    pub(crate) fn new(schema: &Schema) -> SeriesState {
        SeriesState {
            last_ts: None,
            raw: Vec::new(),
            open: vec![None; schema.archives.len()],
        }
    }

    /// Applies one point at aligned time `t` with raw values `v`.
    pub(crate) fn update(&mut self, schema: &Schema, t: u64, v: &[f64]) -> Update {
        if self.last_ts.is_some_and(|l| t <= l) {
            return Update::OutOfOrder;
        }
        let pdp = primary(schema, self.last_ts, &self.raw, t, v);
        self.last_ts = Some(t);
        self.raw = v.to_vec();
        if pdp.iter().all(|x| x.is_nan()) {
            return Update::Changed(Vec::new());
        }
        let mut changed = Vec::with_capacity(schema.archives.len());
        for (level, a) in schema.archives.iter().enumerate() {
            let start = bucket_start(t, a.resolution_secs);
            let Some(open) = self.open.get_mut(level) else {
                continue;
            };
            let b = match open {
                Some(b) if b.start == start => b,
                _ => open.insert(Bucket {
                    start,
                    accs: vec![Acc::EMPTY; schema.metrics.len()],
                }),
            };
            for (acc, x) in b.accs.iter_mut().zip(&pdp) {
                if !x.is_nan() {
                    acc.add(*x);
                }
            }
            changed.push(level);
        }
        Update::Changed(changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::Archive;

    fn schema(kind: MetricKind) -> Schema {
        let mut s = Schema::new("t:x", 60, "test")
            .unwrap()
            .with_tags(&["ifid"])
            .unwrap()
            .with_metrics(kind, &["v"])
            .unwrap();
        s.archives = vec![
            Archive {
                resolution_secs: 60,
                rows: 10,
            },
            Archive {
                resolution_secs: 300,
                rows: 4,
            },
        ];
        s
    }

    #[test]
    fn counters_become_rates_and_resets_are_gaps() {
        let s = schema(MetricKind::Counter);
        let mut st = SeriesState::new(&s);
        assert_eq!(st.update(&s, 60, &[100.0]), Update::Changed(vec![]));
        assert_eq!(st.update(&s, 120, &[160.0]), Update::Changed(vec![0, 1]));
        assert_eq!(
            st.open[0].as_ref().unwrap().accs[0].value(Agg::Avg),
            Some(1.0)
        );
        assert_eq!(st.update(&s, 120, &[170.0]), Update::OutOfOrder);
        // A reset: unknown.
        assert_eq!(st.update(&s, 180, &[10.0]), Update::Changed(vec![]));
        // Beyond the heartbeat (2 steps): unknown.
        assert_eq!(st.update(&s, 420, &[400.0]), Update::Changed(vec![]));
        // Two steps: rate over both.
        assert_eq!(st.update(&s, 540, &[640.0]), Update::Changed(vec![0, 1]));
        assert_eq!(
            st.open[0].as_ref().unwrap().accs[0].value(Agg::Avg),
            Some(2.0)
        );
    }

    #[test]
    fn encode_round_trip() {
        let mut a = Acc::EMPTY;
        a.add(3.0);
        a.add(-1.5);
        let accs = vec![a, Acc::EMPTY];
        let d = decode(&encode(&accs), 2).unwrap();
        assert_eq!(d[0], a);
        assert_eq!(d[1].count, 0);
        assert!(decode(&[0; 3], 1).is_none());
        assert_eq!(decode_raw(&encode_raw(&[1.0, 2.5])), [1.0, 2.5]);
    }
}
