//! The alert engine: engaged/released state, one-shot and flow alerts, and the hand-off
//! to the store writer and the endpoints.
//!
//! One engine is owned by one engine thread (`&mut self`, no locks). Everything it
//! emits leaves over bounded channels without blocking: alerts for the store are
//! batched, held in a bounded pending list while the writer's queue is full, and
//! counted as dropped beyond it; endpoint queues refuse (and count) what they cannot
//! take. Every drop is reported with a built-in `alert_dropped_alerts`
//! ([`DROPPED_ALERTS`](crate::builtin::DROPPED_ALERTS)) alert.
//!
//! # Performance
//! `trigger` of an already engaged alert is one hash lookup and no allocation beyond
//! the caller's strings; a new alert costs one `Arc<Notification>`.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::alert::{Action, Alert, AlertRecord, FlowAlert, Notification, TypeInfo, alert_json};
use crate::builtin;
use crate::endpoint::EndpointSender;
use crate::error::{Error, Result};
use crate::keys::AlertKey;
use crate::registry::Registry;
use crate::store::StoreSender;
use crate::types::{Entity, EntityKind, Granularity, Severity};

/// Engine settings.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// Interface id stamped on every alert.
    pub ifid: i32,
    /// Alerts per batch sent to the store writer (a batch also leaves early when the
    /// writer is idle, so latency stays low at low rates).
    pub store_batch: usize,
    /// Alerts held by the engine while the writer's queue is full; beyond this they
    /// are dropped and counted.
    pub max_pending: usize,
    /// Packet-time seconds between checks for dropped alerts (checks also run on
    /// [`AlertEngine::tick`] and [`AlertEngine::flush`]).
    pub drop_check_secs: u64,
}

impl Default for EngineConfig {
    fn default() -> EngineConfig {
        EngineConfig {
            ifid: 0,
            store_batch: 1024,
            max_pending: 1 << 18,
            drop_check_secs: 1,
        }
    }
}

/// Result of [`AlertEngine::trigger`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engagement {
    /// The alert was not engaged: it is now, and an `engage` notification was emitted.
    Engaged,
    /// It was already engaged: only its last-seen time and trigger count changed.
    AlreadyEngaged,
}

/// Engine counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct EngineStats {
    /// Alerts engaged right now.
    pub engaged_now: u64,
    /// `trigger` calls.
    pub triggers: u64,
    /// Alerts that became engaged.
    pub engaged: u64,
    /// Alerts released.
    pub released: u64,
    /// One-shot alerts stored (flow alerts excepted).
    pub stored: u64,
    /// Flow alerts.
    pub flow_alerts: u64,
    /// Alerts with a type the registry does not know (kept, type name empty).
    pub unknown_types: u64,
    /// Alerts handed to the store writer.
    pub store_submitted: u64,
    /// Alerts not handed to the store (pending list full, writer gone).
    pub store_dropped: u64,
    /// Alerts held in the engine waiting for room in the writer's queue.
    pub store_pending: u64,
    /// `alert_dropped_alerts` alerts raised.
    pub drop_alerts: u64,
}

impl EngineStats {
    /// Alerts triggered so far: those that became engaged, one-shot alerts stored and
    /// flow alerts (the `triggered` counter of `iface:alerts`).
    pub fn triggered(&self) -> u64 {
        self.engaged + self.stored + self.flow_alerts
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct EngagedKey {
    kind: EntityKind,
    value: String,
    alert_type: AlertKey,
    subtype: String,
    granularity: Granularity,
}

/// The alert engine of one interface.
pub struct AlertEngine {
    config: EngineConfig,
    registry: Arc<Registry>,
    engaged: HashMap<EngagedKey, Alert>,
    store: Option<StoreSender>,
    batch: Vec<Arc<Notification>>,
    pending: VecDeque<Vec<Arc<Notification>>>,
    pending_len: usize,
    endpoints: Vec<EndpointSender>,
    stats: EngineStats,
    last_drop_check: Option<u64>,
    reported_store_lost: u64,
    reported_endpoint_lost: Vec<u64>,
    last_now: u64,
    in_drop_check: bool,
}

impl std::fmt::Debug for AlertEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AlertEngine")
            .field("config", &self.config)
            .field("stats", &self.stats())
            .finish()
    }
}

