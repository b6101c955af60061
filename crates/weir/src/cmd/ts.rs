//! `weir ts`: lists and queries the timeseries of the embedded store in a data
//! directory, or of InfluxDB (`--influxdb URL`, or a configuration file whose
//! `[timeseries]` backend is `influxdb`).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use weir_ts::{
    Agg, EmbeddedStore, InfluxClient, InfluxConfig, Query, SchemaRegistry, SeriesInfo, TsQuery,
};

use weir_pipeline::config::Config;

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

/// Where the series are read from (shared by `list` and `query`).
#[derive(clap::Args)]
pub struct Source {
    /// Data directory holding `timeseries.db` (default: the config file's
    /// `data_dir`, else `data`).
    #[arg(long, env = "WEIR_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    /// Read InfluxDB instead (`http://HOST:PORT/DBNAME`); schemas are the built-ins,
    /// those of the plugins (built-in, `--plugins`, the config file's) and those of
    /// the embedded store in --data-dir, if any.
    #[arg(long, value_name = "URL")]
    pub influxdb: Option<String>,
    /// Configuration file: with `[timeseries] backend = "influxdb"` the series are
    /// read from that server (with its credentials); its plugin directories add
    /// schemas.
    #[arg(long, short)]
    pub config: Option<PathBuf>,
    /// Plugin directory whose `ts_schemas/` define schemas (repeatable; InfluxDB only).
    #[arg(long)]
    pub plugins: Vec<PathBuf>,
}

/// Arguments of `weir ts list`.
#[derive(clap::Args)]
pub struct ListArgs {
    /// Only this schema.
    #[arg(long)]
    pub schema: Option<String>,
    /// One JSON object per series (NDJSON).
    #[arg(long)]
    pub json: bool,
    /// Where to read.
    #[command(flatten)]
    pub source: Source,
}

/// Arguments of `weir ts query`.
#[derive(clap::Args)]
pub struct QueryArgs {
    /// Schema name, e.g. `host:syn_received`.
    pub schema: String,
    /// Only series with this tag value (repeatable), e.g. `--tag host=192.168.1.5`.
    #[arg(long = "tag", value_name = "KEY=VALUE")]
    pub tags: Vec<String>,
    /// First point (seconds since the epoch, inclusive). Default: the oldest kept
    /// (InfluxDB: a day before --to).
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
    /// Where to read.
    #[command(flatten)]
    pub source: Source,
}

