//! Enumerations with the numeric values of the spec (plugins.md §11): severities,
//! granularities, entities; and the [`Entity`] an alert is about.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! id_serde {
    ($ty:ty, $what:literal) => {
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_u32(u32::from(self.id()))
            }
        }
        impl<'de> Deserialize<'de> for $ty {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let id = u32::deserialize(d)?;
                u8::try_from(id)
                    .ok()
                    .and_then(<$ty>::from_id)
                    .ok_or_else(|| serde::de::Error::custom(format!("unknown {} id {id}", $what)))
            }
        }
    };
}

/// Alert severity (`alert_consts.alert_severities`, ntopng 4.2 ids).
///
/// Ordered: `Debug < Info < … < Emergency`. Serialised as its numeric id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Severity {
    /// `debug`, id 1, syslog level 7.
    Debug,
    /// `info`, id 2, syslog level 6.
    Info,
    /// `notice`, id 3, syslog level 5.
    Notice,
    /// `warning`, id 4, syslog level 4.
    Warning,
    /// `error`, id 5, syslog level 3.
    Error,
    /// `critical`, id 6, syslog level 2.
    Critical,
    /// `alert`, id 7, syslog level 1.
    Alert,
    /// `emergency`, id 8, syslog level 0.
    Emergency,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: [Severity; 8] = [
        Severity::Debug,
        Severity::Info,
        Severity::Notice,
        Severity::Warning,
        Severity::Error,
        Severity::Critical,
        Severity::Alert,
        Severity::Emergency,
    ];

    /// The `severity_id` (1..=8).
    pub fn id(self) -> u8 {
        match self {
            Severity::Debug => 1,
            Severity::Info => 2,
            Severity::Notice => 3,
            Severity::Warning => 4,
            Severity::Error => 5,
            Severity::Critical => 6,
            Severity::Alert => 7,
            Severity::Emergency => 8,
        }
    }

    /// The severity with this `severity_id`, if any.
    pub fn from_id(id: u8) -> Option<Severity> {
        Severity::ALL.get(usize::from(id).checked_sub(1)?).copied()
    }

    /// The name used by `alert_consts.alert_severities` (`"warning"`, …).
    pub fn name(self) -> &'static str {
        match self {
            Severity::Debug => "debug",
            Severity::Info => "info",
            Severity::Notice => "notice",
            Severity::Warning => "warning",
            Severity::Error => "error",
            Severity::Critical => "critical",
            Severity::Alert => "alert",
            Severity::Emergency => "emergency",
        }
    }

    /// The severity with this name (case-insensitive), if any.
    pub fn from_name(name: &str) -> Option<Severity> {
        Severity::ALL
            .into_iter()
            .find(|s| s.name().eq_ignore_ascii_case(name))
    }

    /// The syslog severity level (RFC 5424 §6.2.1): emergency 0 … debug 7.
    pub fn syslog_level(self) -> u8 {
        8 - self.id()
    }

    /// The severity group id (`alert_consts.severity_groups`): notice_or_lower 1,
    /// warning 2, error_or_higher 3.
    pub fn group_id(self) -> u8 {
        match self {
            Severity::Debug | Severity::Info | Severity::Notice => 1,
            Severity::Warning => 2,
            _ => 3,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

id_serde!(Severity, "severity");

/// Granularity of a periodic alert (`alert_consts.alerts_granularities`).
///
/// Aperiodic alerts (one-shot `store`, flow alerts) have no granularity: use
/// `Option<Granularity>`, where `None` is id 0 / 0 seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Granularity {
    /// `min`: id 1, 60 s.
    Min,
    /// `5mins`: id 2, 300 s.
    FiveMins,
    /// `hour`: id 3, 3600 s.
    Hour,
    /// `day`: id 4, 86400 s.
    Day,
}

impl Granularity {
    /// Every granularity, shortest first.
    pub const ALL: [Granularity; 4] = [
        Granularity::Min,
        Granularity::FiveMins,
        Granularity::Hour,
        Granularity::Day,
    ];

    /// `granularity_id` (1..=4).
    pub fn id(self) -> u8 {
        match self {
            Granularity::Min => 1,
            Granularity::FiveMins => 2,
            Granularity::Hour => 3,
            Granularity::Day => 4,
        }
    }

    /// The granularity with this id (0 = aperiodic → `None`).
    pub fn from_id(id: u8) -> Option<Granularity> {
        Granularity::ALL
            .get(usize::from(id).checked_sub(1)?)
            .copied()
    }

    /// `granularity_seconds`.
    pub fn seconds(self) -> u32 {
        match self {
            Granularity::Min => 60,
            Granularity::FiveMins => 300,
            Granularity::Hour => 3600,
            Granularity::Day => 86400,
        }
    }

    /// The granularity lasting this many seconds (`sec2granularity`).
    pub fn from_seconds(secs: u32) -> Option<Granularity> {
        Granularity::ALL.into_iter().find(|g| g.seconds() == secs)
    }

    /// The name (`"min"`, `"5mins"`, `"hour"`, `"day"`).
    pub fn name(self) -> &'static str {
        match self {
            Granularity::Min => "min",
            Granularity::FiveMins => "5mins",
            Granularity::Hour => "hour",
            Granularity::Day => "day",
        }
    }

    /// The granularity with this name, if any.
    pub fn from_name(name: &str) -> Option<Granularity> {
        Granularity::ALL.into_iter().find(|g| g.name() == name)
    }
}

