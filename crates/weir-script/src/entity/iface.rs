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
/// values are dropped two days after it last set one, and a host's when it leaves the
/// host table.
#[derive(Default)]
pub(crate) struct CachedValues {
    pub(crate) map: std::collections::HashMap<CacheEntity, (u64, EntityValues)>,
}

/// The entity a cached value belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum CacheEntity {
    /// A host: address and VLAN.
    Host(std::net::IpAddr, u16),
    /// A local network, by its key (CIDR).
    Network(Box<str>),
    /// The interface (its id).
    Interface(i32),
}

/// A stored value: what Lua passed, kept as a number when it was one (the deltas of
/// `alerts_api.*_delta_val` are computed without text round trips).
#[derive(Debug, Clone)]
pub(crate) enum Cached {
    Int(i64),
    Float(f64),
    Text(Box<str>),
}

impl Cached {
    fn of(v: &Value) -> Option<Cached> {
        match v {
            Value::Integer(i) => Some(Cached::Int(*i)),
            Value::Number(n) => Some(Cached::Float(*n)),
            Value::String(s) => Some(Cached::Text(s.to_string_lossy().into())),
            _ => None,
        }
    }

    /// The value as `tonumber` would read its text: an integer when it is one.
    fn number(&self) -> Value {
        match self {
            Cached::Int(i) => Value::Integer(*i),
            Cached::Float(f) => Value::Number(*f),
            Cached::Text(t) => {
                let t = t.trim();
                match t.parse::<i64>() {
                    Ok(i) => Value::Integer(i),
                    Err(_) => t.parse::<f64>().map_or(Value::Nil, Value::Number),
                }
            }
        }
    }

    /// The value as `getCachedAlertValue` returns it: text, as Lua's `tostring`
    /// writes numbers.
    fn push(&self, lua: &Lua) -> mlua::Result<mlua::LuaString> {
        match self {
            Cached::Int(i) => lua.create_string(i.to_string()),
            Cached::Float(f) => lua.create_string(lua_number_text(*f)),
            Cached::Text(t) => lua.create_string(&**t),
        }
    }
}

/// A float as Lua 5.4's `tostring` writes it (`%.14g`, with `.0` when it reads as an
/// integer).
fn lua_number_text(f: f64) -> String {
    if f.is_nan() {
        return if f.is_sign_negative() { "-nan" } else { "nan" }.into();
    }
    if f.is_infinite() {
        return if f < 0.0 { "-inf" } else { "inf" }.into();
    }
    let mut s = format_g14(f);
    if !s.contains(['.', 'e', 'n', 'i']) {
        s.push_str(".0");
    }
    s
}

