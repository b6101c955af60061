//! The embedded store: round-robin archives in one SQLite file (WAL, one transaction
//! per batch). The format is described in `docs/timeseries.md`.

mod write;

pub use write::EmbeddedWriter;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use parking_lot::Mutex;
use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{Error, Result};
use crate::query::{
    DataPoint, Query, QueryResult, SeriesData, SeriesInfo, TopItem, TopKQuery, TsQuery,
    check_filter, pick_archive, tags_match,
};
use crate::rrd::{self, Acc};
use crate::schema::{Archive, MetricKind, Schema};

/// Version of the on-disk format (SQLite `user_version`).
pub const FORMAT_VERSION: i64 = 1;

/// File name of the store inside a data directory.
pub const DB_FILE: &str = "timeseries.db";

const SCHEMA_SQL: &str = "
CREATE TABLE IF NOT EXISTS schemas(
    name TEXT PRIMARY KEY,
    step INTEGER NOT NULL,
    def TEXT NOT NULL,
    created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS series(
    id INTEGER PRIMARY KEY,
    schema TEXT NOT NULL,
    tags TEXT NOT NULL,
    last_ts INTEGER,
    raw BLOB,
    UNIQUE(schema, tags)
);
CREATE TABLE IF NOT EXISTS archive(
    level INTEGER NOT NULL,
    slot INTEGER NOT NULL,
    series INTEGER NOT NULL,
    ts INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY(level, slot, series)
) WITHOUT ROWID;
";

fn open_conn(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path).map_err(Error::sqlite("opening the database"))?;
    conn.busy_timeout(std::time::Duration::from_secs(10))
        .map_err(Error::sqlite("setting the busy timeout"))?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(Error::sqlite("enabling WAL"))?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(Error::sqlite("setting synchronous"))?;
    // One step of 10k series touches ~1000 pages (rows are clustered by slot).
    conn.pragma_update(None, "cache_size", -32_768)
        .map_err(Error::sqlite("setting the cache size"))?;
    Ok(conn)
}

/// The embedded timeseries store of a data directory: open it once, take one
/// [`EmbeddedWriter`] for the sink thread, query through [`TsQuery`].
///
/// ```
/// use weir_ts::*;
///
/// let dir = tempfile::tempdir()?;
/// let store = EmbeddedStore::open_dir(dir.path())?;
/// let registry = SchemaRegistry::with_builtins();
/// let schema = registry.require("iface:flows")?;
/// let mut w = store.writer()?;
/// for (i, flows) in [10.0, 12.0, 11.0].into_iter().enumerate() {
///     w.append(schema, vec!["0".into()], vec![flows], 1_700_000_040 + 60 * i as u64)?;
///     w.end_step()?;
/// }
/// let r = store.query(&Query::new("iface:flows").tag("ifid", "0"))?;
/// let values: Vec<_> = r.series[0].points.iter().map(|p| p.values[0]).collect();
/// assert_eq!(values, [Some(10.0), Some(12.0), Some(11.0)]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct EmbeddedStore {
    path: PathBuf,
    read: Mutex<Connection>,
}

impl std::fmt::Debug for EmbeddedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedStore")
            .field("path", &self.path)
            .finish()
    }
}

impl EmbeddedStore {
    /// Opens (creating if needed) `dir/timeseries.db`, creating `dir` too.
    ///
    /// # Errors
    /// [`Error::Io`], [`Error::Sqlite`], [`Error::FormatTooNew`].
    pub fn open_dir(dir: &Path) -> Result<EmbeddedStore> {
        std::fs::create_dir_all(dir).map_err(Error::io(format!("creating {}", dir.display())))?;
        EmbeddedStore::open(&dir.join(DB_FILE))
    }

