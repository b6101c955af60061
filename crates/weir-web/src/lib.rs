//! `weir-web`: the web server of `weir run --web ADDR`: the REST API under `/api/v1`,
//! the UI and its embedded assets, authentication (users, API tokens, sessions, CSRF),
//! the Prometheus endpoint `/metrics` and the plugins' custom pages.
//!
//! [`WebServer::start`] serves on its own thread with a small tokio runtime and never
//! touches the engine's live tables: it reads the
//! [`Snapshot`](weir_pipeline::snapshot::Snapshot)s the engine publishes (DESIGN.md;
//! each interface's cell also keeps its recent throughput samples for the chart), and
//! reads alerts from the SQLite store (a reader connection; the writer is never
//! blocked). Authentication is on by default (see `docs/web.md`). HTTP (status codes,
//! headers, cookies, sessions) lives in this crate only: the plugin pages' Lua VMs are
//! weir-script's, and `pages` maps their result to HTTP.
//!
//! The modules import one way: each one imports only modules named before it here.
//! [`error`] and the plain helpers (`encode`, `filter`, `users`, `sessions`,
//! `context`); `state` (what handlers share); `auth` and `rest` (the REST helpers);
//! the handlers (`interfaces`, `flows`, `alerts`, `scripts`, `timeseries`, `admin`,
//! `metrics`, `ui`, `pages`); [`ntopng`] (ntopng's REST API v2 over the same data:
//! its own envelope, handlers and clause parser); `api` (the REST route table);
//! `router`; `server`.

pub mod error;

mod admin;
mod alerts;
mod api;
mod auth;
mod context;
mod encode;
mod filter;
mod flows;
mod history;
mod interfaces;
mod metrics;
pub mod ntopng;
mod pages;
mod recipients;
mod rest;
mod router;
mod scripts;
mod server;
mod sessions;
mod state;
mod timeseries;
mod ui;
mod users;

pub use error::{Error, Result};
pub use server::WebServer;
