//! The `interface`, `host`, `flow`, `alerts_api` and `ts_utils` functions ntopng 4.2
//! plugins call (spec ntopng42-api.md §3.1, §4.1–4.3), on a replayed generated
//! capture.

use std::path::Path;

use weir_flow::{Consumer, Engine, EngineConfig, Interface, Tick};
use weir_script::Runtime;

use crate::common::{capture, config, replay_into};

fn plugin(dir: &Path, subdir: &str, name: &str, src: &str) {
    let p = dir.join(format!("api42/user_scripts/{subdir}/{name}.lua"));
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, src).unwrap();
}

fn runtime(dir: &Path) -> Runtime {
    let mut cfg = config(vec![dir.to_path_buf()]);
    cfg.local_networks = vec!["192.168.1.0/24".parse().unwrap()];
    cfg.interfaces = vec![(0, "eth0".into()), (3, "eth3".into())];
    let (rt, report) = Runtime::load(cfg).expect("VM");
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    rt
}

/// Keeps the engine's interface counters at each minute tick beside the runtime.
struct Both<'a> {
    rt: &'a mut Runtime,
    iface: Vec<Interface>,
}

impl Consumer for Both<'_> {
    fn host_tick(&mut self, t: Tick, now: weir_decode::Timestamp, h: &weir_flow::Host) {
        self.rt.host_tick(t, now, h);
    }
    fn network_tick(&mut self, t: Tick, now: weir_decode::Timestamp, n: &weir_flow::Network) {
        self.rt.network_tick(t, now, n);
    }
    fn interface_tick(&mut self, t: Tick, now: weir_decode::Timestamp, i: &Interface) {
        if t == Tick::Min {
            self.iface.push(i.clone());
        }
        self.rt.interface_tick(t, now, i);
    }
    fn system_tick(&mut self, t: Tick, now: weir_decode::Timestamp) {
        self.rt.system_tick(t, now);
    }
    fn host_purged(&mut self, now: weir_decode::Timestamp, h: &weir_flow::Host) {
        self.rt.host_purged(now, h);
    }
    fn protocol_detected(&mut self, now: weir_decode::Timestamp, f: &mut weir_flow::Flow) {
        self.rt.protocol_detected(now, f);
    }
    fn periodic_update(&mut self, now: weir_decode::Timestamp, f: &mut weir_flow::Flow) {
        self.rt.periodic_update(now, f);
    }
    fn flow_end(
        &mut self,
        now: weir_decode::Timestamp,
        f: &mut weir_flow::Flow,
        r: weir_flow::EndReason,
    ) {
        self.rt.flow_end(now, f, r);
    }
}

