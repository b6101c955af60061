use std::path::{Path, PathBuf};

use weir_decode::capture::CaptureReader;
use weir_decode::decode;
use weir_flow::{Consumer, Engine, EngineConfig};
use weir_script::{Output, Runtime, ScriptConfig};

pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn test_plugin(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/plugins")
        .join(name)
}

pub fn config(roots: Vec<PathBuf>) -> ScriptConfig {
    ScriptConfig {
        roots,
        output: Output::Buffer,
        record_events: true,
        ..ScriptConfig::default()
    }
}

/// Runs `protocolDetected` on one synthetic TCP flow 10.0.0.1:40000 → 10.0.0.2:80
/// (serial 1, at 1 s) and returns what the scripts wrote.
pub fn protocol_detected_once(rt: &mut Runtime) -> String {
    let (key, cli_is_a) = weir_flow::FlowKey::new(
        0,
        6,
        ("10.0.0.1".parse().unwrap(), 40000),
        ("10.0.0.2".parse().unwrap(), 80),
    );
    let ts = weir_decode::Timestamp(1_000_000);
    let view = Box::new(weir_script::FlowView::synthetic(key, cli_is_a, 1, ts));
    let _ = rt.dispatch_view(weir_script::FlowHook::ProtocolDetected, ts, view);
    String::from_utf8(rt.take_output()).unwrap()
}

pub fn load(roots: Vec<PathBuf>) -> (Runtime, weir_script::LoadReport) {
    Runtime::load(config(roots)).expect("VM")
}

/// A generated capture with `.exe` downloads and other traffic.
pub fn capture(flows: usize, seed: u64) -> Vec<u8> {
    weir_gen::generate_to_vec(&weir_gen::GenConfig {
        flows,
        seed,
        ..Default::default()
    })
    .0
}

/// Replays a capture through a fresh engine into `c`, then the final visit.
pub fn replay<C: Consumer>(pcap: &[u8], c: &mut C) -> Engine {
    let mut engine = Engine::new(EngineConfig::default());
    replay_into(pcap, &mut engine, c, usize::MAX);
    engine.finish(c);
    engine
}

/// Replays at most `limit` frames (no final visit).
pub fn replay_into<C: Consumer>(
    pcap: &[u8],
    engine: &mut Engine,
    c: &mut C,
    limit: usize,
) -> usize {
    let mut r = CaptureReader::new(std::io::Cursor::new(pcap.to_vec()), "gen").unwrap();
    let mut n = 0;
    while let Some(f) = r.next_frame() {
        if n >= limit {
            break;
        }
        let f = f.unwrap();
        n += 1;
        let wire = f.orig_len.max(f.data.len() as u32);
        match decode(f.linktype, f.data) {
            Ok(p) => engine.process(f.ts, wire, &p, c),
            Err(_) => engine.undecodable(f.ts, wire, c),
        }
    }
    n
}

/// Counts HTTP flows whose first URL contains `.exe` (the oracle).
#[derive(Default)]
pub struct ExeOracle {
    pub urls: Vec<String>,
    pub http_flows: usize,
}

impl Consumer for ExeOracle {
    fn protocol_detected(&mut self, _now: weir_decode::Timestamp, flow: &mut weir_flow::Flow) {
        if let Some(h) = flow.meta.as_ref().and_then(|m| m.http()) {
            self.http_flows += 1;
            if h.url.contains(".exe") {
                self.urls.push(h.url.to_string());
            }
        }
    }
}
