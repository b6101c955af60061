//! Timeseries for plugins (the Lua side; [`crate::Runtime::end_timeseries_step`] and
//! friends are in `crate::ts_api`): the `ts_utils` / `ts_utils_core` modules (lua-api.md §10)
//! and the loading of every plugin's `ts_schemas/<gran>.lua` (plugins.md §14).
//!
//! - `ts_utils.newSchema(name, {step = 60, metrics_type = …, aggregation_function = …,
//!   is_critical_ts = …})` returns a schema object; `schema:addTag(t)` and
//!   `schema:addMetric(m)` declare its tags and metrics (duplicates ignored,
//!   `measurement` refused with file:line). The schema is registered in the VM's
//!   [`SchemaRegistry`] (built-ins first) when the file that created it has run, or at
//!   the next `append` for a schema created in a hook. A second definition of a name
//!   keeps the first and is a load warning naming both files; a schema without an
//!   `ifid` tag is a load error.
//! - `ts_utils.append(schema, tags_and_metrics, [when])` builds a point
//!   ([`weir_ts::Point::from_fields`]) and buffers it in the interface's
//!   [`weir_ts::TsSender`]; the buffer is handed to the sink thread as one batch at the
//!   end of each tick round ([`Runtime::end_timeseries_step`]). Any problem (unknown
//!   schema, missing or unknown tag or metric, a value of the wrong type) is a script
//!   error with file:line, counted against the script, and `append` returns false.
//!   Without a writer (timeseries off) `append` returns false and `params.ts_enabled`
//!   is false.
//! - Reads (`query`, `queryTotal`, `queryMean`, `queryTopk`, `listSeries`, `exists`)
//!   go to the configured [`TsQuery`]; without one they return nil and a message.
//!   `delete(prefix, tags)` goes through the sink thread, after the points sent before.

mod api;
mod schema;
mod state;

pub(crate) use api::install;
pub(crate) use state::{TsRef, after_schema_file, configure};
