//! `weir run --workers N` gives the results of one worker: the same alerts (types,
//! entities, counts, contents but the flow id), the same timeseries points and the same
//! summary, on a generated capture with every scenario and on shared captures.

use std::path::{Path, PathBuf};

use crate::common::{generate, scratch_dir, stderr, stdout, weir};

/// What a run left behind, in a comparable form.
#[derive(Debug, PartialEq)]
struct Results {
    summary: serde_json::Value,
    alerts: Vec<String>,
    counts: String,
    series: String,
    points: Vec<String>,
}

fn run(pcap: &str, workers: usize, tag: &str) -> Results {
    let dir = scratch_dir().join(format!("shards-{tag}-{workers}"));
    let _ = std::fs::remove_dir_all(&dir);
    let d = dir.to_str().unwrap();
    let w = workers.to_string();
    let o = weir(&[
        "run",
        "--pcap",
        pcap,
        "--workers",
        &w,
        "--data-dir",
        d,
        "--quiet",
        "--json",
    ]);
    assert!(o.status.success(), "weir run --workers {w}: {}", stderr(&o));
    let mut summary: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    // Wall times and the timeseries writer's batching are the run's, not the results.
    for i in summary["interfaces"].as_array_mut().unwrap() {
        i.as_object_mut().unwrap().remove("costliest_scripts");
        // Per-worker Space-Saving lists, added up (docs/decisions.md §10).
        i.as_object_mut().unwrap().remove("top_talkers");
    }
    summary.as_object_mut().unwrap().remove("timeseries");
    // The flow history writer's transport (its store path, how many batches carried the
    // rows: one per worker) is the run's; the flows and alerts it wrote are results.
    if let Some(h) = summary.get_mut("history").and_then(|h| h.as_object_mut()) {
        h.retain(|k, _| k != "backend" && !k.starts_with("batches_"));
    }
    let a = weir(&["alerts", "--data-dir", d, "--json", "--limit", "1000000"]);
    assert!(a.status.success(), "{}", stderr(&a));
    let mut alerts: Vec<String> = stdout(&a)
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
            let o = v.as_object_mut().unwrap();
            o.remove("rowid");
            o.remove("id");
            // The flow id (ntopng's hash_entry_id) is numbered per worker.
            let text = serde_json::to_string(&v).unwrap();
            strip_flow_ids(&text)
        })
        .collect();
    alerts.sort();
    let counts = stdout(&weir(&["alerts", "--data-dir", d, "--counts"]));
    let series = stdout(&weir(&["ts", "list", "--data-dir", d]));
    let mut points = Vec::new();
    for schema in series.lines().filter(|l| !l.starts_with(' ')) {
        let name = schema.split_whitespace().next().unwrap();
        let q = weir(&["ts", "query", name, "--data-dir", d, "--json"]);
        assert!(q.status.success(), "{}", stderr(&q));
        points.extend(stdout(&q).lines().map(String::from));
    }
    points.sort();
    Results {
        summary,
        alerts,
        counts,
        series,
        points,
    }
}

/// Removes `"hash_entry_id":N` and `"ntopng.key":N` (escaped or not) from an alert.
fn strip_flow_ids(s: &str) -> String {
    let mut out = s.to_string();
    for key in ["hash_entry_id", "ntopng.key"] {
        for quote in ["\\\"", "\""] {
            let pat = format!("{quote}{key}{quote}:");
            while let Some(at) = out.find(&pat) {
                let start = at + pat.len();
                let end = out[start..]
                    .find(|c: char| !c.is_ascii_digit())
                    .map_or(out.len(), |e| start + e);
                out.replace_range(at..end, "");
            }
        }
    }
    out
}

fn same_results(pcap: &str, tag: &str, many: &[usize]) {
    let one = run(pcap, 1, tag);
    assert!(
        !one.alerts.is_empty(),
        "{pcap}: nothing to compare ({} alerts, {} points)",
        one.alerts.len(),
        one.points.len()
    );
    for &n in many {
        let other = run(pcap, n, tag);
        assert_eq!(one.summary, other.summary, "{pcap}: summary, {n} workers");
        assert_eq!(
            one.counts, other.counts,
            "{pcap}: alert counts, {n} workers"
        );
        for (a, b) in one.alerts.iter().zip(&other.alerts) {
            assert_eq!(a, b, "{pcap}: alerts, {n} workers");
        }
        assert_eq!(one.alerts.len(), other.alerts.len(), "{pcap}: alerts");
        assert_eq!(one.series, other.series, "{pcap}: series, {n} workers");
        let only = |a: &[String], b: &[String]| -> Vec<String> {
            a.iter().filter(|p| !b.contains(p)).cloned().collect()
        };
        assert!(
            one.points == other.points,
            "{pcap}: points, {n} workers: only with 1: {:?}; only with {n}: {:?}",
            only(&one.points, &other.points),
            only(&other.points, &one.points)
        );
    }
}

#[test]
fn a_generated_capture_gives_the_same_alerts_and_points_with_1_2_and_4_workers() {
    let dir = scratch_dir().join("shards-gen");
    std::fs::create_dir_all(&dir).unwrap();
    let pcap = generate(&dir, "scenarios.pcap", "400", "19");
    same_results(&pcap, "gen", &[2, 4]);
}

fn shared(name: &str) -> Option<String> {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/pcaps/ntopng-e2e"
    ))
    .join(name);
    if Path::new(&p).is_file() {
        Some(p.to_str().unwrap().to_string())
    } else {
        eprintln!("SKIPPED: {} is absent", p.display());
        None
    }
}

#[test]
fn shared_captures_give_the_same_alerts_and_points_with_1_and_3_workers() {
    for name in ["test_01.pcap", "dhcp_rogue.pcap"] {
        if let Some(p) = shared(name) {
            same_results(&p, name, &[3]);
        }
    }
}

#[test]
fn zero_workers_is_refused() {
    let o = weir(&["run", "--pcap", "x.pcap", "--workers", "0"]);
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("--workers must be at least 1"),
        "{}",
        stderr(&o)
    );
}