impl fmt::Display for Granularity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The kind of thing an alert is about (`alert_consts.alert_entities`, `entity_id`).
///
/// Ids 0..=13 are ntopng 4.2's. `System` (14) and `Syslog` (15) are weir
/// extensions for alerts about weir itself and about syslog sources; ntopng has no
/// id for them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum EntityKind {
    /// `interface`, 0. Value: the interface id (`"0"`).
    Interface,
    /// `host`, 1. Value: `"<ip>@<vlan>"` (`@0` without VLAN).
    Host,
    /// `network`, 2. Value: the CIDR.
    Network,
    /// `snmp_device`, 3. Value: the device IP, or `"<device>_ifidx<index>"`.
    SnmpDevice,
    /// `flow`, 4. Value: `"flow"`.
    Flow,
    /// `mac`, 5.
    Mac,
    /// `host_pool`, 6.
    HostPool,
    /// `process`, 7.
    Process,
    /// `user`, 8.
    User,
    /// `influx_db`, 9.
    InfluxDb,
    /// `test`, 10.
    Test,
    /// `category_lists`, 11.
    CategoryLists,
    /// `am_host`, 12 (4.0: `pinged_host`).
    AmHost,
    /// `periodic_activity`, 13.
    PeriodicActivity,
    /// `system`, 14 (weir extension). Value: `"system"`.
    System,
    /// `syslog`, 15 (weir extension). Value: the syslog source (application) name.
    Syslog,
}

impl EntityKind {
    /// Every entity kind, by id.
    pub const ALL: [EntityKind; 16] = [
        EntityKind::Interface,
        EntityKind::Host,
        EntityKind::Network,
        EntityKind::SnmpDevice,
        EntityKind::Flow,
        EntityKind::Mac,
        EntityKind::HostPool,
        EntityKind::Process,
        EntityKind::User,
        EntityKind::InfluxDb,
        EntityKind::Test,
        EntityKind::CategoryLists,
        EntityKind::AmHost,
        EntityKind::PeriodicActivity,
        EntityKind::System,
        EntityKind::Syslog,
    ];

    /// `entity_id`.
    pub fn id(self) -> u8 {
        match self {
            EntityKind::Interface => 0,
            EntityKind::Host => 1,
            EntityKind::Network => 2,
            EntityKind::SnmpDevice => 3,
            EntityKind::Flow => 4,
            EntityKind::Mac => 5,
            EntityKind::HostPool => 6,
            EntityKind::Process => 7,
            EntityKind::User => 8,
            EntityKind::InfluxDb => 9,
            EntityKind::Test => 10,
            EntityKind::CategoryLists => 11,
            EntityKind::AmHost => 12,
            EntityKind::PeriodicActivity => 13,
            EntityKind::System => 14,
            EntityKind::Syslog => 15,
        }
    }

    /// The kind with this `entity_id`, if any.
    pub fn from_id(id: u8) -> Option<EntityKind> {
        EntityKind::ALL.get(usize::from(id)).copied()
    }

    /// The name used by `alert_consts.alert_entities`.
    pub fn name(self) -> &'static str {
        match self {
            EntityKind::Interface => "interface",
            EntityKind::Host => "host",
            EntityKind::Network => "network",
            EntityKind::SnmpDevice => "snmp_device",
            EntityKind::Flow => "flow",
            EntityKind::Mac => "mac",
            EntityKind::HostPool => "host_pool",
            EntityKind::Process => "process",
            EntityKind::User => "user",
            EntityKind::InfluxDb => "influx_db",
            EntityKind::Test => "test",
            EntityKind::CategoryLists => "category_lists",
            EntityKind::AmHost => "am_host",
            EntityKind::PeriodicActivity => "periodic_activity",
            EntityKind::System => "system",
            EntityKind::Syslog => "syslog",
        }
    }

    /// The kind with this name, if any (`"pinged_host"` is accepted for `am_host`).
    pub fn from_name(name: &str) -> Option<EntityKind> {
        if name == "pinged_host" {
            return Some(EntityKind::AmHost);
        }
        EntityKind::ALL.into_iter().find(|e| e.name() == name)
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

id_serde!(EntityKind, "entity");

/// The entity an alert is about: its kind and its entity value
/// (`alert_entity`, `alert_entity_val`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Entity {
    /// `alert_entity`.
    #[serde(rename = "alert_entity")]
    pub kind: EntityKind,
    /// `alert_entity_val`.
    #[serde(rename = "alert_entity_val")]
    pub value: String,
}

