//! Plugins built into the binary (`PluginSource::embedded`, `ScriptConfig::sources`):
//! loaded beside the plugin directories, named `builtin:<key>` wherever a directory
//! would be, replaced by a plugin directory with their key or a script key, and kept
//! as they are by a reload.

use weir_decode::Timestamp;
use weir_script::{FlowHook, FlowView, Output, PluginSource, Runtime, ScriptConfig};

const HELLO: &str = r#"local script = { hooks = {}, gui = { i18n_title = "Hello", i18n_description = "Says hello" } }
function script.hooks.protocolDetected(now)
  io.write("hello ", flow.getInfo()["proto.l4"], "\n")
  if flow.getInfo()["srv.port"] == 81 then
    error("boom")
  end
end
return script
"#;

const BROKEN: &str = "local script = { hooks = {} }\n\nthis is not lua\nreturn script\n";

fn files() -> Vec<(&'static str, &'static [u8])> {
    vec![
        ("user_scripts/flow/hello.lua", HELLO.as_bytes()),
        ("user_scripts/flow/broken.lua", BROKEN.as_bytes()),
        // Not a plugin file: left out.
        ("README.md", b"# emb".as_slice()),
        ("user_scripts/flow/notes.txt", b"x".as_slice()),
    ]
}

fn view(port: u16) -> Box<FlowView> {
    let (key, cli_is_a) = weir_flow::FlowKey::new(
        0,
        6,
        ("10.0.0.1".parse().unwrap(), 40000),
        ("10.0.0.2".parse().unwrap(), port),
    );
    Box::new(FlowView::synthetic(key, cli_is_a, 1, Timestamp(1_000_000)))
}

#[test]
fn embedded_plugins_load_and_name_their_origin() {
    let (src, problems) = PluginSource::embedded("emb", files());
    assert!(problems.is_empty(), "{problems:?}");
    assert!(src.embedded);
    assert_eq!(src.base(), "builtin:emb");
    assert_eq!(
        src.files.keys().collect::<Vec<_>>(),
        [
            "user_scripts/flow/broken.lua",
            "user_scripts/flow/hello.lua"
        ]
    );

    let cfg = ScriptConfig {
        sources: vec![src],
        output: Output::Buffer,
        ..ScriptConfig::default()
    };
    let (mut rt, report) = Runtime::load(cfg).unwrap();
    assert_eq!(report.plugins.len(), 1);
    assert_eq!(report.plugins[0].dir, "builtin:emb");
    // A load error names the file inside the built-in plugin, with its line.
    let broken = report
        .problems
        .iter()
        .find(|p| p.file == "user_scripts/flow/broken.lua")
        .expect("broken.lua reported");
    assert_eq!(broken.line, Some(3), "{broken}");
    assert!(
        broken
            .to_string()
            .starts_with("error: builtin:emb/user_scripts/flow/broken.lua:3: "),
        "{broken}"
    );

    // Hooks run; a runtime error carries the built-in location and line.
    let _ = rt.dispatch_view(FlowHook::ProtocolDetected, Timestamp(1_000_000), view(80));
    assert_eq!(rt.take_output(), b"hello TCP\n");
    let _ = rt.dispatch_view(FlowHook::ProtocolDetected, Timestamp(2_000_000), view(81));
    let hello = rt.scripts().into_iter().find(|s| s.key == "hello").unwrap();
    let err = hello.last_error.unwrap();
    assert!(
        err.contains("builtin:emb/user_scripts/flow/hello.lua:5: boom"),
        "{err}"
    );

    // A reload keeps the built-in plugin as it is.
    let again = rt.reload();
    assert_eq!(again.plugins.len(), 1);
    assert_eq!(again.plugins[0].dir, "builtin:emb");
    rt.take_output();
    let _ = rt.dispatch_view(FlowHook::ProtocolDetected, Timestamp(3_000_000), view(80));
    assert_eq!(rt.take_output(), b"hello TCP\n");
}

#[test]
fn embedded_files_are_checked_like_files_on_disk() {
    let big = vec![b'-'; (1 << 20) + 1];
    let (src, problems) = PluginSource::embedded(
        "chk",
        [
            (
                "manifest.lua",
                b"return { title = 't', description = 'd', author = 'a' }".to_vec(),
            ),
            ("user_scripts/flow/big.lua", big),
            ("user_scripts/flow/bin.lua", vec![0xff, 0xfe]),
            ("../escape.lua", b"return 1".to_vec()),
            ("user_scripts/a/b/c/d/deep.lua", b"return 1".to_vec()),
            ("top.lua", b"return 1".to_vec()),
        ],
    );
    assert_eq!(src.files.keys().collect::<Vec<_>>(), ["manifest.lua"]);
    let texts: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        texts,
        [
            "error: builtin:chk/user_scripts/flow/big.lua: file larger than 1 MiB",
            "error: builtin:chk/user_scripts/flow/bin.lua: not UTF-8 text",
        ]
    );
}

