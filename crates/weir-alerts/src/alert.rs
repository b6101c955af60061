//! Alert records: what callers pass in ([`TypeInfo`], [`FlowAlert`]) and what is
//! stored, queried and notified ([`Alert`], [`FlowAlert`], [`Notification`]).
//!
//! Field names are ntopng's (`alert_type`, `alert_severity`, `alert_entity`,
//! `alert_entity_val`, `alert_tstamp`, `alert_tstamp_end`, `alert_json`, `cli_addr`,
//! …) so JSON consumers written for ntopng keep working. Timestamps are seconds
//! since the epoch on the packet-time clock.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::keys::{AlertKey, StatusKey};
use crate::types::{Entity, Granularity, Severity};

/// Which script raised an alert (`alert_generation` in `alert_json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertGeneration {
    /// The user script key (its file name).
    pub script_key: String,
    /// The user script subdirectory (`flow`, `host`, `interface`, …).
    pub subdir: String,
    /// The configset the script ran with.
    pub confset_id: u32,
}

/// What a caller says about an alert it triggers, releases or stores
/// (`type_info` of `alerts_api`, lua-api.md §5).
#[derive(Debug, Clone, PartialEq)]
pub struct TypeInfo {
    /// The alert type key.
    pub alert_type: AlertKey,
    /// The severity.
    pub severity: Severity,
    /// `alert_subtype` (empty when none): part of an engaged alert's identity.
    pub subtype: String,
    /// `alert_granularity`: required by trigger/release, `None` = aperiodic.
    pub granularity: Option<Granularity>,
    /// `alert_type_params` built by the definition's creator.
    pub params: Value,
    /// Score of the alert.
    pub score: u32,
    /// The script that raised it, if any.
    pub generation: Option<AlertGeneration>,
    /// The human-readable message (the definition's formatter); empty = the engine
    /// writes one from the type's title and the params ([`crate::message`]).
    pub msg: String,
}

impl TypeInfo {
    /// A type info with no subtype, granularity, params, score or script.
    pub fn new(alert_type: AlertKey, severity: Severity) -> TypeInfo {
        TypeInfo {
            alert_type,
            severity,
            subtype: String::new(),
            granularity: None,
            params: Value::Null,
            score: 0,
            generation: None,
            msg: String::new(),
        }
    }

    /// Sets the subtype.
    pub fn subtype(mut self, subtype: impl Into<String>) -> TypeInfo {
        self.subtype = subtype.into();
        self
    }

    /// Sets the granularity.
    pub fn granularity(mut self, g: Granularity) -> TypeInfo {
        self.granularity = Some(g);
        self
    }

    /// Sets the params (`alert_type_params`).
    pub fn params(mut self, params: Value) -> TypeInfo {
        self.params = params;
        self
    }

    /// Sets the score.
    pub fn score(mut self, score: u32) -> TypeInfo {
        self.score = score;
        self
    }

    /// Sets the script that raised the alert.
    pub fn generation(mut self, g: AlertGeneration) -> TypeInfo {
        self.generation = Some(g);
        self
    }

    /// Sets the human-readable message.
    pub fn msg(mut self, msg: impl Into<String>) -> TypeInfo {
        self.msg = msg.into();
        self
    }
}

/// Builds `alert_json`: the params JSON plus `alert_generation` when known.
///
/// `null` params become `{}`; non-object params are kept under `"value"` when a
/// generation must be added.
pub fn alert_json(params: &Value, generation: Option<&AlertGeneration>) -> String {
    let Some(g) = generation else {
        return match params {
            Value::Null => "{}".to_owned(),
            v => v.to_string(),
        };
    };
    let gen_value = serde_json::json!({
        "script_key": g.script_key,
        "subdir": g.subdir,
        "confset_id": g.confset_id,
    });
    let mut obj = match params {
        Value::Object(m) => m.clone(),
        Value::Null => serde_json::Map::new(),
        v => {
            let mut m = serde_json::Map::new();
            m.insert("value".into(), v.clone());
            m
        }
    };
    obj.insert("alert_generation".into(), gen_value);
    Value::Object(obj).to_string()
}

