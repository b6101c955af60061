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

#[cfg(test)]
mod tests;

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
    install_cached_values(lua, &t, sh, "host")?;
    install_host_counters(lua, &t, sh)?;
    Ok(t)
}

/// The counter getters whose results are small tables (`getBytes`, `getSynFlood`,
/// …): a Rust function hands two integers to a Lua wrapper that builds the table
/// (a table built from Rust costs a protected call per table and per field).
const HOST_LUA: &str = r#"
local host, raw = ...
local function pair(id, k1, k2)
  return function()
    local a, b = raw(id)
    if a == nil then return nil end
    return { [k1] = a, [k2] = b }
  end
end
local function hits(id, k1, k2)
  return function()
    local a, b = raw(id)
    if a == nil then return nil end
    local t = {}
    if a > 0 then t[k1] = a end
    if b > 0 then t[k2] = b end
    return t
  end
end
host.getBytes = pair(1, "bytes.sent", "bytes.rcvd")
host.getPackets = pair(2, "packets.sent", "packets.rcvd")
host.getNumFlows = pair(3, "total_flows.as_client", "total_flows.as_server")
host.getSynFlood = hits(4, "hits.syn_flood_attacker", "hits.syn_flood_victim")
host.getFlowFlood = hits(5, "hits.flow_flood_attacker", "hits.flow_flood_victim")
host.getSynScan = hits(6, "hits.syn_scan_attacker", "hits.syn_scan_victim")
function host.getTime()
  local first, last = raw(7)
  if first == nil then return nil end
  return { ["seen.first"] = first, ["seen.last"] = last, duration = 1 + math.max(0, last - first) }
end
function host.getScore()
  local a, b = raw(8)
  if a == nil then return nil end
  return { score = a + b, ["score.total"] = a + b }
end
"#;

/// Names of the getters [`HOST_LUA`] defines, by id (for API error messages).
const HOST_COUNTERS: [&str; 9] = [
    "",
    "host.getBytes",
    "host.getPackets",
    "host.getNumFlows",
    "host.getSynFlood",
    "host.getFlowFlood",
    "host.getSynScan",
    "host.getTime",
    "host.getScore",
];

