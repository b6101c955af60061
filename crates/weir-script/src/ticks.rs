//! Entity scripts (`user_scripts/host|interface|network|system/`) on the engine's
//! ticks (spec plugins.md §6.2–6.3): the host, interface, network and system scripts run per
//! granularity (`min`, `5mins`, `hour`, `day`) with their `params`, and engaged alerts
//! they did not re-trigger released.

use mlua::{Lua, Table, Value};
use serde_json::Value as Json;
use weir_alerts::{Entity, Granularity, Severity, TypeInfo};
use weir_decode::Timestamp;
use weir_flow::{Host, Interface, Network, Tick};

use crate::diag::error_text;
use crate::entity::{
    CACHED_VALUES_TTL, CachedValues, CurIndex, EntityFns, Hits, HostPrev, HostView, IfaceStats,
    ScriptStats, iface_stats_table, itoa,
};
use crate::info::{elapsed_ns, grew};
use crate::loader::Vm;
use crate::prefilter::entity::EntityFacts;
use crate::runtime::Runtime;

pub(crate) mod periodic;
#[cfg(test)]
mod tests;

/// What the host ticks remember between rounds: the hosts with engaged alerts (kept
/// by the engine when its host table is full, and visited at every round) and when
/// each granularity's previous round ran (a remote host unchanged since then is not
/// visited: its deltas are zero and it has no alert to release).
#[derive(Debug, Default)]
pub(crate) struct HostTicks {
    /// Hosts with an engaged alert at the end of the latest round.
    engaged: std::collections::HashSet<(std::net::IpAddr, u16)>,
    /// Packet time of the previous round, per granularity (`None` before the first).
    last_round: [Option<Timestamp>; 4],
    /// Host visits skipped because the host was unchanged (for tests and stats).
    pub(crate) skipped: u64,
}

impl HostTicks {
    /// True if the host has an engaged alert (as of the latest round's end).
    pub(crate) fn pinned(&self, host: &Host) -> bool {
        !self.engaged.is_empty() && self.engaged.contains(&(host.ip, host.vlan))
    }

    /// True if the host's scripts have nothing to see at this round of `tick`: no
    /// counter changed since the previous round and no alert is engaged.
    fn unchanged(&self, tick: Tick, host: &Host) -> bool {
        match self.last_round[tick_index(tick)] {
            Some(prev) => host.last_change() < prev && !self.pinned(host),
            None => false,
        }
    }

    /// The end of a round: its time, and the hosts whose alerts are engaged now.
    fn round_end(&mut self, tick: Tick, now: Timestamp, alerts: &weir_alerts::AlertEngine) {
        self.last_round[tick_index(tick)] = Some(now);
        self.engaged.clear();
        for a in alerts.engaged() {
            if a.entity.kind != weir_alerts::EntityKind::Host {
                continue;
            }
            if let Some((ip, vlan)) = a.entity.value.rsplit_once('@')
                && let (Ok(ip), Ok(vlan)) = (ip.parse(), vlan.parse())
            {
                self.engaged.insert((ip, vlan));
            }
        }
    }
}

/// The entity a tick is about.
struct TickEntity {
    /// [`loader::entity_index`].
    index: usize,
    /// `alert_consts.alert_entities` name.
    kind: &'static str,
    /// `alert_entity_val`.
    value: String,
    /// Local host (for `local_only`).
    local: bool,
    /// Address or network, for the per-entity settings.
    net: Option<weir_flow::IpNet>,
    /// What the scripts' prefilters look at (hosts and networks).
    facts: Option<EntityFacts>,
}

impl Runtime {
    /// True if some script has a hook for this entity type and tick.
    #[inline]
    fn wants(&self, entity: usize, tick: Tick) -> bool {
        !self.vm.entity_hooks[entity][tick_index(tick)].is_empty()
    }

