//! Capture statistics and TCP issues end to end, on captures written here: pcapng
//! Interface Statistics Blocks reach `interface.getStats()`, the summary and the
//! `too_many_drops` plugin; zero-window segments reach `weir flows --json` and the
//! `tcp_connection_issues` plugin; a purged host's alerts end at the purge time.
//!
//! Golden files live under `plugins/<plugin>/tests/pcap/`; `WEIR_UPDATE_GOLDENS=1`
//! rewrites them (read them by eye afterwards).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn weir(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_weir"))
        .args(args)
        .env("NO_COLOR", "1")
        .env_remove("WEIR_DATA_DIR")
        .output()
        .expect("run weir")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `weir plugins test PLUGIN --pcap FILE --expect GOLDEN` (with `--update` when
/// `WEIR_UPDATE_GOLDENS` is set) and returns the golden's events.
fn golden_check(plugin: &str, pcap: &Path, golden: &str) -> Vec<Value> {
    let plugin = root().join("plugins").join(plugin);
    let golden = plugin.join("tests/pcap").join(golden);
    let mut args = vec![
        "plugins".to_string(),
        "test".into(),
        plugin.display().to_string(),
        "--pcap".into(),
        pcap.display().to_string(),
        "--local-net".into(),
        "192.168.0.0/16".into(),
        "--expect".into(),
        golden.display().to_string(),
    ];
    if std::env::var_os("WEIR_UPDATE_GOLDENS").is_some() {
        std::fs::create_dir_all(golden.parent().unwrap()).unwrap();
        args.push("--update".into());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = weir(&args);
    assert!(
        o.status.success(),
        "{}\n{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    std::fs::read_to_string(&golden)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A little-endian pcapng file with one Ethernet interface (microseconds).
struct PcapNg(Vec<u8>);

impl PcapNg {
    fn new() -> PcapNg {
        let mut f = PcapNg(Vec::new());
        let mut shb = 0x1a2b_3c4du32.to_le_bytes().to_vec();
        shb.extend([1, 0, 0, 0]);
        shb.extend(u64::MAX.to_le_bytes());
        f.block(0x0a0d_0d0a, &shb);
        let mut idb = 1u16.to_le_bytes().to_vec(); // LINKTYPE_ETHERNET
        idb.extend([0, 0]);
        idb.extend(0u32.to_le_bytes());
        f.block(1, &idb);
        f
    }

    fn block(&mut self, ty: u32, body: &[u8]) {
        let mut body = body.to_vec();
        body.resize(body.len().div_ceil(4) * 4, 0);
        let len = (body.len() + 12) as u32;
        self.0.extend(ty.to_le_bytes());
        self.0.extend(len.to_le_bytes());
        self.0.extend(body);
        self.0.extend(len.to_le_bytes());
    }

    fn time(us: u64) -> Vec<u8> {
        let mut v = ((us >> 32) as u32).to_le_bytes().to_vec();
        v.extend((us as u32).to_le_bytes());
        v
    }

    /// An Enhanced Packet Block.
    fn packet(&mut self, us: u64, frame: &[u8]) {
        let mut body = 0u32.to_le_bytes().to_vec();
        body.extend(Self::time(us));
        body.extend((frame.len() as u32).to_le_bytes());
        body.extend((frame.len() as u32).to_le_bytes());
        body.extend(frame);
        self.block(6, &body);
    }

    /// An Interface Statistics Block with cumulative `isb_ifdrop` and `isb_osdrop`.
    fn stats(&mut self, us: u64, if_drop: u64, os_drop: u64) {
        let mut body = 0u32.to_le_bytes().to_vec();
        body.extend(Self::time(us));
        for (code, v) in [(5u16, if_drop), (7, os_drop)] {
            body.extend(code.to_le_bytes());
            body.extend(8u16.to_le_bytes());
            body.extend(v.to_le_bytes());
        }
        body.extend([0, 0, 0, 0]); // opt_endofopt
        self.block(5, &body);
    }

    fn write(&self, path: &Path) {
        std::fs::write(path, &self.0).unwrap();
    }
}

/// An Ethernet/IPv4 frame around an L4 header and payload.
fn ipv4(src: [u8; 4], dst: [u8; 4], proto: u8, l4: &[u8]) -> Vec<u8> {
    let mut f = vec![2, 0, 0, 0, 0, dst[3], 2, 0, 0, 0, 0, src[3], 0x08, 0x00];
    f.extend([0x45, 0]);
    f.extend(((20 + l4.len()) as u16).to_be_bytes());
    f.extend([0, 1, 0x40, 0, 64, proto, 0, 0]);
    f.extend(src);
    f.extend(dst);
    f.extend(l4);
    f
}

fn udp(src: [u8; 4], dst: [u8; 4], sport: u16, dport: u16, payload: &[u8]) -> Vec<u8> {
    let mut l4 = sport.to_be_bytes().to_vec();
    l4.extend(dport.to_be_bytes());
    l4.extend(((8 + payload.len()) as u16).to_be_bytes());
    l4.extend([0, 0]);
    l4.extend(payload);
    ipv4(src, dst, 17, &l4)
}

const FIN: u8 = 1;
const SYN: u8 = 2;
const ACK: u8 = 16;
const PSH: u8 = 8;

/// One TCP segment (no options).
#[allow(clippy::too_many_arguments)]
fn tcp(
    src: ([u8; 4], u16),
    dst: ([u8; 4], u16),
    seq: u32,
    ack: u32,
    flags: u8,
    window: u16,
    payload: &[u8],
) -> Vec<u8> {
    let mut l4 = src.1.to_be_bytes().to_vec();
    l4.extend(dst.1.to_be_bytes());
    l4.extend(seq.to_be_bytes());
    l4.extend(ack.to_be_bytes());
    l4.extend([5 << 4, flags]);
    l4.extend(window.to_be_bytes());
    l4.extend([0, 0, 0, 0]);
    l4.extend(payload);
    ipv4(src.0, dst.0, 6, &l4)
}

/// 2026-01-01 00:00:00 UTC, a minute boundary.
const T0: u64 = 1_767_225_600;
const SEC: u64 = 1_000_000;

/// Five minutes of one UDP packet a second, with a statistics block every 10 s
/// (at :05, :15, …): the counters grow by 5 (4 interface + 1 OS drops) at each block
/// of the third minute only, i.e. 30 drops against its 60 packets.
fn lossy_capture(path: &Path) {
    let mut f = PcapNg::new();
    let (cli, srv) = ([192, 168, 1, 10], [192, 168, 1, 1]);
    let (mut ifd, mut osd) = (0, 0);
    for s in 0..300u64 {
        let sport = 40000 + (s / 60) as u16;
        f.packet(
            (T0 + s) * SEC + 500_000,
            &udp(cli, srv, sport, 9999, b"weir"),
        );
        if s % 10 == 5 {
            if (125..=175).contains(&s) {
                ifd += 4;
                osd += 1;
            }
            f.stats((T0 + s) * SEC, ifd, osd);
        }
    }
    f.write(path);
}

#[test]
fn too_many_drops_alerts_on_pcapng_drop_counters() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = dir.path().join("lossy.pcapng");
    lossy_capture(&pcap);
    let events = golden_check("too_many_drops", &pcap, "isb_drops.ndjson");
    // Engaged at the end of the lossy minute (30 drops, 60 packets: 33%), released
    // the minute after.
    assert_eq!(events.len(), 2, "{events:#?}");
    assert_eq!(events[0]["action"], "trigger");
    assert_eq!(events[0]["ts"], T0 + 180);
    assert_eq!(events[0]["params"]["drops"], 30);
    assert_eq!(events[0]["params"]["packets"], 60);
    assert_eq!(events[1]["action"], "release");
    assert_eq!(events[1]["ts"], T0 + 240);
}

#[test]
fn interface_stats_summary_see_capture_drops_and_table_capacity() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = dir.path().join("lossy.pcapng");
    lossy_capture(&pcap);
    let plugin = dir.path().join("iface_probe");
    let script = plugin.join("user_scripts/interface/probe.lua");
    std::fs::create_dir_all(script.parent().unwrap()).unwrap();
    std::fs::write(
        &script,
        r#"local s = { hooks = {}, gui = { i18n_title = "p", i18n_description = "p" } }
function s.hooks.min(params)
  local st = interface.getStats()
  io.write(string.format("%d drops=%d since_reset=%d entity=%d max_flows=%d flows=%d full=%s\n",
    params.when, st.stats.drops, st.stats_since_reset.drops, params.entity_info.stats.drops,
    st.stats.max_flows, st.stats.flows, tostring(st.anomalies.too_many_flows)))
end
return s"#,
    )
    .unwrap();
    let p = plugin.display().to_string();
    let f = pcap.display().to_string();
    let o = weir(&["plugins", "test", &p, "--pcap", &f]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    let lines: Vec<&str> = out.lines().filter(|l| l.contains("drops=")).collect();
    assert_eq!(
        lines.first().copied(),
        Some(
            format!(
                "{} drops=0 since_reset=0 entity=0 max_flows=524288 flows=1 full=nil",
                T0 + 60
            )
            .as_str()
        ),
        "{out}"
    );
    assert!(
        lines.contains(
            &format!(
                "{} drops=30 since_reset=30 entity=30 max_flows=524288 flows=1 full=nil",
                T0 + 180
            )
            .as_str()
        ),
        "{out}"
    );

    // The run summary counts them too.
    let data = dir.path().join("data");
    let d = data.display().to_string();
    let o = weir(&[
        "run",
        "--pcap",
        &f,
        "--data-dir",
        &d,
        "--quiet",
        "--json",
        "--no-builtin-plugins",
        "--timeseries",
        "off",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let summary: Value = serde_json::from_str(text(&o.stdout).trim()).unwrap();
    assert_eq!(summary["interfaces"][0]["capture_drops"], 30, "{summary}");
    assert_eq!(summary["interfaces"][0]["packets"], 300, "{summary}");
}

/// Two transfers of 100 segments from 192.168.1.20 to 198.51.100.7:5001; in the
/// first, 10 of the server's ACKs advertise a zero window.
fn zero_window_capture(path: &Path) {
    let mut f = PcapNg::new();
    let srv = ([198, 51, 100, 7], 5001);
    let mut us = (T0 + 1) * SEC;
    for (n, sport, zero) in [(0u64, 50000u16, 40..50), (1, 50001, 0..0)] {
        let cli = ([192, 168, 1, 20], sport);
        let (mut cseq, sseq) = (1000u32 + n as u32, 9000u32);
        let mut at = |f: &mut PcapNg, frame: Vec<u8>| {
            us += 10_000;
            f.packet(us, &frame);
        };
        at(&mut f, tcp(cli, srv, cseq, 0, SYN, 64240, b""));
        at(&mut f, tcp(srv, cli, sseq, cseq + 1, SYN | ACK, 65160, b""));
        cseq += 1;
        at(&mut f, tcp(cli, srv, cseq, sseq + 1, ACK, 64240, b""));
        let data = [0x5au8; 1000];
        for i in 0..100 {
            at(
                &mut f,
                tcp(cli, srv, cseq, sseq + 1, ACK | PSH, 64240, &data),
            );
            cseq += 1000;
            let win = if zero.contains(&i) { 0 } else { 65160 };
            at(&mut f, tcp(srv, cli, sseq + 1, cseq, ACK, win, b""));
        }
        at(&mut f, tcp(cli, srv, cseq, sseq + 1, FIN | ACK, 64240, b""));
        at(
            &mut f,
            tcp(srv, cli, sseq + 1, cseq + 1, FIN | ACK, 65160, b""),
        );
        at(&mut f, tcp(cli, srv, cseq + 1, sseq + 2, ACK, 64240, b""));
    }
    f.write(path);
}

#[test]
fn zero_window_segments_in_flows_and_tcp_connection_issues() {
    let dir = tempfile::tempdir().unwrap();
    let pcap = dir.path().join("zero.pcapng");
    zero_window_capture(&pcap);
    let f = pcap.display().to_string();
    let o = weir(&["flows", &f, "--json"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let flows: Vec<Value> = text(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let by_port = |p: u16| {
        flows
            .iter()
            .find(|f| f["cli.port"] == p)
            .unwrap_or_else(|| panic!("no flow from port {p}: {flows:#?}"))
    };
    let lossy = by_port(50000);
    assert_eq!(lossy["srv2cli.zero_window"], 10);
    assert_eq!(lossy["cli2srv.zero_window"], 0);
    assert_eq!(lossy["srv2cli.packets"], 102);
    assert_eq!(by_port(50001)["srv2cli.zero_window"], 0);

    let events = golden_check("tcp_connection_issues", &pcap, "zero_window.ndjson");
    // Only the first transfer gets the status and its alert: 10 zero windows in 102
    // server packets (9.8%, above 5%, below the severe 15%).
    assert_eq!(events.len(), 2, "{events:#?}");
    assert_eq!(events[0]["event"], "status");
    assert_eq!(events[0]["status_key"], 19);
    let alert = &events[1];
    assert_eq!(alert["event"], "flow_alert");
    assert_eq!(alert["cli_port"], 50000);
    assert_eq!(alert["flow_status"], 19);
    let info: Value = serde_json::from_str(alert["alert_json"].as_str().unwrap()).unwrap();
    assert_eq!(info["srv2cli.zero_window"], 10);
    assert_eq!(info["srv2cli.zero_window.pct"], 9.8);
}

#[test]
fn purged_host_alert_is_stored_with_the_purge_time() {
    let dir = tempfile::tempdir().unwrap();
    let plugin = dir.path().join("purge_probe");
    let script = plugin.join("user_scripts/host/probe.lua");
    std::fs::create_dir_all(script.parent().unwrap()).unwrap();
    std::fs::write(
        &script,
        r#"local alerts_api = require("alerts_api")
local alert_consts = require("alert_consts")
local s = { hooks = {}, gui = { i18n_title = "p", i18n_description = "p" } }
function s.hooks.min(params)
  if params.entity_info.ip ~= "192.168.1.5" then return end
  local info = alert_consts.alert_types.alert_internals.create()
  info.alert_severity = alert_consts.alert_severities.warning
  info.alert_granularity = alert_consts.alerts_granularities.min
  info.alert_subtype = "probe"
  info.alert_type_params = { what = "probe" }
  alerts_api.trigger(params.alert_entity, info, nil, params.cur_alerts)
end
return s"#,
    )
    .unwrap();
    // 192.168.1.5 talks for 11 s; 192.168.1.9 keeps the clock going for 5 minutes.
    let mut f = PcapNg::new();
    let gw = [192, 168, 1, 1];
    for s in [1, 6, 11] {
        f.packet(
            (T0 + s) * SEC,
            &udp([192, 168, 1, 5], gw, 40000, 7000, b"a"),
        );
    }
    for s in (1..300).step_by(10) {
        f.packet(
            (T0 + s) * SEC,
            &udp([192, 168, 1, 9], gw, 40001, 7001, b"b"),
        );
    }
    let pcap = dir.path().join("purge.pcapng");
    f.write(&pcap);
    let (p, c, d) = (
        plugin.display().to_string(),
        pcap.display().to_string(),
        dir.path().join("data").display().to_string(),
    );
    let o = weir(&[
        "run",
        "--pcap",
        &c,
        "--data-dir",
        &d,
        "--quiet",
        "--no-builtin-plugins",
        "--plugins",
        &p,
        "--timeseries",
        "off",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = weir(&["alerts", "--data-dir", &d, "--json", "--ip", "192.168.1.5"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let alerts: Vec<Value> = text(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Engaged at the first minute, released when the host was purged: the first
    // packet after T0+120 (idle for 60 s with no flows at that minute), not at the
    // end of the capture.
    assert_eq!(alerts.len(), 1, "{alerts:#?}");
    let a = &alerts[0];
    assert_eq!(a["alert_entity_val"], "192.168.1.5@0", "{a}");
    assert_eq!(a["alert_tstamp"], T0 + 60, "{a}");
    assert_eq!(a["alert_tstamp_end"], T0 + 121, "{a}");
}
