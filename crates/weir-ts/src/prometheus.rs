//! Prometheus text exposition (format 0.0.4) for `/metrics`: an encoder, and the
//! timeseries sinks' own counters.
//!
//! ```
//! use weir_ts::prometheus::{Exposition, MetricType};
//!
//! let mut e = Exposition::new();
//! e.family("weir_interface_packets_total", "Packets received", MetricType::Counter);
//! e.sample("weir_interface_packets_total", &[("ifid", "0"), ("name", "eth0")], 1234.0);
//! let page = e.finish();
//! assert!(page.starts_with("# HELP weir_interface_packets_total Packets received\n"));
//! assert!(page.contains("\n# TYPE weir_interface_packets_total counter\n"));
//! assert!(page.ends_with("weir_interface_packets_total{ifid=\"0\",name=\"eth0\"} 1234\n"));
//! ```

use std::collections::HashSet;
use std::fmt::Write as _;

use crate::influx::{InfluxHealth, InfluxStatus};
use crate::writer::SinkStats;

/// `Content-Type` of the exposition.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// Metric family types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricType {
    /// Monotonic total (name ends in `_total` by convention).
    Counter,
    /// Instant value.
    Gauge,
}

/// A `/metrics` page being built. Families are declared once (`# HELP`, `# TYPE`);
/// samples of a family must follow its declaration.
#[derive(Debug, Default)]
pub struct Exposition {
    out: String,
    declared: HashSet<String>,
}

/// A metric or label name with invalid characters replaced by `_`
/// (`[a-zA-Z_:][a-zA-Z0-9_:]*`; labels may not use `:`).
pub fn sanitize_name(name: &str, label: bool) -> String {
    let mut s: String = name
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let ok = c.is_ascii_alphabetic()
                || c == '_'
                || (c == ':' && !label)
                || (i > 0 && c.is_ascii_digit());
            if ok { c } else { '_' }
        })
        .collect();
    if s.is_empty() {
        s.push('_');
    }
    s
}

fn escape(s: &str, quote: bool, out: &mut String) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '"' if quote => out.push_str("\\\""),
            c => out.push(c),
        }
    }
}

fn value(v: f64, out: &mut String) {
    if v.is_nan() {
        out.push_str("NaN");
    } else if v.is_infinite() {
        out.push_str(if v > 0.0 { "+Inf" } else { "-Inf" });
    } else {
        let _ = write!(out, "{v}");
    }
}

impl Exposition {
    /// An empty page.
    pub fn new() -> Exposition {
        Exposition::default()
    }

    /// Declares a family (once; later calls for the same name do nothing).
    pub fn family(&mut self, name: &str, help: &str, kind: MetricType) {
        let name = sanitize_name(name, false);
        if !self.declared.insert(name.clone()) {
            return;
        }
        let _ = write!(self.out, "# HELP {name} ");
        escape(help, false, &mut self.out);
        let kind = match kind {
            MetricType::Counter => "counter",
            MetricType::Gauge => "gauge",
        };
        let _ = writeln!(self.out, "\n# TYPE {name} {kind}");
    }

    /// One sample line.
    pub fn sample(&mut self, name: &str, labels: &[(&str, &str)], v: f64) {
        self.out.push_str(&sanitize_name(name, false));
        if !labels.is_empty() {
            self.out.push('{');
            for (i, (k, val)) in labels.iter().enumerate() {
                if i > 0 {
                    self.out.push(',');
                }
                self.out.push_str(&sanitize_name(k, true));
                self.out.push_str("=\"");
                escape(val, true, &mut self.out);
                self.out.push('"');
            }
            self.out.push('}');
        }
        self.out.push(' ');
        value(v, &mut self.out);
        self.out.push('\n');
    }

    /// Declares a counter family and adds one sample.
    pub fn counter(&mut self, name: &str, help: &str, labels: &[(&str, &str)], v: f64) {
        self.family(name, help, MetricType::Counter);
        self.sample(name, labels, v);
    }

