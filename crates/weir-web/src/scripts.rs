//! User scripts and plugins: `/api/v1/scripts...`, `/api/v1/plugins...`.
//!
//! Script settings go through the same model and file as `weir scripts`
//! (`weir_script::settings`, `scripts.toml` in the data directory, written
//! atomically): every change is validated against the script's `gui` model first, and
//! the running engines pick the file up at their next hook call.

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use weir_script::Problem;
use weir_script::settings::{self, HookSettings, ScriptModel, SettingsFile};

use weir_script::SUBDIRS;

use crate::auth::Identity;
use crate::context::{Loaded, RunContext};
use crate::error::{ApiError, ApiResult};
use crate::rest::{Body, Params, Q, St, ok, paged};

fn hooks_json(hooks: &[(String, HookSettings)]) -> Value {
    hooks
        .iter()
        .map(|(h, hs)| (h.clone(), json!({"enabled": hs.enabled, "conf": hs.conf})))
        .collect::<Map<_, _>>()
        .into()
}

/// A script as the API shows it: model, settings, effective configuration.
fn script_value(m: &ScriptModel, file: &SettingsFile, loaded: &Loaded) -> Value {
    let s = file.script.get(&m.id());
    let eff = settings::resolve(m, s);
    let enabled = s.and_then(|s| s.enabled).unwrap_or(m.default_enabled);
    let conf: Map<String, Value> = eff
        .hooks
        .iter()
        .map(|(h, hs)| (h.clone(), hs.conf.clone()))
        .collect();
    let overrides: Map<String, Value> = eff
        .overrides
        .iter()
        .map(|(n, h)| (n.to_string(), hooks_json(h)))
        .collect();
    let info = loaded
        .report
        .scripts
        .iter()
        .find(|i| i.plugin == m.plugin && i.subdir == m.subdir && i.key == m.key);
    json!({
        "id": m.id(),
        "plugin": m.plugin,
        "subdir": m.subdir,
        "key": m.key,
        "title": m.gui.title,
        "description": m.gui.description,
        "enabled": enabled,
        "default_enabled": m.default_enabled,
        "configured": s.is_some(),
        "hooks": m.hooks,
        "conf": conf,
        "defaults": m.defaults,
        "gui": m.gui,
        "input_builder": m.gui.input_builder.name(),
        "local_only": m.local_only,
        "settings": s,
        "entity_overrides": overrides,
        "file": info.map(|i| i.file.clone()),
        "active": info.map(|i| i.active),
        "inactive_reason": info.and_then(|i| i.inactive_reason.clone()),
        "applies": "at the next hook call",
        "note": if m.subdir == "snmp_device" { "no SNMP source configured: not run" } else { "" },
    })
}

fn load_settings(ctx: &RunContext) -> Result<SettingsFile, ApiError> {
    SettingsFile::load(&ctx.settings_path()).map_err(ApiError::internal)
}

/// One script's cost as the API shows it.
fn cost_value(ifid: usize, iface: &str, c: &weir_pipeline::snapshot::ScriptCounters) -> Value {
    let (subdir, key) = c.script.split_once('/').unwrap_or(("", c.script.as_str()));
    let hooks: Vec<Value> = c
        .hooks
        .iter()
        .map(|h| {
            json!({"hook": h.hook, "calls": h.calls, "time_ns": h.time_ns,
                   "mean_ns": h.mean_ns(), "max_ns": h.max_ns, "alloc_bytes": h.alloc_bytes})
        })
        .collect();
    json!({
        "ifid": ifid, "interface": iface, "id": c.script, "plugin": c.plugin,
        "subdir": subdir, "key": key, "calls": c.calls, "errors": c.errors,
        "disabled": c.disabled, "reason": c.reason, "time_ns": c.time_ns,
        "mean_ns": c.mean_ns(), "max_ns": c.max_ns, "alloc_bytes": c.alloc_bytes,
        "hooks": hooks,
    })
}

