//! The embedded SQLite store: WAL, versioned schema, one writer, batched transactions,
//! retention by age and by row count with incremental vacuum.
//!
//! # Crash safety
//! Each batch is one transaction. In WAL mode with `synchronous=NORMAL`, a committed
//! transaction survives the death of the process (kill -9): it is in the WAL, which
//! SQLite replays on the next open. (A power loss may lose the last transactions, not
//! corrupt the file; set [`SqliteConfig::synchronous_full`] to also survive that.)

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use rusqlite::types::Value;
use rusqlite::{Connection, OpenFlags, Row, TransactionBehavior, params, params_from_iter};
use serde::{Deserialize, Serialize};

use super::query::{AlertQuery, AlertTable, CountBy, CountRow, SortBy};
use super::{AlertStore, StoreWriter};
use crate::alert::{Action, Alert, AlertRecord, FlowAlert, Notification};
use crate::error::{Error, Result};
use crate::keys::{AlertKey, StatusKey};
use crate::types::{Entity, EntityKind, Severity};

/// File name of the alert database inside a data directory.
pub const DB_FILE: &str = "alerts.db";

/// Retention: alerts older than `max_age_secs` (relative to the newest alert of the
/// same table, so a replayed old capture is not wiped at once) or beyond the
/// newest `max_rows` are removed. Engaged alerts are never removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retention {
    /// Keep alerts at most this old (seconds of packet time); `None` = forever.
    pub max_age_secs: Option<u64>,
    /// Keep at most this many past alerts and this many flow alerts; `None` = no cap.
    pub max_rows: Option<u64>,
}

impl Default for Retention {
    fn default() -> Retention {
        Retention {
            max_age_secs: Some(30 * 86400),
            max_rows: Some(10_000_000),
        }
    }
}

/// SQLite store settings.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SqliteConfig {
    /// Retention policy, applied by the writer's housekeeping.
    pub retention: Retention,
    /// `synchronous=FULL` instead of `NORMAL`: survive power loss, at a cost per commit.
    pub synchronous_full: bool,
}

/// Schema migrations; `user_version` = number applied.
const MIGRATIONS: &[&str] = &[
    // 1: initial schema.
    "
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
    ",
    // 2: the human-readable message and the acknowledgement of every alert. The
    // messages of existing rows are written by `fill_messages` in the same
    // transaction.
    "
    ALTER TABLE engaged_alerts ADD COLUMN msg TEXT NOT NULL DEFAULT '';
    ALTER TABLE engaged_alerts ADD COLUMN acknowledged INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE alerts ADD COLUMN msg TEXT NOT NULL DEFAULT '';
    ALTER TABLE alerts ADD COLUMN acknowledged INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE flow_alerts ADD COLUMN msg TEXT NOT NULL DEFAULT '';
    ALTER TABLE flow_alerts ADD COLUMN acknowledged INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX alerts_name ON alerts (alert_name);
    CREATE INDEX flow_alerts_name ON flow_alerts (alert_name);
    ",
];

const ALERT_COLS: &str = "rowid, ifid, alert_type, alert_name, alert_subtype, alert_granularity, \
     alert_severity, alert_entity, alert_entity_val, alert_tstamp, alert_tstamp_end, last_seen, \
     count, score, alert_json, script_key, msg, acknowledged";

const FLOW_COLS: &str = "rowid, ifid, alert_type, alert_name, flow_status, alert_severity, \
     alert_tstamp, first_seen, score, cli_score, srv_score, vlan_id, proto, proto_name, l7_proto, \
     l7_master_proto, cli_addr, cli_port, srv_addr, srv_port, cli_localhost, srv_localhost, \
     cli_blacklisted, srv_blacklisted, cli_country, srv_country, cli_asn, srv_asn, cli2srv_bytes, \
     srv2cli_bytes, cli2srv_packets, srv2cli_packets, info, alert_json, replace_alert, script_key, \
     msg, acknowledged";

/// A past alert; a released one keeps the acknowledgement of its engaged row (?17:
/// its `alert_id`, NULL for one-shot alerts).
const INSERT_PAST: &str = "INSERT INTO alerts (ifid, alert_type, alert_name, alert_subtype, \
     alert_granularity, alert_severity, alert_entity, alert_entity_val, alert_tstamp, \
     alert_tstamp_end, last_seen, count, score, alert_json, script_key, msg, acknowledged) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, \
     coalesce((SELECT acknowledged FROM engaged_alerts WHERE alert_id = ?17), 0))";