/// C's `%.14g`.
fn format_g14(f: f64) -> String {
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let exp = f.abs().log10().floor() as i32;
    // `%g` picks the exponent form when the exponent is < -4 or >= the precision;
    // the exponent is the one after rounding to 14 significant digits.
    let sci = format!("{f:.13e}");
    let (mant, e) = sci.split_once('e').unwrap_or((&sci, "0"));
    let e: i32 = e.parse().unwrap_or(exp);
    if !(-4..14).contains(&e) {
        let mant = trim_zeros(mant);
        let sign = if e < 0 { '-' } else { '+' };
        return format!("{mant}e{sign}{:02}", e.abs());
    }
    let decimals = usize::try_from(13 - e).unwrap_or(0);
    trim_zeros(&format!("{f:.decimals$}")).to_owned()
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// One entity's cached values: (key, granularity id, value). Entities keep a handful
/// of keys, so a list is searched.
pub(crate) type EntityValues = Vec<(Box<str>, u8, Cached)>;

/// How long an entity's cached values outlive their last update, seconds.
pub(crate) const CACHED_VALUES_TTL: u64 = 2 * 86_400;

/// The entity the cache functions of `global` act on, if one is being visited.
fn cache_entity(global: &str, s: &HostBinding) -> Option<CacheEntity> {
    match global {
        "host" => s.host.as_ref().map(|h| CacheEntity::Host(h.ip, h.vlan)),
        "network" => s
            .network
            .as_ref()
            .and_then(|t| t.raw_get::<mlua::LuaString>("network_key").ok())
            .map(|k| CacheEntity::Network(k.to_string_lossy().into())),
        _ => Some(CacheEntity::Interface(s.call.borrow().ifid)),
    }
}

/// Calls `f` with the key as text (no copy for a string key).
fn with_key<R>(v: &Value, f: impl FnOnce(&str) -> R) -> Option<R> {
    match v {
        Value::String(s) => match s.to_str() {
            Ok(k) => Some(f(&k)),
            Err(_) => Some(f(&s.to_string_lossy())),
        },
        Value::Integer(i) => Some(f(&i.to_string())),
        Value::Number(n) => Some(f(&lua_number_text(*n))),
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

impl CachedValues {
    fn get(&self, e: &CacheEntity, key: &str, g: u8) -> Option<&Cached> {
        let (_, list) = self.map.get(e)?;
        list.iter()
            .find(|(k, kg, _)| *kg == g && &**k == key)
            .map(|(_, _, v)| v)
    }

    /// Stores `v` and returns the value it replaces.
    fn set(&mut self, e: CacheEntity, key: &str, g: u8, v: Cached, now: u64) -> Option<Cached> {
        let (at, list) = self.map.entry(e).or_default();
        *at = now;
        match list.iter_mut().find(|(k, kg, _)| *kg == g && &**k == key) {
            Some(slot) => Some(std::mem::replace(&mut slot.2, v)),
            None => {
                list.push((key.into(), g, v));
                None
            }
        }
    }
}

/// The binding's entity and the current time, or the API error of a call outside
/// the right hook (`None`).
fn bound(lua: &Lua, sh: &HostRef, global: &str, fname: &str) -> Option<(CacheEntity, u64)> {
    let s = sh.try_borrow_mut().ok()?;
    match cache_entity(global, &s) {
        Some(e) => {
            let now = s.call.borrow().now;
            Some((e, now))
        }
        None => {
            api_error(
                lua,
                &mut s.call.borrow_mut(),
                &format!("{global}.{fname}"),
                &format!("called outside a {global} hook"),
            );
            None
        }
    }
}

fn bad_args(lua: &Lua, sh: &HostRef, global: &str, fname: &str, expected: &str) {
    if let Ok(s) = sh.try_borrow_mut() {
        api_error(
            lua,
            &mut s.call.borrow_mut(),
            &format!("{global}.{fname}"),
            expected,
        );
    }
}

/// Adds `getCachedAlertValue(key, gran_id)` → string (`""` when unset),
/// `setCachedAlertValue(key, value, gran_id)` and weir's `deltaCachedValue(key,
/// gran_id, value)` (stores the number `value`, returns the number stored before or
/// nil: one call for `alerts_api.*_delta_val`) to the `global` table.
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
            let Some((entity, _)) = bound(lua, &s1, global, "getCachedAlertValue") else {
                return Ok(Value::Nil);
            };
            let found = gran_id(&gran).and_then(|g| {
                with_key(&key, |k| {
                    lua.app_data_ref::<CachedValues>()
                        .and_then(|c| c.get(&entity, k, g).cloned())
                })
            });
            match found {
                None => {
                    bad_args(
                        lua,
                        &s1,
                        global,
                        "getCachedAlertValue",
                        "expected (key, granularity id 0..4)",
                    );
                    Ok(Value::Nil)
                }
                Some(None) => Ok(Value::String(lua.create_string("")?)),
                Some(Some(v)) => Ok(Value::String(v.push(lua)?)),
            }
        })?,
    )?;
    let s2 = sh.clone();
    t.raw_set(
        "setCachedAlertValue",
        lua.create_function(move |lua, (key, value, gran): (Value, Value, Value)| {
            let Some((entity, now)) = bound(lua, &s2, global, "setCachedAlertValue") else {
                return Ok(false);
            };
            let (Some(v), Some(g)) = (Cached::of(&value), gran_id(&gran)) else {
                bad_args(
                    lua,
                    &s2,
                    global,
                    "setCachedAlertValue",
                    "expected (key, string value, granularity id 0..4)",
                );
                return Ok(false);
            };
            let done = with_key(&key, |k| {
                if let Some(mut c) = lua.app_data_mut::<CachedValues>() {
                    c.set(entity, k, g, v, now);
                }
            });
            if done.is_none() {
                bad_args(
                    lua,
                    &s2,
                    global,
                    "setCachedAlertValue",
                    "expected (key, string value, granularity id 0..4)",
                );
                return Ok(false);
            }
            Ok(true)
        })?,
    )?;
    let s3 = sh.clone();
    t.raw_set(
        "deltaCachedValue",
        lua.create_function(
            move |lua, (key, gran, value): (mlua::LuaString, u8, Value)| {
                let Some((entity, now)) = bound(lua, &s3, global, "deltaCachedValue") else {
                    return Ok(Value::Nil);
                };
                let Some(v) = Cached::of(&value).filter(|_| gran <= 4) else {
                    bad_args(
                        lua,
                        &s3,
                        global,
                        "deltaCachedValue",
                        "expected (key, granularity id 0..4, number)",
                    );
                    return Ok(Value::Nil);
                };
                let k = key.to_string_lossy();
                let prev = lua
                    .app_data_mut::<CachedValues>()
                    .and_then(|mut c| c.set(entity, &k, gran, v, now));
                Ok(prev.map_or(Value::Nil, |p| p.number()))
            },
        )?,
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

#[cfg(test)]
mod cached_tests {
    use super::lua_number_text;

    #[test]
    fn floats_read_as_lua_tostring_writes_them() {
        let lua = mlua::Lua::new();
        for f in [
            0.1,
            1.5,
            3.0,
            -2.0,
            1e20,
            1e-5,
            123456789012345678.0,
            2.5e-300,
            1e15,
            1e14,
            0.0,
            12345.678901234567,
            -0.000123,
        ] {
            let want: String = lua
                .load(format!("return tostring({f:e})"))
                .eval()
                .expect("tostring");
            assert_eq!(lua_number_text(f), want, "{f:e}");
        }
    }
}
