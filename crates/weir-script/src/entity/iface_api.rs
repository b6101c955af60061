//! The `interface` functions ntopng 4.2 plugins call (spec ntopng42-api.md §4.1):
//! interface names, hash-table and periodic-activity statistics, category ids,
//! dropped alerts, syslog counters, flows fed by syslog scripts, stored and engaged
//! alerts. A wrong argument is an API error (logged with the caller's file:line) and
//! the function returns nil.

use std::net::IpAddr;

use mlua::{Lua, Table, Value};
use weir_alerts::{AlertKey, Entity, EntityKind, FlowAlert, Granularity, Severity, StatusKey};
use weir_flow::Category;

use crate::diag::api_error;
use crate::flow_status::{FlowStatusRequest, SinkRef};
use crate::json;
use crate::state::{AlertRef, CallRef};

use super::iface::IfaceStats;

/// Syslog counters (`interface.incSyslogStats`) and the flows syslog scripts fed
/// (`interface.processFlow`), in the VM's app data; `interface.getStats().syslog`.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct SyslogStats {
    /// The six counters of `incSyslogStats`, accumulated: received events,
    /// malformed, unhandled, alerts, host correlations, collected flows.
    pub(crate) counters: [u64; 6],
    /// Valid `processFlow` tables.
    pub(crate) flows_processed: u64,
    /// Of those, with an `external_alert` handed to the engines.
    pub(crate) external_alerts: u64,
    /// External alerts the engines could not be asked about (no packet interface,
    /// queue full).
    pub(crate) external_alerts_refused: u64,
}

/// Names of [`SyslogStats::counters`] in `getStats().syslog`.
pub(crate) const SYSLOG_KEYS: [&str; 6] = [
    "tot_events",
    "malformed",
    "unhandled",
    "alerts",
    "host_correlations",
    "flows",
];

/// The alert-loss total at the previous `checkDroppedAlerts()`.
#[derive(Default)]
struct DropsSeen(u64);

fn misuse(lua: &Lua, call: &CallRef, func: &str, msg: &str) {
    if let Ok(mut c) = call.try_borrow_mut() {
        api_error(lua, &mut c, func, msg);
    }
}

fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Integer(i) => Some(*i),
        Value::Number(n) if n.is_finite() && n.fract() == 0.0 => Some(*n as i64),
        _ => None,
    }
}

fn num_of(v: &Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Number(n) if n.is_finite() => Some(*n),
        _ => None,
    }
}

fn str_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.to_string_lossy()),
        _ => None,
    }
}

/// Registers the functions of this module in the `interface` table.
pub(crate) fn install(
    lua: &Lua,
    t: &Table,
    call: &CallRef,
    alerts: &AlertRef,
    sink: &SinkRef,
) -> mlua::Result<()> {
    install_names(lua, t, call)?;
    install_stats(lua, t, call, alerts)?;
    install_syslog(lua, t, call, sink)?;
    install_alerts(lua, t, call, alerts)
}

