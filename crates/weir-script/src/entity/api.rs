//! The `host` and `network` globals, and the Lua helpers of the entity hooks.

use mlua::{Lua, Table, Value};

use crate::diag::api_error;

use super::binding::HostRef;
use super::iface::install_cached_values;
use super::view::HostView;

fn add<F>(lua: &Lua, t: &Table, sh: &HostRef, name: &'static str, f: F) -> mlua::Result<()>
where
    F: Fn(&Lua, &HostView) -> mlua::Result<Value> + 'static,
{
    let sh = sh.clone();
    let qualified: std::rc::Rc<str> = std::rc::Rc::from(format!("host.{name}"));
    t.raw_set(
        name,
        lua.create_function(move |lua, (): ()| {
            let Ok(s) = sh.try_borrow_mut() else {
                return Ok(Value::Nil);
            };
            let Some(h) = s.host.clone() else {
                api_error(
                    lua,
                    &mut s.call.borrow_mut(),
                    &qualified,
                    "called outside a host hook",
                );
                return Ok(Value::Nil);
            };
            drop(s);
            f(lua, &h)
        })?,
    )
}

/// Registers the `host` global.
pub(crate) fn install_host(lua: &Lua, sh: &HostRef) -> mlua::Result<Table> {
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
    super::hostapp::install_app(lua, &t, sh)?;
    super::hostapp::install_bytes(lua, &t, sh)?;
    install_cached_values(lua, &t, sh, "host")?;
    install_host_counters(lua, &t, sh)?;
    super::geo::install(lua, &t, sh)?;
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
function host.getDeltas()
  local b, p = raw(9)
  if b == nil then return nil end
  local dq, dr = raw(10)
  local hq, hr = raw(11)
  return { bytes = b, packets = p, dns_requests = dq, dns_replies = dr,
    http_requests = hq, http_replies = hr }
end
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
const HOST_COUNTERS: [&str; 12] = [
    "",
    "host.getBytes",
    "host.getPackets",
    "host.getNumFlows",
    "host.getSynFlood",
    "host.getFlowFlood",
    "host.getSynScan",
    "host.getTime",
    "host.getScore",
    "host.getDeltas",
    "host.getDeltas",
    "host.getDeltas",
];

fn install_host_counters(lua: &Lua, t: &Table, sh: &HostRef) -> mlua::Result<()> {
    let sh = sh.clone();
    let raw = lua.create_function(move |lua, id: i64| {
        let Ok(s) = sh.try_borrow_mut() else {
            return Ok((None, 0));
        };
        let Some(h) = s.host.as_ref() else {
            let name = usize::try_from(id)
                .ok()
                .and_then(|i| HOST_COUNTERS.get(i))
                .copied()
                .unwrap_or("host");
            api_error(
                lua,
                &mut s.call.borrow_mut(),
                name,
                "called outside a host hook",
            );
            return Ok((None, 0));
        };
        if (9..=11).contains(&id) && h.delta.is_none() {
            // host.getDeltas(): local hosts only.
            return Ok((None, 0));
        }
        let [a, b] = match id {
            1 => h.bytes,
            2 => h.packets,
            3 => h.total_flows,
            4 => h.hits.syn_flood,
            5 => h.hits.flow_flood,
            6 => h.hits.syn_scan,
            7 => [h.first_seen, h.last_seen],
            8 => [u64::from(h.score[0]), u64::from(h.score[1])],
            9..=11 => {
                let d = h.delta.unwrap_or_default();
                let i = usize::try_from(id - 9).unwrap_or(0);
                // bytes/packets, then DNS and HTTP requests/replies (past the sums).
                let at = if i == 0 { 0 } else { 2 + 2 * i };
                [
                    d.get(at).copied().unwrap_or(0),
                    d.get(at + 1).copied().unwrap_or(0),
                ]
            }
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
pub(crate) fn install_network(lua: &Lua, sh: &HostRef) -> mlua::Result<Table> {
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
                let Ok(s) = sh.try_borrow_mut() else {
                    return Ok(Value::Nil);
                };
                let Some(n) = s.network.clone() else {
                    api_error(
                        lua,
                        &mut s.call.borrow_mut(),
                        &qualified,
                        "called outside a network hook",
                    );
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

/// Lua functions the entity hooks use, compiled once per VM (app data).
pub(crate) struct EntityFns {
    /// `alert_consts.alert_entities.host` (pushing the key from Rust would intern it
    /// for every host).
    pub(crate) host_entity: Value,
    pub(crate) host_params: mlua::Function,
    pub(crate) params: mlua::Function,
    pub(crate) call: mlua::Function,
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
