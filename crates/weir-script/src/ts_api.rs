//! Timeseries for plugins: the `ts_utils` / `ts_utils_core` modules (lua-api.md §10)
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

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use mlua::{Lua, MultiValue, Table, UserData, UserDataFields, UserDataMethods, Value};
use weir_ts::{
    Agg, Defined, FieldValue, MetricKind, Point, Query, Schema, SchemaRegistry, TopKQuery, TsQuery,
    TsSender, TsWriter,
};

use crate::error::Problem;
use crate::runtime::Runtime;
use crate::state::{SharedRef, api_error, caller_location};

/// How long `ts_utils.delete` waits for the sink thread.
const DELETE_TIMEOUT: Duration = Duration::from_secs(10);

/// Most buckets one `ts_utils.query` series may return to Lua.
const MAX_QUERY_BUCKETS: u64 = 100_000;

/// The timeseries a runtime writes to and reads from ([`crate::ScriptConfig::timeseries`]).
#[derive(Clone)]
pub struct Timeseries {
    /// Where `ts_utils.append` points go (one clone per VM, each with its own buffer).
    pub writer: TsSender,
    /// What `ts_utils.query` and friends read; `None`: reads return nil.
    pub query: Option<Arc<dyn TsQuery + Send + Sync>>,
    /// `ts_utils.getDriverName()`: `rrd` for the embedded round-robin store,
    /// `influxdb` for InfluxDB.
    pub driver: &'static str,
}

impl std::fmt::Debug for Timeseries {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Timeseries")
            .field("writer", &self.writer)
            .field("query", &self.query.is_some())
            .field("driver", &self.driver)
            .finish()
    }
}

/// A schema being declared by `newSchema` / `addTag` / `addMetric`.
struct Pending {
    schema: Schema,
    /// `plugins/<plugin>/<file>:<line>` of the `newSchema` call.
    loc: String,
    /// The `metrics_type` of every metric.
    kind: MetricKind,
}

/// The per-VM timeseries state, shared by the `ts_utils` functions (Lua app data).
pub(crate) struct TsState {
    registry: SchemaRegistry,
    pending: Vec<Rc<RefCell<Pending>>>,
    writer: Option<TsSender>,
    query: Option<Arc<dyn TsQuery + Send + Sync>>,
    driver: &'static str,
    /// Warnings and errors about schemas since the last [`after_schema_file`].
    problems: Vec<(String, String, bool)>,
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
const MAX_PROBLEMS: usize = 256;

impl TsState {
    /// Records a schema problem: (location, message, is an error).
    fn problem(&mut self, p: (String, String, bool)) {
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(p);
        }
    }

