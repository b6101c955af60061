//! The registry of alert types and flow status types: built-in ones and those plugins
//! define in `alert_definitions/` and `status_definitions/` (plugins.md §8–10).
//!
//! The script runtime parses the Lua definition files and hands plain values to
//! [`Registry::register_alert`] / [`Registry::register_status`]; all alert
//! definitions must be registered before the status definitions that refer to them.
//! Once loading is done the registry is frozen behind an `Arc` and shared with the
//! engine; a plugin reload builds a new one.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

use crate::error::{Clash, Error, Result};
use crate::keys::{AlertKey, StatusKey};
use crate::types::Severity;

/// Where a definition comes from: weir itself or a plugin file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub enum Origin {
    /// A core definition (ntopng 4.2's built-in types, [`crate::builtin`]).
    Builtin,
    /// Defined by a plugin file.
    Plugin {
        /// The plugin key (its directory name).
        plugin: String,
        /// The definition file, for error messages.
        file: PathBuf,
    },
}

impl Origin {
    /// A plugin origin.
    pub fn plugin(plugin: impl Into<String>, file: impl Into<PathBuf>) -> Origin {
        Origin::Plugin {
            plugin: plugin.into(),
            file: file.into(),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Builtin => f.write_str("core definition"),
            Origin::Plugin { file, .. } => write!(f, "{}", file.display()),
        }
    }
}

/// An alert definition as read from `alert_definitions/<name>.lua` (plugins.md §8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertTypeDef {
    /// The type name: the file name without `.lua` (`"alert_exe_download"`).
    pub name: String,
    /// PEN half of `alert_key` (0 for ntopng/user keys).
    pub pen: i64,
    /// Id half of `alert_key`.
    pub id: i64,
    /// `i18n_title` (i18n key or literal).
    pub title: String,
    /// `i18n_description` when it is a string; `None` when absent or a function (the
    /// script runtime renders those itself).
    pub description: Option<String>,
    /// Font Awesome class (`"fas fa-exclamation"`).
    pub icon: String,
    /// Severity used when a caller gives none (definitions do not usually carry one;
    /// statuses do).
    pub default_severity: Option<Severity>,
}

/// A registered alert type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlertType {
    /// The stored key.
    pub key: AlertKey,
    /// The type name (`alert_consts.alert_types.<name>`).
    pub name: String,
    /// Title.
    pub title: String,
    /// Description (string form).
    pub description: Option<String>,
    /// Icon class.
    pub icon: String,
    /// Default severity.
    pub default_severity: Option<Severity>,
    /// Where it was defined.
    pub origin: Origin,
}

/// A flow status definition as read from `status_definitions/<name>.lua` (plugins.md §9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusDef {
    /// The status name: the file name without `.lua` (`"status_exe_download"`).
    pub name: String,
    /// `status_key` as given.
    pub key: i64,
    /// `alert_type`: the alert raised when the status triggers; `None` = the status can
    /// be set but never raises an alert.
    pub alert_type: Option<AlertKey>,
    /// `alert_severity`.
    pub severity: Option<Severity>,
    /// `i18n_title`.
    pub title: String,
    /// `i18n_description` when it is a string.
    pub description: Option<String>,
}

/// A registered flow status type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusType {
    /// Bit in the status bitmap.
    pub key: StatusKey,
    /// Name (`flow_consts.status_types.<name>`).
    pub name: String,
    /// The alert it raises, if any.
    pub alert_type: Option<AlertKey>,
    /// Severity of that alert.
    pub severity: Option<Severity>,
    /// Title.
    pub title: String,
    /// Description (string form).
    pub description: Option<String>,
    /// Where it was defined.
    pub origin: Origin,
}

/// Alert and flow status types by key and by name.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    alerts: BTreeMap<AlertKey, AlertType>,
    alert_names: HashMap<String, AlertKey>,
    statuses: BTreeMap<StatusKey, StatusType>,
    status_names: HashMap<String, StatusKey>,
}

impl Registry {
    /// An empty registry (no built-ins).
    pub fn new() -> Registry {
        Registry::default()
    }

    /// A registry holding the core alert and status types: ntopng 4.2's 64 alert
    /// definitions and 36 flow status definitions ([`crate::builtin`]), with
    /// [`Origin::Builtin`]. Plugin definitions that reuse one of their names or keys
    /// are refused by [`Registry::register_alert`] / [`Registry::register_status`].
    pub fn with_builtins() -> Registry {
        let mut r = Registry::new();
        for def in crate::builtin::alert_defs() {
            // Built-in tables are consistent: covered by a unit test.
            if let Err(e) = r.register_alert(def, Origin::Builtin) {
                tracing::error!(error = %e, "built-in alert definition rejected");
            }
        }
        for def in crate::builtin::status_defs() {
            if let Err(e) = r.register_status(def, Origin::Builtin) {
                tracing::error!(error = %e, "built-in status definition rejected");
            }
        }
        r
    }