    /// True if no hook of the entity's type runs for it at this tick (the prefilters
    /// leave none) and it has no engaged alert to release: it costs no Lua call.
    fn idle(&self, e: &TickEntity, tick: Tick) -> bool {
        let g = tick_index(tick);
        e.facts.is_some_and(|f| !f.engaged)
            && !self.vm.entity_hooks[e.index][g]
                .iter()
                .any(|en| pick(&self.vm.scripts[en.script], e, g).is_some())
    }

    /// True if network `cidr` has an engaged alert.
    fn network_engaged(&self, cidr: &str) -> bool {
        self.parts
            .alerts
            .borrow()
            .alerts
            .engaged()
            .any(|a| a.entity.kind == weir_alerts::EntityKind::Network && a.entity.value == cidr)
    }

    /// Runs the entity hooks of one entity for one tick: `hook(params)` with
    /// `granularity`, `alert_entity`, `entity_info`, `cur_alerts`,
    /// `user_script_config`, `user_script`, `when`, `ifid`, `ts_enabled`.
    fn entity_run(&mut self, e: TickEntity, tick: Tick, now: Timestamp, info: Info<'_>) {
        let secs = now.as_secs();
        self.boundary(secs);
        self.parts.call.borrow_mut().now = secs;
        let g = tick_index(tick);
        if self
            .cur_index
            .as_ref()
            .is_none_or(|c| c.secs != secs || c.gran != g)
        {
            self.cur_index = Some(CurIndex::build(
                &self.parts.alerts.borrow().alerts,
                secs,
                g,
                tick,
            ));
        }
        let (params, cur) = match self.entity_params(&e, tick, secs, info) {
            Ok(p) => p,
            Err(err) => {
                tracing::warn!(target: "weir_script", "entity hook parameters: {err}");
                return;
            }
        };
        let Some(call) = self
            .vm
            .lua
            .app_data_ref::<EntityFns>()
            .map(|f| f.call.clone())
        else {
            return;
        };
        let Vm {
            entity_hooks,
            scripts,
            budget,
            lua,
            ..
        } = &mut self.vm;
        for entry in &entity_hooks[e.index][g] {
            let sc = &mut scripts[entry.script];
            let Some(conf) = pick(sc, &e, g) else {
                continue;
            };
            self.parts.call.borrow_mut().enter(&sc.ctx, conf);
            budget.reset();
            // One call into Lua per hook: the trampoline sets `user_script_config` and
            // `user_script` and calls the hook (each field set from Rust would be a
            // protected call of its own).
            let (t0, m0) = (quanta::Instant::now(), lua.used_memory());
            let r = call.call::<()>((&entry.func, &params, conf, &sc.table));
            sc.meters[g].add(elapsed_ns(t0, quanta::Instant::now()), grew(lua, m0));
            sc.info.calls += 1;
            let api = self.parts.call.borrow_mut().take_api_errors();
            match (r, api) {
                (Ok(()), None) => sc.info.consecutive_failures = 0,
                (Ok(()), Some(a)) => self.faults.push((entry.script, a)),
                (Err(err), _) => {
                    let text = error_text(&err, &sc.ctx.base, &sc.info.file);
                    self.faults.push((entry.script, text));
                }
            }
        }
        self.parts.call.borrow_mut().script = None;
        if cur.raw_len() > 0 {
            self.release_leftovers(&e, tick, secs, &cur);
        }
        if !self.faults.is_empty() {
            self.handle_faults();
        }
    }