impl AlertEngine {
    /// An engine with no store and no endpoints.
    pub fn new(config: EngineConfig, registry: Arc<Registry>) -> AlertEngine {
        let cap = config.store_batch.max(1);
        AlertEngine {
            config,
            registry,
            engaged: HashMap::new(),
            store: None,
            batch: Vec::with_capacity(cap),
            pending: VecDeque::new(),
            pending_len: 0,
            endpoints: Vec::new(),
            stats: EngineStats::default(),
            last_drop_check: None,
            reported_store_lost: 0,
            reported_endpoint_lost: Vec::new(),
            last_now: 0,
            in_drop_check: false,
        }
    }

    /// Sends stored alerts to this writer.
    pub fn set_store(&mut self, store: StoreSender) {
        self.store = Some(store);
    }

    /// Delivers notifications to this endpoint too.
    pub fn add_endpoint(&mut self, endpoint: EndpointSender) {
        self.endpoints.push(endpoint);
        self.reported_endpoint_lost.push(0);
    }

    /// Replaces the registry (after a plugin reload).
    pub fn set_registry(&mut self, registry: Arc<Registry>) {
        self.registry = registry;
    }

    /// The registry.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// Engages an alert (`alerts_api.trigger`).
    ///
    /// Identity: entity kind + value, alert type, subtype, granularity. A new alert
    /// emits one `engage` notification; an engaged one only gets its last-seen time
    /// and trigger count updated (its params, severity and score are **not** changed).
    ///
    /// # Errors
    /// [`Error::MissingGranularity`] when `info.granularity` is `None`.
    pub fn trigger(&mut self, entity: Entity, info: TypeInfo, now: u64) -> Result<Engagement> {
        let granularity = info.granularity.ok_or_else(|| Error::MissingGranularity {
            alert_key: info.alert_type.0,
            entity: entity.to_string(),
        })?;
        self.stats.triggers += 1;
        self.last_now = now;
        let key = EngagedKey {
            kind: entity.kind,
            value: entity.value,
            alert_type: info.alert_type,
            subtype: info.subtype,
            granularity,
        };
        let alert = match self.engaged.entry(key) {
            Entry::Occupied(mut o) => {
                let a = o.get_mut();
                a.last_seen = a.last_seen.max(now);
                a.count += 1;
                return Ok(Engagement::AlreadyEngaged);
            }
            Entry::Vacant(v) => {
                let k = v.key();
                let alert = Alert {
                    rowid: None,
                    ifid: self.config.ifid,
                    alert_type: k.alert_type,
                    alert_name: type_name(&self.registry, k.alert_type, &mut self.stats),
                    alert_subtype: k.subtype.clone(),
                    alert_granularity: granularity.seconds(),
                    alert_severity: info.severity,
                    entity: Entity::new(k.kind, k.value.clone()),
                    alert_tstamp: now,
                    alert_tstamp_end: None,
                    last_seen: now,
                    count: 1,
                    score: info.score,
                    alert_json: alert_json(&info.params, info.generation.as_ref()),
                    script_key: info.generation.map(|g| g.script_key),
                    msg: if info.msg.is_empty() {
                        crate::message::alert_message(
                            &self.registry,
                            k.alert_type,
                            &k.subtype,
                            &info.params,
                        )
                    } else {
                        info.msg
                    },
                    acknowledged: false,
                };
                v.insert(alert.clone());
                alert
            }
        };
        self.stats.engaged += 1;
        self.emit(Action::Engage, AlertRecord::Alert(alert), now);
        Ok(Engagement::Engaged)
    }

    /// Releases an engaged alert (`alerts_api.release`); it becomes a past alert with
    /// `alert_tstamp_end = now`. Returns false when it was not engaged.
    ///
    /// Only the identity fields of `info` are used.
    ///
    /// # Errors
    /// [`Error::MissingGranularity`] when `info.granularity` is `None`.
    pub fn release(&mut self, entity: Entity, info: TypeInfo, now: u64) -> Result<bool> {
        let granularity = info.granularity.ok_or_else(|| Error::MissingGranularity {
            alert_key: info.alert_type.0,
            entity: entity.to_string(),
        })?;
        self.last_now = now;
        let key = EngagedKey {
            kind: entity.kind,
            value: entity.value,
            alert_type: info.alert_type,
            subtype: info.subtype,
            granularity,
        };
        match self.engaged.remove(&key) {
            Some(a) => {
                self.finish_release(a, now);
                Ok(true)
            }
            None => Ok(false),
        }
    }

