//! What every handler shares: [`AppState`].

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use weir_alerts::SqliteStore;
use weir_pipeline::snapshot::SnapshotCell;
use weir_script::Pages;

use crate::context::RunContext;
use crate::sessions::{Failures, Sessions};
use crate::users::Users;

/// Largest request body accepted.
pub(crate) const MAX_BODY: usize = 64 * 1024;

/// Everything the handlers share.
pub(crate) struct AppState {
    pub snapshots: Arc<SnapshotCell>,
    pub alerts: Option<SqliteStore>,
    pub users: Users,
    pub sessions: Sessions,
    pub started: Instant,
    pub iface_name: String,
    /// Bounds concurrent argon2 verifications (CPU and memory heavy).
    pub hashing: tokio::sync::Semaphore,
    /// Failed logins per user name (lockout).
    pub failures: Failures,
    /// Configuration, plugins, script settings and timeseries of the run.
    pub run: Arc<RunContext>,
    /// Plugin custom pages (`/plugins/{page}`) and their menu entries.
    pub pages: PageService,
}

/// The page runtime of the web server, and the SIGHUP flag that reloads it. Started,
/// reloaded and asked for menu entries by the plugin pages (`pages.rs`).
#[derive(Clone)]
pub(crate) struct PageService {
    /// The page VMs of the plugins' `web_gui/` pages.
    pub(crate) pages: Pages,
    /// Set by SIGHUP: reload the pages at the next request.
    pub(crate) reload: Arc<AtomicBool>,
}
