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
    /// The file as messages name it: `plugins/<plugin>/<file>`, or
    /// `builtin:<plugin>/<file>` for a plugin built into the binary.
    pub fn path(&self) -> String {
        match &self.origin {
            Some(o) => format!("{o}/{}", self.file),
            None => format!("plugins/{}/{}", self.plugin, self.file),
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

/// The chunk name of a plugin file (`@<base>/<file>`, the base being
/// `plugins/<plugin>` or `builtin:<plugin>`, [`crate::PluginSource::base`]): Lua
/// prefixes error messages with `<base>/<file>:<line>:`.
pub(crate) fn chunk_name(base: &str, file: &str) -> String {
    format!("@{base}/{file}")
}

/// Where plugin file locations start in Lua messages: plugin directories and
/// plugins built into the binary.
pub(crate) const LOCATION_PREFIXES: [&str; 2] = ["plugins/", "builtin:"];

/// First line of a Lua error message (drops mlua's traceback).
pub(crate) fn first_line(msg: &str) -> &str {
    let msg = msg.trim_start_matches("runtime error: ");
    let msg = msg.trim_start_matches("syntax error: ");
    msg.lines().next().unwrap_or("").trim()
}

/// Splits `plugins/<plugin>/<file>:<line>: message` into the line and the message when
/// the location is that file's.
pub(crate) fn split_location(plugin: &str, file: &str, msg: &str) -> (Option<u32>, String) {
    let first = first_line(msg);
    let found = LOCATION_PREFIXES.iter().find_map(|p| {
        let prefix = format!("{p}{plugin}/{file}:");
        first.find(&prefix).map(|i| &first[i + prefix.len()..])
    });
    if let Some(rest) = found
        && let Some((line, tail)) = rest.split_once(':')
        && let Ok(n) = line.parse::<u32>()
    {
        return (Some(n), tail.trim().to_owned());
    }
    (None, first.to_owned())
}

/// Finds the first `plugins/…:<line>` location in an error message.
pub(crate) fn find_location(msg: &str) -> Option<(String, u32)> {
    let first = first_line(msg);
    let start = LOCATION_PREFIXES
        .iter()
        .filter_map(|p| first.find(p))
        .min()?;
    let rest = &first[start..];
    let colon = rest.find(".lua:")? + 4;
    let file = &rest[..colon];
    let tail = &rest[colon + 1..];
    let digits: String = tail.chars().take_while(char::is_ascii_digit).collect();
    Some((file.to_owned(), digits.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations() {
        let m = "runtime error: plugins/p/user_scripts/flow/a.lua:12: boom\nstack traceback:";
        assert_eq!(
            split_location("p", "user_scripts/flow/a.lua", m),
            (Some(12), "boom".to_owned())
        );
        assert_eq!(
            find_location(m),
            Some(("plugins/p/user_scripts/flow/a.lua".to_owned(), 12))
        );
    }
}
