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
    /// Per-minute rates since the previous `min` tick (flood and scan hits).
    pub hits: Hits,
}

/// Flood and scan hits of a host over the last minute (lua-api.md §2): SYNs and
/// flows per second (minute averages), SYNs not answered by a SYN-ACK.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Hits {
    /// `[attacker, victim]`.
    pub syn_flood: [u64; 2],
    pub flow_flood: [u64; 2],
    pub syn_scan: [u64; 2],
}

/// A host's counters at the previous `min` tick.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HostPrev {
    pub at: u64,
    pub syn: [u64; 2],
    pub synack: [u64; 2],
    pub flows: [u64; 2],
    /// The hits computed at that tick.
    pub hits: Hits,
}

impl HostPrev {
    pub fn of(h: &Host, at: u64) -> HostPrev {
        HostPrev {
            at,
            syn: [h.syn_sent, h.syn_rcvd],
            synack: [h.synack_sent, h.synack_rcvd],
            flows: [h.total_flows_as_client, h.total_flows_as_server],
            hits: Hits::default(),
        }
    }

    /// Hits from `self` (the previous tick, or zeros) to `now`.
    pub fn hits(&self, now: &HostPrev) -> Hits {
        let secs = now.at.saturating_sub(self.at).clamp(1, 60);
        let d = |a: u64, b: u64| a.saturating_sub(b);
        let rate = |x: u64| x.div_ceil(secs);
        let syn = [d(now.syn[0], self.syn[0]), d(now.syn[1], self.syn[1])];
        let synack = [
            d(now.synack[0], self.synack[0]),
            d(now.synack[1], self.synack[1]),
        ];
        Hits {
            syn_flood: [rate(syn[0]), rate(syn[1])],
            flow_flood: [
                rate(d(now.flows[0], self.flows[0])),
                rate(d(now.flows[1], self.flows[1])),
            ],
            // attacker: SYNs sent − SYN-ACKs received; victim: SYNs received − SYN-ACKs sent.
            syn_scan: [
                syn[0].saturating_sub(synack[1]),
                syn[1].saturating_sub(synack[0]),
            ],
        }
    }
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
            hits: Hits::default(),
        }
    }
}

