//! Schemas (what a series is) and the registry plugins add to.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// How a metric's raw values are turned into stored values (RRD data-source types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MetricKind {
    /// A monotonically increasing total (bytes, packets, SYNs). Stored as a rate per
    /// second over each step; a decrease (reset) or a gap longer than the heartbeat
    /// gives an unknown value for that step.
    Counter,
    /// An instant value (active flows, score), stored as given.
    Gauge,
    /// Like a counter but may decrease: the signed rate per second
    /// (`ts_utils.metrics.derivative`).
    Derive,
}

impl MetricKind {
    /// The name used in stores and in `ts_utils.metrics`.
    pub fn name(self) -> &'static str {
        match self {
            MetricKind::Counter => "counter",
            MetricKind::Gauge => "gauge",
            MetricKind::Derive => "derivative",
        }
    }

    /// Parses `counter`, `gauge` or `derivative` (also `derive`).
    pub fn from_name(s: &str) -> Option<MetricKind> {
        match s {
            "counter" => Some(MetricKind::Counter),
            "gauge" => Some(MetricKind::Gauge),
            "derivative" | "derive" => Some(MetricKind::Derive),
            _ => None,
        }
    }

    /// True for counters and derives (stored as rates).
    pub fn is_rate(self) -> bool {
        !matches!(self, MetricKind::Gauge)
    }
}

/// A consolidation (aggregation) function: how the points of a bucket combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Agg {
    /// Mean of the known points (RRD `AVERAGE`; ntopng `mean`).
    #[default]
    Avg,
    /// Smallest known point.
    Min,
    /// Largest known point.
    Max,
    /// Latest known point.
    Last,
}

impl Agg {
    /// The name used on the command line and in `ts_utils.aggregation`.
    pub fn name(self) -> &'static str {
        match self {
            Agg::Avg => "mean",
            Agg::Min => "min",
            Agg::Max => "max",
            Agg::Last => "last",
        }
    }

    /// Parses `mean`/`avg`/`average`, `min`, `max`, `last`.
    pub fn from_name(s: &str) -> Option<Agg> {
        match s {
            "mean" | "avg" | "average" => Some(Agg::Avg),
            "min" => Some(Agg::Min),
            "max" => Some(Agg::Max),
            "last" => Some(Agg::Last),
            _ => None,
        }
    }
}

/// One metric (value column) of a schema.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Metric {
    /// Name (`bytes_sent`, `syn_received`, ...).
    pub name: String,
    /// Counter, gauge or derive.
    pub kind: MetricKind,
}

/// One round-robin archive: `rows` consolidated points of `resolution_secs` each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Archive {
    /// Width of one consolidated point; a multiple of the schema step.
    pub resolution_secs: u32,
    /// Number of points kept (the archive covers `rows * resolution_secs`).
    pub rows: u32,
}

impl Archive {
    /// Seconds covered by the archive.
    pub fn span_secs(self) -> u64 {
        u64::from(self.resolution_secs) * u64::from(self.rows)
    }
}

const DAY: u32 = 86_400;

/// The standard ladder: 1-minute points for a day, 5-minute for a week, hourly for
/// a year, daily for five years.
const LADDER: [(u32, u32); 4] = [(60, 1440), (300, 2016), (3600, 8760), (DAY, 1825)];

/// The default archives for a step (RRD-style): the step itself (the ladder's row
/// count when the step is on the ladder, else a day of points, at most
/// `max(1440, 3600 / step)` rows: an hour of 1-second points), then every ladder
/// archive coarser than the step and a multiple of it.
pub fn default_archives(step_secs: u32) -> Vec<Archive> {
    let step = step_secs.max(1);
    let rows = LADDER
        .iter()
        .find(|(r, _)| *r == step)
        .map_or_else(|| (DAY / step).clamp(1, 1440.max(3600 / step)), |(_, n)| *n);
    let mut out = vec![Archive {
        resolution_secs: step,
        rows,
    }];
    out.extend(
        LADDER
            .iter()
            .filter(|(r, _)| *r > step && r % step == 0)
            .map(|&(resolution_secs, rows)| Archive {
                resolution_secs,
                rows,
            }),
    );
    out
}