const INSERT_ENGAGED: &str = "INSERT OR REPLACE INTO engaged_alerts (alert_id, ifid, alert_type, \
     alert_name, alert_subtype, alert_granularity, alert_severity, alert_entity, alert_entity_val, \
     alert_tstamp, alert_tstamp_end, last_seen, count, score, alert_json, script_key, msg) \
     VALUES (?16, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?17)";

const INSERT_FLOW: &str = "INSERT INTO flow_alerts (ifid, alert_type, alert_name, flow_status, \
     alert_severity, alert_tstamp, first_seen, score, cli_score, srv_score, vlan_id, proto, \
     proto_name, l7_proto, l7_master_proto, cli_addr, cli_port, srv_addr, srv_port, cli_localhost, \
     srv_localhost, cli_blacklisted, srv_blacklisted, cli_country, srv_country, cli_asn, srv_asn, \
     cli2srv_bytes, srv2cli_bytes, cli2srv_packets, srv2cli_packets, info, alert_json, \
     replace_alert, script_key, msg) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, \
     ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, \
     ?31, ?32, ?33, ?34, ?35, ?36)";

/// The SQLite alert store (`alerts.db`).
///
/// Cloning is cheap (shared reader connection). Queries run on a read connection
/// and never block the writer (WAL).
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    config: SqliteConfig,
    reader: Mutex<Connection>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.inner.path)
            .finish()
    }
}

impl SqliteStore {
    /// Opens (creating if needed) `<data_dir>/alerts.db`, creating `data_dir` too.
    ///
    /// # Errors
    /// I/O errors, SQLite errors, or [`Error::SchemaTooNew`].
    pub fn open_dir(data_dir: &Path, config: SqliteConfig) -> Result<SqliteStore> {
        std::fs::create_dir_all(data_dir)
            .map_err(Error::io(format!("creating {}", data_dir.display())))?;
        SqliteStore::open(&data_dir.join(DB_FILE), config)
    }

    /// Opens (creating if needed) the database at `path` and migrates its schema.
    ///
    /// # Errors
    /// SQLite errors, or [`Error::SchemaTooNew`].
    pub fn open(path: &Path, config: SqliteConfig) -> Result<SqliteStore> {
        let mut conn = Connection::open(path).map_err(Error::sqlite("open"))?;
        // Must precede the first table: freed pages are returned by incremental_vacuum.
        conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")
            .map_err(Error::sqlite("auto_vacuum"))?;
        configure(&conn, &config)?;
        migrate(&mut conn, path)?;
        drop(conn);
        let reader = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(Error::sqlite("open reader"))?;
        reader
            .busy_timeout(Duration::from_secs(5))
            .map_err(Error::sqlite("busy_timeout"))?;
        reader
            .pragma_update(None, "query_only", true)
            .map_err(Error::sqlite("query_only"))?;
        Ok(SqliteStore {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                config,
                reader: Mutex::new(reader),
            }),
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// The schema version of the file (`PRAGMA user_version`).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn schema_version(&self) -> Result<i64> {
        self.inner
            .reader
            .lock()
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(Error::sqlite("user_version"))
    }

    /// Runs `PRAGMA integrity_check`; `Ok("ok")` for a sound file.
    ///
    /// # Errors
    /// SQLite errors.
    pub fn integrity_check(&self) -> Result<String> {
        self.inner
            .reader
            .lock()
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .map_err(Error::sqlite("integrity_check"))
    }

