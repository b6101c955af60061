//! Shared helpers for the criterion benches in `benches/benches/`.

use weir_decode::Timestamp;
use weir_decode::capture::CaptureReader;

/// Generates a capture with `flows` flows and returns its bytes and its frames with
/// their timestamps.
pub fn generated(flows: usize, small64: bool) -> (Vec<u8>, Vec<(Timestamp, Vec<u8>)>) {
    let mut cfg = weir_gen::GenConfig {
        flows,
        seed: 42,
        ..Default::default()
    };
    if small64 {
        cfg.mode = weir_gen::Mode::Small64;
    }
    let (pcap, _) = weir_gen::generate_to_vec(&cfg);
    let frames = frames_of(&pcap);
    (pcap, frames)
}

/// All frames of an in-memory capture, with their timestamps.
pub fn frames_of(capture: &[u8]) -> Vec<(Timestamp, Vec<u8>)> {
    let mut out = Vec::new();
    if let Ok(mut r) = CaptureReader::new(capture, "bench") {
        while let Some(Ok(f)) = r.next_frame() {
            out.push((f.ts, f.data.to_vec()));
        }
    }
    out
}
