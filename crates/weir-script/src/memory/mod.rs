//! Memory without death spirals.
//!
//! One VM serves every script of an engine thread, so a script that keeps state that
//! grows with traffic (a table entry per source address) would fill the VM up to its
//! cap, after which every allocation of every script runs Lua's emergency full
//! collection and the scripts fail one after another. Three things prevent that:
//!
//! - **GC between batches**: [`Runtime::after_batch`] runs a collector step (a minor
//!   collection in generational mode) once enough was allocated since the previous
//!   one, and the full collection Lua would run inside a hook once the heap doubled
//!   (at 7/4 of what the previous one left), so collection work happens between frame
//!   batches rather than inside hooks.
//! - **Per-script budgets**: when the VM's use passes a high-water mark
//!   ([`HIGH_WATER_PERCENT`] of the cap) after a full collection, the memory each
//!   script keeps is measured — a bounded walk of what its environment table, its
//!   script table and the upvalues of its functions reach, objects shared by every
//!   script (globals, built-in modules) left out, each object counted once — and a
//!   script keeping more than its budget is stopped alone: disabled, its state
//!   dropped so the collector frees it, counted, logged and alerted (the built-in
//!   user-script-error alert, `stage` `memory`).
//! - **Memory bombs**: the count hook stops a call that goes past the soft limit
//!   (90% of the cap). Before it does, it runs one full collection: the garbage left
//!   by an earlier call is not held against the script running now.
//!
//! Sizes are estimates of Lua 5.4's own object sizes (table headers, array slots,
//! hash nodes, string bytes, closures and their upvalues): what matters is which
//! script keeps how much, not the exact byte.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use mlua::{Function, Lua, MultiValue, Table, Value};

use crate::runtime::Runtime;

pub(crate) mod guard;

use guard::high_water;
pub use guard::{HIGH_WATER_PERCENT, MemoryStats};

/// A collector step runs after a batch only when at least this much was allocated
/// since the previous step.
const STEP_MIN_BYTES: usize = 256 << 10;

/// Full collections between batches start once the VM uses 7/4 of this much (and 7/4
/// of what the previous one left).
const FULL_MIN_BYTES: usize = 8 << 20;

/// At most one budget check (a full collection, and past the high-water mark a walk
/// of the scripts' state) in this much wall time…
const CHECK_EVERY: Duration = Duration::from_secs(1);

/// …unless the VM is past this percentage of its limit (the count hook stops calls
/// at 90 %).
const URGENT_PERCENT: usize = 80;

/// Most objects the walk visits per script; past it the size is a lower bound.
const MAX_OBJECTS: usize = 2_000_000;

/// Most objects the walk of the shared state (globals and modules) visits.
const MAX_SHARED_OBJECTS: usize = 1_000_000;

/// The memory one script keeps, as measured.
#[derive(Debug, Clone)]
pub(crate) struct Retained {
    /// Estimated bytes.
    pub bytes: u64,
    /// The walk stopped at [`MAX_OBJECTS`]: `bytes` is a lower bound.
    pub capped: bool,
    /// What holds most of it (`upvalue 'seen' (plugins/x/…/leak.lua:3)`) and how much.
    pub top: Option<(String, u64)>,
}

impl Runtime {
    /// Between two frame batches: a collector step when enough was allocated since
    /// the previous one, and — when the VM is past its high-water mark — the
    /// per-script budget check that stops a script keeping too much (see the module
    /// docs). Call it after each batch; it costs nothing when little happened.
    pub fn after_batch(&mut self) {
        let lua = &self.vm.lua;
        let guard = &self.vm.budget.mem;
        let used = lua.used_memory();
        let last_full = guard.last_full.get();
        if last_full == 0 {
            guard.last_full.set(used.max(FULL_MIN_BYTES));
        } else if used >= last_full / 4 * 7 {
            // Generational Lua runs a major collection once the heap doubles since the
            // last one, inside whichever call allocates then: run it here instead.
            let _ = lua.gc_collect();
            guard.full.set(guard.full.get() + 1);
            guard.last_full.set(lua.used_memory().max(FULL_MIN_BYTES));
        } else if used >= guard.last_step.get().saturating_add(STEP_MIN_BYTES) {
            let _ = lua.gc_step();
            guard.steps.set(guard.steps.get() + 1);
        }
        let used = lua.used_memory();
        guard.last_step.set(used);
        // At most one check a second, unless the VM nears the count hook's soft limit.
        if used >= guard.next_check.get()
            && (used >= guard.limit / 100 * URGENT_PERCENT
                || guard
                    .last_check
                    .get()
                    .is_none_or(|t| t.elapsed() >= CHECK_EVERY))
        {
            self.check_memory();
        }
    }

