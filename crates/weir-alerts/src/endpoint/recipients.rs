//! ntopng 4.2's recipient model (ntopng42-api.md §5.3–§5.4): recipients bound to
//! endpoint configurations, two bounded notification queues per recipient, and the
//! dispatcher that turns each [`Notification`] into ntopng's notification JSON and
//! enqueues it for every recipient that wants it.
//!
//! The queues ([`RecipientQueues`]) are what `ntop.recipient_enqueue`,
//! `ntop.recipient_dequeue`, `ntop.recipient_register` and `ntop.recipient_stats`
//! act on; the endpoint modules' threads drain them. The dispatcher
//! ([`RecipientDispatch`]) is an ordinary [`Endpoint`] fed by the alert engines, so
//! the engine thread never waits for a recipient: a full recipient queue drops the
//! notification and counts it, and the count reaches the engine's
//! `alert_dropped_alerts` through the dispatcher's [`EndpointSender`] stats.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};

use parking_lot::{Mutex, RwLock};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::Endpoint;
use crate::alert::{AlertRecord, Notification};
use crate::error::Result;
use crate::types::{EntityKind, Severity};

/// How many recipients may exist (ids 0..63).
pub const MAX_RECIPIENTS: usize = 64;
/// Slots of each of a recipient's two queues.
pub const RECIPIENT_QUEUE_SLOTS: usize = 8192;

/// The user script categories of ntopng 4.2 (`user_scripts.script_categories`), by id.
pub const SCRIPT_CATEGORIES: [&str; 5] = ["other", "security", "internals", "network", "system"];

/// The id of a script category given by name or decimal id.
pub fn category_id(name_or_id: &str) -> Option<u8> {
    if let Ok(id) = name_or_id.trim().parse::<u8>() {
        return (usize::from(id) < SCRIPT_CATEGORIES.len()).then_some(id);
    }
    SCRIPT_CATEGORIES
        .iter()
        .position(|c| c.eq_ignore_ascii_case(name_or_id.trim()))
        .and_then(|i| u8::try_from(i).ok())
}

/// `ntop.recipient_stats(id)`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct RecipientStats {
    /// Epoch seconds of the last dequeue (0 = never).
    pub last_use: u64,
    /// Notifications refused because a queue was full.
    pub num_drops: u64,
    /// Notifications dequeued.
    pub num_uses: u64,
}

#[derive(Debug, Default)]
struct Slot {
    high: VecDeque<String>,
    low: VecDeque<String>,
    stats: RecipientStats,
}

/// The notification queues of every registered recipient: a high-priority queue
/// (everything but flow alerts) and a low-priority one (flow alerts), each of
/// [`RECIPIENT_QUEUE_SLOTS`] slots.
#[derive(Debug)]
pub struct RecipientQueues {
    slots: Mutex<Vec<Option<Slot>>>,
    capacity: usize,
    /// Notifications lost: refused by a full queue, or dequeued by a delivery that
    /// failed.
    lost: Arc<AtomicU64>,
}

impl Default for RecipientQueues {
    fn default() -> RecipientQueues {
        RecipientQueues::with_capacity(RECIPIENT_QUEUE_SLOTS)
    }
}

fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

impl RecipientQueues {
    /// Queues of `capacity` slots each (tests use small ones).
    pub fn with_capacity(capacity: usize) -> RecipientQueues {
        RecipientQueues {
            slots: Mutex::new((0..MAX_RECIPIENTS).map(|_| None).collect()),
            capacity: capacity.max(1),
            lost: Arc::new(AtomicU64::new(0)),
        }
    }