#[test]
fn interface_functions_answer_from_the_engine() {
    let dir = tempfile::tempdir().unwrap();
    plugin(
        dir.path(),
        "interface",
        "probe",
        r#"local s = { hooks = {}, gui = { i18n_title = "p", i18n_description = "p" } }
local web = interface.getnDPICategoryId("Web")
local done = false
function s.hooks.min(params)
  local names = interface.getIfNames()
  io.write("names ", names["0"], " ", names["3"], " web ", web, " none ", interface.getnDPICategoryId("NoSuch"), "\n")
  local h = interface.getHashTablesStats()
  local f, ho = h.FlowHash, h.HostHash
  io.write(string.format("hash %d %d %d %d %d %d\n", f.max_hash_size, f.hash_entry_states.hash_entry_state_active,
    f.hash_entry_states.hash_entry_state_idle, ho.max_hash_size, ho.hash_entry_states.hash_entry_state_active,
    ho.hash_entry_states.hash_entry_state_idle))
  local p = interface.getPeriodicActivitiesStats()
  local m = p["minute.lua"]
  io.write("periodic ", tostring(m ~= nil), " ", tostring(m and m.in_progress_since ~= nil), " ", tostring(m and m.periodicity), "\n")
  if not done then
    -- API errors count as failures: only in the first call.
    done = true
    interface.incSyslogStats(2, 1, 0, 1, 0, 3)
    interface.incSyslogStats(1, "x", 0, 0, 0, 0)
    local st = interface.getStats().syslog
    io.write("syslog ", st.tot_events, " ", st.malformed, " ", st.flows, "\n")
    io.write("bad ", tostring(interface.getnDPICategoryId(5)), " ", tostring(interface.select(0)), "\n")
  end
  interface.select("eth3")
  io.write("drops ", interface.checkDroppedAlerts(), "\n")
end
return s"#,
    );
    let mut rt = runtime(dir.path());
    let pcap = capture(300, 7);
    let mut engine = Engine::new(EngineConfig::default());
    let mut both = Both {
        rt: &mut rt,
        iface: Vec::new(),
    };
    replay_into(&pcap, &mut engine, &mut both, usize::MAX);
    let snaps = std::mem::take(&mut both.iface);
    drop(both);
    let out = String::from_utf8(rt.take_output()).unwrap();
    assert!(out.contains("names eth0 eth3 web 5 none -1\n"), "{out}");
    // getHashTablesStats equals the engine's counters at each tick.
    let hashes: Vec<&str> = out.lines().filter(|l| l.starts_with("hash ")).collect();
    assert_eq!(hashes.len(), snaps.len(), "{out}");
    assert!(!snaps.is_empty());
    for (line, i) in hashes.iter().zip(&snaps) {
        let want = format!(
            "hash {} {} {} {} {} {}",
            i.max_flows,
            i.active_flows(),
            i.flows_idle,
            i.max_hosts,
            i.hosts_in_table,
            i.hosts_idle
        );
        assert_eq!(*line, want);
    }
    assert!(
        snaps
            .iter()
            .any(|i| i.active_flows() > 0 && i.hosts_in_table > 0)
    );
    assert_eq!(snaps[0].max_flows, EngineConfig::default().max_flows as u64);
    // The minute round is in progress while the interface hook runs.
    assert!(out.contains("periodic true true 60\n"), "{out}");
    // The second incSyslogStats (a string) added nothing and was an API error.
    assert!(out.contains("syslog 2 1 3\n"), "{out}");
    assert!(out.contains("bad nil nil\n"), "{out}");
    assert!(out.contains("drops 0\n"), "{out}");
    let errors: Vec<String> = rt
        .take_events()
        .into_iter()
        .filter(|e| e["event"] == "script_error")
        .map(|e| e.to_string())
        .collect();
    assert!(
        errors.iter().any(|e| e.contains("interface.incSyslogStats")
            && e.contains("api42/user_scripts/interface/probe.lua:")),
        "{errors:?}"
    );
}

#[test]
fn periodic_activities_after_the_rounds() {
    let dir = tempfile::tempdir().unwrap();
    plugin(
        dir.path(),
        "system",
        "probe",
        r#"local s = { hooks = {}, gui = { i18n_title = "p", i18n_description = "p" } }
local ts_utils = require("ts_utils")
function s.hooks.min(params)
  local m = interface.getPeriodicActivitiesStats()["minute.lua"]
  local w = m.timeseries.write
  io.write(string.format("ts %d %d\n", w.tot_calls, w.tot_drops))
  -- Timeseries are off: the append writes nothing (a drop).
  ts_utils.append("iface:traffic", { ifid = 0, bytes = 1 }, params.when)
  io.write(string.format("min %s %s %s\n", tostring(m.last_start_time), tostring(m.num_not_executed), tostring(m.duration.max_duration_ms >= 0)))
end
return s"#,
    );
    let mut rt = runtime(dir.path());
    let pcap = capture(200, 3);
    let mut engine = Engine::new(EngineConfig::default());
    replay_into(&pcap, &mut engine, &mut rt, usize::MAX);
    let out = String::from_utf8(rt.take_output()).unwrap();
    assert!(
        out.lines().filter(|l| l.starts_with("min ")).count() >= 2,
        "{out}"
    );
    assert!(
        out.lines()
            .filter(|l| l.starts_with("min "))
            .all(|l| l.ends_with(" true")),
        "{out}"
    );
    // Each round's append is counted in the next rounds' totals.
    let ts: Vec<&str> = out.lines().filter(|l| l.starts_with("ts ")).collect();
    assert!(ts.len() >= 3, "{out}");
    for (i, l) in ts.iter().enumerate() {
        assert_eq!(*l, format!("ts {i} {i}"), "{out}");
    }
}

