//! Endpoint configurations and recipients of `weir.toml`, the data directory and
//! `builtin` endpoint modules, validated against the modules' parameters.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use weir_pipeline::config::Config;
use weir_pipeline::recipients::{NewEndpointConf, NewRecipient, Origin, Recipients};
use weir_script::EndpointAlertSinks;

const CHAT: &str = r#"
local ep = { name = "Chat", EXPORT_FREQUENCY = 5,
  conf_params = { { param_name = "api_url" }, { param_name = "token", optional = true } },
  recipient_params = { { param_name = "channel" } } }
function ep.dequeueRecipientAlerts() return { success = true, more_available = false } end
function ep.runTest(r) return true, "channel " .. r.recipient_params.channel end
return ep
"#;

fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/ntopng42-plugins");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("SKIPPED: {} not found", p.display());
        None
    }
}

fn chat_plugin(dir: &Path) -> PathBuf {
    let p = dir.join("chat");
    std::fs::create_dir_all(p.join("alert_endpoints")).unwrap();
    std::fs::write(p.join("alert_endpoints/chat.lua"), CHAT).unwrap();
    p
}

fn load(dir: &Path, toml: &str) -> Config {
    let path = dir.join("weir.toml");
    std::fs::write(&path, toml).unwrap();
    Config::load(&path).unwrap()
}

fn start(cfg: &Config) -> anyhow::Result<Arc<Recipients>> {
    Recipients::start(
        cfg,
        EndpointAlertSinks::default(),
        Arc::new(|_: &str, _: &str| None),
    )
}

fn toml(data: &Path, plugins: &[&Path], rest: &str) -> String {
    let dirs: Vec<String> = plugins
        .iter()
        .map(|p| format!("{:?}", p.display().to_string()))
        .collect();
    format!(
        "data_dir = {:?}\n[plugins]\nbuiltin = false\ndirs = [{}]\n{rest}",
        data.display().to_string(),
        dirs.join(", ")
    )
}

#[test]
fn recipients_from_the_config_and_the_api_are_validated_and_kept() {
    let dir = tempfile::tempdir().unwrap();
    let chat = chat_plugin(dir.path());
    let text = toml(
        dir.path(),
        &[&chat],
        r#"[alerts]
[[alerts.endpoint_configs]]
name = "chat-main"
endpoint = "chat"
conf_params = { api_url = "http://127.0.0.1:9/", colour = "blue" }
[[alerts.recipients]]
name = "ops"
endpoint_config = "chat-main"
recipient_params = { channel = "@ops" }
minimum_severity = "warning"
user_script_categories = ["security", "4"]
"#,
    );
    let cfg = load(dir.path(), &text);
    let r = start(&cfg).unwrap();
    let types = r.types();
    assert_eq!(types.len(), 1);
    assert_eq!(types[0].recipient_params[0].name, "channel");
    let confs = r.set().confs();
    // Unknown parameters are dropped.
    assert_eq!(confs[0].params.keys().collect::<Vec<_>>(), ["api_url"]);
    let recs = r.set().recipients();
    assert_eq!(recs.len(), 1);
    assert_eq!((recs[0].id, recs[0].categories.clone()), (0, vec![1, 4]));
    assert_eq!(r.origin("recipient:ops"), Some(Origin::Config));
    assert_eq!(r.test(0).unwrap(), (true, "channel @ops".into()));

    // Over the API: lowest free id, validated, kept in the data directory.
    let err = r
        .add_recipient(NewRecipient {
            name: "nochannel".into(),
            endpoint_config: "chat-main".into(),
            recipient_params: Default::default(),
            minimum_severity: None,
            user_script_categories: vec![],
        })
        .unwrap_err();
    assert!(
        format!("{err:#}").contains("missing mandatory parameter \"channel\""),
        "{err:#}"
    );
    let c = r
        .add_conf(NewEndpointConf {
            name: "chat-2".into(),
            endpoint: "chat".into(),
            conf_params: [("api_url".to_owned(), "http://127.0.0.1:9/".to_owned())].into(),
        })
        .unwrap();
    assert_eq!(c.name, "chat-2");
    let added = r
        .add_recipient(NewRecipient {
            name: "night".into(),
            endpoint_config: "chat-2".into(),
            recipient_params: [("channel".to_owned(), "@night".to_owned())].into(),
            minimum_severity: Some("error".into()),
            user_script_categories: vec![],
        })
        .unwrap();
    assert_eq!(added.id, 1);
    assert!(r.delete_recipient(0).is_err(), "weir.toml recipients stay");
    assert!(r.delete_conf("chat-2").is_err(), "in use");
    r.shutdown();

    let r = start(&cfg).unwrap();
    let recs = r.set().recipients();
    assert_eq!(recs.len(), 2);
    assert_eq!(r.origin("recipient:night"), Some(Origin::Api));
    assert_eq!(r.test(1).unwrap(), (true, "channel @night".into()));
    r.delete_recipient(1).unwrap();
    r.delete_conf("chat-2").unwrap();
    r.shutdown();
    let r = start(&cfg).unwrap();
    assert_eq!(r.set().recipients().len(), 1);
    r.shutdown();
}

