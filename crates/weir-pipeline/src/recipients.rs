//! Plugin endpoint modules and their recipients in `weir run` (ntopng 4.2's
//! recipient model, ntopng42-api.md §5): every `alert_endpoints/<key>.lua` module
//! is started in its own thread and VM; endpoint configurations and recipients
//! come from `weir.toml`, from the web server (kept in the data directory), and,
//! for a `builtin` module, automatically. The dispatcher takes the alert engines'
//! notifications and fills each recipient's queues.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use parking_lot::{Mutex, RwLock};
use serde::{Deserialize, Serialize};
use weir_alerts::{
    EndpointConf, EndpointHandle, Recipient, RecipientQueues, RecipientSet, Severity,
};
use weir_script::{EndpointAlertSinks, EndpointType, EndpointWorker, LoopOptions};

use crate::config::Config;

/// Where recipients and configurations created over REST are kept.
pub const RECIPIENTS_FILE: &str = "alert_recipients.json";

/// How long a `runTest` or a flush may take.
const CALL_TIMEOUT: Duration = Duration::from_secs(60);

/// What the data directory keeps (REST-created entries).
#[derive(Debug, Default, Serialize, Deserialize)]
struct Saved {
    endpoint_configs: Vec<EndpointConf>,
    recipients: Vec<Recipient>,
}

/// Where an entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    /// `weir.toml` (not editable over REST).
    Config,
    /// Created for a `builtin` module (not editable).
    Builtin,
    /// Created over REST, kept in the data directory.
    Api,
}

/// A new endpoint configuration (REST).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEndpointConf {
    /// Unique name.
    pub name: String,
    /// Endpoint key.
    pub endpoint: String,
    /// `conf_params` values.
    #[serde(default)]
    pub conf_params: BTreeMap<String, String>,
}

/// A new recipient (REST).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewRecipient {
    /// Unique name.
    pub name: String,
    /// Endpoint configuration name.
    pub endpoint_config: String,
    /// `recipient_params` values.
    #[serde(default)]
    pub recipient_params: BTreeMap<String, String>,
    /// Least severity (default notice).
    #[serde(default)]
    pub minimum_severity: Option<String>,
    /// Category names or ids; empty = all.
    #[serde(default)]
    pub user_script_categories: Vec<String>,
}

/// The endpoint modules, configurations, recipients and their queues of a run.
pub struct Recipients {
    set: Arc<RecipientSet>,
    queues: Arc<RecipientQueues>,
    types: Vec<EndpointType>,
    workers: Mutex<HashMap<String, EndpointWorker>>,
    dispatch: Mutex<Option<EndpointHandle>>,
    origins: RwLock<HashMap<String, Origin>>,
    file: PathBuf,
    source: String,
}

impl std::fmt::Debug for Recipients {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recipients")
            .field("types", &self.types.len())
            .finish_non_exhaustive()
    }
}

fn categories(list: &[String], what: &str) -> Result<Vec<u8>> {
    list.iter()
        .map(|c| {
            weir_alerts::category_id(c).ok_or_else(|| {
                anyhow!(
                    "{what}: unknown user script category {c:?} (expected one of {})",
                    weir_alerts::SCRIPT_CATEGORIES.join(", ")
                )
            })
        })
        .collect()
}

impl Recipients {
    /// Starts every endpoint module of the configured plugins and builds the
    /// recipient table. `sinks` receive the alerts the modules raise themselves.
    ///
    /// # Errors
    /// The plugins cannot be read, or a configuration or recipient of `weir.toml`
    /// is invalid (unknown endpoint, missing mandatory parameter, …): the message
    /// names the file and the entry.
    pub fn start(
        cfg: &Config,
        sinks: EndpointAlertSinks,
        category_of: weir_alerts::CategoryOf,
    ) -> Result<Arc<Recipients>> {
        Recipients::start_with(cfg, sinks, category_of, LoopOptions::default())
    }