/// `GET /api/v1/scripts/stats`: what each user script of an interface cost so far
/// (calls, total and mean time, slowest call, memory, per hook), costliest first,
/// with the interface's Lua VM memory.
pub(super) async fn stats(State(st): St, q: Q) -> ApiResult {
    let p = Params::new(q, &["ifid", "sort", "offset", "limit"])?;
    let (offset, limit) = p.paging()?;
    let (ifid, cell) = crate::interfaces::interface_cell(&st, p.str("ifid"))?;
    let sort = p.str("sort").unwrap_or("time");
    let mut rows = cell.scripts();
    let key = |c: &weir_pipeline::snapshot::ScriptCounters| -> u64 {
        match sort {
            "calls" => c.calls,
            "mean" => c.mean_ns(),
            "max" => c.max_ns,
            "memory" => c.alloc_bytes,
            "errors" => c.errors,
            _ => c.time_ns,
        }
    };
    if !["time", "calls", "mean", "max", "memory", "errors"].contains(&sort) {
        return Err(ApiError::bad(format!(
            "sort={sort:?}: expected time, calls, mean, max, memory or errors"
        ))
        .with_field("sort"));
    }
    rows.sort_by(|a, b| key(b).cmp(&key(a)).then_with(|| a.script.cmp(&b.script)));
    let name = match cell.name() {
        n if n.is_empty() => st.iface_name.clone(),
        n => crate::interfaces::short_name(&n),
    };
    let mut v = paged(rows, offset, limit, |c| cost_value(ifid, &name, &c));
    v["ifid"] = json!(ifid);
    v["interface"] = json!(name);
    v["sort"] = json!(sort);
    v["memory"] = json!(cell.script_memory());
    ok(v)
}

/// `GET /api/v1/scripts`: every user script.
pub(super) async fn list(State(st): St, q: Q) -> ApiResult {
    let p = Params::new(q, &["subdir", "plugin", "enabled", "offset", "limit"])?;
    let (offset, limit) = p.paging()?;
    let subdir = p.str("subdir");
    if let Some(s) = subdir
        && !SUBDIRS.contains(&s)
    {
        return Err(ApiError::bad(format!(
            "subdir={s:?}: expected one of {}",
            SUBDIRS.join(", ")
        ))
        .with_field("subdir"));
    }
    let plugin = p.str("plugin");
    let enabled = p.bool("enabled")?;
    let loaded = st.run.plugins().await?;
    let file = load_settings(&st.run)?;
    let mut models: Vec<&ScriptModel> = loaded
        .models
        .iter()
        .filter(|m| subdir.is_none_or(|s| m.subdir == s) && plugin.is_none_or(|p| m.plugin == p))
        .collect();
    models.sort_by_key(|m| m.id());
    let items: Vec<Value> = models
        .iter()
        .map(|m| script_value(m, &file, &loaded))
        .filter(|v| enabled.is_none_or(|e| v["enabled"] == e))
        .collect();
    ok(paged(items, offset, limit, |v| v))
}

fn find<'a>(loaded: &'a Loaded, subdir: &str, key: &str) -> Result<&'a ScriptModel, ApiError> {
    loaded
        .models
        .iter()
        .find(|m| m.subdir == subdir && m.key == key)
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "no user script {subdir}/{key} (see GET /api/v1/scripts)"
            ))
        })
}

/// `GET /api/v1/scripts/{subdir}/{key}`.
pub(super) async fn show(
    State(st): St,
    Path((subdir, key)): Path<(String, String)>,
    q: Q,
) -> ApiResult {
    Params::new(q, &[])?;
    let loaded = st.run.plugins().await?;
    let m = find(&loaded, &subdir, &key)?;
    let file = load_settings(&st.run)?;
    ok(script_value(m, &file, &loaded))
}

/// The validated entity override key (an IP address or a CIDR network), if any.
fn entity_key(m: &ScriptModel, entity: Option<&str>) -> Result<Option<String>, ApiError> {
    let Some(e) = entity.map(str::trim).filter(|e| !e.is_empty()) else {
        return Ok(None);
    };
    let net =
        settings::parse_entity(e).map_err(|e| ApiError::bad(e.to_string()).with_field("entity"))?;
    if !matches!(m.subdir.as_str(), "host" | "network") {
        return Err(ApiError::bad(format!(
            "entity: {} scripts have no per-entity overrides (host and network scripts do)",
            m.subdir
        ))
        .with_field("entity"));
    }
    // The CLI keeps what the user typed; a single address is stored as an address.
    Ok(Some(if net.prefix_len() == net.max_prefix_len() {
        net.addr().to_string()
    } else {
        net.trunc().to_string()
    }))
}

