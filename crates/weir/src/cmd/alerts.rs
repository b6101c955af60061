//! `weir alerts`: reads the alert store of a data directory (a table with the
//! alerts' messages, or NDJSON with every field), and acknowledges or deletes alerts.

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
    /// One JSON object per alert (NDJSON) with every field, ntopng's names, and `msg`.
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
    /// Alert type: its name (e.g. `alert_flows_flood`, or `flows_flood`; plugin-defined
    /// types too) or numeric key.
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
    /// Text anywhere in the message, type, entity, JSON or flow info.
    #[arg(long)]
    pub text: Option<String>,
    /// Only acknowledged (`yes`) or unacknowledged (`no`) alerts.
    #[arg(long, value_parser = ["yes", "no"])]
    pub acknowledged: Option<String>,
    /// Sort by: time, severity, score or type (descending).
    #[arg(long, default_value = "time")]
    pub sort: String,
    /// At most this many alerts per table (the header says how many match).
    #[arg(long, default_value_t = 100)]
    pub limit: u32,
    /// Skip this many alerts per table (the next page: --offset 100).
    #[arg(long, default_value_t = 0)]
    pub offset: u32,
    /// Show times in UTC (default: the local time zone, `TZ` honoured).
    #[arg(long)]
    pub utc: bool,
    /// Acknowledge these alerts (ids as listed, comma-separated; needs --engaged,
    /// --past or --flow).
    #[arg(long, value_delimiter = ',', value_name = "ID", conflicts_with_all = ["unack", "delete"])]
    pub ack: Vec<i64>,
    /// Remove the acknowledgement of these alerts.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "ID",
        conflicts_with = "delete"
    )]
    pub unack: Vec<i64>,
    /// Delete these past or flow alerts (engaged alerts end when released).
    #[arg(long, value_delimiter = ',', value_name = "ID")]
    pub delete: Vec<i64>,
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
        match self.alert_type.as_deref().map(alert_type) {
            Some(TypeFilter::Key(k)) => q.alert_type = Some(k),
            Some(TypeFilter::Name(n)) => q.alert_name = Some(n),
            None => {}
        }
        q.acknowledged = self.acknowledged.as_deref().map(|a| a == "yes");
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

/// An alert type filter: a numeric key, or a type name as stored.
enum TypeFilter {
    Key(AlertKey),
    Name(String),
}