    /// The process-wide queues, used by the Lua VMs that were not given their own.
    pub fn global() -> &'static Arc<RecipientQueues> {
        static GLOBAL: OnceLock<Arc<RecipientQueues>> = OnceLock::new();
        GLOBAL.get_or_init(|| Arc::new(RecipientQueues::default()))
    }

    /// Creates the queues of recipient `id` (keeps them if they exist). False when
    /// `id` is out of range.
    pub fn register(&self, id: usize) -> bool {
        let mut s = self.slots.lock();
        match s.get_mut(id) {
            Some(slot) => {
                slot.get_or_insert_with(Slot::default);
                true
            }
            None => false,
        }
    }

    /// Removes recipient `id` and what it had queued.
    pub fn unregister(&self, id: usize) {
        if let Some(slot) = self.slots.lock().get_mut(id) {
            *slot = None;
        }
    }

    /// Appends `json` to a queue of recipient `id`. False (and counted as a drop)
    /// when the queue is full; false when the recipient is not registered.
    pub fn enqueue(&self, id: usize, high: bool, json: String) -> bool {
        let mut s = self.slots.lock();
        let Some(Some(slot)) = s.get_mut(id) else {
            return false;
        };
        let cap = self.capacity;
        let q = if high { &mut slot.high } else { &mut slot.low };
        if q.len() >= cap {
            slot.stats.num_drops += 1;
            self.lost.fetch_add(1, Ordering::AcqRel);
            return false;
        }
        q.push_back(json);
        true
    }

    /// Pops the oldest notification of a queue of recipient `id`.
    pub fn dequeue(&self, id: usize, high: bool) -> Option<String> {
        let mut s = self.slots.lock();
        let slot = s.get_mut(id)?.as_mut()?;
        let q = if high { &mut slot.high } else { &mut slot.low };
        let v = q.pop_front()?;
        slot.stats.num_uses += 1;
        slot.stats.last_use = now_secs();
        Some(v)
    }

    /// Queued notifications of recipient `id` (high, low).
    pub fn len(&self, id: usize) -> (usize, usize) {
        match self.slots.lock().get(id) {
            Some(Some(slot)) => (slot.high.len(), slot.low.len()),
            _ => (0, 0),
        }
    }

    /// The counters of recipient `id`, if registered.
    pub fn stats(&self, id: usize) -> Option<RecipientStats> {
        match self.slots.lock().get(id) {
            Some(Some(slot)) => Some(slot.stats),
            _ => None,
        }
    }

    /// Counts `n` notifications lost by a failed delivery.
    pub fn count_lost(&self, n: u64) {
        self.lost.fetch_add(n, Ordering::AcqRel);
    }

    /// Notifications lost so far (full queues and failed deliveries).
    pub fn lost(&self) -> u64 {
        self.lost.load(Ordering::Acquire)
    }

    /// The shared loss counter (added to the dispatcher's endpoint stats).
    pub fn lost_counter(&self) -> Arc<AtomicU64> {
        Arc::clone(&self.lost)
    }
}

/// Internal alerts (§5.5) waiting for `ntop.popInternalAlerts()`: a process-wide
/// queue of at most this many (older ones are dropped when it is full).
pub const INTERNAL_ALERTS_MAX: usize = 1024;

fn internal_alerts() -> &'static Mutex<VecDeque<Value>> {
    static Q: OnceLock<Mutex<VecDeque<Value>>> = OnceLock::new();
    Q.get_or_init(|| Mutex::new(VecDeque::new()))
}

/// Queues an internal alert (§5.5): an object with at least `alert_type` (string);
/// `ifid` (default -1) and `alert_tstamp` (default now) are added when missing.
pub fn push_internal_alert(mut alert: Value) {
    if let Value::Object(o) = &mut alert {
        o.entry("ifid").or_insert(Value::from(-1));
        o.entry("alert_tstamp").or_insert(Value::from(now_secs()));
    }
    let mut q = internal_alerts().lock();
    if q.len() >= INTERNAL_ALERTS_MAX {
        q.pop_front();
    }
    q.push_back(alert);
}

/// The oldest queued internal alert (`ntop.popInternalAlerts()`), if any.
pub fn pop_internal_alert() -> Option<Value> {
    internal_alerts().lock().pop_front()
}

/// An endpoint configuration: an endpoint module (by key) and its `conf_params`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointConf {
    /// Unique name (`endpoint_conf_name`).
    pub name: String,
    /// The endpoint module key: its file base name (`webhook`, `email`, …).
    pub endpoint_key: String,
    /// `conf_params` values.
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    /// Created automatically for a `builtin` module (not editable).
    #[serde(default)]
    pub builtin: bool,
}