#[test]
fn store_alert_does_not_store_twice() {
    let dir = tempfile::tempdir().unwrap();
    plugin(
        dir.path(),
        "interface",
        "store",
        r#"local alerts_api = require("alerts_api")
local alert_consts = require("alert_consts")
local s = { hooks = {}, gui = { i18n_title = "p", i18n_description = "p" } }
local done = false
function s.hooks.min(params)
  if done then return end
  done = true
  local t = alert_consts.alert_types.alert_internals
  local info = t.create()
  info.alert_severity = alert_consts.alert_severities.warning
  info.alert_subtype = "dup"
  info.alert_type_params = { n = 1 }
  alerts_api.store(alerts_api.hostAlertEntity("192.168.1.9", 0), info, 1700000000)
  local a = interface.storeAlert(1700000000, 1700000000, 0, t.alert_key, "dup", 4, 1, "192.168.1.9@0", '{"n":1}')
  local b = interface.storeAlert(1700000000, 1700000000, 0, t.alert_key, "dup", 4, 1, "192.168.1.9@0", '{"n":1}')
  local c = interface.storeAlert(1700000001, 1700000001, 0, t.alert_key, "dup", 4, 1, "192.168.1.9@0", '{"n":1}')
  io.write("rows ", a.rowid, " ", b.rowid, " ", tostring(c.rowid ~= a.rowid), "\n")
  io.write("c ", c.rowid, "\n")
  io.write("bad ", tostring(interface.storeAlert(1, 2)), "\n")
  -- A released alert reaches the store natively: its release notification (engage
  -- time, release time) is not stored again.
  local e = t.create()
  e.alert_severity = alert_consts.alert_severities.warning
  e.alert_granularity = alert_consts.alerts_granularities.min
  e.alert_subtype = "rel"
  e.alert_type_params = {}
  local ent = alerts_api.hostAlertEntity("192.168.1.10", 0)
  alerts_api.trigger(ent, e, 1700000100)
  alerts_api.release(ent, e, 1700000160)
  local r1 = interface.storeAlert(1700000100, 1700000160, 60, t.alert_key, "rel", 4, 1, "192.168.1.10@0", "{}")
  local r2 = interface.storeAlert(1700000100, 1700000160, 60, t.alert_key, "rel", 4, 1, "192.168.1.10@0", "{}")
  io.write("released ", tostring(r1.rowid == r2.rowid), "\n")
  local n = { alert_tstamp = 1700000002, alert_type = t.alert_key, flow_status = 14, alert_severity = 5,
    cli_addr = "192.168.1.9", cli_port = 1234, srv_addr = "8.8.8.8", srv_port = 53, proto = 17, alert_json = "{}" }
  local f1 = interface.storeFlowAlert(n)
  local f2 = interface.storeFlowAlert(n)
  io.write("flow ", tostring(f1.rowid == f2.rowid), "\n")
end
return s"#,
    );
    let mut rt = runtime(dir.path());
    let pcap = capture(50, 5);
    let mut engine = Engine::new(EngineConfig::default());
    replay_into(&pcap, &mut engine, &mut rt, usize::MAX);
    let out = String::from_utf8(rt.take_output()).unwrap();
    let rows = out
        .lines()
        .find(|l| l.starts_with("rows "))
        .unwrap_or_else(|| panic!("{out}"));
    let parts: Vec<&str> = rows.split(' ').collect();
    assert_eq!(parts[1], parts[2], "{out}");
    assert_eq!(parts[3], "true", "{out}");
    assert!(out.contains("bad nil\n"), "{out}");
    assert!(out.contains("flow true\n"), "{out}");
    assert!(out.contains("released true\n"), "{out}");
    // The native store, one new storeAlert (the later time) and the script error of
    // the bad call (weir stores script errors as alerts): three stored; one flow alert.
    let stats = rt.with_alerts(|a| a.stats());
    let evs = rt.take_events();
    assert_eq!(stats.stored, 3, "{out} {evs:?}");
    assert_eq!(stats.flow_alerts, 1);
}

