//! Reading list files (allow lists and other per-script lists; block lists are the engine's) from Lua without opening the sandbox:
//! `ntop.fileLastChange(path)` and `ntop.readListFile(path)`.
//!
//! A script may only name files that its **own current configuration** names: the
//! path must appear as a string somewhere in the `script_conf` table the running hook
//! was given (the default value, `scripts.toml`, or a per-entity override), so a
//! plugin cannot read arbitrary files, and an administrator decides what is read by
//! configuring the script. Only regular files are read (no directories, devices or
//! FIFOs), at most [`MAX_LIST_BYTES`]. A relative path is looked up in the working
//! directory (`weir run`: the data directory), then in the script's plugin directory
//! (lists shipped with a plugin, test fixtures).
//!
//! | function | returns |
//! | --- | --- |
//! | `ntop.fileLastChange(path)` | modification time (epoch seconds), or `-1` if the file is missing, not a regular file, or not named by the configuration |
//! | `ntop.readListFile(path)` | an array of the file's lines (line ends removed), and the modification time; or `nil` and a message |
//!
//! A path the configuration does not name is an API misuse (logged with the caller's
//! file:line, counted as a failure of the hook call); a missing or unreadable file is
//! not (the script gets `nil` and the reason, and decides how to report it).

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use mlua::{Lua, Table, Value};

use crate::diag::api_error;
use crate::state::CallRef;

/// Largest list file read (bigger ones: `nil, "too large"`).
pub const MAX_LIST_BYTES: u64 = 16 << 20;

/// How deep the configuration table is searched for the path.
const MAX_CONF_DEPTH: usize = 4;

/// How many configuration values are looked at, at most.
const MAX_CONF_VALUES: usize = 10_000;

fn named_in(t: &Table, path: &str, depth: usize, budget: &mut usize) -> bool {
    if depth > MAX_CONF_DEPTH {
        return false;
    }
    for (_, v) in t.pairs::<Value, Value>().flatten() {
        if *budget == 0 {
            return false;
        }
        *budget -= 1;
        match v {
            Value::String(s) if s.as_bytes().as_ref() == path.as_bytes() => return true,
            Value::Table(inner) if named_in(&inner, path, depth + 1, budget) => return true,
            _ => {}
        }
    }
    false
}

/// Why a path may not be read, or where it is.
enum Lookup {
    /// Not named by the running script's configuration (or no script is running).
    Denied(String),
    /// The candidate locations, in order.
    Paths(Vec<PathBuf>),
}

fn lookup(sh: &CallRef, path: &str, working_dir: &Path) -> Lookup {
    let Ok(s) = sh.try_borrow() else {
        return Lookup::Denied("not available here".into());
    };
    let Some(ctx) = &s.script else {
        return Lookup::Denied("called outside a user script hook".into());
    };
    let allowed = match &s.script_conf {
        Some((key, subdir, conf)) if *key == ctx.key && *subdir == ctx.subdir => {
            let mut budget = MAX_CONF_VALUES;
            named_in(conf, path, 0, &mut budget)
        }
        _ => false,
    };
    if !allowed {
        return Lookup::Denied(format!(
            "{path:?} is not named in the configuration of script {}",
            ctx.key
        ));
    }
    let p = Path::new(path);
    if p.is_absolute() {
        return Lookup::Paths(vec![p.to_path_buf()]);
    }
    Lookup::Paths(vec![working_dir.join(p), ctx.plugin_dir.join(p)])
}

/// Why no list file was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum FileError {
    /// None of the candidates exists.
    #[error("no such file")]
    NoSuchFile,
    /// A candidate exists but is a directory or a special file.
    #[error("{}: not a regular file", .0.display())]
    NotRegular(PathBuf),
}

/// The first candidate that is a regular file, with its modification time.
fn regular_file(paths: &[PathBuf]) -> Result<(PathBuf, i64), FileError> {
    let mut why = FileError::NoSuchFile;
    for p in paths {
        match std::fs::metadata(p) {
            Ok(m) if m.is_file() => {
                let mtime = m
                    .modified()
                    .ok()
                    .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                    .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
                return Ok((p.clone(), mtime));
            }
            Ok(_) => why = FileError::NotRegular(p.clone()),
            Err(_) => {}
        }
    }
    Err(why)
}

