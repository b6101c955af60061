//! `cargo xtask fuzz`: seed corpora from generated traffic and run every cargo-fuzz
//! target for a fixed time with `--sanitizer none` (works on the stable toolchain).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};
use pcap_file::DataLink;
use pcap_file::pcapng::PcapNgWriter;
use pcap_file::pcapng::blocks::enhanced_packet::EnhancedPacketBlock;
use pcap_file::pcapng::blocks::interface_description::InterfaceDescriptionBlock;
use weir_decode::LinkType;

/// Every fuzz target declared in `fuzz/Cargo.toml`.
pub const TARGETS: &[&str] = &[
    "decode",
    "pcap",
    "pcapng",
    "syslog",
    "app_http",
    "app_tls",
    "app_dns",
    "app_quic",
    "app_ssh",
    "app_dhcp",
    "app_ntp",
    "app_mail",
    "app_smb",
    "app_rdp",
    "app_misc",
    "app_infra",
    "app_p2p",
    "app_vpn",
    "app_games",
    "app_voip",
    "app_apps",
    "app_ics",
];

/// Most generated seeds written per target.
const MAX_SEEDS: usize = 400;

pub fn run(root: &Path, seconds: u64, only: &[String], jobs: u32) -> Result<()> {
    ensure_cargo_fuzz()?;
    let targets: Vec<&str> = if only.is_empty() {
        TARGETS.to_vec()
    } else {
        for t in only {
            if !TARGETS.contains(&t.as_str()) {
                bail!("unknown fuzz target {t:?}; targets: {}", TARGETS.join(", "));
            }
        }
        TARGETS
            .iter()
            .copied()
            .filter(|t| only.iter().any(|o| o == t))
            .collect()
    };
    let fuzz_dir = root.join("fuzz");
    seed_corpora(&fuzz_dir)?;
    let mut report = Vec::new();
    for t in targets {
        let corpus = fuzz_dir.join("corpus").join(t);
        let log = fuzz_dir.join(format!("fuzz-{t}.log"));
        eprintln!("fuzzing {t} for {seconds} s (log: {})", log.display());
        let mut cmd = Command::new("cargo");
        cmd.current_dir(&fuzz_dir)
            .args([
                "fuzz",
                "run",
                "--sanitizer",
                "none",
                "--debug-assertions",
                t,
            ])
            .arg(&corpus)
            .arg("--")
            .arg(format!("-max_total_time={seconds}"))
            .arg("-print_final_stats=1")
            .arg("-max_len=70000");
        // With -jobs, libFuzzer's workers write to fuzz-<n>.log in the fuzz directory.
        let worker_logs: Vec<PathBuf> = (0..jobs)
            .map(|n| fuzz_dir.join(format!("fuzz-{n}.log")))
            .collect();
        if jobs > 1 {
            cmd.arg(format!("-jobs={jobs}"))
                .arg(format!("-workers={jobs}"));
        }
        let status = cmd
            .stdout(Stdio::null())
            .stderr(fs::File::create(&log)?)
            .status()
            .context("running cargo fuzz")?;
        let mut text = fs::read_to_string(&log).unwrap_or_default();
        if jobs > 1 {
            for (n, l) in worker_logs.iter().enumerate() {
                text.push_str(&fs::read_to_string(l).unwrap_or_default());
                let _ = fs::rename(l, fuzz_dir.join(format!("fuzz-{t}-worker{n}.log")));
            }
        }
        let execs = text
            .lines()
            .filter_map(|l| l.strip_prefix("stat::number_of_executed_units:"))
            .filter_map(|n| n.trim().parse::<u64>().ok())
            .sum::<u64>();
        let crashes = count_files(&fuzz_dir.join("artifacts").join(t));
        let corpus_len = count_files(&corpus);
        report.push((t, status.success(), execs, crashes, corpus_len));
    }
    println!(
        "{:<8} {:>6} {:>14} {:>12} {:>8} {:>8}",
        "target", "secs", "executions", "execs/s", "corpus", "crashes"
    );
    let mut failed = false;
    for (t, ok, execs, crashes, corpus) in &report {
        println!(
            "{t:<8} {seconds:>6} {execs:>14} {:>12} {corpus:>8} {crashes:>8}{}",
            execs / seconds.max(1),
            if *ok {
                ""
            } else {
                "  FAILED (see fuzz/fuzz-*.log, fuzz/artifacts)"
            }
        );
        failed |= !ok || *crashes > 0;
    }
    if failed {
        bail!("a fuzz target found a crash");
    }
    Ok(())
}

fn count_files(dir: &Path) -> usize {
    fs::read_dir(dir)
        .map(|d| {
            d.filter_map(|e| e.ok())
                .filter(|e| e.path().is_file())
                .count()
        })
        .unwrap_or(0)
}

fn ensure_cargo_fuzz() -> Result<()> {
    let present = Command::new("cargo")
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !present {
        crate::run(Command::new("cargo").args(["install", "cargo-fuzz", "--locked"]))?;
    }
    Ok(())
}