fn install_names(lua: &Lua, t: &Table, call: &CallRef) -> mlua::Result<()> {
    let c = call.clone();
    t.raw_set(
        "select",
        lua.create_function(move |lua, v: Value| {
            match &v {
                Value::String(s) => {
                    let s = s.to_string_lossy();
                    let mut call = c.borrow_mut();
                    let id = match s.trim().parse::<i32>() {
                        Ok(id) => Some(id),
                        Err(_) if s == "__system__" => Some(-1),
                        Err(_) => call
                            .ifnames
                            .iter()
                            .find(|(_, n)| *n == s)
                            .map(|(id, _)| *id),
                    };
                    match id {
                        Some(id) => call.selected = Some(id),
                        None => {
                            drop(call);
                            misuse(
                                lua,
                                &c,
                                "interface.select",
                                &format!("unknown interface {s:?}"),
                            );
                        }
                    }
                }
                other => misuse(
                    lua,
                    &c,
                    "interface.select",
                    &format!(
                        "argument #1: interface name or id string expected, got {}",
                        other.type_name()
                    ),
                ),
            }
            Ok(Value::Nil)
        })?,
    )?;
    let c = call.clone();
    t.raw_set(
        "getIfNames",
        lua.create_function(move |lua, _exclude_viewed: Value| {
            let names = c.borrow().ifnames.clone();
            let r = lua.create_table()?;
            for (id, name) in names.iter() {
                r.raw_set(id.to_string(), name.as_str())?;
            }
            Ok(r)
        })?,
    )?;
    let c = call.clone();
    t.raw_set(
        "getnDPICategoryId",
        lua.create_function(move |lua, v: Value| {
            let Value::String(s) = &v else {
                misuse(
                    lua,
                    &c,
                    "interface.getnDPICategoryId",
                    &format!("argument #1: string expected, got {}", v.type_name()),
                );
                return Ok(Value::Nil);
            };
            let id = Category::from_name(&s.to_string_lossy()).map_or(-1, |c| i64::from(c.0));
            Ok(Value::Integer(id))
        })?,
    )?;
    t.raw_set(
        "getnDPICategoryName",
        lua.create_function(|_, id: Value| {
            Ok(int_of(&id)
                .and_then(|i| u8::try_from(i).ok())
                .map_or("Unspecified", |i| Category(i).name()))
        })?,
    )?;
    Ok(())
}

fn install_stats(lua: &Lua, t: &Table, call: &CallRef, alerts: &AlertRef) -> mlua::Result<()> {
    t.raw_set(
        "getGhostNetworks",
        lua.create_function(|lua, ()| {
            let snap = lua.app_data_ref::<IfaceStats>();
            let r = lua.create_table()?;
            let Some(s) = snap.as_ref() else {
                return Ok(r);
            };
            for (net, g) in s.iface.ghost_nets.iter() {
                let e = lua.create_table()?;
                e.raw_set("flows", g.flows)?;
                e.raw_set("last_seen", g.last_seen)?;
                e.raw_set("num_hosts", g.hosts_seen)?;
                let hosts: Vec<String> = g.hosts.iter().map(ToString::to_string).collect();
                e.raw_set("hosts", lua.create_sequence_from(hosts)?)?;
                r.raw_set(net.to_string(), e)?;
            }
            Ok(r)
        })?,
    )?;
    t.raw_set(
        "getHashTablesStats",
        lua.create_function(|lua, ()| {
            let snap = lua.app_data_ref::<IfaceStats>();
            let empty = weir_flow::Interface::default();
            let i = snap.as_ref().map_or(&empty, |s| &s.iface);
            let r = lua.create_table()?;
            let entry = |max: u64, active: u64, idle: u64| -> mlua::Result<Table> {
                let e = lua.create_table()?;
                e.raw_set("max_hash_size", max)?;
                let st = lua.create_table()?;
                st.raw_set("hash_entry_state_idle", idle)?;
                st.raw_set("hash_entry_state_active", active)?;
                e.raw_set("hash_entry_states", st)?;
                Ok(e)
            };
            // Idle: entries whose idle timeout passed, counted when the engine purged
            // them (flows at the last visit, hosts at the last minute); active: the
            // entries in the table.
            r.raw_set(
                "FlowHash",
                entry(i.max_flows, i.active_flows(), i.flows_idle)?,
            )?;
            r.raw_set(
                "HostHash",
                entry(i.max_hosts, i.hosts_in_table, i.hosts_idle)?,
            )?;
            Ok(r)
        })?,
    )?;
    let c = call.clone();
    t.raw_set(
        "getPeriodicActivitiesStats",
        lua.create_function(move |lua, ifid: Value| {
            match &ifid {
                Value::Nil => {}
                v if int_of(v).is_some() || matches!(v, Value::String(_)) => {}
                other => {
                    misuse(
                        lua,
                        &c,
                        "interface.getPeriodicActivitiesStats",
                        &format!(
                            "argument #1: interface id expected, got {}",
                            other.type_name()
                        ),
                    );
                    return Ok(Value::Nil);
                }
            }
            Ok(Value::Table(crate::ticks::periodic::stats_table(lua)?))
        })?,
    )?;
    let (a, c) = (alerts.clone(), call.clone());
    t.raw_set(
        "checkDroppedAlerts",
        lua.create_function(move |lua, ()| {
            // Each interface's VM answers for its own engine: another interface
            // selected (alerts_drops walks getIfNames) has none here.
            let mine = c.try_borrow().is_ok_and(|c| c.selected_ifid() == c.ifid);
            if !mine {
                return Ok(0);
            }
            let total = a.try_borrow().map_or(0, |s| s.alerts.dropped_total());
            if lua.app_data_ref::<DropsSeen>().is_none() {
                lua.set_app_data(DropsSeen::default());
            }
            let mut seen = lua
                .app_data_mut::<DropsSeen>()
                .ok_or_else(|| mlua::Error::runtime("drop counter missing"))?;
            let n = total.saturating_sub(seen.0);
            seen.0 = total;
            Ok(n)
        })?,
    )?;
    Ok(())
}

