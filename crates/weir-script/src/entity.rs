//! Entity scripts (`user_scripts/host|interface|network|system/`) on the engine's
//! ticks (`min`, `5mins`, `hour`, `day`; spec plugins.md §6.2–6.3), and the `host`
//! global bound to the host being visited.

use std::net::IpAddr;

use mlua::{Lua, Table, Value};
use serde_json::Value as Json;
use weir_alerts::{Entity, Granularity, Severity, TypeInfo};
use weir_decode::Timestamp;
use weir_flow::{Host, Interface, Network, Tick};

use crate::loader::Vm;
use crate::runtime::{Runtime, error_text};
use crate::state::{SharedRef, api_error};

/// What `host.*` functions read: a copy of the visited host's counters.
#[derive(Debug, Clone)]
pub(crate) struct HostView {
    pub ip: IpAddr,
    pub vlan: u16,
    pub local: bool,
    pub first_seen: u64,
    pub last_seen: u64,
    pub packets: [u64; 2],
    pub bytes: [u64; 2],
    pub total_flows: [u64; 2],
    pub active_flows: [u32; 2],
    pub score: [u32; 2],
    pub syn: [u64; 2],
    pub synack: [u64; 2],
}

impl HostView {
    pub fn of(h: &Host) -> HostView {
        HostView {
            ip: h.ip,
            vlan: h.vlan,
            local: h.local,
            first_seen: h.first_seen.as_secs(),
            last_seen: h.last_seen.as_secs(),
            packets: [h.packets_sent, h.packets_rcvd],
            bytes: [h.bytes_sent, h.bytes_rcvd],
            total_flows: [h.total_flows_as_client, h.total_flows_as_server],
            active_flows: [h.active_flows_as_client, h.active_flows_as_server],
            score: h.score,
            syn: [h.syn_sent, h.syn_rcvd],
            synack: [h.synack_sent, h.synack_rcvd],
        }
    }
}

fn pair(lua: &Lua, k1: &str, v1: u64, k2: &str, v2: u64) -> mlua::Result<Value> {
    let t = lua.create_table()?;
    t.raw_set(k1, v1)?;
    t.raw_set(k2, v2)?;
    Ok(Value::Table(t))
}