fn hits_table(lua: &Lua, keys: [&'static str; 2], v: [u64; 2]) -> mlua::Result<Value> {
    let t = lua.create_table()?;
    for i in 0..2 {
        if v[i] > 0 {
            t.raw_set(keys[i], v[i])?;
        }
    }
    Ok(Value::Table(t))
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
        lua.create_function(move |lua, (): ()| {
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
    add(lua, &t, sh, "getSynFlood", |lua, h| {
        hits_table(
            lua,
            ["hits.syn_flood_attacker", "hits.syn_flood_victim"],
            h.hits.syn_flood,
        )
    })?;
    add(lua, &t, sh, "getFlowFlood", |lua, h| {
        hits_table(
            lua,
            ["hits.flow_flood_attacker", "hits.flow_flood_victim"],
            h.hits.flow_flood,
        )
    })?;
    add(lua, &t, sh, "getSynScan", |lua, h| {
        hits_table(
            lua,
            ["hits.syn_scan_attacker", "hits.syn_scan_victim"],
            h.hits.syn_scan,
        )
    })?;
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

/// Registers the `network` global: `getNetworkStats()` (the `entity_info` of the
/// network being visited), `getNetworkKey()`, `getNetworkId()`.
pub(crate) fn install_network(lua: &Lua, sh: &SharedRef) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    for (name, field) in [
        ("getNetworkStats", None),
        ("getNetworkKey", Some("network_key")),
        ("getNetworkId", Some("network_id")),
    ] {
        let sh = sh.clone();
        let qualified = format!("network.{name}");
        t.raw_set(
            name,
            lua.create_function(move |lua, (): ()| {
                let Ok(mut s) = sh.try_borrow_mut() else {
                    return Ok(Value::Nil);
                };
                let Some(n) = s.network.clone() else {
                    api_error(lua, &mut s, &qualified, "called outside a network hook");
                    return Ok(Value::Nil);
                };
                drop(s);
                match field {
                    None => Ok(Value::Table(n)),
                    Some(f) => n.raw_get(f),
                }
            })?,
        )?;
    }
    Ok(t)
}

/// An engaged alert as `params.cur_alerts` shows it.
pub(crate) struct CurAlert {
    kind: u8,
    alert_type: u32,
    subtype: String,
    granularity: u32,
    severity: u8,
}

/// The alerts engaged at the start of a tick round, by entity value: each entity is
/// visited once per round, so its own triggers and releases during the round are
/// not needed here (looking them up in the engine per entity costs O(engaged)).
pub(crate) struct CurIndex {
    secs: u64,
    gran: usize,
    map: std::collections::HashMap<String, Vec<CurAlert>>,
}

impl CurIndex {
    fn build(alerts: &weir_alerts::AlertEngine, secs: u64, gran: usize, tick: Tick) -> CurIndex {
        let g = granularity(tick);
        let mut map: std::collections::HashMap<String, Vec<CurAlert>> =
            std::collections::HashMap::new();
        for a in alerts.engaged() {
            if a.granularity() != Some(g) {
                continue;
            }
            map.entry(a.entity.value.clone())
                .or_default()
                .push(CurAlert {
                    kind: a.entity.kind.id(),
                    alert_type: a.alert_type.0,
                    subtype: a.alert_subtype.clone(),
                    granularity: a.alert_granularity,
                    severity: a.alert_severity.id(),
                });
        }
        CurIndex { secs, gran, map }
    }
}

fn granularity(tick: Tick) -> Granularity {
    match tick {
        Tick::Min => Granularity::Min,
        Tick::FiveMins => Granularity::FiveMins,
        Tick::Hour => Granularity::Hour,
        Tick::Day => Granularity::Day,
    }
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
    /// Address or network, for the per-entity settings.
    net: Option<weir_flow::IpNet>,
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
        self.shared.borrow_mut().now = secs;
        let g = tick_index(tick);
        if self
            .cur_index
            .as_ref()
            .is_none_or(|c| c.secs != secs || c.gran != g)
        {
            self.cur_index = Some(CurIndex::build(&self.shared.borrow().alerts, secs, g, tick));
        }
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
            keys,
            ..
        } = &mut self.vm;
        for entry in &entity_hooks[e.index][g] {
            let sc = &mut scripts[entry.script];
            if sc.info.disabled || (sc.local_only && !e.local) {
                continue;
            }
            let o = match e.net {
                Some(n) if !sc.overrides.is_empty() => {
                    sc.overrides.iter().find(|o| o.net.contains(&n))
                }
                _ => None,
            };
            let (enabled, conf) = match o {
                Some(o) => (o.enabled[g], o.conf[g].as_ref()),
                None => (sc.genabled[g], sc.gconf[g].as_ref()),
            };
            if !enabled {
                continue;
            }
            let _ = params.raw_set(&keys.user_script_config, conf.unwrap_or(&sc.conf));
            let _ = params.raw_set(&keys.user_script, &sc.table);
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

    /// `alert_consts.alert_entities[kind]`.
    fn alert_entity_table(&self, kind: &str) -> mlua::Result<Value> {
        self.vm.alert_entities.raw_get::<Value>(kind)
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
        let k = &self.vm.keys;
        p.raw_set(&k.granularity, &k.gran[tick_index(tick)])?;
        let ent = lua.create_table()?;
        ent.raw_set(&k.alert_entity, self.alert_entity_table(e.kind)?)?;
        ent.raw_set(&k.alert_entity_val, e.value.as_str())?;
        p.raw_set(&k.alert_entity, ent)?;
        p.raw_set(&k.entity_info, info(lua)?)?;
        let cur = lua.create_table()?;
        let kind = entity_kind(e.kind);
        if let Some(list) = self
            .cur_index
            .as_ref()
            .and_then(|c| c.map.get(e.value.as_str()))
        {
            let mut i = 0;
            for a in list.iter().filter(|a| a.kind == kind.id()) {
                let t = lua.create_table()?;
                t.raw_set("alert_type", a.alert_type)?;
                t.raw_set("alert_subtype", a.subtype.as_str())?;
                t.raw_set("alert_granularity", a.granularity)?;
                t.raw_set("alert_severity", a.severity)?;
                t.raw_set("alert_entity", a.kind)?;
                t.raw_set("alert_entity_val", e.value.as_str())?;
                i += 1;
                cur.raw_set(i, t)?;
            }
        }
        p.raw_set(&k.cur_alerts, cur)?;
        p.raw_set(&k.when, secs)?;
        p.raw_set(&k.ifid, self.cfg.ifid)?;
        p.raw_set(&k.ts_enabled, false)?;
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
        let for_networks = tick == Tick::Min && host.local && self.wants(2, Tick::Min);
        if !self.wants(0, tick) && !for_networks {
            return;
        }
        let mut view = crate::entity::HostView::of(host);
        if tick == Tick::Min {
            let mut cur = HostPrev::of(host, now.as_secs());
            match self.host_prev.entry((host.ip, host.vlan)) {
                std::collections::hash_map::Entry::Occupied(mut o) => {
                    cur.hits = o.get().hits(&cur);
                    *o.get_mut() = cur;
                }
                std::collections::hash_map::Entry::Vacant(v) => {
                    let zero = HostPrev {
                        at: host.first_seen.as_secs(),
                        syn: [0; 2],
                        synack: [0; 2],
                        flows: [0; 2],
                        hits: Hits::default(),
                    };
                    cur.hits = zero.hits(&cur);
                    v.insert(cur);
                }
            }
            view.hits = cur.hits;
        } else if let Some(p) = self.host_prev.get(&(host.ip, host.vlan)) {
            view.hits = p.hits;
        }
        if for_networks && let Ok(n) = usize::try_from(host.network_id) {
            // Victim hits of a local network: the sum over its hosts (hosts are
            // visited before networks in a tick round).
            if self.net_hits.len() <= n {
                self.net_hits.resize(n + 1, [0; 3]);
            }
            let h = &view.hits;
            let acc = &mut self.net_hits[n];
            acc[0] += h.syn_flood[1];
            acc[1] += h.flow_flood[1];
            acc[2] += h.syn_scan[1];
        }
        if !self.wants(0, tick) {
            return;
        }
        self.shared.borrow_mut().host = Some(view);
        let (ip, vlan) = (host.ip.to_string(), host.vlan);
        let mut value = String::with_capacity(ip.len() + 6);
        value.push_str(&ip);
        value.push('@');
        value.push_str(itoa(vlan, &mut [0u8; 5]));
        let e = TickEntity {
            index: 0,
            kind: "host",
            value,
            local: host.local,
            net: Some(weir_flow::IpNet::from(host.ip)),
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
            net: None,
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
            net: Some(net.cidr),
        };
        let sh = self.shared.clone();
        let hits = self.net_hits.get(net.id).copied().unwrap_or([0; 3]);
        self.entity_run(e, tick, now, move |lua| {
            let t = lua.create_table()?;
            t.raw_set("network_key", cidr)?;
            t.raw_set("network_id", n.id)?;
            t.raw_set("num_hosts", n.hosts)?;
            t.raw_set("ingress", n.bytes_ingress)?;
            t.raw_set("egress", n.bytes_egress)?;
            t.raw_set("inner", n.bytes_inner)?;
            t.raw_set("packets", n.packets)?;
            t.raw_set("flows", n.flows)?;
            t.raw_set("score", n.score)?;
            for (k, v) in [
                "hits.syn_flood_victim",
                "hits.flow_flood_victim",
                "hits.syn_scan_victim",
            ]
            .into_iter()
            .zip(hits)
            {
                if v > 0 {
                    t.raw_set(k, v)?;
                }
            }
            sh.borrow_mut().network = Some(t.clone());
            Ok(Value::Table(t))
        });
        self.shared.borrow_mut().network = None;
    }

    pub(crate) fn tick_system(&mut self, tick: Tick, now: Timestamp) {
        // The end of a tick round: the next round sees the alerts engaged now, and
        // the network hits start again.
        self.cur_index = None;
        if tick == Tick::Min {
            self.net_hits.iter_mut().for_each(|h| *h = [0; 3]);
        }
        if tick == Tick::Min && !self.host_prev.is_empty() {
            // Hosts gone from the table since the previous minute.
            let secs = now.as_secs();
            self.host_prev.retain(|_, p| p.at >= secs);
        }
        if !self.wants(3, tick) {
            return;
        }
        let e = TickEntity {
            index: 3,
            kind: "interface",
            value: "-1".into(),
            local: true,
            net: None,
        };
        self.entity_run(e, tick, now, |_| Ok(Value::Nil));
    }
}

/// A small unsigned integer as text without allocating.
fn itoa(mut v: u16, buf: &mut [u8; 5]) -> &str {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[i..]).unwrap_or("0")
}
