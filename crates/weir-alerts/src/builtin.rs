//! The core alert types and flow statuses: the 64 alert definitions and 36 flow
//! status definitions ntopng 4.2 ships as core modules, under their 4.2 definition
//! file names and numeric keys (spec ntopng42-api.md §1.2, §2.2).
//!
//! This is the one table of their names: [`Registry::with_builtins`](crate::Registry::with_builtins)
//! registers every row with [`Origin::Builtin`](crate::Origin::Builtin), and the script
//! runtime builds `alert_consts.alert_types.<name>` / `flow_consts.status_types.<name>`
//! from the same rows (adding the Lua creators and formatters). A plugin definition
//! reusing a core name or numeric key is refused, naming the plugin file.
//!
//! weir raises some of these types itself (the constants below); the others are
//! raised by plugins (`alert_types.X.create(...)`).
//!
//! | key | name | weir raises it for |
//! |---|---|---|
//! | 6 | `alert_dropped_alerts` | alerts that could not be stored or delivered (subtype = sink) |
//! | 18 | `alert_internals` | flow/host table full, user script errors, … (subtype says which) |
//! | 29 | `alert_periodic_activity_not_executed` | a periodic script run skipped |
//! | 41 | `alert_slow_periodic_activity` | a periodic script run too slow |
//! | 50 | `alert_too_many_drops` | capture or queue drops (subtype `syslog_queue`: syslog messages the scripts' queue had no room for) |
//! | 51 | `alert_udp_unidirectional` | raised by `status_udp_unidirectional` |
//! | 54 | `alert_user_script_calls_drops` | user script calls dropped (budget) |
//! | 56 | `alert_connection_issues` | raised by the TCP connection statuses |

use crate::keys::AlertKey;
use crate::registry::{AlertTypeDef, StatusDef};
use crate::types::Severity;

/// `alert_dropped_alerts` (6): alerts not stored or not delivered.
pub const DROPPED_ALERTS: AlertKey = AlertKey(6);
/// `alert_internals` (18): internal conditions (subtype names which).
pub const INTERNALS: AlertKey = AlertKey(18);
/// `alert_periodic_activity_not_executed` (29).
pub const PERIODIC_ACTIVITY_NOT_EXECUTED: AlertKey = AlertKey(29);
/// `alert_slow_periodic_activity` (41).
pub const SLOW_PERIODIC_ACTIVITY: AlertKey = AlertKey(41);
/// `alert_too_many_drops` (50).
pub const TOO_MANY_DROPS: AlertKey = AlertKey(50);
/// `alert_udp_unidirectional` (51).
pub const UDP_UNIDIRECTIONAL: AlertKey = AlertKey(51);
/// `alert_user_script_calls_drops` (54).
pub const USER_SCRIPT_CALLS_DROPS: AlertKey = AlertKey(54);
/// `alert_connection_issues` (56).
pub const CONNECTION_ISSUES: AlertKey = AlertKey(56);

/// Subtype of [`INTERNALS`] when the flow table is full.
pub const SUBTYPE_FLOW_TABLE_FULL: &str = "flow_table_full";
/// Subtype of [`INTERNALS`] when the host table is full.
pub const SUBTYPE_HOST_TABLE_FULL: &str = "host_table_full";
/// Subtype of [`INTERNALS`] for a user script error.
pub const SUBTYPE_USER_SCRIPT_ERROR: &str = "user_script_error";
/// Subtype of [`TOO_MANY_DROPS`] when the queue between the syslog listeners and the
/// syslog scripts overflows. Entity: the syslog interface; engaged while messages are
/// dropped, released when the queue has drained. Params: `drops` (total so far),
/// `what` (`"syslog messages"`), `queue_size`.
pub const SUBTYPE_SYSLOG_QUEUE: &str = "syslog_queue";

/// A core alert definition (ntopng 4.2 `alert_definitions/<name>.lua`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoreAlert {
    /// The definition file name (`alert_consts.alert_types.<name>`).
    pub name: &'static str,
    /// The numeric key (PEN 0).
    pub id: u16,
    /// `i18n_title`: an i18n key, or literal text where 4.2 translates at load.
    pub title: &'static str,
    /// Font Awesome class.
    pub icon: &'static str,
    /// English text of the title (the `en` locale string of `title`).
    pub title_en: &'static str,
}

