//! kill -9 during sustained writes: the database opens cleanly, passes
//! `integrity_check` and holds every alert whose batch was reported committed.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use crossbeam_channel::unbounded;
use weir_alerts::*;

use crate::common::*;

const CHILD_ENV: &str = "WEIR_ALERTS_CRASH_CHILD_DIR";

/// The child: writes flow alerts forever, printing `committed N` whenever the writer
/// thread's committed count grows. Does nothing unless started by the parent test.
#[test]
fn crash_child() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    let store = SqliteStore::open_dir(dir.as_ref(), SqliteConfig::default()).unwrap();
    let sink = StoreSink::spawn(&store, WriterConfig::default()).unwrap();
    let mut e = engine_for_sink(&sink);
    let mut out = std::io::stdout().lock();
    let mut last = 0;
    for i in 0.. {
        e.store_flow(flow_alert(i));
        if i.is_multiple_of(256) {
            e.tick(T0 + i / 1000);
            let c = sink.stats().committed;
            if c > last {
                writeln!(out, "committed {c}").unwrap();
                out.flush().unwrap();
                last = c;
            }
        }
    }
}

fn engine_for_sink(sink: &StoreSink) -> AlertEngine {
    let mut e = AlertEngine::new(EngineConfig::default(), registry());
    e.set_store(sink.sender());
    e
}

#[test]
fn kill_9_during_sustained_writes_loses_no_committed_alert() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "crash::crash_child",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = unbounded();
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if let Some(n) = line.strip_prefix("committed ") {
                let _ = tx.send(n.parse::<u64>().unwrap());
            }
        }
    });
    // Wait (bounded) for several commits well past the first batches, then kill -9.
    let mut reported = 0;
    let mut commits = 0;
    while reported < 30_000 || commits < 5 {
        reported = rx.recv_timeout(WAIT).expect("child reports commits");
        commits += 1;
    }
    child.kill().unwrap(); // SIGKILL on Unix
    let status = child.wait().unwrap();
    assert!(!status.success());
    reader.join().unwrap();
    // Lines printed before the kill count too.
    while let Ok(n) = rx.try_recv() {
        reported = reported.max(n);
    }

    let store = SqliteStore::open_dir(dir.path(), SqliteConfig::default()).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let stored = store.count(AlertTable::Flow).unwrap();
    assert!(
        stored >= reported,
        "stored {stored} < reported committed {reported}"
    );
    // Batches commit in order: the stored alerts are exactly the first `stored` ones.
    let mut q = AlertQuery::flow();
    q.descending = false;
    let infos: BTreeSet<u64> = store
        .query(&q)
        .unwrap()
        .iter()
        .map(|r| match r {
            AlertRecord::Flow(f) => f.info.parse().unwrap(),
            AlertRecord::Alert(_) => panic!("flow table returned a non-flow alert"),
        })
        .collect();
    assert_eq!(infos.len() as u64, stored);
    assert_eq!(infos.last().copied(), Some(stored - 1));
    eprintln!("killed after {reported} reported committed; {stored} alerts in the database");
    // And the database is writable again.
    let sink = StoreSink::spawn(&store, WriterConfig::default()).unwrap();
    let mut e = engine_for_sink(&sink);
    e.store_flow(flow_alert(stored));
    e.flush(WAIT).unwrap();
    assert_eq!(store.count(AlertTable::Flow).unwrap(), stored + 1);
    sink.shutdown(WAIT).unwrap();
}