    /// [`Recipients::start`] with other loop timings (tests).
    ///
    /// # Errors
    /// As [`Recipients::start`].
    pub fn start_with(
        cfg: &Config,
        mut sinks: EndpointAlertSinks,
        category_of: weir_alerts::CategoryOf,
        opts: LoopOptions,
    ) -> Result<Arc<Recipients>> {
        if let Ok(t) = weir_script::parse_syslog_target(&cfg.alerts.lua_syslog_target) {
            weir_script::set_syslog_target(t);
        } else {
            bail!(
                "{}: alerts.lua_syslog_target {:?}: expected \"local\" or \"udp://HOST:PORT\"",
                source_name(cfg),
                cfg.alerts.lua_syslog_target
            );
        }
        let set = Arc::new(RecipientSet::default());
        let queues = Arc::new(RecipientQueues::default());
        let dispatch = weir_alerts::spawn_dispatch(set.clone(), queues.clone(), category_of)?;
        sinks.endpoints.push(dispatch.sender());
        let (sources, _) = crate::builtin::PluginSet::of(cfg)?.gather();
        let mut types = Vec::new();
        let mut workers = HashMap::new();
        let script_cfg = weir_script::ScriptConfig {
            // `interface.storeAlert` (the sqlite endpoint) stores through it.
            alert_store: sinks.store.clone().map(weir_script::AlertStore),
            ..crate::scripts::script_config(cfg, -1, "endpoints")?
        };
        for src in sources {
            for (file, _) in src.files_in("alert_endpoints") {
                let name = format!("{}/{file}", src.key);
                match weir_script::spawn_lua_endpoint(
                    src.clone(),
                    file.to_string(),
                    script_cfg.clone(),
                    set.clone(),
                    queues.clone(),
                    sinks.clone(),
                    opts,
                ) {
                    Ok(w) => {
                        let info = w.info().clone();
                        if workers.contains_key(&info.key) {
                            tracing::warn!(
                                "alert endpoint {name}: endpoint key {} already loaded; skipped",
                                info.key
                            );
                            let _ = w.shutdown(CALL_TIMEOUT);
                            continue;
                        }
                        tracing::info!("alert endpoint {name} loaded (key {})", info.key);
                        types.push(info.clone());
                        workers.insert(info.key.clone(), w);
                    }
                    Err(e) => tracing::warn!("alert endpoint {name}: {e}"),
                }
            }
        }
        let r = Recipients {
            set,
            queues,
            types,
            workers: Mutex::new(workers),
            dispatch: Mutex::new(Some(dispatch)),
            origins: RwLock::new(HashMap::new()),
            file: cfg.data_dir.join(RECIPIENTS_FILE),
            source: source_name(cfg),
        };
        r.configure(cfg)?;
        Ok(Arc::new(r))
    }

    fn type_of(&self, key: &str) -> Result<&EndpointType> {
        self.types.iter().find(|t| t.key == key).ok_or_else(|| {
            let loaded: Vec<&str> = self.types.iter().map(|t| t.key.as_str()).collect();
            anyhow!(
                "no endpoint module `{key}` is loaded (loaded: {})",
                if loaded.is_empty() {
                    "none".to_owned()
                } else {
                    loaded.join(", ")
                }
            )
        })
    }

    fn check_conf(&self, c: &mut EndpointConf, what: &str) -> Result<()> {
        let t = self
            .type_of(&c.endpoint_key)
            .with_context(|| what.to_owned())?;
        let warnings = EndpointType::check_params(&t.conf_params, &mut c.params)
            .map_err(|e| anyhow!("{what} (endpoint {}): {e}", c.endpoint_key))?;
        for w in warnings {
            tracing::warn!("{what}: {w}");
        }
        Ok(())
    }

    fn check_recipient(&self, confs: &[EndpointConf], r: &mut Recipient, what: &str) -> Result<()> {
        let conf = confs
            .iter()
            .find(|c| c.name == r.endpoint_conf_name)
            .ok_or_else(|| anyhow!("{what}: no endpoint config {:?}", r.endpoint_conf_name))?;
        let t = self.type_of(&conf.endpoint_key)?;
        let warnings =
            EndpointType::check_params(&t.recipient_params, &mut r.params).map_err(|e| {
                anyhow!(
                    "{what} (endpoint config {:?}, endpoint {}): {e}",
                    r.endpoint_conf_name,
                    conf.endpoint_key
                )
            })?;
        for w in warnings {
            tracing::warn!("{what}: {w}");
        }
        Ok(())
    }

