//! Points: one value per metric of a schema, for one series at one time.

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::schema::Schema;

/// One point of one series: tag values in the schema's tag order, one value per
/// metric in the schema's metric order, a time in seconds since the epoch
/// (packet-time clock).
///
/// A value that is NaN or infinite is "unknown" for that step (a gap), never zero.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// The schema the point belongs to.
    pub schema: Arc<Schema>,
    /// Tag values, in `schema.tags` order.
    pub tags: Vec<String>,
    /// Metric values, in `schema.metrics` order (raw totals for counters).
    pub values: Vec<f64>,
    /// Seconds since the epoch; stores align it down to the schema step.
    pub ts: u64,
}

/// A value in a `ts_utils.append` table: tags are text (numbers are formatted),
/// metrics are numbers.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// A string (tag values).
    Text(String),
    /// A number (metrics; integral numbers are accepted as tag values too, e.g. `ifid = 0`).
    Number(f64),
}

/// Latest accepted time (2^40 s, about the year 36,800): keeps time arithmetic
/// far from overflow, in SQLite's i64 and in InfluxDB's nanoseconds.
pub const MAX_TS: u64 = 1 << 40;

fn bad(schema: &Schema, reason: impl Into<String>) -> Error {
    Error::InvalidPoint {
        schema: schema.name.clone(),
        origin: schema.origin.clone(),
        reason: reason.into(),
    }
}

fn check_tag_value(schema: &Schema, name: &str, v: &str) -> Result<()> {
    if v.is_empty() || v.len() > 256 || v.chars().any(|c| c.is_control() || c == '\\') {
        return Err(bad(
            schema,
            format!(
                "tag `{name}` must be 1 to 256 bytes without control characters or backslashes"
            ),
        ));
    }
    Ok(())
}

impl Point {
    /// A point from positional tags and metrics.
    ///
    /// # Errors
    /// [`Error::InvalidPoint`] when the schema has no `ifid` tag, the tag or metric
    /// count differs from the schema, or a tag value is empty, longer than 256 bytes
    /// or holds a control character or a backslash (which InfluxDB 1.x line protocol
    /// cannot carry unambiguously).
    pub fn new(
        schema: &Arc<Schema>,
        tags: Vec<String>,
        values: Vec<f64>,
        ts: u64,
    ) -> Result<Point> {
        if schema.tag_index("ifid").is_none() {
            return Err(bad(schema, "the schema has no `ifid` tag"));
        }
        if ts > MAX_TS {
            return Err(bad(schema, format!("time {ts} is out of range")));
        }
        if tags.len() != schema.tags.len() {
            return Err(bad(
                schema,
                format!(
                    "{} tags given, the schema has {}",
                    tags.len(),
                    schema.tags.len()
                ),
            ));
        }
        if values.len() != schema.metrics.len() {
            return Err(bad(
                schema,
                format!(
                    "{} metrics given, the schema has {}",
                    values.len(),
                    schema.metrics.len()
                ),
            ));
        }
        for (name, v) in schema.tags.iter().zip(&tags) {
            check_tag_value(schema, name, v)?;
        }
        Ok(Point {
            schema: Arc::clone(schema),
            tags,
            values,
            ts,
        })
    }

    /// A point from the mixed `tags_and_metrics` table of `ts_utils.append`: every
    /// tag and every metric of the schema must be present, and nothing else.
    ///
    /// # Errors
    /// [`Error::InvalidPoint`] naming the missing, unknown or mistyped key (and the
    /// schema's file), or as [`Point::new`].
    pub fn from_fields<K: AsRef<str>>(
        schema: &Arc<Schema>,
        fields: impl IntoIterator<Item = (K, FieldValue)>,
        ts: u64,
    ) -> Result<Point> {
        let mut tags: Vec<Option<String>> = vec![None; schema.tags.len()];
        let mut values: Vec<Option<f64>> = vec![None; schema.metrics.len()];
        for (k, v) in fields {
            let k = k.as_ref();
            if let Some(i) = schema.tag_index(k) {
                let text = match v {
                    FieldValue::Text(s) => s,
                    FieldValue::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => {
                        format!("{}", n as i64)
                    }
                    FieldValue::Number(n) => format!("{n}"),
                };
                tags[i] = Some(text);
            } else if let Some(i) = schema.metric_index(k) {
                match v {
                    FieldValue::Number(n) => values[i] = Some(n),
                    FieldValue::Text(t) => match t.trim().parse::<f64>() {
                        Ok(n) => values[i] = Some(n),
                        Err(_) => {
                            return Err(bad(
                                schema,
                                format!("metric `{k}` is not a number: {t:?}"),
                            ));
                        }
                    },
                }
            } else {
                return Err(bad(schema, format!("unknown tag or metric `{k}`")));
            }
        }
        let tags = tags
            .into_iter()
            .zip(&schema.tags)
            .map(|(v, name)| v.ok_or_else(|| bad(schema, format!("tag `{name}` is missing"))))
            .collect::<Result<Vec<_>>>()?;
        let values = values
            .into_iter()
            .zip(&schema.metrics)
            .map(|(v, m)| v.ok_or_else(|| bad(schema, format!("metric `{}` is missing", m.name))))
            .collect::<Result<Vec<_>>>()?;
        Point::new(schema, tags, values, ts)
    }

    /// The value of a tag by name.
    pub fn tag(&self, name: &str) -> Option<&str> {
        self.schema
            .tag_index(name)
            .and_then(|i| self.tags.get(i))
            .map(String::as_str)
    }

    /// The time aligned down to the schema step.
    pub fn aligned_ts(&self) -> u64 {
        let step = u64::from(self.schema.step_secs.max(1));
        self.ts - self.ts % step
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::MetricKind;

    fn schema() -> Arc<Schema> {
        Arc::new(
            Schema::new("host:syn_received", 60, "plugins/syn/ts_schemas/min.lua")
                .unwrap()
                .with_tags(&["ifid", "host"])
                .unwrap()
                .with_metrics(MetricKind::Counter, &["syn"])
                .unwrap(),
        )
    }

    #[test]
    fn from_fields_checks_keys() {
        let s = schema();
        let p = Point::from_fields(
            &s,
            [
                ("ifid", FieldValue::Number(0.0)),
                ("host", FieldValue::Text("10.0.0.1".into())),
                ("syn", FieldValue::Number(5.0)),
            ],
            125,
        )
        .unwrap();
        assert_eq!(p.tags, ["0", "10.0.0.1"]);
        assert_eq!(p.tag("host"), Some("10.0.0.1"));
        assert_eq!(p.aligned_ts(), 120);
        let e = Point::from_fields(&s, [("ifid", FieldValue::Number(0.0))], 0).unwrap_err();
        assert!(e.to_string().contains("`host` is missing"), "{e}");
        assert!(e.to_string().contains("min.lua"), "{e}");
        let e = Point::from_fields(
            &s,
            [
                ("ifid", FieldValue::Number(0.0)),
                ("host", FieldValue::Text("h".into())),
                ("syn", FieldValue::Number(5.0)),
                ("extra", FieldValue::Number(5.0)),
            ],
            0,
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("unknown tag or metric `extra`"),
            "{e}"
        );
        assert!(Point::new(&s, vec!["0".into(), "a\nb".into()], vec![1.0], 0).is_err());
        assert!(Point::new(&s, vec!["0".into()], vec![1.0], 0).is_err());
        assert!(Point::new(&s, vec!["0".into(), "h".into()], vec![1.0], MAX_TS + 1).is_err());
    }
}
