//! What the web server knows of the run besides the snapshots: the configuration, the
//! plugins as loaded (models of the user scripts, load problems), the settings file of
//! the user scripts and the timeseries store.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::SystemTime;
use weir_pipeline::builtin::PluginSet;

use parking_lot::Mutex;
use weir_script::settings::{self, ScriptModel};
use weir_script::{LoadReport, Output, Runtime, ScriptConfig};
use weir_ts::{EmbeddedStore, TsQuery};

use weir_pipeline::config::Config;

use crate::error::ApiError;

/// The plugins as a fresh VM loads them from the run's plugin directories.
#[derive(Debug)]
pub(crate) struct Loaded {
    /// Every user script's configuration model.
    pub models: Vec<ScriptModel>,
    /// Plugins, scripts and problems (with file and line).
    pub report: LoadReport,
    /// When this load happened.
    pub at: SystemTime,
}

/// The run's context for the scripts, plugins and timeseries endpoints.
pub(crate) struct RunContext {
    /// The run's configuration.
    pub cfg: Config,
    loaded: Mutex<Option<Arc<Loaded>>>,
    /// Serialises read-modify-write of `scripts.toml`.
    pub settings_lock: Mutex<()>,
    ts: Mutex<Option<Arc<EmbeddedStore>>>,
    /// The run's timeseries service (its query side), when the run gave one.
    service: Mutex<Option<Arc<weir_pipeline::timeseries::TsService>>>,
    /// The run's store of ended flows (ntopng's historical flow queries), if any: by
    /// default the history store of the configuration (embedded or ClickHouse).
    history: Mutex<Option<Arc<dyn crate::ntopng::FlowHistory>>>,
    /// Set by SIGHUP while no engine has registered its own handler (keeps a SIGHUP
    /// raised by the reload endpoint from ending the process before the run starts).
    _sighup: Arc<AtomicBool>,
}

impl RunContext {
    /// The context of a run with this configuration.
    pub(crate) fn new(cfg: &Config) -> RunContext {
        let sighup = Arc::new(AtomicBool::new(false));
        if let Err(e) = signal_hook::flag::register(signal_hook::consts::SIGHUP, sighup.clone()) {
            tracing::warn!("web: cannot watch SIGHUP: {e}");
        }
        RunContext {
            cfg: cfg.clone(),
            loaded: Mutex::new(None),
            settings_lock: Mutex::new(()),
            ts: Mutex::new(None),
            service: Mutex::new(None),
            // ntopng's historical queries read the store `/api/v1/flows/history` reads.
            history: Mutex::new((cfg.history.enabled || cfg.clickhouse.enabled()).then(|| {
                Arc::new(crate::ntopng::ReaderHistory::of_config(cfg))
                    as Arc<dyn crate::ntopng::FlowHistory>
            })),
            _sighup: sighup,
        }
    }

    /// `scripts.toml` of the data directory.
    pub(crate) fn settings_path(&self) -> PathBuf {
        settings::file_in(&self.cfg.data_dir)
    }

    /// The plugins, loaded on first use (and again after [`RunContext::reload`]).
    ///
    /// # Errors
    /// The plugin directories or the Lua VM are unusable (500).
    pub(crate) async fn plugins(self: &Arc<Self>) -> Result<Arc<Loaded>, ApiError> {
        if let Some(l) = self.loaded.lock().clone() {
            return Ok(l);
        }
        self.reload().await
    }

    /// Loads the plugins again in a fresh VM (what an engine does on SIGHUP).
    ///
    /// # Errors
    /// As [`RunContext::plugins`].
    pub(crate) async fn reload(self: &Arc<Self>) -> Result<Arc<Loaded>, ApiError> {
        let me = self.clone();
        let loaded = tokio::task::spawn_blocking(move || me.load())
            .await
            .map_err(ApiError::internal)??;
        let loaded = Arc::new(loaded);
        *self.loaded.lock() = Some(loaded.clone());
        Ok(loaded)
    }

    fn load(&self) -> Result<Loaded, ApiError> {
        let plugins = PluginSet::of(&self.cfg).map_err(ApiError::internal)?;
        let (rt, report) = Runtime::load(
            plugins.into_config(ScriptConfig {
                output: Output::Discard,
                working_dir: self.cfg.data_dir.clone(),
                local_networks: self
                    .cfg
                    .local_networks
                    .iter()
                    .filter_map(|n| n.parse().ok())
                    .collect(),
                ..ScriptConfig::default()
            }),
        )
        .map_err(ApiError::internal)?;
        Ok(Loaded {
            models: rt.models(),
            report,
            at: SystemTime::now(),
        })
    }

    /// Queries go to the run's timeseries service (embedded store or InfluxDB).
    pub(crate) fn set_timeseries(&self, service: Arc<weir_pipeline::timeseries::TsService>) {
        *self.service.lock() = Some(service);
    }

    /// Where timeseries queries go: the run's service, else the embedded store of the
    /// data directory once it exists; with the backend's name.
    pub(crate) fn ts_query(&self) -> Option<(Arc<dyn TsQuery + Send + Sync>, &'static str)> {
        if let Some(s) = self.service.lock().as_ref() {
            return Some((s.query(), s.backend()));
        }
        self.timeseries()
            .map(|s| (s as Arc<dyn TsQuery + Send + Sync>, "embedded"))
    }

    /// Answers ntopng's historical flow queries from this store.
    pub(crate) fn set_flow_history(&self, h: Arc<dyn crate::ntopng::FlowHistory>) {
        *self.history.lock() = Some(h);
    }

    /// The run's store of ended flows, when it has one.
    pub(crate) fn flow_history(&self) -> Option<Arc<dyn crate::ntopng::FlowHistory>> {
        self.history.lock().clone()
    }

    /// The run's timeseries backend, when the run gave its service.
    pub(crate) fn ts_backend(&self) -> Option<&'static str> {
        self.service.lock().as_ref().map(|s| s.backend())
    }

    /// The embedded timeseries store of the data directory, once it exists.
    pub(crate) fn timeseries(&self) -> Option<Arc<EmbeddedStore>> {
        let mut ts = self.ts.lock();
        if ts.is_none() {
            match EmbeddedStore::open_existing(&self.cfg.data_dir) {
                Ok(s) => *ts = Some(Arc::new(s)),
                Err(e) => tracing::debug!("web: no timeseries store yet: {e}"),
            }
        }
        ts.clone()
    }
}
