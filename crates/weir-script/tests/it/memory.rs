//! Memory without death spirals: a script keeping too much is stopped alone (with
//! the alert), a one-call memory bomb does not take innocent scripts with it, and a
//! script under its budget is left alone.

use std::path::Path;

use serde_json::Value;
use weir_decode::Timestamp;
use weir_flow::FlowKey;
use weir_script::{FlowHook, FlowView, Runtime, ScriptConfig, ScriptInfo};

use crate::common::*;

const HEADER: &str =
    "local script = { hooks = {}, gui = { i18n_title = 't', i18n_description = 'd' } }\n";

/// Writes plugin `name` with one flow script per `(key, body)`; each body is the
/// rest of the script after its first line (it must `return script`).
fn plugin(root: &Path, name: &str, scripts: &[(&str, &str)]) {
    let dir = root.join(name).join("user_scripts/flow");
    std::fs::create_dir_all(&dir).unwrap();
    for (key, body) in scripts {
        std::fs::write(dir.join(format!("{key}.lua")), format!("{HEADER}{body}")).unwrap();
    }
}

/// Counts its calls in a global and builds a small table each time (more than the
/// 1000 instructions after which the count hook looks at memory).
const INNOCENT: &str = "calls = 0
function script.hooks.protocolDetected(now)
   calls = calls + 1
   local t = {}
   for i = 1, 400 do t[i] = i end
end
return script
";

fn view(serial: u64) -> Box<FlowView> {
    let (key, a) = FlowKey::new(
        0,
        6,
        (
            std::net::Ipv4Addr::from(0x0a00_0000 + serial as u32).into(),
            40000,
        ),
        ("10.9.9.9".parse().unwrap(), 80),
    );
    Box::new(FlowView::synthetic(
        key,
        a,
        serial,
        Timestamp(1_700_000_000_000_000),
    ))
}

/// `protocolDetected` on flows `from..to`, with `after_batch` every 50 flows.
fn run(rt: &mut Runtime, from: u64, to: u64) {
    for i in from..to {
        let ts = Timestamp(1_700_000_000_000_000 + i * 1000);
        rt.dispatch_view(FlowHook::ProtocolDetected, ts, view(i + 1));
        if i % 50 == 49 {
            rt.after_batch();
        }
    }
    rt.after_batch();
}

fn script<'a>(scripts: &'a [ScriptInfo], key: &str) -> &'a ScriptInfo {
    scripts.iter().find(|s| s.key == key).unwrap()
}

fn runtime(root: &Path, limit_mib: usize, f: impl FnOnce(&mut ScriptConfig)) -> Runtime {
    let mut cfg = config(vec![root.to_path_buf()]);
    cfg.memory_limit = limit_mib << 20;
    cfg.max_failures = 3;
    f(&mut cfg);
    let (rt, report) = Runtime::load(cfg).unwrap();
    assert!(report.errors().next().is_none(), "{:?}", report.problems);
    rt
}

