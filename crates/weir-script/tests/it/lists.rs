//! `ntop.readListFile` / `ntop.fileLastChange`: a script reads the files its
//! configuration names (data directory first, then its plugin directory), and nothing
//! else.

use weir_script::{FlowHook, Output, Runtime, ScriptConfig};

use crate::common;

const SCRIPT: &str = r#"
local script = {
   default_value = { items = { "lists/a.txt", "shipped.txt", "missing.txt", "adir" } },
   hooks = {},
   gui = { i18n_title = "Lists", i18n_description = "Reads list files" },
}

local function show(path)
   local lines, mtime = ntop.readListFile(path)
   if lines == nil then
      io.write(path, ": nil ", tostring(mtime), "\n")
   else
      io.write(path, ": ", #lines, " lines [", table.concat(lines, "|"), "] ",
         tostring(mtime > 0 and mtime == ntop.fileLastChange(path)), "\n")
   end
end

function script.hooks.protocolDetected(now, conf)
   for _, p in ipairs(conf.items) do show(p) end
   io.write("fileLastChange(missing.txt) ", ntop.fileLastChange("missing.txt"), "\n")
   -- Not in the configuration: refused, an API error of this call.
   local l, err = ntop.readListFile("/etc/hostname")
   io.write("unlisted: ", tostring(l), " ", tostring(err), "\n")
end

return script
"#;

#[test]
fn only_configured_regular_files_are_read() {
    let root = tempfile::tempdir().unwrap();
    let plugin = root.path().join("lister");
    std::fs::create_dir_all(plugin.join("user_scripts/flow")).unwrap();
    std::fs::write(plugin.join("user_scripts/flow/lister.lua"), SCRIPT).unwrap();
    std::fs::write(plugin.join("shipped.txt"), "from the plugin\n").unwrap();
    let data = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(data.path().join("lists")).unwrap();
    std::fs::create_dir_all(data.path().join("adir")).unwrap();
    std::fs::write(
        data.path().join("lists/a.txt"),
        "10.0.0.1\r\n# comment\n\n192.0.2.0/24",
    )
    .unwrap();

    let cfg = ScriptConfig {
        roots: vec![root.path().to_path_buf()],
        output: Output::Buffer,
        working_dir: data.path().to_path_buf(),
        ..ScriptConfig::default()
    };
    let (mut rt, report) = Runtime::load(cfg).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let out = common::protocol_detected_once(&mut rt);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0], "lists/a.txt: 4 lines [10.0.0.1|# comment||192.0.2.0/24] true",
        "{out}"
    );
    assert_eq!(
        lines[1], "shipped.txt: 1 lines [from the plugin] true",
        "{out}"
    );
    assert_eq!(
        lines[2], "missing.txt: nil missing.txt: no such file",
        "{out}"
    );
    assert!(
        lines[3].starts_with("adir: nil adir: ") && lines[3].ends_with("not a regular file"),
        "{out}"
    );
    assert_eq!(lines[4], "fileLastChange(missing.txt) -1", "{out}");
    assert!(
        lines[5].starts_with("unlisted: nil ")
            && lines[5].contains("not named in the configuration"),
        "{out}"
    );
    // The refused read counts as a failure of the hook call.
    let info = rt
        .scripts()
        .into_iter()
        .find(|s| s.key == "lister")
        .unwrap();
    assert_eq!(info.errors, 1, "{info:?}");
    assert!(
        info.last_error
            .as_deref()
            .is_some_and(|e| e.contains("ntop.readListFile") && e.contains("/etc/hostname")),
        "{info:?}"
    );
}

