//! Syslog scripts (`user_scripts/syslog/<producer>.lua`, spec plugins.md §17) and the
//! flow statuses they request (`flow_utils.triggerStatusByTuple`, [`crate::flow_status`]).
//!
//! A syslog VM runs on its own thread, apart from the engine threads that own the
//! flows. A syslog script names a flow by its 5-tuple and time; the request goes to
//! the [`FlowStatusSink`] the embedder installed ([`Runtime::set_flow_status_sink`]),
//! which routes it to the engine threads; each applies it to the flow it tracks with
//! [`Runtime::apply_flow_status`], through the same path `flow.triggerStatus` takes
//! (status bit, scores, flow alert).

use std::rc::Rc;

use mlua::Table;
use weir_alerts::StatusKey;
use weir_decode::Timestamp;
use weir_flow::{Flow, l4_name};

use crate::diag::error_text;
use crate::flow_status::{FlowStatusRequest, FlowStatusSink};
use crate::flow_view::{Candidate, FlowView};
use crate::info::{elapsed_ns, grew};
use crate::runtime::Runtime;

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
            let mut c = self.parts.call.borrow_mut();
            c.script = Some(sc.ctx.clone());
            // `alerts_api.store(...)` without a time uses the message's.
            c.now = secs;
        }
        self.vm.budget.reset();
        let (t0, m0) = (quanta::Instant::now(), self.vm.lua.used_memory());
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
        sc.meters[0].add(
            elapsed_ns(t0, quanta::Instant::now()),
            grew(&self.vm.lua, m0),
        );
        sc.info.calls += 1;
        let api = {
            let mut c = self.parts.call.borrow_mut();
            c.script = None;
            c.take_api_errors()
        };
        match (r, api) {
            (Ok(()), None) => sc.info.consecutive_failures = 0,
            (Ok(()), Some(a)) => self.faults.push((idx, a)),
            (Err(err), _) => {
                let text = error_text(&err, &sc.ctx.base, &sc.info.file);
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
        *self.parts.sink.borrow_mut() = Some(sink);
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
        if req.status == 0 {
            // `interface.processFlow` with an `external_alert`: kept for the flow's
            // `flow.retrieveExternalAlertInfo()` (external_alert_check raises the status).
            if !req.matches_time(flow.first_seen, flow.last_seen) {
                return false;
            }
            let mut f = self.parts.flow.borrow_mut();
            if f.external.len() >= crate::flow_view::MAX_EXTERNAL
                && !f.external.contains_key(&flow.serial)
            {
                return false;
            }
            f.external.insert(flow.serial, req.params.to_string());
            return true;
        }
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
            let mut sh = self.parts.alerts.borrow_mut();
            if newly && sh.recording() {
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
        assert_eq!(rt.parts.call.borrow().api_errors.len(), 5);
    }
}