fn add<F>(lua: &Lua, t: &Table, sh: &SharedRef, name: &'static str, f: F) -> mlua::Result<()>
where
    F: Fn(&Lua, &HostView) -> mlua::Result<Value> + 'static,
{
    let sh = sh.clone();
    let qualified: std::rc::Rc<str> = std::rc::Rc::from(format!("host.{name}"));
    t.raw_set(
        name,
        lua.create_function(move |lua, _: mlua::MultiValue| {
            let Ok(mut s) = sh.try_borrow_mut() else {
                return Ok(Value::Nil);
            };
            let Some(h) = s.host.clone() else {
                api_error(lua, &mut s, &qualified, "called outside a host hook");
                return Ok(Value::Nil);
            };
            drop(s);
            f(lua, &h)
        })?,
    )
}

/// Registers the `host` global.
pub(crate) fn install_host(lua: &Lua, sh: &SharedRef) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    add(lua, &t, sh, "getIp", |lua, h| {
        let r = lua.create_table()?;
        r.raw_set("ip", h.ip.to_string())?;
        r.raw_set("vlan", h.vlan)?;
        Ok(Value::Table(r))
    })?;
    add(lua, &t, sh, "isLocal", |_, h| Ok(Value::Boolean(h.local)))?;
    add(lua, &t, sh, "getBytes", |lua, h| {
        pair(lua, "bytes.sent", h.bytes[0], "bytes.rcvd", h.bytes[1])
    })?;
    add(lua, &t, sh, "getPackets", |lua, h| {
        pair(
            lua,
            "packets.sent",
            h.packets[0],
            "packets.rcvd",
            h.packets[1],
        )
    })?;
    add(lua, &t, sh, "getNumFlows", |lua, h| {
        pair(
            lua,
            "total_flows.as_client",
            h.total_flows[0],
            "total_flows.as_server",
            h.total_flows[1],
        )
    })?;
    add(lua, &t, sh, "getTime", |lua, h| {
        let r = lua.create_table()?;
        r.raw_set("seen.first", h.first_seen)?;
        r.raw_set("seen.last", h.last_seen)?;
        r.raw_set("duration", 1 + h.last_seen.saturating_sub(h.first_seen))?;
        Ok(Value::Table(r))
    })?;
    add(lua, &t, sh, "getScore", |lua, h| {
        let r = lua.create_table()?;
        let total = h.score[0].saturating_add(h.score[1]);
        r.raw_set("score", total)?;
        r.raw_set("score.total", total)?;
        Ok(Value::Table(r))
    })?;
    add(lua, &t, sh, "getTsKey", |lua, h| {
        Ok(Value::String(
            lua.create_string(format!("{}@{}", h.ip, h.vlan))?,
        ))
    })?;
    add(lua, &t, sh, "getPoolId", |lua, _| {
        let r = lua.create_table()?;
        r.raw_set("host_pool_id", 0)?;
        Ok(Value::Table(r))
    })?;
    for name in ["getSynFlood", "getFlowFlood", "getSynScan"] {
        add(lua, &t, sh, name, |lua, _| {
            Ok(Value::Table(lua.create_table()?))
        })?;
    }
    add(lua, &t, sh, "getInfo", |lua, h| {
        let r = lua.create_table()?;
        r.raw_set("ip", h.ip.to_string())?;
        r.raw_set("vlan", h.vlan)?;
        r.raw_set("localhost", h.local)?;
        r.raw_set("seen.first", h.first_seen)?;
        r.raw_set("seen.last", h.last_seen)?;
        r.raw_set("bytes.sent", h.bytes[0])?;
        r.raw_set("bytes.rcvd", h.bytes[1])?;
        r.raw_set("packets.sent", h.packets[0])?;
        r.raw_set("packets.rcvd", h.packets[1])?;
        r.raw_set("active_flows.as_client", h.active_flows[0])?;
        r.raw_set("active_flows.as_server", h.active_flows[1])?;
        r.raw_set("total_flows.as_client", h.total_flows[0])?;
        r.raw_set("total_flows.as_server", h.total_flows[1])?;
        r.raw_set("num_syn_sent", h.syn[0])?;
        r.raw_set("num_syn_rcvd", h.syn[1])?;
        r.raw_set("num_synack_sent", h.synack[0])?;
        r.raw_set("num_synack_rcvd", h.synack[1])?;
        r.raw_set("score", h.score[0].saturating_add(h.score[1]))?;
        Ok(Value::Table(r))
    })?;
    let f = t.raw_get::<Value>("getInfo")?;
    t.raw_set("getFullInfo", f)?;
    Ok(t)
}

/// The entity a tick is about.
struct TickEntity {
    /// [`loader::entity_index`].
    index: usize,
    /// `alert_consts.alert_entities` name.
    kind: &'static str,
    /// `alert_entity_val`.
    value: String,
    /// Local host (for `local_only`).
    local: bool,
}

impl Runtime {
    /// True if some script has a hook for this entity type and tick.
    #[inline]
    fn wants(&self, entity: usize, tick: Tick) -> bool {
        !self.vm.entity_hooks[entity][tick_index(tick)].is_empty()
    }

    /// Runs the entity hooks of one entity for one tick: `hook(params)` with
    /// `granularity`, `alert_entity`, `entity_info`, `cur_alerts`,
    /// `user_script_config`, `user_script`, `when`, `ifid`, `ts_enabled`.
    fn entity_run(
        &mut self,
        e: TickEntity,
        tick: Tick,
        now: Timestamp,
        info: impl FnOnce(&mlua::Lua) -> mlua::Result<Value>,
    ) {
        let secs = now.as_secs();
        self.boundary(secs);
        let g = tick_index(tick);
        let params = match self.entity_params(&e, tick, secs, info) {
            Ok(p) => p,
            Err(err) => {
                tracing::warn!(target: "weir_script", "entity hook parameters: {err}");
                return;
            }
        };
        let Vm {
            entity_hooks,
            scripts,
            budget,
            ..
        } = &mut self.vm;
        for entry in &entity_hooks[e.index][g] {
            let sc = &mut scripts[entry.script];
            if sc.info.disabled || (sc.local_only && !e.local) {
                continue;
            }
            let _ = params.raw_set("user_script_config", &sc.conf);
            let _ = params.raw_set("user_script", &sc.table);
            self.shared.borrow_mut().script = Some(sc.ctx.clone());
            budget.reset();
            let r = entry.func.call::<()>(&params);
            sc.info.calls += 1;
            let api = {
                let mut s = self.shared.borrow_mut();
                (!s.api_errors.is_empty()).then(|| std::mem::take(&mut s.api_errors).join("; "))
            };
            match (r, api) {
                (Ok(()), None) => sc.info.consecutive_failures = 0,
                (Ok(()), Some(a)) => self.faults.push((entry.script, a)),
                (Err(err), _) => {
                    let text = error_text(&err, &sc.info.plugin, &sc.info.file);
                    self.faults.push((entry.script, text));
                }
            }
        }
        self.shared.borrow_mut().script = None;
        self.release_leftovers(&e, tick, secs, &params);
        if !self.faults.is_empty() {
            self.handle_faults();
        }
    }

