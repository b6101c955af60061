//! Syslog scripts (`user_scripts/syslog/<producer>.lua`, spec plugins.md §17) and the
//! flow statuses they request (`flow_utils.triggerStatusByTuple`).
//!
//! A syslog VM runs on its own thread, apart from the engine threads that own the
//! flows. A syslog script names a flow by its 5-tuple and time; the request goes to
//! the [`FlowStatusSink`] the embedder installed ([`Runtime::set_flow_status_sink`]),
//! which routes it to the engine threads; each applies it to the flow it tracks with
//! [`Runtime::apply_flow_status`], through the same path `flow.triggerStatus` takes
//! (status bit, scores, flow alert).

use std::net::IpAddr;
use std::rc::Rc;

use mlua::{Lua, Table, Value};
use serde_json::Value as Json;
use weir_alerts::{Severity, StatusKey};
use weir_decode::Timestamp;
use weir_flow::{Flow, FlowKey, MAX_SCORE, l4_name};

use crate::flow_api::FlowView;
use crate::json;
use crate::runtime::{Runtime, error_text};
use crate::state::{Candidate, Shared, SharedRef, api_error};

/// How far (seconds) a request's time may lie outside the flow's first and last packet
/// and still match it (clocks of an IDS and of weir differ a little; an event may be
/// logged after the flow's last packet).
pub const FLOW_MATCH_SLACK_SECS: u64 = 60;

/// A flow status a syslog script asked for, by 5-tuple (either direction) and time.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowStatusRequest {
    /// VLAN id (0 = untagged).
    pub vlan: u16,
    /// IP protocol number.
    pub proto: u8,
    /// Source address and port as the event names them.
    pub src: (IpAddr, u16),
    /// Destination address and port.
    pub dst: (IpAddr, u16),
    /// When the event happened (epoch seconds), if the script said.
    pub when: Option<u64>,
    /// The status key (bit).
    pub status: u8,
    /// Alert parameters (the status info).
    pub params: Json,
    /// Flow, client and server score.
    pub scores: [u16; 3],
    /// Severity overriding the status definition's.
    pub severity: Option<Severity>,
    /// Key of the script that asked.
    pub script: String,
    /// The script is in the security category (scores count as security scores).
    pub security: bool,
}

impl FlowStatusRequest {
    /// The canonical key of the flow the request names.
    pub fn key(&self) -> FlowKey {
        FlowKey::new(self.vlan, self.proto, self.src, self.dst).0
    }

    /// True if the flow's lifetime (with [`FLOW_MATCH_SLACK_SECS`] either side) holds
    /// the request's time, or the request has none.
    pub fn matches_time(&self, first_seen: Timestamp, last_seen: Timestamp) -> bool {
        self.when.is_none_or(|w| {
            w.saturating_add(FLOW_MATCH_SLACK_SECS) >= first_seen.as_secs()
                && w <= last_seen.as_secs().saturating_add(FLOW_MATCH_SLACK_SECS)
        })
    }
}

/// Takes a request from a syslog script: `Ok` when it was queued for the engines,
/// `Err(reason)` when it could not be (no packet interface, queue full), which the
/// script gets back as `false, reason`.
pub type FlowStatusSink = Box<dyn FnMut(FlowStatusRequest) -> Result<(), String>>;