/// A timeseries schema: what identifies a series (tags) and what it measures
/// (metrics), its step and its archives.
///
/// Build with [`Schema::new`], then [`Schema::add_tag`] / [`Schema::add_metric`]
/// (the `ts_utils.newSchema` / `addTag` / `addMetric` calls), then register it in a
/// [`SchemaRegistry`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Schema {
    /// `family:metric`, e.g. `host:syn_received`.
    pub name: String,
    /// Seconds between points (60 for `min.lua`, 300 for `5mins.lua`, ...).
    pub step_secs: u32,
    /// Tag names, in `addTag` order (identity of a series). `ifid` is mandatory.
    pub tags: Vec<String>,
    /// Metrics, in `addMetric` order.
    pub metrics: Vec<Metric>,
    /// Default consolidation for charts (`aggregation_function`).
    pub aggregation: Agg,
    /// Write even when the periodic deadline is near (`is_critical_ts`).
    pub is_critical: bool,
    /// Round-robin archives, finest first; fixed when the store creates the schema.
    pub archives: Vec<Archive>,
    /// At most this many series (tag combinations) per store; more are refused and
    /// counted.
    pub max_series: u32,
    /// A counter whose previous value is older than this many seconds gives an
    /// unknown step instead of a rate smeared over the gap (RRD heartbeat).
    pub heartbeat_secs: u32,
    /// The file that defined it (`plugins/<p>/ts_schemas/min.lua`) or `builtin`.
    #[serde(default)]
    pub origin: String,
}

/// Default cardinality cap of a schema.
pub const DEFAULT_MAX_SERIES: u32 = 65_536;

/// Tag and metric names: ASCII letters, digits and `_`, not starting with a digit.
fn valid_ident(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && s.len() <= 64
}

