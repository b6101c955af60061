//! Lua flow-hook cost: 1M flows each receiving `protocolDetected` with (a) no
//! scripts, (b) a no-op Lua hook, (c) the seed tutorial script, (d) 20 scripts with
//! `l7_proto` filters; against a bare mlua function call measured in the same run.
//! Then the real thing: every built-in plugin (`plugins/`, with the generator's local
//! networks) on each flow's life — `protocolDetected` then `flowEnd` — per flow.
//!
//! Flows are real ones (protocol-detected flows of a generated capture with `.exe`
//! downloads, HTTP, TLS, DNS, …), cycled until 1M hook calls. A summary with ns per
//! flow-hook call and the ratio to the bare call is printed once (1M calls each), then
//! criterion measures the same cases.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use weir_decode::Timestamp;
use weir_flow::{Consumer, Engine, EngineConfig, Flow};
use weir_script::{FlowHook, FlowView, Output, Runtime, ScriptConfig};

const CALLS: usize = 1_000_000;

#[derive(Default)]
struct Collect(Vec<FlowView>);

impl Consumer for Collect {
    fn protocol_detected(&mut self, now: Timestamp, flow: &mut Flow) {
        let mut v = FlowView::synthetic(flow.key, flow.cli_is_a, flow.serial, now);
        v.first_seen = flow.first_seen;
        v.last_seen = flow.last_seen;
        v.dir = flow.dir;
        v.tcp = flow.tcp;
        v.l7 = flow.l7;
        v.meta = flow.meta.clone();
        self.0.push(v);
    }
}