    /// Opens (creating if needed) a store file.
    ///
    /// # Errors
    /// As [`EmbeddedStore::open_dir`].
    pub fn open(path: &Path) -> Result<EmbeddedStore> {
        let conn = open_conn(path)?;
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(Error::sqlite("reading the format version"))?;
        if version > FORMAT_VERSION {
            return Err(Error::FormatTooNew {
                path: path.into(),
                found: version,
                known: FORMAT_VERSION,
            });
        }
        if version < FORMAT_VERSION {
            conn.execute_batch(SCHEMA_SQL)
                .map_err(Error::sqlite("creating tables"))?;
            conn.pragma_update(None, "user_version", FORMAT_VERSION)
                .map_err(Error::sqlite("setting the format version"))?;
        }
        Ok(EmbeddedStore {
            path: path.into(),
            read: Mutex::new(conn),
        })
    }

    /// Opens an existing store for reading only (fails if the file is missing).
    ///
    /// # Errors
    /// [`Error::Io`] when there is no store, else as [`EmbeddedStore::open`].
    pub fn open_existing(dir: &Path) -> Result<EmbeddedStore> {
        let path = dir.join(DB_FILE);
        if !path.is_file() {
            return Err(Error::Io {
                context: format!("{}", path.display()),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no timeseries store here",
                ),
            });
        }
        EmbeddedStore::open(&path)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A writer with its own connection (one per store: the sink thread's).
    ///
    /// # Errors
    /// As [`EmbeddedStore::open`].
    pub fn writer(&self) -> Result<EmbeddedWriter> {
        Ok(EmbeddedWriter::new(open_conn(&self.path)?))
    }

    /// The schemas the store holds, with their number of series.
    ///
    /// # Errors
    /// [`Error::Sqlite`], or [`Error::InvalidSchema`] for an unreadable definition.
    pub fn schemas(&self) -> Result<Vec<(Schema, u64)>> {
        let conn = self.read.lock();
        let mut st = conn
            .prepare(
                "SELECT s.def, (SELECT count(*) FROM series WHERE schema = s.name)
                 FROM schemas s ORDER BY s.name",
            )
            .map_err(Error::sqlite("listing schemas"))?;
        let rows = st
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))
            .map_err(Error::sqlite("listing schemas"))?;
        let mut out = Vec::new();
        for row in rows {
            let (def, n) = row.map_err(Error::sqlite("listing schemas"))?;
            out.push((parse_def(&def)?, n.max(0) as u64));
        }
        Ok(out)
    }

    /// Runs SQLite's `integrity_check` (`"ok"` when sound).
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn integrity_check(&self) -> Result<String> {
        self.read
            .lock()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(Error::sqlite("integrity check"))
    }

    fn stored_schema(conn: &Connection, name: &str) -> Result<Schema> {
        let def: Option<String> = conn
            .query_row("SELECT def FROM schemas WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()
            .map_err(Error::sqlite("reading a schema"))?;
        parse_def(&def.ok_or_else(|| Error::UnknownSchema(name.into()))?)
    }

    fn series_of(
        conn: &Connection,
        schema: &Schema,
        filter: &[(String, String)],
    ) -> Result<Vec<StoredSeries>> {
        let mut st = conn
            .prepare_cached("SELECT id, tags, last_ts FROM series WHERE schema = ?1 ORDER BY tags")
            .map_err(Error::sqlite("listing series"))?;
        let rows = st
            .query_map([&schema.name], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                ))
            })
            .map_err(Error::sqlite("listing series"))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, tags, last) = row.map_err(Error::sqlite("listing series"))?;
            let tags: Vec<String> = serde_json::from_str(&tags).unwrap_or_default();
            if tags_match(schema, &tags, filter) {
                out.push((id, tags, last.map(|t| t.max(0) as u64)));
            }
        }
        Ok(out)
    }

    /// Consolidated buckets of one series in one archive over `[from, to)`, limited
    /// to the archive's live window: one primary-key lookup per bucket.
    fn buckets(
        conn: &Connection,
        schema: &Schema,
        id: i64,
        level: usize,
        last_ts: u64,
        from: Option<u64>,
        to: Option<u64>,
    ) -> Result<Vec<(u64, Vec<Acc>)>> {
        let Some(&a) = schema.archives.get(level) else {
            return Ok(Vec::new());
        };
        let mut st = conn
            .prepare_cached(
                "SELECT ts, data FROM archive WHERE level = ?1 AND slot = ?2 AND series = ?3",
            )
            .map_err(Error::sqlite("reading an archive"))?;
        let mut out = Vec::new();
        for b in window(a, last_ts, from, to) {
            let slot = rrd::slot(b, a.resolution_secs, a.rows);
            let row: Option<(i64, Vec<u8>)> = st
                .query_row(params![level as i64, slot as i64, id], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()
                .map_err(Error::sqlite("reading an archive"))?;
            if let Some((ts, data)) = row
                && ts.max(0) as u64 == b
                && let Some(accs) = rrd::decode(&data, schema.metrics.len())
            {
                out.push((b, accs));
            }
        }
        Ok(out)
    }
}

