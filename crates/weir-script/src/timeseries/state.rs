//! The per-VM timeseries state: schemas being declared, the registry, the writer
//! and query side, and schema problems.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use mlua::Lua;
use weir_ts::{Defined, MetricKind, Schema, SchemaRegistry, TsQuery, TsSender, TsWriter};

use crate::config::Timeseries;
use crate::error::Problem;

/// How long `ts_utils.delete` waits for the sink thread.
pub(crate) const DELETE_TIMEOUT: Duration = Duration::from_secs(10);

/// Most buckets one `ts_utils.query` series may return to Lua.
pub(crate) const MAX_QUERY_BUCKETS: u64 = 100_000;

/// A schema being declared by `newSchema` / `addTag` / `addMetric`.
pub(crate) struct Pending {
    pub(crate) schema: Schema,
    /// `plugins/<plugin>/<file>:<line>` of the `newSchema` call.
    pub(crate) loc: String,
    /// The `metrics_type` of every metric.
    pub(crate) kind: MetricKind,
}

/// The per-VM timeseries state, shared by the `ts_utils` functions (Lua app data).
pub(crate) struct TsState {
    pub(crate) registry: SchemaRegistry,
    pub(crate) pending: Vec<Rc<RefCell<Pending>>>,
    pub(crate) writer: Option<TsSender>,
    pub(crate) query: Option<Arc<dyn TsQuery + Send + Sync>>,
    pub(crate) driver: &'static str,
    /// `ts_utils.append` calls, and those that wrote nothing (refused, or
    /// timeseries off): `getPeriodicActivitiesStats().*.timeseries.write`.
    pub(crate) appends: [u64; 2],
    /// Warnings and errors about schemas since the last [`after_schema_file`].
    pub(crate) problems: Vec<(String, String, bool)>,
}

impl Drop for TsState {
    fn drop(&mut self) {
        // A VM replaced by a reload hands over what it buffered.
        if let Some(w) = &mut self.writer {
            let _ = w.end_step();
        }
    }
}

pub(crate) type TsRef = Rc<RefCell<TsState>>;

/// Most schema problems kept between two reports (a hook redefining a schema at every
/// call must not grow memory).
pub(crate) const MAX_PROBLEMS: usize = 256;

impl TsState {
    /// Records a schema problem: (location, message, is an error).
    pub(crate) fn problem(&mut self, p: (String, String, bool)) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(p);
        }
    }

    /// Registers the schemas declared since the last call.
    pub(crate) fn flush_pending(&mut self) {
        for p in std::mem::take(&mut self.pending) {
            let (schema, loc) = match Rc::try_unwrap(p) {
                Ok(cell) => {
                    let p = cell.into_inner();
                    (p.schema, p.loc)
                }
                Err(rc) => {
                    let p = rc.borrow();
                    (p.schema.clone(), p.loc.clone())
                }
            };
            let name = schema.name.clone();
            match self.registry.define(schema) {
                Ok((_, Defined::New)) => {}
                Ok((first, Defined::Existing)) => self.problem((
                    loc,
                    format!(
                        "timeseries schema `{name}` is already defined by {}; the first definition is kept",
                        first.origin
                    ),
                    false,
                )),
                Err(e) => self.problem((loc, e.to_string(), true)),
            }
        }
    }
}

/// Hands the VM its writer and query side (`None`: timeseries off).
pub(crate) fn configure(lua: &Lua, cfg: Option<&Timeseries>) {
    let Some(ts) = lua.app_data_ref::<TsRef>().map(|t| t.clone()) else {
        return;
    };
    let Ok(mut st) = ts.try_borrow_mut() else {
        return;
    };
    match cfg {
        Some(c) => {
            st.writer = Some(c.writer.clone());
            st.query = c.query.clone();
            st.driver = c.driver;
        }
        None => {
            st.writer = None;
            st.query = None;
            st.driver = "none";
        }
    }
}

/// After a `ts_schemas/` file ran: registers its schemas and returns the problems
/// (redefinitions are warnings, invalid schemas errors), each with its line.
///
/// The schemas of a file that failed (`failed`) are not registered: its error is
/// already reported, and a half-declared schema would only add noise.
pub(crate) fn after_schema_file(lua: &Lua, plugin: &str, file: &str, failed: bool) -> Vec<Problem> {
    let Some(ts) = lua.app_data_ref::<TsRef>().map(|t| t.clone()) else {
        return Vec::new();
    };
    let Ok(mut st) = ts.try_borrow_mut() else {
        return Vec::new();
    };
    if failed {
        st.pending.clear();
    }
    st.flush_pending();
    std::mem::take(&mut st.problems)
        .into_iter()
        .map(|(loc, msg, error)| {
            let text = format!("{loc}: {msg}");
            if error {
                Problem::error(plugin, file, text)
            } else {
                tracing::warn!(target: "weir_script", "{text}");
                Problem::warning(plugin, file, text)
            }
        })
        .collect()
}