fn syslog_stats_mut(lua: &Lua, f: impl FnOnce(&mut SyslogStats)) {
    if lua.app_data_ref::<SyslogStats>().is_none() {
        lua.set_app_data(SyslogStats::default());
    }
    if let Some(mut s) = lua.app_data_mut::<SyslogStats>() {
        f(&mut s);
    }
}

fn install_syslog(lua: &Lua, t: &Table, call: &CallRef, sink: &SinkRef) -> mlua::Result<()> {
    let c = call.clone();
    t.raw_set(
        "incSyslogStats",
        lua.create_function(move |lua, args: mlua::MultiValue| {
            let mut v = [0u64; 6];
            for (i, slot) in v.iter_mut().enumerate() {
                let a = args.get(i).unwrap_or(&Value::Nil);
                match num_of(a) {
                    Some(n) if n >= 0.0 => *slot = n as u64,
                    _ => {
                        misuse(
                            lua,
                            &c,
                            "interface.incSyslogStats",
                            &format!(
                                "argument #{}: non-negative number expected, got {}",
                                i + 1,
                                a.type_name()
                            ),
                        );
                        return Ok(Value::Nil);
                    }
                }
            }
            syslog_stats_mut(lua, |s| {
                for (acc, x) in s.counters.iter_mut().zip(v) {
                    *acc = acc.saturating_add(x);
                }
            });
            Ok(Value::Nil)
        })?,
    )?;
    let (c, sk) = (call.clone(), sink.clone());
    t.raw_set(
        "processFlow",
        lua.create_function(move |lua, v: Value| {
            let Value::Table(f) = &v else {
                misuse(
                    lua,
                    &c,
                    "interface.processFlow",
                    &format!("argument #1: flow table expected, got {}", v.type_name()),
                );
                return Ok(Value::Nil);
            };
            match process_flow(f, &c, &sk) {
                Ok(outcome) => syslog_stats_mut(lua, |s| {
                    s.flows_processed += 1;
                    match outcome {
                        Some(true) => s.external_alerts += 1,
                        Some(false) => s.external_alerts_refused += 1,
                        None => {}
                    }
                }),
                Err(m) => misuse(lua, &c, "interface.processFlow", &m),
            }
            Ok(Value::Nil)
        })?,
    )?;
    Ok(())
}