    /// Alerts still in `cur_alerts` after the hooks were not re-triggered: released
    /// (plugins.md §6.6).
    fn release_leftovers(&mut self, e: &TickEntity, tick: Tick, secs: u64, params: &Table) {
        let Ok(cur) = params.raw_get::<Table>("cur_alerts") else {
            return;
        };
        let gran = match tick {
            Tick::Min => Granularity::Min,
            Tick::FiveMins => Granularity::FiveMins,
            Tick::Hour => Granularity::Hour,
            Tick::Day => Granularity::Day,
        };
        let mut s = self.shared.borrow_mut();
        for t in cur.sequence_values::<Table>().flatten() {
            let (Ok(key), Ok(sev)) = (
                t.raw_get::<u32>("alert_type"),
                t.raw_get::<u8>("alert_severity"),
            ) else {
                continue;
            };
            let subtype: String = t.raw_get("alert_subtype").unwrap_or_default();
            let Some(sev) = Severity::from_id(sev) else {
                continue;
            };
            let info = TypeInfo::new(weir_alerts::AlertKey(key), sev)
                .subtype(subtype.clone())
                .granularity(gran);
            let entity = Entity::new(entity_kind(e.kind), e.value.clone());
            if s.alerts.release(entity, info, secs).unwrap_or(false) {
                let ev = serde_json::json!({
                    "event": "alert", "action": "release", "alert_type": key,
                    "alert_severity": sev.id(), "alert_entity": entity_kind(e.kind).id(),
                    "alert_entity_val": e.value, "alert_subtype": subtype, "ts": secs,
                    "params": Json::Null, "auto": true,
                });
                s.record(ev);
            }
        }
    }

    fn entity_params(
        &self,
        e: &TickEntity,
        tick: Tick,
        secs: u64,
        info: impl FnOnce(&mlua::Lua) -> mlua::Result<Value>,
    ) -> mlua::Result<Table> {
        let lua = &self.vm.lua;
        let p = lua.create_table()?;
        p.raw_set("granularity", tick.name())?;
        let consts: Table = lua
            .globals()
            .raw_get::<Table>("package")?
            .raw_get::<Table>("loaded")?
            .raw_get("alert_consts")?;
        let ent = lua.create_table()?;
        ent.raw_set(
            "alert_entity",
            consts
                .raw_get::<Table>("alert_entities")?
                .raw_get::<Value>(e.kind)?,
        )?;
        ent.raw_set("alert_entity_val", e.value.as_str())?;
        p.raw_set("alert_entity", ent)?;
        p.raw_set("entity_info", info(lua)?)?;
        let cur = lua.create_table()?;
        let gran = match tick {
            Tick::Min => Granularity::Min,
            Tick::FiveMins => Granularity::FiveMins,
            Tick::Hour => Granularity::Hour,
            Tick::Day => Granularity::Day,
        };
        let entity = Entity::new(entity_kind(e.kind), e.value.clone());
        {
            let s = self.shared.borrow();
            for (i, a) in s
                .alerts
                .engaged_on(&entity, Some(gran))
                .into_iter()
                .enumerate()
            {
                let t = lua.create_table()?;
                t.raw_set("alert_type", a.alert_type.0)?;
                t.raw_set("alert_subtype", a.alert_subtype.as_str())?;
                t.raw_set("alert_granularity", a.alert_granularity)?;
                t.raw_set("alert_severity", a.alert_severity.id())?;
                t.raw_set("alert_entity", a.entity.kind.id())?;
                t.raw_set("alert_entity_val", a.entity.value.as_str())?;
                cur.raw_set(i + 1, t)?;
            }
        }
        p.raw_set("cur_alerts", cur)?;
        p.raw_set("when", secs)?;
        p.raw_set("ifid", self.cfg.ifid)?;
        p.raw_set("ts_enabled", false)?;
        Ok(p)
    }
}