    fn finish_release(&mut self, mut a: Alert, now: u64) {
        let end = now.max(a.alert_tstamp);
        a.alert_tstamp_end = Some(end);
        a.last_seen = a.last_seen.max(end);
        self.stats.released += 1;
        self.emit(Action::Release, AlertRecord::Alert(a), now);
    }

    /// Releases every engaged alert of `entity` (`alerts_api.releaseEntityAlerts`);
    /// returns how many.
    pub fn release_entity(&mut self, entity: &Entity, now: u64) -> usize {
        self.release_entity_alerts(entity, now).len()
    }

    /// Releases every engaged alert of `entity` at `now`, as
    /// [`AlertEngine::release_entity`] does (each becomes a past alert with its
    /// duration), and returns them as released, oldest first. For an entity that is
    /// gone (a host purged from the host table): nothing would ever release them.
    pub fn release_entity_alerts(&mut self, entity: &Entity, now: u64) -> Vec<Alert> {
        let keys: Vec<EngagedKey> = self
            .engaged
            .keys()
            .filter(|k| k.kind == entity.kind && k.value == entity.value)
            .cloned()
            .collect();
        let mut released: Vec<Alert> = keys.iter().filter_map(|k| self.engaged.remove(k)).collect();
        released.sort_by(|a, b| {
            (a.alert_tstamp, a.alert_type.0, &a.alert_subtype).cmp(&(
                b.alert_tstamp,
                b.alert_type.0,
                &b.alert_subtype,
            ))
        });
        for a in &mut released {
            self.last_now = now;
            self.finish_release(a.clone(), now);
            let end = now.max(a.alert_tstamp);
            a.alert_tstamp_end = Some(end);
            a.last_seen = a.last_seen.max(end);
        }
        released
    }

    /// Stores a one-shot alert (`alerts_api.store`): no engaged state, granularity
    /// optional, action `store`.
    pub fn store(&mut self, entity: Entity, info: TypeInfo, now: u64) {
        self.last_now = now;
        let msg = if info.msg.is_empty() {
            crate::message::alert_message(
                &self.registry,
                info.alert_type,
                &info.subtype,
                &info.params,
            )
        } else {
            info.msg
        };
        let alert = Alert {
            rowid: None,
            ifid: self.config.ifid,
            alert_type: info.alert_type,
            alert_name: type_name(&self.registry, info.alert_type, &mut self.stats),
            alert_subtype: info.subtype,
            alert_granularity: info.granularity.map_or(0, Granularity::seconds),
            alert_severity: info.severity,
            entity,
            alert_tstamp: now,
            alert_tstamp_end: Some(now),
            last_seen: now,
            count: 1,
            score: info.score,
            alert_json: alert_json(&info.params, info.generation.as_ref()),
            script_key: info.generation.map(|g| g.script_key),
            msg,
            acknowledged: false,
        };
        self.stats.stored += 1;
        self.emit(Action::Store, AlertRecord::Alert(alert), now);
    }

    /// Stores a one-shot alert unless an identical one (same interface, type, subtype,
    /// severity, entity and time) was stored recently (the last [`RECENT_STORES`] stores
    /// of the process, by any engine), natively or through this function. `ifid` is
    /// the interface the alert belongs to (an endpoint VM's engine stores alerts of
    /// other interfaces). Returns the alert's store sequence number (stored alerts are
    /// numbered from 1 in the process; the store's row id is assigned later, by the
    /// writer thread) and whether it was stored now.
    pub fn store_once(
        &mut self,
        ifid: i32,
        entity: Entity,
        info: TypeInfo,
        now: u64,
    ) -> (u64, bool) {
        let key = RecentStores::key_of(
            ifid,
            info.alert_type.0,
            &info.subtype,
            info.severity.id(),
            entity.kind.id(),
            &entity.value,
            now,
        );
        if let Some(id) = recent_get(key) {
            return (id, false);
        }
        let ifid_was = std::mem::replace(&mut self.config.ifid, ifid);
        self.store(entity, info, now);
        self.config.ifid = ifid_was;
        (recent_get(key).unwrap_or(0), true)
    }

