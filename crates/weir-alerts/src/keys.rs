//! Alert keys and flow status keys (plugins.md §10): the `{PEN, id}` rules, the
//! ntopng 4.2 built-in tables and the user ranges.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The numeric key of an alert type, as stored: `id` for PEN 0, `(PEN << 16) + id`
/// for a custom enterprise number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AlertKey(pub u32);

impl AlertKey {
    /// Parses a `{PEN, id}` pair (`alert_keys.parse_alert_key`).
    ///
    /// PEN and id must be in `[0, 65535)`. PEN 0 is ntopng's: the id must be listed in
    /// `alert_keys.ntopng` or `alert_keys.user`. Any other PEN is always valid.
    ///
    /// # Errors
    /// [`Error::InvalidAlertKey`] naming `origin`.
    pub fn from_pen_id(pen: i64, id: i64, origin: &str) -> Result<AlertKey> {
        let invalid = |reason| Error::InvalidAlertKey {
            pen,
            id,
            origin: origin.to_owned(),
            reason,
        };
        let pen16 = u16::try_from(pen)
            .ok()
            .filter(|p| *p != u16::MAX)
            .ok_or_else(|| invalid("PEN must be in [0, 65535)"))?;
        let id16 = u16::try_from(id)
            .ok()
            .filter(|i| *i != u16::MAX)
            .ok_or_else(|| invalid("id must be in [0, 65535)"))?;
        if pen16 == 0 {
            if ntopng_alert_key_name(id16).is_some() || user_alert_key_name(id16).is_some() {
                Ok(AlertKey(u32::from(id16)))
            } else {
                Err(invalid(
                    "PEN 0 is reserved: id must be in alert_keys.ntopng or alert_keys.user",
                ))
            }
        } else {
            Ok(AlertKey((u32::from(pen16) << 16) + u32::from(id16)))
        }
    }

    /// The `{PEN, id}` pair of this key.
    pub fn pen_id(self) -> (u16, u16) {
        ((self.0 >> 16) as u16, (self.0 & 0xffff) as u16)
    }
}

impl fmt::Display for AlertKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.pen_id() {
            (0, id) => write!(f, "{id}"),
            (pen, id) => write!(f, "{{{pen}, {id}}}"),
        }
    }
}

/// A flow status key: a bit position (0..=63) in a flow's status bitmap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct StatusKey(pub u8);

impl StatusKey {
    /// `status_normal` (0): can never be set on a flow.
    pub const NORMAL: StatusKey = StatusKey(0);

    /// Validates a status key: it must be one of `flow_keys.ntopng` (0..=35) or
    /// `flow_keys.user` (59..=63).
    ///
    /// # Errors
    /// [`Error::InvalidStatusKey`] naming `origin`.
    pub fn new(key: i64, origin: &str) -> Result<StatusKey> {
        let k = u8::try_from(key)
            .ok()
            .filter(|k| ntopng_status_key_name(*k).is_some() || user_status_key_name(*k).is_some());
        k.map(StatusKey).ok_or_else(|| Error::InvalidStatusKey {
            key,
            origin: origin.to_owned(),
            reason: "must be one of flow_keys.ntopng (0..=35) or flow_keys.user (59..=63)",
        })
    }

    /// The bit of this status in a 64-bit status bitmap.
    pub fn bit(self) -> u64 {
        1u64 << (self.0 & 63)
    }
}

impl fmt::Display for StatusKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// `alert_keys.user`: `alert_user_01..05` = `{0, 32768..32772}`.
pub const USER_ALERT_KEYS: [(&str, u16); 5] = [
    ("alert_user_01", 32768),
    ("alert_user_02", 32769),
    ("alert_user_03", 32770),
    ("alert_user_04", 32771),
    ("alert_user_05", 32772),
];

/// `flow_keys.user`: `status_user_01..05` = 59..63.
pub const USER_STATUS_KEYS: [(&str, u8); 5] = [
    ("status_user_01", 59),
    ("status_user_02", 60),
    ("status_user_03", 61),
    ("status_user_04", 62),
    ("status_user_05", 63),
];

