//! `weir-web`: the web server: REST API under `/api/v1` and the UI, served by
//! `weir run --web ADDR`.
//!
//! It runs on its own thread with a small tokio runtime and never touches the engine's
//! live tables: it reads the [`Snapshot`](weir_pipeline::snapshot::Snapshot)s the engine
//! publishes (DESIGN.md; each interface's cell also keeps its recent throughput
//! samples for the chart), and reads alerts from the SQLite store (a reader
//! connection; the writer is never blocked). Authentication is on by default (see `docs/web.md`).

mod admin;
mod api;
mod auth;
mod context;
mod filter;
mod metrics;
mod pages;
mod scripts;
mod timeseries;
mod ui;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;
use weir_alerts::{SqliteConfig, SqliteStore};

use weir_pipeline::config::Config;
use weir_pipeline::snapshot::SnapshotCell;

/// Largest request body accepted.
const MAX_BODY: usize = 64 * 1024;

/// Everything the handlers share.
pub(crate) struct AppState {
    pub snapshots: Arc<SnapshotCell>,
    pub alerts: Option<SqliteStore>,
    pub users: auth::Users,
    pub sessions: auth::Sessions,
    pub started: Instant,
    pub iface_name: String,
    /// Bounds concurrent argon2 verifications (CPU and memory heavy).
    pub hashing: tokio::sync::Semaphore,
    /// Failed logins per user name (lockout).
    pub failures: auth::Failures,
    /// Configuration, plugins, script settings and timeseries of the run.
    pub run: Arc<context::RunContext>,
    /// Plugin custom pages (`/plugins/{page}`) and their menu entries.
    pub pages: pages::PageService,
}

/// A running web server.
pub struct WebServer {
    run: Arc<context::RunContext>,
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
        let addr: SocketAddr = listen.parse().with_context(|| {
            format!("web listen address {listen:?}: expected IP:PORT, e.g. 127.0.0.1:3000")
        })?;
        std::fs::create_dir_all(&cfg.data_dir)
            .with_context(|| format!("{}: cannot create", cfg.data_dir.display()))?;
        let users = auth::Users::open(&cfg.data_dir, &cfg.web.admin_password)?;
        let alerts = match SqliteStore::open_dir(&cfg.data_dir, SqliteConfig::default()) {
            Ok(s) => Some(s),
            Err(e) => {
                tracing::warn!("web: alert store unavailable: {e}");
                None
            }
        };
        let std_listener = std::net::TcpListener::bind(addr)
            .with_context(|| format!("web: cannot listen on {addr}"))?;
        std_listener.set_nonblocking(true)?;
        let bound = std_listener.local_addr()?;
        let state = Arc::new(AppState {
            snapshots,
            alerts,
            users,
            sessions: auth::Sessions::default(),
            started: Instant::now(),
            iface_name: iface_name(cfg),
            hashing: tokio::sync::Semaphore::new(2),
            failures: auth::Failures::default(),
            run: Arc::new(context::RunContext::new(cfg)),
            pages: pages::PageService::start(cfg),
        });
        let run = state.run.clone();
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("web")
            .enable_all()
            .build()
            .context("web: cannot start the runtime")?;
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
    pub fn with_timeseries(
        self,
        service: Option<&Arc<weir_pipeline::timeseries::TsService>>,
    ) -> WebServer {
        if let Some(s) = service {
            self.run.set_timeseries(s.clone());
        }
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

/// The whole application: public routes, then the API and UI behind authentication.
pub(crate) fn router(state: Arc<AppState>) -> Router {
    let protected = api::routes()
        .into_iter()
        .fold(Router::new(), |r, (_, path, method)| r.route(path, method))
        .merge(ui::protected_routes())
        .merge(pages::routes())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::require_auth,
        ));
    Router::new()
        .merge(api::public_routes())
        .merge(ui::public_routes())
        .merge(protected)
        .merge(metrics::routes(state.clone()))
        .fallback(ui::not_found)
        .layer(tower_http::limit::RequestBodyLimitLayer::new(MAX_BODY))
        .layer(axum::middleware::from_fn(api::json_errors))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(security_header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ))
        .layer(security_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(security_header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(security_header(header::REFERRER_POLICY, "same-origin"))
        .with_state(state)
}

fn security_header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}