    /// [`AlertEngine::store_flow`] unless an identical flow alert (same type, status,
    /// time, first-seen and 5-tuple) was stored recently; see [`AlertEngine::store_once`].
    /// `alert.ifid` names the interface (kept as given).
    pub fn store_flow_once(&mut self, alert: FlowAlert) -> (u64, bool) {
        let key = RecentStores::flow_key(&alert);
        if let Some(id) = recent_get(key) {
            return (id, false);
        }
        let ifid_was = std::mem::replace(&mut self.config.ifid, alert.ifid);
        self.store_flow(alert);
        self.config.ifid = ifid_was;
        (recent_get(key).unwrap_or(0), true)
    }

    /// Alerts lost so far: not handed to the store (queue full, writer gone), failed
    /// writes, and notifications endpoints dropped or failed to deliver.
    pub fn dropped_total(&self) -> u64 {
        let store = self.stats.store_dropped + self.store.as_ref().map_or(0, |s| s.stats().failed);
        self.endpoints.iter().fold(store, |acc, ep| {
            let s = ep.stats();
            acc + s.dropped + s.failed
        })
    }

    /// Stores a flow alert (one-shot, entity `flow`); `ifid`, the entity and an empty
    /// `alert_name` are filled in.
    pub fn store_flow(&mut self, mut alert: FlowAlert) {
        let now = alert.alert_tstamp;
        self.last_now = now;
        alert.ifid = self.config.ifid;
        alert.entity = Entity::flow();
        if alert.alert_name.is_empty() {
            alert.alert_name = type_name(&self.registry, alert.alert_type, &mut self.stats);
        }
        if alert.msg.is_empty() {
            alert.msg = crate::message::flow_message(&self.registry, &alert);
        }
        self.stats.flow_alerts += 1;
        self.emit(Action::Store, AlertRecord::Flow(alert), now);
    }

    /// True when this alert is engaged.
    pub fn is_engaged(
        &self,
        entity: &Entity,
        alert_type: AlertKey,
        subtype: &str,
        granularity: Granularity,
    ) -> bool {
        let key = EngagedKey {
            kind: entity.kind,
            value: entity.value.clone(),
            alert_type,
            subtype: subtype.to_owned(),
            granularity,
        };
        self.engaged.contains_key(&key)
    }

    /// All engaged alerts (any order).
    pub fn engaged(&self) -> impl Iterator<Item = &Alert> {
        self.engaged.values()
    }

    /// Engaged alerts of one entity, optionally of one granularity (`cur_alerts` of
    /// plugins.md §6.6).
    pub fn engaged_on(&self, entity: &Entity, granularity: Option<Granularity>) -> Vec<&Alert> {
        self.engaged
            .iter()
            .filter(|(k, _)| {
                k.kind == entity.kind
                    && k.value == entity.value
                    && granularity.is_none_or(|g| g == k.granularity)
            })
            .map(|(_, a)| a)
            .collect()
    }

    /// Adopts alerts still engaged in the store after an unclean stop, without
    /// emitting notifications, so a re-trigger does not engage them twice. Alerts
    /// without a granularity are ignored. Returns how many were adopted.
    pub fn restore_engaged(&mut self, alerts: impl IntoIterator<Item = Alert>) -> usize {
        let mut n = 0;
        for mut a in alerts {
            let Some(granularity) = a.granularity() else {
                continue;
            };
            a.rowid = None;
            let key = EngagedKey {
                kind: a.entity.kind,
                value: a.entity.value.clone(),
                alert_type: a.alert_type,
                subtype: a.alert_subtype.clone(),
                granularity,
            };
            self.engaged.insert(key, a);
            n += 1;
        }
        n
    }

    /// Periodic call from the engine thread's clock: pushes held alerts to the writer
    /// and reports drops.
    pub fn tick(&mut self, now: u64) {
        self.last_now = now;
        self.drain_pending();
        self.send_batch_if_idle(false);
        self.check_drops(now, true);
    }