/// Validates a 4.2 flow table; with an `external_alert`, asks the engines to attach
/// it to the live flow with that 5-tuple (`flow.retrieveExternalAlertInfo()` then
/// returns it). `Ok(None)`: valid, no external alert; `Ok(Some(queued))`.
fn process_flow(f: &Table, call: &CallRef, sink: &SinkRef) -> Result<Option<bool>, String> {
    let field = |k: &str| f.raw_get::<Value>(k).unwrap_or(Value::Nil);
    let ip = |k: &str| -> Result<IpAddr, String> {
        str_of(&field(k))
            .and_then(|s| s.trim().parse().ok())
            .ok_or_else(|| format!("{k}: IP address string expected"))
    };
    let (src, dst) = (ip("src_ip")?, ip("dst_ip")?);
    let port = |k: &str| -> Result<u16, String> {
        match field(k) {
            Value::Nil => Ok(0),
            v => int_of(&v)
                .and_then(|p| u16::try_from(p).ok())
                .ok_or_else(|| format!("{k}: port number expected")),
        }
    };
    let (sport, dport) = (port("src_port")?, port("dst_port")?);
    let proto = match field("l4_proto") {
        Value::Nil => 0,
        Value::String(s) => match s.to_string_lossy().to_ascii_lowercase().as_str() {
            "tcp" => 6,
            "udp" => 17,
            "icmp" => 1,
            "ipv6-icmp" | "icmpv6" => 58,
            other => other
                .parse::<u8>()
                .map_err(|_| format!("l4_proto: unknown protocol {other:?}"))?,
        },
        v => int_of(&v)
            .and_then(|p| u8::try_from(p).ok())
            .ok_or("l4_proto: protocol name or number expected")?,
    };
    let vlan = match field("vlan_id") {
        Value::Nil => 0,
        v => int_of(&v)
            .and_then(|p| u16::try_from(p).ok())
            .ok_or("vlan_id: number expected")?,
    };
    for k in [
        "in_bytes",
        "out_bytes",
        "in_pkts",
        "out_pkts",
        "first_switched",
        "last_switched",
    ] {
        match field(k) {
            Value::Nil => {}
            v if num_of(&v).is_some_and(|n| n >= 0.0) => {}
            _ => return Err(format!("{k}: non-negative number expected")),
        }
    }
    let alert = match field("external_alert") {
        Value::Nil => return Ok(None),
        Value::String(s) => s.to_string_lossy(),
        Value::Table(t) => json::to_json(&Value::Table(t)).to_string(),
        other => {
            return Err(format!(
                "external_alert: JSON text expected, got {}",
                other.type_name()
            ));
        }
    };
    let params: serde_json::Value =
        serde_json::from_str(&alert).map_err(|e| format!("external_alert: invalid JSON ({e})"))?;
    let when = [field("last_switched"), field("first_switched")]
        .iter()
        .find_map(num_of)
        .map(|n| n as u64);
    let script = call
        .borrow()
        .script
        .as_ref()
        .map(|s| s.key.to_string())
        .unwrap_or_default();
    // Status 0 is never a flow status: the engines read such a request as "attach
    // these params to the flow as its external alert" (`Runtime::apply_flow_status`).
    let req = FlowStatusRequest {
        vlan,
        proto,
        src: (src, sport),
        dst: (dst, dport),
        when,
        status: 0,
        params,
        scores: [0; 3],
        severity: None,
        script,
        security: false,
    };
    let Ok(mut s) = sink.try_borrow_mut() else {
        return Ok(Some(false));
    };
    Ok(Some(match s.as_mut() {
        Some(send) => send(req).is_ok(),
        None => false,
    }))
}

/// What `storeAlert`/`storeFlowAlert` return: `{rowid}`, or nil after logging the
/// misuse.
fn rowid_or_nil<T: mlua::IntoLua>(
    lua: &Lua,
    call: &CallRef,
    func: &str,
    r: Result<T, String>,
) -> mlua::Result<Value> {
    match r {
        Ok(id) => {
            let t = lua.create_table()?;
            t.raw_set("rowid", id)?;
            Ok(Value::Table(t))
        }
        Err(m) => {
            misuse(lua, call, func, &m);
            Ok(Value::Nil)
        }
    }
}

