//! Plugin custom pages (spec plugins.md §15): every plugin's `web_gui/menu.lua` menu
//! entry and `web_gui/*.lua` pages, run for the web server in sandboxed Lua VMs of
//! their own.
//!
//! [`Pages::start`] discovers the plugins, validates each `menu.lua` (`label` and
//! `script` required, the script must exist, `sort_order`, `menu_entry`, optional
//! `is_shown`) and collects the pages (one global namespace of file names; a
//! duplicate is reported with its file and line and not served). Pages run on a small
//! pool of worker threads, each owning one VM built by the same loader as the engine's
//! (sandbox, built-in modules, every plugin's definitions and locales) plus the page
//! API: `print`, `sendHTTPContentTypeHeader`, `_GET`, `_POST`, `_SESSION`,
//! `isAdministrator`, `page_utils`, `plugins_utils`, read-only `interface` data
//! ([`PageData`]) and a `dofile` confined to the plugin. Each request runs under the
//! instruction budget, the memory limit and a wall-clock backstop; a failing page
//! gives a [`PageOutcome::Failed`] with a [`PageError`] naming file:line, and
//! the VM is rebuilt for the next request. User documentation:
//! `docs/plugins/pages.md`.

mod catalogue;
mod data_api;
mod page_vm;
mod pool;
mod request;
#[cfg(test)]
mod tests;
mod types;

pub use pool::Pages;
pub use request::sanitize_params;
pub use types::{
    MenuEntry, NoPageData, PageConfig, PageData, PageError, PageFailure, PageOutcome, PageOutput,
    PageRequest, PageStats, PageUser,
};
