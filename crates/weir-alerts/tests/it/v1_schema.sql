-- The alert store's schema version 1 (before `msg` and `acknowledged`), for the
-- migration test.
CREATE TABLE engaged_alerts (
        rowid INTEGER PRIMARY KEY,
        alert_id TEXT NOT NULL UNIQUE,
        ifid INTEGER NOT NULL,
        alert_type INTEGER NOT NULL,
        alert_name TEXT NOT NULL,
        alert_subtype TEXT NOT NULL,
        alert_granularity INTEGER NOT NULL,
        alert_severity INTEGER NOT NULL,
        alert_entity INTEGER NOT NULL,
        alert_entity_val TEXT NOT NULL,
        alert_tstamp INTEGER NOT NULL,
        alert_tstamp_end INTEGER,
        last_seen INTEGER NOT NULL,
        count INTEGER NOT NULL,
        score INTEGER NOT NULL,
        alert_json TEXT NOT NULL,
        script_key TEXT
    );
    CREATE TABLE alerts (
        rowid INTEGER PRIMARY KEY,
        ifid INTEGER NOT NULL,
        alert_type INTEGER NOT NULL,
        alert_name TEXT NOT NULL,
        alert_subtype TEXT NOT NULL,
        alert_granularity INTEGER NOT NULL,
        alert_severity INTEGER NOT NULL,
        alert_entity INTEGER NOT NULL,
        alert_entity_val TEXT NOT NULL,
        alert_tstamp INTEGER NOT NULL,
        alert_tstamp_end INTEGER,
        last_seen INTEGER NOT NULL,
        count INTEGER NOT NULL,
        score INTEGER NOT NULL,
        alert_json TEXT NOT NULL,
        script_key TEXT
    );
    CREATE INDEX alerts_entity_type_tstamp ON alerts (alert_entity, alert_type, alert_tstamp);
    CREATE INDEX alerts_tstamp ON alerts (alert_tstamp);
    CREATE TABLE flow_alerts (
        rowid INTEGER PRIMARY KEY,
        ifid INTEGER NOT NULL,
        alert_type INTEGER NOT NULL,
        alert_name TEXT NOT NULL,
        flow_status INTEGER NOT NULL,
        alert_severity INTEGER NOT NULL,
        alert_tstamp INTEGER NOT NULL,
        first_seen INTEGER NOT NULL,
        score INTEGER NOT NULL,
        cli_score INTEGER NOT NULL,
        srv_score INTEGER NOT NULL,
        vlan_id INTEGER NOT NULL,
        proto INTEGER NOT NULL,
        proto_name TEXT NOT NULL,
        l7_proto TEXT NOT NULL,
        l7_master_proto TEXT NOT NULL,
        cli_addr TEXT NOT NULL,
        cli_port INTEGER NOT NULL,
        srv_addr TEXT NOT NULL,
        srv_port INTEGER NOT NULL,
        cli_localhost INTEGER NOT NULL,
        srv_localhost INTEGER NOT NULL,
        cli_blacklisted INTEGER NOT NULL,
        srv_blacklisted INTEGER NOT NULL,
        cli_country TEXT NOT NULL,
        srv_country TEXT NOT NULL,
        cli_asn INTEGER NOT NULL,
        srv_asn INTEGER NOT NULL,
        cli2srv_bytes INTEGER NOT NULL,
        srv2cli_bytes INTEGER NOT NULL,
        cli2srv_packets INTEGER NOT NULL,
        srv2cli_packets INTEGER NOT NULL,
        info TEXT NOT NULL,
        alert_json TEXT NOT NULL,
        replace_alert INTEGER NOT NULL,
        script_key TEXT
    );
    CREATE INDEX flow_alerts_type_tstamp ON flow_alerts (alert_type, alert_tstamp);
    CREATE INDEX flow_alerts_tstamp ON flow_alerts (alert_tstamp);
    CREATE INDEX flow_alerts_cli ON flow_alerts (cli_addr);
    CREATE INDEX flow_alerts_srv ON flow_alerts (srv_addr);