/// An engaged, past (released) or one-shot stored alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    /// Row id in the store (set on query results only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rowid: Option<i64>,
    /// Interface id.
    pub ifid: i32,
    /// `alert_type` (integer key).
    pub alert_type: AlertKey,
    /// The type name (`alert_consts.alertTypeRaw`), empty when unknown.
    #[serde(default)]
    pub alert_name: String,
    /// `alert_subtype`.
    #[serde(default)]
    pub alert_subtype: String,
    /// `alert_granularity` in seconds (0 = aperiodic).
    #[serde(default)]
    pub alert_granularity: u32,
    /// `alert_severity` (id).
    pub alert_severity: Severity,
    /// `alert_entity` + `alert_entity_val`.
    #[serde(flatten)]
    pub entity: Entity,
    /// `alert_tstamp`: when it was engaged (or stored), packet time.
    pub alert_tstamp: u64,
    /// `alert_tstamp_end`: when it was released (`None` while engaged).
    #[serde(default)]
    pub alert_tstamp_end: Option<u64>,
    /// Last time it was (re-)triggered.
    pub last_seen: u64,
    /// How many times it was triggered while engaged (1 for one-shot alerts).
    pub count: u64,
    /// Score.
    #[serde(default)]
    pub score: u32,
    /// `alert_json`: the params as a JSON string.
    pub alert_json: String,
    /// The script that raised it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script_key: Option<String>,
    /// `msg`: the human-readable message (ntopng's formatted alert message).
    #[serde(default)]
    pub msg: String,
    /// Acknowledged by a user (`weir alerts --ack`, the REST API or the UI).
    #[serde(default)]
    pub acknowledged: bool,
}

impl Alert {
    /// The granularity (`None` = aperiodic).
    pub fn granularity(&self) -> Option<Granularity> {
        Granularity::from_seconds(self.alert_granularity)
    }

    /// Duration in seconds for a released alert.
    pub fn duration_secs(&self) -> Option<u64> {
        self.alert_tstamp_end
            .map(|end| end.saturating_sub(self.alert_tstamp))
    }

    /// The identity of an engaged alert as a string
    /// (`alerts_api.getAlertId`: `type_subtype_granularity_entity_value`).
    pub fn alert_id(&self) -> String {
        format!(
            "{}_{}_{}_{}_{}",
            self.alert_type.0,
            self.alert_subtype,
            self.alert_granularity,
            self.entity.kind.id(),
            self.entity.value
        )
    }
}

/// A one-shot flow alert with the flow's summary (flow-info.md §6.1).
///
/// Build it with [`FlowAlert::new`] and set the fields the flow has; the engine
/// fills `ifid` and `alert_name`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowAlert {
    /// Row id in the store (set on query results only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rowid: Option<i64>,
    /// Interface id.
    #[serde(default)]
    pub ifid: i32,
    /// `alert_type` (integer key).
    pub alert_type: AlertKey,
    /// Type name, empty when unknown.
    #[serde(default)]
    pub alert_name: String,
    /// `flow_status`: the status that raised the alert.
    pub flow_status: StatusKey,
    /// `alert_severity` (id).
    pub alert_severity: Severity,
    /// Always the flow entity (`alert_entity` 4, `alert_entity_val` `"flow"`).
    #[serde(flatten)]
    pub entity: Entity,
    /// `alert_tstamp`, packet time.
    pub alert_tstamp: u64,
    /// `first_seen` of the flow.
    #[serde(default)]
    pub first_seen: u64,
    /// `score`: the flow score of the alerted status.
    #[serde(default)]
    pub score: u32,
    /// Score added to the client host.
    #[serde(default)]
    pub cli_score: u32,
    /// Score added to the server host.
    #[serde(default)]
    pub srv_score: u32,
    /// `vlan_id` (0 = none).
    #[serde(default)]
    pub vlan_id: u16,
    /// `proto`: L4 protocol number.
    pub proto: u8,
    /// `proto.ndpi`-style full protocol name (`"TLS.Google"`), or the L4 name.
    #[serde(default)]
    pub proto_name: String,
    /// `l7_proto`: application protocol name (`"HTTP"`).
    #[serde(default)]
    pub l7_proto: String,
    /// `l7_master_proto`: master protocol name (`"TLS"` for `TLS.Google`).
    #[serde(default)]
    pub l7_master_proto: String,
    /// Client address.
    pub cli_addr: String,
    /// Client port.
    pub cli_port: u16,
    /// Server address.
    pub srv_addr: String,
    /// Server port.
    pub srv_port: u16,
    /// Client is a local host.
    #[serde(default)]
    pub cli_localhost: bool,
    /// Server is a local host.
    #[serde(default)]
    pub srv_localhost: bool,
    /// Client is blacklisted.
    #[serde(default)]
    pub cli_blacklisted: bool,
    /// Server is blacklisted.
    #[serde(default)]
    pub srv_blacklisted: bool,
    /// Client country code (empty = unknown).
    #[serde(default)]
    pub cli_country: String,
    /// Server country code (empty = unknown).
    #[serde(default)]
    pub srv_country: String,
    /// Client ASN (0 = unknown).
    #[serde(default)]
    pub cli_asn: u32,
    /// Server ASN (0 = unknown).
    #[serde(default)]
    pub srv_asn: u32,
    /// Bytes client → server.
    #[serde(default)]
    pub cli2srv_bytes: u64,
    /// Bytes server → client.
    #[serde(default)]
    pub srv2cli_bytes: u64,
    /// Packets client → server.
    #[serde(default)]
    pub cli2srv_packets: u64,
    /// Packets server → client.
    #[serde(default)]
    pub srv2cli_packets: u64,
    /// `info` (URL, SNI, DNS query…).
    #[serde(default)]
    pub info: String,
    /// `alert_json`: the status info (params) as a JSON string.
    pub alert_json: String,
    /// `replace_alert`: a re-raise of the flow's alert with a higher score.
    #[serde(default)]
    pub replace_alert: bool,
    /// The script that raised it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub script_key: Option<String>,
    /// `msg`: the human-readable message (the flow status's formatter).
    #[serde(default)]
    pub msg: String,
    /// Acknowledged by a user.
    #[serde(default)]
    pub acknowledged: bool,
}