impl Schema {
    /// A schema without tags or metrics; all metrics added with
    /// [`Schema::add_metric`] default to counters (the `ts_utils` default).
    ///
    /// # Errors
    /// [`Error::InvalidSchema`] if the name is not `family:metric` (letters, digits,
    /// `_`, `-`, `.`, `:`; at most 128 bytes) or the step is 0 or over a day.
    pub fn new(name: &str, step_secs: u32, origin: &str) -> Result<Schema> {
        let bad = |reason: &str| Error::InvalidSchema {
            name: name.into(),
            origin: origin.into(),
            reason: reason.into(),
        };
        let (family, metric) = name
            .split_once(':')
            .ok_or_else(|| bad("the name must be `family:metric`"))?;
        if family.is_empty()
            || metric.is_empty()
            || name.len() > 128
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':'))
        {
            return Err(bad(
                "the name must be `family:metric` (letters, digits, `_`, `-`, `.`)",
            ));
        }
        if step_secs == 0 || step_secs > DAY {
            return Err(bad("step must be between 1 and 86400 seconds"));
        }
        Ok(Schema {
            name: name.into(),
            step_secs,
            tags: Vec::new(),
            metrics: Vec::new(),
            aggregation: Agg::Avg,
            is_critical: false,
            archives: default_archives(step_secs),
            max_series: DEFAULT_MAX_SERIES,
            heartbeat_secs: step_secs.saturating_mul(2),
            origin: origin.into(),
        })
    }

    fn invalid(&self, reason: impl Into<String>) -> Error {
        Error::InvalidSchema {
            name: self.name.clone(),
            origin: self.origin.clone(),
            reason: reason.into(),
        }
    }

    fn check_field_name(&self, what: &str, name: &str) -> Result<()> {
        if name == "measurement" {
            return Err(self.invalid(format!("`measurement` is not a valid {what} name")));
        }
        if !valid_ident(name) {
            return Err(self.invalid(format!(
                "{what} name {name:?} must be letters, digits and `_` (at most 64)"
            )));
        }
        if self.tags.iter().any(|t| t == name) || self.metrics.iter().any(|m| m.name == name) {
            return Err(self.invalid(format!("{name:?} is already a tag or a metric")));
        }
        Ok(())
    }

    /// Adds a tag; a duplicate is ignored (returns `Ok(false)`).
    ///
    /// # Errors
    /// [`Error::InvalidSchema`] for `measurement`, an invalid name, or a name that is
    /// already a metric.
    pub fn add_tag(&mut self, name: &str) -> Result<bool> {
        if self.tags.iter().any(|t| t == name) {
            return Ok(false);
        }
        self.check_field_name("tag", name)?;
        self.tags.push(name.into());
        Ok(true)
    }

    /// Adds a metric; a duplicate is ignored (returns `Ok(false)`).
    ///
    /// # Errors
    /// As [`Schema::add_tag`].
    pub fn add_metric(&mut self, name: &str, kind: MetricKind) -> Result<bool> {
        if self.metrics.iter().any(|m| m.name == name) {
            return Ok(false);
        }
        self.check_field_name("metric", name)?;
        self.metrics.push(Metric {
            name: name.into(),
            kind,
        });
        Ok(true)
    }

    /// Builder form of [`Schema::add_tag`] for built-in definitions.
    ///
    /// # Errors
    /// As [`Schema::add_tag`].
    pub fn with_tags(mut self, tags: &[&str]) -> Result<Schema> {
        for t in tags {
            self.add_tag(t)?;
        }
        Ok(self)
    }

    /// Builder form of [`Schema::add_metric`].
    ///
    /// # Errors
    /// As [`Schema::add_tag`].
    pub fn with_metrics(mut self, kind: MetricKind, metrics: &[&str]) -> Result<Schema> {
        for m in metrics {
            self.add_metric(m, kind)?;
        }
        Ok(self)
    }

    /// Position of a metric.
    pub fn metric_index(&self, name: &str) -> Option<usize> {
        self.metrics.iter().position(|m| m.name == name)
    }

    /// Position of a tag.
    pub fn tag_index(&self, name: &str) -> Option<usize> {
        self.tags.iter().position(|t| t == name)
    }

    /// The family (`host` of `host:traffic`), which decides where the UI shows it.
    pub fn family(&self) -> &str {
        self.name.split_once(':').map_or(&*self.name, |(f, _)| f)
    }

    /// Checks that the schema can hold points: an `ifid` tag, at least one metric,
    /// archives that are multiples of the step (finest first, at least one row each).
    ///
    /// # Errors
    /// [`Error::InvalidSchema`] saying what is wrong.
    pub fn validate(&self) -> Result<()> {
        if !self.tags.iter().any(|t| t == "ifid") {
            return Err(self.invalid("tag `ifid` is mandatory"));
        }
        if self.metrics.is_empty() {
            return Err(self.invalid("at least one metric is needed"));
        }
        if self.tags.len() > 32 || self.metrics.len() > 256 {
            return Err(self.invalid("at most 32 tags and 256 metrics"));
        }
        if self.archives.is_empty() || self.archives.len() > 16 {
            return Err(self.invalid("between 1 and 16 archives are needed"));
        }
        let mut last = 0;
        for a in &self.archives {
            if a.rows == 0 || a.rows > 1_000_000 {
                return Err(self.invalid("archive rows must be between 1 and 1000000"));
            }
            if a.resolution_secs == 0
                || a.resolution_secs % self.step_secs != 0
                || a.resolution_secs <= last
            {
                return Err(
                    self.invalid("archive resolutions must be increasing multiples of the step")
                );
            }
            last = a.resolution_secs;
        }
        if self.max_series == 0 {
            return Err(self.invalid("max_series must be > 0"));
        }
        if self.heartbeat_secs < self.step_secs {
            return Err(self.invalid("heartbeat must be at least one step"));
        }
        Ok(())
    }

    /// Bytes one series of this schema can occupy at most in the embedded store
    /// (archive rows × per-row size, before SQLite's page overhead).
    pub fn max_bytes_per_series(&self) -> u64 {
        let row = 24 + 40 * self.metrics.len() as u64;
        self.archives.iter().map(|a| u64::from(a.rows) * row).sum()
    }
}

/// Whether [`SchemaRegistry::define`] added the schema or kept an earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defined {
    /// First definition of this name.
    New,
    /// A schema of this name was already registered: the first one is kept (a
    /// warning naming both origins is logged), as ntopng does.
    Existing,
}

/// The schemas known to a process: built-ins plus those plugins define.
///
/// Plugins' `ts_schemas/<gran>.lua` files build a [`Schema`] with `newSchema` /
/// `addTag` / `addMetric`; the script layer registers it here once the file has run.
#[derive(Debug, Clone, Default)]
pub struct SchemaRegistry {
    map: BTreeMap<String, Arc<Schema>>,
}

impl SchemaRegistry {
    /// An empty registry.
    pub fn new() -> SchemaRegistry {
        SchemaRegistry::default()
    }

