//! kill -9 during sustained writes: the store opens cleanly, passes
//! `integrity_check`, and every series is readable with every step reported
//! committed.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use crossbeam_channel::unbounded;
use weir_ts::*;

use crate::common::*;

const CHILD_ENV: &str = "WEIR_TS_CRASH_CHILD_DIR";
const HOSTS: u64 = 2000;

fn tags(h: u64) -> Vec<String> {
    vec![
        "0".into(),
        format!("10.{}.{}.{}", h >> 16, (h >> 8) & 255, h & 255),
    ]
}

/// The child: appends one point per host per minute forever through the sink,
/// printing `committed STEP` after each flush. Does nothing unless started by the
/// parent test.
#[test]
fn crash_child() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    let store = EmbeddedStore::open_dir(dir.as_ref()).unwrap();
    let sink = TsSink::spawn(Box::new(store.writer().unwrap()), SinkConfig::default()).unwrap();
    let schema = syn_schema();
    let mut w = sink.writer();
    let mut out = std::io::stdout().lock();
    for step in 0u64.. {
        for h in 0..HOSTS {
            w.append(
                &schema,
                tags(h),
                vec![(step * (h + 1)) as f64],
                T0 + 60 * step,
            )
            .unwrap();
        }
        w.flush(WAIT).unwrap();
        writeln!(out, "committed {step}").unwrap();
        out.flush().unwrap();
    }
}

#[test]
fn kill_9_mid_write_leaves_every_series_readable() {
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
    let mut reported = 0;
    while reported < 4 {
        reported = rx.recv_timeout(WAIT).expect("child reports commits");
    }
    // Kill while the next steps are being written.
    std::thread::sleep(std::time::Duration::from_millis(37));
    child.kill().unwrap(); // SIGKILL on Unix
    assert!(!child.wait().unwrap().success());
    reader.join().unwrap();
    while let Ok(n) = rx.try_recv() {
        reported = reported.max(n);
    }

    let store = EmbeddedStore::open_existing(dir.path()).unwrap();
    assert_eq!(store.integrity_check().unwrap(), "ok");
    let series = store.list_series("host:syn_received", &[]).unwrap();
    assert_eq!(series.len() as u64, HOSTS);
    let last = series.iter().map(|s| s.last_ts.unwrap()).min().unwrap();
    assert!(last >= T0 + 60 * reported, "a reported step is missing");
    let newest = series.iter().map(|s| s.last_ts.unwrap()).max().unwrap();
    // One transaction per step: every series was written up to the same step.
    assert_eq!(last, newest, "a step was half written");
    let r = store.query(&Query::new("host:syn_received")).unwrap();
    assert_eq!(r.series.len() as u64, HOSTS);
    let steps = (newest - T0) / 60;
    for s in &r.series {
        let h: u64 = {
            let ip: Vec<u64> = s.tags[1].1.split('.').map(|x| x.parse().unwrap()).collect();
            (ip[1] << 16) | (ip[2] << 8) | ip[3]
        };
        assert_eq!(s.points.len() as u64, steps, "{:?}", s.tags);
        for p in &s.points {
            assert_eq!(p.values[0], Some((h + 1) as f64 / 60.0));
        }
    }
    eprintln!("killed after step {reported} reported committed; store holds {steps} + 1 steps");
    // And writable again, continuing the counters.
    let mut w = store.writer().unwrap();
    let schema = syn_schema();
    w.append(&schema, tags(0), vec![(steps + 1) as f64], newest + 60)
        .unwrap();
    w.end_step().unwrap();
    let r = store
        .query(&Query::new("host:syn_received").tag("host", &tags(0)[1]))
        .unwrap();
    assert_eq!(
        r.series[0].points.last().unwrap().values[0],
        Some(1.0 / 60.0)
    );
}
