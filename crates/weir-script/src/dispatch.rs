//! Flow dispatch: one hook on one flow binds the `flow` global to it, calls every
//! matching script (filters applied in Rust first, so a flow no script wants never
//! enters Lua), writes statuses and scores back and raises the flow alert the scripts
//! nominated.

use mlua::Table;
use serde_json::Value as Json;
use weir_alerts::{AlertGeneration, FlowAlert, Severity, StatusKey, alert_json};
use weir_decode::Timestamp;
use weir_flow::{CLI2SRV, Flow, SRV2CLI, tcp_state};

use crate::config::FlowHook;
use crate::diag::error_text;
use crate::flow_info::full_info;
use crate::flow_view::{Candidate, FlowView};
use crate::info::{elapsed_ns, grew};
use crate::loader::{self, Kind, Vm};
use crate::prefilter::Facts;
use crate::runtime::Runtime;

impl Runtime {
    /// Fills [`Runtime::admitted`] with the entries of hook `h` whose scripts want this
    /// flow (filters and prefilters, checked once per dispatch); false if none does.
    #[inline]
    fn admit(&mut self, h: usize, sel: &Sel, facts: &Facts<'_>) -> bool {
        let scripts = &self.vm.scripts;
        let hooks = &self.vm.hooks[h];
        self.admitted.clear();
        self.admitted
            .extend((0..hooks.len()).filter(|&i| passes(&scripts[hooks[i].script], sel, facts)));
        !self.admitted.is_empty()
    }

    fn select(
        &self,
        h: usize,
        now: u64,
        proto: u8,
        l7: &weir_flow::L7,
        tcp_state_bits: u8,
        first_seen: u64,
    ) -> Sel {
        Sel {
            l4: proto,
            master: l7.master.0,
            app: l7.app.0,
            twh_ok: proto != 6 || tcp_state_bits & tcp_state::ESTABLISHED != 0,
            periodic: (h == FlowHook::PeriodicUpdate as usize).then(|| {
                (
                    now.saturating_sub(first_seen),
                    self.cfg.periodic_update_secs.max(1),
                )
            }),
        }
    }

    /// Runs one hook on a flow: binds the `flow` global to it, calls every matching
    /// script, writes statuses and scores back, raises the flow alert if one was
    /// nominated. A flow no script wants is not copied and never enters Lua.
    pub fn dispatch(&mut self, hook: FlowHook, now: Timestamp, flow: &mut Flow) {
        let secs = now.as_secs();
        self.boundary(secs);
        let h = hook as usize;
        let sel = self.select(
            h,
            secs,
            flow.key.proto,
            &flow.l7,
            flow.tcp.state,
            flow.first_seen.as_secs(),
        );
        let wanted = {
            let fs = self.parts.flow.clone();
            let fs = fs.borrow();
            self.admit(h, &sel, &Facts::of_flow(flow, &fs.networks))
        };
        if !wanted {
            return;
        }
        let view = match self.spare.take() {
            Some(mut b) => {
                b.fill(flow);
                b
            }
            None => Box::new(FlowView::take(flow)),
        };
        let mut view = self.run_hooks(h, secs, view);
        view.restore(flow);
        self.spare = Some(view);
    }

    /// [`Runtime::dispatch`] on a detached [`FlowView`] (benches, tests).
    pub fn dispatch_view(
        &mut self,
        hook: FlowHook,
        now: Timestamp,
        view: Box<FlowView>,
    ) -> Box<FlowView> {
        let secs = now.as_secs();
        self.boundary(secs);
        let h = hook as usize;
        let sel = self.select(
            h,
            secs,
            view.key.proto,
            &view.l7,
            view.tcp.state,
            view.first_seen.as_secs(),
        );
        let wanted = {
            let fs = self.parts.flow.clone();
            let fs = fs.borrow();
            self.admit(h, &sel, &Facts::of_view(&view, &fs.networks))
        };
        if wanted {
            self.run_hooks(h, secs, view)
        } else {
            view
        }
    }

