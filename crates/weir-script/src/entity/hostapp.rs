//! `host.getDNSInfo()`, `host.getHTTPInfo()`, `host.getApplicationBytes(id)` and
//! `host.getCategoryBytes(id)` (spec ntopng42-api.md §4.2), from the host's DNS/HTTP
//! counters and L7 breakdown in weir-flow.

use mlua::{Lua, Table, Value};
use weir_flow::{Category, DnsCounters, HttpCounters, Proto};

use crate::diag::api_error;

use super::binding::HostRef;
use super::view::HostView;

/// DNS query types in `DnsCounters::by_type` order.
const DNS_TYPES: [&str; 10] = [
    "num_a",
    "num_ns",
    "num_cname",
    "num_soa",
    "num_ptr",
    "num_mx",
    "num_txt",
    "num_aaaa",
    "num_any",
    "num_other",
];

fn dns_dir(lua: &Lua, d: &DnsCounters) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    t.raw_set("num_queries", d.queries)?;
    t.raw_set("num_replies_ok", d.replies_ok)?;
    t.raw_set("num_replies_error", d.replies_error)?;
    let q = lua.create_table()?;
    for (k, v) in DNS_TYPES.iter().zip(d.by_type) {
        q.raw_set(*k, v)?;
    }
    t.raw_set("queries", q)?;
    Ok(t)
}

/// `{dns = {sent = {...}, rcvd = {...}}}` for a local host, `{}` otherwise.
pub(super) fn dns_info(lua: &Lua, h: &HostView) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    if !h.local {
        return Ok(t);
    }
    let app = h.app.unwrap_or_default();
    let dns = lua.create_table()?;
    dns.raw_set("sent", dns_dir(lua, &app.dns[0])?)?;
    dns.raw_set("rcvd", dns_dir(lua, &app.dns[1])?)?;
    t.raw_set("dns", dns)?;
    Ok(t)
}

const METHODS: [&str; 5] = ["num_get", "num_post", "num_head", "num_put", "num_other"];
const CLASSES: [&str; 5] = ["num_1xx", "num_2xx", "num_3xx", "num_4xx", "num_5xx"];

fn http_role(lua: &Lua, c: &HttpCounters) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    let q = lua.create_table()?;
    let mut total = 0u64;
    for (k, v) in METHODS.iter().zip(c.queries) {
        q.raw_set(*k, v)?;
        total += u64::from(v);
    }
    q.raw_set("total", total)?;
    let r = lua.create_table()?;
    let mut total = 0u64;
    for (k, v) in CLASSES.iter().zip(c.responses) {
        r.raw_set(*k, v)?;
        total += u64::from(v);
    }
    r.raw_set("total", total)?;
    t.raw_set("query", q)?;
    t.raw_set("response", r)?;
    Ok(t)
}

/// `{http = {sender = {query, response}, receiver = {query, response}}}` for a local
/// host, `{}` otherwise. `sender.query`: requests the host sent; `sender.response`:
/// responses it sent; `receiver.*`: what it received. (No `rate` or `virtual_hosts`:
/// weir keeps no per-host request rates or virtual host lists.)
pub(super) fn http_info(lua: &Lua, h: &HostView) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    if !h.local {
        return Ok(t);
    }
    let app = h.app.unwrap_or_default();
    // weir-flow's roles: [0] = as client (requests sent, responses received),
    // [1] = as server (requests received, responses sent).
    let sender = HttpCounters {
        queries: app.http[0].queries,
        responses: app.http[1].responses,
    };
    let receiver = HttpCounters {
        queries: app.http[1].queries,
        responses: app.http[0].responses,
    };
    let http = lua.create_table()?;
    http.raw_set("sender", http_role(lua, &sender)?)?;
    http.raw_set("receiver", http_role(lua, &receiver)?)?;
    t.raw_set("http", http)?;
    Ok(t)
}

fn id_arg(v: &Value) -> Option<i64> {
    match v {
        Value::Integer(i) => Some(*i),
        Value::Number(n) if n.fract() == 0.0 => Some(*n as i64),
        _ => None,
    }
}

/// Adds `getApplicationBytes(id)` and `getCategoryBytes(id)`: bytes (sent and
/// received) of the host's flows of that nDPI protocol / category; 0 for one the
/// host has no traffic of, and for a bad argument (an API error).
pub(super) fn install_bytes(lua: &Lua, t: &Table, sh: &HostRef) -> mlua::Result<()> {
    for (name, by_cat) in [("getApplicationBytes", false), ("getCategoryBytes", true)] {
        let sh = sh.clone();
        let qualified = format!("host.{name}");
        t.raw_set(
            name,
            lua.create_function(move |lua, arg: Value| {
                let Ok(s) = sh.try_borrow_mut() else {
                    return Ok(0u64);
                };
                let Some(h) = s.host.as_ref() else {
                    api_error(
                        lua,
                        &mut s.call.borrow_mut(),
                        &qualified,
                        "called outside a host hook",
                    );
                    return Ok(0);
                };
                let Some(id) = id_arg(&arg) else {
                    api_error(
                        lua,
                        &mut s.call.borrow_mut(),
                        &qualified,
                        &format!("argument #1: integer id expected, got {}", arg.type_name()),
                    );
                    return Ok(0);
                };
                let bytes =
                    h.l7.iter()
                        // The "other protocols" slot (`u16::MAX`) matches no id.
                        .filter(|c| c.proto.0 != u16::MAX)
                        .filter(|c| {
                            if by_cat {
                                u8::try_from(id).is_ok_and(|i| c.proto.category() == Category(i))
                            } else {
                                u16::try_from(id).is_ok_and(|i| c.proto == Proto(i))
                            }
                        })
                        .map(|c| c.bytes)
                        .sum::<u64>();
                Ok(bytes)
            })?,
        )?;
    }
    Ok(())
}
