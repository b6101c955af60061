//! Every fault class, with a real plugin file each: caught per script, logged with
//! file:line, counted, alerted, disabled after N failures in a row; other scripts
//! keep running.

use serde_json::Value;
use weir_decode::Timestamp;
use weir_flow::FlowKey;
use weir_script::{FlowHook, FlowView, Level, Runtime};

use crate::common::*;

fn tcp_view(serial: u64) -> Box<FlowView> {
    let (key, a) = FlowKey::new(
        0,
        6,
        ("10.0.0.1".parse().unwrap(), 40000 + serial as u16),
        ("10.0.0.2".parse().unwrap(), 80),
    );
    Box::new(FlowView::synthetic(
        key,
        a,
        serial,
        Timestamp(1_700_000_000_000_000),
    ))
}

fn run_flows(rt: &mut Runtime, n: u64) {
    for i in 0..n {
        let ts = Timestamp(1_700_000_000_000_000 + i * 1_000_000);
        rt.dispatch_view(FlowHook::ProtocolDetected, ts, tcp_view(i + 1));
    }
    rt.finish();
}

fn faults_runtime() -> (Runtime, weir_script::LoadReport) {
    let mut cfg = config(vec![test_plugin("faults")]);
    cfg.max_failures = 3;
    cfg.instruction_budget = 200_000;
    cfg.memory_limit = 32 << 20;
    Runtime::load(cfg).unwrap()
}

#[test]
fn load_problems_name_plugin_file_and_line() {
    let (_rt, report) = faults_runtime();
    let find = |file: &str| {
        report
            .problems
            .iter()
            .filter(|p| p.file.ends_with(file))
            .collect::<Vec<_>>()
    };
    let syn = find("syntax_error.lua");
    assert_eq!(syn.len(), 1, "{:#?}", report.problems);
    assert_eq!(syn[0].level, Level::Error);
    assert_eq!(syn[0].plugin, "faults");
    assert_eq!(syn[0].line, Some(5), "{}", syn[0]);
    assert!(
        syn[0]
            .to_string()
            .contains("plugins/faults/user_scripts/flow/syntax_error.lua:5")
    );
    let bad_key = find("alert_bad_key.lua");
    assert!(
        bad_key
            .iter()
            .any(|p| p.level == Level::Error && p.message.contains("alert_key"))
    );
    let hooks = find("bad_hooks.lua");
    assert!(
        hooks
            .iter()
            .any(|p| p.level == Level::Warning && p.message.contains("onMoonRise")),
        "{hooks:#?}"
    );
    assert!(
        hooks
            .iter()
            .any(|p| p.level == Level::Error && p.message.contains("default_value")),
        "{hooks:#?}"
    );
    // The others still loaded.
    let active: Vec<&str> = report
        .scripts
        .iter()
        .filter(|s| s.active)
        .map(|s| s.key.as_str())
        .collect();
    for k in [
        "healthy",
        "infinite_loop",
        "missing_module",
        "runtime_error",
        "table_growth",
        "wrong_args",
    ] {
        assert!(active.contains(&k), "{k} not active: {active:?}");
    }
}

#[test]
fn each_fault_class_is_caught_counted_alerted_and_disabled() {
    let (mut rt, _) = faults_runtime();
    let before = rt.take_events();
    // Load errors raise the built-in user script error alert too.
    assert!(before.iter().any(|e| {
        e["event"] == "alert"
            && e["params"]["stage"] == "load"
            && e["params"]["file"]
                .as_str()
                .unwrap()
                .ends_with("syntax_error.lua")
    }));
    run_flows(&mut rt, 10);
    let events = rt.take_events();
    let scripts = rt.scripts();
    let expect = [
        ("runtime_error", "runtime_error.lua:6:"),
        ("infinite_loop", "instruction budget exceeded"),
        ("table_growth", "memory"),
        ("wrong_args", "wrong_args.lua:5: flow.setStatus"),
        (
            "missing_module",
            "missing_module.lua:5: module 'no_such_module' not found",
        ),
    ];
    for (key, needle) in expect {
        let s = scripts.iter().find(|s| s.key == key).unwrap();
        assert!(s.disabled, "{key} should be disabled: {s:?}");
        assert_eq!(s.errors, 3, "{key}: {s:?}");
        assert_eq!(s.calls, 3, "{key}: no call after disabling");
        let err = s.last_error.as_deref().unwrap();
        assert!(err.contains(needle), "{key}: {err}");
        if key != "table_growth" {
            assert!(
                err.contains(&format!("plugins/faults/user_scripts/flow/{key}.lua:")),
                "{key}: file:line in {err}"
            );
        }
        let errs: Vec<&Value> = events
            .iter()
            .filter(|e| e["event"] == "script_error" && e["script"] == key)
            .collect();
        assert_eq!(errs.len(), 3, "{key}");
        assert_eq!(errs[2]["disabled"], true);
        assert!(
            errs[0]["file"]
                .as_str()
                .unwrap()
                .ends_with(&format!("{key}.lua")),
            "{:?}",
            errs[0]
        );
        let alerts = events
            .iter()
            .filter(|e| {
                e["event"] == "alert"
                    && e["alert_subtype"] == "user_script_error"
                    && e["params"]["script_key"] == key
            })
            .count();
        assert!(alerts >= 2, "{key}: first error and disabling alert");
    }
    let healthy = scripts.iter().find(|s| s.key == "healthy").unwrap();
    assert_eq!(
        (healthy.calls, healthy.errors, healthy.disabled),
        (10, 0, false)
    );
    let out = String::from_utf8(rt.take_output()).unwrap();
    assert_eq!(out.lines().count(), 10);
    assert!(
        out.starts_with("healthy hello from the locale\n"),
        "locales/en.lua via i18n"
    );
    // Memory is back to normal after the table bomb.
    assert!(rt.used_memory() < 8 << 20, "{}", rt.used_memory());
}

#[test]
fn a_script_failing_sometimes_is_not_disabled() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("flaky/user_scripts/flow");
    std::fs::create_dir_all(&f).unwrap();
    std::fs::write(
        f.join("flaky.lua"),
        "local s = { hooks = {}, gui = {i18n_title='f', i18n_description='f'} }\n\
         function s.hooks.protocolDetected(now)\n  if flow.getKey() % 2 == 0 then error('even flow') end\nend\nreturn s\n",
    )
    .unwrap();
    let mut cfg = config(vec![dir.path().to_path_buf()]);
    cfg.max_failures = 2;
    let (mut rt, _) = Runtime::load(cfg).unwrap();
    run_flows(&mut rt, 20);
    let s = &rt.scripts()[0];
    assert_eq!((s.calls, s.errors, s.disabled), (20, 10, false));
    assert!(
        s.last_error
            .as_deref()
            .unwrap()
            .contains("flaky.lua:3: even flow")
    );
}
