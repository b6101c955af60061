//! The configuration model of user scripts (spec plugins.md §7): what a script
//! declares (`default_value`, `default_enabled`, `gui`) as a typed [`ScriptModel`],
//! and what the user set ([`SettingsFile`], `scripts.toml` in the data directory:
//! enabled state, `script_conf` per hook, per-entity overrides), validated against
//! the model and resolved into the effective configuration of each hook.
//!
//! The file is written atomically (temporary file + rename) by `weir scripts`; a
//! running runtime checks its modification time when the packet clock moves and
//! applies a change at the next hook call, without a restart.
//!
//! ```
//! use weir_script::settings::{Operator, parse_default_value};
//! assert_eq!(parse_default_value("syn_flood_victim;gt;50").unwrap(), (Operator::Gt, Some(50.0)));
//! ```

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value as Json};
use weir_flow::IpNet;

/// Name of the settings file in the data directory.
pub const FILE_NAME: &str = "scripts.toml";

/// The settings file of a data directory.
pub fn file_in(data_dir: &Path) -> PathBuf {
    data_dir.join(FILE_NAME)
}

/// Threshold operator (`user_scripts.operator_functions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Operator {
    /// value > threshold
    Gt,
    /// value < threshold
    Lt,
}

impl Operator {
    /// From `gt` / `lt`.
    pub fn from_name(s: &str) -> Option<Operator> {
        match s.trim() {
            "gt" => Some(Operator::Gt),
            "lt" => Some(Operator::Lt),
            _ => None,
        }
    }

    /// `gt` / `lt`.
    pub fn name(self) -> &'static str {
        match self {
            Operator::Gt => "gt",
            Operator::Lt => "lt",
        }
    }
}

/// What is wrong with a setting, a configuration value or the settings file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SettingsError {
    /// A `default_value` that is not `<key>;<gt|lt>;<number>`.
    #[error("bad default_value \"{value}\": {reason}")]
    DefaultValue {
        /// The text given.
        value: String,
        /// What is wrong.
        reason: String,
    },
    /// A field value the script's GUI model refuses.
    #[error("{field}: {reason}")]
    Field {
        /// The field (`threshold`, `items`, `enabled`, …).
        field: String,
        /// What is wrong and what is allowed.
        reason: String,
    },
    /// An entity override key that is neither an address nor a network.
    #[error("entity `{0}`: not an IP address or a CIDR network")]
    Entity(String),
    /// The settings file (or its directory) could not be read, parsed or written.
    #[error("{path}: {reason}")]
    File {
        /// The path.
        path: String,
        /// Why.
        reason: String,
    },
    /// The settings could not be written as TOML.
    #[error("{0}")]
    Serialize(String),
}

fn bad_field(field: &str, reason: impl Into<String>) -> SettingsError {
    SettingsError::Field {
        field: field.to_owned(),
        reason: reason.into(),
    }
}

fn file_error(path: &Path, reason: impl std::fmt::Display) -> SettingsError {
    SettingsError::File {
        path: path.display().to_string(),
        reason: reason.to_string(),
    }
}

/// `"<script_key>;<operator>;<value>"` (plugins.md §7.4) → operator and optional
/// threshold.
///
/// # Errors
/// A text saying what is wrong.
pub fn parse_default_value(s: &str) -> Result<(Operator, Option<f64>), SettingsError> {
    let bad = |reason: String| SettingsError::DefaultValue {
        value: s.to_owned(),
        reason,
    };
    let parts: Vec<&str> = s.split(';').collect();
    if parts.len() < 2 || parts.len() > 3 {
        return Err(bad("expected \"<key>;<gt|lt>;<number>\"".to_owned()));
    }
    let op = Operator::from_name(parts[1])
        .ok_or_else(|| bad(format!("operator `{}` is not gt or lt", parts[1])))?;
    let th = match parts.get(2).map(|v| v.trim()) {
        None | Some("") => None,
        Some(v) => Some(
            v.parse::<f64>()
                .map_err(|_| bad(format!("threshold `{v}` is not a number")))?,
        ),
    };
    Ok((op, th))
}