    /// Registers the schemas declared since the last call.
    fn flush_pending(&mut self) {
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

/// A schema object in Lua: one being declared, or a registered one (redefinitions
/// and `getSchema` return the registered one; adding to it does nothing).
#[derive(Clone)]
enum LuaSchema {
    Pending(Rc<RefCell<Pending>>),
    Defined(Arc<Schema>),
}

impl LuaSchema {
    fn with<R>(&self, f: impl FnOnce(&Schema) -> R) -> R {
        match self {
            LuaSchema::Pending(p) => f(&p.borrow().schema),
            LuaSchema::Defined(s) => f(s),
        }
    }

    fn add(&self, lua: &Lua, name: &Value, tag: bool) -> mlua::Result<()> {
        let LuaSchema::Pending(p) = self else {
            return Ok(());
        };
        let what = if tag { "addTag" } else { "addMetric" };
        let Value::String(name) = name else {
            return Err(mlua::Error::RuntimeError(format!(
                "{}: schema:{what}: string expected, got {}",
                caller_location(lua),
                name.type_name()
            )));
        };
        let name = name.to_string_lossy();
        let mut p = p.borrow_mut();
        let r = if tag {
            p.schema.add_tag(&name)
        } else {
            // Every metric of a schema has the kind given to newSchema.
            let kind = p.kind;
            p.schema.add_metric(&name, kind)
        };
        r.map(|_| ()).map_err(|e| {
            mlua::Error::RuntimeError(format!("{}: schema:{what}: {}", caller_location(lua), e))
        })
    }
}

impl UserData for LuaSchema {
    fn add_fields<F: UserDataFields<Self>>(fields: &mut F) {
        fields.add_field_method_get("name", |_, s| Ok(s.with(|s| s.name.clone())));
        fields.add_field_method_get("step", |_, s| Ok(s.with(|s| s.step_secs)));
        fields.add_field_method_get("origin", |_, s| Ok(s.with(|s| s.origin.clone())));
        fields.add_field_method_get("tags", |lua, s| {
            s.with(|s| lua.create_sequence_from(s.tags.clone()))
        });
        fields.add_field_method_get("metrics", |lua, s| {
            s.with(|s| lua.create_sequence_from(s.metrics.iter().map(|m| m.name.clone())))
        });
    }

    fn add_methods<M: UserDataMethods<Self>>(methods: &mut M) {
        methods.add_method("addTag", |lua, s, name: Value| s.add(lua, &name, true));
        methods.add_method("addMetric", |lua, s, name: Value| s.add(lua, &name, false));
    }
}

/// The file part of `plugins/<plugin>/<file>:<line>`.
fn origin_of(loc: &str) -> String {
    match loc.rsplit_once(':') {
        Some((file, line)) if line.chars().all(|c| c.is_ascii_digit()) => file.to_owned(),
        _ => loc.to_owned(),
    }
}

fn opt_field(options: &Option<Table>, key: &str) -> mlua::Result<Value> {
    match options {
        Some(t) => t.get::<Value>(key),
        None => Ok(Value::Nil),
    }
}

fn new_schema(
    lua: &Lua,
    ts: &TsRef,
    name: Value,
    options: Option<Table>,
) -> mlua::Result<LuaSchema> {
    let loc = caller_location(lua);
    let err = |msg: String| mlua::Error::RuntimeError(format!("{loc}: ts_utils.newSchema: {msg}"));
    let Value::String(name) = name else {
        return Err(err(format!(
            "name: string expected, got {}",
            name.type_name()
        )));
    };
    let name = name.to_string_lossy();
    let step = match opt_field(&options, "step")? {
        Value::Integer(i) => u32::try_from(i).ok(),
        Value::Number(n) if n.fract() == 0.0 && n >= 1.0 && n <= f64::from(u32::MAX) => {
            Some(n as u32)
        }
        Value::Nil => return Err(err(format!("`{name}`: option `step` is required"))),
        _ => None,
    }
    .ok_or_else(|| err(format!("`{name}`: `step` must be a positive integer")))?;
    let kind = match opt_field(&options, "metrics_type")? {
        Value::Nil => MetricKind::Counter,
        Value::String(s) => MetricKind::from_name(&s.to_string_lossy())
            .ok_or_else(|| err(format!("`{name}`: unknown metrics_type")))?,
        v => {
            return Err(err(format!(
                "`{name}`: metrics_type: got {}",
                v.type_name()
            )));
        }
    };
    let agg = match opt_field(&options, "aggregation_function")? {
        Value::Nil => Agg::Avg,
        Value::String(s) => Agg::from_name(&s.to_string_lossy())
            .ok_or_else(|| err(format!("`{name}`: unknown aggregation_function")))?,
        v => {
            return Err(err(format!(
                "`{name}`: aggregation_function: got {}",
                v.type_name()
            )));
        }
    };
    let critical = matches!(opt_field(&options, "is_critical_ts")?, Value::Boolean(true));
    let Ok(mut s) = ts.try_borrow_mut() else {
        return Err(err("busy".into()));
    };
    if let Some(first) = s.registry.get(&name).cloned() {
        s.problem((
            loc.clone(),
            format!(
                "timeseries schema `{name}` is already defined by {}; the first definition is kept",
                first.origin
            ),
            false,
        ));
        return Ok(LuaSchema::Defined(first));
    }
    if let Some(p) = s
        .pending
        .iter()
        .find(|p| p.borrow().schema.name == name)
        .cloned()
    {
        let first = p.borrow().loc.clone();
        s.problem((
            loc.clone(),
            format!(
                "timeseries schema `{name}` is already defined by {}; the first definition is kept",
                origin_of(&first)
            ),
            false,
        ));
        return Ok(LuaSchema::Defined(Arc::new(p.borrow().schema.clone())));
    }
    let mut schema = Schema::new(&name, step, &origin_of(&loc)).map_err(|e| err(e.to_string()))?;
    schema.aggregation = agg;
    schema.is_critical = critical;
    let p = Rc::new(RefCell::new(Pending { schema, loc, kind }));
    s.pending.push(p.clone());
    Ok(LuaSchema::Pending(p))
}

/// The schema an argument names (a name or a schema object).
fn schema_arg(ts: &mut TsState, v: &Value) -> Result<Arc<Schema>, String> {
    ts.flush_pending();
    let name = match v {
        Value::String(s) => s.to_string_lossy(),
        Value::UserData(u) => match u.borrow::<LuaSchema>() {
            Ok(s) => s.with(|s| s.name.clone()),
            Err(_) => return Err("schema name or object expected".into()),
        },
        other => {
            return Err(format!("schema name expected, got {}", other.type_name()));
        }
    };
    ts.registry
        .get(&name)
        .cloned()
        .ok_or_else(|| format!("unknown timeseries schema `{name}`"))
}

fn schema_name(v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) => Ok(s.to_string_lossy()),
        Value::UserData(u) => u
            .borrow::<LuaSchema>()
            .map(|s| s.with(|s| s.name.clone()))
            .map_err(|_| "schema name or object expected".into()),
        other => Err(format!("schema name expected, got {}", other.type_name())),
    }
}

fn field_value(key: &str, v: &Value) -> Result<FieldValue, String> {
    match v {
        Value::Integer(i) => Ok(FieldValue::Number(*i as f64)),
        Value::Number(n) => Ok(FieldValue::Number(*n)),
        Value::String(s) => Ok(FieldValue::Text(s.to_string_lossy())),
        Value::Boolean(b) => Ok(FieldValue::Number(if *b { 1.0 } else { 0.0 })),
        other => Err(format!(
            "`{key}`: number or string expected, got {}",
            other.type_name()
        )),
    }
}

fn append(
    sh: &SharedRef,
    ts: &TsRef,
    schema: &Value,
    fields: &Value,
    when: &Value,
) -> Result<bool, String> {
    let Ok(mut st) = ts.try_borrow_mut() else {
        return Err("re-entered".into());
    };
    let schema = schema_arg(&mut st, schema)?;
    let Value::Table(t) = fields else {
        return Err(format!(
            "tags_and_metrics: table expected, got {}",
            fields.type_name()
        ));
    };
    let mut kv: Vec<(String, FieldValue)> = Vec::new();
    for pair in t.pairs::<Value, Value>() {
        let (k, v) = pair.map_err(|e| e.to_string())?;
        let Value::String(k) = k else {
            return Err(format!(
                "tags_and_metrics: keys must be strings, got {}",
                k.type_name()
            ));
        };
        let k = k.to_string_lossy();
        let v = field_value(&k, &v)?;
        kv.push((k, v));
        if kv.len() > 512 {
            return Err("tags_and_metrics: too many keys".into());
        }
    }
    let ts_secs = match when {
        Value::Nil => sh.try_borrow().map(|s| s.now).unwrap_or(0),
        Value::Integer(i) => u64::try_from(*i).map_err(|_| "timestamp must be >= 0")?,
        Value::Number(n) if *n >= 0.0 && n.is_finite() => *n as u64,
        other => {
            return Err(format!(
                "timestamp: non-negative number expected, got {}",
                other.type_name()
            ));
        }
    };
    let point = Point::from_fields(&schema, kv, ts_secs).map_err(|e| e.to_string())?;
    let Some(w) = st.writer.as_mut() else {
        return Ok(false);
    };
    w.push(point).map_err(|e| e.to_string())?;
    Ok(true)
}

