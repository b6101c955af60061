//! The cost of sharding one interface over workers (`weir run --workers N`), per
//! packet, against the single engine's per-packet cost measured in the same run:
//!
//! - `single_engine`: decode + flow update + L7 detection (no Lua: the cheapest
//!   engine, so the ratio is the worst case; with plugins the engine costs more);
//! - `dispatch`: what the dispatcher adds per packet: a decode for the flow key, the
//!   symmetric shard hash, the copy into the worker's batch and the hand-off of each
//!   256-frame batch over a bounded channel to a worker thread that takes it.
//!
//! Target (issue #19): `dispatch` ≤ 10 % of `single_engine`.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use weir_decode::{LinkType, decode};
use weir_flow::{Engine, EngineConfig, FlowKey, NoopConsumer};

const WORKERS: usize = 2;
const BATCH: usize = 256;

fn bench(c: &mut Criterion) {
    let (_, frames) = weir_benches::generated(2000, false);
    let mut g = c.benchmark_group("shard");
    g.throughput(Throughput::Elements(frames.len() as u64));
    g.bench_function("single_engine", |b| {
        b.iter_batched(
            || Engine::new(EngineConfig::default()),
            |mut e| {
                let mut c = NoopConsumer;
                for (ts, f) in &frames {
                    if let Ok(p) = decode(LinkType::Ethernet, black_box(f)) {
                        e.process(*ts, f.len() as u32, &p, &mut c);
                    }
                }
                e.interface().flows_created
            },
            BatchSize::LargeInput,
        )
    });
    // The workers' side of the channels: they take each batch and send it back empty.
    let mut to_workers = Vec::new();
    let (back_tx, back_rx) = crossbeam_channel::bounded::<Vec<u8>>(WORKERS * 64);
    let mut threads = Vec::new();
    for _ in 0..WORKERS {
        let (tx, rx) = crossbeam_channel::bounded::<Vec<u8>>(16);
        let back = back_tx.clone();
        threads.push(std::thread::spawn(move || {
            for mut b in rx {
                b.clear();
                let _ = back.try_send(b);
            }
        }));
        to_workers.push(tx);
    }
    g.bench_function("dispatch", |b| {
        b.iter(|| {
            let mut out: Vec<(Vec<u8>, usize)> = (0..WORKERS)
                .map(|_| (back_rx.try_recv().unwrap_or_default(), 0))
                .collect();
            for (_, f) in &frames {
                let w = match decode(LinkType::Ethernet, black_box(f)) {
                    Ok(p) => FlowKey::from_packet(&p).map_or(0, |(k, _, _)| k.shard(WORKERS)),
                    Err(_) => 0,
                };
                if let (Some((buf, n)), Some(tx)) = (out.get_mut(w), to_workers.get(w)) {
                    buf.extend_from_slice(f);
                    *n += 1;
                    if *n == BATCH {
                        let fresh = back_rx.try_recv().unwrap_or_default();
                        let _ = tx.send(std::mem::replace(buf, fresh));
                        *n = 0;
                    }
                }
            }
            for ((buf, _), tx) in out.into_iter().zip(&to_workers) {
                let _ = tx.send(buf);
            }
        })
    });
    g.finish();
    drop(to_workers);
    for t in threads {
        let _ = t.join();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