impl FlowAlert {
    /// A flow alert for this status and 5-tuple; other fields zero/empty.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        alert_type: AlertKey,
        flow_status: StatusKey,
        severity: Severity,
        tstamp: u64,
        proto: u8,
        cli: (&str, u16),
        srv: (&str, u16),
    ) -> FlowAlert {
        FlowAlert {
            rowid: None,
            ifid: 0,
            alert_type,
            alert_name: String::new(),
            flow_status,
            alert_severity: severity,
            entity: Entity::flow(),
            alert_tstamp: tstamp,
            first_seen: tstamp,
            score: 0,
            cli_score: 0,
            srv_score: 0,
            vlan_id: 0,
            proto,
            proto_name: String::new(),
            l7_proto: String::new(),
            l7_master_proto: String::new(),
            cli_addr: cli.0.to_owned(),
            cli_port: cli.1,
            srv_addr: srv.0.to_owned(),
            srv_port: srv.1,
            cli_localhost: false,
            srv_localhost: false,
            cli_blacklisted: false,
            srv_blacklisted: false,
            cli_country: String::new(),
            srv_country: String::new(),
            cli_asn: 0,
            srv_asn: 0,
            cli2srv_bytes: 0,
            srv2cli_bytes: 0,
            cli2srv_packets: 0,
            srv2cli_packets: 0,
            info: String::new(),
            alert_json: "{}".to_owned(),
            replace_alert: false,
            script_key: None,
            msg: String::new(),
            acknowledged: false,
        }
    }
}

/// An alert of any table, as returned by queries and carried by notifications.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum AlertRecord {
    /// A flow alert.
    Flow(FlowAlert),
    /// An engaged, past or stored alert.
    Alert(Alert),
}

impl AlertRecord {
    /// Severity.
    pub fn severity(&self) -> Severity {
        match self {
            AlertRecord::Flow(f) => f.alert_severity,
            AlertRecord::Alert(a) => a.alert_severity,
        }
    }

    /// Entity.
    pub fn entity(&self) -> &Entity {
        match self {
            AlertRecord::Flow(f) => &f.entity,
            AlertRecord::Alert(a) => &a.entity,
        }
    }

    /// Alert type key.
    pub fn alert_type(&self) -> AlertKey {
        match self {
            AlertRecord::Flow(f) => f.alert_type,
            AlertRecord::Alert(a) => a.alert_type,
        }
    }

    /// Type name (may be empty).
    pub fn alert_name(&self) -> &str {
        match self {
            AlertRecord::Flow(f) => &f.alert_name,
            AlertRecord::Alert(a) => &a.alert_name,
        }
    }

