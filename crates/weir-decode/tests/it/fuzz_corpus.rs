//! Replays the fuzz corpora (`fuzz/corpus/<target>/`) and the crash regressions
//! (`tests/data/regress/<target>-*`) through the same code the fuzz targets run, so an
//! ordinary `cargo test` exercises every committed seed.

use std::path::{Path, PathBuf};

use weir_decode::fuzzing::{capture_input, decode_input, syslog_input};

/// Fewest committed seeds a fuzz target's corpus may have: an empty or near-empty corpus
/// fails the replay tests (seeds come from `fuzz_seeds::write_fuzz_seeds`).
pub const MIN_SEEDS: usize = 5;

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

/// Replays the corpus and the crash regressions of `target` through `run`, and checks the
/// corpus holds at least [`MIN_SEEDS`] committed seeds. Returns the inputs replayed.
fn replay(target: &str, run: fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("../../fuzz/corpus").join(target);
    let seeds = files(&corpus, "seed-").len();
    assert!(
        seeds >= MIN_SEEDS,
        "fuzz/corpus/{target} has {seeds} seed-* files, at least {MIN_SEEDS} expected"
    );
    // Committed seeds and anything a local fuzz run added.
    let mut inputs = files(&corpus, "");
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

#[test]
fn app_dissector_corpora() {
    use weir_decode::fuzzing as f;
    type Harness = fn(&[u8]);
    let targets: &[(&str, Harness)] = &[
        ("app_apps", f::app_apps_input),
        ("app_ics", f::app_ics_input),
        ("app_dhcp", f::app_dhcp_input),
        ("app_dns", f::app_dns_input),
        ("app_http", f::app_http_input),
        ("app_infra", f::app_infra_input),
        ("app_mail", f::app_mail_input),
        ("app_misc", f::app_misc_input),
        ("app_ntp", f::app_ntp_input),
        ("app_quic", f::app_quic_input),
        ("app_rdp", f::app_rdp_input),
        ("app_smb", f::app_smb_input),
        ("app_ssh", f::app_ssh_input),
        ("app_tls", f::app_tls_input),
        ("app_p2p", f::app_p2p_input),
        ("app_vpn", f::app_vpn_input),
        ("app_games", f::app_games_input),
        ("app_voip", f::app_voip_input),
    ];
    for &(name, run) in targets {
        let n = replay(name, run);
        eprintln!("replayed {n} {name} inputs");
    }
}

#[test]
fn every_fuzz_target_has_a_replayed_corpus() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    let declared: Vec<&str> = manifest
        .lines()
        .filter_map(|l| l.trim().strip_prefix("name = \""))
        .filter_map(|l| l.strip_suffix('"'))
        .filter(|n| *n != "weir-fuzz")
        .collect();
    let mut sources: Vec<String> = files(&root.join("fuzz_targets"), "")
        .iter()
        .filter_map(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .collect();
    sources.sort();
    let mut sorted = declared.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted, sources,
        "fuzz/Cargo.toml and fuzz/fuzz_targets differ"
    );
    // The targets the tests above replay: keep in step with fuzz/Cargo.toml.
    let replayed = [
        "decode",
        "pcap",
        "pcapng",
        "syslog",
        "app_dhcp",
        "app_dns",
        "app_http",
        "app_mail",
        "app_misc",
        "app_ntp",
        "app_quic",
        "app_rdp",
        "app_smb",
        "app_ssh",
        "app_tls",
        "app_infra",
        "app_p2p",
        "app_vpn",
        "app_games",
        "app_voip",
        "app_apps",
        "app_ics",
    ];
    for t in &declared {
        assert!(replayed.contains(t), "fuzz target {t} is not replayed");
        let seeds = files(&root.join("corpus").join(t), "seed-").len();
        assert!(seeds >= MIN_SEEDS, "fuzz/corpus/{t}: {seeds} seeds");
    }
}
