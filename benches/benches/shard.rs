//! The cost of sharding one interface over workers (`weir run --workers N`), per
//! packet, against the single engine's per-packet cost measured in the same run:
//!
//! - `single_engine`: decode + flow update + L7 detection (no Lua: the cheapest
//!   engine, so the ratio is the worst case; with plugins the engine costs more);
//! - `handoff`: what a capture source pays to hand its batches ([`BATCH_FRAMES`]
//!   frames) to the engine thread in every run, sharded or not: a send on a bounded
//!   channel;
//! - `routed`: what the source pays instead in `weir run --workers 2`: each batch goes
//!   to `weir_pipeline::shards::Router` in the source's thread right after the source
//!   filled it, which reads every frame's flow (fetching the frame headers ahead),
//!   hashes it, keeps the packet clock and hands each of the two worker threads its
//!   picks of the shared batch.
//!
//! Both hand-offs are measured twice: to idle receivers, which every hand-off wakes
//! (a futex call, several µs in a VM: the worst case, a source faster than its
//! engines), and (`_busy`) to receivers that run every frame through an engine, as a
//! replay's engine threads do, whose queues the source finds busy or full.
//!
//! A source builds each batch as it does in a run; only the hand-over is measured, as
//! CPU time of the source's thread, so the receiving threads (which give the batches
//! back for reuse) and other jobs on a shared machine do not count. Target (issue
//! #19): the per-packet cost of sharding (flow, hash and hand-off) ≤ 10 % of
//! `single_engine`. `routed` is all of it; `routed − handoff` is what sharding adds
//! to what every source pays.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use cpu_time::ThreadTime;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use crossbeam_channel::{Receiver, Sender};
use weir_decode::{LinkType, Timestamp, decode};
use weir_flow::{Engine, EngineConfig, NoopConsumer};
use weir_pipeline::shards::Router;
use weir_pipeline::source::{BATCH_FRAMES, Batch, FrameMeta, Msg, Outlet};

const WORKERS: usize = 2;

/// What a source does with the frames: batches of [`BATCH_FRAMES`], reusing the
/// batches that came back, each handed to `out` as soon as it is full. Returns the
/// CPU time this thread spent handing the batches over (in `out.put`).
fn feed(
    frames: &[(Timestamp, Vec<u8>)],
    out: &mut impl Outlet,
    pool: &Receiver<Batch>,
) -> Duration {
    let fresh = || {
        let mut b = pool.try_recv().unwrap_or_default();
        b.clear();
        b
    };
    let mut spent = Duration::ZERO;
    let mut put = |out: &mut dyn Outlet, batch: Batch| {
        let t = ThreadTime::now();
        let _ = out.put(Msg::Frames(batch));
        spent += t.elapsed();
    };
    let mut batch = fresh();
    for (ts, f) in frames {
        batch.push(*ts, LinkType::Ethernet, f.len() as u32, black_box(f));
        if batch.frames.len() >= BATCH_FRAMES {
            put(out, std::mem::replace(&mut batch, fresh()));
        }
    }
    put(out, batch);
    spent
}

/// Threads that take what a source or a router sends and give the batches back to
/// `pool`, as engine loops do (a shared batch by its last holder). Idle sinks do
/// nothing else, so every hand-off wakes one; busy sinks decode their frames and run
/// them through an engine, as a run's engine threads do, so a source that outpaces
/// them finds their queues busy or full, as in a replay.
fn sinks(
    n: usize,
    pool: &Sender<Batch>,
    busy: bool,
) -> (Vec<Sender<Msg>>, Vec<std::thread::JoinHandle<()>>) {
    (0..n)
        .map(|_| {
            let (tx, rx) = crossbeam_channel::bounded::<Msg>(16);
            let back = pool.clone();
            let t = std::thread::Builder::new()
                .name("sink".into())
                .spawn(move || {
                    let mut engine = Engine::new(EngineConfig::default());
                    let mut run = |meta: &FrameMeta, data: &[u8]| {
                        if let Ok(p) = decode(meta.linktype, data) {
                            engine.process(meta.ts, meta.wire_len, &p, &mut NoopConsumer);
                        }
                    };
                    for m in rx {
                        let batch = match m {
                            Msg::Frames(b) => {
                                if busy {
                                    b.iter().for_each(|(m, d)| run(m, d));
                                }
                                Some(b)
                            }
                            Msg::Share(s) => {
                                if busy {
                                    s.iter().for_each(|(m, d)| run(m, d));
                                }
                                Arc::into_inner(s.batch)
                            }
                            _ => None,
                        };
                        if let Some(b) = batch {
                            let _ = back.try_send(b);
                        }
                    }
                });
            (tx, t.expect("a bench thread"))
        })
        .unzip()
}

fn bench(c: &mut Criterion) {
    let (_, frames) = weir_benches::generated(2000, false);
    let mut g = c.benchmark_group("shard");
    g.throughput(Throughput::Elements(frames.len() as u64));
    g.bench_function("single_engine", |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                let mut e = Engine::new(EngineConfig::default());
                let mut c = NoopConsumer;
                let t = ThreadTime::now();
                for (ts, f) in &frames {
                    if let Ok(p) = decode(LinkType::Ethernet, black_box(f)) {
                        e.process(*ts, f.len() as u32, &p, &mut c);
                    }
                }
                spent += t.elapsed();
                black_box(e);
            }
            spent
        })
    });
    let (pool_tx, pool_rx) = crossbeam_channel::bounded::<Batch>(64);
    let mut threads = Vec::new();
    for busy in [false, true] {
        let suffix = if busy { "_busy" } else { "" };
        let (engine, t) = sinks(1, &pool_tx, busy);
        threads.extend(t);
        g.bench_function(format!("handoff{suffix}"), |b| {
            b.iter_custom(|iters| {
                let mut to_engine = engine.clone();
                let mut spent = Duration::ZERO;
                for _ in 0..iters {
                    if let Some(tx) = to_engine.first_mut() {
                        spent += feed(&frames, tx, &pool_rx);
                    }
                }
                spent
            })
        });
        let (workers, t) = sinks(WORKERS, &pool_tx, busy);
        threads.extend(t);
        // A fresh router per iteration: its packet clock starts again, so every
        // iteration pays the clock marks at the visit boundaries.
        g.bench_function(format!("routed{suffix}"), |b| {
            b.iter_custom(|iters| {
                let mut spent = Duration::ZERO;
                for _ in 0..iters {
                    let mut router = Router::new(workers.clone(), pool_tx.clone(), 5);
                    spent += feed(&frames, &mut router, &pool_rx);
                }
                spent
            })
        });
    }
    g.finish();
    for t in threads {
        let _ = t.join();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
