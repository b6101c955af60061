//! The memory guard of one VM: what the count hook and the runtime's between-batch
//! work share (a leaf: it knows nothing of the runtime).

use std::cell::Cell;
use std::time::Instant;

use mlua::Lua;

/// The high-water mark, in percent of the VM's memory limit: past it (after a full
/// collection) the scripts' retained memory is measured against their budgets.
pub const HIGH_WATER_PERCENT: usize = 60;

/// Memory bookkeeping of one VM (kept in its `Budget`, `vm.rs`).
#[derive(Debug)]
pub(crate) struct MemGuard {
    /// The VM's memory limit, bytes.
    pub(super) limit: usize,
    /// VM use after the previous collector step.
    pub(super) last_step: Cell<usize>,
    /// VM use after the previous full collection (0: none yet).
    pub(super) last_full: Cell<usize>,
    /// VM use at which the next budget check runs.
    pub(super) next_check: Cell<usize>,
    /// When the previous budget check ran.
    pub(super) last_check: Cell<Option<Instant>>,
    /// Collector steps run between batches.
    pub steps: Cell<u64>,
    /// Full collections run between batches.
    pub full: Cell<u64>,
    /// Budget checks run.
    pub checks: Cell<u64>,
    /// Scripts stopped for exceeding their budget.
    pub stops: Cell<u64>,
    /// Full collections the count hook ran before stopping a call.
    pub hook_collections: Cell<u64>,
}

impl MemGuard {
    pub(crate) fn new(limit: usize) -> MemGuard {
        MemGuard {
            limit,
            last_step: Cell::new(0),
            last_full: Cell::new(0),
            next_check: Cell::new(high_water(limit)),
            last_check: Cell::new(None),
            steps: Cell::new(0),
            full: Cell::new(0),
            checks: Cell::new(0),
            stops: Cell::new(0),
            hook_collections: Cell::new(0),
        }
    }
}

pub(super) fn high_water(limit: usize) -> usize {
    limit / 100 * HIGH_WATER_PERCENT
}

/// What the memory guard of a VM did so far ([`Runtime::memory_stats`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct MemoryStats {
    /// Bytes the VM uses now.
    pub used_bytes: u64,
    /// The VM's memory limit, bytes.
    pub limit_bytes: u64,
    /// Collector steps run between batches.
    pub gc_steps: u64,
    /// Full collections run between batches (before the collector would run one
    /// inside a hook call).
    pub gc_full: u64,
    /// Budget checks (full collection and measure of each script's state).
    pub budget_checks: u64,
    /// Scripts stopped for keeping more memory than their budget.
    pub scripts_stopped: u64,
    /// Full collections the count hook ran before stopping a call for memory.
    pub hook_collections: u64,
}

/// The count hook found the VM past its soft limit: one full collection (garbage of
/// earlier calls is not the running call's), then the error if still past it.
pub(crate) fn over_soft_limit(lua: &Lua, soft: usize, guard: &MemGuard) -> Option<String> {
    if lua.used_memory() <= soft {
        return None;
    }
    guard.hook_collections.set(guard.hook_collections.get() + 1);
    let _ = lua.gc_collect();
    let used = lua.used_memory();
    (used > soft).then(|| format!("memory limit exceeded ({} KiB in use)", used / 1024))
}