fn install_alerts(lua: &Lua, t: &Table, call: &CallRef, alerts: &AlertRef) -> mlua::Result<()> {
    let (c, a) = (call.clone(), alerts.clone());
    t.raw_set(
        "storeAlert",
        lua.create_function(move |lua, args: mlua::MultiValue| {
            rowid_or_nil(lua, &c, "interface.storeAlert", store_alert(&args, &c, &a))
        })?,
    )?;
    let (c, a) = (call.clone(), alerts.clone());
    t.raw_set(
        "storeFlowAlert",
        lua.create_function(move |lua, v: Value| {
            let r = match &v {
                Value::Table(n) => store_flow_alert(n, &c, &a),
                other => Err(format!(
                    "argument #1: flow notification table expected, got {}",
                    other.type_name()
                )),
            };
            rowid_or_nil(lua, &c, "interface.storeFlowAlert", r)
        })?,
    )?;
    let (c, a) = (call.clone(), alerts.clone());
    t.raw_set(
        "getEngagedAlerts",
        lua.create_function(move |lua, args: mlua::MultiValue| {
            let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Nil);
            let kind = int_of(&arg(0))
                .and_then(|i| u8::try_from(i).ok())
                .and_then(EntityKind::from_id);
            let (Some(kind), Some(val)) = (kind, str_of(&arg(1))) else {
                misuse(
                    lua,
                    &c,
                    "interface.getEngagedAlerts",
                    "expected (entity id, entity value string, [type], [severity])",
                );
                return Ok(Value::Nil);
            };
            let ty = int_of(&arg(2)).and_then(|i| u32::try_from(i).ok());
            let sev = int_of(&arg(3)).and_then(|i| u8::try_from(i).ok());
            let out = lua.create_table()?;
            let Ok(s) = a.try_borrow() else {
                return Ok(Value::Table(out));
            };
            let entity = Entity::new(kind, val);
            let mut n = 0;
            for al in s.alerts.engaged_on(&entity, None) {
                if ty.is_some_and(|t| t != al.alert_type.0)
                    || sev.is_some_and(|v| v != al.alert_severity.id())
                {
                    continue;
                }
                let e = lua.create_table()?;
                e.raw_set("alert_type", al.alert_type.0)?;
                e.raw_set("alert_subtype", al.alert_subtype.as_str())?;
                e.raw_set("alert_severity", al.alert_severity.id())?;
                e.raw_set("alert_granularity", al.alert_granularity)?;
                e.raw_set("alert_entity", al.entity.kind.id())?;
                e.raw_set("alert_entity_val", al.entity.value.as_str())?;
                e.raw_set("alert_tstamp", al.alert_tstamp)?;
                e.raw_set("alert_json", al.alert_json.as_str())?;
                n += 1;
                out.raw_set(n, e)?;
            }
            Ok(Value::Table(out))
        })?,
    )?;
    Ok(())
}

/// `storeAlert(tstart, tend, granularity_secs, type, subtype, severity, entity,
/// entity_val, json)`.
fn store_alert(args: &mlua::MultiValue, call: &CallRef, alerts: &AlertRef) -> Result<u64, String> {
    let arg = |i: usize| args.get(i).cloned().unwrap_or(Value::Nil);
    let int = |i: usize, what: &str| {
        int_of(&arg(i)).ok_or_else(|| {
            format!(
                "argument #{} ({what}): integer expected, got {}",
                i + 1,
                arg(i).type_name()
            )
        })
    };
    let text = |i: usize, what: &str| {
        str_of(&arg(i)).ok_or_else(|| {
            format!(
                "argument #{} ({what}): string expected, got {}",
                i + 1,
                arg(i).type_name()
            )
        })
    };
    let tstart = u64::try_from(int(0, "tstart")?).map_err(|_| "argument #1: negative time")?;
    let _tend = int(1, "tend")?;
    let gran = u32::try_from(int(2, "granularity")?).map_err(|_| "argument #3: negative")?;
    let ty = u32::try_from(int(3, "type")?).map_err(|_| "argument #4: negative type")?;
    let subtype = text(4, "subtype")?;
    let sev = u8::try_from(int(5, "severity")?)
        .ok()
        .and_then(Severity::from_id)
        .ok_or("argument #6 (severity): unknown severity id")?;
    let kind = u8::try_from(int(6, "entity")?)
        .ok()
        .and_then(EntityKind::from_id)
        .ok_or("argument #7 (entity): unknown entity id")?;
    let val = text(7, "entity_val")?;
    let js = text(8, "json")?;
    let params: serde_json::Value =
        serde_json::from_str(&js).map_err(|e| format!("argument #9 (json): invalid JSON ({e})"))?;
    let mut info = weir_alerts::TypeInfo::new(AlertKey(ty), sev)
        .params(params)
        .subtype(subtype);
    if let Some(g) = Granularity::from_seconds(gran) {
        info = info.granularity(g);
    }
    let ifid = call.borrow().selected_ifid();
    let mut s = alerts.try_borrow_mut().map_err(|_| "alert engine busy")?;
    let (id, new) = s
        .alerts
        .store_once(ifid, Entity::new(kind, val), info, tstart);
    if new {
        // Endpoint VMs have no tick: hand the alert to the writer now.
        s.alerts.tick(tstart);
    }
    Ok(id)
}

