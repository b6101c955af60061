//! SQLite store: schema, queries, counts, retention, lifecycle across restarts, volume.

use std::time::Instant;

use rusqlite::Connection;
use weir_alerts::*;

use crate::common::*;

#[test]
fn schema_is_versioned_in_wal_mode_and_newer_schemas_are_refused() {
    let d = db();
    assert_eq!(d.store.schema_version().unwrap(), 2);
    let path = d.store.path().to_owned();
    d.sink.shutdown(WAIT).unwrap();
    let conn = Connection::open(&path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let vacuum: i64 = conn
        .query_row("PRAGMA auto_vacuum", [], |r| r.get(0))
        .unwrap();
    assert_eq!(vacuum, 2, "auto_vacuum=INCREMENTAL");
    // Reopening is a no-op migration.
    drop(SqliteStore::open(&path, SqliteConfig::default()).unwrap());
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = SqliteStore::open(&path, SqliteConfig::default()).unwrap_err();
    assert!(
        matches!(err, Error::SchemaTooNew { found: 99, .. }),
        "{err}"
    );
}

fn seed(d: &Db) -> AlertEngine {
    let mut e = engine_for(d);
    let hosts = [
        ("10.0.0.1", 0),
        ("10.0.0.2", 0),
        ("10.0.0.1", 7),
        ("fe80::1", 0),
    ];
    for (i, (ip, vlan)) in hosts.iter().enumerate() {
        let sev = [
            Severity::Notice,
            Severity::Warning,
            Severity::Error,
            Severity::Critical,
        ][i];
        let info = host_info(builtin::CONNECTION_ISSUES, sev)
            .params(serde_json::json!({"note": format!("host {ip} retrans")}))
            .score(10 * i as u32);
        e.trigger(Entity::host(ip, *vlan), info, T0 + i as u64)
            .unwrap();
    }
    // Two released, one one-shot stored, one left engaged.
    e.release(
        Entity::host("10.0.0.1", 0),
        host_info(builtin::CONNECTION_ISSUES, Severity::Notice),
        T0 + 100,
    )
    .unwrap();
    e.release(
        Entity::host("10.0.0.2", 0),
        host_info(builtin::CONNECTION_ISSUES, Severity::Warning),
        T0 + 100,
    )
    .unwrap();
    e.store(
        Entity::interface(0),
        TypeInfo::new(builtin::TOO_MANY_DROPS, Severity::Error)
            .params(serde_json::json!({"drops": 5})),
        T0 + 50,
    );
    for i in 0..40 {
        e.store_flow(flow_alert(i));
    }
    e.flush(WAIT).unwrap();
    e
}

fn len(d: &Db, q: &AlertQuery) -> usize {
    d.store.query(q).unwrap().len()
}

#[test]
fn queries_filter_sort_and_paginate() {
    let d = db();
    let _e = seed(&d);
    assert_eq!(len(&d, &AlertQuery::engaged()), 2);
    assert_eq!(len(&d, &AlertQuery::past()), 3);
    assert_eq!(len(&d, &AlertQuery::flow()), 40);

    let mut q = AlertQuery::past();
    q.min_severity = Some(Severity::Warning);
    assert_eq!(len(&d, &q), 2);
    q.min_severity = None;
    q.alert_type = Some(builtin::TOO_MANY_DROPS);
    assert_eq!(len(&d, &q), 1);
    q.alert_type = None;
    q.entity = Some(EntityKind::Host);
    assert_eq!(len(&d, &q), 2);
    q.entity = None;
    q.entity_value = Some("10.0.0.2@0".into());
    assert_eq!(len(&d, &q), 1);
    q.entity_value = None;
    q.from = Some(T0 + 1);
    q.to = Some(T0 + 49);
    assert_eq!(len(&d, &q), 1, "only the host engaged at T0+1");
    q.from = None;
    q.to = None;
    q.text = Some("RETRANS".into());
    assert_eq!(len(&d, &q), 2);

    let mut q = AlertQuery::engaged();
    q.ip = Some("10.0.0.1".into());
    assert_eq!(len(&d, &q), 1, "10.0.0.1@7 is still engaged");
    q.ip = None;
    q.vlan = Some(7);
    assert_eq!(len(&d, &q), 1);

    let mut q = AlertQuery::flow();
    q.ip = Some("10.0.0.3".into());
    assert_eq!(len(&d, &q), 1);
    q.ip = Some("192.0.2.80".into());
    assert_eq!(len(&d, &q), 40);
    q.ip = None;
    q.vlan = Some(0);
    assert_eq!(len(&d, &q), 14);
    q.vlan = None;
    q.l7_proto = Some("http".into());
    assert_eq!(len(&d, &q), 10);
    q.l7_proto = None;
    q.text = Some("file7.exe".into());
    assert_eq!(len(&d, &q), 1);
    q.text = None;
    q.sort = SortBy::Time;
    q.descending = false;
    q.limit = Some(5);
    q.offset = 10;
    let page = d.store.query(&q).unwrap();
    let infos: Vec<String> = page
        .iter()
        .map(|r| match r {
            AlertRecord::Flow(f) => f.info.clone(),
            AlertRecord::Alert(_) => panic!("flow table returned a non-flow alert"),
        })
        .collect();
    assert_eq!(infos, ["10", "11", "12", "13", "14"]);

    let mut q = AlertQuery::past();
    q.l7_proto = Some("HTTP".into());
    assert!(
        d.store.query(&q).is_err(),
        "L7 filter is for flow alerts only"
    );

    let mut q = AlertQuery::past();
    q.sort = SortBy::Severity;
    let sevs: Vec<Severity> = d
        .store
        .query(&q)
        .unwrap()
        .iter()
        .map(|r| r.severity())
        .collect();
    assert_eq!(sevs, [Severity::Error, Severity::Warning, Severity::Notice]);
}

#[test]
fn records_serialize_with_ntopng_field_names() {
    let d = db();
    let _e = seed(&d);
    let past = d.store.query(&AlertQuery::past()).unwrap();
    let v = serde_json::to_value(&past).unwrap();
    let released = v
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["alert_entity_val"] == "10.0.0.1@0")
        .unwrap();
    assert_eq!(released["alert_type"], 56);
    assert_eq!(released["alert_name"], "alert_connection_issues");
    assert_eq!(released["alert_entity"], 1);
    assert_eq!(released["alert_severity"], 3);
    assert_eq!(released["alert_granularity"], 60);
    assert_eq!(released["alert_tstamp"], T0);
    assert_eq!(released["alert_tstamp_end"], T0 + 100);
    let params: serde_json::Value =
        serde_json::from_str(released["alert_json"].as_str().unwrap()).unwrap();
    assert_eq!(params["note"], "host 10.0.0.1 retrans");

    let flows = d.store.query(&AlertQuery::flow()).unwrap();
    let f = serde_json::to_value(&flows[0]).unwrap();
    for k in [
        "cli_addr",
        "srv_addr",
        "cli_port",
        "srv_port",
        "proto",
        "l7_proto",
        "score",
        "vlan_id",
        "alert_json",
    ] {
        assert!(f.get(k).is_some(), "{k} missing in {f}");
    }
    assert_eq!(f["alert_name"], "alert_exe_download");
}

