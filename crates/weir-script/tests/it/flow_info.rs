//! One flow-info emitter: for the same flows, the Lua table of `flow.getFullInfo()` and
//! the JSON object of `weir flows --json` (`weir_flow::info::to_json`) carry the same
//! keys with the same values and types.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use weir_decode::Timestamp;
use weir_flow::info::{InfoSource, Level, to_json};
use weir_flow::{Consumer, EndReason, Flow, IpNet, Networks};
use weir_script::Runtime;

use crate::common::*;

/// Prints every entry of `getFullInfo()` (nested tables flattened with `/`) as
/// `serial<TAB>path<TAB>type<TAB>value` lines.
const DUMP: &str = r#"
local s = { hooks = {}, gui = { i18n_title = "dump", i18n_description = "dump" } }
local function dump(serial, prefix, t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  for _, k in ipairs(keys) do
    local v, path = t[k], prefix .. tostring(k)
    local ty = type(v)
    if ty == "table" then
      dump(serial, path .. "/", v)
    else
      local shown = tostring(v)
      if ty == "number" then
        ty = math.type(v)
        if ty == "float" then shown = string.format("%.17g", v) end
      end
      io.write(serial, "\t", path, "\t", ty, "\t", shown, "\n")
    end
  end
end
function s.hooks.flowEnd(now)
  local info = flow.getFullInfo()
  dump(info["ntopng.key"], "", info)
end
return s
"#;

/// (path, (type, value)) of every leaf.
type Leaves = BTreeMap<String, (String, String)>;

fn flatten(prefix: &str, m: &Map<String, Value>, out: &mut Leaves) {
    for (k, v) in m {
        let path = format!("{prefix}{k}");
        let leaf = match v {
            Value::Object(o) => {
                flatten(&format!("{path}/"), o, out);
                continue;
            }
            Value::Array(a) => {
                // A Lua sequence: keys 1..n.
                let o: Map<String, Value> = a
                    .iter()
                    .enumerate()
                    .map(|(i, x)| ((i + 1).to_string(), x.clone()))
                    .collect();
                flatten(&format!("{path}/"), &o, out);
                continue;
            }
            Value::String(s) => ("string", s.clone()),
            Value::Bool(b) => ("boolean", b.to_string()),
            // Lua integers are i64: a u64 bitmap keeps its bits.
            Value::Number(n) if n.is_u64() => ("integer", (n.as_u64().unwrap() as i64).to_string()),
            Value::Number(n) if n.is_i64() => ("integer", n.as_i64().unwrap().to_string()),
            Value::Number(n) => ("float", n.as_f64().unwrap().to_string()),
            Value::Null => ("nil", String::new()),
        };
        out.insert(path, (leaf.0.to_string(), leaf.1));
    }
}

/// Runs the runtime and records the JSON object of each flow at its end.
struct Both {
    rt: Runtime,
    nets: Networks,
    json: BTreeMap<u64, Leaves>,
}

impl Consumer for Both {
    fn protocol_detected(&mut self, now: Timestamp, flow: &mut Flow) {
        self.rt.protocol_detected(now, flow);
    }

    fn flow_end(&mut self, now: Timestamp, flow: &mut Flow, reason: EndReason) {
        self.rt.flow_end(now, flow, reason);
        let mut leaves = Leaves::new();
        let m = to_json(&InfoSource::of(flow), &self.nets, Level::Full);
        flatten("", &m, &mut leaves);
        self.json.insert(flow.serial, leaves);
    }
}

#[test]
fn lua_full_info_and_json_carry_the_same_keys_and_values() {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("dump/user_scripts/flow/dump.lua");
    std::fs::create_dir_all(script.parent().unwrap()).unwrap();
    std::fs::write(&script, DUMP).unwrap();
    let local: Vec<IpNet> = vec![
        "10.0.0.0/8".parse().unwrap(),
        "192.168.0.0/16".parse().unwrap(),
    ];
    let mut cfg = config(vec![dir.path().to_path_buf()]);
    cfg.local_networks = local.clone();
    let (rt, report) = Runtime::load(cfg).expect("VM");
    assert!(report.problems.is_empty(), "{:#?}", report.problems);
    let mut both = Both {
        rt,
        nets: Networks::new(&local),
        json: BTreeMap::new(),
    };
    let pcap = capture(300, 5);
    replay(&pcap, &mut both);
    let out = String::from_utf8(both.rt.take_output()).unwrap();
    let mut lua: BTreeMap<u64, Leaves> = BTreeMap::new();
    for line in out.lines() {
        let mut f = line.splitn(4, '\t');
        let (Some(serial), Some(path), Some(ty), Some(v)) =
            (f.next(), f.next(), f.next(), f.next())
        else {
            panic!("bad dump line {line:?}");
        };
        let v = if ty == "float" {
            v.parse::<f64>().unwrap().to_string()
        } else {
            v.to_string()
        };
        lua.entry(serial.parse().unwrap())
            .or_default()
            .insert(path.to_string(), (ty.to_string(), v));
    }
    assert!(both.json.len() > 100, "{} flows", both.json.len());
    assert_eq!(
        lua.keys().collect::<Vec<_>>(),
        both.json.keys().collect::<Vec<_>>(),
        "the script saw every flow"
    );
    let mut protos = std::collections::BTreeSet::new();
    for (serial, j) in &both.json {
        let l = &lua[serial];
        assert!(j.len() > 60, "flow {serial}: only {} keys", j.len());
        let only_json: Vec<_> = j.keys().filter(|k| !l.contains_key(*k)).collect();
        let only_lua: Vec<_> = l.keys().filter(|k| !j.contains_key(*k)).collect();
        assert!(
            only_json.is_empty() && only_lua.is_empty(),
            "flow {serial}: only in JSON {only_json:?}, only in Lua {only_lua:?}"
        );
        for (k, v) in j {
            assert_eq!(&l[k], v, "flow {serial}: {k}");
        }
        protos.insert(j["proto.ndpi"].1.clone());
    }
    for p in ["HTTP", "TLS", "DNS"] {
        assert!(
            protos.iter().any(|x| x.starts_with(p)),
            "no {p} flow compared: {protos:?}"
        );
    }
}
