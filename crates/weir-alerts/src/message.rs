//! Human-readable alert messages (`msg`).
//!
//! The message of an alert is normally written by its definition's formatter (ntopng
//! 4.2's `i18n_description` function, run by the script runtime) and handed in with
//! [`TypeInfo::msg`](crate::TypeInfo::msg) / [`FlowAlert::msg`](crate::FlowAlert).
//! When a caller gives none — alerts weir raises itself from Rust, definitions
//! without a formatter, rows stored before messages existed — the functions here write
//! one: a sentence for the types weir raises itself, else a generic but readable
//! sentence from the type's title and the alert's fields ([`generic`]). Never raw
//! JSON: nested values are flattened to `key value` pairs.

use serde_json::Value;

use crate::alert::FlowAlert;
use crate::keys::{AlertKey, StatusKey};
use crate::registry::Registry;

/// Params that identify or locate an alert and tell a reader nothing.
const HIDDEN: &[&str] = &["alert_generation", "ntopng.key", "hash_entry_id"];

/// Longest message written by [`generic`] (characters), ellipsis included.
pub const MAX_GENERIC_CHARS: usize = 400;

/// The message of an alert of type `key`: the sentence of a type weir raises itself,
/// else [`generic`] from the registered title.
pub fn alert_message(registry: &Registry, key: AlertKey, subtype: &str, params: &Value) -> String {
    let name = registry.alert_name(key).unwrap_or("");
    if let Some(m) = builtin_sentence(name, subtype, params) {
        return m;
    }
    let title = registry
        .alert(key)
        .map(|t| readable_title(&t.title, &t.name))
        .unwrap_or_else(|| format!("Alert type {}", key.0));
    generic(&title, subtype, params)
}

/// The message of a flow alert given without one: the status's description when it
/// is plain text, else [`generic`] from the status title and the status info.
pub fn flow_message(registry: &Registry, alert: &FlowAlert) -> String {
    let params: Value = serde_json::from_str(&alert.alert_json).unwrap_or(Value::Null);
    flow_status_message(registry, alert.flow_status, alert.alert_type, &params)
}

/// [`flow_message`] from its parts: the status, its alert type and the status info.
pub fn flow_status_message(
    registry: &Registry,
    status: StatusKey,
    alert_type: AlertKey,
    params: &Value,
) -> String {
    match registry.status(status) {
        Some(s) => {
            if let Some(d) = s.description.as_deref().filter(|d| !looks_like_key(d)) {
                return d.to_owned();
            }
            generic(&readable_title(&s.title, &s.name), "", params)
        }
        None => alert_message(registry, alert_type, "", params),
    }
}

/// A title to show: `title` unless it is an untranslated i18n key
/// (`"example.alert_title"`), then the type name without its `alert_`/`status_`
/// prefix, underscores as spaces, first letter upper case.
pub fn readable_title(title: &str, name: &str) -> String {
    if !title.trim().is_empty() && !looks_like_key(title) {
        return title.to_owned();
    }
    let base = name
        .strip_prefix("alert_")
        .or_else(|| name.strip_prefix("status_"))
        .unwrap_or(name)
        .replace('_', " ");
    let mut c = base.trim().chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => "Alert".to_owned(),
    }
}

/// True for an i18n key (`a.b_c`): dotted words, no spaces.
pub fn looks_like_key(s: &str) -> bool {
    s.contains('.')
        && !s.contains(' ')
        && s.split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
}

/// A generic sentence: `Title (subtype): key value, key value`, nested objects
/// flattened with dotted keys, identification fields left out, cut at
/// [`MAX_GENERIC_CHARS`].
pub fn generic(title: &str, subtype: &str, params: &Value) -> String {
    let mut out = title.trim().to_owned();
    if out.is_empty() {
        out.push_str("Alert");
    }
    if !subtype.is_empty() {
        out.push_str(&format!(" ({subtype})"));
    }
    let mut fields = Vec::new();
    flatten("", params, 0, &mut fields);
    if !fields.is_empty() {
        out.push_str(": ");
        out.push_str(&fields.join(", "));
    }
    cut(out, MAX_GENERIC_CHARS)
}

fn cut(s: String, max: usize) -> String {
    if s.chars().count() <= max {
        return s;
    }
    let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
    t.push('…');
    t
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::Bool(b) => Some(if *b { "yes" } else { "no" }.to_owned()),
        Value::Number(n) => Some(n.to_string()),
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s.clone()),
        Value::Array(a) => {
            let items: Vec<String> = a.iter().filter_map(scalar).collect();
            (!items.is_empty()).then(|| items.join(" "))
        }
        Value::Object(_) => None,
    }
}

fn flatten(prefix: &str, v: &Value, depth: usize, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                if depth == 0 && HIDDEN.contains(&k.as_str()) {
                    continue;
                }
                let key = if prefix.is_empty() {
                    k.replace('_', " ")
                } else {
                    format!("{prefix} {}", k.replace('_', " "))
                };
                if depth < 3 {
                    flatten(&key, v, depth + 1, out);
                }
            }
        }
        other => {
            if let Some(s) = scalar(other) {
                if prefix.is_empty() {
                    out.push(s);
                } else {
                    out.push(format!("{prefix} {s}"));
                }
            }
        }
    }
}