#[test]
fn counts_by_type_severity_and_entity() {
    let d = db();
    let _e = seed(&d);
    let by_type = d.store.counts(&AlertQuery::past(), CountBy::Type).unwrap();
    assert_eq!(by_type[0].key, 56);
    assert_eq!(by_type[0].count, 2);
    assert_eq!(by_type[0].name, "alert_connection_issues");
    let by_sev = d
        .store
        .counts(&AlertQuery::flow(), CountBy::Severity)
        .unwrap();
    assert_eq!(
        by_sev
            .iter()
            .map(|c| (c.name.as_str(), c.count))
            .collect::<Vec<_>>(),
        [("warning", 20), ("error", 20)]
    );
    let by_entity = d
        .store
        .counts(&AlertQuery::past(), CountBy::Entity)
        .unwrap();
    assert_eq!(
        by_entity
            .iter()
            .map(|c| (c.name.as_str(), c.count))
            .collect::<Vec<_>>(),
        [("host", 2), ("interface", 1)]
    );
    let mut q = AlertQuery::flow();
    q.min_severity = Some(Severity::Error);
    let c = d.store.counts(&q, CountBy::Entity).unwrap();
    assert_eq!((c[0].key, c[0].count), (4, 20));
}

#[test]
fn retention_by_age_and_by_rows() {
    let d = db_with(SqliteConfig {
        retention: Retention {
            max_age_secs: Some(3600),
            max_rows: Some(100),
        },
        ..SqliteConfig::default()
    });
    let mut e = engine_for(&d);
    // 50 old flow alerts, then 150 recent ones: age removes the 50, rows keep 100.
    for i in 0..200u64 {
        let mut f = flow_alert(i);
        f.alert_tstamp = if i < 50 { T0 } else { T0 + 86400 + i };
        e.store_flow(f);
    }
    // Engaged alerts are never removed by retention.
    e.trigger(
        Entity::system(),
        host_info(builtin::INTERNALS, Severity::Warning),
        T0,
    )
    .unwrap();
    e.flush(WAIT).unwrap();
    let removed = d.sink.housekeeping(WAIT).unwrap();
    assert_eq!(removed, 100);
    assert_eq!(d.store.count(AlertTable::Flow).unwrap(), 100);
    assert_eq!(d.store.count(AlertTable::Engaged).unwrap(), 1);
    let oldest = d.store.query(&{
        let mut q = AlertQuery::flow();
        q.descending = false;
        q.limit = Some(1);
        q
    });
    let AlertRecord::Flow(f) = &oldest.unwrap()[0] else {
        panic!()
    };
    assert_eq!(f.info, "100");
    assert_eq!(d.sink.stats().expired, 100);
    assert_eq!(d.store.integrity_check().unwrap(), "ok");
}