    /// Alerts still in `cur_alerts` after the hooks were not re-triggered: released
    /// (plugins.md §6.6).
    fn release_leftovers(&mut self, e: &TickEntity, tick: Tick, secs: u64, cur: &Table) {
        let gran = match tick {
            Tick::Min => Granularity::Min,
            Tick::FiveMins => Granularity::FiveMins,
            Tick::Hour => Granularity::Hour,
            Tick::Day => Granularity::Day,
        };
        let mut s = self.parts.alerts.borrow_mut();
        for t in cur.sequence_values::<Table>().flatten() {
            let (Ok(key), Ok(sev)) = (
                t.raw_get::<u32>("alert_type"),
                t.raw_get::<u8>("alert_severity"),
            ) else {
                continue;
            };
            let subtype: String = t.raw_get("alert_subtype").unwrap_or_default();
            let Some(sev) = Severity::from_id(sev) else {
                continue;
            };
            let info = TypeInfo::new(weir_alerts::AlertKey(key), sev)
                .subtype(subtype.clone())
                .granularity(gran);
            let entity = Entity::new(entity_kind(e.kind), e.value.clone());
            if s.alerts.release(entity, info, secs).unwrap_or(false) {
                let ev = serde_json::json!({
                    "event": "alert", "action": "release", "alert_type": key,
                    "alert_severity": sev.id(), "alert_entity": entity_kind(e.kind).id(),
                    "alert_entity_val": e.value, "alert_subtype": subtype, "ts": secs,
                    "params": Json::Null, "auto": true,
                });
                s.record(ev);
            }
        }
    }

    /// `alert_consts.alert_entities[kind]`.
    fn alert_entity_table(&self, kind: &str) -> mlua::Result<Value> {
        match (kind, self.vm.lua.app_data_ref::<EntityFns>()) {
            ("host", Some(f)) => Ok(f.host_entity.clone()),
            _ => self.vm.alert_entities.raw_get::<Value>(kind),
        }
    }

    /// The `params` table of one entity's hooks and its `cur_alerts`, built by one
    /// call of a Lua constructor.
    fn entity_params(
        &self,
        e: &TickEntity,
        tick: Tick,
        secs: u64,
        info: Info<'_>,
    ) -> mlua::Result<(Table, Table)> {
        let lua = &self.vm.lua;
        let Some(fns) = lua.app_data_ref::<EntityFns>() else {
            return Err(mlua::Error::runtime("entity parameter builders missing"));
        };
        let k = &self.vm.keys;
        let kind = entity_kind(e.kind);
        let cur = match self
            .cur_index
            .as_ref()
            .and_then(|c| c.map.get(e.value.as_str()))
        {
            Some(list) if list.iter().any(|a| a.kind == kind.id()) => {
                let cur = lua.create_table()?;
                let mut i = 0;
                for a in list.iter().filter(|a| a.kind == kind.id()) {
                    let t = lua.create_table()?;
                    t.raw_set("alert_type", a.alert_type)?;
                    t.raw_set("alert_subtype", a.subtype.as_str())?;
                    t.raw_set("alert_granularity", a.granularity)?;
                    t.raw_set("alert_severity", a.severity)?;
                    t.raw_set("alert_entity", a.kind)?;
                    t.raw_set("alert_entity_val", e.value.as_str())?;
                    i += 1;
                    cur.raw_set(i, t)?;
                }
                Value::Table(cur)
            }
            _ => Value::Nil,
        };
        let ent = self.alert_entity_table(e.kind)?;
        let gran = &k.gran[tick_index(tick)];
        let ts = self.cfg.timeseries.is_some();
        match info {
            Info::Host(ip, vlan) => {
                fns.host_params
                    .call((gran, ent, ip, vlan, cur, secs, self.cfg.ifid, ts))
            }
            Info::Build(f) => {
                let info = f(lua)?;
                fns.params.call((
                    gran,
                    ent,
                    e.value.as_str(),
                    info,
                    cur,
                    secs,
                    self.cfg.ifid,
                    ts,
                ))
            }
        }
    }
}

