//! InfluxDB line protocol encoding.
//!
//! `measurement,tag=value,... field=1.5,... 1700000040` with `precision=s`. Escaping
//! follows the 1.x/2.x reference: commas and spaces in measurements; commas, `=` and
//! spaces in tag keys, tag values and field keys. Every field is written as a float.
//! Tag values never hold a backslash or a control character ([`Point::new`] refuses
//! them): 1.x has no unambiguous escape for a backslash before a delimiter.

use std::fmt::Write as _;

use crate::point::Point;

fn escape(s: &str, special: &[char], out: &mut String) {
    for c in s.chars() {
        if special.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
}

/// Appends a measurement name, escaped (`,` and space).
pub fn escape_measurement(s: &str, out: &mut String) {
    escape(s, &[',', ' '], out);
}

/// Appends a tag key or field key, escaped (`,`, `=` and space).
pub fn escape_key(s: &str, out: &mut String) {
    escape(s, &[',', '=', ' '], out);
}

/// Appends a tag value, escaped (`,`, `=` and space).
pub fn escape_tag_value(s: &str, out: &mut String) {
    escape(s, &[',', '=', ' '], out);
}

/// Appends one line (with its `\n`) for a point: measurement = schema name, tags in
/// key order, one float field per metric (raw values: counters are totals; queries
/// derive the rates), time = the point's time aligned to the step, in seconds.
/// Metrics that are NaN or infinite are left out; returns `false` (and writes
/// nothing) when none is left.
pub fn write_line(out: &mut String, p: &Point) -> bool {
    if !p.values.iter().any(|v| v.is_finite()) {
        return false;
    }
    escape_measurement(&p.schema.name, out);
    let mut order: Vec<usize> = (0..p.schema.tags.len()).collect();
    order.sort_by(|&a, &b| p.schema.tags[a].cmp(&p.schema.tags[b]));
    for i in order {
        if let (Some(k), Some(v)) = (p.schema.tags.get(i), p.tags.get(i)) {
            out.push(',');
            escape_key(k, out);
            out.push('=');
            escape_tag_value(v, out);
        }
    }
    let mut sep = ' ';
    for (m, v) in p.schema.metrics.iter().zip(&p.values) {
        if !v.is_finite() {
            continue;
        }
        out.push(sep);
        sep = ',';
        escape_key(&m.name, out);
        let _ = write!(out, "={v}");
    }
    let _ = writeln!(out, " {}", p.aligned_ts());
    true
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::schema::{MetricKind, Schema};

    #[test]
    fn one_line() {
        let s = Arc::new(
            Schema::new("host:syn_received", 60, "t")
                .unwrap()
                .with_tags(&["ifid", "host"])
                .unwrap()
                .with_metrics(MetricKind::Counter, &["syn", "other"])
                .unwrap(),
        );
        let p = Point::new(
            &s,
            vec!["0".into(), "a b,c=d".into()],
            vec![1.5, f64::NAN],
            125,
        )
        .unwrap();
        let mut out = String::new();
        assert!(write_line(&mut out, &p));
        assert_eq!(
            out,
            "host:syn_received,host=a\\ b\\,c\\=d,ifid=0 syn=1.5 120\n"
        );
        let p = Point::new(
            &s,
            vec!["0".into(), "x".into()],
            vec![f64::NAN, f64::INFINITY],
            0,
        )
        .unwrap();
        assert!(!write_line(&mut out, &p));
    }
}