impl Runtime {
    /// Delivers one syslog message to the syslog script whose key is `producer`
    /// (spec plugins.md §17): `handleEvent(message)` when the handler declares one
    /// parameter (doc / 4.0 form), else `handleEvent(syslog_conf, message, host,
    /// priority)`. Returns false when no script handles that producer.
    pub fn syslog_event(
        &mut self,
        now: Timestamp,
        producer: &str,
        message: &str,
        host: &str,
        priority: u8,
    ) -> bool {
        let secs = now.as_secs();
        self.boundary(secs);
        let Some((idx, f, one_arg)) = self.vm.syslog.get(producer).cloned() else {
            return false;
        };
        let sc = &mut self.vm.scripts[idx];
        if sc.info.disabled || sc.off {
            return false;
        }
        {
            let mut s = self.shared.borrow_mut();
            s.script = Some(sc.ctx.clone());
            // `alerts_api.store(...)` without a time uses the message's.
            s.now = secs;
        }
        self.vm.budget.reset();
        let r = if one_arg {
            f.call::<()>(message)
        } else {
            let conf = (|| -> mlua::Result<Table> {
                let lua = &self.vm.lua;
                let all = lua.create_table()?;
                all.raw_set("enabled", true)?;
                all.raw_set("script_conf", &sc.conf)?;
                let entry = lua.create_table()?;
                entry.raw_set("all", all)?;
                let c = lua.create_table()?;
                c.raw_set(sc.info.key.as_str(), entry)?;
                Ok(c)
            })();
            match conf {
                Ok(c) => f.call::<()>((c, message, host, priority)),
                Err(e) => Err(e),
            }
        };
        sc.info.calls += 1;
        let api = {
            let mut s = self.shared.borrow_mut();
            s.script = None;
            (!s.api_errors.is_empty()).then(|| std::mem::take(&mut s.api_errors).join("; "))
        };
        match (r, api) {
            (Ok(()), None) => sc.info.consecutive_failures = 0,
            (Ok(()), Some(a)) => self.faults.push((idx, a)),
            (Err(err), _) => {
                let text = error_text(&err, &sc.info.plugin, &sc.info.file);
                self.faults.push((idx, text));
            }
        }
        if !self.faults.is_empty() {
            self.handle_faults();
        }
        true
    }

    /// Where `flow_utils.triggerStatusByTuple` sends requests from now on (kept across
    /// reloads). Without a sink the call returns `false, "no packet interface"`.
    pub fn set_flow_status_sink(&mut self, sink: FlowStatusSink) {
        self.shared.borrow_mut().flow_sink = Some(sink);
    }

    /// Applies a syslog script's request to `flow` (the engine found it by the
    /// request's key) as `flow.triggerStatus` would: the status bit and its scores are
    /// set, and the flow alert is raised unless the flow already alerted with a higher
    /// score. Returns false, changing nothing, when the request's time is outside the
    /// flow's lifetime or its status is unknown in this VM.
    pub fn apply_flow_status(
        &mut self,
        now: Timestamp,
        flow: &mut Flow,
        req: &FlowStatusRequest,
    ) -> bool {
        if !req.matches_time(flow.first_seen, flow.last_seen)
            || self.vm.registry.status(StatusKey(req.status)).is_none()
        {
            return false;
        }
        let secs = now.as_secs();
        let mut view = match self.spare.take() {
            Some(mut b) => {
                b.fill(flow);
                b
            }
            None => Box::new(FlowView::take(flow)),
        };
        let [f, c, s] = req.scores;
        let newly = view.set_status(req.status, f, c, s, req.security);
        {
            let mut sh = self.shared.borrow_mut();
            if newly && sh.events.is_some() {
                let (ci, cp) = view.client();
                let (si, sp) = view.server();
                let name = sh
                    .registry
                    .status(StatusKey(req.status))
                    .map(|t| t.name.clone())
                    .unwrap_or_default();
                sh.record(serde_json::json!({
                    "event": "status",
                    "ts": secs,
                    "flow": format!("{} {ci}:{cp} -> {si}:{sp}", l4_name(view.key.proto)),
                    "proto.ndpi": view.ndpi_name(),
                    "status_key": req.status,
                    "status": name,
                    "script": req.script,
                    "flow_score": f,
                    "cli_score": c,
                    "srv_score": s,
                }));
            }
        }
        let cand = Candidate {
            status: req.status,
            score: f,
            cli_score: c,
            srv_score: s,
            severity: req.severity,
            params: req.params.clone(),
            script: Rc::from(req.script.as_str()),
        };
        self.raise_flow_alert(&view, cand, secs);
        view.restore(flow);
        self.spare = Some(view);
        true
    }
}

/// `l4_proto` as a name (`"TCP"`, `"udp"`, `"IPv6-ICMP"`) or a number.
fn l4_arg(v: &Value) -> Option<u8> {
    match v {
        Value::Integer(i) => u8::try_from(*i).ok(),
        Value::Number(n) if n.fract() == 0.0 && (0.0..256.0).contains(n) => Some(*n as u8),
        Value::String(s) => {
            let s = s.to_string_lossy().to_ascii_lowercase();
            Some(match s.as_str() {
                "tcp" => 6,
                "udp" => 17,
                "icmp" => 1,
                "ipv6-icmp" | "icmpv6" | "ipv6icmp" => 58,
                "sctp" => 132,
                "gre" => 47,
                "esp" => 50,
                other => other.parse().ok()?,
            })
        }
        _ => None,
    }
}

fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Integer(i) => Some(*i),
        Value::Number(n) if n.is_finite() => Some(n.floor() as i64),
        Value::String(s) => s.to_string_lossy().trim().parse().ok(),
        _ => None,
    }
}

fn score_of(v: &Value, what: &str) -> Result<u16, String> {
    match v {
        Value::Nil => Ok(0),
        Value::Integer(i) => Ok((*i).clamp(0, i64::from(MAX_SCORE)) as u16),
        Value::Number(n) if n.is_finite() => Ok(n.clamp(0.0, f64::from(MAX_SCORE)) as u16),
        other => Err(format!(
            "{what}: number expected, got {}",
            other.type_name()
        )),
    }
}

fn severity_of(v: &Value) -> Option<Severity> {
    match v {
        Value::Table(t) => t
            .get::<Option<i64>>("severity_id")
            .ok()
            .flatten()
            .and_then(|i| u8::try_from(i).ok())
            .and_then(Severity::from_id),
        Value::Integer(i) => u8::try_from(*i).ok().and_then(Severity::from_id),
        _ => None,
    }
}

/// Reads the argument table of `flow_utils.triggerStatusByTuple` (see
/// docs/plugins/lua-api.md) into a request.
fn request_from(s: &Shared, t: &Table) -> Result<FlowStatusRequest, String> {
    let get = |k: &str| t.get::<Value>(k).unwrap_or(Value::Nil);
    let ip = |k: &str| -> Result<IpAddr, String> {
        match get(k) {
            Value::String(v) => v
                .to_string_lossy()
                .trim()
                .parse()
                .map_err(|_| format!("{k}: not an IP address: {:?}", v.to_string_lossy())),
            other => Err(format!(
                "{k}: IP address string expected, got {}",
                other.type_name()
            )),
        }
    };
    let port = |k: &str| -> Result<u16, String> {
        match get(k) {
            Value::Nil => Ok(0),
            v => int_of(&v)
                .and_then(|p| u16::try_from(p).ok())
                .ok_or_else(|| format!("{k}: port number expected")),
        }
    };
    let proto_v = match get("l4_proto") {
        Value::Nil => get("proto"),
        v => v,
    };
    let proto = l4_arg(&proto_v).ok_or("l4_proto: protocol name (\"TCP\") or number expected")?;
    let vlan = match get("vlan_id") {
        Value::Nil => 0,
        v => int_of(&v)
            .and_then(|x| u16::try_from(x).ok())
            .filter(|x| *x < 4096)
            .ok_or("vlan_id: 0..4095 expected")?,
    };
    let when = match get("when") {
        Value::Nil => None,
        v => Some(
            int_of(&v)
                .and_then(|x| u64::try_from(x).ok())
                .ok_or("when: epoch seconds expected")?,
        ),
    };
    // The status: a definition (`status_key`), a created status info (`status_type`,
    // whose alert params and severity are used) or a key.
    let status_v = get("status");
    let created = match &status_v {
        Value::Table(st) => st.contains_key("status_type").unwrap_or(false),
        _ => false,
    };
    let key = match &status_v {
        Value::Table(st) => st
            .get::<Option<i64>>("status_key")
            .ok()
            .flatten()
            .or_else(|| {
                st.get::<Option<Table>>("status_type")
                    .ok()
                    .flatten()
                    .and_then(|x| x.get::<Option<i64>>("status_key").ok().flatten())
            }),
        other => int_of(other),
    }
    .ok_or("status: status definition, created status or status key expected")?;
    let status = u8::try_from(key)
        .ok()
        .filter(|k| *k > 0 && *k < 64 && s.registry.status(StatusKey(*k)).is_some())
        .ok_or_else(|| format!("status: unknown status key {key}"))?;
    let (mut params, mut severity) = (Json::Object(Default::default()), None);
    if let (true, Value::Table(st)) = (created, &status_v) {
        if let Ok(v @ Value::Table(_)) = st.get::<Value>("alert_type_params") {
            params = json::to_json(&v);
        }
        severity = st
            .get::<Value>("alert_severity")
            .ok()
            .as_ref()
            .and_then(severity_of);
    }
    match get("status_info") {
        Value::Nil => {}
        v @ Value::Table(_) => params = json::to_json(&v),
        Value::String(x) => params = Json::String(x.to_string_lossy()),
        other => {
            return Err(format!(
                "status_info: table or string expected, got {}",
                other.type_name()
            ));
        }
    }
    if let Some(sev) = severity_of(&get("severity")) {
        severity = Some(sev);
    }
    let scores = [
        score_of(&get("flow_score"), "flow_score")?,
        score_of(&get("cli_score"), "cli_score")?,
        score_of(&get("srv_score"), "srv_score")?,
    ];
    let (script, security) = s
        .script
        .as_ref()
        .map(|c| (c.key.to_string(), c.security))
        .unwrap_or_default();
    Ok(FlowStatusRequest {
        vlan,
        proto,
        src: (ip("src_ip")?, port("src_port")?),
        dst: (ip("dst_ip")?, port("dst_port")?),
        when,
        status,
        params,
        scores,
        severity,
        script,
        security,
    })
}

