//! The `ts_utils` module: `append`, the reads, `delete`, and its setup.

use std::cell::RefCell;
use std::rc::Rc;

use mlua::{Lua, MultiValue, Table, Value};
use weir_ts::{Agg, FieldValue, Point, Query, SchemaRegistry, TopKQuery, TsQuery, TsWriter};

use crate::diag::api_error;
use crate::error::{Misuse, misuse};
use crate::state::CallRef;

use super::schema::{LuaSchema, new_schema, schema_arg, schema_name};
use super::state::{DELETE_TIMEOUT, MAX_QUERY_BUCKETS, TsRef, TsState};

fn field_value(key: &str, v: &Value) -> Result<FieldValue, Misuse> {
    match v {
        Value::Integer(i) => Ok(FieldValue::Number(*i as f64)),
        Value::Number(n) => Ok(FieldValue::Number(*n)),
        Value::String(s) => Ok(FieldValue::Text(s.to_string_lossy())),
        Value::Boolean(b) => Ok(FieldValue::Number(if *b { 1.0 } else { 0.0 })),
        other => Err(misuse!(
            "`{key}`: number or string expected, got {}",
            other.type_name()
        )),
    }
}

fn append(
    sh: &CallRef,
    ts: &TsRef,
    schema: &Value,
    fields: &Value,
    when: &Value,
) -> Result<bool, Misuse> {
    let Ok(mut st) = ts.try_borrow_mut() else {
        return Err("re-entered".into());
    };
    let schema = schema_arg(&mut st, schema)?;
    let Value::Table(t) = fields else {
        return Err(misuse!(
            "tags_and_metrics: table expected, got {}",
            fields.type_name()
        ));
    };
    let mut kv: Vec<(String, FieldValue)> = Vec::new();
    for pair in t.pairs::<Value, Value>() {
        let (k, v) = pair.map_err(|e| Misuse(e.to_string()))?;
        let Value::String(k) = k else {
            return Err(misuse!(
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
            return Err(misuse!(
                "timestamp: non-negative number expected, got {}",
                other.type_name()
            ));
        }
    };
    let point = Point::from_fields(&schema, kv, ts_secs).map_err(|e| Misuse(e.to_string()))?;
    let Some(w) = st.writer.as_mut() else {
        return Ok(false);
    };
    w.push(point).map_err(|e| Misuse(e.to_string()))?;
    Ok(true)
}

fn tag_filter(v: &Value) -> Result<Vec<(String, String)>, Misuse> {
    match v {
        Value::Nil => Ok(Vec::new()),
        Value::Table(t) => {
            let mut out = Vec::new();
            for pair in t.pairs::<Value, Value>() {
                let (k, v) = pair.map_err(|e| Misuse(e.to_string()))?;
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
                        return Err(misuse!(
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
        other => Err(misuse!("tags: table expected, got {}", other.type_name())),
    }
}

fn time_arg(v: &Value, what: &str) -> Result<Option<u64>, Misuse> {
    match v {
        Value::Nil => Ok(None),
        Value::Integer(i) => Ok(Some(u64::try_from(*i).unwrap_or(0))),
        Value::Number(n) if n.is_finite() => Ok(Some(n.max(0.0) as u64)),
        other => Err(misuse!(
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
fn query_table(lua: &Lua, q: &dyn TsQuery, query: &Query) -> Result<Table, Misuse> {
    let r = q.query(query).map_err(|e| Misuse(e.to_string()))?;
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
    let lerr = |e: mlua::Error| Misuse(e.to_string());
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

fn read(lua: &Lua, ts: &TsRef, kind: &Read, args: &MultiValue) -> Result<Value, Misuse> {
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
    let lerr = |e: mlua::Error| Misuse(e.to_string());
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
            let r = q.query(&query).map_err(|e| Misuse(e.to_string()))?;
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
                        .ok_or_else(|| misuse!("unknown timeseries schema `{name}`"))?
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
                .map_err(|e| Misuse(e.to_string()))?;
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
                .map_err(|e| Misuse(e.to_string()))?;
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
pub(crate) fn install(lua: &Lua, sh: &CallRef) -> mlua::Result<Table> {
    let ts: TsRef = Rc::new(RefCell::new(TsState {
        registry: SchemaRegistry::with_builtins(),
        pending: Vec::new(),
        writer: None,
        query: None,
        driver: "none",
        appends: [0; 2],
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
        lua.create_function(move |lua, (schema, fields, when): (Value, Value, Value)| {
            let r = append(&s, &t, &schema, &fields, &when);
            if let Ok(mut st) = t.try_borrow_mut() {
                st.appends[0] += 1;
                if !matches!(r, Ok(true)) {
                    st.appends[1] += 1;
                }
            }
            match r {
                Ok(b) => Ok(b),
                Err(msg) => {
                    if let Ok(mut sh) = s.try_borrow_mut() {
                        api_error(lua, &mut sh, "ts_utils.append", &msg.0);
                    }
                    Ok(false)
                }
            }
        })?,
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
                            api_error(lua, &mut sh, &qualified, &msg.0);
                        }
                        Ok((Value::Nil, Value::String(lua.create_string(&msg.0)?)))
                    }
                }
            })?,
        )?;
    }
    let (t, s) = (ts.clone(), sh.clone());
    m.raw_set(
        "delete",
        lua.create_function(move |lua, (prefix, tags): (Value, Value)| {
            let r = (|| -> Result<bool, Misuse> {
                let prefix = schema_name(&prefix)?;
                let tags = tag_filter(&tags)?;
                let mut w = match t.try_borrow_mut() {
                    Ok(mut st) => match st.writer.as_mut() {
                        Some(w) => {
                            w.end_step().map_err(|e| Misuse(e.to_string()))?;
                            w.clone()
                        }
                        None => return Ok(false),
                    },
                    Err(_) => return Err("re-entered".into()),
                };
                w.delete(&prefix, &tags, DELETE_TIMEOUT)
                    .map(|_| true)
                    .map_err(|e| Misuse(e.to_string()))
            })();
            match r {
                Ok(b) => Ok(b),
                Err(msg) => {
                    if let Ok(mut sh) = s.try_borrow_mut() {
                        api_error(lua, &mut sh, "ts_utils.delete", &msg.0);
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
    let driver = query_driver(lua, &ts)?;
    let t = ts.clone();
    m.raw_set(
        "getQueryDriver",
        lua.create_function(move |_, ()| {
            let on = t.try_borrow().is_ok_and(|st| st.writer.is_some());
            Ok(on.then(|| driver.clone()))
        })?,
    )?;
    Ok(m)
}

/// The driver object of `ts_utils.getQueryDriver()` (spec ntopng42-api.md §3, the
/// influxdb driver's monitoring methods), answered from the timeseries sink's
/// counters: `get_exported_points()` (points written), `get_dropped_points()`
/// (points lost: queue full, refused, failed writes), `get_exports()` (write
/// transactions), `get_health()` (`"green"`, `"yellow"` when points were dropped,
/// `"red"` when writes failed), `getInfluxdbVersion()` and `getDiskUsage()` (nil:
/// weir's sink does not ask the backend), `url` (nil).
fn query_driver(lua: &Lua, ts: &TsRef) -> mlua::Result<Table> {
    let d = lua.create_table()?;
    for name in [
        "get_exported_points",
        "get_dropped_points",
        "get_exports",
        "get_health",
        "getInfluxdbVersion",
        "getDiskUsage",
    ] {
        let t = ts.clone();
        d.raw_set(
            name,
            lua.create_function(move |lua, _self: mlua::Value| {
                let Some(st) = t
                    .try_borrow()
                    .ok()
                    .and_then(|s| s.writer.as_ref().map(|w| w.stats()))
                else {
                    return Ok(mlua::Value::Nil);
                };
                let dropped =
                    st.overflow + st.cardinality + st.out_of_order + st.invalid + st.failed;
                Ok(match name {
                    "get_exported_points" => mlua::Value::Integer(st.written as i64),
                    "get_dropped_points" => mlua::Value::Integer(dropped as i64),
                    "get_exports" => mlua::Value::Integer(st.writes as i64),
                    "get_health" => {
                        let h = if st.failed > 0 {
                            "red"
                        } else if dropped > 0 {
                            "yellow"
                        } else {
                            "green"
                        };
                        mlua::Value::String(lua.create_string(h)?)
                    }
                    _ => mlua::Value::Nil,
                })
            })?,
        )?;
    }
    Ok(d)
}