/// `t` as a key, or as a type name (`flows_flood` = `alert_flows_flood`).
fn alert_type(t: &str) -> TypeFilter {
    if let Ok(n) = t.trim().parse::<u32>() {
        return TypeFilter::Key(AlertKey(n));
    }
    let t = t.trim();
    if t.starts_with("alert_") || Registry::with_builtins().alert_by_name(t).is_some() {
        TypeFilter::Name(t.to_owned())
    } else {
        TypeFilter::Name(format!("alert_{t}"))
    }
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
    // Before the store opens (SQLite may start threads): the local offset is only
    // known for certain in a single-threaded process.
    let clock = Clock::new(args.utc);
    let store = SqliteStore::open_dir(&args.data_dir, SqliteConfig::default())?;
    if !args.ack.is_empty() || !args.unack.is_empty() || !args.delete.is_empty() {
        return change(args, &store);
    }
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
        let total = store.total(&q)?;
        print_table(table, &records, total, args, &clock);
        if total == 0
            && let Some(name) = &q.alert_name
        {
            unknown_type_hint(&store, table, name)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `--ack`, `--unack`, `--delete`: on the rows of one table.
fn change(args: &Args, store: &SqliteStore) -> Result<ExitCode> {
    let tables = args.tables();
    let [table] = tables.as_slice() else {
        bail!("--ack, --unack and --delete need the table of the ids: --engaged, --past or --flow");
    };
    let (ids, what) = if !args.ack.is_empty() {
        (&args.ack, "acknowledged")
    } else if !args.unack.is_empty() {
        (&args.unack, "no longer acknowledged")
    } else {
        (&args.delete, "deleted")
    };
    let mut n = 0;
    let mut missing = Vec::new();
    for &id in ids {
        let mut q = AlertQuery::new(*table);
        q.rowid = Some(id);
        if store.total(&q)? == 0 {
            missing.push(id.to_string());
            continue;
        }
        n += if !args.ack.is_empty() {
            store.acknowledge(&q, true)?
        } else if !args.unack.is_empty() {
            store.acknowledge(&q, false)?
        } else {
            store.delete(&q)?
        };
    }
    crate::out::outln!("{n} {} alerts {what}", table_name(*table));
    if !missing.is_empty() {
        eprintln!(
            "no {} alert with id {}",
            table_name(*table),
            missing.join(", ")
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// A type name that matched nothing: say which names the store has.
fn unknown_type_hint(store: &SqliteStore, table: AlertTable, name: &str) -> Result<()> {
    let known: Vec<String> = store
        .counts(&AlertQuery::new(table), CountBy::Type)?
        .into_iter()
        .map(|r| r.name)
        .filter(|n| !n.is_empty())
        .collect();
    if !known.is_empty() && !known.iter().any(|k| k == name) {
        eprintln!(
            "no {} alert of type {name}; types stored: {}",
            table_name(table),
            known.join(", ")
        );
    }
    Ok(())
}

/// Times as text, local or UTC.
struct Clock {
    offset: time::UtcOffset,
    label: String,
}

impl Clock {
    fn new(utc: bool) -> Clock {
        let offset = if utc {
            time::UtcOffset::UTC
        } else {
            time::UtcOffset::current_local_offset().unwrap_or(time::UtcOffset::UTC)
        };
        let label = if offset.is_utc() {
            "UTC".to_owned()
        } else {
            let (h, m, _) = offset.as_hms();
            format!(
                "UTC{}{:02}:{:02}",
                if h < 0 || m < 0 { '-' } else { '+' },
                h.abs(),
                m.abs()
            )
        };
        Clock { offset, label }
    }

    fn fmt(&self, secs: u64) -> String {
        let fmt =
            time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
        i64::try_from(secs)
            .ok()
            .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
            .and_then(|t| t.to_offset(self.offset).format(&fmt).ok())
            .unwrap_or_else(|| secs.to_string())
    }
}

fn print_table(table: AlertTable, records: &[AlertRecord], total: u64, args: &Args, clock: &Clock) {
    let first = u64::from(args.offset) + 1;
    let last = u64::from(args.offset) + records.len() as u64;
    let range = if records.is_empty() {
        format!("none of {total}")
    } else {
        format!("{first}-{last} of {total}")
    };
    let more = if last < total {
        format!("; --offset {last} for more")
    } else {
        String::new()
    };
    crate::out::outln!(
        "{} alerts: {range} (times {}{more})",
        table_name(table),
        clock.label
    );
    if records.is_empty() {
        return;
    }
    let rows: Vec<[String; 6]> = records.iter().map(|r| row(r, clock)).collect();
    let head = ["ID", "TIME", "SEVERITY", "TYPE", "ENTITY", "MESSAGE"];
    let mut w = head.map(str::len);
    for r in &rows {
        for (i, c) in r.iter().enumerate().take(5) {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let line = |c: &[String; 6]| {
        format!(
            "{:>w0$}  {:<w1$}  {:<w2$}  {:<w3$}  {:<w4$}  {}",
            c[0],
            c[1],
            c[2],
            c[3],
            c[4],
            c[5],
            w0 = w[0],
            w1 = w[1],
            w2 = w[2],
            w3 = w[3],
            w4 = w[4]
        )
    };
    crate::out::outln!("{}", line(&head.map(str::to_owned)).trim_end());
    for r in &rows {
        crate::out::outln!("{}", line(r).trim_end());
    }
}

fn row(r: &AlertRecord, clock: &Clock) -> [String; 6] {
    let id = r.rowid().map_or_else(String::new, |i| i.to_string());
    let sev = format!(
        "{}{}",
        r.severity().name(),
        if r.acknowledged() { " (ack)" } else { "" }
    );
    let name = if r.alert_name().is_empty() {
        r.alert_type().0.to_string()
    } else {
        r.alert_name().to_owned()
    };
    let (entity, extra) = match r {
        AlertRecord::Alert(a) => (
            format!("{} {}", a.entity.kind.name(), a.entity.value),
            if a.count > 1 {
                format!(" (x{})", a.count)
            } else {
                String::new()
            },
        ),
        AlertRecord::Flow(f) => (
            format!(
                "{}:{} -> {}:{}{}",
                f.cli_addr,
                f.cli_port,
                f.srv_addr,
                f.srv_port,
                if f.l7_proto.is_empty() {
                    String::new()
                } else {
                    format!(" {}", f.l7_proto)
                }
            ),
            String::new(),
        ),
    };
    let msg = if r.msg().is_empty() {
        "-".to_owned()
    } else {
        r.msg().replace(['\n', '\r', '\t'], " ")
    };
    [
        id,
        clock.fmt(r.tstamp()),
        sev,
        name,
        entity,
        format!("{msg}{extra}"),
    ]
}
