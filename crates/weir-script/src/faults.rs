//! Failure handling: every script error is logged with file:line, counted, reported
//! with the built-in user-script-error alert, and N failures in a row disable the
//! script until reload.

use mlua::Value;
use serde_json::Value as Json;
use weir_alerts::{Entity, Severity, TypeInfo, builtin};

use crate::error::{Level, Problem, find_location};
use crate::runtime::Runtime;

impl Runtime {
    /// Each load error also raises the built-in user-script-error alert.
    pub(crate) fn report_load_errors(&mut self, now: u64) {
        let errs: Vec<Problem> = self
            .discovery_problems
            .iter()
            .chain(self.vm.problems.iter())
            .filter(|p| p.level == Level::Error)
            .cloned()
            .collect();
        for p in errs {
            tracing::warn!(target: "weir_script", plugin = %p.plugin, "{p}");
            let params = serde_json::json!({
                "plugin": p.plugin, "file": p.path(),
                "line": p.line, "error": p.message, "stage": "load",
            });
            self.internal_alert(params, now);
        }
    }

    pub(crate) fn internal_alert(&mut self, params: Json, now: u64) {
        let ifid = self.parts.call.borrow().ifid;
        let mut s = self.parts.alerts.borrow_mut();
        let info = TypeInfo::new(builtin::INTERNALS, Severity::Error)
            .subtype(builtin::SUBTYPE_USER_SCRIPT_ERROR)
            .params(params.clone());
        s.alerts.store(Entity::interface(ifid), info, now);
        let mut ev = serde_json::json!({
            "event": "alert", "action": "store", "alert_type": builtin::INTERNALS.0,
            "alert_subtype": builtin::SUBTYPE_USER_SCRIPT_ERROR, "alert_entity": 0,
            "alert_entity_val": ifid.to_string(), "ts": now,
        });
        ev["params"] = params;
        s.record(ev);
    }

    pub(crate) fn handle_faults(&mut self) {
        let faults = std::mem::take(&mut self.faults);
        for (idx, text) in faults {
            self.fault(idx, text);
        }
    }

    pub(crate) fn fault(&mut self, idx: usize, text: String) {
        let now = self.last_secs;
        let max = self.cfg.max_failures.max(1);
        let Some(sc) = self.vm.scripts.get_mut(idx) else {
            return;
        };
        if sc.info.disabled {
            return;
        }
        sc.info.errors += 1;
        sc.info.consecutive_failures += 1;
        sc.info.last_error = Some(text.clone());
        let disable = sc.info.consecutive_failures >= max;
        let (plugin, key) = (sc.info.plugin.clone(), sc.info.key.clone());
        let (file, line) = match find_location(&text) {
            Some((f, l)) => (f, Some(l)),
            None => (format!("{}/{}", sc.ctx.base, sc.info.file), None),
        };
        if sc.info.errors <= 10 || disable {
            tracing::warn!(target: "weir_script", plugin = %plugin, script = %key, errors = sc.info.errors, "user script error: {text}");
        }
        let alert_due = disable || sc.last_alert.is_none_or(|t| now >= t + 60);
        let consecutive = sc.info.consecutive_failures;
        if disable {
            tracing::warn!(target: "weir_script", plugin = %plugin, script = %key, "script disabled after {consecutive} consecutive failures (until reload)");
            self.disable_script(
                idx,
                format!("disabled after {consecutive} consecutive failures"),
            );
        }
        let Some(sc) = self.vm.scripts.get_mut(idx) else {
            return;
        };
        if alert_due {
            sc.last_alert = Some(now);
        }
        if text.contains("memory") || disable {
            let _ = self.vm.lua.gc_collect();
        }
        {
            let mut s = self.parts.alerts.borrow_mut();
            s.record(serde_json::json!({
                "event": "script_error", "ts": now, "plugin": plugin, "script": key,
                "file": file, "line": line, "error": text,
                "consecutive_failures": consecutive, "disabled": disable,
            }));
        }
        if alert_due {
            let params = serde_json::json!({
                "plugin": plugin, "script_key": key, "file": file, "line": line,
                "error": text, "consecutive_failures": consecutive, "disabled": disable,
                "stage": "hook",
            });
            self.internal_alert(params, now);
        }
    }

    /// Disables script `idx` until reload and drops what it holds: its hooks leave
    /// the lists, its globals and its script table are cleared (the closures and
    /// their upvalues go with them) so the collector frees its state.
    pub(crate) fn disable_script(&mut self, idx: usize, reason: String) {
        let Some(sc) = self.vm.scripts.get_mut(idx) else {
            return;
        };
        sc.info.disabled = true;
        sc.info.active = false;
        sc.info.inactive_reason = Some(reason);
        for list in &mut self.vm.hooks {
            list.retain(|e| e.script != idx);
        }
        for lists in &mut self.vm.entity_hooks {
            for list in lists.iter_mut() {
                list.retain(|e| e.script != idx);
            }
        }
        self.vm.syslog.retain(|_, (i, _, _)| *i != idx);
        self.pending_teardown.retain(|i| *i != idx);
        for t in [sc.env.clone(), sc.table.clone()] {
            let keys: Vec<Value> = t
                .pairs::<Value, Value>()
                .filter_map(|p| p.ok().map(|(k, _)| k))
                .filter(|k| !matches!(k, Value::String(s) if s == "key"))
                .collect();
            for k in keys {
                let _ = t.raw_set(k, Value::Nil);
            }
        }
        sc.teardown = None;
    }
}
