//! Flow script `prefilter`s: the dispatcher calls a script only for the flows its
//! conditions admit, reads bounds from the script's configuration, and refuses a
//! malformed prefilter at load with the file named.

use weir_decode::Timestamp;
use weir_flow::{FlowKey, L7, Proto};
use weir_script::{FlowHook, FlowView, Output, PluginSource, Runtime, ScriptConfig};

/// A script printing its name on `protocolDetected`, with `prefilter` and
/// `default_value` as given (Lua expressions).
fn script(name: &str, prefilter: &str, default_value: &str) -> String {
    format!(
        "local s = {{ prefilter = {prefilter}, default_value = {default_value}, hooks = {{}},\n\
           gui = {{ i18n_title = \"{name}\", i18n_description = \"{name}\" }} }}\n\
         function s.hooks.protocolDetected(now, conf) io.write(\"{name} \") end\n\
         return s\n"
    )
}

fn runtime(files: &[(String, String)]) -> (Runtime, weir_script::LoadReport) {
    let files: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_bytes()))
        .collect();
    let (src, problems) = PluginSource::embedded("pf", files);
    assert!(problems.is_empty(), "{problems:?}");
    Runtime::load(ScriptConfig {
        sources: vec![src],
        output: Output::Buffer,
        local_networks: vec!["192.168.0.0/16".parse().unwrap()],
        ..ScriptConfig::default()
    })
    .unwrap()
}

/// A TCP flow `cli` → `srv` with `bytes` sent, `answered` packets back.
fn view(cli: &str, srv: (&str, u16), bytes: u64, answered: u64, l7: Proto) -> Box<FlowView> {
    let (key, cli_is_a) = FlowKey::new(
        0,
        6,
        (cli.parse().unwrap(), 40000),
        (srv.0.parse().unwrap(), srv.1),
    );
    let mut v = FlowView::synthetic(key, cli_is_a, 1, Timestamp(1_000_000));
    v.dir[0].packets = 4;
    v.dir[0].bytes = bytes;
    v.dir[1].packets = answered;
    v.dir[1].bytes = answered * 60;
    v.l7 = L7::default();
    v.l7.master = l7;
    Box::new(v)
}

fn called(rt: &mut Runtime, v: Box<FlowView>) -> String {
    let _ = rt.dispatch_view(FlowHook::ProtocolDetected, Timestamp(1_000_000), v);
    let out = String::from_utf8(rt.take_output()).unwrap();
    let mut names: Vec<&str> = out.split_whitespace().collect();
    names.sort_unstable();
    names.join(" ")
}