impl Entity {
    /// Any entity from its kind and value.
    pub fn new(kind: EntityKind, value: impl Into<String>) -> Entity {
        Entity {
            kind,
            value: value.into(),
        }
    }

    /// An interface: value `"<ifid>"` (`alerts_api.interfaceAlertEntity`).
    pub fn interface(ifid: i32) -> Entity {
        Entity::new(EntityKind::Interface, ifid.to_string())
    }

    /// A host: value `"<ip>@<vlan>"` (`alerts_api.hostAlertEntity`).
    pub fn host(ip: impl fmt::Display, vlan: u16) -> Entity {
        Entity::new(EntityKind::Host, format!("{ip}@{vlan}"))
    }

    /// A local network: value = the CIDR (`alerts_api.networkAlertEntity`).
    pub fn network(cidr: impl Into<String>) -> Entity {
        Entity::new(EntityKind::Network, cidr)
    }

    /// The flow entity: value `"flow"` (all flow alerts share it).
    pub fn flow() -> Entity {
        Entity::new(EntityKind::Flow, "flow")
    }

    /// weir itself: value `"system"`.
    pub fn system() -> Entity {
        Entity::new(EntityKind::System, "system")
    }

    /// A syslog source (application name).
    pub fn syslog(source: impl Into<String>) -> Entity {
        Entity::new(EntityKind::Syslog, source)
    }

    /// An SNMP device: value = its IP (`alerts_api.snmpDeviceEntity`).
    pub fn snmp_device(device_ip: impl Into<String>) -> Entity {
        Entity::new(EntityKind::SnmpDevice, device_ip)
    }

    /// An SNMP interface: value `"<device>_ifidx<index>"`.
    pub fn snmp_interface(device_ip: &str, if_index: u32) -> Entity {
        Entity::new(
            EntityKind::SnmpDevice,
            format!("{device_ip}_ifidx{if_index}"),
        )
    }

    /// For host entities, the IP part of `"<ip>@<vlan>"`.
    pub fn host_ip(&self) -> Option<&str> {
        (self.kind == EntityKind::Host).then(|| {
            self.value
                .rsplit_once('@')
                .map_or(self.value.as_str(), |(ip, _)| ip)
        })
    }
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.kind, self.value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_ids_names_and_syslog_levels_follow_the_spec() {
        let expect = [
            ("debug", 1, 7),
            ("info", 2, 6),
            ("notice", 3, 5),
            ("warning", 4, 4),
            ("error", 5, 3),
            ("critical", 6, 2),
            ("alert", 7, 1),
            ("emergency", 8, 0),
        ];
        for (name, id, level) in expect {
            let s = Severity::from_name(name).unwrap();
            assert_eq!((s.id(), s.syslog_level(), s.name()), (id, level, name));
            assert_eq!(Severity::from_id(id), Some(s));
        }
        assert_eq!(Severity::from_id(0), None);
        assert_eq!(Severity::from_id(9), None);
        assert!(Severity::Warning < Severity::Error);
    }

    #[test]
    fn granularities_and_entities_follow_the_spec() {
        let g: Vec<_> = Granularity::ALL
            .iter()
            .map(|g| (g.name(), g.id(), g.seconds()))
            .collect();
        assert_eq!(
            g,
            [
                ("min", 1, 60),
                ("5mins", 2, 300),
                ("hour", 3, 3600),
                ("day", 4, 86400)
            ]
        );
        assert_eq!(Granularity::from_id(0), None);
        for (i, e) in EntityKind::ALL.iter().enumerate() {
            assert_eq!(usize::from(e.id()), i);
            assert_eq!(EntityKind::from_name(e.name()), Some(*e));
        }
        assert_eq!(EntityKind::Flow.id(), 4);
        assert_eq!(EntityKind::PeriodicActivity.id(), 13);
    }

    #[test]
    fn entity_values() {
        assert_eq!(Entity::host("10.0.0.1", 0).value, "10.0.0.1@0");
        assert_eq!(Entity::host("::1", 7).host_ip(), Some("::1"));
        assert_eq!(Entity::interface(3).value, "3");
        assert_eq!(Entity::snmp_interface("1.2.3.4", 5).value, "1.2.3.4_ifidx5");
        let j = serde_json::to_string(&Entity::flow()).unwrap();
        assert_eq!(j, r#"{"alert_entity":4,"alert_entity_val":"flow"}"#);
    }
}