    /// Number of alerts matching `q` (its filters; sort, limit and offset ignored).
    ///
    /// # Errors
    /// SQLite errors, or a filter that does not apply to the table.
    pub fn total(&self, q: &AlertQuery) -> Result<u64> {
        let (where_sql, args) = build_where(q)?;
        let sql = format!(
            "SELECT count(*) FROM {} WHERE {where_sql}",
            table_name(q.table)
        );
        self.inner
            .reader
            .lock()
            .query_row(&sql, params_from_iter(args), |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(Error::sqlite("count"))
    }

    /// Marks every alert matching `q` (filters only) acknowledged (`ack`) or not;
    /// returns how many rows changed. Works on every table; a released alert keeps
    /// the acknowledgement of its engaged row.
    ///
    /// # Errors
    /// SQLite errors, or a filter that does not apply to the table.
    pub fn acknowledge(&self, q: &AlertQuery, ack: bool) -> Result<u64> {
        let (where_sql, mut args) = build_where(q)?;
        args.push(Value::Integer(i64::from(ack)));
        let n = args.len();
        let sql = format!(
            "UPDATE {} SET acknowledged = ?{n} WHERE ({where_sql}) AND acknowledged != ?{n}",
            table_name(q.table)
        );
        self.write(&sql, args, "acknowledge")
    }

    /// Deletes every past or flow alert matching `q` (filters only); returns how many.
    ///
    /// # Errors
    /// [`Error::Config`] for the engaged table (an engaged alert is ended by its
    /// script releasing it, not by deleting its row), SQLite errors, or a filter that
    /// does not apply to the table.
    pub fn delete(&self, q: &AlertQuery) -> Result<u64> {
        if q.table == AlertTable::Engaged {
            return Err(Error::Config(
                "engaged alerts cannot be deleted: they end when released (acknowledge them instead)"
                    .into(),
            ));
        }
        let (where_sql, args) = build_where(q)?;
        let sql = format!("DELETE FROM {} WHERE {where_sql}", table_name(q.table));
        self.write(&sql, args, "delete")
    }

    /// One statement on a write connection of its own (the reader is query-only).
    fn write(&self, sql: &str, args: Vec<Value>, what: &'static str) -> Result<u64> {
        let conn = Connection::open(&self.inner.path).map_err(Error::sqlite("open"))?;
        configure(&conn, &self.inner.config)?;
        conn.execute(sql, params_from_iter(args))
            .map(|n| n as u64)
            .map_err(Error::sqlite(what))
    }

    /// Number of rows of a table (fast path for dashboards and tests).
    ///
    /// # Errors
    /// SQLite errors.
    pub fn count(&self, table: AlertTable) -> Result<u64> {
        let sql = format!("SELECT count(*) FROM {}", table_name(table));
        self.inner
            .reader
            .lock()
            .query_row(&sql, [], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .map_err(Error::sqlite("count"))
    }
}

fn configure(conn: &Connection, config: &SqliteConfig) -> Result<()> {
    conn.busy_timeout(Duration::from_secs(5))
        .map_err(Error::sqlite("busy_timeout"))?;
    let mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
        .map_err(Error::sqlite("journal_mode"))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(mode, "SQLite refused WAL mode");
    }
    let sync = if config.synchronous_full {
        "FULL"
    } else {
        "NORMAL"
    };
    conn.pragma_update(None, "synchronous", sync)
        .map_err(Error::sqlite("synchronous"))?;
    Ok(())
}

fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(Error::sqlite("user_version"))?;
    let known = MIGRATIONS.len() as i64;
    if version > known {
        return Err(Error::SchemaTooNew {
            path: path.to_owned(),
            found: version,
            known,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(Error::sqlite("migration"))?;
        tx.execute_batch(sql).map_err(Error::sqlite("migration"))?;
        if i + 1 == 2 {
            fill_messages(&tx).map_err(Error::sqlite("migration: messages"))?;
        }
        tx.pragma_update(None, "user_version", i as i64 + 1)
            .map_err(Error::sqlite("migration"))?;
        tx.commit().map_err(Error::sqlite("migration"))?;
        tracing::info!(version = i + 1, path = %path.display(), "alert database migrated");
    }
    Ok(())
}

/// Writes the message of every row without one (rows stored before version 2), from
/// the core definitions' titles or the stored type name ([`crate::message`]).
fn fill_messages(conn: &Connection) -> rusqlite::Result<()> {
    use crate::message;
    let registry = crate::registry::Registry::with_builtins();
    let title_of = |key: u32, name: &str| {
        registry
            .alert(AlertKey(key))
            .filter(|t| t.name == name || name.is_empty())
            .map(|t| t.title.clone())
            .unwrap_or_else(|| message::readable_title("", name))
    };
    for table in ["engaged_alerts", "alerts"] {
        let rows: Vec<(i64, u32, String, String, String)> = conn
            .prepare(&format!(
                "SELECT rowid, alert_type, alert_name, alert_subtype, alert_json FROM {table} \
                 WHERE msg = ''"
            ))?
            .query_map([], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut up = conn.prepare(&format!("UPDATE {table} SET msg = ?1 WHERE rowid = ?2"))?;
        for (rowid, key, name, subtype, js) in rows {
            let params: serde_json::Value =
                serde_json::from_str(&js).unwrap_or(serde_json::Value::Null);
            let msg = if registry.alert_name(AlertKey(key)) == Some(name.as_str()) {
                message::alert_message(&registry, AlertKey(key), &subtype, &params)
            } else {
                message::generic(&title_of(key, &name), &subtype, &params)
            };
            up.execute(params![msg, rowid])?;
        }
    }
    let rows: Vec<(i64, u32, String, u8, String)> = conn
        .prepare(
            "SELECT rowid, alert_type, alert_name, flow_status, alert_json FROM flow_alerts \
             WHERE msg = ''",
        )?
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })?
        .collect::<rusqlite::Result<_>>()?;
    let mut up = conn.prepare("UPDATE flow_alerts SET msg = ?1 WHERE rowid = ?2")?;
    for (rowid, key, name, status, js) in rows {
        let params: serde_json::Value =
            serde_json::from_str(&js).unwrap_or(serde_json::Value::Null);
        let msg = if registry.status(StatusKey(status)).is_some()
            && registry.alert_name(AlertKey(key)) == Some(name.as_str())
        {
            message::flow_status_message(&registry, StatusKey(status), AlertKey(key), &params)
        } else {
            message::generic(&title_of(key, &name), "", &params)
        };
        up.execute(params![msg, rowid])?;
    }
    Ok(())
}

fn table_name(t: AlertTable) -> &'static str {
    match t {
        AlertTable::Engaged => "engaged_alerts",
        AlertTable::Past => "alerts",
        AlertTable::Flow => "flow_alerts",
    }
}

