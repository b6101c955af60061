//! Replays the fuzz corpora (`fuzz/corpus/<target>/`) and the crash regressions
//! (`tests/data/regress/<target>-*`) through the same code the fuzz targets run, so an
//! ordinary `cargo test` exercises every committed seed.

use std::path::{Path, PathBuf};

use weir_decode::fuzzing::{capture_input, decode_input, syslog_input};

fn files(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_file()
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        })
        .collect();
    v.sort();
    v
}

fn replay(target: &str, run: fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut inputs = files(&root.join("../../fuzz/corpus").join(target), "");
    inputs.extend(files(
        &root.join("tests/data/regress"),
        &format!("{target}-"),
    ));
    for path in &inputs {
        let data = std::fs::read(path).unwrap();
        run(&data);
    }
    inputs.len()
}

#[test]
fn decode_corpus() {
    let n = replay("decode", decode_input);
    eprintln!("replayed {n} decode inputs");
}

#[test]
fn pcap_corpus() {
    let n = replay("pcap", capture_input);
    eprintln!("replayed {n} pcap inputs");
}

#[test]
fn pcapng_corpus() {
    let n = replay("pcapng", capture_input);
    eprintln!("replayed {n} pcapng inputs");
}

#[test]
fn syslog_corpus() {
    let n = replay("syslog", syslog_input);
    eprintln!("replayed {n} syslog inputs");
}