/// The GUI input builder of a script (plugins.md §7.3).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum InputBuilder {
    /// No builder: only an enable toggle; `script_conf` is free-form.
    None,
    /// `{operator, threshold}`.
    ThresholdCross,
    /// `{items = {...}}`.
    ItemsList,
    /// `{items = {id, ...}}`.
    MultiSelect,
    /// `{min_duration, items}`.
    LongLived,
    /// `{l2r_bytes_value, r2l_bytes_value, items}`.
    ElephantFlows,
    /// Another builder name (not validated).
    Other(String),
}

impl InputBuilder {
    /// From the `gui.input_builder` string.
    pub fn from_name(s: &str) -> InputBuilder {
        match s {
            "" | "default" => InputBuilder::None,
            "threshold_cross" => InputBuilder::ThresholdCross,
            "items_list" => InputBuilder::ItemsList,
            "multi_select" => InputBuilder::MultiSelect,
            "long_lived" => InputBuilder::LongLived,
            "elephant_flows" => InputBuilder::ElephantFlows,
            other => InputBuilder::Other(other.to_owned()),
        }
    }

    /// The builder name.
    pub fn name(&self) -> &str {
        match self {
            InputBuilder::None => "none",
            InputBuilder::ThresholdCross => "threshold_cross",
            InputBuilder::ItemsList => "items_list",
            InputBuilder::MultiSelect => "multi_select",
            InputBuilder::LongLived => "long_lived",
            InputBuilder::ElephantFlows => "elephant_flows",
            InputBuilder::Other(s) => s,
        }
    }

    /// The `script_conf` fields it produces (empty: any field).
    pub fn fields(&self) -> &'static [&'static str] {
        match self {
            InputBuilder::ThresholdCross => &["operator", "threshold"],
            InputBuilder::ItemsList | InputBuilder::MultiSelect => &["items"],
            InputBuilder::LongLived => &["min_duration", "items"],
            InputBuilder::ElephantFlows => &["l2r_bytes_value", "r2l_bytes_value", "items"],
            InputBuilder::None | InputBuilder::Other(_) => &[],
        }
    }
}

/// The `gui` table of a script (plugins.md §7.2), localized where a locale had it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gui {
    /// Title.
    pub title: String,
    /// Description.
    pub description: String,
    /// Input builder.
    pub input_builder: InputBuilder,
    /// Unit label (`i18n_field_unit`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Lowest threshold (`field_min`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_min: Option<f64>,
    /// Highest threshold (`field_max`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_max: Option<f64>,
    /// Step (`field_step`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_step: Option<f64>,
    /// Fixed operator (`field_operator`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_operator: Option<Operator>,
    /// Item validation (`item_list_type`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub item_list_type: Option<String>,
    /// `input_title`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_title: Option<String>,
    /// `input_description`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_description: Option<String>,
}

impl Default for Gui {
    fn default() -> Self {
        Gui {
            title: String::new(),
            description: String::new(),
            input_builder: InputBuilder::None,
            unit: None,
            field_min: None,
            field_max: None,
            field_step: None,
            field_operator: None,
            item_list_type: None,
            input_title: None,
            input_description: None,
        }
    }
}

/// What a script declares about its configuration.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScriptModel {
    /// Plugin key.
    pub plugin: String,
    /// Script key.
    pub key: String,
    /// Subdirectory (`host`, `flow`, …).
    pub subdir: String,
    /// Configuration keys: the granularities it has hooks for (host, interface,
    /// network, system scripts) or `all`.
    pub hooks: Vec<String>,
    /// `default_enabled` (nil = true).
    pub default_enabled: bool,
    /// The initial `script_conf` of each configuration key (`default_value`, or the
    /// legacy per-granularity `default_values`).
    pub defaults: BTreeMap<String, Json>,
    /// GUI description.
    pub gui: Gui,
    /// `local_only` (host scripts).
    pub local_only: bool,
}

