//! Per-layer packet counts of the shared captures against golden values taken once
//! with tshark (`tests/data/tshark-layer-counts.tsv`, which says how).

use std::path::{Path, PathBuf};

use weir_decode::capture::CaptureReader;
use weir_decode::{DecodeSummary, Layer, decode};

/// Where CI keeps the shared captures; absent in a user's fresh clone.
pub fn shared_pcaps() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/pcaps");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "SKIPPED: {} not found: shared-capture tests did not run",
            dir.display()
        );
        None
    }
}

const COLUMNS: [&str; 6] = ["frames", "ipv4", "ipv6", "tcp", "udp", "icmp"];

/// Counts that differ from tshark's on purpose: file, column (`None`: every column),
/// and the reason.
const KNOWN_DIFFERENCES: &[(&str, Option<&str>, &str)] = &[
    (
        "ndpi/fuzz-2021-10-13.pcap",
        None,
        "its only record claims 524501 bytes: refused as too large (tshark shows the cut-short part)",
    ),
    (
        "ndpi/fuzz-2006-06-26-2594.pcap",
        Some("ipv6"),
        "frame 669 has EtherType IPv4 but a version-6 header: tshark hands it to its IPv6 \
         dissector, weir reports `ipv4 bad_version` (as the kernel would drop it)",
    ),
];

fn summarize(path: &Path) -> (DecodeSummary, usize) {
    let mut r = CaptureReader::open(path).unwrap_or_else(|e| panic!("{e}"));
    let mut s = DecodeSummary::default();
    let mut errors = 0;
    while let Some(next) = r.next_frame() {
        match next {
            Ok(f) => s.add(f.linktype, f.data.len(), &decode(f.linktype, f.data)),
            Err(_) => errors += 1,
        }
    }
    (s, errors)
}

#[test]
fn layer_counts_match_tshark() {
    let Some(dir) = shared_pcaps() else { return };
    let golden = include_str!("../data/tshark-layer-counts.tsv");
    let mut compared = 0;
    let mut mismatches = Vec::new();
    for line in golden
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let [file, frames, v4, v6, tcp, udp, icmp] = cols[..] else {
            panic!("bad golden line {line:?}");
        };
        let path = dir.join(file);
        if !path.exists() {
            eprintln!("SKIPPED: {} not found", path.display());
            continue;
        }
        let (s, _) = summarize(&path);
        let got = [
            s.frames,
            s.frames_with(Layer::Ipv4),
            s.frames_with(Layer::Ipv6),
            s.frames_with(Layer::Tcp),
            s.frames_with(Layer::Udp),
            s.frames_with(Layer::Icmp),
        ];
        let want: Vec<u64> = [frames, v4, v6, tcp, udp, icmp]
            .iter()
            .map(|n| n.parse().unwrap())
            .collect();
        let known = |col: &str| {
            KNOWN_DIFFERENCES
                .iter()
                .any(|(f, c, _)| *f == file && c.is_none_or(|c| c == col))
        };
        let mut checked = false;
        for (i, col) in COLUMNS.iter().enumerate() {
            if known(col) {
                continue;
            }
            checked = true;
            if got[i] != want[i] {
                mismatches.push(format!("{file}: {col}: weir {} tshark {}", got[i], want[i]));
            }
        }
        compared += usize::from(checked);
    }
    assert!(
        mismatches.is_empty(),
        "per-layer counts differ from tshark:\n{}",
        mismatches.join("\n")
    );
    assert!(compared >= 8, "only {compared} captures compared");
    eprintln!("{compared} captures match tshark's per-layer counts");
}

#[test]
fn every_shared_capture_reads_and_decodes_without_panic() {
    let Some(dir) = shared_pcaps() else { return };
    let mut files = 0;
    for sub in ["ndpi", "ntopng-e2e"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = p.to_string_lossy();
            if !(name.ends_with(".pcap") || name.ends_with(".pcapng")) {
                continue;
            }
            let (s, errors) = summarize(&p);
            files += 1;
            // Every frame of a readable capture has a link layer weir decodes.
            assert_eq!(
                s.undecodable, 0,
                "{name}: undecodable frames ({errors} capture errors)"
            );
        }
    }
    assert!(files >= 40, "found only {files} captures");
}
