//! `weir decode FILE...`: per-layer packet counts of capture files.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use serde_json::json;
use weir_decode::capture::CaptureReader;
use weir_decode::{DecodeSummary, decode};

/// Arguments of `weir decode`.
#[derive(clap::Args)]
pub struct Args {
    /// Capture files (pcap or pcapng; the format is read from the magic number).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// One JSON object per file (NDJSON) instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// The result of decoding one capture file.
pub struct FileReport {
    /// Per-layer counters.
    pub summary: DecodeSummary,
    /// Problems in the file itself (not in packets), each naming the byte offset.
    pub capture_errors: Vec<String>,
    /// Records or blocks skipped because of damage.
    pub skipped_records: u64,
    /// Bytes skipped because of damage.
    pub skipped_bytes: u64,
    /// File format (`pcap` or `pcapng`).
    pub format: &'static str,
}

impl FileReport {
    /// Prints the damage found in the file itself to stderr, one line each.
    pub fn warn(&self) {
        for e in &self.capture_errors {
            eprintln!("weir: warning: {e}");
        }
    }
}

/// Decodes every frame of one capture file.
///
/// # Errors
/// If the file cannot be opened or is not a capture file at all. Damage inside the file
/// is reported in [`FileReport::capture_errors`] instead.
pub fn decode_file(path: &Path) -> Result<FileReport> {
    let mut reader = CaptureReader::open(path)?;
    let format = match reader.format() {
        weir_decode::capture::CaptureFormat::PcapNg => "pcapng",
        _ => "pcap",
    };
    let mut summary = DecodeSummary::default();
    let mut capture_errors = Vec::new();
    while let Some(next) = reader.next_frame() {
        match next {
            Ok(frame) => summary.add(
                frame.linktype,
                frame.data.len(),
                &decode(frame.linktype, frame.data),
            ),
            Err(e) => capture_errors.push(e.to_string()),
        }
    }
    let stats = reader.stats();
    Ok(FileReport {
        summary,
        capture_errors,
        skipped_records: stats.skipped_records,
        skipped_bytes: stats.skipped_bytes,
        format,
    })
}

/// Runs `weir decode`.
pub fn run(args: &Args) -> Result<ExitCode> {
    let mut any_damage = false;
    for path in &args.files {
        let report = decode_file(path)?;
        any_damage |= !report.capture_errors.is_empty();
        report.warn();
        if args.json {
            crate::out::outln!("{}", to_json(path, &report));
        } else {
            print_table(path, &report);
        }
    }
    Ok(if any_damage {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn to_json(path: &Path, r: &FileReport) -> serde_json::Value {
    let s = &r.summary;
    let layers: serde_json::Map<String, serde_json::Value> = s
        .layers()
        .map(|(l, n)| (l.name().to_string(), json!(n)))
        .collect();
    json!({
        "file": path.display().to_string(),
        "format": r.format,
        "frames": s.frames,
        "bytes": s.bytes,
        "linktypes": s.linktypes,
        "layers": layers,
        "tunnelled": s.tunnelled,
        "fragments": s.fragments,
        "truncated": s.truncated,
        "undecodable": s.undecodable,
        "decode_errors": s.errors,
        "capture_errors": r.capture_errors,
        "skipped_records": r.skipped_records,
        "skipped_bytes": r.skipped_bytes,
    })
}

/// Prints the per-layer table of one file.
pub fn print_table(path: &Path, r: &FileReport) {
    let s = &r.summary;
    crate::out::outln!(
        "{} ({}): {} frames, {} bytes",
        path.display(),
        r.format,
        s.frames,
        s.bytes
    );
    let lts: Vec<String> = s
        .linktypes
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    crate::out::outln!("  link types: {}", lts.join(", "));
    crate::out::outln!("  {:<10} {:>12} {:>7}", "layer", "frames", "%");
    for (layer, n) in s.layers() {
        let pct = if s.frames == 0 {
            0.0
        } else {
            n as f64 * 100.0 / s.frames as f64
        };
        crate::out::outln!("  {:<10} {:>12} {:>6.1}%", layer.name(), n, pct);
    }
    for (label, n) in [
        ("tunnelled", s.tunnelled),
        ("fragments", s.fragments),
        ("truncated", s.truncated),
        ("undecodable", s.undecodable),
    ] {
        if n > 0 {
            crate::out::outln!("  {label:<10} {n:>12}");
        }
    }
    for (what, n) in &s.errors {
        crate::out::outln!("  damaged: {what}: {n}");
    }
    if r.skipped_records > 0 || r.skipped_bytes > 0 {
        crate::out::outln!(
            "  skipped: {} records, {} bytes",
            r.skipped_records,
            r.skipped_bytes
        );
    }
}
