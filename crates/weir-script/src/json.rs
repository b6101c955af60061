//! Lua values to and from JSON (`dkjson`, alert params).

use mlua::{Lua, Table, Value};
use serde_json::{Map, Number, Value as Json};

const MAX_DEPTH: usize = 32;

/// Converts a Lua value to JSON. Arrays are tables whose keys are exactly `1..n`;
/// other tables become objects with stringified keys. Functions, userdata, threads
/// and cycles deeper than 32 levels become `null`.
pub(crate) fn to_json(v: &Value) -> Json {
    to_json_depth(v, 0)
}

fn to_json_depth(v: &Value, depth: usize) -> Json {
    match v {
        Value::Nil => Json::Null,
        Value::Boolean(b) => Json::Bool(*b),
        Value::Integer(i) => Json::Number((*i).into()),
        Value::Number(n) => Number::from_f64(*n).map_or(Json::Null, Json::Number),
        Value::String(s) => Json::String(s.to_string_lossy()),
        Value::Table(t) if depth < MAX_DEPTH => table_to_json(t, depth),
        _ => Json::Null,
    }
}

fn table_to_json(t: &Table, depth: usize) -> Json {
    let len = t.raw_len();
    let mut count = 0usize;
    let mut entries: Vec<(Value, Value)> = Vec::new();
    // A `flow.getInfo()` table reads through to the hook call's shared one: its keys
    // count too, unless the table overwrote them.
    if let Some(shared) = crate::flow_api::info_shared(t) {
        for pair in shared.pairs::<Value, Value>() {
            let Ok((k, v)) = pair else { continue };
            if t.raw_get::<Value>(&k).is_ok_and(|own| own.is_nil()) {
                count += 1;
                entries.push((k, v));
            }
        }
    }
    for pair in t.pairs::<Value, Value>() {
        let Ok((k, v)) = pair else { continue };
        count += 1;
        entries.push((k, v));
    }
    if len > 0 && count == len {
        let mut arr = Vec::with_capacity(len);
        for i in 1..=len {
            arr.push(to_json_depth(
                &t.raw_get::<Value>(i).unwrap_or(Value::Nil),
                depth + 1,
            ));
        }
        return Json::Array(arr);
    }
    let mut m = Map::new();
    for (k, v) in entries {
        if matches!(
            v,
            Value::Function(_) | Value::UserData(_) | Value::Thread(_)
        ) {
            continue;
        }
        let key = match &k {
            Value::String(s) => s.to_string_lossy(),
            Value::Integer(i) => i.to_string(),
            Value::Number(n) => n.to_string(),
            Value::Boolean(b) => b.to_string(),
            _ => continue,
        };
        m.insert(key, to_json_depth(&v, depth + 1));
    }
    Json::Object(m)
}

/// [`to_json`] reading a table with the raw C API in one protected call (no Lua value
/// handle per field): the alert parameters every `flow.triggerStatus` converts. A
/// table with a metatable anywhere inside (a `flow.getInfo()` table reads through
/// its own) goes the generic way, so the result is the same either way.
pub(crate) fn to_json_fast(lua: &Lua, v: &Value) -> Json {
    let Value::Table(t) = v else {
        return to_json(v);
    };
    let mut out = None;
    // SAFETY: the closure runs in protected mode with `t` at stack index 1 and calls
    // only functions that neither raise errors nor allocate Lua memory (type checks,
    // `lua_next` with the keys it returned, raw reads, `lua_checkstack`), so it is
    // never unwound by a Lua error.
    #[allow(unsafe_code)]
    let r = unsafe {
        lua.exec_raw::<()>(t, |state| {
            out = raw::table(state, 1, 0);
        })
    };
    match (r, out) {
        (Ok(()), Some(j)) => j,
        _ => to_json(v),
    }
}

#[allow(unsafe_code)]
mod raw {
    //! The walk of [`super::to_json_fast`]: the rules of [`super::to_json_depth`].

    use mlua::ffi;
    use serde_json::{Map, Number, Value as Json};

    use super::MAX_DEPTH;

    unsafe fn bytes<'a>(state: *mut ffi::lua_State, idx: i32) -> &'a [u8] {
        let mut len = 0usize;
        // SAFETY (caller): a string at `idx` (no conversion, no allocation); the bytes
        // live while it stays on the stack, and are copied before it is popped.
        unsafe {
            let p = ffi::lua_tolstring(state, idx, &mut len);
            if p.is_null() {
                &[]
            } else {
                std::slice::from_raw_parts(p.cast::<u8>(), len)
            }
        }
    }

