//! Errors and load problems of the script runtime.

use std::fmt;
use std::path::PathBuf;

use serde::Serialize;

/// Errors of `weir-script` operations that cannot go on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A plugin root could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The path.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The Lua VM could not be set up (out of memory, …).
    #[error("Lua VM setup failed: {0}")]
    Vm(String),
}

impl From<mlua::Error> for Error {
    fn from(e: mlua::Error) -> Error {
        Error::Vm(e.to_string())
    }
}

/// A Lua API misuse (a bad argument, a call outside its hook): the text the script
/// author reads, with the caller's location added where it is logged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub(crate) struct Misuse(pub String);

impl From<String> for Misuse {
    fn from(msg: String) -> Misuse {
        Misuse(msg)
    }
}

impl From<&str> for Misuse {
    fn from(msg: &str) -> Misuse {
        Misuse(msg.to_owned())
    }
}

/// A Lua error while loading a plugin file: its first line, with the
/// `plugins/<plugin>/<file>:<line>` location when Lua gave one
/// ([`crate::diag::error_text`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub(crate) struct LuaFailure(pub String);

impl From<LuaFailure> for String {
    fn from(e: LuaFailure) -> String {
        e.0
    }
}

/// A [`Misuse`] with a formatted message.
macro_rules! misuse {
    ($($arg:tt)*) => {
        $crate::error::Misuse(format!($($arg)*))
    };
}
pub(crate) use misuse;

/// `Result` with [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// How bad a load problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// The file (or plugin) was not loaded.
    Error,
    /// Loaded, but something was ignored or defaulted.
    Warning,
}

/// A problem found while loading a plugin: always names the plugin and the file, and
/// the line when Lua knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Error or warning.
    pub level: Level,
    /// Plugin key.
    pub plugin: String,
    /// File, relative to the plugin directory (`user_scripts/flow/x.lua`).
    pub file: String,
    /// Line, when known.
    pub line: Option<u32>,
    /// What is wrong.
    pub message: String,
    /// Where the plugin comes from when it is not a directory (`builtin:<key>` for a
    /// plugin built into the binary): shown instead of `plugins/<key>`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

impl Problem {
    pub(crate) fn error(plugin: &str, file: &str, message: impl Into<String>) -> Problem {
        let message = message.into();
        let (line, message) = split_location(plugin, file, &message);
        Problem {
            level: Level::Error,
            plugin: plugin.to_owned(),
            file: file.to_owned(),
            line,
            message,
            origin: None,
        }
    }

    pub(crate) fn warning(plugin: &str, file: &str, message: impl Into<String>) -> Problem {
        Problem {
            level: Level::Warning,
            ..Problem::error(plugin, file, message)
        }
    }
}

impl Problem {
    /// The file as messages name it: `<plugin directory>/<file>` (the directory as
    /// the user gave it), or `builtin:<plugin>/<file>` for a plugin built into the
    /// binary; the directory alone when the problem is about the whole plugin.
    pub fn path(&self) -> String {
        let base = self.origin.as_deref().unwrap_or(&self.plugin);
        if self.file.is_empty() {
            base.to_owned()
        } else {
            format!("{base}/{}", self.file)
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lvl = match self.level {
            Level::Error => "error",
            Level::Warning => "warning",
        };
        let path = self.path();
        match self.line {
            Some(l) => write!(f, "{lvl}: {path}:{l}: {}", self.message),
            None => write!(f, "{lvl}: {path}: {}", self.message),
        }
    }
}

/// The chunk name of a plugin file (`@<base>/<file>`, the base being the plugin's
/// directory as the user gave it or `builtin:<plugin>`, [`crate::PluginSource::base`]):
/// Lua prefixes error messages with `<base>/<file>:<line>:` (cut to its last 56
/// characters when longer: [`crate::diag::error_text`] restores it).
pub(crate) fn chunk_name(base: &str, file: &str) -> String {
    format!("@{base}/{file}")
}

/// First line of a Lua error message (drops mlua's traceback).
pub(crate) fn first_line(msg: &str) -> &str {
    let msg = msg.trim_start_matches("runtime error: ");
    let msg = msg.trim_start_matches("syntax error: ");
    msg.lines().next().unwrap_or("").trim()
}

/// Splits `<dir>/<plugin>/<file>:<line>: message` (or `builtin:<plugin>/…`) into the
/// line and the message when the location is that file's.
pub(crate) fn split_location(plugin: &str, file: &str, msg: &str) -> (Option<u32>, String) {
    let first = first_line(msg);
    let needle = format!("{plugin}/{file}:");
    let found = first.find(&needle).and_then(|i| {
        // The plugin directory's own name, not the end of a longer one.
        let own = i == 0 || matches!(first.as_bytes().get(i - 1), Some(b'/' | b':'));
        own.then(|| &first[i + needle.len()..])
    });
    if let Some(rest) = found
        && let Some((line, tail)) = rest.split_once(':')
        && let Ok(n) = line.parse::<u32>()
    {
        return (Some(n), tail.trim().to_owned());
    }
    (None, first.to_owned())
}

/// Finds the first `<file>.lua:<line>` location in an error message: the file runs
/// from the start of the message or the previous space.
pub(crate) fn find_location(msg: &str) -> Option<(String, u32)> {
    let first = first_line(msg);
    let mut from = 0;
    while let Some(i) = first[from..].find(".lua:") {
        let end = from + i + 4;
        let digits: String = first[end + 1..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if let Ok(line) = digits.parse() {
            let start = first[..end].rfind(' ').map_or(0, |s| s + 1);
            return Some((first[start..end].to_owned(), line));
        }
        from = end;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations() {
        let m = "runtime error: my plugins/p/user_scripts/flow/a.lua:12: boom\nstack traceback:";
        assert_eq!(
            split_location("p", "user_scripts/flow/a.lua", m),
            (Some(12), "boom".to_owned())
        );
        assert_eq!(
            split_location(
                "p",
                "user_scripts/flow/a.lua",
                "x/zp/user_scripts/flow/a.lua:3: no"
            ),
            (None, "x/zp/user_scripts/flow/a.lua:3: no".to_owned())
        );
        assert_eq!(
            split_location(
                "p",
                "user_scripts/flow/a.lua",
                "builtin:p/user_scripts/flow/a.lua:3: b"
            ),
            (Some(3), "b".to_owned())
        );
        assert_eq!(
            find_location(m),
            Some(("plugins/p/user_scripts/flow/a.lua".to_owned(), 12))
        );
        assert_eq!(
            find_location("a.lua:x b.lua:7: c"),
            Some(("b.lua".to_owned(), 7))
        );
        assert_eq!(find_location("no location"), None);
    }
}
