//! `weir ts`: lists the embedded timeseries store of a data directory and queries it (or InfluxDB).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use weir_ts::{Agg, EmbeddedStore, InfluxClient, InfluxConfig, Query, SchemaRegistry, TsQuery};

/// Arguments of `weir ts`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub cmd: Cmd,
}

/// `weir ts` subcommands.
#[derive(clap::Subcommand)]
pub enum Cmd {
    /// List the schemas and series in the store.
    List(ListArgs),
    /// Print the points of a schema's series (counters as rates per second).
    Query(QueryArgs),
}

/// Arguments of `weir ts list`.
#[derive(clap::Args)]
pub struct ListArgs {
    /// Data directory holding `timeseries.db`.
    #[arg(long, env = "WEIR_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Only this schema.
    #[arg(long)]
    pub schema: Option<String>,
    /// One JSON object per series (NDJSON).
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `weir ts query`.
#[derive(clap::Args)]
pub struct QueryArgs {
    /// Schema name, e.g. `host:syn_received`.
    pub schema: String,
    /// Only series with this tag value (repeatable), e.g. `--tag host=192.168.1.5`.
    #[arg(long = "tag", value_name = "KEY=VALUE")]
    pub tags: Vec<String>,
    /// First point (seconds since the epoch, inclusive). Default: the oldest kept.
    #[arg(long)]
    pub from: Option<u64>,
    /// Points before this time (seconds since the epoch). Default: up to the latest.
    #[arg(long)]
    pub to: Option<u64>,
    /// Resolution: seconds, or with a unit (`5m`, `1h`, `1d`); picks the archive.
    #[arg(long)]
    pub step: Option<String>,
    /// Consolidation: mean, min, max or last. Default: the schema's.
    #[arg(long)]
    pub agg: Option<String>,
    /// One JSON object per point (NDJSON): time, tags, metrics.
    #[arg(long)]
    pub json: bool,
    /// Data directory holding `timeseries.db`.
    #[arg(long, env = "WEIR_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// Query InfluxDB instead (`http://HOST:PORT/DBNAME`); schemas are the built-ins
    /// and those of the embedded store in --data-dir, if any.
    #[arg(long, value_name = "URL")]
    pub influxdb: Option<String>,
}

/// Runs `weir ts`.
pub fn run(args: &Args) -> Result<ExitCode> {
    match &args.cmd {
        Cmd::List(a) => list(a),
        Cmd::Query(a) => query(a),
    }
}

fn open(dir: &std::path::Path) -> Result<EmbeddedStore> {
    let db = dir.join(weir_ts::DB_FILE);
    if !db.is_file() {
        bail!(
            "{}: no timeseries store here (series are written by `weir run`; pass --data-dir)",
            db.display()
        );
    }
    EmbeddedStore::open_existing(dir).with_context(|| format!("opening {}", db.display()))
}

fn list(args: &ListArgs) -> Result<ExitCode> {
    let store = open(&args.data_dir)?;
    let schemas = store.schemas()?;
    if let Some(s) = &args.schema
        && !schemas.iter().any(|(x, _)| &x.name == s)
    {
        bail!(
            "unknown timeseries schema `{s}` in {}",
            store.path().display()
        );
    }
    for (schema, n) in schemas {
        if args.schema.as_ref().is_some_and(|s| *s != schema.name) {
            continue;
        }
        let series = store.list_series(&schema.name, &[])?;
        if args.json {
            for s in series {
                let tags: serde_json::Map<String, serde_json::Value> =
                    s.tags.into_iter().map(|(k, v)| (k, v.into())).collect();
                let line =
                    serde_json::json!({"schema": s.schema, "tags": tags, "last_ts": s.last_ts});
                println!("{line}");
            }
            continue;
        }
        let metrics: Vec<String> = schema
            .metrics
            .iter()
            .map(|m| format!("{} ({})", m.name, m.kind.name()))
            .collect();
        println!(
            "{}  step {} s, {} series, metrics: {}; tags: {}; defined in {}",
            schema.name,
            schema.step_secs,
            n,
            metrics.join(", "),
            schema.tags.join(", "),
            schema.origin
        );
        for s in series {
            println!(
                "  {}  last {}",
                tag_text(&s.tags),
                s.last_ts.map_or_else(|| "-".into(), utc)
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn query(args: &QueryArgs) -> Result<ExitCode> {
    let source: Box<dyn TsQuery> = match &args.influxdb {
        Some(url) => {
            let cfg = InfluxConfig::parse(url)?;
            let mut schemas = SchemaRegistry::with_builtins();
            if args.data_dir.join(weir_ts::DB_FILE).is_file() {
                for (s, _) in open(&args.data_dir)?.schemas()? {
                    schemas.define(s)?;
                }
            }
            Box::new(InfluxClient::new(cfg).with_schemas(schemas))
        }
        None => Box::new(open(&args.data_dir)?),
    };
    let mut q = Query::new(&args.schema);
    for t in &args.tags {
        let Some((k, v)) = t.split_once('=') else {
            bail!("--tag {t:?}: expected KEY=VALUE");
        };
        q = q.tag(k, v);
    }
    q.from = args.from;
    q.to = args.to;
    q.step_secs = args.step.as_deref().map(parse_step).transpose()?;
    q.agg = match &args.agg {
        Some(a) => Some(
            Agg::from_name(a)
                .with_context(|| format!("unknown --agg {a:?} (mean, min, max, last)"))?,
        ),
        None => None,
    };
    let r = source.query(&q)?;
    if args.json {
        for s in &r.series {
            let tags: serde_json::Map<String, serde_json::Value> = s
                .tags
                .iter()
                .map(|(k, v)| (k.clone(), v.clone().into()))
                .collect();
            for p in &s.points {
                let metrics: serde_json::Map<String, serde_json::Value> = r
                    .metrics
                    .iter()
                    .zip(&p.values)
                    .map(|(m, v)| (m.clone(), (*v).into()))
                    .collect();
                let line = serde_json::json!({"time": p.ts, "tags": tags, "metrics": metrics});
                println!("{line}");
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{}: {} series, step {} s, {}",
        r.schema,
        r.series.len(),
        r.step_secs,
        r.agg.name()
    );
    for s in &r.series {
        println!("{}", tag_text(&s.tags));
        println!("  {:<20}  {}", "time (UTC)", r.metrics.join("  "));
        for p in &s.points {
            let vals: Vec<String> = p
                .values
                .iter()
                .map(|v| v.map_or_else(|| "-".into(), |x| format!("{x:.6}")))
                .collect();
            println!("  {:<20}  {}", utc(p.ts), vals.join("  "));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn tag_text(tags: &[(String, String)]) -> String {
    tags.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn parse_step(s: &str) -> Result<u32> {
    let (num, mult) = match s.char_indices().last() {
        Some((i, 's')) => (&s[..i], 1),
        Some((i, 'm')) => (&s[..i], 60),
        Some((i, 'h')) => (&s[..i], 3600),
        Some((i, 'd')) => (&s[..i], 86_400),
        _ => (s, 1),
    };
    let n: u32 = num
        .parse()
        .with_context(|| format!("--step {s:?}: expected seconds or 5m, 1h, 1d"))?;
    match n.checked_mul(mult) {
        Some(v) if v > 0 => Ok(v),
        _ => bail!("--step {s:?} must be between 1 s and 49 days"),
    }
}

/// `YYYY-MM-DDTHH:MM:SSZ` for seconds since the epoch.
fn utc(ts: u64) -> String {
    let days = (ts / 86_400) as i64;
    let secs = ts % 86_400;
    // Civil from days (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_and_steps() {
        assert_eq!(utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(utc(1_700_000_040), "2023-11-14T22:14:00Z");
        assert_eq!(utc(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(parse_step("300").unwrap(), 300);
        assert_eq!(parse_step("5m").unwrap(), 300);
        assert_eq!(parse_step("1d").unwrap(), 86_400);
        assert!(parse_step("0").is_err());
        assert!(parse_step("x").is_err());
    }
}