/// `storeFlowAlert(notification)` (§5.4 flow notification).
fn store_flow_alert(n: &Table, call: &CallRef, alerts: &AlertRef) -> Result<u64, String> {
    let field = |k: &str| n.raw_get::<Value>(k).unwrap_or(Value::Nil);
    let int = |k: &str| int_of(&field(k));
    let text = |k: &str| str_of(&field(k)).unwrap_or_default();
    let tstamp = int("alert_tstamp")
        .and_then(|t| u64::try_from(t).ok())
        .ok_or("alert_tstamp: integer expected")?;
    let ty = int("alert_type")
        .and_then(|t| u32::try_from(t).ok())
        .ok_or("alert_type: integer expected")?;
    let status = int("flow_status")
        .and_then(|t| u8::try_from(t).ok())
        .filter(|k| *k < 64)
        .ok_or("flow_status: status key 0..63 expected")?;
    let sev = int("alert_severity")
        .and_then(|t| u8::try_from(t).ok())
        .and_then(Severity::from_id)
        .ok_or("alert_severity: severity id expected")?;
    let proto = int("proto").and_then(|t| u8::try_from(t).ok()).unwrap_or(0);
    let port = |k: &str| int(k).and_then(|p| u16::try_from(p).ok()).unwrap_or(0);
    let (cli, srv) = (text("cli_addr"), text("srv_addr"));
    let mut a = FlowAlert::new(
        AlertKey(ty),
        StatusKey(status),
        sev,
        tstamp,
        proto,
        (&cli, port("cli_port")),
        (&srv, port("srv_port")),
    );
    let u = |k: &str| int(k).and_then(|v| u64::try_from(v).ok()).unwrap_or(0);
    a.ifid = match int("ifid").and_then(|i| i32::try_from(i).ok()) {
        Some(i) => i,
        None => call.borrow().selected_ifid(),
    };
    a.first_seen = int("first_seen")
        .and_then(|v| u64::try_from(v).ok())
        .unwrap_or(tstamp);
    a.score = u32::try_from(u("score")).unwrap_or(u32::MAX);
    a.vlan_id = u16::try_from(u("vlan_id")).unwrap_or(0);
    a.proto_name = text("proto.ndpi");
    a.cli2srv_bytes = u("cli2srv_bytes");
    a.srv2cli_bytes = u("srv2cli_bytes");
    a.cli2srv_packets = u("cli2srv_packets");
    a.srv2cli_packets = u("srv2cli_packets");
    let flag = |k: &str| matches!(field(k), Value::Boolean(true));
    a.cli_localhost = flag("cli_localhost");
    a.srv_localhost = flag("srv_localhost");
    a.cli_blacklisted = flag("cli_blacklisted");
    a.srv_blacklisted = flag("srv_blacklisted");
    a.cli_country = text("cli_country");
    a.srv_country = text("srv_country");
    a.replace_alert = flag("replace_alert");
    a.alert_json = match field("alert_json") {
        Value::String(s) => s.to_string_lossy(),
        Value::Nil => "{}".into(),
        v => json::to_json(&v).to_string(),
    };
    let mut s = alerts.try_borrow_mut().map_err(|_| "alert engine busy")?;
    let (id, new) = s.alerts.store_flow_once(a);
    if new {
        s.alerts.tick(tstamp);
    }
    Ok(id)
}