/// Runs `weir ts`. Output stops quietly when stdout is closed (`| head`).
pub fn run(args: &Args) -> Result<ExitCode> {
    let r = match &args.cmd {
        Cmd::List(a) => list(a),
        Cmd::Query(a) => query(a),
    };
    match r {
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            Ok(ExitCode::SUCCESS)
        }
        other => other,
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

/// The configuration file, if given, and the data directory.
fn resolve(src: &Source) -> Result<(Option<Config>, PathBuf)> {
    let file = src.config.as_deref().map(Config::load).transpose()?;
    let dir = match (&src.data_dir, &file) {
        (Some(d), _) => d.clone(),
        (None, Some(c)) => c.data_dir.clone(),
        (None, None) => PathBuf::from("data"),
    };
    Ok((file, dir))
}

/// An InfluxDB client with every schema it may be asked about, when the source is
/// InfluxDB.
fn influx(src: &Source) -> Result<Option<(InfluxClient, SchemaRegistry)>> {
    let (file, data_dir) = resolve(src)?;
    let ic: InfluxConfig = match (&src.influxdb, &file) {
        (Some(url), _) => InfluxConfig::parse(url)?,
        (None, Some(c)) if c.timeseries.backend == "influxdb" => c.timeseries.influx()?,
        _ => return Ok(None),
    };
    let mut cfg = file.unwrap_or_default();
    cfg.plugins.dirs.extend(src.plugins.iter().cloned());
    let mut schemas = weir_pipeline::timeseries::plugin_schemas(&cfg)?;
    if data_dir.join(weir_ts::DB_FILE).is_file() {
        for (s, _) in open(&data_dir)?.schemas()? {
            schemas.define(s)?;
        }
    }
    Ok(Some((
        InfluxClient::new(ic).with_schemas(schemas.clone()),
        schemas,
    )))
}

fn list(args: &ListArgs) -> Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    // (schema, series count, series) for each schema to show.
    let mut found: Vec<(weir_ts::Schema, Vec<SeriesInfo>)> = Vec::new();
    match influx(&args.source)? {
        Some((client, schemas)) => {
            if let Some(s) = &args.schema {
                schemas.require(s)?;
            }
            for schema in schemas.iter() {
                if args.schema.as_ref().is_some_and(|s| *s != schema.name) {
                    continue;
                }
                let series = client.list_series(&schema.name, &[])?;
                if !series.is_empty() || args.schema.is_some() {
                    found.push(((**schema).clone(), series));
                }
            }
        }
        None => {
            let store = open(&resolve(&args.source)?.1)?;
            let schemas = store.schemas()?;
            if let Some(s) = &args.schema
                && !schemas.iter().any(|(x, _)| &x.name == s)
            {
                bail!(
                    "unknown timeseries schema `{s}` in {}",
                    store.path().display()
                );
            }
            for (schema, _) in schemas {
                if args.schema.as_ref().is_some_and(|s| *s != schema.name) {
                    continue;
                }
                let series = store.list_series(&schema.name, &[])?;
                found.push((schema, series));
            }
        }
    }
    for (schema, series) in found {
        if args.json {
            for s in series {
                let tags: serde_json::Map<String, serde_json::Value> =
                    s.tags.into_iter().map(|(k, v)| (k, v.into())).collect();
                let line =
                    serde_json::json!({"schema": s.schema, "tags": tags, "last_ts": s.last_ts});
                writeln!(out, "{line}")?;
            }
            continue;
        }
        let metrics: Vec<String> = schema
            .metrics
            .iter()
            .map(|m| format!("{} ({})", m.name, m.kind.name()))
            .collect();
        writeln!(
            out,
            "{}  step {} s, {} series, metrics: {}; tags: {}; defined in {}",
            schema.name,
            schema.step_secs,
            series.len(),
            metrics.join(", "),
            schema.tags.join(", "),
            schema.origin
        )?;
        for s in series {
            writeln!(
                out,
                "  {}  last {}",
                tag_text(&s.tags),
                s.last_ts.map_or_else(|| "-".into(), utc)
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn query(args: &QueryArgs) -> Result<ExitCode> {
    let source: Box<dyn TsQuery> = match influx(&args.source)? {
        Some((client, _)) => Box::new(client),
        None => Box::new(open(&resolve(&args.source)?.1)?),
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
    if let Some(want) = q.step_secs
        && want != r.step_secs
    {
        eprintln!(
            "weir: note: --step {want} s: the points are {} s apart ({})",
            r.step_secs,
            if want < r.step_secs {
                "the finest step stored for this range"
            } else {
                "a multiple of the stored step"
            }
        );
    }
    let mut out = std::io::stdout().lock();
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
                writeln!(out, "{line}")?;
            }
        }
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "{}: {} series, step {} s, {}",
        r.schema,
        r.series.len(),
        r.step_secs,
        r.agg.name()
    )?;
    for s in &r.series {
        writeln!(out, "{}", tag_text(&s.tags))?;
        writeln!(out, "  {:<20}  {}", "time (UTC)", r.metrics.join("  "))?;
        for p in &s.points {
            let vals: Vec<String> = p
                .values
                .iter()
                .map(|v| v.map_or_else(|| "-".into(), |x| format!("{x:.6}")))
                .collect();
            writeln!(out, "  {:<20}  {}", utc(p.ts), vals.join("  "))?;
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
pub(crate) fn utc(ts: u64) -> String {
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
