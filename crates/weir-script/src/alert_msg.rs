//! Alert messages (`msg`) from the definitions' formatters: ntopng 4.2's
//! `i18n_description` (a formatter function, an i18n key or literal text), run in the
//! VM that raised the alert (`lua/definitions/message.lua`). Without a formatter
//! the message is weir-alerts' generic sentence from the translated title and the
//! params ([`weir_alerts::message::generic`]). A formatter that fails or returns
//! nothing falls back the same way: raising the alert never depends on it.

use mlua::{Function, Lua, Table, Value};
use weir_alerts::{Entity, EntityKind, Granularity};

use crate::flow_view::{Candidate, FlowView};
use crate::json;
use crate::state::{AlertRef, CallRef};
use crate::vm::Parts;

/// Name of the message function in the Lua registry.
const KEY: &str = "weir.alert_message";

/// The Lua half, `message(kind, def, ifid, alert, params) -> msg?, title?`.
const MESSAGE_LUA: &str = include_str!("lua/definitions/message.lua");

/// Installs the message function of a VM (after its definitions).
pub(crate) fn install(lua: &Lua, w: &Table) -> mlua::Result<()> {
    let f: Function = lua
        .load(MESSAGE_LUA)
        .set_name("=weir/definitions/message.lua")
        .set_mode(mlua::chunk::ChunkMode::Text)
        .call(w.clone())?;
    lua.set_named_registry_value(KEY, f)
}

/// What the formatter is told about the alert (its `alert` argument).
pub(crate) struct AlertFields<'a> {
    pub alert_type: i64,
    pub subtype: &'a str,
    pub entity: Option<&'a Entity>,
    pub severity: i64,
    pub granularity: Option<Granularity>,
}

/// The message of an alert of definition `def` (`kind` `"alert"`, an
/// `alert_consts.alert_types` entry; `"status"`, a `flow_consts.status_types` one)
/// — a status may be given by name — with `params`, or `None` in a VM without
/// definitions.
pub(crate) fn format(
    lua: &Lua,
    kind: &str,
    def: Value,
    ifid: i32,
    a: &AlertFields<'_>,
    params: &Value,
    known: Option<&serde_json::Value>,
) -> Option<String> {
    let f: Function = lua.named_registry_value(KEY).ok()?;
    let json = match known {
        Some(j) => std::borrow::Cow::Borrowed(j),
        None => std::borrow::Cow::Owned(json::to_json(params)),
    };
    let text = serde_json::to_string(json.as_ref()).ok();
    let (kind_id, value) = a.entity.map_or((None, None), |e| {
        (Some(e.kind.id()), Some(e.value.as_str()))
    });
    let (msg, title): (Option<String>, Option<String>) = f
        .call((
            kind,
            def,
            ifid,
            params.clone(),
            (
                a.alert_type,
                a.subtype,
                a.severity,
                a.granularity.map_or(0, Granularity::seconds),
                kind_id,
                value,
                text,
            ),
        ))
        .unwrap_or((None, None));
    if let Some(m) = msg.map(|m| clean(&m)).filter(|m| !m.is_empty()) {
        return Some(m);
    }
    let name = weir_alerts::message::readable_title(title.as_deref().unwrap_or(""), "");
    Some(weir_alerts::message::generic(
        &name,
        a.subtype,
        json.as_ref(),
    ))
}

/// A formatter's text as plain text: HTML tags removed, the usual entities decoded,
/// runs of white space made one space, no space at either end.
fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut space = false;
    while let Some(c) = rest.chars().next() {
        let mut step = c.len_utf8();
        let ch = match c {
            '<' => match rest.find('>') {
                Some(end) => {
                    rest = &rest[end + 1..];
                    continue;
                }
                None => Some('<'),
            },
            '&' => {
                let ent = [
                    ("&nbsp;", ' '),
                    ("&amp;", '&'),
                    ("&lt;", '<'),
                    ("&gt;", '>'),
                    ("&quot;", '"'),
                    ("&#39;", '\''),
                ]
                .into_iter()
                .find(|(e, _)| rest.starts_with(e));
                match ent {
                    Some((e, ch)) => {
                        step = e.len();
                        Some(ch)
                    }
                    None => Some('&'),
                }
            }
            c => Some(c),
        };
        rest = &rest[step..];
        match ch {
            Some(c) if c.is_whitespace() => space = !out.is_empty(),
            Some(c) => {
                if space {
                    out.push(' ');
                    space = false;
                }
                out.push(c);
            }
            None => {}
        }
    }
    out
}

fn int(t: &Table, k: &str) -> Option<i64> {
    match t.get::<Value>(k).ok()? {
        Value::Integer(i) => Some(i),
        Value::Number(n) if n.fract() == 0.0 => Some(n as i64),
        _ => None,
    }
}