fn flows() -> Vec<FlowView> {
    let (pcap, _) = weir_gen::generate_to_vec(&weir_gen::GenConfig {
        flows: 3000,
        seed: 42,
        ..Default::default()
    });
    let mut engine = Engine::new(EngineConfig::default());
    let mut c = Collect::default();
    let mut r = weir_decode::capture::CaptureReader::new(&pcap[..], "bench").expect("capture");
    while let Some(Ok(f)) = r.next_frame() {
        let wire = f.orig_len.max(f.data.len() as u32);
        if let Ok(p) = weir_decode::decode(f.linktype, f.data) {
            engine.process(f.ts, wire, &p, &mut c);
        }
    }
    engine.finish(&mut c);
    c.0
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn runtime(roots: Vec<PathBuf>, budget: bool) -> Runtime {
    let (rt, report) = Runtime::load(ScriptConfig {
        roots,
        output: Output::Discard,
        instruction_budget: if budget { 1_000_000 } else { 0 },
        ..ScriptConfig::default()
    })
    .expect("runtime");
    assert!(report.errors().next().is_none(), "{:?}", report.problems);
    rt
}

/// 20 scripts, each filtered on a different `l7_proto`, each reading a field.
fn twenty(dir: &Path) -> PathBuf {
    let protos = [
        "HTTP",
        "TLS",
        "DNS",
        "SSH",
        "QUIC",
        "NTP",
        "DHCP",
        "SMTP",
        "IMAP",
        "POP3",
        "MDNS",
        "NetBIOS",
        "SSDP",
        "BGP",
        "RDP",
        "SIP",
        "STUN",
        "Tor",
        "SMBv23",
        "FTP_CONTROL",
    ];
    for (i, p) in protos.iter().enumerate() {
        let d = dir.join("filtered/user_scripts/flow");
        std::fs::create_dir_all(&d).expect("dir");
        std::fs::write(
            d.join(format!("s{i:02}.lua")),
            format!(
                "local s = {{ l7_proto = \"{p}\", hooks = {{}}, gui = {{ i18n_title = \"{p}\", i18n_description = \"x\" }} }}\n\
                 function s.hooks.protocolDetected(now)\n  local n = flow.getnDPIProtocolName()\nend\nreturn s\n"
            ),
        )
        .expect("write");
    }
    dir.to_path_buf()
}

fn run_calls(rt: &mut Runtime, pool: &mut [Option<Box<FlowView>>], n: usize) -> Duration {
    run_hooks(rt, pool, n, &[FlowHook::ProtocolDetected])
}

/// `n` flows of the pool (cycled) through `hooks`, in order.
fn run_hooks(
    rt: &mut Runtime,
    pool: &mut [Option<Box<FlowView>>],
    n: usize,
    hooks: &[FlowHook],
) -> Duration {
    let ts = Timestamp(1_767_225_600_000_000);
    let len = pool.len();
    let start = Instant::now();
    for i in 0..n {
        let slot = &mut pool[i % len];
        if let Some(mut v) = slot.take() {
            for h in hooks {
                v = rt.dispatch_view(*h, ts, v);
            }
            *slot = Some(v);
        }
    }
    start.elapsed()
}

/// The bare call in a VM set up like weir's: count hook every 1000 instructions and a
/// memory limit (what the sandbox itself costs, before any weir code).
fn bare_hooked_calls(n: usize) -> Duration {
    let lua = mlua::Lua::new();
    let _ = lua.set_memory_limit(64 << 20);
    let _ = lua.set_hook(
        mlua::HookTriggers::new().every_nth_instruction(1000),
        |_, _| Ok(mlua::VmState::Continue),
    );
    let f: mlua::Function = lua
        .load("return function(now, conf) end")
        .eval()
        .expect("fn");
    let conf = lua.create_table().expect("table");
    let start = Instant::now();
    for i in 0..n {
        f.call::<()>(black_box((i as i64, &conf))).expect("call");
    }
    start.elapsed()
}

fn bare_calls(n: usize) -> (Duration, Duration) {
    let lua = mlua::Lua::new();
    let f: mlua::Function = lua
        .load("return function(now, conf) end")
        .eval()
        .expect("fn");
    let conf = lua.create_table().expect("table");
    let start = Instant::now();
    for i in 0..n {
        f.call::<()>(black_box((i as i64, &conf))).expect("call");
    }
    let with_args = start.elapsed();
    let g: mlua::Function = lua.load("return function() end").eval().expect("fn");
    let start = Instant::now();
    for _ in 0..n {
        g.call::<()>(()).expect("call");
    }
    (with_args, start.elapsed())
}

fn ns(d: Duration, n: usize) -> f64 {
    d.as_secs_f64() * 1e9 / n as f64
}

fn bench(c: &mut Criterion) {
    let views = flows();
    let tmp = std::env::temp_dir().join(format!("weir-bench-script-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let empty = tmp.join("empty");
    std::fs::create_dir_all(&empty).expect("dir");
    let noop = root().join("crates/weir-script/tests/plugins/noop");
    let tutorial = root().join("plugins/exes_download");
    let cases: Vec<(&str, Vec<PathBuf>, bool)> = vec![
        ("a_no_scripts", vec![empty], true),
        ("b_noop_hook", vec![noop.clone()], true),
        ("c_tutorial", vec![tutorial.clone()], true),
        ("d_20_filtered", vec![twenty(&tmp.join("twenty"))], true),
        ("b_noop_no_count_hook", vec![noop], false),
        ("c_tutorial_no_count_hook", vec![tutorial], false),
    ];
    // Summary: exactly 1M calls per case, bare call in the same run.
    let (bare_args, bare_empty) = bare_calls(CALLS);
    let base = ns(bare_args, CALLS);
    eprintln!(
        "\nscript bench: {} distinct flows cycled, {CALLS} protocolDetected calls per case",
        views.len()
    );
    eprintln!("  bare mlua call, (now, conf) args : {:7.1} ns", base);
    eprintln!(
        "  bare mlua call, no args          : {:7.1} ns",
        ns(bare_empty, CALLS)
    );
    eprintln!(
        "  bare call, count hook + mem limit: {:7.1} ns",
        ns(bare_hooked_calls(CALLS), CALLS)
    );
    let mut runtimes = Vec::new();
    let mut a_ns = 0.0;
    for (name, roots, budget) in &cases {
        let mut rt = runtime(roots.clone(), *budget);
        let mut pool: Vec<Option<Box<FlowView>>> =
            views.iter().map(|v| Some(clone_view(v))).collect();
        run_calls(&mut rt, &mut pool, views.len()); // warm-up: statuses set, alerts raised once
        let d = run_calls(&mut rt, &mut pool, CALLS);
        let per = ns(d, CALLS);
        if *name == "a_no_scripts" {
            a_ns = per;
        }
        eprintln!(
            "  {name:<24} : {per:7.1} ns per flow-hook call, {:5.2}x bare call ({:5.2}x net of case a)",
            per / base,
            (per - a_ns) / base
        );
        runtimes.push((*name, rt, pool));
    }
    eprintln!();

    let mut g = c.benchmark_group("script/protocolDetected");
    g.throughput(Throughput::Elements(1));
    g.sample_size(20);
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(3));
    g.bench_function("bare_mlua_call", |b| {
        let lua = mlua::Lua::new();
        let f: mlua::Function = lua
            .load("return function(now, conf) end")
            .eval()
            .expect("fn");
        let conf = lua.create_table().expect("table");
        b.iter(|| f.call::<()>(black_box((1i64, &conf))).expect("call"))
    });
    for (name, rt, pool) in &mut runtimes {
        g.bench_function(*name, |b| {
            b.iter_custom(|iters| run_calls(rt, pool, iters as usize))
        });
    }
    g.finish();

    // Every built-in plugin, per flow: protocolDetected then flowEnd (what each flow
    // of a replay gets; periodicUpdate only comes to flows older than 5 minutes).
    let (mut rt, report) = Runtime::load(ScriptConfig {
        roots: vec![root().join("plugins")],
        output: Output::Discard,
        local_networks: vec!["192.168.0.0/16".parse().expect("net")],
        working_dir: tmp.clone(),
        ..ScriptConfig::default()
    })
    .expect("runtime");
    assert!(report.errors().next().is_none(), "{:?}", report.problems);
    let mut pool: Vec<Option<Box<FlowView>>> = views.iter().map(|v| Some(clone_view(v))).collect();
    run_flows(&mut rt, &mut pool, views.len());
    let n = CALLS / 4;
    let per = ns(run_flows(&mut rt, &mut pool, n), n);
    eprintln!(
        "  builtin plugins, per flow (protocolDetected + flowEnd): {per:7.1} ns, {:5.2}x bare call\n",
        per / base
    );
    let mut g = c.benchmark_group("script/builtin_flow");
    g.throughput(Throughput::Elements(1));
    g.sample_size(20);
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(3));
    g.bench_function("per_flow", |b| {
        b.iter_custom(|iters| run_flows(&mut rt, &mut pool, iters as usize))
    });
    g.finish();
    let _ = std::fs::remove_dir_all(&tmp);
}

/// `n` flows through protocolDetected and flowEnd (cycling the pool).
fn run_flows(rt: &mut Runtime, pool: &mut [Option<Box<FlowView>>], n: usize) -> Duration {
    run_hooks(
        rt,
        pool,
        n,
        &[FlowHook::ProtocolDetected, FlowHook::FlowEnd],
    )
}

fn clone_view(v: &FlowView) -> Box<FlowView> {
    let mut c = FlowView::synthetic(v.key, v.cli_is_a, v.serial, v.first_seen);
    c.last_seen = v.last_seen;
    c.dir = v.dir;
    c.tcp = v.tcp;
    c.l7 = v.l7;
    c.meta = v.meta.clone();
    Box::new(c)
}

criterion_group!(benches, bench);
criterion_main!(benches);