fn path_arg(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.to_string_lossy()),
        _ => None,
    }
}

/// Adds `fileLastChange` and `readListFile` to the `ntop` table.
pub(crate) fn install(
    lua: &Lua,
    ntop: &Table,
    sh: &CallRef,
    working_dir: &str,
) -> mlua::Result<()> {
    let wd = PathBuf::from(working_dir);
    let (sh1, wd1) = (sh.clone(), wd.clone());
    ntop.raw_set(
        "fileLastChange",
        lua.create_function(move |lua, v: Value| {
            let Some(path) = path_arg(&v) else {
                misuse(
                    lua,
                    &sh1,
                    "ntop.fileLastChange",
                    "argument #1: string expected",
                );
                return Ok(-1i64);
            };
            match lookup(&sh1, &path, &wd1) {
                Lookup::Denied(m) => {
                    misuse(lua, &sh1, "ntop.fileLastChange", &m);
                    Ok(-1)
                }
                Lookup::Paths(ps) => Ok(regular_file(&ps).map_or(-1, |(_, t)| t)),
            }
        })?,
    )?;
    let sh2 = sh.clone();
    ntop.raw_set(
        "readListFile",
        lua.create_function(move |lua, v: Value| {
            let fail = |m: String| Ok((Value::Nil, Value::String(lua.create_string(m)?)));
            let Some(path) = path_arg(&v) else {
                misuse(
                    lua,
                    &sh2,
                    "ntop.readListFile",
                    "argument #1: string expected",
                );
                return fail("argument #1: string expected".into());
            };
            let ps = match lookup(&sh2, &path, &wd) {
                Lookup::Denied(m) => {
                    misuse(lua, &sh2, "ntop.readListFile", &m);
                    return fail(m);
                }
                Lookup::Paths(ps) => ps,
            };
            let (file, mtime) = match regular_file(&ps) {
                Ok(x) => x,
                Err(m) => return fail(format!("{path}: {m}")),
            };
            let len = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
            if len > MAX_LIST_BYTES {
                return fail(format!(
                    "{path}: too large ({len} bytes, limit {MAX_LIST_BYTES})"
                ));
            }
            let bytes = match std::fs::read(&file) {
                Ok(b) => b,
                Err(e) => return fail(format!("{path}: {e}")),
            };
            let lines = lua.create_table()?;
            for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                lines.raw_set(i + 1, lua.create_string(line)?)?;
            }
            // A final newline does not start another line.
            if bytes.ends_with(b"\n") {
                let n = lines.raw_len();
                lines.raw_set(n, Value::Nil)?;
            }
            Ok((Value::Table(lines), Value::Integer(mtime)))
        })?,
    )?;
    Ok(())
}

fn misuse(lua: &Lua, sh: &CallRef, func: &str, msg: &str) {
    if let Ok(mut s) = sh.try_borrow_mut() {
        api_error(lua, &mut s, func, msg);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_found_nested_in_the_configuration() {
        let lua = Lua::new();
        let conf: Table = lua
            .load(r#"return { items = { "a.txt", "lists/b.txt" }, other = { deep = { "c" } }, n = 3 }"#)
            .eval()
            .unwrap();
        let mut b = MAX_CONF_VALUES;
        assert!(named_in(&conf, "lists/b.txt", 0, &mut b));
        let mut b = MAX_CONF_VALUES;
        assert!(named_in(&conf, "c", 0, &mut b));
        let mut b = MAX_CONF_VALUES;
        assert!(!named_in(&conf, "/etc/passwd", 0, &mut b));
        let mut b = MAX_CONF_VALUES;
        assert!(!named_in(&conf, "3", 0, &mut b), "numbers are not paths");
    }

    #[test]
    fn only_regular_files() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("list.txt");
        std::fs::write(&f, "10.0.0.1\n").unwrap();
        let missing = dir.path().join("missing.txt");
        assert!(regular_file(&[missing.clone(), f.clone()]).is_ok());
        assert!(
            regular_file(&[dir.path().to_path_buf()])
                .unwrap_err()
                .to_string()
                .contains("not a regular file")
        );
        assert_eq!(regular_file(&[missing]).unwrap_err(), FileError::NoSuchFile);
    }
}
