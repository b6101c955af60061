//! The flow statuses syslog scripts request (`flow_utils.triggerStatusByTuple`):
//! the request type, the sink it goes to, and the `flow_utils` module.

use std::cell::RefCell;
use std::net::IpAddr;
use std::rc::Rc;

use mlua::{Lua, Table, Value};
use serde_json::Value as Json;
use weir_alerts::{Registry, Severity, StatusKey};
use weir_decode::Timestamp;
use weir_flow::{FlowKey, MAX_SCORE, l4_name};

use crate::diag::api_error;
use crate::error::{Misuse, misuse};
use crate::json;
use crate::state::{AlertRef, CallRef, ScriptCtx};

/// How far (seconds) a request's time may lie outside the flow's first and last packet
/// and still match it (clocks of an IDS and of weir differ a little; an event may be
/// logged after the flow's last packet).
pub const FLOW_MATCH_SLACK_SECS: u64 = 60;

/// A flow status a syslog script asked for, by 5-tuple (either direction) and time.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowStatusRequest {
    /// VLAN id (0 = untagged).
    pub vlan: u16,
    /// IP protocol number.
    pub proto: u8,
    /// Source address and port as the event names them.
    pub src: (IpAddr, u16),
    /// Destination address and port.
    pub dst: (IpAddr, u16),
    /// When the event happened (epoch seconds), if the script said.
    pub when: Option<u64>,
    /// The status key (bit).
    pub status: u8,
    /// Alert parameters (the status info).
    pub params: Json,
    /// Flow, client and server score.
    pub scores: [u16; 3],
    /// Severity overriding the status definition's.
    pub severity: Option<Severity>,
    /// Key of the script that asked.
    pub script: String,
    /// The script is in the security category (scores count as security scores).
    pub security: bool,
}

impl FlowStatusRequest {
    /// The canonical key of the flow the request names.
    pub fn key(&self) -> FlowKey {
        FlowKey::new(self.vlan, self.proto, self.src, self.dst).0
    }

    /// True if the flow's lifetime (with [`FLOW_MATCH_SLACK_SECS`] either side) holds
    /// the request's time, or the request has none.
    pub fn matches_time(&self, first_seen: Timestamp, last_seen: Timestamp) -> bool {
        self.when.is_none_or(|w| {
            w.saturating_add(FLOW_MATCH_SLACK_SECS) >= first_seen.as_secs()
                && w <= last_seen.as_secs().saturating_add(FLOW_MATCH_SLACK_SECS)
        })
    }
}

/// Why a flow status request was not taken (no packet interface, queue full): the
/// script gets `false, reason` back.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct FlowStatusRefused(pub String);

impl From<String> for FlowStatusRefused {
    fn from(reason: String) -> FlowStatusRefused {
        FlowStatusRefused(reason)
    }
}

impl From<&str> for FlowStatusRefused {
    fn from(reason: &str) -> FlowStatusRefused {
        FlowStatusRefused(reason.to_owned())
    }
}

/// Takes a request from a syslog script: `Ok` when it was queued for the engines,
/// `Err(reason)` when it could not be (no packet interface, queue full), which the
/// script gets back as `false, reason`.
pub type FlowStatusSink = Box<dyn FnMut(FlowStatusRequest) -> Result<(), FlowStatusRefused>>;

/// The sink cell (kept across reloads).
pub(crate) type SinkRef = Rc<RefCell<Option<FlowStatusSink>>>;

/// `l4_proto` as a name (`"TCP"`, `"udp"`, `"IPv6-ICMP"`) or a number.
fn l4_arg(v: &Value) -> Option<u8> {
    match v {
        Value::Integer(i) => u8::try_from(*i).ok(),
        Value::Number(n) if n.fract() == 0.0 && (0.0..256.0).contains(n) => Some(*n as u8),
        Value::String(s) => {
            let s = s.to_string_lossy().to_ascii_lowercase();
            Some(match s.as_str() {
                "tcp" => 6,
                "udp" => 17,
                "icmp" => 1,
                "ipv6-icmp" | "icmpv6" | "ipv6icmp" => 58,
                "sctp" => 132,
                "gre" => 47,
                "esp" => 50,
                other => other.parse().ok()?,
            })
        }
        _ => None,
    }
}

fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Integer(i) => Some(*i),
        Value::Number(n) if n.is_finite() => Some(n.floor() as i64),
        Value::String(s) => s.to_string_lossy().trim().parse().ok(),
        _ => None,
    }
}

fn score_of(v: &Value, what: &str) -> Result<u16, Misuse> {
    match v {
        Value::Nil => Ok(0),
        Value::Integer(i) => Ok((*i).clamp(0, i64::from(MAX_SCORE)) as u16),
        Value::Number(n) if n.is_finite() => Ok(n.clamp(0.0, f64::from(MAX_SCORE)) as u16),
        other => Err(misuse!(
            "{what}: number expected, got {}",
            other.type_name()
        )),
    }
}

/// The severity a script gave: a severity table (`severity_id`) or its id.
pub(crate) fn severity_of(v: &Value) -> Option<Severity> {
    match v {
        Value::Table(t) => t
            .get::<Option<i64>>("severity_id")
            .ok()
            .flatten()
            .and_then(|i| u8::try_from(i).ok())
            .and_then(Severity::from_id),
        Value::Integer(i) => u8::try_from(*i).ok().and_then(Severity::from_id),
        _ => None,
    }
}

/// Reads the argument table of `flow_utils.triggerStatusByTuple` (see
/// docs/plugins/lua-api.md) into a request.
fn request_from(
    registry: &Registry,
    script: Option<&ScriptCtx>,
    t: &Table,
) -> Result<FlowStatusRequest, Misuse> {
    let get = |k: &str| t.get::<Value>(k).unwrap_or(Value::Nil);
    let ip = |k: &str| -> Result<IpAddr, Misuse> {
        match get(k) {
            Value::String(v) => v
                .to_string_lossy()
                .trim()
                .parse()
                .map_err(|_| misuse!("{k}: not an IP address: {:?}", v.to_string_lossy())),
            other => Err(misuse!(
                "{k}: IP address string expected, got {}",
                other.type_name()
            )),
        }
    };
    let port = |k: &str| -> Result<u16, Misuse> {
        match get(k) {
            Value::Nil => Ok(0),
            v => int_of(&v)
                .and_then(|p| u16::try_from(p).ok())
                .ok_or_else(|| misuse!("{k}: port number expected")),
        }
    };
    let proto_v = match get("l4_proto") {
        Value::Nil => get("proto"),
        v => v,
    };
    let proto = l4_arg(&proto_v).ok_or("l4_proto: protocol name (\"TCP\") or number expected")?;
    let vlan = match get("vlan_id") {
        Value::Nil => 0,
        v => int_of(&v)
            .and_then(|x| u16::try_from(x).ok())
            .filter(|x| *x < 4096)
            .ok_or("vlan_id: 0..4095 expected")?,
    };
    let when = match get("when") {
        Value::Nil => None,
        v => Some(
            int_of(&v)
                .and_then(|x| u64::try_from(x).ok())
                .ok_or("when: epoch seconds expected")?,
        ),
    };
    // The status: a definition (`status_key`), a created status info (`status_type`,
    // whose alert params and severity are used) or a key.
    let status_v = get("status");
    let created = match &status_v {
        Value::Table(st) => st.contains_key("status_type").unwrap_or(false),
        _ => false,
    };
    let key = match &status_v {
        Value::Table(st) => st
            .get::<Option<i64>>("status_key")
            .ok()
            .flatten()
            .or_else(|| {
                st.get::<Option<Table>>("status_type")
                    .ok()
                    .flatten()
                    .and_then(|x| x.get::<Option<i64>>("status_key").ok().flatten())
            }),
        other => int_of(other),
    }
    .ok_or("status: status definition, created status or status key expected")?;
    let status = u8::try_from(key)
        .ok()
        .filter(|k| *k > 0 && *k < 64 && registry.status(StatusKey(*k)).is_some())
        .ok_or_else(|| misuse!("status: unknown status key {key}"))?;
    let (mut params, mut severity) = (Json::Object(Default::default()), None);
    if let (true, Value::Table(st)) = (created, &status_v) {
        if let Ok(v @ Value::Table(_)) = st.get::<Value>("alert_type_params") {
            params = json::to_json(&v);
        }
        severity = st
            .get::<Value>("alert_severity")
            .ok()
            .as_ref()
            .and_then(severity_of);
    }
    match get("status_info") {
        Value::Nil => {}
        v @ Value::Table(_) => params = json::to_json(&v),
        Value::String(x) => params = Json::String(x.to_string_lossy()),
        other => {
            return Err(misuse!(
                "status_info: table or string expected, got {}",
                other.type_name()
            ));
        }
    }
    if let Some(sev) = severity_of(&get("severity")) {
        severity = Some(sev);
    }
    let scores = [
        score_of(&get("flow_score"), "flow_score")?,
        score_of(&get("cli_score"), "cli_score")?,
        score_of(&get("srv_score"), "srv_score")?,
    ];
    let (script, security) = script
        .map(|c| (c.key.to_string(), c.security))
        .unwrap_or_default();
    Ok(FlowStatusRequest {
        vlan,
        proto,
        src: (ip("src_ip")?, port("src_port")?),
        dst: (ip("dst_ip")?, port("dst_port")?),
        when,
        status,
        params,
        scores,
        severity,
        script,
        security,
    })
}