fn files() -> Vec<(String, String)> {
    [
        ("out", r#"{ peers = "local_to_remote" }"#, "{}"),
        (
            "big",
            r#"{ min_bytes = { "limit", "other" } }"#,
            "{ limit = 1000 }",
        ),
        ("oneway", "{ unidirectional = true }", "{}"),
        ("port", "{ risks = { 5 } }", "{}"),
        (
            "r2r",
            r#"{ peers = "remote_to_remote", min_packets = 4 }"#,
            "{}",
        ),
        ("listed", "{ blacklisted = true }", "{}"),
        ("all", "nil", "{}"),
    ]
    .iter()
    .map(|(n, p, d)| (format!("user_scripts/flow/{n}.lua"), script(n, p, d)))
    .collect()
}

#[test]
fn scripts_see_only_the_flows_their_prefilter_admits() {
    let (mut rt, report) = runtime(&files());
    assert!(report.errors().next().is_none(), "{:?}", report.problems);
    // Local to remote, small, unanswered, HTTP on its own port.
    assert_eq!(
        called(
            &mut rt,
            view("192.168.1.2", ("8.8.8.8", 80), 500, 0, Proto::HTTP)
        ),
        "all oneway out"
    );
    // Past the configured `limit` (the unset `other` does not count), answered.
    assert_eq!(
        called(
            &mut rt,
            view("192.168.1.2", ("8.8.8.8", 80), 1001, 1, Proto::HTTP)
        ),
        "all big out"
    );
    // HTTP found on another port: nDPI's risk 5.
    assert_eq!(
        called(
            &mut rt,
            view("8.8.4.4", ("8.8.8.8", 8081), 10, 2, Proto::HTTP)
        ),
        "all port r2r"
    );
    // Remote to local with too few packets for `r2r`.
    assert_eq!(
        called(
            &mut rt,
            view("8.8.4.4", ("192.168.1.2", 22), 10, 2, Proto::SSH)
        ),
        "all"
    );
    let calls: Vec<(String, u64)> = rt
        .scripts()
        .into_iter()
        .map(|s| (s.key.clone(), s.calls))
        .collect();
    assert!(calls.contains(&("all".into(), 4)), "{calls:?}");
    assert!(calls.contains(&("big".into(), 1)), "{calls:?}");
}

#[test]
fn a_malformed_prefilter_skips_the_script_with_its_file_named() {
    let mut f = files();
    f.push((
        "user_scripts/flow/bad.lua".into(),
        script("bad", r#"{ peers = "sideways" }"#, "{}"),
    ));
    f.push((
        "user_scripts/flow/typo.lua".into(),
        script("typo", "{ min_byte = 10 }", "{}"),
    ));
    let (mut rt, report) = runtime(&f);
    let errors: Vec<String> = report.errors().map(|p| p.to_string()).collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert!(
        errors.iter().any(|e| e.contains("bad.lua")
            && e.contains("prefilter.peers")
            && e.contains("sideways")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("typo.lua") && e.contains("unknown condition `min_byte`")),
        "{errors:?}"
    );
    // The others still run.
    assert_eq!(
        called(
            &mut rt,
            view("192.168.1.2", ("8.8.8.8", 80), 500, 0, Proto::HTTP)
        ),
        "all oneway out"
    );
}

#[test]
fn a_meta_condition_admits_the_flows_carrying_those_protocol_fields() {
    use weir_flow::{DnsInfo, HttpInfo, L7Meta, ProtoInfo};
    let mut f = files();
    f.push((
        "user_scripts/flow/web.lua".into(),
        script("web", r#"{ meta = "http" }"#, "{}"),
    ));
    f.push((
        "user_scripts/flow/names.lua".into(),
        script("names", r#"{ meta = { "tls", "dns" } }"#, "{}"),
    ));
    f.push((
        "user_scripts/flow/what.lua".into(),
        script("what", r#"{ meta = "smtp" }"#, "{}"),
    ));
    let (mut rt, report) = runtime(&f);
    let errors: Vec<String> = report.errors().map(|p| p.to_string()).collect();
    assert!(
        errors.len() == 1 && errors[0].contains("what.lua") && errors[0].contains("\"smtp\""),
        "{errors:?}"
    );
    let with = |info: ProtoInfo| {
        let mut v = view("8.8.4.4", ("192.168.1.2", 22), 10, 2, Proto::SSH);
        let mut m = L7Meta::default();
        m.info = info;
        v.meta = Some(Box::new(m));
        v
    };
    assert_eq!(called(&mut rt, with(ProtoInfo::None)), "all");
    assert_eq!(
        called(&mut rt, with(ProtoInfo::Http(HttpInfo::default()))),
        "all web"
    );
    assert_eq!(
        called(&mut rt, with(ProtoInfo::Dns(DnsInfo::default()))),
        "all names"
    );
}

#[test]
fn on_config_admits_the_first_flow_after_each_configuration_change() {
    let dir = tempfile::tempdir().unwrap();
    let files: Vec<(&str, &[u8])> = vec![(
        "user_scripts/flow/cfg.lua",
        br#"local s = { prefilter = { categories = { "Mining" }, on_config = true },
  default_value = { items = {} }, hooks = {}, gui = { i18n_title = "c", i18n_description = "c" } }
function s.hooks.protocolDetected(now, conf) io.write("cfg:", #conf.items, " ") end
return s
"#,
    )];
    let (src, problems) = PluginSource::embedded("pf", files);
    assert!(problems.is_empty(), "{problems:?}");
    let (mut rt, report) = Runtime::load(ScriptConfig {
        sources: vec![src],
        output: Output::Buffer,
        working_dir: dir.path().to_path_buf(),
        ..ScriptConfig::default()
    })
    .unwrap();
    assert!(report.errors().next().is_none(), "{:?}", report.problems);
    let flow = |rt: &mut Runtime, secs: u64| {
        let v = view("192.168.1.2", ("8.8.8.8", 80), 500, 1, Proto::HTTP);
        let _ = rt.dispatch_view(FlowHook::ProtocolDetected, Timestamp(secs * 1_000_000), v);
        String::from_utf8(rt.take_output()).unwrap()
    };
    // The first flow (not Mining) is admitted once, for the configuration.
    assert_eq!(flow(&mut rt, 1_000), "cfg:0 ");
    assert_eq!(flow(&mut rt, 1_001), "");
    // A new configuration: once more.
    std::fs::write(
        dir.path().join("scripts.toml"),
        "[script.\"flow/cfg\".conf.all]\nitems = [\"pool.example\"]\n",
    )
    .unwrap();
    assert_eq!(flow(&mut rt, 1_002), "cfg:1 ");
    assert_eq!(flow(&mut rt, 1_003), "");
}

#[test]
fn not_in_leaves_out_the_servers_of_the_configured_list() {
    let files = vec![(
        "user_scripts/flow/allow.lua".to_owned(),
        script(
            "allow",
            r#"{ not_in = "items" }"#,
            r#"{ items = { "8.8.8.8", "203.0.113.0/24", "not an address" } }"#,
        ),
    )];
    let (mut rt, report) = runtime(&files);
    assert!(report.errors().next().is_none(), "{:?}", report.problems);
    let to = |rt: &mut Runtime, srv: &str| {
        called(rt, view("192.168.1.2", (srv, 53), 500, 1, Proto::DNS))
    };
    assert_eq!(to(&mut rt, "8.8.8.8"), "", "listed address");
    assert_eq!(to(&mut rt, "203.0.113.77"), "", "in a listed network");
    assert_eq!(to(&mut rt, "9.9.9.9"), "allow");
    let (_, report) = runtime(&[(
        "user_scripts/flow/bad.lua".to_owned(),
        script("bad", "{ not_in = 5 }", "{}"),
    )]);
    let text = format!("{:?}", report.problems);
    assert!(
        text.contains("prefilter.not_in: a configuration field name expected"),
        "{text}"
    );
}
