//! Built-in schemas (ntopng 4.2 names), written by the engine, not by plugins.
//!
//! | schema | step | tags | metrics |
//! | --- | --- | --- | --- |
//! | `iface:traffic` | 60 | ifid | bytes (counter) |
//! | `iface:traffic_rxtx` | 60 | ifid | bytes_sent, bytes_rcvd (counters) |
//! | `iface:packets_vs_drops` | 60 | ifid | packets, drops (counters) |
//! | `iface:flows` | 60 | ifid | num_flows (gauge) |
//! | `iface:hosts` | 60 | ifid | num_hosts, num_local_hosts (gauges) |
//! | `iface:ndpi` | 60 | ifid, protocol | bytes (counter) |
//! | `iface:alerts` | 60 | ifid | engaged (gauge), triggered (counter) |
//! | `iface:score` | 60 | ifid | cli_score, srv_score (gauges) |
//! | `host:traffic` | 300 | ifid, host | bytes_sent, bytes_rcvd (counters) |
//! | `host:ndpi` | 300 | ifid, host, protocol | bytes (counter) |
//! | `host:alerts` | 300 | ifid, host | engaged (gauge), triggered (counter) |
//! | `host:score` | 300 | ifid, host | score_as_cli, score_as_srv (gauges) |
//! | `subnet:traffic` | 300 | ifid, subnet | bytes_ingress, bytes_egress, bytes_inner (counters) |
//!
//! Their archives are [`default_archives`](crate::schema::default_archives) of the step.

use crate::schema::{MetricKind, Schema};

use MetricKind::{Counter, Gauge};

type Def = (
    &'static str,
    u32,
    &'static [&'static str],
    &'static [(MetricKind, &'static str)],
);

const DEFS: &[Def] = &[
    ("iface:traffic", 60, &["ifid"], &[(Counter, "bytes")]),
    (
        "iface:traffic_rxtx",
        60,
        &["ifid"],
        &[(Counter, "bytes_sent"), (Counter, "bytes_rcvd")],
    ),
    (
        "iface:packets_vs_drops",
        60,
        &["ifid"],
        &[(Counter, "packets"), (Counter, "drops")],
    ),
    ("iface:flows", 60, &["ifid"], &[(Gauge, "num_flows")]),
    (
        "iface:hosts",
        60,
        &["ifid"],
        &[(Gauge, "num_hosts"), (Gauge, "num_local_hosts")],
    ),
    (
        "iface:ndpi",
        60,
        &["ifid", "protocol"],
        &[(Counter, "bytes")],
    ),
    (
        "iface:alerts",
        60,
        &["ifid"],
        &[(Gauge, "engaged"), (Counter, "triggered")],
    ),
    (
        "iface:score",
        60,
        &["ifid"],
        &[(Gauge, "cli_score"), (Gauge, "srv_score")],
    ),
    (
        "host:traffic",
        300,
        &["ifid", "host"],
        &[(Counter, "bytes_sent"), (Counter, "bytes_rcvd")],
    ),
    (
        "host:ndpi",
        300,
        &["ifid", "host", "protocol"],
        &[(Counter, "bytes")],
    ),
    (
        "host:alerts",
        300,
        &["ifid", "host"],
        &[(Gauge, "engaged"), (Counter, "triggered")],
    ),
    (
        "host:score",
        300,
        &["ifid", "host"],
        &[(Gauge, "score_as_cli"), (Gauge, "score_as_srv")],
    ),
    (
        "subnet:traffic",
        300,
        &["ifid", "subnet"],
        &[
            (Counter, "bytes_ingress"),
            (Counter, "bytes_egress"),
            (Counter, "bytes_inner"),
        ],
    ),
];

/// The built-in schemas, freshly built (see the module table).
pub fn schemas() -> Vec<Schema> {
    DEFS.iter()
        .filter_map(|(name, step, tags, metrics)| {
            let mut s = Schema::new(name, *step, "builtin").ok()?;
            s.is_critical = true;
            for t in *tags {
                s.add_tag(t).ok()?;
            }
            for (kind, m) in *metrics {
                s.add_metric(m, *kind).ok()?;
            }
            Some(s)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_builtin_is_valid() {
        let all = super::schemas();
        assert_eq!(all.len(), super::DEFS.len());
        for s in all {
            s.validate().unwrap();
        }
    }
}