/// The table name in `alert_keys.ntopng` of a PEN-0 built-in id (`"alert_flows_flood"`).
pub fn ntopng_alert_key_name(id: u16) -> Option<&'static str> {
    let i = usize::from(id).checked_sub(1)?;
    NTOPNG_ALERT_KEYS.get(i).map(|(n, _)| *n)
}

/// The table name in `alert_keys.user` of a user id (`"alert_user_01"`).
pub fn user_alert_key_name(id: u16) -> Option<&'static str> {
    USER_ALERT_KEYS
        .iter()
        .find(|(_, v)| *v == id)
        .map(|(n, _)| *n)
}

/// The table name in `flow_keys.ntopng` of a built-in status key (`"status_blacklisted"`).
pub fn ntopng_status_key_name(key: u8) -> Option<&'static str> {
    NTOPNG_STATUS_KEYS.get(usize::from(key)).map(|(n, _)| *n)
}

/// The table name in `flow_keys.user` of a user status key (`"status_user_01"`).
pub fn user_status_key_name(key: u8) -> Option<&'static str> {
    USER_STATUS_KEYS
        .iter()
        .find(|(_, v)| *v == key)
        .map(|(n, _)| *n)
}

/// `alert_keys.ntopng` (4.2), all PEN 0: table name (with the `alert_` prefix) and id.
pub const NTOPNG_ALERT_KEYS: [(&str, u16); 69] = [
    ("alert_blacklisted_country", 1),
    ("alert_broadcast_domain_too_large", 2),
    ("alert_device_connection", 3),
    ("alert_device_disconnection", 4),
    ("alert_device_protocol_not_allowed", 5),
    ("alert_dropped_alerts", 6),
    ("alert_external", 7),
    ("alert_flow_blacklisted", 8),
    ("alert_flow_blocked", 9),
    ("alert_flow_misbehaviour", 10),
    ("alert_flows_flood", 11),
    ("alert_ghost_network", 12),
    ("alert_host_pool_connection", 13),
    ("alert_host_pool_disconnection", 14),
    ("alert_influxdb_dropped_points", 15),
    ("alert_influxdb_error", 16),
    ("alert_influxdb_export_failure", 17),
    ("alert_internals", 18),
    ("alert_ip_outsite_dhcp_range", 19),
    ("alert_list_download_failed", 20),
    ("alert_login_failed", 21),
    ("alert_mac_ip_association_change", 22),
    ("alert_malicious_signature", 23),
    ("alert_misbehaving_flows_ratio", 24),
    ("alert_misconfigured_app", 25),
    ("alert_new_device", 26),
    ("alert_nfq_flushed", 27),
    ("alert_none", 28),
    ("alert_periodic_activity_not_executed", 29),
    ("alert_am_threshold_cross", 30),
    ("alert_port_duplexstatus_change", 31),
    ("alert_port_errors", 32),
    ("alert_port_load_threshold_exceeded", 33),
    ("alert_port_mac_changed", 34),
    ("alert_port_status_change", 35),
    ("alert_potentially_dangerous_protocol", 36),
    ("alert_process_notification", 37),
    ("alert_quota_exceeded", 38),
    ("alert_remote_to_remote", 39),
    ("alert_request_reply_ratio", 40),
    ("alert_slow_periodic_activity", 41),
    ("alert_slow_purge", 42),
    ("alert_snmp_device_reset", 43),
    ("alert_snmp_topology_changed", 44),
    ("alert_suspicious_activity", 45),
    ("alert_tcp_syn_flood", 46),
    ("alert_tcp_syn_scan", 47),
    ("alert_test_failed", 48),
    ("alert_threshold_cross", 49),
    ("alert_too_many_drops", 50),
    ("alert_udp_unidirectional", 51),
    ("alert_unresponsive_device", 52),
    ("alert_user_activity", 53),
    ("alert_user_script_calls_drops", 54),
    ("alert_web_mining", 55),
    ("alert_connection_issues", 56),
    ("alert_suspicious_file_transfer", 57),
    ("alert_known_proto_on_non_std_port", 58),
    ("alert_host_log", 59),
    ("alert_attack_mitigation_via_snmp", 60),
    ("alert_iec104_error", 61),
    ("alert_flow_risk", 62),
    ("alert_unexpected_dns_server", 63),
    ("alert_unexpected_smtp_server", 64),
    ("alert_unexpected_dhcp_server", 65),
    ("alert_unexpected_ntp_server", 66),
    ("alert_too_many_retransmissions", 67),
    ("alert_lateral_movement", 68),
    ("alert_list_download_succeeded", 69),
];

