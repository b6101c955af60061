//! `interface.getStats()`, `interface.getUserScriptsStats()` and the per-entity
//! cached values (`getCachedAlertValue` / `setCachedAlertValue`).

use mlua::{Lua, Table, Value};
use weir_flow::Interface;

use crate::diag::api_error;
use crate::info::ScriptInfo;

use super::binding::{HostBinding, HostRef};

/// Every user script's counters at the last system tick, for
/// `interface.getUserScriptsStats()` (the `user_script_errors` plugin summarises them).
pub(crate) struct ScriptStats(pub(crate) Vec<ScriptInfo>);

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
pub(crate) fn itoa(mut v: u16, buf: &mut [u8; 5]) -> &str {
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
    pub(crate) at: u64,
    pub(crate) iface: Interface,
    /// Flows evicted at the tick before (for `anomalies.too_many_flows`).
    pub(crate) evicted_before: u64,
    /// Hosts evicted at the tick before (for `anomalies.too_many_hosts`).
    pub(crate) hosts_evicted_before: u64,
}

/// `interface.getStats()` (spec lua-api.md §4) from the last interface tick: `id`,
/// `name`, `seen.last`, `stats`, `stats_since_reset`, `anomalies`, `ndpi`,
/// `ndpi_categories`, `throughput_bps`, `throughput_pps`. Zeros before the first tick.
pub(crate) fn iface_stats_table(lua: &Lua, ifid: i32, name: &str) -> mlua::Result<Table> {
    let snap = lua.app_data_ref::<IfaceStats>();
    let empty = Interface::default();
    let (at, i, evicted_before, hosts_evicted_before) = match &snap {
        Some(s) => (s.at, &s.iface, s.evicted_before, s.hosts_evicted_before),
        None => (0, &empty, 0, 0),
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
            st.raw_set("local_hosts", i.local_hosts)?;
            // The host table: its capacity, the hosts in it at the tick, and the hosts
            // evicted from it when full to make room for new ones.
            st.raw_set("max_hosts", i.max_hosts)?;
            st.raw_set("active_hosts", i.hosts_in_table)?;
            st.raw_set("num_evicted_hosts", i.hosts_evicted)?;
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
    // The host table is full, or was since the previous minute (hosts were evicted).
    if i.host_table_full() || i.hosts_evicted > hosts_evicted_before {
        anomalies.raw_set("too_many_hosts", true)?;
    }
    let bd = lua.create_table()?;
    for (net, d) in &i.bcast_domains {
        let e = lua.create_table()?;
        e.raw_set("hits", d.hits)?;
        e.raw_set("ghost_network", d.ghost_network)?;
        bd.raw_set(net.to_string(), e)?;
    }
    t.raw_set("bcast_domains", bd)?;
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
    drop(snap);
    if let Some(s) = lua
        .app_data_ref::<super::iface_api::SyslogStats>()
        .map(|s| *s)
    {
        let sy = lua.create_table()?;
        for (k, v) in super::iface_api::SYSLOG_KEYS.iter().zip(s.counters) {
            sy.raw_set(*k, v)?;
        }
        sy.raw_set("flows_processed", s.flows_processed)?;
        sy.raw_set("external_alerts", s.external_alerts)?;
        sy.raw_set("external_alerts_refused", s.external_alerts_refused)?;
        t.raw_set("syslog", sy)?;
    }
    Ok(t)
}

/// Values scripts keep per entity with `getCachedAlertValue`/`setCachedAlertValue`
/// (what `alerts_api.*_delta_val` builds on), in the VM's app data. An entity's
/// values are dropped two days after it last set one.
#[derive(Default)]
pub(crate) struct CachedValues {
    pub(crate) map: std::collections::HashMap<String, (u64, EntityValues)>,
}

/// One entity's cached values, by key and granularity id.
type EntityValues = std::collections::HashMap<(String, u8), String>;

/// How long an entity's cached values outlive their last update, seconds.
pub(crate) const CACHED_VALUES_TTL: u64 = 2 * 86_400;

/// The entity the cache functions of `global` act on, if one is being visited.
fn cache_entity(global: &str, s: &HostBinding) -> Option<String> {
    match global {
        "host" => s.host.as_ref().map(|h| format!("host:{}@{}", h.ip, h.vlan)),
        "network" => s
            .network
            .as_ref()
            .and_then(|t| t.raw_get::<String>("network_key").ok())
            .map(|k| format!("network:{k}")),
        _ => Some(format!("interface:{}", s.call.borrow().ifid)),
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
    sh: &HostRef,
    global: &'static str,
) -> mlua::Result<()> {
    if lua.app_data_ref::<CachedValues>().is_none() {
        lua.set_app_data(CachedValues::default());
    }
    let s1 = sh.clone();
    t.raw_set(
        "getCachedAlertValue",
        lua.create_function(move |lua, (key, gran): (Value, Value)| {
            let Ok(s) = s1.try_borrow_mut() else {
                return Ok(Value::Nil);
            };
            let Some(entity) = cache_entity(global, &s) else {
                api_error(
                    lua,
                    &mut s.call.borrow_mut(),
                    &format!("{global}.getCachedAlertValue"),
                    &format!("called outside a {global} hook"),
                );
                return Ok(Value::Nil);
            };
            let (Some(key), Some(g)) = (cache_key(&key), gran_id(&gran)) else {
                api_error(
                    lua,
                    &mut s.call.borrow_mut(),
                    &format!("{global}.getCachedAlertValue"),
                    "expected (key, granularity id 0..4)",
                );
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
            let Ok(s) = s2.try_borrow_mut() else {
                return Ok(false);
            };
            let Some(entity) = cache_entity(global, &s) else {
                api_error(
                    lua,
                    &mut s.call.borrow_mut(),
                    &format!("{global}.setCachedAlertValue"),
                    &format!("called outside a {global} hook"),
                );
                return Ok(false);
            };
            let (Some(key), Some(value), Some(g)) =
                (cache_key(&key), cache_key(&value), gran_id(&gran))
            else {
                api_error(
                    lua,
                    &mut s.call.borrow_mut(),
                    &format!("{global}.setCachedAlertValue"),
                    "expected (key, string value, granularity id 0..4)",
                );
                return Ok(false);
            };
            let now = s.call.borrow().now;
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

/// Adds `getStats()`, the cached-value functions and the 4.2 functions of
/// [`super::iface_api`] to the `interface` global.
pub(crate) fn extend_interface(
    lua: &Lua,
    t: &Table,
    parts: &crate::vm::Parts,
    ifid: i32,
    ifname: &str,
) -> mlua::Result<()> {
    let sh = &parts.host;
    super::iface_api::install(lua, t, &parts.call, &parts.alerts, &parts.sink)?;
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