fn install_host_counters(lua: &Lua, t: &Table, sh: &SharedRef) -> mlua::Result<()> {
    let sh = sh.clone();
    let raw = lua.create_function(move |lua, id: i64| {
        let Ok(mut s) = sh.try_borrow_mut() else {
            return Ok((None, 0));
        };
        let Some(h) = s.host.as_ref() else {
            let name = usize::try_from(id)
                .ok()
                .and_then(|i| HOST_COUNTERS.get(i))
                .copied()
                .unwrap_or("host");
            api_error(lua, &mut s, name, "called outside a host hook");
            return Ok((None, 0));
        };
        let [a, b] = match id {
            1 => h.bytes,
            2 => h.packets,
            3 => h.total_flows,
            4 => h.hits.syn_flood,
            5 => h.hits.flow_flood,
            6 => h.hits.syn_scan,
            7 => [h.first_seen, h.last_seen],
            8 => [u64::from(h.score[0]), u64::from(h.score[1])],
            _ => [0, 0],
        };
        let int = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
        Ok((Some(int(a)), int(b)))
    })?;
    lua.load(HOST_LUA)
        .set_name("=weir/host.lua")
        .set_mode(mlua::chunk::ChunkMode::Text)
        .call::<()>((t.clone(), raw))
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
    install_cached_values(lua, &t, sh, "network")?;
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
    fn entity_run(&mut self, e: TickEntity, tick: Tick, now: Timestamp, info: Info<'_>) {
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
        let (params, cur) = match self.entity_params(&e, tick, secs, info) {
            Ok(p) => p,
            Err(err) => {
                tracing::warn!(target: "weir_script", "entity hook parameters: {err}");
                return;
            }
        };
        let Some(call) = self
            .vm
            .lua
            .app_data_ref::<EntityFns>()
            .map(|f| f.call.clone())
        else {
            return;
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
            {
                let mut s = self.shared.borrow_mut();
                s.script = Some(sc.ctx.clone());
                let c = conf.unwrap_or(&sc.conf).clone();
                s.script_conf = Some((sc.ctx.key.clone(), sc.ctx.subdir, c));
            }
            budget.reset();
            // One call into Lua per hook: the trampoline sets `user_script_config` and
            // `user_script` and calls the hook (each field set from Rust would be a
            // protected call of its own).
            let r = call.call::<()>((&entry.func, &params, conf.unwrap_or(&sc.conf), &sc.table));
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
        if cur.raw_len() > 0 {
            self.release_leftovers(&e, tick, secs, &cur);
        }
        if !self.faults.is_empty() {
            self.handle_faults();
        }
    }

    /// Alerts still in `cur_alerts` after the hooks were not re-triggered: released
    /// (plugins.md §6.6).
    fn release_leftovers(&mut self, e: &TickEntity, tick: Tick, secs: u64, cur: &Table) {
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
        match (kind, self.vm.lua.app_data_ref::<EntityFns>()) {
            ("host", Some(f)) => Ok(f.host_entity.clone()),
            _ => self.vm.alert_entities.raw_get::<Value>(kind),
        }
    }

    /// The `params` table of one entity's hooks and its `cur_alerts`, built by one
    /// call of a Lua constructor.
    fn entity_params(
        &self,
        e: &TickEntity,
        tick: Tick,
        secs: u64,
        info: Info<'_>,
    ) -> mlua::Result<(Table, Table)> {
        let lua = &self.vm.lua;
        let Some(fns) = lua.app_data_ref::<EntityFns>() else {
            return Err(mlua::Error::runtime("entity parameter builders missing"));
        };
        let k = &self.vm.keys;
        let kind = entity_kind(e.kind);
        let cur = match self
            .cur_index
            .as_ref()
            .and_then(|c| c.map.get(e.value.as_str()))
        {
            Some(list) if list.iter().any(|a| a.kind == kind.id()) => {
                let cur = lua.create_table()?;
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
                Value::Table(cur)
            }
            _ => Value::Nil,
        };
        let ent = self.alert_entity_table(e.kind)?;
        let gran = &k.gran[tick_index(tick)];
        let ts = self.cfg.timeseries.is_some();
        match info {
            Info::Host(ip, vlan) => {
                fns.host_params
                    .call((gran, ent, ip, vlan, cur, secs, self.cfg.ifid, ts))
            }
            Info::Build(f) => {
                let info = f(lua)?;
                fns.params.call((
                    gran,
                    ent,
                    e.value.as_str(),
                    info,
                    cur,
                    secs,
                    self.cfg.ifid,
                    ts,
                ))
            }
        }
    }
}

/// Builds a `params.entity_info` value.
type InfoFn<'a> = Box<dyn FnOnce(&Lua) -> mlua::Result<Value> + 'a>;

/// What `params.entity_info` is made of.
enum Info<'a> {
    /// A host: `{ip, vlan}`, built in Lua with the rest of `params`.
    Host(&'a str, u16),
    /// Any value, built by the closure.
    Build(InfoFn<'a>),
}

/// Lua functions the entity hooks use, compiled once per VM (app data).
pub(crate) struct EntityFns {
    /// `alert_consts.alert_entities.host` (pushing the key from Rust would intern it
    /// for every host).
    host_entity: Value,
    host_params: mlua::Function,
    params: mlua::Function,
    call: mlua::Function,
}

/// Builds `params` with table constructors (one call from Rust instead of a
/// protected call per field set) and calls hooks through one trampoline.
const ENTITY_LUA: &str = r#"
-- `user_script_config` and `user_script` are set per hook by `call`: they are in the
-- constructors so the table is created with room for them.
local function host_params(gran, ent, ip, vlan, cur, when, ifid, ts)
  local p = { granularity = gran, alert_entity = { alert_entity = ent, alert_entity_val = ip .. "@" .. vlan },
    entity_info = { ip = ip, vlan = vlan }, cur_alerts = cur or {}, when = when, ifid = ifid,
    ts_enabled = ts, user_script_config = false, user_script = false }
  return p, p.cur_alerts
end
local function params(gran, ent, value, info, cur, when, ifid, ts)
  local p = { granularity = gran, alert_entity = { alert_entity = ent, alert_entity_val = value },
    entity_info = info, cur_alerts = cur or {}, when = when, ifid = ifid, ts_enabled = ts,
    user_script_config = false, user_script = false }
  return p, p.cur_alerts
end
local function call(f, p, conf, script)
  p.user_script_config = conf
  p.user_script = script
  f(p)
end
return host_params, params, call
"#;

/// Compiles the entity helpers into the VM's app data.
pub(crate) fn install_entity_fns(lua: &Lua) -> mlua::Result<()> {
    let (host_params, params, call): (mlua::Function, mlua::Function, mlua::Function) = lua
        .load(ENTITY_LUA)
        .set_name("=weir/entity.lua")
        .set_mode(mlua::chunk::ChunkMode::Text)
        .eval()?;
    let host_entity = lua
        .globals()
        .raw_get::<Table>("package")?
        .raw_get::<Table>("loaded")?
        .raw_get::<Table>("alert_consts")?
        .raw_get::<Table>("alert_entities")?
        .raw_get::<Value>("host")?;
    lua.set_app_data(EntityFns {
        host_entity,
        host_params,
        params,
        call,
    });
    Ok(())
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
        self.entity_run(e, tick, now, Info::Host(&ip, vlan));
        self.shared.borrow_mut().host = None;
    }

    /// A host left the engine's host table (purged when idle): its engaged alerts are
    /// released at `now`, the purge time on the packet clock, and stored as past alerts
    /// with their durations (nothing would release them otherwise); what the hooks kept
    /// about the host (flood hits, cached values) goes too.
    pub(crate) fn purge_host(&mut self, now: Timestamp, host: &Host) {
        self.host_prev.remove(&(host.ip, host.vlan));
        if let Some(mut c) = self.vm.lua.app_data_mut::<CachedValues>()
            && !c.map.is_empty()
        {
            c.map.remove(&format!("host:{}@{}", host.ip, host.vlan));
        }
        let entity = weir_alerts::Entity::host(host.ip, host.vlan);
        let secs = now.as_secs();
        let mut s = self.shared.borrow_mut();
        for a in s.alerts.release_entity_alerts(&entity, secs) {
            let ev = serde_json::json!({
                "event": "alert", "action": "release", "alert_type": a.alert_type.0,
                "alert_severity": a.alert_severity.id(),
                "alert_entity": weir_alerts::EntityKind::Host.id(),
                "alert_entity_val": a.entity.value, "alert_subtype": a.alert_subtype,
                "ts": a.alert_tstamp_end.unwrap_or(secs), "params": Json::Null,
                "purged": true,
            });
            s.record(ev);
        }
    }

    pub(crate) fn tick_interface(&mut self, tick: Tick, now: Timestamp, iface: &Interface) {
        // `interface.getStats()` reads the counters of the latest tick, in any hook.
        let lua = &self.vm.lua;
        let evicted_before = lua.app_data_ref::<IfaceStats>().map_or(0, |s| {
            if tick == Tick::Min {
                s.iface.flows_evicted
            } else {
                s.evicted_before
            }
        });
        lua.set_app_data(IfaceStats {
            at: now.as_secs(),
            iface: iface.clone(),
            evicted_before,
        });
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
        self.entity_run(
            e,
            tick,
            now,
            Info::Build(Box::new(move |lua| {
                Ok(Value::Table(iface_stats_table(lua, ifid, &name)?))
            })),
        );
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
        self.entity_run(
            e,
            tick,
            now,
            Info::Build(Box::new(move |lua| {
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
            })),
        );
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
        if tick == Tick::Min
            && let Some(mut c) = self.vm.lua.app_data_mut::<CachedValues>()
            && !c.map.is_empty()
        {
            let secs = now.as_secs();
            c.map
                .retain(|_, (at, _)| at.saturating_add(CACHED_VALUES_TTL) >= secs);
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
        // `interface.getUserScriptsStats()` shows the counters as of this tick.
        let stats = ScriptStats(self.vm.scripts.iter().map(|s| s.info.clone()).collect());
        self.vm.lua.set_app_data(stats);
        self.entity_run(e, tick, now, Info::Build(Box::new(|_| Ok(Value::Nil))));
    }
}

/// Every user script's counters at the last system tick, for
/// `interface.getUserScriptsStats()` (the `user_script_errors` plugin summarises them).
pub(crate) struct ScriptStats(Vec<crate::loader::ScriptInfo>);

/// `interface.getUserScriptsStats()`: `{ {plugin, script_key, subdir, file, calls,
/// errors, consecutive_failures, disabled, last_error}, ... }` as of the last system
/// tick (empty before the first one).
fn script_stats_table(lua: &Lua) -> mlua::Result<Table> {
    let list = lua.create_table()?;
    if let Some(stats) = lua.app_data_ref::<ScriptStats>() {
        for (i, s) in stats.0.iter().enumerate() {
            let r = lua.create_table()?;
            r.raw_set("plugin", s.plugin.as_str())?;
            r.raw_set("script_key", s.key.as_str())?;
            r.raw_set("subdir", s.subdir.as_str())?;
            r.raw_set("file", s.file.as_str())?;
            r.raw_set("calls", s.calls)?;
            r.raw_set("errors", s.errors)?;
            r.raw_set("consecutive_failures", s.consecutive_failures)?;
            r.raw_set("disabled", s.disabled)?;
            r.raw_set("last_error", s.last_error.as_deref())?;
            list.raw_set(i + 1, r)?;
        }
    }
    Ok(list)
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

/// The interface counters `interface.getStats()` shows: taken at every interface tick
/// (each minute of packet time), kept in the VM's app data.
pub(crate) struct IfaceStats {
    /// Tick time, epoch seconds (`seen.last`).
    at: u64,
    iface: Interface,
    /// Flows evicted at the tick before (for `anomalies.too_many_flows`).
    evicted_before: u64,
}

/// `interface.getStats()` (spec lua-api.md §4) from the last interface tick: `id`,
/// `name`, `seen.last`, `stats`, `stats_since_reset`, `anomalies`, `ndpi`,
/// `ndpi_categories`, `throughput_bps`, `throughput_pps`. Zeros before the first tick.
fn iface_stats_table(lua: &Lua, ifid: i32, name: &str) -> mlua::Result<Table> {
    let snap = lua.app_data_ref::<IfaceStats>();
    let empty = Interface::default();
    let (at, i, evicted_before) = match &snap {
        Some(s) => (s.at, &s.iface, s.evicted_before),
        None => (0, &empty, 0),
    };
    let t = lua.create_table()?;
    t.raw_set("id", ifid)?;
    t.raw_set("name", name)?;
    t.raw_set("seen.last", at)?;
    let counters = |with_flows: bool| -> mlua::Result<Table> {
        let st = lua.create_table()?;
        st.raw_set("packets", i.packets)?;
        st.raw_set("bytes", i.bytes)?;
        st.raw_set("drops", i.drops)?;
        if with_flows {
            st.raw_set("flows", i.active_flows())?;
            // The flow table's capacity; `num_evicted_flows`: flows dropped from the
            // full table to make room for new ones.
            st.raw_set("max_flows", i.max_flows)?;
            st.raw_set("new_flows", i.flows_created)?;
            st.raw_set("hosts", i.hosts_created)?;
            st.raw_set("num_evicted_flows", i.flows_evicted)?;
            st.raw_set("num_dropped_flow_scripts_calls", 0)?;
        }
        Ok(st)
    };
    t.raw_set("stats", counters(true)?)?;
    t.raw_set("stats_since_reset", counters(false)?)?;
    let anomalies = lua.create_table()?;
    // The table is full, or was since the previous minute (flows were evicted).
    if i.flow_table_full() || i.flows_evicted > evicted_before {
        anomalies.raw_set("too_many_flows", true)?;
    }
    t.raw_set("anomalies", anomalies)?;
    let ndpi = lua.create_table()?;
    let mut cats: std::collections::BTreeMap<&'static str, (u8, u64, u64)> =
        std::collections::BTreeMap::new();
    for (id, c) in &i.l7 {
        let p = weir_flow::Proto(*id);
        let e = lua.create_table()?;
        e.raw_set("bytes", c.bytes)?;
        e.raw_set("packets", c.packets)?;
        e.raw_set("num_flows", c.flows)?;
        ndpi.raw_set(p.name(), e)?;
        let cat = p.category();
        let acc = cats.entry(cat.name()).or_insert((cat.0, 0, 0));
        acc.1 += c.bytes;
        acc.2 += c.packets;
    }
    t.raw_set("ndpi", ndpi)?;
    let nc = lua.create_table()?;
    for (name, (id, bytes, packets)) in cats {
        let e = lua.create_table()?;
        e.raw_set("category", id)?;
        e.raw_set("bytes", bytes)?;
        e.raw_set("packets", packets)?;
        nc.raw_set(name, e)?;
    }
    t.raw_set("ndpi_categories", nc)?;
    t.raw_set("throughput_bps", i.throughput_bps)?;
    t.raw_set("throughput_pps", i.throughput_pps)?;
    Ok(t)
}

/// Values scripts keep per entity with `getCachedAlertValue`/`setCachedAlertValue`
/// (what `alerts_api.*_delta_val` builds on), in the VM's app data. An entity's
/// values are dropped two days after it last set one.
#[derive(Default)]
pub(crate) struct CachedValues {
    map: std::collections::HashMap<String, (u64, EntityValues)>,
}

/// One entity's cached values, by key and granularity id.
type EntityValues = std::collections::HashMap<(String, u8), String>;

/// How long an entity's cached values outlive their last update, seconds.
const CACHED_VALUES_TTL: u64 = 2 * 86_400;

/// The entity the cache functions of `global` act on, if one is being visited.
fn cache_entity(global: &str, s: &crate::state::Shared) -> Option<String> {
    match global {
        "host" => s.host.as_ref().map(|h| format!("host:{}@{}", h.ip, h.vlan)),
        "network" => s
            .network
            .as_ref()
            .and_then(|t| t.raw_get::<String>("network_key").ok())
            .map(|k| format!("network:{k}")),
        _ => Some(format!("interface:{}", s.ifid)),
    }
}

fn cache_key(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.to_string_lossy()),
        Value::Integer(i) => Some(i.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn gran_id(v: &Value) -> Option<u8> {
    let i = match v {
        Value::Integer(i) => *i,
        Value::Number(n) if n.fract() == 0.0 => *n as i64,
        Value::Nil => 0,
        _ => return None,
    };
    u8::try_from(i).ok().filter(|g| *g <= 4)
}

/// Adds `getCachedAlertValue(key, gran_id)` → string (`""` when unset) and
/// `setCachedAlertValue(key, value, gran_id)` to the `global` table.
pub(crate) fn install_cached_values(
    lua: &Lua,
    t: &Table,
    sh: &SharedRef,
    global: &'static str,
) -> mlua::Result<()> {
    if lua.app_data_ref::<CachedValues>().is_none() {
        lua.set_app_data(CachedValues::default());
    }
    let s1 = sh.clone();
    t.raw_set(
        "getCachedAlertValue",
        lua.create_function(move |lua, (key, gran): (Value, Value)| {
            let Ok(mut s) = s1.try_borrow_mut() else {
                return Ok(Value::Nil);
            };
            let name = format!("{global}.getCachedAlertValue");
            let Some(entity) = cache_entity(global, &s) else {
                api_error(
                    lua,
                    &mut s,
                    &name,
                    &format!("called outside a {global} hook"),
                );
                return Ok(Value::Nil);
            };
            let (Some(key), Some(g)) = (cache_key(&key), gran_id(&gran)) else {
                api_error(lua, &mut s, &name, "expected (key, granularity id 0..4)");
                return Ok(Value::Nil);
            };
            drop(s);
            let v = lua
                .app_data_ref::<CachedValues>()
                .and_then(|c| c.map.get(&entity)?.1.get(&(key, g)).cloned())
                .unwrap_or_default();
            Ok(Value::String(lua.create_string(v)?))
        })?,
    )?;
    let s2 = sh.clone();
    t.raw_set(
        "setCachedAlertValue",
        lua.create_function(move |lua, (key, value, gran): (Value, Value, Value)| {
            let Ok(mut s) = s2.try_borrow_mut() else {
                return Ok(false);
            };
            let name = format!("{global}.setCachedAlertValue");
            let Some(entity) = cache_entity(global, &s) else {
                api_error(
                    lua,
                    &mut s,
                    &name,
                    &format!("called outside a {global} hook"),
                );
                return Ok(false);
            };
            let (Some(key), Some(value), Some(g)) =
                (cache_key(&key), cache_key(&value), gran_id(&gran))
            else {
                api_error(
                    lua,
                    &mut s,
                    &name,
                    "expected (key, string value, granularity id 0..4)",
                );
                return Ok(false);
            };
            let now = s.now;
            drop(s);
            if let Some(mut c) = lua.app_data_mut::<CachedValues>() {
                let e = c.map.entry(entity).or_default();
                e.0 = now;
                e.1.insert((key, g), value);
            }
            Ok(true)
        })?,
    )?;
    Ok(())
}

/// Adds `getStats()` and the cached-value functions to the `interface` global.
pub(crate) fn extend_interface(
    lua: &Lua,
    t: &Table,
    sh: &SharedRef,
    ifid: i32,
    ifname: &str,
) -> mlua::Result<()> {
    let name = ifname.to_owned();
    t.raw_set(
        "getStats",
        lua.create_function(move |lua, ()| iface_stats_table(lua, ifid, &name))?,
    )?;
    t.raw_set(
        "getUserScriptsStats",
        lua.create_function(|lua, ()| script_stats_table(lua))?,
    )?;
    install_cached_values(lua, t, sh, "interface")
}