    fn configure(&self, cfg: &Config) -> Result<()> {
        let mut confs: Vec<EndpointConf> = Vec::new();
        let mut recipients: Vec<Recipient> = Vec::new();
        let mut origins = HashMap::new();
        for c in &cfg.alerts.endpoint_configs {
            let what = format!("{}: endpoint config {:?}", self.source, c.name);
            if confs.iter().any(|x| x.name == c.name) {
                bail!("{what} defined twice");
            }
            let mut ec = EndpointConf {
                name: c.name.clone(),
                endpoint_key: c.endpoint.clone(),
                params: c.conf_params.clone(),
                builtin: false,
            };
            self.check_conf(&mut ec, &what)?;
            origins.insert(format!("conf:{}", ec.name), Origin::Config);
            confs.push(ec);
        }
        for r in &cfg.alerts.recipients {
            let what = format!("{}: recipient {:?}", self.source, r.name);
            if recipients.iter().any(|x| x.name == r.name) {
                bail!("{what} defined twice");
            }
            let id = weir_alerts::lowest_free_id(recipients.iter().map(|x| x.id))
                .ok_or_else(|| anyhow!("{what}: more than 64 recipients"))?;
            let mut rec = Recipient {
                id,
                name: r.name.clone(),
                endpoint_conf_name: r.endpoint_config.clone(),
                params: r.recipient_params.clone(),
                minimum_severity: Severity::from_name(&r.minimum_severity)
                    .unwrap_or(Severity::Notice),
                categories: categories(&r.user_script_categories, &what)?,
                builtin: false,
            };
            self.check_recipient(&confs, &mut rec, &what)?;
            origins.insert(format!("recipient:{}", rec.name), Origin::Config);
            recipients.push(rec);
        }
        for t in self.types.iter().filter(|t| t.builtin) {
            let conf_name = format!("builtin_config_{}", t.key);
            let rec_name = format!("builtin_recipient_{}", t.key);
            if !confs.iter().any(|c| c.name == conf_name) {
                confs.push(EndpointConf {
                    name: conf_name.clone(),
                    endpoint_key: t.key.clone(),
                    params: BTreeMap::new(),
                    builtin: true,
                });
                origins.insert(format!("conf:{conf_name}"), Origin::Builtin);
            }
            if !recipients.iter().any(|r| r.name == rec_name)
                && let Some(id) = weir_alerts::lowest_free_id(recipients.iter().map(|x| x.id))
            {
                recipients.push(Recipient {
                    id,
                    name: rec_name.clone(),
                    endpoint_conf_name: conf_name,
                    params: BTreeMap::new(),
                    minimum_severity: Severity::Notice,
                    categories: Vec::new(),
                    builtin: true,
                });
                origins.insert(format!("recipient:{rec_name}"), Origin::Builtin);
            }
        }
        // What was created over REST in an earlier run.
        if let Ok(text) = std::fs::read_to_string(&self.file) {
            let saved: Saved = serde_json::from_str(&text)
                .with_context(|| format!("{}: invalid", self.file.display()))?;
            for mut c in saved.endpoint_configs {
                let what = format!("{}: endpoint config {:?}", self.file.display(), c.name);
                if confs.iter().any(|x| x.name == c.name) {
                    tracing::warn!("{what}: the name is taken (weir.toml); ignored");
                    continue;
                }
                match self.check_conf(&mut c, &what) {
                    Ok(()) => {
                        origins.insert(format!("conf:{}", c.name), Origin::Api);
                        confs.push(c);
                    }
                    Err(e) => tracing::warn!("{e:#}; ignored"),
                }
            }
            for mut r in saved.recipients {
                let what = format!("{}: recipient {:?}", self.file.display(), r.name);
                if recipients.iter().any(|x| x.name == r.name) {
                    tracing::warn!("{what}: the name is taken (weir.toml); ignored");
                    continue;
                }
                if recipients.iter().any(|x| x.id == r.id) {
                    match weir_alerts::lowest_free_id(recipients.iter().map(|x| x.id)) {
                        Some(id) => r.id = id,
                        None => continue,
                    }
                }
                match self.check_recipient(&confs, &mut r, &what) {
                    Ok(()) => {
                        origins.insert(format!("recipient:{}", r.name), Origin::Api);
                        recipients.push(r);
                    }
                    Err(e) => tracing::warn!("{e:#}; ignored"),
                }
            }
        }
        for r in &recipients {
            self.queues.register(usize::from(r.id));
        }
        *self.origins.write() = origins;
        self.set.replace(confs, recipients);
        Ok(())
    }

    /// The recipient set (shared with the dispatcher).
    pub fn set(&self) -> Arc<RecipientSet> {
        self.set.clone()
    }

    /// The recipient queues.
    pub fn queues(&self) -> Arc<RecipientQueues> {
        self.queues.clone()
    }

    /// The loaded endpoint modules.
    pub fn types(&self) -> Vec<EndpointType> {
        self.types.clone()
    }