/// A core flow status definition (ntopng 4.2 `flow_status_definitions/<name>.lua`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CoreStatus {
    /// The definition file name (`flow_consts.status_types.<name>`).
    pub name: &'static str,
    /// The status key (bit in the flow's status bitmap).
    pub key: u8,
    /// Name of the alert type it raises (a [`CoreAlert::name`]).
    pub alert: &'static str,
    /// `alert_severity` of the definition.
    pub severity: Severity,
    /// `i18n_title` (an i18n key).
    pub title: &'static str,
    /// English text of the title.
    pub title_en: &'static str,
    /// `i18n_description` when it is a fixed i18n key (the others have a formatter,
    /// or none).
    pub description: Option<&'static str>,
}

const fn a(
    name: &'static str,
    id: u16,
    title: &'static str,
    icon: &'static str,
    title_en: &'static str,
) -> CoreAlert {
    CoreAlert {
        name,
        id,
        title,
        icon,
        title_en,
    }
}

const EXCL: &str = "fas fa-exclamation";

/// ntopng 4.2's 64 core alert definitions, by key.
#[rustfmt::skip]
pub const CORE_ALERTS: [CoreAlert; 64] = [
    a("alert_blacklisted_country", 1, "alerts_dashboard.blacklisted_country", EXCL, "Blacklisted country"),
    a("alert_broadcast_domain_too_large", 2, "alerts_dashboard.broadcast_domain_too_large", "fas fa-sitemap", "Broadcast domain too large"),
    a("alert_device_connection", 3, "alerts_dashboard.device_connection", "fas fa-sign-in", "Device connection"),
    a("alert_device_disconnection", 4, "alerts_dashboard.device_disconnection", "fas fa-sign-out", "Device disconnection"),
    a("alert_device_protocol_not_allowed", 5, "alerts_dashboard.suspicious_device_protocol", EXCL, "Device protocol not allowed"),
    a("alert_dropped_alerts", 6, "Dropped alerts", "fas fa-exclamation-triangle", "Dropped alerts"),
    a("alert_external_alert", 7, "alerts_dashboard.external_alert", "fas fa-eye", "External alert"),
    a("alert_flow_blacklisted", 8, "alerts_dashboard.blacklisted_flow", EXCL, "Blacklisted flow"),
    a("alert_flow_blocked", 9, "alerts_dashboard.blocked_flow", "fas fa-ban", "Blocked flow"),
    a("alert_flow_misbehaviour", 10, "alerts_dashboard.flow_misbehaviour", EXCL, "Flow misbehaviour"),
    a("alert_flows_flood", 11, "alerts_dashboard.flows_flood", "fas fa-life-ring", "Flows flood"),
    a("alert_ghost_network", 12, "alerts_dashboard.ghost_network_detected", "fas fa-ghost", "Ghost network detected"),
    a("alert_host_pool_connection", 13, "alerts_dashboard.host_pool_connection", "fas fa-sign-in", "Host pool connection"),
    a("alert_host_pool_disconnection", 14, "alerts_dashboard.host_pool_disconnection", "fas fa-sign-out", "Host pool disconnection"),
    a("alert_influxdb_error", 16, "alerts_dashboard.influxdb_error", "fas fa-database", "InfluxDB error"),
    a("alert_influxdb_export_failure", 17, "alerts_dashboard.influxdb_export_failure", "fas fa-database", "InfluxDB export failure"),
    a("alert_internals", 18, "alerts_dashboard.internal_issues", EXCL, "Internal issues"),
    a("alert_ip_outsite_dhcp_range", 19, "alerts_dashboard.misconfigured_dhcp_range", EXCL, "Address outside the DHCP range"),
    a("alert_list_download_failed", 20, "alerts_dashboard.list_download_failed", "fas fa-sticky-note", "List download failed"),
    a("alert_login_failed", 21, "alerts_dashboard.login_failed", "fas fa-sign-in", "Login failed"),
    a("alert_mac_ip_association_change", 22, "alerts_dashboard.mac_ip_association_change", "fas fa-exchange-alt", "MAC/IP association changed"),
    a("alert_malicious_signature", 23, "alerts_dashboard.malicious_signature_detected", "fas fa-ban", "Malicious signature detected"),
    a("alert_misconfigured_app", 25, "alerts_dashboard.misconfigured_app", "fas fa-cog", "Misconfigured application"),
    a("alert_new_device", 26, "alerts_dashboard.new_device", "fas fa-asterisk", "New device"),
    a("alert_nfq_flushed", 27, "alerts_dashboard.nfq_flushed", "fas fa-angle-double-down", "NFQ flushed"),
    a("alert_none", 28, "None", "fas fa-question", "None"),
    a("alert_periodic_activity_not_executed", 29, "alerts_dashboard.periodic_activity_not_executed", "fas fa-undo", "Periodic activity not executed"),
    a("alert_am_threshold_cross", 30, "graphs.active_monitoring", EXCL, "Active monitoring"),
    a("alert_port_duplexstatus_change", 31, "alerts_dashboard.snmp_port_duplexstatus_change", EXCL, "SNMP port duplex status change"),
    a("alert_port_errors", 32, "alerts_dashboard.snmp_port_errors", EXCL, "SNMP port errors"),
    a("alert_port_load_threshold_exceeded", 33, "alerts_dashboard.snmp_port_load_threshold_exceeded", EXCL, "SNMP port load threshold exceeded"),
    a("alert_port_mac_changed", 34, "alerts_dashboard.alert_snmp_interface_mac_changed_title", EXCL, "SNMP port MAC changed"),
    a("alert_port_status_change", 35, "alerts_dashboard.snmp_port_status_change", EXCL, "SNMP port status change"),
    a("alert_potentially_dangerous_protocol", 36, "alerts_dashboard.potentially_dangerous_protocol", EXCL, "Potentially dangerous protocol"),
    a("alert_process_notification", 37, "alerts_dashboard.process", "fas fa-truck", "Process notification"),
    a("alert_quota_exceeded", 38, "alerts_dashboard.quota_exceeded", "fas fa-thermometer-full", "Quota exceeded"),
    a("alert_remote_to_remote", 39, "alerts_dashboard.remote_to_remote", EXCL, "Remote to remote"),
    a("alert_request_reply_ratio", 40, "entity_thresholds.request_reply_ratio_title", EXCL, "Request/reply ratio"),
    a("alert_slow_periodic_activity", 41, "alerts_dashboard.slow_periodic_activity", "fas fa-undo", "Slow periodic activity"),
    a("alert_slow_purge", 42, "alerts_dashboard.slow_purge", EXCL, "Slow purge"),
    a("alert_snmp_device_reset", 43, "alerts_dashboard.alert_snmp_device_reset_title", "fas fa-power-off", "SNMP device reset"),
    a("alert_snmp_topology_changed", 44, "LLDP topology changed", "fas fa-topology-alt", "LLDP topology changed"),
    a("alert_suspicious_activity", 45, "alerts_dashboard.suspicious_activity", EXCL, "Suspicious activity"),
    a("alert_tcp_syn_flood", 46, "alerts_dashboard.tcp_syn_flood", "fas fa-life-ring", "TCP SYN flood"),
    a("alert_tcp_syn_scan", 47, "alerts_dashboard.tcp_syn_scan", "fas fa-life-ring", "TCP SYN scan"),
    a("alert_threshold_cross", 49, "alerts_dashboard.threashold_cross", "fas fa-arrow-circle-up", "Threshold crossed"),
    a("alert_too_many_drops", 50, "alerts_dashboard.too_many_drops", "fas fa-tint", "Too many drops"),
    a("alert_udp_unidirectional", 51, "flow_details.udp_unidirectional", "fas fa-info-circle", "Unidirectional UDP flow"),
    a("alert_user_activity", 53, "alerts_dashboard.user_activity", "fas fa-user", "User activity"),
    a("alert_user_script_calls_drops", 54, "alerts_dashboard.user_scripts_calls_drops", "fas fa-tint", "User script calls dropped"),
    a("alert_web_mining", 55, "alerts_dashboard.web_mining", "fab fa-bitcoin", "Web mining"),
    a("alert_connection_issues", 56, "alerts_dashboard.connection_issues", EXCL, "TCP connection issues"),
    a("alert_suspicious_file_transfer", 57, "alerts_dashboard.suspicious_file_transfer", "fas fa-file-download", "Suspicious file transfer"),
    a("alert_known_proto_on_non_std_port", 58, "alerts_dashboard.known_proto_on_non_std_port", EXCL, "Known protocol on a non-standard port"),
    a("alert_host_log", 59, "alerts_dashboard.host_log", "fa fa-file-text-o", "Host log"),
    a("alert_attack_mitigation_via_snmp", 60, "alerts_dashboard.attack_mitigation_snmp_title", "fa fa-stop-circle", "Attack mitigation via SNMP"),
    a("alert_iec104_error", 61, "alerts_dashboard.iec104_error", "fas fa-subway", "IEC 104 error"),
    a("alert_flow_risk", 62, "alerts_dashboard.flow_risk", EXCL, "Flow risk"),
    a("alert_unexpected_dns", 63, "unexpected_dns.alert_unexpected_dns_title", EXCL, "Unexpected DNS server"),
    a("alert_unexpected_smtp", 64, "unexpected_smtp.alert_unexpected_smtp_title", EXCL, "Unexpected SMTP server"),
    a("alert_unexpected_dhcp", 65, "unexpected_dhcp.alert_unexpected_dhcp_title", EXCL, "Unexpected DHCP server"),
    a("alert_unexpected_ntp", 66, "unexpected_ntp.alert_unexpected_ntp_title", EXCL, "Unexpected NTP server"),
    a("alert_lateral_movement", 68, "alerts_dashboard.lateral_movement", "fas fa-arrows-alt-h", "Lateral movement"),
    a("alert_list_download_succeeded", 69, "alerts_dashboard.list_download_succeeded", "fas fa-sticky-note", "List download succeeded"),
];