#[test]
fn engaged_alerts_are_written_as_released_at_clean_shutdown() {
    let d = db();
    let mut e = engine_for(&d);
    for i in 0..10 {
        e.trigger(
            Entity::host(format!("10.1.0.{i}"), 0),
            host_info(builtin::CONNECTION_ISSUES, Severity::Warning),
            T0,
        )
        .unwrap();
    }
    e.flush(WAIT).unwrap();
    assert_eq!(d.store.count(AlertTable::Engaged).unwrap(), 10);
    let stats = e.shutdown(T0 + 30, WAIT).unwrap();
    assert_eq!(stats.released, 10);
    assert_eq!(d.store.count(AlertTable::Engaged).unwrap(), 0);
    let past = d.store.query(&AlertQuery::past()).unwrap();
    assert_eq!(past.len(), 10);
    assert!(
        past.iter()
            .all(|r| matches!(r, AlertRecord::Alert(a) if a.alert_tstamp_end == Some(T0 + 30)))
    );
}

#[test]
fn engaged_alerts_survive_an_unclean_stop_and_are_not_engaged_twice() {
    let d = db();
    let path = d.dir.path().to_owned();
    let host = Entity::host("10.2.0.1", 0);
    let info = host_info(builtin::CONNECTION_ISSUES, Severity::Warning);
    {
        let mut e = engine_for(&d);
        e.trigger(host.clone(), info.clone(), T0).unwrap();
        e.flush(WAIT).unwrap();
        // Dropped without shutdown: as if the process died.
    }
    d.sink.shutdown(WAIT).unwrap();

    let store = SqliteStore::open_dir(&path, SqliteConfig::default()).unwrap();
    let sink = StoreSink::spawn(&store, WriterConfig::default()).unwrap();
    let mut e = AlertEngine::new(EngineConfig::default(), registry());
    e.set_store(sink.sender());
    let left: Vec<Alert> = store
        .query(&AlertQuery::engaged())
        .unwrap()
        .into_iter()
        .filter_map(|r| match r {
            AlertRecord::Alert(a) => Some(a),
            AlertRecord::Flow(_) => None,
        })
        .collect();
    assert_eq!(e.restore_engaged(left), 1);
    assert_eq!(
        e.trigger(host.clone(), info.clone(), T0 + 60).unwrap(),
        Engagement::AlreadyEngaged
    );
    assert!(e.release(host, info, T0 + 120).unwrap());
    e.flush(WAIT).unwrap();
    assert_eq!(store.count(AlertTable::Engaged).unwrap(), 0);
    let past = store.query(&AlertQuery::past()).unwrap();
    let AlertRecord::Alert(a) = &past[0] else {
        panic!()
    };
    assert_eq!(
        (a.alert_tstamp, a.alert_tstamp_end, a.count),
        (T0, Some(T0 + 120), 2)
    );
    sink.shutdown(WAIT).unwrap();
}