    /// The value at `idx`; `None`: a table with a metatable on the way.
    pub(super) unsafe fn value(state: *mut ffi::lua_State, idx: i32, depth: usize) -> Option<Json> {
        unsafe {
            Some(match ffi::lua_type(state, idx) {
                ffi::LUA_TBOOLEAN => Json::Bool(ffi::lua_toboolean(state, idx) != 0),
                ffi::LUA_TNUMBER => {
                    if ffi::lua_isinteger(state, idx) != 0 {
                        Json::Number(ffi::lua_tointeger(state, idx).into())
                    } else {
                        Number::from_f64(ffi::lua_tonumber(state, idx))
                            .map_or(Json::Null, Json::Number)
                    }
                }
                ffi::LUA_TSTRING => {
                    Json::String(String::from_utf8_lossy(bytes(state, idx)).into_owned())
                }
                ffi::LUA_TTABLE if depth < MAX_DEPTH => table(state, idx, depth)?,
                _ => Json::Null,
            })
        }
    }

    /// The table at `idx` (the stack is as found when this returns).
    pub(super) unsafe fn table(state: *mut ffi::lua_State, idx: i32, depth: usize) -> Option<Json> {
        unsafe {
            let idx = ffi::lua_absindex(state, idx);
            let base = ffi::lua_gettop(state);
            if ffi::lua_checkstack(state, 4) == 0 {
                return None;
            }
            if ffi::lua_getmetatable(state, idx) != 0 {
                ffi::lua_settop(state, base);
                return None;
            }
            let len = ffi::lua_rawlen(state, idx);
            let mut count = 0usize;
            ffi::lua_pushnil(state);
            while ffi::lua_next(state, idx) != 0 {
                count += 1;
                ffi::lua_pop(state, 1);
            }
            if len > 0 && count == len {
                let mut arr = Vec::with_capacity(len);
                for i in 1..=len {
                    ffi::lua_rawgeti(state, idx, i as ffi::lua_Integer);
                    let v = value(state, -1, depth + 1);
                    ffi::lua_settop(state, base);
                    arr.push(v?);
                }
                return Some(Json::Array(arr));
            }
            let mut m = Map::new();
            ffi::lua_pushnil(state);
            while ffi::lua_next(state, idx) != 0 {
                // Stack: key at -2, value at -1.
                let vt = ffi::lua_type(state, -1);
                if matches!(
                    vt,
                    ffi::LUA_TFUNCTION | ffi::LUA_TUSERDATA | ffi::LUA_TTHREAD
                ) {
                    ffi::lua_pop(state, 1);
                    continue;
                }
                let key = match ffi::lua_type(state, -2) {
                    ffi::LUA_TSTRING => String::from_utf8_lossy(bytes(state, -2)).into_owned(),
                    ffi::LUA_TNUMBER => {
                        if ffi::lua_isinteger(state, -2) != 0 {
                            ffi::lua_tointeger(state, -2).to_string()
                        } else {
                            ffi::lua_tonumber(state, -2).to_string()
                        }
                    }
                    ffi::LUA_TBOOLEAN => (ffi::lua_toboolean(state, -2) != 0).to_string(),
                    _ => {
                        ffi::lua_pop(state, 1);
                        continue;
                    }
                };
                let Some(v) = value(state, -1, depth + 1) else {
                    ffi::lua_settop(state, base);
                    return None;
                };
                m.insert(key, v);
                ffi::lua_pop(state, 1);
            }
            Some(Json::Object(m))
        }
    }
}

/// Converts JSON to a Lua value (`null` → nil).
pub(crate) fn to_lua(lua: &Lua, j: &Json) -> mlua::Result<Value> {
    if let Json::Object(o) = j {
        let mut buf = crate::rawtable::TableBuf::default();
        if record(&mut buf, o, 0) {
            let t = lua.create_table_with_capacity(0, o.len())?;
            buf.fill(lua, &t)?;
            return Ok(Value::Table(t));
        }
    }
    Ok(match j {
        Json::Null => Value::Nil,
        Json::Bool(b) => Value::Boolean(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Value::Integer(i),
            None => Value::Number(n.as_f64().unwrap_or(0.0)),
        },
        Json::String(s) => Value::String(lua.create_string(s)?),
        Json::Array(a) => {
            let t = lua.create_table_with_capacity(a.len(), 0)?;
            for (i, v) in a.iter().enumerate() {
                t.raw_set(i + 1, to_lua(lua, v)?)?;
            }
            Value::Table(t)
        }
        Json::Object(o) => {
            let t = lua.create_table_with_capacity(0, o.len())?;
            for (k, v) in o {
                t.raw_set(k.as_str(), to_lua(lua, v)?)?;
            }
            Value::Table(t)
        }
    })
}