const fn s(
    name: &'static str,
    key: u8,
    alert: &'static str,
    severity: Severity,
    title: &'static str,
    title_en: &'static str,
) -> CoreStatus {
    CoreStatus {
        name,
        key,
        alert,
        severity,
        title,
        title_en,
        description: None,
    }
}

const fn sd(st: CoreStatus, description: &'static str) -> CoreStatus {
    CoreStatus {
        description: Some(description),
        ..st
    }
}

const FM: &str = "alert_flow_misbehaviour";
const SA: &str = "alert_suspicious_activity";
const CI: &str = "alert_connection_issues";
const PDP: &str = "alert_potentially_dangerous_protocol";
use Severity::{Error as E, Info as I, Notice as N, Warning as W};

/// ntopng 4.2's 36 core flow status definitions, by key.
#[rustfmt::skip]
pub const CORE_STATUSES: [CoreStatus; 36] = [
    s("status_normal", 0, "alert_none", I, "flow_details.normal", "Normal"),
    s("status_blacklisted", 1, "alert_flow_blacklisted", E, "flow_details.blacklisted_flow", "Blacklisted flow"),
    s("status_blacklisted_country", 2, "alert_blacklisted_country", E, "alerts_dashboard.blacklisted_country", "Blacklisted country"),
    s("status_blocked", 3, "alert_flow_blocked", I, "flow_details.flow_blocked_by_bridge", "Flow blocked by the bridge"),
    s("status_data_exfiltration", 4, FM, E, "flow_details.data_exfiltration", "Data exfiltration"),
    s("status_device_protocol_not_allowed", 5, "alert_device_protocol_not_allowed", E, "flow_details.suspicious_device_protocol", "Device protocol not allowed"),
    s("status_dns_data_exfiltration", 6, FM, E, "flow_details.dns_data_exfiltration", "DNS data exfiltration"),
    s("status_dns_invalid_query", 7, SA, E, "flow_details.dns_invalid_query", "Invalid DNS query"),
    s("status_elephant_local_to_remote", 8, FM, E, "flow_details.elephant_flow_l2r", "Elephant flow (local to remote)"),
    s("status_elephant_remote_to_local", 9, FM, E, "flow_details.elephant_flow_r2l", "Elephant flow (remote to local)"),
    s("status_external_alert", 10, "alert_external_alert", E, "alerts_dashboard.external_alert", "External alert"),
    s("status_longlived", 11, FM, E, "flow_details.longlived_flow", "Long-lived flow"),
    s("status_low_goodput", 12, CI, I, "flow_details.low_goodput", "Low goodput"),
    s("status_malicious_signature", 13, "alert_malicious_signature", W, "alerts_dashboard.malicious_signature_detected", "Malicious signature detected"),
    s("status_not_purged", 14, "alert_internals", E, "flow_details.not_purged", "Flow not purged"),
    s("status_potentially_dangerous", 15, PDP, E, "flow_details.potentially_dangerous_protocol", "Potentially dangerous protocol"),
    s("status_remote_to_remote", 16, "alert_remote_to_remote", N, "flow_details.remote_to_remote", "Remote to remote flow"),
    s("status_suspicious_tcp_probing", 17, SA, I, "flow_details.suspicious_tcp_probing", "Suspicious TCP probing"),
    s("status_suspicious_tcp_syn_probing", 18, SA, I, "flow_details.suspicious_tcp_syn_probing", "Suspicious TCP SYN probing"),
    s("status_tcp_connection_issues", 19, CI, N, "flow_details.tcp_connection_issues", "TCP connection issues"),
    s("status_tcp_connection_refused", 20, SA, I, "flow_details.tcp_connection_refused", "TCP connection refused"),
    s("status_tcp_severe_connection_issues", 21, CI, W, "flow_details.tcp_severe_connection_issues", "Severe TCP connection issues"),
    s("status_tls_certificate_expired", 22, PDP, E, "flow_details.tls_certificate_expired", "TLS certificate expired"),
    s("status_tls_certificate_mismatch", 23, PDP, E, "flow_details.tls_certificate_mismatch", "TLS certificate mismatch"),
    s("status_tls_old_protocol_version", 24, PDP, E, "flow_details.tls_old_protocol_version", "Old TLS protocol version"),
    s("status_tls_unsafe_ciphers", 25, PDP, E, "flow_details.tls_unsafe_ciphers", "Unsafe TLS ciphers"),
    s("status_udp_unidirectional", 26, "alert_udp_unidirectional", N, "flow_details.udp_unidirectional", "Unidirectional UDP flow"),
    s("status_web_mining_detected", 27, "alert_web_mining", E, "flow_details.web_mining_detected", "Web mining detected"),
    s("status_tls_certificate_selfsigned", 28, PDP, E, "flow_details.tls_certificate_selfsigned", "Self-signed TLS certificate"),
    s("status_suspicious_file_transfer", 29, "alert_suspicious_file_transfer", E, "alerts_dashboard.suspicious_file_transfer", "Suspicious file transfer"),
    s("status_known_proto_on_non_std_port", 30, "alert_known_proto_on_non_std_port", I, "alerts_dashboard.known_proto_on_non_std_port", "Known protocol on a non-standard port"),
    s("status_flow_risk", 31, "alert_flow_risk", W, "alerts_dashboard.flow_risk", "Flow risk"),
    sd(s("status_unexpected_dhcp", 32, "alert_unexpected_dhcp", E, "unexpected_dhcp.unexpected_dhcp_title", "Unexpected DHCP server"), "unexpected_dhcp.status_unexpected_dhcp_description"),
    sd(s("status_unexpected_dns", 33, "alert_unexpected_dns", E, "unexpected_dns.unexpected_dns_title", "Unexpected DNS server"), "unexpected_dns.status_unexpected_dns_description"),
    sd(s("status_unexpected_smtp", 34, "alert_unexpected_smtp", E, "unexpected_smtp.unexpected_smtp_title", "Unexpected SMTP server"), "unexpected_smtp.status_unexpected_smtp_description"),
    sd(s("status_unexpected_ntp", 35, "alert_unexpected_ntp", E, "unexpected_ntp.unexpected_ntp_title", "Unexpected NTP server"), "unexpected_ntp.status_unexpected_ntp_description"),
];

