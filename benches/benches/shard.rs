//! The cost of sharding one interface over workers (`weir run --workers N`), per
//! packet, against the single engine's per-packet cost measured in the same run:
//!
//! - `single_engine`: decode + flow update + L7 detection (no Lua: the cheapest
//!   engine, so the ratio is the worst case; with plugins the engine costs more);
//! - `dispatch`: what the dispatcher adds per packet, measured on its own code
//!   (`weir_pipeline::shards::Router`, fed the 256-frame batches a source sends): a
//!   decode for the flow key, the symmetric shard hash, the packet clock, the copy
//!   into the worker's batch and the hand-off of the workers' batches over their
//!   bounded channels to worker threads that take them and send them back empty.
//!
//! Target (issue #19): `dispatch` ≤ 10 % of `single_engine`.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use weir_decode::{LinkType, decode};
use weir_flow::{Engine, EngineConfig, NoopConsumer};
use weir_pipeline::shards::Router;
use weir_pipeline::source::{Batch, Msg};

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
    // The dispatcher as `weir run --workers 2` runs it (`weir_pipeline::shards::Router`)
    // on the 256-frame batches a source sends; the workers' side of the channels takes
    // each batch and sends it back empty, as a worker's engine loop does.
    let input: Vec<Batch> = frames
        .chunks(BATCH)
        .map(|chunk| {
            let mut b = Batch::default();
            for (ts, f) in chunk {
                b.push(*ts, LinkType::Ethernet, f.len() as u32, f);
            }
            b
        })
        .collect();
    let (pool_tx, pool_rx) = crossbeam_channel::bounded::<Batch>(WORKERS * 64);
    let mut to_workers = Vec::new();
    let mut threads = Vec::new();
    for _ in 0..WORKERS {
        let (tx, rx) = crossbeam_channel::bounded::<Msg>(16);
        let back = pool_tx.clone();
        threads.push(std::thread::spawn(move || {
            for m in rx {
                if let Msg::Frames(mut b) = m {
                    b.frames.clear();
                    b.bytes.clear();
                    let _ = back.try_send(b);
                }
            }
        }));
        to_workers.push(tx);
    }
    // A fresh router per iteration: its packet clock starts again, so every
    // iteration pays the clock marks at the visit boundaries.
    g.bench_function("dispatch", |b| {
        b.iter_batched(
            || Router::new(to_workers.clone(), pool_rx.clone(), 5),
            |mut router| {
                for batch in &input {
                    router.route(black_box(batch));
                }
                router
            },
            BatchSize::SmallInput,
        )
    });
    g.finish();
    drop(to_workers);
    for t in threads {
        let _ = t.join();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