const GOOD: &str = "local s = { hooks = {}, gui = { i18n_title = 't', i18n_description = 'd' } }\nfunction s.hooks.flowEnd(now) end\nreturn s\n";

fn plugin_dir(root: &std::path::Path, key: &str, script: &str) -> std::path::PathBuf {
    let flow = root.join(key).join("user_scripts/flow");
    std::fs::create_dir_all(&flow).unwrap();
    std::fs::write(flow.join(format!("{script}.lua")), GOOD).unwrap();
    root.join(key)
}

#[test]
fn a_plugin_directory_replaces_the_builtin_with_its_key_or_a_script_key() {
    let (src, _) = PluginSource::embedded("emb", files());
    let (other, _) =
        PluginSource::embedded("keep", [("user_scripts/flow/kept.lua", GOOD.as_bytes())]);
    let dir = tempfile::tempdir().unwrap();
    // Same plugin key.
    let same_key = plugin_dir(dir.path(), "emb", "other");
    let (found, problems) =
        weir_script::gather(&[src.clone(), other.clone()], &[dir.path().to_path_buf()]);
    assert!(problems.is_empty(), "{problems:?}");
    let keys: Vec<(&str, &str)> = found
        .iter()
        .map(|s| (s.key.as_str(), s.dir.to_str().unwrap()))
        .collect();
    assert_eq!(
        keys,
        [
            ("emb", same_key.to_str().unwrap()),
            ("keep", "builtin:keep")
        ]
    );
    assert_eq!(found[0].replaces, ["builtin:emb"]);

    // Another key, but one of the built-in's script keys (same subdirectory).
    let dir2 = tempfile::tempdir().unwrap();
    let mine = plugin_dir(dir2.path(), "mine", "hello");
    let cfg = ScriptConfig {
        sources: vec![src.clone(), other.clone()],
        roots: vec![dir2.path().to_path_buf()],
        output: Output::Buffer,
        ..ScriptConfig::default()
    };
    let (_rt, report) = Runtime::load(cfg).unwrap();
    let dirs: Vec<(&str, &str, &[String])> = report
        .plugins
        .iter()
        .map(|p| (p.key.as_str(), p.dir.as_str(), p.replaces.as_slice()))
        .collect();
    let replaced = ["builtin:emb".to_owned()];
    assert_eq!(
        dirs,
        [
            ("keep", "builtin:keep", [].as_slice()),
            ("mine", mine.to_str().unwrap(), replaced.as_slice()),
        ]
    );
    assert!(report.problems.is_empty(), "{:?}", report.problems);

    // Two plugin directories with one key: an error naming both, the second skipped.
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first = plugin_dir(a.path(), "dup", "x");
    let second = plugin_dir(b.path(), "dup", "y");
    let (found, problems) =
        weir_script::gather(&[], &[a.path().to_path_buf(), b.path().to_path_buf()]);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].dir, first);
    let texts: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        texts,
        [format!(
            "error: {}: duplicate plugin key `dup`: {} and {}; the second is skipped",
            second.display(),
            first.display(),
            second.display()
        )]
    );
}

#[test]
fn a_plugin_added_before_a_reload_replaces_the_builtin() {
    let (src, _) = PluginSource::embedded("emb", files());
    let dir = tempfile::tempdir().unwrap();
    let cfg = ScriptConfig {
        sources: vec![src],
        roots: vec![dir.path().to_path_buf()],
        output: Output::Buffer,
        ..ScriptConfig::default()
    };
    let (mut rt, report) = Runtime::load(cfg).unwrap();
    assert_eq!(report.plugins[0].dir, "builtin:emb");
    let mine = plugin_dir(dir.path(), "emb", "mine");
    let report = rt.reload();
    assert_eq!(report.plugins.len(), 1);
    assert_eq!(report.plugins[0].dir, mine.to_str().unwrap());
    assert_eq!(report.plugins[0].replaces, ["builtin:emb"]);
    let keys: Vec<String> = rt.scripts().into_iter().map(|s| s.key).collect();
    assert_eq!(keys, ["mine"]);
}
