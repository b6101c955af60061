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

#[test]
fn app_dissector_corpora() {
    use weir_decode::fuzzing as f;
    type Harness = fn(&[u8]);
    let targets: [(&str, Harness); 11] = [
        ("app_dhcp", f::app_dhcp_input),
        ("app_dns", f::app_dns_input),
        ("app_http", f::app_http_input),
        ("app_mail", f::app_mail_input),
        ("app_misc", f::app_misc_input),
        ("app_ntp", f::app_ntp_input),
        ("app_quic", f::app_quic_input),
        ("app_rdp", f::app_rdp_input),
        ("app_smb", f::app_smb_input),
        ("app_ssh", f::app_ssh_input),
        ("app_tls", f::app_tls_input),
    ];
    for (name, run) in targets {
        let n = replay(name, run);
        eprintln!("replayed {n} {name} inputs");
    }
}