    /// Sends every alert held by the engine to the writer (waiting up to `timeout` for
    /// room), then waits until the writer committed them; reports drops first.
    ///
    /// # Errors
    /// [`Error::Timeout`] or [`Error::Disconnected`] of the writer.
    pub fn flush(&mut self, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        let now = self.last_now;
        self.check_drops(now, true);
        let Some(store) = self.store.clone() else {
            return Ok(());
        };
        if !self.batch.is_empty() {
            let b = std::mem::take(&mut self.batch);
            self.pending_len += b.len();
            self.pending.push_back(b);
        }
        while let Some(b) = self.pending.pop_front() {
            let n = b.len();
            let left = deadline.saturating_duration_since(Instant::now());
            match store.submit_timeout(b, left) {
                Ok(()) => {
                    self.pending_len -= n;
                    self.stats.store_submitted += n as u64;
                }
                Err(b) => {
                    self.pending.push_front(b);
                    return Err(Error::Timeout("alert engine flush"));
                }
            }
        }
        store.flush(deadline.saturating_duration_since(Instant::now()))
    }

    /// Clean shutdown: releases every engaged alert at `now` (written as past alerts,
    /// ntopng #5123), flushes to the store and returns the final counters.
    ///
    /// # Errors
    /// As [`AlertEngine::flush`].
    pub fn shutdown(mut self, now: u64, timeout: Duration) -> Result<EngineStats> {
        self.release_all_and_flush(now, timeout)
    }

    /// What [`AlertEngine::shutdown`] does, for an owner that cannot give the engine
    /// away (the Lua runtime keeps it): releases every engaged alert at `now`, flushes
    /// to the store and returns the counters. The engine stays usable.
    ///
    /// # Errors
    /// As [`AlertEngine::flush`].
    pub fn release_all_and_flush(&mut self, now: u64, timeout: Duration) -> Result<EngineStats> {
        let all: Vec<Alert> = self.engaged.drain().map(|(_, a)| a).collect();
        for a in all {
            self.finish_release(a, now);
        }
        self.flush(timeout)?;
        Ok(self.stats())
    }

    /// Counters.
    pub fn stats(&self) -> EngineStats {
        EngineStats {
            engaged_now: self.engaged.len() as u64,
            store_pending: (self.pending_len + self.batch.len()) as u64,
            ..self.stats
        }
    }

    fn emit(&mut self, action: Action, record: AlertRecord, now: u64) {
        // What reaches the store (stores and releases) is remembered for
        // `store_once` / `store_flow_once`.
        match (&action, &record) {
            (Action::Engage, _) => {}
            (_, AlertRecord::Alert(a)) => recent_insert(RecentStores::alert_key(a)),
            (_, AlertRecord::Flow(f)) => recent_insert(RecentStores::flow_key(f)),
        }
        let n = Arc::new(Notification { action, record });
        for ep in &self.endpoints {
            ep.offer(&n);
        }
        if self.store.is_some() {
            self.batch.push(n);
            if self.batch.len() >= self.config.store_batch {
                self.send_batch_if_idle(false);
            } else {
                self.send_batch_if_idle(true);
            }
        }
        if self
            .last_drop_check
            .is_none_or(|t| now < t || now - t >= self.config.drop_check_secs)
        {
            self.check_drops(now, false);
        }
    }

    /// Moves the current batch towards the writer: sent directly when nothing is
    /// pending (and, if `only_if_idle`, the writer is idle), else queued in `pending`
    /// when full.
    fn send_batch_if_idle(&mut self, only_if_idle: bool) {
        if self.store.is_none() || self.batch.is_empty() {
            return;
        }
        if !self.pending.is_empty() {
            self.drain_pending();
        }
        let Some(store) = &self.store else {
            return;
        };
        let full = self.batch.len() >= self.config.store_batch;
        if self.pending.is_empty() && (!only_if_idle || store.is_idle() || full) {
            let b = std::mem::replace(&mut self.batch, Vec::with_capacity(self.config.store_batch));
            let n = b.len();
            match store.try_submit(b) {
                Ok(()) => {
                    self.stats.store_submitted += n as u64;
                    return;
                }
                Err((b, disconnected)) => {
                    if disconnected {
                        self.stats.store_dropped += n as u64;
                        return;
                    }
                    self.batch = b;
                }
            }
        }
        if self.batch.len() >= self.config.store_batch {
            let b = std::mem::replace(&mut self.batch, Vec::with_capacity(self.config.store_batch));
            self.hold(b);
        }
    }