#[test]
fn host_dns_http_and_application_bytes() {
    let dir = tempfile::tempdir().unwrap();
    plugin(
        dir.path(),
        "host",
        "probe",
        r#"local s = { hooks = {}, gui = { i18n_title = "p", i18n_description = "p" } }
local dns_id = interface.getnDPIProtoId("DNS")
local net_cat = interface.getnDPICategoryId("Network")
local bad_done = false
function s.hooks.min(params)
  local d = host.getDNSInfo()
  local h = host.getHTTPInfo()
  if host.isLocal() then
    io.write(string.format("local %s dns %d %d http %d %d app %d cat %d\n", params.entity_info.ip,
      d.dns.sent.num_queries, d.dns.rcvd.num_replies_ok + d.dns.rcvd.num_replies_error,
      h.http.sender.query.total, h.http.receiver.response.total,
      host.getApplicationBytes(dns_id), host.getCategoryBytes(net_cat)))
  else
    io.write("remote ", tostring(next(d) == nil and next(h) == nil), "\n")
  end
  if not bad_done then
    bad_done = true
    io.write("bad ", host.getApplicationBytes("x"), "\n")
  end
end
return s"#,
    );
    let mut rt = runtime(dir.path());
    let pcap = capture(400, 11);
    let mut engine = Engine::new(EngineConfig {
        local_networks: vec!["192.168.1.0/24".parse().unwrap()],
        ..EngineConfig::default()
    });
    replay_into(&pcap, &mut engine, &mut rt, usize::MAX);
    engine.finish(&mut rt);
    let out = String::from_utf8(rt.take_output()).unwrap();
    assert!(out.contains("remote true\n"), "{out}");
    assert!(!out.contains("remote false"), "{out}");
    assert!(out.contains("bad 0\n"));
    // Some local host sent DNS queries and got replies; DNS bytes show in both the
    // application and its category (Network).
    let dns_line = out.lines().find(|l| {
        let w: Vec<&str> = l.split(' ').collect();
        w.first() == Some(&"local") && w[3] != "0" && w[4] != "0" && w[9] != "0"
    });
    let Some(line) = dns_line else {
        panic!("no local host with DNS counters: {out}")
    };
    let w: Vec<u64> = line
        .split(' ')
        .filter_map(|x| x.parse().ok())
        .collect::<Vec<_>>();
    // app bytes ≤ category bytes.
    assert!(w[w.len() - 2] <= w[w.len() - 1], "{line}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("local ") && !l.contains(" http 0 0 ")),
        "no local host with HTTP counters: {out}"
    );
}

