//! Reloading plugins without a restart: a new VM, the flow state kept, and a plugin
//! whose new version fails keeps its previous one.

use std::collections::HashMap;
use std::sync::atomic::Ordering;

use crate::error::{Level, Problem};
use crate::info::LoadReport;
use crate::loader::{self, Vm};
use crate::plugin::gather;
use crate::runtime::Runtime;

impl Runtime {
    /// Re-reads every plugin from disk (plugins built into the binary are taken as
    /// they are) and swaps in a new VM. Flow state (in the flow
    /// engine, and the alerted status of live flows here) is kept. A plugin whose new
    /// version has load errors keeps its previous version, and the report says why.
    pub fn reload(&mut self) -> LoadReport {
        self.run_teardowns();
        // Plugins built into the binary never change: they are loaded again as they are.
        let (new_sources, disc) = gather(&self.cfg.sources, &self.cfg.roots);
        crate::runtime::log_replacements(&new_sources);
        let failed_of = |vm: &Vm, disc: &[Problem]| -> HashMap<String, Vec<Problem>> {
            let mut m: HashMap<String, Vec<Problem>> = HashMap::new();
            for p in vm.problems.iter().chain(disc.iter()) {
                if p.level == Level::Error {
                    m.entry(p.plugin.clone()).or_default().push(p.clone());
                }
            }
            m
        };
        let attempt = match loader::build(&self.cfg, &self.parts, &new_sources) {
            Ok(vm) => vm,
            Err(e) => {
                let mut r = self.report();
                r.problems.push(Problem::error(
                    "*",
                    "",
                    format!("reload failed, everything kept: {e}"),
                ));
                return r;
            }
        };
        let failed = failed_of(&attempt, &disc);
        let mut kept: Vec<(String, String)> = Vec::new();
        let mut mixed = new_sources.clone();
        for (key, probs) in &failed {
            if let Some(old) = self.vm.sources.iter().find(|s| &s.key == key) {
                let why: Vec<String> = probs.iter().map(ToString::to_string).collect();
                kept.push((key.clone(), why.join("; ")));
                match mixed.iter_mut().find(|s| &s.key == key) {
                    Some(slot) => *slot = old.clone(),
                    None => mixed.push(old.clone()),
                }
            }
        }
        let mut vm = if kept.is_empty() {
            attempt
        } else {
            drop(attempt);
            mixed.sort_by(|a, b| a.key.cmp(&b.key));
            match loader::build(&self.cfg, &self.parts, &mixed) {
                Ok(vm) => vm,
                Err(e) => {
                    let mut r = self.report();
                    r.problems.push(Problem::error(
                        "*",
                        "",
                        format!("reload failed, everything kept: {e}"),
                    ));
                    return r;
                }
            }
        };
        let mut reload_problems = disc;
        for (key, why) in &kept {
            tracing::warn!(target: "weir_script", plugin = %key, "reload failed, previous version kept: {why}");
            reload_problems.push(Problem::error(
                key,
                "",
                format!("new version not loaded, previous version kept: {why}"),
            ));
            if let Some(p) = vm.plugins.iter_mut().find(|p| &p.key == key) {
                p.kept_previous_version = Some(why.clone());
            }
        }
        self.parts
            .alerts
            .borrow_mut()
            .set_registry(vm.registry.clone());
        self.parts.call.borrow_mut().reload_requested = false;
        self.vm = vm;
        self.apply_settings();
        self.discovery_problems = reload_problems;
        let now = self.last_secs;
        self.report_load_errors(now);
        tracing::info!(target: "weir_script", plugins = self.vm.plugins.len(), "plugins reloaded");
        self.report()
    }

    pub(crate) fn check_reload(&mut self) {
        let flagged = self.reload_flag.swap(false, Ordering::Relaxed);
        let asked = self.parts.call.borrow().reload_requested;
        if flagged || asked {
            self.reload();
        }
    }
}