    /// What the memory guard did so far.
    pub fn memory_stats(&self) -> MemoryStats {
        let g = &self.vm.budget.mem;
        MemoryStats {
            used_bytes: self.vm.lua.used_memory() as u64,
            limit_bytes: g.limit as u64,
            gc_steps: g.steps.get(),
            gc_full: g.full.get(),
            budget_checks: g.checks.get(),
            scripts_stopped: g.stops.get(),
            hook_collections: g.hook_collections.get(),
        }
    }

    /// The budget of script `idx`, bytes.
    fn memory_budget(&self, idx: usize) -> usize {
        let sc = &self.vm.scripts[idx];
        let full = format!("{}/{}", sc.info.subdir, sc.info.key);
        self.cfg
            .memory_budgets
            .get(&full)
            .or_else(|| self.cfg.memory_budgets.get(&sc.info.key))
            .copied()
            .unwrap_or_else(|| self.cfg.default_memory_budget())
    }

    /// Full collection; past the high-water mark, measures each script's state and
    /// stops those over budget.
    pub(crate) fn check_memory(&mut self) {
        let guard = &self.vm.budget.mem;
        guard.checks.set(guard.checks.get() + 1);
        guard.last_check.set(Some(Instant::now()));
        let lua = &self.vm.lua;
        let _ = lua.gc_collect();
        let high = high_water(guard.limit);
        let used = lua.used_memory();
        if used >= high {
            let t0 = Instant::now();
            let sizes = measure(lua, &self.vm.scripts);
            tracing::debug!(target: "weir_script", used_kib = used / 1024, "measured the scripts' memory in {:?}", t0.elapsed());
            for (idx, r) in sizes.into_iter().enumerate() {
                let Some(r) = r else { continue };
                let budget = self.memory_budget(idx);
                if r.bytes > budget as u64 {
                    self.stop_for_memory(idx, &r, budget);
                }
            }
            let _ = self.vm.lua.gc_collect();
        }
        let guard = &self.vm.budget.mem;
        let used = self.vm.lua.used_memory();
        guard.last_step.set(used);
        guard.last_full.set(used.max(FULL_MIN_BYTES));
        guard
            .next_check
            .set(high.max(used.saturating_add(guard.limit / 10)));
    }

    /// Disables script `idx` for keeping `r` (over `budget`), drops its state, logs,
    /// counts and alerts.
    fn stop_for_memory(&mut self, idx: usize, r: &Retained, budget: usize) {
        let now = self.last_secs;
        let guard = &self.vm.budget.mem;
        guard.stops.set(guard.stops.get() + 1);
        let Some(sc) = self.vm.scripts.get(idx) else {
            return;
        };
        let (plugin, key) = (sc.info.plugin.clone(), sc.info.key.clone());
        let file = format!("{}/{}", sc.ctx.base, sc.info.file);
        let held = match &r.top {
            Some((what, b)) => format!("; most of it ({}) in {what}", mib(*b)),
            None => String::new(),
        };
        let line = r
            .top
            .as_ref()
            .and_then(|(what, _)| crate::error::find_location(what))
            .map(|(_, l)| l);
        let text = format!(
            "{file}: memory budget exceeded: the script keeps {}{} (budget {}){held}; stopped and its state dropped",
            if r.capped { "at least " } else { "" },
            mib(r.bytes),
            mib(budget as u64),
        );
        tracing::warn!(target: "weir_script", plugin = %plugin, script = %key, "{text}");
        self.disable_script(
            idx,
            format!("stopped: over its memory budget of {}", mib(budget as u64)),
        );
        if let Some(sc) = self.vm.scripts.get_mut(idx) {
            sc.info.errors += 1;
            sc.info.last_error = Some(text.clone());
            sc.last_alert = Some(now);
        }
        {
            let mut s = self.parts.alerts.borrow_mut();
            s.record(serde_json::json!({
                "event": "script_error", "ts": now, "plugin": plugin, "script": key,
                "file": file, "line": line, "error": text, "disabled": true,
                "stage": "memory", "retained_bytes": r.bytes, "budget_bytes": budget,
            }));
        }
        let params = serde_json::json!({
            "plugin": plugin, "script_key": key, "file": file, "line": line,
            "error": text, "disabled": true, "stage": "memory",
            "retained_bytes": r.bytes, "budget_bytes": budget,
        });
        self.internal_alert(params, now);
    }
}