/// The configuration a script's hook runs with for entity `e` at granularity `g`, or
/// `None` if it does not run: disabled, local hosts only, disabled for this
/// granularity or entity (overrides), or left out by its prefilter.
fn pick<'a>(sc: &'a crate::loader::Script, e: &TickEntity, g: usize) -> Option<&'a Table> {
    if sc.info.disabled || (sc.local_only && !e.local) {
        return None;
    }
    let o = match e.net {
        Some(n) if !sc.overrides.is_empty() => sc.overrides.iter().find(|o| o.net.contains(&n)),
        _ => None,
    };
    let (enabled, conf) = match o {
        Some(o) => (o.enabled[g], o.conf[g].as_ref()),
        None => (sc.genabled[g], sc.gconf[g].as_ref()),
    };
    if !enabled {
        return None;
    }
    let conf = conf.unwrap_or(&sc.conf);
    match (&sc.entity_prefilter, &e.facts) {
        (Some(p), Some(f)) if !p.admits(f, conf) => None,
        _ => Some(conf),
    }
}

/// Builds a `params.entity_info` value.
type InfoFn<'a> = Box<dyn FnOnce(&Lua) -> mlua::Result<Value> + 'a>;

/// What `params.entity_info` is made of.
enum Info<'a> {
    /// A host: `{ip, vlan}`, built in Lua with the rest of `params`.
    Host(&'a str, u16),
    /// Any value, built by the closure.
    Build(InfoFn<'a>),
}
fn entity_kind(name: &str) -> weir_alerts::EntityKind {
    match name {
        "host" => weir_alerts::EntityKind::Host,
        "network" => weir_alerts::EntityKind::Network,
        _ => weir_alerts::EntityKind::Interface,
    }
}

fn tick_index(t: Tick) -> usize {
    match t {
        Tick::Min => 0,
        Tick::FiveMins => 1,
        Tick::Hour => 2,
        Tick::Day => 3,
    }
}

impl Runtime {
    pub(crate) fn tick_host(&mut self, tick: Tick, now: Timestamp, host: &Host) {
        periodic::round_start(&self.vm.lua, tick, now.as_secs());
        let for_networks = tick == Tick::Min && host.local && self.wants(2, Tick::Min);
        if !self.wants(0, tick) && !for_networks {
            return;
        }
        // A remote host unchanged since the previous round is not visited (a flood's
        // one-packet sources); local hosts are, every round (their timeseries and
        // checks see every minute, as in ntopng).
        if !host.local && self.host_ticks.unchanged(tick, host) {
            self.host_ticks.skipped += 1;
            return;
        }
        let g = tick_index(tick);
        let totals = crate::entity::round_totals(host);
        // Round deltas are kept for local hosts only (what reads them is local-only).
        let local = host.local;
        let (hits, delta) = if tick == Tick::Min {
            let mut cur = HostPrev::of(host, now.as_secs());
            let prev = self
                .host_prev
                .entry((host.ip, host.vlan))
                .or_insert_with(|| HostPrev::zero(host.first_seen.as_secs()));
            cur.hits = prev.hits(&cur);
            cur.round = prev.round.take();
            let delta = local.then(|| cur.round_delta(g, totals));
            *prev = cur;
            (prev.hits, delta)
        } else if local {
            // A host first visited at this granularity (no `min` hook ran for it) gets
            // its entry here, so that its next round sees this one's totals.
            let p = self
                .host_prev
                .entry((host.ip, host.vlan))
                .or_insert_with(|| HostPrev::of(host, now.as_secs()));
            (p.hits, Some(p.round_delta(g, totals)))
        } else {
            let hits = self
                .host_prev
                .get(&(host.ip, host.vlan))
                .map_or_else(Hits::default, |p| p.hits);
            (hits, None)
        };
        if for_networks && let Ok(n) = usize::try_from(host.network_id) {
            // Victim hits of a local network: the sum over its hosts (hosts are
            // visited before networks in a tick round).
            if self.net_hits.len() <= n {
                self.net_hits.resize(n + 1, [0; 3]);
            }
            let acc = &mut self.net_hits[n];
            acc[0] += hits.syn_flood[1];
            acc[1] += hits.flow_flood[1];
            acc[2] += hits.syn_scan[1];
        }
        if !self.wants(0, tick) {
            return;
        }
        let facts = EntityFacts {
            hits: [hits.syn_flood, hits.flow_flood, hits.syn_scan],
            score: u64::from(host.score[0]) + u64::from(host.score[1]),
            active_flows: u64::from(host.active_flows_as_client)
                + u64::from(host.active_flows_as_server),
            delta: delta.unwrap_or([0; crate::entity::ROUND_COUNTERS]),
            engaged: self.host_ticks.pinned(host),
        };
        let mut e = TickEntity {
            index: 0,
            kind: "host",
            value: String::new(),
            local: host.local,
            net: Some(weir_flow::IpNet::from(host.ip)),
            facts: Some(facts),
        };
        if self.idle(&e, tick) {
            self.host_ticks.skipped += 1;
            return;
        }
        let mut view = HostView::of(host);
        view.hits = hits;
        view.delta = delta;
        self.parts.host.borrow_mut().host = Some(view);
        let (ip, vlan) = (host.ip.to_string(), host.vlan);
        e.value.reserve(ip.len() + 6);
        e.value.push_str(&ip);
        e.value.push('@');
        e.value.push_str(itoa(vlan, &mut [0u8; 5]));
        self.entity_run(e, tick, now, Info::Host(&ip, vlan));
        self.parts.host.borrow_mut().host = None;
    }

    /// A host left the engine's host table (purged when idle): its engaged alerts are
    /// released at `now`, the purge time on the packet clock, and stored as past alerts
    /// with their durations (nothing would release them otherwise); what the hooks kept
    /// about the host (flood hits, cached values) goes too.
    pub(crate) fn purge_host(&mut self, now: Timestamp, host: &Host) {
        self.host_prev.remove(&(host.ip, host.vlan));
        self.host_ticks.engaged.remove(&(host.ip, host.vlan));
        if let Some(mut c) = self.vm.lua.app_data_mut::<CachedValues>()
            && !c.map.is_empty()
        {
            c.map
                .remove(&crate::entity::CacheEntity::Host(host.ip, host.vlan));
        }
        let entity = weir_alerts::Entity::host(host.ip, host.vlan);
        let secs = now.as_secs();
        let mut s = self.parts.alerts.borrow_mut();
        for a in s.alerts.release_entity_alerts(&entity, secs) {
            let ev = serde_json::json!({
                "event": "alert", "action": "release", "alert_type": a.alert_type.0,
                "alert_severity": a.alert_severity.id(),
                "alert_entity": weir_alerts::EntityKind::Host.id(),
                "alert_entity_val": a.entity.value, "alert_subtype": a.alert_subtype,
                "ts": a.alert_tstamp_end.unwrap_or(secs), "params": Json::Null,
                "purged": true,
            });
            s.record(ev);
        }
    }

    pub(crate) fn tick_interface(&mut self, tick: Tick, now: Timestamp, iface: &Interface) {
        periodic::round_start(&self.vm.lua, tick, now.as_secs());
        // `interface.getStats()` reads the counters of the latest tick, in any hook.
        let lua = &self.vm.lua;
        let (evicted_before, hosts_evicted_before) =
            lua.app_data_ref::<IfaceStats>().map_or((0, 0), |s| {
                if tick == Tick::Min {
                    (s.iface.flows_evicted, s.iface.hosts_evicted)
                } else {
                    (s.evicted_before, s.hosts_evicted_before)
                }
            });
        lua.set_app_data(IfaceStats {
            at: now.as_secs(),
            iface: iface.clone(),
            evicted_before,
            hosts_evicted_before,
        });
        if !self.wants(1, tick) {
            return;
        }
        let (ifid, name) = (self.cfg.ifid, self.cfg.ifname.clone());
        let e = TickEntity {
            index: 1,
            kind: "interface",
            value: ifid.to_string(),
            local: true,
            net: None,
            facts: None,
        };
        self.entity_run(
            e,
            tick,
            now,
            Info::Build(Box::new(move |lua| {
                Ok(Value::Table(iface_stats_table(lua, ifid, &name)?))
            })),
        );
    }

    pub(crate) fn tick_network(&mut self, tick: Tick, now: Timestamp, net: &Network) {
        periodic::round_start(&self.vm.lua, tick, now.as_secs());
        if !self.wants(2, tick) {
            return;
        }
        let cidr = net.cidr.to_string();
        let hits = self.net_hits.get(net.id).copied().unwrap_or([0; 3]);
        let e = TickEntity {
            index: 2,
            kind: "network",
            value: cidr.clone(),
            local: true,
            net: Some(net.cidr),
            facts: Some(EntityFacts {
                hits: [[0, hits[0]], [0, hits[1]], [0, hits[2]]],
                score: net.score,
                active_flows: 0,
                delta: [0; crate::entity::ROUND_COUNTERS],
                engaged: self.network_engaged(&cidr),
            }),
        };
        if self.idle(&e, tick) {
            return;
        }
        let n = net.clone();
        let sh = self.parts.host.clone();
        self.entity_run(
            e,
            tick,
            now,
            Info::Build(Box::new(move |lua| {
                let t = lua.create_table()?;
                t.raw_set("network_key", cidr)?;
                t.raw_set("network_id", n.id)?;
                t.raw_set("num_hosts", n.hosts)?;
                t.raw_set("ingress", n.bytes_ingress)?;
                t.raw_set("egress", n.bytes_egress)?;
                t.raw_set("inner", n.bytes_inner)?;
                t.raw_set("broadcast", n.bytes_broadcast)?;
                t.raw_set("packets", n.packets)?;
                t.raw_set("flows", n.flows)?;
                t.raw_set("score", n.score)?;
                for (k, v) in [
                    "hits.syn_flood_victim",
                    "hits.flow_flood_victim",
                    "hits.syn_scan_victim",
                ]
                .into_iter()
                .zip(hits)
                {
                    if v > 0 {
                        t.raw_set(k, v)?;
                    }
                }
                sh.borrow_mut().network = Some(t.clone());
                Ok(Value::Table(t))
            })),
        );
        self.parts.host.borrow_mut().network = None;
    }

    pub(crate) fn tick_system(&mut self, tick: Tick, now: Timestamp) {
        periodic::round_start(&self.vm.lua, tick, now.as_secs());
        self.tick_system_hooks(tick, now);
        periodic::round_end(&self.vm.lua, tick);
    }

    fn tick_system_hooks(&mut self, tick: Tick, now: Timestamp) {
        // The end of a tick round: the next round sees the alerts engaged now, and
        // the network hits start again.
        self.cur_index = None;
        if tick == Tick::Min {
            self.net_hits.iter_mut().for_each(|h| *h = [0; 3]);
        }
        if tick == Tick::Min && !self.host_prev.is_empty() {
            // Hosts leave through `purge_host`; this drops what a consumer that does
            // not forward purges leaves behind (hosts unchanged for a day: a host in
            // the table changes at least at each of its flows' ends).
            let secs = now.as_secs();
            self.host_prev
                .retain(|_, p| p.at.saturating_add(86_400) >= secs);
        }
        self.host_ticks
            .round_end(tick, now, &self.parts.alerts.borrow().alerts);
        if tick == Tick::Min
            && let Some(mut c) = self.vm.lua.app_data_mut::<CachedValues>()
            && !c.map.is_empty()
        {
            let secs = now.as_secs();
            c.map
                .retain(|_, (at, _)| at.saturating_add(CACHED_VALUES_TTL) >= secs);
        }
        if !self.wants(3, tick) {
            return;
        }
        let e = TickEntity {
            index: 3,
            kind: "interface",
            value: "-1".into(),
            local: true,
            net: None,
            facts: None,
        };
        // `interface.getUserScriptsStats()` shows the counters as of this tick.
        let stats = ScriptStats(self.vm.scripts.iter().map(|s| s.info.clone()).collect());
        self.vm.lua.set_app_data(stats);
        self.entity_run(e, tick, now, Info::Build(Box::new(|_| Ok(Value::Nil))));
    }
}