    /// Declares a gauge family and adds one sample.
    pub fn gauge(&mut self, name: &str, help: &str, labels: &[(&str, &str)], v: f64) {
        self.family(name, help, MetricType::Gauge);
        self.sample(name, labels, v);
    }

    /// Adds a timeseries sink's counters, labelled `backend="<name>"`.
    pub fn sink_stats(&mut self, backend: &str, s: &SinkStats) {
        let l = [("backend", backend)];
        let c = |e: &mut Exposition, what: &str, help: &str, v: u64| {
            e.counter(&format!("weir_ts_points_{what}_total"), help, &l, v as f64);
        };
        c(
            self,
            "received",
            "Points handed to the timeseries sink thread",
            s.received,
        );
        c(
            self,
            "written",
            "Points stored by the timeseries backend",
            s.written,
        );
        c(
            self,
            "overflow",
            "Points dropped because the timeseries queue was full",
            s.overflow,
        );
        c(
            self,
            "cardinality",
            "Points refused by a schema's series cap",
            s.cardinality,
        );
        c(
            self,
            "out_of_order",
            "Points not newer than their series' last point",
            s.out_of_order,
        );
        c(
            self,
            "invalid",
            "Points conflicting with the stored schema",
            s.invalid,
        );
        c(
            self,
            "failed",
            "Points of failed timeseries writes",
            s.failed,
        );
    }

    /// Adds the InfluxDB backend's health.
    pub fn influx_health(&mut self, h: &InfluxHealth) {
        let up = match h.status {
            InfluxStatus::Healthy => 1.0,
            InfluxStatus::Retrying => 0.0,
            InfluxStatus::Unknown => f64::NAN,
        };
        self.gauge(
            "weir_influxdb_up",
            "1 when the last InfluxDB write succeeded",
            &[],
            up,
        );
        self.gauge(
            "weir_influxdb_consecutive_failures",
            "Failed InfluxDB requests since the last success",
            &[],
            h.consecutive_failures as f64,
        );
        for (what, v) in [("memory", h.buffered_points), ("spool", h.spooled_points)] {
            self.gauge(
                "weir_influxdb_buffered_points",
                "Points waiting for InfluxDB",
                &[("where", what)],
                v as f64,
            );
        }
        for (what, help, v) in [
            ("sent", "Points InfluxDB accepted", h.sent_points),
            (
                "dropped",
                "Points dropped: InfluxDB buffer and spool full",
                h.dropped_points,
            ),
            (
                "rejected",
                "Points InfluxDB refused (bad data)",
                h.rejected_points,
            ),
        ] {
            self.counter(
                &format!("weir_influxdb_points_{what}_total"),
                help,
                &[],
                v as f64,
            );
        }
    }

    /// The page.
    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_values() {
        let mut e = Exposition::new();
        e.gauge(
            "a-b",
            "help \\ with\nnewline",
            &[("l.x", "q\"\\\n")],
            f64::INFINITY,
        );
        e.gauge("a-b", "ignored", &[], f64::NAN);
        e.sample("9x", &[], -1.5);
        assert_eq!(
            e.finish(),
            "# HELP a_b help \\\\ with\\nnewline\n# TYPE a_b gauge\n\
             a_b{l_x=\"q\\\"\\\\\\n\"} +Inf\na_b NaN\n_x -1.5\n"
        );
    }

    #[test]
    fn sink_and_influx_families_are_declared_once() {
        let mut e = Exposition::new();
        e.sink_stats("embedded", &SinkStats::default());
        e.sink_stats(
            "influxdb",
            &SinkStats {
                written: 5,
                ..SinkStats::default()
            },
        );
        e.influx_health(&InfluxHealth::default());
        let page = e.finish();
        assert_eq!(
            page.matches("# TYPE weir_ts_points_written_total counter")
                .count(),
            1
        );
        assert!(page.contains("weir_ts_points_written_total{backend=\"influxdb\"} 5\n"));
        assert!(page.contains("weir_influxdb_buffered_points{where=\"spool\"} 0\n"));
        assert!(page.contains("weir_influxdb_up NaN\n"));
    }
}