/// The bucket starts of an archive's live window (ending at the bucket of
/// `last_ts`) that fall in `[from, to)`.
fn window(
    a: Archive,
    last_ts: u64,
    from: Option<u64>,
    to: Option<u64>,
) -> impl Iterator<Item = u64> {
    let res = u64::from(a.resolution_secs.max(1));
    let newest = rrd::bucket_start(last_ts, a.resolution_secs);
    let oldest = newest.saturating_sub(u64::from(a.rows.saturating_sub(1)) * res);
    let lo = from.map_or(oldest, |f| f.max(oldest));
    let first = lo.div_ceil(res) * res;
    let end = to.unwrap_or(u64::MAX).min(newest.saturating_add(1));
    (0..)
        .map(move |i: u64| first + i * res)
        .take_while(move |b| *b < end)
}

/// A series row: id, tag values, time of the last point.
type StoredSeries = (i64, Vec<String>, Option<u64>);

fn parse_def(def: &str) -> Result<Schema> {
    let s: Schema = serde_json::from_str(def).map_err(|e| Error::InvalidSchema {
        name: "?".into(),
        origin: "timeseries.db".into(),
        reason: format!("unreadable stored definition: {e}"),
    })?;
    s.validate()?;
    Ok(s)
}

fn named(schema: &Schema, tags: Vec<String>) -> Vec<(String, String)> {
    schema.tags.iter().cloned().zip(tags).collect()
}

impl TsQuery for EmbeddedStore {
    fn query(&self, q: &Query) -> Result<QueryResult> {
        let conn = self.read.lock();
        let schema = EmbeddedStore::stored_schema(&conn, &q.schema)?;
        check_filter(&schema, &q.tags)?;
        if let (Some(f), Some(t)) = (q.from, q.to)
            && f > t
        {
            return Err(Error::InvalidQuery(format!("--from {f} is after --to {t}")));
        }
        let agg = q.agg.unwrap_or(schema.aggregation);
        let series = EmbeddedStore::series_of(&conn, &schema, &q.tags)?;
        let latest = series.iter().filter_map(|s| s.2).max().unwrap_or(0);
        let (level, out_res) = pick_archive(&schema.archives, q.step_secs, q.from, latest);
        let mut result = QueryResult {
            schema: schema.name.clone(),
            step_secs: out_res,
            agg,
            metrics: schema.metrics.iter().map(|m| m.name.clone()).collect(),
            series: Vec::new(),
        };
        for (id, tags, last) in series {
            let Some(last) = last else { continue };
            let rows = EmbeddedStore::buckets(&conn, &schema, id, level, last, q.from, q.to)?;
            let mut merged: Vec<(u64, Vec<Acc>)> = Vec::new();
            for (ts, accs) in rows {
                let start = rrd::bucket_start(ts, out_res);
                match merged.last_mut() {
                    Some((s, m)) if *s == start => {
                        for (a, b) in m.iter_mut().zip(&accs) {
                            a.merge(b);
                        }
                    }
                    _ => merged.push((start, accs)),
                }
            }
            // Output buckets start at or after `from` (a partial first bucket would
            // mislead a chart).
            let points = merged
                .into_iter()
                .filter(|(ts, _)| q.from.is_none_or(|f| *ts >= f))
                .map(|(ts, accs)| DataPoint {
                    ts,
                    values: accs.iter().map(|a| a.value(agg)).collect(),
                })
                .collect();
            result.series.push(SeriesData {
                tags: named(&schema, tags),
                points,
            });
        }
        Ok(result)
    }

