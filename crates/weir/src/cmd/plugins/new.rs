//! `weir plugins new NAME [--dir DIR]`: a working plugin to start from — manifest, a
//! flow user script with a GUI and a configurable threshold, an alert and a status
//! definition, an English locale, a test case — and the golden file of its test case.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result, bail};

/// Arguments of `weir plugins new`.
#[derive(clap::Args)]
pub struct NewArgs {
    /// Plugin key: lower-case letters, digits and `_`, starting with a letter.
    pub name: String,
    /// Directory the plugin directory is created in.
    #[arg(long, default_value = "plugins")]
    pub dir: PathBuf,
    /// Author written in the manifest.
    #[arg(long, default_value = "me")]
    pub author: String,
}

/// Checks a plugin key: it names the directory, the locale namespace and the
/// definitions (`alert_<name>`, `status_<name>`), so it must be a plain identifier.
fn check_name(name: &str) -> Result<()> {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
    let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if name.is_empty() || !first_ok || !rest_ok || name.len() > 48 || name.ends_with('_') {
        bail!(
            "bad plugin name {name:?}: use lower-case letters, digits and `_`, starting with a \
             letter, at most 48 characters (e.g. `big_http_flows`)"
        );
    }
    Ok(())
}

/// The first `alert_user_0N` / `status_user_0N` pair no plugin in `roots` mentions, so
/// the new plugin loads beside them (keys must be unique); the last one when all are
/// taken (with a warning).
fn free_user_key(roots: &[PathBuf], builtin: &[weir_script::PluginSource]) -> (u8, bool) {
    fn scan(dir: &Path, depth: usize, text: &mut String) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() && depth < 6 {
                scan(&p, depth + 1, text);
            } else if p.extension().is_some_and(|x| x == "lua")
                && let Ok(t) = std::fs::read_to_string(&p)
            {
                text.push_str(&t);
            }
        }
    }
    let mut text = String::new();
    for r in roots {
        scan(r, 0, &mut text);
    }
    for src in builtin {
        text.extend(src.files.values().map(String::as_str));
    }
    for n in 1..=5u8 {
        if !text.contains(&format!("alert_user_0{n}"))
            && !text.contains(&format!("status_user_0{n}"))
        {
            return (n, true);
        }
    }
    (5, false)
}

fn files(name: &str, author: &str, key: u8) -> Vec<(String, String)> {
    let title = name.replace('_', " ");
    vec![
        (
            "manifest.lua".into(),
            format!(
                r#"-- The plugin's identity (spec plugins.md §3). The directory name, `{name}`, is its key.
return {{
   title = "{title}",
   description = "Flags HTTP flows that move more bytes than a threshold (a starting point: change it)",
   author = "{author}",
   dependencies = {{}},
}}
"#
            ),
        ),
        (
            format!("user_scripts/flow/{name}.lua"),
            format!(
                r#"-- A flow user script: runs at the end of every HTTP flow and flags the ones that
-- moved more than `max_bytes` (configurable: `weir scripts set flow/{name} max_bytes N`).
local user_scripts = require("user_scripts")
local flow_consts = require("flow_consts")

local script = {{
   category = user_scripts.script_categories.network,

   -- Filters applied before entering Lua: only HTTP flows reach the hooks.
   l7_proto = "HTTP",

   default_enabled = true,

   -- The `conf` argument of the hooks (and what `weir scripts set` changes).
   default_value = {{ max_bytes = 4096 }},

   hooks = {{}},

   gui = {{
      i18n_title = "{name}.title",
      i18n_description = "{name}.description",
   }},
}}

-- Called once per flow, at its last visit.
function script.hooks.flowEnd(now, conf)
   local bytes = flow.getBytes()
   local max_bytes = conf.max_bytes or 4096

   if bytes > max_bytes then
      local status = flow_consts.status_types.status_{name}
      local info = {{
         bytes = bytes,
         max_bytes = max_bytes,
         url = flow.getHTTPInfo()["protos.http.last_url"],
      }}

      -- Sets the status bit (flow score 50, client score 20, server score 0) and
      -- nominates it for the flow's alert.
      flow.triggerStatus(status.create(status.alert_severity, info), 50, 20, 0)
   end
end

return script
"#
            ),
        ),
        (
            format!("alert_definitions/alert_{name}.lua"),
            format!(
                r#"-- An alert type (spec plugins.md §8): its name is the file name.
local alert_keys = require("alert_keys")

return {{
   alert_key = alert_keys.user.alert_user_0{key},
   i18n_title = "{name}.alert_title",
   icon = "fas fa-exclamation",

   creator = function(severity, info)
      return {{ alert_severity = severity, alert_type_params = info }}
   end,
}}
"#
            ),
        ),
        (
            format!("status_definitions/status_{name}.lua"),
            format!(
                r#"-- A flow status (spec plugins.md §9): its name is the file name; setting it raises
-- the alert type it names.
local alert_consts = require("alert_consts")
local flow_keys = require("flow_keys")

return {{
   status_key = flow_keys.user.status_user_0{key},
   alert_severity = alert_consts.alert_severities.warning,
   alert_type = alert_consts.alert_types.alert_{name},
   i18n_title = "{name}.status_title",
}}
"#
            ),
        ),
        (
            "locales/en.lua".into(),
            format!(
                r#"-- English strings, reached as i18n("{name}.<key>").
return {{
   title = "Big HTTP flows",
   description = "HTTP flows that move more bytes than the threshold",
   alert_title = "Big HTTP flow",
   status_title = "Big HTTP flow",
}}
"#
            ),
        ),
        (
            "tests/default.toml".into(),
            r#"# A test case: `weir plugins test <this plugin>` replays this generated traffic
# with only this plugin and compares what it does with default.ndjson
# (`--update` rewrites it). Format: docs/plugins/testing.md.
description = "HTTP flows above the default threshold"

[capture]
flows = 200
seed = 1

[engine]
local_networks = ["192.168.0.0/16", "10.0.0.0/8"]
"#
            .into(),
        ),
        (
            "tests/small_threshold.toml".into(),
            format!(
                r#"description = "a lower threshold in the script settings flags more flows"

[capture]
flows = 200
seed = 1

[engine]
local_networks = ["192.168.0.0/16", "10.0.0.0/8"]

[scripts.script."flow/{name}"]
conf.all = {{ max_bytes = 1000 }}
"#
            ),
        ),
    ]
}

