//! Schema objects in Lua: `ts_utils.newSchema`, `schema:addTag`, `schema:addMetric`.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;

use mlua::{Lua, Table, UserData, UserDataFields, UserDataMethods, Value};
use weir_ts::{Agg, MetricKind, Schema};

use crate::diag::caller_location;
use crate::error::{Misuse, misuse};

use super::state::{Pending, TsRef, TsState};

/// A schema object in Lua: one being declared, or a registered one (redefinitions
/// and `getSchema` return the registered one; adding to it does nothing).
#[derive(Clone)]
pub(crate) enum LuaSchema {
    Pending(Rc<RefCell<Pending>>),
    Defined(Arc<Schema>),
}

impl LuaSchema {
    pub(crate) fn with<R>(&self, f: impl FnOnce(&Schema) -> R) -> R {
        match self {
            LuaSchema::Pending(p) => f(&p.borrow().schema),
            LuaSchema::Defined(s) => f(s),
        }
    }

    pub(crate) fn add(&self, lua: &Lua, name: &Value, tag: bool) -> mlua::Result<()> {
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
pub(crate) fn origin_of(loc: &str) -> String {
    match loc.rsplit_once(':') {
        Some((file, line)) if line.chars().all(|c| c.is_ascii_digit()) => file.to_owned(),
        _ => loc.to_owned(),
    }
}

pub(crate) fn opt_field(options: &Option<Table>, key: &str) -> mlua::Result<Value> {
    match options {
        Some(t) => t.get::<Value>(key),
        None => Ok(Value::Nil),
    }
}

pub(crate) fn new_schema(
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
pub(crate) fn schema_arg(ts: &mut TsState, v: &Value) -> Result<Arc<Schema>, Misuse> {
    ts.flush_pending();
    let name = match v {
        Value::String(s) => s.to_string_lossy(),
        Value::UserData(u) => match u.borrow::<LuaSchema>() {
            Ok(s) => s.with(|s| s.name.clone()),
            Err(_) => return Err("schema name or object expected".into()),
        },
        other => {
            return Err(misuse!("schema name expected, got {}", other.type_name()));
        }
    };
    ts.registry
        .get(&name)
        .cloned()
        .ok_or_else(|| misuse!("unknown timeseries schema `{name}`"))
}

pub(crate) fn schema_name(v: &Value) -> Result<String, Misuse> {
    match v {
        Value::String(s) => Ok(s.to_string_lossy()),
        Value::UserData(u) => u
            .borrow::<LuaSchema>()
            .map(|s| s.with(|s| s.name.clone()))
            .map_err(|_| "schema name or object expected".into()),
        other => Err(misuse!("schema name expected, got {}", other.type_name())),
    }
}