/// Applies `change` to the script's settings (or the entity override's) under the
/// settings lock, then writes `scripts.toml` atomically.
fn modify(
    ctx: &RunContext,
    m: &ScriptModel,
    entity: Option<&str>,
    change: impl FnOnce(&mut Option<bool>, &mut std::collections::BTreeMap<String, Map<String, Value>>),
) -> Result<(), ApiError> {
    let _guard = ctx.settings_lock.lock();
    let path = ctx.settings_path();
    let mut file = SettingsFile::load(&path).map_err(ApiError::internal)?;
    let id = m.id();
    let entry = file.script.entry(id.clone()).or_default();
    match entity {
        Some(e) => {
            let o = entry.entity.entry(e.to_string()).or_default();
            change(&mut o.enabled, &mut o.conf);
        }
        None => change(&mut entry.enabled, &mut entry.conf),
    }
    entry.conf.retain(|_, c| !c.is_empty());
    for o in entry.entity.values_mut() {
        o.conf.retain(|_, c| !c.is_empty());
    }
    entry
        .entity
        .retain(|_, o| o.enabled.is_some() || !o.conf.is_empty());
    if entry.enabled.is_none() && entry.conf.is_empty() && entry.entity.is_empty() {
        file.script.remove(&id);
    }
    file.save(&path).map_err(ApiError::internal)
}

async fn set_enabled(
    st: St,
    id: Identity,
    subdir: String,
    key: String,
    q: Q,
    on: bool,
) -> ApiResult {
    let State(st) = st;
    id.require_admin()?;
    let p = Params::new(q, &["entity"])?;
    let loaded = st.run.plugins().await?;
    let m = find(&loaded, &subdir, &key)?;
    let entity = entity_key(m, p.str("entity"))?;
    modify(&st.run, m, entity.as_deref(), |enabled, _| {
        *enabled = Some(on)
    })?;
    tracing::info!(
        "web: {} {} by {:?}{}",
        m.id(),
        if on { "enabled" } else { "disabled" },
        id.user,
        entity
            .as_deref()
            .map(|e| format!(" for {e}"))
            .unwrap_or_default()
    );
    let file = load_settings(&st.run)?;
    ok(script_value(m, &file, &loaded))
}

/// Enables or disables script `subdir/key` for every entity, as `weir scripts
/// enable|disable` does (for the ntopng compatibility layer); the script as the API
/// shows it.
pub(crate) async fn toggle(
    st: &std::sync::Arc<crate::state::AppState>,
    id: &Identity,
    subdir: &str,
    key: &str,
    on: bool,
) -> Result<Value, ApiError> {
    id.require_admin()?;
    let loaded = st.run.plugins().await?;
    let m = find(&loaded, subdir, key)?;
    modify(&st.run, m, None, |enabled, _| *enabled = Some(on))?;
    tracing::info!(
        "web: {} {} by {:?}",
        m.id(),
        if on { "enabled" } else { "disabled" },
        id.user
    );
    let file = load_settings(&st.run)?;
    Ok(script_value(m, &file, &loaded))
}

/// `POST /api/v1/scripts/{subdir}/{key}/enable[?entity=IP|CIDR]`.
pub(super) async fn enable(
    st: St,
    Extension(id): Extension<Identity>,
    Path((subdir, key)): Path<(String, String)>,
    q: Q,
) -> ApiResult {
    set_enabled(st, id, subdir, key, q, true).await
}

/// `POST /api/v1/scripts/{subdir}/{key}/disable[?entity=IP|CIDR]`.
pub(super) async fn disable(
    st: St,
    Extension(id): Extension<Identity>,
    Path((subdir, key)): Path<(String, String)>,
    q: Q,
) -> ApiResult {
    set_enabled(st, id, subdir, key, q, false).await
}

/// The body of `PUT /api/v1/scripts/{subdir}/{key}/config`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ConfigBody {
    /// Enable or disable.
    #[serde(default)]
    enabled: Option<bool>,
    /// `script_conf` fields to set (`null`: back to the default).
    #[serde(default)]
    conf: Map<String, Value>,
    /// Only this configuration key (`min`, `5mins`, `hour`, `day`); default: every
    /// hook of the script.
    #[serde(default)]
    hook: Option<String>,
    /// Only for this host IP or CIDR network.
    #[serde(default)]
    entity: Option<String>,
}