#[test]
fn a_script_leaking_per_flow_is_stopped_alone_with_the_alert() {
    let dir = tempfile::tempdir().unwrap();
    plugin(
        dir.path(),
        "leaky",
        &[(
            "leak",
            "local seen = {}
local function keep(v) seen[#seen + 1] = v end
function script.hooks.protocolDetected(now)
   keep(string.rep('x', 2000) .. flow.getKey())
end
return script
",
        )],
    );
    plugin(dir.path(), "calm", &[("innocent", INNOCENT)]);
    // 16 MiB VM: high water at 9.6 MiB, default budget 4 MiB.
    let mut rt = runtime(dir.path(), 16, |_| {});
    run(&mut rt, 0, 8000);
    let scripts = rt.scripts();
    let leak = script(&scripts, "leak");
    assert!(leak.disabled, "{leak:?}");
    assert!(
        leak.inactive_reason
            .as_deref()
            .unwrap()
            .contains("memory budget"),
        "{leak:?}"
    );
    let err = leak.last_error.as_deref().unwrap();
    assert!(err.contains("memory budget exceeded"), "{err}");
    assert!(err.contains("upvalue 'seen'"), "{err}");
    // Named after the table, held by a helper function (defined at line 3).
    assert!(err.contains("leaky/user_scripts/flow/leak.lua:3"), "{err}");
    let stopped_after = leak.calls;
    assert!(stopped_after < 8000, "{leak:?}");
    let innocent = script(&scripts, "innocent");
    assert!(!innocent.disabled, "{innocent:?}");
    assert_eq!((innocent.calls, innocent.errors), (8000, 0));
    let stats = rt.memory_stats();
    assert_eq!(stats.scripts_stopped, 1, "{stats:?}");
    assert!(stats.budget_checks >= 1, "{stats:?}");
    // Its state is gone.
    assert!(rt.used_memory() < 4 << 20, "{}", rt.used_memory());
    let events = rt.take_events();
    let alerts: Vec<&Value> = events
        .iter()
        .filter(|e| {
            e["event"] == "alert"
                && e["alert_subtype"] == "user_script_error"
                && e["params"]["script_key"] == "leak"
        })
        .collect();
    assert_eq!(alerts.len(), 1, "{alerts:?}");
    assert_eq!(alerts[0]["params"]["stage"], "memory");
    assert_eq!(alerts[0]["params"]["disabled"], true);
    assert_eq!(alerts[0]["params"]["budget_bytes"], 4 << 20);
    assert!(alerts[0]["params"]["retained_bytes"].as_u64().unwrap() > 4 << 20);
    assert!(
        events
            .iter()
            .all(|e| e["event"] != "script_error" || e["script"] == "leak"),
        "only the leak failed"
    );
    // The innocent script keeps running, the leak is no longer called.
    run(&mut rt, 8000, 9000);
    let scripts = rt.scripts();
    assert_eq!(script(&scripts, "innocent").calls, 9000);
    assert_eq!(script(&scripts, "leak").calls, stopped_after);
}

#[test]
fn a_memory_bomb_is_stopped_and_the_next_script_keeps_running() {
    let dir = tempfile::tempdir().unwrap();
    // `a_bomb` sorts before `innocent`: on each flow it runs first and leaves its
    // garbage behind when the count hook stops it.
    plugin(
        dir.path(),
        "bombs",
        &[
            (
                "a_bomb",
                "function script.hooks.protocolDetected(now)
   local t = {}
   for i = 1, 1e9 do t[i] = string.rep('y', 4096) .. i end
end
return script
",
            ),
            ("innocent", INNOCENT),
        ],
    );
    let mut rt = runtime(dir.path(), 16, |c| c.instruction_budget = 50_000_000);
    run(&mut rt, 0, 20);
    let scripts = rt.scripts();
    let bomb = script(&scripts, "a_bomb");
    assert!(bomb.disabled, "{bomb:?}");
    assert_eq!((bomb.calls, bomb.errors), (3, 3));
    assert!(
        bomb.last_error
            .as_deref()
            .unwrap()
            .contains("memory limit exceeded"),
        "{bomb:?}"
    );
    let innocent = script(&scripts, "innocent");
    assert!(!innocent.disabled, "{innocent:?}");
    assert_eq!((innocent.calls, innocent.errors), (20, 0), "{innocent:?}");
    assert!(rt.memory_stats().hook_collections >= 1);
    assert!(rt.used_memory() < 8 << 20, "{}", rt.used_memory());
}

#[test]
fn a_slow_leak_under_its_budget_is_not_touched() {
    let dir = tempfile::tempdir().unwrap();
    plugin(
        dir.path(),
        "steady",
        &[
            // About 10 MiB kept from the start: the VM is past its high-water mark.
            (
                "big",
                "local big = {}
for i = 1, 2500 do big[i] = string.rep('z', 4000) .. i end
function script.hooks.protocolDetected(now)
   return #big
end
return script
",
            ),
            (
                "slow",
                "local kept = {}
function script.hooks.protocolDetected(now)
   kept[#kept + 1] = flow.getKey()
end
return script
",
            ),
        ],
    );
    let mut rt = runtime(dir.path(), 16, |c| c.memory_budget = 12 << 20);
    run(&mut rt, 0, 3000);
    let scripts = rt.scripts();
    for key in ["big", "slow"] {
        let s = script(&scripts, key);
        assert!(!s.disabled, "{s:?}");
        assert_eq!((s.calls, s.errors), (3000, 0), "{s:?}");
    }
    let stats = rt.memory_stats();
    assert!(stats.budget_checks >= 1, "{stats:?}");
    assert_eq!(stats.scripts_stopped, 0, "{stats:?}");
}

#[test]
fn a_budget_of_its_own_applies_to_one_script() {
    let dir = tempfile::tempdir().unwrap();
    plugin(
        dir.path(),
        "steady",
        &[(
            "big",
            "local big = {}
for i = 1, 2500 do big[i] = string.rep('z', 4000) .. i end
function script.hooks.protocolDetected(now)
   return #big
end
return script
",
        )],
    );
    let mut rt = runtime(dir.path(), 16, |c| {
        c.memory_budget = 12 << 20;
        c.memory_budgets.insert("flow/big".into(), 2 << 20);
    });
    run(&mut rt, 0, 100);
    let s = &rt.scripts()[0];
    assert!(s.disabled, "{s:?}");
    let err = s.last_error.as_deref().unwrap();
    assert!(err.contains("(budget 2.0 MiB)"), "{err}");
    assert!(err.contains("upvalue 'big'"), "{err}");
    assert_eq!(rt.memory_stats().scripts_stopped, 1);
}
