//! The ntopng 4.2 modules and `ntop` functions plugins need (alert_utils,
//! plugins_utils, storage_utils, system_utils, …), run from a real flow hook of a
//! plugin written to a temporary directory.

use std::path::Path;

use weir_script::{Output, Runtime, ScriptConfig, ScriptInfo};

use crate::common;

const MANIFEST: &str = r#"return {
  title = "Module test", description = "Calls the ntopng 4.2 modules", author = "weir",
  data_dirs = { "measurements" },
}"#;

const DEFINITION: &str = r#"local alert_keys = require("alert_keys")
return {
  alert_key = alert_keys.user.alert_user_01,
  i18n_title = "Mod Test",
  icon = "fas fa-vial",
  format = function(ifid, alert, params) return "<b>value</b> " .. tostring(params.value) end,
}"#;

/// A plugin `modtest` whose flow hook runs `body`; returns the output, the script's
/// state and the directories (kept alive).
struct Run {
    out: String,
    info: ScriptInfo,
    _root: tempfile::TempDir,
    data: tempfile::TempDir,
}

fn write(base: &Path, rel: &str, text: &str) {
    let p = base.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn run_in(body: &str, data: tempfile::TempDir, extra: &[(&str, &str)]) -> Run {
    let root = tempfile::tempdir().unwrap();
    let plugin = root.path().join("modtest");
    write(&plugin, "manifest.lua", MANIFEST);
    write(&plugin, "alert_definitions/alert_modtest.lua", DEFINITION);
    for (rel, text) in extra {
        write(&plugin, rel, text);
    }
    let script = format!(
        "local script = {{ hooks = {{}}, gui = {{ i18n_title = \"t\", i18n_description = \"d\" }} }}\n\
         function script.hooks.protocolDetected(now, conf)\n{body}\nend\nreturn script\n"
    );
    write(&plugin, "user_scripts/flow/modtest.lua", &script);
    let cfg = ScriptConfig {
        roots: vec![root.path().to_path_buf()],
        output: Output::Buffer,
        working_dir: data.path().to_path_buf(),
        ..ScriptConfig::default()
    };
    let (mut rt, report) = Runtime::load(cfg).unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let out = common::protocol_detected_once(&mut rt);
    let info = rt
        .scripts()
        .into_iter()
        .find(|s| s.key == "modtest")
        .unwrap();
    Run {
        out,
        info,
        _root: root,
        data,
    }
}

fn run(body: &str) -> Run {
    run_in(body, tempfile::tempdir().unwrap(), &[])
}

fn line<'a>(out: &'a str, tag: &str) -> &'a str {
    out.lines()
        .find_map(|l| l.strip_prefix(tag).and_then(|r| r.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("no `{tag}` line in:\n{out}"))
}

const NOTIFY: &str = r#"
local alert_utils = require("alert_utils")
local ac = require("alert_consts")
local key = ac.alert_types.alert_modtest.alert_key
local n = { ifid = 0, alert_type = key, alert_severity = 5, alert_entity = 1,
  alert_entity_val = "10.0.0.1@0", alert_tstamp = 1700000000, alert_tstamp_end = 1700000060,
  action = "engage", alert_json = '{"value":7}' }