/// A recipient: who gets notifications through an endpoint configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recipient {
    /// `recipient_id` (0..63).
    pub id: u8,
    /// Unique name.
    pub name: String,
    /// The endpoint configuration's name.
    pub endpoint_conf_name: String,
    /// `recipient_params` values.
    #[serde(default)]
    pub params: BTreeMap<String, String>,
    /// Minimum severity (default notice).
    #[serde(default = "default_severity")]
    pub minimum_severity: Severity,
    /// User script category ids; empty = all.
    #[serde(default)]
    pub categories: Vec<u8>,
    /// Created automatically for a `builtin` module (not editable).
    #[serde(default)]
    pub builtin: bool,
}

fn default_severity() -> Severity {
    Severity::Notice
}

impl Recipient {
    /// True when `severity` and the script category (`None`: no script) pass.
    pub fn wants(&self, severity: Severity, category: Option<u8>) -> bool {
        severity >= self.minimum_severity
            && (self.categories.is_empty() || category.is_none_or(|c| self.categories.contains(&c)))
    }

    /// The recipient table handed to endpoint modules (§5.3), given its
    /// configuration.
    pub fn lua_table(&self, conf: &EndpointConf) -> Value {
        let mut ec: Map<String, Value> = conf
            .params
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        if conf.builtin {
            ec.insert("builtin".into(), Value::Bool(true));
        }
        let rp: Map<String, Value> = self
            .params
            .iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect();
        json!({
            "recipient_id": self.id,
            "recipient_name": self.name,
            "endpoint_conf_name": conf.name,
            "endpoint_key": conf.endpoint_key,
            "endpoint_conf": ec,
            "recipient_params": rp,
            "user_script_categories": self.categories,
            "minimum_severity": self.minimum_severity.id(),
        })
    }
}

/// The lowest id in 0..63 not in `used`.
pub fn lowest_free_id(used: impl IntoIterator<Item = u8>) -> Option<u8> {
    let used: Vec<u8> = used.into_iter().collect();
    (0..MAX_RECIPIENTS as u8).find(|i| !used.contains(i))
}

/// Endpoint configurations and recipients, shared by the dispatcher, the endpoint
/// threads and the web server (changes apply at once).
#[derive(Debug, Default)]
pub struct RecipientSet {
    inner: RwLock<(Vec<EndpointConf>, Vec<Recipient>)>,
}

impl RecipientSet {
    /// A set with these configurations and recipients.
    pub fn new(confs: Vec<EndpointConf>, recipients: Vec<Recipient>) -> RecipientSet {
        RecipientSet {
            inner: RwLock::new((confs, recipients)),
        }
    }

    /// The endpoint configurations.
    pub fn confs(&self) -> Vec<EndpointConf> {
        self.inner.read().0.clone()
    }

    /// The recipients.
    pub fn recipients(&self) -> Vec<Recipient> {
        self.inner.read().1.clone()
    }

    /// Recipients of endpoint module `key`, each with its configuration, by id.
    pub fn of_endpoint(&self, key: &str) -> Vec<(Recipient, EndpointConf)> {
        let g = self.inner.read();
        let mut v: Vec<(Recipient, EndpointConf)> =
            g.1.iter()
                .filter_map(|r| {
                    let c = g.0.iter().find(|c| c.name == r.endpoint_conf_name)?;
                    (c.endpoint_key == key).then(|| (r.clone(), c.clone()))
                })
                .collect();
        v.sort_by_key(|(r, _)| r.id);
        v
    }

    /// Replaces everything.
    pub fn replace(&self, confs: Vec<EndpointConf>, recipients: Vec<Recipient>) {
        *self.inner.write() = (confs, recipients);
    }

    /// Runs `f` on the configurations and recipients, under the write lock.
    pub fn update<T>(&self, f: impl FnOnce(&mut Vec<EndpointConf>, &mut Vec<Recipient>) -> T) -> T {
        let mut g = self.inner.write();
        let (c, r) = &mut *g;
        f(c, r)
    }
}

