//! weir's built-in alert and flow status types: what the engine itself detects.
//!
//! They use the ntopng 4.2 keys of the same meaning (plugins.md §10), so plugins and
//! UIs written for ntopng read them unchanged. Plugins must not redefine them
//! ([`Registry::with_builtins`](crate::Registry::with_builtins) registers them first;
//! a clash is a load error naming the plugin file).
//!
//! | key | name | raised for |
//! |---|---|---|
//! | 6 | `alert_dropped_alerts` | alerts that could not be stored or delivered (subtype = sink) |
//! | 18 | `alert_internals` | flow/host table full, user script errors, … (subtype says which) |
//! | 29 | `alert_periodic_activity_not_executed` | a periodic script run skipped |
//! | 41 | `alert_slow_periodic_activity` | a periodic script run too slow |
//! | 50 | `alert_too_many_drops` | capture or queue drops (subtype `syslog_queue`: syslog messages the scripts' queue had no room for) |
//! | 51 | `alert_udp_unidirectional` | raised by `status_udp_unidirectional` |
//! | 54 | `alert_user_script_calls_drops` | user script calls dropped (budget) |
//! | 56 | `alert_connection_issues` | raised by the TCP statuses below |
//!
//! Statuses: `status_normal` (0, never set, no alert), `status_not_purged` (14,
//! `alert_internals`), `status_tcp_connection_issues` (19),
//! `status_tcp_connection_refused` (20), `status_tcp_severe_connection_issues` (21)
//! (all `alert_connection_issues`), `status_udp_unidirectional` (26).

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

fn alert(
    key: AlertKey,
    name: &str,
    title: &str,
    description: &str,
    icon: &str,
    sev: Severity,
) -> AlertTypeDef {
    AlertTypeDef {
        name: name.into(),
        pen: 0,
        id: i64::from(key.0),
        title: title.into(),
        description: Some(description.into()),
        icon: icon.into(),
        default_severity: Some(sev),
    }
}

/// The built-in alert definitions.
pub fn alert_defs() -> Vec<AlertTypeDef> {
    vec![
        alert(
            DROPPED_ALERTS,
            "alert_dropped_alerts",
            "Dropped alerts",
            "%{dropped} alerts could not be %{stage} (%{sink}: %{reason})",
            "fas fa-exclamation-triangle",
            Severity::Error,
        ),
        alert(
            INTERNALS,
            "alert_internals",
            "Internal condition",
            "weir internal condition: %{what}",
            "fas fa-cog",
            Severity::Warning,
        ),
        alert(
            PERIODIC_ACTIVITY_NOT_EXECUTED,
            "alert_periodic_activity_not_executed",
            "Periodic activity not executed",
            "Periodic activity %{activity} was not executed",
            "fas fa-undo",
            Severity::Warning,
        ),
        alert(
            SLOW_PERIODIC_ACTIVITY,
            "alert_slow_periodic_activity",
            "Slow periodic activity",
            "Periodic activity %{activity} took %{duration_ms} ms",
            "fas fa-undo",
            Severity::Warning,
        ),
        alert(
            TOO_MANY_DROPS,
            "alert_too_many_drops",
            "Too many drops",
            "%{drops} %{what} dropped",
            "fas fa-tint",
            Severity::Error,
        ),
        alert(
            UDP_UNIDIRECTIONAL,
            "alert_udp_unidirectional",
            "Unidirectional UDP flow",
            "UDP flow with traffic in one direction only",
            "fas fa-info-circle",
            Severity::Notice,
        ),
        alert(
            USER_SCRIPT_CALLS_DROPS,
            "alert_user_script_calls_drops",
            "User script calls dropped",
            "%{drops} user script calls dropped",
            "fas fa-tint",
            Severity::Error,
        ),
        alert(
            CONNECTION_ISSUES,
            "alert_connection_issues",
            "TCP connection issues",
            "TCP connection issues (retransmissions, out of order, lost, refused)",
            "fas fa-exclamation",
            Severity::Warning,
        ),
    ]
}

fn status(
    key: i64,
    name: &str,
    alert: Option<AlertKey>,
    sev: Option<Severity>,
    title: &str,
) -> StatusDef {
    StatusDef {
        name: name.into(),
        key,
        alert_type: alert,
        severity: sev,
        title: title.into(),
        description: None,
    }
}

/// The built-in flow status definitions.
pub fn status_defs() -> Vec<StatusDef> {
    vec![
        status(0, "status_normal", None, None, "Normal"),
        status(
            14,
            "status_not_purged",
            Some(INTERNALS),
            Some(Severity::Error),
            "Flow not purged",
        ),
        status(
            19,
            "status_tcp_connection_issues",
            Some(CONNECTION_ISSUES),
            Some(Severity::Warning),
            "TCP connection issues",
        ),
        status(
            20,
            "status_tcp_connection_refused",
            Some(CONNECTION_ISSUES),
            Some(Severity::Warning),
            "TCP connection refused",
        ),
        status(
            21,
            "status_tcp_severe_connection_issues",
            Some(CONNECTION_ISSUES),
            Some(Severity::Error),
            "TCP severe connection issues",
        ),
        status(
            26,
            "status_udp_unidirectional",
            Some(UDP_UNIDIRECTIONAL),
            Some(Severity::Notice),
            "Unidirectional UDP",
        ),
    ]
}
