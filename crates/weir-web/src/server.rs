//! [`WebServer`]: binds the listen address, prepares the users file and serves the
//! [router](crate::router::router) on a thread of its own with a small tokio runtime.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use weir_alerts::{SqliteConfig, SqliteStore};
use weir_pipeline::config::Config;
use weir_pipeline::snapshot::SnapshotCell;
use weir_pipeline::timeseries::TsService;

use crate::context::RunContext;
use crate::error::{Error, Result};
use crate::router::router;
use crate::sessions::{Failures, Sessions};
use crate::state::{AppState, PageService};
use crate::users::Users;

/// A running web server.
pub struct WebServer {
    run: Arc<RunContext>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl WebServer {
    /// Binds `cfg.web.listen`, prepares the users file (creating the first admin when
    /// there is none) and starts serving on a thread of its own.
    ///
    /// # Errors
    /// The address cannot be bound, or the users file cannot be read or written.
    pub fn start(cfg: &Config, snapshots: Arc<SnapshotCell>) -> Result<WebServer> {
        let listen = cfg.web.listen.trim();
        let addr: SocketAddr = listen.parse().map_err(|source| Error::ListenAddress {
            listen: listen.to_string(),
            source,
        })?;
        std::fs::create_dir_all(&cfg.data_dir).map_err(|source| Error::CreateDir {
            path: cfg.data_dir.clone(),
            source,
        })?;
        let users = Users::open(&cfg.data_dir, &cfg.web.admin_password)?;
        let alerts = match SqliteStore::open_dir(&cfg.data_dir, SqliteConfig::default()) {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::warn!("web: alert store unavailable: {e}");
                None
            }
        };
        let std_listener =
            std::net::TcpListener::bind(addr).map_err(|source| Error::Listen { addr, source })?;
        std_listener.set_nonblocking(true)?;
        let bound = std_listener.local_addr()?;
        let state = Arc::new(AppState {
            snapshots,
            alerts,
            users,
            sessions: Sessions::default(),
            started: Instant::now(),
            iface_name: iface_name(cfg),
            hashing: tokio::sync::Semaphore::new(2),
            failures: Failures::default(),
            run: Arc::new(RunContext::new(cfg)),
            pages: PageService::start(cfg),
        });
        let run = state.run.clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("web")
            .enable_all()
            .build()
            .map_err(Error::Runtime)?;
        let thread = std::thread::Builder::new()
            .name("web".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let listener = match tokio::net::TcpListener::from_std(std_listener) {
                        Ok(l) => l,
                        Err(e) => {
                            tracing::error!("web: {e}");
                            return;
                        }
                    };
                    let app = router(state);
                    let served = axum::serve(listener, app)
                        .with_graceful_shutdown(async move {
                            let _ = rx.await;
                        })
                        .await;
                    if let Err(e) = served {
                        tracing::error!("web: {e}");
                    }
                });
                // Connections still open (keep-alive) are dropped here.
                runtime.shutdown_timeout(Duration::from_secs(2));
            })?;
        tracing::info!("web UI and REST API on http://{bound}/");
        eprintln!("weir: web UI listening on http://{bound}/");
        Ok(WebServer {
            run,
            shutdown: Some(tx),
            thread: Some(thread),
        })
    }

    /// Answers timeseries queries from the run's service (embedded store or InfluxDB)
    /// instead of opening the data directory's store itself.
    pub fn with_timeseries(self, service: Option<&Arc<TsService>>) -> WebServer {
        if let Some(s) = service {
            self.run.set_timeseries(s.clone());
        }
        self
    }

    /// Answers ntopng's historical flow queries (`/lua/pro/rest/v2/get/db/...`) from
    /// this store of ended flows instead of the configuration's history store (which
    /// [`WebServer::start`] connects by default, see [`crate::ntopng::ReaderHistory`]).
    pub fn with_flow_history(self, history: Arc<dyn crate::ntopng::FlowHistory>) -> WebServer {
        self.run.set_flow_history(history);
        self
    }

    /// Stops serving and waits for the server thread.
    pub fn stop(mut self) {
        self.stop_inner();
    }

    fn stop_inner(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for WebServer {
    fn drop(&mut self) {
        self.stop_inner();
    }
}

/// A name for the interface: the capture file or the live interface.
fn iface_name(cfg: &Config) -> String {
    if let Some(i) = cfg.sources.interfaces.first() {
        return i.clone();
    }
    match cfg.sources.pcap.as_slice() {
        [] => "syslog".into(),
        [one] => file_name(one),
        [first, rest @ ..] => format!("{} (+{} files)", file_name(first), rest.len()),
    }
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}