#[test]
fn two_hundred_thousand_flow_alerts_are_all_stored() {
    const N: u64 = 200_000;
    let d = db();
    let mut e = engine_for(&d);
    let alerts: Vec<FlowAlert> = (0..N).map(flow_alert).collect();
    let start = Instant::now();
    for a in alerts {
        e.store_flow(a);
    }
    e.flush(WAIT).unwrap();
    let took = start.elapsed();
    eprintln!(
        "200k flow alerts stored in {took:?} ({:.0}/s)",
        N as f64 / took.as_secs_f64()
    );
    let s = e.stats();
    assert_eq!(
        (s.flow_alerts, s.store_submitted, s.store_dropped),
        (N, N, 0)
    );
    assert_eq!(s.drop_alerts, 0);
    let w = d.sink.stats();
    assert_eq!((w.committed, w.failed), (N, 0));
    assert_eq!(d.store.count(AlertTable::Flow).unwrap(), N);
    // Readers work while nothing is pending, and see every row once.
    let mut q = AlertQuery::flow();
    q.ip = Some(flow_alert(N - 1).cli_addr);
    assert_eq!(d.store.query(&q).unwrap().len(), 1);
}

#[test]
fn messages_are_stored_and_names_acknowledgements_and_deletes_apply() {
    let d = db();
    let e = seed(&d);
    let past = d.store.query(&AlertQuery::past()).unwrap();
    for r in &past {
        assert!(!r.msg().is_empty() && !r.msg().contains('{'), "{r:?}");
    }
    let drops = past
        .iter()
        .find(|r| r.alert_name() == "alert_too_many_drops")
        .unwrap();
    assert_eq!(drops.msg(), "Too many drops: drops 5");
    let flows = d.store.query(&AlertQuery::flow()).unwrap();
    assert!(flows.iter().all(|r| !r.msg().is_empty()), "{:?}", flows[0]);

    // By stored type name.
    let mut q = AlertQuery::past();
    q.alert_name = Some("alert_connection_issues".into());
    assert_eq!(len(&d, &q), 2);
    assert_eq!(d.store.total(&q).unwrap(), 2);
    q.limit = Some(1);
    assert_eq!(len(&d, &q), 1, "a page of one");
    assert_eq!(d.store.total(&q).unwrap(), 2, "the total ignores the page");
    q.alert_name = Some("alert_no_such_type".into());
    assert_eq!(len(&d, &q), 0);

    // Acknowledge one engaged alert: it stays acknowledged once released.
    let engaged = d.store.query(&AlertQuery::engaged()).unwrap();
    let id = engaged[0].rowid().unwrap();
    let mut one = AlertQuery::engaged();
    one.rowid = Some(id);
    assert_eq!(d.store.acknowledge(&one, true).unwrap(), 1);
    assert_eq!(d.store.acknowledge(&one, true).unwrap(), 0, "already");
    let mut acked = AlertQuery::engaged();
    acked.acknowledged = Some(true);
    assert_eq!(len(&d, &acked), 1);
    assert!(
        d.store.delete(&one).is_err(),
        "engaged rows are not deleted"
    );
    let AlertRecord::Alert(a) = &engaged[0] else {
        panic!()
    };
    let mut e = e;
    let info = host_info(a.alert_type, a.alert_severity).subtype(a.alert_subtype.clone());
    assert!(e.release(a.entity.clone(), info, T0 + 500).unwrap());
    e.flush(WAIT).unwrap();
    let mut q = AlertQuery::past();
    q.acknowledged = Some(true);
    let rows = d.store.query(&q).unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].entity(), &a.entity);

    // Delete flow alerts: one, then all of a type.
    let mut f = AlertQuery::flow();
    f.rowid = flows[0].rowid();
    assert_eq!(d.store.delete(&f).unwrap(), 1);
    assert_eq!(d.store.count(AlertTable::Flow).unwrap(), 39);
    let mut f = AlertQuery::flow();
    f.alert_name = Some(flows[1].alert_name().to_owned());
    assert_eq!(d.store.delete(&f).unwrap(), 39);
}