local f = alert_utils.formatAlertNotification
io.write("ifname ", getInterfaceName(0), "\n")
io.write("default ", f(n), "\n")
io.write("nohtml ", f(n, { nohtml = true }), "\n")
io.write("noseverity ", f(n, { show_severity = false, nohtml = true }), "\n")
io.write("nodate ", f(n, { nodate = true, nohtml = true }), "\n")
io.write("nobracket ", f(n, { no_bracket_around_date = true, nohtml = true }), "\n")
io.write("entity ", f(n, { show_entity = true, nohtml = true }), "\n")
io.write("cr ", (f(n, { add_cr = true, nohtml = true }):gsub("\n", "\\n")), "\n")
io.write("emoji ", f(n, { emoji = true, nodate = true, nohtml = true }), "\n")
n.action = "release"
n.ifid = -1
io.write("released ", f(n, { nodate = true, nohtml = true }), "\n")
n.action = "store"
io.write("stored ", f(n, { nodate = true, nohtml = true, show_severity = false }), "\n")
local list = { a = { alert_tstamp = 5 }, b = { alert_tstamp = 9 }, c = { alert_tstamp = 7 } }
local order = {}
for k in pairsByValues(list, alert_utils.notification_timestamp_rev) do order[#order + 1] = k end
io.write("order ", table.concat(order, ","), "\n")
io.write("devkey ", alert_utils.getActiveDevicesHashKey(3), "\n")
io.write("pools ", select('#', alert_utils.check_host_pools_alerts(0, true, true)), "\n")
"#;

#[test]
fn alert_utils_formats_notifications_with_each_option() {
    let r = run(NOTIFY);
    let out = &r.out;
    assert_eq!(r.info.errors, 0, "{:?}\n{out}", r.info);
    let ifname = line(out, "ifname");
    let date = "14/11/2023 22:14:20";
    assert_eq!(
        line(out, "default"),
        format!("[{date}] [Interface: {ifname}] [error] [Mod Test] [Engaged] <b>value</b> 7")
    );
    assert_eq!(
        line(out, "nohtml"),
        format!("[{date}] [Interface: {ifname}] [error] [Mod Test] [Engaged] value 7")
    );
    assert_eq!(
        line(out, "noseverity"),
        format!("[{date}] [Interface: {ifname}] [Mod Test] [Engaged] value 7")
    );
    assert_eq!(
        line(out, "nodate"),
        format!("[Interface: {ifname}] [error] [Mod Test] [Engaged] value 7")
    );
    assert_eq!(
        line(out, "nobracket"),
        format!("{date} [Interface: {ifname}] [error] [Mod Test] [Engaged] value 7")
    );
    assert_eq!(
        line(out, "entity"),
        format!(
            "[{date}] [Interface: {ifname}] [error] [Mod Test] [host][10.0.0.1] [Engaged] value 7"
        )
    );
    assert_eq!(
        line(out, "cr"),
        format!("[{date}] [Interface: {ifname}] [error] [Mod Test] [Engaged] \\nvalue 7")
    );
    let emoji = line(out, "emoji");
    assert!(
        emoji.starts_with(&format!("[Interface: {ifname}] [❗ error] [Mod Test] "))
            && emoji.ends_with(" [Engaged] value 7")
            && emoji.contains('\u{1F534}'),
        "{emoji}"
    );
    // The system interface has no interface part; a store has no action label.
    assert_eq!(
        line(out, "released"),
        "[error] [Mod Test] [Released] value 7"
    );
    assert_eq!(line(out, "stored"), "[Mod Test] value 7");
    assert_eq!(line(out, "order"), "b,c,a");
    assert_eq!(line(out, "devkey"), "ntopng.cache.active_devices.ifid_3");
    assert_eq!(line(out, "pools"), "0");
}

#[test]
fn plugins_utils_loads_modules_and_data_dirs() {
    let body = r#"
local pu = require("plugins_utils")
local m = pu.loadModule("modtest", "helper")
io.write("helper ", tostring(m and m.answer), " ", tostring(m and m.sibling), "\n")
io.write("same ", tostring(pu.loadModule("modtest", "helper") == m), "\n")
io.write("unknown ", tostring(pu.loadModule("modtest", "nope")), " ", tostring(pu.loadModule("other", "helper")), "\n")
local dir = pu.getPluginDataDir("modtest", "measurements")
io.write("datadir ", dir, "\n")
local names = {}
for n in pairs(ntop.readdir(dir)) do names[#names + 1] = n end
table.sort(names)
io.write("files ", table.concat(names, ","), "\n")
require("lua_path_utils").package_path_prepend(dir)
local probe = require("probe")
io.write("probe ", probe.measurements[1].key, "\n")
io.write("bad ", tostring(pu.getPluginDataDir("../x")), "\n")
io.write("ts ", tostring(pu.timeseriesCreationEnabled()), "\n")
"#;
    let r = run_in(
        body,
        tempfile::tempdir().unwrap(),
        &[
            (
                "modules/helper.lua",
                "local o = require('other')\nreturn { answer = 42, sibling = o.x }\n",
            ),
            ("modules/other.lua", "return { x = 'other' }\n"),
            (
                "measurements/probe.lua",
                "return { measurements = { { key = 'probe' } } }\n",
            ),
            ("measurements/.hidden", "x"),
        ],
    );
    let out = &r.out;
    assert_eq!(r.info.errors, 0, "{:?}\n{out}", r.info);
    assert_eq!(line(out, "helper"), "42 other");
    assert_eq!(line(out, "same"), "true");
    assert_eq!(line(out, "unknown"), "nil nil");
    let dir = r.data.path().join("plugins_data/modtest/measurements");
    assert_eq!(line(out, "datadir"), dir.display().to_string());
    assert!(dir.join("probe.lua").is_file());
    assert_eq!(line(out, "files"), "probe.lua");
    assert_eq!(line(out, "probe"), "probe");
    assert_eq!(line(out, "bad"), "nil");
    assert_eq!(line(out, "ts"), "false");
}

#[test]
fn readdir_refuses_paths_outside_weirs_directories() {
    let r = run(r#"
io.write("etc ", tostring(ntop.readdir("/etc")), "\n")
io.write("escape ", tostring(ntop.readdir(ntop.getDirs().workingdir .. "/../..")), "\n")
io.write("missing ", tostring(next(ntop.readdir(ntop.getDirs().workingdir .. "/nothing_here"))), "\n")
"#);
    let out = &r.out;
    assert_eq!(line(out, "etc"), "nil");
    assert_eq!(line(out, "escape"), "nil");
    assert_eq!(line(out, "missing"), "nil");
    // Each refusal is an API misuse of the call.
    assert_eq!(r.info.errors, 1, "{:?}", r.info);
    assert!(
        r.info
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("ntop.readdir") && e.contains("/etc")),
        "{:?}",
        r.info
    );
}

#[test]
fn cache_stats_count_calls_and_status_reports_the_cache() {
    let r = run(r#"
local before = ntop.getCacheStats()
local n = 0
for _ in pairs(before) do n = n + 1 end
io.write("counters ", n, "\n")
ntop.setCache("a", "1")
ntop.setCache("b", "22", 60)
ntop.getCache("a"); ntop.getCache("a"); ntop.getPref("x")
ntop.delCache("b")
ntop.setHashCache("h", "f", "v"); ntop.getHashCache("h", "f"); ntop.getHashAllCache("h")
ntop.rpushCache("q", "x", 1); ntop.rpushCache("q", "y", 1); ntop.lpopCache("q"); ntop.llenCache("q")
local s = ntop.getCacheStats()
local d = function(k) return s[k] - before[k] end
io.write("get ", d("num_get"), " set ", d("num_set"), " expire ", d("num_expire"), " del ", d("num_del"),
  " hset ", d("num_hset"), " hget ", d("num_hget"), " hgetall ", d("num_hgetall"),
  " push ", d("num_lpush_rpush"), " trim ", d("num_trim"), " pop ", d("num_lpop_rpop"),
  " llen ", d("num_llen"), " ttl ", d("num_ttl"), "\n")
local st = ntop.getCacheStatus()
io.write("dbsize ", st.dbsize, "\n")
local info = {}
for _, l in ipairs(st.info:split("\r\n")) do
  local kv = l:split(":")
  if kv then info[kv[1]] = kv[2] end
end
io.write("info ", info.aof_enabled, " ", info.rdb_last_bgsave_status, " ",
  tostring(tonumber(info.used_memory_rss) > 0), " ", tostring(tonumber(info.used_memory) > 0), "\n")
"#);
    let out = &r.out;
    assert_eq!(r.info.errors, 0, "{:?}\n{out}", r.info);
    assert_eq!(line(out, "counters"), "21");
    assert_eq!(
        line(out, "get"),
        "3 set 2 expire 1 del 1 hset 1 hget 1 hgetall 1 push 2 trim 2 pop 1 llen 1 ttl 0"
    );
    // a, h (q is empty after the pop; b deleted).
    assert_eq!(line(out, "dbsize"), "2");
    assert_eq!(line(out, "info"), "0 ok true true");
}

#[test]
fn storage_info_measures_the_data_directory() {
    let data = tempfile::tempdir().unwrap();
    std::fs::write(data.path().join("timeseries.db"), vec![0u8; 3000]).unwrap();
    std::fs::write(data.path().join("timeseries.db-wal"), vec![0u8; 1000]).unwrap();
    std::fs::write(data.path().join("alerts.db"), vec![0u8; 5000]).unwrap();
    std::fs::create_dir_all(data.path().join("pcap")).unwrap();
    std::fs::write(data.path().join("pcap/a.pcap"), vec![0u8; 700]).unwrap();
    std::fs::write(data.path().join("other.bin"), vec![0u8; 300]).unwrap();
    let r = run_in(
        r#"
local su = require("storage_utils")
local i = su.storageInfo(true, 30)
local ifid, iface = next(i.interfaces)
io.write("sizes ", i.total, " ", i.pcap_total, " ", i.other, " ", iface.rrd, " ", iface.flows, " ", iface.total, "\n")
io.write("volume ", tostring(i.volume_size > 0), " ", tostring(i.volume_free <= i.volume_size),
  " ", tostring(type(i.volume_dev) == "string" and i.volume_dev ~= ""), " ", tostring(i.complete), "\n")
local cached = su.storageInfo(false)
io.write("cached ", cached.total, " ", ntop.getCache("ntopng.cache.system_storage_info") ~= "" and "yes" or "no",
  " ", cached.interfaces[ifid].flows, "\n")
"#,
        data,
        &[],
    );
    let out = &r.out;
    assert_eq!(r.info.errors, 0, "{:?}\n{out}", r.info);
    // The walk sees every file the test wrote (and nothing else: the VM writes none).
    assert_eq!(line(out, "sizes"), "10000 700 300 4000 5000 9000");
    assert_eq!(line(out, "volume"), "true true true true");
    assert_eq!(line(out, "cached"), "10000 yes 5000");
}

#[test]
fn system_host_stats_are_plausible() {
    let r = run(r#"
local s = require("system_utils").systemHostStats()
io.write("load ", tostring(type(s.cpu_load) == "number" and s.cpu_load >= 0), "\n")
io.write("mem ", tostring(s.mem_total > 0 and s.mem_used > 0 and s.mem_used <= s.mem_total), "\n")
io.write("proc ", tostring(s.mem_ntopng_resident > 0 and s.mem_ntopng_virtual >= s.mem_ntopng_resident
  and s.mem_ntopng_resident < s.mem_total), "\n")
local sum = 0
for _, v in pairs(s.cpu_states) do sum = sum + v end
io.write("cpu ", tostring(math.abs(sum - 100) < 0.01 and s.cpu_states.idle ~= nil), "\n")
io.write("alerts ", s.written_alerts, " ", s.dropped_alerts, " ", s.engaged_alerts, "\n")
"#);
    let out = &r.out;
    if !Path::new("/proc/meminfo").exists() {
        eprintln!("SKIPPED: no /proc on this system");
        return;
    }
    assert_eq!(r.info.errors, 0, "{:?}\n{out}", r.info);
    assert_eq!(line(out, "load"), "true");
    assert_eq!(line(out, "mem"), "true");
    assert_eq!(line(out, "proc"), "true");
    assert_eq!(line(out, "cpu"), "true");
    assert_eq!(line(out, "alerts"), "0 0 0");
}

#[test]
fn small_modules_and_globals_follow_ntopng() {
    let r = run(r#"
local fr = require("flow_risk_utils")
io.write("risks ", fr.risks.ndpi_no_risk, " ", fr.risks.ndpi_binary_application_transfer, " ",
  fr.risks.ndpi_known_protocol_on_non_standard_port, " ", fr.risks.ndpi_tls_missing_sni, " ",
  fr.risk_id_2_i18n(24), " ", tostring(fr.risk_id_2_i18n(99)), "\n")
local called = false
io.write("devices ", tostring(require("callback_utils").foreachDevice("weir", function() called = true end)), " ", tostring(called), "\n")
ntop.setMembersCache("ntopng.prefs.companion_interface.ifid_2.companion_of", "0")
io.write("companion ", table.concat(require("companion_interface_utils").getCurrentCompanionOf(2), ","),
  " ", #require("companion_interface_utils").getCurrentCompanionOf(5), "\n")
local topo = require("snmp_utils").snmp_load_devices_topology("192.0.2.1")
io.write("snmp ", tostring(next(topo.nodes)), " ", tostring(next(topo.arcs)), "\n")
io.write("past ", require("format_utils").formatPastEpochShort(os.time()):match("^%d%d:%d%d:%d%d$") and "time" or "date",
  " ", require("format_utils").formatPastEpochShort(86400), "\n")
io.write("globals ", getSystemInterfaceId(), " ", type(getSystemInterfaceId()), " ", getSystemInterfaceName(), " ",
  getFirstSeenDevicesHashKey(1), " ", hostinfo2label({ host = "10.0.0.1", vlan = 3 }), " ",
  hostinfo2label({ ip = "10.0.0.2", name = "nas" }), " ", getDeviceProtocolPoliciesUrl("a=1"), " ",
  tostring(areAlertsEnabled()), " ", get_dns_type("aaaa"), " ", get_dns_type("nope"), "\n")
ntop.setPref("ntopng.prefs.disable_alerts_generation", "1")
io.write("alerts_off ", tostring(areAlertsEnabled()), "\n")
local ip = ntop.getHostInformation()
io.write("host ", tostring(ip.ip:match("^%d+%.%d+%.%d+%.%d+$") ~= nil), " ", tostring(ip.instance_name ~= ""), "\n")
io.write("resolve ", tostring(ntop.resolveHost("127.0.0.1", true)), " ", tostring(ntop.resolveHost("127.0.0.1", false)), " ",
  tostring(ntop.resolveHost("localhost", true)), "\n")
io.write("ping ", tostring(ntop.isPingAvailable()), " ", tostring(ntop.collectPingResults(false)), " ", tostring(ntop.speedtest()), "\n")
local t0 = ntop.gettimemsec()
ntop.msleep(50)
io.write("slept ", tostring(ntop.gettimemsec() - t0 >= 0.045), "\n")
"#);
    let out = &r.out;
    assert_eq!(r.info.errors, 0, "{:?}\n{out}", r.info);
    assert_eq!(line(out, "risks"), "0 4 5 24 TLS Missing SNI nil");
    assert_eq!(line(out, "devices"), "true false");
    assert_eq!(line(out, "companion"), "0 0");
    assert_eq!(line(out, "snmp"), "nil nil");
    let past = line(out, "past");
    assert!(
        past.starts_with("time ") && past.contains("/1970 "),
        "{out}"
    );
    assert_eq!(
        line(out, "globals"),
        "-1 string __system__ ntopng.seen_devices.ifid_1 10.0.0.1@3 nas /lua/admin/edit_device_protocols.lua?a=1 true 28 0"
    );
    assert_eq!(line(out, "alerts_off"), "false");
    assert_eq!(line(out, "host"), "true true");
    assert_eq!(line(out, "resolve"), "127.0.0.1 nil 127.0.0.1");
    assert_eq!(line(out, "ping"), "false nil nil");
    assert_eq!(line(out, "slept"), "true");
}

#[test]
fn msleep_cannot_outlast_the_wall_clock_budget() {
    let r = run(r#"
io.write("before\n")
local ok = pcall(ntop.msleep, 5000)
io.write("after ", tostring(ok), "\n")
"#);
    // The default wall limit is 1 s: the 5 s sleep ends the call, pcall cannot keep it.
    assert!(r.out.contains("before"), "{}", r.out);
    assert!(!r.out.contains("after"), "{}", r.out);
    assert_eq!(r.info.errors, 1, "{:?}", r.info);
    assert!(
        r.info
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("wall-clock limit") && e.contains("msleep")),
        "{:?}",
        r.info
    );
}

/// ntopng 4.2's `active_monitoring`: its `am_utils` (loaded with
/// `plugins_utils.loadModule`) finds its measurement files through
/// `getPluginDataDir`, `ntop.readdir` and `require`, and keeps those whose `setup()`
/// accepts weir (no pinger: the ICMP ones say no).
#[test]
fn active_monitoring_loads_its_measurements_from_its_data_dir() {
    let am = common::workspace().join("../shared/ntopng42-plugins/active_monitoring");
    if !am.is_dir() {
        eprintln!(
            "SKIPPED: {} not found: active_monitoring was not run",
            am.display()
        );
        return;
    }
    let root = tempfile::tempdir().unwrap();
    write(
        &root.path().join("caller"),
        "user_scripts/flow/caller.lua",
        r#"local script = { hooks = {}, gui = { i18n_title = "t", i18n_description = "d" } }
function script.hooks.protocolDetected(now)
  local am_utils = require("plugins_utils").loadModule("active_monitoring", "am_utils")
  local keys = {}
  for _, m in ipairs(am_utils.getAvailableMeasurements()) do keys[#keys + 1] = m.value end
  io.write("measurements ", table.concat(keys, ","), "\n")
end
return script
"#,
    );
    let data = tempfile::tempdir().unwrap();
    let cfg = ScriptConfig {
        roots: vec![am, root.path().to_path_buf()],
        output: Output::Buffer,
        working_dir: data.path().to_path_buf(),
        ..ScriptConfig::default()
    };
    let (mut rt, report) = Runtime::load(cfg).unwrap();
    assert!(
        !report
            .problems
            .iter()
            .any(|p| p.level == weir_script::Level::Error),
        "{:?}",
        report.problems
    );
    let out = common::protocol_detected_once(&mut rt);
    let info = rt
        .scripts()
        .into_iter()
        .find(|s| s.key == "caller")
        .unwrap();
    assert_eq!(info.errors, 0, "{info:?}\n{out}");
    assert!(
        data.path()
            .join("plugins_data/active_monitoring/measurements/icmp.lua")
            .is_file()
    );
    let found = line(&out, "measurements");
    assert!(!found.contains("icmp"), "{found}");
    assert!(
        found.contains("http") && found.contains("speedtest"),
        "{found}"
    );
}

struct AlertData;

impl weir_script::PageData for AlertData {
    fn interface(&self) -> serde_json::Value {
        serde_json::json!({})
    }
    fn flows(&self) -> &[serde_json::Map<String, serde_json::Value>] {
        &[]
    }
    fn hosts(&self) -> &[serde_json::Map<String, serde_json::Value>] {
        &[]
    }
    fn alerts(&self, kind: &str, _: Option<u32>, _: usize) -> Vec<serde_json::Value> {
        if kind != "engaged" {
            return Vec::new();
        }
        vec![serde_json::json!({
            "alert_tstamp": 1_700_000_000, "alert_severity": 5, "alert_type": 32768,
            "alert_entity": 1, "alert_entity_val": "10.0.0.1@0", "alert_json": "{\"value\":7}",
        })]
    }
}

/// In a page, `alert_utils.drawAlerts` prints the store's alerts, and the page's
/// `plugins_utils` is the shared one (loadModule of any plugin) plus the page helpers.
#[test]
fn pages_draw_alerts_and_share_plugins_utils() {
    let root = tempfile::tempdir().unwrap();
    let plugin = root.path().join("modtest");
    write(&plugin, "manifest.lua", MANIFEST);
    write(&plugin, "alert_definitions/alert_modtest.lua", DEFINITION);
    write(&plugin, "modules/helper.lua", "return { answer = 42 }\n");
    write(
        &plugin,
        "web_gui/alerts_page.lua",
        r#"local pu = require("plugins_utils")
print("<p id='mod'>", pu.loadModule("modtest", "helper").answer, "</p>")
print("<p id='url'>", pu.getUrl("alerts_page.lua"), "</p>")
require("alert_utils").drawAlerts({ is_standalone = true })
"#,
    );
    let data = tempfile::tempdir().unwrap();
    let mut cfg = weir_script::PageConfig::default();
    cfg.script.roots = vec![root.path().to_path_buf()];
    cfg.script.working_dir = data.path().to_path_buf();
    cfg.workers = 1;
    let pages = weir_script::Pages::start(cfg);
    let out = pages.render(weir_script::PageRequest {
        page: "alerts_page.lua".into(),
        method: "GET".into(),
        query: Vec::new(),
        form: Vec::new(),
        user: weir_script::PageUser {
            name: "admin".into(),
            admin: true,
            csrf: String::new(),
        },
        data: std::sync::Arc::new(AlertData),
    });
    let body = out
        .output()
        .map(|o| String::from_utf8_lossy(&o.body).into_owned())
        .unwrap_or_else(|| panic!("page failed: {out:?}"));
    assert!(body.contains("<p id='mod'>42</p>"), "{body}");
    assert!(
        body.contains("<p id='url'>/plugins/alerts_page.lua</p>"),
        "{body}"
    );
    assert!(
        body.contains(
            "<tr><td>14/11/2023 22:13:20</td><td>error</td><td>Mod Test</td><td>host 10.0.0.1@0</td><td>value 7</td></tr>"
        ),
        "{body}"
    );
    assert!(
        body.contains("Past alerts") && body.contains("No alerts"),
        "{body}"
    );
}