#[test]
fn alerts_api_release_entity_alerts_and_query_driver() {
    let dir = tempfile::tempdir().unwrap();
    plugin(
        dir.path(),
        "interface",
        "rel",
        r#"local alerts_api = require("alerts_api")
local alert_consts = require("alert_consts")
local ts_utils = require("ts_utils")
local s = { hooks = {}, gui = { i18n_title = "p", i18n_description = "p" } }
local n = 0
function s.hooks.min(params)
  n = n + 1
  local e = alerts_api.hostAlertEntity("192.168.1.77", 0)
  if n == 1 then
    local info = alert_consts.alert_types.alert_internals.create()
    info.alert_severity = alert_consts.alert_severities.warning
    info.alert_granularity = alert_consts.alerts_granularities.min
    info.alert_subtype = "x"
    alerts_api.trigger(e, info)
    io.write("engaged ", #interface.getEngagedAlerts(1, "192.168.1.77@0"), "\n")
    alerts_api.releaseEntityAlerts(e)
    io.write("after ", #interface.getEngagedAlerts(1, "192.168.1.77@0"), "\n")
    local r = alerts_api.remoteToRemoteType({ host = "1.2.3.4", vlan = 0 }, "aa:bb:cc:dd:ee:ff")
    io.write("r2r ", r.alert_type_params.host, " ", r.alert_severity.severity_id, "\n")
    io.write("driver ", tostring(ts_utils.getQueryDriver()), "\n")
  end
end
return s"#,
    );
    let mut rt = runtime(dir.path());
    let pcap = capture(50, 5);
    let mut engine = Engine::new(EngineConfig::default());
    replay_into(&pcap, &mut engine, &mut rt, usize::MAX);
    let out = String::from_utf8(rt.take_output()).unwrap();
    assert!(out.contains("engaged 1\nafter 0\n"), "{out}");
    assert!(out.contains("r2r 1.2.3.4 4\n"), "{out}");
    // Timeseries off: no driver.
    assert!(out.contains("driver nil\n"), "{out}");
}

#[test]
fn process_flow_attaches_an_external_alert_to_the_live_flow() {
    let dir = tempfile::tempdir().unwrap();
    plugin(
        dir.path(),
        "syslog",
        "probe42",
        r#"local json = require("dkjson")
local s = { hooks = {}, gui = { i18n_title = "p", i18n_description = "p" } }
function s.hooks.handleEvent(conf, message, host, priority)
  local m = json.decode(message)
  interface.processFlow({ src_ip = m.src, dst_ip = m.dst, src_port = m.sport, dst_port = m.dport,
    l4_proto = "UDP", last_switched = m.when, in_bytes = 10, out_bytes = 20,
    external_alert = json.encode({ source = "suricata", alert = { signature = "ET TEST x", category = "c" } }) })
  interface.processFlow({ src_ip = "not an ip", dst_ip = m.dst })
end
return s"#,
    );
    plugin(
        dir.path(),
        "flow",
        "ext",
        r#"local s = { hooks = {}, gui = { i18n_title = "p", i18n_description = "p" } }
function s.hooks.flowEnd(now, conf)
  local a = flow.retrieveExternalAlertInfo()
  if a then io.write("ext ", a, " again ", tostring(flow.retrieveExternalAlertInfo()), "\n") end
end
return s"#,
    );
    let mut rt = runtime(dir.path());
    let got = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let g = got.clone();
    rt.set_flow_status_sink(Box::new(move |r| {
        g.borrow_mut().push(r);
        Ok(())
    }));
    let pcap = capture(20, 3);
    let mut engine = Engine::new(EngineConfig::default());
    let mut noop = weir_flow::NoopConsumer;
    replay_into(&pcap, &mut engine, &mut noop, 400);
    let (key, last) = engine
        .flows()
        .iter()
        .map(|(_, f)| (f.key, f.last_seen))
        .find(|(k, _)| k.proto == 17 && k.vlan == 0)
        .expect("a UDP flow");
    let msg = serde_json::json!({
        "src": key.a.to_string(), "dst": key.b.to_string(), "sport": key.a_port, "dport": key.b_port,
        "when": last.as_secs(),
    });
    assert!(rt.syslog_event(last, "probe42", &msg.to_string(), "sensor", 129));
    let reqs = std::mem::take(&mut *got.borrow_mut());
    assert_eq!(reqs.len(), 1, "the bad flow table is refused");
    assert_eq!(reqs[0].key(), key);
    let applied = engine.update_flow(&key, |f| rt.apply_flow_status(last, f, &reqs[0]));
    assert_eq!(applied, Some(true));
    engine.finish(&mut rt);
    let out = String::from_utf8(rt.take_output()).unwrap();
    assert_eq!(out.matches("ext ").count(), 1, "{out}");
    assert!(
        out.contains("ET TEST x") && out.contains(" again nil\n"),
        "{out}"
    );
    let errors = rt
        .take_events()
        .into_iter()
        .filter(|e| e["event"] == "script_error")
        .count();
    assert_eq!(errors, 1);
}

#[test]
fn flow_blacklist_and_risks_from_what_weir_knows() {
    let dir = tempfile::tempdir().unwrap();
    let data = tempfile::tempdir().unwrap();
    // One server of the capture's downloads is listed, plus a comment and a bad line.
    std::fs::write(
        data.path().join("blocklist.txt"),
        "# listed\n192.168.1.0/25 ; office, first half\nnot-an-address\n",
    )
    .unwrap();
    plugin(
        dir.path(),
        "flow",
        "probe",
        r#"local s = { hooks = {}, gui = { i18n_title = "p", i18n_description = "p" } }
function s.hooks.protocolDetected(now, conf)
  local i = flow.getInfo()
  local b = flow.getBlacklistedInfo()
  io.write(string.format("bl %s %s %s %s %s\n", i["cli.ip"], i["srv.ip"], tostring(flow.isBlacklisted()),
    tostring(b["blacklisted.cli"] == true), tostring(b["blacklisted.srv"] == true)))
  local r = flow.getRiskInfo()
  if flow.hasRisk() then
    local ids = {}
    for name, id in pairs(r) do ids[#ids + 1] = id .. "=" .. name end
    table.sort(ids)
    io.write("risk ", tostring(flow.hasRisk(4)), " ", table.concat(ids, ","), " ", tostring(flow.getInfo()["info"]), "\n")
  elseif next(r) ~= nil then
    io.write("inconsistent\n")
  end
  io.write("server ", flow.getServerKey(), " ", flow.getnDPICategoryName(), " purged ", tostring(flow.isNotPurged()), "\n")
end
return s"#,
    );
    let mut cfg = config(vec![dir.path().to_path_buf()]);
    cfg.working_dir = data.path().to_path_buf();
    let (mut rt, report) = Runtime::load(cfg).expect("VM");
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let pcap = capture(300, 7);
    // The engine keeps the block list (as `weir run` loads blocklist.txt).
    let mut lookups = weir_flow::Lookups::default();
    let mut list = weir_flow::BlockList::new(
        "blocklist.txt",
        Some(data.path().join("blocklist.txt")),
        weir_flow::ListKind::Auto,
    );
    assert_eq!(list.load_file().unwrap().bad, 1);
    lookups.blocklists.push(list);
    let mut engine = Engine::new(EngineConfig {
        lookups,
        ..EngineConfig::default()
    });
    replay_into(&pcap, &mut engine, &mut rt, usize::MAX);
    engine.finish(&mut rt);
    let out = String::from_utf8(rt.take_output()).unwrap();
    let in_list = |ip: &str| {
        ip.strip_prefix("192.168.1.")
            .and_then(|x| x.parse::<u8>().ok())
            .is_some_and(|x| x < 128)
    };
    let mut listed = 0;
    for l in out.lines().filter(|l| l.starts_with("bl ")) {
        let w: Vec<&str> = l.split(' ').collect();
        let (c, s) = (in_list(w[1]), in_list(w[2]));
        assert_eq!(w[3], (c || s).to_string(), "{l}");
        assert_eq!(w[4], c.to_string(), "{l}");
        assert_eq!(w[5], s.to_string(), "{l}");
        listed += usize::from(c || s);
    }
    assert!(listed > 0, "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("bl ") && l.ends_with("false false false"))
    );
    assert!(!out.contains("inconsistent"), "{out}");
    // The capture's .exe downloads carry the binary transfer risk.
    assert!(
        out.lines().any(|l| l.starts_with("risk true ")
            && l.contains("4=Binary App Transfer")
            && l.contains(".exe")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("server ") && l.contains("@0 ") && l.ends_with("purged false"))
    );
}

#[test]
fn interface_entity_info_keys_on_a_real_capture() {
    let pcap_path =
        crate::common::workspace().join("../shared/pcaps/ntopng-e2e/bcast_domains.pcap");
    let Ok(pcap) = std::fs::read(&pcap_path) else {
        eprintln!("skipped: {} not found", pcap_path.display());
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    plugin(
        dir.path(),
        "interface",
        "probe",
        r#"local s = { hooks = {}, gui = { i18n_title = "p", i18n_description = "p" } }
function s.hooks.min(params)
  local e = params.entity_info
  local names = {}
  for cidr, d in pairs(e.bcast_domains) do
    names[#names + 1] = string.format("%s:%d:%s", cidr, d.hits, tostring(d.ghost_network))
  end
  table.sort(names)
  io.write("iface ", e.stats.packets, " ", e.stats.local_hosts, " ", e.stats_since_reset.packets, " ",
    tostring(e["seen.last"] > 0), " ", tostring(e.anomalies.too_many_hosts), " ", table.concat(names, ","), "\n")
end
return s"#,
    );
    let mut cfg = config(vec![dir.path().to_path_buf()]);
    cfg.local_networks = vec!["192.168.1.0/24".parse().unwrap()];
    let (mut rt, report) = Runtime::load(cfg).expect("VM");
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let mut engine = Engine::new(EngineConfig {
        local_networks: vec!["192.168.1.0/24".parse().unwrap()],
        ..EngineConfig::default()
    });
    replay_into(&pcap, &mut engine, &mut rt, usize::MAX);
    engine.finish(&mut rt);
    let out = String::from_utf8(rt.take_output()).unwrap();
    let i = engine.interface();
    let last = out
        .lines()
        .rfind(|l| l.starts_with("iface "))
        .unwrap_or_else(|| panic!("{out}"));
    let mut want: Vec<String> = i
        .bcast_domains
        .iter()
        .map(|(n, d)| format!("{n}:{}:{}", d.hits, d.ghost_network))
        .collect();
    want.sort();
    assert!(!want.is_empty(), "the capture has ARP traffic");
    assert_eq!(
        last,
        format!(
            "iface {} {} {} true nil {}",
            i.packets,
            i.local_hosts,
            i.packets,
            want.join(",")
        )
    );
    eprintln!("{last}");
}

#[test]
fn check_threshold_alert_uses_the_type_creator() {
    let dir = tempfile::tempdir().unwrap();
    let def = dir
        .path()
        .join("api42/alert_definitions/alert_my_cross.lua");
    std::fs::create_dir_all(def.parent().unwrap()).unwrap();
    std::fs::write(
        &def,
        r#"local alert_keys = require("alert_keys")
return {
  alert_key = alert_keys.user.alert_user_01, i18n_title = "my cross", icon = "fas fa-x",
  creator = function(severity, subtype, granularity, metric, value, operator, threshold)
    return { alert_severity = severity, alert_subtype = subtype, alert_granularity = granularity,
      alert_type_params = { metric = metric, value = value, operator = operator, threshold = threshold, via = "creator" } }
  end,
}"#,
    )
    .unwrap();
    plugin(
        dir.path(),
        "interface",
        "cross",
        r#"local alerts_api = require("alerts_api")
local alert_consts = require("alert_consts")
local s = { default_value = { operator = "gt", threshold = 5 }, hooks = {},
  gui = { i18n_title = "p", i18n_description = "p" } }
function s.hooks.min(params)
  io.write("hit ", tostring(alerts_api.checkThresholdAlert(params, alert_consts.alert_types.alert_my_cross, 10)), "\n")
end
return s"#,
    );
    let mut rt = runtime(dir.path());
    let pcap = capture(50, 5);
    let mut engine = Engine::new(EngineConfig::default());
    replay_into(&pcap, &mut engine, &mut rt, usize::MAX);
    let out = String::from_utf8(rt.take_output()).unwrap();
    assert!(out.contains("hit true\n"), "{out}");
    let evs = rt.take_events();
    let trig = evs
        .iter()
        .find(|e| e["event"] == "alert" && e["action"] == "trigger")
        .unwrap_or_else(|| panic!("{evs:?}"));
    assert_eq!(trig["params"]["via"], "creator", "{trig}");
    assert_eq!(trig["params"]["metric"], "cross");
    assert_eq!(trig["alert_subtype"], "cross");
    assert_eq!(trig["alert_severity"], 5);
}

#[test]
fn network_stats_count_broadcast_bytes() {
    let pcap_path = crate::common::workspace().join("../shared/pcaps/ndpi/1kxun.pcap");
    let Ok(pcap) = std::fs::read(&pcap_path) else {
        eprintln!("skipped: {} not found", pcap_path.display());
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    plugin(
        dir.path(),
        "network",
        "probe",
        r#"local s = { hooks = {}, gui = { i18n_title = "p", i18n_description = "p" } }
function s.hooks.min(params)
  local n = network.getNetworkStats()
  io.write("net ", n.network_key, " ", n.broadcast, " ", n.inner, " ", n.egress, "\n")
end
return s"#,
    );
    // 192.168.119.1 sends DHCP to 255.255.255.255 (14 packets, 4788 bytes).
    let nets = vec!["192.168.119.0/24".parse().unwrap()];
    let mut cfg = config(vec![dir.path().to_path_buf()]);
    cfg.local_networks = nets.clone();
    let (mut rt, report) = Runtime::load(cfg).expect("VM");
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let mut engine = Engine::new(EngineConfig {
        local_networks: nets,
        ..EngineConfig::default()
    });
    replay_into(&pcap, &mut engine, &mut rt, usize::MAX);
    engine.finish(&mut rt);
    let out = String::from_utf8(rt.take_output()).unwrap();
    let n = engine.networks().iter().next().unwrap().clone();
    assert!(n.bytes_broadcast >= 4788, "{n:?}");
    assert!(n.bytes_broadcast <= n.bytes_inner + n.bytes_egress);
    assert!(
        out.contains(&format!(
            "net 192.168.119.0/24 {} {} {}\n",
            n.bytes_broadcast, n.bytes_inner, n.bytes_egress
        )),
        "{out} {n:?}"
    );
}

#[test]
fn store_alert_reaches_the_configured_store() {
    use weir_alerts::{AlertTable, SqliteConfig, SqliteStore, StoreSink, WriterConfig};
    let data = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_dir(data.path(), SqliteConfig::default()).unwrap();
    let sink = StoreSink::spawn(&store, WriterConfig::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    plugin(
        dir.path(),
        "interface",
        "store",
        r#"local s = { hooks = {}, gui = { i18n_title = "p", i18n_description = "p" } }
local done = false
function s.hooks.min(params)
  if done then return end
  done = true
  local a = interface.storeAlert(1700000500, 1700000500, 0, 18, "to_store", 5, 1, "192.168.1.200@0", '{"x":1}')
  local f = interface.storeFlowAlert({ alert_tstamp = 1700000501, alert_type = 18, flow_status = 14, alert_severity = 5,
    cli_addr = "192.168.1.200", cli_port = 999, srv_addr = "192.0.2.1", srv_port = 80, proto = 6, alert_json = "{}" })
  io.write("ids ", tostring(a ~= nil), " ", tostring(f ~= nil), "\n")
end
return s"#,
    );
    let mut cfg = config(vec![dir.path().to_path_buf()]);
    cfg.alert_store = Some(weir_script::AlertStore(sink.sender()));
    let (mut rt, report) = Runtime::load(cfg).expect("VM");
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let pcap = capture(50, 5);
    let mut engine = Engine::new(EngineConfig::default());
    replay_into(&pcap, &mut engine, &mut rt, usize::MAX);
    let out = String::from_utf8(rt.take_output()).unwrap();
    assert!(out.contains("ids true true\n"), "{out}");
    sink.flush(std::time::Duration::from_secs(30)).unwrap();
    assert_eq!(store.count(AlertTable::Past).unwrap(), 1);
    assert_eq!(store.count(AlertTable::Flow).unwrap(), 1);
    sink.shutdown(std::time::Duration::from_secs(10)).unwrap();
}
