//! Diagnostics shared by every part: the text of a Lua error with its location, the
//! location of the Lua caller, and API misuse records.

use mlua::Lua;

use crate::error::first_line;
use crate::state::CallState;

/// The first line of a Lua error, with the `<base>/<file>:line:` location when Lua
/// gave one (memory errors get the script's file). `base` is where the plugin's file
/// names start (its directory as given, or `builtin:<key>`,
/// [`crate::PluginSource::base`]); a location Lua cut short (`...tail.lua:3:`) is
/// given back in full.
pub(crate) fn error_text(e: &mlua::Error, base: &str, file: &str) -> String {
    let text = match e {
        mlua::Error::CallbackError { cause, .. } => return error_text(cause, base, file),
        mlua::Error::WithContext { cause, .. } => return error_text(cause, base, file),
        mlua::Error::MemoryError(_) => {
            return format!("{base}/{file}: memory limit exceeded (not enough memory)");
        }
        mlua::Error::RuntimeError(s) => first_line(s),
        mlua::Error::SyntaxError { message, .. } => first_line(message),
        other => return uncut(first_line(&other.to_string()), base, file),
    };
    uncut(text, base, file)
}

/// `text` with a location Lua shortened (`...` and the end of the chunk name)
/// replaced by `<base>/<file>` when it is the end of that name.
fn uncut(text: &str, base: &str, file: &str) -> String {
    let full = format!("{base}/{file}");
    let mut out = String::with_capacity(text.len() + full.len());
    let mut rest = text;
    while let Some(i) = rest.find("...") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 3..];
        let cut = after.find(".lua:").map(|j| &after[..j + 4]);
        match cut {
            Some(tail) if !tail.is_empty() && full.ends_with(tail) => {
                out.push_str(&full);
                rest = &after[tail.len()..];
            }
            _ => {
                out.push_str("...");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The file a Lua function comes from, in full (`@<base>/<file>` chunk names lose
/// their `@`; Lua's short form is cut at 60 characters). Empty for C functions.
pub(crate) fn chunk_file(src: &mlua::debug::DebugSource<'_>) -> String {
    match src.source.as_deref() {
        Some(s) if s.starts_with('@') => s[1..].to_owned(),
        _ => src
            .short_src
            .as_deref()
            .map(str::to_owned)
            .unwrap_or_default(),
    }
}

/// Where the plugin Lua code calling a Rust function is: `<base>/<file>:12` (frames
/// of weir's own modules, `=weir/…`, are skipped).
pub(crate) fn caller_location(lua: &Lua) -> String {
    for level in 1..4 {
        let loc = lua.inspect_stack(level, |d| {
            let src = d.source();
            let plugin = src.source.as_deref().is_some_and(|s| s.starts_with('@'));
            (plugin.then(|| chunk_file(&src)), d.current_line())
        });
        match loc {
            Some((Some(file), Some(line))) => return format!("{file}:{line}"),
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

#[cfg(test)]
mod uncut_tests {
    use super::uncut;

    #[test]
    fn restores_a_cut_location() {
        let base = "/long/path/to/the/plugins/of/someone/app_misconfiguration";
        let file = "user_scripts/interface/too_many_flows.lua";
        let cut = "...sconfiguration/user_scripts/interface/too_many_flows.lua:14: attempt";
        assert_eq!(uncut(cut, base, file), format!("{base}/{file}:14: attempt"));
        assert_eq!(uncut("wait... what", base, file), "wait... what");
        assert_eq!(
            uncut("...other/x.lua:1: e", base, file),
            "...other/x.lua:1: e"
        );
    }
}