    /// Runs the entries of hook `h` that [`Runtime::admit`] chose on `view`.
    fn run_hooks(&mut self, h: usize, secs: u64, view: Box<FlowView>) -> Box<FlowView> {
        {
            let mut f = self.parts.flow.borrow_mut();
            f.flow = Some(view);
            f.candidate = None;
            f.info_meta = None;
        }
        self.parts.call.borrow_mut().now = secs;
        let now_arg = i64::try_from(secs).unwrap_or(i64::MAX);
        let mut info: Option<Table> = None;
        let Vm {
            hooks,
            scripts,
            budget,
            lua,
            ..
        } = &mut self.vm;
        let admitted = std::mem::take(&mut self.admitted);
        // One clock read per call: each call's time runs from the end of the previous
        // one (what the dispatcher spends on a script is the script's).
        let mut t0 = quanta::Instant::now();
        for &i in &admitted {
            let e = &hooks[h][i];
            let sc = &mut scripts[e.script];
            if sc.info.disabled {
                continue;
            }
            self.parts.call.borrow_mut().enter(&sc.ctx, &sc.conf);
            budget.reset();
            let m0 = lua.used_memory();
            let r = match e.kind {
                Kind::Hooks => e.func.call::<()>((now_arg, &sc.conf)),
                Kind::CheckModule => {
                    let t = match &info {
                        Some(t) => Ok(t.clone()),
                        None => {
                            let f = self.parts.flow.borrow();
                            let v = f.flow.as_ref().expect("flow bound during dispatch");
                            full_info(lua, &f, v)
                        }
                    };
                    match t {
                        Ok(t) => {
                            info = Some(t.clone());
                            e.func.call::<()>(t)
                        }
                        Err(err) => Err(err),
                    }
                }
            };
            let t1 = quanta::Instant::now();
            sc.meters[h].add(elapsed_ns(t0, t1), grew(lua, m0));
            t0 = t1;
            sc.info.calls += 1;
            let api_errors = self.parts.call.borrow_mut().take_api_errors();
            match (r, api_errors) {
                (Ok(()), None) => {
                    sc.info.consecutive_failures = 0;
                    if sc.teardown.is_some() && !self.pending_teardown.contains(&e.script) {
                        self.pending_teardown.push(e.script);
                    }
                }
                (Ok(()), Some(api)) => self.faults.push((e.script, api)),
                (Err(err), _) => {
                    let text = error_text(&err, &sc.ctx.base, &sc.info.file);
                    self.faults.push((e.script, text));
                }
            }
        }
        self.admitted = admitted;
        self.parts.call.borrow_mut().script = None;
        let (view, cand) = {
            let mut f = self.parts.flow.borrow_mut();
            f.info_meta = None;
            (
                f.flow.take().expect("flow bound during dispatch"),
                f.candidate.take(),
            )
        };
        if let Some(c) = cand {
            self.raise_flow_alert(&view, c, secs);
        }
        if !self.faults.is_empty() {
            self.handle_faults();
        }
        view
    }