fn entity_kind(name: &str) -> weir_alerts::EntityKind {
    match name {
        "host" => weir_alerts::EntityKind::Host,
        "network" => weir_alerts::EntityKind::Network,
        _ => weir_alerts::EntityKind::Interface,
    }
}

fn tick_index(t: Tick) -> usize {
    match t {
        Tick::Min => 0,
        Tick::FiveMins => 1,
        Tick::Hour => 2,
        Tick::Day => 3,
    }
}

impl Runtime {
    pub(crate) fn tick_host(&mut self, tick: Tick, now: Timestamp, host: &Host) {
        if !self.wants(0, tick) {
            return;
        }
        self.shared.borrow_mut().host = Some(crate::entity::HostView::of(host));
        let (ip, vlan) = (host.ip.to_string(), host.vlan);
        let e = TickEntity {
            index: 0,
            kind: "host",
            value: format!("{ip}@{vlan}"),
            local: host.local,
        };
        self.entity_run(e, tick, now, |lua| {
            let t = lua.create_table()?;
            t.raw_set("ip", ip.as_str())?;
            t.raw_set("vlan", vlan)?;
            Ok(Value::Table(t))
        });
        self.shared.borrow_mut().host = None;
    }

    pub(crate) fn tick_interface(&mut self, tick: Tick, now: Timestamp, iface: &Interface) {
        if !self.wants(1, tick) {
            return;
        }
        let (ifid, name) = (self.cfg.ifid, self.cfg.ifname.clone());
        let e = TickEntity {
            index: 1,
            kind: "interface",
            value: ifid.to_string(),
            local: true,
        };
        let i = iface.clone();
        self.entity_run(e, tick, now, move |lua| {
            let t = lua.create_table()?;
            t.raw_set("id", ifid)?;
            t.raw_set("name", name)?;
            let st = lua.create_table()?;
            st.raw_set("packets", i.packets)?;
            st.raw_set("bytes", i.bytes)?;
            st.raw_set("flows", i.flows_created.saturating_sub(i.flows_ended))?;
            st.raw_set("new_flows", i.flows_created)?;
            st.raw_set("hosts", i.hosts_created)?;
            st.raw_set("drops", 0)?;
            t.raw_set("stats", st)?;
            t.raw_set("throughput_bps", i.throughput_bps)?;
            t.raw_set("throughput_pps", i.throughput_pps)?;
            Ok(Value::Table(t))
        });
    }

    pub(crate) fn tick_network(&mut self, tick: Tick, now: Timestamp, net: &Network) {
        if !self.wants(2, tick) {
            return;
        }
        let cidr = net.cidr.to_string();
        let n = net.clone();
        let e = TickEntity {
            index: 2,
            kind: "network",
            value: cidr.clone(),
            local: true,
        };
        self.entity_run(e, tick, now, move |lua| {
            let t = lua.create_table()?;
            t.raw_set("network_key", cidr)?;
            t.raw_set("network_id", n.id)?;
            t.raw_set("num_hosts", n.hosts)?;
            t.raw_set("ingress", n.bytes_ingress)?;
            t.raw_set("egress", n.bytes_egress)?;
            t.raw_set("inner", n.bytes_inner)?;
            Ok(Value::Table(t))
        });
    }

    pub(crate) fn tick_system(&mut self, tick: Tick, now: Timestamp) {
        if !self.wants(3, tick) {
            return;
        }
        let e = TickEntity {
            index: 3,
            kind: "interface",
            value: "-1".into(),
            local: true,
        };
        self.entity_run(e, tick, now, |_| Ok(Value::Nil));
    }
}
