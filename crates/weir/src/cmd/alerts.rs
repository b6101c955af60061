//! `weir alerts`: reads the alert store of a data directory.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use weir_alerts::{
    AlertKey, AlertQuery, AlertRecord, AlertStore, AlertTable, CountBy, EntityKind, Registry,
    Severity, SortBy, SqliteConfig, SqliteStore,
};

/// Arguments of `weir alerts`.
#[derive(clap::Args)]
pub struct Args {
    /// Data directory holding `alerts.db`.
    #[arg(long, env = "WEIR_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Only engaged alerts.
    #[arg(long, group = "table")]
    pub engaged: bool,
    /// Only past alerts (released or one-shot).
    #[arg(long, group = "table")]
    pub past: bool,
    /// Only flow alerts.
    #[arg(long, group = "table")]
    pub flow: bool,
    /// One JSON object per alert (NDJSON), with ntopng's field names.
    #[arg(long)]
    pub json: bool,
    /// Counts by type, severity and entity instead of the alerts.
    #[arg(long)]
    pub counts: bool,
    /// Alerts at or after this time (seconds since the epoch).
    #[arg(long)]
    pub since: Option<u64>,
    /// Alerts before this time (seconds since the epoch).
    #[arg(long)]
    pub until: Option<u64>,
    /// Minimum severity (debug, info, notice, warning, error, critical, alert, emergency).
    #[arg(long)]
    pub severity: Option<String>,
    /// Alert type: its name (e.g. `alert_flow_flood`) or numeric key.
    #[arg(long = "type")]
    pub alert_type: Option<String>,
    /// Entity kind (host, interface, network, flow, ...).
    #[arg(long)]
    pub entity: Option<String>,
    /// Exact entity value (e.g. `192.168.1.5@0`).
    #[arg(long)]
    pub entity_value: Option<String>,
    /// Alerts involving this IP address (host entities, flow peers).
    #[arg(long)]
    pub ip: Option<String>,
    /// VLAN id.
    #[arg(long)]
    pub vlan: Option<u16>,
    /// L7 protocol name (flow alerts).
    #[arg(long)]
    pub l7: Option<String>,
    /// Text anywhere in the type, entity, JSON or flow info.
    #[arg(long)]
    pub text: Option<String>,
    /// Sort by: time, severity, score or type (descending).
    #[arg(long, default_value = "time")]
    pub sort: String,
    /// At most this many alerts per table.
    #[arg(long, default_value_t = 100)]
    pub limit: u32,
    /// Skip this many alerts per table.
    #[arg(long, default_value_t = 0)]
    pub offset: u32,
}

impl Args {
    fn tables(&self) -> Vec<AlertTable> {
        match (self.engaged, self.past, self.flow) {
            (true, _, _) => vec![AlertTable::Engaged],
            (_, true, _) => vec![AlertTable::Past],
            (_, _, true) => vec![AlertTable::Flow],
            _ => vec![AlertTable::Engaged, AlertTable::Past, AlertTable::Flow],
        }
    }

    fn query(&self, table: AlertTable) -> Result<AlertQuery> {
        let mut q = AlertQuery::new(table);
        q.from = self.since;
        q.to = self.until;
        q.min_severity = match &self.severity {
            Some(s) => {
                Some(Severity::from_name(s).with_context(|| format!("unknown severity {s:?}"))?)
            }
            None => None,
        };
        q.alert_type = match &self.alert_type {
            Some(t) => Some(alert_type(t)?),
            None => None,
        };
        q.entity = match &self.entity {
            Some(e) => Some(
                EntityKind::from_name(e).with_context(|| format!("unknown entity kind {e:?}"))?,
            ),
            None => None,
        };
        q.entity_value = self.entity_value.clone();
        q.ip = self.ip.clone();
        q.vlan = self.vlan;
        q.l7_proto = self.l7.clone();
        q.text = self.text.clone();
        q.sort = match self.sort.as_str() {
            "time" => SortBy::Time,
            "severity" => SortBy::Severity,
            "score" => SortBy::Score,
            "type" => SortBy::Type,
            other => bail!("unknown sort key {other:?} (time, severity, score, type)"),
        };
        q.descending = true;
        q.limit = Some(self.limit);
        q.offset = self.offset;
        Ok(q)
    }
}

fn alert_type(t: &str) -> Result<AlertKey> {
    if let Ok(n) = t.parse::<u32>() {
        return Ok(AlertKey(n));
    }
    Registry::with_builtins()
        .alert_by_name(t)
        .map(|a| a.key)
        .with_context(|| {
            format!("unknown alert type {t:?} (give its numeric key for plugin-defined types)")
        })
}

fn table_name(t: AlertTable) -> &'static str {
    match t {
        AlertTable::Engaged => "engaged",
        AlertTable::Past => "past",
        _ => "flow",
    }
}

/// Runs `weir alerts`.
pub fn run(args: &Args) -> Result<ExitCode> {
    let db = args.data_dir.join("alerts.db");
    if !db.is_file() {
        bail!(
            "{}: no alert store here (alerts are stored by `weir run`; pass --data-dir)",
            db.display()
        );
    }
    let store = SqliteStore::open_dir(&args.data_dir, SqliteConfig::default())?;
    for table in args.tables() {
        let q = args.query(table)?;
        if args.counts {
            for by in [CountBy::Type, CountBy::Severity, CountBy::Entity] {
                let rows = store.counts(&q, by)?;
                if args.json {
                    for r in rows {
                        let by = format!("{by:?}").to_lowercase();
                        let line = serde_json::json!({"table": table_name(table), "by": by, "key": r.key, "name": r.name, "count": r.count});
                        crate::out::outln!("{line}");
                    }
                } else if !rows.is_empty() {
                    crate::out::outln!("{} alerts by {:?}:", table_name(table), by);
                    for r in rows {
                        crate::out::outln!("  {:>8}  {}", r.count, r.name);
                    }
                }
            }
            continue;
        }
        let records = store.query(&q)?;
        if args.json {
            for r in &records {
                crate::out::outln!("{}", serde_json::to_string(r)?);
            }
            continue;
        }
        crate::out::outln!("{} alerts ({}):", table_name(table), records.len());
        for r in &records {
            crate::out::outln!("  {}", one_line(r));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn one_line(r: &AlertRecord) -> String {
    match r {
        AlertRecord::Alert(a) => format!(
            "{} {:<9} {:<32} {}={} score {} {}",
            a.alert_tstamp,
            a.alert_severity.name(),
            a.alert_name,
            a.entity.kind.name(),
            a.entity.value,
            a.score,
            a.alert_json
        ),
        AlertRecord::Flow(f) => format!(
            "{} {:<9} {:<32} {} {}:{} -> {}:{} {} score {} {}",
            f.alert_tstamp,
            f.alert_severity.name(),
            f.alert_name,
            f.proto_name,
            f.cli_addr,
            f.cli_port,
            f.srv_addr,
            f.srv_port,
            if f.l7_proto.is_empty() {
                "-"
            } else {
                &f.l7_proto
            },
            f.score,
            f.alert_json
        ),
    }
}