impl ScriptModel {
    /// `subdir/key`, the name in the settings file.
    pub fn id(&self) -> String {
        format!("{}/{}", self.subdir, self.key)
    }

    /// Whether the script's subdir has one configuration per hook.
    pub fn per_hook(subdir: &str) -> bool {
        matches!(subdir, "host" | "interface" | "network" | "system")
    }

    /// Checks one field value of a hook's `script_conf` (or `enabled`) against the
    /// GUI model; returns the value to store.
    ///
    /// # Errors
    /// A one-line text naming the field and what is allowed.
    pub fn validate_field(&self, field: &str, value: &Json) -> Result<Json, SettingsError> {
        let g = &self.gui;
        let number = |v: &Json| -> Result<f64, SettingsError> {
            v.as_f64()
                .ok_or_else(|| bad_field(field, format!("{v} is not a number")))
        };
        match (&g.input_builder, field) {
            (_, "enabled") => value
                .as_bool()
                .map(Json::Bool)
                .ok_or_else(|| bad_field("enabled", format!("{value} is not true or false"))),
            (InputBuilder::ThresholdCross, "threshold") => {
                let x = number(value)?;
                let (lo, hi) = (g.field_min, g.field_max);
                if lo.is_some_and(|lo| x < lo) || hi.is_some_and(|hi| x > hi) {
                    return Err(bad_field(
                        "threshold",
                        format!(
                            "{} is out of range {}..{}{}",
                            fmt_num(x),
                            lo.map(fmt_num).unwrap_or_default(),
                            hi.map(fmt_num).unwrap_or_default(),
                            g.unit
                                .as_deref()
                                .map(|u| format!(" ({})", unit_label(u)))
                                .unwrap_or_default()
                        ),
                    ));
                }
                Ok(num_json(x))
            }
            (InputBuilder::ThresholdCross, "operator") => {
                let s = value.as_str().unwrap_or_default();
                let op = Operator::from_name(s)
                    .ok_or_else(|| bad_field("operator", format!("{value} is not gt or lt")))?;
                if let Some(fixed) = g.field_operator
                    && fixed != op
                {
                    return Err(bad_field(
                        "operator",
                        format!("this script only allows {}", fixed.name()),
                    ));
                }
                Ok(Json::String(op.name().into()))
            }
            (InputBuilder::LongLived, "min_duration")
            | (InputBuilder::ElephantFlows, "l2r_bytes_value" | "r2l_bytes_value") => {
                let x = number(value)?;
                if x < 0.0 {
                    return Err(bad_field(field, format!("{} is below 0", fmt_num(x))));
                }
                Ok(num_json(x))
            }
            (
                InputBuilder::ItemsList
                | InputBuilder::MultiSelect
                | InputBuilder::LongLived
                | InputBuilder::ElephantFlows,
                "items",
            ) => {
                let items: Vec<String> = match value {
                    Json::Array(a) => a
                        .iter()
                        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                        .collect(),
                    Json::String(s) => s
                        .split(',')
                        .map(|x| x.trim().to_owned())
                        .filter(|x| !x.is_empty())
                        .collect(),
                    other => return Err(bad_field("items", format!("{other} is not a list"))),
                };
                let mut out: Vec<String> = Vec::new();
                for it in items {
                    check_item(g.item_list_type.as_deref(), &it)?;
                    if !out.contains(&it) {
                        out.push(it);
                    }
                }
                Ok(Json::Array(out.into_iter().map(Json::String).collect()))
            }
            (b, f) if !b.fields().is_empty() => Err(bad_field(
                f,
                format!(
                    "not a field of this script (input builder {}: enabled, {})",
                    b.name(),
                    b.fields().join(", ")
                ),
            )),
            (_, _) => Ok(value.clone()),
        }
    }

    /// Checks a whole `script_conf` of one hook.
    ///
    /// # Errors
    /// The first bad field.
    pub fn validate_conf(&self, conf: &Map<String, Json>) -> Result<(), SettingsError> {
        for (k, v) in conf {
            self.validate_field(k, v)?;
        }
        Ok(())
    }
}