    /// `alert_tstamp`.
    pub fn tstamp(&self) -> u64 {
        match self {
            AlertRecord::Flow(f) => f.alert_tstamp,
            AlertRecord::Alert(a) => a.alert_tstamp,
        }
    }

    /// The human-readable message (`msg`).
    pub fn msg(&self) -> &str {
        match self {
            AlertRecord::Flow(f) => &f.msg,
            AlertRecord::Alert(a) => &a.msg,
        }
    }

    /// The row id in the store (query results only).
    pub fn rowid(&self) -> Option<i64> {
        match self {
            AlertRecord::Flow(f) => f.rowid,
            AlertRecord::Alert(a) => a.rowid,
        }
    }

    /// Acknowledged by a user.
    pub fn acknowledged(&self) -> bool {
        match self {
            AlertRecord::Flow(f) => f.acknowledged,
            AlertRecord::Alert(a) => a.acknowledged,
        }
    }

    /// `alert_json`.
    pub fn alert_json(&self) -> &str {
        match self {
            AlertRecord::Flow(f) => &f.alert_json,
            AlertRecord::Alert(a) => &a.alert_json,
        }
    }
}

/// What happened to an alert (`action` of a notification).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum Action {
    /// An alert became engaged.
    Engage,
    /// An engaged alert was released (it is now a past alert).
    Release,
    /// A one-shot alert (including flow alerts) was stored.
    Store,
}

impl Action {
    /// `"engage"`, `"release"` or `"store"`.
    pub fn name(self) -> &'static str {
        match self {
            Action::Engage => "engage",
            Action::Release => "release",
            Action::Store => "store",
        }
    }
}

/// An alert event, as written to the store and delivered to endpoints: the alert
/// plus `action`. Serialises flat (ntopng's notification JSON).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// What happened.
    pub action: Action,
    /// The alert.
    #[serde(flatten)]
    pub record: AlertRecord,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_json_adds_generation() {
        let g = AlertGeneration {
            script_key: "exes".into(),
            subdir: "flow".into(),
            confset_id: 0,
        };
        let j: Value =
            serde_json::from_str(&alert_json(&serde_json::json!({"a": 1}), Some(&g))).unwrap();
        assert_eq!(j["a"], 1);
        assert_eq!(j["alert_generation"]["script_key"], "exes");
        assert_eq!(alert_json(&Value::Null, None), "{}");
    }

    #[test]
    fn notification_json_uses_ntopng_names_and_round_trips() {
        let mut f = FlowAlert::new(
            AlertKey(32768),
            StatusKey(59),
            Severity::Error,
            1_600_000_000,
            6,
            ("10.0.0.1", 40000),
            ("10.0.0.2", 80),
        );
        f.l7_proto = "HTTP".into();
        let n = Notification {
            action: Action::Store,
            record: AlertRecord::Flow(f),
        };
        let v: Value = serde_json::to_value(&n).unwrap();
        for k in [
            "action",
            "alert_type",
            "alert_severity",
            "alert_entity",
            "alert_entity_val",
            "alert_tstamp",
            "alert_json",
            "cli_addr",
            "srv_addr",
            "cli_port",
            "srv_port",
            "proto",
            "l7_proto",
            "score",
            "flow_status",
        ] {
            assert!(v.get(k).is_some(), "missing {k} in {v}");
        }
        assert_eq!(v["action"], "store");
        assert_eq!(v["alert_entity"], 4);
        assert_eq!(v["alert_severity"], 5);
        let back: Notification = serde_json::from_value(v).unwrap();
        assert_eq!(back, n);

        let a = Alert {
            rowid: None,
            ifid: 0,
            alert_type: AlertKey(11),
            alert_name: "alert_flows_flood".into(),
            alert_subtype: "syn".into(),
            alert_granularity: 60,
            alert_severity: Severity::Warning,
            entity: Entity::host("10.0.0.1", 0),
            alert_tstamp: 10,
            alert_tstamp_end: Some(70),
            last_seen: 60,
            count: 2,
            score: 5,
            alert_json: "{}".into(),
            script_key: None,
            msg: "Flows flood".into(),
            acknowledged: false,
        };
        let n = Notification {
            action: Action::Release,
            record: AlertRecord::Alert(a),
        };
        let s = serde_json::to_string(&n).unwrap();
        assert!(s.contains(r#""alert_tstamp_end":70"#), "{s}");
        let back: Notification = serde_json::from_str(&s).unwrap();
        assert_eq!(back, n);
    }
}