fn tag_filter(v: &Value) -> Result<Vec<(String, String)>, String> {
    match v {
        Value::Nil => Ok(Vec::new()),
        Value::Table(t) => {
            let mut out = Vec::new();
            for pair in t.pairs::<Value, Value>() {
                let (k, v) = pair.map_err(|e| e.to_string())?;
                let Value::String(k) = k else {
                    return Err("tags: keys must be strings".into());
                };
                let v = match v {
                    Value::String(s) => s.to_string_lossy(),
                    Value::Integer(i) => i.to_string(),
                    Value::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => {
                        (n as i64).to_string()
                    }
                    Value::Number(n) => n.to_string(),
                    other => {
                        return Err(format!(
                            "tags: value of `{}` must be a string, got {}",
                            k.to_string_lossy(),
                            other.type_name()
                        ));
                    }
                };
                out.push((k.to_string_lossy(), v));
            }
            out.sort();
            Ok(out)
        }
        other => Err(format!("tags: table expected, got {}", other.type_name())),
    }
}

fn time_arg(v: &Value, what: &str) -> Result<Option<u64>, String> {
    match v {
        Value::Nil => Ok(None),
        Value::Integer(i) => Ok(Some(u64::try_from(*i).unwrap_or(0))),
        Value::Number(n) if n.is_finite() => Ok(Some(n.max(0.0) as u64)),
        other => Err(format!(
            "{what}: number expected, got {}",
            other.type_name()
        )),
    }
}

fn tags_table(lua: &Lua, tags: &[(String, String)]) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    for (k, v) in tags {
        t.raw_set(k.as_str(), v.as_str())?;
    }
    Ok(t)
}

/// `ts_utils.query` result: `{schema, start, step, count, series = {{label, tags, data}}}`
/// with one entry per series and metric; data has one value per step from `start`,
/// NaN for a gap or an unknown value.
fn query_table(lua: &Lua, q: &dyn TsQuery, query: &Query) -> Result<Table, String> {
    let r = q.query(query).map_err(|e| e.to_string())?;
    let step = u64::from(r.step_secs.max(1));
    let first = r
        .series
        .iter()
        .filter_map(|s| s.points.first().map(|p| p.ts))
        .min();
    let last = r
        .series
        .iter()
        .filter_map(|s| s.points.last().map(|p| p.ts))
        .max();
    // The first bucket: `tstart` rounded up to the step, or the first point.
    let start = match (query.from, first) {
        (Some(f), Some(p)) => f.div_ceil(step).saturating_mul(step).min(p),
        (Some(f), None) => f.div_ceil(step).saturating_mul(step),
        (None, Some(p)) => p,
        (None, None) => 0,
    };
    let count = match last {
        Some(l) if l >= start => ((l - start) / step + 1).min(MAX_QUERY_BUCKETS),
        _ => 0,
    };
    let lerr = |e: mlua::Error| e.to_string();
    let out = lua.create_table().map_err(lerr)?;
    out.raw_set("schema", r.schema.as_str()).map_err(lerr)?;
    out.raw_set("start", start).map_err(lerr)?;
    out.raw_set("step", step).map_err(lerr)?;
    out.raw_set("count", count).map_err(lerr)?;
    let series = lua.create_table().map_err(lerr)?;
    let mut n = 0;
    for s in &r.series {
        for (m, label) in r.metrics.iter().enumerate() {
            let data = lua.create_table().map_err(lerr)?;
            for i in 1..=count {
                data.raw_set(i, f64::NAN).map_err(lerr)?;
            }
            for p in &s.points {
                if p.ts < start {
                    continue;
                }
                let i = (p.ts - start) / step + 1;
                if i <= count
                    && let Some(Some(v)) = p.values.get(m)
                {
                    data.raw_set(i, *v).map_err(lerr)?;
                }
            }
            let e = lua.create_table().map_err(lerr)?;
            e.raw_set("label", label.as_str()).map_err(lerr)?;
            e.raw_set("tags", tags_table(lua, &s.tags).map_err(lerr)?)
                .map_err(lerr)?;
            e.raw_set("data", data).map_err(lerr)?;
            n += 1;
            series.raw_set(n, e).map_err(lerr)?;
        }
    }
    out.raw_set("series", series).map_err(lerr)?;
    Ok(out)
}

/// Reads of `ts_utils`: what they need from the Lua side.
enum Read {
    Query,
    Total,
    Mean,
    TopK,
    List,
    Exists,
}