    /// Registers an alert type.
    ///
    /// # Errors
    /// - [`Error::InvalidAlertKey`] for a key outside the accepted forms;
    /// - [`Error::InvalidDefinition`] for an empty name, title or icon;
    /// - [`Error::Duplicate`] when the key or the name is already registered: the
    ///   message names both files.
    pub fn register_alert(&mut self, def: AlertTypeDef, origin: Origin) -> Result<AlertKey> {
        let origin_s = origin.to_string();
        let key = AlertKey::from_pen_id(def.pen, def.id, &origin_s)?;
        for (field, v) in [
            ("name", &def.name),
            ("i18n_title", &def.title),
            ("icon", &def.icon),
        ] {
            if v.trim().is_empty() {
                return Err(Error::InvalidDefinition {
                    name: def.name.clone(),
                    origin: origin_s,
                    reason: format!("missing required field `{field}`"),
                });
            }
        }
        if let Some(existing) = self.alerts.get(&key) {
            return Err(duplicate(
                "alert key",
                key.to_string(),
                &def.name,
                &origin_s,
                &existing.name,
                &existing.origin,
            ));
        }
        if let Some(existing) = self
            .alert_names
            .get(&def.name)
            .and_then(|k| self.alerts.get(k))
        {
            return Err(duplicate(
                "alert name",
                def.name.clone(),
                &def.name,
                &origin_s,
                &existing.name,
                &existing.origin,
            ));
        }
        self.alert_names.insert(def.name.clone(), key);
        self.alerts.insert(
            key,
            AlertType {
                key,
                name: def.name,
                title: def.title,
                description: def.description,
                icon: def.icon,
                default_severity: def.default_severity,
                origin,
            },
        );
        Ok(key)
    }

    /// Registers a flow status type. Its alert type, if any, must already be registered.
    ///
    /// # Errors
    /// [`Error::InvalidStatusKey`], [`Error::InvalidDefinition`],
    /// [`Error::UnknownAlertType`], or [`Error::Duplicate`] naming both files.
    pub fn register_status(&mut self, def: StatusDef, origin: Origin) -> Result<StatusKey> {
        let origin_s = origin.to_string();
        let key = StatusKey::new(def.key, &origin_s)?;
        if def.name.trim().is_empty() || def.title.trim().is_empty() {
            return Err(Error::InvalidDefinition {
                name: def.name.clone(),
                origin: origin_s,
                reason: "missing required field `name` or `i18n_title`".into(),
            });
        }
        if let Some(a) = def.alert_type
            && !self.alerts.contains_key(&a)
        {
            return Err(Error::UnknownAlertType {
                status: def.name,
                origin: origin_s,
                alert_key: a.0,
            });
        }
        if let Some(existing) = self.statuses.get(&key) {
            return Err(duplicate(
                "status key",
                key.to_string(),
                &def.name,
                &origin_s,
                &existing.name,
                &existing.origin,
            ));
        }
        if let Some(existing) = self
            .status_names
            .get(&def.name)
            .and_then(|k| self.statuses.get(k))
        {
            return Err(duplicate(
                "status name",
                def.name.clone(),
                &def.name,
                &origin_s,
                &existing.name,
                &existing.origin,
            ));
        }
        self.status_names.insert(def.name.clone(), key);
        self.statuses.insert(
            key,
            StatusType {
                key,
                name: def.name,
                alert_type: def.alert_type,
                severity: def.severity,
                title: def.title,
                description: def.description,
                origin,
            },
        );
        Ok(key)
    }

    /// The alert type with this key.
    pub fn alert(&self, key: AlertKey) -> Option<&AlertType> {
        self.alerts.get(&key)
    }

    /// The alert type with this name.
    pub fn alert_by_name(&self, name: &str) -> Option<&AlertType> {
        self.alert_names.get(name).and_then(|k| self.alerts.get(k))
    }

    /// The name of an alert type (`alert_consts.alertTypeRaw`).
    pub fn alert_name(&self, key: AlertKey) -> Option<&str> {
        self.alerts.get(&key).map(|a| a.name.as_str())
    }

    /// The status type with this key.
    pub fn status(&self, key: StatusKey) -> Option<&StatusType> {
        self.statuses.get(&key)
    }

    /// The status type with this name.
    pub fn status_by_name(&self, name: &str) -> Option<&StatusType> {
        self.status_names
            .get(name)
            .and_then(|k| self.statuses.get(k))
    }

    /// All alert types, by key.
    pub fn alerts(&self) -> impl Iterator<Item = &AlertType> {
        self.alerts.values()
    }

    /// All status types, by key.
    pub fn statuses(&self) -> impl Iterator<Item = &StatusType> {
        self.statuses.values()
    }
}

