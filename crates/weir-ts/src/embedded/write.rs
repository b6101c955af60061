//! The write side: series state cache, consolidation into archive rows, deletes.

use std::collections::HashMap;
use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::{EmbeddedStore, parse_def};
use crate::error::{Error, Result};
use crate::point::Point;
use crate::rrd::{self, Bucket, SeriesState, Update};
use crate::schema::Schema;
use crate::writer::{Backend, BatchReport, TsWriter};

struct CachedSeries {
    id: i64,
    state: SeriesState,
    /// Open buckets read back from disk (done on first write after a restart).
    loaded: bool,
}

struct SchemaEntry {
    stored: Arc<Schema>,
    /// The definition the last point carried, and why it is refused (it differs from
    /// the stored one), if it is.
    incoming: Arc<Schema>,
    mismatch: Option<String>,
    series: HashMap<Vec<String>, CachedSeries>,
    warned_cap: bool,
}

/// The write side of an [`EmbeddedStore`]: a [`Backend`] for [`TsSink`](crate::TsSink)
/// and a synchronous [`TsWriter`] (each `end_step` is one transaction).
pub struct EmbeddedWriter {
    conn: Connection,
    cache: HashMap<String, SchemaEntry>,
    buf: Vec<Point>,
    totals: BatchReport,
}

impl std::fmt::Debug for EmbeddedWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedWriter")
            .field("schemas", &self.cache.len())
            .finish()
    }
}

fn compare(stored: &Schema, new: &Schema) -> Option<String> {
    if stored.step_secs != new.step_secs {
        return Some(format!("step {} → {}", stored.step_secs, new.step_secs));
    }
    if stored.tags != new.tags {
        return Some(format!(
            "tags [{}] → [{}]",
            stored.tags.join(","),
            new.tags.join(",")
        ));
    }
    if stored.metrics != new.metrics {
        return Some("metrics differ".into());
    }
    None
}

/// Compares a point's schema with the stored one, logging a refusal.
fn check_incoming(stored: &Schema, schema: &Schema) -> Option<String> {
    let mismatch = compare(stored, schema);
    if let Some(m) = &mismatch {
        tracing::error!(schema = %schema.name, origin = %schema.origin, "{}",
            Error::SchemaMismatch { name: schema.name.clone(), reason: m.clone() });
    } else if stored.archives != schema.archives {
        tracing::info!(schema = %schema.name, "archives were fixed when the store created the schema; keeping them");
    }
    mismatch
}

fn load_schema(tx: &Transaction<'_>, schema: &Arc<Schema>) -> Result<SchemaEntry> {
    let def: Option<String> = tx
        .query_row(
            "SELECT def FROM schemas WHERE name = ?1",
            [&schema.name],
            |r| r.get(0),
        )
        .optional()
        .map_err(Error::sqlite("reading a schema"))?;
    let (stored, mismatch) = match def {
        Some(d) => {
            let stored = parse_def(&d)?;
            let mismatch = check_incoming(&stored, schema);
            (Arc::new(stored), mismatch)
        }
        None => {
            let def = serde_json::to_string(&**schema).map_err(|e| Error::InvalidSchema {
                name: schema.name.clone(),
                origin: schema.origin.clone(),
                reason: e.to_string(),
            })?;
            tx.execute(
                "INSERT INTO schemas(name, step, def, created) VALUES (?1, ?2, ?3, strftime('%s','now'))",
                params![schema.name, schema.step_secs, def],
            )
            .map_err(Error::sqlite("creating a schema"))?;
            (Arc::clone(schema), None)
        }
    };
    let mut series = HashMap::new();
    {
        let mut st = tx
            .prepare_cached("SELECT id, tags, last_ts, raw FROM series WHERE schema = ?1")
            .map_err(Error::sqlite("loading series"))?;
        let rows = st
            .query_map([&schema.name], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<i64>>(2)?,
                    r.get::<_, Option<Vec<u8>>>(3)?,
                ))
            })
            .map_err(Error::sqlite("loading series"))?;
        for row in rows {
            let (id, tags, last, raw) = row.map_err(Error::sqlite("loading series"))?;
            let Ok(tags) = serde_json::from_str::<Vec<String>>(&tags) else {
                continue;
            };
            let mut state = SeriesState::new(&stored);
            state.last_ts = last.map(|t| t.max(0) as u64);
            state.raw = raw.map(|r| rrd::decode_raw(&r)).unwrap_or_default();
            series.insert(
                tags,
                CachedSeries {
                    id,
                    state,
                    loaded: false,
                },
            );
        }
    }
    Ok(SchemaEntry {
        stored,
        incoming: Arc::clone(schema),
        mismatch,
        series,
        warned_cap: false,
    })
}