#[test]
fn a_version_1_store_gets_messages_for_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alerts.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(include_str!("v1_schema.sql")).unwrap();
        conn.execute_batch(
            r#"INSERT INTO alerts (ifid, alert_type, alert_name, alert_subtype, alert_granularity,
                 alert_severity, alert_entity, alert_entity_val, alert_tstamp, alert_tstamp_end,
                 last_seen, count, score, alert_json, script_key)
               VALUES (0, 11, 'alert_flows_flood', '', 60, 4, 1, '10.0.0.1@0', 10, 70, 60, 1, 0,
                 '{"metric":"flows","value":120,"operator":"gt","threshold":50,"alert_generation":{"script_key":"x","subdir":"host","confset_id":0}}', 'x'),
                      (0, 32768, 'alert_exe_download', '', 0, 5, 1, '10.0.0.2@0', 10, 10, 10, 1, 0,
                 '{"protos.http.last_url":"/a.exe"}', NULL);
               INSERT INTO flow_alerts (ifid, alert_type, alert_name, flow_status, alert_severity,
                 alert_tstamp, first_seen, score, cli_score, srv_score, vlan_id, proto, proto_name,
                 l7_proto, l7_master_proto, cli_addr, cli_port, srv_addr, srv_port, cli_localhost,
                 srv_localhost, cli_blacklisted, srv_blacklisted, cli_country, srv_country, cli_asn,
                 srv_asn, cli2srv_bytes, srv2cli_bytes, cli2srv_packets, srv2cli_packets, info,
                 alert_json, replace_alert, script_key)
               VALUES (0, 8, 'alert_flow_blacklisted', 1, 5, 10, 10, 100, 50, 50, 0, 6, 'HTTP',
                 'HTTP', 'HTTP', '10.0.0.1', 4000, '10.0.0.9', 80, 1, 0, 0, 1, '', '', 0, 0, 1, 2,
                 1, 1, '', '{"blacklisted.srv":true,"ntopng.key":7}', 0, 'bl');
               PRAGMA user_version = 1;"#,
        )
        .unwrap();
    }
    let store = SqliteStore::open(&path, SqliteConfig::default()).unwrap();
    assert_eq!(store.schema_version().unwrap(), 2);
    let past = store.query(&AlertQuery::past()).unwrap();
    let msgs: Vec<&str> = past.iter().map(|r| r.msg()).collect();
    assert!(
        msgs.contains(&"Flows flood: metric flows, operator gt, threshold 50, value 120"),
        "{msgs:?}"
    );
    assert!(
        msgs.contains(&"Exe download: protos.http.last url /a.exe"),
        "{msgs:?}"
    );
    let flow = store.query(&AlertQuery::flow()).unwrap();
    assert_eq!(flow[0].msg(), "Blacklisted flow: blacklisted.srv yes");
    assert!(!flow[0].acknowledged());
}