fn duplicate(
    what: &'static str,
    key: String,
    name: &str,
    origin: &str,
    existing_name: &str,
    existing_origin: &Origin,
) -> Error {
    Error::Duplicate(Box::new(Clash {
        what,
        key,
        name: name.to_owned(),
        origin: origin.to_owned(),
        existing_name: existing_name.to_owned(),
        existing_origin: existing_origin.to_string(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exe_def(name: &str) -> AlertTypeDef {
        AlertTypeDef {
            name: name.into(),
            pen: 0,
            id: 32768,
            title: "EXE download".into(),
            description: None,
            icon: "fas fa-exclamation".into(),
            default_severity: None,
        }
    }

    #[test]
    fn builtins_load_without_error_and_are_consistent() {
        let r = Registry::with_builtins();
        assert_eq!(r.alerts().count(), crate::builtin::alert_defs().len());
        assert_eq!(r.statuses().count(), crate::builtin::status_defs().len());
        assert_eq!(
            r.alert_name(crate::builtin::DROPPED_ALERTS),
            Some("alert_dropped_alerts")
        );
    }

    #[test]
    fn tutorial_definitions_register_and_duplicates_name_both_files() {
        let mut r = Registry::with_builtins();
        let a = Origin::plugin(
            "exes_download",
            "plugins/exes_download/alert_definitions/alert_exe_download.lua",
        );
        let key = r.register_alert(exe_def("alert_exe_download"), a).unwrap();
        assert_eq!(key, AlertKey(32768));
        let s = r
            .register_status(
                StatusDef {
                    name: "status_exe_download".into(),
                    key: 59,
                    alert_type: Some(key),
                    severity: Some(Severity::Error),
                    title: "EXE download".into(),
                    description: Some("Flow has downloaded an executable file".into()),
                },
                Origin::plugin(
                    "exes_download",
                    "plugins/exes_download/status_definitions/status_exe_download.lua",
                ),
            )
            .unwrap();
        assert_eq!(s, StatusKey(59));

        let b = Origin::plugin("other", "plugins/other/alert_definitions/alert_other.lua");
        let err = r
            .register_alert(exe_def("alert_other"), b)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("plugins/other/alert_definitions/alert_other.lua"),
            "{err}"
        );
        assert!(err.contains("alert_exe_download.lua"), "{err}");

        let c = Origin::plugin("third", "plugins/third/status_definitions/s.lua");
        let def = StatusDef {
            name: "status_x".into(),
            key: 59,
            alert_type: None,
            severity: None,
            title: "x".into(),
            description: None,
        };
        let err = r.register_status(def, c).unwrap_err().to_string();
        assert!(
            err.contains("status_exe_download.lua")
                && err.contains("third/status_definitions/s.lua"),
            "{err}"
        );
    }

    #[test]
    fn status_needs_a_known_alert_type_and_a_valid_key() {
        let mut r = Registry::new();
        let o = Origin::plugin("p", "p/status_definitions/s.lua");
        let mut def = StatusDef {
            name: "status_s".into(),
            key: 60,
            alert_type: Some(AlertKey(32769)),
            severity: None,
            title: "t".into(),
            description: None,
        };
        assert!(matches!(
            r.register_status(def.clone(), o.clone()),
            Err(Error::UnknownAlertType { .. })
        ));
        def.alert_type = None;
        def.key = 40;
        assert!(matches!(
            r.register_status(def.clone(), o.clone()),
            Err(Error::InvalidStatusKey { .. })
        ));
        def.key = 60;
        assert!(r.register_status(def, o).is_ok());
    }

    #[test]
    fn core_names_and_keys_cannot_be_redefined() {
        let mut r = Registry::with_builtins();
        assert_eq!(r.alerts().count(), 64);
        assert_eq!(r.statuses().count(), 36);
        assert_eq!(r.alert_name(AlertKey(63)), Some("alert_unexpected_dns"));
        assert_eq!(
            r.status_by_name("status_tcp_connection_refused")
                .and_then(|s| s.alert_type),
            Some(AlertKey(45))
        );
        let file = "my/dns/alert_definitions/alert_dns_issues.lua";
        let mut d = exe_def("alert_dns_issues");
        d.id = 45;
        let err = r
            .register_alert(d, Origin::plugin("dns", file))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(file) && err.contains("alert_suspicious_activity"),
            "{err}"
        );
        let file = "my/dns/alert_definitions/alert_flows_flood.lua";
        let err = r
            .register_alert(exe_def("alert_flows_flood"), Origin::plugin("dns", file))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains(file) && err.contains("core definition"),
            "{err}"
        );
    }

    #[test]
    fn missing_icon_is_rejected() {
        let mut r = Registry::new();
        let mut d = exe_def("alert_a");
        d.icon.clear();
        assert!(matches!(
            r.register_alert(d, Origin::Builtin),
            Err(Error::InvalidDefinition { .. })
        ));
    }
}