    fn hold(&mut self, b: Vec<Arc<Notification>>) {
        let n = b.len();
        if self.pending_len + n > self.config.max_pending {
            self.stats.store_dropped += n as u64;
            return;
        }
        self.pending_len += n;
        self.pending.push_back(b);
    }

    fn drain_pending(&mut self) {
        let Some(store) = &self.store else {
            return;
        };
        while let Some(b) = self.pending.pop_front() {
            let n = b.len();
            match store.try_submit(b) {
                Ok(()) => {
                    self.pending_len -= n;
                    self.stats.store_submitted += n as u64;
                }
                Err((b, disconnected)) => {
                    if disconnected {
                        self.pending_len -= n;
                        self.stats.store_dropped += n as u64;
                        continue;
                    }
                    self.pending.push_front(b);
                    return;
                }
            }
        }
    }

    /// Raises `alert_dropped_alerts` for each sink that lost alerts since the last
    /// check.
    fn check_drops(&mut self, now: u64, force: bool) {
        if self.in_drop_check {
            return;
        }
        if !force
            && self
                .last_drop_check
                .is_some_and(|t| now >= t && now - t < self.config.drop_check_secs)
        {
            return;
        }
        self.last_drop_check = Some(now);
        let mut reports: Vec<(String, u64, &'static str)> = Vec::new();
        let store_lost =
            self.stats.store_dropped + self.store.as_ref().map_or(0, |s| s.stats().failed);
        if store_lost > self.reported_store_lost {
            reports.push((
                "store".into(),
                store_lost - self.reported_store_lost,
                "stored",
            ));
            self.reported_store_lost = store_lost;
        }
        for (i, ep) in self.endpoints.iter().enumerate() {
            let s = ep.stats();
            let lost = s.dropped + s.failed;
            if let Some(prev) = self.reported_endpoint_lost.get_mut(i)
                && lost > *prev
            {
                reports.push((format!("endpoint:{}", ep.name()), lost - *prev, "delivered"));
                *prev = lost;
            }
        }
        self.in_drop_check = true;
        for (sink, dropped, stage) in reports {
            tracing::warn!(sink, dropped, "alerts lost");
            self.stats.drop_alerts += 1;
            let info = TypeInfo::new(builtin::DROPPED_ALERTS, Severity::Error)
                .subtype(sink.clone())
                .params(serde_json::json!({
                    "dropped": dropped,
                    "sink": sink,
                    "stage": stage,
                    "reason": if stage == "stored" {
                        "store queue full or write failed"
                    } else {
                        "endpoint queue full or delivery failed"
                    },
                }));
            self.store(Entity::interface(self.config.ifid), info, now);
        }
        self.in_drop_check = false;
    }
}

/// How many stored alerts [`AlertEngine::store_once`] remembers.
pub const RECENT_STORES: usize = 4096;

/// The identities (hashes) of the last [`RECENT_STORES`] stored alerts, with their
/// store sequence numbers.
#[derive(Debug, Default)]
struct RecentStores {
    ids: HashMap<u64, u64>,
    order: VecDeque<u64>,
    next: u64,
}

impl RecentStores {
    fn key_of(ifid: i32, ty: u32, subtype: &str, sev: u8, kind: u8, value: &str, ts: u64) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (0u8, ifid, ty, subtype, sev, kind, value, ts).hash(&mut h);
        h.finish()
    }

    fn alert_key(a: &Alert) -> u64 {
        RecentStores::key_of(
            a.ifid,
            a.alert_type.0,
            &a.alert_subtype,
            a.alert_severity.id(),
            a.entity.kind.id(),
            &a.entity.value,
            a.alert_tstamp,
        )
    }

    fn flow_key(a: &FlowAlert) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (
            1u8,
            a.ifid,
            a.alert_type.0,
            a.flow_status.0,
            a.alert_tstamp,
            a.first_seen,
            a.vlan_id,
            a.proto,
            &a.cli_addr,
            a.cli_port,
            &a.srv_addr,
            a.srv_port,
        )
            .hash(&mut h);
        h.finish()
    }

    fn get(&self, key: u64) -> Option<u64> {
        self.ids.get(&key).copied()
    }

    fn insert(&mut self, key: u64) {
        self.next += 1;
        if self.ids.insert(key, self.next).is_none() {
            self.order.push_back(key);
        }
        while self.order.len() > RECENT_STORES {
            if let Some(k) = self.order.pop_front() {
                self.ids.remove(&k);
            }
        }
    }
}

