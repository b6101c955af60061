//! ClickHouse's TabSeparated format: rows written for inserts, read back from queries.

use std::io::Write;

use crate::record::{AlertRecord, FlowRecord};

/// Appends `s` with TabSeparated escapes (`\\`, `\t`, `\n`, `\r`, `\0`).
pub fn escape(out: &mut Vec<u8>, s: &str) {
    for &b in s.as_bytes() {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            0 => out.extend_from_slice(b"\\0"),
            _ => out.push(b),
        }
    }
}

/// Undoes [`escape`] (and ClickHouse's other escapes: `\b`, `\f`, `\'`).
pub fn unescape(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some(o) => out.push(o),
            None => out.push('\\'),
        }
    }
    out
}

/// The columns of a flows insert, in [`flow_row`] order.
pub const FLOW_COLUMNS: &str = "probe, interface, vlan, l4, cli_ip, cli_port, srv_ip, srv_port, \
    first_seen_us, last_seen_us, cli2srv_bytes, srv2cli_bytes, cli2srv_packets, srv2cli_packets, \
    l7_proto, category, risks, statuses, score, info, end_reason, batch_id";

/// Appends one flow as a TabSeparated row of [`FLOW_COLUMNS`].
pub fn flow_row(out: &mut Vec<u8>, f: &FlowRecord, batch_id: &str) {
    escape(out, &f.probe);
    out.push(b'\t');
    escape(out, &f.interface);
    // Writing into a Vec cannot fail.
    let _ = write!(
        out,
        "\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t",
        f.vlan,
        f.l4,
        f.cli_ip,
        f.cli_port,
        f.srv_ip,
        f.srv_port,
        f.first_seen_us,
        f.last_seen_us,
        f.cli2srv_bytes,
        f.srv2cli_bytes,
        f.cli2srv_packets,
        f.srv2cli_packets
    );
    escape(out, &f.l7_proto);
    out.push(b'\t');
    escape(out, &f.category);
    let _ = write!(out, "\t{}\t{}\t{}\t", f.risks, f.statuses, f.score);
    escape(out, &f.info);
    out.push(b'\t');
    out.extend_from_slice(f.end_reason.name().as_bytes());
    out.push(b'\t');
    escape(out, batch_id);
    out.push(b'\n');
}

/// The columns of an alerts insert, in [`alert_row`] order.
pub const ALERT_COLUMNS: &str = "probe, ifid, kind, action, alert_type, alert_name, severity, \
    entity, entity_val, tstamp, tstamp_end, score, cli_ip, srv_ip, json, batch_id";

/// Appends one alert as a TabSeparated row of [`ALERT_COLUMNS`].
pub fn alert_row(out: &mut Vec<u8>, a: &AlertRecord, batch_id: &str) {
    escape(out, &a.probe);
    let _ = write!(out, "\t{}\t", a.ifid);
    escape(out, &a.kind);
    out.push(b'\t');
    escape(out, &a.action);
    let _ = write!(out, "\t{}\t", a.alert_type);
    escape(out, &a.alert_name);
    let _ = write!(out, "\t{}\t{}\t", a.severity, a.entity);
    escape(out, &a.entity_val);
    let _ = write!(out, "\t{}\t{}\t{}\t", a.tstamp, a.tstamp_end, a.score);
    escape(out, &a.cli_ip);
    out.push(b'\t');
    escape(out, &a.srv_ip);
    out.push(b'\t');
    escape(out, &a.json);
    out.push(b'\t');
    escape(out, batch_id);
    out.push(b'\n');
}

/// A string literal for ClickHouse SQL (quoted, with `\` and `'` escaped).
pub fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    q.push('\'');
    for c in s.chars() {
        match c {
            '\\' => q.push_str("\\\\"),
            '\'' => q.push_str("\\'"),
            _ => q.push(c),
        }
    }
    q.push('\'');
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn escape_round_trips(s in "\\PC*|[\\t\\n\\r\\\\\\x00a]*") {
            let mut out = Vec::new();
            escape(&mut out, &s);
            let text = String::from_utf8(out).unwrap();
            proptest::prop_assert!(!text.contains('\t') && !text.contains('\n'));
            proptest::prop_assert_eq!(unescape(&text), s);
        }
    }

    #[test]
    fn rows_have_one_field_per_column() {
        let mut f = FlowRecord::empty();
        f.info = "a\tb\nc".into();
        let mut out = Vec::new();
        flow_row(&mut out, &f, "p-1");
        let line = String::from_utf8(out).unwrap();
        assert_eq!(
            line.trim_end_matches('\n').split('\t').count(),
            FLOW_COLUMNS.split(',').count()
        );
        let a = AlertRecord {
            probe: "p".into(),
            ifid: 0,
            kind: "host".into(),
            action: "store".into(),
            alert_type: 1,
            alert_name: "x".into(),
            severity: 3,
            entity: 1,
            entity_val: "10.0.0.1".into(),
            tstamp: 1,
            tstamp_end: 0,
            score: 10,
            cli_ip: String::new(),
            srv_ip: String::new(),
            json: "{\"a\":\"\\t\"}".into(),
        };
        let mut out = Vec::new();
        alert_row(&mut out, &a, "p-2");
        let line = String::from_utf8(out).unwrap();
        assert_eq!(
            line.trim_end_matches('\n').split('\t').count(),
            ALERT_COLUMNS.split(',').count()
        );
        assert_eq!(quote("a'b\\"), "'a\\'b\\\\'");
    }
}
