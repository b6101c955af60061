//! Diagnostics shared by every part: the text of a Lua error with its location, the
//! location of the Lua caller, and API misuse records.

use mlua::Lua;

use crate::error::first_line;
use crate::state::CallState;

/// The first line of a Lua error, with the `plugins/…:line:` location when Lua gave
/// one (memory errors get the script's file). `base` is where the plugin's file
/// names start (`plugins/<key>` or `builtin:<key>`, [`crate::PluginSource::base`]).
pub(crate) fn error_text(e: &mlua::Error, base: &str, file: &str) -> String {
    match e {
        mlua::Error::CallbackError { cause, .. } => error_text(cause, base, file),
        mlua::Error::WithContext { cause, .. } => error_text(cause, base, file),
        mlua::Error::MemoryError(_) => {
            format!("{base}/{file}: memory limit exceeded (not enough memory)")
        }
        mlua::Error::RuntimeError(s) => first_line(s).to_owned(),
        mlua::Error::SyntaxError { message, .. } => first_line(message).to_owned(),
        other => first_line(&other.to_string()).to_owned(),
    }
}

/// Where the Lua code calling a Rust function is: `plugins/p/file.lua:12`.
pub(crate) fn caller_location(lua: &Lua) -> String {
    for level in 1..4 {
        let loc = lua.inspect_stack(level, |d| {
            let src = d.source();
            let file = src.short_src.map(|s| s.into_owned()).unwrap_or_default();
            (file, d.current_line())
        });
        match loc {
            Some((file, Some(line)))
                if crate::error::LOCATION_PREFIXES
                    .iter()
                    .any(|p| file.starts_with(p)) =>
            {
                return format!("{file}:{line}");
            }
            Some(_) => continue,
            None => break,
        }
    }
    "?".to_owned()
}

/// Records an API misuse (wrong argument, call outside a hook): logged with the
/// caller's file:line and counted against the running script, which gets nil back
/// (ntopng's behaviour: such calls never raise).
pub(crate) fn api_error(lua: &Lua, s: &mut CallState, func: &str, msg: &str) {
    let loc = caller_location(lua);
    let text = format!("{loc}: {func}: {msg}");
    tracing::debug!(target: "weir_script", error = %text, "bad Lua API call");
    if s.api_errors.len() < 16 {
        s.api_errors.push(text);
    }
}