/// Registers the `flow_utils` global and module (`require "flow_utils"`).
pub(crate) fn install(lua: &Lua, loaded: &Table, sh: &SharedRef) -> mlua::Result<()> {
    let t = lua.create_table()?;
    let sh = sh.clone();
    let f = lua.create_function(move |lua, arg: Value| {
        let Ok(mut s) = sh.try_borrow_mut() else {
            return Ok((Value::Nil, Value::Nil));
        };
        const NAME: &str = "flow_utils.triggerStatusByTuple";
        let req = match &arg {
            Value::Table(t) => request_from(&s, t),
            other => Err(format!(
                "argument #1: table expected, got {}",
                other.type_name()
            )),
        };
        let req = match req {
            Ok(r) => r,
            Err(msg) => {
                api_error(lua, &mut s, NAME, &msg);
                return Ok((Value::Nil, Value::Nil));
            }
        };
        if s.events.is_some() {
            let name = s
                .registry
                .status(StatusKey(req.status))
                .map(|d| d.name.clone())
                .unwrap_or_default();
            let ev = serde_json::json!({
                "event": "flow_status_request",
                "ts": s.now,
                "when": req.when,
                "flow": format!("{} {}:{} -> {}:{}", l4_name(req.proto),
                    req.src.0, req.src.1, req.dst.0, req.dst.1),
                "vlan_id": req.vlan,
                "status_key": req.status,
                "status": name,
                "script": req.script,
                "flow_score": req.scores[0],
                "params": req.params,
            });
            s.record(ev);
        }
        let r = match s.flow_sink.as_mut() {
            Some(sink) => sink(req),
            None => Err("no packet interface".to_owned()),
        };
        Ok(match r {
            Ok(()) => (Value::Boolean(true), Value::Nil),
            Err(why) => (
                Value::Boolean(false),
                Value::String(lua.create_string(&why)?),
            ),
        })
    })?;
    t.raw_set("triggerStatusByTuple", f)?;
    loaded.raw_set("flow_utils", t.clone())?;
    lua.globals().raw_set("flow_utils", t)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::path::PathBuf;

    use weir_flow::{Engine, EngineConfig, NoopConsumer};

    use super::*;
    use crate::{Output, ScriptConfig};

    fn suricata_runtime() -> (Runtime, Rc<RefCell<Vec<FlowStatusRequest>>>) {
        let cfg = ScriptConfig {
            roots: vec![PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../plugins/suricata_collector"
            ))],
            output: Output::Buffer,
            record_events: true,
            ..ScriptConfig::default()
        };
        let (mut rt, report) = Runtime::load(cfg).unwrap();
        assert!(report.errors().next().is_none(), "{:?}", report.problems);
        let got = Rc::new(RefCell::new(Vec::new()));
        let g = got.clone();
        rt.set_flow_status_sink(Box::new(move |r| {
            g.borrow_mut().push(r);
            Ok(())
        }));
        (rt, got)
    }

    /// An engine holding the flows of a small generated capture.
    fn engine() -> Engine {
        let (pcap, _) = weir_gen::generate_to_vec(&weir_gen::GenConfig {
            flows: 20,
            seed: 3,
            duration_secs: 20,
            ..Default::default()
        });
        let mut engine = Engine::new(EngineConfig::default());
        let mut r = weir_decode::capture::CaptureReader::new(&pcap[..], "t").unwrap();
        while let Some(Ok(f)) = r.next_frame() {
            let wire = f.orig_len.max(f.data.len() as u32);
            if let Ok(p) = weir_decode::decode(f.linktype, f.data) {
                engine.process(f.ts, wire, &p, &mut NoopConsumer);
            }
        }
        engine
    }

    #[test]
    fn an_eve_alert_becomes_a_request_then_a_flow_status_and_a_flow_alert() {
        let mut engine = engine();
        let (key, first, cli_is_a) = engine
            .flows()
            .iter()
            .map(|(_, f)| (f.key, f.first_seen.as_secs(), f.cli_is_a))
            .find(|(k, _, _)| k.proto == 17 && k.vlan == 0)
            .unwrap();
        let (mut rt, got) = suricata_runtime();
        // Named from b to a: the lookup is direction-free.
        let ev = serde_json::json!({
            "timestamp": format!("1970-01-01T00:00:00+0000"),
            "event_type": "alert",
            "src_ip": key.b.to_string(), "src_port": key.b_port,
            "dest_ip": key.a.to_string(), "dest_port": key.a_port,
            "proto": "UDP",
            "alert": {"signature": "T1", "signature_id": 7, "category": "c", "severity": 1},
        });
        let now = Timestamp(first * 1_000_000);
        assert!(rt.syslog_event(now, "suricata", &ev.to_string(), "sensor", 129));
        let mut req = got.borrow_mut().pop().expect("a request");
        assert_eq!(req.key(), key);
        assert_eq!(req.status, 10);
        assert_eq!(req.scores, [100, 100, 10]);
        assert_eq!(req.when, Some(0));
        // Out of the flow's lifetime: nothing changes.
        let applied = engine.update_flow(&key, |f| rt.apply_flow_status(now, f, &req));
        assert_eq!(applied, Some(false));
        req.when = Some(first);
        let applied = engine.update_flow(&key, |f| rt.apply_flow_status(now, f, &req));
        assert_eq!(applied, Some(true));
        let f = engine.find_flow(&key).unwrap();
        assert_ne!(f.status_map & (1 << 10), 0);
        assert_eq!(f.score.flow, 100);
        assert_eq!(f.cli_is_a, cli_is_a);
        let events = rt.take_events();
        let alert = events
            .iter()
            .find(|e| e["event"] == "flow_alert")
            .expect("flow alert");
        assert_eq!(alert["alert_name"], "alert_external_alert");
        assert!(alert["alert_json"].as_str().unwrap().contains("\"T1\""));
    }

    #[test]
    fn bad_requests_are_api_errors_and_no_sink_says_why() {
        let cfg = ScriptConfig {
            roots: vec![],
            output: Output::Buffer,
            ..ScriptConfig::default()
        };
        let (rt, _) = Runtime::load(cfg).unwrap();
        let lua = &rt.vm.lua;
        let (ok, why): (Option<bool>, Option<String>) = lua
            .load(
                r#"return flow_utils.triggerStatusByTuple({src_ip = "10.0.0.1", dst_ip = "10.0.0.2",
                   l4_proto = "TCP", status = 19})"#,
            )
            .eval()
            .unwrap();
        assert_eq!(
            (ok, why.as_deref()),
            (Some(false), Some("no packet interface"))
        );
        for bad in [
            r#"{src_ip = "nope", dst_ip = "10.0.0.2", l4_proto = "TCP", status = 19}"#,
            r#"{src_ip = "10.0.0.1", dst_ip = "10.0.0.2", l4_proto = "XYZ", status = 19}"#,
            r#"{src_ip = "10.0.0.1", dst_ip = "10.0.0.2", l4_proto = 6, status = 58}"#,
            r#"{src_ip = "10.0.0.1", dst_ip = "10.0.0.2", l4_proto = 6, status = 19, src_port = 70000}"#,
            r#""not a table""#,
        ] {
            let r: Option<bool> = lua
                .load(format!("return flow_utils.triggerStatusByTuple({bad})"))
                .eval()
                .unwrap();
            assert_eq!(r, None, "{bad}");
        }
        assert_eq!(rt.shared.borrow().api_errors.len(), 5);
    }
}
