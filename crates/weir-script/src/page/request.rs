//! Request input of a page: sanitised parameters, a `dofile` confined to the
//! plugin, and error locations.

use mlua::chunk::ChunkMode;
use mlua::{Function, Lua, MultiValue, Table, Value};

use crate::error::{Problem, chunk_name, find_location};
use crate::plugin::PluginSource;

use super::types::{FRAME_INCLUDES, MAX_PARAM_NAME, MAX_PARAM_VALUE, MAX_PARAMS, PageError};

/// A [`PageError`] from an error text: the first `plugins/…:line` it names, else the
/// page file.
pub(super) fn page_error(text: &str, page_file: &str) -> PageError {
    match find_location(text) {
        Some((file, line)) => {
            let prefix = format!("{file}:{line}:");
            let message = text
                .find(&prefix)
                .map(|i| text[i + prefix.len()..].trim().to_owned())
                .unwrap_or_else(|| text.to_owned());
            PageError {
                file,
                line: Some(line),
                message,
            }
        }
        None => {
            let prefix = format!("{page_file}:");
            PageError {
                file: page_file.to_owned(),
                line: None,
                message: text.strip_prefix(&prefix).unwrap_or(text).trim().to_owned(),
            }
        }
    }
}

/// `dofile(path)` for a page: the ntopng frame includes do nothing; a file of the
/// page's plugin (relative to the plugin directory, or absolute under it) runs in the
/// page's environment; anything else is refused.
pub(super) fn dofile_fn(lua: &Lua, src: &PluginSource, env: Table) -> mlua::Result<Function> {
    let files = src.files.clone();
    let key = src.key.clone();
    let base = src.base();
    let dir = src.dir.display().to_string();
    lua.create_function(move |lua, path: Value| {
        let Value::String(path) = path else {
            return Err(located(lua, "dofile: path (string) expected"));
        };
        let path = path.to_string_lossy();
        if path.starts_with('/') && FRAME_INCLUDES.iter().any(|i| path.ends_with(i)) {
            return Ok(MultiValue::new());
        }
        let rel = match path.strip_prefix(&format!("{dir}/")) {
            Some(r) => r.to_owned(),
            None => path.clone(),
        };
        if !safe_rel(&rel) {
            return Err(located(lua, format!(
                "dofile: {path:?}: only files of plugin {key} may be run (no absolute paths, no `..`)"
            )));
        }
        let Some(text) = files.get(&rel) else {
            return Err(located(lua, format!(
                "dofile: {path:?}: no such Lua file in plugin {key}"
            )));
        };
        lua.load(text.as_str())
            .set_name(chunk_name(&base, &rel))
            .set_mode(ChunkMode::Text)
            .set_environment(env.clone())
            .call::<MultiValue>(())
    })
}

/// A value a page may declare (media type, disposition): printable ASCII, no line
/// breaks, short.
pub(super) fn short_printable(v: &str) -> bool {
    !v.is_empty() && v.len() <= 256 && v.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// Sanitised request parameters: names `A-Z a-z 0-9 _ - . [ ]` (at most 64
/// characters), values without control characters or `< > " ' \``, at most 1024
/// characters, at most 64 parameters; a name given twice keeps its first value.
pub fn sanitize_params(raw: &[(String, String)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (k, v) in raw {
        if out.len() >= MAX_PARAMS {
            break;
        }
        let name_ok = !k.is_empty()
            && k.len() <= MAX_PARAM_NAME
            && k.bytes().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'[' | b']')
            });
        if !name_ok || out.iter().any(|(n, _)| n == k) {
            continue;
        }
        let value: String = v
            .chars()
            .filter(|c| !c.is_control() && !matches!(c, '<' | '>' | '"' | '\'' | '`'))
            .take(MAX_PARAM_VALUE)
            .collect();
        out.push((k.clone(), value));
    }
    out
}

pub(super) fn params(lua: &Lua, raw: &[(String, String)]) -> mlua::Result<Table> {
    let t = lua.create_table()?;
    for (k, v) in sanitize_params(raw) {
        t.raw_set(k, v)?;
    }
    Ok(t)
}

pub(super) fn lua_err(msg: impl Into<String>) -> mlua::Error {
    mlua::Error::RuntimeError(msg.into())
}

/// An error naming the Lua file and line that called the Rust function.
pub(super) fn located(lua: &Lua, msg: impl std::fmt::Display) -> mlua::Error {
    lua_err(format!("{}: {msg}", crate::diag::caller_location(lua)))
}

/// A Lua number or numeric string as an integer.
pub(super) fn int_of(v: &Value) -> Option<i64> {
    match v {
        Value::Integer(i) => Some(*i),
        Value::Number(n) if n.is_finite() => Some(*n as i64),
        Value::String(s) => s.to_str().ok()?.trim().parse().ok(),
        _ => None,
    }
}

pub(super) fn str_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.to_string_lossy()),
        _ => None,
    }
}

pub(super) fn table_of(v: Value) -> Option<Table> {
    match v {
        Value::Table(t) => Some(t),
        _ => None,
    }
}

/// A relative path without `..`, `.`, empty segments, backslashes or NULs.
pub(super) fn safe_rel(rel: &str) -> bool {
    !rel.is_empty()
        && !rel.starts_with('/')
        && !rel.contains('\\')
        && !rel.contains('\0')
        && rel
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != "..")
}

/// A page file name served at `/plugins/<name>`.
pub(super) fn servable_name(name: &str) -> bool {
    name.len() <= 128
        && name.ends_with(".lua")
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// The 1-based line where `field = ` is first assigned in `text` (any occurrence of
/// `field` when it is never assigned).
pub(super) fn line_of(text: &str, field: &str) -> Option<u32> {
    let assigned = text.lines().position(|l| {
        l.match_indices(field).any(|(i, _)| {
            let before = l[..i].chars().next_back();
            let after = l[i + field.len()..].trim_start();
            !before.is_some_and(|c| c.is_alphanumeric() || c == '_')
                && after.starts_with('=')
                && !after.starts_with("==")
        })
    });
    let line = match assigned {
        Some(n) => n,
        None => text.lines().position(|l| l.contains(field))?,
    };
    u32::try_from(line + 1).ok()
}

pub(super) fn problem(
    plugin: &str,
    file: &str,
    line: Option<u32>,
    msg: impl Into<String>,
) -> Problem {
    let mut p = Problem::error(plugin, file, msg);
    if p.line.is_none() {
        p.line = line;
    }
    p
}