/// `PUT|POST /api/v1/scripts/{subdir}/{key}/config`: validated against the model,
/// all fields or none.
pub(super) async fn configure(
    State(st): St,
    Extension(id): Extension<Identity>,
    Path((subdir, key)): Path<(String, String)>,
    body: Result<Json<ConfigBody>, JsonRejection>,
) -> ApiResult {
    id.require_admin()?;
    let b = Body::from(body)?;
    let loaded = st.run.plugins().await?;
    let m = find(&loaded, &subdir, &key)?;
    let who = m.id();
    let hooks: Vec<String> = match b.hook.as_deref() {
        None => m.hooks.clone(),
        Some(h) if m.hooks.iter().any(|x| x == h) => vec![h.to_string()],
        Some(h) => {
            return Err(ApiError::bad(format!(
                "{who}: hook: `{h}` is not a hook of this script (hooks: {})",
                m.hooks.join(", ")
            ))
            .with_field("hook"));
        }
    };
    let entity = entity_key(m, b.entity.as_deref())?;
    let mut enabled = b.enabled;
    let mut set: Vec<(String, Option<Value>)> = Vec::new();
    for (name, v) in &b.conf {
        if v.is_null() {
            set.push((name.clone(), None));
            continue;
        }
        let stored = m
            .validate_field(name, v)
            .map_err(|e| ApiError::bad(format!("{who}: {e}")).with_field(format!("conf.{name}")))?;
        if name == "enabled" {
            enabled = stored.as_bool();
        } else {
            set.push((name.clone(), Some(stored)));
        }
    }
    if enabled.is_none() && set.is_empty() {
        return Err(ApiError::bad(
            "nothing to change: give `enabled` and/or `conf` fields",
        ));
    }
    modify(&st.run, m, entity.as_deref(), |en, conf| {
        if let Some(e) = enabled {
            *en = Some(e);
        }
        for h in &hooks {
            let c = conf.entry(h.clone()).or_default();
            for (name, v) in &set {
                match v {
                    Some(v) => {
                        c.insert(name.clone(), v.clone());
                    }
                    None => {
                        c.remove(name);
                    }
                }
            }
        }
    })?;
    tracing::info!("web: {who} configured by {:?}", id.user);
    let file = load_settings(&st.run)?;
    ok(script_value(m, &file, &loaded))
}

fn problem_json(p: &Problem) -> Value {
    let location = match p.line {
        Some(l) => format!("{}:{l}", p.path()),
        None => p.path(),
    };
    json!({
        "level": p.level,
        "plugin": p.plugin,
        "file": p.file,
        "line": p.line,
        "location": location,
        "message": p.message,
        "text": p.to_string(),
    })
}

fn loaded_at(l: &Loaded) -> u64 {
    l.at.duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn plugins_json(l: &Loaded, offset: usize, limit: usize) -> Value {
    let r = &l.report;
    let items: Vec<Value> = r
        .plugins
        .iter()
        .map(|p| {
            let mut v = json!(p);
            v["scripts"] = json!(
                r.scripts
                    .iter()
                    .filter(|s| s.plugin == p.key)
                    .map(|s| json!({
                        "subdir": s.subdir, "key": s.key, "file": s.file, "hooks": s.hooks,
                        "active": s.active, "inactive_reason": s.inactive_reason,
                    }))
                    .collect::<Vec<_>>()
            );
            v["problems"] = json!(
                r.problems
                    .iter()
                    .filter(|x| x.plugin == p.key)
                    .map(problem_json)
                    .collect::<Vec<_>>()
            );
            v
        })
        .collect();
    let mut v = paged(items, offset, limit, |v| v);
    v["problems"] = json!(r.problems.iter().map(problem_json).collect::<Vec<_>>());
    v["errors"] = json!(r.errors().count());
    v["scripts"] = json!(r.scripts.len());
    v["active_scripts"] = json!(r.scripts.iter().filter(|s| s.active).count());
    v["loaded_at"] = json!(loaded_at(l));
    v
}

/// `GET /api/v1/plugins`: plugins with their scripts and definitions, and every load
/// problem with file and line.
pub(super) async fn plugins(State(st): St, q: Q) -> ApiResult {
    let p = Params::new(q, &["offset", "limit"])?;
    let (offset, limit) = p.paging()?;
    let loaded = st.run.plugins().await?;
    ok(plugins_json(&loaded, offset, limit))
}

/// `POST /api/v1/plugins/reload`: SIGHUP to this process (the engines reload at their
/// next batch, as `weir plugins reload` asks), and the outcome of loading the plugins
/// again: what loaded and every problem.
pub(super) async fn reload(State(st): St, Extension(id): Extension<Identity>, q: Q) -> ApiResult {
    id.require_admin()?;
    Params::new(q, &[])?;
    if let Err(e) = signal_hook::low_level::raise(signal_hook::consts::SIGHUP) {
        return Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("cannot signal the engines: {e}"),
        ));
    }
    let loaded = st.run.reload().await?;
    tracing::info!("web: plugins reloaded by {:?}", id.user);
    let mut v = plugins_json(&loaded, 0, loaded.report.plugins.len().max(1));
    v["reloaded"] = json!(true);
    ok(v)
}