/// ntopng's notification JSON (§5.4) of `n`. `pool_id` is always 0 (weir has no
/// host pools).
pub fn notification_json(n: &Notification) -> Value {
    match &n.record {
        AlertRecord::Alert(a) => {
            let end = a.alert_tstamp_end.unwrap_or(a.alert_tstamp);
            json!({
                "ifid": a.ifid,
                "action": n.action.name(),
                "alert_type": a.alert_type.0,
                "alert_subtype": a.alert_subtype,
                "alert_granularity": a.alert_granularity,
                "alert_severity": a.alert_severity.id(),
                "alert_entity": a.entity.kind.id(),
                "alert_entity_val": a.entity.value,
                "alert_tstamp": a.alert_tstamp,
                "alert_tstamp_end": end,
                "alert_json": a.alert_json,
                "pool_id": 0,
            })
        }
        AlertRecord::Flow(f) => {
            let inner = json!({ "info": f.info, "status_info": f.alert_json }).to_string();
            let mut m = json!({
                "alert_json": inner,
                "ifid": f.ifid,
                "action": "store",
                "first_seen": f.first_seen,
                "score": f.score,
                "is_flow_alert": true,
                "alert_tstamp": f.alert_tstamp,
                "flow_status": f.flow_status.0,
                "alert_type": f.alert_type.0,
                "alert_severity": f.alert_severity.id(),
                "vlan_id": f.vlan_id,
                "proto": f.proto,
                "proto.ndpi": f.proto_name,
                "l7_master_proto": f.l7_master_proto,
                "l7_proto": f.l7_proto,
                "cli2srv_bytes": f.cli2srv_bytes,
                "cli2srv_packets": f.cli2srv_packets,
                "srv2cli_bytes": f.srv2cli_bytes,
                "srv2cli_packets": f.srv2cli_packets,
                "cli_addr": f.cli_addr,
                "cli_port": f.cli_port,
                "cli_blacklisted": f.cli_blacklisted,
                "srv_addr": f.srv_addr,
                "srv_port": f.srv_port,
                "srv_blacklisted": f.srv_blacklisted,
                "alert_entity": EntityKind::Flow.id(),
                "alert_entity_val": "flow",
                "pool_id": 0,
            });
            if let Value::Object(o) = &mut m {
                for (side, country, asn, local) in [
                    ("cli", &f.cli_country, f.cli_asn, f.cli_localhost),
                    ("srv", &f.srv_country, f.srv_asn, f.srv_localhost),
                ] {
                    if !country.is_empty() {
                        o.insert(format!("{side}_country"), Value::from(country.as_str()));
                    }
                    if asn != 0 {
                        o.insert(format!("{side}_asn"), Value::from(asn));
                    }
                    if local {
                        o.insert(format!("{side}_localhost"), Value::Bool(true));
                    }
                }
                if f.replace_alert {
                    o.insert("replace_alert".into(), Value::Bool(true));
                }
            }
            m
        }
    }
}

/// Finds the category id of the script that raised a notification (by script key
/// and subdirectory).
pub type CategoryOf = Arc<dyn Fn(&str, &str) -> Option<u8> + Send + Sync>;

/// The script key and subdirectory that raised `n`, if a script did.
fn script_of(n: &Notification) -> Option<(String, String)> {
    match &n.record {
        AlertRecord::Flow(f) => f.script_key.clone().map(|k| (k, "flow".to_owned())),
        AlertRecord::Alert(a) => {
            let subdir = serde_json::from_str::<Value>(&a.alert_json)
                .ok()
                .and_then(|v| {
                    v.get("alert_generation")?
                        .get("subdir")?
                        .as_str()
                        .map(str::to_owned)
                })
                .unwrap_or_default();
            a.script_key.clone().map(|k| (k, subdir))
        }
    }
}

/// The dispatcher (`recipients.dispatch_notification`): an [`Endpoint`] that
/// enqueues each notification's JSON for every recipient whose minimum severity
/// and categories it passes; flow alerts to the low-priority queue, the rest to the
/// high one.
pub struct RecipientDispatch {
    set: Arc<RecipientSet>,
    queues: Arc<RecipientQueues>,
    category_of: CategoryOf,
}

