//! Plugins built into the binary (`PluginSource::embedded`, `ScriptConfig::sources`):
//! loaded beside the plugin directories, named `builtin:<key>` wherever a directory
//! would be, first in line for a key, and kept as they are by a reload.

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
    assert_eq!(src.label(), "builtin:emb");
    assert_eq!(
        src.files.keys().collect::<Vec<_>>(),
        [
            "user_scripts/flow/broken.lua",
            "user_scripts/flow/hello.lua"
        ]
    );

    // A plugin directory with the same key comes second: skipped and reported.
    let dir = tempfile::tempdir().unwrap();
    let flow = dir.path().join("emb/user_scripts/flow");
    std::fs::create_dir_all(&flow).unwrap();
    std::fs::write(flow.join("other.lua"), "return { hooks = {} }").unwrap();

    let cfg = ScriptConfig {
        sources: vec![src],
        roots: vec![dir.path().to_path_buf()],
        output: Output::Buffer,
        ..ScriptConfig::default()
    };
    let (mut rt, report) = Runtime::load(cfg).unwrap();
    assert_eq!(report.plugins.len(), 1);
    assert_eq!(report.plugins[0].dir, "builtin:emb");
    let texts: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
    assert!(
        texts.iter().any(|t| t.starts_with(&format!(
            "error: plugins/emb/: duplicate plugin key: builtin:emb and {}",
            dir.path().join("emb").display()
        ))),
        "{texts:#?}"
    );
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