/// The writer connection.
struct SqliteWriter {
    conn: Connection,
    retention: Retention,
}

impl AlertStore for SqliteStore {
    fn writer(&self) -> Result<Box<dyn StoreWriter>> {
        let conn = Connection::open(&self.inner.path).map_err(Error::sqlite("open writer"))?;
        configure(&conn, &self.inner.config)?;
        conn.set_prepared_statement_cache_capacity(16);
        Ok(Box::new(SqliteWriter {
            conn,
            retention: self.inner.config.retention,
        }))
    }

    fn query(&self, q: &AlertQuery) -> Result<Vec<AlertRecord>> {
        let (where_sql, args) = build_where(q)?;
        let order = match q.sort {
            SortBy::Time => "alert_tstamp",
            SortBy::Severity => "alert_severity",
            SortBy::Score => "score",
            SortBy::Type => "alert_type",
        };
        let dir = if q.descending { "DESC" } else { "ASC" };
        let cols = if q.table == AlertTable::Flow {
            FLOW_COLS
        } else {
            ALERT_COLS
        };
        let sql = format!(
            "SELECT {cols} FROM {} WHERE {where_sql} ORDER BY {order} {dir}, rowid {dir} LIMIT {} OFFSET {}",
            table_name(q.table),
            q.limit.map_or(-1, i64::from),
            q.offset
        );
        let conn = self.inner.reader.lock();
        let mut stmt = conn.prepare_cached(&sql).map_err(Error::sqlite("query"))?;
        let rows = stmt
            .query_map(params_from_iter(args), |r| {
                if q.table == AlertTable::Flow {
                    flow_from_row(r).map(AlertRecord::Flow)
                } else {
                    alert_from_row(r).map(AlertRecord::Alert)
                }
            })
            .map_err(Error::sqlite("query"))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(Error::sqlite("query"))
    }

    fn counts(&self, q: &AlertQuery, by: CountBy) -> Result<Vec<CountRow>> {
        let (where_sql, args) = build_where(q)?;
        let col = match (by, q.table) {
            (CountBy::Type, _) => "alert_type",
            (CountBy::Severity, _) => "alert_severity",
            (CountBy::Entity, AlertTable::Flow) => "4",
            (CountBy::Entity, _) => "alert_entity",
        };
        let sql = format!(
            "SELECT {col}, max(alert_name), count(*) FROM {} WHERE {where_sql} GROUP BY 1 ORDER BY 3 DESC, 1",
            table_name(q.table)
        );
        let conn = self.inner.reader.lock();
        let mut stmt = conn.prepare_cached(&sql).map_err(Error::sqlite("counts"))?;
        let rows = stmt
            .query_map(params_from_iter(args), |r| {
                let key: i64 = r.get(0)?;
                let type_name: Option<String> = r.get(1)?;
                let count: i64 = r.get(2)?;
                let name = match by {
                    CountBy::Type => type_name.unwrap_or_default(),
                    CountBy::Severity => u8::try_from(key)
                        .ok()
                        .and_then(Severity::from_id)
                        .map_or_else(String::new, |s| s.name().to_owned()),
                    CountBy::Entity => u8::try_from(key)
                        .ok()
                        .and_then(EntityKind::from_id)
                        .map_or_else(String::new, |e| e.name().to_owned()),
                };
                Ok(CountRow {
                    key,
                    name,
                    count: count as u64,
                })
            })
            .map_err(Error::sqlite("counts"))?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(Error::sqlite("counts"))
    }
}

