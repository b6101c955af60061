//! How long each tick round of the scripts took, for
//! `interface.getPeriodicActivitiesStats()` (spec ntopng42-api.md §4.1): ntopng's
//! periodic scripts are weir's tick rounds (`minute.lua` = the `min` round of host,
//! network, interface and system hooks, …).

use std::time::Instant;

use mlua::{Lua, Table};
use weir_flow::Tick;

/// ntopng's periodic script names of the four tick kinds, in [`Tick::ALL`] order.
pub(crate) const ACTIVITY_NAMES: [&str; 4] = ["minute.lua", "5min.lua", "hourly.lua", "daily.lua"];

/// One tick kind's timings.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Activity {
    /// The round running now: its wall-clock start and its packet time.
    pub(crate) running: Option<(Instant, u64)>,
    /// Packet time of the last completed round.
    pub(crate) last_at: Option<u64>,
    /// Wall-clock duration of the last round and the longest, milliseconds.
    pub(crate) last_ms: f64,
    pub(crate) max_ms: f64,
    /// Completed rounds.
    pub(crate) runs: u64,
    /// The last round came more than one period after the one before (packet time
    /// jumped, or the capture paused): the rounds between did not run.
    pub(crate) not_executed: bool,
    pub(crate) num_not_executed: u64,
    /// The last round took longer than its period.
    pub(crate) is_slow: bool,
    pub(crate) num_is_slow: u64,
    /// `ts_utils.append` calls and failed calls of the VM when the running round
    /// started, in all completed rounds, and in the last one.
    pub(crate) ts_at_start: [u64; 2],
    pub(crate) ts_total: [u64; 2],
    pub(crate) ts_last: [u64; 2],
}

/// The VM's `ts_utils.append` calls and failed calls so far.
fn ts_appends(lua: &Lua) -> [u64; 2] {
    lua.app_data_ref::<crate::timeseries::TsRef>()
        .and_then(|t| t.try_borrow().ok().map(|st| st.appends))
        .unwrap_or([0; 2])
}

/// The timings of every tick kind, in the VM's app data.
#[derive(Debug, Default)]
pub(crate) struct PeriodicStats {
    pub(crate) kinds: [Activity; 4],
}

pub(crate) fn index(t: Tick) -> usize {
    match t {
        Tick::Min => 0,
        Tick::FiveMins => 1,
        Tick::Hour => 2,
        Tick::Day => 3,
    }
}

/// Marks the start of a round of `tick` at packet time `at` (the first entity of the
/// round; later calls of the same round change nothing).
pub(crate) fn round_start(lua: &Lua, tick: Tick, at: u64) {
    if lua.app_data_ref::<PeriodicStats>().is_none() {
        lua.set_app_data(PeriodicStats::default());
    }
    let starts = lua
        .app_data_ref::<PeriodicStats>()
        .and_then(|p| {
            p.kinds
                .get(index(tick))
                .map(|a| a.running.is_none_or(|(_, t)| t != at))
        })
        .unwrap_or(false);
    if !starts {
        return;
    }
    let ts = ts_appends(lua);
    if let Some(mut p) = lua.app_data_mut::<PeriodicStats>()
        && let Some(a) = p.kinds.get_mut(index(tick))
    {
        a.running = Some((Instant::now(), at));
        a.ts_at_start = ts;
    }
}

/// Ends the running round of `tick` (its system hooks ran).
pub(crate) fn round_end(lua: &Lua, tick: Tick) {
    let ts = ts_appends(lua);
    let Some(mut p) = lua.app_data_mut::<PeriodicStats>() else {
        return;
    };
    let Some(a) = p.kinds.get_mut(index(tick)) else {
        return;
    };
    let Some((start, at)) = a.running.take() else {
        return;
    };
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    let period = tick.secs();
    a.last_ms = ms;
    a.max_ms = a.max_ms.max(ms);
    a.runs += 1;
    a.is_slow = ms > (period * 1000) as f64;
    if a.is_slow {
        a.num_is_slow += 1;
    }
    let skipped = a
        .last_at
        .map_or(0, |prev| at.saturating_sub(prev) / period.max(1))
        .saturating_sub(1);
    a.not_executed = skipped > 0;
    a.num_not_executed += skipped;
    a.last_at = Some(at);
    for (((now, start), last), total) in ts
        .iter()
        .zip(a.ts_at_start)
        .zip(a.ts_last.iter_mut())
        .zip(a.ts_total.iter_mut())
    {
        let d = now.saturating_sub(start);
        *last = d;
        *total += d;
    }
}

/// `{[name] = stats}` of every tick kind that ran or is running.
pub(crate) fn stats_table(lua: &Lua) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    let Some(p) = lua.app_data_ref::<PeriodicStats>() else {
        return Ok(t);
    };
    for ((name, a), tick) in ACTIVITY_NAMES.iter().zip(p.kinds).zip(Tick::ALL) {
        if a.runs == 0 && a.running.is_none() {
            continue;
        }
        let period = tick.secs();
        let e = lua.create_table()?;
        let d = lua.create_table()?;
        d.raw_set("max_duration_ms", a.max_ms)?;
        d.raw_set("last_duration_ms", a.last_ms)?;
        e.raw_set("duration", d)?;
        let w = lua.create_table()?;
        w.raw_set("tot_calls", a.ts_total[0])?;
        w.raw_set("tot_drops", a.ts_total[1])?;
        let last = lua.create_table()?;
        last.raw_set("tot_calls", a.ts_last[0])?;
        last.raw_set("tot_drops", a.ts_last[1])?;
        w.raw_set("last", last)?;
        let ts = lua.create_table()?;
        ts.raw_set("write", w)?;
        e.raw_set("timeseries", ts)?;
        if let Some((_, at)) = a.running {
            e.raw_set("in_progress_since", at)?;
            e.raw_set("last_start_time", at)?;
            e.raw_set("state", "running")?;
            e.raw_set("scheduled_time", at)?;
            e.raw_set("deadline", at + period)?;
        } else {
            if let Some(at) = a.last_at {
                e.raw_set("last_start_time", at)?;
                e.raw_set("scheduled_time", at + period)?;
                e.raw_set("deadline", at + 2 * period)?;
            }
            e.raw_set("state", "sleeping")?;
        }
        if a.not_executed {
            e.raw_set("not_executed", true)?;
        }
        if a.num_not_executed > 0 {
            e.raw_set("num_not_executed", a.num_not_executed)?;
        }
        if a.is_slow {
            e.raw_set("is_slow", true)?;
        }
        if a.num_is_slow > 0 {
            e.raw_set("num_is_slow", a.num_is_slow)?;
        }
        e.raw_set("periodicity", period)?;
        e.raw_set("max_duration_secs", period)?;
        e.raw_set("deadline_secs", period)?;
        e.raw_set("progress", if a.running.is_some() { 0 } else { 100 })?;
        t.raw_set(*name, e)?;
    }
    Ok(t)
}