#[test]
fn a_recipient_missing_a_mandatory_parameter_is_refused_naming_file_and_recipient() {
    let dir = tempfile::tempdir().unwrap();
    let chat = chat_plugin(dir.path());
    let text = toml(
        dir.path(),
        &[&chat],
        r#"[alerts]
[[alerts.endpoint_configs]]
name = "chat-main"
endpoint = "chat"
conf_params = { api_url = "http://127.0.0.1:9/" }
[[alerts.recipients]]
name = "ops"
endpoint_config = "chat-main"
"#,
    );
    let cfg = load(dir.path(), &text);
    let err = format!("{:#}", start(&cfg).unwrap_err());
    assert!(err.contains("weir.toml: recipient \"ops\""), "{err}");
    assert!(
        err.contains("missing mandatory parameter \"channel\""),
        "{err}"
    );

    let text = toml(
        dir.path(),
        &[&chat],
        "[alerts]\n[[alerts.endpoint_configs]]\nname = \"x\"\nendpoint = \"pager\"\n",
    );
    let err = format!("{:#}", start(&load(dir.path(), &text)).unwrap_err());
    assert!(
        err.contains("endpoint config \"x\"") && err.contains("no endpoint module `pager`"),
        "{err}"
    );
}

#[test]
fn ntopng42_sqlite_gets_its_builtin_recipient_and_webhook_waits_for_one() {
    let Some(shared) = shared() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let text = toml(
        dir.path(),
        &[
            &shared.join("sqlite_alert_endpoint"),
            &shared.join("webhook_alert_endpoint"),
        ],
        "",
    );
    let cfg = load(dir.path(), &text);
    let r = start(&cfg).unwrap();
    let mut keys: Vec<String> = r.types().into_iter().map(|t| t.key).collect();
    keys.sort();
    assert_eq!(keys, ["sqlite", "webhook"]);
    let recs = r.set().recipients();
    assert_eq!(recs.len(), 1, "{recs:?}");
    assert_eq!(recs[0].name, "builtin_recipient_sqlite");
    assert_eq!(
        r.origin("recipient:builtin_recipient_sqlite"),
        Some(Origin::Builtin)
    );
    let conf = r.set().confs().into_iter().find(|c| c.builtin).unwrap();
    assert_eq!(conf.name, "builtin_config_sqlite");
    let table = recs[0].lua_table(&conf);
    assert_eq!(table["endpoint_conf"]["builtin"], true);
    assert_eq!(table["minimum_severity"], 3);
    // A round with an internal alert of a type it does not know: popped, logged.
    weir_alerts::push_internal_alert(serde_json::json!({"alert_type": "weir_test_unknown"}));
    r.flush();
    assert!(weir_alerts::pop_internal_alert().is_none());
    // runTest of the 4.2 sqlite endpoint: "Not implemented".
    assert_eq!(r.test(0).unwrap(), (false, "Not implemented".into()));
    r.shutdown();
}