/// English text of the i18n keys the core definitions use besides their titles
/// (descriptions read by the formatters and fixed description keys). Titles are in
/// [`CoreAlert::title_en`] / [`CoreStatus::title_en`]; [`en_strings`] yields both.
#[rustfmt::skip]
pub const EN_TEXTS: &[(&str, &str)] = &[
    ("unexpected_dhcp.status_unexpected_dhcp_description", "DHCP reply from a server that is not in the allowed DHCP servers list"),
    ("unexpected_dns.status_unexpected_dns_description", "DNS query to a server that is not in the allowed DNS servers list"),
    ("unexpected_smtp.status_unexpected_smtp_description", "SMTP traffic to a server that is not in the allowed SMTP servers list"),
    ("unexpected_ntp.status_unexpected_ntp_description", "NTP traffic to a server that is not in the allowed NTP servers list"),
    ("show_alerts.dropped_alerts", "Dropped alerts"),
    ("snmp.lldp_topology_changed", "LLDP topology changed"),
    // Titles and descriptions of ntopng 4.2's own user scripts and endpoints (their
    // GUI tables name these core keys), so `weir scripts list` and the UI read well.
    ("alerts_dashboard.alerts_ts", "Alerts timeseries"),
    ("alerts_dashboard.alerts_ts_description", "Writes timeseries of the alerts written and dropped"),
    ("alerts_dashboard.blacklisted_country", "Blacklisted country"),
    ("alerts_dashboard.blacklisted_country_descr", "Flows from or to a country on the list"),
    ("alerts_dashboard.flow_logger", "Flow logger"),
    ("alerts_dashboard.flow_logger_descr", "Logs every flow whose application protocol was detected"),
    ("alerts_dashboard.ghost_networks", "Ghost networks"),
    ("alerts_dashboard.ghost_networks_description", "Traffic of networks seen in broadcast domains but not configured as local"),
    ("alerts_dashboard.influxdb_monitor", "InfluxDB monitor"),
    ("alerts_dashboard.influxdb_monitor_description", "Health, exports and drops of the InfluxDB timeseries writer"),
    ("alerts_dashboard.memory_ts", "Memory timeseries"),
    ("alerts_dashboard.memory_ts_description", "Writes timeseries of the memory in use"),
    ("alerts_dashboard.too_many_flows", "Too many flows"),
    ("alerts_dashboard.too_many_flows_description", "The flow table is full: flows are not tracked"),
    ("alerts_dashboard.too_many_hosts", "Too many hosts"),
    ("alerts_dashboard.too_many_hosts_description", "The host table is full: hosts are not tracked"),
    ("alerts_thresholds_config.alert_slow_purge_threshold", "Slow purge"),
    ("alerts_thresholds_config.alert_slow_purge_threshold_descr", "Idle entries waiting in the tables above this percentage"),
    ("entity_thresholds.request_reply_ratio_title", "Request/reply ratio"),
    ("entity_thresholds.request_reply_ratio_description", "DNS and HTTP replies much fewer than requests"),
    ("entity_thresholds.syn_attacker_title", "SYN flood attacker"),
    ("entity_thresholds.syn_attacker_description", "The host sends more TCP SYNs per minute than the threshold"),
    ("entity_thresholds.syn_victim_title", "SYN flood victim"),
    ("entity_thresholds.syn_victim_description", "The host receives more TCP SYNs per minute than the threshold"),
    ("flow_callbacks_config.not_purged", "Flows not purged"),
    ("flow_callbacks_config.not_purged_description", "Idle flows still kept in the flow table"),
    ("flow_callbacks_config.udp_unidirectional", "Unidirectional UDP"),
    ("flow_callbacks_config.udp_unidirectional_description", "UDP flows with traffic in one direction only"),
    ("show_alerts.flow_user_scripts_drops_title", "Flow script calls dropped"),
    ("show_alerts.flow_user_scripts_drops_descr", "Flow user script calls skipped for lack of time"),
    ("system_stats.disk_monitor", "Disk monitor"),
    ("system_stats.disk_monitor_description", "Disk space used by the data directory"),
    ("system_stats.redis.redis_monitor", "Cache monitor"),
    ("system_stats.redis.redis_monitor_description", "Size and command counters of the key/value cache"),
    ("active_monitoring_stats.active_monitoring", "Active monitoring"),
    ("active_monitoring_stats.active_monitoring_description", "Measures the reachability and latency of configured hosts"),
    ("prefs.webhook_sent_successfully", "Webhook sent successfully"),
    ("prefs.webhook_send_error", "Webhook could not be sent"),
    ("prefs.syslog_sent_successfully", "Syslog message sent successfully"),
];

