//! A plugin `alert_endpoints/` module delivering the tutorial's alerts, in its own
//! thread and VM.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use weir_alerts::EndpointConfig;
use weir_script::{Output, Runtime, spawn_lua_endpoint};

use crate::common::*;

const ENDPOINT: &str = r#"
local json = require("dkjson")
local endpoint = { name = "Test endpoint", conf_max_num = 1, EXPORT_FREQUENCY = 1, prio = 0 }
local loaded = false

function endpoint.onLoad() loaded = true end
function endpoint.isAvailable() return true end

function endpoint.dequeueRecipientAlerts(recipient, budget, high_priority)
  local n = 0
  while n < budget do
    local s = ntop.recipient_dequeue(recipient.recipient_id, high_priority)
    if not s then break end
    local a = json.decode(s)
    local j = json.decode(a.alert_json)
    io.write(string.format("%s %s %s %s %s\n", recipient.prefix, tostring(loaded), a.action,
      alert_consts.alertTypeRaw(a.alert_type), tostring(j["protos.http.last_url"])))
    n = n + 1
  end
  return { success = true, more_available = (n == budget) }
end

return endpoint
"#;

#[test]
fn lua_endpoint_receives_the_flow_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let plugin = dir.path().join("exes_download");
    for sub in [
        "user_scripts/flow",
        "alert_definitions",
        "status_definitions",
    ] {
        let from = workspace().join("plugins/exes_download").join(sub);
        std::fs::create_dir_all(plugin.join(sub)).unwrap();
        for e in std::fs::read_dir(&from).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), plugin.join(sub).join(e.file_name())).unwrap();
        }
    }
    std::fs::create_dir_all(plugin.join("alert_endpoints")).unwrap();
    std::fs::write(
        plugin.join("alert_endpoints/test_endpoint.lua"),
        ENDPOINT.replace("alert_consts.", "require('alert_consts')."),
    )
    .unwrap();

    let out = Arc::new(Mutex::new(Vec::new()));
    let mut cfg = config(vec![dir.path().to_path_buf()]);
    cfg.output = Output::Shared(out.clone());
    let (mut rt, report) = Runtime::load(cfg.clone()).unwrap();
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let eps = rt.endpoint_files();
    assert_eq!(eps.len(), 1);
    let (src, file) = eps[0].clone();
    assert_eq!(file, "alert_endpoints/test_endpoint.lua");
    let h = spawn_lua_endpoint(
        EndpointConfig::new("lua-test"),
        src,
        file,
        serde_json::json!({"prefix": "EP"}),
        cfg,
    )
    .unwrap();
    rt.with_alerts(|a| a.add_endpoint(h.sender()));

    let pcap = capture(300, 7);
    let mut oracle = ExeOracle::default();
    replay(&pcap, &mut oracle);
    replay(&pcap, &mut rt);
    h.flush(Duration::from_secs(10)).unwrap();
    let stats = h.shutdown(Duration::from_secs(10)).unwrap();
    let text = String::from_utf8(out.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| l.starts_with("EP ")).collect();
    assert_eq!(lines.len(), oracle.urls.len(), "{text}\n{stats:?}");
    for (l, url) in lines.iter().zip(&oracle.urls) {
        assert_eq!(*l, format!("EP true store alert_exe_download {url}"));
    }
}

#[test]
fn a_broken_endpoint_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("ep/alert_endpoints");
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(p.join("bad.lua"), "return { name = 'bad' }\n").unwrap();
    let cfg = config(vec![dir.path().to_path_buf()]);
    let (rt, report) = Runtime::load(cfg.clone()).unwrap();
    assert!(report.problems.iter().any(
        |p| p.file == "alert_endpoints/bad.lua" && p.message.contains("dequeueRecipientAlerts")
    ));
    let (src, file) = rt.endpoint_files().remove(0);
    let err = spawn_lua_endpoint(
        EndpointConfig::new("bad"),
        src,
        file,
        serde_json::json!({}),
        cfg,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("/ep/alert_endpoints/bad.lua"),
        "{err}"
    );
}