    /// A registry holding the built-in schemas ([`crate::builtin`]).
    pub fn with_builtins() -> SchemaRegistry {
        let mut r = SchemaRegistry::new();
        for s in crate::builtin::schemas() {
            let name = s.name.clone();
            r.map.insert(name, Arc::new(s));
        }
        r
    }

    /// Registers a schema after [`Schema::validate`]. A second definition of the same
    /// name keeps the first ([`Defined::Existing`], with a warning).
    ///
    /// # Errors
    /// [`Error::InvalidSchema`] from [`Schema::validate`].
    pub fn define(&mut self, schema: Schema) -> Result<(Arc<Schema>, Defined)> {
        schema.validate()?;
        if let Some(old) = self.map.get(&schema.name) {
            if **old != schema {
                tracing::warn!(
                    schema = %schema.name,
                    origin = %schema.origin,
                    first = %old.origin,
                    "timeseries schema redefined; keeping the first definition"
                );
            }
            return Ok((Arc::clone(old), Defined::Existing));
        }
        let s = Arc::new(schema);
        self.map.insert(s.name.clone(), Arc::clone(&s));
        Ok((s, Defined::New))
    }

    /// The schema of this name.
    pub fn get(&self, name: &str) -> Option<&Arc<Schema>> {
        self.map.get(name)
    }

    /// The schema of this name.
    ///
    /// # Errors
    /// [`Error::UnknownSchema`].
    pub fn require(&self, name: &str) -> Result<&Arc<Schema>> {
        self.get(name)
            .ok_or_else(|| Error::UnknownSchema(name.into()))
    }

    /// All schemas, by name.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<Schema>> {
        self.map.values()
    }

    /// Number of schemas.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when no schema is registered.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_archives_for_a_minute_step() {
        let a = default_archives(60);
        let r: Vec<(u32, u32)> = a.iter().map(|a| (a.resolution_secs, a.rows)).collect();
        assert_eq!(r, [(60, 1440), (300, 2016), (3600, 8760), (86_400, 1825)]);
        let r: Vec<u32> = default_archives(300)
            .iter()
            .map(|a| a.resolution_secs)
            .collect();
        assert_eq!(r, [300, 3600, 86_400]);
        let r: Vec<(u32, u32)> = default_archives(5)
            .iter()
            .map(|a| (a.resolution_secs, a.rows))
            .collect();
        assert_eq!(r[0], (5, 1440));
        assert_eq!(r[1], (60, 1440));
        assert_eq!(default_archives(1)[0].rows, 3600);
        assert_eq!(default_archives(120)[0].rows, 720);
        for step in [1, 5, 10, 60, 300, 3600, 86_400] {
            let mut s = Schema::new("a:b", step, "t").unwrap();
            s.add_tag("ifid").unwrap();
            s.add_metric("x", MetricKind::Gauge).unwrap();
            s.validate().unwrap();
        }
    }

    #[test]
    fn names_and_fields_are_checked() {
        assert!(Schema::new("nocolon", 60, "t").is_err());
        assert!(Schema::new("a:b c", 60, "t").is_err());
        assert!(Schema::new("a:b", 0, "t").is_err());
        let mut s = Schema::new("host:syn_received", 60, "min.lua").unwrap();
        assert!(s.add_tag("measurement").is_err());
        assert!(s.add_tag("ifid").unwrap());
        assert!(!s.add_tag("ifid").unwrap());
        assert!(s.add_metric("ifid", MetricKind::Counter).is_err());
        assert!(s.validate().unwrap_err().to_string().contains("min.lua"));
        s.add_metric("syn", MetricKind::Counter).unwrap();
        s.validate().unwrap();
        let mut s2 = Schema::new("host:x", 60, "t").unwrap();
        s2.add_metric("v", MetricKind::Gauge).unwrap();
        assert!(s2.validate().unwrap_err().to_string().contains("ifid"));
    }

    #[test]
    fn redefinition_keeps_the_first() {
        let mut r = SchemaRegistry::new();
        let s = Schema::new("a:b", 60, "one.lua")
            .unwrap()
            .with_tags(&["ifid"])
            .unwrap()
            .with_metrics(MetricKind::Gauge, &["v"])
            .unwrap();
        let mut s2 = s.clone();
        s2.origin = "two.lua".into();
        assert_eq!(r.define(s).unwrap().1, Defined::New);
        let (kept, d) = r.define(s2).unwrap();
        assert_eq!(d, Defined::Existing);
        assert_eq!(kept.origin, "one.lua");
    }
}
