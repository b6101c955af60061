//! `host.getDNSInfo()`, `host.getHTTPInfo()`, `host.getApplicationBytes(id)` and
//! `host.getCategoryBytes(id)` (spec ntopng42-api.md §4.2), from the host's DNS/HTTP
//! counters and L7 breakdown in weir-flow.

use mlua::{Lua, Table, Value};
use weir_flow::{Category, Proto};

use crate::diag::api_error;

use super::binding::HostRef;
use super::view::HostView;

/// `host.getDNSInfo()` and `host.getHTTPInfo()`: a Rust function hands the counters
/// of one direction or role as integers to Lua constructors (a table built from Rust
/// costs a protected call per table and per field; these run for every local host at
/// every tick of the DNS and request/reply scripts).
const APP_LUA: &str = r#"
local host, raw = ...
local function dns_dir(q, ok, err, a, ns, cname, soa, ptr, mx, txt, aaaa, any, other)
  return { num_queries = q, num_replies_ok = ok, num_replies_error = err,
    queries = { num_a = a, num_ns = ns, num_cname = cname, num_soa = soa, num_ptr = ptr,
      num_mx = mx, num_txt = txt, num_aaaa = aaaa, num_any = any, num_other = other } }
end
function host.getDNSInfo()
  local is_local = raw(0)
  if is_local == nil then return nil end
  if not is_local then return {} end
  return { dns = { sent = dns_dir(select(2, raw(1))), rcvd = dns_dir(select(2, raw(2))) } }
end
local function http_role(get, post, head, put, other, c1, c2, c3, c4, c5)
  return {
    query = { num_get = get, num_post = post, num_head = head, num_put = put, num_other = other,
      total = get + post + head + put + other },
    response = { num_1xx = c1, num_2xx = c2, num_3xx = c3, num_4xx = c4, num_5xx = c5,
      total = c1 + c2 + c3 + c4 + c5 } }
end
function host.getHTTPInfo()
  local is_local = raw(0)
  if is_local == nil then return nil end
  if not is_local then return {} end
  return { http = { sender = http_role(select(2, raw(3))), receiver = http_role(select(2, raw(4))) } }
end
"#;

/// Which getter a `raw` id serves (for API error messages).
fn app_getter(id: u8) -> &'static str {
    if id <= 2 {
        "host.getDNSInfo"
    } else {
        "host.getHTTPInfo"
    }
}

/// Counters of one direction as the integers [`APP_LUA`]'s constructors take, after
/// a leading `true`: DNS sent (1) / received (2): queries, replies ok, replies with
/// an error, queries by type; HTTP as sender (3) / receiver (4): requests by method,
/// responses by class. (weir-flow's HTTP roles are [0] = as client: requests sent,
/// responses received; [1] = as server: requests received, responses sent.)
fn app_counters(h: &HostView, id: u8) -> [u32; 13] {
    let app = h.app.unwrap_or_default();
    let mut out = [0u32; 13];
    match id {
        1 | 2 => {
            let d = &app.dns[usize::from(id - 1)];
            out[0] = d.queries;
            out[1] = d.replies_ok;
            out[2] = d.replies_error;
            out[3..13].copy_from_slice(&d.by_type);
        }
        3 | 4 => {
            let (q, r) = if id == 3 { (0, 1) } else { (1, 0) };
            out[0..5].copy_from_slice(&app.http[q].queries);
            out[5..10].copy_from_slice(&app.http[r].responses);
        }
        _ => {}
    }
    out
}

/// What `raw(id)` returns: the leading flag (nil outside a host hook; for id 0, the
/// host is local), then the counters.
type AppRow = (
    Option<bool>,
    u32,
    u32,
    u32,
    u32,
    u32,
    u32,
    u32,
    u32,
    u32,
    u32,
    u32,
    u32,
    u32,
);

fn app_row(flag: Option<bool>, c: [u32; 13]) -> AppRow {
    (
        flag, c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9], c[10], c[11], c[12],
    )
}

/// Adds `getDNSInfo()` and `getHTTPInfo()`: `{dns = {sent = {...}, rcvd = {...}}}` /
/// `{http = {sender = {query, response}, receiver = {query, response}}}` for a local
/// host, `{}` otherwise. (No `rate` or `virtual_hosts` in the HTTP table: weir keeps
/// no per-host request rates or virtual host lists.)
pub(super) fn install_app(lua: &Lua, t: &Table, sh: &HostRef) -> mlua::Result<()> {
    let sh = sh.clone();
    let raw = lua.create_function(move |lua, id: u8| {
        let none = app_row(None, [0; 13]);
        let Ok(s) = sh.try_borrow_mut() else {
            return Ok(none);
        };
        let Some(h) = s.host.as_ref() else {
            api_error(
                lua,
                &mut s.call.borrow_mut(),
                app_getter(id),
                "called outside a host hook",
            );
            return Ok(none);
        };
        if id == 0 {
            return Ok(app_row(Some(h.local), [0; 13]));
        }
        Ok(app_row(Some(true), app_counters(h, id)))
    })?;
    lua.load(APP_LUA)
        .set_name("=weir/host_app.lua")
        .set_mode(mlua::chunk::ChunkMode::Text)
        .call::<()>((t.clone(), raw))
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
