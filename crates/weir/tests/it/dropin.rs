//! Plugins users drop in beside the built-in ones (`weir run --plugins DIR`): the
//! seeds' tutorial plugin at each of its stages and the seeds' syslog example
//! `suricata.lua` take the place of the built-in plugins with their keys and behave
//! as the seeds say. The seeds' code, as written, is that of the weir-script test
//! plugins and of the built-in `exes_download`.

use std::path::PathBuf;

use serde_json::Value;

use crate::common::{Daemon, logger, scratch_dir, stderr, stdout, weir};

/// A plugin directory of the weir-script tests: the seeds' code as written
/// (`exes_print`: the tutorial's first stage; `syslog_suricata`: the syslog example).
fn seed_plugin(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../weir-script/tests/plugins")
        .join(name)
        .canonicalize()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// The tutorial's final stage in `dir/exes_download`: its three files (flow script,
/// alert and status definitions), which the built-in plugin ships unchanged.
fn tutorial_final(dir: &std::path::Path) -> String {
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../plugins/exes_download");
    let dst = dir.join("exes_download");
    for f in [
        "user_scripts/flow/exes_download.lua",
        "alert_definitions/alert_exe_download.lua",
        "status_definitions/status_exe_download.lua",
    ] {
        let to = dst.join(f);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(src.join(f), to).unwrap();
    }
    dst.to_string_lossy().into_owned()
}

/// `weir run --pcap PCAP --plugins PLUGINS` with its data in `data`, at info level.
fn run_beside_builtins(pcap: &str, plugins: &str, data: &std::path::Path) -> std::process::Output {
    let o = weir(&[
        "run",
        "--pcap",
        pcap,
        "--plugins",
        plugins,
        "--data-dir",
        data.to_str().unwrap(),
        "-q",
        "--log-level",
        "info",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    o
}

/// A generated capture with HTTP downloads of `.exe` files among other traffic.
fn exe_capture(dir: &std::path::Path) -> String {
    let out = dir.join("exe.pcap");
    let o = weir(&[
        "gen-pcap",
        "--flows",
        "200",
        "--seed",
        "7",
        "--scenario",
        "exe_downloads",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    out.to_string_lossy().into_owned()
}

fn alerts(data: &str) -> Vec<Value> {
    let o = weir(&["alerts", "--json", "--data-dir", data]);
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn replaced_line(log: &str, dir: &str, builtin: &str) -> usize {
    log.lines()
        .filter(|l| {
            l.contains(&format!(
                "plugin {dir} replaces the built-in plugin builtin:{builtin}"
            ))
        })
        .count()
}

#[test]
fn tutorial_first_stage_prints_the_urls_instead_of_the_builtin_alerting() {
    let tmp = tempfile::tempdir_in(scratch_dir()).unwrap();
    let pcap = exe_capture(tmp.path());
    let data = tmp.path().join("data");
    let plugins = seed_plugin("exes_print");
    let o = run_beside_builtins(&pcap, &plugins, &data);
    let out = stdout(&o);
    let urls: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("last_url: "))
        .collect();
    assert!(urls.len() >= 2, "the user's io.write lines: {out}");
    for u in &urls {
        assert!(u.contains(".exe [[HTTP] TCP "), "{u}");
    }
    // Its script key is the built-in's: the built-in plugin is replaced.
    let dir = &plugins;
    assert_eq!(
        replaced_line(&stderr(&o), dir, "exes_download"),
        1,
        "{}",
        stderr(&o)
    );
    // The first stage raises nothing, and the built-in it replaced no longer runs.
    let a = alerts(data.to_str().unwrap());
    assert!(
        a.iter().all(|x| x["alert_name"] != "alert_exe_download"),
        "{a:#?}"
    );
    // Other built-in plugins still run beside it.
    let list = weir(&["plugins", "list", "--builtin", &plugins]);
    let text = stdout(&list);
    assert!(
        text.contains(&format!(
            "exes_print  exes_print  ({dir})\n  replaces: builtin:exes_download"
        )),
        "{text}"
    );
    assert!(text.contains("(builtin:syn_flood)"), "{text}");
}

#[test]
fn tutorial_final_stage_raises_its_alert_from_the_users_files() {
    let tmp = tempfile::tempdir_in(scratch_dir()).unwrap();
    let pcap = exe_capture(tmp.path());
    let data = tmp.path().join("data");
    let dir = tutorial_final(&tmp.path().join("mine"));
    let o = run_beside_builtins(&pcap, &tmp.path().join("mine").to_string_lossy(), &data);
    assert_eq!(
        replaced_line(&stderr(&o), &dir, "exes_download"),
        1,
        "{}",
        stderr(&o)
    );
    assert!(!stderr(&o).contains("duplicate"), "{}", stderr(&o));
    let a = alerts(data.to_str().unwrap());
    let exe: Vec<&Value> = a
        .iter()
        .filter(|x| x["alert_name"] == "alert_exe_download")
        .collect();
    assert!(exe.len() >= 2, "{a:#?}");
    for x in &exe {
        assert_eq!(x["score"], 100, "{x}");
        assert_eq!(
            x["alert_severity"], 5,
            "error, from the status definition: {x}"
        );
        let j: Value = serde_json::from_str(x["alert_json"].as_str().unwrap()).unwrap();
        let url = j["status_info"]["protos.http.last_url"]
            .as_str()
            .or_else(|| j["protos.http.last_url"].as_str())
            .unwrap_or_else(|| panic!("the HTTP info the creator put in: {j}"));
        assert!(url.contains(".exe"), "{j}");
    }
}

#[test]
fn seed_suricata_syslog_script_replaces_the_builtin_collector() {
    let plugins = seed_plugin("syslog_suricata");
    let mut d = Daemon::weir(&[
        "run",
        "--syslog",
        "udp://127.0.0.1:0",
        "--plugins",
        &plugins,
        "--log-level",
        "info",
    ]);
    let line = d.wait_for("listening on udp");
    let port = line.rsplit(':').next().unwrap().trim().to_owned();
    d.wait_for(&format!(
        "plugin {plugins} replaces the built-in plugin builtin:suricata_collector"
    ));
    assert!(
        !d.seen
            .iter()
            .any(|l| l.contains("WARN") || l.contains("ERROR")),
        "{:?}",
        d.seen
    );
    let eve = r#"{"timestamp":"2026-12-06T10:00:00.000000+0000","event_type":"alert","src_ip":"192.168.1.10","src_port":40000,"dest_ip":"203.0.113.5","dest_port":80,"proto":"TCP","alert":{"signature_id":2100498,"signature":"GPL ATTACK_RESPONSE id check returned root","severity":2}}"#;
    logger(&["-d", "-n", "127.0.0.1", "-P", &port, "-t", "suricata", eve]);
    // The seed's handleEvent decodes the Eve JSON and tprint()s it (a pause for the
    // datagram to be read before weir is stopped; not a timing check).
    std::thread::sleep(std::time::Duration::from_secs(2));
    let out = d.sigterm_stdout();
    assert!(
        out.contains("alert.signature string GPL ATTACK_RESPONSE id check returned root"),
        "{out}"
    );
    assert!(out.contains("src_ip string 192.168.1.10"), "{out}");
}