fn num(p: &Value, k: &str) -> String {
    match p.get(k) {
        Some(v) => scalar(v).unwrap_or_else(|| "?".into()),
        None => "?".into(),
    }
}

/// The sentences of the core types weir raises from Rust (see [`crate::builtin`]),
/// for the params weir gives them.
fn builtin_sentence(name: &str, subtype: &str, p: &Value) -> Option<String> {
    let s = match name {
        "alert_dropped_alerts" if p.get("dropped").is_some() => format!(
            "{} alerts could not be {} ({}: {})",
            num(p, "dropped"),
            num(p, "stage"),
            num(p, "sink"),
            num(p, "reason")
        ),
        "alert_dropped_alerts" if p.get("num_dropped").is_some() => format!(
            "{} alerts were dropped on interface {}",
            num(p, "num_dropped"),
            num(p, "ifid")
        ),
        "alert_internals" if subtype == crate::builtin::SUBTYPE_USER_SCRIPT_ERROR => {
            let mut s = String::from("User script error");
            if let Some(f) = p.get("file").and_then(scalar) {
                s.push_str(&format!(" in {f}"));
                if let Some(l) = p.get("line").and_then(scalar) {
                    s.push_str(&format!(":{l}"));
                }
            }
            if let Some(e) = p.get("error").and_then(scalar) {
                s.push_str(&format!(": {e}"));
            }
            s
        }
        "alert_too_many_drops" if p.get("what").is_some() => format!(
            "{} {} dropped (queue of {})",
            num(p, "drops"),
            num(p, "what"),
            num(p, "queue_size")
        ),
        "alert_too_many_drops" if p.get("drop_perc").is_some() => format!(
            "{} packets dropped ({}%, threshold {}%)",
            num(p, "drops"),
            num(p, "drop_perc"),
            num(p, "edge")
        ),
        _ => return None,
    };
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin;
    use serde_json::json;

    #[test]
    fn every_core_type_gets_a_readable_message_without_json() {
        let r = Registry::with_builtins();
        let params = json!({"metric": "flows", "value": 120, "nested": {"a": 1, "b": [1, 2]},
            "alert_generation": {"script_key": "x"}, "ntopng.key": 5});
        for t in r.alerts() {
            for p in [Value::Null, json!({}), params.clone()] {
                let m = alert_message(&r, t.key, "", &p);
                assert!(!m.trim().is_empty(), "{}", t.name);
                assert!(
                    !m.contains('{') && !m.contains('"'),
                    "{}: raw JSON in {m:?}",
                    t.name
                );
                assert!(!m.contains("alerts_dashboard."), "{}: {m}", t.name);
                assert!(!m.contains("script_key"), "{}: {m}", t.name);
            }
        }
        for s in r.statuses() {
            let m = flow_status_message(&r, s.key, s.alert_type.unwrap_or(AlertKey(0)), &params);
            assert!(!m.trim().is_empty() && !m.contains('{'), "{}: {m}", s.name);
        }
    }

    #[test]
    fn generic_sentences_read_as_text() {
        let m = generic(
            "Flows flood",
            "syn",
            &json!({"metric": "flows", "value": 120, "tls": {"issuer": "CA"}, "ok": true}),
        );
        assert_eq!(
            m,
            "Flows flood (syn): metric flows, ok yes, tls issuer CA, value 120"
        );
        assert_eq!(generic("Login failed", "", &json!({})), "Login failed");
        let long = generic("T", "", &json!({"x": "y".repeat(1000)}));
        assert_eq!(long.chars().count(), MAX_GENERIC_CHARS);
        assert_eq!(
            readable_title("example.alert_title", "alert_example"),
            "Example"
        );
        assert_eq!(
            readable_title("EXE download", "alert_exe_download"),
            "EXE download"
        );
        assert!(looks_like_key("high_latency.status_description"));
        assert!(!looks_like_key("Flow to port 80."));
    }

    #[test]
    fn sentences_of_the_types_weir_raises() {
        let r = Registry::with_builtins();
        let m = alert_message(
            &r,
            builtin::DROPPED_ALERTS,
            "store",
            &json!({"dropped": 3, "sink": "store", "stage": "stored", "reason": "full"}),
        );
        assert_eq!(m, "3 alerts could not be stored (store: full)");
        let m = alert_message(
            &r,
            builtin::INTERNALS,
            builtin::SUBTYPE_USER_SCRIPT_ERROR,
            &json!({"file": "a/b.lua", "line": 3, "error": "boom"}),
        );
        assert_eq!(m, "User script error in a/b.lua:3: boom");
        let m = alert_message(
            &r,
            builtin::TOO_MANY_DROPS,
            builtin::SUBTYPE_SYSLOG_QUEUE,
            &json!({"drops": 7, "what": "syslog messages", "queue_size": 10}),
        );
        assert_eq!(m, "7 syslog messages dropped (queue of 10)");
    }
}
