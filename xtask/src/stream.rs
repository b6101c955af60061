//! `cargo xtask stream-check`: memory stays flat whatever the capture size.
//!
//! Generates a capture of the requested size with the streaming generator, runs the
//! release `weir decode` on it and samples the child's peak resident set (VmHWM) from
//! `/proc` until it exits.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

pub fn check(gb: f64, out: &Path, keep: bool) -> Result<()> {
    let target_bytes = (gb * (1u64 << 30) as f64) as u64;
    // About 45 kB per ordinary flow in mixed mode (measured on the generator's output).
    let flows = (target_bytes / 45_000).max(1000) as usize;
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let cfg = weir_gen::GenConfig {
        flows,
        seed: 11,
        duration_secs: 3600,
        ..Default::default()
    };
    let started = Instant::now();
    let file = std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?;
    let summary = weir_gen::write_pcap(&cfg, std::io::BufWriter::new(file))?;
    println!(
        "generated {}: {:.2} GiB, {} frames in {:.1} s",
        out.display(),
        summary.bytes as f64 / (1u64 << 30) as f64,
        summary.frames,
        started.elapsed().as_secs_f64()
    );

    crate::run(Command::new("cargo").args(["build", "--quiet", "--release", "-p", "weir"]))?;
    let started = Instant::now();
    let mut child = Command::new("target/release/weir")
        .arg("decode")
        .arg("--json")
        .arg(out)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .context("starting weir decode")?;
    let status_path = format!("/proc/{}/status", child.id());
    let mut peak_kib = 0u64;
    let status = loop {
        let hwm = std::fs::read_to_string(&status_path).ok().and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        });
        peak_kib = peak_kib.max(hwm.unwrap_or(0));
        if let Some(status) = child.try_wait()? {
            break status;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let secs = started.elapsed().as_secs_f64();
    let output = child.wait_with_output()?;
    if !status.success() {
        bail!("weir decode failed: {status}");
    }
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).context("weir decode --json output")?;
    let frames = report["frames"].as_u64().unwrap_or(0);
    println!(
        "weir decode: {frames} frames in {secs:.1} s ({:.2} M frames/s, {:.0} MiB/s), peak RSS {:.1} MiB for a {:.2} GiB file",
        frames as f64 / secs / 1e6,
        summary.bytes as f64 / secs / (1u64 << 20) as f64,
        peak_kib as f64 / 1024.0,
        summary.bytes as f64 / (1u64 << 30) as f64
    );
    if frames != summary.frames {
        bail!(
            "weir decode read {frames} frames, the generator wrote {}",
            summary.frames
        );
    }
    if !keep {
        std::fs::remove_file(out)?;
    }
    Ok(())
}