/// Every `(i18n key, English text)` pair of the core definitions: their titles (the
/// literal titles excluded) and [`EN_TEXTS`].
pub fn en_strings() -> impl Iterator<Item = (&'static str, &'static str)> {
    let titles = CORE_ALERTS
        .iter()
        .map(|d| (d.title, d.title_en))
        .chain(CORE_STATUSES.iter().map(|d| (d.title, d.title_en)))
        .filter(|(k, _)| k.contains('.') && !k.contains(' '));
    titles.chain(EN_TEXTS.iter().copied())
}

/// The English text of an i18n key of the core definitions, if it has one.
pub fn en_text(key: &str) -> Option<&'static str> {
    en_strings().find(|(k, _)| *k == key).map(|(_, v)| v)
}

/// The core alert definition with this name.
pub fn core_alert(name: &str) -> Option<&'static CoreAlert> {
    CORE_ALERTS.iter().find(|d| d.name == name)
}

/// The core alert definition with this key.
pub fn core_alert_by_key(key: AlertKey) -> Option<&'static CoreAlert> {
    CORE_ALERTS.iter().find(|d| u32::from(d.id) == key.0)
}

/// The core flow status definition with this name.
pub fn core_status(name: &str) -> Option<&'static CoreStatus> {
    CORE_STATUSES.iter().find(|d| d.name == name)
}

