//! Replays the fuzz corpora (`fuzz/corpus/<target>/`) and the crash regressions
//! (`tests/data/regress/<target>-*`) through the same code the fuzz targets run, so an
//! ordinary `cargo test` exercises every committed seed.

use std::path::{Path, PathBuf};

use weir_decode::capture::CaptureReader;
use weir_decode::{LinkType, decode};

/// The body of the `decode` fuzz target.
pub fn decode_input(data: &[u8]) {
    let Some((&sel, frame)) = data.split_first() else {
        return;
    };
    let lt = LinkType::SUPPORTED[usize::from(sel) % LinkType::SUPPORTED.len()];
    if let Ok(p) = decode(lt, frame) {
        assert!(p.payload.len() <= frame.len());
        if let Some(e) = p.error {
            assert!(e.offset <= frame.len());
        }
    }
}

/// The body of the `pcap` and `pcapng` fuzz targets: read every frame and decode it.
pub fn capture_input(data: &[u8]) {
    let Ok(mut r) = CaptureReader::new(data, "fuzz") else {
        return;
    };
    while let Some(next) = r.next_frame() {
        if let Ok(f) = next {
            let _ = decode(f.linktype, f.data);
        }
    }
}

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