impl std::fmt::Debug for RecipientDispatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecipientDispatch").finish_non_exhaustive()
    }
}

impl RecipientDispatch {
    /// A dispatcher over `set`'s recipients into `queues`.
    pub fn new(
        set: Arc<RecipientSet>,
        queues: Arc<RecipientQueues>,
        category_of: CategoryOf,
    ) -> RecipientDispatch {
        RecipientDispatch {
            set,
            queues,
            category_of,
        }
    }

    /// Enqueues `n` for the recipients that want it; returns how many took it.
    pub fn dispatch(&self, n: &Notification) -> usize {
        let recipients = self.set.recipients();
        if recipients.is_empty() {
            return 0;
        }
        let category = script_of(n).map(|(k, d)| (self.category_of)(&k, &d).unwrap_or(0));
        let high = !matches!(n.record, AlertRecord::Flow(_));
        let severity = n.record.severity();
        let mut text: Option<String> = None;
        let mut took = 0;
        for r in recipients.iter().filter(|r| r.wants(severity, category)) {
            let t = text.get_or_insert_with(|| notification_json(n).to_string());
            if self.queues.enqueue(usize::from(r.id), high, t.clone()) {
                took += 1;
            }
        }
        took
    }
}

impl Endpoint for RecipientDispatch {
    fn deliver(&mut self, batch: &[Arc<Notification>]) -> Result<()> {
        for n in batch {
            self.dispatch(n);
        }
        Ok(())
    }
}

