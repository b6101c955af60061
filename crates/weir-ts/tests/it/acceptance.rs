//! Acceptance: ten minutes of per-host SYN counts, appended every minute through the
//! sink, give the expected per-minute values in the embedded store and in InfluxDB.

use std::collections::BTreeMap;

use weir_ts::*;

use crate::common::*;

/// Per host, per minute 0..=10: SYNs received during that minute (`None`: the
/// plugin did not append that minute). Deterministic.
fn synthetic() -> BTreeMap<String, Vec<Option<u64>>> {
    let mut out = BTreeMap::new();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for h in 0..6 {
        let host = format!("192.168.1.{}", 10 + h);
        let mut minutes = Vec::new();
        for m in 0..=10u64 {
            let syn = next() % 500;
            let present = match h {
                4 => m >= 3, // a host first seen at minute 3
                5 => m != 6, // a host whose minute 6 was not written
                _ => true,
            };
            minutes.push(present.then_some(syn));
        }
        out.insert(host, minutes);
    }
    out
}

/// The per-second rate expected at each minute, from the per-minute SYN counts: the
/// SYNs since the previous appended minute divided by the elapsed seconds; nothing
/// for a host's first minute, and nothing for a minute not appended.
fn expected() -> BTreeMap<String, Vec<(u64, f64)>> {
    let mut out = BTreeMap::new();
    for (host, minutes) in synthetic() {
        let mut pts = Vec::new();
        let mut prev: Option<u64> = None;
        let mut since_prev = 0u64;
        for (m, syn) in minutes.iter().enumerate() {
            let m = m as u64;
            match syn {
                Some(n) => {
                    since_prev += n;
                    if let Some(p) = prev {
                        pts.push((T0 + 60 * m, since_prev as f64 / (60 * (m - p)) as f64));
                    }
                    prev = Some(m);
                    since_prev = 0;
                }
                // The SYNs of an unwritten minute still show in the next total.
                None => since_prev += SKIPPED_MINUTE_SYNS,
            }
        }
        out.insert(host, pts);
    }
    out
}

/// SYNs received in a minute the plugin did not append.
const SKIPPED_MINUTE_SYNS: u64 = 137;

/// Appends the synthetic counters (cumulative totals) minute by minute.
fn write_all(w: &mut TsSender, schema: &std::sync::Arc<Schema>) {
    let data = synthetic();
    let mut totals: BTreeMap<&str, u64> = BTreeMap::new();
    for m in 0..=10u64 {
        for (host, minutes) in &data {
            let t = totals.entry(host.as_str()).or_default();
            // The counter counts every SYN, also in minutes the plugin skipped.
            let syn = minutes[m as usize].unwrap_or(SKIPPED_MINUTE_SYNS);
            *t += syn;
            if minutes[m as usize].is_some() {
                // Seconds into the minute, as a periodic script would see them.
                w.append(
                    schema,
                    vec!["0".into(), host.clone()],
                    vec![*t as f64],
                    T0 + 60 * m + 2,
                )
                .unwrap();
            }
        }
        w.end_step().unwrap();
    }
}

fn check(r: &QueryResult, what: &str) {
    let exp = expected();
    let got: BTreeMap<String, Vec<(u64, f64)>> = r
        .series
        .iter()
        .map(|s| {
            let host = s.tags.iter().find(|(k, _)| k == "host").unwrap().1.clone();
            let pts = s
                .points
                .iter()
                .map(|p| (p.ts, p.values[0].expect("a value")))
                .collect();
            (host, pts)
        })
        .collect();
    assert_eq!(got.len(), exp.len(), "{what}: hosts");
    for (host, e) in &exp {
        let g = &got[host];
        assert_eq!(g.len(), e.len(), "{what}: {host}: {g:?} vs {e:?}");
        for ((gt, gv), (et, ev)) in g.iter().zip(e) {
            assert_eq!(gt, et, "{what}: {host}");
            assert!(
                (gv - ev).abs() < 1e-9,
                "{what}: {host} at {gt}: {gv} != {ev}"
            );
        }
    }
}

#[test]
fn ten_minutes_of_syn_counts_embedded() {
    // The expectation itself: the host that skipped minute 6 has no point there, and
    // its minute-7 rate spans both minutes.
    let e = expected();
    let h5 = &e["192.168.1.15"];
    assert!(h5.iter().all(|(t, _)| *t != T0 + 360));
    let m7 = h5.iter().find(|(t, _)| *t == T0 + 420).unwrap().1;
    let syn7 = synthetic()["192.168.1.15"][7].unwrap();
    assert!((m7 - (SKIPPED_MINUTE_SYNS + syn7) as f64 / 120.0).abs() < 1e-9);
    assert_eq!(e["192.168.1.14"].first().unwrap().0, T0 + 240);

    let dir = tempfile::tempdir().unwrap();
    let store = EmbeddedStore::open_dir(dir.path()).unwrap();
    let sink = TsSink::spawn(Box::new(store.writer().unwrap()), SinkConfig::default()).unwrap();
    let schema = syn_schema();
    let mut w = sink.writer();
    write_all(&mut w, &schema);
    w.flush(WAIT).unwrap();
    let stats = sink.shutdown(WAIT).unwrap();
    assert_eq!(
        stats.overflow + stats.failed + stats.out_of_order + stats.cardinality,
        0
    );
    let r = store
        .query(&Query::new("host:syn_received").range(T0, T0 + 11 * 60))
        .unwrap();
    assert_eq!(r.step_secs, 60);
    check(&r, "embedded");
    // Top hosts by SYNs over the ten minutes = the sums of the expected counts.
    let top = store
        .top_k(&TopKQuery {
            schema: "host:syn_received".into(),
            metric: "syn".into(),
            k: 3,
            ..TopKQuery::default()
        })
        .unwrap();
    // Expected score: each per-second rate times the 60 s step it stands for.
    let mut totals: Vec<(f64, String)> = expected()
        .into_iter()
        .map(|(h, pts)| (pts.iter().map(|(_, v)| v * 60.0).sum(), h))
        .collect();
    totals.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    assert_eq!(top.len(), 3);
    for (item, (score, host)) in top.iter().zip(&totals) {
        assert_eq!(&item.tags[1].1, host);
        assert!(
            (item.score - score).abs() < 1e-6,
            "{} vs {score}",
            item.score
        );
    }
}

#[test]
fn ten_minutes_of_syn_counts_influxdb() {
    let server = InfluxServer::start();
    let backend = InfluxBackend::new(server.config("weir_accept")).unwrap();
    let health = backend.health_handle();
    let sink = TsSink::spawn(Box::new(backend), SinkConfig::default()).unwrap();
    let schema = syn_schema();
    let mut w = sink.writer();
    write_all(&mut w, &schema);
    w.flush(WAIT).unwrap();
    drop(w);
    sink.shutdown(WAIT).unwrap();
    let h = health.get();
    assert_eq!(h.status, InfluxStatus::Healthy, "{h:?}\n{}", server.log());
    assert_eq!(h.dropped_points + h.rejected_points + h.buffered_points, 0);
    let client = InfluxClient::new(server.config("weir_accept")).with_schemas(registry());
    let r = client
        .query(&Query::new("host:syn_received").range(T0, T0 + 11 * 60))
        .unwrap();
    assert_eq!(r.step_secs, 60);
    check(&r, "influxdb");
}