fn mib(b: u64) -> String {
    format!("{:.1} MiB", b as f64 / f64::from(1u32 << 20))
}

/// The upvalues of a Lua function with their names (empty for Rust functions).
///
/// mlua has no safe way to read upvalues; one of the two reviewed uses of the C API
/// (the other: [`crate::rawtable`]).
#[allow(unsafe_code)]
fn upvalues(lua: &Lua, f: &Function) -> Vec<(String, Value)> {
    // SAFETY: `exec_raw` runs the closure in protected mode with `f` at stack index 1
    // and takes every value left on the stack as results. `lua_getupvalue` pushes
    // the n-th upvalue of the function at index 1 (or nothing and NULL past the
    // last one) and never raises; `lua_pushstring` copies the NUL-terminated name
    // the previous call returned, which lives in the function's prototype (still on
    // the stack), and may only raise a memory error, which the protected call turns
    // into an `Err`. `lua_checkstack` guards every push; Lua functions have at most
    // 255 upvalues. Nothing owned is captured, so a longjmp leaks nothing.
    let r: mlua::Result<MultiValue> = unsafe {
        lua.exec_raw(f, |state| {
            for n in 1..=255 {
                if mlua::ffi::lua_checkstack(state, 3) == 0 {
                    break;
                }
                let name = mlua::ffi::lua_getupvalue(state, 1, n);
                if name.is_null() {
                    break;
                }
                mlua::ffi::lua_pushstring(state, name);
            }
        })
    };
    let Ok(mv) = r else {
        return Vec::new();
    };
    // Results: the function, then (value, name) pairs.
    let v: Vec<Value> = mv.into_iter().skip(1).collect();
    v.chunks_exact(2)
        .map(|p| {
            let name = match &p[1] {
                Value::String(s) => s.to_string_lossy(),
                _ => String::new(),
            };
            (name, p[0].clone())
        })
        .collect()
}

/// Estimated bytes of one object (not what it refers to).
fn own_size(v: &Value, entries: usize, border: usize, nups: usize) -> u64 {
    match v {
        Value::String(s) => 25 + s.as_bytes().len() as u64,
        Value::Table(_) => {
            let hash = entries.saturating_sub(border);
            let nodes = if hash == 0 {
                0
            } else {
                hash.next_power_of_two()
            };
            56 + 16 * border as u64 + 32 * nodes as u64
        }
        Value::Function(_) => 32 + 48 * nups as u64,
        Value::UserData(_) | Value::Thread(_) => 48,
        _ => 0,
    }
}

/// A walk over Lua objects, each visited once, bounded.
struct Walk<'a> {
    lua: &'a Lua,
    seen: HashSet<usize>,
    shared: Option<&'a HashSet<usize>>,
    max: usize,
    capped: bool,
    /// Labels of what holds the bytes (`global 'x'`, `upvalue 'seen' (file:line)`)
    /// and the bytes under each.
    labels: Vec<(String, u64)>,
    /// How the fields of the root table are named in labels (`global`), if they are.
    fields: Option<&'static str>,
}

/// A value to visit, with the label its bytes go to and whether a function reached
/// through it names its upvalues.
struct Item {
    v: Value,
    label: usize,
    named: bool,
}