fn read(lua: &Lua, ts: &TsRef, kind: &Read, args: &MultiValue) -> Result<Value, String> {
    let (q, name) = {
        let Ok(mut st) = ts.try_borrow_mut() else {
            return Err("re-entered".into());
        };
        let name = schema_name(args.front().unwrap_or(&Value::Nil))?;
        st.flush_pending();
        (st.query.clone(), name)
    };
    let Some(q) = q else {
        return Ok(Value::Nil);
    };
    let arg = |i: usize| args.get(i).unwrap_or(&Value::Nil);
    let lerr = |e: mlua::Error| e.to_string();
    match kind {
        Read::Query | Read::Total | Read::Mean => {
            // query(schema, tags, tstart, tend, opts); queryTotal/queryMean(schema,
            // tstart, tend, tags, opts).
            let (tags, from, to) = match kind {
                Read::Query => (
                    tag_filter(arg(1))?,
                    time_arg(arg(2), "tstart")?,
                    time_arg(arg(3), "tend")?,
                ),
                _ => (
                    tag_filter(arg(3))?,
                    time_arg(arg(1), "tstart")?,
                    time_arg(arg(2), "tend")?,
                ),
            };
            let mut query = Query::new(&name);
            query.tags = tags;
            query.from = from;
            query.to = to;
            if let Value::Table(o) = arg(4) {
                if let Ok(Some(step)) = o.get::<Option<u32>>("step") {
                    query.step_secs = Some(step.max(1));
                }
                if let Ok(Some(a)) = o.get::<Option<String>>("aggregation") {
                    query.agg = Agg::from_name(&a);
                }
            }
            if let Read::Query = kind {
                return query_table(lua, &*q, &query).map(Value::Table);
            }
            let r = q.query(&query).map_err(|e| e.to_string())?;
            if r.series.is_empty() {
                return Ok(Value::Nil);
            }
            let out = lua.create_table().map_err(lerr)?;
            for (m, label) in r.metrics.iter().enumerate() {
                let v: f64 = match kind {
                    Read::Total => r
                        .series
                        .iter()
                        .filter_map(|s| s.total(m, r.step_secs))
                        .sum(),
                    _ => {
                        let means: Vec<f64> = r.series.iter().filter_map(|s| s.mean(m)).collect();
                        if means.is_empty() {
                            f64::NAN
                        } else {
                            means.iter().sum::<f64>() / means.len() as f64
                        }
                    }
                };
                out.raw_set(label.as_str(), v).map_err(lerr)?;
            }
            Ok(Value::Table(out))
        }
        Read::TopK => {
            // queryTopk(schema, tags, tstart, tend, {top = 10, metric = …})
            let mut k = 10usize;
            let mut metric = None;
            if let Value::Table(o) = arg(4) {
                if let Ok(Some(t)) = o.get::<Option<usize>>("top") {
                    k = t.clamp(1, 10_000);
                }
                metric = o.get::<Option<String>>("metric").ok().flatten();
            }
            let metric = match metric {
                Some(m) => m,
                None => {
                    let st = ts.try_borrow().map_err(|_| "re-entered")?;
                    st.registry
                        .get(&name)
                        .and_then(|s| s.metrics.first().map(|m| m.name.clone()))
                        .ok_or_else(|| format!("unknown timeseries schema `{name}`"))?
                }
            };
            let top = q
                .top_k(&TopKQuery {
                    schema: name.clone(),
                    tags: tag_filter(arg(1))?,
                    from: time_arg(arg(2), "tstart")?,
                    to: time_arg(arg(3), "tend")?,
                    metric,
                    k,
                })
                .map_err(|e| e.to_string())?;
            let out = lua.create_table().map_err(lerr)?;
            let list = lua.create_table().map_err(lerr)?;
            for (i, item) in top.iter().enumerate() {
                let e = lua.create_table().map_err(lerr)?;
                e.raw_set("tags", tags_table(lua, &item.tags).map_err(lerr)?)
                    .map_err(lerr)?;
                e.raw_set("value", item.score).map_err(lerr)?;
                list.raw_set(i + 1, e).map_err(lerr)?;
            }
            out.raw_set("topk", list).map_err(lerr)?;
            Ok(Value::Table(out))
        }
        Read::List | Read::Exists => {
            let series = q
                .list_series(&name, &tag_filter(arg(1))?)
                .map_err(|e| e.to_string())?;
            let since = match kind {
                Read::List => time_arg(arg(2), "start")?,
                _ => None,
            };
            let series: Vec<_> = series
                .into_iter()
                .filter(|s| since.is_none_or(|t| s.last_ts.is_some_and(|l| l >= t)))
                .collect();
            if let Read::Exists = kind {
                return Ok(Value::Boolean(!series.is_empty()));
            }
            let out = lua.create_table().map_err(lerr)?;
            for (i, s) in series.iter().enumerate() {
                out.raw_set(i + 1, tags_table(lua, &s.tags).map_err(lerr)?)
                    .map_err(lerr)?;
            }
            Ok(Value::Table(out))
        }
    }
}