fn build_where(q: &AlertQuery) -> Result<(String, Vec<Value>)> {
    let flow = q.table == AlertTable::Flow;
    let mut conds: Vec<String> = vec!["1".into()];
    let mut args: Vec<Value> = Vec::new();
    let mut arg = |v: Value| {
        args.push(v);
        format!("?{}", args.len())
    };
    if let Some(from) = q.from {
        conds.push(format!(
            "alert_tstamp >= {}",
            arg(Value::Integer(from as i64))
        ));
    }
    if let Some(to) = q.to {
        conds.push(format!(
            "alert_tstamp <= {}",
            arg(Value::Integer(to as i64))
        ));
    }
    if let Some(s) = q.min_severity {
        conds.push(format!(
            "alert_severity >= {}",
            arg(Value::Integer(i64::from(s.id())))
        ));
    }
    if let Some(t) = q.alert_type {
        conds.push(format!(
            "alert_type = {}",
            arg(Value::Integer(i64::from(t.0)))
        ));
    }
    if let Some(n) = &q.alert_name {
        conds.push(format!("alert_name = {}", arg(Value::Text(n.clone()))));
    }
    if let Some(a) = q.acknowledged {
        conds.push(format!(
            "acknowledged = {}",
            arg(Value::Integer(i64::from(a)))
        ));
    }
    if let Some(id) = q.rowid {
        conds.push(format!("rowid = {}", arg(Value::Integer(id))));
    }
    if let Some(e) = q.entity {
        if flow {
            if e != EntityKind::Flow {
                conds.push("0".into());
            }
        } else {
            conds.push(format!(
                "alert_entity = {}",
                arg(Value::Integer(i64::from(e.id())))
            ));
        }
    }
    if let Some(v) = &q.entity_value {
        if flow {
            if v != "flow" {
                conds.push("0".into());
            }
        } else {
            conds.push(format!(
                "alert_entity_val = {}",
                arg(Value::Text(v.clone()))
            ));
        }
    }
    if let Some(ip) = &q.ip {
        if flow {
            let a = arg(Value::Text(ip.clone()));
            conds.push(format!("(cli_addr = {a} OR srv_addr = {a})"));
        } else {
            let prefix = format!("{ip}@");
            let n = prefix.chars().count() as i64;
            let a = arg(Value::Text(prefix));
            let l = arg(Value::Integer(n));
            conds.push(format!(
                "(alert_entity = 1 AND substr(alert_entity_val, 1, {l}) = {a})"
            ));
        }
    }
    if let Some(vlan) = q.vlan {
        if flow {
            conds.push(format!(
                "vlan_id = {}",
                arg(Value::Integer(i64::from(vlan)))
            ));
        } else {
            let a = arg(Value::Text(format!("%@{vlan}")));
            conds.push(format!("(alert_entity = 1 AND alert_entity_val LIKE {a})"));
        }
    }
    if let Some(l7) = &q.l7_proto {
        if !flow {
            return Err(Error::Config(
                "the L7 protocol filter applies to flow alerts only".into(),
            ));
        }
        let a = arg(Value::Text(l7.clone()));
        conds.push(format!(
            "(l7_proto = {a} COLLATE NOCASE OR l7_master_proto = {a} COLLATE NOCASE)"
        ));
    }
    if let Some(text) = &q.text {
        let a = arg(Value::Text(text.to_ascii_lowercase()));
        let cols: &[&str] = if flow {
            &[
                "msg",
                "alert_name",
                "alert_json",
                "info",
                "cli_addr",
                "srv_addr",
                "l7_proto",
            ]
        } else {
            &[
                "msg",
                "alert_name",
                "alert_json",
                "alert_entity_val",
                "alert_subtype",
            ]
        };
        let any: Vec<String> = cols
            .iter()
            .map(|c| format!("instr(lower({c}), {a}) > 0"))
            .collect();
        conds.push(format!("({})", any.join(" OR ")));
    }
    Ok((conds.join(" AND "), args))
}