impl Walk<'_> {
    fn label(&mut self, s: String) -> usize {
        self.labels.push((s, 0));
        self.labels.len() - 1
    }

    /// Walks from `root` (bytes to `label`); returns the bytes found.
    fn run(&mut self, root: Value, label: usize, children_named: bool) -> u64 {
        let mut total = 0u64;
        let mut stack = vec![Item {
            v: root,
            label,
            named: children_named,
        }];
        while let Some(Item { v, label, named }) = stack.pop() {
            let p = v.to_pointer() as usize;
            if p == 0 {
                continue;
            }
            if self.shared.is_some_and(|s| s.contains(&p)) || !self.seen.insert(p) {
                continue;
            }
            if self.seen.len() > self.max {
                self.capped = true;
                break;
            }
            let size = match &v {
                Value::Table(t) => {
                    let mut n = 0usize;
                    let root_level = named;
                    let _ = t.for_each::<Value, Value>(|k, val| {
                        n += 1;
                        let lab = if root_level {
                            match (&k, self.fields) {
                                (Value::String(s), Some(f)) => {
                                    Some(format!("{f} '{}'", s.to_string_lossy()))
                                }
                                _ => None,
                            }
                        } else {
                            None
                        };
                        let child_label = match lab {
                            Some(l) => self.label(l),
                            None => label,
                        };
                        for c in [k, val] {
                            if c.to_pointer().is_null() {
                                continue;
                            }
                            stack.push(Item {
                                v: c,
                                label: child_label,
                                named: false,
                            });
                        }
                        Ok(())
                    });
                    if let Some(mt) = t.metatable() {
                        stack.push(Item {
                            v: Value::Table(mt),
                            label,
                            named: false,
                        });
                    }
                    own_size(&v, n, t.raw_len(), 0)
                }
                Value::Function(f) => {
                    let info = f.info();
                    if info.what == "C" {
                        own_size(&v, 0, 0, 0)
                    } else {
                        let ups = upvalues(self.lua, f);
                        let n = ups.len();
                        let at = match (&info.source, info.line_defined) {
                            (Some(src), Some(line)) => {
                                format!(" ({}:{line})", src.strip_prefix('@').unwrap_or(src))
                            }
                            _ => String::new(),
                        };
                        for (name, u) in ups {
                            if u.to_pointer().is_null() || name == "_ENV" {
                                continue;
                            }
                            // Each upvalue is named: what a helper function
                            // (`local function prune()`) reaches is held by the
                            // helper's own upvalue (`seen`), not by the helper.
                            let child_label = self.label(format!("upvalue '{name}'{at}"));
                            stack.push(Item {
                                v: u,
                                label: child_label,
                                named: false,
                            });
                        }
                        own_size(&v, 0, 0, n)
                    }
                }
                other => own_size(other, 0, 0, 0),
            };
            total += size;
            self.labels[label].1 += size;
        }
        total
    }
}

/// The shared objects: what the globals reach (built-in modules, `package.loaded`).
fn shared_objects(lua: &Lua) -> HashSet<usize> {
    let mut w = Walk {
        lua,
        seen: HashSet::new(),
        shared: None,
        max: MAX_SHARED_OBJECTS,
        capped: false,
        labels: vec![("globals".into(), 0)],
        fields: None,
    };
    w.run(Value::Table(lua.globals()), 0, false);
    w.seen
}

/// The memory each script keeps (`None` for scripts already disabled).
pub(crate) fn measure(lua: &Lua, scripts: &[crate::loader::Script]) -> Vec<Option<Retained>> {
    let shared = shared_objects(lua);
    scripts
        .iter()
        .map(|sc| {
            if sc.info.disabled {
                return None;
            }
            let mut w = Walk {
                lua,
                seen: HashSet::new(),
                shared: Some(&shared),
                max: MAX_OBJECTS,
                capped: false,
                labels: Vec::new(),
                fields: None,
            };
            let mut bytes = 0;
            let roots: [(&str, Option<&'static str>, &Table); 3] = [
                ("environment", Some("global"), &sc.env),
                ("script table", Some("script field"), &sc.table),
                ("configuration", None, &sc.conf),
            ];
            for (name, fields, t) in roots {
                let l = w.label(format!("its {name}"));
                // Fields of the env and script tables get their own labels.
                w.fields = fields;
                bytes += w.run(Value::Table(t.clone()), l, fields.is_some());
                if w.capped {
                    break;
                }
            }
            let top = w
                .labels
                .iter()
                .max_by_key(|(_, b)| *b)
                .filter(|(_, b)| *b > 0)
                .map(|(l, b)| (l.clone(), *b));
            Some(Retained {
                bytes,
                capped: w.capped,
                top,
            })
        })
        .collect()
}