    /// Where an endpoint configuration (`conf:<name>`) or recipient
    /// (`recipient:<name>`) comes from.
    pub fn origin(&self, key: &str) -> Option<Origin> {
        self.origins.read().get(key).copied()
    }

    fn save(&self) -> Result<()> {
        let origins = self.origins.read();
        let saved = Saved {
            endpoint_configs: self
                .set
                .confs()
                .into_iter()
                .filter(|c| origins.get(&format!("conf:{}", c.name)) == Some(&Origin::Api))
                .collect(),
            recipients: self
                .set
                .recipients()
                .into_iter()
                .filter(|r| origins.get(&format!("recipient:{}", r.name)) == Some(&Origin::Api))
                .collect(),
        };
        let text = serde_json::to_string_pretty(&saved)?;
        let tmp = self.file.with_extension("json.tmp");
        std::fs::write(&tmp, text).with_context(|| format!("{}: cannot write", tmp.display()))?;
        std::fs::rename(&tmp, &self.file)
            .with_context(|| format!("{}: cannot write", self.file.display()))?;
        Ok(())
    }

    /// Adds an endpoint configuration (kept in the data directory).
    ///
    /// # Errors
    /// Unknown endpoint, name taken, `conf_max_num` reached, missing mandatory
    /// parameter, or the file cannot be written.
    pub fn add_conf(&self, n: NewEndpointConf) -> Result<EndpointConf> {
        let what = format!("endpoint config {:?}", n.name);
        if n.name.trim().is_empty() {
            bail!("{what}: empty name");
        }
        let mut c = EndpointConf {
            name: n.name,
            endpoint_key: n.endpoint,
            params: n.conf_params,
            builtin: false,
        };
        self.check_conf(&mut c, &what)?;
        let max = self.type_of(&c.endpoint_key)?.conf_max_num;
        self.set.update(|confs, _| {
            if confs.iter().any(|x| x.name == c.name) {
                bail!("{what}: the name is taken");
            }
            if let Some(m) = max
                && confs
                    .iter()
                    .filter(|x| x.endpoint_key == c.endpoint_key)
                    .count()
                    >= m as usize
            {
                bail!(
                    "{what}: endpoint {} allows {m} configuration(s)",
                    c.endpoint_key
                );
            }
            confs.push(c.clone());
            Ok(())
        })?;
        self.origins
            .write()
            .insert(format!("conf:{}", c.name), Origin::Api);
        self.save()?;
        Ok(c)
    }

    /// Deletes an endpoint configuration created over REST (and not in use).
    ///
    /// # Errors
    /// Unknown, not created over REST, used by a recipient, or the file cannot be
    /// written.
    pub fn delete_conf(&self, name: &str) -> Result<()> {
        match self.origin(&format!("conf:{name}")) {
            None => bail!("no endpoint config {name:?}"),
            Some(Origin::Api) => {}
            Some(o) => {
                bail!("endpoint config {name:?} comes from {o:?} and cannot be deleted here")
            }
        }
        self.set.update(|confs, recipients| {
            if let Some(r) = recipients.iter().find(|r| r.endpoint_conf_name == name) {
                bail!("endpoint config {name:?} is used by recipient {:?}", r.name);
            }
            confs.retain(|c| c.name != name);
            Ok(())
        })?;
        self.origins.write().remove(&format!("conf:{name}"));
        self.save()
    }

    /// Adds a recipient (lowest free id; kept in the data directory).
    ///
    /// # Errors
    /// Unknown configuration, name taken, 64 recipients, bad severity or category,
    /// missing mandatory parameter, or the file cannot be written.
    pub fn add_recipient(&self, n: NewRecipient) -> Result<Recipient> {
        let what = format!("recipient {:?}", n.name);
        if n.name.trim().is_empty() {
            bail!("{what}: empty name");
        }
        let sev = match &n.minimum_severity {
            None => Severity::Notice,
            Some(s) => {
                Severity::from_name(s).ok_or_else(|| anyhow!("{what}: unknown severity {s:?}"))?
            }
        };
        let mut r = Recipient {
            id: 0,
            name: n.name,
            endpoint_conf_name: n.endpoint_config,
            params: n.recipient_params,
            minimum_severity: sev,
            categories: categories(&n.user_script_categories, &what)?,
            builtin: false,
        };
        self.check_recipient(&self.set.confs(), &mut r, &what)?;
        let r = self.set.update(|_, recipients| {
            if recipients.iter().any(|x| x.name == r.name) {
                bail!("{what}: the name is taken");
            }
            r.id = weir_alerts::lowest_free_id(recipients.iter().map(|x| x.id))
                .ok_or_else(|| anyhow!("{what}: 64 recipients already"))?;
            self.queues.register(usize::from(r.id));
            recipients.push(r.clone());
            Ok(r)
        })?;
        self.origins
            .write()
            .insert(format!("recipient:{}", r.name), Origin::Api);
        self.save()?;
        Ok(r)
    }

