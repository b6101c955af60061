//! The `flow` global: one table of Rust functions per VM, reading the flow the
//! runtime binds before each hook batch ([`FlowView`]). Nothing is converted to Lua
//! unless a script asks for it (spec lua-api.md §1, flow-info.md).

use mlua::{Lua, MultiValue, Table, Value, ffi};
use serde_json::Value as Json;
use weir_alerts::StatusKey;
use weir_flow::{CLI2SRV, DirStats, FlowMarks, MAX_SCORE, SRV2CLI, l4_name, tcp_state};

use crate::diag::api_error;
use crate::flow_info::{
    dns_info, full_info, http_info, is_local, is_unicast, minimal_info, ssh_info, tcp_stats,
    tls_info,
};
use crate::flow_status::severity_of;
use crate::json;

mod risks;

type Shared = FlowState;
use crate::flow_view::{Candidate, FlowRef, FlowState, FlowView};

/// `__pairs` of the `getInfo()` tables: the caller's own keys, then the shared ones
/// it did not overwrite.
const INFO_PAIRS: &str = r#"
local next, rawget, getmetatable = next, rawget, getmetatable
return function(own)
   local shared = getmetatable(own).__index
   local in_own = true
   return function(_, k)
      local v
      if in_own then
         k, v = next(own, k)
         if k ~= nil then
            return k, v
         end
         in_own = false
      end
      repeat
         k, v = next(shared, k)
      until k == nil or rawget(own, k) == nil
      return k, v
   end, own, nil
end
"#;

/// Metatable field marking the `getInfo()` tables.
const INFO_MARK: &str = "__weir_flow_info";

/// The shared table a `flow.getInfo()` table reads through to (`None` for any other
/// table), for Rust code that walks a script's table (JSON, alert parameters).
pub(crate) fn info_shared(t: &Table) -> Option<Table> {
    let mt = t.metatable()?;
    if mt.raw_get::<bool>(INFO_MARK).ok() != Some(true) {
        return None;
    }
    mt.raw_get::<Table>("__index").ok()
}

/// What a flow function reports besides a value.
enum ApiErr {
    /// Misuse: logged, counted, nil returned.
    Misuse(String),
    /// A Lua error (memory): raised.
    Lua(mlua::Error),
}

impl From<mlua::Error> for ApiErr {
    fn from(e: mlua::Error) -> ApiErr {
        ApiErr::Lua(e)
    }
}

type ApiResult = Result<Value, ApiErr>;