/// The built-in `blacklisted` plugin on synthetic flows: it alerts on the marks the
/// engine's block lists set (client, server, server name), and on nothing else. (The
/// lists themselves, their formats and reloading are weir-flow's: `lists` tests there.)
#[test]
fn blacklisted_plugin_reads_the_engine_marks() {
    use weir_flow::FlowMarks;
    let plugin = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../plugins/blacklisted");
    let data = tempfile::tempdir().unwrap();
    let cfg = ScriptConfig {
        roots: vec![plugin],
        output: Output::Discard,
        working_dir: data.path().to_path_buf(),
        ..ScriptConfig::default()
    };
    let (mut rt, report) = Runtime::load(cfg).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let mut serial = 0;
    // Whether a flow 10.0.0.1 -> 198.51.100.7 marked `listed` gets status_blacklisted (1),
    // with the client's and the server's scores.
    let mut flagged = |listed: u8| {
        serial += 1;
        let (key, cli_is_a) = weir_flow::FlowKey::new(
            0,
            6,
            ("10.0.0.1".parse().unwrap(), 40000),
            ("198.51.100.7".parse().unwrap(), 443),
        );
        let ts = weir_decode::Timestamp(1_767_225_600_000_000);
        let mut view = Box::new(weir_script::FlowView::synthetic(key, cli_is_a, serial, ts));
        view.marks.listed = listed;
        let v = rt.dispatch_view(FlowHook::ProtocolDetected, ts, view);
        (v.status_map & (1 << 1) != 0, v.score.cli[1], v.score.srv[1])
    };
    assert_eq!(flagged(0), (false, 0, 0));
    assert_eq!(flagged(FlowMarks::SRV), (true, 10, 100));
    assert_eq!(flagged(FlowMarks::CLI), (true, 100, 10));
    assert_eq!(flagged(FlowMarks::NAME), (true, 10, 100));
}

/// `ntop.newAddressList` from a plugin script in the real sandbox: built once from the
/// configuration, matched against the flow's addresses, bad entries reported.
#[test]
fn address_lists_from_a_script() {
    const LISTER: &str = r#"
local script = {
   default_value = { items = { "10.0.0.0/8", "10.0.0.2", "2001:db8::/32", "bogus", "10.0.0.0/40" } },
   hooks = {},
   gui = { i18n_title = "Addresses", i18n_description = "Matches address lists" },
}

local built = setmetatable({}, { __mode = "k" })
local builds = 0

function script.hooks.protocolDetected(now, conf)
   local l = built[conf.items]
   if l == nil then
      local bad
      l, bad = ntop.newAddressList(conf.items)
      builds = builds + 1
      for _, b in ipairs(bad) do io.write("bad ", b.index, " ", b.text, ": ", b.reason, "\n") end
      built[conf.items] = l
   end
   local info = flow.getInfo()
   io.write(info["cli.ip"], " ", tostring(l:match(info["cli.ip"])), " ",
      info["srv.ip"], " ", tostring(l:match(info["srv.ip"])), " ",
      tostring(l:contains(info["srv.ip"])), " size ", l:size(), " builds ", builds, "\n")
end

return script
"#;
    let root = tempfile::tempdir().unwrap();
    let plugin = root.path().join("addresses");
    std::fs::create_dir_all(plugin.join("user_scripts/flow")).unwrap();
    std::fs::write(plugin.join("user_scripts/flow/addresses.lua"), LISTER).unwrap();
    let cfg = ScriptConfig {
        roots: vec![root.path().to_path_buf()],
        output: Output::Buffer,
        working_dir: root.path().to_path_buf(),
        ..ScriptConfig::default()
    };
    let (mut rt, report) = Runtime::load(cfg).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let flows = [
        ("10.0.0.1", "10.0.0.2"),
        ("192.0.2.1", "2001:db8::53"),
        ("192.0.2.1", "2001:db9::53"),
    ];
    for (serial, (cli, srv)) in flows.iter().enumerate() {
        let cli = if srv.contains(':') && !cli.contains(':') {
            "fd00::1"
        } else {
            cli
        };
        let (key, cli_is_a) = weir_flow::FlowKey::new(
            0,
            6,
            (cli.parse().unwrap(), 40000),
            (srv.parse().unwrap(), 53),
        );
        let ts = weir_decode::Timestamp(1_000_000 + serial as u64);
        let view = Box::new(weir_script::FlowView::synthetic(
            key,
            cli_is_a,
            serial as u64 + 1,
            ts,
        ));
        let _ = rt.dispatch_view(FlowHook::ProtocolDetected, ts, view);
    }
    let out = String::from_utf8(rt.take_output()).unwrap();
    assert_eq!(
        out,
        "bad 4 bogus: not an IPv4 or IPv6 address or network\n\
         bad 5 10.0.0.0/40: prefix length 40 is more than 32\n\
         10.0.0.1 10.0.0.0/8 10.0.0.2 10.0.0.2 true size 3 builds 1\n\
         fd00::1 nil 2001:db8::53 2001:db8::/32 true size 3 builds 1\n\
         fd00::1 nil 2001:db9::53 nil false size 3 builds 1\n",
    );
    let info = rt
        .scripts()
        .into_iter()
        .find(|s| s.key == "addresses")
        .unwrap();
    assert_eq!(info.errors, 0, "{info:?}");
}