    fn top_k(&self, q: &TopKQuery) -> Result<Vec<TopItem>> {
        let conn = self.read.lock();
        let schema = EmbeddedStore::stored_schema(&conn, &q.schema)?;
        check_filter(&schema, &q.tags)?;
        let m = schema.metric_index(&q.metric).ok_or_else(|| {
            Error::InvalidQuery(format!(
                "`{}` is not a metric of `{}`",
                q.metric, schema.name
            ))
        })?;
        let kind = schema.metrics[m].kind;
        let series = EmbeddedStore::series_of(&conn, &schema, &q.tags)?;
        let latest = series.iter().filter_map(|s| s.2).max().unwrap_or(0);
        let (level, _) = pick_archive(&schema.archives, None, q.from, latest);
        let Some(&a) = schema.archives.get(level) else {
            return Ok(Vec::new());
        };
        // One scan per bucket over the slot (rows are clustered by level and slot),
        // rather than one lookup per series and bucket.
        let span = u64::from(a.rows.saturating_sub(1)) * u64::from(a.resolution_secs);
        let mut by_id: HashMap<i64, (usize, u64, Acc)> = series
            .iter()
            .enumerate()
            .filter_map(|(i, (id, _, last))| {
                let oldest = rrd::bucket_start((*last)?, a.resolution_secs).saturating_sub(span);
                Some((*id, (i, oldest, Acc::EMPTY)))
            })
            .collect();
        let mut st = conn
            .prepare_cached("SELECT series, ts, data FROM archive WHERE level = ?1 AND slot = ?2")
            .map_err(Error::sqlite("reading an archive"))?;
        for b in window(a, latest, q.from, q.to) {
            let slot = rrd::slot(b, a.resolution_secs, a.rows);
            let rows = st
                .query_map(params![level as i64, slot as i64], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, Vec<u8>>(2)?,
                    ))
                })
                .map_err(Error::sqlite("reading an archive"))?;
            for row in rows {
                let (id, ts, data) = row.map_err(Error::sqlite("reading an archive"))?;
                if ts.max(0) as u64 != b {
                    continue;
                }
                let Some((_, oldest, total)) = by_id.get_mut(&id) else {
                    continue;
                };
                if b < *oldest {
                    continue;
                }
                if let Some(accs) = rrd::decode(&data, schema.metrics.len())
                    && let Some(x) = accs.get(m)
                {
                    total.merge(x);
                }
            }
        }
        let mut totals: Vec<(usize, Acc)> = by_id
            .into_values()
            .filter(|(_, _, t)| t.count > 0)
            .map(|(i, _, t)| (i, t))
            .collect();
        totals.sort_by_key(|(i, _)| *i);
        let mut out = Vec::new();
        for (i, total) in totals {
            let Some((_, tags, _)) = series.get(i) else {
                continue;
            };
            let score = match kind {
                MetricKind::Gauge => total.sum / total.count as f64,
                MetricKind::Counter | MetricKind::Derive => total.sum * f64::from(schema.step_secs),
            };
            out.push(TopItem {
                tags: named(&schema, tags.clone()),
                score,
            });
        }
        out.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| a.tags.cmp(&b.tags))
        });
        out.truncate(q.k);
        Ok(out)
    }

    fn list_series(&self, schema: &str, tags: &[(String, String)]) -> Result<Vec<SeriesInfo>> {
        let conn = self.read.lock();
        let schema = EmbeddedStore::stored_schema(&conn, schema)?;
        check_filter(&schema, tags)?;
        Ok(EmbeddedStore::series_of(&conn, &schema, tags)?
            .into_iter()
            .map(|(_, t, last_ts)| SeriesInfo {
                schema: schema.name.clone(),
                tags: named(&schema, t),
                last_ts,
            })
            .collect())
    }
}