fn add<F>(lua: &Lua, t: &Table, sh: &FlowRef, name: &'static str, f: F) -> mlua::Result<()>
where
    F: Fn(&Lua, &mut Shared, &MultiValue) -> ApiResult + 'static,
{
    let sh = sh.clone();
    let qualified: std::rc::Rc<str> = std::rc::Rc::from(format!("flow.{name}"));
    let func = lua.create_function(move |lua, args: MultiValue| {
        let Ok(mut s) = sh.try_borrow_mut() else {
            return Ok(Value::Nil);
        };
        if s.flow.is_none() {
            if let Ok(mut c) = s.call.try_borrow_mut() {
                api_error(lua, &mut c, &qualified, "called outside a flow hook");
            }
            return Ok(Value::Nil);
        }
        match f(lua, &mut s, &args) {
            Ok(v) => Ok(v),
            Err(ApiErr::Misuse(m)) => {
                if let Ok(mut c) = s.call.try_borrow_mut() {
                    api_error(lua, &mut c, &qualified, &m);
                }
                Ok(Value::Nil)
            }
            Err(ApiErr::Lua(e)) => Err(e),
        }
    })?;
    t.raw_set(name, func)
}

/// A getter returning a plain value computed from the view.
fn getter<F, R>(lua: &Lua, t: &Table, sh: &FlowRef, name: &'static str, f: F) -> mlua::Result<()>
where
    F: Fn(&FlowView) -> R + 'static,
    R: mlua::IntoLua,
{
    add(lua, t, sh, name, move |lua, s, _| {
        let v = s.flow.as_deref().map(&f);
        Ok(v.into_lua(lua)?)
    })
}

use mlua::IntoLua;

fn view(s: &Shared) -> &FlowView {
    // `add` checked that a flow is bound.
    s.flow.as_deref().expect("flow bound")
}

/// Reads a score argument: nil → 0, a number → clamped to [0, 1024].
fn score_arg(v: Option<&Value>, what: &str) -> Result<u16, ApiErr> {
    match v {
        None | Some(Value::Nil) => Ok(0),
        Some(Value::Integer(i)) => Ok((*i).clamp(0, i64::from(MAX_SCORE)) as u16),
        Some(Value::Number(n)) if n.is_finite() => Ok(n.clamp(0.0, f64::from(MAX_SCORE)) as u16),
        Some(other) => Err(ApiErr::Misuse(format!(
            "{what}: number expected, got {}",
            other.type_name()
        ))),
    }
}

/// Lua strings for the field names the status functions read, made once per VM (a
/// `&str` key is a new Lua string, interned again, at every read).
#[derive(Clone)]
struct Keys {
    status_key: mlua::LuaString,
    status_type: mlua::LuaString,
    alert_type_params: mlua::LuaString,
    alert_severity: mlua::LuaString,
}

impl Keys {
    fn new(lua: &Lua) -> mlua::Result<Keys> {
        Ok(Keys {
            status_key: lua.create_string("status_key")?,
            status_type: lua.create_string("status_type")?,
            alert_type_params: lua.create_string("alert_type_params")?,
            alert_severity: lua.create_string("alert_severity")?,
        })
    }
}

/// `t[k]` as a script reading it would see it: the raw field, or through the
/// metatable when the table has one and the raw field is nil.
fn field(t: &Table, k: &mlua::LuaString) -> mlua::Result<Value> {
    match t.raw_get::<Value>(k)? {
        Value::Nil if t.metatable().is_some() => t.get::<Value>(k),
        v => Ok(v),
    }
}

/// `t[k]` converted as `Table::get` converts it (`None` on a failed conversion).
fn field_as<V: mlua::FromLua>(lua: &Lua, t: &Table, k: &mlua::LuaString) -> Option<V> {
    field(t, k).ok().and_then(|v| {
        <Option<V> as mlua::FromLua>::from_lua(v, lua)
            .ok()
            .flatten()
    })
}

/// A status given as a definition table (`status_key`), a created status info
/// (`status_type.status_key`) or a number.
fn status_arg(lua: &Lua, keys: &Keys, s: &Shared, v: Option<&Value>) -> Result<u8, ApiErr> {
    let key = match v {
        Some(Value::Integer(i)) => Some(*i),
        Some(Value::Number(n)) if n.fract() == 0.0 => Some(*n as i64),
        Some(Value::Table(t)) => {
            let direct: Option<i64> = field_as(lua, t, &keys.status_key);
            direct.or_else(|| {
                field_as::<Table>(lua, t, &keys.status_type)
                    .and_then(|st| field_as::<i64>(lua, &st, &keys.status_key))
            })
        }
        _ => None,
    };
    let Some(key) = key else {
        return Err(ApiErr::Misuse(format!(
            "argument #1: status definition or status key expected, got {}",
            v.map_or("no value", Value::type_name)
        )));
    };
    match u8::try_from(key) {
        Ok(k) if k < 64 && s.alerts.borrow().registry.status(StatusKey(k)).is_some() => Ok(k),
        _ => Err(ApiErr::Misuse(format!("unknown status key {key}"))),
    }
}

fn set_status_common(s: &mut Shared, bit: u8, scores: [u16; 3]) -> bool {
    let security = s.security();
    let newly = s
        .flow
        .as_deref_mut()
        .is_some_and(|v| v.set_status(bit, scores[0], scores[1], scores[2], security));
    if newly && s.alerts.borrow().recording() {
        let (script, now) = {
            let c = s.call.borrow();
            (
                c.script
                    .as_ref()
                    .map(|c| c.key.to_string())
                    .unwrap_or_default(),
                c.now,
            )
        };
        let mut alerts = s.alerts.borrow_mut();
        let name = alerts
            .registry
            .status(StatusKey(bit))
            .map(|t| t.name.clone())
            .unwrap_or_default();
        let v = view(s);
        let (ci, cp) = v.client();
        let (si, sp) = v.server();
        let ev = serde_json::json!({
            "event": "status",
            "ts": now,
            "flow": format!("{} {ci}:{cp} -> {si}:{sp}", l4_name(v.key.proto)),
            "proto.ndpi": v.ndpi_name(),
            "status_key": bit,
            "status": name,
            "script": script,
            "flow_score": scores[0],
            "cli_score": scores[1],
            "srv_score": scores[2],
        });
        alerts.record(ev);
    }
    newly
}

/// Registers the `flow` global.
pub(crate) fn install(lua: &Lua, sh: &FlowRef) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    let keys = Keys::new(lua)?;
    // Information tables.
    // `getInfo()`: built once per hook call, however many scripts ask; each caller gets
    // its own table reading through to it (what a script writes stays its own).
    let pairs_of: mlua::Function = lua.load(INFO_PAIRS).set_name("=weir:flow.getInfo").eval()?;
    let names = (
        lua.create_string("__index")?,
        lua.create_string("__pairs")?,
        lua.create_string(INFO_MARK)?,
    );
    add(lua, &t, sh, "getInfo", move |lua, s, _| {
        let own: Table = match &s.info_meta {
            // SAFETY: `mt` at stack index 1; the closure leaves the new table alone on
            // the stack (a memory error unwinds it before anything needs dropping).
            #[allow(unsafe_code)]
            Some(mt) => unsafe {
                lua.exec_raw(mt, |state| {
                    ffi::lua_createtable(state, 0, 0);
                    ffi::lua_rotate(state, 1, 1);
                    ffi::lua_setmetatable(state, 1);
                })?
            },
            None => {
                let real = minimal_info(lua, s, view(s))?;
                let (index, pairs, mark) = &names;
                // SAFETY: the arguments at stack indices 1..=5; the closure builds the
                // metatable (6) and the caller's table (7), and leaves those two alone
                // on the stack, caller's table first.
                #[allow(unsafe_code)]
                let (own, mt): (Table, Table) = unsafe {
                    lua.exec_raw((real, &pairs_of, index, pairs, mark), |state| {
                        ffi::lua_createtable(state, 0, 3);
                        for (key, value) in [(3, 1), (4, 2)] {
                            ffi::lua_pushvalue(state, key);
                            ffi::lua_pushvalue(state, value);
                            ffi::lua_rawset(state, 6);
                        }
                        ffi::lua_pushvalue(state, 5);
                        ffi::lua_pushboolean(state, 1);
                        ffi::lua_rawset(state, 6);
                        ffi::lua_createtable(state, 0, 0);
                        ffi::lua_pushvalue(state, 6);
                        ffi::lua_setmetatable(state, 7);
                        ffi::lua_rotate(state, 1, 2);
                        ffi::lua_settop(state, 2);
                        ffi::lua_rotate(state, 1, 1);
                    })?
                };
                s.info_meta = Some(mt);
                own
            }
        };
        Ok(Value::Table(own))
    })?;
    add(lua, &t, sh, "getFullInfo", |lua, s, _| {
        Ok(Value::Table(full_info(lua, s, view(s))?))
    })?;
    for (name, f) in [
        (
            "getHTTPInfo",
            http_info as fn(&Lua, &FlowView) -> mlua::Result<Table>,
        ),
        ("getTLSInfo", tls_info),
        ("getDNSInfo", dns_info),
        ("getSSHInfo", ssh_info),
    ] {
        add(lua, &t, sh, name, move |lua, s, _| {
            Ok(Value::Table(f(lua, view(s))?))
        })?;
    }
    add(lua, &t, sh, "getTCPStats", |lua, s, _| {
        Ok(Value::Table(tcp_stats(lua, view(s))?))
    })?;
    // The engine's block lists marked the flow at creation (addresses) and at the end
    // of detection (server name, Malware category): these read the bits.
    add(lua, &t, sh, "getBlacklistedInfo", |lua, s, _| {
        let listed = view(s).marks.listed;
        let tbl = lua.create_table()?;
        for (bit, key) in [
            (FlowMarks::CLI, "blacklisted.cli"),
            (FlowMarks::SRV, "blacklisted.srv"),
            (FlowMarks::NAME, "blacklisted.cat"),
        ] {
            if listed & bit != 0 {
                tbl.raw_set(key, true)?;
            }
        }
        Ok(Value::Table(tbl))
    })?;
    getter(lua, &t, sh, "isBlacklisted", |v| v.marks.is_blacklisted())?;

    add(lua, &t, sh, "getRiskInfo", |lua, s, _| {
        let tbl = lua.create_table()?;
        for (id, name) in risks::risks(view(s)).iter() {
            tbl.raw_set(name, id.0)?;
        }
        Ok(Value::Table(tbl))
    })?;
    add(lua, &t, sh, "hasRisk", |_, s, a| {
        let set = risks::risks(view(s));
        match a.front() {
            None | Some(Value::Nil) => Ok(Value::Boolean(!set.is_empty())),
            Some(v) => {
                let id = match v {
                    Value::Integer(i) => Some(*i),
                    Value::Number(n) if n.fract() == 0.0 => Some(*n as i64),
                    _ => None,
                };
                match id {
                    Some(i) => Ok(Value::Boolean(
                        u8::try_from(i).is_ok_and(|i| set.has(weir_flow::Risk(i))),
                    )),
                    None => Err(ApiErr::Misuse(format!(
                        "argument #1: risk id expected, got {}",
                        v.type_name()
                    ))),
                }
            }
        }
    })?;
    for name in ["getDeviceProtoAllowedInfo", "getMUDInfo"] {
        add(lua, &t, sh, name, |lua, _, _| {
            Ok(Value::Table(lua.create_table()?))
        })?;
    }
    add(lua, &t, sh, "getUnicastInfo", |lua, s, _| {
        let v = view(s);
        let tbl = lua.create_table()?;
        tbl.raw_set("cli.broadmulticast", !is_unicast(v.client().0))?;
        tbl.raw_set("srv.broadmulticast", !is_unicast(v.server().0))?;
        Ok(Value::Table(tbl))
    })?;
    add(lua, &t, sh, "getICMPStatusInfo", |lua, s, _| {
        let v = view(s);
        if !v.key.is_icmp() {
            return Ok(Value::Nil);
        }
        let [ty, code] = v.key.b_port.to_be_bytes();
        let tbl = lua.create_table()?;
        tbl.raw_set("type", ty)?;
        tbl.raw_set("code", code)?;
        Ok(Value::Table(tbl))
    })?;

    // Statuses and alerts.
    let k = keys.clone();
    add(lua, &t, sh, "setStatus", move |lua, s, a| {
        let bit = status_arg(lua, &k, s, a.front())?;
        let scores = [
            score_arg(a.get(1), "flow_score")?,
            score_arg(a.get(2), "cli_score")?,
            score_arg(a.get(3), "srv_score")?,
        ];
        Ok(Value::Boolean(set_status_common(s, bit, scores)))
    })?;
    let k = keys.clone();
    add(lua, &t, sh, "triggerStatus", move |lua, s, a| {
        let first = a.front();
        let created = matches!(first, Some(Value::Table(t))
            if field(t, &k.status_type).is_ok_and(|v| !v.is_nil()));
        let bit = status_arg(lua, &k, s, first)?;
        let (scores_at, params, severity) = if created {
            let Some(Value::Table(info)) = first else {
                unreachable!("checked above")
            };
            let params = match field(info, &k.alert_type_params) {
                Ok(Value::Nil) | Err(_) => Json::Object(Default::default()),
                Ok(v) => json::to_json_fast(lua, &v),
            };
            let sev = field(info, &k.alert_severity)
                .ok()
                .as_ref()
                .and_then(severity_of);
            (1, params, sev)
        } else {
            let params = match a.get(1) {
                None | Some(Value::Nil) => Json::Object(Default::default()),
                Some(Value::Table(t)) => json::to_json_fast(lua, &Value::Table(t.clone())),
                Some(Value::String(st)) => Json::String(st.to_string_lossy()),
                Some(other) => {
                    return Err(ApiErr::Misuse(format!(
                        "argument #2 (status_info): table or string expected, got {}",
                        other.type_name()
                    )));
                }
            };
            (2, params, a.get(5).and_then(severity_of))
        };
        let scores = [
            score_arg(a.get(scores_at), "flow_score")?,
            score_arg(a.get(scores_at + 1), "cli_score")?,
            score_arg(a.get(scores_at + 2), "srv_score")?,
        ];
        set_status_common(s, bit, scores);
        let script = s.script_key().unwrap_or_else(|| "".into());
        let cand = Candidate {
            status: bit,
            score: scores[0],
            cli_score: scores[1],
            srv_score: scores[2],
            severity,
            params,
            script,
        };
        let replace = match &s.candidate {
            None => true,
            Some(c) => cand.score > c.score || (cand.score == c.score && cand.status < c.status),
        };
        if replace {
            s.candidate = Some(cand);
        }
        Ok(Value::Nil)
    })?;
    let k = keys.clone();
    add(lua, &t, sh, "clearStatus", move |lua, s, a| {
        let bit = status_arg(lua, &k, s, a.front())?;
        if let Some(v) = s.flow.as_deref_mut() {
            v.status_map &= !(1u64 << bit);
        }
        Ok(Value::Nil)
    })?;
    let k = keys;
    add(lua, &t, sh, "isStatusSet", move |lua, s, a| {
        let bit = status_arg(lua, &k, s, a.front())?;
        Ok(Value::Boolean(view(s).status_map & (1u64 << bit) != 0))
    })?;
    getter(lua, &t, sh, "getStatus", |v| v.status_map as i64)?;
    add(lua, &t, sh, "getAlertedStatus", |_, s, _| {
        let serial = view(s).serial;
        Ok(Value::Integer(
            s.alerted.get(&serial).map_or(0, |a| i64::from(a.0)),
        ))
    })?;
    add(lua, &t, sh, "getAlertedStatusScore", |_, s, _| {
        let serial = view(s).serial;
        Ok(Value::Integer(
            s.alerted.get(&serial).map_or(0, |a| i64::from(a.1)),
        ))
    })?;
    getter(lua, &t, sh, "getScore", |v| v.score.flow)?;
    add(lua, &t, sh, "getScoreInfo", |lua, s, _| {
        let v = view(s);
        let tbl = lua.create_table()?;
        tbl.raw_set("status_map", v.status_map as i64)?;
        tbl.raw_set("score", v.score.flow)?;
        Ok(Value::Table(tbl))
    })?;
    // 3.x score functions mapped onto the status model.
    getter(lua, &t, sh, "getClientScore", |v| {
        v.score.cli[0] + v.score.cli[1]
    })?;
    getter(lua, &t, sh, "getServerScore", |v| {
        v.score.srv[0] + v.score.srv[1]
    })?;
    for (name, which) in [
        ("setScore", 0usize),
        ("setClientScore", 1),
        ("setServerScore", 2),
    ] {
        add(lua, &t, sh, name, move |_, s, a| {
            let n = u32::from(score_arg(a.front(), "score")?);
            let sec = usize::from(s.security());
            if let Some(v) = s.flow.as_deref_mut() {
                match which {
                    0 => v.score.flow = v.score.flow.max(n),
                    1 => v.score.cli[sec] = v.score.cli[sec].max(n),
                    _ => v.score.srv[sec] = v.score.srv[sec].max(n),
                }
            }
            Ok(Value::Nil)
        })?;
    }

    // Peers and classification.
    add(lua, &t, sh, "getClientKey", |lua, s, _| {
        let v = view(s);
        Ok(format!("{}@{}", v.client().0, v.key.vlan).into_lua(lua)?)
    })?;
    add(lua, &t, sh, "getServerKey", |lua, s, _| {
        let v = view(s);
        Ok(format!("{}@{}", v.server().0, v.key.vlan).into_lua(lua)?)
    })?;
    getter(lua, &t, sh, "isClientUnicast", |v| is_unicast(v.client().0))?;
    getter(lua, &t, sh, "isServerUnicast", |v| is_unicast(v.server().0))?;
    getter(lua, &t, sh, "isUnicast", |v| {
        is_unicast(v.client().0) && is_unicast(v.server().0)
    })?;
    getter(lua, &t, sh, "isClientNoIP", |v| {
        v.client().0.is_unspecified()
    })?;
    getter(lua, &t, sh, "isServerNoIP", |v| {
        v.server().0.is_unspecified()
    })?;
    for (name, want) in [
        ("isLocal", (true, true)),
        ("isLocalToRemote", (true, false)),
        ("isRemoteToLocal", (false, true)),
        ("isRemoteToRemote", (false, false)),
    ] {
        add(lua, &t, sh, name, move |_, s, _| {
            let v = view(s);
            let c = is_local(&s.networks, v.client().0);
            let r = is_local(&s.networks, v.server().0);
            Ok(Value::Boolean((c, r) == want))
        })?;
    }
    for name in ["isDeviceProtocolNotAllowed", "hasMaliciousTlsSignature"] {
        getter(lua, &t, sh, name, |_| false)?;
    }
    // Idle (no packet for the engine's idle timeout) but still in the table.
    add(lua, &t, sh, "isNotPurged", |_, s, _| {
        let (now, idle) = {
            let c = s.call.borrow();
            (c.now, c.max_idle_secs)
        };
        let last = view(s).last_seen.as_secs();
        Ok(Value::Boolean(now.saturating_sub(last) > idle))
    })?;
    add(lua, &t, sh, "retrieveExternalAlertInfo", |lua, s, _| {
        let serial = view(s).serial;
        match s.external.remove(&serial) {
            Some(text) => Ok(Value::String(lua.create_string(text)?)),
            None => Ok(Value::Nil),
        }
    })?;
    getter(lua, &t, sh, "isPassVerdict", |_| true)?;
    // GeoIP facts the engine looked up when the hosts were created (nil: unknown).
    for (name, i) in [("getClientCountry", 0), ("getServerCountry", 1)] {
        add(lua, &t, sh, name, move |lua, s, _| {
            match view(s).marks.country.get(i).and_then(|c| c.as_str()) {
                Some(c) => Ok(Value::String(lua.create_string(c)?)),
                None => Ok(Value::Nil),
            }
        })?;
    }
    add(lua, &t, sh, "getServerCipherClass", |_, _, _| {
        Ok(Value::Nil)
    })?;
    getter(lua, &t, sh, "isTwhOK", |v| {
        v.tcp.state & tcp_state::ESTABLISHED != 0
    })?;
    getter(lua, &t, sh, "isBidirectional", |v| {
        v.dir[0].packets > 0 && v.dir[1].packets > 0
    })?;
    getter(lua, &t, sh, "isTCPConnectionRefused", |v| {
        v.tcp.state & tcp_state::RST != 0 && v.tcp.state & tcp_state::ESTABLISHED == 0
    })?;
    getter(lua, &t, sh, "isTCPConnecting", |v| {
        v.key.proto == 6 && weir_flow::info::tcp_connecting(v.tcp.state)
    })?;

    // Counters, time, protocol.
    getter(lua, &t, sh, "getKey", |v| v.serial)?;
    getter(lua, &t, sh, "getHashEntryId", |v| v.serial)?;
    getter(lua, &t, sh, "getFirstSeen", |v| v.first_seen.as_secs())?;
    getter(lua, &t, sh, "getClientPort", |v| v.client().1)?;
    getter(lua, &t, sh, "getClientIp", |v| v.client().0.to_string())?;
    getter(lua, &t, sh, "getServerIp", |v| v.server().0.to_string())?;
    getter(lua, &t, sh, "getServerPort", |v| v.server().1)?;
    getter(lua, &t, sh, "getLastSeen", |v| v.last_seen.as_secs())?;
    getter(lua, &t, sh, "getDuration", FlowView::duration)?;
    getter(lua, &t, sh, "getPacketsSent", |v| v.dir[CLI2SRV].packets)?;
    getter(lua, &t, sh, "getPacketsRcvd", |v| v.dir[SRV2CLI].packets)?;
    getter(lua, &t, sh, "getPackets", FlowView::packets)?;
    getter(lua, &t, sh, "getBytesSent", |v| v.dir[CLI2SRV].bytes)?;
    getter(lua, &t, sh, "getBytesRcvd", |v| v.dir[SRV2CLI].bytes)?;
    getter(lua, &t, sh, "getBytes", FlowView::bytes)?;
    getter(lua, &t, sh, "getGoodputBytes", |v| {
        v.dir[0].goodput_bytes + v.dir[1].goodput_bytes
    })?;
    getter(lua, &t, sh, "getClientTCPIssues", |v| {
        let d = &v.dir[CLI2SRV];
        d.retransmissions
            .saturating_add(d.out_of_order)
            .saturating_add(d.lost)
    })?;
    getter(lua, &t, sh, "getServerTCPIssues", |v| {
        let d = &v.dir[SRV2CLI];
        d.retransmissions
            .saturating_add(d.out_of_order)
            .saturating_add(d.lost)
    })?;
    getter(lua, &t, sh, "getClientRetrPercentage", |v| {
        retr(&v.dir[CLI2SRV])
    })?;
    getter(lua, &t, sh, "getServerRetrPercentage", |v| {
        retr(&v.dir[SRV2CLI])
    })?;
    getter(lua, &t, sh, "getnDPIProtocolName", FlowView::ndpi_name)?;
    getter(lua, &t, sh, "getnDPIAppProtoId", |v| v.l7.app.0)?;
    getter(lua, &t, sh, "getnDPIMasterProtoId", |v| v.l7.master.0)?;
    getter(lua, &t, sh, "getnDPICategoryName", |v| v.l7.category.name())?;
    getter(lua, &t, sh, "getnDPICategoryId", |v| v.l7.category.0)?;
    getter(lua, &t, sh, "getProtoBreed", |_| "Unrated")?;
    getter(lua, &t, sh, "getDnsQuery", |v| {
        v.meta
            .as_ref()
            .filter(|m| m.dns().is_some())
            .and_then(|m| m.server_name.as_deref().map(str::to_owned))
            .unwrap_or_default()
    })?;
    getter(lua, &t, sh, "dnsQueryHasInvalidChars", |v| {
        v.meta
            .as_ref()
            .and_then(|m| m.dns())
            .is_some_and(|d| d.invalid_chars)
    })?;
    getter(lua, &t, sh, "getTLSVersion", |v| {
        v.meta
            .as_ref()
            .and_then(|m| m.tls())
            .map_or(0, weir_flow::info::tls_version)
    })?;
    getter(lua, &t, sh, "getICMPType", |v| {
        if v.key.is_icmp() {
            v.key.b_port.to_be_bytes()[0]
        } else {
            0
        }
    })?;
    getter(lua, &t, sh, "getMaxSeenIcmpPayloadSize", |_| 0)?;
    add(lua, &t, sh, "setCustomInfo", |_, s, a| match a.front() {
        Some(Value::String(st)) => {
            if let Some(v) = s.flow.as_deref_mut() {
                v.custom_info = Some(st.to_string_lossy());
            }
            Ok(Value::Boolean(true))
        }
        other => Err(ApiErr::Misuse(format!(
            "argument #1: string expected, got {}",
            other.map_or("no value", Value::type_name)
        ))),
    })?;
    Ok(t)
}

fn retr(d: &DirStats) -> f64 {
    if d.packets <= 10 {
        0.0
    } else {
        f64::from(d.retransmissions) / d.packets as f64
    }
}
