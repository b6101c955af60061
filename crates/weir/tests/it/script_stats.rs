//! What the user scripts cost, end to end: `weir scripts stats` on what `weir run`
//! wrote in the data directory, `GET /api/v1/scripts/stats` and `/metrics` while a
//! run is serving.

use crate::common::*;
use crate::web_support as support;

#[test]
fn scripts_stats_without_a_run_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let o = weir(&[
        "scripts",
        "stats",
        "--data-dir",
        dir.path().to_str().unwrap(),
    ]);
    one_line_error(&o, "no script stats in");
    assert!(stderr(&o).contains("scripts-stats.json"), "{}", stderr(&o));
}

#[test]
fn scripts_stats_reads_what_the_run_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = generate(dir.path(), "g.pcap", "300", "5");
    let data = dir.path().join("data");
    let d = data.to_str().unwrap();
    let o = weir(&["run", "--quiet", "--pcap", &pcap, "--data-dir", d]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = weir(&["scripts", "stats", "--data-dir", d, "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["version"], 1);
    let ifaces = v["interfaces"].as_array().unwrap();
    assert_eq!(ifaces.len(), 1, "{v}");
    let i = &ifaces[0];
    assert_eq!(i["interface"].as_str().unwrap(), pcap);
    assert_eq!(i["finished"], true);
    assert!(i["memory"]["limit_bytes"].as_u64().unwrap() > 0, "{i}");
    let scripts = i["scripts"].as_array().unwrap();
    let times: Vec<u64> = scripts
        .iter()
        .map(|s| s["time_ns"].as_u64().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "costliest first");
    let called: Vec<&serde_json::Value> = scripts
        .iter()
        .filter(|s| s["calls"].as_u64().unwrap() > 0)
        .collect();
    assert!(!called.is_empty(), "{i}");
    for s in called {
        let hooks = s["hooks"].as_array().unwrap();
        assert!(!hooks.is_empty(), "{s}");
        let sum: u64 = hooks.iter().map(|h| h["calls"].as_u64().unwrap()).sum();
        assert_eq!(sum, s["calls"].as_u64().unwrap(), "{s}");
        assert!(s["max_ns"].as_u64().unwrap() <= s["time_ns"].as_u64().unwrap());
    }
    // The text form names the file, when and by what it was written, and the top script.
    let o = weir(&["scripts", "stats", "--data-dir", d]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = stdout(&o);
    assert!(text.contains("scripts-stats.json: written 20"), "{text}");
    assert!(
        text.contains(&format!("interface {pcap} (ifid 0): finished")),
        "{text}"
    );
    let top = format!(
        "{}/{}",
        scripts[0]["plugin"].as_str().unwrap(),
        scripts[0]["script"].as_str().unwrap()
    );
    let first_row = text
        .lines()
        .skip_while(|l| !l.trim_start().starts_with("SCRIPT"))
        .nth(1)
        .unwrap_or_default();
    assert!(first_row.contains(&top), "{top} first:\n{text}");
    let o = weir(&["scripts", "stats", "--data-dir", d, "--interface", "nope"]);
    one_line_error(&o, "no script stats of interface `nope`");
}

#[test]
fn rest_and_metrics_show_the_cost() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = support::gen_pcap(dir.path(), 300);
    let w = support::Weir::start(&pcap, &dir.path().join("data"), &[]);
    w.wait_until(120, "script calls in the stats", |w| {
        w.get_json("/api/v1/scripts/stats").1["data"]
            .as_array()
            .is_some_and(|d| d.iter().any(|s| s["calls"].as_u64().unwrap_or(0) > 0))
    });
    let (s, v) = w.get_json("/api/v1/scripts/stats?limit=1000");
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["ifid"], 0);
    assert_eq!(v["sort"], "time");
    assert!(v["memory"]["used_bytes"].as_u64().unwrap() > 0, "{v}");
    let rows = v["data"].as_array().unwrap();
    let times: Vec<u64> = rows
        .iter()
        .map(|r| r["time_ns"].as_u64().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
    let r = rows
        .iter()
        .find(|r| r["calls"].as_u64().unwrap() > 0)
        .unwrap();
    for k in [
        "id",
        "plugin",
        "subdir",
        "key",
        "errors",
        "mean_ns",
        "max_ns",
        "alloc_bytes",
        "hooks",
    ] {
        assert!(!r[k].is_null(), "{k} in {r}");
    }
    assert_eq!(
        r["id"].as_str().unwrap(),
        format!(
            "{}/{}",
            r["subdir"].as_str().unwrap(),
            r["key"].as_str().unwrap()
        )
    );
    let (s, by_calls) = w.get_json("/api/v1/scripts/stats?sort=calls&limit=1000");
    assert_eq!(s, 200);
    let calls: Vec<u64> = by_calls["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["calls"].as_u64().unwrap())
        .collect();
    assert!(calls.windows(2).all(|w| w[0] >= w[1]), "{calls:?}");
    let (s, bad) = w.get_json("/api/v1/scripts/stats?sort=colour");
    assert_eq!(s, 400, "{bad}");
    let (s, _) = w.get_json("/api/v1/scripts/stats?ifid=7");
    assert_eq!(s, 404);
    let (s, _, metrics) = support::request_full(
        &w.url("/metrics"),
        "GET",
        Some(&support::basic("admin", support::ADMIN_PASSWORD)),
        &[],
        None,
    );
    assert_eq!(s, 200);
    for family in [
        "# TYPE weir_script_seconds_total counter",
        "# TYPE weir_script_calls_total counter",
        "# TYPE weir_lua_memory_bytes gauge",
    ] {
        assert!(metrics.contains(family), "{family}:\n{metrics}");
    }
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("weir_script_seconds_total{") && l.contains("script=\"flow/")),
        "{metrics}"
    );
    w.wait_until(120, "the replay to end", |w| {
        support::request(&w.url("/api/v1/health"), "GET", None, &[], None).1["capture_finished"]
            == true
    });
    let (status, _) = w.stop();
    assert!(status.success());
}

/// A plugin keeping a 2 KB string per flow in a module-level table, as the old
/// `syn_scan` kept a table per source.
fn leaky_plugin(dir: &std::path::Path) -> std::path::PathBuf {
    let p = dir.join("leaky");
    std::fs::create_dir_all(p.join("user_scripts/flow")).unwrap();
    std::fs::write(
        p.join("user_scripts/flow/keep_all.lua"),
        "local script = { hooks = {}, gui = { i18n_title = 'k', i18n_description = 'k' } }\n\
         local seen = {}\n\
         function script.hooks.protocolDetected(now)\n\
         \x20  seen[#seen + 1] = string.rep('x', 2000) .. flow.getKey()\n\
         end\n\
         return script\n",
    )
    .unwrap();
    p
}

#[test]
fn a_run_stops_a_leaking_script_alone_and_the_stats_say_why() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = generate(dir.path(), "g.pcap", "20000", "3");
    let data = dir.path().join("data");
    let d = data.to_str().unwrap();
    let plugin = leaky_plugin(dir.path());
    // Beside the leak, a script that is called for every flow and keeps nothing.
    std::fs::write(
        plugin.join("user_scripts/flow/every_flow.lua"),
        "local script = { hooks = {}, gui = { i18n_title = 'e', i18n_description = 'e' } }\n\
         function script.hooks.protocolDetected(now) end\n\
         return script\n",
    )
    .unwrap();
    let cfg = dir.path().join("weir.toml");
    // A 32 MiB VM: the leak passes the high-water mark (19 MiB) after some 9,000 flows.
    std::fs::write(&cfg, "[plugins]\nmemory_limit_mib = 32\n").unwrap();
    let o = weir(&[
        "run",
        "--quiet",
        "--json",
        "-c",
        cfg.to_str().unwrap(),
        "--pcap",
        &pcap,
        "--data-dir",
        d,
        "--plugins",
        plugin.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("memory budget exceeded") && err.contains("upvalue 'seen'"),
        "{err}"
    );
    let o = weir(&["scripts", "stats", "--data-dir", d, "--json"]);
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let i = &v["interfaces"][0];
    assert_eq!(i["memory"]["scripts_stopped"], 1, "{i}");
    let scripts = i["scripts"].as_array().unwrap();
    let disabled: Vec<&str> = scripts
        .iter()
        .filter(|s| s["disabled"] == true)
        .map(|s| s["script"].as_str().unwrap())
        .collect();
    assert_eq!(disabled, ["flow/keep_all"], "only the leak is stopped");
    let leak = scripts
        .iter()
        .find(|s| s["script"] == "flow/keep_all")
        .unwrap();
    assert!(
        leak["reason"].as_str().unwrap().contains("memory budget"),
        "{leak}"
    );
    // The other scripts went on to the end: called on every flow.
    let flows = scripts
        .iter()
        .find(|s| s["script"] == "flow/every_flow")
        .unwrap()["calls"]
        .as_u64()
        .unwrap();
    assert!(flows > leak["calls"].as_u64().unwrap(), "{i}");
}
