//! Shared fixtures.

use std::sync::Arc;
use std::time::Duration;

use weir_alerts::*;

/// Generous bound for anything a test waits for.
pub const WAIT: Duration = Duration::from_secs(60);

/// Packet time used by the fixtures.
pub const T0: u64 = 1_700_000_000;

pub fn registry() -> Arc<Registry> {
    let mut r = Registry::with_builtins();
    r.register_alert(
        AlertTypeDef {
            name: "alert_exe_download".into(),
            pen: 0,
            id: 32768,
            title: "EXE download".into(),
            description: None,
            icon: "fas fa-exclamation".into(),
            default_severity: None,
        },
        Origin::plugin(
            "exes_download",
            "plugins/exes_download/alert_definitions/alert_exe_download.lua",
        ),
    )
    .unwrap();
    Arc::new(r)
}

pub struct Db {
    pub dir: tempfile::TempDir,
    pub store: SqliteStore,
    pub sink: StoreSink,
}

pub fn db_with(config: SqliteConfig) -> Db {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open_dir(dir.path(), config).unwrap();
    let sink = StoreSink::spawn(&store, WriterConfig::default()).unwrap();
    Db { dir, store, sink }
}

pub fn db() -> Db {
    db_with(SqliteConfig::default())
}

pub fn engine_for(db: &Db) -> AlertEngine {
    let mut e = AlertEngine::new(EngineConfig::default(), registry());
    e.set_store(db.sink.sender());
    e
}

/// Flow alert number `i`: distinct 5-tuple, `info` = `i`.
pub fn flow_alert(i: u64) -> FlowAlert {
    let cli = format!("10.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255);
    let mut f = FlowAlert::new(
        AlertKey(32768),
        StatusKey(59),
        if i.is_multiple_of(2) {
            Severity::Error
        } else {
            Severity::Warning
        },
        T0 + i / 1000,
        6,
        (&cli, 40000 + (i % 20000) as u16),
        ("192.0.2.80", 80),
    );
    f.vlan_id = (i % 3) as u16;
    f.l7_proto = if i.is_multiple_of(4) { "HTTP" } else { "TLS" }.into();
    f.l7_master_proto = f.l7_proto.clone();
    f.proto_name = "TCP".into();
    f.cli2srv_bytes = 1000 + i;
    f.srv2cli_bytes = 50_000;
    f.score = 100;
    f.cli_score = 100;
    f.srv_score = 10;
    f.info = i.to_string();
    f.alert_json = format!(r#"{{"protos.http.last_url":"/file{i}.exe"}}"#);
    f
}

pub fn host_info(key: AlertKey, sev: Severity) -> TypeInfo {
    TypeInfo::new(key, sev).granularity(Granularity::Min)
}