fn load_open_buckets(tx: &Transaction<'_>, schema: &Schema, s: &mut CachedSeries) -> Result<()> {
    s.loaded = true;
    let Some(last) = s.state.last_ts else {
        return Ok(());
    };
    let mut st = tx
        .prepare_cached(
            "SELECT ts, data FROM archive WHERE series = ?1 AND level = ?2 AND slot = ?3",
        )
        .map_err(Error::sqlite("loading open buckets"))?;
    for (level, a) in schema.archives.iter().enumerate() {
        let start = rrd::bucket_start(last, a.resolution_secs);
        let slot = rrd::slot(start, a.resolution_secs, a.rows);
        let row: Option<(i64, Vec<u8>)> = st
            .query_row(params![s.id, level as i64, slot as i64], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .map_err(Error::sqlite("loading open buckets"))?;
        if let (Some((ts, data)), Some(open)) = (row, s.state.open.get_mut(level))
            && ts.max(0) as u64 == start
            && let Some(accs) = rrd::decode(&data, schema.metrics.len())
        {
            *open = Some(Bucket { start, accs });
        }
    }
    Ok(())
}

fn write_points(
    tx: &Transaction<'_>,
    cache: &mut HashMap<String, SchemaEntry>,
    points: &[Point],
) -> Result<BatchReport> {
    let mut report = BatchReport::default();
    let mut upsert = tx
        .prepare_cached(
            "INSERT INTO archive(series, level, slot, ts, data) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(level, slot, series) DO UPDATE SET ts = excluded.ts, data = excluded.data",
        )
        .map_err(Error::sqlite("preparing the archive upsert"))?;
    let mut update = tx
        .prepare_cached("UPDATE series SET last_ts = ?2, raw = ?3 WHERE id = ?1")
        .map_err(Error::sqlite("preparing the series update"))?;
    let mut insert = tx
        .prepare_cached("INSERT INTO series(schema, tags) VALUES (?1, ?2)")
        .map_err(Error::sqlite("preparing the series insert"))?;
    for p in points {
        if !cache.contains_key(&p.schema.name) {
            let e = load_schema(tx, &p.schema)?;
            cache.insert(p.schema.name.clone(), e);
        }
        let Some(entry) = cache.get_mut(&p.schema.name) else {
            continue;
        };
        if !Arc::ptr_eq(&entry.incoming, &p.schema) {
            entry.incoming = Arc::clone(&p.schema);
            entry.mismatch = if *entry.incoming == *entry.stored {
                None
            } else {
                check_incoming(&entry.stored, &p.schema)
            };
        }
        if entry.mismatch.is_some() {
            report.invalid += 1;
            continue;
        }
        let schema = Arc::clone(&entry.stored);
        if !entry.series.contains_key(&p.tags) {
            if entry.series.len() >= schema.max_series as usize {
                report.cardinality += 1;
                if !entry.warned_cap {
                    entry.warned_cap = true;
                    tracing::warn!(schema = %schema.name, max_series = schema.max_series,
                        "timeseries schema reached its cardinality cap: new series are refused and counted");
                }
                continue;
            }
            let tags = serde_json::to_string(&p.tags).unwrap_or_default();
            insert
                .execute(params![schema.name, tags])
                .map_err(Error::sqlite("creating a series"))?;
            entry.series.insert(
                p.tags.clone(),
                CachedSeries {
                    id: tx.last_insert_rowid(),
                    state: SeriesState::new(&schema),
                    loaded: true,
                },
            );
        }
        let Some(s) = entry.series.get_mut(&p.tags) else {
            continue;
        };
        if !s.loaded {
            load_open_buckets(tx, &schema, s)?;
        }
        let t = p.aligned_ts();
        match s.state.update(&schema, t, &p.values) {
            Update::OutOfOrder => {
                report.out_of_order += 1;
                continue;
            }
            Update::Changed(levels) => {
                for level in levels {
                    let (Some(a), Some(Some(b))) =
                        (schema.archives.get(level), s.state.open.get(level))
                    else {
                        continue;
                    };
                    let slot = rrd::slot(b.start, a.resolution_secs, a.rows);
                    upsert
                        .execute(params![
                            s.id,
                            level as i64,
                            slot as i64,
                            b.start as i64,
                            rrd::encode(&b.accs)
                        ])
                        .map_err(Error::sqlite("writing an archive row"))?;
                }
            }
        }
        let raw = if schema.metrics.iter().any(|m| m.kind.is_rate()) {
            Some(rrd::encode_raw(&s.state.raw))
        } else {
            None
        };
        update
            .execute(params![s.id, t as i64, raw])
            .map_err(Error::sqlite("updating a series"))?;
        report.written += 1;
    }
    Ok(report)
}

impl EmbeddedWriter {
    pub(super) fn new(conn: Connection) -> EmbeddedWriter {
        EmbeddedWriter {
            conn,
            cache: HashMap::new(),
            buf: Vec::new(),
            totals: BatchReport::default(),
        }
    }

    /// What this writer did with every point so far (when used as a [`TsWriter`];
    /// through a sink, see [`SinkStats`](crate::SinkStats)).
    pub fn totals(&self) -> BatchReport {
        self.totals
    }

    fn write(&mut self, points: &[Point]) -> Result<BatchReport> {
        let result = (|| {
            let tx = self
                .conn
                .transaction()
                .map_err(Error::sqlite("starting a transaction"))?;
            let r = write_points(&tx, &mut self.cache, points)?;
            tx.commit().map_err(Error::sqlite("committing"))?;
            Ok(r)
        })();
        match &result {
            Ok(r) => {
                self.totals.written += r.written;
                self.totals.cardinality += r.cardinality;
                self.totals.out_of_order += r.out_of_order;
                self.totals.invalid += r.invalid;
            }
            // The in-memory state may be ahead of the rolled-back database: reload.
            Err(_) => self.cache.clear(),
        }
        result
    }
}

impl EmbeddedWriter {
    /// Deletes series (see [`Backend::delete`]) in one transaction: their archive
    /// rows (one lookup per slot), their rows in `series`, and their write state.
    /// Schema definitions stay.
    ///
    /// # Errors
    /// [`Error::Sqlite`].
    pub fn delete_series(&mut self, schema_prefix: &str, tags: &[(String, String)]) -> Result<u64> {
        let result = (|| {
            let tx = self
                .conn
                .transaction()
                .map_err(Error::sqlite("starting a transaction"))?;
            let mut schemas = Vec::new();
            {
                let mut st = tx
                    .prepare("SELECT def FROM schemas")
                    .map_err(Error::sqlite("listing schemas"))?;
                let defs = st
                    .query_map([], |r| r.get::<_, String>(0))
                    .map_err(Error::sqlite("listing schemas"))?;
                for d in defs {
                    let s = parse_def(&d.map_err(Error::sqlite("listing schemas"))?)?;
                    if s.name.starts_with(schema_prefix)
                        && tags.iter().all(|(k, _)| s.tag_index(k).is_some())
                    {
                        schemas.push(s);
                    }
                }
            }
            let mut deleted = 0;
            for schema in &schemas {
                let doomed = EmbeddedStore::series_of(&tx, schema, tags)?;
                let mut del_row = tx
                    .prepare_cached(
                        "DELETE FROM archive WHERE level = ?1 AND slot = ?2 AND series = ?3",
                    )
                    .map_err(Error::sqlite("deleting archive rows"))?;
                let mut del_series = tx
                    .prepare_cached("DELETE FROM series WHERE id = ?1")
                    .map_err(Error::sqlite("deleting a series"))?;
                for (id, values, _) in &doomed {
                    for (level, a) in schema.archives.iter().enumerate() {
                        for slot in 0..a.rows {
                            del_row
                                .execute(params![level as i64, i64::from(slot), id])
                                .map_err(Error::sqlite("deleting archive rows"))?;
                        }
                    }
                    del_series
                        .execute([id])
                        .map_err(Error::sqlite("deleting a series"))?;
                    if let Some(e) = self.cache.get_mut(&schema.name) {
                        e.series.remove(values);
                    }
                    deleted += 1;
                }
            }
            tx.commit().map_err(Error::sqlite("committing"))?;
            Ok(deleted)
        })();
        if result.is_err() {
            self.cache.clear();
        }
        result
    }
}

impl Backend for EmbeddedWriter {
    fn name(&self) -> &'static str {
        "embedded"
    }

    fn write_batch(&mut self, points: &[Point]) -> Result<BatchReport> {
        self.write(points)
    }

    fn delete(&mut self, schema_prefix: &str, tags: &[(String, String)]) -> Result<u64> {
        self.delete_series(schema_prefix, tags)
    }
}

impl TsWriter for EmbeddedWriter {
    fn push(&mut self, point: Point) -> Result<()> {
        self.buf.push(point);
        Ok(())
    }

    fn end_step(&mut self) -> Result<()> {
        let buf = std::mem::take(&mut self.buf);
        self.write(&buf).map(|_| ())
    }
}
