//! Query descriptions shared by all store backends.

use serde::{Deserialize, Serialize};

use crate::keys::AlertKey;
use crate::types::{EntityKind, Severity};

/// Which alerts to look at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum AlertTable {
    /// Alerts currently engaged.
    Engaged,
    /// Released and one-shot (stored) alerts, flow alerts excepted.
    Past,
    /// Flow alerts.
    Flow,
}

/// Sort key of a query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum SortBy {
    /// `alert_tstamp` (then insertion order).
    #[default]
    Time,
    /// `alert_severity`.
    Severity,
    /// `score`.
    Score,
    /// `alert_type`.
    Type,
}

/// Grouping of [`AlertStore::counts`](crate::AlertStore::counts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum CountBy {
    /// By `alert_type` key.
    Type,
    /// By `alert_severity` id.
    Severity,
    /// By `alert_entity` id.
    Entity,
}

/// One group of a count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CountRow {
    /// The alert type key, severity id or entity id of the group.
    pub key: i64,
    /// Its name (type name as stored, severity or entity name).
    pub name: String,
    /// Number of alerts.
    pub count: u64,
}

/// A query: a table plus optional filters (all given filters must match).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertQuery {
    /// The table.
    pub table: AlertTable,
    /// `alert_tstamp >= from` (seconds).
    pub from: Option<u64>,
    /// `alert_tstamp <= to` (seconds).
    pub to: Option<u64>,
    /// Severity at least this.
    pub min_severity: Option<Severity>,
    /// This alert type.
    pub alert_type: Option<AlertKey>,
    /// This alert type name as stored (`alert_name`, e.g. `"alert_flows_flood"`):
    /// names plugin-defined types too, whatever their key.
    #[serde(default)]
    pub alert_name: Option<String>,
    /// Only acknowledged (`true`) or unacknowledged (`false`) alerts.
    #[serde(default)]
    pub acknowledged: Option<bool>,
    /// Only the alert with this row id.
    #[serde(default)]
    pub rowid: Option<i64>,
    /// This entity kind.
    pub entity: Option<EntityKind>,
    /// This exact entity value (`"10.0.0.1@0"`, `"0"`, a CIDR…).
    pub entity_value: Option<String>,
    /// This IP: host entities `"<ip>@<vlan>"`, or either peer of flow alerts.
    pub ip: Option<String>,
    /// This VLAN: flow alerts' `vlan_id`, or the `@<vlan>` of host entities.
    pub vlan: Option<u16>,
    /// This L7 protocol name, case-insensitive, as `l7_proto` or `l7_master_proto`
    /// (flow alerts only).
    pub l7_proto: Option<String>,
    /// Substring (case-insensitive for ASCII) of the message, type name, entity
    /// value, `alert_json` or, for flows, peers and `info`.
    pub text: Option<String>,
    /// Sort key.
    pub sort: SortBy,
    /// Sort descending (default: newest / highest first).
    pub descending: bool,
    /// At most this many rows (`None` = all).
    pub limit: Option<u32>,
    /// Skip this many rows first.
    pub offset: u32,
}

impl AlertQuery {
    /// All alerts of a table, newest first.
    pub fn new(table: AlertTable) -> AlertQuery {
        AlertQuery {
            table,
            from: None,
            to: None,
            min_severity: None,
            alert_type: None,
            alert_name: None,
            acknowledged: None,
            rowid: None,
            entity: None,
            entity_value: None,
            ip: None,
            vlan: None,
            l7_proto: None,
            text: None,
            sort: SortBy::Time,
            descending: true,
            limit: None,
            offset: 0,
        }
    }

    /// Engaged alerts.
    pub fn engaged() -> AlertQuery {
        AlertQuery::new(AlertTable::Engaged)
    }

    /// Past alerts.
    pub fn past() -> AlertQuery {
        AlertQuery::new(AlertTable::Past)
    }

    /// Flow alerts.
    pub fn flow() -> AlertQuery {
        AlertQuery::new(AlertTable::Flow)
    }
}
