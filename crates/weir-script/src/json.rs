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
