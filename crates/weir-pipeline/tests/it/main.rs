//! Integration tests of the pipeline, one binary: replays of generated captures through
//! [`weir_pipeline::replay`] with drivers of our own.

use std::sync::Arc;

use weir_decode::Timestamp;
use weir_flow::{Consumer, EndReason, Engine, EngineConfig, Flow, Host, Tick};
use weir_pipeline::engine::Driver;
use weir_pipeline::source::SourceSpec;

/// Counts the events a replay delivers.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Counts {
    detected: u64,
    ended: u64,
    ended_bytes: u64,
    host_minutes: u64,
    batches: u64,
    held: u64,
}

impl Consumer for Counts {
    fn protocol_detected(&mut self, _now: Timestamp, _flow: &mut Flow) {
        self.detected += 1;
    }
    fn flow_end(&mut self, _now: Timestamp, flow: &mut Flow, _reason: EndReason) {
        self.ended += 1;
        self.ended_bytes += flow.bytes();
    }
    fn host_tick(&mut self, tick: Tick, _now: Timestamp, _host: &Host) {
        if tick == Tick::Min {
            self.host_minutes += 1;
        }
    }
}

impl Driver for Counts {
    type Report = Counts;
    fn after_batch(&mut self, _engine: &Engine) {
        self.batches += 1;
    }
    fn hold(&mut self, engine: &mut Engine) {
        self.held = engine.flows().len() as u64;
    }
    fn finish(self, _engine: &Engine) -> Counts {
        self
    }
}

fn capture(flows: usize, seed: u64) -> Vec<u8> {
    let cfg = weir_gen::GenConfig {
        flows,
        seed,
        ..Default::default()
    };
    weir_gen::generate_to_vec(&cfg).0
}

#[test]
fn a_file_and_the_same_bytes_in_memory_replay_alike() {
    let bytes = capture(200, 3);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.pcap");
    std::fs::write(&path, &bytes).unwrap();
    let (from_file, file_counts) = weir_pipeline::replay(
        SourceSpec::Files {
            paths: vec![path],
            speed: 0.0,
        },
        EngineConfig::default(),
        Counts::default(),
    )
    .unwrap();
    let (from_memory, memory_counts) = weir_pipeline::replay(
        SourceSpec::Memory {
            name: "generated".into(),
            bytes: Arc::from(bytes),
        },
        EngineConfig::default(),
        Counts::default(),
    )
    .unwrap();
    assert!(from_file.packets > 1000, "{from_file:?}");
    for (a, b) in [
        (from_file.packets, from_memory.packets),
        (from_file.bytes, from_memory.bytes),
        (from_file.flows, from_memory.flows),
        (from_file.hosts, from_memory.hosts),
    ] {
        assert_eq!(a, b);
    }
    assert_eq!(from_file.l4, from_memory.l4);
    assert_eq!(file_counts, memory_counts);
}

#[test]
fn every_flow_ends_once_and_the_driver_sees_the_hold_before_the_final_visit() {
    let (summary, counts) = weir_pipeline::replay(
        SourceSpec::Memory {
            name: "generated".into(),
            bytes: Arc::from(capture(150, 9)),
        },
        EngineConfig::default(),
        Counts::default(),
    )
    .unwrap();
    assert_eq!(counts.ended, summary.flows, "{counts:?} {summary:?}");
    assert!(counts.detected > 0 && counts.detected <= summary.flows);
    // Flows still tracked when the source ended, visited after the hold.
    assert!(counts.held > 0, "{counts:?}");
    assert!(counts.batches > 0);
    assert!(counts.host_minutes > 0);
    // Flow bytes count both directions of the frames the summary counted.
    assert_eq!(counts.ended_bytes, summary.bytes);
}

#[test]
fn a_missing_file_is_an_error_naming_it() {
    let err = weir_pipeline::replay(
        SourceSpec::Files {
            paths: vec!["/nonexistent/weir-capture.pcap".into()],
            speed: 0.0,
        },
        EngineConfig::default(),
        Counts::default(),
    )
    .expect_err("an error");
    assert!(
        format!("{err:#}").contains("/nonexistent/weir-capture.pcap"),
        "{err:#}"
    );
}

#[test]
fn damaged_records_are_reported_and_the_replay_goes_on() {
    let mut bytes = capture(50, 4);
    // A record header claiming more bytes than the limit, appended at the end.
    bytes.extend_from_slice(&[
        0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0x0f, 0xff, 0xff, 0xff, 0x0f,
    ]);
    let (summary, counts) = weir_pipeline::replay(
        SourceSpec::Memory {
            name: "damaged".into(),
            bytes: Arc::from(bytes),
        },
        EngineConfig::default(),
        Counts::default(),
    )
    .unwrap();
    assert!(summary.packets > 100);
    assert_eq!(
        summary.source_problems.len(),
        1,
        "{:?}",
        summary.source_problems
    );
    assert!(
        summary.source_problems[0].contains("damaged"),
        "{:?}",
        summary.source_problems
    );
    assert_eq!(counts.ended, summary.flows);
}

mod recipients;
mod shards;