fn check_item(kind: Option<&str>, it: &str) -> Result<(), SettingsError> {
    match kind {
        Some("country") if !(it.len() == 2 && it.chars().all(|c| c.is_ascii_alphabetic())) => Err(
            bad_field("items", format!("`{it}` is not a two-letter country code")),
        ),
        Some("string") if it.chars().any(char::is_whitespace) => {
            Err(bad_field("items", format!("`{it}` is not a single word")))
        }
        _ => Ok(()),
    }
}

fn unit_label(u: &str) -> &str {
    u.rsplit('.').next().unwrap_or(u)
}

fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

fn num_json(x: f64) -> Json {
    if x.fract() == 0.0 && x.abs() < 9e15 {
        Json::from(x as i64)
    } else {
        Json::from(x)
    }
}

/// Parses a value given on the command line: a number, `true`/`false`, a JSON
/// array or object, else the text itself.
pub fn parse_cli_value(s: &str) -> Json {
    let t = s.trim();
    if let Ok(v) = t.parse::<i64>() {
        return Json::from(v);
    }
    if let Ok(v) = t.parse::<f64>()
        && v.is_finite()
    {
        return Json::from(v);
    }
    match t {
        "true" => return Json::Bool(true),
        "false" => return Json::Bool(false),
        _ => {}
    }
    if (t.starts_with('[') || t.starts_with('{'))
        && let Ok(v) = serde_json::from_str(t)
    {
        return v;
    }
    Json::String(s.to_owned())
}

/// Settings of one hook set (the script or one entity override).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Enabled (absent: the script's default, or for an override the script's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// `script_conf` fields per configuration key (`min`, `5mins`, `hour`, `day`,
    /// `all`), laid over the defaults.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub conf: BTreeMap<String, Map<String, Json>>,
}

/// The settings of one script.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptSettings {
    /// Enabled (absent: `default_enabled`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// `script_conf` fields per configuration key.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub conf: BTreeMap<String, Map<String, Json>>,
    /// Overrides for entities: a host IP, a CIDR (hosts in it, or that local
    /// network). The most specific match wins.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub entity: BTreeMap<String, Settings>,
}

/// `scripts.toml`: every script's settings by `subdir/key`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsFile {
    /// By `subdir/key`.
    #[serde(default)]
    pub script: BTreeMap<String, ScriptSettings>,
}

/// Parses an entity override key: an IP address or a CIDR network.
///
/// # Errors
/// Neither.
pub fn parse_entity(s: &str) -> Result<IpNet, SettingsError> {
    if let Ok(n) = s.parse::<IpNet>() {
        return Ok(n);
    }
    s.parse::<IpAddr>()
        .map(IpNet::from)
        .map_err(|_| SettingsError::Entity(s.to_owned()))
}

impl SettingsFile {
    /// Reads `path`; a missing file is an empty configuration.
    ///
    /// # Errors
    /// Unreadable or not valid TOML of this shape.
    pub fn load(path: &Path) -> Result<SettingsFile, SettingsError> {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text).map_err(|e| file_error(path, one_line(&e))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(SettingsFile::default()),
            Err(e) => Err(file_error(path, e)),
        }
    }

    /// Writes `path` atomically (a temporary file renamed over it).
    ///
    /// # Errors
    /// The directory cannot be written.
    pub fn save(&self, path: &Path) -> Result<(), SettingsError> {
        let text =
            toml::to_string_pretty(self).map_err(|e| SettingsError::Serialize(e.to_string()))?;
        let text = format!(
            "# User script settings, written by `weir scripts`. A running weir applies\n\
             # changes at the next hook call. See docs/plugins/configuration.md.\n\n{text}"
        );
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| file_error(dir, e))?;
        }
        let tmp = path.with_extension(format!("toml.tmp{}", std::process::id()));
        std::fs::write(&tmp, text).map_err(|e| file_error(&tmp, e))?;
        std::fs::rename(&tmp, path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            file_error(path, e)
        })
    }

    /// Checks every entry against the models; problems as one-line texts naming
    /// the script and field. Entries for unknown scripts are reported too.
    pub fn validate(&self, models: &[ScriptModel]) -> Vec<String> {
        let mut out = Vec::new();
        for (id, s) in &self.script {
            let Some(m) = models.iter().find(|m| &m.id() == id) else {
                out.push(format!("{id}: no such script (ignored)"));
                continue;
            };
            let check = |who: &str, conf: &BTreeMap<String, Map<String, Json>>| {
                let mut v = Vec::new();
                for (hook, c) in conf {
                    if !m.hooks.contains(hook) {
                        v.push(format!(
                            "{id}{who}: `{hook}` is not a hook of this script ({})",
                            m.hooks.join(", ")
                        ));
                    } else if let Err(e) = m.validate_conf(c) {
                        v.push(format!("{id}{who} {hook}: {e}"));
                    }
                }
                v
            };
            out.extend(check("", &s.conf));
            for (e, o) in &s.entity {
                if let Err(err) = parse_entity(e) {
                    out.push(format!("{id}: {err}"));
                }
                out.extend(check(&format!(" (entity {e})"), &o.conf));
            }
        }
        out
    }
}