/// Writes seeds made from generated traffic: raw frames re-wrapped in every supported
/// link type (decode), small pcaps (pcap) and small pcapngs (pcapng).
pub fn seed_corpora(fuzz_dir: &Path) -> Result<()> {
    let cfg = weir_gen::GenConfig {
        flows: 60,
        seed: 7,
        ..Default::default()
    };
    let (pcap, _) = weir_gen::generate_to_vec(&cfg);
    let frames = frames_of(&pcap)?;
    let dir = |t: &str| -> Result<PathBuf> {
        let d = fuzz_dir.join("corpus").join(t);
        fs::create_dir_all(&d)?;
        Ok(d)
    };

    let d = dir("decode")?;
    let mut written = 0;
    'outer: for (i, f) in frames.iter().enumerate() {
        for (sel, lt) in LinkType::SUPPORTED.iter().enumerate() {
            if let Some(wrapped) = rewrap(*lt, f) {
                let mut seed = vec![sel as u8];
                seed.extend(wrapped);
                fs::write(d.join(format!("gen-{i}-{}", lt.name())), seed)?;
                written += 1;
                if written >= MAX_SEEDS {
                    break 'outer;
                }
            }
        }
    }

    // Application payloads, by the service port they were sent to or from.
    let mut per_target: std::collections::BTreeMap<&str, usize> = Default::default();
    for (i, f) in frames.iter().enumerate() {
        let Ok(p) = weir_decode::decode(LinkType::Ethernet, f) else {
            continue;
        };
        let (Some((sp, dp)), false) = (p.l4.and_then(|l| l.ports()), p.payload.is_empty()) else {
            continue;
        };
        let Some(target) = [sp, dp].iter().find_map(|port| app_target(*port)) else {
            continue;
        };
        let n = per_target.entry(target).or_default();
        if *n < MAX_SEEDS / 4 {
            *n += 1;
            fs::write(dir(target)?.join(format!("gen-{i}")), p.payload)?;
        }
    }

    let d = dir("pcap")?;
    for (i, chunk) in frames.chunks(8).take(20).enumerate() {
        let mut out = pcap_header();
        for (j, f) in chunk.iter().enumerate() {
            out.extend((1_767_225_600u32 + j as u32).to_le_bytes());
            out.extend((j as u32 * 1000).to_le_bytes());
            out.extend((f.len() as u32).to_le_bytes());
            out.extend((f.len() as u32).to_le_bytes());
            out.extend(f);
        }
        fs::write(d.join(format!("gen-{i}.pcap")), out)?;
    }

    let d = dir("pcapng")?;
    for (i, chunk) in frames.chunks(8).take(20).enumerate() {
        let mut w = PcapNgWriter::new(Vec::new())?;
        w.write_pcapng_block(InterfaceDescriptionBlock {
            linktype: DataLink::ETHERNET,
            snaplen: 65535,
            options: vec![],
        })?;
        for (j, f) in chunk.iter().enumerate() {
            w.write_pcapng_block(EnhancedPacketBlock {
                interface_id: 0,
                timestamp: std::time::Duration::from_micros(
                    1_767_225_600_000_000 + j as u64 * 1000,
                ),
                original_len: f.len() as u32,
                data: std::borrow::Cow::Borrowed(f),
                options: vec![],
            })?;
        }
        fs::write(d.join(format!("gen-{i}.pcapng")), w.into_inner())?;
    }
    Ok(())
}

/// The app-dissector fuzz target for a service port of the generated traffic.
fn app_target(port: u16) -> Option<&'static str> {
    Some(match port {
        80 | 8080 => "app_http",
        443 => "app_tls",
        53 => "app_dns",
        123 => "app_ntp",
        22 => "app_ssh",
        25 | 587 => "app_mail",
        _ => return None,
    })
}

fn pcap_header() -> Vec<u8> {
    let mut h = 0xa1b2_c3d4u32.to_le_bytes().to_vec();
    h.extend(2u16.to_le_bytes());
    h.extend(4u16.to_le_bytes());
    h.extend([0; 8]);
    h.extend(65535u32.to_le_bytes());
    h.extend(1u32.to_le_bytes());
    h
}

fn frames_of(pcap: &[u8]) -> Result<Vec<Vec<u8>>> {
    let mut r = weir_decode::capture::CaptureReader::new(pcap, "generated")?;
    let mut out = Vec::new();
    while let Some(f) = r.next_frame() {
        out.push(f?.data.to_vec());
    }
    Ok(out)
}

/// Re-wraps an Ethernet frame's network layer in another link type's header.
fn rewrap(lt: LinkType, eth: &[u8]) -> Option<Vec<u8>> {
    let et = u16::from_be_bytes([*eth.get(12)?, *eth.get(13)?]);
    let net = eth.get(14..)?;
    let v6 = et == 0x86dd;
    let mut out = match lt {
        LinkType::Ethernet => return Some(eth.to_vec()),
        LinkType::Raw => vec![],
        LinkType::Ipv4 if !v6 => vec![],
        LinkType::Ipv6 if v6 => vec![],
        LinkType::Null => (if v6 { 30u32 } else { 2 }).to_le_bytes().to_vec(),
        LinkType::Loop => (if v6 { 30u32 } else { 2 }).to_be_bytes().to_vec(),
        LinkType::Ppp => vec![0xff, 0x03, 0x00, if v6 { 0x57 } else { 0x21 }],
        LinkType::CiscoHdlc => [&[0x0f, 0x00][..], &et.to_be_bytes()].concat(),
        LinkType::LinuxSll => [
            &[0, 0, 0, 1, 0, 6][..],
            eth.get(6..12)?,
            &[0, 0],
            &et.to_be_bytes(),
        ]
        .concat(),
        LinkType::LinuxSll2 => [
            &et.to_be_bytes()[..],
            &[0, 0, 0, 0, 0, 2, 0, 1, 0, 6],
            eth.get(6..12)?,
            &[0, 0],
        ]
        .concat(),
        _ => return None,
    };
    if et != 0x0800 && et != 0x86dd {
        return None;
    }
    out.extend(net);
    Some(out)
}