/// `flow_keys.ntopng` (4.2): table name (with the `status_` prefix) and bit.
pub const NTOPNG_STATUS_KEYS: [(&str, u8); 36] = [
    ("status_normal", 0),
    ("status_blacklisted", 1),
    ("status_blacklisted_country", 2),
    ("status_blocked", 3),
    ("status_data_exfiltration", 4),
    ("status_device_protocol_not_allowed", 5),
    ("status_dns_data_exfiltration", 6),
    ("status_dns_invalid_query", 7),
    ("status_elephant_local_to_remote", 8),
    ("status_elephant_remote_to_local", 9),
    ("status_external_alert", 10),
    ("status_longlived", 11),
    ("status_low_goodput", 12),
    ("status_malicious_signature", 13),
    ("status_not_purged", 14),
    ("status_potentially_dangerous", 15),
    ("status_remote_to_remote", 16),
    ("status_suspicious_tcp_probing", 17),
    ("status_suspicious_tcp_syn_probing", 18),
    ("status_tcp_connection_issues", 19),
    ("status_tcp_connection_refused", 20),
    ("status_tcp_severe_connection_issues", 21),
    ("status_tls_certificate_expired", 22),
    ("status_tls_certificate_mismatch", 23),
    ("status_tls_old_protocol_version", 24),
    ("status_tls_unsafe_ciphers", 25),
    ("status_udp_unidirectional", 26),
    ("status_web_mining_detected", 27),
    ("status_tls_certificate_selfsigned", 28),
    ("status_suspicious_file_transfer", 29),
    ("status_known_proto_on_non_std_port", 30),
    ("status_flow_risk", 31),
    ("status_unexpected_dhcp_server", 32),
    ("status_unexpected_dns_server", 33),
    ("status_unexpected_smtp_server", 34),
    ("status_unexpected_ntp_server", 35),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_key_forms() {
        assert_eq!(
            AlertKey::from_pen_id(0, 32768, "t").unwrap(),
            AlertKey(32768)
        );
        assert_eq!(AlertKey::from_pen_id(0, 11, "t").unwrap(), AlertKey(11));
        assert_eq!(
            AlertKey::from_pen_id(312, 513, "t").unwrap(),
            AlertKey((312 << 16) + 513)
        );
        assert_eq!(AlertKey((312 << 16) + 513).pen_id(), (312, 513));
        for (pen, id) in [
            (0, 0),
            (0, 70),
            (0, 32773),
            (-1, 1),
            (65535, 1),
            (1, 65535),
            (1, -3),
        ] {
            assert!(
                AlertKey::from_pen_id(pen, id, "x.lua").is_err(),
                "{pen} {id}"
            );
        }
        let e = AlertKey::from_pen_id(0, 999, "plugins/a/alert_definitions/x.lua").unwrap_err();
        assert!(e.to_string().contains("plugins/a/alert_definitions/x.lua"));
    }

    #[test]
    fn tables_match_the_spec() {
        assert_eq!(ntopng_alert_key_name(11), Some("alert_flows_flood"));
        assert_eq!(
            ntopng_alert_key_name(69),
            Some("alert_list_download_succeeded")
        );
        assert_eq!(
            ntopng_alert_key_name(63),
            Some("alert_unexpected_dns_server")
        );
        assert_eq!(
            ntopng_status_key_name(35),
            Some("status_unexpected_ntp_server")
        );
        assert_eq!(ntopng_status_key_name(36), None);
        assert!(StatusKey::new(59, "t").is_ok());
        assert!(StatusKey::new(36, "t").is_err());
        assert!(StatusKey::new(64, "t").is_err());
        assert_eq!(StatusKey(3).bit(), 8);
    }
}