fn severity_from(r: &Row<'_>, idx: usize) -> rusqlite::Result<Severity> {
    let id: i64 = r.get(idx)?;
    u8::try_from(id)
        .ok()
        .and_then(Severity::from_id)
        .ok_or(rusqlite::Error::IntegralValueOutOfRange(idx, id))
}

fn alert_from_row(r: &Row<'_>) -> rusqlite::Result<Alert> {
    let entity_id: i64 = r.get(7)?;
    let kind = u8::try_from(entity_id)
        .ok()
        .and_then(EntityKind::from_id)
        .ok_or(rusqlite::Error::IntegralValueOutOfRange(7, entity_id))?;
    Ok(Alert {
        rowid: Some(r.get(0)?),
        ifid: r.get(1)?,
        alert_type: AlertKey(r.get(2)?),
        alert_name: r.get(3)?,
        alert_subtype: r.get(4)?,
        alert_granularity: r.get(5)?,
        alert_severity: severity_from(r, 6)?,
        entity: Entity::new(kind, r.get::<_, String>(8)?),
        alert_tstamp: r.get::<_, i64>(9)? as u64,
        alert_tstamp_end: r.get::<_, Option<i64>>(10)?.map(|v| v as u64),
        last_seen: r.get::<_, i64>(11)? as u64,
        count: r.get::<_, i64>(12)? as u64,
        score: r.get(13)?,
        alert_json: r.get(14)?,
        script_key: r.get(15)?,
        msg: r.get(16)?,
        acknowledged: r.get(17)?,
    })
}

fn flow_from_row(r: &Row<'_>) -> rusqlite::Result<FlowAlert> {
    let u = |i: usize| r.get::<_, i64>(i).map(|v| v as u64);
    Ok(FlowAlert {
        rowid: Some(r.get(0)?),
        ifid: r.get(1)?,
        alert_type: AlertKey(r.get(2)?),
        alert_name: r.get(3)?,
        flow_status: StatusKey(r.get(4)?),
        alert_severity: severity_from(r, 5)?,
        entity: Entity::flow(),
        alert_tstamp: u(6)?,
        first_seen: u(7)?,
        score: r.get(8)?,
        cli_score: r.get(9)?,
        srv_score: r.get(10)?,
        vlan_id: r.get(11)?,
        proto: r.get(12)?,
        proto_name: r.get(13)?,
        l7_proto: r.get(14)?,
        l7_master_proto: r.get(15)?,
        cli_addr: r.get(16)?,
        cli_port: r.get(17)?,
        srv_addr: r.get(18)?,
        srv_port: r.get(19)?,
        cli_localhost: r.get(20)?,
        srv_localhost: r.get(21)?,
        cli_blacklisted: r.get(22)?,
        srv_blacklisted: r.get(23)?,
        cli_country: r.get(24)?,
        srv_country: r.get(25)?,
        cli_asn: r.get(26)?,
        srv_asn: r.get(27)?,
        cli2srv_bytes: u(28)?,
        srv2cli_bytes: u(29)?,
        cli2srv_packets: u(30)?,
        srv2cli_packets: u(31)?,
        info: r.get(32)?,
        alert_json: r.get(33)?,
        replace_alert: r.get(34)?,
        script_key: r.get(35)?,
        msg: r.get(36)?,
        acknowledged: r.get(37)?,
    })
}