/// The core alert definitions as registry entries (title: the English text).
pub fn alert_defs() -> Vec<AlertTypeDef> {
    CORE_ALERTS
        .iter()
        .map(|d| AlertTypeDef {
            name: d.name.into(),
            pen: 0,
            id: i64::from(d.id),
            title: d.title_en.into(),
            description: None,
            icon: d.icon.into(),
            default_severity: None,
        })
        .collect()
}

/// The core flow status definitions as registry entries (title and description: the
/// English text).
pub fn status_defs() -> Vec<StatusDef> {
    CORE_STATUSES
        .iter()
        .map(|d| StatusDef {
            name: d.name.into(),
            key: i64::from(d.key),
            alert_type: core_alert(d.alert).map(|a| AlertKey(u32::from(a.id))),
            severity: Some(d.severity),
            title: d.title_en.into(),
            description: d.description.and_then(en_text).map(str::to_owned),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::{NTOPNG_ALERT_KEYS, NTOPNG_STATUS_KEYS};

    #[test]
    fn ids_are_those_of_alert_keys_and_flow_keys() {
        for d in &CORE_ALERTS {
            assert!(
                NTOPNG_ALERT_KEYS.iter().any(|(_, id)| *id == d.id),
                "{}",
                d.name
            );
            assert!(!d.title_en.is_empty() && !d.icon.is_empty(), "{}", d.name);
        }
        for d in &CORE_STATUSES {
            assert_eq!(NTOPNG_STATUS_KEYS[usize::from(d.key)].1, d.key);
            assert!(core_alert(d.alert).is_some(), "{} -> {}", d.name, d.alert);
        }
        // Names differ from alert_keys.ntopng only where 4.2's file names do.
        let renamed: Vec<&str> = CORE_ALERTS
            .iter()
            .filter(|d| NTOPNG_ALERT_KEYS[usize::from(d.id) - 1].0 != d.name)
            .map(|d| d.name)
            .collect();
        assert_eq!(
            renamed,
            [
                "alert_external_alert",
                "alert_unexpected_dns",
                "alert_unexpected_smtp",
                "alert_unexpected_dhcp",
                "alert_unexpected_ntp"
            ]
        );
        assert_eq!(core_alert("alert_unexpected_dns").map(|d| d.id), Some(63));
        assert_eq!(
            core_status("status_unexpected_dns").map(|d| d.key),
            Some(33)
        );
        assert_eq!(
            en_text("flow_details.tcp_connection_issues"),
            Some("TCP connection issues")
        );
    }

    #[test]
    fn engine_types_are_core_types() {
        for (k, name) in [
            (DROPPED_ALERTS, "alert_dropped_alerts"),
            (INTERNALS, "alert_internals"),
            (
                PERIODIC_ACTIVITY_NOT_EXECUTED,
                "alert_periodic_activity_not_executed",
            ),
            (SLOW_PERIODIC_ACTIVITY, "alert_slow_periodic_activity"),
            (TOO_MANY_DROPS, "alert_too_many_drops"),
            (UDP_UNIDIRECTIONAL, "alert_udp_unidirectional"),
            (USER_SCRIPT_CALLS_DROPS, "alert_user_script_calls_drops"),
            (CONNECTION_ISSUES, "alert_connection_issues"),
        ] {
            assert_eq!(core_alert_by_key(k).map(|d| d.name), Some(name));
        }
    }
}