/// Registers the `flow_utils` global and module (`require "flow_utils"`).
pub(crate) fn install(
    lua: &Lua,
    loaded: &Table,
    sink: &SinkRef,
    call: &CallRef,
    alerts: &AlertRef,
) -> mlua::Result<()> {
    let t = lua.create_table()?;
    let (sink, call, alerts) = (sink.clone(), call.clone(), alerts.clone());
    let f = lua.create_function(move |lua, arg: Value| {
        let (Ok(mut sink), Ok(mut c), Ok(mut a)) = (
            sink.try_borrow_mut(),
            call.try_borrow_mut(),
            alerts.try_borrow_mut(),
        ) else {
            return Ok((Value::Nil, Value::Nil));
        };
        const NAME: &str = "flow_utils.triggerStatusByTuple";
        let req = match &arg {
            Value::Table(t) => request_from(&a.registry, c.script.as_ref(), t),
            other => Err(misuse!(
                "argument #1: table expected, got {}",
                other.type_name()
            )),
        };
        let req = match req {
            Ok(r) => r,
            Err(msg) => {
                api_error(lua, &mut c, NAME, &msg.0);
                return Ok((Value::Nil, Value::Nil));
            }
        };
        if a.recording() {
            let name = a
                .registry
                .status(StatusKey(req.status))
                .map(|d| d.name.clone())
                .unwrap_or_default();
            let ev = serde_json::json!({
                "event": "flow_status_request",
                "ts": c.now,
                "when": req.when,
                "flow": format!("{} {}:{} -> {}:{}", l4_name(req.proto),
                    req.src.0, req.src.1, req.dst.0, req.dst.1),
                "vlan_id": req.vlan,
                "status_key": req.status,
                "status": name,
                "script": req.script,
                "flow_score": req.scores[0],
                "params": req.params,
            });
            a.record(ev);
        }
        drop((c, a));
        let r = match sink.as_mut() {
            Some(sink) => sink(req),
            None => Err(FlowStatusRefused::from("no packet interface")),
        };
        Ok(match r {
            Ok(()) => (Value::Boolean(true), Value::Nil),
            Err(why) => (
                Value::Boolean(false),
                Value::String(lua.create_string(&why.0)?),
            ),
        })
    })?;
    t.raw_set("triggerStatusByTuple", f)?;
    loaded.raw_set("flow_utils", t.clone())?;
    lua.globals().raw_set("flow_utils", t)?;
    Ok(())
}