    pub(crate) fn raise_flow_alert(&mut self, v: &FlowView, c: Candidate, now: u64) {
        let msg = crate::alert_msg::for_flow(&self.vm.lua, &self.parts, v, &c);
        let mut f = self.parts.flow.borrow_mut();
        let mut s = self.parts.alerts.borrow_mut();
        let prev = f.alerted.get(&v.serial).copied();
        if c.score <= prev.map_or(0, |p| p.1) {
            return;
        }
        let Some(st) = s.registry.status(StatusKey(c.status)).cloned() else {
            return;
        };
        let Some(alert_type) = st.alert_type else {
            return;
        };
        let severity = c
            .severity
            .or(st.severity)
            .or_else(|| {
                s.registry
                    .alert(alert_type)
                    .and_then(|a| a.default_severity)
            })
            .unwrap_or(Severity::Error);
        let (cip, cport) = v.client();
        let (sip, sport) = v.server();
        let (cs, ss) = (cip.to_string(), sip.to_string());
        let mut a = FlowAlert::new(
            alert_type,
            StatusKey(c.status),
            severity,
            now,
            v.key.proto,
            (&cs, cport),
            (&ss, sport),
        );
        a.first_seen = v.first_seen.as_secs();
        a.score = u32::from(c.score);
        a.cli_score = u32::from(c.cli_score);
        a.srv_score = u32::from(c.srv_score);
        a.vlan_id = v.key.vlan;
        a.proto_name = v.ndpi_name();
        a.l7_proto = v.l7.proto().name().to_owned();
        a.l7_master_proto = v.l7.master.name().to_owned();
        a.cli_localhost = f.networks.lookup(cip).is_some();
        a.srv_localhost = f.networks.lookup(sip).is_some();
        // Engine facts (block lists, GeoIP) as ntopng fills them from the flow's hosts.
        a.cli_blacklisted = v.marks.listed & weir_flow::FlowMarks::CLI != 0;
        a.srv_blacklisted = v.marks.listed & weir_flow::FlowMarks::SRV != 0;
        a.cli_country = v.marks.country[0].to_string();
        a.srv_country = v.marks.country[1].to_string();
        a.cli_asn = v.marks.asn[0];
        a.srv_asn = v.marks.asn[1];
        a.cli2srv_bytes = v.dir[CLI2SRV].bytes;
        a.srv2cli_bytes = v.dir[SRV2CLI].bytes;
        a.cli2srv_packets = v.dir[CLI2SRV].packets;
        a.srv2cli_packets = v.dir[SRV2CLI].packets;
        a.info = v.info().to_owned();
        a.replace_alert = prev.is_some();
        a.script_key = Some(c.script.to_string());
        a.msg = msg.unwrap_or_default();
        let mut params = match c.params {
            Json::Object(m) => m,
            Json::Null => serde_json::Map::new(),
            other => {
                let mut m = serde_json::Map::new();
                m.insert("status_info".into(), other);
                m
            }
        };
        params.insert("ntopng.key".into(), v.serial.into());
        params.insert("hash_entry_id".into(), v.serial.into());
        if let Some((t, code)) = v
            .key
            .is_icmp()
            .then(|| v.key.b_port.to_be_bytes())
            .map(|[x, y]| (x, y))
        {
            params.insert("icmp".into(), serde_json::json!({"type": t, "code": code}));
        }
        let generation = AlertGeneration {
            script_key: c.script.to_string(),
            subdir: "flow".into(),
            confset_id: 0,
        };
        a.alert_json = alert_json(&Json::Object(params), Some(&generation));
        f.alerted.insert(v.serial, (c.status, c.score));
        if s.recording()
            && let Ok(mut j) = serde_json::to_value(&a)
        {
            j["event"] = "flow_alert".into();
            // Always false when raised: not part of the recorded event.
            if let Some(m) = j.as_object_mut() {
                m.remove("acknowledged");
            }
            j["alert_name"] = s
                .registry
                .alert(alert_type)
                .map(|t| t.name.clone())
                .unwrap_or_default()
                .into();
            s.record(j);
        }
        s.alerts.store_flow(a);
    }
}

/// What the Rust-side filters look at.
struct Sel {
    l4: u8,
    master: u16,
    app: u16,
    twh_ok: bool,
    /// `periodicUpdate`: flow duration and the engine's period, seconds.
    periodic: Option<(u64, u64)>,
}

#[inline]
fn passes(s: &loader::Script, sel: &Sel, facts: &Facts<'_>) -> bool {
    !s.info.disabled
        && !s.off
        && s.l4.is_none_or(|p| p == sel.l4)
        && s.l7.is_none_or(|p| p == sel.master || p == sel.app)
        && (!s.twh || sel.twh_ok)
        && match (sel.periodic, s.period) {
            // A script period longer than the engine's: only at the engine event
            // where the flow duration crossed a multiple of it.
            (Some((d, engine)), Some(p)) if p > engine => d / p > d.saturating_sub(engine) / p,
            _ => true,
        }
        && s.prefilter
            .as_ref()
            .is_none_or(|p| p.admits(facts, &s.conf, s.conf_gen))
}
