//! The read-only `interface` data a page sees ([`PageData`](super::PageData)) as Lua functions.

use mlua::{Lua, Table, Value};
use serde_json::{Map, Value as Json};

use super::page_vm::{PageVm, ReqRef};
use super::request::{int_of, table_of};
use super::types::MAX_HITS;

impl PageVm {
    /// `interface.getStats()`, `getFlowsInfo()`, `getHostsInfo()`, `getHostInfo()`,
    /// `getAlerts()`: the request's [`PageData`](super::PageData).
    pub(super) fn install_interface(&self) -> mlua::Result<()> {
        let lua = &self.lua;
        let iface: Table = lua.globals().raw_get("interface")?;
        let data = |rq: &ReqRef| rq.borrow().data.clone();

        let rq = self.req.clone();
        iface.raw_set(
            "getStats",
            lua.create_function(move |lua, ()| match data(&rq) {
                Some(d) => crate::json::to_lua(lua, &d.interface()),
                None => Ok(Value::Nil),
            })?,
        )?;

        let rq = self.req.clone();
        iface.raw_set(
            "getFlowsInfo",
            lua.create_function(move |lua, (host, opts): (Value, Value)| {
                let opts = table_of(opts);
                let Some(d) = data(&rq) else {
                    return Ok(Value::Nil);
                };
                let host = match host {
                    Value::String(s) => Some(strip_vlan(&s.to_string_lossy())),
                    _ => None,
                };
                let (skip, hits) = paging(opts.as_ref(), "toSkip", "maxHits");
                let matches = |f: &&Map<String, Json>| {
                    host.as_deref().is_none_or(|h| {
                        f.get("cli.ip").and_then(Json::as_str) == Some(h)
                            || f.get("srv.ip").and_then(Json::as_str) == Some(h)
                    })
                };
                let flows = lua.create_table()?;
                let mut n = 0usize;
                for f in d.flows().iter().filter(matches).skip(skip).take(hits) {
                    n += 1;
                    flows.raw_set(n, map_to_lua(lua, f)?)?;
                }
                let total = if host.is_some() {
                    d.flows().iter().filter(matches).count()
                } else {
                    d.flows_total()
                };
                let t = lua.create_table()?;
                t.raw_set("flows", flows)?;
                t.raw_set("numFlows", total)?;
                Ok(Value::Table(t))
            })?,
        )?;

        let rq = self.req.clone();
        iface.raw_set(
            "getHostsInfo",
            lua.create_function(
                move |lua, (_details, _sort, max_hits, to_skip): (Value, Value, Value, Value)| {
                    let Some(d) = data(&rq) else {
                        return Ok(Value::Nil);
                    };
                    let skip = int_of(&to_skip)
                        .and_then(|n| usize::try_from(n).ok())
                        .unwrap_or(0);
                    let hits = int_of(&max_hits)
                        .and_then(|n| usize::try_from(n).ok())
                        .unwrap_or(MAX_HITS)
                        .min(MAX_HITS);
                    let hosts = lua.create_table()?;
                    for h in d.hosts().iter().skip(skip).take(hits) {
                        hosts.raw_set(host_key(h), map_to_lua(lua, h)?)?;
                    }
                    let t = lua.create_table()?;
                    t.raw_set("hosts", hosts)?;
                    t.raw_set("numHosts", d.hosts_total())?;
                    Ok(Value::Table(t))
                },
            )?,
        )?;

        let rq = self.req.clone();
        iface.raw_set(
            "getHostInfo",
            lua.create_function(move |lua, (ip, vlan): (Value, Value)| {
                let vlan = int_of(&vlan);
                let (Some(d), Value::String(ip)) = (data(&rq), ip) else {
                    return Ok(Value::Nil);
                };
                let ip = ip.to_string_lossy();
                let want = match vlan {
                    Some(v) => format!("{}@{v}", strip_vlan(&ip)),
                    None if ip.contains('@') => ip.clone(),
                    None => format!("{ip}@0"),
                };
                match d.hosts().iter().find(|h| host_key(h) == want) {
                    Some(h) => map_to_lua(lua, h).map(Value::Table),
                    None => Ok(Value::Nil),
                }
            })?,
        )?;

        let rq = self.req.clone();
        iface.raw_set(
            "getAlerts",
            lua.create_function(move |lua, (kind, opts): (Value, Value)| {
                let opts = table_of(opts);
                let Some(d) = data(&rq) else {
                    return Ok(Value::Nil);
                };
                let kind = match &kind {
                    Value::String(s) => s.to_string_lossy(),
                    _ => "engaged".to_owned(),
                };
                if !matches!(kind.as_str(), "engaged" | "past" | "flow") {
                    return Ok(Value::Nil);
                }
                let (_, limit) = paging(opts.as_ref(), "", "limit");
                let alert_type = opts
                    .as_ref()
                    .and_then(|o| o.get::<Value>("alert_type").ok())
                    .and_then(|v| int_of(&v))
                    .and_then(|k| u32::try_from(k).ok());
                let out = lua.create_table()?;
                for (i, a) in d
                    .alerts(&kind, alert_type, limit.min(1000))
                    .iter()
                    .enumerate()
                {
                    out.raw_set(i + 1, crate::json::to_lua(lua, a)?)?;
                }
                Ok(Value::Table(out))
            })?,
        )?;
        Ok(())
    }
}

pub(super) fn paging(opts: Option<&Table>, skip_key: &str, hits_key: &str) -> (usize, usize) {
    let get = |k: &str| {
        opts.filter(|_| !k.is_empty())
            .and_then(|o| o.get::<Value>(k).ok())
            .and_then(|v| int_of(&v))
            .and_then(|n| usize::try_from(n).ok())
    };
    (
        get(skip_key).unwrap_or(0),
        get(hits_key).unwrap_or(MAX_HITS).min(MAX_HITS),
    )
}

pub(super) fn strip_vlan(s: &str) -> String {
    s.split('@').next().unwrap_or(s).to_owned()
}

pub(super) fn host_key(h: &Map<String, Json>) -> String {
    let ip = h.get("ip").and_then(Json::as_str).unwrap_or("");
    let vlan = h.get("vlan").and_then(Json::as_u64).unwrap_or(0);
    format!("{ip}@{vlan}")
}

pub(super) fn map_to_lua(lua: &Lua, m: &Map<String, Json>) -> mlua::Result<Table> {
    let t = lua.create_table_with_capacity(0, m.len())?;
    for (k, v) in m {
        t.raw_set(k.as_str(), crate::json::to_lua(lua, v)?)?;
    }
    Ok(t)
}