    /// Deletes a recipient created over REST (its queued notifications too).
    ///
    /// # Errors
    /// Unknown, not created over REST, or the file cannot be written.
    pub fn delete_recipient(&self, id: u8) -> Result<()> {
        let r = self
            .set
            .recipients()
            .into_iter()
            .find(|r| r.id == id)
            .ok_or_else(|| anyhow!("no recipient {id}"))?;
        match self.origin(&format!("recipient:{}", r.name)) {
            Some(Origin::Api) => {}
            o => bail!(
                "recipient {:?} comes from {o:?} and cannot be deleted here",
                r.name
            ),
        }
        self.set
            .update(|_, recipients| recipients.retain(|x| x.id != id));
        self.queues.unregister(usize::from(id));
        self.origins
            .write()
            .remove(&format!("recipient:{}", r.name));
        self.save()
    }

    /// Calls the endpoint module's `runTest(recipient)`: `(success, message)`.
    ///
    /// # Errors
    /// Unknown recipient, the module has no `runTest`, it failed, or timed out.
    pub fn test(&self, id: u8) -> Result<(bool, String)> {
        let r = self
            .set
            .recipients()
            .into_iter()
            .find(|r| r.id == id)
            .ok_or_else(|| anyhow!("no recipient {id}"))?;
        let conf = self
            .set
            .confs()
            .into_iter()
            .find(|c| c.name == r.endpoint_conf_name)
            .ok_or_else(|| anyhow!("recipient {id}: no endpoint config"))?;
        let workers = self.workers.lock();
        let w = workers
            .get(&conf.endpoint_key)
            .ok_or_else(|| anyhow!("no endpoint module `{}`", conf.endpoint_key))?;
        w.test(id, CALL_TIMEOUT)?.map_err(|e| anyhow!(e))
    }

    /// Delivers what is queued now (ignoring `EXPORT_FREQUENCY`).
    pub fn flush(&self) {
        if let Some(d) = self.dispatch.lock().as_ref()
            && let Err(e) = d.flush(CALL_TIMEOUT)
        {
            tracing::warn!("alert recipients dispatcher: {e}");
        }
        for (k, w) in self.workers.lock().iter() {
            if let Err(e) = w.flush(CALL_TIMEOUT) {
                tracing::warn!("alert endpoint {k}: {e}");
            }
        }
    }

    /// Delivers what is queued and stops the dispatcher and the endpoint threads.
    pub fn shutdown(&self) {
        if let Some(d) = self.dispatch.lock().take()
            && let Err(e) = d.shutdown(CALL_TIMEOUT)
        {
            tracing::warn!("alert recipients dispatcher: {e}");
        }
        let workers: Vec<(String, EndpointWorker)> = self.workers.lock().drain().collect();
        for (k, w) in workers {
            match w.shutdown(CALL_TIMEOUT) {
                Ok(s) => tracing::debug!(endpoint = %k, ?s, "alert endpoint stopped"),
                Err(e) => tracing::warn!("alert endpoint {k}: {e}"),
            }
        }
    }

    /// The dispatcher's sender, for the alert engines (`None` after shutdown).
    pub fn dispatcher(&self) -> Option<weir_alerts::EndpointSender> {
        self.dispatch.lock().as_ref().map(EndpointHandle::sender)
    }
}

fn current_cell() -> &'static RwLock<Option<Arc<Recipients>>> {
    static C: std::sync::OnceLock<RwLock<Option<Arc<Recipients>>>> = std::sync::OnceLock::new();
    C.get_or_init(|| RwLock::new(None))
}

/// The recipients of the running `weir run` (what the web server's REST endpoints
/// act on), if one is running in this process.
pub fn current() -> Option<Arc<Recipients>> {
    current_cell().read().clone()
}

/// Makes `r` the running recipients ([`current`]); `None` when the run ends.
pub fn set_current(r: Option<Arc<Recipients>>) {
    *current_cell().write() = r;
}

fn source_name(cfg: &Config) -> String {
    if cfg.alerts.config_file.is_empty() {
        "weir.toml".to_owned()
    } else {
        cfg.alerts.config_file.clone()
    }
}
