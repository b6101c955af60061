//! Flow engine throughput: packet → decode → flow update + L7 detection, against a
//! decode-only baseline measured in the same run, on generated mixed traffic and on
//! 64-byte frames; the visitor walking 1M flows with a no-op consumer; and memory per
//! flow (`size_of` of the record, RSS growth for 1M flows, printed once).

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use weir_decode::capture::CaptureReader;
use weir_decode::{LinkType, Timestamp, decode};
use weir_flow::{Engine, EngineConfig, Flow, NoopConsumer};

fn bench_set(c: &mut Criterion, name: &str, pcap: &[u8], frames: &[(Timestamp, Vec<u8>)]) {
    let mut g = c.benchmark_group(format!("flow/{name}"));
    g.throughput(Throughput::Elements(frames.len() as u64));
    g.bench_function("decode_only", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for (_, f) in frames {
                if let Ok(p) = decode(LinkType::Ethernet, black_box(f)) {
                    n += p.payload.len();
                }
            }
            n
        })
    });
    g.bench_function("decode_flow_detect", |b| {
        b.iter_batched(
            || Engine::new(EngineConfig::default()),
            |mut e| {
                let mut c = NoopConsumer;
                for (ts, f) in frames {
                    if let Ok(p) = decode(LinkType::Ethernet, black_box(f)) {
                        e.process(*ts, f.len() as u32, &p, &mut c);
                    }
                }
                e.finish(&mut c);
                e.interface().flows_created
            },
            BatchSize::LargeInput,
        )
    });
    g.bench_function("replay_file_decode_flow_detect", |b| {
        b.iter_batched(
            || Engine::new(EngineConfig::default()),
            |mut e| {
                let mut c = NoopConsumer;
                if let Ok(mut r) = CaptureReader::new(black_box(pcap), "bench") {
                    while let Some(Ok(f)) = r.next_frame() {
                        if let Ok(p) = decode(f.linktype, f.data) {
                            e.process(f.ts, f.orig_len, &p, &mut c);
                        }
                    }
                }
                e.finish(&mut c);
                e.interface().packets
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn rss_bytes() -> u64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .nth(1)
                .and_then(|v| v.parse::<u64>().ok())
        })
        .map_or(0, |pages| pages * 4096)
}

/// An engine holding `n` live UDP flows (distinct source address and port).
fn engine_with_flows(n: u32) -> Engine {
    let cfg = EngineConfig {
        max_flows: n as usize + 1,
        max_hosts: 2 * n as usize + 2,
        max_idle_secs: 1 << 30,
        periodic_update_secs: 1 << 30,
        ..EngineConfig::default()
    };
    let mut e = Engine::new(cfg);
    let mut frame = vec![0u8; 12];
    frame.extend_from_slice(&[0x08, 0x00, 0x45, 0, 0, 32, 0, 1, 0, 0, 64, 17, 0, 0]);
    frame.extend_from_slice(&[10, 0, 0, 0, 192, 168, 0, 1]);
    frame.extend_from_slice(&[0, 0, 0x30, 0x39, 0, 12, 0, 0, b'd', b'a', b't', b'a']);
    let mut c = NoopConsumer;
    for i in 0..n {
        let [a, b, c2, d] = (0x0a00_0000u32 + i / 16).to_be_bytes();
        frame[26..30].copy_from_slice(&[a, b, c2, d]);
        frame[34..36].copy_from_slice(&(1024 + (i % 16) as u16).to_be_bytes());
        if let Ok(p) = decode(LinkType::Ethernet, &frame) {
            e.process(
                Timestamp(1_700_000_000_000_000 + u64::from(i)),
                60,
                &p,
                &mut c,
            );
        }
    }
    e
}

fn visitor(c: &mut Criterion) {
    const N: u32 = 1_000_000;
    let before = rss_bytes();
    let mut e = engine_with_flows(N);
    let after = rss_bytes();
    eprintln!(
        "memory: size_of::<Flow>() = {} bytes; {} flows, {} hosts: RSS grew by {} bytes = {} bytes per flow (flow + its share of hosts and tables)",
        std::mem::size_of::<Flow>(),
        e.flows().len(),
        e.hosts().len(),
        after.saturating_sub(before),
        after.saturating_sub(before) / u64::from(N)
    );
    let mut g = c.benchmark_group("flow/visitor");
    g.throughput(Throughput::Elements(u64::from(N)));
    g.sample_size(10);
    let mut now = e.clock().0;
    g.bench_function("visit_1M_flows_noop_consumer", |b| {
        b.iter(|| {
            now += 5_000_000;
            e.advance(Timestamp(now), &mut NoopConsumer);
            e.flows().len()
        })
    });
    g.finish();
}

/// One-shot end-to-end file replay (read + decode + flow + detection, one core) of a
/// generated capture of about `WEIR_BENCH_REPLAY_PACKETS` packets (e.g. 5000000),
/// written to a temporary file and streamed from it. Printed, not sampled; skipped
/// unless the variable is set.
fn replay_file(_c: &mut Criterion) {
    let Some(target) = std::env::var("WEIR_BENCH_REPLAY_PACKETS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    else {
        return;
    };
    let path = std::env::temp_dir().join(format!("weir-bench-replay-{}.pcap", std::process::id()));
    let cfg = weir_gen::GenConfig {
        flows: (target / 48).max(1) as usize,
        seed: 5,
        duration_secs: 3600,
        ..Default::default()
    };
    let summary = match std::fs::File::create(&path).and_then(|f| weir_gen::write_pcap(&cfg, f)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("replay: cannot write {}: {e}", path.display());
            return;
        }
    };
    let start = std::time::Instant::now();
    let mut e = Engine::new(EngineConfig::default());
    let mut c = NoopConsumer;
    if let Ok(mut r) = CaptureReader::open(&path) {
        while let Some(Ok(f)) = r.next_frame() {
            if let Ok(p) = decode(f.linktype, f.data) {
                e.process(f.ts, f.orig_len, &p, &mut c);
            }
        }
    }
    e.finish(&mut c);
    let secs = start.elapsed().as_secs_f64();
    let pkts = e.interface().packets;
    eprintln!(
        "replay: {} packets ({} bytes, {} flows generated) from {} in {:.2} s = {:.0} packets/s end to end (read + decode + flow + detection, one core); {} flows, {} evicted",
        pkts,
        summary.bytes,
        summary.flows,
        path.display(),
        secs,
        pkts as f64 / secs,
        e.interface().flows_created,
        e.interface().flows_evicted
    );
    let _ = std::fs::remove_file(&path);
}

fn benches(c: &mut Criterion) {
    let (pcap, frames) = weir_benches::generated(2_000, false);
    bench_set(c, "mixed", &pcap, &frames);
    let (pcap, frames) = weir_benches::generated(2_000, true);
    bench_set(c, "small64", &pcap, &frames);
}

criterion_group!(flow_benches, visitor, benches, replay_file);
criterion_main!(flow_benches);