impl StoreWriter for SqliteWriter {
    fn write_batch(&mut self, batch: &[Arc<Notification>]) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(Error::sqlite("begin"))?;
        {
            let e = Error::sqlite("insert");
            let mut past = tx
                .prepare_cached(INSERT_PAST)
                .map_err(Error::sqlite("prepare"))?;
            let mut engaged = tx
                .prepare_cached(INSERT_ENGAGED)
                .map_err(Error::sqlite("prepare"))?;
            let mut flow = tx
                .prepare_cached(INSERT_FLOW)
                .map_err(Error::sqlite("prepare"))?;
            let mut unengage = tx
                .prepare_cached("DELETE FROM engaged_alerts WHERE alert_id = ?1")
                .map_err(Error::sqlite("prepare"))?;
            let r: rusqlite::Result<()> = (|| {
                for n in batch {
                    match (&n.record, n.action) {
                        (AlertRecord::Flow(f), _) => {
                            flow.execute(params![
                                f.ifid,
                                f.alert_type.0,
                                f.alert_name,
                                f.flow_status.0,
                                f.alert_severity.id(),
                                f.alert_tstamp as i64,
                                f.first_seen as i64,
                                f.score,
                                f.cli_score,
                                f.srv_score,
                                f.vlan_id,
                                f.proto,
                                f.proto_name,
                                f.l7_proto,
                                f.l7_master_proto,
                                f.cli_addr,
                                f.cli_port,
                                f.srv_addr,
                                f.srv_port,
                                f.cli_localhost,
                                f.srv_localhost,
                                f.cli_blacklisted,
                                f.srv_blacklisted,
                                f.cli_country,
                                f.srv_country,
                                f.cli_asn,
                                f.srv_asn,
                                f.cli2srv_bytes as i64,
                                f.srv2cli_bytes as i64,
                                f.cli2srv_packets as i64,
                                f.srv2cli_packets as i64,
                                f.info,
                                f.alert_json,
                                f.replace_alert,
                                f.script_key,
                                f.msg,
                            ])?;
                        }
                        (AlertRecord::Alert(a), Action::Engage) => {
                            let id = a.alert_id();
                            engaged.execute(params![
                                a.ifid,
                                a.alert_type.0,
                                a.alert_name,
                                a.alert_subtype,
                                a.alert_granularity,
                                a.alert_severity.id(),
                                a.entity.kind.id(),
                                a.entity.value,
                                a.alert_tstamp as i64,
                                a.alert_tstamp_end.map(|v| v as i64),
                                a.last_seen as i64,
                                a.count as i64,
                                a.score,
                                a.alert_json,
                                a.script_key,
                                id,
                                a.msg,
                            ])?;
                        }
                        (AlertRecord::Alert(a), action) => {
                            let engaged_id = (action == Action::Release).then(|| a.alert_id());
                            past.execute(params![
                                a.ifid,
                                a.alert_type.0,
                                a.alert_name,
                                a.alert_subtype,
                                a.alert_granularity,
                                a.alert_severity.id(),
                                a.entity.kind.id(),
                                a.entity.value,
                                a.alert_tstamp as i64,
                                a.alert_tstamp_end.map(|v| v as i64),
                                a.last_seen as i64,
                                a.count as i64,
                                a.score,
                                a.alert_json,
                                a.script_key,
                                a.msg,
                                engaged_id,
                            ])?;
                            if let Some(id) = engaged_id {
                                unengage.execute([id])?;
                            }
                        }
                    }
                }
                Ok(())
            })();
            r.map_err(e)?;
        }
        tx.commit().map_err(Error::sqlite("commit"))
    }

    fn housekeeping(&mut self) -> Result<u64> {
        let mut removed = 0u64;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(Error::sqlite("retention"))?;
        for table in ["alerts", "flow_alerts"] {
            if let Some(age) = self.retention.max_age_secs {
                let newest: Option<i64> = tx
                    .query_row(&format!("SELECT max(alert_tstamp) FROM {table}"), [], |r| {
                        r.get(0)
                    })
                    .map_err(Error::sqlite("retention"))?;
                if let Some(newest) = newest {
                    let cutoff = newest.saturating_sub(age.min(i64::MAX as u64) as i64);
                    removed += tx
                        .execute(
                            &format!("DELETE FROM {table} WHERE alert_tstamp < ?1"),
                            [cutoff],
                        )
                        .map_err(Error::sqlite("retention"))? as u64;
                }
            }
            if let Some(max_rows) = self.retention.max_rows {
                let sql = format!(
                    "DELETE FROM {table} WHERE rowid <= \
                     (SELECT rowid FROM {table} ORDER BY rowid DESC LIMIT 1 OFFSET ?1)"
                );
                removed += tx
                    .execute(&sql, [max_rows.min(i64::MAX as u64) as i64])
                    .map_err(Error::sqlite("retention"))? as u64;
            }
        }
        tx.commit().map_err(Error::sqlite("retention"))?;
        if removed > 0 {
            self.conn
                .execute_batch("PRAGMA incremental_vacuum;")
                .map_err(Error::sqlite("incremental_vacuum"))?;
        }
        Ok(removed)
    }
}