/// Starts the dispatcher in its own endpoint thread (accepting every severity:
/// recipients filter for themselves). Its sender's `dropped` count includes the
/// notifications the recipient queues lost.
///
/// # Errors
/// A spawn failure.
pub fn spawn_dispatch(
    set: Arc<RecipientSet>,
    queues: Arc<RecipientQueues>,
    category_of: CategoryOf,
) -> Result<super::EndpointHandle> {
    let mut config = super::EndpointConfig::new("recipients");
    config.filter.min_severity = Severity::Debug;
    let lost = queues.lost_counter();
    let mut h = super::spawn_endpoint(config, move || {
        Ok(RecipientDispatch::new(set, queues, category_of))
    })?;
    h.sender.downstream_lost = Some(lost);
    Ok(h)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alert::{Action, Alert, FlowAlert};
    use crate::keys::{AlertKey, StatusKey};
    use crate::types::Entity;

    fn alert(sev: Severity, script: Option<&str>) -> Notification {
        Notification {
            action: Action::Engage,
            record: AlertRecord::Alert(Alert {
                rowid: None,
                ifid: 0,
                alert_type: AlertKey(11),
                alert_name: String::new(),
                alert_subtype: String::new(),
                alert_granularity: 60,
                alert_severity: sev,
                entity: Entity::host("10.0.0.1", 0),
                alert_tstamp: 10,
                alert_tstamp_end: None,
                last_seen: 10,
                count: 1,
                score: 0,
                alert_json:
                    r#"{"alert_generation":{"script_key":"s","subdir":"host","confset_id":0}}"#
                        .into(),
                script_key: script.map(str::to_owned),
                msg: "Flows flood".into(),
                acknowledged: false,
            }),
        }
    }

    fn recipient(id: u8, sev: Severity, cats: Vec<u8>) -> Recipient {
        Recipient {
            id,
            name: format!("r{id}"),
            endpoint_conf_name: "c".into(),
            params: BTreeMap::new(),
            minimum_severity: sev,
            categories: cats,
            builtin: false,
        }
    }

    #[test]
    fn queues_are_bounded_and_count_drops() {
        let q = RecipientQueues::with_capacity(2);
        assert!(!q.enqueue(3, true, "x".into()));
        assert!(q.register(3));
        assert!(!q.register(64));
        assert!(q.enqueue(3, true, "a".into()));
        assert!(q.enqueue(3, true, "b".into()));
        assert!(!q.enqueue(3, true, "c".into()));
        assert!(q.enqueue(3, false, "l".into()));
        assert_eq!(q.stats(3).unwrap().num_drops, 1);
        assert_eq!(q.lost(), 1);
        assert_eq!(q.dequeue(3, true).as_deref(), Some("a"));
        assert_eq!(q.dequeue(3, false).as_deref(), Some("l"));
        assert_eq!(q.dequeue(3, false), None);
        assert_eq!(q.stats(3).unwrap().num_uses, 2);
    }

    #[test]
    fn dispatch_filters_by_severity_and_category() {
        let set = Arc::new(RecipientSet::new(
            vec![],
            vec![
                recipient(0, Severity::Notice, vec![]),
                recipient(1, Severity::Error, vec![]),
                recipient(2, Severity::Debug, vec![1]),
            ],
        ));
        let q = Arc::new(RecipientQueues::default());
        for i in 0..3 {
            q.register(i);
        }
        let d = RecipientDispatch::new(
            set,
            q.clone(),
            Arc::new(|k: &str, d: &str| (k == "s" && d == "host").then_some(4)),
        );
        assert_eq!(d.dispatch(&alert(Severity::Warning, Some("s"))), 1);
        assert_eq!(d.dispatch(&alert(Severity::Warning, None)), 2);
        assert_eq!(q.len(0), (2, 0));
        assert_eq!(q.len(2), (1, 0));
        let v: Value = serde_json::from_str(&q.dequeue(0, true).unwrap()).unwrap();
        assert_eq!(v["action"], "engage");
        assert_eq!(v["alert_granularity"], 60);
        assert_eq!(v["alert_entity_val"], "10.0.0.1@0");
        assert_eq!(v["pool_id"], 0);
    }

    #[test]
    fn flow_alerts_go_low_with_the_flow_shape() {
        let mut f = FlowAlert::new(
            AlertKey(5),
            StatusKey(3),
            Severity::Warning,
            100,
            6,
            ("10.0.0.1", 1),
            ("10.0.0.2", 80),
        );
        f.info = "x.example".into();
        f.alert_json = r#"{"a":1}"#.into();
        f.cli_localhost = true;
        let n = Notification {
            action: Action::Store,
            record: AlertRecord::Flow(f),
        };
        let v = notification_json(&n);
        assert_eq!(v["is_flow_alert"], true);
        assert_eq!(v["alert_entity"], 4);
        assert_eq!(v["cli_localhost"], true);
        assert!(v.get("srv_localhost").is_none());
        let inner: Value = serde_json::from_str(v["alert_json"].as_str().unwrap()).unwrap();
        assert_eq!(inner["info"], "x.example");
        assert_eq!(inner["status_info"], r#"{"a":1}"#);
        let set = Arc::new(RecipientSet::new(
            vec![],
            vec![recipient(0, Severity::Notice, vec![])],
        ));
        let q = Arc::new(RecipientQueues::default());
        q.register(0);
        RecipientDispatch::new(set, q.clone(), Arc::new(|_: &str, _: &str| None)).dispatch(&n);
        assert_eq!(q.len(0), (0, 1));
    }

    #[test]
    fn the_dispatcher_reports_what_full_queues_dropped() {
        let set = Arc::new(RecipientSet::new(
            vec![],
            vec![recipient(0, Severity::Notice, vec![])],
        ));
        let q = Arc::new(RecipientQueues::with_capacity(3));
        q.register(0);
        let h = spawn_dispatch(set, q.clone(), Arc::new(|_: &str, _: &str| None)).unwrap();
        let s = h.sender();
        for _ in 0..5 {
            assert!(s.offer(&Arc::new(alert(Severity::Error, None))));
        }
        s.flush(std::time::Duration::from_secs(10)).unwrap();
        assert_eq!(q.len(0), (3, 0));
        // The engine reads this when it raises alert_dropped_alerts.
        assert_eq!(s.stats().dropped, 2);
        h.shutdown(std::time::Duration::from_secs(10)).unwrap();
    }

    #[test]
    fn ids_and_categories() {
        assert_eq!(lowest_free_id([0, 1, 3]), Some(2));
        assert_eq!(lowest_free_id(0..64), None);
        assert_eq!(category_id("security"), Some(1));
        assert_eq!(category_id("4"), Some(4));
        assert_eq!(category_id("nope"), None);
    }
}