/// Creates the `ts_utils` module (also `ts_utils_core`) of a VM; the writer and query
/// side are set by [`configure`]. Its state is the VM's app data.
pub(crate) fn install(lua: &Lua, sh: &SharedRef) -> mlua::Result<Table> {
    let ts: TsRef = Rc::new(RefCell::new(TsState {
        registry: SchemaRegistry::with_builtins(),
        pending: Vec::new(),
        writer: None,
        query: None,
        driver: "none",
        problems: Vec::new(),
    }));
    lua.set_app_data(ts.clone());
    let m = lua.create_table()?;
    let metrics = lua.create_table()?;
    for k in ["counter", "gauge", "derivative"] {
        metrics.raw_set(k, k)?;
    }
    m.raw_set("metrics", metrics)?;
    let agg = lua.create_table()?;
    for k in ["mean", "max", "min", "last"] {
        agg.raw_set(k, k)?;
    }
    m.raw_set("aggregation", agg)?;

    let t = ts.clone();
    m.raw_set(
        "newSchema",
        lua.create_function(move |lua, (name, opts): (Value, Option<Table>)| {
            new_schema(lua, &t, name, opts)
        })?,
    )?;
    let t = ts.clone();
    m.raw_set(
        "getSchema",
        lua.create_function(move |_, name: Value| {
            let Ok(mut st) = t.try_borrow_mut() else {
                return Ok(None);
            };
            Ok(schema_arg(&mut st, &name).ok().map(LuaSchema::Defined))
        })?,
    )?;
    let t = ts.clone();
    m.raw_set(
        "getLoadedSchemas",
        lua.create_function(move |lua, ()| {
            let out = lua.create_table()?;
            if let Ok(mut st) = t.try_borrow_mut() {
                st.flush_pending();
                for s in st.registry.iter() {
                    out.raw_set(s.name.as_str(), LuaSchema::Defined(s.clone()))?;
                }
            }
            Ok(out)
        })?,
    )?;
    let (t, s) = (ts.clone(), sh.clone());
    m.raw_set(
        "append",
        lua.create_function(
            move |lua, (schema, fields, when): (Value, Value, Value)| match append(
                &s, &t, &schema, &fields, &when,
            ) {
                Ok(b) => Ok(b),
                Err(msg) => {
                    if let Ok(mut sh) = s.try_borrow_mut() {
                        api_error(lua, &mut sh, "ts_utils.append", &msg);
                    }
                    Ok(false)
                }
            },
        )?,
    )?;
    for (name, kind) in [
        ("query", Read::Query),
        ("queryTotal", Read::Total),
        ("queryMean", Read::Mean),
        ("queryTopk", Read::TopK),
        ("listSeries", Read::List),
        ("exists", Read::Exists),
    ] {
        let (t, s) = (ts.clone(), sh.clone());
        let qualified = format!("ts_utils.{name}");
        m.raw_set(
            name,
            lua.create_function(move |lua, args: MultiValue| {
                let no_backend = t.try_borrow().map(|st| st.query.is_none()).unwrap_or(true);
                match read(lua, &t, &kind, &args) {
                    Ok(Value::Nil) if no_backend => Ok((
                        Value::Nil,
                        Value::String(lua.create_string("timeseries queries are off")?),
                    )),
                    Ok(v) => Ok((v, Value::Nil)),
                    Err(msg) => {
                        if let Ok(mut sh) = s.try_borrow_mut() {
                            api_error(lua, &mut sh, &qualified, &msg);
                        }
                        Ok((Value::Nil, Value::String(lua.create_string(&msg)?)))
                    }
                }
            })?,
        )?;
    }
    let (t, s) = (ts.clone(), sh.clone());
    m.raw_set(
        "delete",
        lua.create_function(move |lua, (prefix, tags): (Value, Value)| {
            let r = (|| -> Result<bool, String> {
                let prefix = schema_name(&prefix)?;
                let tags = tag_filter(&tags)?;
                let mut w = match t.try_borrow_mut() {
                    Ok(mut st) => match st.writer.as_mut() {
                        Some(w) => {
                            w.end_step().map_err(|e| e.to_string())?;
                            w.clone()
                        }
                        None => return Ok(false),
                    },
                    Err(_) => return Err("re-entered".into()),
                };
                w.delete(&prefix, &tags, DELETE_TIMEOUT)
                    .map(|_| true)
                    .map_err(|e| e.to_string())
            })();
            match r {
                Ok(b) => Ok(b),
                Err(msg) => {
                    if let Ok(mut sh) = s.try_borrow_mut() {
                        api_error(lua, &mut sh, "ts_utils.delete", &msg);
                    }
                    Ok(false)
                }
            }
        })?,
    )?;
    let t = ts.clone();
    m.raw_set(
        "getDriverName",
        lua.create_function(move |_, ()| Ok(t.try_borrow().map_or("none", |st| st.driver)))?,
    )?;
    Ok(m)
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

impl Runtime {
    /// Sets (or removes) the timeseries writer and query side, as
    /// [`crate::ScriptConfig::timeseries`] does at load; kept across reloads.
    pub fn set_timeseries(&mut self, ts: Option<Timeseries>) {
        configure(&self.vm.lua, ts.as_ref());
        self.cfg.timeseries = ts;
    }

    /// Hands the points plugins appended since the last call to the sink as one batch
    /// (the daemon calls it at the end of each tick round; [`Runtime::finish`] too).
    pub fn end_timeseries_step(&mut self) {
        let Some(ts) = self.vm.lua.app_data_ref::<TsRef>().map(|t| t.clone()) else {
            return;
        };
        let Ok(mut st) = ts.try_borrow_mut() else {
            return;
        };
        // Schemas declared by hooks (not by `ts_schemas/` files): their problems
        // are logged here.
        st.flush_pending();
        for (loc, msg, _) in std::mem::take(&mut st.problems) {
            tracing::warn!(target: "weir_script", "{loc}: {msg}");
        }
        if let Some(w) = &mut st.writer
            && let Err(e) = w.end_step()
        {
            tracing::warn!(target: "weir_script", "timeseries: {e}");
        }
    }

    /// The timeseries schemas this VM knows: the built-ins and those of the plugins'
    /// `ts_schemas/` files (and any created by scripts since).
    pub fn ts_schemas(&self) -> SchemaRegistry {
        let Some(ts) = self.vm.lua.app_data_ref::<TsRef>().map(|t| t.clone()) else {
            return SchemaRegistry::with_builtins();
        };
        match ts.try_borrow_mut() {
            Ok(mut st) => {
                st.flush_pending();
                st.registry.clone()
            }
            Err(_) => SchemaRegistry::with_builtins(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::time::Duration;

    use weir_flow::{Consumer, Tick};
    use weir_ts::{EmbeddedStore, Query, SinkConfig, TsQuery, TsSink};

    use super::Timeseries;
    use crate::{Level, Output, Runtime, ScriptConfig};

    fn write(dir: &Path, files: &[(&str, &str)]) {
        for (f, text) in files {
            let p = dir.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
    }

    /// An embedded store in `dir`, its sink, and the handle scripts get (writer through
    /// the sink, queries on a second connection to the store).
    fn embedded(dir: &Path) -> (EmbeddedStore, TsSink, Timeseries) {
        let store = EmbeddedStore::open_dir(dir).unwrap();
        let sink = TsSink::spawn(Box::new(store.writer().unwrap()), SinkConfig::default()).unwrap();
        let ts = Timeseries {
            writer: sink.writer(),
            query: Some(std::sync::Arc::new(EmbeddedStore::open_dir(dir).unwrap())),
            driver: "rrd",
        };
        (store, sink, ts)
    }

    fn config(root: &Path, ts: Option<Timeseries>) -> ScriptConfig {
        ScriptConfig {
            roots: vec![root.to_path_buf()],
            output: Output::Buffer,
            timeseries: ts,
            ..ScriptConfig::default()
        }
    }

    const SYN_SCHEMA: &str = r#"local ts_utils = require("ts_utils_core")
local schema = ts_utils.newSchema("host:syn_received", {step = 60, metrics_type = ts_utils.metrics.counter})
schema:addTag("ifid")
schema:addTag("host")
schema:addMetric("syn")
"#;

    #[test]
    fn schema_files_are_loaded_with_every_problem_located() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                ("a/ts_schemas/min.lua", SYN_SCHEMA),
                (
                    "a/ts_schemas/5mins.lua",
                    r#"local ts_utils = require("ts_utils")
local s = ts_utils.newSchema("a:gauge", {step = 300, metrics_type = ts_utils.metrics.gauge,
  aggregation_function = ts_utils.aggregation.max, is_critical_ts = true})
s:addTag("ifid")
s:addTag("ifid") -- duplicates are ignored
s:addMetric("value")
local b = ts_utils.newSchema("iface:flows", {step = 60})
b:addTag("ifid")
local n = ts_utils.newSchema("a:no_ifid", {step = 300})
n:addTag("host")
n:addMetric("x")
"#,
                ),
                (
                    "a/ts_schemas/hour.lua",
                    "local ts_utils = require('ts_utils')\nlocal s = ts_utils.newSchema('a:m', {step = 3600})\ns:addTag('ifid')\ns:addTag('measurement')\n",
                ),
                (
                    "a/ts_schemas/day.lua",
                    "local ts_utils = require('ts_utils')\nts_utils.newSchema('a:nostep', {})\n",
                ),
                // The same name in another plugin: the first definition is kept.
                (
                    "b/ts_schemas/min.lua",
                    SYN_SCHEMA.replace("\"syn\"", "\"other\"").as_str(),
                ),
            ],
        );
        let (rt, report) = Runtime::load(config(dir.path(), None)).unwrap();
        let text: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
        let has = |level: Level, file: &str, line: u32, needle: &str| {
            report.problems.iter().any(|p| {
                p.level == level
                    && p.file == file
                    && p.line == Some(line)
                    && p.message.contains(needle)
            })
        };
        assert!(
            has(
                Level::Warning,
                "ts_schemas/5mins.lua",
                7,
                "already defined by builtin"
            ),
            "{text:#?}"
        );
        assert!(
            has(
                Level::Error,
                "ts_schemas/5mins.lua",
                9,
                "`ifid` is mandatory"
            ),
            "{text:#?}"
        );
        assert!(
            has(
                Level::Error,
                "ts_schemas/hour.lua",
                4,
                "`measurement` is not a valid tag"
            ),
            "{text:#?}"
        );
        assert!(
            has(Level::Error, "ts_schemas/day.lua", 2, "`step` is required"),
            "{text:#?}"
        );
        assert!(
            report.problems.iter().any(|p| p.plugin == "b"
                && p.level == Level::Warning
                && p.line == Some(2)
                && p.message.contains("plugins/a/ts_schemas/min.lua")),
            "{text:#?}"
        );
        assert_eq!(report.problems.len(), 5, "{text:#?}");
        let reg = rt.ts_schemas();
        let syn = reg.get("host:syn_received").unwrap();
        assert_eq!(syn.tags, ["ifid", "host"]);
        assert_eq!(syn.metrics[0].name, "syn");
        assert_eq!(syn.origin, "plugins/a/ts_schemas/min.lua");
        let g = reg.get("a:gauge").unwrap();
        assert_eq!(g.metrics[0].kind, weir_ts::MetricKind::Gauge);
        assert_eq!(g.aggregation, weir_ts::Agg::Max);
        assert!(g.is_critical);
        assert_eq!(g.tags, ["ifid"]);
        assert!(reg.get("a:no_ifid").is_none());
        assert!(reg.get("iface:flows").unwrap().origin == "builtin");
    }

    /// A plugin appending from interface and host `min` hooks, and reading back.
    fn plugin(dir: &Path) {
        write(
            dir,
            &[
                ("p/ts_schemas/min.lua", SYN_SCHEMA),
                (
                    "p/user_scripts/host/syn.lua",
                    r#"local ts_utils = require("ts_utils")
local script = { hooks = {}, gui = { i18n_title = "t", i18n_description = "d" } }
function script.hooks.min(params)
  io.write("ts_enabled ", tostring(params.ts_enabled), "\n")
  if params.ts_enabled then
    local info = host.getInfo()
    ts_utils.append("host:syn_received", {ifid = params.ifid, host = info.ip, syn = info.num_syn_rcvd}, params.when)
  end
end
return script
"#,
                ),
                (
                    "p/user_scripts/interface/bad.lua",
                    r#"local ts_utils = require("ts_utils")
local script = { hooks = {}, gui = { i18n_title = "t", i18n_description = "d" } }
function script.hooks.min(params)
  local ok = ts_utils.append("host:syn_received", {ifid = 0, host = "x", syn = 1, bogus = 2})
  io.write("bad append ", tostring(ok), "\n")
end
return script
"#,
                ),
                (
                    "p/user_scripts/system/reader.lua",
                    r#"local ts_utils = require("ts_utils")
local script = { hooks = {}, gui = { i18n_title = "t", i18n_description = "d" } }
function script.hooks.min(params)
  local r, err = ts_utils.query("host:syn_received", {host = "10.0.0.1"}, 1000, 1300)
  if not r then io.write("query nil ", tostring(err), "\n") return end
  io.write("query ", r.start, " ", r.step, " ", r.count, " ", #r.series, " ", r.series[1].label, "\n")
  for i, v in ipairs(r.series[1].data) do io.write(i, "=", v == v and v or "nan", "\n") end
  local t = ts_utils.queryTotal("host:syn_received", 1000, 1300, {host = "10.0.0.1"})
  io.write("total ", t.syn, "\n")
  local top = ts_utils.queryTopk("host:syn_received", {ifid = "0"}, 1000, 1300, {top = 1})
  io.write("top ", top.topk[1].tags.host, " ", top.topk[1].value, "\n")
  io.write("series ", #ts_utils.listSeries("host:syn_received", {}, 0), " exists ",
    tostring(ts_utils.exists("host:syn_received", {host = "10.0.0.9"})), "\n")
  io.write("driver ", ts_utils.getDriverName(), "\n")
  io.write("deleted ", tostring(ts_utils.delete("host:", {host = "10.0.0.2"})), "\n")
  io.write("series ", #ts_utils.listSeries("host:syn_received", {}, 0), "\n")
end
return script
"#,
                ),
            ],
        );
    }

    #[test]
    fn appends_reach_the_store_and_errors_are_script_errors() {
        let dir = tempfile::tempdir().unwrap();
        plugin(dir.path());
        let (store, sink, ts) = embedded(dir.path());
        let (mut rt, report) = Runtime::load(config(dir.path(), Some(ts))).unwrap();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        let pcap = weir_gen::generate_to_vec(&weir_gen::GenConfig {
            flows: 300,
            seed: 3,
            ..Default::default()
        })
        .0;
        let mut engine = weir_flow::Engine::new(weir_flow::EngineConfig::default());
        let mut r =
            weir_decode::capture::CaptureReader::new(std::io::Cursor::new(pcap), "gen").unwrap();
        while let Some(f) = r.next_frame() {
            let f = f.unwrap();
            let wire = f.orig_len.max(f.data.len() as u32);
            if let Ok(p) = weir_decode::decode(f.linktype, f.data) {
                engine.process(f.ts, wire, &p, &mut rt);
            }
            rt.end_timeseries_step();
        }
        engine.finish(&mut rt);
        rt.finish();
        sink.flush(Duration::from_secs(30)).unwrap();
        let out = String::from_utf8(rt.take_output()).unwrap();
        assert!(out.contains("ts_enabled true"), "{out}");
        assert!(out.contains("bad append false"), "{out}");
        let bad = rt.scripts().into_iter().find(|s| s.key == "bad").unwrap();
        assert!(bad.errors > 0);
        let last = bad.last_error.unwrap();
        assert!(
            last.contains("plugins/p/user_scripts/interface/bad.lua:4")
                && last.contains("unknown tag or metric `bogus`"),
            "{last}"
        );
        let syn = rt.scripts().into_iter().find(|s| s.key == "syn").unwrap();
        assert_eq!(syn.errors, 0, "{syn:?}");
        let stats = sink.stats();
        assert!(stats.written > 100, "{stats:?}");
        let series = store.list_series("host:syn_received", &[]).unwrap();
        assert!(series.len() > 10, "{series:?}");
        let r = store.query(&Query::new("host:syn_received")).unwrap();
        assert!(
            r.series
                .iter()
                .any(|s| s.points.iter().any(|p| p.values[0].unwrap_or(0.0) > 0.0))
        );
        sink.shutdown(Duration::from_secs(10)).unwrap();
    }

    #[test]
    fn reads_from_lua() {
        let dir = tempfile::tempdir().unwrap();
        plugin(dir.path());
        let (_store, sink, ts) = embedded(dir.path());
        let (mut rt, _) = Runtime::load(config(dir.path(), Some(ts.clone()))).unwrap();
        let schema = rt.ts_schemas().get("host:syn_received").unwrap().clone();
        let mut w = ts.writer.clone();
        use weir_ts::TsWriter;
        for m in 0..6u64 {
            for (h, per_min) in [("10.0.0.1", 60u64), ("10.0.0.2", 600)] {
                w.append(
                    &schema,
                    vec!["0".into(), h.into()],
                    vec![(m * per_min) as f64],
                    1020 + 60 * m,
                )
                .unwrap();
            }
            w.end_step().unwrap();
        }
        w.flush(Duration::from_secs(10)).unwrap();
        rt.system_tick(Tick::Min, weir_decode::Timestamp::from_secs_nanos(1380, 0));
        let out = String::from_utf8(rt.take_output()).unwrap();
        // Buckets from 1020 (tstart rounded up) to 1260; the first point has no rate
        // (NaN), then 1 SYN/s.
        assert!(
            out.contains("query 1020 60 5 1 syn\n1=nan\n2=1\n3=1\n4=1\n5=1\n"),
            "{out}"
        );
        assert!(out.contains("total 240\n"), "{out}");
        assert!(out.contains("top 10.0.0.2 2400\n"), "{out}");
        assert!(out.contains("series 2 exists false"), "{out}");
        assert!(out.contains("driver rrd"), "{out}");
        assert!(out.contains("deleted true\nseries 1\n"), "{out}");
        let reader = rt
            .scripts()
            .into_iter()
            .find(|s| s.key == "reader")
            .unwrap();
        assert_eq!(reader.errors, 0, "{reader:?}");

        // Without a query side, reads are nil with a message (not script errors).
        let (mut rt, _) = Runtime::load(config(dir.path(), None)).unwrap();
        rt.system_tick(Tick::Min, weir_decode::Timestamp::from_secs_nanos(1380, 0));
        let out = String::from_utf8(rt.take_output()).unwrap();
        assert!(
            out.contains("query nil timeseries queries are off"),
            "{out}"
        );
        sink.shutdown(Duration::from_secs(10)).unwrap();
    }

    #[test]
    fn bad_arguments_are_script_errors_never_panics() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &[
                ("p/ts_schemas/min.lua", SYN_SCHEMA),
                (
                    "p/user_scripts/system/garbage.lua",
                    r#"local ts_utils = require("ts_utils")
local script = { hooks = {}, gui = { i18n_title = "t", i18n_description = "d" } }
function script.hooks.min(params)
  local r, n = {}, 0
  local function put(v) n = n + 1; r[n] = v end
  put(ts_utils.append(nil, nil))
  put(ts_utils.append("nope:x", {ifid = 0}))
  put(ts_utils.append("host:syn_received", "x"))
  put(ts_utils.append("host:syn_received", {ifid = 0, host = "h"}))
  put(ts_utils.append("host:syn_received", {ifid = 0, host = "h", syn = {}}))
  put(ts_utils.append("host:syn_received", {ifid = 0, host = "a\\b", syn = 1}))
  put(ts_utils.append("host:syn_received", {ifid = 0, host = "h", syn = "x"}))
  put(ts_utils.append("host:syn_received", {ifid = 0, host = "h", syn = 1}, -5))
  put(ts_utils.append("host:syn_received", {[1] = 2}))
  put(ts_utils.append(ts_utils.getSchema("host:syn_received"), {ifid = 0, host = "h", syn = 1}, 1e300))
  put(ts_utils.query(42))
  put(ts_utils.query("host:syn_received", "x"))
  put(ts_utils.queryTopk("host:syn_received", {}, 0, 10, {metric = "nope"}))
  put(ts_utils.listSeries("nope:x", {}))
  put(ts_utils.delete(nil, 5))
  for i = 1, 15 do io.write(tostring(r[i]), " ") end
  io.write("\n")
  local ok = pcall(ts_utils.newSchema, "x", {step = 60})
  local ok2 = pcall(ts_utils.newSchema, "a:b", {step = -1})
  local ok3 = pcall(function() ts_utils.newSchema("a:c", {step = 60}):addTag({}) end)
  io.write(tostring(ok), " ", tostring(ok2), " ", tostring(ok3), "\n")
end
return script
"#,
                ),
            ],
        );
        let (_store, sink, ts) = embedded(dir.path());
        let (mut rt, report) = Runtime::load(config(dir.path(), Some(ts))).unwrap();
        assert!(report.problems.is_empty(), "{:?}", report.problems);
        rt.system_tick(Tick::Min, weir_decode::Timestamp::from_secs_nanos(1380, 0));
        rt.end_timeseries_step();
        let out = String::from_utf8(rt.take_output()).unwrap();
        assert_eq!(
            out,
            "false false false false false false false false false false nil nil nil nil false \n\
             false false false\n"
        );
        let g = rt
            .scripts()
            .into_iter()
            .find(|s| s.key == "garbage")
            .unwrap();
        assert_eq!(g.errors, 1, "one failed call: {g:?}");
        let e = g.last_error.unwrap();
        assert!(
            e.contains(
                "plugins/p/user_scripts/system/garbage.lua:6: ts_utils.append: schema name expected"
            ) && e.contains("garbage.lua:13: ts_utils.append: timestamp must be >= 0"),
            "{e}"
        );
        // Nothing reached the store.
        sink.flush(Duration::from_secs(10)).unwrap();
        assert_eq!(sink.stats().received, 0);
    }

    #[test]
    fn reload_keeps_the_writer_and_the_buffered_points() {
        let dir = tempfile::tempdir().unwrap();
        plugin(dir.path());
        let store = EmbeddedStore::open_dir(dir.path()).unwrap();
        let sink = TsSink::spawn(Box::new(store.writer().unwrap()), SinkConfig::default()).unwrap();
        let (mut rt, _) = Runtime::load(config(dir.path(), None)).unwrap();
        rt.set_timeseries(Some(Timeseries {
            writer: sink.writer(),
            query: None,
            driver: "rrd",
        }));
        // The `bad` interface script appends nothing valid; append one point by hand
        // through a schema the VM knows, then reload before the step ends.
        let schema = rt.ts_schemas().get("host:syn_received").unwrap().clone();
        assert_eq!(schema.origin, "plugins/p/ts_schemas/min.lua");
        std::fs::write(
            dir.path().join("p/ts_schemas/5mins.lua"),
            "local s = require('ts_utils').newSchema('p:five', {step = 300})\ns:addTag('ifid')\ns:addMetric('v')\n",
        )
        .unwrap();
        let report = rt.reload();
        assert!(
            report
                .problems
                .iter()
                .all(|p| p.level != crate::Level::Error),
            "{:?}",
            report.problems
        );
        assert!(rt.ts_schemas().get("p:five").is_some());
        let mut w = sink.writer();
        weir_ts::TsWriter::append(&mut w, &schema, vec!["0".into(), "h".into()], vec![1.0], 60)
            .unwrap();
        weir_ts::TsWriter::end_step(&mut w).unwrap();
        rt.system_tick(Tick::Min, weir_decode::Timestamp::from_secs_nanos(120, 0));
        rt.end_timeseries_step();
        let out = String::from_utf8(rt.take_output()).unwrap();
        // Still writing after the reload: the reader script sees the driver.
        assert!(
            out.contains("query nil timeseries queries are off"),
            "{out}"
        );
        sink.flush(Duration::from_secs(10)).unwrap();
        assert_eq!(
            store.list_series("host:syn_received", &[]).unwrap().len(),
            1
        );
        sink.shutdown(Duration::from_secs(10)).unwrap();
    }
}