/// Creates the plugin, then runs its test cases once with `--update`.
///
/// # Errors
/// A bad name, an existing directory, a file that cannot be written.
pub(super) fn new_plugin(a: &NewArgs) -> Result<ExitCode> {
    check_name(&a.name)?;
    let dir = a.dir.join(&a.name);
    if dir.exists() {
        bail!(
            "{} already exists: choose another name or remove it first",
            dir.display()
        );
    }
    if a.author.contains(['"', '\\', '\n']) {
        bail!("--author: quotes, backslashes and newlines are not allowed");
    }
    let roots = vec![a.dir.clone()];
    let (builtin, _) = weir_pipeline::builtin::sources();
    let (key, free) = free_user_key(&roots, &builtin);
    if !free {
        eprintln!(
            "weir: warning: every user alert/status key (alert_user_01..05) is used by a plugin \
             under {} or among the built-in plugins; the new plugin uses 05: change its definitions before loading both",
            roots
                .iter()
                .map(|r| r.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    for (rel, text) in files(&a.name, &a.author, key) {
        let path = dir.join(&rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("{}: cannot create", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("{}: cannot write", path.display()))?;
        crate::out::outln!("created {}", path.display());
    }
    let test = super::TestArgs {
        dirs: vec![dir.clone()],
        pcap: Vec::new(),
        expect: None,
        update: true,
        local_net: Vec::new(),
        reload_at: None,
        script_output_stderr: false,
        data_dir: None,
        cases: Vec::new(),
    };
    let code = super::cases::run_all(&test)?;
    if code != ExitCode::SUCCESS {
        bail!(
            "the new plugin's test cases did not pass; see above ({} is left as created)",
            dir.display()
        );
    }
    crate::out::outln!(
        "\nnext: edit {0}/user_scripts/flow/{1}.lua, then `weir plugins check {0}` and \
         `weir plugins test {0}` (add --update when the change is intended; docs/plugins/testing.md)",
        dir.display(),
        a.name
    );
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for good in ["a", "big_http_flows", "x2", "dns_v6_check"] {
            assert!(check_name(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "Big",
            "2x",
            "my-plugin",
            "a/b",
            "..",
            "x_",
            "é",
            &"a".repeat(49),
        ] {
            let e = check_name(bad).unwrap_err().to_string();
            assert!(e.contains("bad plugin name"), "{bad}: {e}");
        }
    }
}