/// The message of an `alerts_api.trigger`/`store` call, before the call itself
/// borrows the alert state: `None` for a release, for a trigger of an alert already
/// engaged (its message was written when it engaged), or when the arguments are not
/// what the call accepts (the call reports that).
pub(crate) fn for_call(
    lua: &Lua,
    alerts: &AlertRef,
    call: &CallRef,
    action: &str,
    ent: &Value,
    ti: &Value,
) -> Option<String> {
    if action == "release" {
        return None;
    }
    let (Value::Table(ent), Value::Table(ti)) = (ent, ti) else {
        return None;
    };
    let def: Table = ti.get::<Option<Table>>("alert_type").ok().flatten()?;
    let key = int(&def, "alert_key")?;
    let kind = ent
        .get::<Option<Table>>("alert_entity")
        .ok()
        .flatten()
        .and_then(|e| int(&e, "entity_id"))
        .and_then(|i| u8::try_from(i).ok())
        .and_then(EntityKind::from_id)?;
    let value: String = ent
        .get::<Option<String>>("alert_entity_val")
        .ok()
        .flatten()
        .unwrap_or_default();
    let entity = Entity::new(kind, value);
    let subtype: String = ti
        .get::<Option<String>>("alert_subtype")
        .ok()
        .flatten()
        .unwrap_or_default();
    let gran = match ti.get::<Value>("alert_granularity").unwrap_or(Value::Nil) {
        Value::Table(t) => int(&t, "granularity_id")
            .and_then(|i| u8::try_from(i).ok())
            .and_then(Granularity::from_id),
        Value::String(n) => Granularity::from_name(&n.to_string_lossy()),
        _ => None,
    };
    if action == "trigger" {
        let (g, k) = (gran?, u32::try_from(key).ok()?);
        let engaged = alerts.try_borrow().ok().is_none_or(|s| {
            s.alerts
                .is_engaged(&entity, weir_alerts::AlertKey(k), &subtype, g)
        });
        if engaged {
            return None;
        }
    }
    let severity = match ti.get::<Value>("alert_severity").unwrap_or(Value::Nil) {
        Value::Table(t) => int(&t, "severity_id").unwrap_or(0),
        _ => 0,
    };
    let ifid = call.try_borrow().map_or(0, |c| c.ifid);
    let params = ti.get::<Value>("alert_type_params").unwrap_or(Value::Nil);
    format(
        lua,
        "alert",
        Value::Table(def),
        ifid,
        &AlertFields {
            alert_type: key,
            subtype: &subtype,
            entity: Some(&entity),
            severity,
            granularity: gran,
        },
        &params,
        None,
    )
}

/// The message of the flow alert `c` is about to raise on flow `v` (the status's
/// formatter with the status info), computed before the alert borrows the flow and
/// alert state; `None` when no alert will be raised (the flow already alerted with
/// a score as high) or the status is unknown.
pub(crate) fn for_flow(lua: &Lua, parts: &Parts, v: &FlowView, c: &Candidate) -> Option<String> {
    let prev = parts
        .flow
        .try_borrow()
        .ok()?
        .alerted
        .get(&v.serial)
        .map_or(0, |p| p.1);
    if c.score <= prev {
        return None;
    }
    let (name, alert_type, severity) = {
        let s = parts.alerts.try_borrow().ok()?;
        let st = s.registry.status(weir_alerts::StatusKey(c.status))?;
        let sev = c.severity.or(st.severity).map_or(0, |s| i64::from(s.id()));
        (st.name.clone(), st.alert_type?, sev)
    };
    let ifid = parts.call.try_borrow().map_or(0, |c| c.ifid);
    let params = json::to_lua(lua, &c.params).ok()?;
    let name = lua.create_string(&name).ok()?;
    format(
        lua,
        "status",
        Value::String(name),
        ifid,
        &AlertFields {
            alert_type: i64::from(alert_type.0),
            subtype: "",
            entity: Some(&Entity::flow()),
            severity,
            granularity: None,
        },
        &params,
        Some(&c.params),
    )
}

#[cfg(test)]
mod tests {
    use super::clean;

    #[test]
    fn clean_keeps_the_text_of_html() {
        assert_eq!(clean("plain text"), "plain text");
        assert_eq!(
            clean("  <b>10.0.0.1</b>&nbsp;asked\n\t<i>x.example</i> &amp; more  "),
            "10.0.0.1 asked x.example & more"
        );
        assert_eq!(
            clean("a &lt;b&gt; &quot;c&quot; &#39;d&#39; &copy;"),
            "a <b> \"c\" 'd' &copy;"
        );
        assert_eq!(clean("unclosed <tag and é"), "unclosed <tag and é");
        assert_eq!(clean("<br><br>"), "");
        assert_eq!(clean("   "), "");
    }
}