/// Records object `o` into `buf` (one protected call fills the table) when every
/// value is a scalar, a list of strings or an object of such values, nested less
/// than the buffer's limit; false otherwise (the caller builds it field by field).
fn record(
    buf: &mut crate::rawtable::TableBuf,
    o: &serde_json::Map<String, Json>,
    depth: usize,
) -> bool {
    for (k, v) in o {
        match v {
            Json::Null => {}
            Json::Bool(b) => buf.bool(k, *b),
            Json::Number(n) => match n.as_i64() {
                Some(i) => buf.int(k, i),
                None => buf.float(k, n.as_f64().unwrap_or(0.0)),
            },
            Json::String(s) => buf.str(k, s),
            Json::Object(inner) => {
                if depth >= 6 {
                    return false;
                }
                buf.begin(k);
                if !record(buf, inner, depth + 1) {
                    return false;
                }
                buf.end();
            }
            Json::Array(a) => {
                let mut items = Vec::with_capacity(a.len());
                for x in a {
                    match x {
                        Json::String(s) => items.push(s.clone()),
                        _ => return false,
                    }
                }
                buf.list(k, &items);
            }
        }
    }
    true
}

/// The `dkjson` module: `encode(v)`, `decode(s)` (→ value, or nil + error message).
pub(crate) fn module(lua: &Lua) -> mlua::Result<Table> {
    let m = lua.create_table()?;
    m.set(
        "encode",
        lua.create_function(|_, v: Value| Ok(to_json(&v).to_string()))?,
    )?;
    m.set(
        "decode",
        lua.create_function(|lua, s: Value| {
            let Value::String(s) = s else {
                return Ok((Value::Nil, Some("decode: string expected".to_owned())));
            };
            match serde_json::from_slice::<Json>(&s.as_bytes()) {
                Ok(j) => Ok((to_lua(lua, &j)?, None)),
                Err(e) => Ok((Value::Nil, Some(e.to_string()))),
            }
        })?,
    )?;
    m.set("null", Value::NULL)?;
    m.set("version", "dkjson 2.5 (weir, serde_json)")?;
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The raw walk gives what the generic conversion gives, for every kind of table
    /// (and falls back to it for tables with metatables).
    #[test]
    fn the_fast_conversion_agrees_with_the_generic_one() {
        let lua = Lua::new();
        let cases = [
            "{}",
            "{ 1, 2, 3 }",
            "{ 'a', { b = 1.5, c = { true, false } }, 3 }",
            "{ cli_ip = '10.0.0.1', srv_port = 443, score = 0.25, ok = true, none = nil }",
            "{ [1] = 'x', [3] = 'y' }",
            "{ [1] = 'x', n = 2 }",
            "{ [2.5] = 'f', [true] = 'b', [10] = 'i', s = print, u = coroutine.create(print) }",
            "{ nan = 0/0, inf = 1/0, neg = -3, big = math.maxinteger }",
            "{ f = print, 'keep' }",
            "{ bytes = '\\xff\\xfeok' }",
            "(function() local t = {} local c = t for i = 1, 40 do c.n = {} c = c.n end return t end)()",
            "(function() local t = { 1 } t[2] = t return t end)()",
            "{ inner = setmetatable({ a = 1 }, { __index = { b = 2 } }) }",
            "setmetatable({ a = 1 }, { __index = { b = 2 } })",
            "{ print, 2 }",
        ];
        for src in cases {
            let v: Value = lua.load(format!("return {src}")).eval().unwrap();
            assert_eq!(to_json_fast(&lua, &v), to_json(&v), "{src}");
        }
    }

    #[test]
    fn objects_come_back_the_same_through_lua() {
        let lua = Lua::new();
        for text in [
            r#"{"cli_ip":"10.0.0.1","srv_port":53,"ratio":0.25,"ok":true,"gone":null}"#,
            r#"{"a":{"b":{"c":"deep","n":-7},"list":["x","y"]},"one":["z"]}"#,
            // Not for the one-call path: mixed lists and numbers in lists.
            r#"{"mixed":[1,"two",{"three":3}],"nums":[1,2,3]}"#,
            r#"{"big":18446744073709551615}"#,
        ] {
            let j: Json = serde_json::from_str(text).unwrap();
            let v = to_lua(&lua, &j).unwrap();
            let back = to_json(&v);
            let mut want = j.clone();
            // Lua has no null; a u64 past i64 is a float.
            if let Json::Object(o) = &mut want {
                o.retain(|_, v| !v.is_null());
                if let Some(b) = o.get_mut("big") {
                    *b = serde_json::json!(18446744073709551615.0f64);
                }
            }
            assert_eq!(back, want, "{text}");
        }
    }

    #[test]
    fn too_deep_objects_are_built_field_by_field() {
        let lua = Lua::new();
        let mut j = serde_json::json!({"leaf": 1});
        for _ in 0..12 {
            j = serde_json::json!({ "n": j });
        }
        let v = to_lua(&lua, &j).unwrap();
        assert_eq!(to_json(&v), j);
    }
}