fn one_line(e: &dyn std::fmt::Display) -> String {
    e.to_string()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The effective settings of one configuration key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HookSettings {
    /// Hooks run.
    pub enabled: bool,
    /// `script_conf` passed to the hook.
    pub conf: Json,
}

/// The effective settings of a script: per configuration key, and per entity
/// override (most specific first).
#[derive(Debug, Clone, PartialEq)]
pub struct Effective {
    /// By configuration key (same order as [`ScriptModel::hooks`]).
    pub hooks: Vec<(String, HookSettings)>,
    /// Entity overrides, most specific (longest prefix) first.
    pub overrides: Vec<(IpNet, Vec<(String, HookSettings)>)>,
}

fn overlay(base: &Json, fields: Option<&Map<String, Json>>) -> Json {
    let Some(fields) = fields.filter(|f| !f.is_empty()) else {
        return base.clone();
    };
    let mut m = match base {
        Json::Object(m) => m.clone(),
        _ => Map::new(),
    };
    for (k, v) in fields {
        m.insert(k.clone(), v.clone());
    }
    Json::Object(m)
}

/// Resolves a script's effective settings (invalid entries are skipped: see
/// [`SettingsFile::validate`]).
pub fn resolve(model: &ScriptModel, s: Option<&ScriptSettings>) -> Effective {
    let valid = |c: Option<&Map<String, Json>>| -> Option<Map<String, Json>> {
        c.map(|c| {
            c.iter()
                .filter_map(|(k, v)| model.validate_field(k, v).ok().map(|v| (k.clone(), v)))
                .collect()
        })
    };
    let enabled = s.and_then(|s| s.enabled).unwrap_or(model.default_enabled);
    let hooks: Vec<(String, HookSettings)> = model
        .hooks
        .iter()
        .map(|h| {
            let base = model
                .defaults
                .get(h)
                .cloned()
                .unwrap_or_else(|| Json::Object(Map::new()));
            let f = valid(s.and_then(|s| s.conf.get(h)));
            (
                h.clone(),
                HookSettings {
                    enabled,
                    conf: overlay(&base, f.as_ref()),
                },
            )
        })
        .collect();
    let mut overrides = Vec::new();
    if let Some(s) = s {
        for (e, o) in &s.entity {
            let Ok(net) = parse_entity(e) else { continue };
            let en = o.enabled.unwrap_or(enabled);
            let per: Vec<(String, HookSettings)> = hooks
                .iter()
                .map(|(h, hs)| {
                    let f = valid(o.conf.get(h));
                    (
                        h.clone(),
                        HookSettings {
                            enabled: en,
                            conf: overlay(&hs.conf, f.as_ref()),
                        },
                    )
                })
                .collect();
            overrides.push((net, per));
        }
    }
    overrides.sort_by_key(|(n, _)| std::cmp::Reverse(n.prefix_len()));
    Effective { hooks, overrides }
}

/// Watches a settings file: [`Watch::changed`] says when its modification time or
/// size moved since the previous look.
#[derive(Debug, Clone, Default)]
pub(crate) struct Watch {
    pub path: Option<PathBuf>,
    pub stamp: Option<(SystemTime, u64)>,
}

impl Watch {
    pub fn new(path: Option<PathBuf>) -> Watch {
        let mut w = Watch { path, stamp: None };
        w.stamp = w.look();
        w
    }

    fn look(&self) -> Option<(SystemTime, u64)> {
        let m = std::fs::metadata(self.path.as_ref()?).ok()?;
        Some((m.modified().ok()?, m.len()))
    }

    pub fn changed(&mut self) -> bool {
        let now = self.look();
        if now != self.stamp {
            self.stamp = now;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> ScriptModel {
        ScriptModel {
            plugin: "p".into(),
            key: "syn_flood_victim".into(),
            subdir: "host".into(),
            hooks: vec!["min".into()],
            default_enabled: true,
            defaults: [(
                "min".to_string(),
                serde_json::json!({"operator": "gt", "threshold": 50}),
            )]
            .into(),
            gui: Gui {
                input_builder: InputBuilder::ThresholdCross,
                field_min: Some(1.0),
                field_max: Some(65535.0),
                field_operator: Some(Operator::Gt),
                unit: Some("field_units.syn_sec".into()),
                ..Gui::default()
            },
            local_only: true,
        }
    }

    #[test]
    fn default_value_strings() {
        assert_eq!(
            parse_default_value("syn_flood_victim;gt;50"),
            Ok((Operator::Gt, Some(50.0)))
        );
        assert_eq!(parse_default_value("x;lt"), Ok((Operator::Lt, None)));
        assert!(
            parse_default_value("x;ge;5")
                .unwrap_err()
                .to_string()
                .contains("ge")
        );
        assert!(parse_default_value("x;gt;abc").is_err());
        assert!(parse_default_value("x").is_err());
    }

    #[test]
    fn validation_names_field_and_range() {
        let m = model();
        assert_eq!(
            m.validate_field("threshold", &Json::from(70000))
                .unwrap_err()
                .to_string(),
            "threshold: 70000 is out of range 1..65535 (syn_sec)"
        );
        assert_eq!(
            m.validate_field("threshold", &Json::from(10)),
            Ok(Json::from(10))
        );
        assert!(
            m.validate_field("operator", &"lt".into())
                .unwrap_err()
                .to_string()
                .contains("only allows gt")
        );
        assert!(
            m.validate_field("colour", &"red".into())
                .unwrap_err()
                .to_string()
                .starts_with("colour: not a field")
        );
    }

    #[test]
    fn resolve_overlays_and_orders_overrides() {
        let m = model();
        let mut s = ScriptSettings::default();
        s.conf
            .entry("min".into())
            .or_default()
            .insert("threshold".into(), 100.into());
        let mut o = Settings::default();
        o.conf
            .entry("min".into())
            .or_default()
            .insert("threshold".into(), 5.into());
        s.entity.insert("192.168.1.0/24".into(), o.clone());
        o.enabled = Some(false);
        s.entity.insert("192.168.1.5".into(), o);
        let e = resolve(&m, Some(&s));
        assert_eq!(e.hooks[0].1.conf["threshold"], 100);
        assert_eq!(e.hooks[0].1.conf["operator"], "gt");
        assert_eq!(e.overrides[0].0.to_string(), "192.168.1.5/32");
        assert!(!e.overrides[0].1[0].1.enabled);
        assert_eq!(e.overrides[1].1[0].1.conf["threshold"], 5);
        let mut f = SettingsFile::default();
        f.script.insert("host/syn_flood_victim".into(), s);
        let dir = tempfile::tempdir().unwrap();
        let path = file_in(dir.path());
        f.save(&path).unwrap();
        assert_eq!(SettingsFile::load(&path).unwrap(), f);
        assert!(f.validate(&[m]).is_empty());
    }
}