/// The stored alerts of every engine of the process (an endpoint VM's engine must
/// see what the interface engines stored).
fn recent() -> &'static std::sync::Mutex<RecentStores> {
    static RECENT: std::sync::OnceLock<std::sync::Mutex<RecentStores>> = std::sync::OnceLock::new();
    RECENT.get_or_init(Default::default)
}

fn recent_get(key: u64) -> Option<u64> {
    recent().lock().ok().and_then(|r| r.get(key))
}

fn recent_insert(key: u64) {
    if let Ok(mut r) = recent().lock() {
        r.insert(key);
    }
}

fn type_name(registry: &Registry, key: AlertKey, stats: &mut EngineStats) -> String {
    match registry.alert_name(key) {
        Some(n) => n.to_owned(),
        None => {
            stats.unknown_types += 1;
            String::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin::CONNECTION_ISSUES;

    fn engine() -> AlertEngine {
        AlertEngine::new(EngineConfig::default(), Arc::new(Registry::with_builtins()))
    }

    fn info() -> TypeInfo {
        TypeInfo::new(CONNECTION_ISSUES, Severity::Warning)
            .granularity(Granularity::Min)
            .subtype("x")
    }

    #[test]
    fn trigger_twice_engages_once_and_release_gives_duration() {
        let mut e = engine();
        let h = Entity::host("10.0.0.1", 0);
        assert_eq!(
            e.trigger(h.clone(), info(), 100).unwrap(),
            Engagement::Engaged
        );
        assert_eq!(
            e.trigger(h.clone(), info().params(serde_json::json!({"new": 1})), 160)
                .unwrap(),
            Engagement::AlreadyEngaged
        );
        let a = e.engaged().next().unwrap();
        assert_eq!((a.alert_tstamp, a.last_seen, a.count), (100, 160, 2));
        assert_eq!(a.alert_json, "{}", "params are not updated by a re-trigger");
        assert!(e.is_engaged(&h, CONNECTION_ISSUES, "x", Granularity::Min));
        assert!(e.release(h.clone(), info(), 220).unwrap());
        assert!(!e.release(h, info(), 230).unwrap());
        let s = e.stats();
        assert_eq!(
            (s.engaged, s.released, s.engaged_now, s.triggers),
            (1, 1, 0, 2)
        );
    }

    #[test]
    fn identity_includes_subtype_and_granularity() {
        let mut e = engine();
        let h = Entity::host("10.0.0.1", 0);
        e.trigger(h.clone(), info(), 1).unwrap();
        e.trigger(h.clone(), info().subtype("y"), 1).unwrap();
        e.trigger(h.clone(), info().granularity(Granularity::Hour), 1)
            .unwrap();
        e.trigger(Entity::host("10.0.0.1", 1), info(), 1).unwrap();
        assert_eq!(e.stats().engaged_now, 4);
        assert_eq!(e.engaged_on(&h, Some(Granularity::Min)).len(), 2);
        assert_eq!(e.release_entity(&h, 5), 3);
        assert_eq!(e.stats().engaged_now, 1);
    }

    #[test]
    fn trigger_without_granularity_is_an_error() {
        let mut e = engine();
        let i = TypeInfo::new(CONNECTION_ISSUES, Severity::Warning);
        assert!(matches!(
            e.trigger(Entity::system(), i, 1),
            Err(Error::MissingGranularity { .. })
        ));
    }

    #[test]
    fn restore_engaged_prevents_a_second_engage() {
        let mut e = engine();
        let h = Entity::host("10.0.0.1", 0);
        e.trigger(h.clone(), info(), 10).unwrap();
        let saved: Vec<Alert> = e.engaged().cloned().collect();
        let mut e2 = engine();
        assert_eq!(e2.restore_engaged(saved), 1);
        assert_eq!(
            e2.trigger(h, info(), 20).unwrap(),
            Engagement::AlreadyEngaged
        );
    }
}
